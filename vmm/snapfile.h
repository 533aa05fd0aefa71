/* snapfile.h - the state file of a boot snapshot (PURE: no KVM, no I/O).
 *
 * A snapshot directory (vmm/snapshot.c) holds two files:
 *   memory  guest RAM, a sparse file of the guest's size (pages the guest
 *           never touched are holes);
 *   state   SNAPFILE_MAGIC, then records "<u32 tag><u32 len><len bytes>"
 *           (little-endian, as the host: snapshots never leave it), each
 *           padded to 8 bytes.  Records of one tag may repeat (devices,
 *           irqchips); their order is kept.
 * Everything read back is checked: a truncated or foreign file is refused,
 * never half-used.
 */
#ifndef VMCTL_VMM_SNAPFILE_H
#define VMCTL_VMM_SNAPFILE_H

#include <stddef.h>
#include <stdint.h>

#define SNAPFILE_MAGIC "VMCTLSN1"
#define SNAPFILE_MAX_RECORDS 64
#define SNAPFILE_MAX_BYTES (1u << 20)

enum snap_tag {
	SNAP_KEY = 1,	 /* what the boot depended on (the caller's text) */
	SNAP_MEM_SIZE,	 /* uint64_t */
	SNAP_RELEASE,	 /* the guest kernel's release, as reported */
	SNAP_REGS,	 /* struct kvm_regs */
	SNAP_SREGS,	 /* struct kvm_sregs */
	SNAP_FPU,	 /* struct kvm_fpu */
	SNAP_MSRS,	 /* struct kvm_msr_entry[] */
	SNAP_LAPIC,	 /* struct kvm_lapic_state */
	SNAP_EVENTS,	 /* struct kvm_vcpu_events */
	SNAP_MP_STATE,	 /* struct kvm_mp_state */
	SNAP_DEBUGREGS,	 /* struct kvm_debugregs */
	SNAP_IRQCHIP,	 /* struct kvm_irqchip, one per chip id */
	SNAP_PIT,	 /* struct kvm_pit_state2 */
	SNAP_CLOCK,	 /* struct kvm_clock_data */
	SNAP_DEVICE,	 /* "<device name>\0<its save() blob>", in bus order */
};

struct snap_record {
	uint32_t tag;
	uint32_t len;
	const void *data;
};

/* An append-only buffer of records.  Errors stick: after one failure
 * every call fails and snapfile_finish returns it. */
struct snap_writer {
	uint8_t *buf;
	size_t len, cap;
	int err;
};

void snapfile_init(struct snap_writer *w);
/* Appends a record.  Returns 0 or -ENOMEM / -E2BIG (over
 * SNAPFILE_MAX_BYTES or SNAPFILE_MAX_RECORDS). */
int snapfile_put(struct snap_writer *w, uint32_t tag, const void *data,
		 size_t len);
/* Returns the sticky error (0 when w->buf/w->len hold a whole file). */
int snapfile_finish(struct snap_writer *w);
void snapfile_free(struct snap_writer *w);

/* Parses a whole state file into rec (max entries).  Returns the number of
 * records, or -EINVAL (bad magic, a record running past the end, a zero
 * or unknown tag) / -E2BIG (too many records). */
int snapfile_parse(const uint8_t *buf, size_t len, struct snap_record *rec,
		   size_t max);

/* The nth (0-based) record with tag, or NULL. */
const struct snap_record *snapfile_find(const struct snap_record *rec,
					size_t n, uint32_t tag, unsigned nth);

/* The record with tag whose length is exactly len, copied into out.
 * Returns 0 or -EINVAL (absent, or another size: a file from another
 * kernel-headers' layout). */
int snapfile_get(const struct snap_record *rec, size_t n, uint32_t tag,
		 void *out, size_t len);

#endif
