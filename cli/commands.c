/* commands.c - the command table and the helpers every subcommand shares. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

int64_t cli_t0_ns; /* set first thing in main() */

static const char run_help[] =
	"      --mode=container|vm   run as a namespace container (default) or a KVM micro-VM\n"
	"      --name NAME           name the run (default: generated)\n"
	"      --rm                  remove the run when it exits\n"
	"  -d, --detach              run in the background and print its id\n"
	"  -e, --env K=V             set an environment variable (-e K passes vmctl's value)\n"
	"  -w, --workdir DIR         working directory inside (absolute)\n"
	"      --hostname NAME       hostname inside\n"
	"  -m, --memory SIZE         memory limit (container) / guest RAM (vm), e.g. 64m, 1g\n"
	"      --cpus N              CPU quota (container) / vCPUs (vm)\n"
	"      --pids-limit N        at most N processes (-1: unlimited)\n"
	"  -v, --volume HOST:PATH[:ro]  bind mount a host path\n"
	"  -t, --tty                 allocate a terminal\n"
	"  -i, --interactive         keep stdin open\n"
	"      --timeout SECONDS     kill the workload after this long (exit 137)\n"
	"      --report[=text|json]  print startup time and memory use on stderr at exit\n"
	"      --kernel PATH         guest kernel (vm; default: vmctl's own, built on first use)\n"
	"      --boot=snapshot|cold  vm: restore the image's boot snapshot (default; the first\n"
	"                            run boots and saves it) or boot the kernel every time\n";

static const char bench_help[] =
	"      --runs N              measured runs of each subject (default 10)\n"
	"      --warmup N            runs of each first, not kept (default 1)\n"
	"      --modes LIST          vmctl's modes: container, vm (restored from the boot\n"
	"                            snapshot), vm-cold (--boot=cold) (default container,vm)\n"
	"      --peers LIST          other runtimes on the same rootfs/kernel:\n"
	"                            crun,runc,bwrap,qemu (default none)\n"
	"      --concurrency K       start K at once (per-run figures + starts/s)\n"
	"      --baseline NAME       ratios against this subject (default: the first mode)\n"
	"      --timeout SECONDS     kill a run after this long (default 60 vm, 10 others)\n"
	"      --json | --csv        the result as JSON / one CSV row per run on stdout\n"
	"      --svg FILE            charts as SVG\n"
	"      --html FILE           a self-contained report page\n";

static const char registry_help[] =
	"      --insecure         plain HTTP (only to a registry on loopback)\n"
	"  -u, --username USER    user for Basic or token authentication\n"
	"      --password-stdin   read the password from stdin (one line)\n"
	"Environment: VMCTL_REGISTRY_USER, VMCTL_REGISTRY_PASSWORD (used when the flags are\n"
	"not given); VMCTL_PUSH_CHUNK_SIZE (push blobs above it in chunks of it; default\n"
	"64m, 0: never).  A progress bar is drawn when stderr is a terminal.\n";

