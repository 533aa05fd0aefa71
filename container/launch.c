/* launch.c - the two messages the parent sends the container's init: the
 * network namespace and "go" (launch.h), both sides.  Used by the engine
 * (run.c, init.c) and by bench/floor, which must do exactly what they do. */
#include "container/launch.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "container/tty.h"

int launch_send_netns(int sock, int netns_fd)
{
	int type = MSG_NET;
	return tty_send_fds(sock, &netns_fd, 1, &type, sizeof(type));
}

int launch_join_netns(int sock, const char **what)
{
	int type = 0, fd = -1;
	size_t nfds = 1;
	*what = "wait for the network namespace";
	ssize_t n = tty_recv_fds(sock, &type, sizeof(type), &fd, &nfds);
	if (n != (ssize_t)sizeof(type) || type != MSG_NET || nfds != 1) {
		if (nfds == 1)
			close(fd);
		return n < 0 ? (int)n : -EPROTO;
	}
	*what = "join the network namespace";
	int r = setns(fd, CLONE_NEWNET) < 0 ? -errno : 0;
	close(fd);
	return r;
}

int launch_send_go(int sock, const int *cg_fds, size_t n_fds,
		   const struct sock_fprog *filter)
{
	size_t bpf = filter->len * sizeof(struct sock_filter);
	cleanup_free char *msg = malloc(sizeof(struct launch_go) + bpf);
	analyzer_cleanup(msg);
	if (!msg)
		return -ENOMEM;
	struct launch_go go = {MSG_GO, filter->len};
	memcpy(msg, &go, sizeof(go));
	if (bpf)
		memcpy(msg + sizeof(go), filter->filter, bpf);
	return tty_send_fds(sock, cg_fds, n_fds, msg, sizeof(go) + bpf);
}

int launch_enter_go(int sock, char *buf, size_t size,
		    struct sock_fprog *filter, const char **what)
{
	int fds[TTY_MAX_FDS];
	size_t nfds = TTY_MAX_FDS;
	struct launch_go go;
	*what = "wait for the runtime";
	ssize_t n = tty_recv_fds(sock, buf, size, fds, &nfds);
	if (n < (ssize_t)sizeof(go))
		return n < 0 ? (int)n : -EPROTO;
	memcpy(&go, buf, sizeof(go));
	if (go.type != MSG_GO || go.len > LAUNCH_BPF_MAX ||
	    (size_t)n != sizeof(go) + go.len * sizeof(struct sock_filter)) {
		*what = "bad go message";
		return -EPROTO;
	}
	filter->len = (unsigned short)go.len;
	filter->filter = (struct sock_filter *)(buf + sizeof(go));
	/* The fds are the cgroups' "tasks"/"cgroup.procs" files: a process
	 * moving itself is fast (0.04 ms), one moved by another process
	 * costs an RCU grace period (11 ms here, measured). */
	int r = 0;
	for (size_t i = 0; i < nfds; i++) {
		if (r == 0 && write(fds[i], "0", 1) != 1)
			r = errno ? -errno : -EIO;
		close(fds[i]);
	}
	if (r < 0) {
		*what = "enter the cgroup";
		return r;
	}
	/* After entering, so the namespace's root is the container's own
	 * cgroup and /proc/self/cgroup shows "/". */
	if (unshare(CLONE_NEWCGROUP) < 0) {
		*what = "cgroup namespace";
		return -errno;
	}
	return 0;
}
