build/common/runner.o: common/runner.c common/runner.h common/error.h \
 common/spec.h common/state.h common/cleanup.h container/container.h \
 common/error.h common/spec.h images/store.h common/report.h \
 common/strv.h common/util.h
common/runner.h:
common/error.h:
common/spec.h:
common/state.h:
common/cleanup.h:
container/container.h:
common/error.h:
common/spec.h:
images/store.h:
common/report.h:
common/strv.h:
common/util.h:
