/* caps.c - reduce the workload to Docker's default capabilities (libcap). */
#include "container/caps.h"

#include <errno.h>
#include <string.h>
#include <sys/prctl.h>

static const cap_value_t default_caps[] = {
    CAP_CHOWN,	 CAP_DAC_OVERRIDE, CAP_FSETID,		 CAP_FOWNER,
    CAP_MKNOD,	 CAP_NET_RAW,	   CAP_SETGID,		 CAP_SETUID,
    CAP_SETFCAP, CAP_SETPCAP,	   CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT,
    CAP_KILL,	 CAP_AUDIT_WRITE,
};

#define N_DEFAULT (sizeof(default_caps) / sizeof(default_caps[0]))

const cap_value_t *caps_default_set(size_t *n)
{
	*n = N_DEFAULT;
	return default_caps;
}

bool caps_in_default_set(cap_value_t c)
{
	for (size_t i = 0; i < N_DEFAULT; i++)
		if (default_caps[i] == c)
			return true;
	return false;
}

int caps_prepare(struct caps_state *st, struct vmctl_err *err)
{
	st->caps = cap_init(); /* all three sets empty */
	if (!st->caps)
		return vmctl_error(err, errno, "cap_init");
	if (cap_set_flag(st->caps, CAP_EFFECTIVE, N_DEFAULT, default_caps,
			 CAP_SET) < 0 ||
	    cap_set_flag(st->caps, CAP_PERMITTED, N_DEFAULT, default_caps,
			 CAP_SET) < 0) {
		int e = errno;
		caps_release(st);
		return vmctl_error(err, e, "cap_set_flag");
	}
	st->last_cap = (int)cap_max_bits() - 1;
	return 0;
}

void caps_release(struct caps_state *st)
{
	if (st->caps)
		cap_free(st->caps);
	st->caps = NULL;
}

int caps_drop_bounding(const struct caps_state *st)
{
	/* Dropping needs CAP_SETPCAP, which the init holds.  The bounding set
	 * is what an execve by root would otherwise regain. */
	for (int c = 0; c <= st->last_cap; c++) {
		if (caps_in_default_set(c))
			continue;
		if (cap_drop_bound(c) < 0 && errno != EINVAL)
			return -errno;
	}
	return 0;
}

int caps_apply(const struct caps_state *st)
{
	/* Ambient caps survive execve of unprivileged files: none.  One
	 * prctl; libcap's cap_reset_ambient() probes all 41 caps first. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 &&
	    errno != EINVAL)
		return -errno;
	if (cap_set_proc(st->caps) < 0)
		return -errno;
	return 0;
}
