/* base.c - the "busybox" base image, made from Debian's busybox-static.
 *
 * One read-only layer: the static busybox binary, a symlink per applet at
 * the path busybox itself lists (--list-full), and the few files a shell
 * session expects (/etc/passwd, /etc/group, /tmp).  The layer id is the
 * digest of the binary plus this builder's version, so a new busybox makes
 * a new layer and an unchanged one is never rebuilt.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/digest.h"
#include "common/util.h"
#include "store.h"

#define BASE_BUILDER_VERSION "vmctl-base-1"

static const char *const base_dirs[] = {
	"bin", "sbin", "usr", "usr/bin", "usr/sbin", "etc", "dev", "proc", "sys",
	"tmp", "root", "home", "var", "var/tmp", "run", "mnt", NULL,
};

static const char etc_passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
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
		if (symlink("/bin/busybox", path) < 0 && errno != EEXIST && r == 0)
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
		r = write_file(path, files[i].text, strlen(files[i].text), 0644);
		if (r < 0)
			return vmctl_error(err, r, "writing %s", path);
	}
	return link_applets(busybox, layer, err);
}

static char *base_image_json(const char *layer_id, uint64_t size)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "repo", "busybox");
	cJSON_AddStringToObject(j, "tag", "latest");
	cJSON_AddNumberToObject(j, "created", (double)time(NULL));
	cJSON_AddNumberToObject(j, "size", (double)size);
	cJSON *layers = cJSON_AddArrayToObject(j, "layers");
	cJSON_AddItemToArray(layers, cJSON_CreateString(layer_id));
	cJSON *hist = cJSON_AddArrayToObject(j, "history");
	cJSON *h = cJSON_CreateObject();
	cJSON_AddStringToObject(h, "created_by",
				"vmctl image build-base (Debian busybox-static)");
	cJSON_AddItemToArray(hist, h);
	cJSON *cfg = cJSON_AddObjectToObject(j, "config");
	cJSON *env = cJSON_AddArrayToObject(cfg, "Env");
	cJSON_AddItemToArray(env, cJSON_CreateString(
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
	cJSON *cmd = cJSON_AddArrayToObject(cfg, "Cmd");
	cJSON_AddItemToArray(cmd, cJSON_CreateString("sh"));
	cJSON_AddStringToObject(cfg, "WorkingDir", "/");
	char *text = cJSON_Print(j);
	cJSON_Delete(j);
	return text;
}

int image_build_base(const char *root, const char *busybox, struct vmctl_err *err)
{
	char hex[SHA256_HEX_LEN + 1], id[SHA256_HEX_LEN + 1];
	int r = sha256_file_hex(busybox, hex);
	if (r < 0)
		return vmctl_error(err, r,
				   "reading %s (install Debian's busybox-static: "
				   "scripts/setup)",
				   busybox);
	char seed[SHA256_HEX_LEN + sizeof(BASE_BUILDER_VERSION) + 1];
	snprintf(seed, sizeof(seed), "%s%s", hex, BASE_BUILDER_VERSION);
	sha256_hex(seed, strlen(seed), id);

	char layer[PATH_MAX], tmp[PATH_MAX], imgdir[PATH_MAX], imgfile[PATH_MAX];
	if (xsnprintf(layer, sizeof(layer), "%s/layers/%s", root, id) < 0 ||
	    xsnprintf(tmp, sizeof(tmp), "%s/layers/.tmp-%s-%d", root, id, (int)getpid()) < 0 ||
	    xsnprintf(imgdir, sizeof(imgdir), "%s/images/busybox", root) < 0 ||
	    xsnprintf(imgfile, sizeof(imgfile), "%s/latest.json", imgdir) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "store path too long");

	struct stat st;
	if (stat(layer, &st) < 0) {
		/* Built aside and renamed into place: a crash never leaves a
		 * half-populated layer under its final name. */
		rm_rf(tmp);
		r = populate_layer(busybox, tmp, err);
		if (r == 0 && rename(tmp, layer) < 0 && errno != ENOTEMPTY &&
		    errno != EEXIST)
			r = vmctl_error(err, errno, "rename %s", layer);
		rm_rf(tmp);
		if (r < 0)
			return r;
	}
	/* Idempotent: an image already pointing at this layer is kept as is
	 * (its creation time included). */
	cleanup_free char *old = NULL;
	if (read_file(imgfile, &old, NULL) == 0 && strstr(old, id))
		return 0;
	if (mkdir_p(imgdir, 0755) < 0)
		return vmctl_error(err, errno, "mkdir %s", imgdir);
	struct stat bst;
	uint64_t size = stat(busybox, &bst) == 0 ? (uint64_t)bst.st_size : 0;
	cleanup_free char *json = base_image_json(id, size);
	if (!json)
		return vmctl_error(err, ENOMEM, "image description");
	r = write_file_atomic(imgfile, json, strlen(json), 0644);
	if (r < 0)
		return vmctl_error(err, r, "writing %s", imgfile);
	return 0;
}
