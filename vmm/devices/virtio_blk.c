/* virtio_blk.c - virtio-blk backed by a host file, one request queue.
 *
 * A request is a chain: a 16-byte readable header (type, reserved, sector),
 * data (readable for writes, writable for reads and get-id) and a final
 * writable status byte.  The layout across descriptors is not assumed
 * (virtio 1.x has no framing rule), only the byte order of the chain.  A
 * chain without a header or status byte is malformed (NEEDS_RESET); a
 * request the file cannot serve (beyond the end, not whole sectors, a
 * write to a read-only disk) completes with VIRTIO_BLK_S_IOERR.
 */
#include <endian.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "virtio.h"
#include "virtio_mmio.h"

#define VIRTIO_BLK_F_SEG_MAX 2
#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH 9

#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_GET_ID 8

#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2

#define SECTOR 512ULL
#define BLK_ID_BYTES 20
#define BLK_HDR_BYTES 16
/* 32, not 256: the guest allocates a request (with a seg_max-long
 * scatterlist) per queue entry when the disk appears, all of it zeroed by
 * emulated guest code; a micro-VM never has 32 requests in flight. */
#define BLK_QUEUE_MAX 32
/* Largest single request: keeps the used length in 32 bits. */
#define BLK_MAX_REQUEST (1ULL << 30)

/* struct virtio_blk_config up to blk_size; the rest reads as zero. */
#define BLK_CONFIG_LEN 60
#define BLK_CFG_CAPACITY 0
#define BLK_CFG_SEG_MAX 12
#define BLK_CFG_BLK_SIZE 20

#define COW_BLOCK 4096ULL

struct blk {
	int fd;
	bool ro;
	/* VIRTIO_BLK_SNAPSHOT: the written blocks (one bit each) and where. */
	int overlay_fd;
	uint8_t *written;
	uint64_t size;
	uint64_t sectors;
	char id[BLK_ID_BYTES];
	uint8_t config[BLK_CONFIG_LEN];
	struct virtq_chain chain; /* scratch, under the transport lock */
	struct iovec iov[VIRTQ_MAX_SIZE];
};

struct blk_req_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

static void blk_config_read(void *ctx, uint32_t off, void *data, uint32_t len)
{
	struct blk *b = ctx;
	memcpy(data, b->config + off, len);
}

/* Is [sector, sector + bytes) whole sectors inside the disk?  Overflow-safe:
 * both come from the guest. */
static bool range_ok(const struct blk *b, uint64_t sector, uint64_t bytes)
{
	if (bytes % SECTOR || bytes > BLK_MAX_REQUEST)
		return false;
	return sector <= b->sectors && bytes / SECTOR <= b->sectors - sector;
}

/* Describes `len` bytes of segments seg[0..n), starting `skip` bytes in, as
 * an iovec.  Returns the number of entries. */
static int segs_to_iov(const struct virtq_seg *seg, uint32_t n, uint64_t skip,
		       uint64_t len, struct iovec *iov)
{
	int k = 0;
	for (uint32_t i = 0; i < n && len > 0; i++) {
		if (skip >= seg[i].len) {
			skip -= seg[i].len;
			continue;
		}
		uint64_t chunk = seg[i].len - skip;
		if (chunk > len)
			chunk = len;
		iov[k++] = (struct iovec){seg[i].host + skip, chunk};
		len -= chunk;
		skip = 0;
	}
	return k;
}

