/* cmd_ps.c - `vmctl ps`: the runs, Docker's columns plus the mode. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common/runner.h"
#include "common/state.h"
#include "common/util.h"

struct ps_ctx {
	bool all;
	cJSON *json; /* NULL: table */
	int64_t now;
};

static void command_text(const struct ctr_state *st, char *buf, size_t n)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; st->argv && st->argv[i] && used + 1 < n; i++)
		used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? " " : "", st->argv[i]);
	if (strlen(buf) > 20)
		strcpy(buf + 17, "...");
}

static int ps_row(struct ctr_state *st, void *ctx)
{
	struct ps_ctx *c = ctx;
	if (!c->all && st->status != ST_RUNNING)
		return 0;
	char status[64], cmd[128];
	state_status_text(st, c->now, status, sizeof(status));
	command_text(st, cmd, sizeof(cmd));
	if (c->json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", st->id);
		cJSON_AddStringToObject(o, "name", st->name);
		cJSON_AddStringToObject(o, "image", st->image);
		cJSON_AddStringToObject(o, "command", cmd);
		cJSON_AddStringToObject(o, "mode", st->mode == MODE_VM ? "vm" : "container");
		cJSON_AddStringToObject(o, "state", ctr_status_name(st->status));
		cJSON_AddStringToObject(o, "status", status);
		if (st->status == ST_EXITED)
			cJSON_AddNumberToObject(o, "exit_code", st->exit_code);
		cJSON_AddItemToArray(c->json, o);
	} else {
		printf("%-12.12s  %-15.15s  %-9s  %-22s  %-26s  %s\n", st->id, st->image,
		       st->mode == MODE_VM ? "vm" : "container", cmd, status, st->name);
	}
	return 0;
}

int cmd_ps(int argc, char **argv)
{
	bool all = false, json = false;
	const struct cli_flag flags[] = {CLI_BOOL("-a", "--all", &all), CLI_BOOL(NULL, "--json", &json), CLI_FLAGS_END};
	int first;
	if (cli_scan_flags("ps", argc, argv, flags, &first))
		return EXIT_VMCTL_ERROR;
	if (first < argc)
		return cli_fail("ps takes no arguments");
	runner_reap_stale(vmctl_root());
	struct ps_ctx c = {.all = all, .json = json ? cJSON_CreateArray() : NULL, .now = wall_ms()};
	if (!json)
		printf("%-12s  %-15s  %-9s  %-22s  %-26s  %s\n", "CONTAINER ID", "IMAGE", "MODE",
		       "COMMAND", "STATUS", "NAMES");
	struct vmctl_err err = {0};
	int r = state_list(vmctl_root(), ps_row, &c, &err);
	if (json) {
		char *s = cJSON_Print(c.json);
		if (s)
			puts(s);
		free(s);
		cJSON_Delete(c.json);
	}
	return r < 0 ? cli_fail("%s", err.msg) : 0;
}
