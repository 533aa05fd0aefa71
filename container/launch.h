/* launch.h - internal: what the parent prepares for the container's init,
 * and the messages the init sends back.  Not part of the public API. */
#ifndef VMCTL_LAUNCH_H
#define VMCTL_LAUNCH_H

#include <linux/filter.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>

#include "container/caps.h"
#include "container/cgroup.h"
#include "container/container.h"
#include "container/mountplan.h"
#include "common/userdb.h"

struct launch {
	const struct container_config *cfg;
	struct mount_plan plan;
	struct cgroup_handle cg;
	struct caps_state caps;
	struct sock_fprog seccomp; /* parent: built after the clone, sent */
	struct winsize ws;
	bool cg_into_at_clone; /* v2: clone3 placed us (CLONE_INTO_CGROUP) */
	int sync_child;	       /* the init's end of the sync socket */
	sigset_t forwarded;    /* signals the parent forwards (blocked) */
	/* The init's: cfg->user resolved once the root is the container's. */
	struct user_ids ids;
	char **user_env; /* cfg->env + the user's HOME, when it had none */
	/* A MAP_SHARED word where the init stores how many bytes are private
	 * to it (measured by itself, off the parent's critical path). */
	volatile uint64_t *init_private;
};

/* Sums the "<key> N kB" lines of a /proc file (keys NULL-terminated), in
 * bytes; 0 if unreadable. */
uint64_t launch_proc_kb(const char *path, const char *const *keys);

enum launch_msg_type {
	MSG_SETUP_FAILED = 1, /* the init could not build the container */
	MSG_EXEC_FAILED,      /* execve failed: err is its errno */
	MSG_PTY,	      /* carries the pty master (SCM_RIGHTS) */
	MSG_GO,		      /* parent -> init: in the cgroup; the filter */
	MSG_NET,	      /* parent -> init: the network namespace (fd) */
};

/* MSG_GO: the header, then len sock_filter instructions. */
struct launch_go {
	int type;
	unsigned len;
};

#define LAUNCH_BPF_MAX 4096 /* BPF_MAXINSNS */
/* A buffer that holds any go message. */
#define LAUNCH_GO_MAX                                                          \
	(sizeof(struct launch_go) + LAUNCH_BPF_MAX * sizeof(struct sock_filter))

/* Parent: the network namespace's fd (MSG_NET).  Returns tty_send_fds()'s. */
int launch_send_netns(int sock, int netns_fd);
/* Init: waits for MSG_NET and joins the namespace.  Returns 0, or -errno
 * with *what naming the step that failed. */
int launch_join_netns(int sock, const char **what);
/* Parent: "go", with the cgroup files the init writes itself into and the
 * seccomp filter.  Returns 0 or -errno (EPIPE: the init is gone). */
int launch_send_go(int sock, const int *cg_fds, size_t n_fds,
		   const struct sock_fprog *filter);
/* Init: waits for "go" into buf (LAUNCH_GO_MAX bytes), moves itself into the
 * cgroups it carries, unshares the cgroup namespace and points *filter into
 * buf.  Returns 0, or -errno with *what naming the step that failed. */
int launch_enter_go(int sock, char *buf, size_t size,
		    struct sock_fprog *filter, const char **what);

struct launch_msg {
	int type;
	int err;
	char text[480];
};

/* The container's PID 1: builds the container, starts the workload, reaps
 * and forwards signals; exits with the workload's status (128+N when it was
 * killed by signal N).  Never returns. */
/* Build with -DCONTAINER_TRACE to see where the time goes (stderr). */
#ifdef CONTAINER_TRACE
#include <stdio.h>
#include <time.h>
static inline void trace(const char *what)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	dprintf(2, "trace %ld.%06ld %s\n", (long)ts.tv_sec % 1000,
		ts.tv_nsec / 1000, what);
}
#else
#define trace(what) ((void)0)
#endif

__attribute__((noreturn)) void container_init_main(struct launch *l);

#endif
