build/images/cpio.o: images/cpio.c images/cpio.h common/error.h \
 common/cleanup.h
images/cpio.h:
common/error.h:
common/cleanup.h:
