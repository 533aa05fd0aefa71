/* machine.c - the facts of the machine a benchmark ran on. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "common/cleanup.h"

#ifndef VMCTL_VERSION
#define VMCTL_VERSION "0.1"
#endif

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

static void cpu_facts(struct bench_machine *m)
{
	cleanup_fclose FILE *f = fopen("/proc/cpuinfo", "re");
	char line[4096];
	while (f && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		char *v = colon + 1 + (colon[1] == ' ');
		v[strcspn(v, "\n")] = 0;
		if (!m->cpu[0] && !strncmp(line, "model name", 10))
			snprintf(m->cpu, sizeof(m->cpu), "%s", v);
		if (!strncmp(line, "flags", 5) && strstr(v, " hypervisor"))
			m->nested = true;
	}
}

static void mem_total(struct bench_machine *m)
{
	cleanup_fclose FILE *f = fopen("/proc/meminfo", "re");
	unsigned long long kib;
	char line[256];
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemTotal: %llu kB", &kib) == 1)
			m->mem_bytes = (uint64_t)kib * 1024;
}

static const char *cgroup_layout(void)
{
	struct statfs fs;
	struct stat st;
	if (statfs("/sys/fs/cgroup", &fs) < 0)
		return "none";
	if (fs.f_type == CGROUP2_SUPER_MAGIC)
		return "v2";
	if (statfs("/sys/fs/cgroup/unified", &fs) == 0 &&
	    fs.f_type == CGROUP2_SUPER_MAGIC &&
	    stat("/sys/fs/cgroup/unified", &st) == 0)
		return "hybrid";
	return "v1";
}

void bench_machine_probe(struct bench_machine *m)
{
	memset(m, 0, sizeof(*m));
	cpu_facts(m);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	m->ncpu = n > 0 ? (unsigned)n : 0;
	mem_total(m);
	struct utsname u;
	if (uname(&u) == 0)
		snprintf(m->host_kernel, sizeof(m->host_kernel), "%s",
			 u.release);
	snprintf(m->vmctl_version, sizeof(m->vmctl_version), "%s",
		 VMCTL_VERSION);
	time_t now = time(NULL);
	struct tm tm;
	if (gmtime_r(&now, &tm))
		strftime(m->date, sizeof(m->date), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(m->cgroup, sizeof(m->cgroup), "%s", cgroup_layout());
}
