/* curl_dl.c - libcurl through dlopen(); see curl_dl.h for why. */
#include "curl_dl.h"

#include "common/dl.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define LIBCURL_SONAME "libcurl.so.4"

static struct curl_api api;
static char load_error[512];
static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static int loaded;

static void load_libcurl(void)
{
	void *h = dl_library(LIBCURL_SONAME, "libcurl4", load_error,
			     sizeof(load_error));
	if (!h)
		return;
#define CURL_DL_LOAD(name)                                                     \
	if (dl_symbol(h, LIBCURL_SONAME, "libcurl", #name, (void **)&api.name,  \
		      load_error, sizeof(load_error)) < 0)                       \
		return;
	CURL_DL_FUNCS(CURL_DL_LOAD)
#undef CURL_DL_LOAD
	CURLcode rc = api.curl_global_init(CURL_GLOBAL_DEFAULT);
	if (rc != CURLE_OK) {
		snprintf(load_error, sizeof(load_error),
			 "curl_global_init: %s", api.curl_easy_strerror(rc));
		return;
	}
	loaded = 1;
}

const struct curl_api *curl_dl(struct vmctl_err *err)
{
	pthread_once(&load_once, load_libcurl);
	if (!loaded) {
		vmctl_errorf(err, ELIBACC, "%s", load_error);
		return NULL;
	}
	return &api;
}
