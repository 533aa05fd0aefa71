build/vmm/kvm.o: vmm/kvm.c vmm/kvm.h common/error.h vmm/device.h \
 common/cleanup.h
vmm/kvm.h:
common/error.h:
vmm/device.h:
common/cleanup.h:
