/* args.h - `vmctl run` flags to a struct run_spec.  Pure: no I/O besides
 * getenv for `-e NAME` (Docker takes the value from vmctl's environment). */
#ifndef VMCTL_CLI_ARGS_H
#define VMCTL_CLI_ARGS_H

#include "common/error.h"
#include "common/spec.h"

/* Parses argv[0]="run" .. argv[argc-1].  On error returns -EINVAL with a
 * one-line message in err (the CLI exits 125). */
int parse_run_args(int argc, char **argv, struct run_spec *spec,
		   struct vmctl_err *err);

/* "10", "10s", "2m", "1h" -> seconds. */
int parse_duration(const char *s, unsigned *sec);

/* "HOST:PATH[:ro|:rw]" -> struct volume (both absolute). */
int parse_volume(const char *s, struct volume *v, struct vmctl_err *err);

#endif
