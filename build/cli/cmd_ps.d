build/cli/cmd_ps.o: cli/cmd_ps.c cli/cli.h common/runner.h common/error.h \
 common/spec.h common/state.h common/state.h common/util.h
cli/cli.h:
common/runner.h:
common/error.h:
common/spec.h:
common/state.h:
common/state.h:
common/util.h:
