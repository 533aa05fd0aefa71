/* bus.c - the I/O bus (see bus.h).  A handful of devices: a linear scan is
 * both the simplest and the fastest lookup. */
#include "vmm/bus.h"

#include <errno.h>
#include <string.h>

static bool overlaps(const struct device *d, enum device_space space,
		     uint64_t addr, uint64_t len)
{
	return d->space == space && addr < d->base + d->len &&
	       d->base < addr + len;
}

struct device *bus_find(const struct bus *b, enum device_space space,
			uint64_t addr, uint32_t len)
{
	for (size_t i = 0; i < b->n; i++) {
		struct device *d = b->dev[i];
		if (d->space == space && addr >= d->base &&
		    addr - d->base + len <= d->len)
			return d;
	}
	return NULL;
}

int bus_add(struct bus *b, struct device *dev, struct vmctl_err *err)
{
	const char *why = NULL;
	if (b->n == BUS_MAX_DEVICES)
		why = "too many devices";
	for (size_t i = 0; !why && i < b->n; i++)
		if (overlaps(b->dev[i], dev->space, dev->base, dev->len))
			why = b->dev[i]->ops->name;
	if (why) {
		int r = vmctl_errorf(
		    err, EBUSY, "bus: %s at 0x%llx: conflicts with %s",
		    dev->ops->name, (unsigned long long)dev->base, why);
		if (dev->ops->destroy)
			dev->ops->destroy(dev);
		return r;
	}
	b->dev[b->n++] = dev;
	return 0;
}

int bus_access(struct bus *b, enum device_space space, uint64_t addr,
	       void *data, uint32_t len, bool is_write)
{
	struct device *d = bus_find(b, space, addr, len);
	if (!d) {
		b->unclaimed++;
		if (!is_write)
			memset(data, 0xff, len);
		return 0;
	}
	uint64_t off = addr - d->base;
	if (is_write)
		return d->ops->write ? d->ops->write(d, off, data, len) : 0;
	if (!d->ops->read) {
		memset(data, 0xff, len);
		return 0;
	}
	return d->ops->read(d, off, data, len);
}

void bus_destroy(struct bus *b)
{
	for (size_t i = b->n; i-- > 0;)
		if (b->dev[i]->ops->destroy)
			b->dev[i]->ops->destroy(b->dev[i]);
	b->n = 0;
}
