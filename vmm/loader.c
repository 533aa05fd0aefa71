/* loader.c - kernel, initramfs and boot structures into guest RAM.
 *
 * File contents are pread() straight into guest memory: no intermediate
 * copy counts against the monitor's own RSS, and the zero-filled tails of
 * segments (bss) are never touched because fresh anonymous memory is
 * already zero.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "vmm/boot.h"
#include "vmm/elf.h"
#include "vmm/regs.h"
#include "vmm/vm.h"

static int pread_all(int fd, void *buf, uint64_t len, uint64_t off)
{
	uint8_t *p = buf;
	while (len) {
		ssize_t n =
		    pread(fd, p, len > (1 << 30) ? (1 << 30) : len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO; /* file shorter than its headers say */
		p += n;
		off += (uint64_t)n;
		len -= (uint64_t)n;
	}
	return 0;
}

#define PAGE 4096ULL
#define MAP_MIN (64ULL << 10) /* below this a copy is as cheap */

/* Puts file bytes [off, off+len) at guest address gpa.  Page-aligned
 * ranges are mapped (MAP_PRIVATE|MAP_FIXED over guest RAM): no copy, the
 * page cache backs them until the guest writes (copy-on-write), which
 * saves ~1 ms per MiB of kernel here.  The rest of a partial last page is
 * zeroed, as the bytes after the range in the file are not the guest's. */
static int place(struct vm *vm, int fd, uint64_t gpa, uint64_t off,
		 uint64_t len)
{
	uint8_t *dst = guest_ptr(&vm->mem, gpa, len);
	if (!dst)
		return -EFAULT;
	if (len < MAP_MIN || gpa % PAGE || off % PAGE)
		return pread_all(fd, dst, len, off);
	uint64_t map_len = (len + PAGE - 1) & ~(PAGE - 1);
	if (!guest_ptr(&vm->mem, gpa, map_len))
		return pread_all(fd, dst, len, off);
	if (mmap(dst, map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED,
		 fd, (off_t)off) == MAP_FAILED)
		return -errno;
	if (map_len > len)
		memset(dst + len, 0, map_len - len);
	return 0;
}

static int load_segments(struct vm *vm, int fd, const char *path,
			 const struct kernel_info *ki, struct vmctl_err *err)
{
	for (size_t i = 0; i < ki->n_seg; i++) {
		const struct kernel_segment *s = &ki->seg[i];
		void *dst = guest_ptr(&vm->mem, s->paddr, s->mem_size);
		if (!dst || s->paddr < BOOT_HIGH_MEM)
			return vmctl_errorf(
			    err, ENOMEM,
			    "kernel %s: segment at 0x%llx+0x%llx does not "
			    "fit in %llu MiB of guest memory",
			    path, (unsigned long long)s->paddr,
			    (unsigned long long)s->mem_size,
			    (unsigned long long)(vm->mem.size >> 20));
		int r = place(vm, fd, s->paddr, s->file_offset, s->file_size);
		if (r < 0)
			return vmctl_error(err, r, "read kernel %s", path);
	}
	return 0;
}

static int find_pvh_entry(int fd, const char *path, struct kernel_info *ki,
			  struct vmctl_err *err)
{
	for (size_t i = 0; i < ki->n_note; i++) {
		uint64_t len = ki->note[i].file_size;
		if (len > 65536)
			continue; /* not a plausible note segment */
		cleanup_free uint8_t *buf = malloc(len ? len : 1);
		if (!buf)
			return vmctl_error(err, ENOMEM, "kernel notes");
		int r = pread_all(fd, buf, len, ki->note[i].file_offset);
		if (r < 0)
			return vmctl_error(err, r, "read kernel %s", path);
		if (elf_find_pvh_entry(buf, len, &ki->entry) == 0)
			return 0;
	}
	return vmctl_errorf(err, ENOEXEC,
			    "kernel %s: ELF without a PVH entry note "
			    "(XEN_ELFNOTE_PHYS32_ENTRY); build with "
			    "CONFIG_PVH=y or use a bzImage",
			    path);
}

