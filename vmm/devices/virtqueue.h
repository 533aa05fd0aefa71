/* virtqueue.h - the device side of a virtio 1.x split virtqueue.
 *
 * The guest owns the three rings and may change them at any moment (another
 * vCPU, or while a host thread is serving the queue), so everything read
 * from them is read once into a local copy and then validated: every address
 * and length goes through guest_ptr(), descriptor indexes are checked
 * against the table they index, chains are bounded by the queue size and a
 * visited-set detects loops.  A malformed queue is reported as a negative
 * errno; the transport then marks the device NEEDS_RESET and stops serving
 * it.  Nothing here allocates, does I/O or touches KVM, so it is unit-tested
 * against a plain buffer posing as guest memory.
 */
#ifndef VMCTL_VMM_VIRTQUEUE_H
#define VMCTL_VMM_VIRTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/device.h"

/* The largest queue this monitor offers (QueueNumMax).  It bounds every
 * chain, including one reached through an indirect table. */
#define VIRTQ_MAX_SIZE 256

#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_DESC_F_INDIRECT 4
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1

/* The guest-visible layouts (virtio 1.2, 2.7), all little-endian. */
struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[]; /* [size], then uint16_t used_event */
};

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[]; /* [size], then uint16_t avail_event */
};

/* Bytes each ring occupies for a queue of `size` entries. */
static inline uint64_t virtq_desc_bytes(uint16_t size)
{
	return 16ULL * size;
}

static inline uint64_t virtq_avail_bytes(uint16_t size)
{
	return 6ULL + 2ULL * size;
}

static inline uint64_t virtq_used_bytes(uint16_t size)
{
	return 6ULL + 8ULL * size;
}

struct virtq {
	const struct guest_mem *mem;
	uint16_t size;	  /* 0: not set up */
	bool indirect_ok; /* VIRTIO_F_INDIRECT_DESC was negotiated */
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	uint16_t last_avail; /* free-running index of the next avail entry */
	uint16_t used_idx;   /* free-running copy of used->idx */
};

/* One guest buffer of a chain, already translated to a host pointer. */
struct virtq_seg {
	uint8_t *host;
	uint32_t len;
};

/* A popped descriptor chain: seg[0..n_out) are device-readable,
 * seg[n_out..n_out+n_in) device-writable (the spec orders them so). */
struct virtq_chain {
	uint16_t head;
	uint16_t n_out, n_in;
	uint64_t out_bytes, in_bytes;
	struct virtq_seg seg[VIRTQ_MAX_SIZE];
};

/* Validates and attaches the rings: size a power of two in
 * 1..VIRTQ_MAX_SIZE, desc 16-aligned, avail 2-aligned, used 4-aligned, all
 * three wholly inside mem.  Returns 0, -EINVAL (size/alignment) or -EFAULT
 * (outside guest memory). */
int virtq_setup(struct virtq *vq, const struct guest_mem *mem, uint16_t size,
		uint64_t desc_gpa, uint64_t avail_gpa, uint64_t used_gpa,
		bool indirect_ok);

/* Detaches the rings (device reset or queue disable). */
void virtq_reset(struct virtq *vq);

/* Takes the next available chain.  Returns 1 with *chain filled, 0 when the
 * guest has made nothing available, or a negative errno for a malformed
 * queue: -EINVAL (avail index ran ahead by more than the queue size, head or
 * next index out of range, bad flags or ordering), -EFAULT (a buffer or
 * indirect table outside guest memory), -ELOOP (a descriptor visited twice),
 * -E2BIG (an indirect table longer than the queue). */
int virtq_pop(struct virtq *vq, struct virtq_chain *chain);

/* Whether the guest has made a chain available that pop has not taken. */
bool virtq_has_avail(const struct virtq *vq);

/* Gives back the chain popped last, unused (e.g. no input to put in it). */
void virtq_unpop(struct virtq *vq);

/* Returns the chain with `head` to the guest with `written` bytes written
 * into its device-writable part. */
void virtq_push(struct virtq *vq, uint16_t head, uint32_t written);

/* After pushes: whether the guest wants an interrupt (no
 * VIRTQ_AVAIL_F_NO_INTERRUPT; EVENT_IDX is not offered). */
bool virtq_should_interrupt(const struct virtq *vq);

/* Copies up to len bytes of the chain's readable part, starting `offset`
 * bytes into it, to dst.  Returns the number of bytes copied. */
size_t virtq_chain_read(const struct virtq_chain *c, uint64_t offset, void *dst,
			size_t len);

/* Copies up to len bytes from src into the chain's writable part, starting
 * `offset` bytes into it.  Returns the number of bytes copied. */
size_t virtq_chain_write(const struct virtq_chain *c, uint64_t offset,
			 const void *src, size_t len);

#endif
