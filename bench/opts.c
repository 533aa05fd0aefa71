/* opts.c - vmctl bench's flags, checked (pure: strings in, options out). */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "common/util.h"

/* vm: restored from the boot snapshot (the default of `vmctl run`);
 * vm-cold: `--boot=cold`, a kernel boot every run. */
static const char *const modes[] = {"container", "vm", "vm-cold"};
static const char *const peers[] = {"crun", "runc", "bwrap", "qemu"};
/* Each name at most once (add_names), so every list fits in names[]. */
_Static_assert(sizeof(modes) / sizeof(modes[0]) + sizeof(peers) / sizeof(peers[0]) ==
		   BENCH_MAX_SUBJECTS,
	       "bench_opts.names[] holds every mode and peer once");

static bool in_list(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(name, list[i]))
			return true;
	return false;
}

bool bench_is_mode(const char *name)
{
	return in_list(name, modes, sizeof(modes) / sizeof(modes[0]));
}

bool bench_is_peer(const char *name)
{
	return in_list(name, peers, sizeof(peers) / sizeof(peers[0]));
}

static int parse_uint(const char *flag, const char *s, unsigned min,
		      unsigned max, unsigned *out, struct vmctl_err *err)
{
	char *end;
	errno = 0;
	unsigned long v =
	    s && *s >= '0' && *s <= '9' ? strtoul(s, &end, 10) : 0;
	if (!s || !(*s >= '0' && *s <= '9') || *end || errno || v < min ||
	    v > max)
		return vmctl_errorf(
		    err, EINVAL, "%s: '%s' is not a whole number from %u to %u",
		    flag, s ? s : "", min, max);
	*out = (unsigned)v;
	return 0;
}

/* Appends the names of a comma-separated list, each one known and once. */
static int add_names(const char *flag, const char *list, bool peer,
		     struct bench_opts *o, struct vmctl_err *err)
{
	if (!*list)
		return vmctl_errorf(err, EINVAL, "%s: the list is empty", flag);
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");
		const char *const *known = peer ? peers : modes;
		size_t n_known = peer ? sizeof(peers) / sizeof(peers[0])
				      : sizeof(modes) / sizeof(modes[0]);
		const char *found = NULL;
		for (size_t i = 0; i < n_known; i++)
			if (strlen(known[i]) == len &&
			    !strncmp(p, known[i], len))
				found = known[i];
		if (!found)
			return vmctl_errorf(
			    err, EINVAL, "%s: unknown %s '%.*s' (known: %s)",
			    flag, peer ? "peer" : "mode", (int)len, p,
			    peer ? "crun, runc, bwrap, qemu" : "container, vm, vm-cold");
		for (size_t i = 0; i < o->n_names; i++)
			if (o->names[i] == found)
				return vmctl_errorf(err, EINVAL,
						    "%s: '%s' is listed twice",
						    flag, found);
		o->names[o->n_names++] = found;
		p += len;
		if (*p == ',' && !*++p)
			return vmctl_errorf(err, EINVAL,
					    "%s: empty name at the end of '%s'",
					    flag, list);
	}
	return 0;
}

static int parse_timeout(const char *s, double *out, struct vmctl_err *err)
{
	char *end;
	double v = s ? strtod(s, &end) : NAN;
	if (!s || end == s || *end || !(v > 0) || v > 86400)
		return vmctl_errorf(
		    err, EINVAL,
		    "--timeout: '%s' is not a number of seconds "
		    "above 0 (up to 86400)",
		    s ? s : "");
	*out = v;
	return 0;
}

int bench_opts_parse(const struct bench_flags *f, const char *image,
		     char *const *cmd, struct bench_opts *o,
		     struct vmctl_err *err)
{
	*o = (struct bench_opts){.runs = 10, .warmup = 1, .concurrency = 1};
	int r = 0;
	if (f->runs)
		r = parse_uint("--runs", f->runs, 1, 100000, &o->runs, err);
	if (r == 0 && f->warmup)
		r = parse_uint("--warmup", f->warmup, 0, 1000, &o->warmup, err);
	if (r == 0 && f->concurrency)
		r = parse_uint("--concurrency", f->concurrency, 1,
			       BENCH_MAX_CONCURRENCY, &o->concurrency, err);
	if (r == 0 && f->timeout)
		r = parse_timeout(f->timeout, &o->timeout_sec, err);
	if (r == 0)
		r = add_names("--modes", f->modes ? f->modes : "container,vm",
			      false, o, err);
	if (r == 0 && f->peers)
		r = add_names("--peers", f->peers, true, o, err);
	if (r < 0)
		return r;
	if (!image || !*image)
		return vmctl_errorf(err, EINVAL, "bench needs an IMAGE");
	o->image = image;
	o->cmd = cmd;
	const char *base = f->baseline ? f->baseline : o->names[0];
	o->baseline_given = f->baseline != NULL;
	bool listed = false;
	for (size_t i = 0; i < o->n_names; i++)
		listed |= !strcmp(o->names[i], base);
	if (!listed)
		return vmctl_errorf(
		    err, EINVAL,
		    "--baseline: '%s' is not one of the subjects "
		    "that run",
		    base);
	if (xsnprintf(o->baseline, sizeof(o->baseline), "%s", base) < 0)
		return vmctl_errorf(err, EINVAL, "--baseline: name too long");
	return 0;
}
