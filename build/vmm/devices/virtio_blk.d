build/vmm/devices/virtio_blk.o: vmm/devices/virtio_blk.c common/cleanup.h \
 vmm/devices/virtio.h common/error.h vmm/device.h \
 vmm/devices/virtio_mmio.h vmm/devices/virtqueue.h
common/cleanup.h:
vmm/devices/virtio.h:
common/error.h:
vmm/device.h:
vmm/devices/virtio_mmio.h:
vmm/devices/virtqueue.h:
