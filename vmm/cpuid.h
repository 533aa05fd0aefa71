/* cpuid.h - what CPU the guest sees.
 *
 * The guest gets KVM's supported CPUID minus the features an emulating
 * hypervisor cannot run (XSAVE family, AVX*, SMAP, POPCNT, CMPXCHG16B, PKU,
 * UMIP, ...; see vmm/cpuid.c for why each) and minus the slow string-copy
 * hints (ERMS, FSRM), plus the hypervisor bit and KVM's signature leaves so
 * the kernel uses kvm-clock.  (Under the nested kvm_pvm the masks do not
 * reach the guest; the command line's clearcpuid= does the same there.)
 */
#ifndef VMCTL_VMM_CPUID_H
#define VMCTL_VMM_CPUID_H

#include <linux/kvm.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define CPUID_MAX_ENTRIES 256

/* PURE: rewrites the entries for vCPU vcpu_id of n_vcpus. */
void cpuid_filter(struct kvm_cpuid_entry2 *e, size_t n, uint32_t vcpu_id,
		  uint32_t n_vcpus);

/* Finds entry (function, index); NULL if absent. */
struct kvm_cpuid_entry2 *cpuid_find(struct kvm_cpuid_entry2 *e, size_t n,
				    uint32_t function, uint32_t index);

/* KVM_GET_SUPPORTED_CPUID, cpuid_filter, KVM_SET_CPUID2. */
int cpuid_setup(int kvm_fd, int vcpu_fd, uint32_t vcpu_id, uint32_t n_vcpus,
		struct vmctl_err *err);

#endif
