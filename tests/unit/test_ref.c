/* Unit tests: image references (images/ref.c) and load names (archive_io.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "images/archive_io.h"
#include "images/store.h"

static void test_parse_forms(void **state)
{
	struct image_ref r;
	struct vmctl_err e = {0};
	assert_int_equal(image_ref_parse("busybox", &r, &e), 0);
	assert_string_equal(r.repo, "busybox");
	assert_string_equal(r.tag, "latest");
	assert_string_equal(r.digest, "");
	assert_int_equal(
	    image_ref_parse("localhost:5000/a/b:v1.2-rc_3", &r, &e), 0);
	assert_string_equal(r.repo, "localhost:5000/a/b");
	assert_string_equal(r.tag, "v1.2-rc_3");
	assert_int_equal(image_ref_parse("localhost:5000/app", &r, &e), 0);
	assert_string_equal(r.tag, "latest");
	const char *d =
	    "sha256:"
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	char s[200];
	snprintf(s, sizeof(s), "host:5000/app@%s", d);
	assert_int_equal(image_ref_parse(s, &r, &e), 0);
	assert_string_equal(r.repo, "host:5000/app");
	assert_string_equal(r.digest, d);
	snprintf(s, sizeof(s), "app:v1@%s", d);
	assert_int_equal(image_ref_parse(s, &r, &e), 0);
	assert_string_equal(r.tag, "v1");
}

static void test_parse_rejects(void **state)
{
	struct image_ref r;
	struct vmctl_err e = {0};
	const char *bad[] = {"",
			     "../etc",
			     "a/../../b",
			     "/abs",
			     "Upper",
			     "a:",
			     "a:b/c",
			     "a//b",
			     "a/",
			     ".hidden",
			     "-dash",
			     "app@sha256:abc",
			     "app@md5:0123",
			     "a:tag with space",
			     NULL};
	for (size_t i = 0; bad[i]; i++)
		if (image_ref_parse(bad[i], &r, &e) != -EINVAL)
			fail_msg("accepted '%s'", bad[i]);
}

static void test_docker_hub_names(void **state)
{
	char n[512];
	struct vmctl_err e = {0};
	assert_int_equal(
	    image_ref_name("docker.io/library/busybox:1", n, sizeof(n), &e), 0);
	assert_string_equal(n, "busybox:1");
	assert_int_equal(image_ref_name("docker.io/foo/bar", n, sizeof(n), &e),
			 0);
	assert_string_equal(n, "foo/bar:latest");
	assert_int_equal(image_ref_name("quay.io/foo/bar", n, sizeof(n), &e),
			 0);
	assert_string_equal(n, "quay.io/foo/bar:latest");
}

static void test_load_repo_from_path(void **state)
{
	char b[64];
	image_load_repo_from_path("/x/My-App.tar", b, sizeof(b));
	assert_string_equal(b, "my-app");
	image_load_repo_from_path("/x/layout/", b, sizeof(b));
	assert_string_equal(b, "layout");
	image_load_repo_from_path("weird name!.tar.gz", b, sizeof(b));
	assert_string_equal(b, "weird-name");
	image_load_repo_from_path("/x/.tar", b, sizeof(b));
	assert_string_equal(b, "loaded");
}

static void test_temp_owner(void **state)
{
	assert_int_equal(store_temp_owner("abc.tmp-123"), 123);
	assert_int_equal(store_temp_owner(".tmp-77-Xy12zz"), 77);
	assert_int_equal(store_temp_owner("base-42"), 42);
	assert_int_equal(store_temp_owner("base-42.tar"), 42);
	assert_int_equal(store_temp_owner("load-9"), 9);
	assert_int_equal(store_temp_owner("0123456789abcdef"), 0);
	assert_int_equal(store_temp_owner("load-x"), 0);
	assert_int_equal(store_temp_owner("a.tmp-0"), 0);
	assert_int_equal(store_temp_owner("a.tmp-12x"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_forms),
	    cmocka_unit_test(test_parse_rejects),
	    cmocka_unit_test(test_docker_hub_names),
	    cmocka_unit_test(test_load_repo_from_path),
	    cmocka_unit_test(test_temp_owner),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
