build/cli/cmd_version.o: cli/cmd_version.c cli/cli.h common/util.h \
 common/error.h
cli/cli.h:
common/util.h:
common/error.h:
