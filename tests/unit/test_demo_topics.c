/* Unit tests: the demo topics of `vmctl demo`, and the lookup that turns a
 * user's TOPIC into a script name (it must never yield a path). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cli/cli.h"

static void test_every_topic_is_found(void **state)
{
	size_t n = 0;
	for (const struct demo_topic *t = demo_topics(); t->name; t++, n++)
		assert_ptr_equal(demo_topic_find(t->name), t);
	assert_int_equal(n, 7);
	assert_non_null(demo_topic_find("kernels"));
	assert_non_null(demo_topic_find("clientserver"));
}

static void test_names_are_plain_words(void **state)
{
	for (const struct demo_topic *t = demo_topics(); t->name; t++) {
		assert_true(strlen(t->name) > 0);
		assert_int_equal(strspn(t->name, "abcdefghijklmnopqrstuvwxyz"),
				 strlen(t->name));
		/* One line in the listing: "  %-13s %s" within 100 columns. */
		assert_true(strlen(t->name) <= 13);
		assert_true(strlen(t->summary) > 0 && strlen(t->summary) <= 84);
	}
}

static void test_paths_and_near_misses_are_refused(void **state)
{
	const char *bad[] = {
	    "",		 ".",	      "..",	    "../demo/kernels",
	    "kernels/",	 "/kernels",  "kernels/..", "lib.sh",
	    "lib",	 "KERNELS",   "kernel",	    "kernels ",
	    "./kernels", "registry\n"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_null(demo_topic_find(bad[i]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_topic_is_found),
	    cmocka_unit_test(test_names_are_plain_words),
	    cmocka_unit_test(test_paths_and_near_misses_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
