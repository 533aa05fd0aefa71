/* base.c - the "busybox" base image, made from Debian's busybox-static.
 *
 * One read-only layer: the static busybox binary, a symlink per applet at
 * the path busybox itself lists (--list-full), and the few files a shell
 * session expects (/etc/passwd, /etc/group, /tmp).  The tree is staged in
 * <root>/tmp, written as a deterministic tar blob (libarchive), and imported
 * like any other image: busybox:latest is a real OCI image.  The config's
 * history records the binary's digest and this builder's version, so a new
 * busybox makes a new image and an unchanged one is never rebuilt.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/digest.h"
#include "common/util.h"
#include "layer.h"
#include "oci.h"
#include "store.h"

#define BASE_BUILDER_VERSION "vmctl-base-2"

static const char *const base_dirs[] = {
    "bin", "sbin", "usr",  "usr/bin", "usr/sbin", "etc", "dev", "proc", "sys",
    "tmp", "root", "home", "var",     "var/tmp",  "run", "mnt", NULL,
};

static const char etc_passwd[] =
    "root:x:0:0:root:/root:/bin/sh\n"
    "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";
static const char etc_group[] = "root:x:0:\nnogroup:x:65534:\n";
static const char etc_hosts[] = "127.0.0.1\tlocalhost\n::1\tlocalhost\n";

static int copy_file(const char *src, const char *dst, mode_t mode)
{
	cleanup_free char *data = NULL;
	size_t len = 0;
	int r = read_file(src, &data, &len);
	return r < 0 ? r : write_file(dst, data, len, mode);
}

/* Runs `busybox --list-full` and makes one symlink per applet. */
static int link_applets(const char *busybox, const char *layer,
			struct vmctl_err *err)
{
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return vmctl_error(err, errno, "pipe");
	pid_t pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return vmctl_error(err, errno, "fork");
	}
	if (pid == 0) {
		dup2(pfd[1], 1);
		execl(busybox, "busybox", "--list-full", (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	cleanup_fclose FILE *f = fdopen(pfd[0], "r");
	if (!f) {
		close(pfd[0]);
		waitpid(pid, NULL, 0);
		return vmctl_error(err, errno, "fdopen");
	}
	char line[PATH_MAX];
	int r = 0;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!*line || strstr(line, "..") || line[0] == '/')
			continue;
		char path[PATH_MAX];
		if (xsnprintf(path, sizeof(path), "%s/%s", layer, line) < 0)
			continue;
		if (!strcmp(line, "bin/busybox"))
			continue;
		if (symlink("/bin/busybox", path) < 0 && errno != EEXIST &&
		    r == 0)
			r = vmctl_error(err, errno, "symlink %s", path);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	if (r == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		r = vmctl_errorf(err, EIO, "%s --list-full failed", busybox);
	return r;
}

static int populate_layer(const char *busybox, const char *layer,
			  struct vmctl_err *err)
{
	char path[PATH_MAX];
	if (mkdir_p(layer, 0755) < 0)
		return vmctl_error(err, errno, "mkdir %s", layer);
	for (size_t i = 0; base_dirs[i]; i++) {
		snprintf(path, sizeof(path), "%s/%s", layer, base_dirs[i]);
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return vmctl_error(err, errno, "mkdir %s", path);
	}
	snprintf(path, sizeof(path), "%s/tmp", layer);
	chmod(path, 01777);
	snprintf(path, sizeof(path), "%s/var/tmp", layer);
	chmod(path, 01777);
	snprintf(path, sizeof(path), "%s/bin/busybox", layer);
	int r = copy_file(busybox, path, 0755);
	if (r < 0)
		return vmctl_error(err, r, "copying %s", busybox);
	static const struct {
		const char *name;
		const char *text;
	} files[] = {{"etc/passwd", etc_passwd},
		     {"etc/group", etc_group},
		     {"etc/hosts", etc_hosts}};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", layer, files[i].name);
		r = write_file(path, files[i].text, strlen(files[i].text),
			       0644);
		if (r < 0)
			return vmctl_error(err, r, "writing %s", path);
	}
	return link_applets(busybox, layer, err);
}

/* The OCI config of the base image: the layer's diff_id, the defaults of a
 * shell, and in the history comment the source it was made from (the test
 * for "already built"). */
static char *base_config_json(const char *diff_id, int64_t created,
			      const char *source)
{
	char when[32];
	struct utsname u;
	oci_time_format(created, when, sizeof(when));
	uname(&u);
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "created", when);
	cJSON_AddStringToObject(j, "architecture",
				!strcmp(u.machine, "x86_64")	? "amd64"
				: !strcmp(u.machine, "aarch64") ? "arm64"
								: u.machine);
	cJSON_AddStringToObject(j, "os", "linux");
	cJSON *cfg = cJSON_AddObjectToObject(j, "config");
	cJSON *env = cJSON_AddArrayToObject(cfg, "Env");
	cJSON_AddItemToArray(
	    env, cJSON_CreateString("PATH=/usr/local/sbin:/usr/local/bin:/usr/"
				    "sbin:/usr/bin:/sbin:/bin"));
	cJSON *cmd = cJSON_AddArrayToObject(cfg, "Cmd");
	cJSON_AddItemToArray(cmd, cJSON_CreateString("sh"));
	cJSON_AddStringToObject(cfg, "WorkingDir", "/");
	cJSON *rootfs = cJSON_AddObjectToObject(j, "rootfs");
	cJSON_AddStringToObject(rootfs, "type", "layers");
	cJSON *ids = cJSON_AddArrayToObject(rootfs, "diff_ids");
	cJSON_AddItemToArray(ids, cJSON_CreateString(diff_id));
	cJSON *hist = cJSON_AddArrayToObject(j, "history");
	cJSON *h = cJSON_CreateObject();
	cJSON_AddStringToObject(h, "created", when);
	cJSON_AddStringToObject(
	    h, "created_by", "vmctl image build-base (Debian busybox-static)");
	cJSON_AddStringToObject(h, "comment", source);
	cJSON_AddItemToArray(hist, h);
	char *text = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return text;
}

/* True when busybox:latest was made from this very source. */
static bool base_up_to_date(const char *root, const char *source)
{
	struct oci_manifest m;
	struct oci_config c;
	struct vmctl_err ignored = {0};
	if (image_read_oci(root, "busybox:latest", &m, &c, NULL, &ignored) < 0)
		return false;
	bool same = c.n_history == 1 && c.history[0].comment &&
		    !strcmp(c.history[0].comment, source);
	oci_manifest_free(&m);
	oci_config_free(&c);
	return same;
}

/* The staged tree as a tar blob of the layout; fills the descriptor. */
static int stage_blob(const char *layout, const char *stage, const char *tar,
		      int64_t mtime, struct oci_descriptor *d,
		      struct vmctl_err *err)
{
	cleanup_close int fd =
	    open(tar, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return vmctl_error(err, errno, "creating %s", tar);
	int r = layer_write_dir(stage, fd, false, mtime, err);
	if (r < 0)
		return r;
	if (lseek(fd, 0, SEEK_SET) < 0)
		return vmctl_error(err, errno, "lseek");
	snprintf(d->media_type, sizeof(d->media_type), "%s", OCI_MT_LAYER);
	return oci_blob_put_fd(layout, fd, NULL, d->digest, &d->size, err);
}

static int build_image(const char *root, const char *busybox,
		       const char *tmpdir, const char *source,
		       struct vmctl_err *err)
{
	char layout[PATH_MAX], stage[PATH_MAX], tar[PATH_MAX];
	struct stat st;
	if (store_layout_path(root, layout, sizeof(layout)) < 0 ||
	    xsnprintf(stage, sizeof(stage), "%s/base-%d", tmpdir,
		      (int)getpid()) < 0 ||
	    xsnprintf(tar, sizeof(tar), "%s/base-%d.tar", tmpdir,
		      (int)getpid()) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "store path too long");
	if (stat(busybox, &st) < 0)
		return vmctl_error(err, errno, "%s", busybox);
	int r = oci_layout_init(layout, err);
	if (r < 0)
		return r;
	/* Under the lock from the first blob to the name: a concurrent rmi's
	 * collection cannot take the blobs of a half-made image. */
	cleanup_close int lock = oci_layout_lock(layout, err);
	if (lock < 0)
		return lock;
	rm_rf(stage);
	struct oci_descriptor layer = {0}, config = {0};
	/* The tar's times are the binary's: the same busybox makes the same
	 * digests, so rebuilding changes nothing. */
	int64_t mtime = (int64_t)st.st_mtime;
	r = populate_layer(busybox, stage, err);
	if (r == 0)
		r = stage_blob(layout, stage, tar, mtime, &layer, err);
	rm_rf(stage);
	unlink(tar);
	cleanup_free char *cfg =
	    r == 0 ? base_config_json(layer.digest, mtime, source) : NULL;
	if (r == 0 && !cfg)
		r = vmctl_error(err, ENOMEM, "image config");
	if (r == 0)
		r = oci_blob_put(layout, cfg, strlen(cfg), NULL, config.digest,
				 err);
	config.size = cfg ? (int64_t)strlen(cfg) : 0;
	snprintf(config.media_type, sizeof(config.media_type), "%s",
		 OCI_MT_CONFIG);
	cleanup_free char *manifest =
	    r == 0 ? oci_manifest_build(&config, &layer, 1) : NULL;
	if (r == 0 && !manifest)
		r = vmctl_error(err, ENOMEM, "image manifest");
	if (r == 0)
		r = image_import(root, manifest, "busybox:latest", lock, NULL,
				 err);
	return r;
}

int image_build_base(const char *root, const char *busybox,
		     struct vmctl_err *err)
{
	char hex[SHA256_HEX_LEN + 1], source[160], tmpdir[PATH_MAX];
	int r = sha256_file_hex(busybox, hex);
	if (r < 0)
		return vmctl_error(
		    err, r,
		    "reading %s (install Debian's busybox-static: "
		    "scripts/setup)",
		    busybox);
	snprintf(source, sizeof(source), "%s busybox sha256:%s",
		 BASE_BUILDER_VERSION, hex);
	if (base_up_to_date(root, source))
		return 0;
	if (xsnprintf(tmpdir, sizeof(tmpdir), "%s/tmp", root) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "store path too long");
	if ((r = mkdir_p(tmpdir, 0700)) < 0)
		return vmctl_error(err, r, "mkdir %s", tmpdir);
	return build_image(root, busybox, tmpdir, source, err);
}
