build/vmm/boot.o: vmm/boot.c vmm/boot.h
vmm/boot.h:
