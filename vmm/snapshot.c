/* snapshot.c - boot snapshots: a micro-VM saved at the hand-off (the guest
 * init booted and waiting for its workload, vmm/devices/handoff.h) and
 * restored instead of booted.
 *
 * Guest kernel code runs under an instruction emulator here, so a boot
 * costs seconds; restoring costs the pages the guest touches again.  As
 * Firecracker's snapshots, what is saved is the whole machine: guest RAM
 * (a sparse file, mapped copy-on-write by every restore, so concurrent VMs
 * share its unmodified pages through the page cache), the vCPU (registers,
 * MSRs, local APIC, pending events), the in-kernel PIC/IOAPIC/PIT and
 * kvm-clock, and the devices' registers.  The state file is vmm/snapfile.h.
 *
 * What is not cloned: the guest's RNG state (the hand-off gives each run a
 * fresh seed) and its clock (the hand-off gives the time).  A snapshot is
 * only valid for what its key names (kernel, init, disk image, memory size,
 * command line): the caller (common/runner_vm.c) builds the key, and a
 * mismatch means a cold boot that saves a new snapshot.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "vmm/kvm.h"
#include "vmm/snapfile.h"
#include "vmm/vm.h"

#define MAX_MSRS 256
#define DEVICE_BLOB_MAX 4096

/* --- saving ------------------------------------------------------------- */

#define MSR_IA32_TSC 0x10
#define MSR_IA32_TSC_DEADLINE 0x6e0

/* The MSRs KVM can give back for this vCPU: its index list, minus those
 * this host refuses to read or to take back (each tried alone: written
 * with the value just read, which changes nothing, except for the TSC and
 * its deadline, which would move; those two every KVM takes).  A snapshot
 * with an MSR the host will not set would fail every restore. */
static int save_msrs(struct snap_writer *w, int kvm_fd, int vcpu_fd,
		     struct vmctl_err *err)
{
	struct {
		struct kvm_msr_list hdr;
		uint32_t idx[MAX_MSRS];
	} list = {.hdr.nmsrs = MAX_MSRS};
	if (ioctl(kvm_fd, KVM_GET_MSR_INDEX_LIST, &list) < 0)
		return vmctl_error(err, errno, "KVM_GET_MSR_INDEX_LIST");
	static struct kvm_msr_entry out[MAX_MSRS];
	size_t n = 0;
	for (uint32_t i = 0; i < list.hdr.nmsrs && i < MAX_MSRS; i++) {
		struct {
			struct kvm_msrs hdr;
			struct kvm_msr_entry e;
		} one = {.hdr.nmsrs = 1, .e.index = list.idx[i]};
		if (ioctl(vcpu_fd, KVM_GET_MSRS, &one) != 1)
			continue;
		bool timer = one.e.index == MSR_IA32_TSC ||
			     one.e.index == MSR_IA32_TSC_DEADLINE;
		if (timer || ioctl(vcpu_fd, KVM_SET_MSRS, &one) == 1)
			out[n++] = one.e;
	}
	return snapfile_put(w, SNAP_MSRS, out, n * sizeof(out[0]));
}

struct vcpu_ioctl {
	unsigned long get, set;
	uint32_t tag;
	size_t size;
	const char *name;
};

/* In the order they are set back (Firecracker's and QEMU's: the special
 * registers before the MSRs and the local APIC, the events last). */
static const struct vcpu_ioctl vcpu_state[] = {
    {KVM_GET_REGS, KVM_SET_REGS, SNAP_REGS, sizeof(struct kvm_regs), "REGS"},
    {KVM_GET_SREGS, KVM_SET_SREGS, SNAP_SREGS, sizeof(struct kvm_sregs),
     "SREGS"},
    {KVM_GET_FPU, KVM_SET_FPU, SNAP_FPU, sizeof(struct kvm_fpu), "FPU"},
    {KVM_GET_DEBUGREGS, KVM_SET_DEBUGREGS, SNAP_DEBUGREGS,
     sizeof(struct kvm_debugregs), "DEBUGREGS"},
    {KVM_GET_LAPIC, KVM_SET_LAPIC, SNAP_LAPIC, sizeof(struct kvm_lapic_state),
     "LAPIC"},
    {KVM_GET_MP_STATE, KVM_SET_MP_STATE, SNAP_MP_STATE,
     sizeof(struct kvm_mp_state), "MP_STATE"},
    {KVM_GET_VCPU_EVENTS, KVM_SET_VCPU_EVENTS, SNAP_EVENTS,
     sizeof(struct kvm_vcpu_events), "VCPU_EVENTS"},
};
#define N_VCPU_STATE (sizeof(vcpu_state) / sizeof(vcpu_state[0]))

static int save_vcpu(struct snap_writer *w, struct vm *vm, struct vcpu *v,
		     struct vmctl_err *err)
{
	static uint8_t buf[8192]; /* larger than any of the structs above */
	for (size_t i = 0; i < N_VCPU_STATE; i++) {
		memset(buf, 0, sizeof(buf));
		if (ioctl(v->fd, vcpu_state[i].get, buf) < 0)
			return vmctl_error(err, errno, "KVM_GET_%s",
					   vcpu_state[i].name);
		snapfile_put(w, vcpu_state[i].tag, buf, vcpu_state[i].size);
	}
	return save_msrs(w, vm->kvm_fd, v->fd, err);
}

static int save_platform(struct snap_writer *w, int vm_fd,
			 struct vmctl_err *err)
{
	for (uint32_t chip = 0; chip < 3; chip++) {
		struct kvm_irqchip c = {.chip_id = chip};
		if (ioctl(vm_fd, KVM_GET_IRQCHIP, &c) < 0)
			return vmctl_error(err, errno, "KVM_GET_IRQCHIP %u", chip);
		snapfile_put(w, SNAP_IRQCHIP, &c, sizeof(c));
	}
	struct kvm_pit_state2 pit;
	if (ioctl(vm_fd, KVM_GET_PIT2, &pit) < 0)
		return vmctl_error(err, errno, "KVM_GET_PIT2");
	snapfile_put(w, SNAP_PIT, &pit, sizeof(pit));
	struct kvm_clock_data clock = {0};
	if (ioctl(vm_fd, KVM_GET_CLOCK, &clock) < 0)
		return vmctl_error(err, errno, "KVM_GET_CLOCK");
	return snapfile_put(w, SNAP_CLOCK, &clock, sizeof(clock));
}

/* One record per device, in bus order: "<name>\0<blob>". */
static int save_devices(struct snap_writer *w, struct bus *bus,
			struct vmctl_err *err)
{
	static char buf[DEVICE_BLOB_MAX];
	for (size_t i = 0; i < bus->n; i++) {
		struct device *d = bus->dev[i];
		size_t name_len = strlen(d->ops->name) + 1;
		memcpy(buf, d->ops->name, name_len);
		int len = 0;
		if (d->ops->save)
			len = d->ops->save(d, buf + name_len, sizeof(buf) - name_len);
		if (len < 0)
			return vmctl_error(err, -len, "device %s cannot be saved",
					   d->ops->name);
		snapfile_put(w, SNAP_DEVICE, buf, name_len + (size_t)len);
	}
	return 0;
}

#define PAGEMAP_PRESENT (1ULL << 63)
#define PAGEMAP_SWAPPED (1ULL << 62)

/* One byte per guest page: 1 when the guest ever touched it, in RAM or in
 * swap (/proc/self/pagemap; mincore would miss a swapped-out page, and a
 * hole reads back as zeros). */
static int touched_pages(const struct guest_mem *mem, size_t pages,
			 unsigned char *vec, struct vmctl_err *err)
{
	cleanup_close int pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (pm < 0)
		return vmctl_error(err, errno, "open /proc/self/pagemap");
	long page = sysconf(_SC_PAGESIZE);
	off_t base = (off_t)((uintptr_t)mem->host / (uintptr_t)page) * 8;
	uint64_t e[512];
	for (size_t i = 0; i < pages;) {
		size_t n = pages - i < 512 ? pages - i : 512;
		ssize_t r = pread(pm, e, n * 8, base + (off_t)i * 8);
		if (r < (ssize_t)(n * 8))
			return vmctl_error(err, r < 0 ? errno : EIO,
					   "reading /proc/self/pagemap");
		for (size_t k = 0; k < n; k++)
			vec[i + k] = (e[k] & (PAGEMAP_PRESENT | PAGEMAP_SWAPPED)) != 0;
		i += n;
	}
	return 0;
}

/* Guest RAM the loader mapped from files (kernel segments, vmm/loader.c):
 * their content is the file's whether or not the guest touched a page yet,
 * so all of it is saved (a hole would read back as zeros: a kernel text
 * page first run after the restore would be zeros). */
static void mark_file_backed(const struct guest_mem *mem, size_t pages,
			     unsigned char *vec)
{
	cleanup_fclose FILE *f = fopen("/proc/self/maps", "re");
	uintptr_t lo = (uintptr_t)mem->host, hi = lo + mem->size;
	long page = sysconf(_SC_PAGESIZE);
	char line[512];
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long a, b, inode;
		if (sscanf(line, "%lx-%lx %*s %*s %*s %lu", &a, &b, &inode) != 3 ||
		    !inode || a < lo || b > hi || a >= b)
			continue;
		size_t first = (a - lo) / (uintptr_t)page;
		size_t last = (b - lo + (uintptr_t)page - 1) / (uintptr_t)page;
		for (size_t i = first; i < last && i < pages; i++)
			vec[i] = 1;
	}
}

/* The pages the guest touched, at their offsets; the rest stays a hole.
 * Synced before the caller renames the snapshot into place: a host crash
 * must not leave a snapshot whose memory is zeros. */
static int save_memory(const struct guest_mem *mem, const char *path,
		       struct vmctl_err *err)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t pages = (size_t)(mem->size / (uint64_t)page);
	cleanup_free unsigned char *vec = malloc(pages);
	cleanup_close int fd =
	    open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (!vec)
		return vmctl_error(err, ENOMEM, "snapshot");
	analyzer_cleanup(vec);
	if (fd < 0 || ftruncate(fd, (off_t)mem->size) < 0)
		return vmctl_error(err, errno, "creating %s", path);
	int r = touched_pages(mem, pages, vec, err);
	if (r < 0)
		return r;
	mark_file_backed(mem, pages, vec);
	for (size_t i = 0; i < pages;) {
		if (!vec[i]) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < pages && vec[j])
			j++;
		size_t off = i * (size_t)page, len = (j - i) * (size_t)page;
		while (len) {
			ssize_t wr = pwrite(fd, mem->host + off, len, (off_t)off);
			if (wr < 0 && errno == EINTR)
				continue;
			if (wr <= 0)
				return vmctl_error(err, wr < 0 ? errno : EIO,
						   "writing %s", path);
			off += (size_t)wr;
			len -= (size_t)wr;
		}
		i = j;
	}
	if (fsync(fd) < 0)
		return vmctl_error(err, errno, "syncing %s", path);
	return 0;
}

static int collect_state(struct snap_writer *w, struct vm *vm, struct vcpu *v,
			 struct vmctl_err *err)
{
	const char *key = vm->cfg->snapshot_key;
	uint64_t size = vm->mem.size;
	snapfile_put(w, SNAP_KEY, key, strlen(key));
	snapfile_put(w, SNAP_MEM_SIZE, &size, sizeof(size));
	snapfile_put(w, SNAP_RELEASE, vm->kernel_release,
		     strlen(vm->kernel_release));
	int r = save_vcpu(w, vm, v, err);
	if (r == 0)
		r = save_platform(w, vm->vm_fd, err);
	if (r == 0)
		r = save_devices(w, &vm->bus, err);
	if (r == 0 && (r = snapfile_finish(w)) < 0)
		vmctl_error(err, -r, "snapshot state");
	return r;
}

