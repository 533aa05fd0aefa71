build/common/util.o: common/util.c common/util.h common/error.h \
 common/cleanup.h
common/util.h:
common/error.h:
common/cleanup.h:
