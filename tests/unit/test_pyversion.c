/* Version detection, one test per source: _Py_DebugOffsets' cookie and
 * version, Py_Version, and the scan for Py_GetVersion()'s text, which must
 * find a string wherever chunk boundaries and unreadable gaps cut it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "python/version.h"

#include <stdio.h>
#include <string.h>

/* The head of _PyRuntime of Debian's 3.14.10. */
static void test_debug_offsets(void **state)
{
	unsigned char head[PYVERSION_DEBUG_OFFSETS_HEAD] = "xdebugpy";
	uint64_t version = 0x030e0af0;
	unsigned hex = 0;

	(void)state;
	memcpy(head + 8, &version, sizeof(version));
	assert_true(pyversion_from_debug_offsets(head, sizeof(head), &hex));
	assert_int_equal(hex, 0x030e0af0);
	/* Too short, another cookie, a version before 3.13 or not one at all. */
	assert_false(pyversion_from_debug_offsets(head, sizeof(head) - 1, &hex));
	head[0] = 'X';
	assert_false(pyversion_from_debug_offsets(head, sizeof(head), &hex));
	head[0] = 'x';
	version = 0x030c01f0;
	memcpy(head + 8, &version, sizeof(version));
	assert_false(pyversion_from_debug_offsets(head, sizeof(head), &hex));
	version = 0x7f00000030e0af0ULL;
	memcpy(head + 8, &version, sizeof(version));
	assert_false(pyversion_from_debug_offsets(head, sizeof(head), &hex));
	version = 0x030e0a00;	/* release level 0 */
	memcpy(head + 8, &version, sizeof(version));
	assert_false(pyversion_from_debug_offsets(head, sizeof(head), &hex));
}

static void test_py_version(void **state)
{
	unsigned hex = 0;

	(void)state;
	assert_true(pyversion_from_py_version(0x030b07f0, &hex));
	assert_int_equal(hex, 0x030b07f0);
	assert_true(pyversion_from_py_version(0x030f00c1, &hex));	/* 3.15.0rc1 */
	assert_false(pyversion_from_py_version(0x030a0df0, &hex));	/* 3.10: none */
	assert_false(pyversion_from_py_version(0x00007f3a12345678ULL, &hex));
	assert_false(pyversion_from_py_version(0, &hex));
}

static const char text[] = "3.8.18 (default, May  9 2026, 10:00:00) \n[GCC 12.2.0]";

/* DATA (LEN bytes) fed in pieces of CHUNK bytes; GAP_AT, when not
 * SIZE_MAX, is where one unreadable chunk is skipped. */
static bool scan(const char *data, size_t len, size_t chunk, size_t gap_at, unsigned *hex)
{
	struct pyversion_scan s;
	size_t done;

	pyversion_scan_init(&s);
	for (done = 0; done < len; done += chunk) {
		size_t n = len - done < chunk ? len - done : chunk;

		if (done == gap_at)
			pyversion_scan_gap(&s);
		else if (pyversion_scan_feed(&s, data + done, n))
			break;
	}
	if (!pyversion_scan_end(&s))
		return false;
	*hex = s.hex;
	return true;
}

static void test_scan_every_cut(void **state)
{
	static char data[20000];
	size_t chunks[] = {1, 7, 31, 32, 33, 4095, 4096, 4097, 8192};
	size_t at, c;
	unsigned hex;

	(void)state;
	for (at = 0; at < 200; at++) {
		size_t where = 5000 + at;

		memset(data, 'x', sizeof(data));
		data[where - 1] = '\0';
		memcpy(data + where, text, sizeof(text));
		for (c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
			hex = 0;
			assert_true(scan(data, sizeof(data), chunks[c], SIZE_MAX, &hex));
			assert_int_equal(hex, 0x030812f0);
		}
	}
}

static void test_scan_edges(void **state)
{
	char data[8192];
	unsigned hex = 0;

	(void)state;
	/* At the very start of the section, and cut by its end. */
	memset(data, 'x', sizeof(data));
	memcpy(data, text, sizeof(text));
	assert_true(scan(data, sizeof(data), 4096, SIZE_MAX, &hex));
	memcpy(data + sizeof(data) - 12, text, 12);
	data[sizeof(data) - 13] = '\0';
	memset(data, 'x', sizeof(text));
	hex = 0;
	assert_true(scan(data, sizeof(data), 4096, SIZE_MAX, &hex));
	assert_int_equal(hex, 0x030812f0);
	/* Not after a NUL: the end of another string, not the version. */
	memset(data, 'x', sizeof(data));
	memcpy(data + 100, text, sizeof(text));
	assert_false(scan(data, sizeof(data), 4096, SIZE_MAX, &hex));
	/* After an unreadable chunk nothing is known of the byte before. */
	memset(data, 'x', sizeof(data));
	memcpy(data + 4096, text, sizeof(text));
	data[4095] = '\0';
	assert_false(scan(data, sizeof(data), 4096, 0, &hex));
	assert_true(scan(data, sizeof(data), 4096, SIZE_MAX, &hex));
	/* Text that only looks like a version. */
	memset(data, 0, sizeof(data));
	memcpy(data + 10, "3.8 (default", 12);
	memcpy(data + 40, "3.x.1 (", 7);
	assert_false(scan(data, sizeof(data), 4096, SIZE_MAX, &hex));
}

static void test_format(void **state)
{
	char buf[32];

	(void)state;
	pyversion_format(0x030e0af0, buf, sizeof(buf));
	assert_string_equal(buf, "3.14.10");
	pyversion_format(0x030f00c1, buf, sizeof(buf));
	assert_string_equal(buf, "3.15.0rc1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debug_offsets),
		cmocka_unit_test(test_py_version),
		cmocka_unit_test(test_scan_every_cut),
		cmocka_unit_test(test_scan_edges),
		cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
