/* virtio_console.c - virtio-console with one port and no multiport.
 *
 * Queue 0 (receiveq) carries host input to the guest, queue 1 (transmitq)
 * guest output to the host.  Output is served synchronously when the guest
 * notifies (vCPU thread).  Input is pushed by the monitor's loop through
 * virtio_console_poll_input(); the guest's RX notifications only wake that
 * loop through an eventfd, so the vCPU never blocks on host input.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <unistd.h>

#include "virtio.h"
#include "virtio_mmio.h"

#define CONSOLE_RXQ 0
#define CONSOLE_TXQ 1
/* Linux fills the whole receive queue with page-sized buffers: keep it
 * small, input is a trickle. */
#define CONSOLE_QUEUE_MAX 32
#define CONSOLE_CONFIG_LEN 12 /* cols, rows, max_nr_ports, emerg_wr */

struct console {
	int out_fd;  /* borrowed */
	int in_fd;   /* borrowed; -1: no input */
	int wake_fd; /* owned eventfd */
	bool in_eof;
	bool input_started;	  /* virtio_console_start_input() was called */
	struct virtq_chain chain; /* scratch, used under the transport lock */
};

static void console_config_read(void *ctx, uint32_t off, void *data,
				uint32_t len)
{
	/* No VIRTIO_CONSOLE_F_SIZE / MULTIPORT / EMERG_WRITE: all zero. */
	memset(data, 0, len);
}

/* Writes all of buf, waiting out a non-blocking fd.  Output the host cannot
 * take (closed pipe, I/O error) is dropped: the guest must not stall on it
 * or learn about it. */
static void write_all(int fd, const uint8_t *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			struct pollfd p = {.fd = fd, .events = POLLOUT};
			if (poll(&p, 1, -1) < 0 && errno != EINTR)
				return;
			continue;
		}
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

static int serve_tx(struct virtio_mmio *t, struct console *con)
{
	struct virtq *vq = virtio_mmio_queue(t, CONSOLE_TXQ);
	bool pushed = false;
	int r = 0;
	/* At most one queue's worth per notify: the guest gets another exit
	 * for anything it adds later. */
	for (unsigned k = 0; vq && k < vq->size; k++) {
		r = virtq_pop(vq, &con->chain);
		if (r <= 0)
			break;
		/* Device-writable segments have no meaning on TX: ignored. */
		for (uint16_t i = 0; i < con->chain.n_out; i++)
			if (con->out_fd >= 0)
				write_all(con->out_fd, con->chain.seg[i].host,
					  con->chain.seg[i].len);
		virtq_push(vq, con->chain.head, 0);
		pushed = true;
	}
	if (pushed)
		virtio_mmio_used(t, vq);
	return r < 0 ? r : 0;
}

static void wake(struct console *con)
{
	uint64_t one = 1;
	/* An eventfd write only fails when the counter would overflow, and
	 * then the loop is already woken. */
	if (write(con->wake_fd, &one, sizeof(one)) < 0)
		return;
}

static int console_notify(struct virtio_mmio *t, void *ctx, uint16_t q)
{
	struct console *con = ctx;
	if (q == CONSOLE_TXQ)
		return serve_tx(t, con);
	/* New receive buffers: let the loop poll in_fd again. */
	if (con->in_fd >= 0 && !con->in_eof && con->input_started)
		wake(con);
	return 0;
}

static void console_reset(void *ctx)
{
	(void)ctx; /* nothing buffered on the host side */
}

static void console_destroy(void *ctx)
{
	struct console *con = ctx;
	if (!con)
		return;
	if (con->wake_fd >= 0)
		close(con->wake_fd);
	free(con);
}

int virtio_console_create(struct device **out, uint64_t mmio_base, uint32_t gsi,
			  int out_fd, int in_fd, struct vmctl_err *err)
{
	*out = NULL;
	struct console *con = calloc(1, sizeof(*con));
	if (!con)
		return vmctl_error(err, ENOMEM, "virtio-console");
	con->out_fd = out_fd;
	con->in_fd = in_fd;
	con->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (con->wake_fd < 0) {
		int e = errno;
		free(con);
		return vmctl_error(err, e, "virtio-console: eventfd");
	}
	struct virtio_backend be = {
	    .device_id = VIRTIO_ID_CONSOLE,
	    .features = 0,
	    .num_queues = 2,
	    .queue_max = CONSOLE_QUEUE_MAX,
	    .config_len = CONSOLE_CONFIG_LEN,
	    .config_read = console_config_read,
	    .notify = console_notify,
	    .reset = console_reset,
	    .destroy = console_destroy,
	    .ctx = con,
	};
	return virtio_mmio_create(out, mmio_base, gsi, &be, err);
}

static struct virtio_mmio *console_of(struct device *dev)
{
	return virtio_mmio_from_device(dev, VIRTIO_ID_CONSOLE);
}

int virtio_console_input_fd(struct device *dev)
{
	struct virtio_mmio *t = console_of(dev);
	if (!t)
		return -1;
	virtio_mmio_lock(t);
	struct console *con = virtio_mmio_ctx(t);
	struct virtq *vq = virtio_mmio_queue(t, CONSOLE_RXQ);
	int fd = -1;
	if (con->in_fd >= 0 && !con->in_eof && con->input_started && vq &&
	    virtq_has_avail(vq))
		fd = con->in_fd;
	virtio_mmio_unlock(t);
	return fd;
}

int virtio_console_wake_fd(struct device *dev)
{
	struct virtio_mmio *t = console_of(dev);
	if (!t)
		return -1;
	struct console *con = virtio_mmio_ctx(t);
	return con->wake_fd; /* constant for the device's life: no lock */
}

void virtio_console_wake_clear(struct device *dev)
{
	int fd = virtio_console_wake_fd(dev);
	uint64_t v;
	if (fd >= 0 && read(fd, &v, sizeof(v)) < 0)
		return; /* EAGAIN: already clear */
}

void virtio_console_start_input(struct device *dev)
{
	struct virtio_mmio *t = console_of(dev);
	if (!t)
		return;
	virtio_mmio_lock(t);
	struct console *con = virtio_mmio_ctx(t);
	con->input_started = true;
	wake(con);
	virtio_mmio_unlock(t);
}

static bool input_ready(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	return poll(&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLHUP));
}

/* Reads once from in_fd into the chain's writable segments.  Returns the
 * bytes read, 0 for nothing (EOF sets in_eof), or a negative errno. */
static int read_into_chain(struct console *con)
{
	struct iovec iov[VIRTQ_MAX_SIZE];
	const struct virtq_chain *c = &con->chain;
	for (uint16_t i = 0; i < c->n_in; i++)
		iov[i] = (struct iovec){c->seg[c->n_out + i].host,
					c->seg[c->n_out + i].len};
	ssize_t n = readv(con->in_fd, iov, c->n_in);
	if (n < 0)
		return (errno == EAGAIN || errno == EINTR) ? 0 : -errno;
	if (n == 0)
		con->in_eof = true;
	/* A console buffer is at most a page or so: n fits an int. */
	return n > INT32_MAX ? INT32_MAX : (int)n;
}

static int deliver_input(struct virtio_mmio *t, struct console *con)
{
	struct virtq *vq = virtio_mmio_queue(t, CONSOLE_RXQ);
	if (!vq || con->in_fd < 0 || con->in_eof || !con->input_started ||
	    !input_ready(con->in_fd))
		return 0;
	int r = virtq_pop(vq, &con->chain);
	if (r < 0) {
		virtio_mmio_fail(t);
		return 0;
	}
	if (r == 0)
		return 0;
	if (con->chain.in_bytes == 0) {
		/* Nothing to fill: give it back used, empty. */
		virtq_push(vq, con->chain.head, 0);
		virtio_mmio_used(t, vq);
		return 0;
	}
	int n = read_into_chain(con);
	if (n <= 0) {
		virtq_unpop(vq);
		return n;
	}
	virtq_push(vq, con->chain.head, (uint32_t)n);
	virtio_mmio_used(t, vq);
	return n;
}

int virtio_console_poll_input(struct device *dev)
{
	struct virtio_mmio *t = console_of(dev);
	if (!t)
		return -EINVAL;
	virtio_mmio_lock(t);
	int r = deliver_input(t, virtio_mmio_ctx(t));
	virtio_mmio_unlock(t);
	return r;
}
