/* harness.c - runs every subject interleaved and measures each run.
 *
 * Each run is a child forked and exec'd here, timed with CLOCK_MONOTONIC
 * from just before fork to just after wait4 reaped it (wall_ms); vmctl's
 * modes add their own figures (the --report=json line, last on stderr),
 * QEMU the moments the guest init's records reach its serial console.
 * Every child runs in a process group of its own, so that a timeout or a
 * Ctrl-C stops it and whatever it started: vmctl runs get SIGTERM first
 * (they clean up their runs), the others SIGKILL.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/strv.h"
#include "common/util.h"
#include "prep.h"
#include "vmm/milestone.h"

#define GRACE_NS (5LL * 1000000000LL) /* SIGTERM to SIGKILL */

/* ---- the guest's console (pure) ---- */

void bench_console_init(struct bench_console *c)
{
	memset(c, 0, sizeof(*c));
	c->wait_status = -1;
}

static void console_record(struct bench_console *c, int64_t now_ns)
{
	c->payload[c->len] = 0;
	if (c->type == MS_EXIT_STATUS && !c->exit_ns) {
		char *end;
		long st = strtol(c->payload, &end, 10);
		if (end != c->payload) {
			c->wait_status = (int)st;
			c->exit_ns = now_ns;
		}
	} else if (c->type == MS_INIT_ERROR || c->type == MS_EXEC_ERROR) {
		snprintf(c->last_line, sizeof(c->last_line),
			 "guest init: %s %.96s",
			 c->type == MS_INIT_ERROR ? "setup failed:"
						  : "exec failed, errno",
			 c->payload);
	} else if (c->type == MS_UNAME) {
		snprintf(c->kernel, sizeof(c->kernel), "%s", c->payload);
	}
}

/* Keeps the last complete line of text that is not a record. */
static void console_text(struct bench_console *c, char ch)
{
	if (ch != '\n') {
		if (c->line_len + 1 < sizeof(c->line))
			c->line[c->line_len++] = ch;
		return;
	}
	if (c->line_len) {
		c->line[c->line_len] = 0;
		memcpy(c->last_line, c->line, c->line_len + 1);
	}
	c->line_len = 0;
}

void bench_console_feed(struct bench_console *c, const char *buf, size_t n,
			int64_t now_ns)
{
	for (size_t i = 0; i < n; i++) {
		char ch = buf[i];
		if (ch == '\r')
			continue;
		if (ch == MS_MARK) {
			c->state = 1;
		} else if (c->state == 0) {
			console_text(c, ch);
		} else if (c->state == 1) {
			c->type = ch;
			c->len = 0;
			c->state = 2;
			/* The exec record is stamped on its type byte. */
			if (ch == MS_EXEC && !c->exec_ns)
				c->exec_ns = now_ns;
			if (ch == '\n')
				c->state = 0;
		} else if (c->state == 2) {
			if (ch == '\n') {
				console_record(c, now_ns);
				c->state = 0;
			} else if (c->len + 1 < sizeof(c->payload)) {
				c->payload[c->len++] = ch;
			}
		}
	}
}

/* ---- stop signals ---- */

static int stop_w = -1;

static void on_stop(int sig)
{
	int saved = errno;
	unsigned char b = (unsigned char)sig;
	if (stop_w >= 0 && write(stop_w, &b, 1) < 0) {
		/* full: a stop is already pending */
	}
	errno = saved;
}

static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define N_STOP (sizeof(stop_signals) / sizeof(stop_signals[0]))

struct stopper {
	int fds[2];
	struct sigaction old[N_STOP];
};

static int stopper_install(struct stopper *st, struct vmctl_err *err)
{
	if (pipe2(st->fds, O_CLOEXEC | O_NONBLOCK) < 0)
		return vmctl_error(err, errno, "pipe");
	stop_w = st->fds[1];
	struct sigaction sa = {.sa_handler = on_stop};
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < N_STOP; i++)
		sigaction(stop_signals[i], &sa, &st->old[i]);
	return 0;
}

static void stopper_remove(struct stopper *st)
{
	for (size_t i = 0; i < N_STOP; i++)
		sigaction(stop_signals[i], &st->old[i], NULL);
	stop_w = -1;
	close(st->fds[0]);
	close(st->fds[1]);
}

