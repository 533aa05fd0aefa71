/* vm.h - the monitor's internal state, shared by vm.c, vcpu.c and loader.c.
 * Devices do not include this: they see only vmm/device.h. */
#ifndef VMCTL_VMM_VM_H
#define VMCTL_VMM_VM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/spec.h"
#include "vmm/bus.h"
#include "vmm/device.h"
#include "vmm/devices/milestone.h"
#include "vmm/elf.h"
#include "vmm/snapfile.h"
#include "vmm/vmm.h"

#define VM_MAX_VCPUS 8

enum vm_stop {
	STOP_NONE = 0,
	STOP_DONE,  /* the init reported the workload's end */
	STOP_RESET, /* the guest reset / powered off / halted */
	STOP_FAULT, /* a vCPU or device failed: see vm->stop_msg */
	STOP_TIMEOUT,
	STOP_INTERRUPT, /* stop_fd */
};

struct vm;

struct vcpu {
	struct vm *vm;
	unsigned id;
	int fd;
	struct kvm_run *run;
	size_t run_size;
	pthread_t thread;
	bool started;
	struct rip_profile *profile; /* vCPU 0 with cfg->profile_path */
};

struct vm {
	const struct vm_config *cfg;
	int kvm_fd, vm_fd;
	struct guest_mem mem;
	struct bus bus;
	struct vcpu vcpu[VM_MAX_VCPUS];
	unsigned n_vcpus;
	struct ms_parser ms;
	bool output_on_serial; /* workload text arrives on ttyS0 */
	int wake_fd;	       /* eventfd: a stop was requested */

	pthread_mutex_t lock; /* guards the fields below */
	enum vm_stop stop;
	atomic_bool stopping;
	int stop_errno;
	char stop_msg[512];
	bool init_started, exit_reported;
	atomic_bool init_reported; /* init_started, for the boot watchdog */
	/* The kernel's console before the init ran (hidden unless verbose):
	 * its last 4 KiB, where a boot-time panic says why. */
	char boot_console[4096];
	size_t boot_console_len;
	int exit_code;
	char kernel_release[65];
	int64_t phase_ns[PHASE_COUNT];

	/* Boot snapshots (snapshot.c): restored from one, or save one when
	 * the init reaches the hand-off (set by the hand-off device, acted
	 * on by vCPU 0's thread between two KVM_RUNs). */
	bool restored;
	atomic_bool snapshot_pending;
	atomic_bool config_taken; /* the init asked for its workload */
	bool snapshot_saved;
	char snapshot_msg[256]; /* why none was saved, for the caller */
};

/* A snapshot read from disk, for snapshot_restore(). */
struct snapshot {
	char *state;
	struct snap_record rec[SNAPFILE_MAX_RECORDS];
	size_t n;
	int mem_fd;
};

/* snapshot.c.  snapshot_load() fails with -ENOENT (none), -ESTALE (saved
 * for another key or memory size) or -EINVAL (unreadable): all mean "boot
 * instead".  snapshot_restore() runs after the VM, its devices and vCPU 0
 * were created as for a boot; snapshot_save() runs on vCPU v's thread
 * with the vCPU's pending I/O completed. */
int snapshot_load(struct snapshot *s, const char *dir, const char *key,
		  uint64_t mem_size, struct vmctl_err *err);
int snapshot_map_memory(const struct snapshot *s, struct guest_mem *mem,
			uint64_t size, struct vmctl_err *err);
int snapshot_restore(struct vm *vm, const struct snapshot *s,
		     struct vmctl_err *err);
void snapshot_release(struct snapshot *s);
int snapshot_save(struct vm *vm, struct vcpu *v, struct vmctl_err *err);

/* Devices' interrupt callback (struct device.irq): KVM_IRQ_LINE. */
void vm_irq(void *vm, uint32_t gsi, int level);

/* Records why the VM must end (the first reason wins) and wakes vm_run. */
void vm_request_stop(struct vm *vm, enum vm_stop why, int errnum,
		     const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* vcpu.c */
int vcpu_create(struct vm *vm, unsigned id, struct vmctl_err *err);
int vcpu_start(struct vcpu *v, struct vmctl_err *err);
void vcpu_kick(struct vcpu *v);
void vcpu_join(struct vcpu *v);
void vcpu_destroy(struct vcpu *v);
int vcpu_install_kick_handler(struct vmctl_err *err);

/* loader.c.  kernel_open() reads and checks the kernel file before any
 * KVM work (a bad --kernel fails fast); vm_load() puts the kernel, the
 * initramfs and the boot structures in guest RAM and sets the boot vCPU's
 * registers. */
struct kernel_file {
	const char *path;
	int fd;
	uint8_t *head; /* the first KERNEL_HEAD_LEN bytes */
	size_t head_len;
	struct kernel_info ki;
};
int kernel_open(struct kernel_file *kf, const char *path,
		struct vmctl_err *err);
void kernel_close(struct kernel_file *kf);
int vm_load(struct vm *vm, const struct kernel_file *kf, const char *cmdline,
	    struct vmctl_err *err);

#endif
