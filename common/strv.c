#include "strv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

size_t strv_len(char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

void strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

char **strv_dup(char *const *v)
{
	if (!v)
		return NULL;
	size_t n = strv_len(v);
	char **out = calloc(n + 1, sizeof(*out));
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		out[i] = strdup(v[i]);
		if (!out[i]) {
			strv_free(out);
			errno = ENOMEM;
			return NULL;
		}
	}
	return out;
}

int strv_push(char ***v, const char *s)
{
	size_t n = strv_len(*v);
	char *copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	char **nv = realloc(*v, (n + 2) * sizeof(*nv));
	if (!nv) {
		free(copy);
		return -ENOMEM;
	}
	nv[n] = copy;
	nv[n + 1] = NULL;
	*v = nv;
	return 0;
}
