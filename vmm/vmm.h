/* vmm.h - the micro-VM monitor's public API.
 *
 * vm_run() boots kernel_path with initramfs_path (built by
 * images/initramfs.c), or restores a boot snapshot (vmm/snapshot.c); the
 * workload's argv/env/workdir/hostname reach the guest init through the
 * hand-off port (handoff_config) or inside the initramfs.  It runs the
 * guest until the init reports the workload's exit, and fills struct
 * run_result (common/spec.h).  vmctl calls it in a process of its own,
 * bin/vmctl-vmm, through vm_run_in_monitor() (vmm/launch.h).
 *
 * Returns 0 when the workload ran and reported its exit (res->exit_code is
 * then its status, or 128+N for signal N).  Returns a negative errno with
 * err filled otherwise, and res->exit_code still says how to exit:
 *   127 / 126  the command was not found / could not be executed;
 *   130        stop_fd became readable (Ctrl-C);
 *   125        everything else: no KVM, a bad kernel file, a guest fault
 *              (KVM internal error, triple fault, panic), the timeout.
 *
 * Process-wide side effect: installs a no-op handler for VCPU_KICK_SIGNAL
 * (SIGRTMIN+2), used to pull vCPU threads out of KVM_RUN.  The vCPU
 * threads block every other signal, so SIGINT reaches the caller's thread.
 */
#ifndef VMCTL_VMM_VMM_H
#define VMCTL_VMM_VMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/spec.h"

struct vm_config {
	const char *kernel_path;    /* vmlinux ELF (PVH note) or bzImage */
	const char *initramfs_path; /* cpio newc, uncompressed */
	const char *disk_path;	    /* optional ext4 image for virtio-blk */
	bool disk_snapshot;	    /* the guest's writes never reach disk_path */
	const char *extra_cmdline;  /* optional, appended */
	uint64_t mem_bytes;	    /* 0 -> 128 MiB */
	int vcpus;		    /* 0 -> 1 */
	unsigned timeout_sec;	    /* 0: none */
	/* The guest's init must report within this long of t0_ns, or the run
	 * ends (a kernel that hangs in its boot); 0: VM_BOOT_TIMEOUT_SEC. */
	unsigned boot_timeout_sec;
	int64_t t0_ns;		    /* CLOCK_MONOTONIC start of `vmctl run` */
	int console_fd;		    /* where the workload's output goes */
	bool verbose_console;	    /* kernel console to stderr (debug) */
	int stop_fd; /* readable -> stop the guest (Ctrl-C); -1 none */
	/* Optional: sample vCPU 0's rip every millisecond into this file
	 * ("<µs since kernel entry> <rip hex>" per line), to see where the
	 * guest kernel spends its boot (scripts/vm-profile symbolizes it). */
	const char *profile_path;
	/* The hand-off (vmm/devices/handoff.h): with handoff_config set, the
	 * init (booted with vmctl_handoff=port) gets the workload's records
	 * from the monitor instead of the initramfs. */
	const char *handoff_config;
	size_t handoff_len;
	/* Boot snapshots (needs the hand-off and one vCPU): restore the one in
	 * snapshot_dir if it was saved for snapshot_key (a text naming all
	 * the boot depended on: kernel, init, disk, memory, command line),
	 * else boot and save one there at the hand-off. */
	const char *snapshot_dir;
	const char *snapshot_key;
};

#define VM_BOOT_TIMEOUT_SEC 120 /* a cold boot takes ~6 s on a nested host */

int vm_run(const struct vm_config *cfg, struct run_result *res,
	   struct vmctl_err *err);
/* res->boot says how the guest came up: BOOT_COLD or BOOT_SNAPSHOT, and
 * res->snapshot_saved whether this run saved a snapshot. */

/* Whether /dev/kvm can be used (opened, right API version), with a message
 * that says how to fix it; for callers that prepare expensive things
 * (root disks) before vm_run().  Returns 0 or -errno. */
int vm_probe_kvm(struct vmctl_err *err);

/* PURE: the kernel command line vm_run uses: the base words this guest
 * kernel needs (VM_CMDLINE_BASE), "quiet" unless verbose, the device
 * fragments (virtio_mmio.device=..., vmctl_out=...), then extra (last, so
 * the user can override).  Returns 0 or -ENAMETOOLONG. */
int vm_cmdline(char *buf, size_t n, bool verbose, const char *const *frags,
	       size_t n_frags, const char *extra);

/* What the guest kernel of images/kernel needs on any x86 KVM: no XSAVE
 * and the CPUID bits the nested emulator cannot run hidden on the command
 * line (the monitor's CPUID masks do not reach the guest there), no
 * rodata page splitting (slow), the PIC instead of an IOAPIC nobody
 * describes, a panic that resets at once (and an oops is a panic: a guest
 * kernel half-dead after an oops, holding a lock the init needs, would
 * otherwise hang the run until --timeout), reboot through the i8042, our
 * init, and the CPU's RDRAND trusted to seed the guest's RNG (otherwise it
 * keeps mixing jitter into its pool until enough interrupts came: 0.3 s of
 * blake2s under the emulator here). */
#define VM_CMDLINE_BASE                                                        \
	"console=ttyS0 noxsave clearcpuid=308,151,141,297,580 rodata=off "     \
	"noapic norandmaps panic=-1 oops=panic reboot=k rdinit=/vmctl/init "   \
	"random.trust_cpu=on"

#endif
