/* Unit tests: the image's User resolved against passwd/group text
 * (common/userdb.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "common/userdb.h"

static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
			     "# a comment line\n"
			     "broken line without fields\n"
			     "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
			     "alice:x:1234:1234:Alice:/home/alice:/bin/sh\n"
			     "huge:x:4294967295:1:overflow:/:/bin/sh\n"
			     "bob:x:1500:100::/home/bob:/bin/sh"; /* no \n */

static const char group[] =
    "root:x:0:root\n"
    "users:x:100:\n"
    "alice:x:1234:\n"
    "audio:x:29:bob,alice\n"
    "video:x:44:alicex,xalice\n" /* prefixes are not alice */
    "wheel:x:10:root,alice\n";

static void test_by_name(void **state)
{
	struct user_ids u;
	assert_int_equal(userdb_resolve("alice", passwd, group, &u), 0);
	assert_int_equal(u.uid, 1234);
	assert_int_equal(u.gid, 1234);
	/* primary first, then the groups that list alice, nothing else */
	assert_int_equal(u.n_groups, 3);
	assert_int_equal(u.groups[0], 1234);
	assert_int_equal(u.groups[1], 29);
	assert_int_equal(u.groups[2], 10);
	assert_string_equal(u.home, "HOME=/home/alice");
	assert_int_equal(userdb_resolve("bob", passwd, group, &u), 0);
	assert_int_equal(u.uid, 1500);
	assert_int_equal(u.gid, 100);
	assert_int_equal(u.n_groups, 2); /* the last line has no newline */
}

static void test_numeric(void **state)
{
	struct user_ids u;
	/* A known uid takes its passwd entry's group and memberships. */
	assert_int_equal(userdb_resolve("1234", passwd, group, &u), 0);
	assert_int_equal(u.gid, 1234);
	assert_int_equal(u.n_groups, 3);
	/* An unknown one runs with gid 0 (Docker), even without passwd. */
	assert_int_equal(userdb_resolve("4242", passwd, group, &u), 0);
	assert_int_equal(u.uid, 4242);
	assert_int_equal(u.gid, 0);
	assert_int_equal(u.n_groups, 1);
	assert_string_equal(u.home, "HOME=/");
	assert_int_equal(userdb_resolve("4242:77", NULL, NULL, &u), 0);
	assert_int_equal(u.uid, 4242);
	assert_int_equal(u.gid, 77);
	assert_int_equal(u.n_groups, 1);
	assert_int_equal(u.groups[0], 77);
}

static void test_explicit_group(void **state)
{
	struct user_ids u;
	/* An explicit group replaces the memberships. */
	assert_int_equal(userdb_resolve("alice:audio", passwd, group, &u), 0);
	assert_int_equal(u.uid, 1234);
	assert_int_equal(u.gid, 29);
	assert_int_equal(u.n_groups, 1);
	assert_int_equal(userdb_resolve("alice:5", passwd, group, &u), 0);
	assert_int_equal(u.gid, 5);
	assert_int_equal(userdb_resolve("0:users", passwd, group, &u), 0);
	assert_int_equal(u.uid, 0);
	assert_int_equal(u.gid, 100);
}

static void test_refusals(void **state)
{
	struct user_ids u;
	assert_int_equal(userdb_resolve("mallory", passwd, group, &u), -ENOENT);
	assert_string_equal(u.msg, "unable to find user mallory: no matching "
				   "entries in passwd file");
	assert_int_equal(userdb_resolve("alice", NULL, group, &u), -ENOENT);
	assert_int_equal(userdb_resolve("alice:nogroup", passwd, group, &u),
			 -ENOENT);
	assert_string_equal(u.msg, "unable to find group nogroup: no matching "
				   "entries in group file");
	assert_int_equal(userdb_resolve("alice:audio", passwd, NULL, &u),
			 -ENOENT);
	/* Ids beyond 2^31-1 (and -1, the "unchanged" id) are refused. */
	assert_int_equal(userdb_resolve("4294967295", passwd, group, &u),
			 -EINVAL);
	assert_string_equal(u.msg, "user id 4294967295 out of range");
	assert_int_equal(userdb_resolve("1:99999999999", passwd, group, &u),
			 -EINVAL);
	/* An entry whose uid overflows is skipped, not wrapped. */
	assert_int_equal(userdb_resolve("huge", passwd, group, &u), -ENOENT);
	assert_int_equal(userdb_resolve("alice:", passwd, group, &u), -EINVAL);
	assert_int_equal(userdb_resolve("a\nb", passwd, group, &u), -EINVAL);
}

static void test_group_bound(void **state)
{
	/* More memberships than USERDB_MAX_GROUPS: kept to the bound. */
	static char many[USERDB_MAX_GROUPS * 2 * 32];
	size_t off = 0;
	for (int i = 0; i < USERDB_MAX_GROUPS * 2; i++)
		off += (size_t)sprintf(many + off, "g%d:x:%d:alice\n", i,
				       2000 + i);
	struct user_ids u;
	assert_int_equal(userdb_resolve("alice", passwd, many, &u), 0);
	assert_int_equal(u.n_groups, USERDB_MAX_GROUPS);
	assert_int_equal(u.groups[0], 1234);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_by_name),
	    cmocka_unit_test(test_numeric),
	    cmocka_unit_test(test_explicit_group),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_group_bound),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
