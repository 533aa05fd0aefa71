build/images/store.o: images/store.c images/store.h common/error.h \
 common/cleanup.h common/digest.h common/strv.h common/util.h \
 common/error.h
images/store.h:
common/error.h:
common/cleanup.h:
common/digest.h:
common/strv.h:
common/util.h:
common/error.h:
