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
#include <unistd.h>

#include "images/diskimage.h"
#include "images/initramfs.h"
#include "images/kernel.h"
#include "runner.h"
#include "util.h"
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

static int build_initramfs(const struct ctr_state *st, char *const *argv,
			   char *const *env, const char *workdir,
			   const char *hostname, const char *user,
			   const char *const *layer_dirs, size_t n_layers,
			   char *out, size_t n,
			   struct vmctl_err *err)
{
	char init[PATH_MAX];
	if (vmctl_data_path("bin/vmctl-init", init, sizeof(init)) < 0)
		return vmctl_errorf(err, ENOENT,
				    "the guest init (vmctl-init) is missing: run `make`");
	if (xsnprintf(out, n, "%s/initramfs.cpio", st->dir) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "state path too long");
	struct initramfs_workload wl = {
		.argv = argv, .env = env, .workdir = workdir, .hostname = hostname,
		.user = user};
	return initramfs_build(layer_dirs, n_layers, init, &wl, out, err);
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

/* --cpus 1.5 gives the guest 2 vCPUs (ceil, without libm). */
static int vcpus_for(double cpus)
{
	if (!(cpus > 0))
		return 1;
	int whole = (int)cpus;
	return whole < cpus ? whole + 1 : whole;
}

int runner_run_vm(const char *root, const struct run_spec *spec,
		  const struct ctr_state *st, char *const *argv,
		  char *const *env, const char *workdir, const char *hostname,
		  const char *user, const char *const *layer_dirs, size_t n_layers,
		  const char *image_id, int64_t t0_ns, struct run_result *res,
		  struct vmctl_err *err)
{
	res->exit_code = 125;
	char kernel[PATH_MAX], initrd[PATH_MAX], disk[PATH_MAX] = "";
	/* VMCTL_VM_ROOT=initramfs puts the whole image in the initramfs (for
	 * comparison); the default boots from a virtio-blk disk of the image. */
	const char *how = getenv("VMCTL_VM_ROOT");
	bool disk_root = !(how && !strcmp(how, "initramfs"));
	/* /dev/kvm first: its absence must not be reported as whatever
	 * preparing the root disk stumbles on. */
	int r = vm_probe_kvm(err);
	if (r == 0)
		r = locate_kernel(spec, kernel, sizeof(kernel), err);
	if (r == 0 && disk_root)
		r = prepare_disk(root, layer_dirs, n_layers, image_id, disk,
				 sizeof(disk), err);
	if (r == 0)
		r = build_initramfs(st, argv, env, workdir, hostname, user, layer_dirs,
				    disk_root ? 0 : n_layers, initrd, sizeof(initrd), err);
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
	struct vm_config cfg = {
		.kernel_path = kernel,
		.initramfs_path = initrd,
		.disk_path = disk_root ? disk : NULL,
		.disk_snapshot = true,
		.extra_cmdline = extra[0] ? extra : NULL,
		.mem_bytes = spec->memory_bytes,
		.vcpus = vcpus_for(spec->cpus),
		.timeout_sec = spec->timeout_sec,
		.t0_ns = t0_ns,
		.console_fd = STDOUT_FILENO,
		.verbose_console = getenv("VMCTL_VM_CONSOLE") != NULL,
		.stop_fd = pfd[0],
		.profile_path = getenv("VMCTL_VM_PROFILE"),
	};
	r = vm_run(&cfg, res, err);

	restore_handlers(old);
	sigaction(SIGPIPE, &old_pipe, NULL);
	stop_pipe_w = -1;
	unsigned char sig = 0;
	/* Stopped by a signal: exit as the workload would have, 128+N. */
	if (read(pfd[0], &sig, 1) == 1 && sig)
		res->exit_code = 128 + sig;
	close(pfd[0]);
	close(pfd[1]);
	unlink(initrd); /* the per-run archive; the image part stays cached */
	return r;
}
