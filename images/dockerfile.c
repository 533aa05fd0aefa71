/* dockerfile.c - the Dockerfile subset of vmctl build (see dockerfile.h). */
#include "dockerfile.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/strv.h"

static const char *const op_names[] = {
    [DF_FROM] = "FROM",
    [DF_RUN] = "RUN",
    [DF_COPY] = "COPY",
    [DF_ENV] = "ENV",
    [DF_WORKDIR] = "WORKDIR",
    [DF_CMD] = "CMD",
    [DF_ENTRYPOINT] = "ENTRYPOINT",
};

const char *df_op_name(enum df_op op)
{
	return op_names[op];
}

void dockerfile_free(struct dockerfile *df)
{
	for (size_t i = 0; i < df->n; i++) {
		free(df->v[i].text);
		strv_free(df->v[i].args);
	}
	free(df->v);
	df->v = NULL;
	df->n = 0;
}

static int fail(struct vmctl_err *err, int line, const char *why,
		const char *what)
{
	return vmctl_errorf(err, EINVAL, "Dockerfile line %d: %s%s%s", line,
			    why, what ? ": " : "", what ? what : "");
}

/* A JSON array of strings (the exec form); NULL when rest is not one. */
static char **json_form(const char *rest)
{
	if (*rest != '[')
		return NULL;
	cJSON *j = cJSON_Parse(rest);
	char **v = cJSON_IsArray(j) ? calloc(1, sizeof(char *)) : NULL;
	const cJSON *e;
	cJSON_ArrayForEach(e, j)
	{
		if (!v)
			break;
		if (!cJSON_IsString(e) || strv_push(&v, e->valuestring) < 0) {
			strv_free(v);
			v = NULL;
		}
	}
	cJSON_Delete(j);
	return v;
}

/* Shell-like words: whitespace separates, "" and '' quote, \ escapes the
 * next character outside single quotes.  -EINVAL on an open quote. */
static int split_words(const char *s, char ***out)
{
	char **v = calloc(1, sizeof(char *));
	char *w = malloc(strlen(s) + 1);
	if (!v || !w) {
		free(v);
		free(w);
		return -ENOMEM;
	}
	int r = 0;
	while (r == 0 && *s) {
		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		size_t n = 0;
		char quote = 0;
		for (; *s && (quote || !isspace((unsigned char)*s)); s++) {
			if (quote && *s == quote)
				quote = 0;
			else if (!quote && (*s == '"' || *s == '\''))
				quote = *s;
			else if (*s == '\\' && quote != '\'' && s[1])
				w[n++] = *++s;
			else
				w[n++] = *s;
		}
		w[n] = '\0';
		r = quote ? -EINVAL : strv_push(&v, w);
	}
	free(w);
	if (r < 0)
		strv_free(v);
	*out = r < 0 ? NULL : v;
	return r;
}

static char **shell_form(const char *cmd)
{
	char **v = calloc(1, sizeof(char *));
	if (v && (strv_push(&v, "/bin/sh") < 0 || strv_push(&v, "-c") < 0 ||
		  strv_push(&v, cmd) < 0)) {
		strv_free(v);
		v = NULL;
	}
	return v;
}

static bool env_key_valid(const char *kv)
{
	size_t k = strcspn(kv, "=");
	if (k == 0 || !kv[k])
		return false;
	for (size_t i = 0; i < k; i++)
		if (!isalnum((unsigned char)kv[i]) && kv[i] != '_')
			return false;
	return !isdigit((unsigned char)kv[0]);
}

/* ENV K V (legacy: the rest of the line is the value) or ENV K=V... */
static int parse_env(const char *rest, int line, char ***args,
		     struct vmctl_err *err)
{
	size_t k = strcspn(rest, " \t=");
	if (rest[k] != '=' && rest[k]) {
		const char *v = rest + k;
		while (isspace((unsigned char)*v))
			v++;
		char *kv = malloc(strlen(rest) + 2);
		if (!kv)
			return -ENOMEM;
		memcpy(kv, rest, k);
		kv[k] = '=';
		strcpy(kv + k + 1, v);
		*args = calloc(1, sizeof(char *));
		int r = *args ? strv_push(args, kv) : -ENOMEM;
		free(kv);
		if (r == 0 && !env_key_valid((*args)[0]))
			r = fail(err, line, "invalid ENV name", rest);
		return r;
	}
	if (split_words(rest, args) < 0)
		return fail(err, line, "unterminated quote", rest);
	for (size_t i = 0; (*args)[i]; i++)
		if (!env_key_valid((*args)[i]))
			return fail(err, line, "ENV needs K=V or K V",
				    (*args)[i]);
	return 0;
}

