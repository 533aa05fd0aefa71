build/images/flatten.o: images/flatten.c images/flatten.h common/error.h \
 common/cleanup.h
images/flatten.h:
common/error.h:
common/cleanup.h:
