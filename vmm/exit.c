/* exit.c - vCPU exit decisions (see exit.h). */
#include "vmm/exit.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *const names[] = {
    [KVM_EXIT_UNKNOWN] = "unknown",
    [KVM_EXIT_EXCEPTION] = "exception",
    [KVM_EXIT_IO] = "io",
    [KVM_EXIT_HYPERCALL] = "hypercall",
    [KVM_EXIT_DEBUG] = "debug",
    [KVM_EXIT_HLT] = "hlt",
    [KVM_EXIT_MMIO] = "mmio",
    [KVM_EXIT_IRQ_WINDOW_OPEN] = "irq window open",
    [KVM_EXIT_SHUTDOWN] = "shutdown (triple fault)",
    [KVM_EXIT_FAIL_ENTRY] = "fail entry",
    [KVM_EXIT_INTR] = "interrupted",
    [KVM_EXIT_SET_TPR] = "set tpr",
    [KVM_EXIT_TPR_ACCESS] = "tpr access",
    [KVM_EXIT_NMI] = "nmi",
    [KVM_EXIT_INTERNAL_ERROR] = "internal error",
    [KVM_EXIT_SYSTEM_EVENT] = "system event",
};

const char *exit_reason_name(uint32_t reason, char *buf, size_t n)
{
	if (reason < sizeof(names) / sizeof(names[0]) && names[reason])
		return names[reason];
	snprintf(buf, n, "exit %u", reason);
	return buf;
}

static const char *internal_suberror(uint32_t sub)
{
	switch (sub) {
	case KVM_INTERNAL_ERROR_EMULATION:
		return "emulation failure (an instruction the hypervisor "
		       "cannot emulate)";
	case KVM_INTERNAL_ERROR_SIMUL_EX:
		return "exception while delivering an exception";
	case KVM_INTERNAL_ERROR_DELIVERY_EV:
		return "cannot deliver an event";
	default:
		return "internal error";
	}
}

struct exit_action handle_exit(const struct kvm_run *run)
{
	struct exit_action a = {.kind = EXIT_ACT_FAULT};
	char buf[32];

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		a.kind = EXIT_ACT_PIO;
		a.is_write = run->io.direction == KVM_EXIT_IO_OUT;
		a.addr = run->io.port;
		a.size = run->io.size;
		a.count = run->io.count;
		a.data_off = run->io.data_offset;
		if (a.size != 1 && a.size != 2 && a.size != 4) {
			a.kind = EXIT_ACT_FAULT;
			snprintf(a.reason, sizeof(a.reason),
				 "port I/O of impossible size %u", a.size);
		}
		break;
	case KVM_EXIT_MMIO:
		a.kind = EXIT_ACT_MMIO;
		a.is_write = run->mmio.is_write;
		a.addr = run->mmio.phys_addr;
		a.size = run->mmio.len;
		a.count = 1;
		if (a.size == 0 || a.size > 8) {
			a.kind = EXIT_ACT_FAULT;
			snprintf(a.reason, sizeof(a.reason),
				 "MMIO of impossible size %u", a.size);
		}
		break;
	case KVM_EXIT_INTR:
	case KVM_EXIT_IRQ_WINDOW_OPEN:
		a.kind = EXIT_ACT_CONTINUE;
		break;
	case KVM_EXIT_HLT:
		a.kind = EXIT_ACT_HALT;
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		a.kind = EXIT_ACT_RESET;
		snprintf(a.reason, sizeof(a.reason), "guest %s",
			 run->system_event.type == KVM_SYSTEM_EVENT_RESET
			     ? "reset"
			 : run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN
			     ? "power off"
			     : "system event");
		break;
	case KVM_EXIT_SHUTDOWN:
		/* A triple fault: what a crashed guest, or a kernel
		 * rebooting with reboot=t, ends in.  Whether it is a fault
		 * is the caller's call (did the workload report its exit?). */
		a.kind = EXIT_ACT_RESET;
		snprintf(a.reason, sizeof(a.reason),
			 "guest shut down (triple fault)");
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		snprintf(a.reason, sizeof(a.reason),
			 "KVM internal error %u: %s", run->internal.suberror,
			 internal_suberror(run->internal.suberror));
		break;
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(a.reason, sizeof(a.reason),
			 "KVM cannot enter the guest (hardware reason 0x%llx)",
			 (unsigned long long)
			     run->fail_entry.hardware_entry_failure_reason);
		break;
	default:
		snprintf(a.reason, sizeof(a.reason), "unexpected KVM exit: %s",
			 exit_reason_name(run->exit_reason, buf, sizeof(buf)));
		break;
	}
	return a;
}

#define PTE_P 0x1ULL
#define PTE_PS 0x80ULL
#define PTE_ADDR 0x000ffffffffff000ULL
#define CR0_PG 0x80000000ULL
#define CR4_PSE 0x10ULL
#define CR4_PAE 0x20ULL
#define EFER_LMA 0x400ULL

static int read_pte(const struct guest_mem *m, uint64_t gpa, int wide,
		    uint64_t *out)
{
	const void *p = guest_ptr(m, gpa, wide ? 8 : 4);
	if (!p)
		return -EFAULT;
	if (wide) {
		memcpy(out, p, 8);
	} else {
		uint32_t v;
		memcpy(&v, p, 4);
		*out = v;
	}
	return (*out & PTE_P) ? 0 : -EFAULT;
}

int exit_gva_to_gpa(const struct guest_mem *m, uint64_t cr0, uint64_t cr3,
		    uint64_t cr4, uint64_t efer, uint64_t gva, uint64_t *gpa)
{
	uint64_t e;

	if (!(cr0 & CR0_PG)) {
		*gpa = gva;
		return 0;
	}
	if (!(cr4 & CR4_PAE)) { /* 2-level, 4 KiB or 4 MiB pages */
		if (read_pte(m, (cr3 & 0xfffff000) + ((gva >> 22) & 1023) * 4,
			     0, &e))
			return -EFAULT;
		if ((e & PTE_PS) && (cr4 & CR4_PSE)) {
			*gpa = (e & 0xffc00000) | (gva & 0x3fffff);
			return 0;
		}
		if (read_pte(m, (e & 0xfffff000) + ((gva >> 12) & 1023) * 4, 0,
			     &e))
			return -EFAULT;
		*gpa = (e & 0xfffff000) | (gva & 0xfff);
		return 0;
	}
	/* PAE / long mode: 8-byte entries, 9 bits per level */
	uint64_t table;
	int level;
	if (efer & EFER_LMA) {
		table = cr3 & PTE_ADDR;
		level = 4;
	} else {
		if (read_pte(m, (cr3 & 0xffffffe0) + ((gva >> 30) & 3) * 8, 1,
			     &e))
			return -EFAULT;
		table = e & PTE_ADDR;
		level = 2;
	}
	for (; level >= 1; level--) {
		unsigned shift = 12 + 9 * (unsigned)(level - 1);
		if (read_pte(m, table + ((gva >> shift) & 511) * 8, 1, &e))
			return -EFAULT;
		if (level == 1 || ((e & PTE_PS) && level <= 3)) {
			uint64_t mask = (1ULL << shift) - 1;
			*gpa = (e & PTE_ADDR & ~mask) | (gva & mask);
			return 0;
		}
		table = e & PTE_ADDR;
	}
	return -EFAULT;
}

bool exit_panic_reason(const char *console, size_t n, char *out, size_t outn)
{
	static const char mark[] = "Kernel panic - not syncing: ";
	const size_t mlen = sizeof(mark) - 1;
	for (size_t i = 0; n >= mlen && i <= n - mlen; i++) {
		if (memcmp(console + i, mark, mlen))
			continue;
		size_t start = i + mlen, end = start;
		while (end < n && console[end] != '\n' && console[end] != '\r')
			end++;
		size_t len = end - start < outn - 1 ? end - start : outn - 1;
		memcpy(out, console + start, len);
		out[len] = '\0';
		return true;
	}
	return false;
}
