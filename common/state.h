/* state.h - containers (and VM runs) as records on disk.
 *
 * Each run has a directory <root>/containers/<id>/ holding state.json, its
 * log (detached runs) and whatever its engine keeps there (overlay upper and
 * work dirs); a foreground --rm run's directory is in the run dir instead
 * ($VMCTL_RUN_DIR, meant for a tmpfs: see state.c), which every lookup
 * reads too.  A record names the vmctl process that owns the run (pid and
 * start time, so a reused pid is not mistaken for it); when that process is
 * gone but the record still says "running", the run was killed (kill -9) and
 * the next vmctl command cleans up after it.
 */
#ifndef VMCTL_STATE_H
#define VMCTL_STATE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"

enum ctr_status { ST_CREATED = 0, ST_RUNNING, ST_EXITED };

struct ctr_state {
	char id[65];
	char name[128];
	char dir[PATH_MAX];
	char *image;    /* as the user named it */
	char *image_id; /* the image's config digest, "sha256:..." */
	char **argv;
	enum run_mode mode;
	enum ctr_status status;
	pid_t owner_pid;             /* the vmctl process running it */
	unsigned long long owner_start; /* its start time (clock ticks after boot) */
	pid_t workload_pid;          /* container init / VM monitor thread owner */
	int64_t created, started, finished; /* unix milliseconds */
	int exit_code;
	bool rm, detach;
	char *report_json; /* the run's report, once finished */
};

void ctr_state_free(struct ctr_state *st);

/* 0 for NULL or one of Docker's container names ([a-zA-Z0-9][a-zA-Z0-9_.-]*,
 * under 128 bytes); else -EINVAL with err filled. */
int state_check_name(const char *name, struct vmctl_err *err);
/* Gives st a fresh random id (64 hex digits). */
int state_new_id(struct ctr_state *st, struct vmctl_err *err);
/* The directory st's record goes in (the run dir for a foreground --rm
 * run, see in_run_dir in state.c), created if missing (not its .names:
 * state_create makes that), into buf. */
int state_records_dir(const char *root, const struct ctr_state *st, char *buf,
		      size_t n, struct vmctl_err *err);
/* Allocates an id (unless st has one: state_new_id) and a unique name (the
 * given one, or a generated "adjective_noun"), creates the directory and
 * writes the record. */
int state_create(const char *root, const char *name, struct ctr_state *st,
		 struct vmctl_err *err);
int state_save(const struct ctr_state *st, struct vmctl_err *err);
/* Finds a record by full name, full id or unique id prefix. */
int state_find(const char *root, const char *key, struct ctr_state *st,
	       struct vmctl_err *err);
/* Calls fn for every record, oldest first. */
int state_list(const char *root, int (*fn)(struct ctr_state *st, void *ctx),
	       void *ctx, struct vmctl_err *err);
int state_remove(const struct ctr_state *st, struct vmctl_err *err);

/* True when the record's owner process still runs. */
bool state_owner_alive(const struct ctr_state *st);
/* Start time of pid from /proc/<pid>/stat (0 if gone). */
unsigned long long proc_start_time(pid_t pid);

const char *ctr_status_name(enum ctr_status s);
/* Docker's "Up 3 seconds" / "Exited (0) 2 minutes ago" (pure). */
void state_status_text(const struct ctr_state *st, int64_t now_ms, char *buf,
		       size_t n);

/* Pure: the generated name for a random number. */
void state_name_from_seed(uint32_t seed, char *buf, size_t n);

int64_t wall_ms(void);

#endif
