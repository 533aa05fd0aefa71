build/container/rootfs.o: container/rootfs.c container/rootfs.h \
 container/mountplan.h common/error.h common/cleanup.h
container/rootfs.h:
container/mountplan.h:
common/error.h:
common/cleanup.h:
