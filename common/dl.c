#include "dl.h"

#include <dlfcn.h>
#include <stdio.h>

static bool refused;

bool dl_refused(void)
{
	return refused;
}

void *dl_library(const char *soname, const char *package, char *msg, size_t n)
{
#ifdef VMCTL_STATIC
	/* The static bin/vmctl hands every command that gets here to
	 * bin/vmctl-full (cli/main.c): reaching this is a command not marked
	 * needs_libs in cli/commands.c. */
	snprintf(msg, n, "cannot load %s: this static vmctl loads no library "
		 "(the command should run in vmctl-full)", soname);
	(void)package;
	refused = true;
	return NULL;
#else
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		snprintf(msg, n, "cannot load %s (install Debian's %s): %s", soname,
			 package, dlerror());
	return h;
#endif
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
