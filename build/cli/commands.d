build/cli/commands.o: cli/commands.c cli/cli.h
cli/cli.h:
