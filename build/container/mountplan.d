build/container/mountplan.o: container/mountplan.c container/mountplan.h \
 common/error.h common/cleanup.h container/container.h common/spec.h
container/mountplan.h:
common/error.h:
common/cleanup.h:
container/container.h:
common/spec.h:
