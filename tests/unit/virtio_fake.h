/* virtio_fake.h - a fake guest for the virtio unit tests: a plain buffer as
 * guest memory, helpers to lay out a split virtqueue in it the way a driver
 * would, and register access to a virtio-mmio device.  Header-only so each
 * test_*.c stays one translation unit. */
#ifndef VMCTL_TESTS_VIRTIO_FAKE_H
#define VMCTL_TESTS_VIRTIO_FAKE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/device.h"
#include "vmm/devices/virtio_mmio.h"
#include "vmm/devices/virtqueue.h"

#define FAKE_MEM_SIZE (1u << 20)
#define FAKE_DESC 0x1000u
#define FAKE_AVAIL 0x2000u
#define FAKE_USED 0x3000u
#define FAKE_DESC2 0x4000u /* a second queue */
#define FAKE_AVAIL2 0x5000u
#define FAKE_USED2 0x6000u
#define FAKE_BUF 0x10000u /* buffers from here on */

struct fake_guest {
	struct guest_mem mem;
	uint16_t qsize;
	uint16_t avail_idx; /* the driver's free-running avail index */
	uint64_t desc_gpa, avail_gpa, used_gpa;
	int irq_raises, irq_lowers, irq_level;
};

static inline void fake_guest_init(struct fake_guest *g, uint16_t qsize)
{
	memset(g, 0, sizeof(*g));
	g->mem.host = aligned_alloc(4096, FAKE_MEM_SIZE);
	memset(g->mem.host, 0, FAKE_MEM_SIZE);
	g->mem.size = FAKE_MEM_SIZE;
	g->qsize = qsize;
	g->desc_gpa = FAKE_DESC;
	g->avail_gpa = FAKE_AVAIL;
	g->used_gpa = FAKE_USED;
}

static inline void fake_guest_free(struct fake_guest *g)
{
	free(g->mem.host);
	g->mem.host = NULL;
}

static inline void *gpa(struct fake_guest *g, uint64_t a)
{
	return g->mem.host + a;
}

static inline void set_desc(struct fake_guest *g, uint16_t i, uint64_t addr,
			    uint32_t len, uint16_t flags, uint16_t next)
{
	struct virtq_desc *d = gpa(g, g->desc_gpa);
	d[i] = (struct virtq_desc){addr, len, flags, next};
}

/* Writes a descriptor into an arbitrary table (an indirect one). */
static inline void set_desc_at(struct fake_guest *g, uint64_t table, uint16_t i,
			       uint64_t addr, uint32_t len, uint16_t flags,
			       uint16_t next)
{
	struct virtq_desc *d = gpa(g, table);
	d[i] = (struct virtq_desc){addr, len, flags, next};
}

/* Makes the chain starting at head available. */
static inline void make_avail(struct fake_guest *g, uint16_t head)
{
	struct virtq_avail *a = gpa(g, g->avail_gpa);
	a->ring[g->avail_idx % g->qsize] = head;
	g->avail_idx++;
	a->idx = g->avail_idx;
}

static inline struct virtq_used *used_ring(struct fake_guest *g)
{
	return gpa(g, g->used_gpa);
}

static void fake_irq(void *ctx, uint32_t gsi, int level)
{
	struct fake_guest *g = ctx;
	(void)gsi;
	if (level && !g->irq_level)
		g->irq_raises++;
	if (!level && g->irq_level)
		g->irq_lowers++;
	g->irq_level = level;
}

static inline void attach(struct device *dev, struct fake_guest *g)
{
	dev->mem = &g->mem;
	dev->irq = fake_irq;
	dev->irq_ctx = g;
}

static inline uint32_t rd(struct device *dev, uint64_t off)
{
	uint32_t v = 0xdeadbeef;
	dev->ops->read(dev, off, &v, 4);
	return v;
}

static inline int wr(struct device *dev, uint64_t off, uint32_t v)
{
	return dev->ops->write(dev, off, &v, 4);
}

static inline void setup_queue(struct device *dev, uint16_t q, uint16_t num,
			       uint64_t desc, uint64_t avail, uint64_t used)
{
	wr(dev, VIRTIO_MMIO_QUEUE_SEL, q);
	wr(dev, VIRTIO_MMIO_QUEUE_NUM, num);
	wr(dev, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	wr(dev, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
	wr(dev, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)avail);
	wr(dev, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, (uint32_t)(avail >> 32));
	wr(dev, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)used);
	wr(dev, VIRTIO_MMIO_QUEUE_USED_HIGH, (uint32_t)(used >> 32));
	wr(dev, VIRTIO_MMIO_QUEUE_READY, 1);
}

/* What Linux's virtio_mmio + virtio core do at probe: reset, ACKNOWLEDGE,
 * DRIVER, accept all offered features, FEATURES_OK, queues, DRIVER_OK.
 * Queue 0 uses the fake's primary rings, queue 1 the second set. */
static inline void bring_up(struct device *dev, struct fake_guest *g,
			    uint16_t nqueues)
{
	wr(dev, VIRTIO_MMIO_STATUS, 0);
	wr(dev, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	wr(dev, VIRTIO_MMIO_STATUS,
	   VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	for (uint32_t sel = 0; sel < 2; sel++) {
		wr(dev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, sel);
		uint32_t f = rd(dev, VIRTIO_MMIO_DEVICE_FEATURES);
		wr(dev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, sel);
		wr(dev, VIRTIO_MMIO_DRIVER_FEATURES, f);
	}
	wr(dev, VIRTIO_MMIO_STATUS,
	   VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
	       VIRTIO_STATUS_FEATURES_OK);
	setup_queue(dev, 0, g->qsize, FAKE_DESC, FAKE_AVAIL, FAKE_USED);
	if (nqueues > 1)
		setup_queue(dev, 1, g->qsize, FAKE_DESC2, FAKE_AVAIL2,
			    FAKE_USED2);
	wr(dev, VIRTIO_MMIO_STATUS,
	   VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
	       VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
}

/* Points the descriptor helpers at queue 1's rings (or back at queue 0). */
static inline void use_queue(struct fake_guest *g, uint16_t q,
			     uint16_t *saved_avail_idx)
{
	uint16_t tmp = g->avail_idx;
	g->avail_idx = *saved_avail_idx;
	*saved_avail_idx = tmp;
	g->desc_gpa = q ? FAKE_DESC2 : FAKE_DESC;
	g->avail_gpa = q ? FAKE_AVAIL2 : FAKE_AVAIL;
	g->used_gpa = q ? FAKE_USED2 : FAKE_USED;
}

#endif
