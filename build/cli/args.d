build/cli/args.o: cli/args.c cli/args.h common/error.h common/spec.h \
 common/strv.h common/util.h common/error.h
cli/args.h:
common/error.h:
common/spec.h:
common/strv.h:
common/util.h:
common/error.h:
