/* test_diskimage.c - sizing of ext4 disk images (pure), and one real build
 * when mke2fs is installed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/util.h"
#include "images/diskimage.h"

#define MIB (1ULL << 20)

static void test_usage_counts(void **state)
{
	(void)state;
	struct disk_usage u = {0};
	disk_usage_add(&u, S_IFDIR | 0755, 4096, 0); /* the top directory */
	disk_usage_add(&u, S_IFREG | 0644, 0, 1);    /* empty: no block */
	disk_usage_add(&u, S_IFREG | 0644, 1, 2);
	disk_usage_add(&u, S_IFREG | 0644, 4096, 3);
	disk_usage_add(&u, S_IFREG | 0644, 4097, 4);
	disk_usage_add(&u, S_IFLNK | 0777, 59, 5); /* fits in the inode */
	disk_usage_add(&u, S_IFLNK | 0777, 60, 5); /* needs a block */
	disk_usage_add(&u, S_IFDIR | 0755, 4096, 8);
	disk_usage_add(&u, S_IFCHR | 0644, 0, 3);
	assert_int_equal(u.inodes, 9);
	assert_int_equal(u.dirs, 2);
	assert_int_equal(u.data_blocks, 0 + 1 + 1 + 2 + 1);
	/* 8 + name rounded to 4, for every entry but the top. */
	assert_int_equal(u.dirent_bytes, 12 + 12 + 12 + 12 + 16 + 16 + 16 + 12);
}

static void test_empty_tree(void **state)
{
	(void)state;
	struct disk_usage u = {0};
	disk_usage_add(&u, S_IFDIR | 0755, 4096, 0);
	struct disk_geometry g;
	disk_image_geometry(&u, 0, &g);
	assert_int_equal(g.bytes % MIB, 0);
	assert_true(g.bytes >= 8 * MIB); /* headroom even for nothing */
	assert_true(g.bytes <= 16 * MIB);
	assert_true(g.inodes >= 64);
}

static void test_covers_data_and_inodes(void **state)
{
	(void)state;
	struct disk_usage u = {0};
	disk_usage_add(&u, S_IFDIR | 0755, 4096, 0);
	for (int i = 0; i < 5000; i++)
		disk_usage_add(&u, S_IFREG | 0644, 10000, 12); /* 3 blocks */
	struct disk_geometry g;
	disk_image_geometry(&u, 0, &g);
	assert_true(g.inodes >= 5001);
	uint64_t floor = 5000ULL * 3 * DISK_BLOCK + g.inodes * DISK_INODE_SIZE;
	assert_true(g.bytes > floor);
	/* ...but not wildly more: under twice what the data needs. */
	assert_true(g.bytes < 2 * floor);
}

static void test_monotonic(void **state)
{
	(void)state;
	struct disk_usage a = {0}, b;
	disk_usage_add(&a, S_IFDIR | 0755, 4096, 0);
	disk_usage_add(&a, S_IFREG | 0644, 10 * MIB, 4);
	b = a;
	disk_usage_add(&b, S_IFREG | 0644, 10 * MIB, 4);
	struct disk_geometry ga, gb;
	disk_image_geometry(&a, 0, &ga);
	disk_image_geometry(&b, 0, &gb);
	assert_true(gb.bytes >= ga.bytes + 10 * MIB);
}

static void test_min_size(void **state)
{
	(void)state;
	struct disk_usage u = {0};
	disk_usage_add(&u, S_IFDIR | 0755, 4096, 0);
	struct disk_geometry g;
	disk_image_geometry(&u, 1000 * MIB + 1, &g);
	assert_int_equal(g.bytes, 1001 * MIB); /* rounded up to MiB */
	/* A big disk gets ext4's usual one inode per 16 KiB. */
	assert_int_equal(g.inodes, g.bytes / 16384);
	/* A min_size below the need changes nothing. */
	struct disk_geometry g2;
	disk_image_geometry(&u, 1, &g2);
	disk_image_geometry(&u, 0, &g);
	assert_int_equal(g.bytes, g2.bytes);
}

