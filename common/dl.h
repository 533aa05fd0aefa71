/* dl.h - loading a shared library at first use instead of linking it.
 *
 * vmctl's start is measured in milliseconds, and every linked library costs
 * every exec (libcurl 4 ms, libarchive 1.3 ms, libcrypto 0.4 ms measured
 * here).  The code that needs one of them loads it through these helpers
 * into a table of function pointers typed from the library's own headers.
 */
#ifndef VMCTL_DL_H
#define VMCTL_DL_H

#include <stdbool.h>
#include <stddef.h>

/* dlopen(soname) with RTLD_LOCAL (its symbols serve only our table).  On
 * failure returns NULL and writes "cannot load <soname> (install Debian's
 * <package>): <dlerror>" into msg. */
void *dl_library(const char *soname, const char *package, char *msg, size_t n);

/* Looks name up in h and stores it in *slot.  On failure returns -1 and
 * writes "<soname> lacks <name>: <what> too old" into msg. */
int dl_symbol(void *h, const char *soname, const char *what, const char *name,
	      void **slot, char *msg, size_t n);

/* True once dl_library() refused because this vmctl is static (bin/vmctl,
 * built with musl, loads no library): the caller may hand the command to
 * vmctl-full instead (cli/cmd_run.c does, for an image whose layer must
 * be unpacked again). */
bool dl_refused(void);

#endif
