/* build.c - `vmctl build`: one derived image per Dockerfile step, cached
 * (see build.h). */
#include "build.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build_copy.h"
#include "commit.h"
#include "common/cleanup.h"
#include "common/runner.h"
#include "common/state.h"
#include "common/util.h"
#include "dockerfile.h"
#include "oci.h"
#include "store.h"

#define BUILD_CACHE_VERSION "vmctl-build-1"

int build_cache_key(const char *parent_id, const char *text,
		    const char *content, char *hex)
{
	/* NUL-separated fields: no two different inputs give the same bytes */
	size_t n = strlen(BUILD_CACHE_VERSION) + strlen(parent_id) +
		   strlen(text) + (content ? strlen(content) : 0) + 4;
	cleanup_free char *buf = malloc(n);
	if (!buf)
		return -ENOMEM;
	analyzer_cleanup(buf);
	char *p = stpcpy(buf, BUILD_CACHE_VERSION) + 1;
	p = stpcpy(p, parent_id) + 1;
	p = stpcpy(p, text) + 1;
	p = stpcpy(p, content ? content : "") + 1;
	return sha256_hex(buf, (size_t)(p - buf), hex);
}

struct build {
	const char *root;
	const struct build_opts *o;
	struct dockerfile df;
	int context_fd;
	char id[OCI_DIGEST_LEN + 1]; /* the image so far */
	struct vmctl_err *err;
};

static void say(struct build *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void say(struct build *b, const char *fmt, ...)
{
	if (!b->o->progress)
		return;
	char line[PATH_MAX + 64];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	b->o->progress(b->o->ctx, line);
}

static int cache_path(const struct build *b, const char *key, char *buf,
		      size_t n)
{
	return xsnprintf(buf, n, "%s/build-cache/%s", b->root, key);
}

/* The image a step made before, if it is still in the store. */
static bool cache_get(struct build *b, const char *key, char *id)
{
	char path[PATH_MAX];
	cleanup_free char *text = NULL;
	size_t len;
	if (cache_path(b, key, path, sizeof(path)) < 0 ||
	    read_file(path, &text, &len) < 0)
		return false;
	text[strcspn(text, "\n")] = '\0';
	struct oci_descriptor d;
	char name[512];
	struct vmctl_err ignored = {0};
	if (!oci_digest_valid(text) ||
	    image_lookup(b->root, text, &d, name, sizeof(name), &ignored) < 0) {
		unlink(path); /* its image was removed */
		return false;
	}
	snprintf(id, OCI_DIGEST_LEN + 1, "%s", text);
	return true;
}

/* A cache that cannot be written only makes the next build slower. */
static void cache_put(struct build *b, const char *key, const char *id)
{
	char path[PATH_MAX], dir[PATH_MAX];
	if (xsnprintf(dir, sizeof(dir), "%s/build-cache", b->root) < 0 ||
	    mkdir_p(dir, 0700) < 0 ||
	    cache_path(b, key, path, sizeof(path)) < 0)
		return;
	write_file_atomic(path, id, strlen(id), 0600);
}

static int parent_marker(const char *root, const char *id, char *buf, size_t n)
{
	if (!oci_digest_valid(id))
		return -EINVAL;
	return xsnprintf(buf, n, "%s/build-cache/parent-%s", root, id + 7);
}

bool build_is_intermediate(const char *root, const char *id)
{
	char path[PATH_MAX];
	return parent_marker(root, id, path, sizeof(path)) == 0 &&
	       access(path, F_OK) == 0;
}

/* Called once the cache directory exists. */
static void mark_parent(struct build *b)
{
	char path[PATH_MAX];
	if (parent_marker(b->root, b->id, path, sizeof(path)) == 0)
		write_file_atomic(path, "", 0, 0600);
}

/* ENV, WORKDIR, CMD, ENTRYPOINT: a new config, no layer. */
static int step_config(struct build *b, const struct df_instr *in, char *id)
{
	struct image_config_edit e = {0};
	char workdir[PATH_MAX];
	struct image img = {0};
	int r = 0;
	switch (in->op) {
	case DF_ENV:
		e.env_set = in->args;
		break;
	case DF_WORKDIR:
		if (in->args[0][0] != '/') {
			/* relative to the previous WORKDIR, as Docker */
			r = image_open(b->root, b->id, &img, b->err);
			if (r < 0)
				return r;
			r = xsnprintf(workdir, sizeof(workdir), "%s/%s",
				      img.workdir && strcmp(img.workdir, "/")
					  ? img.workdir
					  : "",
				      in->args[0]);
			image_free(&img);
			if (r < 0)
				return vmctl_errorf(b->err, ENAMETOOLONG,
						    "WORKDIR too long");
			e.workdir = workdir;
		} else {
			e.workdir = in->args[0];
		}
		break;
	case DF_CMD:
		e.set_cmd = true;
		e.cmd = in->args;
		break;
	case DF_ENTRYPOINT:
		e.set_entrypoint = true;
		e.entrypoint = in->args;
		break;
	default:
		return vmctl_errorf(b->err, EINVAL, "not a config step");
	}
	struct image_derive_opts o = {.created_by = in->text, .edit = &e};
	return image_derive(b->root, b->id, &o, id, b->err);
}

static int run_failed(struct build *b, const struct df_instr *in, int code)
{
	char cmd[1024] = "";
	size_t len = 0;
	for (size_t i = 0; i < in->n_args && len < sizeof(cmd); i++)
		len += (size_t)snprintf(cmd + len, sizeof(cmd) - len, "%s%s",
					i ? " " : "", in->args[i]);
	return vmctl_errorf(b->err, EIO,
			    "The command '%s' returned a non-zero code: %d",
			    cmd, code);
}

/* RUN: a container of the image so far; its writable layer is the step's
 * layer.  The run is removed whatever happens. */
static int step_run(struct build *b, const struct df_instr *in, char *id)
{
	struct run_spec spec = {.mode = MODE_CONTAINER,
				.image = b->id,
				.argv = in->args,
				.no_entrypoint = true};
	struct run_result res;
	char run_id[65] = "";
	int r = runner_run(b->root, &spec, now_ns(), &res, run_id, b->err);
	if (r == 0 && res.exit_code != 0)
		r = run_failed(b, in, res.exit_code);
	struct ctr_state st = {0};
	char upper[PATH_MAX];
	if (r == 0)
		r = state_find(b->root, run_id, &st, b->err);
	if (r == 0 && xsnprintf(upper, sizeof(upper), "%s/upper", st.dir) < 0)
		r = vmctl_errorf(b->err, ENAMETOOLONG, "path too long");
	struct image_derive_opts o = {.layer_dir = upper,
				      .created_by = in->text};
	if (r == 0)
		r = image_derive(b->root, b->id, &o, id, b->err);
	if (st.id[0])
		ctr_state_free(&st);
	struct vmctl_err ignored = {0};
	if (run_id[0])
		runner_remove(b->root, run_id, true, &ignored);
	return r;
}

static struct copy_request copy_request(struct build *b,
					const struct df_instr *in,
					const struct image *img)
{
	struct copy_request req = {
	    .context_fd = b->context_fd,
	    .srcs = in->args,
	    .n_srcs = in->n_args - 1,
	    .dest = in->args[in->n_args - 1],
	    .workdir = img->workdir,
	    .layers = (const char *const *)img->layer_dirs,
	    .n_layers = img->n_layers,
	};
	return req;
}

/* COPY: the files staged in <root>/tmp as the step's layer. */
static int step_copy(struct build *b, const struct df_instr *in, char *id,
		     char *content)
{
	struct image img = {0};
	char stage[PATH_MAX];
	if (xsnprintf(stage, sizeof(stage), "%s/tmp/copy.tmp-%d", b->root,
		      (int)getpid()) < 0)
		return vmctl_errorf(b->err, ENAMETOOLONG, "path too long");
	int r = image_open(b->root, b->id, &img, b->err);
	if (r < 0)
		return r;
	struct copy_request req = copy_request(b, in, &img);
	rm_rf(stage);
	if ((r = mkdir_p(stage, 0755)) < 0)
		r = vmctl_error(b->err, r, "mkdir %s", stage);
	if (r == 0)
		r = copy_stage(&req, stage, content, b->err);
	struct image_derive_opts o = {.layer_dir = stage,
				      .created_by = in->text};
	if (r == 0)
		r = image_derive(b->root, b->id, &o, id, b->err);
	rm_rf(stage);
	image_free(&img);
	return r;
}

/* What, besides the parent and the text, a step's result depends on. */
static int step_content(struct build *b, const struct df_instr *in, char *hex,
			bool *has)
{
	*has = in->op == DF_COPY;
	if (!*has)
		return 0;
	struct image img = {0};
	int r = image_open(b->root, b->id, &img, b->err);
	if (r < 0)
		return r;
	struct copy_request req = copy_request(b, in, &img);
	r = copy_digest(&req, hex, b->err);
	image_free(&img);
	return r;
}

/* content: for COPY, the digest of the files as they were copied. */
static int step_make(struct build *b, const struct df_instr *in, char *id,
		     char *content)
{
	switch (in->op) {
	case DF_RUN:
		return step_run(b, in, id);
	case DF_COPY:
		return step_copy(b, in, id, content);
	default:
		return step_config(b, in, id);
	}
}

static int step(struct build *b, size_t i)
{
	const struct df_instr *in = &b->df.v[i];
	char content[SHA256_HEX_LEN + 1], key[SHA256_HEX_LEN + 1];
	char id[OCI_DIGEST_LEN + 1];
	bool has_content;
	say(b, "Step %zu/%zu : %s", i + 1, b->df.n, in->text);
	int r = step_content(b, in, content, &has_content);
	if (r == 0 && build_cache_key(b->id, in->text,
				      has_content ? content : NULL, key) < 0)
		r = vmctl_errorf(b->err, EIO, "computing the cache key");
	if (r < 0)
		return r;
	if (!b->o->no_cache && cache_get(b, key, id)) {
		say(b, " ---> Using cache");
	} else {
		if ((r = step_make(b, in, id, content)) < 0)
			return r;
		/* cached under what was actually copied */
		if (!has_content ||
		    build_cache_key(b->id, in->text, content, key) == 0)
			cache_put(b, key, id);
	}
	say(b, " ---> %.12s", id + 7);
	mark_parent(b);
	memcpy(b->id, id, sizeof(b->id));
	return 0;
}

static int step_from(struct build *b)
{
	const struct df_instr *in = &b->df.v[0];
	struct oci_manifest m;
	struct oci_config c;
	say(b, "Step 1/%zu : %s", b->df.n, in->text);
	int r = image_read_oci(b->root, in->args[0], &m, &c, NULL, b->err);
	if (r < 0)
		return r;
	snprintf(b->id, sizeof(b->id), "%s", m.config.digest);
	oci_manifest_free(&m);
	oci_config_free(&c);
	say(b, " ---> %.12s", b->id + 7);
	return 0;
}

static int read_dockerfile(struct build *b, struct vmctl_err *err)
{
	char path[PATH_MAX];
	const struct build_opts *o = b->o;
	if (xsnprintf(path, sizeof(path), "%s/Dockerfile", o->context) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "path too long");
	const char *file = o->dockerfile ? o->dockerfile : path;
	cleanup_free char *text = NULL;
	size_t len;
	int r = read_file(file, &text, &len);
	if (r < 0)
		return vmctl_error(err, r, "reading %s", file);
	if (strlen(text) != len)
		return vmctl_errorf(err, EINVAL, "%s is not a text file", file);
	return dockerfile_parse(text, &b->df, err);
}

static int build_steps(struct build *b)
{
	int r = 0;
	for (size_t i = 0; r == 0 && i < b->df.n; i++) {
		r = i == 0 ? step_from(b) : step(b, i);
		if (r < 0)
			vmctl_error_wrap(b->err,
					 "step %zu/%zu (Dockerfile line %d)",
					 i + 1, b->df.n, b->df.v[i].line);
	}
	return r;
}

int image_build(const char *root, const struct build_opts *o, char *id_out,
		struct vmctl_err *err)
{
	struct build b = {.root = root, .o = o, .context_fd = -1, .err = err};
	char canon[512];
	if (o->tag && image_ref_name(o->tag, canon, sizeof(canon), err) < 0)
		return -EINVAL;
	b.context_fd = open(o->context, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (b.context_fd < 0)
		return vmctl_error(err, errno, "build context %s", o->context);
	int r = read_dockerfile(&b, err);
	if (r == 0)
		r = build_steps(&b);
	if (r == 0 && o->tag)
		r = image_tag(root, b.id, o->tag, err);
	if (r == 0)
		snprintf(id_out, OCI_DIGEST_LEN + 1, "%s", b.id);
	dockerfile_free(&b.df);
	close(b.context_fd);
	return r;
}
