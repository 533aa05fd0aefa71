/* Unit tests: OCI manifests, configs, the index, digests, the blob store. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "common/util.h"
#include "images/oci.h"

#define D1                                                                     \
	"sha256:"                                                              \
	"1111111111111111111111111111111111111111111111111111111111111111"
#define D2                                                                     \
	"sha256:"                                                              \
	"2222222222222222222222222222222222222222222222222222222222222222"
#define D3                                                                     \
	"sha256:"                                                              \
	"3333333333333333333333333333333333333333333333333333333333333333"
/* sha256("hello") */
#define HELLO                                                                  \
	"sha256:"                                                              \
	"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"

static void test_digest_valid(void **state)
{
	assert_true(oci_digest_valid(D1));
	assert_false(oci_digest_valid("sha256:1111"));
	assert_false(oci_digest_valid("sha512:"
				      "1111111111111111111111111111111111111111"
				      "111111111111111111111111"));
	assert_false(
	    oci_digest_valid("sha256:../../../../etc/"
			     "passwd000000000000000000000000000000000000000"));
	assert_false(oci_digest_valid("sha256:"
				      "AAAA111111111111111111111111111111111111"
				      "111111111111111111111111"));
	assert_false(oci_digest_valid(NULL));
}

static void test_manifest_roundtrip(void **state)
{
	struct oci_descriptor cfg = {OCI_MT_CONFIG, D1, 100};
	struct oci_descriptor layers[2] = {{OCI_MT_LAYER, D2, 2000},
					   {OCI_MT_LAYER_GZIP, D3, 30}};
	char *text = oci_manifest_build(&cfg, layers, 2);
	struct oci_manifest m;
	struct vmctl_err e = {0};
	assert_int_equal(oci_manifest_parse(text, &m, &e), 0);
	assert_string_equal(m.config.digest, D1);
	assert_int_equal(m.config.size, 100);
	assert_int_equal(m.n_layers, 2);
	assert_string_equal(m.layers[1].media_type, OCI_MT_LAYER_GZIP);
	assert_int_equal(m.layers[0].size, 2000);
	oci_manifest_free(&m);
	free(text);
}

static void test_manifest_rejects(void **state)
{
	struct oci_manifest m;
	struct vmctl_err e = {0};
	assert_int_not_equal(oci_manifest_parse("not json", &m, &e), 0);
	assert_int_not_equal(
	    oci_manifest_parse("{\"schemaVersion\":1}", &m, &e), 0);
	assert_int_not_equal(
	    oci_manifest_parse(
		"{\"schemaVersion\":2,\"mediaType\":\"" OCI_MT_INDEX
		"\",\"manifests\":[]}",
		&m, &e),
	    0);
	/* a digest that would become a path */
	assert_int_not_equal(
	    oci_manifest_parse("{\"schemaVersion\":2,\"config\":{\"digest\":"
			       "\"sha256:../x\",\"size\":1},\"layers\":[]}",
			       &m, &e),
	    0);
	assert_int_equal(
	    oci_manifest_parse(
		"{\"schemaVersion\":2,\"mediaType\":\"" DOCKER_MT_MANIFEST
		"\",\"config\":{\"mediaType\":\"" DOCKER_MT_CONFIG
		"\",\"digest\":\"" D1 "\",\"size\":1},\"layers\":[]}",
		&m, &e),
	    0);
	oci_manifest_free(&m);
}

static void test_config_parse(void **state)
{
	const char *json =
	    "{\"created\":\"2024-01-02T03:04:05.123456789Z\",\"architecture\":"
	    "\"amd64\",\"os\":\"linux\","
	    "\"config\":{\"Env\":[\"A=1\"],\"Cmd\":[\"sh\"],\"Entrypoint\":"
	    "null,"
	    "\"WorkingDir\":\"/w\",\"User\":\"1000:1000\"},"
	    "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" D1 "\",\"" D2
	    "\"]},"
	    "\"history\":[{\"created_by\":\"RUN x\"},{\"created_by\":\"ENV "
	    "A=1\",\"empty_layer\":true},"
	    "{\"created_by\":\"COPY\",\"comment\":\"c\"}]}";
	struct oci_config c;
	struct vmctl_err e = {0};
	assert_int_equal(oci_config_parse(json, &c, &e), 0);
	assert_string_equal(c.env[0], "A=1");
	assert_string_equal(c.cmd[0], "sh");
	assert_null(c.entrypoint);
	assert_string_equal(c.workdir, "/w");
	assert_string_equal(c.user, "1000:1000");
	assert_int_equal(c.created, 1704164645);
	assert_int_equal(c.n_diff_ids, 2);
	assert_int_equal(c.n_history, 3);
	assert_true(c.history[1].empty_layer);
	assert_string_equal(c.history[2].comment, "c");
	oci_config_free(&c);
	assert_int_not_equal(
	    oci_config_parse("{\"rootfs\":{\"diff_ids\":[\"bad\"]}}", &c, &e),
	    0);
	assert_int_not_equal(
	    oci_config_parse(
		"{\"config\":{\"Env\":\"A=1\"},\"rootfs\":{\"diff_ids\":[]}}",
		&c, &e),
	    0);
}

static void test_time(void **state)
{
	char buf[32];
	assert_int_equal(oci_time_parse("1970-01-01T00:00:00Z"), 0);
	assert_int_equal(oci_time_parse("2024-01-02T03:04:05+01:00"),
			 1704164645 - 3600);
	assert_int_equal(oci_time_parse("garbage"), -1);
	oci_time_format(1704164645, buf, sizeof(buf));
	assert_string_equal(buf, "2024-01-02T03:04:05Z");
}

static void test_index_roundtrip(void **state)
{
	struct oci_index idx = {0};
	struct oci_descriptor d = {OCI_MT_MANIFEST, D1, 400};
	assert_int_equal(oci_index_add(&idx, &d, "busybox:latest", NULL), 0);
	assert_int_equal(oci_index_add(&idx, &d, NULL, NULL), 0);
	assert_int_equal(
	    oci_index_add(&idx, &d, "latest", "docker.io/x/y:latest"), 0);
	char *text = oci_index_build(&idx);
	assert_non_null(strstr(text, OCI_REF_NAME));
	oci_index_free(&idx);
	struct vmctl_err e = {0};
	assert_int_equal(oci_index_parse(text, &idx, &e), 0);
	assert_int_equal(idx.n, 3);
	assert_string_equal(idx.v[0].name, "busybox:latest");
	assert_null(idx.v[1].name);
	assert_string_equal(idx.v[2].fullname, "docker.io/x/y:latest");
	oci_index_remove(&idx, 0);
	assert_int_equal(idx.n, 2);
	assert_null(idx.v[0].name);
	oci_index_free(&idx);
	free(text);
}

static void test_blob_store(void **state)
{
	char dir[] = "/tmp/vmctl-oci-XXXXXX", digest[80], path[PATH_MAX];
	struct vmctl_err e = {0};
	assert_non_null(mkdtemp(dir));
	assert_int_equal(oci_layout_init(dir, &e), 0);
	assert_int_equal(oci_blob_put(dir, "hello", 5, NULL, digest, &e), 0);
	assert_string_equal(digest, HELLO);
	assert_true(oci_blob_exists(dir, HELLO));
	/* A wrong expected digest stores nothing. */
	assert_int_equal(oci_blob_put(dir, "hellO", 5, D1, digest, &e),
			 -EBADMSG);
	assert_non_null(strstr(e.msg, "digest mismatch"));
	assert_false(oci_blob_exists(dir, D1));
	char *text = NULL;
	assert_int_equal(oci_blob_read(dir, HELLO, &text, NULL, &e), 0);
	assert_string_equal(text, "hello");
	free(text);
	/* A blob changed on disk is noticed when read. */
	oci_blob_path(dir, HELLO, path, sizeof(path));
	chmod(path, 0600);
	assert_int_equal(write_file(path, "jello", 5, 0600), 0);
	assert_int_equal(oci_blob_read(dir, HELLO, &text, NULL, &e), -EBADMSG);
	assert_non_null(strstr(e.msg, "corrupt"));
	rm_rf(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_digest_valid),
	    cmocka_unit_test(test_manifest_roundtrip),
	    cmocka_unit_test(test_manifest_rejects),
	    cmocka_unit_test(test_config_parse),
	    cmocka_unit_test(test_time),
	    cmocka_unit_test(test_index_roundtrip),
	    cmocka_unit_test(test_blob_store),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
