/* report.h - the run report: startup time, total time and memory, measured.
 *
 * Both modes fill the same struct run_result, so their reports line up
 * field by field.  Formatting is pure (unit-tested).
 */
#ifndef VMCTL_REPORT_H
#define VMCTL_REPORT_H

#include <stddef.h>

#include "spec.h"

/* "cold", "snapshot" or "" (container runs). */
const char *report_boot_name(enum vm_boot boot);
double report_startup_ms(const struct run_result *res);
double report_total_ms(const struct run_result *res);

/* "vmctl: container exit=0 startup=1.82 ms total=3.10 ms peak=1.2 MiB overhead=0.9 MiB" */
int report_format_text(enum run_mode mode, const struct run_result *res,
		       char *buf, size_t n);

/* One JSON object on one line: mode, exit_code, startup_ms, total_ms,
 * memory{peak_bytes, overhead_bytes[, guest_bytes]}, phases_ms{...}.
 * Returns a malloc'd string or NULL. */
char *report_format_json(enum run_mode mode, const struct run_result *res);

/* The same object as a cJSON tree (for inspect / state files). */
struct cJSON *report_to_json(enum run_mode mode, const struct run_result *res);

const char *run_mode_name(enum run_mode mode);
const char *phase_name(enum run_phase phase);

#endif
