/* handoff.c - the hand-off port (see handoff.h). */
#include "vmm/devices/handoff.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "vmm/milestone.h"

struct handoff {
	struct device dev;
	handoff_event_fn event;
	void *ctx;
	size_t len, sent;
	int ready_seen;
	int finalized; /* time and seed appended: the config was asked for */
	char buf[MS_HANDOFF_MAX];
};

int handoff_format_extra(char *buf, size_t len, size_t n, long long realtime_ns,
			 const unsigned char seed[32])
{
	int w = snprintf(buf + len, n - len, "%c%lld", MS_CFG_TIME, realtime_ns);
	if (w < 0 || (size_t)w + 1 >= n - len)
		return -ENOSPC;
	len += (size_t)w + 1; /* the record's '\0' */
	if (n - len < 1 + 64 + 1)
		return -ENOSPC;
	buf[len++] = MS_CFG_SEED;
	for (int i = 0; i < 32; i++) {
		static const char hex[] = "0123456789abcdef";
		buf[len++] = hex[seed[i] >> 4];
		buf[len++] = hex[seed[i] & 15];
	}
	buf[len++] = '\0';
	return (int)len;
}

/* The time and the seed are taken when the guest asks, not when the run
 * began: a snapshot's guest clock then starts right. */
static void finalize(struct handoff *h)
{
	unsigned char seed[32];
	struct timespec ts;
	h->finalized = 1;
	if (getrandom(seed, sizeof(seed), 0) != (ssize_t)sizeof(seed))
		return; /* no seed record: the init keeps the kernel's own */
	clock_gettime(CLOCK_REALTIME, &ts);
	int r = handoff_format_extra(h->buf, h->len, sizeof(h->buf),
				     (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec,
				     seed);
	if (r > 0)
		h->len = (size_t)r;
}

static int handoff_read(struct device *dev, uint64_t off, void *data,
			uint32_t len)
{
	struct handoff *h = (struct handoff *)dev;
	memset(data, 0, len);
	if (dev->base + off == MS_HANDOFF_LEN) {
		if (!h->finalized) {
			finalize(h);
			if (h->event)
				h->event(h->ctx, HANDOFF_TAKEN);
		}
		uint32_t v = (uint32_t)h->len;
		memcpy(data, &v, len < 4 ? len : 4);
	} else if (dev->base + off == MS_HANDOFF_DATA && h->sent < h->len) {
		size_t n = h->len - h->sent < len ? h->len - h->sent : len;
		memcpy(data, h->buf + h->sent, n);
		h->sent += n;
	}
	return 0;
}

static int handoff_write(struct device *dev, uint64_t off, const void *data,
			 uint32_t len)
{
	struct handoff *h = (struct handoff *)dev;
	(void)data, (void)len;
	if (dev->base + off != MS_HANDOFF_READY || h->ready_seen || h->finalized)
		return 0;
	h->ready_seen = 1;
	if (h->event)
		h->event(h->ctx, HANDOFF_READY);
	return 0;
}

static void handoff_destroy(struct device *dev)
{
	free(dev);
}

/* No save/restore: a snapshot is taken at READY, before any of this run's
 * config was read, and a restored device starts from its own config. */
static const struct device_ops handoff_ops = {
    .name = "handoff",
    .read = handoff_read,
    .write = handoff_write,
    .destroy = handoff_destroy,
};

int handoff_create(struct device **out, const char *config, size_t len,
		   handoff_event_fn event, void *ctx, struct vmctl_err *err)
{
	struct handoff *h = calloc(1, sizeof(*h));
	if (!h)
		return vmctl_error(err, ENOMEM, "hand-off device");
	if (len > sizeof(h->buf) - 128) { /* room for the time and seed */
		free(h);
		return vmctl_errorf(err, E2BIG,
				    "the workload's config is too large (%zu bytes)",
				    len);
	}
	h->dev = (struct device){.ops = &handoff_ops,
				 .space = DEV_PIO,
				 .base = MS_HANDOFF_PORT,
				 .len = MS_HANDOFF_PORT_LEN};
	memcpy(h->buf, config, len);
	h->len = len;
	h->event = event;
	h->ctx = ctx;
	*out = &h->dev;
	return 0;
}
