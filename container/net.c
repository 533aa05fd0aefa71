/* net.c - the container's network namespace: made on a thread, loopback up. */
#include "container/net.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "container/container.h"

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

/* Network namespaces are per task: only the thread moves into the new one
 * (vmctl's main thread stays in the host's), and the fd it opens keeps the
 * namespace alive for the container's init to join (setns).  The thread
 * announces the fd through a futex word and then parks on another until
 * released: what it runs up to then (make_netns) takes no user-space lock,
 * which is what makes a clone of the caller safe meanwhile (see
 * container.h); glibc's thread exit, which does, comes after the release. */
struct container_net {
	pthread_t thread;
	bool pinned; /* started away from our CPU (other_cpus) */
	atomic_uint done;
	atomic_uint released;
	int fd;
	int err; /* positive errno */
	const char *what;
};

static void flag_set(atomic_uint *flag)
{
	atomic_store(flag, 1);
	syscall(SYS_futex, flag, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

static void flag_wait(atomic_uint *flag)
{
	while (!atomic_load(flag))
		syscall(SYS_futex, flag, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
}

static void make_netns(struct container_net *n)
{
	if (unshare(CLONE_NEWNET) < 0) {
		n->err = errno;
		n->what = "new network namespace";
		return;
	}
	int r = net_loopback_up();
	if (r < 0) {
		n->err = -r;
		n->what = "loopback up in the new network namespace";
		return;
	}
	n->fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (n->fd < 0) {
		n->err = errno;
		n->what = "open the new network namespace";
	}
}

static void *net_thread(void *arg)
{
	struct container_net *n = arg;
	make_netns(n);
	flag_set(&n->done);
	flag_wait(&n->released);
	return NULL;
}

/* The point is to run on the other core: left to itself, the scheduler
 * often starts the new thread on ours and the 0.45 ms of unshare() runs
 * before our own work instead of beside it (seen in traces here).  So the
 * thread may run anywhere but where we run now; a hint, not a need: with
 * one CPU, or when it fails, the thread just runs where it can. */
static void other_cpus(struct container_net *n, pthread_attr_t *attr)
{
	cpu_set_t set;
	int self = sched_getcpu();
	if (self < 0 || sched_getaffinity(0, sizeof(set), &set) < 0 ||
	    CPU_COUNT(&set) < 2)
		return;
	CPU_CLR(self, &set);
	n->pinned = pthread_attr_setaffinity_np(attr, sizeof(set), &set) == 0;
}

int container_net_start(struct container_net **out, struct vmctl_err *err)
{
	struct container_net *n = calloc(1, sizeof(*n));
	if (!n)
		return vmctl_error(err, ENOMEM, "network namespace");
	n->fd = -1;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	other_cpus(n, &attr);
	/* Signals are for the main thread (container_run() forwards them):
	 * the thread, alive until released, starts with all of them blocked. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int r = pthread_create(&n->thread, &attr, net_thread, n);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (r != 0) {
		free(n);
		return vmctl_error(err, r,
				   "start the network namespace thread");
	}
	*out = n;
	return 0;
}

/* Not done yet: the other CPU was busy (another process's, often, on this
 * shared machine).  We are about to sleep, so our CPU is free: the thread is
 * moved here.  Widening its mask instead left it queued where it was, behind
 * whatever kept that CPU busy, for up to a scheduler tick (4 ms, seen in
 * traces). */
static void move_here(struct container_net *n)
{
	int self = sched_getcpu();
	if (!n->pinned || atomic_load(&n->done) || self < 0)
		return;
	cpu_set_t here;
	CPU_ZERO(&here);
	CPU_SET(self, &here);
	pthread_setaffinity_np(n->thread, sizeof(here), &here);
}

int container_net_fd(struct container_net *n, struct vmctl_err *err)
{
	move_here(n);
	flag_wait(&n->done);
	/* The clone is done: the thread may end now, beside the run. */
	flag_set(&n->released);
	if (n->err)
		return vmctl_error(err, n->err, "%s", n->what);
	return n->fd;
}

void container_net_release(struct container_net *n)
{
	if (!n)
		return;
	flag_set(&n->released); /* if container_net_fd() was never called */
	pthread_join(n->thread, NULL);
	if (n->fd >= 0)
		close(n->fd);
	free(n);
}
