build/cli/cmd_logs.o: cli/cmd_logs.c cli/cli.h common/cleanup.h \
 common/state.h common/error.h common/spec.h common/util.h
cli/cli.h:
common/cleanup.h:
common/state.h:
common/error.h:
common/spec.h:
common/util.h:
