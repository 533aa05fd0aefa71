/* cmd_history.c - `vmctl history IMAGE`: the layers, their sizes, what made
 * them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "common/util.h"
#include "images/oci.h"
#include "images/store.h"

/* "2.13MB" as Docker prints sizes (powers of 1000). */
void cli_format_size(uint64_t bytes, char *buf, size_t n)
{
	static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
	double v = (double)bytes;
	size_t u = 0;
	while (v >= 1000 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1000;
		u++;
	}
	if (u == 0)
		snprintf(buf, n, "%lluB", (unsigned long long)bytes);
	else
		snprintf(buf, n, "%.3g%s", v, units[u]);
}

/* "5 minutes ago", as Docker prints times. */
void cli_format_ago(int64_t then, char *buf, size_t n)
{
	int64_t d = (int64_t)time(NULL) - then;
	static const struct {
		int64_t secs;
		const char *unit;
	} steps[] = {{365 * 86400, "year"}, {30 * 86400, "month"},
		     {7 * 86400, "week"},   {86400, "day"},
		     {3600, "hour"},	    {60, "minute"}};
	if (then <= 0) {
		snprintf(buf, n, "N/A");
		return;
	}
	if (d < 0)
		d = 0;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (d >= steps[i].secs) {
			int64_t k = d / steps[i].secs;
			snprintf(buf, n, "%lld %s%s ago", (long long)k,
				 steps[i].unit, k == 1 ? "" : "s");
			return;
		}
	snprintf(buf, n, "%lld seconds ago", (long long)d);
}

struct history_row {
	const char *created_by, *comment;
	int64_t created;
	uint64_t size;
};

static void print_row(const struct history_row *r, const char *id,
		      bool no_trunc)
{
	char size[32], when[48];
	cli_format_size(r->size, size, sizeof(size));
	cli_format_ago(r->created, when, sizeof(when));
	const char *by = r->created_by ? r->created_by : "";
	int idw = no_trunc ? (int)strlen(id) : 12,
	    byw = no_trunc ? (int)strlen(by) : 45;
	printf("%-*.*s   %-15s   %-*.*s   %-8s  %s\n", idw, idw, id, when, byw,
	       byw, by, size, r->comment ? r->comment : "");
}

int cmd_history(int argc, char **argv)
{
	bool no_trunc = false;
	const struct cli_flag flags[] = {CLI_BOOL(NULL, "--no-trunc", &no_trunc), CLI_FLAGS_END};
	int first;
	if (cli_scan_flags("history", argc, argv, flags, &first))
		return EXIT_VMCTL_ERROR;
	if (argc - first != 1)
		return cli_fail("\"vmctl history\" requires exactly 1 "
				"argument: vmctl history IMAGE");
	struct oci_manifest m;
	struct oci_config c;
	struct vmctl_err err = {0};
	if (image_read_oci(vmctl_root(), argv[first], &m, &c, NULL, &err) < 0)
		return cli_fail("%s", err.msg);
	printf("%-12s   %-15s   %-45s   %-8s  %s\n", "IMAGE", "CREATED",
	       "CREATED BY", "SIZE", "COMMENT");
	/* History entries that made a layer take the layers in order; without
	 * a history, each layer is a row of its own. */
	size_t n = c.n_history ? c.n_history : m.n_layers, layer = 0;
	struct history_row *rows = calloc(n + 1, sizeof(*rows));
	for (size_t i = 0; rows && i < n; i++) {
		const struct oci_history *h =
		    c.n_history ? &c.history[i] : NULL;
		rows[i].created_by = h ? h->created_by : NULL;
		rows[i].comment = h ? h->comment : NULL;
		rows[i].created =
		    h && h->created ? oci_time_parse(h->created) : c.created;
		if ((!h || !h->empty_layer) && layer < m.n_layers)
			rows[i].size = (uint64_t)m.layers[layer++].size;
	}
	const char *id = no_trunc ? m.config.digest : m.config.digest + 7;
	for (size_t i = n; rows && i-- > 0;)
		print_row(&rows[i], i == n - 1 ? id : "<missing>", no_trunc);
	free(rows);
	oci_manifest_free(&m);
	oci_config_free(&c);
	return 0;
}