static int write_synced(const char *path, const void *data, size_t len,
			struct vmctl_err *err)
{
	cleanup_close int fd =
	    open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return vmctl_error(err, errno, "writing %s", path);
	int r = write_full(fd, data, len);
	if (r < 0)
		return vmctl_error(err, -r, "writing %s", path);
	if (fsync(fd) < 0)
		return vmctl_error(err, errno, "syncing %s", path);
	return 0;
}

static int sync_dir(const char *path, struct vmctl_err *err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		return vmctl_error(err, errno, "syncing %s", path);
	return 0;
}

/* Writes into a fresh directory beside the final one, then renames it in
 * place: a reader sees a whole snapshot or none, and two runs saving the
 * same snapshot at once do not mix their files. */
int snapshot_save(struct vm *vm, struct vcpu *v, struct vmctl_err *err)
{
	const char *dir = vm->cfg->snapshot_dir;
	char tmp[4096], path[4200];
	struct snap_writer w;
	if (xsnprintf(tmp, sizeof(tmp), "%s.tmp.%d", dir, (int)getpid()) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "snapshot path too long");
	snapfile_init(&w);
	int r = collect_state(&w, vm, v, err);
	rm_rf(tmp);
	if (r == 0 && mkdir(tmp, 0700) < 0)
		r = vmctl_error(err, errno, "creating %s", tmp);
	if (r == 0) {
		snprintf(path, sizeof(path), "%s/memory", tmp);
		r = save_memory(&vm->mem, path, err);
	}
	if (r == 0) {
		snprintf(path, sizeof(path), "%s/state", tmp);
		r = write_synced(path, w.buf, w.len, err);
	}
	if (r == 0)
		r = sync_dir(tmp, err);
	/* Never over an existing snapshot: a run may be reading it (the one
	 * there is for this same key, the name being its hash; one that failed
	 * was removed by vm_run before this boot). */
	if (r == 0 && rename(tmp, dir) < 0 && errno != ENOTEMPTY && errno != EEXIST)
		r = vmctl_error(err, errno, "renaming %s", tmp);
	rm_rf(tmp); /* left only when another run renamed first */
	snapfile_free(&w);
	return r;
}

/* --- loading and restoring ------------------------------------------------ */

void snapshot_release(struct snapshot *s)
{
	free(s->state);
	s->state = NULL;
	if (s->mem_fd >= 0)
		close(s->mem_fd);
	s->mem_fd = -1;
	s->n = 0;
}

/* Reads the state file whole through dfd (at most SNAPFILE_MAX_BYTES). */
static int read_state(int dfd, char **out, size_t *len)
{
	cleanup_close int fd = openat(dfd, "state", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 || st.st_size > SNAPFILE_MAX_BYTES)
		return -EINVAL;
	char *buf = malloc((size_t)st.st_size);
	if (!buf)
		return -ENOMEM;
	ssize_t n = pread(fd, buf, (size_t)st.st_size, 0);
	if (n != st.st_size) {
		free(buf);
		return n < 0 ? -errno : -EINVAL;
	}
	*out = buf;
	*len = (size_t)n;
	return 0;
}

/* Both files through one directory fd: a snapshot replaced meanwhile (a
 * failed one removed, a new one renamed in) cannot pair one's state with
 * the other's memory; the second open then fails and the run boots. */
