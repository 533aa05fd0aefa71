/* kvm.c - /dev/kvm plumbing (see kvm.h). */
#include "vmm/kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/cleanup.h"

/* Addresses in the unused space just below the 4 GiB boundary, where
 * Firecracker and QEMU put them too: the TSS needs three pages, the
 * identity map one. */
#define KVM_TSS_ADDR 0xfffbd000ULL
#define KVM_IDENTITY_MAP_ADDR 0xfffbc000ULL

int kvm_open(int *kvm_fd, struct vmctl_err *err)
{
	cleanup_close int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return vmctl_error(err, errno,
				   "open /dev/kvm (load the module: modprobe "
				   "kvm_intel or kvm_amd, and enable "
				   "virtualization in the firmware)");
	if (fd < 0 && (errno == EACCES || errno == EPERM))
		return vmctl_error(err, errno,
				   "open /dev/kvm (run as root or add the "
				   "user to group kvm)");
	if (fd < 0)
		return vmctl_error(err, errno, "open /dev/kvm");
	int version = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (version != KVM_API_VERSION)
		return vmctl_errorf(err, ENOTSUP,
				    "/dev/kvm: API version %d, need %d",
				    version, KVM_API_VERSION);
	if (ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT) <= 0)
		return vmctl_errorf(err, ENOTSUP,
				    "/dev/kvm lacks KVM_CAP_IMMEDIATE_EXIT "
				    "(kernel too old)");
	*kvm_fd = steal_fd(&fd);
	return 0;
}

int kvm_create_vm(int kvm_fd, int *vm_fd, struct vmctl_err *err)
{
	cleanup_close int fd = -1;
	do
		fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return vmctl_error(err, errno, "KVM_CREATE_VM");
	*vm_fd = steal_fd(&fd);
	return 0;
}

int kvm_create_platform(int fd, struct vmctl_err *err)
{
	if (ioctl(fd, KVM_SET_TSS_ADDR, (unsigned long)KVM_TSS_ADDR) < 0)
		return vmctl_error(err, errno, "KVM_SET_TSS_ADDR");
	uint64_t idmap = KVM_IDENTITY_MAP_ADDR;
	if (ioctl(fd, KVM_SET_IDENTITY_MAP_ADDR, &idmap) < 0)
		return vmctl_error(err, errno, "KVM_SET_IDENTITY_MAP_ADDR");
	if (ioctl(fd, KVM_CREATE_IRQCHIP, 0) < 0)
		return vmctl_error(err, errno, "KVM_CREATE_IRQCHIP");
	struct kvm_pit_config pit = {.flags = KVM_PIT_SPEAKER_DUMMY};
	if (ioctl(fd, KVM_CREATE_PIT2, &pit) < 0)
		return vmctl_error(err, errno, "KVM_CREATE_PIT2");
	return 0;
}

int guest_mem_alloc(struct guest_mem *mem, uint64_t size, struct vmctl_err *err)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return vmctl_error(err, errno,
				   "mmap %llu bytes of guest memory",
				   (unsigned long long)size);
	/* Never part of a core dump: it is the guest's, possibly large. */
	madvise(p, size, MADV_DONTDUMP);
	mem->host = p;
	mem->size = size;
	return 0;
}

void guest_mem_free(struct guest_mem *mem)
{
	if (mem->host)
		munmap(mem->host, mem->size);
	mem->host = NULL;
	mem->size = 0;
}

/* Sums the Rss of the mappings inside guest memory (smaps, not mincore:
 * file pages mapped there count only once the guest touched them). */
static uint64_t smaps_rss(const struct guest_mem *mem)
{
	cleanup_fclose FILE *f = fopen("/proc/self/smaps", "re");
	uintptr_t lo = (uintptr_t)mem->host, hi = lo + mem->size;
	bool inside = false;
	uint64_t kib = 0, total = 0;
	char line[256];

	if (!f)
		return UINT64_MAX;
	while (fgets(line, sizeof(line), f)) {
		unsigned long a, b;
		if (sscanf(line, "%lx-%lx ", &a, &b) == 2)
			inside = a >= lo && b <= hi;
		else if (inside && sscanf(line, "Rss: %" SCNu64, &kib) == 1)
			total += kib << 10;
	}
	return total;
}

uint64_t guest_mem_resident(const struct guest_mem *mem)
{
	uint64_t rss = smaps_rss(mem);
	if (rss != UINT64_MAX)
		return rss;
	long page = sysconf(_SC_PAGESIZE);
	size_t pages =
	    (size_t)((mem->size + (uint64_t)page - 1) / (uint64_t)page);
	cleanup_free unsigned char *vec = malloc(pages);
	uint64_t n = 0;

	if (!vec || mincore(mem->host, mem->size, vec) < 0)
		return 0;
	for (size_t i = 0; i < pages; i++)
		n += vec[i] & 1;
	return n * (uint64_t)page;
}

int kvm_set_memory(int vm_fd, uint32_t slot, uint64_t gpa,
		   const struct guest_mem *mem, struct vmctl_err *err)
{
	struct kvm_userspace_memory_region region = {
	    .slot = slot,
	    .guest_phys_addr = gpa,
	    .memory_size = mem->size,
	    .userspace_addr = (uint64_t)(uintptr_t)mem->host,
	};
	if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return vmctl_error(err, errno, "KVM_SET_USER_MEMORY_REGION");
	return 0;
}

int kvm_create_vcpu(int kvm_fd, int vm_fd, unsigned id, int *vcpu_fd,
		    struct kvm_run **run, size_t *run_size,
		    struct vmctl_err *err)
{
	cleanup_close int fd = ioctl(vm_fd, KVM_CREATE_VCPU, (unsigned long)id);
	if (fd < 0)
		return vmctl_error(err, errno, "KVM_CREATE_VCPU %u", id);
	int size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(struct kvm_run))
		return vmctl_error(err, size < 0 ? errno : EINVAL,
				   "KVM_GET_VCPU_MMAP_SIZE");
	void *p =
	    mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return vmctl_error(err, errno, "mmap kvm_run of vCPU %u", id);
	*run = p;
	*run_size = (size_t)size;
	*vcpu_fd = steal_fd(&fd);
	return 0;
}

int kvm_irq_line(int vm_fd, uint32_t gsi, int level)
{
	struct kvm_irq_level irq = {.irq = gsi, .level = (uint32_t)level};
	return ioctl(vm_fd, KVM_IRQ_LINE, &irq) < 0 ? -errno : 0;
}
