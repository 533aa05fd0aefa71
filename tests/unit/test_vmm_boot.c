/* test_vmm_boot.c - boot layout: start_info, memory map, initrd placement,
 * command line, GDT, page tables, zero page, register state. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/boot.h"
#include "vmm/regs.h"
#include "vmm/vmm.h"

#define MEM (64ULL << 20)

static uint8_t *mem;

static int setup(void **state)
{
	(void)state;
	mem = calloc(1, MEM);
	return mem ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(mem);
	return 0;
}

static void test_memory_ranges(void **state)
{
	(void)state;
	struct hvm_memmap_table_entry m[4];
	assert_int_equal(boot_memory_ranges(MEM, m, 4), 2);
	assert_int_equal(m[0].addr, 0);
	assert_int_equal(m[0].size, BOOT_EBDA_START);
	assert_int_equal(m[0].type, E820_RAM);
	assert_int_equal(m[1].addr, 0x100000);
	assert_int_equal(m[1].addr + m[1].size, MEM);
	assert_int_equal(boot_memory_ranges(MEM, m, 1), 1);
}

static void test_initrd_addr(void **state)
{
	(void)state;
	uint64_t a;
	assert_int_equal(boot_initrd_addr(MEM, 0x1000000, 12345, &a), 0);
	assert_int_equal(a % 4096, 0);
	assert_true(a + 12345 <= MEM);
	assert_true(MEM - (a + 12345) < 4096); /* as high as it goes */
	/* overlaps the kernel: refused */
	assert_int_equal(boot_initrd_addr(MEM, MEM - 4096, 8192, &a), -ENOMEM);
	assert_int_equal(boot_initrd_addr(MEM, 0, MEM * 2, &a), -ENOMEM);
}

static void test_pvh_start_info(void **state)
{
	(void)state;
	struct boot_info bi = {.mem_size = MEM,
			       .cmdline = "console=ttyS0 quiet",
			       .initrd_addr = 0x3000000,
			       .initrd_size = 0x1234};
	assert_int_equal(boot_write_pvh(mem, &bi), 0);
	struct hvm_start_info si;
	memcpy(&si, mem + BOOT_START_INFO_ADDR, sizeof(si));
	assert_int_equal(si.magic, HVM_START_MAGIC);
	assert_int_equal(si.version, 1);
	assert_int_equal(si.cmdline_paddr, BOOT_CMDLINE_ADDR);
	assert_string_equal((char *)mem + si.cmdline_paddr,
			    "console=ttyS0 quiet");
	assert_int_equal(si.nr_modules, 1);
	struct hvm_modlist_entry mod;
	memcpy(&mod, mem + si.modlist_paddr, sizeof(mod));
	assert_int_equal(mod.paddr, 0x3000000);
	assert_int_equal(mod.size, 0x1234);
	assert_int_equal(si.memmap_entries, 2);
	struct hvm_memmap_table_entry e;
	memcpy(&e, mem + si.memmap_paddr + sizeof(e), sizeof(e));
	assert_int_equal(e.addr + e.size, MEM);
	/* the structures do not overlap each other */
	assert_true(BOOT_START_INFO_ADDR + sizeof(si) <= BOOT_MEMMAP_ADDR);
	assert_true(BOOT_MEMMAP_ADDR + 4 * sizeof(e) <= BOOT_MODLIST_ADDR);

	bi.initrd_size = 0;
	assert_int_equal(boot_write_pvh(mem, &bi), 0);
	memcpy(&si, mem + BOOT_START_INFO_ADDR, sizeof(si));
	assert_int_equal(si.nr_modules, 0);
}

static void test_cmdline_limits(void **state)
{
	(void)state;
	char long_line[BOOT_CMDLINE_MAX + 1];
	memset(long_line, 'x', sizeof(long_line) - 1);
	long_line[BOOT_CMDLINE_MAX] = '\0';
	struct boot_info bi = {.mem_size = MEM, .cmdline = long_line};
	assert_int_equal(boot_write_pvh(mem, &bi), -E2BIG);
	bi.cmdline = "x";
	bi.mem_size = 1 << 20;
	assert_int_equal(boot_write_pvh(mem, &bi), -ENOMEM);

	char buf[512];
	const char *frags[] = {"virtio_mmio.device=4K@0xd0000000:5",
			       "vmctl_out=hvc0"};
	assert_int_equal(vm_cmdline(buf, sizeof(buf), false, frags, 2, "foo=1"),
			 0);
	assert_non_null(strstr(buf, VM_CMDLINE_BASE));
	assert_non_null(strstr(buf, " quiet virtio_mmio.device="));
	/* the user's words come last so they can override */
	assert_string_equal(buf + strlen(buf) - 6, " foo=1");
	assert_int_equal(vm_cmdline(buf, sizeof(buf), true, NULL, 0, NULL), 0);
	assert_null(strstr(buf, "quiet"));
	assert_int_equal(vm_cmdline(buf, 40, false, NULL, 0, NULL),
			 -ENAMETOOLONG);
}

