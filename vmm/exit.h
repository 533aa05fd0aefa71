/* exit.h - what a vCPU exit means (PURE: decides from struct kvm_run only,
 * so it is unit-tested with made-up exits). */
#ifndef VMCTL_VMM_EXIT_H
#define VMCTL_VMM_EXIT_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum exit_kind {
	EXIT_ACT_CONTINUE = 0, /* nothing to do: run again */
	EXIT_ACT_PIO,	       /* port I/O for the bus */
	EXIT_ACT_MMIO,	       /* memory-mapped I/O for the bus */
	EXIT_ACT_RESET,	       /* the guest asked for a reset/power off */
	EXIT_ACT_HALT,	       /* HLT without an in-kernel irqchip */
	EXIT_ACT_FAULT,	       /* the guest cannot go on: see reason */
};

struct exit_action {
	enum exit_kind kind;
	bool is_write;
	uint64_t addr;	   /* port or guest physical address */
	uint32_t size;	   /* bytes per access */
	uint32_t count;	   /* PIO repetitions (rep ins/outs) */
	uint64_t data_off; /* PIO: offset of the data in kvm_run's mapping */
	char reason[160];  /* FAULT/RESET: one line, no rip (the caller adds) */
};

struct exit_action handle_exit(const struct kvm_run *run);

/* Name of a KVM_EXIT_* reason, "exit N" if unknown. */
const char *exit_reason_name(uint32_t reason, char *buf, size_t n);

#include "vmm/device.h"

/* PURE: the reason of a guest kernel panic in console text ("No working
 * init found.  Try passing init= option to kernel." from "Kernel panic -
 * not syncing: ..."), copied into out without its line end.  Returns
 * whether the text holds one. */
bool exit_panic_reason(const char *console, size_t n, char *out, size_t outn);

/* PURE: translates a guest virtual address with the guest's own page
 * tables (no paging, 32-bit, PAE, 4-level long mode).  0 or -EFAULT. */
int exit_gva_to_gpa(const struct guest_mem *m, uint64_t cr0, uint64_t cr3,
		    uint64_t cr4, uint64_t efer, uint64_t gva, uint64_t *gpa);
#endif
