/* virtio_mmio.c - the virtio-mmio transport, version 2 ("modern").
 *
 * The guest drives everything here through 32-bit register accesses; all
 * of it is untrusted.  Malformed input never ends the run: bad widths and
 * writes to read-only or out-of-range registers are ignored, a queue that
 * cannot be set up or serves a malformed chain puts the device in
 * NEEDS_RESET until the driver writes status 0.  Only a monitor bug (a
 * device on the bus without guest memory) is reported as an error.
 */
#include "virtio_mmio.h"

#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

struct queue_regs {
	uint16_t num;
	bool ready;
	uint64_t desc, avail, used;
	struct virtq vq;
};

struct virtio_mmio {
	struct device dev;
	pthread_mutex_t lock;
	struct virtio_backend be;
	uint32_t gsi;
	uint64_t device_features;
	uint64_t driver_features;
	uint32_t device_features_sel;
	uint32_t driver_features_sel;
	uint32_t queue_sel;
	uint32_t status;
	uint32_t int_status;
	struct queue_regs q[]; /* be.num_queues */
};

static const struct device_ops virtio_mmio_ops;

static void pulse_irq(struct virtio_mmio *t)
{
	if (!t->dev.irq)
		return;
	t->dev.irq(t->dev.irq_ctx, t->gsi, 1);
	t->dev.irq(t->dev.irq_ctx, t->gsi, 0);
}

static bool device_live(const struct virtio_mmio *t)
{
	return (t->status & VIRTIO_STATUS_DRIVER_OK) &&
	       !(t->status & VIRTIO_STATUS_NEEDS_RESET);
}

/* The queue QueueSel points at, if it exists. */
static struct queue_regs *selected_queue(struct virtio_mmio *t)
{
	return t->queue_sel < t->be.num_queues ? &t->q[t->queue_sel] : NULL;
}

void virtio_mmio_fail(struct virtio_mmio *t)
{
	if (t->status & VIRTIO_STATUS_NEEDS_RESET)
		return;
	t->status |= VIRTIO_STATUS_NEEDS_RESET;
	/* 2.1.2: a live device signals NEEDS_RESET with a config change. */
	if (t->status & VIRTIO_STATUS_DRIVER_OK) {
		t->int_status |= VIRTIO_MMIO_INT_CONFIG;
		pulse_irq(t);
	}
}

void virtio_mmio_used(struct virtio_mmio *t, struct virtq *vq)
{
	if (!virtq_should_interrupt(vq))
		return;
	t->int_status |= VIRTIO_MMIO_INT_VRING;
	pulse_irq(t);
}

struct virtq *virtio_mmio_queue(struct virtio_mmio *t, uint16_t q)
{
	if (!device_live(t) || q >= t->be.num_queues || !t->q[q].ready)
		return NULL;
	return &t->q[q].vq;
}

static void reset_device(struct virtio_mmio *t)
{
	t->status = 0;
	t->int_status = 0;
	t->driver_features = 0;
	t->device_features_sel = 0;
	t->driver_features_sel = 0;
	t->queue_sel = 0;
	for (uint16_t i = 0; i < t->be.num_queues; i++) {
		virtq_reset(&t->q[i].vq);
		t->q[i] = (struct queue_regs){0};
	}
	if (t->be.reset)
		t->be.reset(t->be.ctx);
}

static bool features_acceptable(const struct virtio_mmio *t)
{
	uint64_t f = t->driver_features;
	/* A v2 transport is for modern drivers only (Linux agrees). */
	return !(f & ~t->device_features) && (f & (1ULL << VIRTIO_F_VERSION_1));
}

static void write_status(struct virtio_mmio *t, uint32_t v)
{
	if (v == 0) {
		reset_device(t);
		return;
	}
	uint32_t old = t->status;
	/* NEEDS_RESET is the device's bit: the driver can neither set nor
	 * clear it (only a reset does). */
	uint32_t next = (v & ~VIRTIO_STATUS_NEEDS_RESET) |
			(old & VIRTIO_STATUS_NEEDS_RESET);
	/* 3.1.1: the device refuses FEATURES_OK for a subset it cannot
	 * serve; the driver reads the status back to find out. */
	if ((next & VIRTIO_STATUS_FEATURES_OK) &&
	    !(old & VIRTIO_STATUS_FEATURES_OK) && !features_acceptable(t))
		next &= ~VIRTIO_STATUS_FEATURES_OK;
	t->status = next;
}

static void write_driver_features(struct virtio_mmio *t, uint32_t v)
{
	/* Frozen once FEATURES_OK is set. */
	if (t->status & VIRTIO_STATUS_FEATURES_OK)
		return;
	if (t->driver_features_sel == 0)
		t->driver_features = (t->driver_features & ~0xffffffffULL) | v;
	else if (t->driver_features_sel == 1)
		t->driver_features =
		    (t->driver_features & 0xffffffffULL) | ((uint64_t)v << 32);
}

static int enable_queue(struct virtio_mmio *t, struct queue_regs *q)
{
	if (!t->dev.mem)
		return -EINVAL; /* the monitor never attached guest memory */
	bool indirect = t->driver_features & (1ULL << VIRTIO_F_INDIRECT_DESC);
	int r = -EINVAL;
	/* Queues are set up between FEATURES_OK and DRIVER_OK (3.1.1), and
	 * never larger than offered. */
	if ((t->status & VIRTIO_STATUS_FEATURES_OK) &&
	    q->num <= t->be.queue_max)
		r = virtq_setup(&q->vq, t->dev.mem, q->num, q->desc, q->avail,
				q->used, indirect);
	if (r < 0) {
		virtio_mmio_fail(t);
		return 0;
	}
	q->ready = true;
	return 0;
}

static void set_half(uint64_t *reg, uint32_t v, bool high)
{
	if (high)
		*reg = (*reg & 0xffffffffULL) | ((uint64_t)v << 32);
	else
		*reg = (*reg & ~0xffffffffULL) | v;
}

/* Writes to the selected queue's configuration; ignored while it is ready
 * (4.2.2.2: the driver must not change a live queue). */
static int write_queue_reg(struct virtio_mmio *t, uint64_t off, uint32_t v)
{
	struct queue_regs *q = selected_queue(t);
	if (!q)
		return 0;
	if (off == VIRTIO_MMIO_QUEUE_READY) {
		if (v & 1) {
			if (!q->ready)
				return enable_queue(t, q);
		} else {
			q->ready = false;
			virtq_reset(&q->vq);
		}
		return 0;
	}
	if (q->ready)
		return 0;
	switch (off) {
	case VIRTIO_MMIO_QUEUE_NUM:
		q->num = (uint16_t)(v > 0xffff ? 0 : v);
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		set_half(&q->desc, v, off == VIRTIO_MMIO_QUEUE_DESC_HIGH);
		break;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
		set_half(&q->avail, v, off == VIRTIO_MMIO_QUEUE_AVAIL_HIGH);
		break;
	case VIRTIO_MMIO_QUEUE_USED_LOW:
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		set_half(&q->used, v, off == VIRTIO_MMIO_QUEUE_USED_HIGH);
		break;
	}
	return 0;
}

static void notify_queue(struct virtio_mmio *t, uint32_t v)
{
	/* Without VIRTIO_F_NOTIFICATION_DATA the value is the queue index. */
	if (v >= t->be.num_queues || !virtio_mmio_queue(t, (uint16_t)v))
		return;
	if (t->be.notify(t, t->be.ctx, (uint16_t)v) < 0)
		virtio_mmio_fail(t);
}

static int write_reg(struct virtio_mmio *t, uint64_t off, uint32_t v)
{
	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		t->device_features_sel = v;
		return 0;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		write_driver_features(t, v);
		return 0;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		t->driver_features_sel = v;
		return 0;
	case VIRTIO_MMIO_QUEUE_SEL:
		t->queue_sel = v;
		return 0;
	case VIRTIO_MMIO_QUEUE_NUM:
	case VIRTIO_MMIO_QUEUE_READY:
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
	case VIRTIO_MMIO_QUEUE_USED_LOW:
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		return write_queue_reg(t, off, v);
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		notify_queue(t, v);
		return 0;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		t->int_status &= ~v;
		return 0;
	case VIRTIO_MMIO_STATUS:
		write_status(t, v);
		return 0;
	default:
		return 0; /* read-only or unknown: ignored */
	}
}

static uint32_t read_reg(struct virtio_mmio *t, uint64_t off)
{
	const struct queue_regs *q = selected_queue(t);
	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION:
		return 2;
	case VIRTIO_MMIO_DEVICE_ID:
		return t->be.device_id;
	case VIRTIO_MMIO_VENDOR_ID:
		return VIRTIO_MMIO_VENDOR;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		if (t->device_features_sel > 1)
			return 0;
		return (uint32_t)(t->device_features >>
				  (32 * t->device_features_sel));
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return q ? t->be.queue_max : 0;
	case VIRTIO_MMIO_QUEUE_READY:
		return q ? q->ready : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return t->int_status;
	case VIRTIO_MMIO_STATUS:
		return t->status;
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
	case VIRTIO_MMIO_SHM_BASE_LOW:
	case VIRTIO_MMIO_SHM_BASE_HIGH:
		return 0xffffffff; /* "no such shared memory region" */
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return 0; /* config never changes under the driver */
	default:
		return 0; /* write-only or unknown */
	}
}

