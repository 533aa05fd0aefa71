build/container/tty.o: container/tty.c container/tty.h
container/tty.h:
