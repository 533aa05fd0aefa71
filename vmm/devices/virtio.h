/* virtio.h - the virtio devices of the micro-VM, for the monitor.
 *
 * Each device is a virtio-mmio (version 2) window of VIRTIO_MMIO_WINDOW
 * bytes at a guest physical address the monitor picks, with its own GSI.
 * The guest kernel finds it through a command line fragment
 * (virtio_mmio_cmdline(); needs CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES).
 *
 * Wiring, for the monitor (bus owner):
 *   struct device *con = NULL;
 *   virtio_console_create(&con, 0xd0000000, 5, out_fd, in_fd, &err);
 *   con->mem = &vm->mem; con->irq = vm_irq_cb; con->irq_ctx = vm;
 *   bus_add(con);  // MMIO exits on [base, base+len) -> con->ops->read/write
 *   virtio_mmio_cmdline(con, frag, sizeof(frag));  // append to cmdline
 *   ... con->ops->destroy(con) frees it (stop the vCPU and any thread
 *   calling virtio_console_poll_input() first).
 *
 * Register accesses and virtio_console_poll_input() serialise on a mutex
 * per device, and dev->irq is called with it held: the irq callback must not
 * call back into the device.
 *
 * Interrupts are edges: the device calls irq(ctx, gsi, 1) then
 * irq(ctx, gsi, 0) for each event (KVM_IRQ_LINE 1 then 0), like kvmtool and
 * Firecracker's irqfd.  Linux's driver reads InterruptStatus and ACKs what it
 * saw in its handler, so no event is lost: a pulse always produces a fresh
 * edge, whereas a level line held until ACK would give none for an event
 * arriving between the driver's status read and its ACK when the pin is
 * edge-triggered, which it is for these ISA-range IRQs under both the 8259
 * (with `noapic`) and the IOAPIC; on a level-programmed pin the pulse is
 * still delivered once and cannot storm.
 */
#ifndef VMCTL_VMM_DEVICES_VIRTIO_H
#define VMCTL_VMM_DEVICES_VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "vmm/device.h"

/* The window each device claims: one page, so devices sit back to back on
 * page boundaries; registers and config use the first 0x200 bytes. */
#define VIRTIO_MMIO_WINDOW 0x1000

/* virtio-console, one port (hvc0 in the guest; `console=hvc0`), no
 * multiport.  What the guest writes goes to out_fd; what arrives on in_fd
 * (may be -1: no input) goes to the guest.  Both fds are borrowed: they must
 * outlive the device, which never closes them.  Guest output is written in
 * the vCPU thread (a full pipe stalls the guest, like a real UART). */
int virtio_console_create(struct device **out, uint64_t mmio_base, uint32_t gsi,
			  int out_fd, int in_fd, struct vmctl_err *err);

/* Console input, for the monitor's loop:
 *
 *   for (;;) {
 *       struct pollfd p[2] = {
 *           { virtio_console_input_fd(con), POLLIN },  // -1: poll skips it
 *           { virtio_console_wake_fd(con), POLLIN },
 *       };
 *       poll(p, 2, -1);
 *       if (p[1].revents) virtio_console_wake_clear(con);
 *       if (p[0].revents || p[1].revents) virtio_console_poll_input(con);
 *   }
 *
 * virtio_console_input_fd() returns in_fd while input is started, the guest
 * has receive buffers posted and in_fd has not hit EOF, else -1 (so the
 * loop does not spin on readable input the guest cannot take yet); the wake
 * fd (an eventfd) turns readable when the guest posts new receive buffers
 * or input is started. */
int virtio_console_input_fd(struct device *dev);

/* Input is held back until this is called: Linux's driver posts receive
 * buffers before its console port exists and drops whatever arrives in
 * between (drivers/char/virtio_console.c: in_intr() finds no port, or the
 * port is not yet guest_connected).  Call it once the guest's init reports
 * it is running (PHASE_INIT_STARTED): all drivers have probed by then. */
void virtio_console_start_input(struct device *dev);
int virtio_console_wake_fd(struct device *dev);
void virtio_console_wake_clear(struct device *dev);

/* Moves what in_fd has now (never blocks) into the guest's receive buffers.
 * Returns the bytes delivered, 0 when there was nothing (no input, EOF, or
 * no guest buffer), or a negative errno for a host read error. */
int virtio_console_poll_input(struct device *dev);

enum virtio_blk_mode {
	VIRTIO_BLK_READ_WRITE, /* the guest writes the file */
	VIRTIO_BLK_READ_ONLY,  /* writes fail with VIRTIO_BLK_S_IOERR */
	/* The guest writes, the file never changes: written 4 KiB blocks go
	 * to an unnamed temporary file beside it (O_TMPFILE, gone with the
	 * device, even after a kill -9), reads come from whichever holds the
	 * block.  What a per-run copy of the disk gave, without the copy. */
	VIRTIO_BLK_SNAPSHOT,
};

/* virtio-blk backed by the host file at `path` (a regular file or block
 * device), opened O_RDWR (O_RDONLY but in read-write mode) and locked
 * (flock) against a writer beside a reader.  Capacity is the file size
 * rounded down to 512 bytes.  Supports read, write, flush and get-id. */
int virtio_blk_create(struct device **out, uint64_t mmio_base, uint32_t gsi,
		      const char *path, enum virtio_blk_mode mode, struct vmctl_err *err);

/* Formats "virtio_mmio.device=4K@0x<base>:<irq>" (the fragment Linux parses
 * for CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES) into buf.  Returns 0 or
 * -ENAMETOOLONG. */
int virtio_mmio_cmdline_format(char *buf, size_t n, uint64_t base,
			       uint64_t size, uint32_t irq);

/* The same for a device made by the constructors above; -EINVAL if dev is
 * not a virtio-mmio device. */
int virtio_mmio_cmdline(const struct device *dev, char *buf, size_t n);

#endif
