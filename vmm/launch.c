/* launch.c - the monitor in a process of its own (see launch.h). */
#include "vmm/launch.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/util.h"

#ifndef SYS_close_range
#define SYS_close_range 436 /* musl 1.2.3 does not name it */
#endif

/* --- the request: the struct, then each string as <u32 len><bytes> -------- */

struct blob {
	uint8_t *p;
	size_t len, cap;
	int err;
};

static void put(struct blob *b, const void *data, size_t n)
{
	if (b->err)
		return;
	if (b->len + n > VM_REQUEST_MAX) {
		b->err = -E2BIG;
		return;
	}
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;
		while (cap < b->len + n)
			cap *= 2;
		uint8_t *q = realloc(b->p, cap);
		if (!q) {
			b->err = -ENOMEM;
			return;
		}
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

/* A string field: absent (NULL) is length UINT32_MAX. */
static void put_str(struct blob *b, const char *s, size_t n)
{
	uint32_t len = s ? (uint32_t)n : UINT32_MAX;
	put(b, &len, sizeof(len));
	if (s)
		put(b, s, n);
}

#define N_STRINGS 8

int vm_request_encode(const struct vm_config *cfg, uint8_t **out, size_t *len)
{
	struct blob b = {0};
	struct vm_config flat = *cfg;
	const char *s[N_STRINGS] = {cfg->kernel_path,	cfg->initramfs_path,
				    cfg->disk_path,	cfg->extra_cmdline,
				    cfg->profile_path,	cfg->handoff_config,
				    cfg->snapshot_dir,	cfg->snapshot_key};
	/* pointers mean nothing in the other process */
	flat.kernel_path = flat.initramfs_path = flat.disk_path = NULL;
	flat.extra_cmdline = flat.profile_path = flat.handoff_config = NULL;
	flat.snapshot_dir = flat.snapshot_key = NULL;
	put(&b, &flat, sizeof(flat));
	for (int i = 0; i < N_STRINGS; i++)
		put_str(&b, s[i],
			s[i] ? (i == 5 ? cfg->handoff_len : strlen(s[i])) : 0);
	if (b.err) {
		free(b.p);
		return b.err;
	}
	*out = b.p;
	*len = b.len;
	return 0;
}

/* The strings are NUL-terminated in place of the next field's length: the
 * decoder copies nothing, so it terminates by moving each string one byte
 * back over its own length field. */
static int take_str(uint8_t *buf, size_t len, size_t *off, const char **out,
		    size_t *n)
{
	uint32_t l;
	if (len - *off < sizeof(l))
		return -EINVAL;
	memcpy(&l, buf + *off, sizeof(l));
	if (l == UINT32_MAX) {
		*off += sizeof(l);
		*out = NULL;
		*n = 0;
		return 0;
	}
	if (l > len - *off - sizeof(l))
		return -EINVAL;
	char *dst = (char *)buf + *off;
	memmove(dst, buf + *off + sizeof(l), l);
	dst[l] = '\0';
	*off += sizeof(l) + l;
	*out = dst;
	*n = l;
	return 0;
}

int vm_request_decode(const uint8_t *cbuf, size_t len, struct vm_config *cfg)
{
	uint8_t *buf = (uint8_t *)cbuf; /* the caller's private copy */
	if (len < sizeof(*cfg))
		return -EINVAL;
	memcpy(cfg, buf, sizeof(*cfg));
	size_t off = sizeof(*cfg), n = 0;
	const char **s[N_STRINGS] = {&cfg->kernel_path,	  &cfg->initramfs_path,
				     &cfg->disk_path,	  &cfg->extra_cmdline,
				     &cfg->profile_path,  &cfg->handoff_config,
				     &cfg->snapshot_dir,  &cfg->snapshot_key};
	for (int i = 0; i < N_STRINGS; i++) {
		if (take_str(buf, len, &off, s[i], &n) < 0)
			return -EINVAL;
		if (i == 5)
			cfg->handoff_len = n;
	}
	if (off != len || (cfg->handoff_config == NULL) != (cfg->handoff_len == 0))
		return -EINVAL;
	return 0;
}

/* --- spawning and waiting ---------------------------------------------- */

static int request_memfd(const struct vm_config *cfg, struct vmctl_err *err)
{
	cleanup_free uint8_t *buf = NULL;
	size_t len = 0;
	int r = vm_request_encode(cfg, &buf, &len);
	if (r < 0)
		return vmctl_error(err, -r, "monitor request");
	analyzer_cleanup(buf);
	cleanup_close int fd = memfd_create("vmctl-vm-request",
					    MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return vmctl_error(err, errno, "memfd_create");
	if ((r = write_full(fd, buf, len)) < 0)
		return vmctl_error(err, -r, "monitor request");
	/* the monitor reads exactly what we wrote */
	fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL);
	lseek(fd, 0, SEEK_SET);
	return steal_fd(&fd);
}

/* In the child: the request as fd 3, the reply pipe as fd 4, nothing else
 * beyond stdio (the monitor must not hold our other files). */
static void exec_monitor(const char *path, int req_fd, int reply_fd,
			 pid_t parent)
{
	/* If vmctl is killed (kill -9), the VM goes with it, as when the
	 * monitor was vmctl itself; the check catches a parent that died
	 * before the prctl. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(127);
	if (dup2(req_fd, 3) < 0 || dup2(reply_fd, 4) < 0)
		_exit(127);
	/* dup2 onto itself keeps FD_CLOEXEC: clear it either way */
	if (fcntl(3, F_SETFD, 0) < 0 || fcntl(4, F_SETFD, 0) < 0)
		_exit(127);
	syscall(SYS_close_range, 5, ~0U, 0);
	char *const argv[] = {(char *)"vmctl-vmm", (char *)"3", (char *)"4", NULL};
	extern char **environ;
	execve(path, argv, environ);
	_exit(127);
}

static ssize_t read_full(int fd, void *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, (char *)buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* Waits for the reply; a stop request is passed on once. */
static ssize_t wait_reply(int reply_fd, int stop_fd, pid_t pid,
			  struct vm_reply *reply)
{
	bool forwarded = false;
	for (;;) {
		struct pollfd p[2] = {{reply_fd, POLLIN, 0}, {stop_fd, POLLIN, 0}};
		int n = poll(p, stop_fd >= 0 && !forwarded ? 2 : 1, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n > 0 && !forwarded && (p[1].revents & POLLIN)) {
			kill(pid, SIGTERM);
			forwarded = true;
		} else if (n > 0 && !forwarded && p[1].revents) {
			forwarded = true; /* closed or broken: stop watching */
		}
		if (n < 0 || p[0].revents)
			return read_full(reply_fd, reply, sizeof(*reply));
	}
}

int vm_run_in_monitor(const char *monitor_path, const struct vm_config *cfg,
		      struct run_result *res, struct vmctl_err *err)
{
	memset(res, 0, sizeof(*res));
	res->exit_code = 125;
	cleanup_close int req = request_memfd(cfg, err);
	if (req < 0)
		return req;
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return vmctl_error(err, errno, "pipe");
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(pfd[0]);
		close(pfd[1]);
		return vmctl_error(err, e, "fork");
	}
	if (pid == 0)
		exec_monitor(monitor_path, req, pfd[1], parent);
	close(pfd[1]);
	static struct vm_reply reply;
	ssize_t got = wait_reply(pfd[0], cfg->stop_fd, pid, &reply);
	close(pfd[0]);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (got != (ssize_t)sizeof(reply)) {
		if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
			return vmctl_errorf(err, ENOEXEC, "cannot run the monitor %s",
					    monitor_path);
		return vmctl_errorf(err, EIO,
				    "the monitor (%s) ended without a result (%s %d)",
				    monitor_path,
				    WIFSIGNALED(status) ? "signal" : "exit status",
				    WIFSIGNALED(status) ? WTERMSIG(status)
							: WEXITSTATUS(status));
	}
	*res = reply.res;
	if (reply.ret < 0) {
		reply.msg[sizeof(reply.msg) - 1] = '\0';
		return vmctl_errorf(err, -reply.ret, "%s", reply.msg);
	}
	return 0;
}
