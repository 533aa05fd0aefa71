/* registry_http.h - one HTTP exchange with a registry, authentication
 * included (internal to registry_pull.c and registry_push.c).
 *
 * A session holds one libcurl handle (so connections are reused across the
 * many requests of a pull or push) and the authentication learnt so far.
 * reg_request() answers a 401 once: it parses WWW-Authenticate and either
 * turns on Basic auth with the user's credentials or fetches a Bearer token
 * from the challenge's realm, then repeats the request.  Credentials are
 * only sent after such a challenge, never put in a URL and never printed.
 */
#ifndef VMCTL_IMAGES_REGISTRY_HTTP_H
#define VMCTL_IMAGES_REGISTRY_HTTP_H

#include <stdint.h>

#include "curl_dl.h"
#include "registry.h"
#include "registry_client.h"

struct reg_session {
	const struct curl_api *c;
	CURL *h;
	const struct registry_opts *o;
	struct registry_ref ref;
	enum registry_auth_scheme auth; /* what the registry asked for */
	char *bearer;			/* "Authorization: Bearer <token>" */
};

int reg_session_open(struct reg_session *s, const char *name,
		     const struct registry_opts *o, struct vmctl_err *err);
void reg_session_close(struct reg_session *s);

/* A growing buffer for small answers (manifests, tokens, error bodies). */
struct reg_buf {
	char *data;
	size_t len;
};

/* What is sent: a method, a URL and an optional body, either in memory or
 * a range of a file (read with pread, so a retry can start over). */
struct reg_request {
	const char *method; /* GET HEAD POST PUT PATCH */
	const char *url;
	const char *accept;	   /* full header line, or NULL */
	const char *content_type;  /* of the body, or NULL */
	const char *content_range; /* "START-END" for PATCH, or NULL */
	const void *body;
	size_t body_len;
	int body_fd; /* >= 0: the body is body_len bytes of it from body_off */
	uint64_t body_off;
	/* 2xx answers' bodies go here (NULL: into reg_response.body); error
	 * answers' bodies always go to reg_response.body. */
	size_t (*sink)(char *p, size_t size, size_t nmemb, void *ctx);
	void *sink_ctx;
	/* Bytes of the request body sent so far (progress), or NULL. */
	void (*sent)(void *ctx, uint64_t bytes);
	void *sent_ctx;
};

struct reg_response {
	long status;
	char location[2048];
	char digest[80]; /* Docker-Content-Digest */
	char content_type[160];
	char www_auth[1024];
	struct reg_buf body;
};

void reg_response_free(struct reg_response *r);

/* Performs req (re-authenticating once on a 401).  Returns 0 with any
 * HTTP status in resp->status, or -errno when no answer came. */
int reg_request(struct reg_session *s, const struct reg_request *req,
		struct reg_response *resp, struct vmctl_err *err);

/* One line for an unexpected status: 401 (with what to do about it), 404,
 * or the registry's own error message from its JSON body. */
int reg_status_error(const struct reg_session *s, const char *what,
		     const struct reg_response *resp, struct vmctl_err *err);

#endif
