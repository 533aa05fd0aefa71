#include "report.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>

static const char *const phase_names[PHASE_COUNT] = {
	[PHASE_START] = "start",
	[PHASE_CREATED] = "created",
	[PHASE_KERNEL_ENTRY] = "kernel_entry",
	[PHASE_INIT_STARTED] = "init_started",
	[PHASE_EXEC] = "exec",
	[PHASE_EXIT] = "exit",
};

const char *phase_name(enum run_phase phase)
{
	return (unsigned)phase < PHASE_COUNT ? phase_names[phase] : "?";
}

const char *run_mode_name(enum run_mode mode)
{
	return mode == MODE_VM ? "vm" : "container";
}

static double phase_ms(const struct run_result *res, enum run_phase p)
{
	if (!res->phase_ns[p] || !res->phase_ns[PHASE_START])
		return NAN;
	return (double)(res->phase_ns[p] - res->phase_ns[PHASE_START]) / 1e6;
}

double report_startup_ms(const struct run_result *res)
{
	return phase_ms(res, PHASE_EXEC);
}

double report_total_ms(const struct run_result *res)
{
	return phase_ms(res, PHASE_EXIT);
}

const char *report_boot_name(enum vm_boot boot)
{
	switch (boot) {
	case BOOT_COLD:
		return "cold";
	case BOOT_SNAPSHOT:
		return "snapshot";
	default:
		return "";
	}
}

static void mib(char *buf, size_t n, unsigned long long bytes)
{
	snprintf(buf, n, "%.1f MiB", (double)bytes / (1024.0 * 1024.0));
}

int report_format_text(enum run_mode mode, const struct run_result *res,
		       char *buf, size_t n)
{
	char peak[32], over[32], guest[80] = "";
	mib(peak, sizeof(peak), res->peak_bytes);
	mib(over, sizeof(over), res->overhead_bytes);
	if (mode == MODE_VM) {
		char g[32];
		mib(g, sizeof(g), res->guest_bytes);
		snprintf(guest, sizeof(guest), " guest=%s%s%s", g,
			 res->boot ? " boot=" : "", report_boot_name(res->boot));
	}
	int r = snprintf(buf, n,
			 "vmctl: %s exit=%d startup=%.2f ms total=%.2f ms "
			 "peak=%s overhead=%s%s",
			 run_mode_name(mode), res->exit_code,
			 report_startup_ms(res), report_total_ms(res), peak,
			 over, guest);
	return r < 0 || (size_t)r >= n ? -1 : 0;
}

/* To the microsecond, half away from zero: what round(ms * 1000) / 1000
 * gave, without linking libm (one library less to load at every start). */
static double round_to_us(double ms)
{
	double us = ms * 1000.0;
	return (double)(int64_t)(us < 0 ? us - 0.5 : us + 0.5) / 1000.0;
}

/* NaN (a phase never reached) becomes JSON null rather than an invalid number. */
static void add_ms(cJSON *obj, const char *key, double ms)
{
	if (isnan(ms))
		cJSON_AddNullToObject(obj, key);
	else
		cJSON_AddNumberToObject(obj, key, round_to_us(ms));
}

cJSON *report_to_json(enum run_mode mode, const struct run_result *res)
{
	cJSON *j = cJSON_CreateObject();
	if (!j)
		return NULL;
	cJSON_AddStringToObject(j, "mode", run_mode_name(mode));
	cJSON_AddNumberToObject(j, "exit_code", res->exit_code);
	add_ms(j, "startup_ms", report_startup_ms(res));
	add_ms(j, "total_ms", report_total_ms(res));
	cJSON *mem = cJSON_AddObjectToObject(j, "memory");
	cJSON_AddNumberToObject(mem, "peak_bytes", (double)res->peak_bytes);
	cJSON_AddNumberToObject(mem, "overhead_bytes", (double)res->overhead_bytes);
	if (mode == MODE_VM)
		cJSON_AddNumberToObject(mem, "guest_bytes", (double)res->guest_bytes);
	cJSON *phases = cJSON_AddObjectToObject(j, "phases_ms");
	for (int p = PHASE_CREATED; p < PHASE_COUNT; p++)
		if (res->phase_ns[p])
			add_ms(phases, phase_names[p], phase_ms(res, (enum run_phase)p));
	if (res->kernel_release[0])
		cJSON_AddStringToObject(j, "kernel", res->kernel_release);
	/* vm: how the guest came up (a boot, or a restored boot snapshot) */
	if (res->boot) {
		cJSON_AddStringToObject(j, "boot", report_boot_name(res->boot));
		cJSON_AddBoolToObject(j, "snapshot_saved", res->snapshot_saved);
		if (res->snapshot_error[0])
			cJSON_AddStringToObject(j, "snapshot_error",
						res->snapshot_error);
	}
	return j;
}

char *report_format_json(enum run_mode mode, const struct run_result *res)
{
	cJSON *j = report_to_json(mode, res);
	if (!j)
		return NULL;
	char *s = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return s;
}
