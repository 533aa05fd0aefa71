build/common/report.o: common/report.c common/report.h common/spec.h
common/report.h:
common/spec.h:
