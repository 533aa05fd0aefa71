/* Unit test: the guest kernel's cache key computed in C equals the one
 * images/kernel/build.sh computes, and changes when an input changes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "images/kernel.h"

static void script_key(const char *dir, char *out, size_t n)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "bash %s/build.sh --key", dir);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(out, (int)n, p));
	out[strcspn(out, "\n")] = '\0';
	assert_int_equal(pclose(p), 0);
}

static void test_same_as_script(void **state)
{
	char c_key[32], sh_key[64];
	assert_int_equal(guest_kernel_key("images/kernel", c_key, sizeof(c_key)), 0);
	script_key("images/kernel", sh_key, sizeof(sh_key));
	assert_string_equal(c_key, sh_key);
	assert_int_equal(strlen(c_key), 16);
}

static void test_changes_with_inputs(void **state)
{
	char tmpl[] = "/tmp/vmctl-kkey.XXXXXX";
	char *dir = mkdtemp(tmpl);
	assert_non_null(dir);
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "cp -r images/kernel/. %s/", dir);
	assert_int_equal(system(cmd), 0);
	char k1[32], k2[32], k3[32], sh[64];
	assert_int_equal(guest_kernel_key(dir, k1, sizeof(k1)), 0);
	snprintf(cmd, sizeof(cmd), "echo '# changed' >> %s/config.fragment", dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(guest_kernel_key(dir, k2, sizeof(k2)), 0);
	assert_string_not_equal(k1, k2);
	script_key(dir, sh, sizeof(sh));
	assert_string_equal(k2, sh);
	/* A new patch changes it too. */
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/patches && echo x > %s/patches/99-extra.patch", dir, dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(guest_kernel_key(dir, k3, sizeof(k3)), 0);
	assert_string_not_equal(k2, k3);
	script_key(dir, sh, sizeof(sh));
	assert_string_equal(k3, sh);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_as_script),
		cmocka_unit_test(test_changes_with_inputs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
