/* net.c - the container's network namespace: made by a helper process, loopback
 * up. */
#include "container/net.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sched.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "container/container.h"
#include "container/tty.h"

int net_loopback_up(void)
{
	cleanup_close int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr;

	if (s < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return -errno;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		return -errno;
	return 0;
}

/* The namespace is made by a short-lived helper process: a copy of vmctl
 * (clone without CLONE_VM) that unshares a network namespace, brings its
 * loopback up, sends the namespace's fd back over a socket and exits.  Not a
 * thread: a thread shares our memory map, and while it ran (0.5-0.7 ms of
 * unshare) every page our main thread mapped or unmapped in the meantime
 * (musl's malloc returns freed groups to the kernel at once) cost a
 * TLB-flush interrupt to the thread's CPU, 10-20 us each on this nested
 * machine (seen in traces: 12 of them in one start).  A process has a map of
 * its own, and vmctl stays single-threaded, so cloning the container's init
 * later needs no care about locks held by another thread. */
struct container_net {
	pid_t pid;
	int pidfd;
	int sock;    /* our end: one message, the fd or the failure */
	bool pinned; /* the helper starts away from our CPU (other_cpus) */
	cpu_set_t away;
	int fd;	 /* the namespace, once received */
	int err; /* positive errno, once received */
	char what[64];
};

struct net_msg {
	int err; /* 0: the fd rides along */
	char what[64];
};

/* One message, with the namespace's fd when err is 0 (container/tty.c's
 * SCM_RIGHTS helpers carry it). */
static void helper_send(int sock, int err, const char *what, int fd)
{
	struct net_msg m = {.err = err};
	snprintf(m.what, sizeof(m.what), "%s", what);
	tty_send_fds(sock, &fd, fd >= 0, &m, sizeof(m));
}

/* The helper: only system calls from here to _exit (a raw clone's child). */
static _Noreturn void net_helper(int sock)
{
	/* Never outlive vmctl. */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (unshare(CLONE_NEWNET) < 0) {
		helper_send(sock, errno, "new network namespace", -1);
		_exit(1);
	}
	int r = net_loopback_up();
	if (r < 0) {
		helper_send(sock, -r,
			    "loopback up in the new network namespace", -1);
		_exit(1);
	}
	int fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		helper_send(sock, errno, "open the new network namespace", -1);
		_exit(1);
	}
	helper_send(sock, 0, "", fd);
	_exit(0);
}

/* The point is to run on the other core: left to itself, the scheduler
 * often starts the new task on ours and the unshare() runs before our own
 * work instead of beside it (seen in traces here).  So the helper may run
 * anywhere but where we run now; a hint, not a need: with one CPU, or when
 * it fails, the helper just runs where it can. */
static void other_cpus(struct container_net *n)
{
	int self = sched_getcpu();
	if (self < 0 || sched_getaffinity(0, sizeof(n->away), &n->away) < 0 ||
	    CPU_COUNT(&n->away) < 2)
		return;
	CPU_CLR(self, &n->away);
	n->pinned = true;
}

int container_net_start(struct container_net **out, struct vmctl_err *err)
{
	struct container_net *n = calloc(1, sizeof(*n));
	if (!n)
		return vmctl_error(err, ENOMEM, "network namespace");
	n->fd = n->pidfd = n->sock = -1;
	int socks[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, socks) < 0) {
		free(n);
		return vmctl_error(err, errno, "socketpair");
	}
	other_cpus(n);
	/* exit_signal 0: no SIGCHLD for vmctl's own loops to see; reaped
	 * through its pidfd (__WALL) in container_net_release(). */
	struct clone_args ca = {.flags = CLONE_PIDFD,
				.pidfd = (uint64_t)(uintptr_t)&n->pidfd,
				.exit_signal = 0};
	long pid = syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid == 0) {
		close(socks[0]);
		net_helper(socks[1]);
	}
	int e = errno;
	close(socks[1]);
	if (pid < 0) {
		close(socks[0]);
		free(n);
		return vmctl_error(err, e,
				   "start the network namespace helper");
	}
	n->pid = (pid_t)pid;
	n->sock = socks[0];
	/* Now, before it first runs: a new task waits on the runqueue of its
	 * parent's CPU (seen: 0.4 ms, until we blocked), and moving a task
	 * that is not running yet is cheap (moving a running one stops its
	 * CPU). */
	if (n->pinned &&
	    sched_setaffinity(n->pid, sizeof(n->away), &n->away) < 0)
		n->pinned = false;
	*out = n;
	return 0;
}

/* Not done after a while: the other CPU is busy (another process's, often,
 * on this shared machine).  We are about to sleep, so our CPU is free: the
 * helper is moved here.  Widening its mask instead left it queued where it
 * was, behind whatever kept that CPU busy, for up to a scheduler tick (4 ms,
 * seen in traces).  Not at once: moving a task that is running costs 0.14 ms
 * (a stop of its CPU), more than the rest of its work usually takes. */
static void move_here_if_late(struct container_net *n)
{
	int self = sched_getcpu();
	struct pollfd p = {.fd = n->sock, .events = POLLIN};
	struct timespec grace = {.tv_nsec = 300 * 1000};
	if (!n->pinned || self < 0 || ppoll(&p, 1, &grace, NULL) != 0)
		return;
	cpu_set_t here;
	CPU_ZERO(&here);
	CPU_SET(self, &here);
	sched_setaffinity(n->pid, sizeof(here), &here);
}

static int receive(struct container_net *n)
{
	struct net_msg m;
	ssize_t got;
	while ((got = tty_recv_msg(n->sock, &m, sizeof(m), &n->fd)) == -EINTR)
		;
	if (got == (ssize_t)sizeof(m) && m.err == 0 && n->fd >= 0)
		return 0;
	if (got == (ssize_t)sizeof(m) && m.err) {
		n->err = m.err;
		snprintf(n->what, sizeof(n->what), "%.*s",
			 (int)sizeof(m.what) - 1, m.what);
	} else {
		n->err = got < 0 ? (int)-got : ECHILD;
		snprintf(n->what, sizeof(n->what),
			 "the network namespace helper died");
	}
	return -n->err;
}

int container_net_fd(struct container_net *n, struct vmctl_err *err)
{
	if (n->fd < 0 && !n->err) {
		move_here_if_late(n);
		receive(n);
	}
	if (n->err)
		return vmctl_error(err, n->err, "%s", n->what);
	return n->fd;
}

void container_net_release(struct container_net *n)
{
	if (!n)
		return;
	/* Done or not, the helper has nothing left to give. */
	if (n->fd < 0 && !n->err)
		syscall(SYS_pidfd_send_signal, n->pidfd, SIGKILL, NULL, 0);
	siginfo_t si;
	while (waitid(P_PIDFD, (id_t)n->pidfd, &si, WEXITED | __WALL) < 0 &&
	       errno == EINTR)
		;
	close(n->pidfd);
	close(n->sock);
	if (n->fd >= 0)
		close(n->fd);
	free(n);
}
