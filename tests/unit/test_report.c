/* Unit tests: the run report (text and JSON) and the state helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "common/report.h"
#include "common/state.h"

static struct run_result sample(void)
{
	struct run_result r = {.exit_code = 42, .peak_bytes = 3 << 20, .overhead_bytes = 1 << 20,
			       .guest_bytes = 20 << 20};
	r.phase_ns[PHASE_START] = 1000000000;
	r.phase_ns[PHASE_CREATED] = 1000500000;
	r.phase_ns[PHASE_EXEC] = 1001750000;  /* 1.75 ms */
	r.phase_ns[PHASE_EXIT] = 1004000000;  /* 4 ms */
	return r;
}

static void test_json_fields(void **state)
{
	struct run_result r = sample();
	char *s = report_format_json(MODE_CONTAINER, &r);
	assert_non_null(s);
	assert_null(strchr(s, '\n')); /* one line: the last line of stderr */
	cJSON *j = cJSON_Parse(s);
	assert_non_null(j);
	assert_string_equal(cJSON_GetObjectItem(j, "mode")->valuestring, "container");
	assert_int_equal(cJSON_GetObjectItem(j, "exit_code")->valueint, 42);
	assert_true(cJSON_GetObjectItem(j, "startup_ms")->valuedouble == 1.75);
	assert_true(cJSON_GetObjectItem(j, "total_ms")->valuedouble == 4.0);
	cJSON *mem = cJSON_GetObjectItem(j, "memory");
	assert_true(cJSON_GetObjectItem(mem, "peak_bytes")->valuedouble == 3 << 20);
	assert_true(cJSON_GetObjectItem(mem, "overhead_bytes")->valuedouble == 1 << 20);
	/* guest_bytes belongs to the VM report only */
	assert_null(cJSON_GetObjectItem(mem, "guest_bytes"));
	cJSON *ph = cJSON_GetObjectItem(j, "phases_ms");
	assert_true(cJSON_GetObjectItem(ph, "created")->valuedouble == 0.5);
	cJSON_Delete(j);
	free(s);
}

static void test_json_vm_and_missing_phase(void **state)
{
	struct run_result r = sample();
	r.phase_ns[PHASE_EXEC] = 0; /* never exec'd */
	char *s = report_format_json(MODE_VM, &r);
	cJSON *j = cJSON_Parse(s);
	assert_non_null(j);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "startup_ms")));
	cJSON *mem = cJSON_GetObjectItem(j, "memory");
	assert_true(cJSON_GetObjectItem(mem, "guest_bytes")->valuedouble == 20 << 20);
	/* no boot kind given: no boot keys */
	assert_null(cJSON_GetObjectItem(j, "boot"));
	cJSON_Delete(j);
	free(s);
}

static void test_vm_boot_kind(void **state)
{
	struct run_result r = sample();
	r.boot = BOOT_SNAPSHOT;
	char *s = report_format_json(MODE_VM, &r);
	cJSON *j = cJSON_Parse(s);
	assert_string_equal(cJSON_GetObjectItem(j, "boot")->valuestring, "snapshot");
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(j, "snapshot_saved")));
	assert_null(cJSON_GetObjectItem(j, "snapshot_error"));
	cJSON_Delete(j);
	free(s);
	r.boot = BOOT_COLD;
	snprintf(r.snapshot_error, sizeof(r.snapshot_error), "device virtio-mmio cannot be saved");
	s = report_format_json(MODE_VM, &r);
	j = cJSON_Parse(s);
	assert_string_equal(cJSON_GetObjectItem(j, "boot")->valuestring, "cold");
	assert_string_equal(cJSON_GetObjectItem(j, "snapshot_error")->valuestring,
			    "device virtio-mmio cannot be saved");
	cJSON_Delete(j);
	free(s);
	char buf[256];
	assert_int_equal(report_format_text(MODE_VM, &r, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "boot=cold"));
}

static void test_text(void **state)
{
	struct run_result r = sample();
	char buf[256];
	assert_int_equal(report_format_text(MODE_CONTAINER, &r, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "container"));
	assert_non_null(strstr(buf, "startup=1.75 ms"));
	assert_non_null(strstr(buf, "total=4.00 ms"));
	assert_non_null(strstr(buf, "peak=3.0 MiB"));
	assert_null(strstr(buf, "guest="));
	assert_int_equal(report_format_text(MODE_VM, &r, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "guest=20.0 MiB"));
	assert_int_equal(report_format_text(MODE_VM, &r, buf, 10), -1);
}

static void test_names(void **state)
{
	char a[64], b[64];
	state_name_from_seed(0, a, sizeof(a));
	state_name_from_seed(1, b, sizeof(b));
	assert_string_not_equal(a, b);
	assert_non_null(strchr(a, '_'));
}

static void test_status_text(void **state)
{
	struct ctr_state st = {.status = ST_EXITED, .exit_code = 3, .finished = 1000};
	char buf[64];
	state_status_text(&st, 1000 + 125000, buf, sizeof(buf));
	assert_string_equal(buf, "Exited (3) 2 minutes ago");
	st.status = ST_RUNNING;
	st.started = 1000;
	state_status_text(&st, 6000, buf, sizeof(buf));
	assert_string_equal(buf, "Up 5 seconds");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_fields),
		cmocka_unit_test(test_json_vm_and_missing_phase),
		cmocka_unit_test(test_vm_boot_kind),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_status_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
