/* i8042.c - keyboard controller reset line (see i8042.h).  Ports 0x60-0x64;
 * 0x61 inside that range is the PIT's speaker port, which KVM's in-kernel
 * PIT serves before an exit could reach us. */
#include "vmm/devices/i8042.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct i8042 {
	struct device dev;
	void (*reset)(void *ctx);
	void *ctx;
};

static int i8042_read(struct device *dev, uint64_t off, void *data,
		      uint32_t len)
{
	/* status 0: output buffer empty, input buffer empty (so the
	 * kernel's kb_wait() returns at once); data 0 */
	memset(data, 0, len);
	return 0;
}

static int i8042_write(struct device *dev, uint64_t off, const void *data,
		       uint32_t len)
{
	struct i8042 *k = (struct i8042 *)dev;
	if (dev->base + off == I8042_CMD_PORT &&
	    *(const uint8_t *)data == I8042_CMD_RESET)
		k->reset(k->ctx);
	return 0;
}

static void i8042_destroy(struct device *dev)
{
	free(dev);
}

static const struct device_ops i8042_ops = {
    .name = "i8042",
    .read = i8042_read,
    .write = i8042_write,
    .destroy = i8042_destroy,
};

int i8042_create(struct device **out, void (*reset)(void *ctx), void *ctx,
		 struct vmctl_err *err)
{
	struct i8042 *k = calloc(1, sizeof(*k));
	if (!k)
		return vmctl_error(err, ENOMEM, "i8042");
	k->dev = (struct device){.ops = &i8042_ops,
				 .space = DEV_PIO,
				 .base = I8042_DATA_PORT,
				 .len = I8042_CMD_PORT - I8042_DATA_PORT + 1};
	k->reset = reset;
	k->ctx = ctx;
	*out = &k->dev;
	return 0;
}
