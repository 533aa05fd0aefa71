/* memo.h - remembers a digest computed from files, keyed by their stat().
 *
 * Some cache keys are sha256 digests of inputs that rarely change (the
 * guest kernel's recipe, the guest init).  Computing one loads libcrypto
 * (2.8 MiB of RSS and milliseconds in a process whose memory is measured),
 * so the last result is kept in a small file next to the cache, under a
 * fingerprint of the inputs' stat() (path, size, mtime in ns, inode): the
 * digest is recomputed only when that fingerprint changes, as make and
 * ccache decide with mtimes.
 */
#ifndef VMCTL_MEMO_H
#define VMCTL_MEMO_H

#include <stddef.h>

/* Appends "<path> <size> <mtime.ns> <dev> <ino>\n" (or "<path> absent\n")
 * to buf at *off.  Returns 0 or -ENAMETOOLONG when buf is full. */
int memo_fingerprint_add(char *buf, size_t n, size_t *off, const char *path);

/* The memo file for this fingerprint: "<dir>/<name>-<16 hex digits>", the
 * digits a 64-bit FNV-1a of the fingerprint, so that several sources of the
 * same input (two checkouts, two images) keep a memo each instead of
 * overwriting one.  Only a file name: the full fingerprint inside decides.
 * Returns 0 or -ENAMETOOLONG. */
int memo_path(char *buf, size_t n, const char *dir, const char *name, const char *fingerprint);

/* Copies into value (n bytes) the value stored in memo_file for exactly
 * this fingerprint.  Returns 0, or -ENOENT when absent or for another
 * fingerprint. */
int memo_lookup(const char *memo_file, const char *fingerprint, char *value, size_t n);

/* Stores (fingerprint, value), atomically; failures are harmless (the
 * value is computed again next time) and only returned.  A memo file that
 * did not exist yet makes memo_prune() keep the MEMO_KEPT newest of its
 * name. */
int memo_store(const char *memo_file, const char *fingerprint, const char *value);

/* Memos of one name are one per source (each vmctl build has its own
 * seccomp memo, each checkout its kernel key's): that many are kept. */
#define MEMO_KEPT 8

/* Removes all but the `keep` most recently stored files of memo_file's
 * family ("<dir>/<name>-<16 hex digits>", the same name).  Returns how
 * many went, or -errno. */
int memo_prune(const char *memo_file, size_t keep);

#endif
