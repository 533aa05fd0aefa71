/* bus.h - dispatches port and MMIO exits to the devices claiming them. */
#ifndef VMCTL_VMM_BUS_H
#define VMCTL_VMM_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "vmm/device.h"

#define BUS_MAX_DEVICES 16

struct bus {
	struct device *dev[BUS_MAX_DEVICES];
	size_t n;
	uint64_t unclaimed; /* accesses nobody claimed (for diagnostics) */
};

/* Adds dev (the bus takes ownership: bus_destroy destroys it).  Fails on
 * an overlapping range; dev is destroyed then too. */
int bus_add(struct bus *b, struct device *dev, struct vmctl_err *err);

/* The device claiming [addr, addr+len) in space, or NULL. */
struct device *bus_find(const struct bus *b, enum device_space space,
			uint64_t addr, uint32_t len);

/* One access.  Reads nobody claims return all ones (an open bus), writes
 * are dropped.  Returns the device's result (0 or a negative errno). */
int bus_access(struct bus *b, enum device_space space, uint64_t addr,
	       void *data, uint32_t len, bool is_write);

void bus_destroy(struct bus *b);

#endif
