/* archive_dl.c - libarchive through dlopen(); see archive_dl.h for why. */
#include "archive_dl.h"

#include <dlfcn.h>
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
	/* RTLD_LOCAL: its symbols serve only this table. */
	void *h = dlopen(LIBARCHIVE_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(load_error, sizeof(load_error),
			 "cannot load %s (install Debian's libarchive13): %s",
			 LIBARCHIVE_SONAME, dlerror());
		return;
	}
#define ARCHIVE_DL_LOAD(name)                                                  \
	api.name = (__typeof__(name) *)dlsym(h, #name);                        \
	if (!api.name) {                                                       \
		snprintf(load_error, sizeof(load_error),                       \
			 "%s lacks %s: libarchive too old", LIBARCHIVE_SONAME, \
			 #name);                                               \
		return;                                                        \
	}
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