int snapshot_load(struct snapshot *s, const char *dir, const char *key,
		  uint64_t mem_size, struct vmctl_err *err)
{
	char path[4200];
	size_t len = 0;
	*s = (struct snapshot){.mem_fd = -1};
	snprintf(path, sizeof(path), "%s/state", dir);
	cleanup_close int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return vmctl_error(err, errno, "opening %s", dir);
	int r = read_state(dfd, &s->state, &len);
	if (r < 0) /* a directory without its state is a damaged snapshot */
		return vmctl_error(err, r == -ENOENT ? EINVAL : -r, "reading %s", path);
	r = snapfile_parse((const uint8_t *)s->state, len, s->rec,
			   SNAPFILE_MAX_RECORDS);
	const struct snap_record *k = r > 0 ? snapfile_find(s->rec, (size_t)r, SNAP_KEY, 0) : NULL;
	uint64_t size = 0;
	if (r < 0 || !k) {
		snapshot_release(s);
		return vmctl_errorf(err, EINVAL, "%s: not a snapshot state file", path);
	}
	s->n = (size_t)r;
	if (k->len != strlen(key) || memcmp(k->data, key, k->len) ||
	    snapfile_get(s->rec, s->n, SNAP_MEM_SIZE, &size, sizeof(size)) < 0 ||
	    size != mem_size) {
		snapshot_release(s);
		return vmctl_errorf(err, ESTALE, "%s: saved for another boot", dir);
	}
	snprintf(path, sizeof(path), "%s/memory", dir);
	struct stat st;
	s->mem_fd = openat(dfd, "memory", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (s->mem_fd < 0 || fstat(s->mem_fd, &st) < 0 ||
	    (uint64_t)st.st_size != mem_size) {
		r = vmctl_errorf(err, s->mem_fd < 0 ? errno : EINVAL,
				 "%s: missing or of the wrong size", path);
		snapshot_release(s);
		return r;
	}
	return 0;
}

int snapshot_map_memory(const struct snapshot *s, struct guest_mem *mem,
			uint64_t size, struct vmctl_err *err)
{
	/* Private: the guest's writes are its own; the file stays as saved. */
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_NORESERVE, s->mem_fd, 0);
	if (p == MAP_FAILED)
		return vmctl_error(err, errno, "mapping the snapshot's memory");
	madvise(p, size, MADV_DONTDUMP);
	mem->host = p;
	mem->size = size;
	return 0;
}

static int restore_msrs(const struct snapshot *s, int vcpu_fd,
			struct vmctl_err *err)
{
	const struct snap_record *r = snapfile_find(s->rec, s->n, SNAP_MSRS, 0);
	if (!r || r->len % sizeof(struct kvm_msr_entry) ||
	    r->len > MAX_MSRS * sizeof(struct kvm_msr_entry))
		return vmctl_errorf(err, EINVAL, "snapshot: bad MSR record");
	static struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[MAX_MSRS];
	} msrs;
	msrs.hdr.nmsrs = r->len / sizeof(struct kvm_msr_entry);
	memcpy(msrs.e, r->data, r->len);
	int set = ioctl(vcpu_fd, KVM_SET_MSRS, &msrs);
	if (set < 0 || (uint32_t)set != msrs.hdr.nmsrs)
		return vmctl_errorf(err, set < 0 ? errno : EINVAL,
				    "snapshot: KVM_SET_MSRS stopped at MSR 0x%x",
				    set >= 0 && (uint32_t)set < msrs.hdr.nmsrs
					? msrs.e[set].index
					: 0);
	return 0;
}

/* KVM_SET_LAPIC re-initialises the local APIC timer, dropping a deadline
 * set before it: the TSC-deadline MSR goes in again afterwards (as QEMU
 * does), or a guest idling on its timer (`sleep 1`) never wakes up. */
static int restore_tsc_deadline(const struct snapshot *s, int vcpu_fd,
				struct vmctl_err *err)
{
	const struct snap_record *r = snapfile_find(s->rec, s->n, SNAP_MSRS, 0);
	const struct kvm_msr_entry *e = r ? r->data : NULL;
	size_t n = r ? r->len / sizeof(*e) : 0;
	for (size_t i = 0; i < n; i++) {
		if (e[i].index != MSR_IA32_TSC_DEADLINE)
			continue;
		struct {
			struct kvm_msrs hdr;
			struct kvm_msr_entry e;
		} one = {.hdr.nmsrs = 1, .e = e[i]};
		if (ioctl(vcpu_fd, KVM_SET_MSRS, &one) != 1)
			return vmctl_errorf(err, EIO, "snapshot: the TSC deadline");
	}
	return 0;
}

