/* virtio_mmio.h - the virtio-mmio transport (version 2), as the device
 * backends (console, blk) see it.  The monitor uses vmm/devices/virtio.h.
 *
 * The transport owns the register protocol, feature negotiation, queue
 * setup, interrupts and the NEEDS_RESET state; a backend supplies the device
 * id, its features and config space, and serves queue notifications.
 * Every entry point runs under the transport's mutex, so a host thread (the
 * console's input) and the vCPU thread never serve a device at once.
 */
#ifndef VMCTL_VMM_VIRTIO_MMIO_H
#define VMCTL_VMM_VIRTIO_MMIO_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "virtio.h"
#include "virtqueue.h"
#include "vmm/device.h"

/* Register offsets (virtio 1.2, 4.2.2). */
#define VIRTIO_MMIO_MAGIC_VALUE 0x000
#define VIRTIO_MMIO_VERSION 0x004
#define VIRTIO_MMIO_DEVICE_ID 0x008
#define VIRTIO_MMIO_VENDOR_ID 0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES 0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES 0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL 0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX 0x034
#define VIRTIO_MMIO_QUEUE_NUM 0x038
#define VIRTIO_MMIO_QUEUE_READY 0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY 0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS 0x060
#define VIRTIO_MMIO_INTERRUPT_ACK 0x064
#define VIRTIO_MMIO_STATUS 0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW 0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH 0x084
#define VIRTIO_MMIO_QUEUE_AVAIL_LOW 0x090
#define VIRTIO_MMIO_QUEUE_AVAIL_HIGH 0x094
#define VIRTIO_MMIO_QUEUE_USED_LOW 0x0a0
#define VIRTIO_MMIO_QUEUE_USED_HIGH 0x0a4
#define VIRTIO_MMIO_SHM_SEL 0x0ac
#define VIRTIO_MMIO_SHM_LEN_LOW 0x0b0
#define VIRTIO_MMIO_SHM_LEN_HIGH 0x0b4
#define VIRTIO_MMIO_SHM_BASE_LOW 0x0b8
#define VIRTIO_MMIO_SHM_BASE_HIGH 0x0bc
#define VIRTIO_MMIO_CONFIG_GENERATION 0x0fc
#define VIRTIO_MMIO_CONFIG 0x100

#define VIRTIO_MMIO_MAGIC 0x74726976  /* "virt" */
#define VIRTIO_MMIO_VENDOR 0x54434d56 /* "VMCT" */

/* Device status bits (2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 0x40
#define VIRTIO_STATUS_FAILED 0x80

/* InterruptStatus bits. */
#define VIRTIO_MMIO_INT_VRING 1
#define VIRTIO_MMIO_INT_CONFIG 2

/* Transport feature bits. */
#define VIRTIO_F_INDIRECT_DESC 28
#define VIRTIO_F_VERSION_1 32

#define VIRTIO_ID_BLOCK 2
#define VIRTIO_ID_CONSOLE 3

struct virtio_mmio;

struct virtio_backend {
	uint32_t device_id;
	uint64_t features; /* device-specific bits; VERSION_1 and
			      INDIRECT_DESC are added by the transport */
	uint16_t num_queues;
	uint16_t queue_max; /* <= VIRTQ_MAX_SIZE */
	uint32_t config_len;
	/* Fills data with config bytes [off, off+len); the transport has
	 * checked off+len <= config_len. */
	void (*config_read)(void *ctx, uint32_t off, void *data, uint32_t len);
	/* Serves queue q (ready, device live).  Returns 0, or a negative
	 * errno when the guest broke the queue: the transport then marks the
	 * device NEEDS_RESET. */
	int (*notify)(struct virtio_mmio *t, void *ctx, uint16_t q);
	/* Device reset by the driver (status 0); may be NULL. */
	void (*reset)(void *ctx);
	/* Boot snapshots: 0 when the backend's state is all in the transport
	 * and guest memory (nothing in flight, nothing of its own to keep),
	 * else a negative errno (-EBUSY).  NULL: never snapshottable. */
	int (*can_snapshot)(void *ctx);
	/* Frees ctx and what it owns. */
	void (*destroy)(void *ctx);
	void *ctx;
};

/* Creates the transport device at [mmio_base, mmio_base+VIRTIO_MMIO_WINDOW)
 * raising `gsi`.  Takes ownership of be->ctx, also on failure (destroy is
 * called).  dev->mem, dev->irq and dev->irq_ctx are the bus owner's to set
 * before the guest runs. */
int virtio_mmio_create(struct device **out, uint64_t mmio_base, uint32_t gsi,
		       const struct virtio_backend *be, struct vmctl_err *err);

/* For backends, inside notify() or under virtio_mmio_lock(): */

/* The queue q when it is ready and the device is live (DRIVER_OK, not
 * NEEDS_RESET), else NULL. */
struct virtq *virtio_mmio_queue(struct virtio_mmio *t, uint16_t q);

/* Signals used buffers on vq: raises the interrupt unless the guest
 * suppressed it. */
void virtio_mmio_used(struct virtio_mmio *t, struct virtq *vq);

/* Marks the device NEEDS_RESET and tells the driver (config interrupt).  The
 * device serves no queue until the driver resets it. */
void virtio_mmio_fail(struct virtio_mmio *t);

/* For host threads that serve a device outside of a register access. */
struct virtio_mmio *virtio_mmio_from_device(struct device *dev,
					    uint32_t device_id);
void virtio_mmio_lock(struct virtio_mmio *t);
void virtio_mmio_unlock(struct virtio_mmio *t);
void *virtio_mmio_ctx(struct virtio_mmio *t);

#endif
