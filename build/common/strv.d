build/common/strv.o: common/strv.c common/strv.h
common/strv.h:
