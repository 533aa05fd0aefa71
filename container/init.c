/* init.c - the container's PID 1.
 *
 * Why a tiny init rather than the workload as PID 1: the kernel drops
 * signals sent to a pid namespace's init unless it installed a handler, so
 * `sleep 100` as PID 1 would shrug off a forwarded SIGTERM and orphans would
 * never be reaped.  This init is the cloned vmctl process itself (no exec of
 * a helper): it builds the container, vforks the workload (cheap: no page
 * table copy, and it has nothing to do until the exec), then waits in
 * sigwaitinfo().  A forwarded signal is passed to the workload, which, not
 * being PID 1, gets the default action; when the workload dies of signal N
 * the init exits with 128+N, Docker's convention, and the kernel kills
 * whatever is left in the namespace.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/strv.h"
#include "container/launch.h"
#include "container/rootfs.h"
#include "container/seccomp_profile.h"
#include "container/tty.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

extern char **environ;

__attribute__((format(printf, 4, 5))) static void
send_msg(int sock, int type, int err, const char *fmt, ...)
{
	struct launch_msg m = {.type = type, .err = err};
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m.text, sizeof(m.text), fmt, ap);
	va_end(ap);
	if (err > 0) {
		size_t n = strlen(m.text);
		snprintf(m.text + n, sizeof(m.text) - n, ": %s", strerror(err));
	}
	/* Best effort: if the parent is gone there is nobody to tell. */
	if (send(sock, &m, sizeof(m), MSG_NOSIGNAL) < 0)
		return;
}

#define setup_fail(l, err, ...)                                                \
	do {                                                                   \
		send_msg((l)->sync_child, MSG_SETUP_FAILED, (err),             \
			 __VA_ARGS__);                                         \
		_exit(125);                                                    \
	} while (0)

static int mkdir_parents(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		int r = mkdir(path, 0755);
		*p = '/';
		if (r < 0 && errno != EEXIST)
			return -errno;
	}
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Like Docker, a missing working directory is created. */
static void enter_workdir(struct launch *l)
{
	const char *wd = l->cfg->workdir ? l->cfg->workdir : "/";
	if (chdir(wd) == 0)
		return;
	if (errno == ENOENT && strlen(wd) < 4096) {
		char buf[4096];
		snprintf(buf, sizeof(buf), "%s", wd);
		if (mkdir_parents(buf) == 0 && chdir(wd) == 0)
			return;
	}
	setup_fail(l, errno, "working directory %s", wd);
}

/* After pivot_root: the files read are the container's, and no symlink
 * in them resolves outside its root (userdb_read_file). */
static void resolve_user(struct launch *l)
{
	const char *user = l->cfg->user;
	if (!user || !*user) {
		/* root:root with no other group, whatever ids vmctl was
		 * started with (`sg daemon vmctl run` must not lend the
		 * workload gid 1).  No file read: root's memberships in the
		 * image's /etc/group are not added (Docker adds them). */
		l->ids.uid = 0;
		l->ids.gid = 0;
		l->ids.groups[0] = 0;
		l->ids.n_groups = 1;
		return;
	}
	if (userdb_lookup(user, &l->ids) < 0)
		setup_fail(l, 0, "%s", l->ids.msg);
	for (char *const *e = l->cfg->env; e && *e; e++)
		if (!strncmp(*e, "HOME=", 5))
			return;
	l->user_env = strv_dup(l->cfg->env);
	if (!l->user_env || strv_push(&l->user_env, l->ids.home) < 0)
		setup_fail(l, ENOMEM, "environment of user %s", user);
}

/* The pty comes from the container's own devpts (mounted by the plan), so
 * `tty` inside names a device that exists there.  The master goes to the
 * parent; the slave is returned for the workload. */
static int open_pty(struct launch *l)
{
	int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	char name[64];
	if (master < 0)
		setup_fail(l, errno, "open /dev/ptmx");
	if (unlockpt(master) < 0 || ptsname_r(master, name, sizeof(name)))
		setup_fail(l, errno, "unlock pty");
	ioctl(master, TIOCSWINSZ, &l->ws);
	int slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		setup_fail(l, errno, "open %s", name);
	int type = MSG_PTY;
	int r = tty_send_fds(l->sync_child, &master, 1, &type, sizeof(type));
	if (r < 0)
		setup_fail(l, -r, "send pty master");
	close(master);
	return slave;
}

static void set_cloexec_from(int lowest)
{
	/* One syscall marks every fd >= 3; the sync socket thus stays usable
	 * for reporting an exec failure and is closed by a successful exec. */
	if (syscall(SYS_close_range, lowest, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return;
	/* Fallback for kernels before 5.11. */
	for (int fd = lowest; fd < 65536; fd++)
		fcntl(fd, F_SETFD, FD_CLOEXEC);
}

static int exec_status(int err)
{
	return err == ENOENT || err == ENOTDIR ? 127 : 126;
}

/* Where execvp would find cmd, found with faccessat() rather than by
 * trying execve() in every PATH directory: a failed execve still builds an
 * mm for the new program first (about 15 us each here, five of them for a
 * command in /bin).  False when cmd has a '/' or is not found: execvp then
 * runs as usual and reports the right errno. */
static bool find_in_path(const char *cmd, const char *search, char *buf,
			 size_t n)
{
	if (!*cmd || strchr(cmd, '/'))
		return false;
	if (!search)
		search = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/"
			 "sbin:/bin";
	for (const char *dir = search; *dir;) {
		size_t len = strcspn(dir, ":");
		int w = snprintf(buf, n, "%.*s%s%s", (int)len, dir,
				 len ? "/" : "", cmd);
		if (w > 0 && (size_t)w < n &&
		    faccessat(AT_FDCWD, buf, X_OK, AT_EACCESS) == 0)
			return true;
		dir += len + (dir[len] == ':');
	}
	return false;
}

/* The workload, in the vfork child.  Order matters: stdio and fds first,
 * then capabilities (dropping the bounding set needs CAP_SETPCAP, which goes
 * with them), then no_new_privs (required to install a filter without
 * CAP_SYS_ADMIN), then seccomp last: it denies syscalls the steps before it
 * use (umount2, unshare, ...), and only execve follows it. */
__attribute__((noreturn)) static void exec_workload(struct launch *l, int slave)
{
	const struct container_config *cfg = l->cfg;
	int sock = l->sync_child;
	sigset_t none;
	int r;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid(); /* no access to the host's controlling terminal */
	if (slave >= 0) {
		ioctl(slave, TIOCSCTTY, 0);
		dup2(slave, 0);
		dup2(slave, 1);
		dup2(slave, 2);
	} else if (!cfg->interactive) {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (null >= 0)
			dup2(null, 0);
	}
	set_cloexec_from(3);
	r = caps_apply(&l->caps);
	if (r < 0) {
		send_msg(sock, MSG_SETUP_FAILED, -r, "drop capabilities");
		_exit(125);
	}
	/* After the capabilities: the ids are changed with CAP_SETUID and
	 * CAP_SETGID of the default set, and a non-zero uid then clears the
	 * permitted and effective sets, as for Docker's non-root users.  The
	 * pty becomes the user's (its group stays the tty one). */
	r = slave >= 0 && l->ids.uid &&
		    fchown(slave, l->ids.uid, (gid_t)-1) < 0
		? -errno
		: userdb_apply(&l->ids);
	if (r < 0) {
		send_msg(sock, MSG_SETUP_FAILED, -r, "switch to user %s",
			 cfg->user && *cfg->user ? cfg->user : "root");
		_exit(125);
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		send_msg(sock, MSG_SETUP_FAILED, errno, "no_new_privs");
		_exit(125);
	}
	r = seccomp_profile_load(&l->seccomp);
	if (r < 0) {
		send_msg(sock, MSG_SETUP_FAILED, -r, "load seccomp filter");
		_exit(125);
	}
	/* execvp searches the PATH of environ, not of an envp argument. */
	environ = l->user_env ? l->user_env : (char **)cfg->env;
	char path[4096];
	if (find_in_path(cfg->argv[0], getenv("PATH"), path, sizeof(path)))
		execv(path, cfg->argv);
	execvp(cfg->argv[0], cfg->argv); /* not found, or the exact errno */
	int e = errno;
	send_msg(sock, MSG_EXEC_FAILED, e, "exec %s", cfg->argv[0]);
	_exit(exec_status(e));
}

/* Signals vmctl itself may ignore (SIGPIPE, SIGCHLD...) would stay ignored
 * across execve; handlers it installed must not run in here either. */
static void reset_signal_dispositions(void)
{
	for (int sig = 1; sig < 32; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
}

static int docker_status(int status)
{
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

__attribute__((noreturn)) static void reap_and_forward(pid_t workload,
						       const sigset_t *set)
{
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(set, &si);
		if (sig < 0)
			continue;
		if (sig != SIGCHLD) {
			kill(workload, sig);
			continue;
		}
		int status;
		pid_t p;
		while ((p = waitpid(-1, &status, WNOHANG)) > 0)
			if (p == workload) {
				trace("workload reaped");
				_exit(docker_status(status));
			}
	}
}

/* vfork: the init has nothing to do until the exec, and no page tables
 * are copied.  Returns once the workload has exec'd (or failed, which it
 * reported itself). */
static pid_t start_workload(struct launch *l, int slave)
{
	trace("vfork");
#ifndef __clang_analyzer__
	pid_t pid = vfork();
#else
	/* scan-build reports vfork() itself and any call in its child but
	 * exec and _exit; both are deliberate here (see above and
	 * exec_workload), so it analyzes this path as a fork(). */
	pid_t pid = fork();
#endif
	if (pid == 0)
		exec_workload(l, slave);
	if (pid < 0)
		setup_fail(l, errno, "start the workload");
	trace("vfork returned");
	close(l->sync_child);
	if (slave >= 0)
		close(slave);
	return pid;
}

/* The network namespace a helper of the parent made (container/net.c), lo
 * already up; joining it is all that is left.  We may: we are still the
 * unrestricted init, before any privilege is cut.  As late as the plan
 * allows (rootfs_setup calls this before it mounts sysfs, which shows the
 * network namespace of whoever mounts it): the init is cloned while the
 * helper is still at work, and the mounts before sysfs overlap with it.
 * Nothing before touches the network. */
static void join_netns(struct launch *l)
{
	const char *what;
	int r = launch_join_netns(l->sync_child, &what);
	if (r < 0)
		setup_fail(l, -r, "%s", what);
}

/* rootfs_setup's hook: the bounding set first (30 system calls that would
 * otherwise be the workload's child's, done while the network helper may
 * still be at work), then the network namespace. */
static void before_sysfs(void *arg)
{
	struct launch *l = arg;
	int r = caps_drop_bounding(&l->caps);
	if (r < 0)
		setup_fail(l, -r, "drop capabilities from the bounding set");
	join_netns(l);
}

/* The parent, meanwhile, created the cgroup, moved us into it and built
 * the seccomp filter; its go message carries the filter. */
static void wait_for_go(struct launch *l)
{
	char *buf = malloc(LAUNCH_GO_MAX);
	const char *what;
	if (!buf)
		setup_fail(l, ENOMEM, "filter buffer");
	/* The filter is used by the vfork child only; execve then drops
	 * this copy of the address space with the rest. */
	int r = launch_enter_go(l->sync_child, buf, LAUNCH_GO_MAX, &l->seccomp,
				&what);
	if (r < 0)
		setup_fail(l, -r, "%s", what);
}

void container_init_main(struct launch *l)
{
	const struct container_config *cfg = l->cfg;
	struct rootfs_fail f = {0};
	sigset_t waited = l->forwarded;
	int slave = -1;

	trace("start");
	/* If vmctl is killed (even by SIGKILL) the container goes with it
	 * rather than running on unsupervised; container_cleanup() then
	 * only has an empty cgroup to remove.  getppid() is 0 in our new
	 * pid namespace, so the race with an early death is closed by the
	 * socket instead: a dead parent means EOF where "go" should be. */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	const char *host = cfg->hostname ? cfg->hostname : cfg->id;
	size_t hlen = strnlen(host, cfg->hostname ? 64 : 12);
	if (sethostname(host, hlen) < 0)
		setup_fail(l, errno, "sethostname %.*s", (int)hlen, host);
	trace("hostname");
	umask(0); /* device nodes and dirs get exactly the plan's modes */
	const struct rootfs_hook hook = {before_sysfs, l};
	if (rootfs_setup(&l->plan, &hook, &f) < 0)
		setup_fail(l, f.err, "%s %s", f.what, f.where);
	umask(022);
	trace("rootfs");
	enter_workdir(l);
	resolve_user(l);
	if (cfg->tty)
		slave = open_pty(l);
	wait_for_go(l);
	trace("go");
	prctl(PR_SET_NAME, "vmctl-init", 0, 0, 0);
	reset_signal_dispositions();
	sigaddset(&waited, SIGCHLD);
	sigprocmask(SIG_BLOCK, &waited, NULL);

	pid_t pid = start_workload(l, slave);
	/* The runtime's memory figure counts what is private to this init
	 * (its other pages are vmctl's, shared copy-on-write).  Measured now
	 * that the workload runs, on our time rather than the parent's. */
	static const char *const priv[] = {
	    "Private_Clean:", "Private_Dirty:", NULL};
	*l->init_private = launch_proc_kb("/proc/self/smaps_rollup", priv);
	reap_and_forward(pid, &waited);
}
