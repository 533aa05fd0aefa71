build/cli/cmd_rm.o: cli/cmd_rm.c cli/cli.h common/runner.h common/error.h \
 common/spec.h common/state.h common/util.h
cli/cli.h:
common/runner.h:
common/error.h:
common/spec.h:
common/state.h:
common/util.h:
