build/vmm/devices/virtqueue.o: vmm/devices/virtqueue.c \
 vmm/devices/virtqueue.h vmm/device.h
vmm/devices/virtqueue.h:
vmm/device.h:
