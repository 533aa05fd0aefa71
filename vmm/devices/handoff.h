/* handoff.h - the port through which a booted guest init gets its workload
 * (protocol in vmm/milestone.h, MS_HANDOFF_*).
 *
 * Because the init asks for its workload only after it has booted, the
 * same booted guest serves any command of the same image: this is the
 * point where the monitor snapshots a VM, and where a restored snapshot
 * resumes (vmm/snapshot.h).
 */
#ifndef VMCTL_VMM_DEVICES_HANDOFF_H
#define VMCTL_VMM_DEVICES_HANDOFF_H

#include <stddef.h>

#include "common/error.h"
#include "vmm/device.h"

enum handoff_event {
	HANDOFF_READY, /* the booted init waits for its workload */
	HANDOFF_TAKEN, /* it asked for the config: the workload is coming */
};

/* Called on the vCPU thread.  HANDOFF_READY comes at most once per VM and
 * only before the config was asked for: a guest (its workload may be root
 * in there) cannot ask for a snapshot once it has its workload. */
typedef void (*handoff_event_fn)(void *ctx, enum handoff_event ev);

/* config: the run's records (initramfs_config_format()), copied.  On the
 * first read of MS_HANDOFF_LEN the device appends the time and a fresh
 * seed (PURE part: handoff_format_extra). */
int handoff_create(struct device **out, const char *config, size_t len,
		   handoff_event_fn event, void *ctx, struct vmctl_err *err);

/* PURE: appends the MS_CFG_TIME record for realtime_ns and the MS_CFG_SEED
 * record for the 32 bytes of seed to buf (which holds len bytes, n in
 * all).  Returns the new length, or -ENOSPC. */
int handoff_format_extra(char *buf, size_t len, size_t n, long long realtime_ns,
			 const unsigned char seed[32]);

#endif
