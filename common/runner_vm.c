#include <errno.h>

#include "runner.h"

int runner_run_vm(const char *root, const struct run_spec *spec,
		  const struct ctr_state *st, char *const *argv,
		  char *const *env, const char *workdir, const char *hostname,
		  const char *const *layer_dirs, size_t n_layers,
		  const char *image_id, int64_t t0_ns, struct run_result *res,
		  struct vmctl_err *err)
{
	res->exit_code = 125;
	return vmctl_errorf(err, ENOSYS, "--mode=vm is not built yet");
}
