/* Unit tests: the pure half of the registry client (images/registry_parse.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "images/registry.h"

#define D64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void test_ref_defaults(void **state)
{
	struct registry_ref r;
	struct vmctl_err e = {0};
	assert_int_equal(registry_ref_parse("busybox", &r, &e), 0);
	assert_string_equal(r.host, REGISTRY_DEFAULT_HOST);
	assert_string_equal(r.repo, "library/busybox");
	assert_string_equal(r.tag, "latest");
	assert_int_equal(registry_ref_parse("user/app:2", &r, &e), 0);
	assert_string_equal(r.host, REGISTRY_DEFAULT_HOST);
	assert_string_equal(r.repo, "user/app");
	assert_string_equal(r.tag, "2");
}

static void test_ref_hosts(void **state)
{
	struct registry_ref r;
	struct vmctl_err e = {0};
	assert_int_equal(registry_ref_parse("127.0.0.1:5000/busybox:1", &r, &e), 0);
	assert_string_equal(r.host, "127.0.0.1:5000");
	assert_string_equal(r.repo, "busybox");
	assert_string_equal(r.tag, "1");
	assert_int_equal(registry_ref_parse("localhost/a/b", &r, &e), 0);
	assert_string_equal(r.host, "localhost");
	assert_string_equal(r.repo, "a/b");
	assert_int_equal(registry_ref_parse("quay.io/x/y@sha256:" D64, &r, &e), 0);
	assert_string_equal(r.host, "quay.io");
	assert_string_equal(r.repo, "x/y");
	assert_string_equal(r.digest, "sha256:" D64);
	assert_true(registry_ref_parse("Bad Name", &r, &e) < 0);
}

static void test_urls(void **state)
{
	char u[512];
	assert_int_equal(registry_url(u, sizeof(u), true, "127.0.0.1:5000",
				      "busybox", "manifests", "1"), 0);
	assert_string_equal(u, "http://127.0.0.1:5000/v2/busybox/manifests/1");
	assert_int_equal(registry_url(u, sizeof(u), false, "h", "a/b", "blobs",
				      "sha256:" D64), 0);
	assert_string_equal(u, "https://h/v2/a/b/blobs/sha256:" D64);
	assert_int_equal(registry_url(u, sizeof(u), false, "h", "r", NULL, NULL), 0);
	assert_string_equal(u, "https://h/v2/r/blobs/uploads/");
	assert_int_equal(registry_url(u, 10, false, "h", "r", "blobs", "x"),
			 -ENAMETOOLONG);
	assert_int_equal(registry_upload_url(u, sizeof(u), true, "h:1",
					     "/v2/r/blobs/uploads/id?_state=x",
					     "sha256:" D64), 0);
	assert_string_equal(u, "http://h:1/v2/r/blobs/uploads/id?_state=x&digest=sha256:" D64);
	assert_int_equal(registry_upload_url(u, sizeof(u), true, "h:1",
					     "https://o/up/1", "sha256:1"), 0);
	assert_string_equal(u, "https://o/up/1?digest=sha256:1");
	assert_int_equal(registry_upload_url(u, sizeof(u), false, "h", "up/2", NULL), 0);
	assert_string_equal(u, "https://h/up/2");
}

static void test_www_auth(void **state)
{
	struct www_auth a;
	struct vmctl_err e = {0};
	assert_int_equal(www_auth_parse("Bearer realm=\"https://auth.io/token\","
					"service=\"registry.io\","
					"scope=\"repository:a/b:pull,push\"",
					&a, &e), 0);
	assert_int_equal(a.scheme, AUTH_BEARER);
	assert_string_equal(a.realm, "https://auth.io/token");
	assert_string_equal(a.service, "registry.io");
	assert_string_equal(a.scope, "repository:a/b:pull,push");
	char u[1024];
	assert_int_equal(registry_token_url(u, sizeof(u), &a), 0);
	assert_string_equal(u, "https://auth.io/token?service=registry.io"
			       "&scope=repository%3Aa%2Fb%3Apull%2Cpush");
	assert_int_equal(www_auth_parse("Basic realm=\"Registry \\\"R\\\"\"", &a, &e), 0);
	assert_int_equal(a.scheme, AUTH_BASIC);
	assert_string_equal(a.realm, "Registry \"R\"");
	assert_int_equal(www_auth_parse("basic", &a, &e), 0);
	assert_int_equal(a.scheme, AUTH_BASIC);
	assert_int_equal(www_auth_parse("Bearer service=x", &a, &e), -EINVAL);
	assert_int_equal(www_auth_parse("Negotiate abc", &a, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "unsupported"));
}

static void test_manifest_kind(void **state)
{
	assert_int_equal(registry_manifest_kind(MT_OCI_MANIFEST, NULL), MANIFEST_IMAGE);
	assert_int_equal(registry_manifest_kind(MT_DOCKER_MANIFEST "; charset=utf-8", NULL),
			 MANIFEST_IMAGE);
	assert_int_equal(registry_manifest_kind(MT_DOCKER_LIST, NULL), MANIFEST_INDEX);
	assert_int_equal(registry_manifest_kind(MT_OCI_INDEX, NULL), MANIFEST_INDEX);
	assert_int_equal(registry_manifest_kind("application/json",
						"{\"manifests\":[]}"), MANIFEST_INDEX);
	assert_int_equal(registry_manifest_kind(NULL, "{\"layers\":[]}"), MANIFEST_IMAGE);
	assert_int_equal(registry_manifest_kind(
			     "application/vnd.docker.distribution.manifest.v1+prettyjws",
			     "{}"), MANIFEST_UNSUPPORTED);
}

static void test_pick_platform(void **state)
{
	const char *idx =
	    "{\"manifests\":["
	    "{\"digest\":\"sha256:aa\",\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\"}},"
	    "{\"digest\":\"sha256:" D64 "\",\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}";
	char d[72];
	struct vmctl_err e = {0};
	assert_int_equal(registry_pick_platform(idx, "linux", "amd64", d, &e), 0);
	assert_string_equal(d, "sha256:" D64);
	assert_int_equal(registry_pick_platform(idx, "linux", "s390x", d, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "linux/arm64"));
	assert_int_equal(registry_pick_platform("{}", "linux", "amd64", d, &e), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ref_defaults),
	    cmocka_unit_test(test_ref_hosts),
	    cmocka_unit_test(test_urls),
	    cmocka_unit_test(test_www_auth),
	    cmocka_unit_test(test_manifest_kind),
	    cmocka_unit_test(test_pick_platform),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
