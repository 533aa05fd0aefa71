/* elf.h - recognise a guest kernel and find how to enter it (PURE).
 *
 * Two formats:
 *   - an ELF64 vmlinux with a PVH note (XEN_ELFNOTE_PHYS32_ENTRY, i.e.
 *     CONFIG_PVH=y): its PT_LOAD segments go to their physical addresses
 *     and it is entered in 32-bit protected mode (vmm/regs.c);
 *   - a bzImage (boot protocol >= 2.12 with XLF_KERNEL_64): the protected
 *     mode part goes to its preferred address and is entered at +0x200 in
 *     64-bit mode with a zero page.
 * Everything else ("/etc/passwd", a 32-bit ELF, a vmlinux without PVH) is
 * rejected with a message that says what is wrong.
 */
#ifndef VMCTL_VMM_ELF_H
#define VMCTL_VMM_ELF_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define KERNEL_MAX_SEGMENTS 16
#define KERNEL_MAX_NOTES 8
#define KERNEL_HEAD_LEN 65536 /* bytes of the file kernel_probe() wants */

#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define BZIMAGE_64BIT_ENTRY_OFFSET 0x200

enum kernel_kind { KERNEL_PVH_ELF = 1, KERNEL_BZIMAGE = 2 };

struct kernel_segment {
	uint64_t file_offset, file_size; /* bytes in the file */
	uint64_t paddr, mem_size;	 /* where, and how much (zero fill) */
};

struct kernel_info {
	enum kernel_kind kind;
	uint64_t entry; /* physical entry (PVH: after elf_find_pvh_entry) */
	struct kernel_segment seg[KERNEL_MAX_SEGMENTS];
	size_t n_seg;
	struct kernel_segment note[KERNEL_MAX_NOTES]; /* PT_NOTE ranges */
	size_t n_note;
	uint64_t end; /* highest physical byte + 1 the kernel occupies */
	/* bzImage only */
	uint16_t boot_version;
	uint32_t setup_header_end; /* 0x202 + byte at 0x201 */
	uint32_t init_size;	   /* memory the decompressor needs */
};

/* Classifies the file from its first head_len bytes (at least the whole
 * header and program header table; KERNEL_HEAD_LEN is plenty). */
int kernel_probe(const uint8_t *head, size_t head_len, uint64_t file_size,
		 struct kernel_info *ki, struct vmctl_err *err);

/* Scans one PT_NOTE segment's bytes for the PVH entry. Returns 0 and sets
 * *entry, or -ENOENT. */
int elf_find_pvh_entry(const uint8_t *notes, size_t len, uint64_t *entry);

#endif