static int restore_vcpu(const struct snapshot *s, struct vcpu *v,
			struct vmctl_err *err)
{
	static uint8_t buf[8192];
	for (size_t i = 0; i < N_VCPU_STATE; i++) {
		const struct vcpu_ioctl *c = &vcpu_state[i];
		if (snapfile_get(s->rec, s->n, c->tag, buf, c->size) < 0)
			return vmctl_errorf(err, EINVAL, "snapshot: no %s record",
					    c->name);
		if (ioctl(v->fd, c->set, buf) < 0)
			return vmctl_error(err, errno, "snapshot: KVM_SET_%s",
					   c->name);
		if (c->tag == SNAP_SREGS && restore_msrs(s, v->fd, err) < 0)
			return -EINVAL;
	}
	return restore_tsc_deadline(s, v->fd, err);
}

static int restore_platform(const struct snapshot *s, int vm_fd,
			    struct vmctl_err *err)
{
	for (unsigned chip = 0; chip < 3; chip++) {
		const struct snap_record *r =
		    snapfile_find(s->rec, s->n, SNAP_IRQCHIP, chip);
		struct kvm_irqchip c;
		if (!r || r->len != sizeof(c))
			return vmctl_errorf(err, EINVAL, "snapshot: irqchip %u", chip);
		memcpy(&c, r->data, sizeof(c));
		if (ioctl(vm_fd, KVM_SET_IRQCHIP, &c) < 0)
			return vmctl_error(err, errno, "KVM_SET_IRQCHIP %u", chip);
	}
	struct kvm_pit_state2 pit;
	struct kvm_clock_data clock;
	if (snapfile_get(s->rec, s->n, SNAP_PIT, &pit, sizeof(pit)) < 0 ||
	    snapfile_get(s->rec, s->n, SNAP_CLOCK, &clock, sizeof(clock)) < 0)
		return vmctl_errorf(err, EINVAL, "snapshot: no PIT or clock");
	if (ioctl(vm_fd, KVM_SET_PIT2, &pit) < 0)
		return vmctl_error(err, errno, "KVM_SET_PIT2");
	clock.flags = 0; /* the saved value, not a realtime correction */
	if (ioctl(vm_fd, KVM_SET_CLOCK, &clock) < 0)
		return vmctl_error(err, errno, "KVM_SET_CLOCK");
	return 0;
}

static int restore_devices(const struct snapshot *s, struct bus *bus,
			   struct vmctl_err *err)
{
	for (size_t i = 0; i < bus->n; i++) {
		struct device *d = bus->dev[i];
		const struct snap_record *r =
		    snapfile_find(s->rec, s->n, SNAP_DEVICE, (unsigned)i);
		size_t name_len = strlen(d->ops->name) + 1;
		if (!r || r->len < name_len || memcmp(r->data, d->ops->name, name_len))
			return vmctl_errorf(err, EINVAL,
					    "snapshot: device %zu is not a %s", i,
					    d->ops->name);
		const char *blob = (const char *)r->data + name_len;
		size_t blob_len = r->len - name_len;
		int rr = 0;
		if (d->ops->restore)
			rr = d->ops->restore(d, blob, blob_len);
		else if (blob_len)
			rr = -EINVAL;
		if (rr < 0)
			return vmctl_error(err, -rr, "snapshot: device %s",
					   d->ops->name);
	}
	if (snapfile_find(s->rec, s->n, SNAP_DEVICE, (unsigned)bus->n))
		return vmctl_errorf(err, EINVAL, "snapshot: more devices than this VM");
	return 0;
}

int snapshot_restore(struct vm *vm, const struct snapshot *s,
		     struct vmctl_err *err)
{
	const struct snap_record *rel = snapfile_find(s->rec, s->n, SNAP_RELEASE, 0);
	if (rel && rel->len < sizeof(vm->kernel_release)) {
		memcpy(vm->kernel_release, rel->data, rel->len);
		vm->kernel_release[rel->len] = '\0';
	}
	int r = restore_platform(s, vm->vm_fd, err);
	if (r == 0)
		r = restore_devices(s, &vm->bus, err);
	if (r == 0)
		r = restore_vcpu(s, &vm->vcpu[0], err);
	return r;
}