const struct command commands[] = {
	{"run", cmd_run, "run [OPTIONS] IMAGE [COMMAND] [ARG...]",
	 "Run a command in a new container or micro-VM", run_help,
	 .needs_libs = false},
	{"bench", cmd_bench,
	 "bench [OPTIONS] IMAGE [COMMAND] [ARG...]",
	 "Run every mode and peer runtime N times, interleaved, and compare them",
	 bench_help,
	 .needs_libs = true},
	{"ps", cmd_ps, "ps [-a] [--json]", "List runs (-a: also the exited ones)",
	 "  -a, --all    show exited runs too\n      --json   one JSON array\n",
	 .needs_libs = false},
	{"rm", cmd_rm, "rm [-f] NAME|ID...", "Remove runs (-f: kill running ones first)",
	 "  -f, --force  kill and remove a running run\n",
	 .needs_libs = false},
	{"logs", cmd_logs, "logs NAME|ID", "Print the output of a detached run", NULL,
	 .needs_libs = false},
	{"inspect", cmd_inspect, "inspect NAME|ID|IMAGE...",
	 "Show a run's or an image's record as JSON", NULL,
	 .needs_libs = false},
	{"images", cmd_images, "images [-a] [--json]", "List images",
	 "  -a, --all    also the intermediate images of builds\n"
	 "      --json   one JSON array\n",
	 .needs_libs = false},
	{"tag", cmd_tag, "tag SOURCE TARGET", "Give an image another name (REPO[:TAG])", NULL,
	 .needs_libs = true},
	{"pull", cmd_pull, "pull [OPTIONS] [HOST[:PORT]/]REPO[:TAG|@DIGEST]",
	 "Download an image from a registry", registry_help,
	 .needs_libs = true},
	{"push", cmd_push, "push [OPTIONS] [HOST[:PORT]/]REPO[:TAG]",
	 "Upload a local image to a registry (name it first with vmctl tag)", registry_help,
	 .needs_libs = true},
	{"rmi", cmd_rmi, "rmi [-f] IMAGE...", "Remove images (-f: even while a run uses them)",
	 "  -f, --force  remove an image that runs use, or all names of an id\n",
	 .needs_libs = true},
	{"history", cmd_history, "history [--no-trunc] IMAGE",
	 "Show an image's layers, their sizes and what made them",
	 "      --no-trunc  do not truncate ids and commands\n",
	 .needs_libs = true},
	{"diff", cmd_diff, "diff NAME|ID",
	 "List what a run's writable layer added (A), changed (C) and deleted (D)", NULL,
	 .needs_libs = true},
	{"commit", cmd_commit, "commit [-m MSG] NAME|ID [REPO[:TAG]]",
	 "Make a new image of an exited run's writable layer",
	 "  -m, --message MSG  the history entry's comment\n",
	 .needs_libs = true},
	{"build", cmd_build, "build [-t REPO[:TAG]] [-f DOCKERFILE] [--no-cache] DIR",
	 "Build an image from a Dockerfile (FROM RUN COPY ENV WORKDIR CMD ENTRYPOINT)",
	 "  -t, --tag NAME         name the image REPO[:TAG]\n"
	 "  -f, --file PATH        the Dockerfile (default: DIR/Dockerfile)\n"
	 "      --no-cache         run every step, using no cached layer\n",
	 .needs_libs = true},
	{"save", cmd_save, "save -o FILE|DIR IMAGE...",
	 "Save images as an OCI layout: a directory (DIR/ or existing) or a tar",
	 "  -o, --output PATH  tar file (OCI layout + docker manifest.json), or a\n"
	 "                     directory (existing, or ending in '/') for an OCI layout\n",
	 .needs_libs = true},
	{"load", cmd_load, "load -i FILE|DIR",
	 "Load images from an OCI layout or a docker-archive (directory or tar)",
	 "  -i, --input PATH   the archive or directory to read\n",
	 .needs_libs = true},
	{"image", cmd_image, "image build-base", "Manage images (build-base: the busybox image)",
	 NULL,
	 .needs_libs = true},
	{"kernel", cmd_kernel, "kernel build|path", "Build or locate the guest kernel", NULL,
	 .needs_libs = true},
	{"version", cmd_version, "version [--json]", "Show vmctl's version", NULL,
	 .needs_libs = false},
	{"info", cmd_info, "info [--json]", "Show what this machine offers vmctl", NULL,
	 .needs_libs = true},
	{"demo", cmd_demo, "demo [TOPIC] [--pause]",
	 "Walk a class through a lesson (no TOPIC: list them)",
	 "      --pause   wait for Enter before each step\n",
	 .needs_libs = false},
	{"help", cmd_help, "help [COMMAND]", "Show help", NULL,
	 .needs_libs = false},
	{NULL, NULL, NULL, NULL, NULL, false},
};

const struct command *command_find(const char *name)
{
	for (const struct command *c = commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

int cli_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("vmctl: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return EXIT_VMCTL_ERROR;
}

static void print_command_help(const struct command *cmd)
{
	printf("Usage: vmctl %s\n\n%s\n", cmd->usage, cmd->summary);
	if (cmd->help)
		printf("\nOptions:\n%s", cmd->help);
}

bool cli_wants_help(const struct command *cmd, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return false;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			print_command_help(cmd);
			return true;
		}
		/* For run, everything after the image belongs to the workload. */
		if (argv[i][0] != '-' &&
		    (!strcmp(cmd->name, "run") || !strcmp(cmd->name, "bench")))
			return false;
	}
	return false;
}

static const struct cli_flag *find_flag(const struct cli_flag *flags, const char *arg,
				       const char **inline_value)
{
	*inline_value = NULL;
	for (const struct cli_flag *f = flags; f && f->long_name; f++) {
		if ((f->short_name && !strcmp(arg, f->short_name)) || !strcmp(arg, f->long_name))
			return f;
		size_t n = strlen(f->long_name);
		if (f->str && !strncmp(arg, f->long_name, n) && arg[n] == '=') {
			*inline_value = arg + n + 1;
			return f;
		}
	}
	return NULL;
}

int cli_scan_flags(const char *cmd, int argc, char **argv,
		   const struct cli_flag *flags, int *first_operand)
{
	int i = 1;
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		const char *inline_value;
		const struct cli_flag *f = find_flag(flags, argv[i], &inline_value);
		if (!f)
			return cli_fail("unknown flag for %s: %s (see `vmctl %s --help`)",
					cmd, argv[i], cmd);
		if (!f->str) {
			*f->value = true;
		} else if (inline_value) {
			*f->str = inline_value;
		} else if (i + 1 < argc) {
			*f->str = argv[++i];
		} else {
			return cli_fail("%s %s needs an argument (see `vmctl %s --help`)", cmd,
					argv[i], cmd);
		}
	}
	*first_operand = i;
	return 0;
}

int cmd_help(int argc, char **argv)
{
	if (argc > 1) {
		const struct command *cmd = command_find(argv[1]);
		if (!cmd)
			return cli_fail("no help for '%s': not a vmctl command", argv[1]);
		print_command_help(cmd);
		return 0;
	}
	printf("Usage: vmctl COMMAND [OPTIONS]\n\n"
	       "Run one workload as a KVM micro-VM (its own kernel) or a namespace\n"
	       "container (the host's kernel) and compare startup time and memory.\n\n"
	       "Commands:\n");
	for (const struct command *c = commands; c->name; c++)
		printf("  %-9s %s\n", c->name, c->summary);
	printf("\nRun 'vmctl COMMAND --help' for a command's options.\n"
	       "Store: $VMCTL_ROOT (default /var/lib/vmctl).\n");
	return 0;
}