static int parse_args(struct df_instr *in, const char *rest,
		      struct vmctl_err *err)
{
	int line = in->line;
	switch (in->op) {
	case DF_FROM:
		if (split_words(rest, &in->args) < 0 || strv_len(in->args) != 1)
			return fail(err, line,
				    "FROM takes one image (no AS, no flags)",
				    rest);
		return 0;
	case DF_RUN:
	case DF_CMD:
	case DF_ENTRYPOINT:
		in->args = json_form(rest);
		if (!in->args)
			in->args = shell_form(rest);
		if (!in->args)
			return -ENOMEM;
		if (!in->args[0])
			return fail(err, line, "empty command", NULL);
		return 0;
	case DF_COPY:
		if (!strncmp(rest, "--", 2))
			return fail(err, line, "COPY flags are not supported",
				    rest);
		in->args = json_form(rest);
		if (!in->args && split_words(rest, &in->args) < 0)
			return fail(err, line, "unterminated quote", rest);
		if (strv_len(in->args) < 2)
			return fail(err, line,
				    "COPY needs a source and a "
				    "destination",
				    NULL);
		return 0;
	case DF_ENV:
		return parse_env(rest, line, &in->args, err);
	case DF_WORKDIR:
		if (split_words(rest, &in->args) < 0 || strv_len(in->args) != 1)
			return fail(err, line, "WORKDIR takes one path", rest);
		return 0;
	}
	return -EINVAL;
}

static int parse_instruction(struct dockerfile *df, int line, char *logical,
			     struct vmctl_err *err)
{
	char *s = logical;
	while (isspace((unsigned char)*s))
		s++;
	size_t kl = strcspn(s, " \t");
	char *rest = s + kl;
	while (isspace((unsigned char)*rest))
		rest++;
	for (char *e = rest + strlen(rest);
	     e > rest && isspace((unsigned char)e[-1]);)
		*--e = '\0';
	int op = -1;
	for (size_t i = 0; i < sizeof(op_names) / sizeof(op_names[0]); i++)
		if (strlen(op_names[i]) == kl &&
		    !strncasecmp(s, op_names[i], kl))
			op = (int)i;
	if (op < 0) {
		s[kl] = '\0';
		return fail(err, line, "unknown or unsupported instruction", s);
	}
	if (!*rest)
		return fail(err, line, "missing arguments to", op_names[op]);
	if ((op == DF_FROM) != (df->n == 0))
		return fail(err, line,
			    op == DF_FROM
				? "only one FROM is supported"
				: "the first instruction must be FROM",
			    NULL);
	struct df_instr *v = realloc(df->v, (df->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	df->v = v;
	struct df_instr *in = &v[df->n];
	memset(in, 0, sizeof(*in));
	in->op = (enum df_op)op;
	in->line = line;
	in->text = malloc(strlen(op_names[op]) + strlen(rest) + 2);
	if (!in->text)
		return -ENOMEM;
	strcpy(stpcpy(stpcpy(in->text, op_names[op]), " "), rest);
	df->n++;
	int r = parse_args(in, rest, err);
	if (r == 0)
		in->n_args = strv_len(in->args);
	return r;
}

static bool blank_or_comment(const char *l)
{
	while (isspace((unsigned char)*l))
		l++;
	return !*l || *l == '#';
}

int dockerfile_parse(const char *text, struct dockerfile *df,
		     struct vmctl_err *err)
{
	memset(df, 0, sizeof(*df));
	char *copy = strdup(text), *logical = calloc(1, strlen(text) + 1);
	int r = copy && logical ? 0 : -ENOMEM, line = 0, start = 0;
	/* strsep keeps empty lines, so line numbers stay right */
	for (char *p = copy, *l; r == 0 && (l = strsep(&p, "\n"));) {
		line++;
		l[strcspn(l, "\r")] = '\0';
		if (blank_or_comment(l))
			continue;
		if (!*logical)
			start = line;
		/* a line ending in a backslash joins the next with one space
		 * (the text that history and the cache key see) */
		size_t n = strlen(l);
		bool cont = n && l[n - 1] == '\\';
		if (cont)
			l[--n] = '\0';
		while (n && isspace((unsigned char)l[n - 1]))
			l[--n] = '\0';
		if (*logical)
			while (isspace((unsigned char)*l))
				l++;
		strcat(logical, l);
		if (cont)
			strcat(logical, " ");
		if (cont && p)
			continue;
		r = parse_instruction(df, start, logical, err);
		*logical = '\0';
	}
	free(copy);
	free(logical);
	if (r == 0 && df->n == 0)
		r = vmctl_errorf(err, EINVAL, "Dockerfile has no instructions");
	if (r == -ENOMEM)
		vmctl_error(err, ENOMEM, "parsing the Dockerfile");
	if (r < 0)
		dockerfile_free(df);
	return r;
}
