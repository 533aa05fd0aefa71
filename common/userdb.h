/* userdb.h - the image config's User ("name", "uid", "name:group",
 * "uid:gid") resolved against the image's own /etc/passwd and /etc/group.
 *
 * Shared by the container init (after pivot_root, so the files are the
 * container's) and the VM's guest init (after it switched to the disk):
 * plain libc only, no vmctl_err, since the guest init links nothing else.
 * The resolution follows Docker (runc's GetExecUser): a name must exist in
 * /etc/passwd; a numeric uid need not (gid 0 then); an explicit group
 * replaces the supplementary groups, otherwise they are the groups of
 * /etc/group that list the user's name.  Ids above 2^31-1 are refused.
 */
#ifndef VMCTL_USERDB_H
#define VMCTL_USERDB_H

#include <stddef.h>
#include <sys/types.h>

#define USERDB_MAX_GROUPS 64	      /* more memberships are ignored */
#define USERDB_MAX_FILE (1024 * 1024) /* a larger passwd/group is refused */

struct user_ids {
	uid_t uid;
	gid_t gid;
	gid_t groups[USERDB_MAX_GROUPS]; /* supplementary, gid first */
	size_t n_groups;
	char home[256]; /* "HOME=<passwd's home>", "HOME=/" if none */
	char msg[256];	/* why user_resolve() failed */
};

/* Pure: resolves spec with the files' contents (NULL: the file is missing).
 * Returns 0, or -ENOENT (no such user/group) / -EINVAL (malformed spec)
 * with out->msg filled. */
int userdb_resolve(const char *spec, const char *passwd, const char *group,
		   struct user_ids *out);

/* Reads the current root's /etc/passwd and /etc/group (resolved inside
 * that root; regular files of at most USERDB_MAX_FILE bytes only) and
 * resolves spec with them. */
int userdb_lookup(const char *spec, struct user_ids *out);

/* In the process about to exec: setgroups, setgid, setuid, in that order
 * (setuid last: it drops the right to do the others).  Returns -errno. */
int userdb_apply(const struct user_ids *ids);

#endif
