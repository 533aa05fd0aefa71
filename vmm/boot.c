/* boot.c - boot-time structures in guest memory (see boot.h). */
#include "vmm/boot.h"

#include <errno.h>
#include <string.h>

/* struct boot_params offsets (arch/x86/include/uapi/asm/bootparam.h) */
#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_EXT_RAMDISK_SIZE 0x0c4
#define BP_EXT_CMD_LINE_PTR 0x0c8
#define BP_E820_ENTRIES 0x1e8
#define BP_SETUP_HEADER 0x1f1
#define BP_TYPE_OF_LOADER 0x210
#define BP_LOADFLAGS 0x211
#define BP_RAMDISK_IMAGE 0x218
#define BP_RAMDISK_SIZE 0x21c
#define BP_HEAP_END_PTR 0x224
#define BP_CMD_LINE_PTR 0x228
#define BP_E820_TABLE 0x2d0
#define BP_E820_MAX 128
#define LOADER_UNDEFINED 0xff
#define CAN_USE_HEAP 0x80
#define PAGE_SIZE 4096ULL

size_t boot_memory_ranges(uint64_t mem_size, struct hvm_memmap_table_entry *out,
			  size_t max)
{
	struct hvm_memmap_table_entry r[2] = {
	    {.addr = 0, .size = BOOT_EBDA_START, .type = E820_RAM},
	    {.addr = BOOT_HIGH_MEM,
	     .size = mem_size - BOOT_HIGH_MEM,
	     .type = E820_RAM},
	};
	size_t n = mem_size > BOOT_HIGH_MEM ? 2 : 1;
	if (n > max)
		n = max;
	memcpy(out, r, n * sizeof(r[0]));
	return n;
}

int boot_initrd_addr(uint64_t mem_size, uint64_t kernel_end,
		     uint64_t initrd_size, uint64_t *addr)
{
	if (initrd_size > mem_size)
		return -ENOMEM;
	uint64_t a = (mem_size - initrd_size) & ~(PAGE_SIZE - 1);
	if (a < kernel_end || a < BOOT_HIGH_MEM)
		return -ENOMEM;
	*addr = a;
	return 0;
}

uint64_t boot_gdt_entry(uint16_t flags, uint32_t base, uint32_t limit)
{
	return ((uint64_t)(base & 0xff000000u) << 32) |
	       ((uint64_t)(flags & 0xf0ffu) << 40) |
	       ((uint64_t)(limit & 0x000f0000u) << 32) |
	       ((uint64_t)(base & 0x00ffffffu) << 16) |
	       (uint64_t)(limit & 0x0000ffffu);
}

int boot_write_gdt(uint8_t *mem, uint64_t mem_size, int long_mode)
{
	uint64_t gdt[4] = {
	    0,
	    boot_gdt_entry(long_mode ? GDT_CODE64 : GDT_CODE32, 0, 0xfffff),
	    boot_gdt_entry(GDT_DATA, 0, 0xfffff),
	    boot_gdt_entry(GDT_TSS, 0, 0x67),
	};
	if (mem_size < BOOT_GDT_ADDR + sizeof(gdt))
		return -ENOMEM;
	memcpy(mem + BOOT_GDT_ADDR, gdt, sizeof(gdt));
	return 0;
}

int boot_write_page_tables(uint8_t *mem, uint64_t mem_size)
{
	const uint64_t present_rw = 0x3, huge = 0x80;
	if (mem_size < BOOT_PD_ADDR + 4 * PAGE_SIZE)
		return -ENOMEM;
	uint64_t *pml4 = (uint64_t *)(mem + BOOT_PML4_ADDR);
	uint64_t *pdpt = (uint64_t *)(mem + BOOT_PDPT_ADDR);
	uint64_t *pd = (uint64_t *)(mem + BOOT_PD_ADDR);

	memset(pml4, 0, PAGE_SIZE);
	memset(pdpt, 0, PAGE_SIZE);
	pml4[0] = BOOT_PDPT_ADDR | present_rw;
	for (uint64_t i = 0; i < 4; i++)
		pdpt[i] = (BOOT_PD_ADDR + i * PAGE_SIZE) | present_rw;
	for (uint64_t i = 0; i < 4 * 512; i++)
		pd[i] = (i << 21) | present_rw | huge;
	return 0;
}

static int write_cmdline(uint8_t *mem, const struct boot_info *bi)
{
	size_t len = strlen(bi->cmdline ? bi->cmdline : "");
	if (len >= BOOT_CMDLINE_MAX)
		return -E2BIG;
	memset(mem + BOOT_CMDLINE_ADDR, 0, BOOT_CMDLINE_MAX);
	memcpy(mem + BOOT_CMDLINE_ADDR, bi->cmdline ? bi->cmdline : "", len);
	return 0;
}

int boot_write_pvh(uint8_t *mem, const struct boot_info *bi)
{
	if (bi->mem_size < BOOT_MEM_MIN)
		return -ENOMEM;
	int r = write_cmdline(mem, bi);
	if (r < 0)
		return r;
	struct hvm_memmap_table_entry map[4];
	size_t n = boot_memory_ranges(bi->mem_size, map, 4);
	memcpy(mem + BOOT_MEMMAP_ADDR, map, n * sizeof(map[0]));

	struct hvm_start_info si = {
	    .magic = HVM_START_MAGIC,
	    .version = 1,
	    .cmdline_paddr = BOOT_CMDLINE_ADDR,
	    .memmap_paddr = BOOT_MEMMAP_ADDR,
	    .memmap_entries = (uint32_t)n,
	};
	if (bi->initrd_size) {
		struct hvm_modlist_entry mod = {.paddr = bi->initrd_addr,
						.size = bi->initrd_size};
		memcpy(mem + BOOT_MODLIST_ADDR, &mod, sizeof(mod));
		si.nr_modules = 1;
		si.modlist_paddr = BOOT_MODLIST_ADDR;
	}
	memcpy(mem + BOOT_START_INFO_ADDR, &si, sizeof(si));
	return 0;
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

int boot_write_zero_page(uint8_t *mem, const struct boot_info *bi,
			 const uint8_t *setup, size_t setup_len,
			 uint32_t hdr_end)
{
	uint8_t *bp = mem + BOOT_ZERO_PAGE_ADDR;

	if (bi->mem_size < BOOT_MEM_MIN)
		return -ENOMEM;
	if (hdr_end > setup_len || hdr_end > PAGE_SIZE ||
	    hdr_end <= BP_SETUP_HEADER)
		return -EINVAL;
	int r = write_cmdline(mem, bi);
	if (r < 0)
		return r;
	memset(bp, 0, PAGE_SIZE);
	memcpy(bp + BP_SETUP_HEADER, setup + BP_SETUP_HEADER,
	       hdr_end - BP_SETUP_HEADER);
	bp[BP_TYPE_OF_LOADER] = LOADER_UNDEFINED;
	bp[BP_LOADFLAGS] |= CAN_USE_HEAP;
	bp[BP_HEAP_END_PTR] = 0x00; /* 0xfe00: end of the setup heap */
	bp[BP_HEAP_END_PTR + 1] = 0xfe;
	put32(bp + BP_CMD_LINE_PTR, (uint32_t)BOOT_CMDLINE_ADDR);
	put32(bp + BP_EXT_CMD_LINE_PTR, 0);
	put32(bp + BP_RAMDISK_IMAGE, (uint32_t)bi->initrd_addr);
	put32(bp + BP_RAMDISK_SIZE, (uint32_t)bi->initrd_size);
	put32(bp + BP_EXT_RAMDISK_IMAGE, (uint32_t)(bi->initrd_addr >> 32));
	put32(bp + BP_EXT_RAMDISK_SIZE, (uint32_t)(bi->initrd_size >> 32));

	struct hvm_memmap_table_entry map[4];
	size_t n = boot_memory_ranges(bi->mem_size, map, 4);
	for (size_t i = 0; i < n && i < BP_E820_MAX; i++) {
		struct boot_e820_entry e = {map[i].addr, map[i].size,
					    map[i].type};
		memcpy(bp + BP_E820_TABLE + i * sizeof(e), &e, sizeof(e));
	}
	bp[BP_E820_ENTRIES] = (uint8_t)n;
	return 0;
}
