/* Unit tests: the pure half of the registry client (images/registry_parse.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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

static void test_loopback(void **state)
{
	assert_true(registry_host_is_loopback("127.0.0.1:5000"));
	assert_true(registry_host_is_loopback("127.3.4.5"));
	assert_true(registry_host_is_loopback("localhost:5000"));
	assert_true(registry_host_is_loopback("[::1]:5000"));
	assert_true(registry_host_is_loopback("http://127.0.0.1:8080/token"));
	assert_false(registry_host_is_loopback("10.0.0.1:5000"));
	assert_false(registry_host_is_loopback("registry-1.docker.io"));
	assert_false(registry_host_is_loopback("127.0.0.1.evil.example:5000"));
	assert_false(registry_host_is_loopback("localhost.evil.example"));
	assert_false(registry_host_is_loopback("http://evil.example/127.0.0.1"));
	assert_false(registry_host_is_loopback("[::2]:5000"));
	assert_false(registry_host_is_loopback("[::1"));
	assert_false(registry_host_is_loopback(""));
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

static void test_www_auth_edges(void **state)
{
	struct www_auth a;
	struct vmctl_err e = {0};
	/* Quoted commas and spaces, parameters in any order and case,
	 * bare values. */
	assert_int_equal(www_auth_parse("  bearer Scope=\"repository:x:pull,push\", "
					"realm=\"http://h:1/t?a=1,b=2\",service=reg",
					&a, &e), 0);
	assert_int_equal(a.scheme, AUTH_BEARER);
	assert_string_equal(a.realm, "http://h:1/t?a=1,b=2");
	assert_string_equal(a.service, "reg");
	assert_string_equal(a.scope, "repository:x:pull,push");
	char u[1024];
	assert_int_equal(registry_token_url(u, sizeof(u), &a), 0);
	assert_string_equal(u, "http://h:1/t?a=1,b=2&service=reg"
			       "&scope=repository%3Ax%3Apull%2Cpush");
	/* An unterminated quote ends at the end of the header. */
	assert_int_equal(www_auth_parse("Bearer realm=\"http://r/t", &a, &e), 0);
	assert_string_equal(a.realm, "http://r/t");
	/* Bad input: empty, no scheme, a Bearer whose realm is empty. */
	assert_int_equal(www_auth_parse("", &a, &e), -EINVAL);
	assert_int_equal(www_auth_parse("realm=x", &a, &e), -EINVAL);
	assert_int_equal(www_auth_parse("Bearer realm=\"\"", &a, &e), -EINVAL);
	assert_int_equal(www_auth_parse("Bearer ,,,", &a, &e), -EINVAL);
	assert_int_equal(www_auth_parse("Basicx realm=a", &a, &e), -EINVAL);
	/* Over-long values are cut, not overflowed. */
	char big[2048];
	memset(big, 'a', sizeof(big));
	memcpy(big, "Bearer realm=", 13);
	big[sizeof(big) - 1] = 0;
	assert_int_equal(www_auth_parse(big, &a, &e), 0);
	assert_int_equal(strlen(a.realm), sizeof(a.realm) - 1);
}

static void test_header_value(void **state)
{
	char v[64];
	const char *l = "docker-content-digest:  sha256:ab \r\n";
	assert_true(registry_header_value(l, strlen(l), "Docker-Content-Digest", v, sizeof(v)));
	assert_string_equal(v, "sha256:ab");
	l = "Location: /v2/x/blobs/uploads/1?_state=a\r\n";
	assert_true(registry_header_value(l, strlen(l), "Location", v, sizeof(v)));
	assert_string_equal(v, "/v2/x/blobs/uploads/1?_state=a");
	assert_false(registry_header_value(l, strlen(l), "Loc", v, sizeof(v)));
	l = "Content-Type: x\r\n";
	assert_false(registry_header_value(l, strlen(l), "Location", v, sizeof(v)));
	l = "Location:\r\n";
	assert_true(registry_header_value(l, strlen(l), "Location", v, sizeof(v)));
	assert_string_equal(v, "");
}

static void test_location_join(void **state)
{
	char u[256];
	/* Path-only, relative without slash, absolute on another host. */
	assert_int_equal(registry_upload_url(u, sizeof(u), true, "127.0.0.1:5000",
					     "/upload/7", "sha256:" D64), 0);
	assert_string_equal(u, "http://127.0.0.1:5000/upload/7?digest=sha256:" D64);
	assert_int_equal(registry_upload_url(u, sizeof(u), false, "r.io",
					     "https://blob.r.io/u/1?sig=a&x=b", NULL), 0);
	assert_string_equal(u, "https://blob.r.io/u/1?sig=a&x=b");
	assert_int_equal(registry_upload_url(u, 30, false, "r.io", "/v2/a/very/long/location",
					     "sha256:" D64), -ENAMETOOLONG);
}

static void test_chunk_plan(void **state)
{
	/* Monolithic at or under the threshold, and when chunking is off. */
	assert_false(registry_use_chunks(100, 100));
	assert_false(registry_use_chunks(1 << 30, 0));
	assert_true(registry_use_chunks(101, 100));
	/* 250 bytes in chunks of 100: 100, 100, 50, then done. */
	uint64_t off = 0, len, lens[8];
	size_t n = 0;
	while ((len = registry_next_chunk(250, 100, off)) && n < 8) {
		lens[n++] = len;
		off += len;
	}
	assert_int_equal(n, 3);
	assert_int_equal(lens[0], 100);
	assert_int_equal(lens[2], 50);
	assert_int_equal(off, 250);
	assert_int_equal(registry_next_chunk(0, 100, 0), 0);
	char r[32];
	assert_int_equal(registry_content_range(r, sizeof(r), 200, 50), 0);
	assert_string_equal(r, "200-249");
	assert_int_equal(registry_content_range(r, sizeof(r), 0, 0), -EINVAL);
	assert_int_equal(registry_content_range(r, 4, 1000, 10), -ENAMETOOLONG);
}

static void test_token_and_errors(void **state)
{
	char t[32], m[128];
	assert_int_equal(registry_token_parse("{\"token\":\"abc\",\"access_token\":\"x\"}", t, sizeof(t)), 0);
	assert_string_equal(t, "abc");
	assert_int_equal(registry_token_parse("{\"access_token\":\"def\"}", t, sizeof(t)), 0);
	assert_string_equal(t, "def");
	assert_int_equal(registry_token_parse("{\"token\":5}", t, sizeof(t)), -EINVAL);
	assert_int_equal(registry_token_parse("not json", t, sizeof(t)), -EINVAL);
	assert_int_equal(registry_token_parse(NULL, t, sizeof(t)), -EINVAL);
	assert_int_equal(registry_token_parse("{\"token\":\"0123456789012345678901234567890123\"}", t, sizeof(t)),
			 -ENAMETOOLONG);
	registry_error_message("{\"errors\":[{\"code\":\"DENIED\",\"message\":\"no\"}]}", m, sizeof(m));
	assert_string_equal(m, "DENIED: no");
	registry_error_message("<html>", m, sizeof(m));
	assert_string_equal(m, "");
	registry_error_message(NULL, m, sizeof(m));
	assert_string_equal(m, "");
}

static void test_sources(void **state)
{
	char repo[64];
	char *j = registry_sources_add(NULL, "h:1", "sha256:a", "lib/x");
	assert_non_null(j);
	char *j2 = registry_sources_add(j, "h:1", "sha256:a", "y");
	char *j3 = registry_sources_add(j2, "other", "sha256:a", "z");
	assert_int_equal(registry_sources_find(j3, "h:1", "sha256:a", "q", repo, sizeof(repo)), 0);
	assert_string_equal(repo, "y"); /* the latest source wins */
	/* Not from the repository being pushed to, not across registries. */
	assert_int_equal(registry_sources_find(j3, "h:1", "sha256:a", "y", repo, sizeof(repo)), -ENOENT);
	assert_int_equal(registry_sources_find(j3, "h:2", "sha256:a", "q", repo, sizeof(repo)), -ENOENT);
	assert_int_equal(registry_sources_find(j3, "h:1", "sha256:b", "q", repo, sizeof(repo)), -ENOENT);
	assert_int_equal(registry_sources_find("garbage", "h:1", "sha256:a", "q", repo, sizeof(repo)), -ENOENT);
	assert_null(registry_sources_add("[1]", "h", "d", "r"));
	char *fixed = registry_sources_add("{\"h\":5}", "h", "d", "r");
	assert_non_null(fixed);
	assert_int_equal(registry_sources_find(fixed, "h", "d", "", repo, sizeof(repo)), 0);
	free(j);
	free(j2);
	free(j3);
	free(fixed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ref_defaults),
	    cmocka_unit_test(test_ref_hosts),
	    cmocka_unit_test(test_urls),
	    cmocka_unit_test(test_loopback),
	    cmocka_unit_test(test_www_auth),
	    cmocka_unit_test(test_manifest_kind),
	    cmocka_unit_test(test_pick_platform),
	    cmocka_unit_test(test_www_auth_edges),
	    cmocka_unit_test(test_header_value),
	    cmocka_unit_test(test_location_join),
	    cmocka_unit_test(test_chunk_plan),
	    cmocka_unit_test(test_token_and_errors),
	    cmocka_unit_test(test_sources),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
