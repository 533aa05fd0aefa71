/* Unit tests: vmctl diff/commit/build - the Dockerfile parser (good and bad
 * input), the overlay -> OCI whiteout conversion, the change kinds and the
 * merged-layer lookup of diff, derived configs (history, empty_layer), COPY
 * destinations and sources, and the build cache key. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "common/strv.h"
#include "common/util.h"
#include "images/archive_dl.h"
#include "images/build.h"
#include "images/build_copy.h"
#include "images/commit.h"
#include "images/diff.h"
#include "images/dockerfile.h"
#include "images/layer.h"

static char tmpdir[PATH_MAX];
static struct vmctl_err err;

static int setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "%s/vmctl-build-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(tmpdir));
	memset(&err, 0, sizeof(err));
	return 0;
}

static int teardown(void **state)
{
	rm_rf(tmpdir);
	return 0;
}

static char *at(const char *rel)
{
	static char bufs[4][PATH_MAX * 2];
	static int k;
	char *b = bufs[k++ % 4];
	snprintf(b, sizeof(bufs[0]), "%s/%s", tmpdir, rel);
	return b;
}

/* --- the Dockerfile ------------------------------------------------------ */

static void test_parse_all_forms(void **state)
{
	static const char text[] = "# syntax comment\n"
				   "from busybox:latest\n"
				   "\n"
				   "ENV A=1 B=\"two words\"\n"
				   "ENV LEGACY value with spaces\n"
				   "WORKDIR /app\n"
				   "COPY a.txt b/ dest/\n"
				   "COPY [\"x y\", \"/z\"]\n"
				   "RUN echo one && \\\n"
				   "    # a comment inside\n"
				   "    echo two\n"
				   "RUN [\"/bin/echo\", \"exec form\"]\n"
				   "CMD [\"sh\"]\n"
				   "ENTRYPOINT echo hi\n";
	struct dockerfile df;
	assert_int_equal(dockerfile_parse(text, &df, &err), 0);
	assert_int_equal(df.n, 10);
	assert_int_equal(df.v[0].op, DF_FROM);
	assert_string_equal(df.v[0].args[0], "busybox:latest");
	assert_string_equal(df.v[0].text, "FROM busybox:latest");
	assert_int_equal(df.v[0].line, 2);
	assert_int_equal(df.v[1].n_args, 2);
	assert_string_equal(df.v[1].args[1], "B=two words");
	assert_string_equal(df.v[2].args[0], "LEGACY=value with spaces");
	assert_int_equal(df.v[4].n_args, 3);
	assert_string_equal(df.v[4].args[2], "dest/");
	assert_string_equal(df.v[5].args[0], "x y");
	assert_int_equal(df.v[6].op, DF_RUN);
	assert_int_equal(df.v[6].line, 9);
	assert_int_equal(df.v[6].n_args, 3);
	assert_string_equal(df.v[6].text, "RUN echo one && echo two");
	assert_string_equal(df.v[6].args[0], "/bin/sh");
	assert_non_null(strstr(df.v[6].args[2], "echo one &&"));
	assert_non_null(strstr(df.v[6].args[2], "echo two"));
	assert_null(strstr(df.v[6].args[2], "comment"));
	assert_int_equal(df.v[7].n_args, 2);
	assert_string_equal(df.v[7].args[1], "exec form");
	assert_int_equal(df.v[8].op, DF_CMD);
	assert_string_equal(df.v[8].args[0], "sh");
	assert_int_equal(df.v[9].op, DF_ENTRYPOINT);
	assert_string_equal(df.v[9].args[2], "echo hi");
	dockerfile_free(&df);
}

static void assert_bad(const char *text, const char *needle)
{
	struct dockerfile df;
	memset(&err, 0, sizeof(err));
	assert_int_not_equal(dockerfile_parse(text, &df, &err), 0);
	if (!strstr(err.msg, needle))
		fail_msg("'%s' not in '%s'", needle, err.msg);
	assert_null(df.v);
}

