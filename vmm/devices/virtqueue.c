/* virtqueue.c - serving a split virtqueue safely against a hostile guest.
 *
 * Ordering (virtio 1.2, 2.7.13 and 2.7.14): the device reads avail->idx,
 * then (acquire) the ring entry and descriptors it covers; it writes the
 * used element and the buffer contents, then (release) used->idx; and it
 * reads avail->flags only after used->idx is visible (full barrier), or it
 * could miss a guest that just re-enabled interrupts.  On x86 the first two
 * are compiler barriers and the last an mfence; the __atomic builtins emit
 * exactly that.
 */
#include "virtqueue.h"

#include <endian.h>
#include <errno.h>
#include <string.h>

/* A single load/store the compiler may neither split, repeat nor elide:
 * the guest can change the value between two reads. */
#define READ_ONCE(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

static bool is_power_of_2(uint32_t n)
{
	return n && !(n & (n - 1));
}

static void *ring_ptr(const struct guest_mem *mem, uint64_t gpa, uint64_t len,
		      uint64_t align, int *r)
{
	if (gpa & (align - 1)) {
		*r = -EINVAL;
		return NULL;
	}
	void *p = guest_ptr(mem, gpa, len);
	if (!p)
		*r = -EFAULT;
	return p;
}

int virtq_setup(struct virtq *vq, const struct guest_mem *mem, uint16_t size,
		uint64_t desc_gpa, uint64_t avail_gpa, uint64_t used_gpa,
		bool indirect_ok)
{
	virtq_reset(vq);
	if (!mem || !is_power_of_2(size) || size > VIRTQ_MAX_SIZE)
		return -EINVAL;
	int r = 0;
	struct virtq_desc *desc =
	    ring_ptr(mem, desc_gpa, virtq_desc_bytes(size), 16, &r);
	struct virtq_avail *avail =
	    ring_ptr(mem, avail_gpa, virtq_avail_bytes(size), 2, &r);
	struct virtq_used *used =
	    ring_ptr(mem, used_gpa, virtq_used_bytes(size), 4, &r);
	if (!desc || !avail || !used)
		return r;
	*vq = (struct virtq){
	    .mem = mem,
	    .size = size,
	    .indirect_ok = indirect_ok,
	    .desc = desc,
	    .avail = avail,
	    .used = used,
	};
	return 0;
}

void virtq_reset(struct virtq *vq)
{
	*vq = (struct virtq){0};
}

/* Copies a descriptor out of guest memory once.  The table may be unaligned
 * (an indirect table is wherever the guest put it), hence memcpy; the
 * compiler barrier stops the compiler from re-reading guest memory in place
 * of the local copy, so the fields validated are the fields used. */
static struct virtq_desc read_desc(const struct virtq_desc *table, uint32_t i)
{
	struct virtq_desc d;
	memcpy(&d, &table[i], sizeof(d));
	__asm__ __volatile__("" ::: "memory");
	d.addr = le64toh(d.addr);
	d.len = le32toh(d.len);
	d.flags = le16toh(d.flags);
	d.next = le16toh(d.next);
	return d;
}

/* Bit set of descriptor indexes already visited in the current table. */
struct visited {
	uint64_t bits[VIRTQ_MAX_SIZE / 64];
};

static bool visit(struct visited *v, uint32_t i)
{
	uint64_t mask = 1ULL << (i % 64);
	bool seen = v->bits[i / 64] & mask;
	v->bits[i / 64] |= mask;
	return seen;
}

static int add_seg(const struct virtq *vq, struct virtq_chain *c,
		   const struct virtq_desc *d)
{
	uint8_t *host = guest_ptr(vq->mem, d->addr, d->len);
	if (!host)
		return -EFAULT;
	uint32_t n = (uint32_t)c->n_out + c->n_in;
	if (n >= vq->size)
		return -E2BIG;
	c->seg[n] = (struct virtq_seg){.host = host, .len = d->len};
	if (d->flags & VIRTQ_DESC_F_WRITE) {
		c->n_in++;
		c->in_bytes += d->len;
	} else {
		/* Readable after writable breaks the spec's layout, and the
		 * segment split below relies on it. */
		if (c->n_in)
			return -EINVAL;
		c->n_out++;
		c->out_bytes += d->len;
	}
	return 0;
}

/* Switches the walk to an indirect table.  Only the sole descriptor of a
 * chain may point to one (the spec forbids NEXT with INDIRECT, and nesting),
 * and the table may hold no more descriptors than the queue itself. */
