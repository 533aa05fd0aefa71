/* seccomp_profile.h - the container's default seccomp filter.
 *
 * A deny-list in the spirit of Docker's default profile: everything is
 * allowed except syscalls that reach host-wide state or the kernel's less
 * trodden paths.  Denied calls fail with EPERM (clone3 with ENOSYS so libc
 * falls back to clone(), whose flags the filter can inspect).  The table is
 * data (tested); the BPF is generated in the parent with libseccomp (or read
 * back from its memo) and loaded in the child with one syscall right before
 * execve.
 */
#ifndef VMCTL_SECCOMP_PROFILE_H
#define VMCTL_SECCOMP_PROFILE_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

enum sc_kind {
	SC_DENY,	  /* always */
	SC_DENY_NS_FLAGS, /* when argument `arg` carries any CLONE_NEW* flag */
	SC_DENY_PERSONA,  /* personality() outside Docker's safe values */
};

struct seccomp_rule {
	const char *name;
	enum sc_kind kind;
	unsigned arg; /* SC_DENY_NS_FLAGS: which argument holds the flags */
	int err;      /* errno returned */
};

/* The table, and a lookup for tests: NULL when name is not mentioned. */
const struct seccomp_rule *seccomp_profile_rules(size_t *n);
const struct seccomp_rule *seccomp_profile_find(const char *name);

/* The namespace-creating clone/unshare flags that are denied. */
extern const uint64_t seccomp_ns_flags[];
extern const size_t seccomp_n_ns_flags;

/* Builds the BPF program (native x86_64 only; see the .c for why). */
int seccomp_profile_build(struct sock_fprog *prog, struct vmctl_err *err);
/* The same program, memoized in cache_dir (common/memo.h) under a
 * fingerprint of the running binary (the rules and libseccomp are in it)
 * and of the kernel (whose API level libseccomp probes): built with
 * libseccomp when that changed, read back otherwise.  cache_dir NULL: no
 * memo. */
int seccomp_profile_get(struct sock_fprog *prog, const char *cache_dir,
			struct vmctl_err *err);
void seccomp_profile_free(struct sock_fprog *prog);

/* In the child: installs prog (requires no_new_privs or CAP_SYS_ADMIN).
 * Async-signal-safe; returns -errno. */
int seccomp_profile_load(const struct sock_fprog *prog);

#endif
