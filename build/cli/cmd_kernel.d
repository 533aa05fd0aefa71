build/cli/cmd_kernel.o: cli/cmd_kernel.c cli/cli.h
cli/cli.h:
