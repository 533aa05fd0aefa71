/* run.c - container_run(): prepare, clone, supervise, clean.
 *
 * The work is split so the two cores can overlap: the parent builds what
 * the init needs first (mount plan, state dirs, capability state) and
 * clones it with one clone3(); while the init mounts the root file system,
 * the parent creates the cgroup and builds the seccomp BPF, and sends both
 * (the cgroup files as fds) in a "go" message the init waits for before it
 * starts the workload.
 *
 * The parent then multiplexes with poll(): the sync socket (setup/exec
 * errors, the pty master, and EOF once the workload exec'd, thanks to
 * CLOEXEC), a pidfd for the init's exit, a signalfd for the signals to
 * forward, and the pty relay.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "container/container.h"
#include "container/launch.h"
#include "container/net.h"
#include "container/seccomp_profile.h"
#include "container/tty.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Signals received by vmctl and passed on to the workload. */
static const int forwarded_signals[] = {SIGINT,	 SIGTERM, SIGHUP,
					SIGQUIT, SIGUSR1, SIGUSR2};

/* What the supervision loop learns. */
struct watch {
	int sync, pidfd, sigfd, master;
	bool stdin_open;
	bool timed_out;
	int64_t exec_ns;
	struct launch_msg failure; /* type 0: none */
};

static int make_state_dirs(const struct mount_plan *p, struct vmctl_err *err)
{
	const char *dirs[] = {p->rootfs, p->upper, p->work};
	if (p->scratch)
		return 0; /* made by the init, in its own tmpfs */
	for (size_t i = 0; i < 3; i++)
		if (mkdir(dirs[i], 0755) < 0 && errno != EEXIST)
			return vmctl_error(err, errno, "mkdir %s", dirs[i]);
	return 0;
}

/* Before the clone: only what the init needs from the start. */
static int prepare(struct launch *l, const struct container_config *cfg,
		   struct cgroup_layout *layout, struct vmctl_err *err)
{
	int r;

	if (!cfg->id || strlen(cfg->id) < 12)
		return vmctl_errorf(err, EINVAL, "container id too short");
	if (!cfg->argv || !cfg->argv[0])
		return vmctl_errorf(err, EINVAL, "no command to run");
	trace("prepare");
	/* Checked here too, for a clear error before anything is created
	 * (the init opens them itself, so a race is harmless). */
	for (size_t i = 0; i < cfg->n_lower; i++) {
		struct stat st;
		const char *layer = cfg->lower_dirs[i];
		if (layer && stat(layer, &st) < 0)
			return vmctl_error(err, errno, "image layer %s", layer);
	}
	for (size_t i = 0; i < cfg->n_volumes; i++) {
		struct stat st;
		const char *host = cfg->volumes[i].host;
		if (host && stat(host, &st) < 0)
			return vmctl_error(err, errno, "volume host path %s",
					   host);
	}
	r = mount_plan_build(cfg, &l->plan, err);
	if (r < 0)
		return r;
	r = make_state_dirs(&l->plan, err);
	if (r < 0)
		return r;
	trace("plan+dirs");
	r = cgroup_detect(layout, err);
	if (r < 0)
		return r;
	r = caps_prepare(&l->caps, err);
	if (r < 0)
		return r;
	if (cfg->tty)
		tty_host_winsize(&l->ws);
	return 0;
}

static int create_cgroup(struct launch *l, const struct cgroup_layout *layout,
			 struct vmctl_err *err)
{
	const struct container_config *cfg = l->cfg;
	struct cgroup_limits lim = {cfg->memory_bytes, cfg->cpus,
				    cfg->pids_limit};
	return cgroup_create(layout, cfg->id, &lim, &l->cg, err);
}

/* After the clone, overlapping the init's own setup: the cgroup (unless
 * clone3 already placed the init in it) and the filter, sent with "go"
 * together with the cgroup files the init writes itself into. */
static int finish_and_go(struct launch *l, const struct cgroup_layout *layout,
			 int sock, struct vmctl_err *err)
{
	int r = 0;

	if (!l->cg.n)
		r = create_cgroup(l, layout, err);
	trace("cgroup created");
	if (r == 0)
		r = seccomp_profile_get(&l->seccomp, l->cfg->cache_dir, err);
	trace("seccomp");
	if (r < 0)
		return r;
	size_t nfds = l->cg_into_at_clone ? 0 : l->cg.n;
	r = launch_send_go(sock, l->cg.procs_fd, nfds, &l->seccomp);
	cgroup_close_fds(&l->cg);
	/* EPIPE: the init already failed and said why; supervise() reads
	 * its report. */
	if (r < 0 && r != -EPIPE && r != -ECONNRESET)
		return vmctl_error(err, r, "send go to the init");
	return 0;
}

/* The network namespace, made by a helper process meanwhile (container/net.c),
 * to the init, which waits for it before it mounts sysfs.  Cloning before it was
 * ready saved the wait for it in front of the clone (0.2 ms here). */
static int send_netns(struct container_net *net, int sock,
		      struct vmctl_err *err)
{
	int fd = container_net_fd(net, err);
	if (fd < 0)
		return fd;
	int r = launch_send_netns(sock, fd);
	/* EPIPE: the init already failed and said why (supervise()). */
	if (r < 0 && r != -EPIPE && r != -ECONNRESET)
		return vmctl_error(err, r, "send the network namespace");
	return 0;
}

static void release(struct launch *l)
{
	seccomp_profile_free(&l->seccomp);
	caps_release(&l->caps);
	mount_plan_free(&l->plan);
}

/* One clone3 creates the namespaces at once, except two: the cgroup one,
 * which the init unshares once it is in its cgroup so that the cgroup is
 * the namespace's root, and the network one, which a helper process makes
 * meanwhile (container/net.c) and the init joins (send_netns).  Creating it in
 * the init with unshare() measured slower (median 4.3 vs 3.6 ms): the init then
 * did everything serially. */
static pid_t clone_init(int *pidfd, int cgfd)
{
	struct clone_args args = {
	    .flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |
		     CLONE_PIDFD,
	    .pidfd = (uint64_t)(uintptr_t)pidfd,
	    .exit_signal = SIGCHLD,
	};
	if (cgfd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)cgfd;
	}
	/* Like fork(): the child gets a copy of this (single-threaded)
	 * process and continues on the same stack. */
	return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
}

uint64_t launch_proc_kb(const char *path, const char *const *keys)
{
	char buf[4096];
	uint64_t kb = 0;
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	for (const char *const *k = keys; *k; k++) {
		const char *p = strstr(buf, *k);
		if (p)
			kb += strtoull(p + strlen(*k), NULL, 10);
	}
	return kb * 1024;
}

/* The runtime's own memory: vmctl's peak RSS (VmHWM of this mm; not
 * getrusage(), whose ru_maxrss survives execve and would count the program
 * that started vmctl), plus what the init holds that vmctl does not: it is
 * a fork of vmctl, so most of its RSS is the very pages counted here. */
static uint64_t self_hwm(void)
{
	static const char *const keys[] = {"VmHWM:", NULL};
	return launch_proc_kb("/proc/self/status", keys);
}

static void on_sync(struct watch *w)
{
	struct launch_msg m;
	int fd = -1;
	ssize_t n = tty_recv_msg(w->sync, &m, sizeof(m), &fd);
	/* An init that failed before reading "go" closed its end with go
	 * unread: the kernel then flags our end ECONNRESET, reported once,
	 * ahead of the failure report still queued here.  Read on. */
	if (n == -ECONNRESET)
		return;
	if (n == 0 || (n < 0 && n != -EINTR && n != -EAGAIN)) {
		/* EOF: the init closed its end and the exec closed the
		 * workload's; the init has finished growing by now. */
		if (!w->failure.type)
			w->exec_ns = mono_ns();
		trace("exec seen");
		close(w->sync);
		w->sync = -1;
		return;
	}
	if (n < (ssize_t)sizeof(int))
		return;
	if (m.type == MSG_PTY && fd >= 0) {
		w->master = fd;
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		return;
	}
	if (fd >= 0)
		close(fd);
	if (n == (ssize_t)sizeof(m))
		w->failure = m;
}

static void on_signal(struct watch *w)
{
	struct signalfd_siginfo si;
	if (read(w->sigfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return;
	if (si.ssi_signo == SIGWINCH) {
		struct winsize ws;
		tty_host_winsize(&ws);
		if (w->master >= 0)
			ioctl(w->master, TIOCSWINSZ, &ws);
		return;
	}
	/* To the init, which passes it on to the workload. */
	syscall(SYS_pidfd_send_signal, w->pidfd, (int)si.ssi_signo, NULL, 0);
}

static void drain_master(struct watch *w)
{
	while (w->master >= 0 && tty_pump(w->master, STDOUT_FILENO) > 0)
		;
}

static int poll_timeout_ms(int64_t deadline)
{
	if (deadline == 0)
		return -1;
	int64_t left = deadline - mono_ns();
	return left <= 0 ? 0 : (int)((left + 999999) / 1000000);
}

/* Runs until the init exits. */
static void supervise(struct watch *w, const struct container_config *cfg,
		      int64_t start)
{
	int64_t deadline =
	    cfg->timeout_sec ? start + (int64_t)cfg->timeout_sec * 1000000000LL
			     : 0;
	for (;;) {
		struct pollfd p[5] = {
		    {w->pidfd, POLLIN, 0},
		    {w->sync, POLLIN, 0},
		    {w->sigfd, POLLIN, 0},
		    {w->master, POLLIN, 0},
		    {w->master >= 0 && w->stdin_open ? STDIN_FILENO : -1,
		     POLLIN, 0},
		};
		int n =
		    poll(p, 5, w->timed_out ? -1 : poll_timeout_ms(deadline));
		if (n < 0 && errno != EINTR)
			break;
		if (n == 0 && deadline && !w->timed_out) {
			/* SIGKILL the init: the kernel then kills the whole
			 * pid namespace, the workload included. */
			syscall(SYS_pidfd_send_signal, w->pidfd, SIGKILL, NULL,
				0);
			w->timed_out = true;
			continue;
		}
		if (p[1].revents)
			on_sync(w);
		if (p[2].revents)
			on_signal(w);
		if (p[3].revents && tty_pump(w->master, STDOUT_FILENO) <= 0) {
			close(w->master);
			w->master = -1;
		}
		if (p[4].revents && tty_pump(STDIN_FILENO, w->master) <= 0)
			w->stdin_open = false;
		if (p[0].revents)
			break;
	}
	drain_master(w);
	while (w->sync >= 0) /* collect a late failure report, then EOF */
		on_sync(w);
}

static int block_signals(sigset_t *set, sigset_t *old, bool tty)
{
	sigemptyset(set);
	for (size_t i = 0; i < sizeof(forwarded_signals) / sizeof(int); i++)
		sigaddset(set, forwarded_signals[i]);
	if (tty)
		sigaddset(set, SIGWINCH);
	if (sigprocmask(SIG_BLOCK, set, old) < 0)
		return -errno;
	return 0;
}

static int wait_init(int pidfd, int *status)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	while (waitid((idtype_t)P_PIDFD, (id_t)pidfd, &si, WEXITED) < 0)
		if (errno != EINTR)
			return -errno;
	*status = si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status;
	return 0;
}

static int report_failure(const struct watch *w, struct run_result *res,
			  struct vmctl_err *err)
{
	if (w->failure.type == MSG_EXEC_FAILED) {
		res->exit_code =
		    w->failure.err == ENOENT || w->failure.err == ENOTDIR ? 127
									  : 126;
		/* The workload could not be run: a result, not a runtime
		 * error; the message says why. */
		vmctl_errorf(err, w->failure.err, "%s", w->failure.text);
		return 0;
	}
	res->exit_code = 125;
	return vmctl_errorf(err, w->failure.err ? w->failure.err : EIO,
			    "container setup: %s", w->failure.text);
}

static int run_child(struct launch *l, const struct cgroup_layout *layout,
		     struct container_net *net, struct run_result *res,
		     struct vmctl_err *err)
{
	const struct container_config *cfg = l->cfg;
	struct watch w = {.sync = -1, .pidfd = -1, .sigfd = -1, .master = -1};
	struct tty_host host = {0};
	cleanup_close int cgfd = -1;
	sigset_t set, old;
	int socks[2];
	int r, status = 125;
	pid_t pid;

	l->init_private = mmap(NULL, sizeof(uint64_t), PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (l->init_private == MAP_FAILED) {
		l->init_private = NULL;
		return vmctl_error(err, errno, "mmap");
	}
	r = block_signals(&set, &old, cfg->tty);
	if (r < 0) {
		munmap((void *)l->init_private, sizeof(uint64_t));
		return vmctl_error(err, r, "block signals");
	}
	l->forwarded = set;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, socks) < 0) {
		r = vmctl_error(err, errno, "socketpair");
		goto out_mask;
	}
	w.sync = socks[0];
	l->sync_child = socks[1];
	w.sigfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (w.sigfd < 0) {
		r = vmctl_error(err, errno, "signalfd");
		goto out_fds;
	}
	if (layout->version == 2) {
		/* v2: the cgroup first, so clone3 starts the init in it. */
		r = cfg->on_record ? cfg->on_record(cfg->ctx, err) : 0;
		if (r == 0)
			r = create_cgroup(l, layout, err);
		if (r < 0)
			goto out_fds;
		cgfd = open(l->cg.dirs[0], O_PATH | O_DIRECTORY | O_CLOEXEC);
		l->cg_into_at_clone = cgfd >= 0;
	}
	if (cfg->tty)
		tty_host_raw(&host);
	trace("clone");
	pid = clone_init(&w.pidfd, cgfd);
	if (pid == 0) {
		close(w.sync);
		container_init_main(l);
	}
	if (pid < 0) {
		r = vmctl_error(err, errno, "clone3 (new namespaces)");
		goto out_tty;
	}
	res->phase_ns[PHASE_CREATED] = mono_ns();
	trace("cloned");
	close(l->sync_child);
	l->sync_child = -1;
	/* What we do from here to "go" (the record, the cgroup, the filter)
	 * is not what the start waits for: the init's mounts are.  With two
	 * CPUs and the network helper on one, the init and we often share the
	 * other, so we step back (nice +10) until "go" is sent.  Measured: a
	 * start 0.1 ms shorter here. */
	errno = 0;
	int nice_before = getpriority(PRIO_PROCESS, 0);
	bool niced = errno == 0 && nice_before < 19 &&
		     setpriority(PRIO_PROCESS, 0, nice_before + 10 > 19 ? 19 : nice_before + 10) == 0;
	r = 0;
	if (layout->version != 2 && cfg->on_record)
		r = cfg->on_record(cfg->ctx, err);
	if (r == 0)
		r = send_netns(net, w.sync, err);
	if (r == 0)
		r = finish_and_go(l, layout, w.sync, err);
	if (niced)
		setpriority(PRIO_PROCESS, 0, nice_before);
	if (r < 0) {
		/* The init waits for us: it dies with its namespaces. */
		syscall(SYS_pidfd_send_signal, w.pidfd, SIGKILL, NULL, 0);
		wait_init(w.pidfd, &status);
		goto out_tty;
	}
	if (cfg->on_started)
		cfg->on_started(cfg->ctx, pid);
	w.stdin_open = cfg->interactive;
	supervise(&w, cfg, res->phase_ns[PHASE_CREATED]);
	trace("init exited");
	r = wait_init(w.pidfd, &status);
	res->phase_ns[PHASE_EXIT] = mono_ns();
	res->phase_ns[PHASE_EXEC] = w.exec_ns;
	res->exit_code = w.timed_out ? 128 + SIGKILL : status;
	res->overhead_bytes = self_hwm() + *l->init_private;
	if (r < 0)
		r = vmctl_error(err, r, "wait for the container");
	else if (w.failure.type)
		r = report_failure(&w, res, err);
	else if (w.timed_out)
		vmctl_errorf(err, ETIMEDOUT, "timed out after %u s",
			     cfg->timeout_sec);
out_tty:
	tty_host_restore(&host);
out_fds:
	if (w.master >= 0)
		close(w.master);
	if (w.pidfd >= 0)
		close(w.pidfd);
	if (w.sigfd >= 0)
		close(w.sigfd);
	if (w.sync >= 0)
		close(w.sync);
	if (l->sync_child >= 0)
		close(l->sync_child);
out_mask:
	/* Signals that arrived after the workload ended stay pending and are
	 * delivered to vmctl now, as if we had never blocked them. */
	sigprocmask(SIG_SETMASK, &old, NULL);
	munmap((void *)l->init_private, sizeof(uint64_t));
	return r;
}

int container_run(const struct container_config *cfg, struct run_result *res,
		  struct vmctl_err *err)
{
	struct launch l = {.cfg = cfg, .sync_child = -1};
	int r;

	memset(res, 0, sizeof(*res));
	res->exit_code = 125;
	res->phase_ns[PHASE_START] = cfg->t0_ns ? cfg->t0_ns : mono_ns();
	vmctl_error_clear(err);
	for (int i = 0; i < CG_NCTRL; i++)
		l.cg.procs_fd[i] = -1;
	/* Without a namespace started by the caller (container_net_start(),
	 * as early as it could), one is started now: it still overlaps with
	 * prepare(). */
	struct container_net *own_net = NULL;
	struct container_net *net = cfg->net;
	struct cgroup_layout layout;
	r = net ? 0 : container_net_start(&own_net, err);
	if (r == 0) {
		net = net ? net : own_net;
		r = prepare(&l, cfg, &layout, err);
	}
	if (r == 0)
		r = run_child(&l, &layout, net, res, err);
	container_net_release(own_net);
	trace("reaped");
	if (l.cg.n) {
		res->peak_bytes = cgroup_peak_bytes(&l.cg);
		struct vmctl_err cerr;
		int c = cgroup_destroy(&l.cg, &cerr);
		if (c < 0 && r == 0) {
			*err = cerr;
			r = c;
		}
	}
	trace("cgroup removed");
	release(&l);
	if (r < 0)
		res->exit_code = 125;
	return r;
}
