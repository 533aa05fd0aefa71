/* tty.c - raw mode, fd passing and relaying for `vmctl run -t`. */
#include "container/tty.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

void tty_host_raw(struct tty_host *h)
{
	h->raw = false;
	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &h->saved) < 0)
		return;
	struct termios raw = h->saved;
	cfmakeraw(&raw);
	/* Output post-processing stays on so the host's own messages
	 * (after the relay ends) keep their line endings. */
	raw.c_oflag = h->saved.c_oflag;
	if (tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) == 0)
		h->raw = true;
}

void tty_host_restore(struct tty_host *h)
{
	if (h->raw)
		tcsetattr(STDIN_FILENO, TCSADRAIN, &h->saved);
	h->raw = false;
}

void tty_host_winsize(struct winsize *ws)
{
	if (ioctl(STDIN_FILENO, TIOCGWINSZ, ws) == 0 && ws->ws_row)
		return;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, ws) == 0 && ws->ws_row)
		return;
	*ws = (struct winsize){.ws_row = 24, .ws_col = 80};
}

int tty_send_fds(int sock, const int *fds, size_t n, const void *data,
		 size_t len)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * TTY_MAX_FDS)];
		struct cmsghdr align;
	} u;
	struct iovec iov = {(void *)data, len};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	if (n > TTY_MAX_FDS)
		return -E2BIG;
	memset(&u, 0, sizeof(u));
	if (n > 0) {
		msg.msg_control = u.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * n);
		struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * n);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
	}
	return sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

ssize_t tty_recv_fds(int sock, void *data, size_t len, int *fds, size_t *n)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * TTY_MAX_FDS)];
		struct cmsghdr align;
	} u;
	struct iovec iov = {data, len};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof(u.buf);
	size_t max = *n;
	*n = 0;
	ssize_t got = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	if (got < 0)
		return -errno;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c;
	     c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int),
			       sizeof(int));
			if (*n < max)
				fds[(*n)++] = fd;
			else
				close(fd);
		}
	}
	return got;
}

ssize_t tty_recv_msg(int sock, void *data, size_t len, int *fd)
{
	size_t n = 1;
	ssize_t got = tty_recv_fds(sock, data, len, fd, &n);
	if (n == 0)
		*fd = -1;
	return got;
}

ssize_t tty_pump(int from, int to)
{
	char buf[8192];
	ssize_t n = read(from, buf, sizeof(buf));
	if (n < 0)
		return errno == EIO ? 0 : -errno; /* EIO: slave side closed */
	for (ssize_t off = 0; off < n;) {
		ssize_t w = write(to, buf + off, (size_t)(n - off));
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		off += w;
	}
	return n;
}
