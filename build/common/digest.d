build/common/digest.o: common/digest.c common/digest.h common/cleanup.h
common/digest.h:
common/cleanup.h:
