/* seccomp_profile.c - the default deny-list, as data and as BPF. */
#include "container/seccomp_profile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/memo.h"
#include "common/util.h"

#define DENY(n)                                                                \
	{                                                                      \
		n, SC_DENY, 0, EPERM                                           \
	}

static const struct seccomp_rule rules[] = {
    /* Loading code into, or replacing, the (host's) kernel. */
    DENY("kexec_load"),
    DENY("kexec_file_load"),
    DENY("init_module"),
    DENY("finit_module"),
    DENY("delete_module"),
    DENY("create_module"),
    DENY("get_kernel_syms"),
    DENY("query_module"),
    /* Host-wide switches. */
    DENY("reboot"),
    DENY("swapon"),
    DENY("swapoff"),
    DENY("acct"),
    DENY("quotactl"),
    DENY("nfsservctl"),
    DENY("syslog"),
    DENY("settimeofday"),
    DENY("clock_settime"),
    DENY("clock_adjtime"),
    /* Large kernel attack surface the workload has no business with. */
    DENY("bpf"),
    DENY("perf_event_open"),
    DENY("userfaultfd"),
    DENY("io_uring_setup"),
    DENY("io_uring_enter"),
    DENY("io_uring_register"),
    /* The kernel keyring is not namespaced. */
    DENY("keyctl"),
    DENY("add_key"),
    DENY("request_key"),
    /* Escapes: file handles bypass the mount namespace (the "shocker"
     * exploit); the mount table stays as we built it.  mount(2) itself
     * is left to the capability check (CAP_SYS_ADMIN is gone). */
    DENY("open_by_handle_at"),
    DENY("umount2"),
    DENY("pivot_root"),
    DENY("fsopen"),
    DENY("fsmount"),
    DENY("fspick"),
    DENY("fsconfig"),
    DENY("move_mount"),
    DENY("open_tree"),
    DENY("mount_setattr"),
    DENY("setns"),
    /* Old or host-revealing interfaces. */
    DENY("lookup_dcookie"),
    DENY("move_pages"),
    DENY("sysfs"),
    DENY("_sysctl"),
    DENY("uselib"),
    DENY("ustat"),
    DENY("vm86"),
    DENY("vm86old"),
    DENY("iopl"),
    DENY("ioperm"),
    /* kcmp compares other processes' kernel objects: Docker grants it
     * only with CAP_SYS_PTRACE, which is not in the default set.
     * ptrace itself is allowed: kernels >= 4.8 check seccomp after it. */
    DENY("kcmp"),
    /* New namespaces would let the workload rebuild what we took away. */
    {"clone", SC_DENY_NS_FLAGS, 0, EPERM},
    {"unshare", SC_DENY_NS_FLAGS, 0, EPERM},
    /* clone3 passes its flags in memory, which BPF cannot read: ENOSYS
     * makes glibc and others fall back to clone(). */
    {"clone3", SC_DENY, 0, ENOSYS},
    {"personality", SC_DENY_PERSONA, 0, EPERM},
};

const uint64_t seccomp_ns_flags[] = {
    CLONE_NEWNS,  CLONE_NEWUTS, CLONE_NEWIPC,	 CLONE_NEWUSER,
    CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP, CLONE_NEWTIME,
};
const size_t seccomp_n_ns_flags =
    sizeof(seccomp_ns_flags) / sizeof(seccomp_ns_flags[0]);

const struct seccomp_rule *seccomp_profile_rules(size_t *n)
{
	*n = sizeof(rules) / sizeof(rules[0]);
	return rules;
}

const struct seccomp_rule *seccomp_profile_find(const char *name)
{
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (strcmp(rules[i].name, name) == 0)
			return &rules[i];
	return NULL;
}

/* Docker allows personality(0), PER_LINUX32 (0x8), UNAME26 (0x20000),
 * their union and the query 0xffffffff.  What it keeps out are the flags
 * the kernel acts on: ADDR_NO_RANDOMIZE (0x40000, no ASLR), FDPIC_FUNCPTRS,
 * MMAP_PAGE_ZERO, ADDR_COMPAT_LAYOUT, READ_IMPLIES_EXEC (0x400000),
 * ADDR_LIMIT_32BIT, SHORT_INODE, WHOLE_SECONDS, STICKY_TIMEOUTS,
 * ADDR_LIMIT_3GB: all above 0x20008, so one comparison refuses them all
 * (and the query).  What it lets through that Docker refuses are the other
 * execution-domain numbers of the low byte, which Linux has ignored since
 * 4.1 removed execution domains.  One comparison, not Docker's exact set:
 * libseccomp cannot compare one argument twice in a rule, and a rule per
 * bit made 57 of the filter's 143 instructions, each of which the kernel
 * checks and compiles at every container start (~0.6 us apiece here). */
#define PERSONA_SAFE_MAX 0x20008ULL

static int add_persona(scmp_filter_ctx ctx, int nr, int err)
{
	return seccomp_rule_add(ctx, SCMP_ACT_ERRNO((uint32_t)err), nr, 1,
				SCMP_A0(SCMP_CMP_GT, PERSONA_SAFE_MAX));
}

/* One rule per flag: rules on one syscall are OR-ed by libseccomp. */
static int add_ns_flags(scmp_filter_ctx ctx, int nr, unsigned arg, int err)
{
	int r = 0;
	for (size_t i = 0; r == 0 && i < seccomp_n_ns_flags; i++) {
		struct scmp_arg_cmp cmp = {arg, SCMP_CMP_MASKED_EQ,
					   seccomp_ns_flags[i],
					   seccomp_ns_flags[i]};
		r = seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO((uint32_t)err),
					   nr, 1, &cmp);
	}
	return r;
}

static int add_rule(scmp_filter_ctx ctx, const struct seccomp_rule *rule)
{
	int nr = seccomp_syscall_resolve_name(rule->name);
	if (nr == __NR_SCMP_ERROR || nr < 0)
		return 0; /* not a syscall on this architecture */
	switch (rule->kind) {
	case SC_DENY:
		return seccomp_rule_add(
		    ctx, SCMP_ACT_ERRNO((uint32_t)rule->err), nr, 0);
	case SC_DENY_NS_FLAGS:
		return add_ns_flags(ctx, nr, rule->arg, rule->err);
	case SC_DENY_PERSONA:
		return add_persona(ctx, nr, rule->err);
	}
	return -EINVAL;
}

static void release_ctx(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}

/* libseccomp 2.5 exports BPF only to an fd: a pipe keeps it in memory. */
static int export_to_memory(scmp_filter_ctx ctx, struct sock_fprog *prog)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	cleanup_close int rd = fds[0];
	cleanup_close int wr = fds[1];
	int r = seccomp_export_bpf(ctx, wr);
	if (r < 0)
		return r;
	close(steal_fd(&wr));
	size_t cap = 4096, len = 0;
	cleanup_free char *buf = malloc(cap);
	for (;;) {
		if (!buf)
			return -ENOMEM;
		ssize_t n = read(rd, buf + len, cap - len);
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == cap) {
			char *grown = realloc(buf, cap *= 2);
			if (!grown)
				return -ENOMEM;
			buf = grown;
		}
	}
	prog->len = (unsigned short)(len / sizeof(struct sock_filter));
	prog->filter = (struct sock_filter *)steal_ptr(&buf);
	return 0;
}

int seccomp_profile_build(struct sock_fprog *prog, struct vmctl_err *err)
{
	__attribute__((cleanup(release_ctx))) scmp_filter_ctx ctx =
	    seccomp_init(SCMP_ACT_ALLOW);
	int r;

	memset(prog, 0, sizeof(*prog));
	if (!ctx)
		return vmctl_error(err, ENOMEM, "seccomp_init");
	/* Only the native x86_64 ABI is in the filter.  A syscall made
	 * through the i386 (int 0x80) or x32 ABIs would use other numbers and
	 * dodge the deny-list, so those kill the process (libseccomp also
	 * rejects x32 numbers, nr >= 0x40000000, as a foreign arch).  The
	 * busybox and Debian images are 64-bit only. */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
			     SCMP_ACT_KILL_PROCESS);
	if (r < 0)
		return vmctl_error(err, r, "seccomp bad-arch action");
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		r = add_rule(ctx, &rules[i]);
		if (r < 0)
			return vmctl_error(err, r, "seccomp rule for %s",
					   rules[i].name);
	}
	r = export_to_memory(ctx, prog);
	if (r < 0)
		return vmctl_error(err, r, "seccomp export");
	return 0;
}

/* Building costs every run about 0.2 ms of CPU in libseccomp (its rule
 * database, then the BPF; measured here), on the core the container's init
 * needs too, for a result that changes only with vmctl's binary or the
 * kernel.  The memo holds the program as hex. */
#define MEMO_MAX_INSNS 1024 /* a larger program is just not memoized */

static int bpf_fingerprint(char *buf, size_t n)
{
	struct utsname u;
	if (uname(&u) < 0)
		return -errno;
	int w = snprintf(buf, n, "seccomp-bpf %s %s %s\n", u.release, u.version,
			 u.machine);
	if (w < 0 || (size_t)w >= n)
		return -ENAMETOOLONG;
	size_t off = (size_t)w;
	return memo_fingerprint_add(buf, n, &off, "/proc/self/exe");
}

static int hex_digit(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
				      : -1;
}

/* The memo's program, if it is one: whole instructions, at most
 * MEMO_MAX_INSNS, hex digits only. */
static int bpf_from_hex(const char *hex, struct sock_fprog *prog)
{
	size_t len = strlen(hex), bytes = len / 2;
	if (len % 2 || bytes == 0 || bytes % sizeof(struct sock_filter) ||
	    bytes / sizeof(struct sock_filter) > MEMO_MAX_INSNS)
		return -EINVAL;
	unsigned char *bpf = malloc(bytes);
	if (!bpf)
		return -ENOMEM;
	for (size_t i = 0; i < bytes; i++) {
		int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			free(bpf);
			return -EINVAL;
		}
		bpf[i] = (unsigned char)(hi << 4 | lo);
	}
	prog->len = (unsigned short)(bytes / sizeof(struct sock_filter));
	prog->filter = (struct sock_filter *)bpf;
	return 0;
}

static void bpf_to_hex(const struct sock_fprog *prog, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *b = (const unsigned char *)prog->filter;
	size_t bytes = prog->len * sizeof(struct sock_filter);
	for (size_t i = 0; i < bytes; i++) {
		hex[2 * i] = digits[b[i] >> 4];
		hex[2 * i + 1] = digits[b[i] & 15];
	}
	hex[2 * bytes] = '\0';
}

int seccomp_profile_get(struct sock_fprog *prog, const char *cache_dir,
			struct vmctl_err *err)
{
	char fp[1024], memo[PATH_MAX];
	size_t hex_n = MEMO_MAX_INSNS * sizeof(struct sock_filter) * 2 + 1;
	memset(prog, 0, sizeof(*prog));
	if (!cache_dir || bpf_fingerprint(fp, sizeof(fp)) < 0 ||
	    memo_path(memo, sizeof(memo), cache_dir, ".seccomp-memo", fp) < 0)
		return seccomp_profile_build(prog, err);
	cleanup_free char *hex = malloc(hex_n);
	analyzer_cleanup(hex);
	if (hex && memo_lookup(memo, fp, hex, hex_n) == 0 &&
	    bpf_from_hex(hex, prog) == 0)
		return 0;
	int r = seccomp_profile_build(prog, err);
	if (r < 0 || !hex || prog->len > MEMO_MAX_INSNS)
		return r;
	bpf_to_hex(prog, hex);
	if (memo_store(memo, fp, hex) == -ENOENT &&
	    mkdir_p(cache_dir, 0700) == 0)
		memo_store(memo, fp, hex); /* failures: built again next time */
	return 0;
}

void seccomp_profile_free(struct sock_fprog *prog)
{
	free(prog->filter);
	prog->filter = NULL;
	prog->len = 0;
}

int seccomp_profile_load(const struct sock_fprog *prog)
{
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog) < 0)
		return -errno;
	return 0;
}
