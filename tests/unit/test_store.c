/* Unit tests: image references, command and environment resolution. */
#include <errno.h>
#include <setjmp.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/strv.h"
#include "images/store.h"

static void test_ref_parse(void **state)
{
	struct image_ref r;
	struct vmctl_err e = {0};
	assert_int_equal(image_ref_parse("busybox", &r, &e), 0);
	assert_string_equal(r.repo, "busybox");
	assert_string_equal(r.tag, "latest");
	assert_int_equal(image_ref_parse("library/busybox:1.36", &r, &e), 0);
	assert_string_equal(r.repo, "library/busybox");
	assert_string_equal(r.tag, "1.36");
	assert_int_equal(image_ref_parse("localhost:5000/app", &r, &e), 0);
	assert_string_equal(r.repo, "localhost:5000/app");
	assert_string_equal(r.tag, "latest");
	/* Names become paths in the store: nothing that climbs out of it. */
	assert_int_equal(image_ref_parse("../etc", &r, &e), -EINVAL);
	assert_int_equal(image_ref_parse("a/../../b", &r, &e), -EINVAL);
	assert_int_equal(image_ref_parse("/abs", &r, &e), -EINVAL);
	assert_int_equal(image_ref_parse("Upper", &r, &e), -EINVAL);
	assert_int_equal(image_ref_parse("a:", &r, &e), -EINVAL);
	assert_int_equal(image_ref_parse("a:b/c", &r, &e), -EINVAL);
	assert_int_equal(image_ref_parse("", &r, &e), -EINVAL);
}

static void test_resolve_argv(void **state)
{
	char *cmd[] = {"sh", NULL};
	char *ep[] = {"/bin/tini", "--", NULL};
	char *over[] = {"echo", "hi", NULL};
	struct image img = {.repo = "x", .tag = "y", .cmd = cmd};
	struct vmctl_err e = {0};
	char **a = image_resolve_argv(&img, NULL, &e);
	assert_string_equal(a[0], "sh");
	assert_null(a[1]);
	strv_free(a);
	a = image_resolve_argv(&img, over, &e);
	assert_string_equal(a[0], "echo");
	assert_int_equal(strv_len(a), 2);
	strv_free(a);
	img.entrypoint = ep;
	a = image_resolve_argv(&img, over, &e);
	assert_int_equal(strv_len(a), 4);
	assert_string_equal(a[0], "/bin/tini");
	assert_string_equal(a[2], "echo");
	strv_free(a);
	img.entrypoint = NULL;
	img.cmd = NULL;
	assert_null(image_resolve_argv(&img, NULL, &e));
	assert_non_null(strstr(e.msg, "no command"));
}

static void test_merge_env(void **state)
{
	char *img_env[] = {"PATH=/img", "A=1", NULL};
	char *over[] = {"A=2", "B=3", NULL};
	char **env = image_merge_env(img_env, over, "box");
	assert_non_null(env);
	int seen_path = 0, seen_a = 0, seen_b = 0, seen_host = 0, seen_home = 0;
	for (char **p = env; *p; p++) {
		seen_path += !strcmp(*p, "PATH=/img");
		seen_a += !strcmp(*p, "A=2");
		seen_b += !strcmp(*p, "B=3");
		seen_host += !strcmp(*p, "HOSTNAME=box");
		seen_home += !strncmp(*p, "HOME=", 5);
		assert_string_not_equal(*p, "A=1");
	}
	assert_int_equal(seen_path + seen_a + seen_b + seen_host + seen_home, 5);
	strv_free(env);
	env = image_merge_env(NULL, NULL, NULL);
	assert_int_equal(strncmp(env[0], "PATH=/usr/local/sbin", 20), 0);
	assert_string_equal(env[1], "HOME=/root");
	strv_free(env);
	/* An image with a User: HOME is left to its passwd entry. */
	env = image_merge_env_home(NULL, NULL, NULL, NULL);
	assert_null(env[1]);
	strv_free(env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ref_parse),
		cmocka_unit_test(test_resolve_argv),
		cmocka_unit_test(test_merge_env),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
