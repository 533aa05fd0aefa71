/* vm.c - vm_run(): builds the micro-VM, runs it to the workload's end and
 * reports (see vmm.h).  Set-up is a goto ladder because teardown order
 * matters: vCPU threads must be joined before the devices they call are
 * destroyed, devices before guest memory, memory before the VM fd. */
#include "vmm/vm.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "vmm/boot.h"
#include "vmm/devices/handoff.h"
#include "vmm/devices/i8042.h"
#include "vmm/devices/milestone.h"
#include "vmm/devices/stream.h"
#include "vmm/devices/serial.h"
#include "vmm/devices/virtio.h"
#include "vmm/exit.h"
#include "vmm/kvm.h"

#define DEFAULT_MEM (128ULL << 20)
#define VIRTIO_CONSOLE_BASE 0xd0000000ULL
#define VIRTIO_CONSOLE_GSI 5
#define VIRTIO_ERR_BASE (VIRTIO_CONSOLE_BASE + VIRTIO_MMIO_WINDOW)
#define VIRTIO_ERR_GSI 6
#define VIRTIO_BLK_BASE (VIRTIO_CONSOLE_BASE + 2 * VIRTIO_MMIO_WINDOW)
#define VIRTIO_BLK_GSI 7
#define MAX_FRAGS 7

int vm_cmdline(char *buf, size_t n, bool verbose, const char *const *frags,
	       size_t n_frags, const char *extra)
{
	int len =
	    snprintf(buf, n, "%s%s", VM_CMDLINE_BASE, verbose ? "" : " quiet");
	for (size_t i = 0; i < n_frags && len >= 0 && (size_t)len < n; i++)
		len += snprintf(buf + len, n - (size_t)len, " %s", frags[i]);
	if (extra && extra[0] && len >= 0 && (size_t)len < n)
		len += snprintf(buf + len, n - (size_t)len, " %s", extra);
	return (len < 0 || (size_t)len >= n) ? -ENAMETOOLONG : 0;
}

void vm_irq(void *ctx, uint32_t gsi, int level)
{
	struct vm *vm = ctx;
	kvm_irq_line(vm->vm_fd, gsi, level);
}

void vm_request_stop(struct vm *vm, enum vm_stop why, int errnum,
		     const char *fmt, ...)
{
	pthread_mutex_lock(&vm->lock);
	if (vm->stop == STOP_NONE) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(vm->stop_msg, sizeof(vm->stop_msg), fmt, ap);
		va_end(ap);
		vm->stop = why;
		vm->stop_errno = errnum;
	}
	atomic_store(&vm->stopping, true);
	pthread_mutex_unlock(&vm->lock);
	uint64_t one = 1;
	if (write(vm->wake_fd, &one, sizeof(one)) < 0) {
		/* the counter cannot overflow with our few writes */
	}
}

/* --- milestones and console text (called on vCPU threads) -------------- */

static void write_all(int fd, const char *buf, size_t n)
{
	while (n) {
		ssize_t w = write(fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* the reader went away: drop, like a UART */
		buf += w;
		n -= (size_t)w;
	}
}

/* Serial text that is not a milestone: before the init runs, the kernel's
 * console (shown only when verbose); afterwards the workload's output when
 * it goes through the serial port, else late kernel messages (an oops) or
 * an init that could not open its virtio console: to stderr, never lost. */
/* The quiet console prints only emergencies before the init runs (a panic):
 * kept so that the error can say what it was.  The last bytes win: a panic
 * comes at the end. */
static void keep_boot_console(struct vm *vm, const char *buf, size_t n)
{
	size_t cap = sizeof(vm->boot_console);
	if (n >= cap) {
		buf += n - cap;
		n = cap;
	}
	if (vm->boot_console_len + n > cap) {
		size_t drop = vm->boot_console_len + n - cap;
		memmove(vm->boot_console, vm->boot_console + drop,
			vm->boot_console_len - drop);
		vm->boot_console_len -= drop;
	}
	memcpy(vm->boot_console + vm->boot_console_len, buf, n);
	vm->boot_console_len += n;
}

static void on_text(void *ctx, const char *buf, size_t n)
{
	struct vm *vm = ctx;
	if (vm->init_started)
		write_all(vm->output_on_serial ? vm->cfg->console_fd
					       : STDERR_FILENO,
			  buf, n);
	else if (vm->cfg->verbose_console)
		write_all(STDERR_FILENO, buf, n);
	else
		keep_boot_console(vm, buf, n);
}

static void on_init_error(struct vm *vm, const char *payload)
{
	char *end;
	long e = strtol(payload, &end, 10);
	while (*end == ' ')
		end++;
	vm_request_stop(vm, STOP_FAULT, EIO, "guest init: %s: %s", end,
			strerror((int)e));
}

static void on_milestone(void *ctx, char type, const char *payload)
{
	struct vm *vm = ctx;
	int64_t now = now_ns();

	switch (type) {
	case MS_INIT_STARTED:
		vm->phase_ns[PHASE_INIT_STARTED] = now;
		vm->init_started = true;
		atomic_store(&vm->init_reported, true);
		break;
	case MS_UNAME:
		snprintf(vm->kernel_release, sizeof(vm->kernel_release), "%s",
			 payload);
		break;
	case MS_EXEC:
		vm->phase_ns[PHASE_EXEC] = now;
		break;
	case MS_EXIT_STATUS:
		vm->phase_ns[PHASE_EXIT] = now;
		vm->exit_code = ms_exit_code_from_status(atoi(payload));
		vm->exit_reported = true;
		vm_request_stop(vm, STOP_DONE, 0, "exited");
		break;
	case MS_EXEC_ERROR: {
		int e = atoi(payload);
		vm->phase_ns[PHASE_EXIT] = now;
		vm->exit_code = ms_exit_code_from_exec_errno(e);
		vm->exit_reported = true;
		vm_request_stop(vm, STOP_DONE, e,
				"guest: cannot execute the "
				"command: %s",
				strerror(e));
		break;
	}
	case MS_INIT_ERROR:
		on_init_error(vm, payload);
		break;
	default:
		break; /* unknown records are ignored (newer init) */
	}
}

static void on_serial(void *ctx, const uint8_t *buf, size_t n)
{
	struct vm *vm = ctx;
	ms_parser_feed(&vm->ms, buf, n);
}

static bool can_snapshot(const struct vm_config *cfg, unsigned n_vcpus)
{
	return cfg->snapshot_dir && cfg->snapshot_key && cfg->handoff_config &&
	       n_vcpus == 1 && !cfg->profile_path;
}

/* READY: the init booted and waits for its workload, the moment to save a
 * boot snapshot (once, and not in a run restored from one).  TAKEN: from
 * here on the workload runs; a restored run that fails before it says
 * nothing against this run, only against its snapshot. */
static void on_handoff(void *ctx, enum handoff_event ev)
{
	struct vm *vm = ctx;
	if (ev == HANDOFF_TAKEN) {
		atomic_store(&vm->config_taken, true);
		/* a restored guest reports by asking for its config */
		atomic_store(&vm->init_reported, true);
	}
	else if (can_snapshot(vm->cfg, vm->n_vcpus) && !vm->restored)
		atomic_store(&vm->snapshot_pending, true);
}

static void on_reset(void *ctx)
{
	vm_request_stop(ctx, STOP_RESET, 0, "guest reset (i8042)");
}

/* --- set-up ------------------------------------------------------------ */

static int add_device(struct vm *vm, struct device *dev, struct vmctl_err *err)
{
	dev->mem = &vm->mem;
	dev->irq = vm_irq;
	dev->irq_ctx = vm;
	return bus_add(&vm->bus, dev, err);
}

/* How the workload's output leaves the guest: the stream ports (default),
 * or for comparison and debugging VMCTL_VM_OUTPUT=virtio (two
 * virtio-consoles, hvc0/hvc1) or =serial (everything on ttyS0). */
enum output_path { OUTPUT_PORTS, OUTPUT_VIRTIO, OUTPUT_SERIAL };

static enum output_path output_path(void)
{
	const char *e = getenv("VMCTL_VM_OUTPUT");
	if (e && !strcmp(e, "serial"))
		return OUTPUT_SERIAL;
	if (e && !strcmp(e, "virtio"))
		return OUTPUT_VIRTIO;
	return OUTPUT_PORTS;
}

static int add_console(struct vm *vm, uint64_t base, uint32_t gsi, int fd,
		       char frags[][96], size_t *n_frags, struct vmctl_err *err)
{
	struct device *dev = NULL;
	int r = virtio_console_create(&dev, base, gsi, fd, -1, err);
	if (r == 0)
		r = add_device(vm, dev, err);
	if (r == 0)
		r = virtio_mmio_cmdline(dev, frags[(*n_frags)++], 96);
	return r < 0 ? vmctl_error_wrap(err, "virtio console") : 0;
}

/* Creates the devices; frags[] gets their command line words. */
static int add_devices(struct vm *vm, char frags[][96], size_t *n_frags,
		       struct vmctl_err *err)
{
	struct device *dev = NULL;
	int r = serial_create(&dev, SERIAL_COM1_BASE, SERIAL_COM1_GSI,
			      on_serial, vm, err);
	if (r == 0)
		r = add_device(vm, dev, err);
	if (r == 0 && (r = i8042_create(&dev, on_reset, vm, err)) == 0)
		r = add_device(vm, dev, err);
	if (r == 0 && (r = milestone_create(&dev, &vm->ms, err)) == 0)
		r = add_device(vm, dev, err);
	if (r < 0)
		return r;
	if (vm->cfg->handoff_config) {
		r = handoff_create(&dev, vm->cfg->handoff_config,
				   vm->cfg->handoff_len, on_handoff, vm, err);
		if (r == 0)
			r = add_device(vm, dev, err);
		if (r < 0)
			return r;
		snprintf(frags[(*n_frags)++], 96, "%s=port", MS_ENV_HANDOFF);
	}

	vm->output_on_serial = true;
	/* stdout, and stderr to our stderr when the workload's stdout is ours
	 * (else along with stdout) */
	int err_fd = vm->cfg->console_fd == STDOUT_FILENO ? STDERR_FILENO
							  : vm->cfg->console_fd;
	enum output_path how = output_path();
	if (how == OUTPUT_PORTS) {
		r = stream_create(&dev, vm->cfg->console_fd, err_fd, err);
		if (r == 0)
			r = add_device(vm, dev, err);
		if (r < 0)
			return r;
		/* milestones by port too: no guest tty on the way */
		snprintf(frags[(*n_frags)++], 96, "%s=port %s=port", MS_ENV_OUTPUT,
			 MS_ENV_TRANSPORT);
		vm->output_on_serial = false;
	} else if (how == OUTPUT_VIRTIO) {
		r = add_console(vm, VIRTIO_CONSOLE_BASE, VIRTIO_CONSOLE_GSI,
				vm->cfg->console_fd, frags, n_frags, err);
		if (r == 0)
			r = add_console(vm, VIRTIO_ERR_BASE, VIRTIO_ERR_GSI,
					err_fd, frags, n_frags, err);
		if (r < 0)
			return r;
		snprintf(frags[(*n_frags)++], 96, "%s=hvc0 %s=hvc1",
			 MS_ENV_OUTPUT, MS_ENV_ERROR);
		vm->output_on_serial = false;
	}
	if (vm->cfg->disk_path) {
		r = virtio_blk_create(&dev, VIRTIO_BLK_BASE, VIRTIO_BLK_GSI,
				      vm->cfg->disk_path,
				      vm->cfg->disk_snapshot ? VIRTIO_BLK_SNAPSHOT
							     : VIRTIO_BLK_READ_WRITE,
				      err);
		if (r == 0)
			r = add_device(vm, dev, err);
		if (r == 0)
			r = virtio_mmio_cmdline(dev, frags[(*n_frags)++], 96);
		if (r < 0)
			return vmctl_error(err, r, "virtio disk");
	}
	return 0;
}

static int check_config(const struct vm_config *cfg, uint64_t *mem,
			unsigned *vcpus, struct vmctl_err *err)
{
	*mem = cfg->mem_bytes ? cfg->mem_bytes : DEFAULT_MEM;
	*mem &= ~0xfffULL;
	if (*mem < BOOT_MEM_MIN || *mem > BOOT_MEM_MAX)
		return vmctl_errorf(err, EINVAL,
				    "guest memory %llu MiB: must be between "
				    "%llu MiB and %llu MiB",
				    (unsigned long long)(*mem >> 20),
				    BOOT_MEM_MIN >> 20, BOOT_MEM_MAX >> 20);
	*vcpus = cfg->vcpus > 0 ? (unsigned)cfg->vcpus : 1;
	if (*vcpus > VM_MAX_VCPUS)
		return vmctl_errorf(err, EINVAL, "%u vCPUs: at most %d", *vcpus,
				    VM_MAX_VCPUS);
	if (!cfg->kernel_path)
		return vmctl_errorf(err, EINVAL, "no guest kernel given");
	return 0;
}

/* --- running ------------------------------------------------------------ */

/* Milliseconds until deadline (0: none), at least 1; -1 when none. */
static int ms_until(int64_t deadline, int64_t now)
{
	if (!deadline)
		return -1;
	int64_t left = deadline - now;
	return left <= 0 ? 0 : (int)(left / 1000000) + 1;
}

static int min_timeout(int a, int b)
{
	return a < 0 ? b : b < 0 ? a : (a < b ? a : b);
}

/* Until a stop: the workload's end, a fault, Ctrl-C, --timeout, or a guest
 * whose init never reports (a kernel that hangs in its boot): without the
 * boot watchdog that one would wait forever. */
static void wait_for_stop(struct vm *vm)
{
	const struct vm_config *cfg = vm->cfg;
	int64_t deadline =
	    cfg->timeout_sec
		? cfg->t0_ns + (int64_t)cfg->timeout_sec * 1000000000LL
		: 0;
	unsigned boot_sec = cfg->boot_timeout_sec ? cfg->boot_timeout_sec
						  : VM_BOOT_TIMEOUT_SEC;
	/* from the VM's creation: preparing a large disk image is no boot */
	int64_t boot_deadline =
	    vm->phase_ns[PHASE_CREATED] + (int64_t)boot_sec * 1000000000LL;
	while (!atomic_load(&vm->stopping)) {
		int64_t now = now_ns();
		int until_end = ms_until(deadline, now);
		int until_boot = atomic_load(&vm->init_reported)
				     ? -1
				     : ms_until(boot_deadline, now);
		if (until_end == 0) {
			vm_request_stop(vm, STOP_TIMEOUT, ETIMEDOUT,
					"timed out after %u s",
					cfg->timeout_sec);
			break;
		}
		if (until_boot == 0) {
			vm_request_stop(vm, STOP_TIMEOUT, ETIMEDOUT,
					"no report from the guest within %u s "
					"(a kernel that does not boot here? "
					"VMCTL_VM_CONSOLE=1 shows its console)",
					boot_sec);
			break;
		}
		int timeout_ms = min_timeout(until_end, until_boot);
		struct pollfd p[2] = {{vm->wake_fd, POLLIN, 0},
				      {cfg->stop_fd, POLLIN, 0}};
		int n = poll(p, cfg->stop_fd >= 0 ? 2 : 1, timeout_ms);
		if (n > 0 && p[1].revents)
			vm_request_stop(vm, STOP_INTERRUPT, EINTR,
					"interrupted");
	}
}

static void stop_vcpus(struct vm *vm)
{
	atomic_store(&vm->stopping, true);
	for (unsigned i = 0; i < vm->n_vcpus; i++)
		vcpu_kick(&vm->vcpu[i]);
	for (unsigned i = 0; i < vm->n_vcpus; i++)
		vcpu_join(&vm->vcpu[i]);
}

static uint64_t status_kib(const char *key)
{
	cleanup_fclose FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	size_t klen = strlen(key);
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ':')
			return strtoull(line + klen + 1, NULL, 10);
	return 0;
}

static void fill_memory(struct vm *vm, struct run_result *res)
{
	uint64_t rss = status_kib("VmRSS") << 10;
	res->guest_bytes = guest_mem_resident(&vm->mem);
	res->peak_bytes = status_kib("VmHWM") << 10;
	res->overhead_bytes =
	    rss > res->guest_bytes ? rss - res->guest_bytes : 0;
}

static const char *last_milestone(const struct vm *vm)
{
	if (vm->phase_ns[PHASE_EXEC])
		return "the workload was running";
	if (vm->init_started)
		return "the guest init had started";
	return "the guest init never started";
}

/* Maps the stop reason to exit code, return value and message. */
static int finish(struct vm *vm, struct run_result *res, struct vmctl_err *err)
{
	memcpy(res->phase_ns + 1, vm->phase_ns + 1,
	       sizeof(res->phase_ns) - sizeof(res->phase_ns[0]));
	snprintf(res->kernel_release, sizeof(res->kernel_release), "%s",
		 vm->kernel_release);
	res->boot = vm->restored ? BOOT_SNAPSHOT : BOOT_COLD;
	res->snapshot_saved = vm->snapshot_saved;
	snprintf(res->snapshot_error, sizeof(res->snapshot_error), "%s",
		 vm->snapshot_msg);
	switch (vm->stop) {
	case STOP_DONE:
		res->exit_code = vm->exit_code;
		if (vm->stop_errno)
			return vmctl_errorf(err, vm->stop_errno, "%s",
					    vm->stop_msg);
		return 0;
	case STOP_INTERRUPT:
		res->exit_code = 128 + SIGINT;
		return vmctl_errorf(err, EINTR, "micro-VM interrupted (%s)",
				    last_milestone(vm));
	case STOP_RESET: {
		res->exit_code = 125;
		char why[160];
		if (exit_panic_reason(vm->boot_console, vm->boot_console_len, why,
				      sizeof(why)))
			return vmctl_errorf(err, EIO,
					    "micro-VM: the guest kernel panicked "
					    "(%s): %s",
					    last_milestone(vm), why);
		return vmctl_errorf(err, EIO,
				    "micro-VM: %s before the workload's exit "
				    "was reported (%s; kernel panic? try the "
				    "verbose console)",
				    vm->stop_msg, last_milestone(vm));
	}
	case STOP_TIMEOUT:
		res->exit_code = 125;
		return vmctl_errorf(err, ETIMEDOUT, "micro-VM: %s (%s)",
				    vm->stop_msg, last_milestone(vm));
	case STOP_FAULT:
	case STOP_NONE:
	default:
		res->exit_code = 125;
		return vmctl_errorf(err, vm->stop_errno ? vm->stop_errno : EIO,
				    "micro-VM: %s", vm->stop_msg);
	}
}

static int run_vcpus(struct vm *vm, struct run_result *res,
		     struct vmctl_err *err)
{
	int r = 0;
	for (unsigned i = 0; i < vm->n_vcpus && r == 0; i++)
		r = vcpu_start(&vm->vcpu[i], err);
	if (r == 0)
		wait_for_stop(vm);
	stop_vcpus(vm);
	ms_parser_flush(&vm->ms);
	fill_memory(vm, res);
	return r < 0 ? r : finish(vm, res, err);
}

static int run_once(const struct vm_config *cfg, struct run_result *res,
		    bool *restore_failed, struct vmctl_err *err)
{
	uint64_t mem_size = 0;
	unsigned n_vcpus = 0;
	char frags[MAX_FRAGS][96];
	const char *frag_ptrs[MAX_FRAGS];
	size_t n_frags = 0;
	char cmdline[BOOT_CMDLINE_MAX];
	int r;

	memset(res, 0, sizeof(*res));
	res->exit_code = 125;
	res->phase_ns[PHASE_START] = cfg->t0_ns ? cfg->t0_ns : now_ns();
	if ((r = check_config(cfg, &mem_size, &n_vcpus, err)) < 0)
		return r;

	struct kernel_file kf;
	struct snapshot snap = {.mem_fd = -1};
	if ((r = kernel_open(&kf, cfg->kernel_path, err)) < 0)
		goto out_kernel;
	struct vm *vm = calloc(1, sizeof(*vm));
	if (!vm) {
		r = vmctl_error(err, ENOMEM, "micro-VM");
		goto out_kernel;
	}
	vm->cfg = cfg;
	if (can_snapshot(cfg, n_vcpus)) {
		struct vmctl_err ignored;
		/* No usable snapshot is no error: this run boots and saves one.
		 * An unusable one (another key, damaged) goes first, so that
		 * the new one can take its place. */
		int l = snapshot_load(&snap, cfg->snapshot_dir, cfg->snapshot_key,
				      mem_size, &ignored);
		vm->restored = l == 0;
		if (l < 0 && l != -ENOENT)
			rm_rf(cfg->snapshot_dir);
	}
	vm->kvm_fd = vm->vm_fd = -1;
	vm->n_vcpus = n_vcpus;
	for (unsigned i = 0; i < n_vcpus; i++)
		vm->vcpu[i].fd = -1;
	pthread_mutex_init(&vm->lock, NULL);
	ms_parser_init(&vm->ms, on_milestone, on_text, vm);
	vm->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->wake_fd < 0) {
		r = vmctl_error(err, errno, "eventfd");
		goto out_free;
	}
	if ((r = vcpu_install_kick_handler(err)) < 0)
		goto out_free;
	if ((r = kvm_open(&vm->kvm_fd, err)) < 0)
		goto out_free;
	if ((r = kvm_create_vm(vm->kvm_fd, &vm->vm_fd, err)) < 0)
		goto out_kvm;
	if (vm->restored)
		r = snapshot_map_memory(&snap, &vm->mem, mem_size, err);
	else
		r = guest_mem_alloc(&vm->mem, mem_size, err);
	if (r < 0)
		goto out_vm;
	if ((r = kvm_set_memory(vm->vm_fd, 0, 0, &vm->mem, err)) < 0)
		goto out_mem;
	if ((r = kvm_create_platform(vm->vm_fd, err)) < 0)
		goto out_mem;
	if ((r = add_devices(vm, frags, &n_frags, err)) < 0)
		goto out_bus;
	for (unsigned i = 0; i < n_vcpus; i++)
		if ((r = vcpu_create(vm, i, err)) < 0)
			goto out_vcpus;
	vm->phase_ns[PHASE_CREATED] = now_ns();

	if (vm->restored) {
		r = snapshot_restore(vm, &snap, err);
		*restore_failed = r < 0;
		if (r == 0) {
			vm->init_started = true; /* it is waiting for its config */
			r = run_vcpus(vm, res, err);
			/* It died (or hung) before it asked for its workload:
			 * nothing of this run happened yet, the snapshot is bad. */
			*restore_failed = r < 0 && !atomic_load(&vm->config_taken) &&
					  vm->stop != STOP_INTERRUPT;
		}
		goto out_vcpus;
	}
	for (size_t i = 0; i < n_frags; i++)
		frag_ptrs[i] = frags[i];
	if (vm_cmdline(cmdline, sizeof(cmdline), cfg->verbose_console,
		       frag_ptrs, n_frags, cfg->extra_cmdline) < 0) {
		r = vmctl_errorf(err, E2BIG, "kernel command line too long");
		goto out_vcpus;
	}
	r = vm_load(vm, &kf, cmdline, err);
	if (r == 0)
		r = run_vcpus(vm, res, err);
out_vcpus:
	stop_vcpus(vm); /* no-op unless a thread was started */
	for (unsigned i = 0; i < n_vcpus; i++)
		vcpu_destroy(&vm->vcpu[i]);
out_bus:
	bus_destroy(&vm->bus);
out_mem:
	guest_mem_free(&vm->mem);
out_vm:
	close(vm->vm_fd);
out_kvm:
	close(vm->kvm_fd);
out_free:
	if (vm->wake_fd >= 0)
		close(vm->wake_fd);
	pthread_mutex_destroy(&vm->lock);
	free(vm);
out_kernel:
	kernel_close(&kf);
	snapshot_release(&snap);
	return r;
}

/* A snapshot this host's KVM will not take back (an MSR it refuses, a
 * device blob it does not accept) costs a boot, not the run: before the
 * guest ran, nothing happened that a second try would repeat.  The bad
 * snapshot is removed; the boot saves a new one. */
int vm_run(const struct vm_config *cfg, struct run_result *res,
	   struct vmctl_err *err)
{
	bool restore_failed = false;
	int r = run_once(cfg, res, &restore_failed, err);
	if (restore_failed) {
		rm_rf(cfg->snapshot_dir);
		*err = (struct vmctl_err){0};
		restore_failed = false;
		r = run_once(cfg, res, &restore_failed, err);
	}
	return r;
}

int vm_probe_kvm(struct vmctl_err *err)
{
	int fd = -1;
	int r = kvm_open(&fd, err);
	if (fd >= 0)
		close(fd);
	return r;
}
