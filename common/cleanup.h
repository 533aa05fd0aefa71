/* cleanup.h - scope-bound release of resources (the only one in the tree).
 *
 * Every handle starts at -1 (fds) or NULL (pointers).  A variable declared
 * with one of these attributes is released when it goes out of scope;
 * steal_fd()/steal_ptr() hand ownership to the caller and disarm the cleanup.
 */
#ifndef VMCTL_CLEANUP_H
#define VMCTL_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void cleanup_free_fn(void *p)
{
	free(*(void **)p);
}

static inline void cleanup_close_fn(int *fd)
{
	if (*fd >= 0) {
		int saved = errno; /* close() must not clobber the caller's errno */
		close(*fd);
		errno = saved;
	}
}

static inline void cleanup_fclose_fn(FILE **f)
{
	if (*f)
		fclose(*f);
}

static inline void cleanup_closedir_fn(DIR **d)
{
	if (*d)
		closedir(*d);
}

/* Frees a NULL-terminated array of strings and the array itself. */
static inline void cleanup_strv_fn(char ***v)
{
	if (*v) {
		for (char **p = *v; *p; p++)
			free(*p);
		free(*v);
	}
}

#define cleanup_free __attribute__((cleanup(cleanup_free_fn)))
#define cleanup_close __attribute__((cleanup(cleanup_close_fn)))
#define cleanup_fclose __attribute__((cleanup(cleanup_fclose_fn)))
#define cleanup_closedir __attribute__((cleanup(cleanup_closedir_fn)))
#define cleanup_strv __attribute__((cleanup(cleanup_strv_fn)))

/* Takes ownership of *fd: returns it and leaves -1 behind. */
static inline int steal_fd(int *fd)
{
	int r = *fd;
	*fd = -1;
	return r;
}

/* Takes ownership of *pp (a pointer to any pointer): returns it, leaves NULL. */
#define steal_ptr(pp)                                                          \
	({                                                                     \
		__typeof__(*(pp)) _p = *(pp);                                  \
		*(pp) = NULL;                                                  \
		_p;                                                            \
	})

/* clang 14's static analyzer runs no cleanup handler: it reports a
 * "potential leak" for a cleanup_* variable it saw allocated (malloc, strdup,
 * realloc...) and then only passed on as const.  analyzer_cleanup(p), right
 * after such an allocation, tells it that the variable's cleanup owns p (the
 * pointer escapes to a function it cannot see).  Outside the analyzer it is
 * nothing at all. */
#ifdef __clang_analyzer__
void analyzer_escape(void *p); /* declared only: the analyzer links nothing */
#define analyzer_cleanup(p) analyzer_escape((void *)(p))
#else
#define analyzer_cleanup(p) ((void)0)
#endif

#endif
