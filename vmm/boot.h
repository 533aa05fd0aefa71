/* boot.h - the guest's boot-time memory layout (PURE: writes into a buffer
 * standing for guest RAM, touches no KVM).
 *
 *   0x00500  GDT (null, code, data, TSS)
 *   0x06000  hvm_start_info (PVH), then its memory map and module list
 *   0x07000  zero page (struct boot_params, bzImage)
 *   0x08ff0  initial stack (64-bit entry)
 *   0x09000  page tables: PML4, PDPT, 4 PDs identity-mapping 4 GiB (2 MiB)
 *   0x20000  kernel command line
 *   0x100000 and up: the kernel (at its physical load address)
 *   top of RAM: the initramfs, page aligned
 */
#ifndef VMCTL_VMM_BOOT_H
#define VMCTL_VMM_BOOT_H

#include <stddef.h>
#include <stdint.h>

#define BOOT_GDT_ADDR 0x500ULL
#define BOOT_START_INFO_ADDR 0x6000ULL
#define BOOT_MEMMAP_ADDR 0x6040ULL
#define BOOT_MODLIST_ADDR 0x6200ULL
#define BOOT_ZERO_PAGE_ADDR 0x7000ULL
#define BOOT_STACK_ADDR 0x8ff0ULL
#define BOOT_PML4_ADDR 0x9000ULL
#define BOOT_PDPT_ADDR 0xa000ULL
#define BOOT_PD_ADDR 0xb000ULL /* four pages */
#define BOOT_CMDLINE_ADDR 0x20000ULL
#define BOOT_CMDLINE_MAX 2048 /* COMMAND_LINE_SIZE of x86 Linux */
#define BOOT_EBDA_START 0x9fc00ULL
#define BOOT_HIGH_MEM 0x100000ULL
#define BOOT_MEM_MIN (8ULL << 20)
#define BOOT_MEM_MAX (3ULL << 30) /* one slot below the 32-bit PCI hole */

#define GDT_SEL_CODE 0x08
#define GDT_SEL_DATA 0x10
#define GDT_SEL_TSS 0x18
#define GDT_CODE32 0xc09b /* flags: G, D/B, P, DPL0, S, exec/read, accessed */
#define GDT_CODE64 0xa09b /* G, L, P, S, exec/read, accessed */
#define GDT_DATA 0xc093	  /* G, D/B, P, S, read/write, accessed */
#define GDT_TSS 0x008b	  /* P, busy 32-bit TSS */

#define HVM_START_MAGIC 0x336ec578u
#define E820_RAM 1

/* Same layout as Xen's struct hvm_start_info (version 1). */
struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
};

struct hvm_memmap_table_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};

/* The zero page's e820 entry format. */
struct boot_e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __attribute__((packed));

struct boot_info {
	uint64_t mem_size;
	const char *cmdline;
	uint64_t initrd_addr, initrd_size; /* size 0: no initramfs */
};

/* The RAM ranges: [0, EBDA) and [1 MiB, mem_size).  Returns the count. */
size_t boot_memory_ranges(uint64_t mem_size, struct hvm_memmap_table_entry *out,
			  size_t max);

/* Where the initramfs goes: the highest page-aligned address that fits
 * under mem_size, above kernel_end.  0, or -ENOMEM if it does not fit. */
int boot_initrd_addr(uint64_t mem_size, uint64_t kernel_end,
		     uint64_t initrd_size, uint64_t *addr);

/* A GDT descriptor from flags/base/limit (Intel SDM 3.4.5). */
uint64_t boot_gdt_entry(uint16_t flags, uint32_t base, uint32_t limit);

/* Writes the 4-entry GDT (code descriptor 32- or 64-bit) at BOOT_GDT_ADDR. */
int boot_write_gdt(uint8_t *mem, uint64_t mem_size, int long_mode);

/* Identity map of the first 4 GiB with 2 MiB pages. */
int boot_write_page_tables(uint8_t *mem, uint64_t mem_size);

/* Command line, memory map, module list (the initramfs) and start info.
 * -E2BIG: command line too long; -ENOMEM: memory too small. */
int boot_write_pvh(uint8_t *mem, const struct boot_info *bi);

/* The bzImage zero page: the image's setup header (setup[0x1f1, hdr_end))
 * plus loader fields, command line and e820 table. */
int boot_write_zero_page(uint8_t *mem, const struct boot_info *bi,
			 const uint8_t *setup, size_t setup_len,
			 uint32_t hdr_end);

#endif
