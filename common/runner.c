#include "runner.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "container/container.h"
#include "images/store.h"
#include "report.h"
#include "strv.h"
#include "util.h"

/* Everything one run needs, resolved before anything is created. */
struct run_plan {
	const char *root;
	const struct run_spec *spec;
	int64_t t0_ns;
	struct image img;
	char **argv;
	char **env;
	char hostname[65];
	struct ctr_state st;
	struct container_net *net; /* started early for a foreground container */
	/* A foreground --rm container's record is written while its init sets
	 * up (write_record as the engine's on_record): its writable layer is
	 * a tmpfs the init mounts over the records dir, not the record's. */
	bool record_late;
	char records_dir[PATH_MAX];
	bool reaped; /* runs left by a killed vmctl: cleaned (reap_stale_once) */
};

static void run_plan_free(struct run_plan *p)
{
	image_free(&p->img);
	strv_free(p->argv);
	strv_free(p->env);
	ctr_state_free(&p->st);
	container_net_release(p->net);
}

/* What a vmctl killed by SIGKILL left behind is cleaned by the next
 * command.  A foreground container run does it once its workload has
 * started (record_started): reading every record first thing would put
 * that scan, which grows with the number of kept containers, in front of
 * the start.  Sooner when the name it wants is taken: it may be a dead
 * run's (create_state). */
static void reap_stale_once(struct run_plan *p)
{
	if (p->reaped)
		return;
	p->reaped = true;
	runner_reap_stale(p->root);
}

/* A late record without --name is written only once the workload started
 * (record_started): nothing to refuse it then, and the record's files and
 * JSON no longer share the CPU with the init's mounts (-0.1 ms median
 * here).  A vmctl killed in between leaves an empty cgroup without a
 * record: container_reap_orphans() finds it. */
static bool record_after_start(const struct run_plan *p)
{
	return p->record_late && !p->spec->name;
}

static int create_state(struct run_plan *p, struct vmctl_err *err)
{
	int r = state_create(p->root, p->spec->name, &p->st, err);
	if (r == -EEXIST && p->spec->name && !p->reaped) {
		reap_stale_once(p);
		vmctl_error_clear(err);
		r = state_create(p->root, p->spec->name, &p->st, err);
	}
	return r;
}

/* A detached run's record names its workload so that `rm -f` can kill it.
 * A foreground run skips the write (it is on the measured path): `rm -f`
 * stops it through its owner, which forwards the signal.  The workload
 * runs on the other CPU meanwhile: the time to clean up after a killed
 * vmctl. */
static void record_started(void *ctx, pid_t pid)
{
	struct run_plan *p = ctx;
	p->st.workload_pid = pid;
	if (!p->spec->detach) {
		/* Failing leaves the run unlisted by ps; it goes on. */
		struct vmctl_err ignored;
		if (record_after_start(p))
			create_state(p, &ignored);
		reap_stale_once(p);
		return;
	}
	struct vmctl_err ignored;
	state_save(&p->st, &ignored);
}

static int check_volumes(const struct run_spec *spec, struct vmctl_err *err)
{
	for (size_t i = 0; i < spec->n_volumes; i++) {
		struct stat st;
		if (stat(spec->volumes[i].host, &st) < 0)
			return vmctl_error(err, errno, "invalid volume: host path %s",
					   spec->volumes[i].host);
	}
	return 0;
}

static int write_record(void *ctx, struct vmctl_err *err)
{
	return create_state(ctx, err);
}

static int run_container(struct run_plan *p, struct run_result *res,
			 struct vmctl_err *err)
{
	const struct run_spec *s = p->spec;
	char cache[PATH_MAX];
	if (xsnprintf(cache, sizeof(cache), "%s/cache", p->root) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "root path too long");
	struct container_config cfg = {
		.id = p->st.id,
		.state_dir = p->record_late ? p->records_dir : p->st.dir,
		.cache_dir = cache,
		.lower_dirs = (const char *const *)p->img.layer_dirs,
		.n_lower = p->img.n_layers,
		.argv = p->argv,
		.env = p->env,
		.workdir = s->workdir ? s->workdir : (p->img.workdir ? p->img.workdir : "/"),
		.hostname = p->hostname,
		.user = p->img.user,
		.memory_bytes = s->memory_bytes,
		.cpus = s->cpus,
		.pids_limit = s->pids_limit,
		.volumes = s->volumes,
		.n_volumes = s->n_volumes,
		.ephemeral_layer = s->rm,
		.net = p->net,
		.tty = s->tty,
		.interactive = s->interactive,
		.timeout_sec = s->timeout_sec,
		.t0_ns = p->t0_ns,
		.on_started = record_started,
		.on_record = p->record_late && !record_after_start(p) ? write_record : NULL,
		.ctx = p,
	};
	return container_run(&cfg, res, err);
}

static int run_engine(struct run_plan *p, struct run_result *res,
		      struct vmctl_err *err)
{
	if (p->spec->mode == MODE_CONTAINER)
		return run_container(p, res, err);
	const struct run_spec *s = p->spec;
	return runner_run_vm(p->root, s, &p->st, &p->img, p->argv, p->env,
			     s->workdir ? s->workdir : (p->img.workdir ? p->img.workdir : "/"),
			     p->hostname, p->t0_ns, res, err);
}

/* Records the outcome; a --rm run disappears instead. */
static void finish_run(struct run_plan *p, const struct run_result *res)
{
	struct vmctl_err ignored;
	if (p->spec->rm) {
		state_remove(&p->st, &ignored);
		return;
	}
	p->st.status = ST_EXITED;
	p->st.exit_code = res->exit_code;
	p->st.finished = wall_ms();
	free(p->st.report_json);
	p->st.report_json = report_format_json(p->spec->mode, res);
	state_save(&p->st, &ignored);
}

static int plan_run(struct run_plan *p, struct vmctl_err *err)
{
	const struct run_spec *s = p->spec;
	int r = image_open(p->root, s->image, &p->img, err);
	if (r < 0)
		return r;
	if (s->no_entrypoint && s->argv && s->argv[0])
		p->argv = strv_dup(s->argv);
	else
		p->argv = image_resolve_argv(&p->img, s->argv, err);
	if (!p->argv)
		return s->no_entrypoint ? vmctl_error(err, ENOMEM, "argv")
					: -EINVAL;
	if (s->mode == MODE_VM && s->n_volumes)
		return vmctl_errorf(err, ENOTSUP,
				    "-v is not supported yet in --mode=vm (the guest has its own disk)");
	return check_volumes(s, err);
}

/* Written now, or (record_late) only checked and given its id and its
 * records dir, which the init mounts over; the engine writes it. */
static int record_now_or_prepare(struct run_plan *p, struct vmctl_err *err)
{
	const struct run_spec *s = p->spec;
	if (!p->record_late)
		return create_state(p, err);
	/* A late record still refuses a bad name before anything starts. */
	if (state_check_name(s->name, err) < 0)
		return -err->code;
	int r = state_records_dir(p->root, &p->st, p->records_dir,
				  sizeof(p->records_dir), err);
	return r < 0 ? r : state_new_id(&p->st, err);
}

/* The record, complete before it is first written (one write), and what
 * derives from its id. */
static int create_record(struct run_plan *p, struct vmctl_err *err)
{
	const struct run_spec *s = p->spec;
	p->st.image = strdup(s->image);
	p->st.image_id = p->img.id ? strdup(p->img.id) : NULL;
	p->st.argv = strv_dup(p->argv);
	if (!p->st.image || !p->st.argv)
		return vmctl_error(err, ENOMEM, "preparing the run");
	p->st.mode = s->mode;
	p->st.rm = s->rm;
	p->st.detach = s->detach;
	p->st.status = ST_RUNNING;
	p->st.started = wall_ms();
	p->record_late = s->mode == MODE_CONTAINER && s->rm && !s->detach;
	int r = record_now_or_prepare(p, err);
	if (r < 0)
		return r;
	snprintf(p->hostname, sizeof(p->hostname), "%s",
		 s->hostname ? s->hostname : p->st.id);
	if (!s->hostname)
		p->hostname[12] = '\0'; /* Docker's short id */
	/* With a User, HOME comes from its passwd entry (the init's part). */
	bool has_user = p->img.user && *p->img.user;
	p->env = image_merge_env_home(p->img.env, s->env, p->hostname,
				      has_user ? NULL : "/root");
	if (!p->env) {
		if (!p->record_late)
			state_remove(&p->st, err);
		return vmctl_error(err, ENOMEM, "preparing the run");
	}
	return 0;
}

/* The detached run's monitor: a session leader of its own whose output goes
 * to the run's log; it lives until the workload exits. */
static void detached_monitor(struct run_plan *p, int ready_fd)
{
	setsid();
	char log[PATH_MAX];
	snprintf(log, sizeof(log), "%s/log", p->st.dir);
	int out = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (out < 0 || in < 0)
		_exit(125);
	dup2(in, 0);
	dup2(out, 1);
	dup2(out, 2);
	close(in);
	close(out);
	/* The record now names this process as the owner. */
	p->st.owner_pid = getpid();
	p->st.owner_start = proc_start_time(p->st.owner_pid);
	struct vmctl_err err = {0};
	state_save(&p->st, &err);
	/* Tell the waiting CLI that the run is set up; it prints the id. */
	if (write(ready_fd, "1", 1) < 0) {
		/* The CLI is gone; the run goes on regardless. */
	}
	close(ready_fd);
	struct run_result res = {.exit_code = 125};
	res.phase_ns[PHASE_START] = p->t0_ns;
	if (run_engine(p, &res, &err) < 0)
		dprintf(2, "vmctl: %s\n", err.msg);
	finish_run(p, &res);
	_exit(0);
}

