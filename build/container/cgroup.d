build/container/cgroup.o: container/cgroup.c container/cgroup.h \
 common/error.h common/cleanup.h
container/cgroup.h:
common/error.h:
common/cleanup.h:
