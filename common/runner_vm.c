/* runner_vm.c - the VM half of a run: kernel, root file system, monitor.
 *
 * The same image and command as container mode become a guest kernel plus
 * an initramfs (the image's layers, cached per image, and a tiny per-run
 * archive with the workload's argv/env/workdir/hostname), booted by vmctl's
 * own monitor (vmm/).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "images/diskimage.h"
#include "images/initramfs.h"
#include "images/kernel.h"
#include "images/store.h"
#include "cleanup.h"
#include "memo.h"
#include "strv.h"
#include "runner.h"
#include "util.h"
#include "vmm/launch.h"
#include "vmm/milestone.h"
#include "vmm/vmm.h"

/* Ctrl-C and SIGTERM stop the guest: the handler only writes the signal
 * number into a pipe that vm_run() watches (async-signal-safe). */
static int stop_pipe_w = -1;

static void on_stop_signal(int sig)
{
	int saved = errno;
	unsigned char b = (unsigned char)sig;
	if (stop_pipe_w >= 0 && write(stop_pipe_w, &b, 1) < 0) {
		/* the pipe is full: a stop is already pending */
	}
	errno = saved;
}

static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
#define N_STOP_SIGNALS (sizeof(stop_signals) / sizeof(stop_signals[0]))

static void install_stop_handlers(struct sigaction *old)
{
	struct sigaction sa = {.sa_handler = on_stop_signal};
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < N_STOP_SIGNALS; i++)
		sigaction(stop_signals[i], &sa, &old[i]);
}

static void restore_handlers(const struct sigaction *old)
{
	for (size_t i = 0; i < N_STOP_SIGNALS; i++)
		sigaction(stop_signals[i], &old[i], NULL);
}

static int locate_kernel(const struct run_spec *spec, char *path, size_t n,
			 struct vmctl_err *err)
{
	if (spec->kernel) {
		if (access(spec->kernel, R_OK) < 0)
			return vmctl_error(err, errno, "--kernel %s", spec->kernel);
		return xsnprintf(path, n, "%s", spec->kernel) < 0
			       ? vmctl_errorf(err, ENAMETOOLONG, "--kernel path too long")
			       : 0;
	}
	return guest_kernel_locate(path, n, err);
}

/* How this run brings its guest up.  The hand-off (the workload's config
 * through the monitor, vmm/devices/handoff.h) needs our own kernel (port
 * access for the init) and the default output path; boot snapshots need
 * the hand-off and one vCPU, and are on unless --boot=cold or
 * VMCTL_VM_SNAPSHOT=0 (or a debugging aid that must see a real boot is on). */
struct vm_boot_plan {
	bool handoff, snapshot;
	char config[65536];
	int config_len;
	char key[8192];
	char dir[PATH_MAX];
};

static int guest_init_path(char *init, size_t n, struct vmctl_err *err)
{
	if (vmctl_data_path("bin/vmctl-init", init, n) < 0)
		return vmctl_errorf(err, ENOENT,
				    "the guest init (vmctl-init) is missing: run `make`");
	return 0;
}

static int build_initramfs(const struct ctr_state *st,
			   const struct initramfs_workload *wl,
			   const char *const *layer_dirs, size_t n_layers,
			   char *out, size_t n, struct vmctl_err *err)
{
	char init[PATH_MAX];
	int r = guest_init_path(init, sizeof(init), err);
	if (r < 0)
		return r;
	if (xsnprintf(out, n, "%s/initramfs.cpio", st->dir) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "state path too long");
	return initramfs_build(layer_dirs, n_layers, init, wl, out, err);
}

/* With the hand-off the initramfs is the init alone (cached, shared by
 * every image) and the workload's config goes to the monitor. */
static int handoff_initramfs(const char *const *layer_dirs,
			     const struct initramfs_workload *wl, char *out,
			     size_t n, struct vm_boot_plan *plan,
			     struct vmctl_err *err)
{
	char init[PATH_MAX];
	int r = guest_init_path(init, sizeof(init), err);
	if (r < 0)
		return r;
	plan->config_len = initramfs_config_format(wl, plan->config,
						   sizeof(plan->config) - 256);
	if (plan->config_len < 0)
		return vmctl_errorf(err, E2BIG,
				    "the command and environment are too large for the VM");
	return initramfs_cached_image(layer_dirs, 0, init, out, n, err);
}

/* The image as an ext4 disk for virtio-blk: built once per image (cached by
 * its id) and booted as a snapshot (VIRTIO_BLK_SNAPSHOT): the guest's writes
 * go to an unnamed overlay file of that run and never reach the cached disk.
 * (A per-run copy did the same and cost ~2 ms of every start.)
 * Booting from it instead of an initramfs that holds the whole image saves
 * seconds here: the guest kernel unpacks each initramfs entry under the
 * emulator (~20 ms per entry; busybox alone has 268 applet links). */
static int prepare_disk(const char *root, const char *const *layer_dirs, size_t n_layers,
			const char *image_id, char *out, size_t n,
			struct vmctl_err *err)
{
	char dir[PATH_MAX];
	const char *hex = image_id && !strncmp(image_id, "sha256:", 7) ? image_id + 7 : image_id;
	if (!hex || !*hex)
		return vmctl_errorf(err, EINVAL, "the image has no id");
	if (xsnprintf(dir, sizeof(dir), "%s/cache/disk", root) < 0 ||
	    xsnprintf(out, n, "%s/%s.ext4", dir, hex) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "store path too long");
	if (access(out, R_OK) == 0)
		return 0;
	int r = mkdir_p(dir, 0700);
	if (r < 0)
		return vmctl_error(err, r, "creating %s", dir);
	return disk_image_build(layer_dirs, n_layers, out, 0, err);
}

static void plan_boot(const struct run_spec *spec, bool disk_root,
		      struct vm_boot_plan *p)
{
	const char *snap = getenv("VMCTL_VM_SNAPSHOT");
	p->handoff = disk_root && !spec->kernel && !getenv("VMCTL_VM_OUTPUT") &&
		     !getenv("VMCTL_VM_CONSOLE");
	p->snapshot = p->handoff && spec->cpus <= 1 && !spec->cold_boot &&
		      !getenv("VMCTL_VM_PROFILE") && !(snap && !strcmp(snap, "0"));
}

/* Each image, memory size or vmctl build gets its own snapshot (~10-15 MiB
 * of saved guest pages), and a new build or image leaves the old ones
 * unused: before a run saves one more, only the newest SNAPSHOTS_KEPT - 1
 * stay.  A run restoring from one that goes away keeps its open files. */
#define SNAPSHOTS_KEPT 8

static void prune_snapshots(const char *dir)
{
	dir_keep_newest(dir, "", 0, SNAPSHOTS_KEPT - 1);
}

/* The snapshot's key names everything its boot depended on: this vmctl
 * binary and the monitor's (device layouts, the base command line), the kernel, the
 * initramfs, the disk image, the memory size and the extra command line.
 * Its directory is named after a hash of it; the key itself is checked on
 * restore. */
static int snapshot_key(const char *root, const char *monitor, const char *kernel,
			const char *initrd, const char *disk,
			const struct run_spec *spec, const char *extra,
			struct vm_boot_plan *p)
{
	size_t off = 0;
	int r = memo_fingerprint_add(p->key, sizeof(p->key), &off, "/proc/self/exe");
	if (r == 0)
		r = memo_fingerprint_add(p->key, sizeof(p->key), &off, monitor);
	if (r == 0)
		r = memo_fingerprint_add(p->key, sizeof(p->key), &off, kernel);
	if (r == 0)
		r = memo_fingerprint_add(p->key, sizeof(p->key), &off, initrd);
	if (r == 0)
		r = memo_fingerprint_add(p->key, sizeof(p->key), &off, disk);
	if (r == 0 && xsnprintf(p->key + off, sizeof(p->key) - off,
				"mem %llu\ncmdline %s\n",
				(unsigned long long)spec->memory_bytes,
				extra ? extra : "") < 0)
		r = -ENAMETOOLONG;
	char dir[PATH_MAX];
	if (r == 0 && xsnprintf(dir, sizeof(dir), "%s/cache/vm-snapshot", root) == 0 &&
	    memo_path(p->dir, sizeof(p->dir), dir, "boot", p->key) == 0 &&
	    mkdir_p(dir, 0700) == 0) {
		if (access(p->dir, F_OK) < 0)
			prune_snapshots(dir); /* this run will save one */
		return 0;
	}
	return r < 0 ? r : -ENAMETOOLONG;
}

/* A boot that saves a snapshot reads the image's default command into the
 * guest's page cache first (the init's vmctl_warm): every restored run then
 * finds it there.  Part of the command line, hence of the snapshot's key.
 * Names that are no single command-line word are left out. */
static void add_warm_word(const struct image *img, char *extra, size_t n)
{
	struct vmctl_err ignored;
	cleanup_strv char **argv = image_resolve_argv(img, NULL, &ignored);
	if (!argv || !argv[0] || !argv[0][0] || strlen(argv[0]) > 256 ||
	    strpbrk(argv[0], " \t\n\"'\\"))
		return;
	size_t len = strlen(extra);
	snprintf(extra + len, n - len, "%s%s=%s", len ? " " : "", MS_ENV_WARM,
		 argv[0]);
}

static unsigned boot_timeout_from_env(void)
{
	const char *s = getenv("VMCTL_VM_BOOT_TIMEOUT");
	char *end;
	unsigned long v = s ? strtoul(s, &end, 10) : 0;
	return s && *s && !*end && v > 0 && v < 86400 ? (unsigned)v : 0;
}

/* --cpus 1.5 gives the guest 2 vCPUs (ceil, without libm). */
static int vcpus_for(double cpus)
{
	if (!(cpus > 0))
		return 1;
	int whole = (int)cpus;
	return whole < cpus ? whole + 1 : whole;
}

int runner_run_vm(const char *root, const struct run_spec *spec,
		  const struct ctr_state *st, const struct image *img,
		  char *const *argv, char *const *env, const char *workdir,
		  const char *hostname, int64_t t0_ns, struct run_result *res,
		  struct vmctl_err *err)
{
	const char *const *layer_dirs = (const char *const *)img->layer_dirs;
	size_t n_layers = img->n_layers;
	const char *user = img->user;
	res->exit_code = 125;
	char kernel[PATH_MAX], initrd[PATH_MAX], disk[PATH_MAX] = "";
	/* VMCTL_VM_ROOT=initramfs puts the whole image in the initramfs (for
	 * comparison); the default boots from a virtio-blk disk of the image. */
	const char *how = getenv("VMCTL_VM_ROOT");
	bool disk_root = !(how && !strcmp(how, "initramfs"));
	/* /dev/kvm first: its absence must not be reported as whatever
	 * preparing the root disk stumbles on. */
	char monitor[PATH_MAX];
	int r = vm_probe_kvm(err);
	if (r == 0 && vmctl_data_path("bin/vmctl-vmm", monitor, sizeof(monitor)) < 0)
		r = vmctl_errorf(err, ENOENT,
				 "the monitor (vmctl-vmm) is missing: run `make`");
	if (r == 0)
		r = locate_kernel(spec, kernel, sizeof(kernel), err);
	if (r == 0 && disk_root)
		r = prepare_disk(root, layer_dirs, n_layers, img->id, disk,
				 sizeof(disk), err);
	static struct vm_boot_plan plan;
	plan_boot(spec, disk_root, &plan);
	struct initramfs_workload wl = {.argv = argv, .env = env, .workdir = workdir,
					.hostname = hostname, .user = user};
	if (r == 0 && plan.handoff)
		r = handoff_initramfs(layer_dirs, &wl, initrd, sizeof(initrd),
				      &plan, err);
	else if (r == 0)
		r = build_initramfs(st, &wl, layer_dirs, disk_root ? 0 : n_layers,
				    initrd, sizeof(initrd), err);
	if (r < 0)
		return r;

	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC | O_NONBLOCK) < 0)
		return vmctl_error(err, errno, "pipe");
	stop_pipe_w = pfd[1];
	struct sigaction old[N_STOP_SIGNALS];
	install_stop_handlers(old);
	/* A reader of our stdout that goes away (`| head -1`) must not kill
	 * the monitor: the devices drop the bytes, as a UART would. */
	struct sigaction ign = {.sa_handler = SIG_IGN}, old_pipe;
	sigaction(SIGPIPE, &ign, &old_pipe);

	/* VMCTL_VM_CMDLINE: more guest kernel arguments (debugging: e.g.
	 * "loglevel=8 printk.time=1" with VMCTL_VM_CONSOLE=1), last so they
	 * override ours. */
	char extra[1024];
	const char *user_args = getenv("VMCTL_VM_CMDLINE");
	snprintf(extra, sizeof(extra), "%s%s%s", disk_root ? "vmctl_root=vda" : "",
		 user_args && disk_root ? " " : "", user_args ? user_args : "");
	if (plan.snapshot)
		add_warm_word(img, extra, sizeof(extra));
	/* No usable key (a path too long): boot without a snapshot. */
	if (plan.snapshot &&
	    snapshot_key(root, monitor, kernel, initrd, disk, spec, extra, &plan) < 0)
		plan.snapshot = false;
	struct vm_config cfg = {
		.kernel_path = kernel,
		.initramfs_path = initrd,
		.disk_path = disk_root ? disk : NULL,
		.disk_snapshot = true,
		.extra_cmdline = extra[0] ? extra : NULL,
		.mem_bytes = spec->memory_bytes,
		.vcpus = vcpus_for(spec->cpus),
		.timeout_sec = spec->timeout_sec,
		/* VMCTL_VM_BOOT_TIMEOUT: seconds for the guest's init to report
		 * (slower hosts; tests) */
		.boot_timeout_sec = boot_timeout_from_env(),
		.t0_ns = t0_ns,
		.console_fd = STDOUT_FILENO,
		.verbose_console = getenv("VMCTL_VM_CONSOLE") != NULL,
		.stop_fd = pfd[0],
		.profile_path = getenv("VMCTL_VM_PROFILE"),
		.handoff_config = plan.handoff ? plan.config : NULL,
		.handoff_len = plan.handoff ? (size_t)plan.config_len : 0,
		.snapshot_dir = plan.snapshot ? plan.dir : NULL,
		.snapshot_key = plan.snapshot ? plan.key : NULL,
	};
	/* The VM runs in the monitor's own small process (vmm/launch.h). */
	r = vm_run_in_monitor(monitor, &cfg, res, err);

	restore_handlers(old);
	sigaction(SIGPIPE, &old_pipe, NULL);
	stop_pipe_w = -1;
	unsigned char sig = 0;
	/* Stopped by a signal: exit as the workload would have, 128+N. */
	if (read(pfd[0], &sig, 1) == 1 && sig)
		res->exit_code = 128 + sig;
	close(pfd[0]);
	close(pfd[1]);
	if (!plan.handoff)
		unlink(initrd); /* the per-run archive; the image part stays cached */
	return r;
}