static int start_detached(struct run_plan *p, struct run_result *res,
			  struct vmctl_err *err)
{
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return vmctl_error(err, errno, "pipe");
	pid_t pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return vmctl_error(err, errno, "fork");
	}
	if (pid == 0) {
		close(pfd[0]);
		/* A second fork so the monitor is not our child: the CLI exits
		 * at once and the monitor is reparented to init. */
		pid_t mon = fork();
		if (mon == 0)
			detached_monitor(p, pfd[1]);
		_exit(mon < 0 ? 1 : 0);
	}
	close(pfd[1]);
	waitpid(pid, NULL, 0);
	char c;
	ssize_t n = read(pfd[0], &c, 1);
	close(pfd[0]);
	if (n != 1)
		return vmctl_errorf(err, EIO, "the detached run failed to start (see vmctl logs %s)",
				    p->st.name);
	res->exit_code = 0;
	return 0;
}

int runner_run(const char *root, const struct run_spec *spec, int64_t t0_ns,
	       struct run_result *res, char *id, struct vmctl_err *err)
{
	memset(res, 0, sizeof(*res));
	res->exit_code = 125;
	res->phase_ns[PHASE_START] = t0_ns;
	struct run_plan p = {.root = root, .spec = spec, .t0_ns = t0_ns};
	/* A foreground container's network namespace is made by a helper
	 * process from now on, while the image is read and the record written
	 * (a detached run forks first, so its engine starts its own).  It
	 * cleans up after killed runs once its workload started; the others
	 * first. */
	bool foreground_container = spec->mode == MODE_CONTAINER && !spec->detach;
	if (foreground_container && container_net_start(&p.net, err) < 0)
		return -err->code;
	if (!foreground_container)
		reap_stale_once(&p);
	int r = plan_run(&p, err);
	if (r == 0)
		r = create_record(&p, err);
	if (r == 0) {
		snprintf(id, 65, "%s", p.st.id);
		if (spec->detach) {
			r = start_detached(&p, res, err);
		} else {
			r = run_engine(&p, res, err);
			finish_run(&p, res);
		}
	}
	reap_stale_once(&p); /* the run failed before its workload started */
	run_plan_free(&p);
	return r;
}

static void cleanup_engine(const struct ctr_state *st)
{
	struct vmctl_err ignored;
	if (st->mode == MODE_CONTAINER)
		container_cleanup(st->id, st->dir, &ignored);
}

/* Every record's id, for container_reap_orphans(). */
struct seen_ids {
	char **ids;
	size_t n;
};

static void remember_id(struct seen_ids *seen, const char *id)
{
	char **grown = realloc(seen->ids, (seen->n + 1) * sizeof(*grown));
	if (!grown)
		return;
	seen->ids = grown;
	if ((seen->ids[seen->n] = strdup(id)))
		seen->n++;
}

static int reap_cb(struct ctr_state *st, void *ctx)
{
	remember_id(ctx, st->id);
	if (st->status == ST_EXITED || state_owner_alive(st))
		return 0;
	/* Its vmctl died without finishing (kill -9): undo what it left. */
	cleanup_engine(st);
	struct vmctl_err ignored;
	if (st->rm) {
		state_remove(st, &ignored);
		return 0;
	}
	st->status = ST_EXITED;
	st->exit_code = 128 + SIGKILL;
	st->finished = wall_ms();
	state_save(st, &ignored);
	return 0;
}

void runner_reap_stale(const char *root)
{
	struct vmctl_err ignored;
	struct seen_ids seen = {0};
	/* Only when every record was read: an unread one may own a cgroup. */
	if (state_list(root, reap_cb, &seen, &ignored) == 0)
		container_reap_orphans((const char *const *)seen.ids, seen.n);
	for (size_t i = 0; i < seen.n; i++)
		free(seen.ids[i]);
	free(seen.ids);
}

/* Waits up to ~5 s for the owner of a run to go away. */
static bool wait_owner_gone(const struct ctr_state *st)
{
	for (int i = 0; i < 500; i++) {
		if (!state_owner_alive(st))
			return true;
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	return false;
}

int runner_remove(const char *root, const char *key, bool force,
		  struct vmctl_err *err)
{
	struct ctr_state st;
	int r = state_find(root, key, &st, err);
	if (r < 0)
		return r;
	if (st.status != ST_EXITED && state_owner_alive(&st)) {
		if (!force) {
			r = vmctl_errorf(err, EBUSY,
					 "cannot remove running container %s: stop it or use rm -f",
					 st.name);
			ctr_state_free(&st);
			return r;
		}
		/* Killing the workload makes its owner finish and clean up;
		 * the owner itself is told too in case the workload is gone. */
		if (st.workload_pid > 0)
			kill(st.workload_pid, SIGKILL);
		kill(st.owner_pid, SIGTERM);
		if (!wait_owner_gone(&st))
			kill(st.owner_pid, SIGKILL);
		wait_owner_gone(&st);
	}
	cleanup_engine(&st);
	r = state_remove(&st, err);
	ctr_state_free(&st);
	return r;
}
