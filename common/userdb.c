/* userdb.c - see userdb.h.  Plain libc: the guest init links this too. */
#include "common/userdb.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* linux/openat2.h, spelled out: musl-gcc (the guest init) has no kernel
 * headers. */
struct vmctl_open_how {
	unsigned long long flags, mode, resolve;
};
#define VMCTL_RESOLVE_NO_MAGICLINKS 0x02
#define VMCTL_RESOLVE_IN_ROOT 0x10

#define MAX_ID 2147483647UL /* runc's bound: ids are int32 in places */
#define MAX_FIELDS 7

struct field {
	const char *p;
	size_t len;
};

static bool field_is(struct field f, const char *s)
{
	return f.len == strlen(s) && !memcmp(f.p, s, f.len);
}

/* A decimal id of at most MAX_ID; false for anything else. */
static bool parse_id(const char *p, size_t len, unsigned long *id)
{
	unsigned long v = 0;
	if (!len || len > 10)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(p[i] - '0');
	}
	if (v > MAX_ID)
		return false;
	*id = v;
	return true;
}

/* Splits the line at *pos into fields; advances *pos past it.  Returns the
 * number of fields, 0 at the end of the text. */
static size_t next_line(const char **pos, struct field *f)
{
	const char *s = *pos;
	if (!s || !*s)
		return 0;
	size_t len = strcspn(s, "\n");
	*pos = s + len + (s[len] == '\n');
	size_t n = 0;
	const char *end = s + len;
	while (n < MAX_FIELDS) {
		const char *colon = memchr(s, ':', (size_t)(end - s));
		const char *stop = colon ? colon : end;
		f[n++] = (struct field){s, (size_t)(stop - s)};
		if (!colon)
			break;
		s = colon + 1;
	}
	return n;
}

/* passwd: name:password:uid:gid:gecos:home:shell.  Matches by name, or by
 * uid when name is NULL; fills the entry's name, uid and gid. */
static bool find_passwd(const char *text, const char *name, unsigned long uid,
			struct field *ename, unsigned long *euid,
			unsigned long *egid, struct field *home)
{
	struct field f[MAX_FIELDS];
	const char *pos = text;
	size_t n;
	while ((n = next_line(&pos, f))) {
		if (n < 4 || !parse_id(f[2].p, f[2].len, euid) ||
		    !parse_id(f[3].p, f[3].len, egid))
			continue; /* malformed or a comment */
		if (name ? field_is(f[0], name) : *euid == uid) {
			*ename = f[0];
			if (n >= 6 && f[5].len && f[5].p[0] == '/')
				*home = f[5];
			return true;
		}
	}
	return false;
}

/* group: name:password:gid:member,member. */
static bool find_group(const char *text, const char *name, unsigned long *gid)
{
	struct field f[MAX_FIELDS];
	const char *pos = text;
	size_t n;
	while ((n = next_line(&pos, f)))
		if (n >= 3 && field_is(f[0], name) &&
		    parse_id(f[2].p, f[2].len, gid))
			return true;
	return false;
}

static bool list_has(struct field list, struct field name)
{
	const char *p = list.p, *end = list.p + list.len;
	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *stop = comma ? comma : end;
		if ((size_t)(stop - p) == name.len &&
		    !memcmp(p, name.p, name.len))
			return true;
		p = stop + 1;
	}
	return false;
}

static void add_group(struct user_ids *out, gid_t gid)
{
	for (size_t i = 0; i < out->n_groups; i++)
		if (out->groups[i] == gid)
			return;
	if (out->n_groups < USERDB_MAX_GROUPS)
		out->groups[out->n_groups++] = gid;
}

/* The groups of /etc/group whose member list names the user. */
static void add_memberships(const char *text, struct field user,
			    struct user_ids *out)
{
	struct field f[MAX_FIELDS];
	const char *pos = text;
	size_t n;
	unsigned long gid;
	while (text && (n = next_line(&pos, f)))
		if (n >= 4 && parse_id(f[2].p, f[2].len, &gid) &&
		    list_has(f[3], user))
			add_group(out, (gid_t)gid);
}

/* out->msg = the parts concatenated (truncated to fit).  Not snprintf:
 * the guest init is unpacked byte by byte by an emulated kernel, and
 * printf's machinery would double its size. */
static int say(struct user_ids *out, int err, const char *const *parts)
{
	size_t n = 0;
	for (; *parts; parts++)
		for (const char *p = *parts; *p && n + 1 < sizeof(out->msg);
		     p++)
			out->msg[n++] = *p;
	out->msg[n] = '\0';
	return -err;
}

#define SAY(out, err, ...)                                                     \
	say(out, err, (const char *const[]){__VA_ARGS__, NULL})

static int fail(struct user_ids *out, int err, const char *what,
		const char *name, const char *file)
{
	return SAY(out, err, "unable to find ", what, " ", name,
		   ": no matching entries in ", file, " file");
}

/* out->home = "HOME=<dir>"; a home too long for it is "/" instead. */
static void set_home(struct user_ids *out, struct field dir)
{
	if (dir.len + 6 > sizeof(out->home))
		dir = (struct field){"/", 1};
	memcpy(out->home, "HOME=", 5);
	memcpy(out->home + 5, dir.p, dir.len);
	out->home[5 + dir.len] = '\0';
}

static int resolve_user(const char *user, const char *passwd,
			struct user_ids *out, struct field *name)
{
	unsigned long id = 0, uid = 0, gid = 0;
	bool numeric = parse_id(user, strlen(user), &id);
	struct field home = {"/", 1};
	*name = (struct field){NULL, 0};
	if (!numeric && strspn(user, "0123456789") == strlen(user))
		return SAY(out, EINVAL, "user id ", user, " out of range");
	if (passwd && find_passwd(passwd, numeric ? NULL : user, id, name, &uid,
				  &gid, &home)) {
		out->uid = (uid_t)uid;
		out->gid = (gid_t)gid;
		set_home(out, home);
		return 0;
	}
	if (!numeric)
		return fail(out, ENOENT, "user", user, "passwd");
	set_home(out, home);
	out->uid = (uid_t)id; /* not in passwd: Docker runs it with gid 0 */
	out->gid = 0;
	return 0;
}

static int resolve_group(const char *grp, const char *group,
			 struct user_ids *out)
{
	unsigned long gid;
	if (parse_id(grp, strlen(grp), &gid) ||
	    (group && find_group(group, grp, &gid))) {
		out->gid = (gid_t)gid;
		return 0;
	}
	if (strspn(grp, "0123456789") == strlen(grp))
		return SAY(out, EINVAL, "group id ", grp, " out of range");
	return fail(out, ENOENT, "group", grp, "group");
}

int userdb_resolve(const char *spec, const char *passwd, const char *group,
		   struct user_ids *out)
{
	char user[256];
	const char *colon = strchr(spec, ':');
	size_t ulen = colon ? (size_t)(colon - spec) : strlen(spec);
	struct field name;
	int r;

	memset(out, 0, sizeof(*out));
	if (ulen >= sizeof(user) || (colon && !colon[1]) || strchr(spec, '\n'))
		return SAY(out, EINVAL, "bad user '", spec, "'");
	memcpy(user, spec, ulen);
	user[ulen] = '\0';
	r = resolve_user(ulen ? user : "0", passwd, out, &name);
	if (r == 0 && colon)
		r = resolve_group(colon + 1, group, out);
	if (r < 0)
		return r;
	add_group(out, out->gid);
	if (!colon && name.p)
		add_memberships(group, name, out);
	return 0;
}

/* RESOLVE_IN_ROOT resolves against the dirfd, not the cwd (the working
 * directory by now): "/" is opened first. */
static int open_in_root(const char *path)
{
	struct vmctl_open_how how = {
	    .flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC,
	    .resolve = VMCTL_RESOLVE_IN_ROOT | VMCTL_RESOLVE_NO_MAGICLINKS};
	int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return -1;
	int fd = (int)syscall(SYS_openat2, root, path, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS) /* before 5.6: the root is ours anyway */
		fd = openat(root, path, (int)how.flags);
	int e = errno;
	close(root);
	errno = e;
	return fd;
}

/* The text and the size of its mapping (anonymous: NUL-terminated). */
struct text {
	char *p;
	size_t size;
};

/* Reads path, resolved inside the current root (no symlink or ".." leaves
 * it, no magic links).  Only a regular file of at most USERDB_MAX_FILE
 * bytes: a FIFO or /dev/zero planted by an image would hang or flood us.
 * A missing file leaves t->p NULL.  Memory from mmap, not malloc: the
 * guest init carries no allocator. */
static int read_text(const char *path, struct text *t)
{
	struct stat st;
	int fd = open_in_root(path);

	*t = (struct text){NULL, 0};
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	int e = fstat(fd, &st) < 0	       ? errno
		: !S_ISREG(st.st_mode)	       ? EINVAL
		: st.st_size > USERDB_MAX_FILE ? EFBIG
					       : 0;
	if (!e) {
		t->size = (size_t)st.st_size + 1;
		t->p = mmap(NULL, t->size, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (t->p == MAP_FAILED) {
			t->p = NULL;
			e = ENOMEM;
		}
	}
	/* A short read (the file shrank) leaves zeros: still a C string. */
	if (!e && read(fd, t->p, t->size - 1) < 0)
		e = errno;
	close(fd);
	if (e && t->p)
		munmap(t->p, t->size);
	if (e)
		*t = (struct text){NULL, 0};
	return -e;
}

static void release_text(struct text *t)
{
	if (t->p)
		munmap(t->p, t->size);
}

int userdb_lookup(const char *spec, struct user_ids *out)
{
	struct text passwd, group = {NULL, 0};
	const char *which = "/etc/passwd";
	int r = read_text(which, &passwd);
	if (r == 0) {
		which = "/etc/group";
		r = read_text(which, &group);
	}
	if (r == 0)
		r = userdb_resolve(spec, passwd.p, group.p, out);
	else
		SAY(out, -r, "read ", which,
		    r == -EINVAL  ? ": not a regular file"
		    : r == -EFBIG ? ": larger than 1 MiB"
				  : ": cannot read it");
	release_text(&passwd);
	release_text(&group);
	return r;
}

/* Raw system calls: the process is single-threaded here (a vfork child or
 * the guest's PID 1), so libc's broadcast of the change to every thread
 * is not needed, and musl's would add a quarter to the guest init. */
int userdb_apply(const struct user_ids *ids)
{
	if (syscall(SYS_setgroups, ids->n_groups, ids->groups) < 0 ||
	    syscall(SYS_setgid, ids->gid) < 0 ||
	    syscall(SYS_setuid, ids->uid) < 0)
		return -errno;
	return 0;
}