static void test_parse_bad(void **state)
{
	assert_bad("FROM busybox\n\nFOO bar\n", "line 3: unknown");
	assert_bad("RUN true\n", "line 1: the first instruction must be FROM");
	assert_bad("FROM a\nFROM b\n", "line 2: only one FROM");
	assert_bad("FROM busybox AS x\n", "line 1: FROM takes one image");
	assert_bad("FROM busybox\nRUN\n", "line 2: missing arguments");
	assert_bad("FROM busybox\nCOPY onlyone\n", "line 2: COPY needs");
	assert_bad("FROM busybox\nCOPY --chown=1 a b\n", "not supported");
	assert_bad("FROM busybox\nENV 1X=2\n", "line 2");
	assert_bad("FROM busybox\nENV A=\"open\n", "unterminated quote");
	assert_bad("FROM busybox\nWORKDIR a b\n", "WORKDIR takes one path");
	assert_bad("FROM busybox\nADD a b\n", "unsupported instruction: ADD");
	assert_bad("# nothing\n\n", "no instructions");
	assert_bad("", "no instructions");
}

/* --- whiteouts and diff --------------------------------------------------- */

static void test_whiteout_pure(void **state)
{
	char b[64];
	assert_true(layer_is_overlay_whiteout(S_IFCHR, makedev(0, 0)));
	assert_false(layer_is_overlay_whiteout(S_IFCHR, makedev(1, 3)));
	assert_false(layer_is_overlay_whiteout(S_IFREG, 0));
	assert_int_equal(layer_oci_whiteout_path("etc/", "hosts", b, sizeof(b)),
			 0);
	assert_string_equal(b, "etc/.wh.hosts");
	assert_int_equal(layer_oci_whiteout_path("", NULL, b, sizeof(b)), 0);
	assert_string_equal(b, ".wh..wh..opq");
	assert_int_equal(layer_oci_whiteout_path("a/", "x", b, 6),
			 -ENAMETOOLONG);
	assert_int_equal(layer_change_kind(true, true), 'D');
	assert_int_equal(layer_change_kind(false, true), 'C');
	assert_int_equal(layer_change_kind(false, false), 'A');
}

static bool have_whiteouts(void)
{
	if (mknod(at("probe"), S_IFCHR, makedev(0, 0)) < 0)
		return false;
	unlink(at("probe"));
	return setxattr(tmpdir, "trusted.overlay.opaque", "n", 1, 0) == 0;
}

/* Names in the tar written from dir. */
static char **tar_names(const char *dir)
{
	int fd = open(at("out.tar"), O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(layer_write_dir(dir, fd, false, 1, &err), 0);
	lseek(fd, 0, SEEK_SET);
	const struct archive_api *ar = archive_dl(&err);
	assert_non_null(ar);
	struct archive *a = ar->archive_read_new();
	ar->archive_read_support_format_tar(a);
	assert_int_equal(ar->archive_read_open_fd(a, fd, 4096), ARCHIVE_OK);
	char **names = calloc(1, sizeof(char *));
	struct archive_entry *e;
	while (ar->archive_read_next_header(a, &e) == ARCHIVE_OK)
		assert_int_equal(
		    strv_push(&names, ar->archive_entry_pathname(e)), 0);
	ar->archive_read_free(a);
	close(fd);
	return names;
}

static bool has(char *const *v, const char *s)
{
	for (size_t i = 0; v[i]; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

static void test_overlay_to_oci(void **state)
{
	if (!have_whiteouts())
		skip();
	mkdir(at("up"), 0755);
	mkdir(at("up/etc"), 0755);
	mkdir(at("up/opq"), 0755);
	assert_int_equal(mknod(at("up/etc/hosts"), S_IFCHR, makedev(0, 0)), 0);
	assert_int_equal(write_file(at("up/opq/new"), "n", 1, 0644), 0);
	assert_int_equal(
	    setxattr(at("up/opq"), "trusted.overlay.opaque", "y", 1, 0), 0);
	char **names = tar_names(at("up"));
	assert_true(has(names, "etc/.wh.hosts"));
	assert_false(has(names, "etc/hosts"));
	assert_true(has(names, "opq/.wh..wh..opq"));
	assert_true(has(names, "opq/new"));
	strv_free(names);
	/* a file that would read as a whiteout is refused */
	assert_int_equal(write_file(at("up/.wh.sneaky"), "", 0, 0644), 0);
	int fd = open(at("x.tar"), O_RDWR | O_CREAT | O_TRUNC, 0600);
	memset(&err, 0, sizeof(err));
	assert_int_equal(layer_write_dir(at("up"), fd, false, 1, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, ".wh."));
	close(fd);
}

/* lower (bottom): etc/{hosts,passwd}, dir/{a,b}; mid: whiteout of
 * etc/hosts, opaque dir; upper: the run's changes. */
static void test_layers_lookup_and_diff(void **state)
{
	if (!have_whiteouts())
		skip();
	const char *dirs[] = {"low", "low/etc", "low/dir",
			      "mid", "mid/etc", "mid/dir",
			      "up",  "up/etc",	"up/dir"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		assert_int_equal(mkdir(at(dirs[i]), 0755), 0);
	write_file(at("low/etc/hosts"), "h", 1, 0644);
	write_file(at("low/etc/passwd"), "p", 1, 0644);
	write_file(at("low/dir/a"), "a", 1, 0644);
	mknod(at("mid/etc/hosts"), S_IFCHR, makedev(0, 0));
	setxattr(at("mid/dir"), "trusted.overlay.opaque", "y", 1, 0);
	/* at() reuses its buffers: keep copies */
	char mid[PATH_MAX * 2], low[PATH_MAX * 2];
	snprintf(mid, sizeof(mid), "%s", at("mid"));
	snprintf(low, sizeof(low), "%s", at("low"));
	const char *layers[] = {mid, low};
	struct stat st;
	assert_int_equal(layers_lookup(layers, 2, "etc/passwd", &st), 1);
	assert_int_equal(layers_lookup(layers, 2, "etc/hosts", &st), 0);
	assert_int_equal(layers_lookup(layers, 2, "dir/a", &st), 0);
	assert_int_equal(layers_lookup(layers, 2, "dir", &st), 1);
	assert_int_equal(layers_lookup(layers, 2, "etc/passwd/x", &st), 0);
	assert_int_equal(layers_lookup(layers, 2, "nope", &st), 0);
	/* the run: changes passwd, deletes passwd's neighbour, adds new/ */
	write_file(at("up/etc/passwd"), "P", 1, 0644);
	write_file(at("up/etc/added"), "x", 1, 0644);
	mknod(at("up/etc/hosts"), S_IFCHR, makedev(0, 0)); /* already gone */
	mkdir(at("up/new"), 0755);
	write_file(at("up/new/f"), "f", 1, 0644);
	write_file(at("up/dir/a"), "a", 1, 0644); /* hidden below: new */
	struct layer_changes ch;
	assert_int_equal(layer_diff(at("up"), layers, 2, &ch, &err), 0);
	const char *want[] = {"C /dir",	      "A /dir/a",      "C /etc",
			      "A /etc/added", "C /etc/passwd", "A /new",
			      "A /new/f"};
	assert_int_equal(ch.n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < ch.n; i++) {
		char line[PATH_MAX];
		snprintf(line, sizeof(line), "%c %s", ch.v[i].kind,
			 ch.v[i].path);
		assert_string_equal(line, want[i]);
	}
	layer_changes_free(&ch);
	/* a deletion of something the image has is a D */
	mknod(at("up/etc/gone"), S_IFCHR, makedev(0, 0));
	write_file(at("low/etc/gone"), "g", 1, 0644);
	assert_int_equal(layer_diff(at("up"), layers, 2, &ch, &err), 0);
	bool found = false;
	for (size_t i = 0; i < ch.n; i++)
		found |=
		    ch.v[i].kind == 'D' && !strcmp(ch.v[i].path, "/etc/gone");
	assert_true(found);
	layer_changes_free(&ch);
}

/* --- derived configs ------------------------------------------------------ */

static void test_config_derive(void **state)
{
	static const char parent[] =
	    "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Env\":"
	    "[\"PATH=/bin\",\"A=1\"],\"Cmd\":[\"sh\"]},\"rootfs\":{\"type\":"
	    "\"layers\",\"diff_ids\":[\"sha256:aa\",\"sha256:bb\"]},"
	    "\"history\":[{\"created_by\":\"base\"}]}";
	char *const env[] = {"A=2", "B=3", NULL};
	char *const ep[] = {"/bin/echo", NULL};
	struct image_config_edit e = {.env_set = env,
				      .workdir = "/app",
				      .entrypoint = ep,
				      .set_entrypoint = true};
	char *out = image_config_derive(parent, NULL, &e, "ENV A=2", NULL,
					1700000000, &err);
	assert_non_null(out);
	cJSON *j = cJSON_Parse(out);
	cJSON *cfg = cJSON_GetObjectItem(j, "config");
	char *envs = cJSON_PrintUnformatted(cJSON_GetObjectItem(cfg, "Env"));
	assert_string_equal(envs, "[\"PATH=/bin\",\"A=2\",\"B=3\"]");
	free(envs);
	assert_string_equal(cJSON_GetObjectItem(cfg, "WorkingDir")->valuestring,
			    "/app");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(cfg, "Cmd")));
	cJSON *h = cJSON_GetObjectItem(j, "history");
	/* the parent's history covered 1 of 2 layers: padded, then ours */
	assert_int_equal(cJSON_GetArraySize(h), 3);
	cJSON *last = cJSON_GetArrayItem(h, 2);
	assert_string_equal(
	    cJSON_GetObjectItem(last, "created_by")->valuestring, "ENV A=2");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(last, "empty_layer")));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(
			     cJSON_GetObjectItem(j, "rootfs"), "diff_ids")),
			 2);
	cJSON_Delete(j);
	free(out);
	/* with a layer: a diff_id more, no empty_layer */
	out = image_config_derive(parent, "sha256:cc", NULL, "RUN x", "msg", 1,
				  &err);
	j = cJSON_Parse(out);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(
			     cJSON_GetObjectItem(j, "rootfs"), "diff_ids")),
			 3);
	last = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "history"), 2);
	assert_null(cJSON_GetObjectItem(last, "empty_layer"));
	assert_string_equal(cJSON_GetObjectItem(last, "comment")->valuestring,
			    "msg");
	cJSON_Delete(j);
	free(out);
	assert_null(image_config_derive("{\"rootfs\":1}", NULL, NULL, "x", NULL,
					1, &err));
}

/* --- COPY and the cache key ------------------------------------------------
 */

static void test_copy_dest(void **state)
{
	char out[PATH_MAX];
	int dir;
	assert_int_equal(copy_dest_path("/app", ".", out, sizeof(out), &dir),
			 0);
	assert_string_equal(out, "app");
	assert_true(dir);
	assert_int_equal(copy_dest_path("/app", "x/y", out, sizeof(out), &dir),
			 0);
	assert_string_equal(out, "app/x/y");
	assert_false(dir);
	assert_int_equal(
	    copy_dest_path("/app", "/etc/", out, sizeof(out), &dir), 0);
	assert_string_equal(out, "etc");
	assert_true(dir);
	assert_int_equal(copy_dest_path(NULL, "/", out, sizeof(out), &dir), 0);
	assert_string_equal(out, "");
	assert_true(dir);
	assert_int_equal(copy_dest_path("/", "../x", out, sizeof(out), &dir),
			 -EINVAL);
}

static void copy_digest_of(const char *src, char *hex, int want)
{
	int ctx = open(at("ctx"), O_RDONLY | O_DIRECTORY);
	char *const srcs[] = {(char *)src, NULL};
	struct copy_request req = {
	    .context_fd = ctx, .srcs = srcs, .n_srcs = 1, .dest = "/x"};
	memset(&err, 0, sizeof(err));
	assert_int_equal(copy_digest(&req, hex, &err), want);
	close(ctx);
}

static void test_copy_sources(void **state)
{
	char h1[65], h2[65], h3[65];
	mkdir(at("ctx"), 0755);
	mkdir(at("ctx/d"), 0755);
	write_file(at("ctx/d/f"), "one", 3, 0644);
	write_file(at("secret"), "s", 1, 0600);
	assert_int_equal(symlink("../secret", at("ctx/escape")), 0);
	assert_int_equal(symlink("/etc/passwd", at("ctx/abs")), 0);
	assert_int_equal(symlink("d/f", at("ctx/inside")), 0);
	copy_digest_of("d", h1, 0);
	copy_digest_of("inside", h2, 0); /* a link that stays inside: fine */
	/* content and mode both count */
	write_file(at("ctx/d/f"), "two", 3, 0644);
	copy_digest_of("d", h3, 0);
	assert_string_not_equal(h1, h3);
	chmod(at("ctx/d/f"), 0755);
	copy_digest_of("d", h2, 0);
	assert_string_not_equal(h2, h3);
	/* nothing outside the context */
	copy_digest_of("../secret", h1, -EXDEV);
	assert_non_null(strstr(err.msg, "outside the build context"));
	copy_digest_of("escape", h1, -EXDEV);
	copy_digest_of("abs", h1, -EXDEV);
	copy_digest_of("missing", h1, -ENOENT);
}

