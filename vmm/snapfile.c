/* snapfile.c - the state file of a boot snapshot (see snapfile.h). */
#include "vmm/snapfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC_LEN 8
#define HEADER_LEN 8 /* tag + len */

static size_t padded(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

static int grow(struct snap_writer *w, size_t need)
{
	if (need > SNAPFILE_MAX_BYTES)
		return -E2BIG;
	if (need <= w->cap)
		return 0;
	size_t cap = w->cap ? w->cap : 4096;
	while (cap < need)
		cap *= 2;
	uint8_t *p = realloc(w->buf, cap);
	if (!p)
		return -ENOMEM;
	w->buf = p;
	w->cap = cap;
	return 0;
}

void snapfile_init(struct snap_writer *w)
{
	*w = (struct snap_writer){0};
	if ((w->err = grow(w, MAGIC_LEN)) == 0) {
		memcpy(w->buf, SNAPFILE_MAGIC, MAGIC_LEN);
		w->len = MAGIC_LEN;
	}
}

int snapfile_put(struct snap_writer *w, uint32_t tag, const void *data,
		 size_t len)
{
	if (w->err)
		return w->err;
	size_t need = w->len + HEADER_LEN + padded(len);
	if (len > UINT32_MAX || need < w->len)
		return w->err = -E2BIG;
	if ((w->err = grow(w, need)) < 0)
		return w->err;
	uint32_t hdr[2] = {tag, (uint32_t)len};
	memcpy(w->buf + w->len, hdr, HEADER_LEN);
	if (len)
		memcpy(w->buf + w->len + HEADER_LEN, data, len);
	memset(w->buf + w->len + HEADER_LEN + len, 0, padded(len) - len);
	w->len = need;
	return 0;
}

int snapfile_finish(struct snap_writer *w)
{
	return w->err;
}

void snapfile_free(struct snap_writer *w)
{
	free(w->buf);
	*w = (struct snap_writer){0};
}

int snapfile_parse(const uint8_t *buf, size_t len, struct snap_record *rec,
		   size_t max)
{
	if (len < MAGIC_LEN || memcmp(buf, SNAPFILE_MAGIC, MAGIC_LEN))
		return -EINVAL;
	size_t off = MAGIC_LEN, n = 0;
	while (off < len) {
		uint32_t hdr[2];
		if (len - off < HEADER_LEN)
			return -EINVAL;
		memcpy(hdr, buf + off, HEADER_LEN);
		off += HEADER_LEN;
		if (hdr[0] == 0 || hdr[0] > SNAP_DEVICE || hdr[1] > len - off)
			return -EINVAL;
		if (n == max)
			return -E2BIG;
		rec[n++] = (struct snap_record){hdr[0], hdr[1], buf + off};
		/* The last record's padding may be cut: the data is whole. */
		off += padded(hdr[1]) < len - off ? padded(hdr[1]) : len - off;
	}
	return (int)n;
}

const struct snap_record *snapfile_find(const struct snap_record *rec,
					size_t n, uint32_t tag, unsigned nth)
{
	for (size_t i = 0; i < n; i++)
		if (rec[i].tag == tag && nth-- == 0)
			return &rec[i];
	return NULL;
}

int snapfile_get(const struct snap_record *rec, size_t n, uint32_t tag,
		 void *out, size_t len)
{
	const struct snap_record *r = snapfile_find(rec, n, tag, 0);
	if (!r || r->len != len)
		return -EINVAL;
	memcpy(out, r->data, len);
	return 0;
}
