build/common/state.o: common/state.c common/state.h common/error.h \
 common/spec.h common/cleanup.h common/strv.h common/util.h
common/state.h:
common/error.h:
common/spec.h:
common/cleanup.h:
common/strv.h:
common/util.h:
