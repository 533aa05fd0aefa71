#include "store.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "common/cleanup.h"
#include "common/digest.h"
#include "common/strv.h"
#include "common/util.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* "5000/..." : digits up to the next '/'. */
static int is_port(const char *s, size_t len)
{
	size_t n = 0;
	while (n < len && isdigit((unsigned char)s[n]))
		n++;
	return n > 0 && n < len && s[n] == '/';
}

static int valid_component(const char *s, size_t len, int is_tag)
{
	if (len == 0)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (islower(c) || isdigit(c) || c == '.' || c == '_' || c == '-')
			continue;
		if (is_tag && isupper(c))
			continue;
		if (!is_tag && c == '/')
			continue;
		/* host:port of a registry, in the first component only */
		if (!is_tag && c == ':' && !memchr(s, '/', i) && is_port(s + i + 1, len - i - 1))
			continue;
		return 0;
	}
	/* No "..", no leading/trailing separator: the repo becomes a path. */
	if (s[0] == '.' || s[0] == '/' || s[len - 1] == '/' ||
	    memmem(s, len, "..", 2) || memmem(s, len, "//", 2))
		return 0;
	return 1;
}

int image_ref_parse(const char *s, struct image_ref *ref, struct vmctl_err *err)
{
	if (!s || !*s)
		return vmctl_errorf(err, EINVAL, "empty image reference");
	const char *colon = strrchr(s, ':');
	const char *slash = strrchr(s, '/');
	if (colon && slash && colon < slash)
		colon = NULL; /* a registry port, not a tag */
	size_t repo_len = colon ? (size_t)(colon - s) : strlen(s);
	const char *tag = colon ? colon + 1 : "latest";
	if (!valid_component(s, repo_len, 0) || repo_len >= sizeof(ref->repo))
		return vmctl_errorf(err, EINVAL,
				    "invalid image reference '%s': repository "
				    "names are lowercase letters, digits, '.', '_', "
				    "'-' and '/'",
				    s);
	if (!valid_component(tag, strlen(tag), 1) || strchr(tag, '/') ||
	    strlen(tag) >= sizeof(ref->tag))
		return vmctl_errorf(err, EINVAL, "invalid tag in image reference '%s'", s);
	memcpy(ref->repo, s, repo_len);
	ref->repo[repo_len] = '\0';
	snprintf(ref->tag, sizeof(ref->tag), "%s", tag);
	return 0;
}

void image_free(struct image *img)
{
	if (!img)
		return;
	free(img->repo);
	free(img->tag);
	free(img->id);
	strv_free(img->layer_ids);
	strv_free(img->layer_dirs);
	strv_free(img->env);
	strv_free(img->cmd);
	strv_free(img->entrypoint);
	free(img->workdir);
	free(img->user);
	memset(img, 0, sizeof(*img));
}

/* A JSON array of strings to a vector; NULL when absent or null. */
static int json_strv(const cJSON *arr, char ***out)
{
	*out = NULL;
	if (!arr || cJSON_IsNull(arr))
		return 0;
	if (!cJSON_IsArray(arr))
		return -EINVAL;
	char **v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	const cJSON *it;
	cJSON_ArrayForEach(it, arr)
	{
		if (!cJSON_IsString(it) || strv_push(&v, it->valuestring) < 0) {
			strv_free(v);
			return -EINVAL;
		}
	}
	*out = v;
	return 0;
}

static char *json_str(const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(it) && *it->valuestring ? strdup(it->valuestring)
						      : NULL;
}

static int image_from_json(const char *root, const char *text, struct image *img,
			   struct vmctl_err *err)
{
	cJSON *j = cJSON_Parse(text);
	if (!j)
		return vmctl_errorf(err, EINVAL, "corrupt image description");
	int r = 0;
	const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(j, "config");
	img->repo = json_str(j, "repo");
	img->tag = json_str(j, "tag");
	const cJSON *created = cJSON_GetObjectItemCaseSensitive(j, "created");
	img->created = cJSON_IsNumber(created) ? (int64_t)created->valuedouble : 0;
	const cJSON *size = cJSON_GetObjectItemCaseSensitive(j, "size");
	img->size = cJSON_IsNumber(size) ? (uint64_t)size->valuedouble : 0;
	if (json_strv(cJSON_GetObjectItemCaseSensitive(j, "layers"), &img->layer_ids) < 0 ||
	    !img->layer_ids || !img->repo || !img->tag)
		r = vmctl_errorf(err, EINVAL, "corrupt image description");
	if (r == 0 && cfg &&
	    (json_strv(cJSON_GetObjectItemCaseSensitive(cfg, "Env"), &img->env) < 0 ||
	     json_strv(cJSON_GetObjectItemCaseSensitive(cfg, "Cmd"), &img->cmd) < 0 ||
	     json_strv(cJSON_GetObjectItemCaseSensitive(cfg, "Entrypoint"),
		       &img->entrypoint) < 0))
		r = vmctl_errorf(err, EINVAL, "corrupt image config");
	if (r == 0 && cfg) {
		img->workdir = json_str(cfg, "WorkingDir");
		img->user = json_str(cfg, "User");
	}
	cJSON_Delete(j);
	if (r < 0)
		return r;

	img->n_layers = strv_len(img->layer_ids);
	img->layer_dirs = calloc(img->n_layers + 1, sizeof(char *));
	if (!img->layer_dirs)
		return vmctl_error(err, ENOMEM, "loading image");
	for (size_t i = 0; i < img->n_layers; i++) {
		char path[PATH_MAX];
		const char *id = img->layer_ids[img->n_layers - 1 - i];
		if (strchr(id, '/') || xsnprintf(path, sizeof(path), "%s/layers/%s",
						 root, id) < 0)
			return vmctl_errorf(err, EINVAL, "corrupt layer id '%s'", id);
		img->layer_dirs[i] = strdup(path);
		if (!img->layer_dirs[i])
			return vmctl_error(err, ENOMEM, "loading image");
	}
	return 0;
}

static int image_load_file(const char *root, const char *path, struct image *img,
			   struct vmctl_err *err)
{
	cleanup_free char *text = NULL;
	int r = read_file(path, &text, NULL);
	if (r < 0)
		return r;
	char hex[SHA256_HEX_LEN + 1];
	memset(img, 0, sizeof(*img));
	r = image_from_json(root, text, img, err);
	if (r == 0 && sha256_hex(text, strlen(text), hex) == 0 &&
	    asprintf(&img->id, "sha256:%s", hex) < 0)
		img->id = NULL;
	if (r < 0)
		image_free(img);
	return r;
}

int image_open(const char *root, const char *refstr, struct image *img,
	       struct vmctl_err *err)
{
	struct image_ref ref;
	int r = image_ref_parse(refstr, &ref, err);
	if (r < 0)
		return r;
	char path[PATH_MAX];
	if (xsnprintf(path, sizeof(path), "%s/images/%s/%s.json", root, ref.repo,
		      ref.tag) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "image name too long");
	r = image_load_file(root, path, img, err);
	if (r == -ENOENT)
		return vmctl_errorf(err, ENOENT,
				    "unable to find image '%s:%s' (see `vmctl images`)",
				    ref.repo, ref.tag);
	if (r < 0 && err->msg[0] == '\0')
		return vmctl_error(err, r, "reading %s", path);
	return r;
}

struct list_walk {
	const char *root;
	int (*fn)(const struct image *, void *);
	void *ctx;
	struct vmctl_err *err;
};

/* Repositories may contain '/', so the images/ tree is walked recursively;
 * every *.json file is one tag. */
static int list_dir(struct list_walk *w, const char *dir, int depth)
{
	if (depth > 8)
		return 0;
	cleanup_closedir DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : vmctl_error(w->err, errno, "opening %s", dir);
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char path[PATH_MAX];
		if (xsnprintf(path, sizeof(path), "%s/%s", dir, de->d_name) < 0)
			continue;
		size_t len = strlen(de->d_name);
		if (de->d_type == DT_DIR) {
			int r = list_dir(w, path, depth + 1);
			if (r != 0)
				return r;
		} else if (len > 5 && !strcmp(de->d_name + len - 5, ".json")) {
			struct image img;
			struct vmctl_err ignored = {0};
			if (image_load_file(w->root, path, &img, &ignored) < 0)
				continue; /* a half-written or foreign file */
			int r = w->fn(&img, w->ctx);
			image_free(&img);
			if (r != 0)
				return r;
		}
	}
	return 0;
}

int image_list(const char *root, int (*fn)(const struct image *, void *),
	       void *ctx, struct vmctl_err *err)
{
	char dir[PATH_MAX];
	if (xsnprintf(dir, sizeof(dir), "%s/images", root) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "root path too long");
	struct list_walk w = {root, fn, ctx, err};
	return list_dir(&w, dir, 0);
}

char **image_resolve_argv(const struct image *img, char *const *cmd_override,
			  struct vmctl_err *err)
{
	char *const *cmd = (cmd_override && cmd_override[0]) ? cmd_override : img->cmd;
	if (strv_len(img->entrypoint) + strv_len(cmd) == 0) {
		vmctl_errorf(err, EINVAL, "no command specified and image '%s:%s' has no default command",
			     img->repo ? img->repo : "?", img->tag ? img->tag : "?");
		return NULL;
	}
	char **argv = calloc(1, sizeof(*argv));
	for (size_t i = 0; argv && img->entrypoint && img->entrypoint[i]; i++)
		if (strv_push(&argv, img->entrypoint[i]) < 0)
			goto oom;
	for (size_t i = 0; argv && cmd && cmd[i]; i++)
		if (strv_push(&argv, cmd[i]) < 0)
			goto oom;
	if (argv)
		return argv;
oom:
	strv_free(argv);
	vmctl_error(err, ENOMEM, "building the command line");
	return NULL;
}

/* Index of the entry for key (the part before '=') in v, or -1. */
static long env_find(char *const *v, const char *kv)
{
	size_t klen = strcspn(kv, "=");
	for (long i = 0; v && v[i]; i++)
		if (!strncmp(v[i], kv, klen) && (v[i][klen] == '=' || v[i][klen] == '\0'))
			return i;
	return -1;
}

static int env_set(char ***v, const char *kv)
{
	long i = env_find(*v, kv);
	if (i < 0)
		return strv_push(v, kv);
	char *copy = strdup(kv);
	if (!copy)
		return -ENOMEM;
	free((*v)[i]);
	(*v)[i] = copy;
	return 0;
}

char **image_merge_env(char *const *image_env, char *const *overrides,
		       const char *hostname)
{
	char **env = calloc(1, sizeof(*env));
	if (!env)
		return NULL;
	int r = 0;
	if (env_find(image_env, "PATH") < 0 && env_find(overrides, "PATH") < 0)
		r = strv_push(&env, DEFAULT_PATH);
	if (r == 0 && hostname) {
		cleanup_free char *h = NULL;
		r = asprintf(&h, "HOSTNAME=%s", hostname) < 0 ? -ENOMEM
							       : strv_push(&env, h);
	}
	for (size_t i = 0; r == 0 && image_env && image_env[i]; i++)
		r = env_set(&env, image_env[i]);
	for (size_t i = 0; r == 0 && overrides && overrides[i]; i++)
		r = env_set(&env, overrides[i]);
	if (r == 0 && env_find(env, "HOME") < 0)
		r = strv_push(&env, "HOME=/root");
	if (r < 0) {
		strv_free(env);
		return NULL;
	}
	return env;
}
