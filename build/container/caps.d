build/container/caps.o: container/caps.c container/caps.h common/error.h
container/caps.h:
common/error.h:
