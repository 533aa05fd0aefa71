/* oci.c - OCI manifests, configs and indexes as JSON (pure; cJSON). */
#include "oci.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/cleanup.h"
#include "common/strv.h"

bool oci_digest_valid(const char *digest)
{
	if (!digest || strncmp(digest, "sha256:", 7) ||
	    strlen(digest) != OCI_DIGEST_LEN)
		return false;
	for (const char *p = digest + 7; *p; p++)
		if (!isdigit((unsigned char)*p) && !(*p >= 'a' && *p <= 'f'))
			return false;
	return true;
}

int oci_layer_media_type(const char *mt, bool *compressed)
{
	static const struct {
		const char *type;
		bool compressed;
	} known[] = {
	    {OCI_MT_LAYER, false},	  {OCI_MT_LAYER_GZIP, true},
	    {OCI_MT_LAYER_ZSTD, true},	  {DOCKER_MT_LAYER, false},
	    {DOCKER_MT_LAYER_GZIP, true},
	};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (mt && !strcmp(mt, known[i].type)) {
			*compressed = known[i].compressed;
			return 0;
		}
	return -ENOTSUP;
}

static const cJSON *get(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

static char *get_str(const cJSON *o, const char *key)
{
	const cJSON *it = get(o, key);
	return cJSON_IsString(it) && *it->valuestring ? strdup(it->valuestring)
						      : NULL;
}

/* A JSON array of strings to a vector: NULL when absent or null. */
static int get_strv(const cJSON *o, const char *key, char ***out)
{
	const cJSON *arr = get(o, key), *it;
	*out = NULL;
	if (!arr || cJSON_IsNull(arr))
		return 0;
	if (!cJSON_IsArray(arr))
		return -EINVAL;
	char **v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
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

static int descriptor_parse(const cJSON *o, struct oci_descriptor *d)
{
	const cJSON *mt = get(o, "mediaType"), *dg = get(o, "digest"),
		    *sz = get(o, "size");
	if (!cJSON_IsString(dg) || !oci_digest_valid(dg->valuestring) ||
	    !cJSON_IsNumber(sz) || sz->valuedouble < 0)
		return -EINVAL;
	snprintf(d->media_type, sizeof(d->media_type), "%s",
		 cJSON_IsString(mt) ? mt->valuestring : "");
	snprintf(d->digest, sizeof(d->digest), "%s", dg->valuestring);
	d->size = (int64_t)sz->valuedouble;
	return 0;
}

static cJSON *descriptor_json(const struct oci_descriptor *d)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "mediaType", d->media_type);
	cJSON_AddStringToObject(o, "digest", d->digest);
	cJSON_AddNumberToObject(o, "size", (double)d->size);
	return o;
}

int oci_manifest_parse(const char *json, struct oci_manifest *m,
		       struct vmctl_err *err)
{
	memset(m, 0, sizeof(*m));
	cJSON *j = cJSON_Parse(json);
	if (!j)
		return vmctl_errorf(err, EINVAL, "image manifest is not JSON");
	int r = 0;
	const cJSON *mt = get(j, "mediaType"), *sv = get(j, "schemaVersion"),
		    *layers = get(j, "layers"), *it;
	if (cJSON_IsString(mt) && strcmp(mt->valuestring, OCI_MT_MANIFEST) &&
	    strcmp(mt->valuestring, DOCKER_MT_MANIFEST))
		r = vmctl_errorf(err, ENOTSUP, "unsupported manifest type %s",
				 mt->valuestring);
	else if (!cJSON_IsNumber(sv) || sv->valueint != 2)
		r = vmctl_errorf(err, ENOTSUP,
				 "unsupported manifest schemaVersion");
	else if (descriptor_parse(get(j, "config"), &m->config) < 0)
		r = vmctl_errorf(err, EINVAL,
				 "manifest has no valid config descriptor");
	else if (!cJSON_IsArray(layers) ||
		 cJSON_GetArraySize(layers) > OCI_MAX_LAYERS)
		r = vmctl_errorf(err, EINVAL,
				 "manifest layers missing or too many");
	if (r == 0) {
		m->layers = calloc((size_t)cJSON_GetArraySize(layers) + 1,
				   sizeof(*m->layers));
		if (!m->layers)
			r = vmctl_error(err, ENOMEM, "parsing the manifest");
	}
	if (r == 0) {
		cJSON_ArrayForEach(it, layers)
		{
			if (descriptor_parse(it, &m->layers[m->n_layers]) < 0) {
				r = vmctl_errorf(
				    err, EINVAL,
				    "manifest layer %zu: invalid descriptor",
				    m->n_layers);
				break;
			}
			m->n_layers++;
		}
	}
	cJSON_Delete(j);
	if (r < 0)
		oci_manifest_free(m);
	return r;
}

void oci_manifest_free(struct oci_manifest *m)
{
	free(m->layers);
	memset(m, 0, sizeof(*m));
}

char *oci_manifest_build(const struct oci_descriptor *config,
			 const struct oci_descriptor *layers, size_t n)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "schemaVersion", 2);
	cJSON_AddStringToObject(j, "mediaType", OCI_MT_MANIFEST);
	cJSON_AddItemToObject(j, "config", descriptor_json(config));
	cJSON *arr = cJSON_AddArrayToObject(j, "layers");
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, descriptor_json(&layers[i]));
	char *s = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return s;
}

/* timegm() without glibc's time-zone initialisation (days from the civil
 * calendar, Howard Hinnant's algorithm). */
static int64_t utc_seconds(const struct tm *tm)
{
	int64_t y = tm->tm_year + 1900, m = tm->tm_mon + 1, d = tm->tm_mday;
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	int64_t days = era * 146097 + doe - 719468;
	return days * 86400 + tm->tm_hour * 3600 + tm->tm_min * 60 + tm->tm_sec;
}

int64_t oci_time_parse(const char *s)
{
	struct tm tm = {0};
	int used = 0;
	/* sscanf, not strptime: strptime loads the time zone (/etc/localtime)
	 * on every run, and these times are UTC by definition. */
	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
			 &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &used) != 6 || used != 19)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	const char *end = s + used;
	if (*end == '.')
		for (end++; isdigit((unsigned char)*end); end++)
			;
	long offset = 0;
	if (*end == '+' || *end == '-') {
		int hh, mm;
		if (sscanf(end + 1, "%2d:%2d", &hh, &mm) != 2)
			return -1;
		offset = (hh * 3600L + mm * 60L) * (*end == '-' ? -1 : 1);
		end += 6;
	} else if (*end == 'Z') {
		end++;
	}
	if (*end)
		return -1;
	return utc_seconds(&tm) - offset;
}

void oci_time_format(int64_t t, char *buf, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || !strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, n, "1970-01-01T00:00:00Z");
}

static int history_parse(const cJSON *arr, struct oci_config *c)
{
	if (!arr || cJSON_IsNull(arr))
		return 0;
	if (!cJSON_IsArray(arr))
		return -EINVAL;
	c->history =
	    calloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(*c->history));
	if (!c->history)
		return -ENOMEM;
	const cJSON *it;
	cJSON_ArrayForEach(it, arr)
	{
		struct oci_history *h = &c->history[c->n_history++];
		h->created = get_str(it, "created");
		h->created_by = get_str(it, "created_by");
		h->comment = get_str(it, "comment");
		h->empty_layer = cJSON_IsTrue(get(it, "empty_layer"));
	}
	return 0;
}

int oci_config_parse(const char *json, struct oci_config *c,
		     struct vmctl_err *err)
{
	memset(c, 0, sizeof(*c));
	cJSON *j = cJSON_Parse(json);
	if (!j)
		return vmctl_errorf(err, EINVAL, "image config is not JSON");
	const cJSON *cfg = get(j, "config"); /* optional as a whole */
	const cJSON *rootfs = get(j, "rootfs");
	int r = 0;
	if (get_strv(cfg, "Env", &c->env) < 0 ||
	    get_strv(cfg, "Cmd", &c->cmd) < 0 ||
	    get_strv(cfg, "Entrypoint", &c->entrypoint) < 0 ||
	    get_strv(rootfs, "diff_ids", &c->diff_ids) < 0 || !c->diff_ids ||
	    history_parse(get(j, "history"), c) < 0)
		r = vmctl_errorf(err, EINVAL,
				 "image config: malformed Env, Cmd, "
				 "Entrypoint, rootfs or history");
	c->n_diff_ids = strv_len(c->diff_ids);
	for (size_t i = 0; r == 0 && i < c->n_diff_ids; i++)
		if (!oci_digest_valid(c->diff_ids[i]))
			r = vmctl_errorf(err, EINVAL,
					 "image config: invalid diff_id '%s'",
					 c->diff_ids[i]);
	c->workdir = get_str(cfg, "WorkingDir");
	c->user = get_str(cfg, "User");
	c->architecture = get_str(j, "architecture");
	c->os = get_str(j, "os");
	const cJSON *created = get(j, "created");
	int64_t t =
	    cJSON_IsString(created) ? oci_time_parse(created->valuestring) : 0;
	c->created = t > 0 ? t : 0;
	cJSON_Delete(j);
	if (r < 0)
		oci_config_free(c);
	return r;
}

void oci_config_free(struct oci_config *c)
{
	strv_free(c->env);
	strv_free(c->cmd);
	strv_free(c->entrypoint);
	strv_free(c->diff_ids);
	free(c->workdir);
	free(c->user);
	free(c->architecture);
	free(c->os);
	for (size_t i = 0; i < c->n_history; i++) {
		free(c->history[i].created);
		free(c->history[i].created_by);
		free(c->history[i].comment);
	}
	free(c->history);
	memset(c, 0, sizeof(*c));
}

static char *platform_string(const cJSON *p)
{
	const cJSON *os = get(p, "os"), *arch = get(p, "architecture");
	char *s = NULL;
	if (cJSON_IsString(os) && cJSON_IsString(arch) &&
	    asprintf(&s, "%s/%s", os->valuestring, arch->valuestring) < 0)
		s = NULL;
	return s;
}

int oci_index_parse(const char *json, struct oci_index *idx,
		    struct vmctl_err *err)
{
	memset(idx, 0, sizeof(*idx));
	cJSON *j = cJSON_Parse(json);
	const cJSON *arr = j ? get(j, "manifests") : NULL, *it;
	if (!cJSON_IsArray(arr)) {
		cJSON_Delete(j);
		return vmctl_errorf(err, EINVAL,
				    "index.json: no manifests array");
	}
	int r = 0;
	cJSON_ArrayForEach(it, arr)
	{
		struct oci_descriptor d;
		if (descriptor_parse(it, &d) < 0) {
			r = vmctl_errorf(err, EINVAL,
					 "index.json: invalid descriptor");
			break;
		}
		const cJSON *ann = get(it, "annotations");
		cleanup_free char *name = get_str(ann, OCI_REF_NAME);
		cleanup_free char *full = get_str(ann, OCI_IMAGE_NAME);
		analyzer_cleanup(name);
		analyzer_cleanup(full);
		r = oci_index_add(idx, &d, name, full);
		if (r == 0)
			idx->v[idx->n - 1].platform =
			    platform_string(get(it, "platform"));
		if (r < 0) {
			vmctl_error(err, r, "index.json");
			break;
		}
	}
	cJSON_Delete(j);
	if (r < 0)
		oci_index_free(idx);
	return r;
}

char *oci_index_build(const struct oci_index *idx)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "schemaVersion", 2);
	cJSON_AddStringToObject(j, "mediaType", OCI_MT_INDEX);
	cJSON *arr = cJSON_AddArrayToObject(j, "manifests");
	for (size_t i = 0; i < idx->n; i++) {
		const struct oci_index_entry *e = &idx->v[i];
		cJSON *d = descriptor_json(&e->manifest);
		if (e->name || e->fullname) {
			cJSON *ann = cJSON_AddObjectToObject(d, "annotations");
			if (e->fullname)
				cJSON_AddStringToObject(ann, OCI_IMAGE_NAME,
							e->fullname);
			if (e->name)
				cJSON_AddStringToObject(ann, OCI_REF_NAME,
							e->name);
		}
		cJSON_AddItemToArray(arr, d);
	}
	char *s = cJSON_Print(j);
	cJSON_Delete(j);
	return s;
}

static void entry_free(struct oci_index_entry *e)
{
	free(e->name);
	free(e->fullname);
	free(e->platform);
}

void oci_index_free(struct oci_index *idx)
{
	for (size_t i = 0; i < idx->n; i++)
		entry_free(&idx->v[i]);
	free(idx->v);
	memset(idx, 0, sizeof(*idx));
}

int oci_index_add(struct oci_index *idx, const struct oci_descriptor *manifest,
		  const char *name, const char *fullname)
{
	struct oci_index_entry *v = realloc(idx->v, (idx->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	idx->v = v;
	struct oci_index_entry *e = &v[idx->n];
	memset(e, 0, sizeof(*e));
	e->manifest = *manifest;
	e->name = name ? strdup(name) : NULL;
	e->fullname = fullname ? strdup(fullname) : NULL;
	if ((name && !e->name) || (fullname && !e->fullname)) {
		entry_free(e);
		return -ENOMEM;
	}
	idx->n++;
	return 0;
}

void oci_index_remove(struct oci_index *idx, size_t i)
{
	if (i >= idx->n)
		return;
	entry_free(&idx->v[i]);
	memmove(&idx->v[i], &idx->v[i + 1],
		(idx->n - i - 1) * sizeof(idx->v[0]));
	idx->n--;
}
