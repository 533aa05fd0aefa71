build/vmm/cpuid.o: vmm/cpuid.c vmm/cpuid.h common/error.h \
 common/cleanup.h
vmm/cpuid.h:
common/error.h:
common/cleanup.h:
