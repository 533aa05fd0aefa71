/* regs.c - boot register state (see regs.h). */
#include "vmm/regs.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm/boot.h"

#define CR0_PE 0x1ULL
#define CR0_ET 0x10ULL
#define CR0_PG 0x80000000ULL
#define CR4_PAE 0x20ULL
#define EFER_LME 0x100ULL
#define EFER_LMA 0x400ULL
#define RFLAGS_RESERVED 0x2ULL

void regs_segment(uint64_t desc, uint16_t selector, struct kvm_segment *s)
{
	uint32_t limit = (uint32_t)((desc & 0xffff) | ((desc >> 32) & 0xf0000));
	uint8_t g = (desc >> 55) & 1;

	*s = (struct kvm_segment){
	    .base = ((desc >> 16) & 0xffffff) | ((desc >> 32) & 0xff000000),
	    /* with G set the limit counts 4 KiB pages */
	    .limit = g ? (limit << 12) | 0xfff : limit,
	    .selector = selector,
	    .type = (desc >> 40) & 0xf,
	    .s = (desc >> 44) & 1,
	    .dpl = (desc >> 45) & 3,
	    .present = (desc >> 47) & 1,
	    .avl = (desc >> 52) & 1,
	    .l = (desc >> 53) & 1,
	    .db = (desc >> 54) & 1,
	    .g = g,
	};
}

static void flat_segments(struct kvm_sregs *s, uint16_t code_flags)
{
	struct kvm_segment data;
	regs_segment(boot_gdt_entry(code_flags, 0, 0xfffff), GDT_SEL_CODE,
		     &s->cs);
	regs_segment(boot_gdt_entry(GDT_DATA, 0, 0xfffff), GDT_SEL_DATA, &data);
	s->ds = s->es = s->fs = s->gs = s->ss = data;
	regs_segment(boot_gdt_entry(GDT_TSS, 0, 0x67), GDT_SEL_TSS, &s->tr);
	s->gdt.base = BOOT_GDT_ADDR;
	s->gdt.limit = 4 * 8 - 1;
	s->idt.base = 0;
	s->idt.limit = 0;
}

void regs_pvh(struct kvm_sregs *sregs, struct kvm_regs *regs, uint64_t entry,
	      uint64_t start_info)
{
	flat_segments(sregs, GDT_CODE32);
	sregs->cr0 = CR0_PE | CR0_ET;
	sregs->cr3 = 0;
	sregs->cr4 = 0;
	sregs->efer = 0;
	memset(regs, 0, sizeof(*regs));
	regs->rflags = RFLAGS_RESERVED;
	regs->rip = entry;
	regs->rbx = start_info;
}

void regs_long(struct kvm_sregs *sregs, struct kvm_regs *regs, uint64_t entry,
	       uint64_t zero_page)
{
	flat_segments(sregs, GDT_CODE64);
	sregs->cr0 = CR0_PE | CR0_ET | CR0_PG;
	sregs->cr3 = BOOT_PML4_ADDR;
	sregs->cr4 = CR4_PAE;
	sregs->efer = EFER_LME | EFER_LMA;
	memset(regs, 0, sizeof(*regs));
	regs->rflags = RFLAGS_RESERVED;
	regs->rip = entry;
	regs->rsi = zero_page;
	regs->rsp = regs->rbp = BOOT_STACK_ADDR;
}

int regs_setup(int vcpu_fd, int long_mode, uint64_t entry, uint64_t boot_arg,
	       struct vmctl_err *err)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (ioctl(vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
		return vmctl_error(err, errno, "KVM_GET_SREGS");
	if (long_mode)
		regs_long(&sregs, &regs, entry, boot_arg);
	else
		regs_pvh(&sregs, &regs, entry, boot_arg);
	if (ioctl(vcpu_fd, KVM_SET_SREGS, &sregs) < 0)
		return vmctl_error(err, errno, "KVM_SET_SREGS");
	if (ioctl(vcpu_fd, KVM_SET_REGS, &regs) < 0)
		return vmctl_error(err, errno, "KVM_SET_REGS");
	return 0;
}