/* preadv/pwritev until done; a short read means the file shrank under us. */
static int rw_full(int fd, struct iovec *iov, int cnt, off_t off, bool write)
{
	while (cnt > 0) {
		ssize_t n = write ? pwritev(fd, iov, cnt, off)
				  : preadv(fd, iov, cnt, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		off += n;
		while (cnt > 0 && (size_t)n >= iov->iov_len) {
			n -= (ssize_t)iov->iov_len;
			iov++;
			cnt--;
		}
		if (cnt > 0) {
			iov->iov_base = (uint8_t *)iov->iov_base + n;
			iov->iov_len -= (size_t)n;
		}
	}
	return 0;
}

/* ---- snapshot mode: copy-on-write in 4 KiB blocks ---------------------- */

static bool is_written(const struct blk *b, uint64_t block)
{
	return b->written[block / 8] & (1u << (block % 8));
}

static void mark_written(struct blk *b, uint64_t off, uint64_t len)
{
	for (uint64_t k = off / COW_BLOCK; k <= (off + len - 1) / COW_BLOCK; k++)
		b->written[k / 8] |= (uint8_t)(1u << (k % 8));
}

/* A block the write covers only in part is first copied whole into the
 * overlay, so that the overlay alone then holds all of it. */
static int copy_up(struct blk *b, uint64_t block)
{
	uint8_t buf[COW_BLOCK];
	uint64_t off = block * COW_BLOCK;
	size_t len = (size_t)(b->size - off < COW_BLOCK ? b->size - off : COW_BLOCK);
	struct iovec iov = {buf, len};
	int r = rw_full(b->fd, &iov, 1, (off_t)off, false);
	iov = (struct iovec){buf, len};
	return r < 0 ? r : rw_full(b->overlay_fd, &iov, 1, (off_t)off, true);
}

static int snapshot_prepare_write(struct blk *b, uint64_t off, uint64_t len)
{
	uint64_t first = off / COW_BLOCK, last = (off + len - 1) / COW_BLOCK;
	for (uint64_t k = first; k <= last; k++) {
		bool whole = k * COW_BLOCK >= off &&
			     (k + 1) * COW_BLOCK <= off + len;
		if (!whole && !is_written(b, k)) {
			int r = copy_up(b, k);
			if (r < 0)
				return r;
			mark_written(b, k * COW_BLOCK, 1);
		}
	}
	return 0;
}

/* Reads [off, off+len) into the guest's segments, each run of blocks from
 * the file that holds it. */
static int snapshot_read(struct blk *b, const struct virtq_seg *seg, uint32_t n,
			 uint64_t off, uint64_t len)
{
	uint64_t pos = off, end = off + len;
	while (pos < end) {
		bool from_overlay = is_written(b, pos / COW_BLOCK);
		uint64_t run_end = pos;
		while (run_end < end && is_written(b, run_end / COW_BLOCK) == from_overlay)
			run_end = (run_end / COW_BLOCK + 1) * COW_BLOCK;
		if (run_end > end)
			run_end = end;
		int cnt = segs_to_iov(seg, n, pos - off, run_end - pos, b->iov);
		int r = rw_full(from_overlay ? b->overlay_fd : b->fd, b->iov, cnt,
				(off_t)pos, false);
		if (r < 0)
			return r;
		pos = run_end;
	}
	return 0;
}

/* The overlay: an unnamed file in the disk's directory, as large (sparse). */
static int open_overlay(const char *path, struct blk *b, struct vmctl_err *err)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int len = slash ? (int)(slash - path) : 1;
	snprintf(dir, sizeof(dir), "%.*s", len ? len : 1, slash ? path : ".");
	b->overlay_fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (b->overlay_fd < 0)
		return vmctl_error(err, errno, "virtio-blk: overlay file in %s", dir);
	if (ftruncate(b->overlay_fd, (off_t)b->size) < 0)
		return vmctl_error(err, errno, "virtio-blk: overlay size");
	b->written = calloc(b->size / COW_BLOCK + 1, 1);
	if (!b->written)
		return vmctl_error(err, ENOMEM, "virtio-blk: overlay map");
	return 0;
}

static uint8_t blk_read(struct blk *b, const struct virtq_chain *c,
			uint64_t sector, uint32_t *data_len)
{
	uint64_t bytes = c->in_bytes - 1; /* all writable but the status */
	if (!range_ok(b, sector, bytes))
		return VIRTIO_BLK_S_IOERR;
	uint64_t off = sector * SECTOR;
	if (b->written) {
		if (snapshot_read(b, c->seg + c->n_out, c->n_in, off, bytes) < 0)
			return VIRTIO_BLK_S_IOERR;
	} else {
		int cnt = segs_to_iov(c->seg + c->n_out, c->n_in, 0, bytes, b->iov);
		if (rw_full(b->fd, b->iov, cnt, (off_t)off, false) < 0)
			return VIRTIO_BLK_S_IOERR;
	}
	*data_len = (uint32_t)bytes;
	return VIRTIO_BLK_S_OK;
}

static uint8_t blk_write(struct blk *b, const struct virtq_chain *c,
			 uint64_t sector)
{
	uint64_t bytes = c->out_bytes - BLK_HDR_BYTES;
	if (b->ro || !range_ok(b, sector, bytes))
		return VIRTIO_BLK_S_IOERR;
	uint64_t off = sector * SECTOR;
	if (b->written && snapshot_prepare_write(b, off, bytes) < 0)
		return VIRTIO_BLK_S_IOERR;
	int cnt = segs_to_iov(c->seg, c->n_out, BLK_HDR_BYTES, bytes, b->iov);
	if (rw_full(b->written ? b->overlay_fd : b->fd, b->iov, cnt, (off_t)off, true) < 0)
		return VIRTIO_BLK_S_IOERR;
	if (b->written)
		mark_written(b, off, bytes);
	return VIRTIO_BLK_S_OK;
}

static uint8_t blk_flush(struct blk *b)
{
	if (b->ro || b->written) /* a snapshot's writes are thrown away */
		return VIRTIO_BLK_S_OK;
	return fdatasync(b->fd) < 0 ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
}

static uint8_t blk_get_id(struct blk *b, const struct virtq_chain *c,
			  uint32_t *data_len)
{
	uint64_t room = c->in_bytes - 1;
	size_t n = room < BLK_ID_BYTES ? (size_t)room : BLK_ID_BYTES;
	*data_len = (uint32_t)virtq_chain_write(c, 0, b->id, n);
	return VIRTIO_BLK_S_OK;
}

/* Serves one request.  Returns the bytes written into the chain (data and
 * status), or -EINVAL for a chain that is not a request at all. */
static int serve_request(struct blk *b, const struct virtq_chain *c,
			 uint32_t *written)
{
	struct blk_req_hdr h;
	if (c->out_bytes < BLK_HDR_BYTES || c->in_bytes < 1)
		return -EINVAL;
	virtq_chain_read(c, 0, &h, sizeof(h));
	uint32_t type = le32toh(h.type);
	uint64_t sector = le64toh(h.sector);
	uint32_t data_len = 0;
	uint8_t status;
	switch (type) {
	case VIRTIO_BLK_T_IN:
		status = blk_read(b, c, sector, &data_len);
		break;
	case VIRTIO_BLK_T_OUT:
		status = blk_write(b, c, sector);
		break;
	case VIRTIO_BLK_T_FLUSH:
		status = blk_flush(b);
		break;
	case VIRTIO_BLK_T_GET_ID:
		status = blk_get_id(b, c, &data_len);
		break;
	default:
		status = VIRTIO_BLK_S_UNSUPP;
		break;
	}
	/* The status is the chain's last writable byte. */
	virtq_chain_write(c, c->in_bytes - 1, &status, 1);
	*written = data_len + 1;
	return 0;
}

static int blk_notify(struct virtio_mmio *t, void *ctx, uint16_t q)
{
	struct blk *b = ctx;
	struct virtq *vq = virtio_mmio_queue(t, q);
	bool pushed = false;
	int r = 0;
	for (unsigned k = 0; vq && k < vq->size; k++) {
		r = virtq_pop(vq, &b->chain);
		if (r <= 0)
			break;
		uint32_t written = 0;
		r = serve_request(b, &b->chain, &written);
		if (r < 0)
			break;
		virtq_push(vq, b->chain.head, written);
		pushed = true;
	}
	if (pushed)
		virtio_mmio_used(t, vq);
	return r < 0 ? r : 0;
}

static void blk_destroy(void *ctx)
{
	struct blk *b = ctx;
	if (!b)
		return;
	if (b->fd >= 0)
		close(b->fd);
	if (b->overlay_fd >= 0)
		close(b->overlay_fd);
	free(b->written);
	free(b);
}

/* A boot snapshot is only valid against the disk as it was: requests are
 * served synchronously (nothing in flight between exits), so what matters
 * is that the guest wrote nothing: a read-only disk, or a snapshot-mode
 * disk whose overlay is still empty. */
static int blk_can_snapshot(void *ctx)
{
	const struct blk *b = ctx;
	if (!b->ro && !b->written)
		return -EBUSY;
	for (uint64_t i = 0; b->written && i < b->size / COW_BLOCK + 1; i++)
		if (is_written(b, i))
			return -EBUSY;
	return 0;
}

static int disk_size(int fd, uint64_t *size)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISBLK(st.st_mode))
		return ioctl(fd, BLKGETSIZE64, size) < 0 ? -errno : 0;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	*size = (uint64_t)st.st_size;
	return 0;
}

static void fill_config(struct blk *b)
{
	uint64_t cap = htole64(b->sectors);
	/* Linux adds header and status to seg_max: keep chains <= queue. */
	uint32_t seg_max = htole32(BLK_QUEUE_MAX - 2);
	uint32_t blk_size = htole32(SECTOR);
	memcpy(b->config + BLK_CFG_CAPACITY, &cap, sizeof(cap));
	memcpy(b->config + BLK_CFG_SEG_MAX, &seg_max, sizeof(seg_max));
	memcpy(b->config + BLK_CFG_BLK_SIZE, &blk_size, sizeof(blk_size));
}

static void fill_id(struct blk *b, const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	/* Exactly 20 bytes, NUL-padded, not necessarily terminated. */
	memcpy(b->id, base, strnlen(base, sizeof(b->id)));
}

static int open_disk(const char *path, bool ro, struct blk *b,
		     struct vmctl_err *err)
{
	cleanup_close int fd =
	    open(path, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return vmctl_error(err, errno, "virtio-blk: open %s", path);
	/* Two writers (or a writer and a reader) on one image corrupt it or
	 * read garbage: take a shared/exclusive lock for the device's life. */
	if (flock(fd, (ro ? LOCK_SH : LOCK_EX) | LOCK_NB) < 0)
		return vmctl_error(err, errno, "virtio-blk: %s is in use",
				   path);
	uint64_t size = 0;
	int r = disk_size(fd, &size);
	if (r < 0)
		return vmctl_error(err, r, "virtio-blk: size of %s", path);
	b->sectors = size / SECTOR;
	b->size = size;
	b->fd = steal_fd(&fd);
	return 0;
}

int virtio_blk_create(struct device **out, uint64_t mmio_base, uint32_t gsi,
		      const char *path, enum virtio_blk_mode mode, struct vmctl_err *err)
{
	*out = NULL;
	struct blk *b = calloc(1, sizeof(*b));
	if (!b)
		return vmctl_error(err, ENOMEM, "virtio-blk");
	bool ro = mode == VIRTIO_BLK_READ_ONLY;
	b->fd = -1;
	b->overlay_fd = -1;
	b->ro = ro;
	/* A snapshot opens the file read-only: shared with other readers. */
	int r = open_disk(path, mode != VIRTIO_BLK_READ_WRITE, b, err);
	if (r == 0 && mode == VIRTIO_BLK_SNAPSHOT)
		r = open_overlay(path, b, err);
	if (r < 0) {
		blk_destroy(b);
		return r;
	}
	fill_config(b);
	fill_id(b, path);
	uint64_t features = (1ULL << VIRTIO_BLK_F_SEG_MAX) |
			    (1ULL << VIRTIO_BLK_F_BLK_SIZE) |
			    (1ULL << VIRTIO_BLK_F_FLUSH);
	if (ro)
		features |= 1ULL << VIRTIO_BLK_F_RO;
	struct virtio_backend be = {
	    .device_id = VIRTIO_ID_BLOCK,
	    .features = features,
	    .num_queues = 1,
	    .queue_max = BLK_QUEUE_MAX,
	    .config_len = BLK_CONFIG_LEN,
	    .config_read = blk_config_read,
	    .notify = blk_notify,
	    .destroy = blk_destroy,
	    .can_snapshot = blk_can_snapshot,
	    .ctx = b,
	};
	return virtio_mmio_create(out, mmio_base, gsi, &be, err);
}
