/* regs.h - the boot CPU's registers for each entry protocol. */
#ifndef VMCTL_VMM_REGS_H
#define VMCTL_VMM_REGS_H

#include <linux/kvm.h>
#include <stdint.h>

#include "common/error.h"

/* PURE: a cached segment register from a GDT descriptor. */
void regs_segment(uint64_t desc, uint16_t selector, struct kvm_segment *s);

/* PURE: PVH entry: 32-bit protected mode, paging off, flat segments,
 * ebx = start_info (Xen's PVH boot ABI).  sregs is updated in place (it
 * starts from KVM_GET_SREGS so the rest of the state stays KVM's). */
void regs_pvh(struct kvm_sregs *sregs, struct kvm_regs *regs, uint64_t entry,
	      uint64_t start_info);

/* PURE: 64-bit entry (bzImage startup_64): long mode with the identity
 * page tables of vmm/boot.c, rsi = zero page. */
void regs_long(struct kvm_sregs *sregs, struct kvm_regs *regs, uint64_t entry,
	       uint64_t zero_page);

/* Gets sregs, applies one of the above, sets sregs and regs. */
int regs_setup(int vcpu_fd, int long_mode, uint64_t entry, uint64_t boot_arg,
	       struct vmctl_err *err);

#endif
