build/cli/cmd_inspect.o: cli/cmd_inspect.c cli/cli.h common/cleanup.h \
 common/state.h common/error.h common/spec.h common/util.h images/store.h \
 common/error.h
cli/cli.h:
common/cleanup.h:
common/state.h:
common/error.h:
common/spec.h:
common/util.h:
images/store.h:
common/error.h:
