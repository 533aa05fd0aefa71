/* kvm.h - thin wrappers over the /dev/kvm ioctls the monitor needs.
 *
 * Each returns 0 or a negative errno with err filled; none keeps state.
 */
#ifndef VMCTL_VMM_KVM_H
#define VMCTL_VMM_KVM_H

#include <linux/kvm.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "vmm/device.h"

/* Opens /dev/kvm and checks the API version; the message says how to fix a
 * missing module or a permission problem. */
int kvm_open(int *kvm_fd, struct vmctl_err *err);

/* KVM_CREATE_VM. */
int kvm_create_vm(int kvm_fd, int *vm_fd, struct vmctl_err *err);

/* The x86 platform: TSS and identity-map addresses (needed by Intel's
 * real-mode emulation), the in-kernel irqchip (PIC, IOAPIC, LAPIC) and PIT.
 * Call it AFTER kvm_set_memory(): once the irqchip exists, installing a
 * memory slot waits for an SRCU grace period (measured: 0.1 ms before,
 * 5-10 ms after, on the nested hypervisor). */
int kvm_create_platform(int vm_fd, struct vmctl_err *err);

/* Guest RAM: an anonymous MAP_NORESERVE mapping, so only the pages the
 * guest touches cost host memory. */
int guest_mem_alloc(struct guest_mem *mem, uint64_t size,
		    struct vmctl_err *err);
void guest_mem_free(struct guest_mem *mem);
/* Bytes of the mapping that are resident (mincore). */
uint64_t guest_mem_resident(const struct guest_mem *mem);

int kvm_set_memory(int vm_fd, uint32_t slot, uint64_t gpa,
		   const struct guest_mem *mem, struct vmctl_err *err);

/* KVM_CREATE_VCPU and the mmap of its struct kvm_run. */
int kvm_create_vcpu(int kvm_fd, int vm_fd, unsigned id, int *vcpu_fd,
		    struct kvm_run **run, size_t *run_size,
		    struct vmctl_err *err);

/* Raises/lowers an interrupt line of the in-kernel irqchip. */
int kvm_irq_line(int vm_fd, uint32_t gsi, int level);

#endif
