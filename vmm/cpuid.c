/* cpuid.c - the guest's CPUID (see cpuid.h). */
#include "vmm/cpuid.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "common/cleanup.h"

#define BIT(n) (1u << (n))

/* Leaf 1 ECX: CX16 (cmpxchg16b: not emulated), POPCNT (not emulated),
 * XSAVE/OSXSAVE (xrstor not emulated), AVX/FMA/F16C (need XSAVE state). */
#define L1_ECX_HIDE                                                            \
	(BIT(12) | BIT(13) | BIT(23) | BIT(26) | BIT(27) | BIT(28) | BIT(29))
#define L1_ECX_HYPERVISOR BIT(31)

/* Leaf 7.0 EBX: HLE(4) AVX2(5) ERMS(9, slow rep movs under emulation)
 * RTM(11) MPX(14) AVX512F/DQ(16,17) SMAP(20, clac not emulated) AVX512IFMA
 * (21) AVX512PF/ER/CD(26-28) AVX512BW/VL(30,31). */
#define L7_EBX_HIDE                                                            \
	(BIT(4) | BIT(5) | BIT(9) | BIT(11) | BIT(14) | BIT(16) | BIT(17) |    \
	 BIT(20) | BIT(21) | BIT(26) | BIT(27) | BIT(28) | BIT(30) | BIT(31))
/* Leaf 7.0 ECX: AVX512VBMI(1) UMIP(2) PKU(3) OSPKE(4) WAITPKG(5) VBMI2(6)
 * CET_SS(7) VAES(9) VPCLMULQDQ(10) VNNI(11) BITALG(12) VPOPCNTDQ(14)
 * LA57(16). */
#define L7_ECX_HIDE                                                            \
	(BIT(1) | BIT(2) | BIT(3) | BIT(4) | BIT(5) | BIT(6) | BIT(7) |        \
	 BIT(9) | BIT(10) | BIT(11) | BIT(12) | BIT(14) | BIT(16))
/* Leaf 7.0 EDX: 4VNNIW/4FMAPS(2,3) FSRM(4) IBT(20) AMX(22,24,25)
 * AVX512FP16(23) ARCH_CAPABILITIES(29: its MSR is refused on nested KVM). */
#define L7_EDX_HIDE                                                            \
	(BIT(2) | BIT(3) | BIT(4) | BIT(20) | BIT(22) | BIT(23) | BIT(24) |    \
	 BIT(25) | BIT(29))

#define KVM_SIGNATURE_LEAF 0x40000000u

struct kvm_cpuid_entry2 *cpuid_find(struct kvm_cpuid_entry2 *e, size_t n,
				    uint32_t function, uint32_t index)
{
	for (size_t i = 0; i < n; i++)
		if (e[i].function == function && e[i].index == index)
			return &e[i];
	return NULL;
}

static void filter_one(struct kvm_cpuid_entry2 *e, uint32_t vcpu_id,
		       uint32_t n_vcpus)
{
	switch (e->function) {
	case 1:
		e->ecx &= ~L1_ECX_HIDE;
		e->ecx |= L1_ECX_HYPERVISOR;
		/* EBX[31:24] initial APIC id, [23:16] logical processors */
		e->ebx = (e->ebx & 0x0000ffffu) | (vcpu_id << 24) |
			 ((n_vcpus & 0xff) << 16);
		break;
	case 7:
		if (e->index == 0) {
			e->ebx &= ~L7_EBX_HIDE;
			e->ecx &= ~L7_ECX_HIDE;
			e->edx &= ~L7_EDX_HIDE;
		} else {
			/* subleaf 1: AVX-VNNI, AVX512-BF16, fast short
			 * string ops... all of it is XSAVE state or speed
			 * hints */
			e->eax = e->ebx = e->ecx = e->edx = 0;
		}
		break;
	case 0xb:
	case 0x1f:
		e->edx = vcpu_id; /* x2APIC id */
		break;
	case 0xd: /* XSAVE state enumeration: there is none */
		e->eax = e->ebx = e->ecx = e->edx = 0;
		break;
	case KVM_SIGNATURE_LEAF:
		e->eax = KVM_SIGNATURE_LEAF + 1;
		memcpy(&e->ebx, "KVMK", 4);
		memcpy(&e->ecx, "VMKV", 4);
		memcpy(&e->edx, "M\0\0\0", 4);
		break;
	default:
		break;
	}
}

void cpuid_filter(struct kvm_cpuid_entry2 *e, size_t n, uint32_t vcpu_id,
		  uint32_t n_vcpus)
{
	for (size_t i = 0; i < n; i++)
		filter_one(&e[i], vcpu_id, n_vcpus);
}

int cpuid_setup(int kvm_fd, int vcpu_fd, uint32_t vcpu_id, uint32_t n_vcpus,
		struct vmctl_err *err)
{
	size_t size = sizeof(struct kvm_cpuid2) +
		      CPUID_MAX_ENTRIES * sizeof(struct kvm_cpuid_entry2);
	cleanup_free struct kvm_cpuid2 *c = calloc(1, size);
	if (!c)
		return vmctl_error(err, ENOMEM, "cpuid");
	analyzer_cleanup(c);
	c->nent = CPUID_MAX_ENTRIES;
	if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c) < 0)
		return vmctl_error(err, errno, "KVM_GET_SUPPORTED_CPUID");
	cpuid_filter(c->entries, c->nent, vcpu_id, n_vcpus);
	if (ioctl(vcpu_fd, KVM_SET_CPUID2, c) < 0)
		return vmctl_error(err, errno, "KVM_SET_CPUID2");
	return 0;
}
