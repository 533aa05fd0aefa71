/* registry_parse.c - pure helpers of the registry client (see registry.h). */
#include "registry.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "store.h"

static bool looks_like_host(const char *s, size_t len)
{
	if (len == 9 && strncmp(s, "localhost", 9) == 0)
		return true;
	return memchr(s, '.', len) || memchr(s, ':', len);
}

bool registry_host_is_loopback(const char *host)
{
	char h[256];
	const char *scheme = strstr(host, "://");
	if (scheme)
		host = scheme + 3;
	size_t len = strcspn(host, "/");
	if (host[0] == '[') { /* [v6]:port */
		const char *close = memchr(host, ']', len);
		if (!close)
			return false;
		host++;
		len = (size_t)(close - host);
	} else {
		const char *colon = memchr(host, ':', len);
		if (colon)
			len = (size_t)(colon - host);
	}
	if (!len || len >= sizeof(h))
		return false;
	memcpy(h, host, len);
	h[len] = '\0';
	struct in_addr a4;
	struct in6_addr a6;
	if (!strcasecmp(h, "localhost"))
		return true;
	if (inet_pton(AF_INET, h, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return inet_pton(AF_INET6, h, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

int registry_ref_parse(const char *s, struct registry_ref *ref,
		       struct vmctl_err *err)
{
	struct image_ref ir;
	int r = image_ref_parse(s, &ir, err);
	if (r < 0)
		return r;
	memset(ref, 0, sizeof(*ref));
	const char *slash = strchr(ir.repo, '/');
	const char *repo = ir.repo;
	if (slash && looks_like_host(ir.repo, (size_t)(slash - ir.repo))) {
		snprintf(ref->host, sizeof(ref->host), "%.*s",
			 (int)(slash - ir.repo), ir.repo);
		repo = slash + 1;
	} else {
		snprintf(ref->host, sizeof(ref->host), "%s",
			 REGISTRY_DEFAULT_HOST);
	}
	/* Docker Hub's official images live under library/. */
	bool hub = strcmp(ref->host, REGISTRY_DEFAULT_HOST) == 0;
	int n = snprintf(ref->repo, sizeof(ref->repo), "%s%s",
			 hub && !strchr(repo, '/') ? "library/" : "", repo);
	if (n < 0 || (size_t)n >= sizeof(ref->repo))
		return vmctl_errorf(err, ENAMETOOLONG,
				    "repository name too long: '%s'", s);
	if (!*repo)
		return vmctl_errorf(err, EINVAL, "no repository in '%s'", s);
	snprintf(ref->tag, sizeof(ref->tag), "%s", ir.tag);
	snprintf(ref->digest, sizeof(ref->digest), "%s", ir.digest);
	return 0;
}

static int fit(int n, size_t size)
{
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int registry_url(char *buf, size_t n, bool insecure, const char *host,
		 const char *repo, const char *kind, const char *ref)
{
	const char *scheme = insecure ? "http" : "https";
	if (!ref)
		return fit(snprintf(buf, n, "%s://%s/v2/%s/blobs/uploads/",
				    scheme, host, repo),
			   n);
	return fit(snprintf(buf, n, "%s://%s/v2/%s/%s/%s", scheme, host, repo,
			    kind, ref),
		   n);
}

int registry_upload_url(char *buf, size_t n, bool insecure, const char *host,
			const char *location, const char *digest)
{
	int len;
	if (strstr(location, "://"))
		len = snprintf(buf, n, "%s", location);
	else
		len = snprintf(buf, n, "%s://%s%s%s",
			       insecure ? "http" : "https", host,
			       location[0] == '/' ? "" : "/", location);
	if (fit(len, n))
		return -ENAMETOOLONG;
	if (!digest)
		return 0;
	const char *sep = strchr(buf, '?') ? "&" : "?";
	return fit(snprintf(buf + len, n - (size_t)len, "%sdigest=%s", sep,
			    digest),
		   n - (size_t)len);
}

/* Reads one key=value pair at *p (value quoted or bare) into key/val. */
static bool next_param(const char **p, char *key, size_t kn, char *val,
		       size_t vn)
{
	const char *s = *p;
	while (*s == ' ' || *s == ',' || *s == '\t')
		s++;
	if (!*s)
		return false;
	size_t k = 0;
	while (*s && *s != '=' && *s != ',' && *s != ' ') {
		if (k + 1 < kn)
			key[k++] = (char)tolower((unsigned char)*s);
		s++;
	}
	key[k] = 0;
	size_t v = 0;
	if (*s == '=') {
		s++;
		if (*s == '"') {
			for (s++; *s && *s != '"'; s++) {
				if (*s == '\\' && s[1])
					s++;
				if (v + 1 < vn)
					val[v++] = *s;
			}
			if (*s == '"')
				s++;
		} else {
			for (; *s && *s != ',' && *s != ' '; s++)
				if (v + 1 < vn)
					val[v++] = *s;
		}
	}
	val[v] = 0;
	*p = s;
	return true;
}

int www_auth_parse(const char *header, struct www_auth *a,
		   struct vmctl_err *err)
{
	memset(a, 0, sizeof(*a));
	while (*header == ' ')
		header++;
	if (strncasecmp(header, "Bearer ", 7) == 0)
		a->scheme = AUTH_BEARER;
	else if (strncasecmp(header, "Basic", 5) == 0 &&
		 (header[5] == ' ' || !header[5]))
		a->scheme = AUTH_BASIC;
	else
		return vmctl_errorf(err, EINVAL,
				    "unsupported authentication challenge '%s'",
				    header);
	const char *p = strchr(header, ' ');
	char key[32], val[512];
	while (p && next_param(&p, key, sizeof(key), val, sizeof(val))) {
		if (strcmp(key, "realm") == 0)
			snprintf(a->realm, sizeof(a->realm), "%s", val);
		else if (strcmp(key, "service") == 0)
			snprintf(a->service, sizeof(a->service), "%s", val);
		else if (strcmp(key, "scope") == 0)
			snprintf(a->scope, sizeof(a->scope), "%s", val);
	}
	if (a->scheme == AUTH_BEARER && !a->realm[0])
		return vmctl_errorf(err, EINVAL,
				    "Bearer challenge without realm: '%s'",
				    header);
	return 0;
}

/* Appends s percent-encoded (RFC 3986 unreserved kept) at buf+*len. */
static int append_escaped(char *buf, size_t n, size_t *len, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		bool keep = isalnum(c) || strchr("-._~", c);
		if (*len + (keep ? 1 : 3) >= n)
			return -ENAMETOOLONG;
		*len += (size_t)sprintf(buf + *len, keep ? "%c" : "%%%02X", c);
	}
	return 0;
}

int registry_token_url(char *buf, size_t n, const struct www_auth *a)
{
	int r = fit(snprintf(buf, n, "%s", a->realm), n);
	if (r < 0)
		return r;
	size_t len = strlen(buf);
	char sep = strchr(buf, '?') ? '&' : '?';
	const char *keys[] = {"service", "scope"};
	const char *vals[] = {a->service, a->scope};
	for (int i = 0; i < 2; i++) {
		if (!vals[i][0])
			continue;
		r = fit(snprintf(buf + len, n - len, "%c%s=", sep, keys[i]),
			n - len);
		if (r < 0)
			return r;
		len = strlen(buf);
		r = append_escaped(buf, n, &len, vals[i]);
		if (r < 0)
			return r;
		sep = '&';
	}
	return 0;
}

static enum manifest_kind kind_of_type(const char *t, size_t len)
{
	static const struct {
		const char *type;
		enum manifest_kind kind;
	} known[] = {
	    {MT_OCI_MANIFEST, MANIFEST_IMAGE},
	    {MT_DOCKER_MANIFEST, MANIFEST_IMAGE},
	    {MT_OCI_INDEX, MANIFEST_INDEX},
	    {MT_DOCKER_LIST, MANIFEST_INDEX},
	};
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strlen(known[i].type) == len &&
		    strncasecmp(known[i].type, t, len) == 0)
			return known[i].kind;
	return MANIFEST_UNSUPPORTED;
}

enum manifest_kind registry_manifest_kind(const char *content_type,
					  const char *json)
{
	if (content_type && *content_type) {
		size_t len = strcspn(content_type, "; ");
		enum manifest_kind k = kind_of_type(content_type, len);
		if (k != MANIFEST_UNSUPPORTED)
			return k;
	}
	/* Registries may answer application/json or nothing: the OCI spec
	 * makes mediaType optional, so fall back to the document's shape. */
	cJSON *doc = json ? cJSON_Parse(json) : NULL;
	enum manifest_kind k = MANIFEST_UNSUPPORTED;
	const cJSON *mt = cJSON_GetObjectItemCaseSensitive(doc, "mediaType");
	if (cJSON_IsString(mt))
		k = kind_of_type(mt->valuestring, strlen(mt->valuestring));
	else if (cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(doc, "manifests")))
		k = MANIFEST_INDEX;
	else if (cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(doc, "layers")))
		k = MANIFEST_IMAGE;
	cJSON_Delete(doc);
	return k;
}

static const char *str_item(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : "";
}

int registry_pick_platform(const char *index_json, const char *os,
			   const char *arch, char digest[72],
			   struct vmctl_err *err)
{
	cJSON *doc = cJSON_Parse(index_json);
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(doc, "manifests");
	if (!cJSON_IsArray(list)) {
		cJSON_Delete(doc);
		return vmctl_errorf(err, EINVAL,
				    "malformed image index: no manifests");
	}
	char offered[256] = "";
	const cJSON *m;
	cJSON_ArrayForEach(m, list)
	{
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(m, "platform");
		const char *mos = str_item(p, "os"), *march = str_item(p, "architecture");
		if (strcmp(mos, os) == 0 && strcmp(march, arch) == 0 &&
		    strncmp(str_item(m, "digest"), "sha256:", 7) == 0) {
			snprintf(digest, 72, "%s", str_item(m, "digest"));
			cJSON_Delete(doc);
			return 0;
		}
		size_t used = strlen(offered);
		snprintf(offered + used, sizeof(offered) - used, "%s%s/%s",
			 used ? ", " : "", mos, march);
	}
	cJSON_Delete(doc);
	return vmctl_errorf(err, ENOENT,
			    "no %s/%s image in the index (offered: %s)", os,
			    arch, offered[0] ? offered : "none");
}

bool registry_header_value(const char *line, size_t len, const char *name,
			   char *val, size_t n)
{
	size_t nl = strlen(name);
	if (len <= nl || line[nl] != ':' || strncasecmp(line, name, nl) != 0)
		return false;
	const char *v = line + nl + 1, *end = line + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' ||
			   end[-1] == ' ' || end[-1] == '\t'))
		end--;
	snprintf(val, n, "%.*s", (int)(end - v), v);
	return true;
}

int registry_token_parse(const char *json, char *token, size_t n)
{
	cJSON *doc = cJSON_Parse(json ? json : "");
	const char *t = str_item(doc, "token");
	if (!*t)
		t = str_item(doc, "access_token");
	int r = *t ? fit(snprintf(token, n, "%s", t), n) : -EINVAL;
	cJSON_Delete(doc);
	return r;
}

void registry_error_message(const char *json, char *buf, size_t n)
{
	buf[0] = 0;
	cJSON *doc = json ? cJSON_Parse(json) : NULL;
	const cJSON *errs = cJSON_GetObjectItemCaseSensitive(doc, "errors");
	const cJSON *first = cJSON_IsArray(errs) ? cJSON_GetArrayItem(errs, 0) : NULL;
	if (first) {
		const char *code = str_item(first, "code");
		const char *msg = str_item(first, "message");
		snprintf(buf, n, "%s%s%s", code, *code && *msg ? ": " : "", msg);
	}
	cJSON_Delete(doc);
}

bool registry_use_chunks(uint64_t size, uint64_t chunk)
{
	return chunk > 0 && size > chunk;
}

uint64_t registry_next_chunk(uint64_t size, uint64_t chunk, uint64_t off)
{
	if (off >= size)
		return 0;
	uint64_t left = size - off;
	return chunk && left > chunk ? chunk : left;
}

