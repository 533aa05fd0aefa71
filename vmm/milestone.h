/* milestone.h - how the guest init tells the monitor where it is.
 *
 * Shared by vmm/guest/init.c (the sender, a static PID 1) and the monitor
 * (vmm/devices/milestone.c, the parser).  Header-only and libc-free apart
 * from <stdint.h>/<stddef.h> so the init stays tiny.
 *
 * A milestone is a record of bytes:  MS_MARK <type> [payload] '\n'
 * e.g. "\x1eS256\n" (the workload exited, wait status 256).  The same byte
 * stream reaches the monitor through either transport:
 *   - the serial console (ttyS0): the guest kernel needs nothing special,
 *     the records are in-band and the monitor lifts them out of the stream
 *     (every other byte is kernel console or workload text);
 *   - the milestone port MS_PORT: one `outb` per byte, used by the init
 *     when the kernel lets it (ioperm) and the command line asks for it
 *     (vmctl_ms=port).
 * A '\r' anywhere is ignored (the tty layer may add one before '\n').
 */
#ifndef VMCTL_VMM_MILESTONE_H
#define VMCTL_VMM_MILESTONE_H

#include <stddef.h>
#include <stdint.h>

#define MS_PORT 0x510 /* a byte written here is one byte of the stream */
#define MS_PORT_LEN 0x10
#define MS_MARK '\x1e' /* ASCII record separator: starts a record */

/* The workload's output streams (vmm/devices/stream.c): the init relays the
 * workload's stdout and stderr pipes with `rep outsb` to these ports (KVM
 * hands a whole string over in one exit), then writes MS_STREAM_FLUSH. */
#define MS_STREAM_PORT 0x520
#define MS_STREAM_OUT 0x520
#define MS_STREAM_ERR 0x521
#define MS_STREAM_FLUSH 0x522
#define MS_STREAM_LEN 4
#define MS_MAX_PAYLOAD 96

enum ms_type {
	MS_INIT_STARTED = 'I', /* init is running (no payload) */
	MS_UNAME = 'U',	       /* payload: uname release */
	MS_EXEC = 'X',	       /* the workload's execve succeeded */
	MS_EXIT_STATUS = 'S',  /* payload: decimal wait(2) status */
	MS_EXEC_ERROR = 'E',   /* payload: decimal errno of the failed exec */
	MS_INIT_ERROR = 'F',   /* payload: "<errno> <what>" setup failed */
};

/* The workload description inside the initramfs, written by
 * initramfs_build() and read by the init: a sequence of records
 * "<key><value>\0" with key one of the characters below, in order of
 * appearance (argv elements in order, env entries in order). */
#define MS_CONFIG_PATH "/vmctl/config"
#define MS_INIT_PATH "/vmctl/init"
#define MS_CFG_ARG 'a'
#define MS_CFG_ENV 'e'
#define MS_CFG_WORKDIR 'w'
#define MS_CFG_HOSTNAME 'h'
#define MS_CFG_USER 'u' /* the image's User, resolved by the guest init */

/* The hand-off (vmm/devices/handoff.c).  An init started with
 * vmctl_handoff=port boots as far as it can without knowing its workload
 * (devices, root disk mounted read-only, /proc), then:
 *   outb MS_HANDOFF_READY   "booted": the monitor may snapshot the VM here,
 *                           and a restored snapshot resumes right after it;
 *   inl  MS_HANDOFF_LEN     the length of this run's config;
 *   inl  MS_HANDOFF_DATA    its bytes, four per read: the records of MS_CONFIG_PATH plus
 *                           MS_CFG_TIME and MS_CFG_SEED, added by the
 *                           monitor at that moment.
 * So one booted guest serves any workload of the same image. */
#define MS_HANDOFF_PORT 0x530
#define MS_HANDOFF_READY 0x530
#define MS_HANDOFF_LEN 0x534
#define MS_HANDOFF_DATA 0x538
#define MS_HANDOFF_PORT_LEN 0x10
#define MS_HANDOFF_MAX 65536
#define MS_CFG_TIME 't' /* decimal ns since the epoch (CLOCK_REALTIME) */
#define MS_CFG_SEED 's' /* 64 hex digits for the guest's RNG: a restored
			 * snapshot must not reuse the saved RNG state */

/* Kernel command line words the monitor adds; the kernel hands unknown
 * "key=value" words to init as environment variables. */
#define MS_ENV_TRANSPORT "vmctl_ms" /* "port": use MS_PORT, else serial */
#define MS_ENV_OUTPUT "vmctl_out"   /* "hvc0": workload stdout device;
				     * "port": the stream ports below */
#define MS_ENV_ERROR "vmctl_err"    /* "hvc1": workload stderr device */
#define MS_ENV_ROOT "vmctl_root"    /* "vda": the image is on virtio-blk */
#define MS_ENV_WARM "vmctl_warm" /* a command to read into the page cache
				   * before the hand-off (a boot snapshot
				   * then holds it) */
#define MS_ENV_HANDOFF "vmctl_handoff" /* "port": config through the
					* hand-off ports, root mounted
					* read-only until then */

#endif