static bool stop_requested(const struct stopper *st)
{
	struct pollfd p = {.fd = st->fds[0], .events = POLLIN};
	return poll(&p, 1, 0) > 0;
}

/* ---- one child ---- */

struct child {
	pid_t pid;
	int pidfd, err_fd, out_fd;
	int64_t t_spawn, t_end, deadline, kill_at;
	int status;
	struct rusage ru;
	bool done, timed_out, term_sent;
	struct bench_console con;
	char disk[PATH_MAX];
};

static void child_close(struct child *c)
{
	int *fds[] = {&c->pidfd, &c->err_fd, &c->out_fd};
	for (size_t i = 0; i < 3; i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
	if (c->disk[0])
		unlink(c->disk);
	c->disk[0] = 0;
}

/* In the child: its own process group, default signals, stdio, namespace. */
static void exec_child(const struct bench_plan *plan, char **argv, int out,
		       int errfd)
{
	setpgid(0, 0);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	int null = open("/dev/null", O_RDWR);
	if (null < 0 || dup2(null, 0) < 0 ||
	    dup2(out >= 0 ? out : null, 1) < 0 || dup2(errfd, 2) < 0)
		_exit(126);
	if (plan->ns_fd >= 0 && setns(plan->ns_fd, CLONE_NEWNS) < 0)
		_exit(126);
	if (plan->run_dir && setenv("VMCTL_RUN_DIR", plan->run_dir, 1) < 0)
		_exit(126);
	execvp(argv[0], argv);
	_exit(127);
}

static int child_spawn(const struct bench_plan *plan, char **argv,
		       struct child *c, struct vmctl_err *err)
{
	int pipefd[2] = {-1, -1};
	c->err_fd = memfd_create("bench-stderr", MFD_CLOEXEC);
	if (c->err_fd < 0)
		return vmctl_error(err, errno, "memfd_create");
	if (plan->source == SOURCE_CONSOLE &&
	    pipe2(pipefd, O_CLOEXEC | O_NONBLOCK) < 0)
		return vmctl_error(err, errno, "pipe");
	/* The child's end must block: QEMU would drop console output. */
	if (pipefd[1] >= 0)
		fcntl(pipefd[1], F_SETFL, 0);
	c->out_fd = pipefd[0];
	c->t_spawn = now_ns();
	c->pid = fork();
	if (c->pid == 0)
		exec_child(plan, argv, pipefd[1], c->err_fd);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	if (c->pid < 0)
		return vmctl_error(err, errno, "fork");
	setpgid(c->pid, c->pid); /* also here: no race with a kill below */
	c->pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
	if (c->pidfd < 0) {
		int e = errno;
		kill(c->pid, SIGKILL);
		waitpid(c->pid, NULL, 0);
		c->done = true;
		return vmctl_error(err, e, "pidfd_open");
	}
	c->deadline = c->t_spawn + (int64_t)(plan->timeout_sec * 1e9);
	return 0;
}

static void child_drain_console(struct child *c)
{
	char buf[4096];
	ssize_t n = -1;
	while (c->out_fd >= 0 && (n = read(c->out_fd, buf, sizeof(buf))) > 0)
		bench_console_feed(&c->con, buf, (size_t)n, now_ns());
	/* End of the console (or an error): stop polling it. */
	if (c->out_fd >= 0 && (n == 0 || (errno != EAGAIN && errno != EINTR))) {
		close(c->out_fd);
		c->out_fd = -1;
	}
}

static void child_reap(struct child *c)
{
	if (wait4(c->pid, &c->status, WNOHANG, &c->ru) == c->pid) {
		c->t_end = now_ns();
		c->done = true;
		child_drain_console(c);
	}
}

/* A timed-out or stopped child: SIGTERM (vmctl) or SIGKILL to its group,
 * SIGKILL for good after a grace period. */
static void child_stop(const struct bench_plan *plan, struct child *c,
		       int64_t now)
{
	if (c->done)
		return;
	if (!c->term_sent) {
		c->term_sent = true;
		c->kill_at = now + GRACE_NS;
		kill(-c->pid, plan->vmctl ? SIGTERM : SIGKILL);
	} else if (now >= c->kill_at) {
		kill(-c->pid, SIGKILL);
		c->kill_at = now + GRACE_NS;
	}
}

/* ---- a batch: K instances of one subject at once ---- */

struct batch {
	struct child *c;
	unsigned k;
};

static int wait_batch(const struct bench_plan *plan, struct batch *b,
		      const struct stopper *st)
{
	bool stopping = false;
	for (;;) {
		struct pollfd pfd[1 + 2 * BENCH_MAX_CONCURRENCY];
		struct child *owner[1 + 2 * BENCH_MAX_CONCURRENCY];
		size_t n = 0;
		int64_t now = now_ns(), next = now + GRACE_NS;
		/* Once stopping, the (still readable) stop pipe is left out. */
		pfd[n] = (struct pollfd){.fd = stopping ? -1 : st->fds[0],
					 .events = POLLIN};
		owner[n++] = NULL;
		for (unsigned i = 0; i < b->k; i++) {
			struct child *c = &b->c[i];
			if (c->done)
				continue;
			if (stopping || now >= c->deadline) {
				c->timed_out |= !stopping;
				child_stop(plan, c, now);
			}
			int64_t t = c->term_sent ? c->kill_at : c->deadline;
			next = t < next ? t : next;
			pfd[n] =
			    (struct pollfd){.fd = c->pidfd, .events = POLLIN};
			owner[n++] = c;
			if (c->out_fd >= 0) {
				pfd[n] = (struct pollfd){.fd = c->out_fd,
							 .events = POLLIN};
				owner[n++] = c;
			}
		}
		if (n == 1)
			return stopping ? -EINTR : 0;
		int64_t wait_ms = (next - now) / 1000000 + 1;
		int r = poll(pfd, n, (int)(wait_ms > 1000 ? 1000 : wait_ms));
		if (r < 0 && errno != EINTR)
			return -errno;
		if (pfd[0].revents)
			stopping = true;
		for (size_t i = 1; r > 0 && i < n; i++) {
			if (!pfd[i].revents)
				continue;
			if (pfd[i].fd == owner[i]->pidfd)
				child_reap(owner[i]);
			else
				child_drain_console(owner[i]);
		}
	}
}

/* ---- turning a run into samples ---- */

static char *last_line(int fd)
{
	off_t size = lseek(fd, 0, SEEK_END);
	if (size <= 0)
		return NULL;
	size_t len = size > 65536 ? 65536 : (size_t)size;
	char *buf = malloc(len + 1);
	if (!buf || pread(fd, buf, len, size - (off_t)len) != (ssize_t)len) {
		free(buf);
		return NULL;
	}
	buf[len] = 0;
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = 0;
	char *nl = strrchr(buf, '\n');
	if (nl)
		memmove(buf, nl + 1, strlen(nl + 1) + 1);
	return buf;
}

static int exit_code_of(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The figures of a finished run; returns its exit code. */
static int collect(const struct bench_plan *plan, struct child *c, double *m,
		   char *guest_kernel, size_t gk_n)
{
	for (int i = 0; i < METRIC_COUNT; i++)
		m[i] = NAN;
	if (c->timed_out || !c->done)
		return 137;
	m[METRIC_WALL_MS] = (double)(c->t_end - c->t_spawn) / 1e6;
	int code = exit_code_of(c->status);
	if (plan->source == SOURCE_REPORT) {
		cleanup_free char *line = last_line(c->err_fd);
		int rep_code;
		if (!line || bench_parse_report(line, m, guest_kernel, gk_n,
						&rep_code) < 0)
			return code ? code : 125; /* no report: a failed run */
	} else if (plan->source == SOURCE_CONSOLE) {
		m[METRIC_PEAK_BYTES] = (double)c->ru.ru_maxrss * 1024.0;
		if (c->con.exec_ns)
			m[METRIC_STARTUP_MS] =
			    (double)(c->con.exec_ns - c->t_spawn) / 1e6;
		if (c->con.exit_ns)
			m[METRIC_TOTAL_MS] =
			    (double)(c->con.exit_ns - c->t_spawn) / 1e6;
		if (c->con.kernel[0] && !guest_kernel[0])
			snprintf(guest_kernel, gk_n, "%s", c->con.kernel);
		if (code == 0)
			code = c->con.wait_status < 0
				   ? 125
				   : exit_code_of(c->con.wait_status);
	} else {
		m[METRIC_PEAK_BYTES] = (double)c->ru.ru_maxrss * 1024.0;
	}
	return code;
}

static void describe_failure(const struct bench_plan *plan, struct child *c,
			     int code, int expected, char *buf, size_t n)
{
	if (c->timed_out) {
		snprintf(buf, n, "timed out after %g s", plan->timeout_sec);
		return;
	}
	cleanup_free char *line = last_line(c->err_fd);
	const char *said = plan->source == SOURCE_CONSOLE && c->con.last_line[0]
			       ? c->con.last_line
			   : line ? line
				  : "";
	snprintf(buf, n, "exit code %d, not %d%s%.200s", code, expected,
		 *said ? ": " : "", said);
}

/* ---- the loop ---- */

struct bench_ctx {
	const char *root;
	const struct bench_opts *o;
	struct bench_prep prep;
	struct bench_plan plan[BENCH_MAX_SUBJECTS];
	struct bench_result *r;
	struct stopper st;
	int expected; /* the workload's exit code when it works; -1 unknown */
	double *batch_rate[BENCH_MAX_SUBJECTS], *batch_mem[BENCH_MAX_SUBJECTS];
	bench_progress_fn progress;
	void *pctx;
	unsigned done, total;
};

static int start_batch(struct bench_ctx *x, struct bench_plan *plan,
		       unsigned round, struct batch *b, struct vmctl_err *err)
{
	for (unsigned i = 0; i < b->k; i++) {
		struct child *c = &b->c[i];
		cleanup_strv char **argv = bench_prep_argv(
		    &x->prep, x->o, plan, round, i, c->disk, sizeof(c->disk));
		if (!argv)
			return vmctl_error(err, ENOMEM, "%s: command",
					   plan->s->name);
		if (c->disk[0]) {
			int r =
			    copy_file_sparse(x->prep.disk_src, c->disk, err);
			if (r < 0) {
				c->disk[0] = 0;
				return r;
			}
		}
	}
	for (unsigned i = 0; i < b->k; i++) {
		struct child *c = &b->c[i];
		cleanup_strv char **argv = bench_prep_argv(
		    &x->prep, x->o, plan, round, i, c->disk, sizeof(c->disk));
		int r = argv ? child_spawn(plan, argv, c, err)
			     : vmctl_error(err, ENOMEM, "command");
		if (r < 0)
			return r;
	}
	return 0;
}

static void record_batch(struct bench_ctx *x, size_t si, unsigned mround,
			 struct batch *b)
{
	struct bench_plan *plan = &x->plan[si];
	struct bench_subject *s = plan->s;
	int64_t first = INT64_MAX, last = 0;
	double mem = 0;
	for (unsigned i = 0; i < b->k; i++) {
		double m[METRIC_COUNT];
		struct child *c = &b->c[i];
		int code = collect(plan, c, m, x->r->machine.guest_kernel,
				   sizeof(x->r->machine.guest_kernel));
		if (x->expected < 0)
			x->expected = c->timed_out ? 0 : code;
		if (mround == UINT32_MAX)
			continue; /* a warm-up run */
		size_t idx = (size_t)mround * b->k + i;
		bool ok = code == x->expected;
		if (!ok && !s->first_failure[0])
			describe_failure(plan, c, code, x->expected,
					 s->first_failure,
					 sizeof(s->first_failure));
		s->exit_codes[idx] = code;
		s->failures += !ok;
		for (int k = 0; k < METRIC_COUNT; k++)
			s->samples[k][idx] = ok ? m[k] : NAN;
		first = c->t_spawn < first ? c->t_spawn : first;
		last = c->t_end > last ? c->t_end : last;
		mem += ok ? m[METRIC_PEAK_BYTES] : NAN;
	}
	if (mround != UINT32_MAX && b->k > 1) {
		x->batch_rate[si][mround] =
		    last > first ? b->k / ((double)(last - first) / 1e9) : NAN;
		x->batch_mem[si][mround] = mem / b->k;
	}
}

static int run_batch(struct bench_ctx *x, size_t si, unsigned round,
		     struct vmctl_err *err)
{
	struct bench_plan *plan = &x->plan[si];
	unsigned k = x->o->concurrency;
	cleanup_free struct child *c = calloc(k, sizeof(*c));
	if (!c)
		return vmctl_error(err, ENOMEM, "bench");
	for (unsigned i = 0; i < k; i++) {
		c[i] = (struct child){
		    .pidfd = -1, .err_fd = -1, .out_fd = -1, .pid = -1};
		bench_console_init(&c[i].con);
	}
	struct batch b = {c, k};
	int r = start_batch(x, plan, round, &b, err);
	/* Whatever started is waited for, even after a failure to start. */
	for (unsigned i = 0; i < k; i++)
		c[i].done |= c[i].pid <= 0;
	int w = wait_batch(plan, &b, &x->st);
	if (r == 0 && w == -EINTR)
		r = vmctl_errorf(err, EINTR, "interrupted");
	else if (r == 0 && w < 0)
		r = vmctl_error(err, w, "waiting for %s", plan->s->name);
	if (r == 0) {
		unsigned warm = x->o->warmup;
		record_batch(x, si, round < warm ? UINT32_MAX : round - warm,
			     &b);
	}
	for (unsigned i = 0; i < k; i++)
		child_close(&c[i]);
	x->done += k;
	if (x->progress)
		x->progress(x->done, x->total, plan->s->name, x->pctx);
	return r;
}

static int alloc_samples(struct bench_ctx *x, size_t si)
{
	struct bench_subject *s = x->plan[si].s;
	size_t n = (size_t)x->o->runs * x->o->concurrency;
	s->n_runs = n;
	s->exit_codes = calloc(n, sizeof(int));
	x->batch_rate[si] = malloc(x->o->runs * sizeof(double));
	x->batch_mem[si] = malloc(x->o->runs * sizeof(double));
	if (!s->exit_codes || !x->batch_rate[si] || !x->batch_mem[si])
		return -ENOMEM;
	for (int m = 0; m < METRIC_COUNT; m++) {
		s->samples[m] = malloc(n * sizeof(double));
		if (!s->samples[m])
			return -ENOMEM;
		for (size_t i = 0; i < n; i++)
			s->samples[m][i] = NAN;
	}
	for (unsigned i = 0; i < x->o->runs; i++)
		x->batch_rate[si][i] = x->batch_mem[si][i] = NAN;
	return 0;
}

static int setup_subjects(struct bench_ctx *x, struct vmctl_err *err)
{
	struct bench_result *r = x->r;
	r->subjects = calloc(x->o->n_names, sizeof(*r->subjects));
	if (!r->subjects)
		return vmctl_error(err, ENOMEM, "subjects");
	r->n_subjects = x->o->n_names;
	for (size_t i = 0; i < x->o->n_names; i++) {
		struct bench_subject *s = &r->subjects[i];
		const char *name = x->o->names[i];
		snprintf(s->name, sizeof(s->name), "%s", name);
		s->kind = bench_is_peer(name) ? BENCH_PEER : BENCH_MODE;
		s->vm = !strncmp(name, "vm", 2) || !strcmp(name, "qemu");
		s->starts_per_sec = s->mem_per_instance_bytes = NAN;
		x->plan[i].s = s;
		if (stop_requested(&x->st))
			return vmctl_errorf(err, EINTR, "interrupted");
		bench_prep_subject(&x->prep, x->root, x->o, &x->plan[i]);
		if (!s->skipped[0] && alloc_samples(x, i) < 0)
			return vmctl_error(err, ENOMEM, "samples");
	}
	return 0;
}

/* The baseline must run: a --baseline that was skipped is an error, the
 * default moves on to the first subject that runs. */
static int settle_baseline(struct bench_ctx *x, struct vmctl_err *err)
{
	struct bench_result *r = x->r;
	const struct bench_subject *first = NULL;
	for (size_t i = 0; r->subjects && i < r->n_subjects; i++) {
		const struct bench_subject *s = &r->subjects[i];
		if (!strcmp(s->name, r->baseline) && !s->skipped[0])
			return 0;
		if (!strcmp(s->name, r->baseline) && x->o->baseline_given)
			return vmctl_errorf(err, EINVAL,
					    "--baseline %s cannot run: %s",
					    s->name, s->skipped);
		if (!first && !s->skipped[0])
			first = s;
	}
	if (first)
		snprintf(r->baseline, sizeof(r->baseline), "%s", first->name);
	return 0;
}

size_t bench_round_subject(unsigned round, size_t k, size_t n)
{
	return n ? (k + round) % n : 0;
}

static int run_rounds(struct bench_ctx *x, struct vmctl_err *err)
{
	unsigned rounds = x->o->warmup + x->o->runs, active = 0;
	for (size_t i = 0; i < x->r->n_subjects; i++)
		active += !x->plan[i].s->skipped[0];
	x->total = rounds * active * x->o->concurrency;
	x->expected = x->o->warmup ? -1 : 0;
	for (unsigned round = 0; round < rounds; round++)
		for (size_t k = 0; k < x->r->n_subjects; k++) {
			size_t i = bench_round_subject(round, k, x->r->n_subjects);
			if (x->plan[i].s->skipped[0])
				continue;
			int r = run_batch(x, i, round, err);
			if (r < 0)
				return r;
		}
	return 0;
}

static void aggregate(struct bench_ctx *x)
{
	for (size_t i = 0; i < x->r->n_subjects; i++) {
		struct bench_subject *s = x->plan[i].s;
		if (s->skipped[0] || x->o->concurrency < 2)
			continue;
		s->starts_per_sec =
		    bench_percentile(x->batch_rate[i], x->o->runs, 0.5);
		s->mem_per_instance_bytes =
		    bench_percentile(x->batch_mem[i], x->o->runs, 0.5);
	}
}

static int fill_header(struct bench_result *r, const struct bench_opts *o,
		       const char *const *peer_argv)
{
	snprintf(r->image, sizeof(r->image), "%s", o->image);
	r->argv =
	    strv_dup(o->cmd && o->cmd[0] ? o->cmd : (char *const *)peer_argv);
	r->runs = o->runs;
	r->warmup = o->warmup;
	r->concurrency = o->concurrency;
	snprintf(r->baseline, sizeof(r->baseline), "%s", o->baseline);
	return r->argv ? 0 : -ENOMEM;
}

int bench_run(const char *root, const struct bench_opts *o,
	      bench_progress_fn progress, void *pctx, struct bench_result *r,
	      struct vmctl_err *err)
{
	memset(r, 0, sizeof(*r));
	struct bench_ctx *x = calloc(1, sizeof(*x));
	if (!x)
		return vmctl_error(err, ENOMEM, "bench");
	*x = (struct bench_ctx){
	    .root = root, .o = o, .r = r, .progress = progress, .pctx = pctx};
	bench_prep_init(&x->prep);
	int ret = stopper_install(&x->st, err);
	if (ret < 0) {
		free(x);
		return ret;
	}
	bench_machine_probe(&r->machine);
	ret = bench_prep_begin(&x->prep, root, o, err);
	if (ret == 0 &&
	    fill_header(r, o, (const char *const *)x->prep.peer_argv) < 0)
		ret = vmctl_error(err, ENOMEM, "bench");
	if (ret == 0)
		ret = setup_subjects(x, err);
	if (ret == 0)
		ret = settle_baseline(x, err);
	if (ret == 0)
		ret = run_rounds(x, err);
	if (ret == 0 && stop_requested(&x->st))
		ret = vmctl_errorf(err, EINTR, "interrupted");
	bench_prep_cleanup(&x->prep);
	stopper_remove(&x->st);
	if (ret == 0) {
		aggregate(x);
		bench_result_compute(r);
	}
	for (size_t i = 0; i < BENCH_MAX_SUBJECTS; i++) {
		free(x->batch_rate[i]);
		free(x->batch_mem[i]);
	}
	free(x);
	return ret;
}
