build/cli/cmd_run.o: cli/cmd_run.c cli/args.h common/error.h \
 common/spec.h cli/cli.h common/report.h common/spec.h common/runner.h \
 common/error.h common/state.h common/util.h
cli/args.h:
common/error.h:
common/spec.h:
cli/cli.h:
common/report.h:
common/spec.h:
common/runner.h:
common/error.h:
common/state.h:
common/util.h:
