build/container/net.o: container/net.c container/net.h common/cleanup.h
container/net.h:
common/cleanup.h:
