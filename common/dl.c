#include "dl.h"

#include <dlfcn.h>
#include <stdio.h>

void *dl_library(const char *soname, const char *package, char *msg, size_t n)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		snprintf(msg, n, "cannot load %s (install Debian's %s): %s", soname,
			 package, dlerror());
	return h;
}

int dl_symbol(void *h, const char *soname, const char *what, const char *name,
	      void **slot, char *msg, size_t n)
{
	*slot = dlsym(h, name);
	if (*slot)
		return 0;
	snprintf(msg, n, "%s lacks %s: %s too old", soname, name, what);
	return -1;
}
