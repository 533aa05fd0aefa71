/* elf.c - kernel image recognition (see elf.h). */
#include "vmm/elf.h"

#include <elf.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

/* Offsets in a bzImage's setup header (Documentation/x86/boot.rst). */
#define BZ_SETUP_SECTS 0x1f1
#define BZ_BOOT_FLAG 0x1fe
#define BZ_JUMP 0x200
#define BZ_HEADER_MAGIC 0x202
#define BZ_VERSION 0x206
#define BZ_LOADFLAGS 0x211
#define BZ_XLOADFLAGS 0x236
#define BZ_PREF_ADDRESS 0x258
#define BZ_INIT_SIZE 0x260
#define XLF_KERNEL_64 0x1
#define LOADED_HIGH 0x1

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) | (uint32_t)get16(p + 2) << 16;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static bool range_ok(uint64_t off, uint64_t len, uint64_t total)
{
	return off <= total && len <= total - off;
}

static int probe_elf(const uint8_t *head, size_t head_len, uint64_t file_size,
		     struct kernel_info *ki, struct vmctl_err *err)
{
	const Elf64_Ehdr *eh = (const void *)head;

	if (head_len < sizeof(*eh) || head[EI_CLASS] != ELFCLASS64)
		return vmctl_errorf(err, ENOEXEC,
				    "not a 64-bit ELF kernel (32-bit ELF?)");
	if (head[EI_DATA] != ELFDATA2LSB || eh->e_machine != EM_X86_64)
		return vmctl_errorf(err, ENOEXEC,
				    "ELF for another machine (%u), need x86-64",
				    eh->e_machine);
	if (eh->e_type != ET_EXEC)
		return vmctl_errorf(err, ENOEXEC,
				    "ELF is not an executable (type %u): not "
				    "a vmlinux",
				    eh->e_type);
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 ||
	    !range_ok(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr),
		      head_len))
		return vmctl_errorf(err, ENOEXEC,
				    "ELF program headers missing "
				    "or out of range");
	ki->kind = KERNEL_PVH_ELF;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr ph;
		memcpy(&ph, head + eh->e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD && ph.p_type != PT_NOTE)
			continue;
		if (!range_ok(ph.p_offset, ph.p_filesz, file_size) ||
		    ph.p_filesz > ph.p_memsz ||
		    ph.p_paddr + ph.p_memsz < ph.p_paddr)
			return vmctl_errorf(err, ENOEXEC,
					    "ELF segment %u out of range", i);
		struct kernel_segment s = {ph.p_offset, ph.p_filesz, ph.p_paddr,
					   ph.p_memsz};
		if (ph.p_type == PT_NOTE) {
			if (ki->n_note < KERNEL_MAX_NOTES)
				ki->note[ki->n_note++] = s;
			continue;
		}
		if (ki->n_seg == KERNEL_MAX_SEGMENTS)
			return vmctl_errorf(err, ENOEXEC,
					    "ELF has too many segments");
		ki->seg[ki->n_seg++] = s;
		if (s.paddr + s.mem_size > ki->end)
			ki->end = s.paddr + s.mem_size;
	}
	if (!ki->n_seg)
		return vmctl_errorf(err, ENOEXEC,
				    "ELF has no loadable segment");
	if (!ki->n_note)
		return vmctl_errorf(err, ENOEXEC,
				    "ELF kernel has no notes, so no PVH entry "
				    "(build it with CONFIG_PVH=y)");
	return 0;
}

static int probe_bzimage(const uint8_t *head, size_t head_len,
			 uint64_t file_size, struct kernel_info *ki,
			 struct vmctl_err *err)
{
	if (head_len < 0x270)
		return vmctl_errorf(err, ENOEXEC, "bzImage header truncated");
	ki->boot_version = get16(head + BZ_VERSION);
	if (ki->boot_version < 0x20c ||
	    !(get16(head + BZ_XLOADFLAGS) & XLF_KERNEL_64) ||
	    !(head[BZ_LOADFLAGS] & LOADED_HIGH))
		return vmctl_errorf(err, ENOEXEC,
				    "bzImage boot protocol %u.%02u without a "
				    "64-bit entry (need 2.12+, XLF_KERNEL_64)",
				    ki->boot_version >> 8,
				    ki->boot_version & 0xff);
	unsigned sects = head[BZ_SETUP_SECTS] ? head[BZ_SETUP_SECTS] : 4;
	uint64_t setup = (uint64_t)(sects + 1) * 512;
	if (setup >= file_size)
		return vmctl_errorf(err, ENOEXEC, "bzImage has no kernel part");
	uint64_t load = get64(head + BZ_PREF_ADDRESS);
	if (load < 0x100000)
		load = 0x100000;
	ki->kind = KERNEL_BZIMAGE;
	ki->setup_header_end = BZ_JUMP + 2 + head[BZ_JUMP + 1];
	ki->init_size = get32(head + BZ_INIT_SIZE);
	ki->seg[0] = (struct kernel_segment){setup, file_size - setup, load,
					     file_size - setup};
	ki->n_seg = 1;
	ki->entry = load + BZIMAGE_64BIT_ENTRY_OFFSET;
	/* the decompressor works in place and needs init_size bytes */
	uint64_t need = ki->init_size > ki->seg[0].mem_size
			    ? ki->init_size
			    : ki->seg[0].mem_size;
	ki->end = load + need;
	return 0;
}

int kernel_probe(const uint8_t *head, size_t head_len, uint64_t file_size,
		 struct kernel_info *ki, struct vmctl_err *err)
{
	memset(ki, 0, sizeof(*ki));
	if (head_len > file_size)
		head_len = (size_t)file_size;
	if (head_len >= SELFMAG && !memcmp(head, ELFMAG, SELFMAG))
		return probe_elf(head, head_len, file_size, ki, err);
	if (head_len >= BZ_HEADER_MAGIC + 4 &&
	    !memcmp(head + BZ_HEADER_MAGIC, "HdrS", 4) &&
	    get16(head + BZ_BOOT_FLAG) == 0xaa55)
		return probe_bzimage(head, head_len, file_size, ki, err);
	return vmctl_errorf(err, ENOEXEC,
			    "not a kernel: neither an ELF vmlinux nor a "
			    "bzImage");
}

int elf_find_pvh_entry(const uint8_t *notes, size_t len, uint64_t *entry)
{
	size_t off = 0;
	while (len - off >= sizeof(Elf64_Nhdr)) {
		Elf64_Nhdr nh;
		memcpy(&nh, notes + off, sizeof(nh));
		off += sizeof(nh);
		uint64_t name_len = ((uint64_t)nh.n_namesz + 3) & ~3ULL;
		uint64_t desc_len = ((uint64_t)nh.n_descsz + 3) & ~3ULL;
		if (name_len > len - off || desc_len > len - off - name_len)
			return -ENOENT; /* truncated: stop, do not overrun */
		const uint8_t *name = notes + off;
		const uint8_t *desc = notes + off + name_len;
		off += name_len + desc_len;
		if (nh.n_type != XEN_ELFNOTE_PHYS32_ENTRY || nh.n_namesz != 4 ||
		    memcmp(name, "Xen", 4))
			continue;
		if (nh.n_descsz == 4)
			*entry = get32(desc);
		else if (nh.n_descsz == 8)
			*entry = get64(desc);
		else
			continue;
		return 0;
	}
	return -ENOENT;
}
