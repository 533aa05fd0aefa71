/* device.h - the one small interface every emulated device implements.
 *
 * A device claims a port range (pio) or an address range (mmio); the exit
 * loop dispatches accesses to it.  Devices never touch KVM directly: they get
 * guest memory through struct guest_mem and raise interrupts through
 * vm_irq() (vmm/vm.h), so they can be unit-tested with a fake VM.
 */
#ifndef VMCTL_VMM_DEVICE_H
#define VMCTL_VMM_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Guest physical memory as one host mapping. */
struct guest_mem {
	uint8_t *host;
	uint64_t size;
};

/* Returns a host pointer for [gpa, gpa+len) or NULL when any byte of it lies
 * outside guest memory (overflow-safe).  Devices must use this for every
 * guest-supplied address. */
static inline void *guest_ptr(const struct guest_mem *m, uint64_t gpa,
			      uint64_t len)
{
	if (gpa > m->size || len > m->size - gpa)
		return NULL;
	return m->host + gpa;
}

struct device;

struct device_ops {
	const char *name;
	/* Reads fill data[0..len); writes consume it.  Return 0, or a negative
	 * errno that ends the run (a device in an impossible state). */
	int (*read)(struct device *dev, uint64_t offset, void *data, uint32_t len);
	int (*write)(struct device *dev, uint64_t offset, const void *data,
		     uint32_t len);
	void (*destroy)(struct device *dev);
	/* Boot snapshots (vmm/snapshot.h); both may be NULL for a device
	 * without state.  save() writes the device's state into buf (n bytes)
	 * and returns its length, -ENOSPC when n is too small, or -EBUSY
	 * when the device cannot be snapshotted now (e.g. a disk the guest
	 * has written to).  restore() takes what save() wrote, on a device
	 * created with the same parameters; -EINVAL for a blob it cannot
	 * use. */
	int (*save)(struct device *dev, void *buf, size_t n);
	int (*restore)(struct device *dev, const void *buf, size_t n);
};

enum device_space { DEV_PIO, DEV_MMIO };

struct device {
	const struct device_ops *ops;
	enum device_space space;
	uint64_t base; /* first port / guest physical address claimed */
	uint64_t len;
	void *priv;
	/* Raises (level=1) or lowers an interrupt line; set by the bus owner. */
	void (*irq)(void *irq_ctx, uint32_t gsi, int level);
	void *irq_ctx;
	const struct guest_mem *mem;
};

#endif
