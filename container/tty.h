/* tty.h - fd passing between the runtime and the init, and the -t
 * pseudo-terminal: the master lives in the container's own
 * devpts instance and is passed to the parent, which relays the host's
 * stdin/stdout through it. */
#ifndef VMCTL_TTY_H
#define VMCTL_TTY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include <termios.h>

struct tty_host {
	bool raw; /* stdin was a terminal and is now in raw mode */
	struct termios saved;
};

/* Puts the host terminal (fd 0) in raw mode if it is one; tty_host_restore
 * puts it back.  Both are no-ops when stdin is not a terminal. */
void tty_host_raw(struct tty_host *h);
void tty_host_restore(struct tty_host *h);

/* The host terminal's window size, or 80x24 when there is none. */
void tty_host_winsize(struct winsize *ws);

#define TTY_MAX_FDS 4

/* Sends a message with n (<= TTY_MAX_FDS) fds attached (SCM_RIGHTS). */
int tty_send_fds(int sock, const int *fds, size_t n, const void *data,
		 size_t len);
/* Receives a message of at most len bytes and up to *n fds (received fds
 * are CLOEXEC; *n is set to how many came).  Returns the byte count, 0 at
 * EOF, or -errno. */
ssize_t tty_recv_fds(int sock, void *data, size_t len, int *fds, size_t *n);
/* The same for at most one fd, -1 in *fd when none came. */
ssize_t tty_recv_msg(int sock, void *data, size_t len, int *fd);

/* Copies what is readable on from to to (blocking writes).  Returns bytes
 * moved, 0 at EOF/EIO (the other side is gone), or -errno. */
ssize_t tty_pump(int from, int to);

#endif
