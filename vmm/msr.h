/* msr.h - model-specific registers at boot. */
#ifndef VMCTL_VMM_MSR_H
#define VMCTL_VMM_MSR_H

#include <linux/kvm.h>
#include <stddef.h>

#include "common/error.h"

#define MSR_BOOT_MAX 16

/* PURE: fills out[] with the boot values; returns the count. */
size_t msr_boot_entries(struct kvm_msr_entry *out, size_t max);

/* KVM_SET_MSRS with msr_boot_entries(). */
int msr_setup(int vcpu_fd, struct vmctl_err *err);

#endif
