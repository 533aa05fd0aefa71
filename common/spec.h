/* spec.h - a workload to run, independent of the mode that runs it.
 *
 * The CLI fills a struct run_spec from its flags (cli/args.c, pure); the
 * orchestration in common/run.c resolves the image and hands the spec to the
 * container engine (container/) or the micro-VM monitor (vmm/).  Both engines
 * fill the same struct run_result, so the two modes report side by side.
 */
#ifndef VMCTL_SPEC_H
#define VMCTL_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum run_mode { MODE_CONTAINER = 0, MODE_VM = 1 };
enum report_format { REPORT_NONE = 0, REPORT_TEXT, REPORT_JSON };

struct volume {
	char *host; /* absolute host path */
	char *path; /* absolute path inside the workload's root */
	bool ro;
};

struct run_spec {
	enum run_mode mode;
	char *image;      /* image reference as given */
	char **argv;      /* NULL-terminated command; NULL: the image's default */
	char **env;       /* NULL-terminated "K=V" list (may be NULL) */
	char *workdir;    /* NULL: image default or "/" */
	char *hostname;   /* NULL: derived from the container id */
	char *name;       /* NULL: generated */
	uint64_t memory_bytes; /* 0: unlimited (container) / 128 MiB (vm) */
	double cpus;           /* 0: unlimited (container) / 1 vCPU (vm) */
	int64_t pids_limit;    /* 0: unlimited */
	struct volume *volumes;
	size_t n_volumes;
	unsigned timeout_sec; /* 0: none */
	bool rm, detach, tty, interactive;
	bool no_entrypoint; /* argv is the whole command (build's RUN): the
			       image's Entrypoint is not prepended */
	enum report_format report;
	char *kernel; /* --kernel PATH (vm): NULL means the built-in guest kernel */
	bool cold_boot; /* --boot=cold (vm): boot, never restore a boot snapshot */
};

void run_spec_free(struct run_spec *spec);

/* Boot/start phases, as CLOCK_MONOTONIC nanoseconds (0 = not reached). */
enum run_phase {
	PHASE_START = 0,     /* vmctl run began (the t0 of every figure) */
	PHASE_CREATED,       /* namespaces cloned / VM and vCPUs created */
	PHASE_KERNEL_ENTRY,  /* vm: first KVM_RUN */
	PHASE_INIT_STARTED,  /* vm: guest init reported it is running */
	PHASE_EXEC,          /* workload exec'd */
	PHASE_EXIT,          /* workload exited */
	PHASE_COUNT
};

struct run_result {
	int exit_code;        /* Docker's convention: status, 128+sig, 125/126/127 */
	int64_t phase_ns[PHASE_COUNT];
	uint64_t peak_bytes;     /* container: cgroup peak; vm: monitor peak RSS */
	uint64_t overhead_bytes; /* the runtime's own RSS (vm: outside guest RAM) */
	uint64_t guest_bytes;    /* vm: guest RAM touched; container: 0 */
	char kernel_release[65]; /* vm: the guest's, if reported */
	enum vm_boot { BOOT_NONE = 0, BOOT_COLD, BOOT_SNAPSHOT } boot; /* vm */
	bool snapshot_saved;     /* vm: this run saved a boot snapshot */
	char snapshot_error[160]; /* vm: why the snapshot it tried to save was not */
};

#endif