static int enter_indirect(const struct virtq *vq, const struct virtq_chain *c,
			  const struct virtq_desc *d,
			  const struct virtq_desc **table, uint32_t *table_len)
{
	if (!vq->indirect_ok || *table != vq->desc || c->n_out + c->n_in ||
	    (d->flags & VIRTQ_DESC_F_NEXT))
		return -EINVAL;
	if (d->len == 0 || d->len % sizeof(struct virtq_desc))
		return -EINVAL;
	if (d->len / sizeof(struct virtq_desc) > vq->size)
		return -E2BIG;
	*table = guest_ptr(vq->mem, d->addr, d->len);
	if (!*table)
		return -EFAULT;
	*table_len = d->len / sizeof(struct virtq_desc);
	return 0;
}

static int walk_chain(const struct virtq *vq, uint16_t head,
		      struct virtq_chain *c)
{
	const struct virtq_desc *table = vq->desc;
	uint32_t table_len = vq->size;
	struct visited seen = {{0}};
	uint32_t i = head;

	c->head = head;
	c->n_out = c->n_in = 0;
	c->out_bytes = c->in_bytes = 0;
	for (;;) {
		/* Invariant: i < table_len <= VIRTQ_MAX_SIZE. */
		if (visit(&seen, i))
			return -ELOOP;
		struct virtq_desc d = read_desc(table, i);
		int r;
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			r = enter_indirect(vq, c, &d, &table, &table_len);
			if (r < 0)
				return r;
			seen = (struct visited){{0}};
			i = 0;
			continue;
		}
		r = add_seg(vq, c, &d);
		if (r < 0)
			return r;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		if (d.next >= table_len)
			return -EINVAL;
		i = d.next;
	}
}

int virtq_pop(struct virtq *vq, struct virtq_chain *chain)
{
	if (!vq->size)
		return -EINVAL;
	uint16_t avail_idx = le16toh(READ_ONCE(vq->avail->idx));
	uint16_t pending = (uint16_t)(avail_idx - vq->last_avail);
	if (pending == 0)
		return 0;
	/* The guest can have at most `size` chains outstanding. */
	if (pending > vq->size)
		return -EINVAL;
	/* The ring entry and descriptors must be read after the index that
	 * published them. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	uint16_t slot = vq->last_avail & (vq->size - 1);
	uint16_t head = le16toh(READ_ONCE(vq->avail->ring[slot]));
	if (head >= vq->size)
		return -EINVAL;
	int r = walk_chain(vq, head, chain);
	if (r < 0)
		return r;
	vq->last_avail++;
	return 1;
}

bool virtq_has_avail(const struct virtq *vq)
{
	return vq->size && le16toh(READ_ONCE(vq->avail->idx)) != vq->last_avail;
}

void virtq_unpop(struct virtq *vq)
{
	vq->last_avail--;
}

void virtq_push(struct virtq *vq, uint16_t head, uint32_t written)
{
	if (!vq->size)
		return;
	struct virtq_used_elem *e =
	    &vq->used->ring[vq->used_idx & (vq->size - 1)];
	WRITE_ONCE(e->id, htole32(head));
	WRITE_ONCE(e->len, htole32(written));
	/* The element (and the data written into the buffers) must be visible
	 * before the index that publishes it. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	vq->used_idx++;
	WRITE_ONCE(vq->used->idx, htole16(vq->used_idx));
}

bool virtq_should_interrupt(const struct virtq *vq)
{
	if (!vq->size)
		return false;
	/* Store used->idx, load avail->flags: needs a full barrier. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	uint16_t flags = le16toh(READ_ONCE(vq->avail->flags));
	return !(flags & VIRTQ_AVAIL_F_NO_INTERRUPT);
}

/* Copies between a flat buffer and segments seg[first..first+n), starting
 * `offset` bytes into them. */
static size_t copy_segs(const struct virtq_seg *seg, uint32_t n,
			uint64_t offset, uint8_t *buf, size_t len,
			bool to_guest)
{
	size_t done = 0;
	for (uint32_t k = 0; k < n && done < len; k++) {
		if (offset >= seg[k].len) {
			offset -= seg[k].len;
			continue;
		}
		size_t chunk = seg[k].len - offset;
		if (chunk > len - done)
			chunk = len - done;
		if (to_guest)
			memcpy(seg[k].host + offset, buf + done, chunk);
		else
			memcpy(buf + done, seg[k].host + offset, chunk);
		done += chunk;
		offset = 0;
	}
	return done;
}

size_t virtq_chain_read(const struct virtq_chain *c, uint64_t offset, void *dst,
			size_t len)
{
	return copy_segs(c->seg, c->n_out, offset, dst, len, false);
}

size_t virtq_chain_write(const struct virtq_chain *c, uint64_t offset,
			 const void *src, size_t len)
{
	return copy_segs(c->seg + c->n_out, c->n_in, offset, (uint8_t *)src,
			 len, true);
}