static void stage_one(const char *src, const char *dest, const char *stage)
{
	char h1[65], h2[65];
	int ctx = open(at("ctx"), O_RDONLY | O_DIRECTORY);
	char *const srcs[] = {(char *)src, NULL};
	struct copy_request req = {.context_fd = ctx,
				   .srcs = srcs,
				   .n_srcs = 1,
				   .dest = dest,
				   .workdir = "/work"};
	mkdir(stage, 0755);
	assert_int_equal(copy_stage(&req, stage, h1, &err), 0);
	assert_int_equal(copy_digest(&req, h2, &err), 0);
	assert_string_equal(h1, h2); /* the cache key sees what was staged */
	close(ctx);
}

static void test_copy_stage(void **state)
{
	struct stat st;
	mkdir(at("ctx"), 0755);
	mkdir(at("ctx/d"), 0755);
	write_file(at("ctx/d/f"), "one", 3, 04755);
	chmod(at("ctx/d/f"), 04755);
	write_file(at("ctx/x.txt"), "x", 1, 0640);
	stage_one("x.txt", "y", at("s1"));
	assert_int_equal(stat(at("s1/work/y"), &st), 0); /* WORKDIR-relative */
	assert_int_equal(st.st_mode & 07777, 0640);
	stage_one("x.txt", "/opt/", at("s2"));
	assert_int_equal(stat(at("s2/opt/x.txt"), &st), 0);
	assert_int_equal(stat(at("s2/opt"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	stage_one("d", "/dst", at("s3")); /* a directory's contents */
	assert_int_equal(stat(at("s3/dst/f"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755); /* no setuid copied */
	/* a ".wh." name would read as a deletion: refused */
	write_file(at("ctx/d/.wh.x"), "", 0, 0644);
	int ctx = open(at("ctx"), O_RDONLY | O_DIRECTORY);
	char *const srcs[] = {"d", NULL};
	struct copy_request req = {
	    .context_fd = ctx, .srcs = srcs, .n_srcs = 1, .dest = "/z"};
	char h[65];
	assert_int_equal(copy_digest(&req, h, &err), -EINVAL);
	assert_non_null(strstr(err.msg, ".wh."));
	close(ctx);
}

static void test_cache_key(void **state)
{
	char a[65], b[65], c[65], d[65], e[65];
	assert_int_equal(build_cache_key("sha256:1", "RUN x", NULL, a), 0);
	assert_int_equal(build_cache_key("sha256:1", "RUN x", NULL, b), 0);
	assert_string_equal(a, b);
	assert_int_equal(build_cache_key("sha256:2", "RUN x", NULL, c), 0);
	assert_string_not_equal(a, c);
	assert_int_equal(build_cache_key("sha256:1", "RUN y", NULL, d), 0);
	assert_string_not_equal(a, d);
	assert_int_equal(build_cache_key("sha256:1", "COPY a b", "h1", d), 0);
	assert_int_equal(build_cache_key("sha256:1", "COPY a b", "h2", e), 0);
	assert_string_not_equal(d, e);
	/* fields do not run into each other */
	assert_int_equal(build_cache_key("sha256:1", "RUN xh", "", d), 0);
	assert_int_equal(build_cache_key("sha256:1", "RUN x", "h", e), 0);
	assert_string_not_equal(d, e);
	assert_int_equal(strlen(a), 64);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_parse_all_forms),
	    T(test_parse_bad),
	    T(test_whiteout_pure),
	    T(test_overlay_to_oci),
	    T(test_layers_lookup_and_diff),
	    T(test_config_derive),
	    T(test_copy_dest),
	    T(test_copy_sources),
	    T(test_copy_stage),
	    T(test_cache_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
