build/vmm/devices/virtio_mmio.o: vmm/devices/virtio_mmio.c \
 vmm/devices/virtio_mmio.h common/error.h vmm/devices/virtio.h \
 vmm/device.h vmm/devices/virtqueue.h common/util.h common/error.h
vmm/devices/virtio_mmio.h:
common/error.h:
vmm/devices/virtio.h:
vmm/device.h:
vmm/devices/virtqueue.h:
common/util.h:
common/error.h:
