/* test_vmm_exit.c - exit decisions on made-up kvm_run structs, the guest
 * page walk, the bus, the milestone parser and exit-code rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "vmm/bus.h"
#include "vmm/devices/i8042.h"
#include "vmm/devices/milestone.h"
#include "vmm/devices/serial.h"
#include "vmm/exit.h"

static void test_io_and_mmio(void **state)
{
	(void)state;
	struct kvm_run run;
	memset(&run, 0, sizeof(run));
	run.exit_reason = KVM_EXIT_IO;
	run.io.direction = KVM_EXIT_IO_OUT;
	run.io.port = 0x3f8;
	run.io.size = 1;
	run.io.count = 3;
	run.io.data_offset = 4096;
	struct exit_action a = handle_exit(&run);
	assert_int_equal(a.kind, EXIT_ACT_PIO);
	assert_true(a.is_write);
	assert_int_equal(a.addr, 0x3f8);
	assert_int_equal(a.count, 3);
	assert_int_equal(a.data_off, 4096);
	run.io.size = 3;
	assert_int_equal(handle_exit(&run).kind, EXIT_ACT_FAULT);

	memset(&run, 0, sizeof(run));
	run.exit_reason = KVM_EXIT_MMIO;
	run.mmio.phys_addr = 0xd0000050;
	run.mmio.len = 4;
	a = handle_exit(&run);
	assert_int_equal(a.kind, EXIT_ACT_MMIO);
	assert_false(a.is_write);
	assert_int_equal(a.addr, 0xd0000050);
	run.mmio.len = 16;
	assert_int_equal(handle_exit(&run).kind, EXIT_ACT_FAULT);
}

static void test_ends_and_faults(void **state)
{
	(void)state;
	struct kvm_run run;
	memset(&run, 0, sizeof(run));

	run.exit_reason = KVM_EXIT_HLT;
	assert_int_equal(handle_exit(&run).kind, EXIT_ACT_HALT);
	run.exit_reason = KVM_EXIT_INTR;
	assert_int_equal(handle_exit(&run).kind, EXIT_ACT_CONTINUE);
	run.exit_reason = KVM_EXIT_SHUTDOWN;
	struct exit_action a = handle_exit(&run);
	assert_int_equal(a.kind, EXIT_ACT_RESET);
	assert_non_null(strstr(a.reason, "triple fault"));
	run.exit_reason = KVM_EXIT_SYSTEM_EVENT;
	run.system_event.type = KVM_SYSTEM_EVENT_RESET;
	a = handle_exit(&run);
	assert_int_equal(a.kind, EXIT_ACT_RESET);
	assert_string_equal(a.reason, "guest reset");

	run.exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run.internal.suberror = KVM_INTERNAL_ERROR_EMULATION;
	a = handle_exit(&run);
	assert_int_equal(a.kind, EXIT_ACT_FAULT);
	assert_non_null(strstr(a.reason, "emulation failure"));

	run.exit_reason = KVM_EXIT_FAIL_ENTRY;
	run.fail_entry.hardware_entry_failure_reason = 0x21;
	a = handle_exit(&run);
	assert_int_equal(a.kind, EXIT_ACT_FAULT);
	assert_non_null(strstr(a.reason, "0x21"));

	run.exit_reason = 9999;
	a = handle_exit(&run);
	assert_int_equal(a.kind, EXIT_ACT_FAULT);
	assert_non_null(strstr(a.reason, "exit 9999"));
}

static void test_page_walk(void **state)
{
	(void)state;
	struct guest_mem m = {.host = calloc(1, 1 << 20), .size = 1 << 20};
	uint64_t gpa;
	/* paging off: identity */
	assert_int_equal(exit_gva_to_gpa(&m, 1, 0, 0, 0, 0x1234, &gpa), 0);
	assert_int_equal(gpa, 0x1234);
	/* long mode: PML4 at 0x1000 -> PDPT 0x2000 -> PD 0x3000 (2 MiB page
	 * at 0x400000 for va 0xffffffff80200000) and a 4 KiB page via PT */
	uint64_t va = 0xffffffff80200000ULL;
	uint64_t e;
	e = 0x2000 | 3;
	memcpy(m.host + 0x1000 + ((va >> 39) & 511) * 8, &e, 8);
	e = 0x3000 | 3;
	memcpy(m.host + 0x2000 + ((va >> 30) & 511) * 8, &e, 8);
	e = 0x400000 | 0x83;
	memcpy(m.host + 0x3000 + ((va >> 21) & 511) * 8, &e, 8);
	uint64_t cr0 = 0x80000001, cr4 = 0x20, efer = 0x500;
	assert_int_equal(
	    exit_gva_to_gpa(&m, cr0, 0x1000, cr4, efer, va + 0x1234, &gpa), 0);
	assert_int_equal(gpa, 0x401234);
	/* next 2 MiB: a page table at 0x4000 with one 4 KiB page */
	e = 0x4000 | 3;
	memcpy(m.host + 0x3000 + (((va >> 21) + 1) & 511) * 8, &e, 8);
	e = 0x7000 | 3;
	memcpy(m.host + 0x4000 + 5 * 8, &e, 8);
	assert_int_equal(exit_gva_to_gpa(&m, cr0, 0x1000, cr4, efer,
					 va + 0x200000 + 5 * 4096 + 9, &gpa),
			 0);
	assert_int_equal(gpa, 0x7009);
	/* not present */
	assert_int_equal(
	    exit_gva_to_gpa(&m, cr0, 0x1000, cr4, efer, 0x1000, &gpa), -EFAULT);
	/* page tables outside guest memory: refused, no overrun */
	assert_int_equal(
	    exit_gva_to_gpa(&m, cr0, 0x7fff0000, cr4, efer, va, &gpa), -EFAULT);
	free(m.host);
}

/* --- milestones -------------------------------------------------------------
 */

static char events[256], text[256];

static void on_event(void *ctx, char type, const char *payload)
{
	(void)ctx;
	size_t n = strlen(events);
	snprintf(events + n, sizeof(events) - n, "[%c:%s]", type, payload);
}

static void on_text(void *ctx, const char *buf, size_t n)
{
	(void)ctx;
	size_t l = strlen(text);
	if (l + n < sizeof(text)) {
		memcpy(text + l, buf, n);
		text[l + n] = '\0';
	}
}

static void test_milestone_parser(void **state)
{
	(void)state;
	struct ms_parser p;
	events[0] = text[0] = '\0';
	ms_parser_init(&p, on_event, on_text, NULL);
	const char *s = "boot log\r\n\x1eI\n\x1eU6.1.192\r\nhel";
	ms_parser_feed(&p, s, strlen(s));
	ms_parser_feed(&p, "lo\n\x1eS", 5); /* records split across feeds */
	ms_parser_feed(&p, "256\n", 4);
	ms_parser_feed(&p, "tail", 4);
	ms_parser_flush(&p);
	assert_string_equal(events, "[I:][U:6.1.192][S:256]");
	assert_string_equal(text, "boot log\nhello\ntail");

	/* an over-long record is cut, never overflows */
	events[0] = '\0';
	char big[400];
	memset(big, 'x', sizeof(big));
	big[0] = '\x1e';
	big[1] = 'U';
	ms_parser_feed(&p, big, sizeof(big));
	ms_parser_feed(&p, "\n", 1);
	assert_int_equal(strlen(events), 4 + MS_MAX_PAYLOAD);
}

static void test_exit_codes(void **state)
{
	(void)state;
	assert_int_equal(ms_exit_code_from_status(0), 0);
	assert_int_equal(ms_exit_code_from_status(42 << 8), 42);
	assert_int_equal(ms_exit_code_from_status(9), 137);  /* SIGKILL */
	assert_int_equal(ms_exit_code_from_status(15), 143); /* SIGTERM */
	assert_int_equal(ms_exit_code_from_exec_errno(ENOENT), 127);
	assert_int_equal(ms_exit_code_from_exec_errno(ENOTDIR), 127);
	assert_int_equal(ms_exit_code_from_exec_errno(EACCES), 126);
	assert_int_equal(ms_exit_code_from_exec_errno(ENOEXEC), 126);
}

/* --- bus and small devices
 * ---------------------------------------------------- */

static uint8_t sunk[64];
static size_t n_sunk;
static int irq_level = -1, resets;

static void sink(void *ctx, const uint8_t *buf, size_t n)
{
	(void)ctx;
	memcpy(sunk + n_sunk, buf, n);
	n_sunk += n;
}

static void irq(void *ctx, uint32_t gsi, int level)
{
	(void)ctx;
	assert_int_equal(gsi, 4);
	irq_level = level;
}

static void on_reset(void *ctx)
{
	(void)ctx;
	resets++;
}

static void test_bus_and_devices(void **state)
{
	(void)state;
	struct bus b = {0};
	struct vmctl_err err = {0};
	struct device *d = NULL;
	assert_int_equal(serial_create(&d, 0x3f8, 4, sink, NULL, &err), 0);
	d->irq = irq;
	assert_int_equal(bus_add(&b, d, &err), 0);
	assert_int_equal(i8042_create(&d, on_reset, NULL, &err), 0);
	assert_int_equal(bus_add(&b, d, &err), 0);
	/* an overlapping device is refused (and freed) */
	assert_int_equal(serial_create(&d, 0x3fc, 4, sink, NULL, &err), 0);
	assert_int_equal(bus_add(&b, d, &err), -EBUSY);
	assert_non_null(strstr(err.msg, "conflicts with serial"));

	uint8_t v = 'A';
	assert_int_equal(bus_access(&b, DEV_PIO, 0x3f8, &v, 1, true), 0);
	assert_int_equal(n_sunk, 1);
	assert_int_equal(sunk[0], 'A');
	/* LSR: transmitter empty */
	assert_int_equal(bus_access(&b, DEV_PIO, 0x3fd, &v, 1, false), 0);
	assert_int_equal(v & 0x60, 0x60);
	/* THR-empty interrupt: enable it, the line rises; reading IIR
	 * acknowledges it and the line falls */
	v = 0x02;
	bus_access(&b, DEV_PIO, 0x3f9, &v, 1, true);
	assert_int_equal(irq_level, 1);
	bus_access(&b, DEV_PIO, 0x3fa, &v, 1, false);
	assert_int_equal(v & 0x0f, 0x02);
	assert_int_equal(irq_level, 0);
	/* loopback: MCR RTS|OUT2 reads back as CTS|DCD (Linux's probe) */
	v = 0x1a;
	bus_access(&b, DEV_PIO, 0x3fc, &v, 1, true);
	bus_access(&b, DEV_PIO, 0x3fe, &v, 1, false);
	assert_int_equal(v & 0xf0, 0x90);
	/* unclaimed ports read as all ones */
	uint32_t w = 0;
	assert_int_equal(bus_access(&b, DEV_PIO, 0x1234, &w, 4, false), 0);
	assert_int_equal(w, 0xffffffff);
	/* the i8042 reset */
	v = 0xfe;
	bus_access(&b, DEV_PIO, 0x64, &v, 1, true);
	assert_int_equal(resets, 1);
	bus_destroy(&b);
}

static void test_panic_reason(void **state)
{
	(void)state;
	char why[48];
	const char *con = "[ 1.0] early\r\nKernel panic - not syncing: VFS: Unable to mount root\r\nCPU: 0\n";
	assert_true(exit_panic_reason(con, strlen(con), why, sizeof(why)));
	assert_string_equal(why, "VFS: Unable to mount root");
	/* cut to the room given, still terminated */
	assert_true(exit_panic_reason(con, strlen(con), why, 8));
	assert_string_equal(why, "VFS: Un");
	/* the mark cut by the end of the text, or absent */
	assert_false(exit_panic_reason(con, 30, why, sizeof(why)));
	assert_false(exit_panic_reason("all fine\n", 9, why, sizeof(why)));
	assert_false(exit_panic_reason("", 0, why, sizeof(why)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_io_and_mmio),
	    cmocka_unit_test(test_ends_and_faults),
	    cmocka_unit_test(test_page_walk),
	    cmocka_unit_test(test_milestone_parser),
	    cmocka_unit_test(test_exit_codes),
	    cmocka_unit_test(test_bus_and_devices),
	    cmocka_unit_test(test_panic_reason),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
