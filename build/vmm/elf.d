build/vmm/elf.o: vmm/elf.c vmm/elf.h common/error.h
vmm/elf.h:
common/error.h:
