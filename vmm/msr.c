/* msr.c - boot MSRs, as a firmware would leave them: SYSENTER/SYSCALL
 * state cleared, TSC at 0, fast strings enabled, MTRRs defaulting to
 * write-back (a kernel without MTRR support then sees cached memory). */
#include "vmm/msr.h"

#include <errno.h>
#include <stdint.h>
#include <sys/ioctl.h>

#define MSR_IA32_TSC 0x10
#define MSR_IA32_SYSENTER_CS 0x174
#define MSR_IA32_SYSENTER_ESP 0x175
#define MSR_IA32_SYSENTER_EIP 0x176
#define MSR_IA32_MISC_ENABLE 0x1a0
#define MSR_MTRR_DEF_TYPE 0x2ff
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SYSCALL_MASK 0xc0000084
#define MSR_KERNEL_GS_BASE 0xc0000102

#define MISC_ENABLE_FAST_STRING 1ULL
#define MTRR_ENABLE_WRITEBACK ((1ULL << 11) | 6)

size_t msr_boot_entries(struct kvm_msr_entry *out, size_t max)
{
	static const struct {
		uint32_t index;
		uint64_t data;
	} boot[] = {
	    {MSR_IA32_SYSENTER_CS, 0},
	    {MSR_IA32_SYSENTER_ESP, 0},
	    {MSR_IA32_SYSENTER_EIP, 0},
	    {MSR_STAR, 0},
	    {MSR_CSTAR, 0},
	    {MSR_KERNEL_GS_BASE, 0},
	    {MSR_SYSCALL_MASK, 0},
	    {MSR_LSTAR, 0},
	    {MSR_IA32_TSC, 0},
	    {MSR_IA32_MISC_ENABLE, MISC_ENABLE_FAST_STRING},
	    {MSR_MTRR_DEF_TYPE, MTRR_ENABLE_WRITEBACK},
	};
	size_t n = sizeof(boot) / sizeof(boot[0]);
	if (n > max)
		n = max;
	for (size_t i = 0; i < n; i++)
		out[i] = (struct kvm_msr_entry){.index = boot[i].index,
						.data = boot[i].data};
	return n;
}

int msr_setup(int vcpu_fd, struct vmctl_err *err)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[MSR_BOOT_MAX];
	} m = {0};
	m.hdr.nmsrs = (uint32_t)msr_boot_entries(m.e, MSR_BOOT_MAX);
	int r = ioctl(vcpu_fd, KVM_SET_MSRS, &m);
	if (r < 0)
		return vmctl_error(err, errno, "KVM_SET_MSRS");
	/* KVM_SET_MSRS returns how many it set; a refused one is not fatal
	 * for booting (the kernel reprograms what it uses), so only a
	 * complete failure is reported. */
	if (r == 0 && m.hdr.nmsrs)
		return vmctl_errorf(err, EINVAL, "KVM_SET_MSRS set none of %u",
				    m.hdr.nmsrs);
	return 0;
}
