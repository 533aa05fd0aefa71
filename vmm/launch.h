/* launch.h - running the monitor in a process of its own.
 *
 * vmctl (the CLI, glibc, cJSON, libcurl... loaded) prepares a VM run and
 * then hands it to bin/vmctl-vmm (vmm/monitor/main.c): a static binary
 * holding only the monitor, so that the process that owns the guest, and
 * whose memory the report calls the monitor's overhead, is no larger than
 * the monitor (as Firecracker is its own small static process).  vmctl
 * waits for it; the workload's output goes straight from the monitor to
 * the inherited stdout/stderr.
 *
 * The request (a struct vm_config) travels in a sealed memfd, the reply (the
 * struct run_result, the return value and the error message) in a pipe.
 * Both sides are this same build of vmctl, so the encoding is the structs'
 * own bytes plus their strings; the decoder still checks every length.
 */
#ifndef VMCTL_VMM_LAUNCH_H
#define VMCTL_VMM_LAUNCH_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/spec.h"
#include "vmm/vmm.h"

#define VM_REQUEST_MAX (1u << 20)

/* PURE: cfg -> a malloc'd buffer (*out, *len).  Returns 0 or -ENOMEM /
 * -E2BIG. */
int vm_request_encode(const struct vm_config *cfg, uint8_t **out, size_t *len);

/* PURE: the reverse; cfg's strings point into buf (which must outlive
 * cfg).  Returns 0 or -EINVAL for anything malformed. */
int vm_request_decode(const uint8_t *buf, size_t len, struct vm_config *cfg);

struct vm_reply {
	int32_t ret; /* vm_run()'s return value */
	struct run_result res;
	char msg[VMCTL_ERR_MAX];
};

/* Runs cfg in the monitor binary at monitor_path and waits for it.  Same
 * contract as vm_run() (vmm.h).  cfg->stop_fd, when it becomes readable,
 * is forwarded to the monitor as SIGTERM (the monitor also gets a Ctrl-C
 * from the terminal itself, being in our process group). */
int vm_run_in_monitor(const char *monitor_path, const struct vm_config *cfg,
		      struct run_result *res, struct vmctl_err *err);

#endif
