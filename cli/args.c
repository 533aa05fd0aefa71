#include "args.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strv.h"
#include "common/util.h"

void run_spec_free(struct run_spec *spec)
{
	free(spec->image);
	strv_free(spec->argv);
	strv_free(spec->env);
	free(spec->workdir);
	free(spec->hostname);
	free(spec->name);
	free(spec->kernel);
	for (size_t i = 0; i < spec->n_volumes; i++) {
		free(spec->volumes[i].host);
		free(spec->volumes[i].path);
	}
	free(spec->volumes);
	memset(spec, 0, sizeof(*spec));
}

int parse_duration(const char *s, unsigned *sec)
{
	char *end = NULL;
	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	unsigned long mult = 1;
	if (*end == 's')
		end++;
	else if (*end == 'm')
		mult = 60, end++;
	else if (*end == 'h')
		mult = 3600, end++;
	if (*end || v == 0 || v > 7UL * 86400 / mult)
		return -EINVAL;
	*sec = (unsigned)(v * mult);
	return 0;
}

int parse_volume(const char *s, struct volume *v, struct vmctl_err *err)
{
	memset(v, 0, sizeof(*v));
	const char *c1 = strchr(s, ':');
	if (!c1 || c1 == s || !c1[1])
		return vmctl_errorf(err, EINVAL, "invalid volume '%s': want HOST:PATH[:ro]", s);
	const char *path = c1 + 1;
	const char *c2 = strchr(path, ':');
	size_t plen = c2 ? (size_t)(c2 - path) : strlen(path);
	if (c2 && strcmp(c2 + 1, "ro") && strcmp(c2 + 1, "rw"))
		return vmctl_errorf(err, EINVAL, "invalid volume '%s': mode must be ro or rw", s);
	if (s[0] != '/' || path[0] != '/')
		return vmctl_errorf(err, EINVAL,
				    "invalid volume '%s': both paths must be absolute", s);
	if (plen == 1)
		return vmctl_errorf(err, EINVAL, "invalid volume '%s': cannot mount over /", s);
	v->host = strndup(s, (size_t)(c1 - s));
	v->path = strndup(path, plen);
	v->ro = c2 && !strcmp(c2 + 1, "ro");
	if (!v->host || !v->path) {
		free(v->host);
		free(v->path);
		v->host = v->path = NULL;
		return vmctl_error(err, ENOMEM, "parsing volume");
	}
	return 0;
}

static int add_env(struct run_spec *spec, const char *kv, struct vmctl_err *err)
{
	if (!*kv || *kv == '=')
		return vmctl_errorf(err, EINVAL, "invalid environment variable '%s'", kv);
	if (strchr(kv, '='))
		return strv_push(&spec->env, kv);
	/* "-e NAME": pass vmctl's own value through, as Docker does. */
	const char *val = getenv(kv);
	if (!val)
		return 0;
	char *pair = NULL;
	if (asprintf(&pair, "%s=%s", kv, val) < 0)
		return -ENOMEM;
	int r = strv_push(&spec->env, pair);
	free(pair);
	return r;
}

static int add_volume(struct run_spec *spec, const char *s, struct vmctl_err *err)
{
	struct volume v;
	int r = parse_volume(s, &v, err);
	if (r < 0)
		return r;
	struct volume *nv = realloc(spec->volumes, (spec->n_volumes + 1) * sizeof(*nv));
	if (!nv) {
		free(v.host);
		free(v.path);
		return -ENOMEM;
	}
	spec->volumes = nv;
	spec->volumes[spec->n_volumes++] = v;
	return 0;
}

enum {
	OPT_MODE = 0x100,
	OPT_NAME,
	OPT_RM,
	OPT_HOSTNAME,
	OPT_CPUS,
	OPT_PIDS,
	OPT_TIMEOUT,
	OPT_REPORT,
	OPT_KERNEL,
	OPT_BOOT,
};

static const struct option run_options[] = {
	{"mode", required_argument, NULL, OPT_MODE},
	{"name", required_argument, NULL, OPT_NAME},
	{"rm", no_argument, NULL, OPT_RM},
	{"detach", no_argument, NULL, 'd'},
	{"env", required_argument, NULL, 'e'},
	{"workdir", required_argument, NULL, 'w'},
	{"hostname", required_argument, NULL, OPT_HOSTNAME},
	{"memory", required_argument, NULL, 'm'},
	{"cpus", required_argument, NULL, OPT_CPUS},
	{"pids-limit", required_argument, NULL, OPT_PIDS},
	{"volume", required_argument, NULL, 'v'},
	{"tty", no_argument, NULL, 't'},
	{"interactive", no_argument, NULL, 'i'},
	{"timeout", required_argument, NULL, OPT_TIMEOUT},
	{"report", optional_argument, NULL, OPT_REPORT},
	{"kernel", required_argument, NULL, OPT_KERNEL},
	{"boot", required_argument, NULL, OPT_BOOT},
	{NULL, 0, NULL, 0},
};

static int dup_to(char **dst, const char *s)
{
	free(*dst);
	*dst = strdup(s);
	return *dst ? 0 : -ENOMEM;
}

static int apply_option(struct run_spec *spec, int opt, const char *arg,
			struct vmctl_err *err)
{
	char *end = NULL;
	switch (opt) {
	case OPT_MODE:
		if (!strcmp(arg, "container"))
			spec->mode = MODE_CONTAINER;
		else if (!strcmp(arg, "vm"))
			spec->mode = MODE_VM;
		else
			return vmctl_errorf(err, EINVAL, "invalid --mode '%s': want container or vm", arg);
		return 0;
	case OPT_NAME:
		return dup_to(&spec->name, arg);
	case OPT_RM:
		spec->rm = true;
		return 0;
	case 'd':
		spec->detach = true;
		return 0;
	case 'e':
		return add_env(spec, arg, err);
	case 'w':
		if (arg[0] != '/')
			return vmctl_errorf(err, EINVAL, "invalid workdir '%s': must be absolute", arg);
		return dup_to(&spec->workdir, arg);
	case OPT_HOSTNAME:
		if (!*arg || strlen(arg) > 64 || strchr(arg, '/'))
			return vmctl_errorf(err, EINVAL, "invalid hostname '%s'", arg);
		return dup_to(&spec->hostname, arg);
	case 'm':
		if (parse_size(arg, &spec->memory_bytes) < 0 || spec->memory_bytes == 0)
			return vmctl_errorf(err, EINVAL,
					    "invalid memory '%s': want a size such as 64m or 1g", arg);
		if (spec->memory_bytes < 6 * 1024 * 1024)
			return vmctl_errorf(err, EINVAL,
					    "memory '%s' is too small: the minimum is 6m", arg);
		return 0;
	case OPT_CPUS:
		errno = 0;
		spec->cpus = strtod(arg, &end);
		if (errno || end == arg || *end || !(spec->cpus > 0) || spec->cpus > 1024)
			return vmctl_errorf(err, EINVAL, "invalid --cpus '%s': want a positive number such as 0.5 or 2", arg);
		return 0;
	case OPT_PIDS:
		errno = 0;
		spec->pids_limit = strtoll(arg, &end, 10);
		if (errno || end == arg || *end || spec->pids_limit == 0 || spec->pids_limit < -1)
			return vmctl_errorf(err, EINVAL, "invalid --pids-limit '%s': want a positive number (-1: unlimited)", arg);
		if (spec->pids_limit == -1)
			spec->pids_limit = 0;
		return 0;
	case 'v':
		return add_volume(spec, arg, err);
	case 't':
		spec->tty = true;
		return 0;
	case 'i':
		spec->interactive = true;
		return 0;
	case OPT_TIMEOUT:
		if (parse_duration(arg, &spec->timeout_sec) < 0)
			return vmctl_errorf(err, EINVAL, "invalid --timeout '%s': want seconds such as 10 or 2m", arg);
		return 0;
	case OPT_REPORT:
		if (!arg || !strcmp(arg, "text"))
			spec->report = REPORT_TEXT;
		else if (!strcmp(arg, "json"))
			spec->report = REPORT_JSON;
		else
			return vmctl_errorf(err, EINVAL, "invalid --report '%s': want text or json", arg);
		return 0;
	case OPT_KERNEL:
		return dup_to(&spec->kernel, arg);
	case OPT_BOOT:
		if (!strcmp(arg, "snapshot"))
			spec->cold_boot = false;
		else if (!strcmp(arg, "cold"))
			spec->cold_boot = true;
		else
			return vmctl_errorf(err, EINVAL, "invalid --boot '%s': want snapshot or cold", arg);
		return 0;
	default:
		return vmctl_errorf(err, EINVAL, "unknown flag");
	}
}

/* The flag's name as the user typed it, for error messages. */
static const char *flag_text(char **argv, int idx)
{
	return idx > 0 && argv[idx - 1] ? argv[idx - 1] : "?";
}

int parse_run_args(int argc, char **argv, struct run_spec *spec,
		   struct vmctl_err *err)
{
	memset(spec, 0, sizeof(*spec));
	/* '+': stop at the image name; what follows belongs to the workload.
	 * ':' first: report missing arguments as ':' rather than printing. */
	optind = 0;
	opterr = 0;
	int opt;
	while ((opt = getopt_long(argc, argv, "+:de:w:m:v:ti", run_options, NULL)) != -1) {
		int r;
		if (opt == '?') {
			if (optopt)
				r = vmctl_errorf(err, EINVAL, "unknown flag: -%c (see `vmctl run --help`)", optopt);
			else
				r = vmctl_errorf(err, EINVAL, "unknown flag: %s (see `vmctl run --help`)", flag_text(argv, optind));
		} else if (opt == ':') {
			r = vmctl_errorf(err, EINVAL, "flag needs an argument: %s", flag_text(argv, optind));
		} else {
			r = apply_option(spec, opt, optarg, err);
			if (r == -ENOMEM)
				r = vmctl_error(err, ENOMEM, "parsing flags");
		}
		if (r < 0) {
			run_spec_free(spec);
			return r;
		}
	}
	if (optind >= argc) {
		run_spec_free(spec);
		return vmctl_errorf(err, EINVAL, "\"vmctl run\" requires at least 1 argument: vmctl run [OPTIONS] IMAGE [COMMAND] [ARG...]");
	}
	spec->image = strdup(argv[optind++]);
	if (optind < argc) {
		spec->argv = strv_dup(argv + optind);
		if (!spec->argv) {
			run_spec_free(spec);
			return vmctl_error(err, ENOMEM, "parsing arguments");
		}
	}
	if (spec->tty && spec->detach) {
		run_spec_free(spec);
		return vmctl_errorf(err, EINVAL, "-t with -d is not supported: a detached run has no terminal");
	}
	if (spec->mode == MODE_CONTAINER && (spec->kernel || spec->cold_boot)) {
		run_spec_free(spec);
		return vmctl_errorf(err, EINVAL, "--kernel and --boot=cold are for --mode=vm: a container has no kernel of its own");
	}
	return 0;
}