static void read_config(struct virtio_mmio *t, uint64_t off, void *data,
			uint32_t len)
{
	if (len > 8 || off > t->be.config_len || len > t->be.config_len - off)
		return; /* outside the config space: reads as zero */
	t->be.config_read(t->be.ctx, (uint32_t)off, data, len);
}

static int mmio_read(struct device *dev, uint64_t offset, void *data,
		     uint32_t len)
{
	struct virtio_mmio *t = dev->priv;
	memset(data, 0, len);
	pthread_mutex_lock(&t->lock);
	if (offset >= VIRTIO_MMIO_CONFIG) {
		read_config(t, offset - VIRTIO_MMIO_CONFIG, data, len);
	} else if (len == 4 && !(offset & 3)) {
		/* 4.2.2.2: registers are accessed 32 bits wide. */
		uint32_t v = htole32(read_reg(t, offset));
		memcpy(data, &v, 4);
	}
	pthread_mutex_unlock(&t->lock);
	return 0;
}

static int mmio_write(struct device *dev, uint64_t offset, const void *data,
		      uint32_t len)
{
	struct virtio_mmio *t = dev->priv;
	/* Config space is read-only for these devices; registers are 32 bits
	 * wide. */
	if (offset >= VIRTIO_MMIO_CONFIG || len != 4 || (offset & 3))
		return 0;
	uint32_t v;
	memcpy(&v, data, 4);
	pthread_mutex_lock(&t->lock);
	int r = write_reg(t, offset, le32toh(v));
	pthread_mutex_unlock(&t->lock);
	return r;
}

