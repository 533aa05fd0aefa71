/* caps.h - the workload's capabilities: Docker's default set, nothing more. */
#ifndef VMCTL_CAPS_H
#define VMCTL_CAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/capability.h>

#include "common/error.h"

/* Pure: Docker's default capability set. */
const cap_value_t *caps_default_set(size_t *n);
bool caps_in_default_set(cap_value_t c);

struct caps_state {
	cap_t caps; /* E = P = the default set, I = empty (built with libcap) */
	int last_cap; /* highest capability the running kernel knows */
};

/* Parent: builds the state once, before clone. */
int caps_prepare(struct caps_state *st, struct vmctl_err *err);
void caps_release(struct caps_state *st);

/* The init, right before it may wait for the network namespace: drops
 * every capability but the default set from the bounding set, which it
 * needs for nothing (it execs nothing; the bounding set limits what an
 * execve can grant, not what the init already holds), and which its
 * workload inherits.  Returns -errno. */
int caps_drop_bounding(const struct caps_state *st);

/* Child, right before seccomp and execve: clears the ambient set and sets
 * E/P/I (the bounding set was reduced by caps_drop_bounding()).  Returns
 * -errno. */
int caps_apply(const struct caps_state *st);

#endif
