/* dockerfile.h - the Dockerfile subset `vmctl build` understands.  Pure.
 *
 *   FROM image                 (first instruction; no "AS name", no ARG)
 *   RUN cmd... | RUN ["exe", "arg"...]
 *   COPY src... dest | COPY ["src"..., "dest"]   (no --chown/--from flags)
 *   ENV K=V [K2=V2...] | ENV K V
 *   WORKDIR path
 *   CMD / ENTRYPOINT  cmd... (run with /bin/sh -c) | ["exe", "arg"...]
 *
 * Keywords are case-insensitive; "#" starts a comment line; a line ending
 * in "\" continues on the next one (comment lines inside are skipped).
 * Shell-form words of COPY and ENV may be quoted with "" or ''.  Anything
 * else is refused with its line number.
 */
#ifndef VMCTL_IMAGES_DOCKERFILE_H
#define VMCTL_IMAGES_DOCKERFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

enum df_op {
	DF_FROM,
	DF_RUN,
	DF_COPY,
	DF_ENV,
	DF_WORKDIR,
	DF_CMD,
	DF_ENTRYPOINT
};

struct df_instr {
	enum df_op op;
	int line;    /* where the instruction starts (1-based) */
	char *text;  /* "RUN echo hi": keyword upper-cased, continuations
			joined; what history and the cache key see */
	char **args; /* FROM: [image]; RUN/CMD/ENTRYPOINT: the argv
			(shell form: "/bin/sh" "-c" cmd); COPY: srcs...,
			dest; ENV: "K=V"...; WORKDIR: [path] */
	size_t n_args;
};

struct dockerfile {
	struct df_instr *v;
	size_t n;
};

/* Parses text.  Errors read "Dockerfile line N: <why>". */
int dockerfile_parse(const char *text, struct dockerfile *df,
		     struct vmctl_err *err);
void dockerfile_free(struct dockerfile *df);

/* "RUN", "COPY"... */
const char *df_op_name(enum df_op op);

#endif
