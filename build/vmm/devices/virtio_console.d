build/vmm/devices/virtio_console.o: vmm/devices/virtio_console.c \
 vmm/devices/virtio.h common/error.h vmm/device.h \
 vmm/devices/virtio_mmio.h vmm/devices/virtqueue.h
vmm/devices/virtio.h:
common/error.h:
vmm/device.h:
vmm/devices/virtio_mmio.h:
vmm/devices/virtqueue.h:
