/* stream.c - the workload's stdout and stderr as two I/O ports.
 *
 * The guest init relays the workload's pipes with `rep outsb` to these
 * ports; KVM hands a string over in one exit per page of bytes, which the
 * exit loop feeds us byte by byte (no syscall each: they are buffered here).
 * The alternatives cost far more in emulated guest kernel code: the serial
 * port takes two exits per byte through the 8250 driver, and the
 * virtio-console driver's probe alone took 0.25 s of a boot here.
 */
#include "vmm/devices/stream.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "vmm/milestone.h"

#define STREAM_BUF 4096

struct stream_buf {
	int fd;
	size_t len;
	char data[STREAM_BUF];
};

struct stream_dev {
	struct device dev;
	struct stream_buf out, err;
};

/* Like a UART, a reader that went away (EPIPE) just loses the bytes. */
static void flush(struct stream_buf *b)
{
	const char *p = b->data;
	size_t left = b->len;
	while (left > 0) {
		ssize_t w = write(b->fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		p += w;
		left -= (size_t)w;
	}
	b->len = 0;
}

static void put(struct stream_buf *b, char c)
{
	b->data[b->len++] = c;
	if (b->len == STREAM_BUF)
		flush(b);
}

static int stream_write(struct device *dev, uint64_t off, const void *data, uint32_t len)
{
	struct stream_dev *s = (struct stream_dev *)dev;
	if (len != 1)
		return 0; /* byte ports only; wider accesses are ignored */
	char c = *(const char *)data;
	switch (MS_STREAM_PORT + off) {
	case MS_STREAM_OUT:
		put(&s->out, c);
		break;
	case MS_STREAM_ERR:
		put(&s->err, c);
		break;
	case MS_STREAM_FLUSH:
		flush(&s->out);
		flush(&s->err);
		break;
	}
	return 0;
}

static void stream_destroy(struct device *dev)
{
	struct stream_dev *s = (struct stream_dev *)dev;
	flush(&s->out);
	flush(&s->err);
	free(s);
}

static const struct device_ops stream_ops = {
    .name = "stream",
    .write = stream_write,
    .destroy = stream_destroy,
};

int stream_create(struct device **out, int out_fd, int err_fd, struct vmctl_err *err)
{
	struct stream_dev *s = calloc(1, sizeof(*s));
	if (!s)
		return vmctl_error(err, ENOMEM, "stream device");
	s->dev = (struct device){.ops = &stream_ops,
				 .space = DEV_PIO,
				 .base = MS_STREAM_PORT,
				 .len = MS_STREAM_LEN};
	s->out.fd = out_fd;
	s->err.fd = err_fd;
	*out = &s->dev;
	return 0;
}