static void test_absurd_sizes_saturate(void **state)
{
	(void)state;
	struct disk_usage u = {0};
	disk_usage_add(&u, S_IFDIR | 0755, 4096, 0);
	disk_usage_add(&u, S_IFREG | 0644, UINT64_MAX, 1);
	disk_usage_add(&u, S_IFREG | 0644, UINT64_MAX, 1);
	struct disk_geometry g;
	disk_image_geometry(&u, 0, &g);
	/* No wrap-around to a small size: the build then refuses it. */
	assert_true(g.bytes > (1ULL << 50));
	disk_geometry_grow(&g);
	assert_true(g.bytes > (1ULL << 50));
}

static void test_grow(void **state)
{
	(void)state;
	struct disk_geometry g = {10 * MIB, 1000};
	disk_geometry_grow(&g);
	assert_int_equal(g.bytes, 20 * MIB);
	assert_int_equal(g.inodes, 2000);
}

static bool have_mke2fs(void)
{
	return access("/usr/sbin/mke2fs", X_OK) == 0 ||
	       access("/sbin/mke2fs", X_OK) == 0;
}

/* Entries of dir not starting with a dot. */
static int count_entries(const char *dir)
{
	int n = 0;
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *de;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static void write_text(const char *path, const char *text)
{
	assert_int_equal(write_file(path, text, strlen(text), 0644), 0);
}

static void test_build_real_image(void **state)
{
	(void)state;
	if (!have_mke2fs())
		skip();
	char dir[] = "/tmp/vmctl-test-disk-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char l1[256], l2[256], p[512], img[256];
	snprintf(l1, sizeof(l1), "%s/lower", dir);
	snprintf(l2, sizeof(l2), "%s/upper", dir);
	snprintf(img, sizeof(img), "%s/root.img", dir);
	snprintf(p, sizeof(p), "%s/etc", l1);
	assert_int_equal(mkdir_p(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/etc", l2);
	assert_int_equal(mkdir_p(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/etc/hostname", l1);
	write_text(p, "lower\n");
	snprintf(p, sizeof(p), "%s/etc/hostname", l2);
	write_text(p, "upper\n");
	const char *layers[] = {l2, l1};
	struct vmctl_err err = {0};
	assert_int_equal(disk_image_build(layers, 2, img, 0, &err), 0);

	struct stat st;
	assert_int_equal(stat(img, &st), 0);
	assert_int_equal(st.st_size % MIB, 0);
	/* The ext4 superblock magic 0xEF53 at byte 1024 + 56. */
	int fd = open(img, O_RDONLY);
	uint8_t magic[2] = {0};
	assert_int_equal(pread(fd, magic, 2, 1024 + 56), 2);
	close(fd);
	assert_int_equal(magic[0], 0x53);
	assert_int_equal(magic[1], 0xef);
	/* Staging and temp files are gone: only the layers and the image. */
	assert_int_equal(count_entries(dir), 3);

	/* A min_size makes the image at least that big. */
	assert_int_equal(disk_image_build(layers, 2, img, 64 * MIB, &err), 0);
	assert_int_equal(stat(img, &st), 0);
	assert_int_equal(st.st_size, 64 * MIB);
	assert_int_equal(rm_rf(dir), 0);
}

static void test_build_missing_layer(void **state)
{
	(void)state;
	char dir[] = "/tmp/vmctl-test-disk-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char img[256];
	snprintf(img, sizeof(img), "%s/root.img", dir);
	const char *layers[] = {"/nonexistent/layer"};
	struct vmctl_err err = {0};
	assert_true(disk_image_build(layers, 1, img, 0, &err) < 0);
	assert_true(err.msg[0] != '\0');
	/* Nothing left behind. */
	assert_int_equal(count_entries(dir), 0);
	assert_int_equal(rm_rf(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_usage_counts),
	    cmocka_unit_test(test_empty_tree),
	    cmocka_unit_test(test_covers_data_and_inodes),
	    cmocka_unit_test(test_monotonic),
	    cmocka_unit_test(test_min_size),
	    cmocka_unit_test(test_absurd_sizes_saturate),
	    cmocka_unit_test(test_grow),
	    cmocka_unit_test(test_build_real_image),
	    cmocka_unit_test(test_build_missing_layer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