static void mmio_destroy(struct device *dev)
{
	if (!dev)
		return;
	struct virtio_mmio *t = dev->priv;
	if (t->be.destroy)
		t->be.destroy(t->be.ctx);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

/* What a boot snapshot keeps of the transport: the registers the driver
 * wrote and each queue's rings and indices (the rings themselves are in
 * guest memory). */
struct saved_queue {
	uint64_t desc, avail, used;
	uint16_t num, last_avail, used_idx;
	uint8_t ready, pad[1];
};

struct saved_transport {
	uint32_t device_id, num_queues;
	uint64_t driver_features;
	uint32_t device_features_sel, driver_features_sel, queue_sel;
	uint32_t status, int_status, pad;
};

static int mmio_save(struct device *dev, void *buf, size_t n)
{
	struct virtio_mmio *t = dev->priv;
	size_t len = sizeof(struct saved_transport) +
		     t->be.num_queues * sizeof(struct saved_queue);
	if (n < len)
		return -ENOSPC;
	int r = t->be.can_snapshot ? t->be.can_snapshot(t->be.ctx) : -EBUSY;
	if (r < 0)
		return r;
	/* buf need not be aligned (it follows the device's name): memcpy */
	struct saved_transport s;
	pthread_mutex_lock(&t->lock);
	s = (struct saved_transport){
	    .device_id = t->be.device_id,
	    .num_queues = t->be.num_queues,
	    .driver_features = t->driver_features,
	    .device_features_sel = t->device_features_sel,
	    .driver_features_sel = t->driver_features_sel,
	    .queue_sel = t->queue_sel,
	    .status = t->status,
	    .int_status = t->int_status,
	};
	memcpy(buf, &s, sizeof(s));
	for (uint16_t i = 0; i < t->be.num_queues; i++) {
		const struct queue_regs *q = &t->q[i];
		struct saved_queue sq = {
		    .desc = q->desc,
		    .avail = q->avail,
		    .used = q->used,
		    .num = q->num,
		    .last_avail = q->vq.last_avail,
		    .used_idx = q->vq.used_idx,
		    .ready = q->ready,
		};
		memcpy((char *)buf + sizeof(s) + i * sizeof(sq), &sq, sizeof(sq));
	}
	pthread_mutex_unlock(&t->lock);
	return (int)len;
}

/* The blob comes from our own snapshot file, but is checked like guest
 * input: a ready queue is set up again through virtq_setup(), which
 * validates its rings against guest memory. */
static int mmio_restore(struct device *dev, const void *buf, size_t n)
{
	struct virtio_mmio *t = dev->priv;
	struct saved_transport hdr;
	const struct saved_transport *s = &hdr;
	if (n < sizeof(hdr))
		return -EINVAL;
	memcpy(&hdr, buf, sizeof(hdr));
	if (s->device_id != t->be.device_id ||
	    s->num_queues != t->be.num_queues ||
	    n != sizeof(hdr) + (size_t)s->num_queues * sizeof(struct saved_queue) ||
	    (s->driver_features & ~t->device_features))
		return -EINVAL;
	pthread_mutex_lock(&t->lock);
	t->driver_features = s->driver_features;
	t->device_features_sel = s->device_features_sel;
	t->driver_features_sel = s->driver_features_sel;
	t->queue_sel = s->queue_sel;
	t->status = s->status;
	t->int_status = s->int_status;
	bool indirect = t->driver_features & (1ULL << VIRTIO_F_INDIRECT_DESC);
	int r = 0;
	for (uint16_t i = 0; i < t->be.num_queues && r == 0; i++) {
		struct queue_regs *q = &t->q[i];
		struct saved_queue sq;
		memcpy(&sq, (const char *)buf + sizeof(hdr) + i * sizeof(sq),
		       sizeof(sq));
		*q = (struct queue_regs){.num = sq.num,
					 .desc = sq.desc,
					 .avail = sq.avail,
					 .used = sq.used};
		if (!sq.ready)
			continue;
		if (q->num > t->be.queue_max)
			r = -EINVAL;
		else
			r = virtq_setup(&q->vq, t->dev.mem, q->num, q->desc,
					q->avail, q->used, indirect);
		q->ready = r == 0;
		q->vq.last_avail = sq.last_avail;
		q->vq.used_idx = sq.used_idx;
	}
	pthread_mutex_unlock(&t->lock);
	return r < 0 ? -EINVAL : 0;
}

static const struct device_ops virtio_mmio_ops = {
    .name = "virtio-mmio",
    .read = mmio_read,
    .write = mmio_write,
    .destroy = mmio_destroy,
    .save = mmio_save,
    .restore = mmio_restore,
};

int virtio_mmio_create(struct device **out, uint64_t mmio_base, uint32_t gsi,
		       const struct virtio_backend *be, struct vmctl_err *err)
{
	*out = NULL;
	if (be->num_queues == 0 || be->queue_max == 0 ||
	    be->queue_max > VIRTQ_MAX_SIZE || !be->notify || !be->config_read ||
	    be->config_len > VIRTIO_MMIO_WINDOW - VIRTIO_MMIO_CONFIG) {
		if (be->destroy)
			be->destroy(be->ctx);
		return vmctl_errorf(err, EINVAL, "virtio-mmio: bad backend");
	}
	struct virtio_mmio *t =
	    calloc(1, sizeof(*t) + be->num_queues * sizeof(t->q[0]));
	if (!t) {
		if (be->destroy)
			be->destroy(be->ctx);
		return vmctl_error(err, ENOMEM, "virtio-mmio");
	}
	pthread_mutex_init(&t->lock, NULL);
	t->be = *be;
	t->gsi = gsi;
	t->device_features = be->features | (1ULL << VIRTIO_F_VERSION_1) |
			     (1ULL << VIRTIO_F_INDIRECT_DESC);
	t->dev = (struct device){
	    .ops = &virtio_mmio_ops,
	    .space = DEV_MMIO,
	    .base = mmio_base,
	    .len = VIRTIO_MMIO_WINDOW,
	    .priv = t,
	};
	*out = &t->dev;
	return 0;
}

struct virtio_mmio *virtio_mmio_from_device(struct device *dev,
					    uint32_t device_id)
{
	if (!dev || dev->ops != &virtio_mmio_ops)
		return NULL;
	struct virtio_mmio *t = dev->priv;
	return t->be.device_id == device_id ? t : NULL;
}

void virtio_mmio_lock(struct virtio_mmio *t)
{
	pthread_mutex_lock(&t->lock);
}

void virtio_mmio_unlock(struct virtio_mmio *t)
{
	pthread_mutex_unlock(&t->lock);
}

void *virtio_mmio_ctx(struct virtio_mmio *t)
{
	return t->be.ctx;
}

static uint32_t virtio_mmio_gsi(const struct device *dev)
{
	const struct virtio_mmio *t = dev->priv;
	return t->gsi;
}

int virtio_mmio_cmdline_format(char *buf, size_t n, uint64_t base,
			       uint64_t size, uint32_t irq)
{
	/* Linux parses <size>@<base>:<irq> with memparse(), so "4K" works. */
	if (size && size % 1024 == 0)
		return xsnprintf(buf, n,
				 "virtio_mmio.device=%" PRIu64 "K@0x%" PRIx64
				 ":%" PRIu32,
				 size / 1024, base, irq);
	return xsnprintf(
	    buf, n, "virtio_mmio.device=0x%" PRIx64 "@0x%" PRIx64 ":%" PRIu32,
	    size, base, irq);
}

int virtio_mmio_cmdline(const struct device *dev, char *buf, size_t n)
{
	if (!dev || dev->ops != &virtio_mmio_ops)
		return -EINVAL;
	return virtio_mmio_cmdline_format(buf, n, dev->base, dev->len,
					  virtio_mmio_gsi(dev));
}
