/* vmctl-floor - the kernel's share of a container start: the isolation of
 * `vmctl run --rm IMAGE CMD`, level by level, with no runtime around it.
 *
 *   vmctl-floor LEVEL LAYER SCRATCH CACHE CMD [ARG...]
 *
 * LEVEL says how much of vmctl's isolation is built before CMD is exec'd;
 * each level adds to the one before:
 *   1 process     CMD itself, LAYER/CMD exec'd in place: no isolation
 *   2 namespaces  pid, mount, uts, ipc (one clone3), net (made by a helper
 *                 process beside, loopback up), cgroup
 *   3 rootfs      the mount plan: overlay of LAYER on a tmpfs, pivot_root,
 *                 /dev, /proc, /sys, Docker's masked and read-only paths
 *   4 cgroup      a cgroup of its own (v1: memory; v2: one dir), removed after
 *   5 full        capabilities (bounding set, Docker's default set),
 *                 no_new_privs, the seccomp filter
 *
 * Level 5 is what vmctl builds.  The operations are vmctl's own: the same
 * library calls (mount_plan_build, rootfs_setup, cgroup_create, caps_*,
 * seccomp_profile_get, the network helper), so the same system calls in the
 * same order, with the same overlaps (the network namespace and the cgroup
 * and filter are made while the init mounts).  What is left out is the
 * runtime: no image store, no record, no report, no supervision, no init
 * process between us and the workload (it is exec'd as PID 1), no stdio or
 * tty handling, no signal forwarding.  bench/startup times it beside vmctl:
 * the difference is what vmctl's runtime costs, and level 5 what building
 * this isolation this way costs the kernel on the machine at hand.  (The
 * levels overlap as vmctl's steps do: the network namespace is made while
 * the root file system is mounted, so what a level adds is not the cost of
 * its part alone.)
 *
 * SCRATCH is an empty directory (the tmpfs of the writable layer goes over
 * it, in the container's mount namespace only), CACHE vmctl's cache dir
 * (the seccomp filter's memo).  The exit status is CMD's, or 125 with a
 * line on stderr when the isolation could not be built.
 */
#include <errno.h>
#include <limits.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container/caps.h"
#include "container/cgroup.h"
#include "container/container.h"
#include "container/launch.h"
#include "container/mountplan.h"
#include "container/rootfs.h"
#include "container/seccomp_profile.h"
#include "container/tty.h"

enum level { L_PROCESS = 1, L_NAMESPACES, L_ROOTFS, L_CGROUP, L_FULL };

struct floor {
	enum level level;
	char **argv;		 /* CMD: inside the root from L_ROOTFS on */
	char host_cmd[PATH_MAX]; /* LAYER/CMD, below L_ROOTFS */
	struct container_config cfg;
	struct mount_plan plan;
	struct caps_state caps;
	struct container_net *net;
	int sock; /* the init's end */
};

static _Noreturn void die(const char *what, int err)
{
	dprintf(2, "vmctl-floor: %s: %s\n", what, strerror(err));
	_exit(125);
}

/* ---- the init: PID 1 of the new pid namespace, becomes CMD ---- */

static void join_netns(struct floor *f)
{
	const char *what;
	int r = launch_join_netns(f->sock, &what);
	if (r < 0)
		die(what, -r);
}

/* Bounding set first, as vmctl's init (it needs CAP_SETPCAP). */
static void before_sysfs(void *arg)
{
	struct floor *f = arg;
	int r = f->level >= L_FULL ? caps_drop_bounding(&f->caps) : 0;
	if (r < 0)
		die("drop the bounding set", -r);
	join_netns(f);
}

/* The go message: the cgroup files to write ourselves into, then the
 * filter. */
static void enter_cgroup_and_seal(struct floor *f)
{
	static char buf[LAUNCH_GO_MAX];
	struct sock_fprog prog;
	const char *what;
	int r = launch_enter_go(f->sock, buf, sizeof(buf), &prog, &what);
	if (r < 0)
		die(what, -r);
	if (f->level < L_FULL)
		return;
	r = caps_apply(&f->caps);
	if (r < 0)
		die("capabilities", -r);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die("no_new_privs", errno);
	r = seccomp_profile_load(&prog);
	if (r < 0)
		die("seccomp", -r);
}

static _Noreturn void init_main(struct floor *f)
{
	struct rootfs_fail fail = {0};
	const struct rootfs_hook hook = {before_sysfs, f};
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (sethostname("vmctl-floor", 11) < 0)
		die("sethostname", errno);
	if (f->level >= L_ROOTFS) {
		umask(0);
		if (rootfs_setup(&f->plan, &hook, &fail) < 0)
			die(fail.what, fail.err);
		umask(022);
	} else {
		join_netns(f);
	}
	enter_cgroup_and_seal(f);
	execv(f->level >= L_ROOTFS ? f->argv[0] : f->host_cmd, f->argv);
	die("exec", errno);
}

/* ---- the parent ---- */

static pid_t clone_init(struct floor *f)
{
	int socks[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, socks) < 0)
		die("socketpair", errno);
	struct clone_args ca = {.flags = CLONE_NEWPID | CLONE_NEWNS |
					 CLONE_NEWUTS | CLONE_NEWIPC,
				.exit_signal = SIGCHLD};
	long pid = syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid == 0) {
		close(socks[0]);
		f->sock = socks[1];
		init_main(f);
	}
	if (pid < 0)
		die("clone3", errno);
	close(socks[1]);
	f->sock = socks[0];
	return (pid_t)pid;
}

/* While the init mounts: the network namespace, the cgroup, the filter. */
static void send_go(struct floor *f, struct cgroup_handle *cg,
		    const struct cgroup_layout *layout)
{
	struct vmctl_err err;
	int fd = container_net_fd(f->net, &err);
	if (fd < 0)
		die(err.msg, err.code);
	launch_send_netns(f->sock, fd);
	memset(cg, 0, sizeof(*cg));
	for (int c = 0; c < CG_NCTRL; c++)
		cg->procs_fd[c] = -1;
	if (f->level >= L_CGROUP) {
		char id[32];
		struct cgroup_limits none = {0};
		snprintf(id, sizeof(id), "floor%012d", (int)getpid());
		if (cgroup_create(layout, id, &none, cg, &err) < 0)
			die(err.msg, err.code);
	}
	struct sock_fprog prog = {0};
	if (f->level >= L_FULL &&
	    seccomp_profile_get(&prog, f->cfg.cache_dir, &err) < 0)
		die(err.msg, err.code);
	launch_send_go(f->sock, cg->procs_fd, cg->n, &prog);
	cgroup_close_fds(cg);
	seccomp_profile_free(&prog);
}

static void prepare(struct floor *f, struct cgroup_layout *layout)
{
	struct vmctl_err err;
	if (container_net_start(&f->net, &err) < 0)
		die(err.msg, err.code);
	if (f->level >= L_ROOTFS &&
	    mount_plan_build(&f->cfg, &f->plan, &err) < 0)
		die(err.msg, err.code);
	if (f->level >= L_CGROUP && cgroup_detect(layout, &err) < 0)
		die(err.msg, err.code);
	if (f->level >= L_FULL && caps_prepare(&f->caps, &err) < 0)
		die(err.msg, err.code);
}

int main(int argc, char **argv)
{
	struct floor f = {.sock = -1};
	if (argc < 6 || atoi(argv[1]) < L_PROCESS || atoi(argv[1]) > L_FULL ||
	    argv[2][0] != '/' || argv[5][0] != '/') {
		dprintf(2, "usage: vmctl-floor LEVEL(1-5) LAYER SCRATCH CACHE "
			   "/CMD [ARG...]\n");
		return 125;
	}
	const char *lower[] = {argv[2]};
	f.level = (enum level)atoi(argv[1]);
	f.argv = argv + 5;
	snprintf(f.host_cmd, sizeof(f.host_cmd), "%s%s", argv[2], argv[5]);
	if (f.level == L_PROCESS) {
		execv(f.host_cmd, f.argv);
		die("exec", errno);
	}
	f.cfg = (struct container_config){.id = "vmctl-floor",
					  .state_dir = argv[3],
					  .cache_dir = argv[4],
					  .lower_dirs = lower,
					  .n_lower = 1,
					  .argv = argv + 5,
					  .ephemeral_layer = true};
	struct cgroup_layout layout;
	struct cgroup_handle cg;
	prepare(&f, &layout);
	pid_t pid = clone_init(&f);
	send_go(&f, &cg, &layout);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid", errno);
	if (cg.n) {
		struct vmctl_err err;
		cgroup_destroy(&cg, &err);
	}
	container_net_release(f.net);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
