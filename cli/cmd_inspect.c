/* cmd_inspect.c - `vmctl inspect`: a run's or an image's record as JSON. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common/cleanup.h"
#include "common/state.h"
#include "common/util.h"
#include "images/store.h"

static cJSON *inspect_run(const char *key)
{
	struct ctr_state st;
	struct vmctl_err err = {0};
	if (state_find(vmctl_root(), key, &st, &err) < 0)
		return NULL;
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/state.json", st.dir);
	ctr_state_free(&st);
	cleanup_free char *text = NULL;
	if (read_file(path, &text, NULL) < 0)
		return NULL;
	cJSON *j = cJSON_Parse(text);
	if (j)
		cJSON_AddStringToObject(j, "kind", "run");
	return j;
}

static cJSON *strv_json(char **v)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; v && v[i]; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
	return a;
}

static cJSON *inspect_image(const char *ref)
{
	struct image img;
	struct vmctl_err err = {0};
	if (image_open(vmctl_root(), ref, &img, &err) < 0)
		return NULL;
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "kind", "image");
	cJSON_AddStringToObject(j, "id", img.id ? img.id : "");
	cJSON_AddStringToObject(j, "digest", img.digest ? img.digest : "");
	cJSON_AddStringToObject(j, "repo", img.repo);
	cJSON_AddStringToObject(j, "tag", img.tag);
	cJSON_AddNumberToObject(j, "created", (double)img.created);
	cJSON_AddNumberToObject(j, "size", (double)img.size);
	/* "layers": the layer directory names under $VMCTL_ROOT/layers (what
	 * bench/ and scripts join), bottom-most first; "diff_ids" the digests. */
	cJSON *layers = cJSON_AddArrayToObject(j, "layers");
	for (size_t i = 0; img.layer_ids && img.layer_ids[i]; i++) {
		const char *id = img.layer_ids[i];
		cJSON_AddItemToArray(layers, cJSON_CreateString(strncmp(id, "sha256:", 7) ? id : id + 7));
	}
	cJSON_AddItemToObject(j, "diff_ids", strv_json(img.layer_ids));
	cJSON *cfg = cJSON_AddObjectToObject(j, "config");
	cJSON_AddItemToObject(cfg, "Env", strv_json(img.env));
	cJSON_AddItemToObject(cfg, "Cmd", strv_json(img.cmd));
	cJSON_AddItemToObject(cfg, "Entrypoint", strv_json(img.entrypoint));
	cJSON_AddStringToObject(cfg, "WorkingDir", img.workdir ? img.workdir : "");
	cJSON_AddStringToObject(cfg, "User", img.user ? img.user : "");
	image_free(&img);
	return j;
}

int cmd_inspect(int argc, char **argv)
{
	int first;
	if (cli_scan_flags("inspect", argc, argv, NULL, &first))
		return EXIT_VMCTL_ERROR;
	if (first >= argc)
		return cli_fail("\"vmctl inspect\" requires at least 1 argument: vmctl inspect NAME|ID|IMAGE...");
	cJSON *out = cJSON_CreateArray();
	int status = 0;
	for (int i = first; i < argc; i++) {
		cJSON *j = inspect_run(argv[i]);
		if (!j)
			j = inspect_image(argv[i]);
		if (j)
			cJSON_AddItemToArray(out, j);
		else
			status = cli_fail("no such run or image: %s", argv[i]);
	}
	char *s = cJSON_Print(out);
	if (s)
		puts(s);
	free(s);
	cJSON_Delete(out);
	return status ? 1 : 0;
}
