/* archive_dl.c - libarchive through dlopen(); see archive_dl.h for why. */
#include "archive_dl.h"

#include "common/dl.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define LIBARCHIVE_SONAME "libarchive.so.13"

static struct archive_api api;
static char load_error[512];
static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static int loaded;

static void load_libarchive(void)
{
	void *h = dl_library(LIBARCHIVE_SONAME, "libarchive13", load_error,
			     sizeof(load_error));
	if (!h)
		return;
#define ARCHIVE_DL_LOAD(name)                                                  \
	if (dl_symbol(h, LIBARCHIVE_SONAME, "libarchive", #name,               \
		      (void **)&api.name, load_error, sizeof(load_error)) < 0)   \
		return;
	ARCHIVE_DL_FUNCS(ARCHIVE_DL_LOAD)
#undef ARCHIVE_DL_LOAD
	loaded = 1;
}

const struct archive_api *archive_dl(struct vmctl_err *err)
{
	pthread_once(&load_once, load_libarchive);
	if (!loaded) {
		vmctl_errorf(err, ELIBACC, "%s", load_error);
		return NULL;
	}
	return &api;
}
