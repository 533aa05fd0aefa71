/* cmd_demo.c - `vmctl demo [TOPIC] [--pause]`: the classroom demos.
 *
 * Each topic is a script, scripts/demo/<topic>, that prints every command it
 * runs, its output and one line of explanation.  This command lists the
 * topics, or finds the script next to the binary (source tree or install)
 * and execs it with VMCTL set to the vmctl the class typed (vmctl_front_path:
 * the static bin/vmctl, also when the demo started in vmctl-full), so the
 * figures on the slide are the ones a user gets. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "common/util.h"

static const struct demo_topic topics[] = {
    {"kernels",
     "a container shares the host's kernel, a micro-VM boots its own"},
    {"memory",
     "what each mode costs in memory (--report, and the chart of vmctl bench)"},
    {"processes", "ps inside and on the host: a container is host processes, a "
		  "VM one process"},
    {"isolation",
     "two busybox containers that cannot see each other; volumes that share"},
    {"layers", "image layers and the writable layer: history, diff, commit"},
    {"registry",
     "repositories, tags and a registry: push and pull on loopback"},
    {"clientserver", "vmctl version: the client, and the server part"},
    {NULL, NULL},
};

const struct demo_topic *demo_topics(void)
{
	return topics;
}

const struct demo_topic *demo_topic_find(const char *name)
{
	/* Only the table's names: nothing with a '/' or ".." can reach a path.
	 */
	for (const struct demo_topic *t = topics; t->name; t++)
		if (!strcmp(t->name, name))
			return t;
	return NULL;
}

static void print_topics(FILE *out)
{
	for (const struct demo_topic *t = topics; t->name; t++)
		fprintf(out, "  %-13s %s\n", t->name, t->summary);
}

static int unknown_topic(const char *name)
{
	char list[256] = "";
	for (const struct demo_topic *t = topics; t->name; t++) {
		if (t != topics)
			strncat(list, ", ", sizeof(list) - strlen(list) - 1);
		strncat(list, t->name, sizeof(list) - strlen(list) - 1);
	}
	return cli_fail("unknown demo topic '%s' (topics: %s)", name, list);
}

static int exec_demo(const struct demo_topic *topic, bool pause)
{
	char rel[64], script[PATH_MAX], self[PATH_MAX];
	if (xsnprintf(rel, sizeof(rel), "scripts/demo/%s", topic->name) < 0 ||
	    vmctl_data_path(rel, script, sizeof(script)) < 0)
		return cli_fail(
		    "demo %s: %s not found beside this vmctl (make install "
		    "copies scripts/demo)",
		    topic->name, rel);
	if (vmctl_front_path(self, sizeof(self)) < 0)
		return cli_fail("demo %s: cannot find this binary: %s",
				topic->name, strerror(errno));
	if (setenv("VMCTL", self, 1) < 0)
		return cli_fail("demo %s: setenv: %s", topic->name,
				strerror(errno));
	fflush(stdout);
	char *args[] = {script, pause ? "--pause" : NULL, NULL};
	execv(script, args);
	return cli_fail("demo %s: cannot run %s: %s", topic->name, script,
			strerror(errno));
}

int cmd_demo(int argc, char **argv)
{
	bool pause = false;
	const struct cli_flag flags[] = {CLI_BOOL(NULL, "--pause", &pause),
					 CLI_FLAGS_END};
	int first;
	if (cli_scan_flags("demo", argc, argv, flags, &first))
		return EXIT_VMCTL_ERROR;
	if (first >= argc) {
		printf("Usage: vmctl demo [TOPIC] [--pause]\n\n"
		       "Walks a class through one lesson: each step prints the "
		       "command,\n"
		       "its output and one line of explanation (--pause: Enter "
		       "before each\n"
		       "step).  See docs/classroom.md for the lesson "
		       "plan.\n\nTopics:\n");
		print_topics(stdout);
		return 0;
	}
	/* Flags after the topic too: `vmctl demo kernels --pause`. */
	int rest;
	if (cli_scan_flags("demo", argc - first, argv + first, flags, &rest))
		return EXIT_VMCTL_ERROR;
	if (rest < argc - first)
		return cli_fail(
		    "demo takes one topic, got '%s' too (see `vmctl demo`)",
		    argv[first + rest]);
	const struct demo_topic *topic = demo_topic_find(argv[first]);
	if (!topic)
		return unknown_topic(argv[first]);
	return exec_demo(topic, pause);
}
