/* time_spec.c: the times pycore ci --since and --until take, as journalctl
 * spells them.  Local times are read in UTC (TZ is set before the first
 * call), NOW is a fixed 2026-12-04 18:30:15 UTC. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/time_spec.h"

#include <stdlib.h>
#include <time.h>

#define SEC 1000000ULL
#define NOW (1796409015ULL * SEC) /* 2026-12-04 18:30:15 UTC */
#define MIDNIGHT (1796342400ULL * SEC) /* 2026-12-04 00:00:00 UTC */

static uint64_t parsed(const char *text)
{
	uint64_t ret = 0;

	assert_true(time_spec_parse(text, NOW, &ret));
	return ret;
}

static void test_absolute(void **state)
{
	(void)state;
	assert_int_equal(parsed("2026-12-04 18:30:15"), NOW);
	assert_int_equal(parsed("2026-12-04 18:30"), NOW - 15 * SEC);
	assert_int_equal(parsed("2026-12-04"), MIDNIGHT);
	assert_int_equal(parsed("@1796409015"), NOW);
	assert_int_equal(parsed("@0"), 0);
}

static void test_words(void **state)
{
	(void)state;
	assert_int_equal(parsed("now"), NOW);
	assert_int_equal(parsed("today"), MIDNIGHT);
	assert_int_equal(parsed("yesterday"), MIDNIGHT - 86400 * SEC);
	assert_int_equal(parsed("tomorrow"), MIDNIGHT + 86400 * SEC);
}

static void test_relative(void **state)
{
	(void)state;
	assert_int_equal(parsed("-1h"), NOW - 3600 * SEC);
	assert_int_equal(parsed("-90min"), NOW - 5400 * SEC);
	assert_int_equal(parsed("+2d"), NOW + 2 * 86400 * SEC);
	assert_int_equal(parsed("-1w"), NOW - 604800 * SEC);
	assert_int_equal(parsed("-30s"), NOW - 30 * SEC);
	/* Before the epoch: its first microsecond, not a wrap. */
	assert_int_equal(parsed("-100000w"), 1);
}

static void test_refused(void **state)
{
	static const char *const bad[] = {
		"",	      "x",	    "-h",	 "-1",	   "-1y",	"+1hours",
		"@",	      "@12x",	    "2026-13-01", "2026-12-04 25:00", "2026-12-04T18:30:00",
		"yesterday!", "1h",
	};
	uint64_t ret;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (time_spec_parse(bad[i], NOW, &ret))
			fail_msg("'%s' taken as %llu", bad[i], (unsigned long long)ret);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_absolute),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_relative),
		cmocka_unit_test(test_refused),
	};

	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
