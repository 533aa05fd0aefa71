/* runner.h - one `vmctl run`, from an image name to an exit status.
 *
 * The orchestration both the CLI and a future API server call: resolve the
 * image, record the run on disk, hand it to the container engine or the
 * micro-VM monitor, record the outcome, clean up.  Never prints, never exits
 * (a detached run forks a monitor process, which exits when the run ends).
 */
#ifndef VMCTL_RUNNER_H
#define VMCTL_RUNNER_H

#include "error.h"
#include "spec.h"
#include "state.h"

/* Runs spec to completion (or, with spec->detach, until it started) and
 * fills res.  id (65 bytes) receives the run's id.  Returns 0 when the
 * workload ran (res->exit_code is its status), -errno otherwise
 * (res->exit_code = 125, or 127 for an unknown image command...). */
int runner_run(const char *root, const struct run_spec *spec, int64_t t0_ns,
	       struct run_result *res, char *id, struct vmctl_err *err);

/* Cleans up after runs whose vmctl process died (kill -9): unmounts, removes
 * cgroups, marks them exited (or removes them when they had --rm). */
void runner_reap_stale(const char *root);

/* Removes a run; a running one only with force (it is killed first). */
int runner_remove(const char *root, const char *key, bool force,
		  struct vmctl_err *err);

/* The VM half (common/runner_vm.c). */
struct image;
int runner_run_vm(const char *root, const struct run_spec *spec,
		  const struct ctr_state *st, const struct image *img,
		  char *const *argv, char *const *env, const char *workdir,
		  const char *hostname, int64_t t0_ns, struct run_result *res,
		  struct vmctl_err *err);

#endif
