build/cli/main.o: cli/main.c cli/cli.h common/util.h common/error.h
cli/cli.h:
common/util.h:
common/error.h:
