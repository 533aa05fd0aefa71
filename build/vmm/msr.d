build/vmm/msr.o: vmm/msr.c vmm/msr.h common/error.h
vmm/msr.h:
common/error.h:
