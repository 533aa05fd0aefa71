/* peers.c - how each subject is run: the commands (pure) and what they need
 * prepared once (a flattened rootfs, an OCI bundle, crun's mount namespace,
 * QEMU's kernel, initrd and root disk). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "common/cleanup.h"
#include "common/runner.h"
#include "common/strv.h"
#include "common/util.h"
#include "images/diskimage.h"
#include "images/flatten.h"
#include "images/initramfs.h"
#include "images/kernel.h"
#include "images/store.h"
#include "prep.h"
#include "vmm/vmm.h"

/* What wait4's ru_maxrss is for a peer. */
#define MAXRSS_NOTE                                                            \
	"wait4 max RSS of the runtime or its largest reaped child (it "        \
	"includes the harness's ~0.2 MiB of anonymous pages a fork copies)"

#define VM_MEM_MIB 128 /* vmctl's VM default (common/spec.h: 128 MiB) */

/* ---- commands (pure) ---- */

static int push_all(char ***v, const char *const *items)
{
	for (; *items; items++)
		if (strv_push(v, *items) < 0)
			return -ENOMEM;
	return 0;
}

static int push_cmd(char ***v, char *const *cmd)
{
	for (; cmd && *cmd; cmd++)
		if (strv_push(v, *cmd) < 0)
			return -ENOMEM;
	return 0;
}

static int qemu_args(char ***v, const struct bench_paths *p)
{
	char mem[16], drive[PATH_MAX + 64];
	snprintf(mem, sizeof(mem), "%u", p->mem_mib);
	if (xsnprintf(drive, sizeof(drive), "id=d0,file=%s,format=raw,if=none",
		      p->disk) < 0)
		return -ENAMETOOLONG;
	/* -device i8042: the guest reboots through the keyboard controller
	 * (reboot=k, as under vmctl's monitor). microvm has none, so the
	 * kernel's kb_wait() polls an absent port 0x64 (an exit to QEMU each
	 * time) for ~20 s here before it falls back to a triple fault. With
	 * an i8042 the first write resets, which -no-reboot makes an exit. */
	const char *a[] = {
	    "qemu-system-x86_64",
	    "-enable-kvm",
	    "-cpu",
	    "host,-arch-capabilities",
	    "-M",
	    "microvm,x-option-roms=off,isa-serial=on,rtc=off,acpi=off",
	    "-m",
	    mem,
	    "-nodefaults",
	    "-no-user-config",
	    "-nographic",
	    "-serial",
	    "stdio",
	    "-kernel",
	    p->kernel,
	    "-initrd",
	    p->initrd,
	    "-append",
	    p->cmdline,
	    "-device",
	    "virtio-blk-device,drive=d0",
	    "-drive",
	    drive,
	    "-device",
	    "i8042",
	    "-no-reboot",
	    NULL};
	return push_all(v, a);
}

static int subject_args(char ***v, const char *name, const char *image,
			char *const *cmd, const struct bench_paths *p)
{
	if (bench_is_mode(name)) {
		bool vm = strcmp(name, "container") != 0;
		const char *a[] = {p->vmctl,
				   "run",
				   "--rm",
				   "--report=json",
				   vm ? "--mode=vm" : NULL,
				   /* push_all stops at the first NULL */
				   !strcmp(name, "vm-cold") ? "--boot=cold" : NULL,
				   NULL};
		if (push_all(v, a) < 0 || strv_push(v, image) < 0)
			return -ENOMEM;
		return push_cmd(v, cmd);
	}
	if (!strcmp(name, "crun")) {
		const char *a[] = {
		    "crun", "--root",	p->state,  "--cgroup-manager=disabled",
		    "run",  "--bundle", p->bundle, p->run_id,
		    NULL};
		return push_all(v, a);
	}
	if (!strcmp(name, "runc")) {
		const char *a[] = {"runc",     "--root",  p->state,  "run",
				   "--bundle", p->bundle, p->run_id, NULL};
		return push_all(v, a);
	}
	if (!strcmp(name, "bwrap")) {
		const char *a[] = {
		    "bwrap",  "--unshare-all", "--ro-bind", p->rootfs, "/",
		    "--proc", "/proc",	       "--dev",	    "/dev",    NULL};
		return push_all(v, a) < 0 ? -ENOMEM : push_cmd(v, cmd);
	}
	if (!strcmp(name, "qemu"))
		return qemu_args(v, p);
	return -EINVAL;
}

char **bench_argv(const char *name, const char *image, char *const *cmd,
		  const struct bench_paths *p)
{
	char **v = NULL;
	int r = subject_args(&v, name, image, cmd, p);
	if (r < 0 || !v) {
		strv_free(v);
		errno = r < 0 ? -r : EINVAL;
		return NULL;
	}
	return v;
}

static cJSON *string_array(char *const *v)
{
	cJSON *a = cJSON_CreateArray();
	for (; a && v && *v; v++)
		cJSON_AddItemToArray(a, cJSON_CreateString(*v));
	return a;
}

static void replace(cJSON *obj, const char *key, cJSON *item)
{
	if (cJSON_GetObjectItemCaseSensitive(obj, key))
		cJSON_ReplaceItemInObjectCaseSensitive(obj, key, item);
	else
		cJSON_AddItemToObject(obj, key, item);
}

char *bench_patch_oci_config(const char *config_json, const char *rootfs,
			     char *const *args, char *const *env,
			     struct vmctl_err *err)
{
	cJSON *j = cJSON_Parse(config_json);
	cJSON *proc = cJSON_GetObjectItemCaseSensitive(j, "process");
	if (!cJSON_IsObject(proc)) {
		cJSON_Delete(j);
		return vmctl_errorf(err, EINVAL,
				    "config.json: no process object"),
		       NULL;
	}
	if (!args || !args[0]) {
		cJSON_Delete(j);
		return vmctl_errorf(err, EINVAL, "config.json: no command"),
		       NULL;
	}
	replace(proc, "args", string_array(args));
	if (env)
		replace(proc, "env", string_array(env));
	replace(proc, "terminal", cJSON_CreateFalse());
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "path", rootfs);
	cJSON_AddBoolToObject(root, "readonly", true);
	replace(j, "root", root);
	char *out = cJSON_Print(j);
	cJSON_Delete(j);
	if (!out)
		vmctl_errorf(err, ENOMEM, "config.json: out of memory");
	return out;
}

/* ---- preparation ---- */

void bench_prep_init(struct bench_prep *p)
{
	memset(p, 0, sizeof(*p));
	p->crun_ns_fd = -1;
}

static bool in_path(const char *name)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];
	for (const char *d = path ? path : "/usr/bin:/bin"; *d;) {
		size_t len = strcspn(d, ":");
		if (len &&
		    xsnprintf(buf, sizeof(buf), "%.*s/%s", (int)len, d, name) ==
			0 &&
		    access(buf, X_OK) == 0)
			return true;
		d += len + (d[len] == ':');
	}
	return false;
}

/* Runs argv in cwd (NULL: here), stdout into out (first line), stderr
 * dropped.  Returns its exit status, or -errno. */
static int run_capture(char *const *argv, const char *cwd, char *out, size_t n)
{
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(pfd[0]);
		close(pfd[1]);
		return -e;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		if (null < 0 || dup2(null, 0) < 0 || dup2(pfd[1], 1) < 0 ||
		    dup2(null, 2) < 0 || (cwd && chdir(cwd) < 0))
			_exit(127);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(pfd[1]);
	char buf[512];
	size_t len = 0;
	ssize_t c;
	while ((c = read(pfd[0], buf + len, sizeof(buf) - 1 - len)) > 0 ||
	       (c < 0 && errno == EINTR))
		len += c > 0 ? (size_t)c : 0;
	close(pfd[0]);
	buf[len] = 0;
	buf[strcspn(buf, "\n")] = 0;
	if (out)
		snprintf(out, n, "%s", buf);
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void version_of(const char *tool, char *out, size_t n)
{
	char *argv[] = {(char *)tool, "--version", NULL};
	if (run_capture(argv, NULL, out, n) != 0)
		out[0] = 0;
}

int bench_prep_begin(struct bench_prep *p, const char *root,
		     const struct bench_opts *o, struct vmctl_err *err)
{
	char tmp[PATH_MAX];
	if (xsnprintf(p->root, sizeof(p->root), "%s", root) < 0 ||
	    xsnprintf(tmp, sizeof(tmp), "%s/tmp", root) < 0 ||
	    xsnprintf(p->dir, sizeof(p->dir), "%s/bench.tmp-%d", tmp,
		      (int)getpid()) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "store path too long");
	int r = vmctl_front_path(p->vmctl, sizeof(p->vmctl));
	if (r < 0)
		return vmctl_error(err, r, "locating vmctl");
	r = mkdir_p(tmp, 0700);
	if (r < 0)
		return vmctl_error(err, r, "creating %s", tmp);
	rm_rf(p->dir); /* a leftover of an earlier process with our pid */
	if (mkdir(p->dir, 0700) < 0) {
		int e = errno;
		p->dir[0] = 0;
		return vmctl_error(err, e, "creating the bench directory");
	}
	struct image img = {0};
	r = image_open(root, o->image, &img, err);
	if (r < 0)
		return r;
	p->peer_argv = image_resolve_argv(&img, o->cmd, err);
	p->peer_env = image_merge_env(img.env, NULL, "vmctl");
	p->workdir = strdup(img.workdir && *img.workdir ? img.workdir : "/");
	if (!p->peer_argv || !p->peer_env || !p->workdir) {
		image_free(&img);
		return p->peer_argv ? vmctl_error(err, ENOMEM, "image")
				    : -EINVAL;
	}
	image_free(&img);
	return 0;
}

/* The image flattened once into dir/rootfs, shared read-only by peers. */
static int ensure_rootfs(struct bench_prep *p, const char *root,
			 const struct bench_opts *o, struct vmctl_err *err)
{
	if (p->rootfs_done)
		return 0;
	if (p->rootfs_failed[0])
		return vmctl_errorf(err, EIO, "%s", p->rootfs_failed);
	struct image img = {0};
	int r = xsnprintf(p->rootfs, sizeof(p->rootfs), "%s/rootfs", p->dir);
	if (r == 0)
		r = image_open(root, o->image, &img, err);
	if (r == 0)
		r = layers_flatten((const char *const *)img.layer_dirs,
				   img.n_layers, p->rootfs, err);
	image_free(&img);
	if (r < 0) {
		snprintf(p->rootfs_failed, sizeof(p->rootfs_failed),
			 "flattening the image failed: %s", err->msg);
		return r;
	}
	p->rootfs_done = true;
	return 0;
}

/* An OCI bundle (dir/bundle/config.json) from `<tool> spec`, patched. */
static int ensure_bundle(struct bench_prep *p, const char *tool,
			 struct vmctl_err *err)
{
	if (p->bundle_done)
		return 0;
	char cfg[PATH_MAX];
	if (xsnprintf(p->bundle, sizeof(p->bundle), "%s/bundle", p->dir) < 0 ||
	    xsnprintf(cfg, sizeof(cfg), "%s/config.json", p->bundle) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "bundle path too long");
	if (mkdir(p->bundle, 0700) < 0 && errno != EEXIST)
		return vmctl_error(err, errno, "creating %s", p->bundle);
	char *argv[] = {(char *)tool, "spec", NULL};
	unlink(cfg);
	if (run_capture(argv, p->bundle, NULL, 0) != 0)
		return vmctl_errorf(err, EIO, "`%s spec` failed", tool);
	cleanup_free char *json = NULL;
	int r = read_file(cfg, &json, NULL);
	if (r < 0)
		return vmctl_error(err, r, "reading %s", cfg);
	cleanup_free char *patched = bench_patch_oci_config(
	    json, p->rootfs, p->peer_argv, p->peer_env, err);
	if (!patched)
		return -EINVAL;
	r = write_file_atomic(cfg, patched, strlen(patched), 0600);
	if (r < 0)
		return vmctl_error(err, r, "writing %s", cfg);
	p->bundle_done = true;
	return 0;
}

/* crun refuses this host's hybrid cgroups: it runs in a mount namespace of
 * its own where cgroup2 is mounted at /sys/fs/cgroup.  A helper child makes
 * the namespace; we keep a handle on it (the fd keeps it alive, the helper
 * exits) and every crun run's child enters it before exec. */
static int make_crun_namespace(struct vmctl_err *err)
{
	int ready[2], go[2];
	if (pipe2(ready, O_CLOEXEC) < 0)
		return vmctl_error(err, errno, "pipe");
	if (pipe2(go, O_CLOEXEC) < 0) {
		int e = errno;
		close(ready[0]);
		close(ready[1]);
		return vmctl_error(err, e, "pipe");
	}
	pid_t pid = fork();
	if (pid == 0) {
		close(ready[0]);
		close(go[1]);
		int e = 0;
		if (unshare(CLONE_NEWNS) < 0 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
		    mount("none", "/sys/fs/cgroup", "cgroup2", 0, NULL) < 0)
			e = errno;
		unsigned char b = (unsigned char)e;
		if (write(ready[1], &b, 1) != 1 || e)
			_exit(1);
		char c;
		while (read(go[0], &c, 1) < 0 && errno == EINTR) {
		}
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	int fd = -1, r = 0;
	unsigned char b = 1;
	if (pid < 0) {
		r = vmctl_error(err, errno, "fork");
	} else if (read(ready[0], &b, 1) != 1 || b) {
		r = vmctl_error(err, b ? b : EIO,
				"making a mount namespace with cgroup2");
	} else {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			r = vmctl_error(err, errno, "opening %s", path);
	}
	close(go[1]); /* the helper exits; the namespace lives on in fd */
	close(ready[0]);
	if (pid > 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
		}
	return r < 0 ? r : fd;
}

/* The runtime's state dir on a tmpfs, as /run/crun and /run/runc are on a
 * systemd host (here /run is a plain directory of the root ext4; the
 * metadata writes of ext4 would be timed as the peer's).  mkdtemp: a fresh
 * 0700 directory nobody else can have prepared in the world-writable
 * /dev/shm.  Without /dev/shm, the bench's own temporary directory. */
static int make_state_dir(struct bench_prep *p, const char *tool, char *state,
			  struct vmctl_err *err)
{
	if (xsnprintf(state, PATH_MAX, "/dev/shm/vmctl-bench-%s-XXXXXX", tool) == 0 &&
	    mkdtemp(state))
		return 0;
	if (xsnprintf(state, PATH_MAX, "%s/%s-state", p->dir, tool) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "state path too long");
	if (mkdir(state, 0700) < 0 && errno != EEXIST)
		return vmctl_error(err, errno, "creating %s", state);
	return 0;
}

static int prepare_oci(struct bench_prep *p, const char *root,
		       const struct bench_opts *o, struct bench_plan *plan,
		       struct vmctl_err *err)
{
	const char *tool = plan->s->name;
	char *state = !strcmp(tool, "crun") ? p->crun_state : p->runc_state;
	int r = ensure_rootfs(p, root, o, err);
	if (r == 0)
		r = ensure_bundle(p, tool, err);
	if (r == 0 && !state[0])
		r = make_state_dir(p, tool, state, err);
	if (r == 0 && !strcmp(tool, "crun") && p->crun_ns_fd < 0) {
		r = make_crun_namespace(err);
		if (r >= 0)
			p->crun_ns_fd = r;
	}
	if (r < 0)
		return r;
	plan->ns_fd = !strcmp(tool, "crun") ? p->crun_ns_fd : -1;
	if (!strcmp(tool, "crun"))
		snprintf(
		    plan->s->how, sizeof(plan->s->how),
		    "crun --root STATE (on tmpfs) --cgroup-manager=disabled run "
		    "--bundle B ID, entered into one private mount namespace "
		    "with cgroup2 at /sys/fs/cgroup (setns before exec; "
		    "crun refuses hybrid cgroups) so no cgroup is made; "
		    "bundle from `crun spec`, root = the flattened image, "
		    "read-only; startup/total not measured; peak "
		    "= " MAXRSS_NOTE);
	else
		snprintf(
		    plan->s->how, sizeof(plan->s->how),
		    "runc --root STATE (on tmpfs) run --bundle B ID (cgroupfs on this "
		    "host's cgroups); bundle from `crun spec`/`runc spec`, "
		    "root = the flattened image, read-only; startup/total "
		    "not measured; peak = " MAXRSS_NOTE);
	return 0;
}

static int prepare_bwrap(struct bench_prep *p, const char *root,
			 const struct bench_opts *o, struct bench_plan *plan,
			 struct vmctl_err *err)
{
	int r = ensure_rootfs(p, root, o, err);
	if (r < 0)
		return r;
	snprintf(plan->s->how, sizeof(plan->s->how),
		 "bwrap --unshare-all --ro-bind ROOTFS / --proc /proc --dev "
		 "/dev CMD (ROOTFS = the flattened image; no cgroup); "
		 "startup/total not measured; peak = " MAXRSS_NOTE);
	return 0;
}

/* The image's cached ext4 disk, as vmctl's VM mode keeps it. */
static int ensure_disk(struct bench_prep *p, const char *root,
		       const struct bench_opts *o, struct vmctl_err *err)
{
	struct image img = {0};
	int r = image_open(root, o->image, &img, err);
	if (r < 0)
		return r;
	char dir[PATH_MAX];
	const char *hex =
	    img.id && !strncmp(img.id, "sha256:", 7) ? img.id + 7 : img.id;
	if (!hex || xsnprintf(dir, sizeof(dir), "%s/cache/disk", root) < 0 ||
	    xsnprintf(p->disk_src, sizeof(p->disk_src), "%s/%s.ext4", dir,
		      hex) < 0)
		r = vmctl_errorf(err, ENAMETOOLONG, "disk path too long");
	if (r == 0 && access(p->disk_src, R_OK) < 0) {
		r = mkdir_p(dir, 0700);
		if (r < 0)
			vmctl_error(err, r, "creating %s", dir);
		else
			r = disk_image_build(
			    (const char *const *)img.layer_dirs, img.n_layers,
			    p->disk_src, 0, err);
	}
	image_free(&img);
	return r;
}

static int prepare_qemu(struct bench_prep *p, const char *root,
			const struct bench_opts *o, struct bench_plan *plan,
			struct vmctl_err *err)
{
	char init[PATH_MAX];
	int r = guest_kernel_locate(p->kernel, sizeof(p->kernel), err);
	if (r == 0 && vmctl_data_path("bin/vmctl-init", init, sizeof(init)) < 0)
		r = vmctl_errorf(err, ENOENT, "the guest init is missing");
	if (r == 0)
		r = ensure_disk(p, root, o, err);
	if (r == 0 && xsnprintf(p->initrd, sizeof(p->initrd),
				"%s/qemu-initrd.cpio", p->dir) < 0)
		r = vmctl_errorf(err, ENAMETOOLONG, "initrd path too long");
	if (r == 0) {
		struct initramfs_workload wl = {.argv = p->peer_argv,
						.env = p->peer_env,
						.workdir = p->workdir,
						.hostname = "vmctl"};
		r = initramfs_build(NULL, 0, init, &wl, p->initrd, err);
	}
	if (r == 0 && vm_cmdline(p->cmdline, sizeof(p->cmdline), false, NULL, 0,
				 "vmctl_root=vda") < 0)
		r = vmctl_errorf(err, ENAMETOOLONG, "kernel command line");
	if (r < 0)
		return r;
	p->mem_mib = VM_MEM_MIB;
	plan->disk_copy = true;
	snprintf(plan->s->how, sizeof(plan->s->how),
		 "qemu-system-x86_64 -M microvm,acpi=off -enable-kvm -cpu "
		 "host,-arch-capabilities -m %u -nographic -device i8042 "
		 "-no-reboot (the guest resets through the i8042; no "
		 "ACPI: QEMU puts the virtio-mmio disk on the command line, "
		 "as vmctl does): vmctl's "
		 "vmlinux, an initrd with vmctl's init and this command, a "
		 "fresh copy of vmctl's cached ext4 root disk per run "
		 "(virtio-blk), cmdline \"%s\"; startup/total = the init's "
		 "exec/exit records as they reach the serial console, since "
		 "spawn; peak = QEMU's max RSS (guest RAM it touched included)",
		 p->mem_mib, p->cmdline);
	return 0;
}

/* vmctl's runtime state on a tmpfs too, as /run/vmctl is on a systemd host
 * (the records of --rm runs: common/state.c), unless the user chose one. */
static void vmctl_run_dir(struct bench_prep *p, struct bench_plan *plan)
{
	struct vmctl_err err = {0};
	if (getenv("VMCTL_RUN_DIR"))
		return;
	if (!p->vmctl_run[0] && make_state_dir(p, "vmctl", p->vmctl_run, &err) < 0)
		p->vmctl_run[0] = '\0'; /* the default place then */
	plan->run_dir = p->vmctl_run[0] ? p->vmctl_run : NULL;
}

static void prepare_mode(struct bench_prep *p, struct bench_plan *plan)
{
	struct bench_subject *s = plan->s;
	struct vmctl_err err = {0};
	char kernel[PATH_MAX];
	plan->source = SOURCE_REPORT;
	plan->vmctl = true;
	vmctl_run_dir(p, plan);
	if (s->vm && access("/dev/kvm", R_OK | W_OK) < 0)
		snprintf(s->skipped, sizeof(s->skipped), "no usable /dev/kvm");
	else if (s->vm && guest_kernel_locate(kernel, sizeof(kernel), &err) < 0)
		snprintf(s->skipped, sizeof(s->skipped),
			 "the guest kernel is not built (vmctl kernel build)");
	snprintf(s->how, sizeof(s->how),
		 "vmctl run --rm --report=json%s IMAGE CMD%s; startup, total "
		 "and memory from its report (the JSON line it prints last on "
		 "stderr), wall from spawn to reaping%s",
		 !s->vm ? "" : !strcmp(s->name, "vm-cold") ? " --mode=vm --boot=cold" : " --mode=vm",
		 plan->run_dir ? " (VMCTL_RUN_DIR on tmpfs)" : "",
		 !strcmp(s->name, "vm") ? "; the warm-up run saves the boot snapshot "
					  "the measured runs restore" : "");
}

static const char *tool_of(const char *name)
{
	return !strcmp(name, "qemu") ? "qemu-system-x86_64" : name;
}

void bench_prep_subject(struct bench_prep *p, const char *root,
			const struct bench_opts *o, struct bench_plan *plan)
{
	struct bench_subject *s = plan->s;
	plan->ns_fd = -1;
	plan->run_dir = NULL;
	plan->timeout_sec = o->timeout_sec > 0 ? o->timeout_sec
			    : s->vm	       ? 60
					       : 10;
	if (s->kind == BENCH_MODE)
		return prepare_mode(p, plan);
	plan->source = !strcmp(s->name, "qemu") ? SOURCE_CONSOLE : SOURCE_NONE;
	const char *tool = tool_of(s->name);
	if (!in_path(tool)) {
		snprintf(s->skipped, sizeof(s->skipped), "%s is not installed",
			 tool);
		return;
	}
	version_of(tool, s->version, sizeof(s->version));
	if (s->vm && access("/dev/kvm", R_OK | W_OK) < 0) {
		snprintf(s->skipped, sizeof(s->skipped), "no usable /dev/kvm");
		return;
	}
	struct vmctl_err err = {0};
	int r = !strcmp(s->name, "qemu") ? prepare_qemu(p, root, o, plan, &err)
		: !strcmp(s->name, "bwrap")
		    ? prepare_bwrap(p, root, o, plan, &err)
		    : prepare_oci(p, root, o, plan, &err);
	if (r < 0)
		snprintf(s->skipped, sizeof(s->skipped),
			 "preparation failed: %s", err.msg);
}

char **bench_prep_argv(const struct bench_prep *p, const struct bench_opts *o,
		       const struct bench_plan *plan, unsigned run,
		       unsigned slot, char *disk, size_t disk_n)
{
	char id[64], state_none[] = "";
	snprintf(id, sizeof(id), "vmctl-bench-%d-%u-%u", (int)getpid(), run,
		 slot);
	disk[0] = 0;
	if (plan->disk_copy &&
	    xsnprintf(disk, disk_n, "%s/disk-%u.ext4", p->dir, slot) < 0)
		return NULL;
	const char *name = plan->s->name;
	struct bench_paths paths = {
	    .vmctl = p->vmctl,
	    .rootfs = p->rootfs,
	    .bundle = p->bundle,
	    .state = !strcmp(name, "crun")   ? p->crun_state
		     : !strcmp(name, "runc") ? p->runc_state
					     : state_none,
	    .kernel = p->kernel,
	    .initrd = p->initrd,
	    .disk = disk,
	    .cmdline = p->cmdline,
	    .mem_mib = p->mem_mib,
	    .run_id = id,
	};
	return bench_argv(name, o->image,
			  plan->s->kind == BENCH_MODE ? o->cmd : p->peer_argv,
			  &paths);
}

/* Deletes what a killed crun/runc run left in its state dir. */
static void delete_leftovers(const char *tool, const char *state)
{
	if (!state[0] || access(state, F_OK) < 0)
		return;
	cleanup_closedir DIR *d = opendir(state);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (strncmp(de->d_name, "vmctl-bench-", 12))
			continue;
		char *argv[] = {(char *)tool, "--root", (char *)state,
				"delete",     "-f",	de->d_name,
				NULL};
		run_capture(argv, NULL, NULL, 0);
	}
}

/* A vmctl run the harness had to SIGKILL left its record in the run dir:
 * reaped (cgroup and all) as the next vmctl command would, before the dir
 * goes. */
static void remove_vmctl_run_dir(struct bench_prep *p)
{
	if (!p->vmctl_run[0])
		return;
	if (p->root[0] && setenv("VMCTL_RUN_DIR", p->vmctl_run, 1) == 0) {
		runner_reap_stale(p->root);
		unsetenv("VMCTL_RUN_DIR");
	}
	rm_rf(p->vmctl_run);
	p->vmctl_run[0] = '\0';
}

void bench_prep_cleanup(struct bench_prep *p)
{
	remove_vmctl_run_dir(p);
	delete_leftovers("crun", p->crun_state);
	delete_leftovers("runc", p->runc_state);
	const char *states[] = {p->crun_state, p->runc_state};
	for (size_t i = 0; i < 2; i++)
		if (!strncmp(states[i], "/dev/shm/", 9))
			rm_rf(states[i]);
	p->crun_state[0] = p->runc_state[0] = '\0';
	if (p->crun_ns_fd >= 0)
		close(p->crun_ns_fd);
	p->crun_ns_fd = -1;
	if (p->dir[0])
		rm_rf(p->dir);
	p->dir[0] = 0;
	strv_free(p->peer_argv);
	strv_free(p->peer_env);
	free(p->workdir);
	p->peer_argv = p->peer_env = NULL;
	p->workdir = NULL;
}
