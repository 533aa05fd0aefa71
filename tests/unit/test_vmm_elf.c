/* test_vmm_elf.c - kernel recognition: PVH vmlinux, bzImage, rejects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <elf.h>
#include <errno.h>
#include <string.h>

#include "vmm/elf.h"

static uint8_t img[8192];

/* An ELF64 x86-64 executable with one PT_LOAD at 2 MiB and one PT_NOTE. */
static size_t make_elf(void)
{
	memset(img, 0, sizeof(img));
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_phoff = sizeof(*eh);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = 2;
	Elf64_Phdr *ph = (Elf64_Phdr *)(img + sizeof(*eh));
	ph[0] = (Elf64_Phdr){.p_type = PT_LOAD,
			     .p_offset = 0x1000,
			     .p_paddr = 0x200000,
			     .p_filesz = 0x800,
			     .p_memsz = 0x3000};
	ph[1] = (Elf64_Phdr){.p_type = PT_NOTE,
			     .p_offset = 0x1800,
			     .p_paddr = 0x200800,
			     .p_filesz = 0x40,
			     .p_memsz = 0x40};
	return sizeof(img);
}

static void test_pvh_elf(void **state)
{
	(void)state;
	struct kernel_info ki;
	struct vmctl_err err = {0};
	size_t n = make_elf();
	assert_int_equal(kernel_probe(img, n, n, &ki, &err), 0);
	assert_int_equal(ki.kind, KERNEL_PVH_ELF);
	assert_int_equal(ki.n_seg, 1);
	assert_int_equal(ki.seg[0].paddr, 0x200000);
	assert_int_equal(ki.seg[0].mem_size, 0x3000);
	assert_int_equal(ki.end, 0x203000);
	assert_int_equal(ki.n_note, 1);
	assert_int_equal(ki.note[0].file_offset, 0x1800);
}

static size_t put_note(uint8_t *p, const char *name, uint32_t type,
		       const void *desc, uint32_t dlen)
{
	Elf64_Nhdr nh = {(uint32_t)strlen(name) + 1, dlen, type};
	memcpy(p, &nh, sizeof(nh));
	size_t off = sizeof(nh);
	memcpy(p + off, name, nh.n_namesz);
	off += (nh.n_namesz + 3) & ~3u;
	memcpy(p + off, desc, dlen);
	return off + ((dlen + 3) & ~3u);
}

static void test_pvh_note(void **state)
{
	(void)state;
	uint8_t notes[128] = {0};
	uint32_t id = 0xdeadbeef, entry = 0x1000123;
	size_t off = put_note(notes, "GNU", 3, &id, 4);
	off += put_note(notes + off, "Xen", 1, &id, 4); /* other Xen note */
	off +=
	    put_note(notes + off, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, &entry, 4);
	uint64_t got = 0;
	assert_int_equal(elf_find_pvh_entry(notes, off, &got), 0);
	assert_int_equal(got, 0x1000123);
	/* a truncated buffer never reads past its end */
	assert_int_equal(elf_find_pvh_entry(notes, off - 2, &got), -ENOENT);
	/* only the GNU note: no entry */
	assert_int_equal(elf_find_pvh_entry(notes, 20, &got), -ENOENT);
}

static void test_rejects(void **state)
{
	(void)state;
	struct kernel_info ki;
	struct vmctl_err err = {0};
	const char *text = "root:x:0:0:root:/root:/bin/bash\n";
	assert_int_equal(kernel_probe((const uint8_t *)text, strlen(text),
				      strlen(text), &ki, &err),
			 -ENOEXEC);
	assert_non_null(strstr(err.msg, "not a kernel"));

	size_t n = make_elf();
	((Elf64_Ehdr *)img)->e_type = ET_DYN; /* /bin/ls */
	assert_int_equal(kernel_probe(img, n, n, &ki, &err), -ENOEXEC);
	assert_non_null(strstr(err.msg, "not a vmlinux"));

	make_elf();
	img[EI_CLASS] = ELFCLASS32;
	assert_int_equal(kernel_probe(img, n, n, &ki, &err), -ENOEXEC);

	make_elf();
	((Elf64_Ehdr *)img)->e_phnum = 1; /* no PT_NOTE: no PVH */
	assert_int_equal(kernel_probe(img, n, n, &ki, &err), -ENOEXEC);
	assert_non_null(strstr(err.msg, "CONFIG_PVH"));

	make_elf();
	/* a segment beyond the end of the file */
	assert_int_equal(kernel_probe(img, n, 0x1200, &ki, &err), -ENOEXEC);
}

static void test_bzimage(void **state)
{
	(void)state;
	struct kernel_info ki;
	struct vmctl_err err = {0};
	memset(img, 0, sizeof(img));
	img[0x1f1] = 3; /* setup_sects */
	img[0x1fe] = 0x55;
	img[0x1ff] = 0xaa;
	img[0x201] = 0x6a; /* jump: header ends at 0x26c */
	memcpy(img + 0x202, "HdrS", 4);
	img[0x206] = 0x0f; /* version 2.15 */
	img[0x207] = 0x02;
	img[0x211] = 0x01; /* LOADED_HIGH */
	img[0x236] = 0x01; /* XLF_KERNEL_64 */
	img[0x25b] = 0x01; /* pref_address 0x1000000 */
	img[0x262] = 0x20; /* init_size 0x200000 */
	assert_int_equal(kernel_probe(img, sizeof(img), sizeof(img), &ki, &err),
			 0);
	assert_int_equal(ki.kind, KERNEL_BZIMAGE);
	assert_int_equal(ki.seg[0].file_offset, 4 * 512);
	assert_int_equal(ki.seg[0].paddr, 0x1000000);
	assert_int_equal(ki.entry, 0x1000200);
	assert_int_equal(ki.setup_header_end, 0x26c);
	assert_int_equal(ki.end, 0x1200000);

	img[0x236] = 0; /* no 64-bit entry */
	assert_int_equal(kernel_probe(img, sizeof(img), sizeof(img), &ki, &err),
			 -ENOEXEC);
	assert_non_null(strstr(err.msg, "64-bit"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pvh_elf),
	    cmocka_unit_test(test_pvh_note),
	    cmocka_unit_test(test_rejects),
	    cmocka_unit_test(test_bzimage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
