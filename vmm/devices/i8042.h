/* i8042.h - just enough of the PC keyboard controller to reboot: Linux's
 * reboot writes 0xfe (pulse reset line) to port 0x64; that ends the VM. */
#ifndef VMCTL_VMM_DEVICES_I8042_H
#define VMCTL_VMM_DEVICES_I8042_H

#include "common/error.h"
#include "vmm/device.h"

#define I8042_DATA_PORT 0x60
#define I8042_CMD_PORT 0x64
#define I8042_CMD_RESET 0xfe

int i8042_create(struct device **out, void (*reset)(void *ctx), void *ctx,
		 struct vmctl_err *err);

#endif
