/* cli.h - the thin command-line front end: one file per subcommand. */
#ifndef VMCTL_CLI_H
#define VMCTL_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Docker's exit codes for vmctl's own failures. */
#define EXIT_VMCTL_ERROR 125
#define EXIT_CANNOT_EXEC 126
#define EXIT_NOT_FOUND 127

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;   /* "run [OPTIONS] IMAGE [COMMAND] [ARG...]" */
	const char *summary; /* one line for `vmctl help` */
	const char *help;    /* the options, for `vmctl CMD --help` (may be NULL) */
	/* Loads libcurl, libarchive or libcrypto (at first use, common/dl.h):
	 * the static bin/vmctl cannot, so it runs the command in vmctl-full. */
	bool needs_libs;
};

/* Built static (bin/vmctl, musl) or not (bin/vmctl-full, glibc). */
#ifdef VMCTL_STATIC
#define CLI_STATIC 1
#else
#define CLI_STATIC 0
#endif

/* main()'s argv, for cli_exec_full(). */
extern char **cli_argv;

/* Replaces this process by vmctl-full with the same arguments (and the
 * report's t0, see main.c).  Returns only on failure: prints why and returns
 * EXIT_VMCTL_ERROR. */
int cli_exec_full(void);

extern const struct command commands[];
const struct command *command_find(const char *name);

/* CLOCK_MONOTONIC when main() started (in bin/vmctl when it handed the run
 * to vmctl-full): t0 of every report. */
extern int64_t cli_t0_ns;

/* Prints "vmctl: <msg>" on stderr; returns EXIT_VMCTL_ERROR. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* True when argv has -h/--help before any "--"; prints the help. */
bool cli_wants_help(const struct command *cmd, int argc, char **argv);

/* Flag scanning for the small commands (`run` has its own, cli/args.c).
 * A flag either sets a bool (value) or takes an argument (str): "-o X",
 * "--output X" and "--output=X" are all accepted; a repeated flag keeps the
 * last one.  Returns 0 and the index of the first operand, or prints one line
 * and returns EXIT_VMCTL_ERROR on an unknown flag or a missing argument. */
struct cli_flag {
	const char *short_name; /* "-a" or NULL */
	const char *long_name;  /* "--all" */
	bool *value;            /* boolean flag: set to true when present */
	const char **str;       /* flag with an argument: points into argv */
};
#define CLI_BOOL(short_name, long_name, ptr) {(short_name), (long_name), (ptr), NULL}
#define CLI_VALUE(short_name, long_name, ptr) {(short_name), (long_name), NULL, (ptr)}
#define CLI_FLAGS_END {NULL, NULL, NULL, NULL}
int cli_scan_flags(const char *cmd, int argc, char **argv,
		   const struct cli_flag *flags, int *first_operand);

/* Builds the guest kernel when it is not cached yet (progress on stderr). */
int cli_ensure_kernel(void);

/* "2.13MB" and "5 minutes ago", as Docker prints them (cli/cmd_history.c). */
void cli_format_size(uint64_t bytes, char *buf, size_t n);
void cli_format_ago(int64_t then, char *buf, size_t n);

int cmd_tag(int argc, char **argv);
int cmd_pull(int argc, char **argv);
int cmd_push(int argc, char **argv);
int cmd_rmi(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_commit(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_save(int argc, char **argv);
int cmd_load(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_rm(int argc, char **argv);
int cmd_logs(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_images(int argc, char **argv);
int cmd_image(int argc, char **argv);
int cmd_kernel(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_demo(int argc, char **argv);

/* The classroom demos (cli/cmd_demo.c): a NULL-terminated table. */
struct demo_topic {
	const char *name;    /* "kernels": scripts/demo/kernels */
	const char *summary; /* one line for `vmctl demo` */
};
const struct demo_topic *demo_topics(void);
/* The topic named exactly NAME, or NULL (so never a path). */
const struct demo_topic *demo_topic_find(const char *name);

#endif
