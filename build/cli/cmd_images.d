build/cli/cmd_images.o: cli/cmd_images.c cli/cli.h common/util.h \
 common/error.h images/store.h common/error.h
cli/cli.h:
common/util.h:
common/error.h:
images/store.h:
common/error.h:
