build/images/base.o: images/base.c common/cleanup.h common/digest.h \
 common/util.h common/error.h images/store.h common/error.h
common/cleanup.h:
common/digest.h:
common/util.h:
common/error.h:
images/store.h:
common/error.h:
