/* cmd_version.c - `vmctl version` and `vmctl info`. */
#include <cjson/cJSON.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cli.h"
#include "common/util.h"

#ifndef VMCTL_VERSION
#define VMCTL_VERSION "0.1"
#endif

static int print_json(cJSON *j)
{
	char *s = cJSON_Print(j);
	if (s)
		puts(s);
	free(s);
	cJSON_Delete(j);
	return 0;
}

int cmd_version(int argc, char **argv)
{
	bool json = false;
	const struct cli_flag flags[] = {CLI_BOOL(NULL, "--json", &json), CLI_FLAGS_END};
	int first;
	if (cli_scan_flags("version", argc, argv, flags, &first))
		return EXIT_VMCTL_ERROR;
	struct utsname u;
	uname(&u);
	if (json) {
		cJSON *j = cJSON_CreateObject();
		cJSON *client = cJSON_AddObjectToObject(j, "client");
		cJSON_AddStringToObject(client, "version", VMCTL_VERSION);
		cJSON_AddStringToObject(client, "os", u.sysname);
		cJSON_AddStringToObject(client, "arch", u.machine);
		cJSON_AddStringToObject(client, "kernel", u.release);
		return print_json(j);
	}
	printf("Client:\n Version:  %s\n OS/Arch:  %s/%s\n Kernel:   %s\n"
	       "Server:\n (none: vmctl runs workloads in-process; `vmctl serve` is planned)\n",
	       VMCTL_VERSION, u.sysname, u.machine, u.release);
	return 0;
}

static const char *cgroup_layout(void)
{
	struct statfs fs;
	if (statfs("/sys/fs/cgroup", &fs) == 0 && fs.f_type == 0x63677270)
		return "v2";
	if (access("/sys/fs/cgroup/memory", F_OK) == 0)
		return access("/sys/fs/cgroup/unified", F_OK) == 0 ? "hybrid (v1 + v2)" : "v1";
	return "none";
}

int cmd_info(int argc, char **argv)
{
	bool json = false;
	const struct cli_flag flags[] = {CLI_BOOL(NULL, "--json", &json), CLI_FLAGS_END};
	int first;
	if (cli_scan_flags("info", argc, argv, flags, &first))
		return EXIT_VMCTL_ERROR;
	struct utsname u;
	uname(&u);
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	bool has_kvm = kvm >= 0;
	if (kvm >= 0)
		close(kvm);
	bool nested_pvm = access("/sys/module/kvm_pvm", F_OK) == 0;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
	if (json) {
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "kernel", u.release);
		cJSON_AddNumberToObject(j, "cpus", (double)cpus);
		cJSON_AddNumberToObject(j, "memory_bytes", (double)pages * (double)psz);
		cJSON_AddStringToObject(j, "cgroups", cgroup_layout());
		cJSON_AddBoolToObject(j, "kvm", has_kvm);
		cJSON_AddBoolToObject(j, "kvm_nested_emulated", nested_pvm);
		cJSON_AddStringToObject(j, "root", vmctl_root());
		return print_json(j);
	}
	printf("Kernel:      %s\nCPUs:        %ld\nMemory:      %.1f GiB\nCgroups:     %s\n"
	       "KVM:         %s%s\nStore:       %s\n",
	       u.release, cpus, (double)pages * (double)psz / (1 << 30), cgroup_layout(),
	       has_kvm ? "available" : "not available (/dev/kvm)",
	       nested_pvm ? " (nested, emulated guest kernel: VM runs take seconds)" : "",
	       vmctl_root());
	return 0;
}
