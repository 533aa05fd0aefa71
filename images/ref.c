/* ref.c - image references: "[HOST[:PORT]/]REPO[:TAG][@DIGEST]" (pure). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "oci.h"
#include "store.h"

/* "5000/..." : digits up to the next '/'. */
static int is_port(const char *s, size_t len)
{
	size_t n = 0;
	while (n < len && isdigit((unsigned char)s[n]))
		n++;
	return n > 0 && n < len && s[n] == '/';
}

static int valid_component(const char *s, size_t len, int is_tag)
{
	if (len == 0)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (islower(c) || isdigit(c) || c == '.' || c == '_' ||
		    c == '-')
			continue;
		if (is_tag && isupper(c))
			continue;
		if (!is_tag && c == '/')
			continue;
		/* host:port of a registry, in the first component only */
		if (!is_tag && c == ':' && !memchr(s, '/', i) &&
		    is_port(s + i + 1, len - i - 1))
			continue;
		return 0;
	}
	/* No "..", no leading/trailing separator: names may become paths. */
	if (s[0] == '.' || s[0] == '/' || s[0] == '-' || s[len - 1] == '/' ||
	    memmem(s, len, "..", 2) || memmem(s, len, "//", 2))
		return 0;
	return 1;
}

int image_ref_parse(const char *s, struct image_ref *ref, struct vmctl_err *err)
{
	memset(ref, 0, sizeof(*ref));
	if (!s || !*s)
		return vmctl_errorf(err, EINVAL, "empty image reference");
	const char *at = strchr(s, '@');
	size_t name_len = at ? (size_t)(at - s) : strlen(s);
	if (at && !oci_digest_valid(at + 1))
		return vmctl_errorf(err, EINVAL,
				    "invalid digest in image reference '%s' "
				    "(want sha256:<64 hex digits>)",
				    s);
	const char *colon = memrchr(s, ':', name_len);
	const char *slash = memrchr(s, '/', name_len);
	if (colon && slash && colon < slash)
		colon = NULL; /* a registry port, not a tag */
	size_t repo_len = colon ? (size_t)(colon - s) : name_len;
	size_t tag_len = colon ? name_len - repo_len - 1 : 0;
	const char *tag = colon ? colon + 1 : "latest";
	if (!colon)
		tag_len = strlen(tag);
	if (!valid_component(s, repo_len, 0) || repo_len >= sizeof(ref->repo))
		return vmctl_errorf(
		    err, EINVAL,
		    "invalid image reference '%s': repository "
		    "names are lowercase letters, digits, '.', '_', "
		    "'-' and '/'",
		    s);
	if (!valid_component(tag, tag_len, 1) || memchr(tag, '/', tag_len) ||
	    tag_len >= sizeof(ref->tag))
		return vmctl_errorf(err, EINVAL,
				    "invalid tag in image reference '%s'", s);
	/* Docker Hub's implicit names: "docker.io/library/busybox" is
	 * "busybox", as `docker images` shows it. */
	static const char *const hub[] = {"docker.io/library/",
					  "index.docker.io/library/",
					  "docker.io/", "index.docker.io/"};
	for (size_t i = 0; i < sizeof(hub) / sizeof(hub[0]); i++) {
		size_t hl = strlen(hub[i]);
		if (repo_len > hl && !strncmp(s, hub[i], hl)) {
			s += hl;
			repo_len -= hl;
			break;
		}
	}
	memcpy(ref->repo, s, repo_len);
	memcpy(ref->tag, tag, tag_len);
	if (at)
		snprintf(ref->digest, sizeof(ref->digest), "%s", at + 1);
	return 0;
}

int image_ref_name(const char *s, char *buf, size_t n, struct vmctl_err *err)
{
	struct image_ref ref;
	int r = image_ref_parse(s, &ref, err);
	if (r < 0)
		return r;
	if (xsnprintf(buf, n, "%s:%s", ref.repo, ref.tag) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "image name too long");
	return 0;
}
