/* curl_dl.h - libcurl, loaded with dlopen() at first use.
 *
 * Linking libcurl costs about 4 ms at every exec of bin/vmctl (it pulls in
 * TLS, HTTP/2, IDN, LDAP... libraries) against a 2 ms container-start
 * budget, so only `pull`/`push` load it, through this table.  Prototypes
 * come from <curl/curl.h> (libcurl4-openssl-dev) so every call is
 * type-checked as if linked.
 */
#ifndef VMCTL_IMAGES_CURL_DL_H
#define VMCTL_IMAGES_CURL_DL_H

/* curl's GCC type-check layer turns curl_easy_setopt() into a macro, which
 * would also rewrite calls through the table (api->curl_easy_setopt(...)). */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

#include "common/error.h"

#define CURL_DL_FUNCS(X)                                                       \
	X(curl_global_init)                                                    \
	X(curl_easy_init)                                                      \
	X(curl_easy_cleanup)                                                   \
	X(curl_easy_reset)                                                     \
	X(curl_easy_setopt)                                                    \
	X(curl_easy_getinfo)                                                   \
	X(curl_easy_perform)                                                   \
	X(curl_easy_strerror)                                                  \
	X(curl_slist_append)                                                   \
	X(curl_slist_free_all)

struct curl_api {
#define CURL_DL_MEMBER(name) __typeof__(name) *name;
	CURL_DL_FUNCS(CURL_DL_MEMBER)
#undef CURL_DL_MEMBER
};

/* The table, loading libcurl.so.4 and running curl_global_init() once on
 * the first call (thread-safe).  NULL with err filled when the library or
 * one of its functions is missing. */
const struct curl_api *curl_dl(struct vmctl_err *err);

#endif
