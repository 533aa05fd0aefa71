/* strv.h - NULL-terminated string vectors (argv, env). */
#ifndef VMCTL_STRV_H
#define VMCTL_STRV_H

#include <stddef.h>

size_t strv_len(char *const *v);
/* Deep copy; NULL in, NULL out; NULL on allocation failure (errno set). */
char **strv_dup(char *const *v);
/* Appends a copy of s; returns 0 or -ENOMEM.  *v may be NULL. */
int strv_push(char ***v, const char *s);
void strv_free(char **v);

#endif
