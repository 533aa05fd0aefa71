/* cmd_images.c - `vmctl images` and `vmctl image build-base`. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common/util.h"
#include "images/build.h"
#include "images/store.h"

struct images_ctx {
	cJSON *json;
	bool all;
};

static int image_row(const struct image *img, void *ctx)
{
	const struct images_ctx *c = ctx;
	cJSON *json = c->json;
	/* untagged images a build step was made on: only with -a */
	if (!c->all && img->id && !strcmp(img->tag, "<none>") &&
	    build_is_intermediate(vmctl_root(), img->id))
		return 0;
	const char *hex = img->id && strlen(img->id) > 7 ? img->id + 7 : "";
	if (json) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "repository", img->repo);
		cJSON_AddStringToObject(o, "tag", img->tag);
		cJSON_AddStringToObject(o, "id", img->id ? img->id : "");
		cJSON_AddStringToObject(o, "digest", img->digest ? img->digest : "");
		cJSON_AddNumberToObject(o, "created", (double)img->created);
		cJSON_AddNumberToObject(o, "size", (double)img->size);
		cJSON_AddNumberToObject(o, "layers", (double)img->n_layers);
		cJSON_AddItemToArray(json, o);
		return 0;
	}
	char when[48], size[32];
	cli_format_ago(img->created, when, sizeof(when));
	cli_format_size(img->size, size, sizeof(size));
	printf("%-20s  %-10s  %-12.12s  %-16s  %s\n", img->repo, img->tag, hex, when, size);
	return 0;
}

int cmd_images(int argc, char **argv)
{
	bool json = false, all = false;
	const struct cli_flag flags[] = {CLI_BOOL("-a", "--all", &all),
					 CLI_BOOL(NULL, "--json", &json), CLI_FLAGS_END};
	int first;
	if (cli_scan_flags("images", argc, argv, flags, &first))
		return EXIT_VMCTL_ERROR;
	if (first < argc)
		return cli_fail("images takes no arguments");
	cJSON *arr = json ? cJSON_CreateArray() : NULL;
	struct images_ctx ctx = {arr, all};
	if (!json)
		printf("%-20s  %-10s  %-12s  %-16s  %s\n", "REPOSITORY", "TAG", "IMAGE ID",
		       "CREATED", "SIZE");
	struct vmctl_err err = {0};
	int r = image_list(vmctl_root(), image_row, &ctx, &err);
	if (json) {
		char *s = cJSON_Print(arr);
		if (s)
			puts(s);
		free(s);
		cJSON_Delete(arr);
	}
	return r < 0 ? cli_fail("%s", err.msg) : 0;
}

int cmd_image(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "build-base"))
		return cli_fail("usage: vmctl image build-base");
	const char *busybox = getenv("VMCTL_BUSYBOX");
	struct vmctl_err err = {0};
	if (image_build_base(vmctl_root(), busybox ? busybox : "/bin/busybox", &err) < 0)
		return cli_fail("%s", err.msg);
	printf("busybox:latest\n");
	return 0;
}
