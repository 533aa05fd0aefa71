/* registry_http.c - requests to a registry with authentication (see
 * registry_http.h). */
#include "registry_http.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Tokens of real registries are a few KB of JWT. */
#define TOKEN_MAX 16384
/* Answers kept in memory: manifests, tokens and error bodies. */
#define BODY_MAX (4u << 20)

int reg_session_open(struct reg_session *s, const char *name,
		     const struct registry_opts *o, struct vmctl_err *err)
{
	memset(s, 0, sizeof(*s));
	s->o = o;
	int r = registry_ref_parse(name, &s->ref, err);
	if (r < 0)
		return r;
	if (o->insecure && !registry_host_is_loopback(s->ref.host))
		return vmctl_errorf(err, EPERM,
				    "--insecure (plain HTTP) is for a registry on "
				    "loopback only, not %s",
				    s->ref.host);
	s->c = curl_dl(err);
	if (!s->c)
		return -err->code;
	s->h = s->c->curl_easy_init();
	if (!s->h)
		return vmctl_errorf(err, ENOMEM, "curl_easy_init failed");
	return 0;
}

void reg_session_close(struct reg_session *s)
{
	if (s->h)
		s->c->curl_easy_cleanup(s->h);
	s->h = NULL;
	free(s->bearer);
	s->bearer = NULL;
}

void reg_response_free(struct reg_response *r)
{
	free(r->body.data);
	r->body.data = NULL;
	r->body.len = 0;
}

static size_t buf_append(struct reg_buf *b, const char *p, size_t n)
{
	if (b->len + n > BODY_MAX)
		return 0;
	char *d = realloc(b->data, b->len + n + 1);
	if (!d)
		return 0;
	memcpy(d + b->len, p, n);
	b->data = d;
	b->len += n;
	d[b->len] = 0;
	return n;
}

/* The state of one attempt: the response being filled and where the
 * request body is read from. */
struct exchange {
	const struct reg_request *req;
	struct reg_response *resp;
	uint64_t sent;
	bool too_big; /* a 2xx answer kept in memory outgrew BODY_MAX */
};

static size_t on_header(char *p, size_t size, size_t nmemb, void *ctx)
{
	struct exchange *x = ctx;
	struct reg_response *r = x->resp;
	size_t n = size * nmemb;
	/* A new status line (after a redirect or a 100 Continue) starts a new
	 * answer: only the last one's headers count. */
	if (n > 5 && strncmp(p, "HTTP/", 5) == 0) {
		const char *sp = memchr(p, ' ', n);
		r->status = sp ? strtol(sp + 1, NULL, 10) : 0;
		r->location[0] = r->digest[0] = r->content_type[0] = 0;
		r->www_auth[0] = 0;
		return n;
	}
	if (!registry_header_value(p, n, "Location", r->location,
				   sizeof(r->location)) &&
	    !registry_header_value(p, n, "Docker-Content-Digest", r->digest,
				   sizeof(r->digest)) &&
	    !registry_header_value(p, n, "Content-Type", r->content_type,
				   sizeof(r->content_type)))
		registry_header_value(p, n, "WWW-Authenticate", r->www_auth,
				      sizeof(r->www_auth));
	return n;
}

static size_t on_body(char *p, size_t size, size_t nmemb, void *ctx)
{
	struct exchange *x = ctx;
	size_t n = size * nmemb;
	bool ok = x->resp->status >= 200 && x->resp->status < 300;
	if (ok && x->req->sink)
		return x->req->sink(p, size, nmemb, x->req->sink_ctx);
	/* Error bodies only matter for their message: keep the start. */
	if (!ok && x->resp->body.len > 65536)
		return n;
	size_t kept = buf_append(&x->resp->body, p, n);
	x->too_big = kept == 0 && n > 0;
	return kept;
}

static size_t on_read(char *p, size_t size, size_t nmemb, void *ctx)
{
	struct exchange *x = ctx;
	const struct reg_request *q = x->req;
	size_t want = size * nmemb;
	uint64_t left = q->body_len - x->sent;
	if (want > left)
		want = (size_t)left;
	if (want == 0)
		return 0;
	if (q->body_fd >= 0) {
		ssize_t got =
		    pread(q->body_fd, p, want, (off_t)(q->body_off + x->sent));
		if (got <= 0)
			return CURL_READFUNC_ABORT;
		want = (size_t)got;
	} else {
		memcpy(p, (const char *)q->body + x->sent, want);
	}
	x->sent += want;
	if (q->sent)
		q->sent(q->sent_ctx, want);
	return want;
}

static void set_body(struct reg_session *s, const struct reg_request *q,
		     struct exchange *x)
{
	const struct curl_api *c = s->c;
	bool has_body = q->body || q->body_fd >= 0;
	if (strcmp(q->method, "HEAD") == 0) {
		c->curl_easy_setopt(s->h, CURLOPT_NOBODY, 1L);
	} else if (strcmp(q->method, "GET") == 0) {
		c->curl_easy_setopt(s->h, CURLOPT_HTTPGET, 1L);
	} else if (strcmp(q->method, "POST") == 0 && !has_body) {
		c->curl_easy_setopt(s->h, CURLOPT_POST, 1L);
		c->curl_easy_setopt(s->h, CURLOPT_POSTFIELDS, "");
		c->curl_easy_setopt(s->h, CURLOPT_POSTFIELDSIZE, 0L);
	} else {
		/* PUT and PATCH: an upload whose verb is set by name. */
		c->curl_easy_setopt(s->h, CURLOPT_UPLOAD, 1L);
		c->curl_easy_setopt(s->h, CURLOPT_CUSTOMREQUEST, q->method);
		c->curl_easy_setopt(s->h, CURLOPT_READFUNCTION, on_read);
		c->curl_easy_setopt(s->h, CURLOPT_READDATA, x);
		c->curl_easy_setopt(s->h, CURLOPT_INFILESIZE_LARGE,
				    (curl_off_t)(has_body ? q->body_len : 0));
	}
}

static struct curl_slist *request_headers(struct reg_session *s,
					  const struct reg_request *q)
{
	const struct curl_api *c = s->c;
	struct curl_slist *l = NULL;
	char line[256];
	/* No "Expect: 100-continue" round trip before each upload. */
	l = c->curl_slist_append(l, "Expect:");
	if (l && q->accept)
		l = c->curl_slist_append(l, q->accept);
	if (l && q->content_type) {
		snprintf(line, sizeof(line), "Content-Type: %s",
			 q->content_type);
		l = c->curl_slist_append(l, line);
	}
	if (l && q->content_range) {
		snprintf(line, sizeof(line), "Content-Range: %s",
			 q->content_range);
		l = c->curl_slist_append(l, line);
	}
	if (l && s->bearer)
		l = c->curl_slist_append(l, s->bearer);
	return l;
}

static void set_basic_auth(struct reg_session *s, const char *user,
			   const char *password)
{
	s->c->curl_easy_setopt(s->h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	s->c->curl_easy_setopt(s->h, CURLOPT_USERNAME, user);
	s->c->curl_easy_setopt(s->h, CURLOPT_PASSWORD, password);
	/* Never to a host a redirect leads to (blob storage, say). */
	s->c->curl_easy_setopt(s->h, CURLOPT_UNRESTRICTED_AUTH, 0L);
}

static int perform_once(struct reg_session *s, const struct reg_request *q,
			struct reg_response *resp, struct vmctl_err *err)
{
	const struct curl_api *c = s->c;
	reg_response_free(resp);
	memset(resp, 0, sizeof(*resp));
	struct exchange x = {.req = q, .resp = resp};
	c->curl_easy_reset(s->h);
	c->curl_easy_setopt(s->h, CURLOPT_URL, q->url);
	c->curl_easy_setopt(s->h, CURLOPT_FOLLOWLOCATION, 1L);
	c->curl_easy_setopt(s->h, CURLOPT_MAXREDIRS, 5L);
	c->curl_easy_setopt(s->h, CURLOPT_PROTOCOLS_STR, "http,https");
	c->curl_easy_setopt(s->h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	c->curl_easy_setopt(s->h, CURLOPT_HEADERFUNCTION, on_header);
	c->curl_easy_setopt(s->h, CURLOPT_HEADERDATA, &x);
	c->curl_easy_setopt(s->h, CURLOPT_WRITEFUNCTION, on_body);
	c->curl_easy_setopt(s->h, CURLOPT_WRITEDATA, &x);
	c->curl_easy_setopt(s->h, CURLOPT_USERAGENT, "vmctl/" VMCTL_VERSION);
	c->curl_easy_setopt(s->h, CURLOPT_CONNECTTIMEOUT, 30L);
	/* A stalled transfer (under 1 byte/s for a minute) is an error,
	 * not a hang. */
	c->curl_easy_setopt(s->h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	c->curl_easy_setopt(s->h, CURLOPT_LOW_SPEED_TIME, 60L);
	if (s->auth == AUTH_BASIC)
		set_basic_auth(s, s->o->user, s->o->password);
	set_body(s, q, &x);
	struct curl_slist *hdr = request_headers(s, q);
	if (!hdr)
		return vmctl_errorf(err, ENOMEM, "curl_slist_append failed");
	c->curl_easy_setopt(s->h, CURLOPT_HTTPHEADER, hdr);
	CURLcode rc = c->curl_easy_perform(s->h);
	c->curl_slist_free_all(hdr);
	if (rc == CURLE_WRITE_ERROR && err->code)
		return -err->code; /* the sink's own error */
	if (rc == CURLE_WRITE_ERROR && x.too_big)
		return vmctl_errorf(err, EFBIG,
				    "%s %s: answer larger than %u MiB",
				    q->method, q->url, BODY_MAX >> 20);
	if (rc != CURLE_OK)
		return vmctl_errorf(err, EIO, "%s %s: %s", q->method, q->url,
				    c->curl_easy_strerror(rc));
	c->curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &resp->status);
	return 0;
}

static bool have_credentials(const struct reg_session *s)
{
	return s->o->user && s->o->password;
}

/* GETs a token from the challenge's realm (with the user's credentials
 * when given) and makes it the session's Authorization header. */
static int fetch_token(struct reg_session *s, const struct www_auth *a,
		       struct vmctl_err *err)
{
	char url[2048], token[TOKEN_MAX];
	if (registry_token_url(url, sizeof(url), a) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "token URL too long");
	if (strncmp(url, "https://", 8) != 0 &&
	    !(s->o->insecure && registry_host_is_loopback(url)))
		return vmctl_errorf(
		    err, EPERM,
		    "token realm %s is not https (--insecure allows "
		    "plain HTTP on loopback only)",
		    a->realm);
	struct reg_request q = {.method = "GET", .url = url, .body_fd = -1};
	struct reg_response resp = {0};
	/* The token request itself carries no old token, and Basic only
	 * when the user gave credentials. */
	free(s->bearer);
	s->bearer = NULL;
	enum registry_auth_scheme saved = s->auth;
	s->auth = have_credentials(s) ? AUTH_BASIC : AUTH_NONE;
	int r = perform_once(s, &q, &resp, err);
	s->auth = saved;
	if (r == 0 && resp.status == 401)
		r = vmctl_errorf(
		    err, EACCES, "token request to %s: 401 unauthorized (%s)",
		    a->realm,
		    have_credentials(s) ? "wrong username or password"
					: "credentials needed: --username and "
					  "--password-stdin");
	else if (r == 0 && resp.status != 200)
		r = vmctl_errorf(err, EIO, "token request to %s: HTTP %ld",
				 a->realm, resp.status);
	if (r == 0 &&
	    registry_token_parse(resp.body.data, token, sizeof(token)) < 0)
		r = vmctl_errorf(err, EBADMSG,
				 "token request to %s: no token in the answer",
				 a->realm);
	reg_response_free(&resp);
	if (r < 0)
		return r;
	if (asprintf(&s->bearer, "Authorization: Bearer %s", token) < 0) {
		s->bearer = NULL;
		return vmctl_errorf(err, ENOMEM, "out of memory");
	}
	return 0;
}

/* Decides how to answer a 401: 1 to retry, 0 to report it as it is. */
static int answer_challenge(struct reg_session *s, const char *challenge,
			    struct vmctl_err *err)
{
	struct www_auth a;
	if (!challenge[0] || www_auth_parse(challenge, &a, err) < 0)
		return 0;
	if (a.scheme == AUTH_BASIC) {
		if (!have_credentials(s) || s->auth == AUTH_BASIC)
			return 0;
		s->auth = AUTH_BASIC;
		return 1;
	}
	s->auth = AUTH_BEARER;
	int r = fetch_token(s, &a, err);
	return r < 0 ? r : 1;
}

int reg_request(struct reg_session *s, const struct reg_request *req,
		struct reg_response *resp, struct vmctl_err *err)
{
	int r = perform_once(s, req, resp, err);
	if (r < 0 || resp->status != 401)
		return r;
	r = answer_challenge(s, resp->www_auth, err);
	if (r <= 0)
		return r;
	return perform_once(s, req, resp, err);
}

int reg_status_error(const struct reg_session *s, const char *what,
		     const struct reg_response *resp, struct vmctl_err *err)
{
	char msg[512];
	registry_error_message(resp->body.data, msg, sizeof(msg));
	if (resp->status == 401) {
		const char *hint =
		    !have_credentials(s)
			? "the registry wants credentials: --username and "
			  "--password-stdin (or VMCTL_REGISTRY_USER/PASSWORD)"
		    : s->auth == AUTH_BASIC ? "wrong username or password"
					    : "the registry refused the token";
		return vmctl_errorf(err, EACCES, "%s: 401 unauthorized: %s",
				    what, hint);
	}
	if (resp->status == 403)
		return vmctl_errorf(err, EACCES, "%s: 403 denied%s%s", what,
				    msg[0] ? ": " : "", msg);
	if (resp->status == 404)
		return vmctl_errorf(err, ENOENT, "%s: 404 not found%s%s", what,
				    msg[0] ? ": " : "", msg);
	return vmctl_errorf(err, EIO, "%s: HTTP %ld%s%s", what, resp->status,
			    msg[0] ? ": " : "", msg);
}