int registry_content_range(char *buf, size_t n, uint64_t off, uint64_t len)
{
	if (len == 0)
		return -EINVAL;
	return fit(snprintf(buf, n, "%llu-%llu", (unsigned long long)off,
			    (unsigned long long)(off + len - 1)),
		   n);
}

int registry_sources_find(const char *json, const char *host,
			  const char *digest, const char *not_repo, char *repo,
			  size_t n)
{
	cJSON *doc = json ? cJSON_Parse(json) : NULL;
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(doc, host);
	const char *r = str_item(h, digest);
	int ret = -ENOENT;
	if (*r && strcmp(r, not_repo) != 0)
		ret = fit(snprintf(repo, n, "%s", r), n);
	cJSON_Delete(doc);
	return ret;
}

char *registry_sources_add(const char *json, const char *host,
			   const char *digest, const char *repo)
{
	cJSON *doc = json && *json ? cJSON_Parse(json) : cJSON_CreateObject();
	if (!cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		return NULL;
	}
	cJSON *h = cJSON_GetObjectItemCaseSensitive(doc, host);
	if (!cJSON_IsObject(h)) {
		cJSON_DeleteItemFromObjectCaseSensitive(doc, host);
		h = cJSON_AddObjectToObject(doc, host);
	}
	char *out = NULL;
	cJSON *v = cJSON_CreateString(repo);
	if (h && v) {
		cJSON_DeleteItemFromObjectCaseSensitive(h, digest);
		cJSON_AddItemToObject(h, digest, v);
		out = cJSON_PrintUnformatted(doc);
	} else {
		cJSON_Delete(v);
	}
	cJSON_Delete(doc);
	return out;
}