static void test_page_tables(void **state)
{
	(void)state;
	assert_int_equal(boot_write_page_tables(mem, MEM), 0);
	uint64_t pml4, pdpt3, pd;
	memcpy(&pml4, mem + BOOT_PML4_ADDR, 8);
	assert_int_equal(pml4 & ~0xfffULL, BOOT_PDPT_ADDR);
	assert_int_equal(pml4 & 3, 3);
	memcpy(&pdpt3, mem + BOOT_PDPT_ADDR + 3 * 8, 8);
	assert_int_equal(pdpt3 & ~0xfffULL, BOOT_PD_ADDR + 3 * 4096);
	/* entry 1000 maps 1000 * 2 MiB, huge, present, writable */
	memcpy(&pd, mem + BOOT_PD_ADDR + 1000 * 8, 8);
	assert_int_equal(pd, (1000ULL << 21) | 0x83);
}

static void test_gdt_and_regs(void **state)
{
	(void)state;
	assert_int_equal(boot_gdt_entry(GDT_CODE32, 0, 0xfffff),
			 0x00cf9b000000ffffULL);
	assert_int_equal(boot_gdt_entry(GDT_CODE64, 0, 0xfffff),
			 0x00af9b000000ffffULL);
	assert_int_equal(boot_write_gdt(mem, MEM, 0), 0);
	uint64_t code;
	memcpy(&code, mem + BOOT_GDT_ADDR + 8, 8);
	assert_int_equal(code, 0x00cf9b000000ffffULL);

	struct kvm_sregs s = {0};
	struct kvm_regs r;
	regs_pvh(&s, &r, 0x1000000, BOOT_START_INFO_ADDR);
	assert_int_equal(r.rip, 0x1000000);
	assert_int_equal(r.rbx, BOOT_START_INFO_ADDR);
	assert_int_equal(s.cr0 & 1, 1);		 /* protected mode */
	assert_int_equal(s.cr0 & 0x80000000, 0); /* paging off */
	assert_int_equal(s.cs.db, 1);
	assert_int_equal(s.cs.l, 0);
	assert_int_equal(s.cs.limit, 0xffffffff);
	assert_int_equal(s.cs.selector, GDT_SEL_CODE);
	assert_int_equal(s.ds.type, 3);
	assert_int_equal(s.tr.type, 0xb);

	regs_long(&s, &r, 0x1000200, BOOT_ZERO_PAGE_ADDR);
	assert_int_equal(r.rsi, BOOT_ZERO_PAGE_ADDR);
	assert_int_equal(s.cs.l, 1);
	assert_int_equal(s.efer & 0x500, 0x500); /* LME | LMA */
	assert_int_equal(s.cr3, BOOT_PML4_ADDR);
}

static void test_zero_page(void **state)
{
	(void)state;
	uint8_t setup[0x400] = {0};
	setup[0x1f1] = 3;
	memcpy(setup + 0x202, "HdrS", 4);
	struct boot_info bi = {.mem_size = MEM,
			       .cmdline = "quiet",
			       .initrd_addr = 0x3000000,
			       .initrd_size = 0x1000};
	assert_int_equal(
	    boot_write_zero_page(mem, &bi, setup, sizeof(setup), 0x26c), 0);
	uint8_t *bp = mem + BOOT_ZERO_PAGE_ADDR;
	assert_memory_equal(bp + 0x202, "HdrS", 4);
	assert_int_equal(bp[0x210], 0xff); /* type_of_loader */
	uint32_t v;
	memcpy(&v, bp + 0x228, 4);
	assert_int_equal(v, BOOT_CMDLINE_ADDR);
	memcpy(&v, bp + 0x218, 4);
	assert_int_equal(v, 0x3000000);
	assert_int_equal(bp[0x1e8], 2); /* e820 entries */
	struct boot_e820_entry e;
	memcpy(&e, bp + 0x2d0 + sizeof(e), sizeof(e));
	assert_int_equal(e.addr, 0x100000);
	assert_int_equal(e.type, E820_RAM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_memory_ranges),
	    cmocka_unit_test(test_initrd_addr),
	    cmocka_unit_test(test_pvh_start_info),
	    cmocka_unit_test(test_cmdline_limits),
	    cmocka_unit_test(test_page_tables),
	    cmocka_unit_test(test_gdt_and_regs),
	    cmocka_unit_test(test_zero_page),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