static int load_initrd(struct vm *vm, const struct kernel_info *ki,
		       struct boot_info *bi, struct vmctl_err *err)
{
	const char *path = vm->cfg->initramfs_path;
	if (!path)
		return 0;
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return vmctl_error(err, errno, "initramfs %s", path);
	bi->initrd_size = (uint64_t)st.st_size;
	if (boot_initrd_addr(vm->mem.size, ki->end, bi->initrd_size,
			     &bi->initrd_addr) < 0)
		return vmctl_errorf(err, ENOMEM,
				    "initramfs %s (%llu KiB) and kernel do not "
				    "fit in %llu MiB of guest memory",
				    path,
				    (unsigned long long)(bi->initrd_size >> 10),
				    (unsigned long long)(vm->mem.size >> 20));
	int r = place(vm, fd, bi->initrd_addr, 0, bi->initrd_size);
	return r < 0 ? vmctl_error(err, r, "read initramfs %s", path) : 0;
}

int kernel_open(struct kernel_file *kf, const char *path, struct vmctl_err *err)
{
	struct stat st;
	*kf = (struct kernel_file){.fd = -1, .path = path};
	kf->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (kf->fd < 0 || fstat(kf->fd, &st) < 0)
		return vmctl_error(err, errno, "kernel %s", path);
	if (!S_ISREG(st.st_mode))
		return vmctl_errorf(err, ENOEXEC, "kernel %s: not a file",
				    path);
	kf->head = calloc(1, KERNEL_HEAD_LEN);
	if (!kf->head)
		return vmctl_error(err, ENOMEM, "kernel header");
	kf->head_len = (uint64_t)st.st_size < KERNEL_HEAD_LEN
			   ? (size_t)st.st_size
			   : KERNEL_HEAD_LEN;
	int r = pread_all(kf->fd, kf->head, kf->head_len, 0);
	if (r < 0)
		return vmctl_error(err, r, "read kernel %s", path);
	if (kernel_probe(kf->head, kf->head_len, (uint64_t)st.st_size, &kf->ki,
			 err) < 0)
		return vmctl_error_wrap(err, "kernel %s", path);
	if (kf->ki.kind == KERNEL_PVH_ELF)
		return find_pvh_entry(kf->fd, path, &kf->ki, err);
	return 0;
}

void kernel_close(struct kernel_file *kf)
{
	if (kf->fd >= 0)
		close(kf->fd);
	kf->fd = -1;
	free(kf->head);
	kf->head = NULL;
}

int vm_load(struct vm *vm, const struct kernel_file *kf, const char *cmdline,
	    struct vmctl_err *err)
{
	const struct kernel_info *ki = &kf->ki;
	int r = load_segments(vm, kf->fd, kf->path, ki, err);
	if (r < 0)
		return r;

	struct boot_info bi = {.mem_size = vm->mem.size, .cmdline = cmdline};
	if ((r = load_initrd(vm, ki, &bi, err)) < 0)
		return r;

	bool long_mode = ki->kind == KERNEL_BZIMAGE;
	uint64_t boot_arg =
	    long_mode ? BOOT_ZERO_PAGE_ADDR : BOOT_START_INFO_ADDR;
	r = boot_write_gdt(vm->mem.host, vm->mem.size, long_mode);
	if (r == 0 && long_mode)
		r = boot_write_page_tables(vm->mem.host, vm->mem.size);
	if (r == 0)
		r = long_mode ? boot_write_zero_page(vm->mem.host, &bi,
						     kf->head, kf->head_len,
						     ki->setup_header_end)
			      : boot_write_pvh(vm->mem.host, &bi);
	if (r == -E2BIG)
		return vmctl_errorf(err, E2BIG,
				    "kernel command line longer than %d bytes",
				    BOOT_CMDLINE_MAX - 1);
	if (r < 0)
		return vmctl_error(err, r, "boot structures");
	return regs_setup(vm->vcpu[0].fd, long_mode, ki->entry, boot_arg, err);
}
