/* Tests of linetable_lookup().
 *
 * (a) Hand-written tables for every entry kind and edge case, malformed
 *     tables, and a few thousand random tables from a fixed-seed PRNG (must
 *     not crash, must keep the contract of linetable.h).
 * (b) Vectors written by tests/unit/gen-linetable-vectors.py under real
 *     interpreters, whose oracle is CPython's own PyCode_Addr2Line /
 *     PyCode_Addr2Location: the files named in PYCORE_LINETABLE_VECTORS
 *     (colon-separated).  tests/unit/run-linetable-vectors makes them with
 *     every installed interpreter and runs this binary.  Without the
 *     variable that test is skipped.
 *
 * Every table is copied into a heap block of exactly its size, so that an
 * AddressSanitizer build catches any read past its end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>

#include <cmocka.h>

#include "base/error.h"
#include "layout/layout.h"
#include "python/linetable.h"

#define U	LINE_TABLE_LNOTAB_UNSIGNED
#define S	LINE_TABLE_LNOTAB_SIGNED
#define T10	LINE_TABLE_LINETABLE_310
#define L	LINE_TABLE_LOCATIONS

/* Looks OFFSET up in a heap copy of the LEN bytes at BYTES. */
static struct pc_error *lookup_copy(enum line_table_format format, const uint8_t *bytes,
				    size_t len, int firstlineno, uint64_t offset,
				    struct py_location *ret)
{
	uint8_t *copy = NULL;
	struct pc_error *err;

	if (len > 0) {
		copy = malloc(len);
		assert_non_null(copy);
		memcpy(copy, bytes, len);
	}
	err = linetable_lookup(format, copy, len, firstlineno, offset, ret);
	free(copy);
	return err;
}

static void check_location(int src_line, enum line_table_format format, const uint8_t *bytes,
			   size_t len, int firstlineno, uint64_t offset, int line, int end_line,
			   int column, int end_column)
{
	struct py_location loc;
	struct pc_error *err = lookup_copy(format, bytes, len, firstlineno, offset, &loc);

	if (err)
		fail_msg("test line %d: offset %llu: unexpected error: %s", src_line,
			 (unsigned long long)offset, err->message);
	if (loc.line != line || loc.end_line != end_line || loc.column != column ||
	    loc.end_column != end_column)
		fail_msg("test line %d: offset %llu: got (%d, %d, %d, %d), want (%d, %d, %d, %d)",
			 src_line, (unsigned long long)offset, loc.line, loc.end_line,
			 loc.column, loc.end_column, line, end_line, column, end_column);
}

static void check_corrupt(int src_line, enum line_table_format format, const uint8_t *bytes,
			  size_t len, int firstlineno, uint64_t offset)
{
	struct py_location loc;
	struct pc_error *err = lookup_copy(format, bytes, len, firstlineno, offset, &loc);

	if (!err)
		fail_msg("test line %d: offset %llu: no error, got line %d", src_line,
			 (unsigned long long)offset, loc.line);
	if (err->code != PC_ERR_CORRUPT)
		fail_msg("test line %d: error code %d (%s), want PC_ERR_CORRUPT", src_line,
			 err->code, err->message);
	if (loc.line != -1 || loc.end_line != -1 || loc.column != -1 || loc.end_column != -1)
		fail_msg("test line %d: location not reset after an error", src_line);
	pc_error_destroy(err);
}

#define LINE_AT(fmt, tab, first, off, line) \
	check_location(__LINE__, fmt, tab, sizeof(tab), first, off, line, -1, -1, -1)
#define LOC_AT(tab, first, off, line, eline, col, ecol) \
	check_location(__LINE__, L, tab, sizeof(tab), first, off, line, eline, col, ecol)
#define CORRUPT_AT(fmt, tab, first, off) \
	check_corrupt(__LINE__, fmt, tab, sizeof(tab), first, off)

/* ---- 2.7 - 3.9: co_lnotab ---- */

static void test_lnotab(void **state)
{
	/* (6, +1) (8, +200 or -56) (0, +5) */
	static const uint8_t tab[] = { 6, 1, 8, 200, 0, 5 };
	static const uint8_t odd[] = { 6, 1, 8 };
	static const uint8_t big[] = { 255, 0, 255, 0, 10, 255, 0, 255, 1, 0x80 };

	(void)state;
	for (uint64_t off = 0; off < 6; off++) {
		LINE_AT(U, tab, 100, off, 100);
		LINE_AT(S, tab, 100, off, 100);
	}
	for (uint64_t off = 6; off < 14; off++) {
		LINE_AT(U, tab, 100, off, 101);
		LINE_AT(S, tab, 100, off, 101);
	}
	LINE_AT(U, tab, 100, 14, 306);	/* 2.7: unsigned increments */
	LINE_AT(S, tab, 100, 14, 50);	/* 3.6+: int8_t */
	LINE_AT(U, tab, 100, UINT64_MAX, 306);
	LINE_AT(S, tab, 100, UINT64_MAX, 50);

	/* A lone last byte is not a pair. */
	LINE_AT(U, odd, 7, 5, 7);
	LINE_AT(U, odd, 7, 1000, 8);
	LINE_AT(S, odd, 7, 1000, 8);

	/* Jumps of more than 255 bytes and 255 lines, split into pairs. */
	LINE_AT(U, big, 1, 509, 1);
	LINE_AT(U, big, 1, 519, 1);
	LINE_AT(U, big, 1, 520, 1 + 255 + 255);
	LINE_AT(U, big, 1, 521, 1 + 255 + 255 + 128);
	LINE_AT(S, big, 1000, 519, 1000);
	LINE_AT(S, big, 1000, 520, 1000 - 1 - 1);
	LINE_AT(S, big, 1000, 521, 1000 - 1 - 1 - 128);

	/* Empty table: co_firstlineno for any offset; NULL is fine. */
	check_location(__LINE__, U, NULL, 0, 42, 0, 42, -1, -1, -1);
	check_location(__LINE__, S, NULL, 0, 42, UINT64_MAX, 42, -1, -1, -1);
}

static void test_lnotab_out_of_range(void **state)
{
	static const uint8_t down[] = { 0, 0x80 };
	static const uint8_t up[] = { 0, 20 };
	static const uint8_t ones[64] = {
		[0 ... 63] = 0xff,
	};

	(void)state;
	CORRUPT_AT(S, down, 5, 0);		/* 5 - 128 */
	LINE_AT(S, down, 200, 0, 72);
	CORRUPT_AT(U, up, INT_MAX - 10, 0);	/* above INT_MAX */
	LINE_AT(U, up, INT_MAX - 20, 0, INT_MAX);
	check_corrupt(__LINE__, U, NULL, 0, -1, 0);	/* firstlineno itself */

	/* All 0xff: address +255, line +255 (2.7) or -1 (3.6+) a pair. */
	LINE_AT(U, ones, 1, 254, 1);
	LINE_AT(U, ones, 1, 255, 256);
	LINE_AT(U, ones, 1, UINT64_MAX, 1 + 32 * 255);
	LINE_AT(S, ones, 100, 255 * 3, 97);
	LINE_AT(S, ones, 100, UINT64_MAX, 68);
}

/* ---- 3.10: co_linetable ---- */

static void test_linetable_310(void **state)
{
	/* [0,4) +1, [4,10) +2, [10,12) no line, empty +3, [12,20) +1 */
	static const uint8_t tab[] = { 4, 1, 6, 2, 2, 0x80, 0, 3, 8, 1 };
	static const uint8_t odd[] = { 4, 1, 6 };
	static const uint8_t tail[] = { 4, 1, 0, 5 };
	static const uint8_t ones[16] = {
		[0 ... 15] = 0xff,
	};

	(void)state;
	for (uint64_t off = 0; off < 4; off++)
		LINE_AT(T10, tab, 1, off, 2);
	for (uint64_t off = 4; off < 10; off++)
		LINE_AT(T10, tab, 1, off, 4);
	LINE_AT(T10, tab, 1, 10, -1);
	LINE_AT(T10, tab, 1, 11, -1);
	for (uint64_t off = 12; off < 20; off++)
		LINE_AT(T10, tab, 1, off, 8);
	/* Past the last range: PyCode_Addr2Line says -1. */
	LINE_AT(T10, tab, 1, 20, -1);
	LINE_AT(T10, tab, 1, UINT64_MAX, -1);
	check_location(__LINE__, T10, NULL, 0, 5, 0, -1, -1, -1, -1);

	/* A table cut inside a pair is an error only where it is read. */
	LINE_AT(T10, odd, 1, 3, 2);
	CORRUPT_AT(T10, odd, 1, 4);
	/* A trailing empty range is no range. */
	LINE_AT(T10, tail, 1, 3, 2);
	LINE_AT(T10, tail, 1, 4, -1);

	/* All 0xff: ranges of 255 bytes, line -1 each. */
	LINE_AT(T10, ones, 300, 0, 299);
	LINE_AT(T10, ones, 300, 255 * 8 - 1, 292);
	LINE_AT(T10, ones, 300, 255 * 8, -1);
	CORRUPT_AT(T10, ones, 0, 0);
}

/* ---- 3.11+: location table ---- */

/* firstlineno 50:
 *   [0,2)   short form, column 10 - 13             line 50
 *   [2,6)   one-line, delta +1, columns 5 - 20     line 51
 *   [6,12)  no columns, delta -2                   line 49
 *   [12,14) long, delta +300, end +2, column 200, no end column: 349 - 351
 *   [14,22) no location
 *   [22,38) one-line, delta +2, columns 0 - 1      line 351 */
static const uint8_t locations[] = {
	0x88, 0x23,
	0xd9, 0x05, 0x14,
	0xea, 0x05,
	0xf0, 0x58, 0x09, 0x02, 0x49, 0x03, 0x00,
	0xfb,
	0xe7, 0x00, 0x01,
};

static void test_locations(void **state)
{
	static const uint8_t ends_without_location[] = { 0x88, 0x23, 0xfb };
	static const uint8_t module_start[] = { 0xf0, 0x03, 0x01, 0x01, 0x01 };
	static const uint8_t all_codes_short[] = {
		0x80, 0x00,	/* code 0: columns 0 - 0 */
		0xcf, 0x7f,	/* code 9, 8 units: columns 79 - 94 */
	};

	(void)state;
	LOC_AT(locations, 50, 0, 50, 50, 10, 13);
	LOC_AT(locations, 50, 1, 50, 50, 10, 13);
	for (uint64_t off = 2; off < 6; off++)
		LOC_AT(locations, 50, off, 51, 51, 5, 20);
	for (uint64_t off = 6; off < 12; off++)
		LOC_AT(locations, 50, off, 49, 49, -1, -1);
	LOC_AT(locations, 50, 12, 349, 351, 200, -1);
	LOC_AT(locations, 50, 13, 349, 351, 200, -1);
	for (uint64_t off = 14; off < 22; off++)
		LOC_AT(locations, 50, off, -1, -1, -1, -1);
	for (uint64_t off = 22; off < 38; off++)
		LOC_AT(locations, 50, off, 351, 351, 0, 1);
	/* Past the end: the last entry, as PyCode_Addr2Location. */
	LOC_AT(locations, 50, 38, 351, 351, 0, 1);
	LOC_AT(locations, 50, UINT64_MAX, 351, 351, 0, 1);
	LOC_AT(ends_without_location, 50, 2, -1, -1, -1, -1);
	LOC_AT(ends_without_location, 50, 1000, -1, -1, -1, -1);

	/* A 3.11 module starts at line 0 (RESUME), one line above co_firstlineno. */
	LOC_AT(module_start, 1, 0, 0, 1, 0, 0);
	LOC_AT(all_codes_short, 7, 0, 7, 7, 0, 0);
	LOC_AT(all_codes_short, 7, 2, 7, 7, 79, 94);
	LOC_AT(all_codes_short, 7, 17, 7, 7, 79, 94);

	check_location(__LINE__, L, NULL, 0, 5, 0, -1, -1, -1, -1);
	check_location(__LINE__, L, NULL, 0, 5, UINT64_MAX, -1, -1, -1, -1);
}

static void test_locations_malformed(void **state)
{
	static const uint8_t truncated_varint[] = { 0xf0, 0x58 };
	static const uint8_t truncated_long[] = { 0xf0, 0x02, 0x00 };
	static const uint8_t no_top_bit[] = { 0x08, 0x23 };
	static const uint8_t short_cut[] = { 0x88 };
	static const uint8_t one_line_cut[] = { 0xd9, 0x05, 0x94 };
	static const uint8_t left_over[] = { 0x88, 0x23, 0x01 };
	static const uint8_t varint_too_long[] = {
		0xe8, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x00,
	};
	static const uint8_t varint_too_large[] = { 0xe8, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x3f };
	static const uint8_t varint_max[] = { 0xe8, 0x7e, 0x7f, 0x7f, 0x7f, 0x7f, 0x01 };
	static const uint8_t below_zero[] = { 0xe8, 0x03 };
	static const uint8_t bad_after[] = { 0x88, 0x23, 0xf0 };
	static const uint8_t end_line_too_big[] = { 0xf0, 0x00, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x01,
						    0x00, 0x00 };
	static const uint8_t ones[32] = {
		[0 ... 31] = 0xff,
	};

	(void)state;
	CORRUPT_AT(L, truncated_varint, 1, 0);
	CORRUPT_AT(L, truncated_long, 1, 0);
	CORRUPT_AT(L, no_top_bit, 1, 0);
	CORRUPT_AT(L, short_cut, 1, 0);
	CORRUPT_AT(L, one_line_cut, 1, 0);
	CORRUPT_AT(L, left_over, 1, 0);
	CORRUPT_AT(L, left_over, 1, 100);
	CORRUPT_AT(L, varint_too_long, 1, 0);
	CORRUPT_AT(L, varint_too_large, 1, 0);
	/* 2^31 - 2 as a signed varint: +1073741823 */
	LOC_AT(varint_max, 1, 0, 1073741824, 1073741824, -1, -1);
	CORRUPT_AT(L, below_zero, 0, 0);
	LOC_AT(below_zero, 1, 0, 0, 0, -1, -1);
	/* Entries after the one that holds the offset are not read. */
	LOC_AT(bad_after, 9, 0, 9, 9, 10, 13);
	LOC_AT(bad_after, 9, 1, 9, 9, 10, 13);
	CORRUPT_AT(L, bad_after, 9, 2);
	CORRUPT_AT(L, end_line_too_big, 1, 0);
	/* All 0xff: "no location" entries of 8 code units, all well formed. */
	LOC_AT(ones, 1, 0, -1, -1, -1, -1);
	LOC_AT(ones, 1, UINT64_MAX, -1, -1, -1, -1);
}

static void test_unknown_format(void **state)
{
	static const uint8_t tab[] = { 0, 1 };
	struct py_location loc;
	struct pc_error *err;

	(void)state;
	err = linetable_lookup((enum line_table_format)99, tab, sizeof(tab), 1, 0, &loc);
	assert_non_null(err);
	assert_int_equal(err->code, PC_ERR_UNSUPPORTED);
	assert_int_equal(loc.line, -1);
	pc_error_destroy(err);
	err = linetable_lookup(L, NULL, 4, 1, 0, &loc);
	assert_non_null(err);
	assert_int_equal(err->code, PC_ERR_CORRUPT);
	pc_error_destroy(err);
	assert_string_equal(linetable_format_name(U), "lnotab-unsigned");
	assert_string_equal(linetable_format_name(L), "locations");
	assert_string_equal(linetable_format_name((enum line_table_format)99), "unknown");
}

/* ---- random input ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint64_t random_offset(void)
{
	switch (rng() % 4) {
	case 0:
		return rng() % 64;
	case 1:
		return rng() % 1024;
	case 2:
		return rng();
	default:
		return UINT64_MAX - rng() % 4;
	}
}

static int random_firstlineno(void)
{
	switch (rng() % 4) {
	case 0:
		return (int)(rng() % 2000);
	case 1:
		return INT_MAX - (int)(rng() % 300);
	case 2:
		return -(int)(rng() % 300);
	default:
		return (int)(uint32_t)rng();
	}
}

/* Random bytes; for the location table also tables of plausible entries
 * (a first byte with the top bit, payload bytes without), which get deeper. */
static size_t random_table(enum line_table_format format, uint8_t *buf, size_t size)
{
	size_t len = rng() % size;

	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)rng();
	if (format == L && rng() % 2) {
		for (size_t i = 0; i < len; i++) {
			if (i == 0 || rng() % 4 == 0)
				buf[i] |= 0x80;
			else
				buf[i] &= rng() % 2 ? 0x7f : 0x3f;
		}
	}
	return len;
}

static void check_contract(enum line_table_format format, const struct py_location *loc,
			   struct pc_error *err)
{
	if (err) {
		assert_true(err->code == PC_ERR_CORRUPT);
		assert_int_equal(loc->line, -1);
		assert_int_equal(loc->end_line, -1);
		assert_int_equal(loc->column, -1);
		assert_int_equal(loc->end_column, -1);
		pc_error_destroy(err);
		return;
	}
	assert_true(loc->line >= -1);
	if (format != L) {
		assert_int_equal(loc->end_line, -1);
		assert_int_equal(loc->column, -1);
		assert_int_equal(loc->end_column, -1);
	} else if (loc->line == -1) {
		assert_int_equal(loc->end_line, -1);
	} else {
		assert_true(loc->end_line >= loc->line);
		assert_true(loc->column >= -1);
		assert_true(loc->end_column >= -1);
	}
}

static void test_random(void **state)
{
	static const enum line_table_format formats[] = { U, S, T10, L };
	uint8_t buf[96];
	unsigned errors = 0, located = 0;

	(void)state;
	for (int iteration = 0; iteration < 5000; iteration++) {
		for (size_t f = 0; f < sizeof(formats) / sizeof(formats[0]); f++) {
			size_t len = random_table(formats[f], buf, sizeof(buf));
			int firstlineno = random_firstlineno();
			struct py_location loc;
			struct pc_error *err;

			for (int k = 0; k < 4; k++) {
				err = lookup_copy(formats[f], buf, len, firstlineno,
						  random_offset(), &loc);
				errors += err != NULL;
				located += !err && loc.line >= 0;
				check_contract(formats[f], &loc, err);
			}
		}
	}
	/* Both outcomes must have been exercised. */
	assert_true(errors > 1000);
	assert_true(located > 1000);
}

/* A big table of "no location" entries and a huge offset: linear, no loop. */
static void test_long_table(void **state)
{
	size_t len = 1 << 22;
	uint8_t *tab = malloc(len);
	struct py_location loc;
	struct pc_error *err;

	(void)state;
	assert_non_null(tab);
	memset(tab, 0xff, len);
	tab[len - 3] = 0xd8;	/* one-line, delta +1, columns 3 - 4 */
	tab[len - 2] = 3;
	tab[len - 1] = 4;
	err = linetable_lookup(L, tab, len, 10, UINT64_MAX, &loc);
	assert_null(err);
	assert_int_equal(loc.line, 11);
	assert_int_equal(loc.column, 3);
	err = linetable_lookup(U, tab, len, 10, UINT64_MAX, &loc);
	assert_null(err);	/* (255, +255) pairs, then (255, 216), (3, 4) */
	assert_int_equal(loc.line, 10 + ((int)(len / 2) - 2) * 255 + 216 + 4);
	err = linetable_lookup(U, tab, len, 2000000000, UINT64_MAX, &loc);
	assert_non_null(err);	/* 2e9 + 255 * 2^21 > INT_MAX */
	assert_int_equal(err->code, PC_ERR_CORRUPT);
	pc_error_destroy(err);
	/* (0xff, -1) pairs, then (0xff, 0xd8 = -40), (3, +4) */
	err = linetable_lookup(S, tab, len, 3000000, UINT64_MAX, &loc);
	assert_null(err);
	assert_int_equal(loc.line, 3000000 - ((int)(len / 2) - 2) - 40 + 4);
	free(tab);
}

/* ---- vectors from real interpreters ---- */

struct vector_file {
	const char *path;
	unsigned line_no;
	enum line_table_format expected_format;
	bool have_version;
	char label[256];
	uint8_t *table;
	size_t table_len;
	int firstlineno;
	bool in_code;
	unsigned codes, offsets, failures;
};

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static void vector_error(const struct vector_file *v, const char *what)
{
	fail_msg("%s:%u: %s", v->path, v->line_no, what);
}

static void vector_code(struct vector_file *v, char *rest)
{
	char format[32];
	long long firstlineno;
	unsigned long code_len;
	int hex_at = 0;
	size_t hex_len;
	const char *hex;

	if (sscanf(rest, "%255s %31s %lld %lu %n", v->label, format, &firstlineno, &code_len,
		   &hex_at) != 4 || hex_at == 0)
		vector_error(v, "bad code record");
	if (!v->have_version)
		vector_error(v, "code record before the version");
	if (strcmp(format, linetable_format_name(v->expected_format)) != 0)
		vector_error(v, "format does not match layout_shape_for_version()");
	if (firstlineno < INT_MIN || firstlineno > INT_MAX)
		vector_error(v, "firstlineno out of range");
	hex = rest + hex_at;
	hex_len = strcspn(hex, " \n");
	free(v->table);
	v->table = NULL;
	v->table_len = 0;
	if (hex_len == 0)
		vector_error(v, "no table");
	if (!(hex_len == 1 && hex[0] == '-')) {
		if (hex_len % 2)
			vector_error(v, "odd hex length");
		v->table_len = hex_len / 2;
		v->table = malloc(v->table_len);
		assert_non_null(v->table);
		for (size_t i = 0; i < v->table_len; i++) {
			int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);

			if (hi < 0 || lo < 0)
				vector_error(v, "bad hex digit");
			v->table[i] = (uint8_t)(hi << 4 | lo);
		}
	}
	v->firstlineno = (int)firstlineno;
	v->in_code = true;
	v->codes++;
}

static void vector_at(struct vector_file *v, const char *rest)
{
	unsigned long long offset;
	struct py_location want, got;
	struct pc_error *err;

	if (!v->in_code)
		vector_error(v, "offset record outside a code record");
	if (sscanf(rest, "%llu %d %d %d %d", &offset, &want.line, &want.end_line, &want.column,
		   &want.end_column) != 5)
		vector_error(v, "bad offset record");
	v->offsets++;
	err = linetable_lookup(v->expected_format, v->table, v->table_len, v->firstlineno,
			       offset, &got);
	if (err) {
		if (v->failures++ < 20)
			print_error("%s:%u: %s offset %llu: error: %s\n", v->path, v->line_no,
				    v->label, offset, err->message);
		pc_error_destroy(err);
		return;
	}
	if (got.line != want.line || got.end_line != want.end_line ||
	    got.column != want.column || got.end_column != want.end_column) {
		if (v->failures++ < 20)
			print_error("%s:%u: %s offset %llu: got (%d, %d, %d, %d), "
				    "CPython says (%d, %d, %d, %d)\n",
				    v->path, v->line_no, v->label, offset, got.line,
				    got.end_line, got.column, got.end_column, want.line,
				    want.end_line, want.column, want.end_column);
	}
}

static void check_vector_file(const char *path)
{
	struct vector_file v = { .path = path };
	FILE *file = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!file)
		fail_msg("cannot open '%s'", path);
	while ((n = getline(&line, &cap, file)) >= 0) {
		unsigned major, minor, micro;

		v.line_no++;
		if (n > 0 && line[n - 1] == '\n')
			line[n - 1] = '\0';
		if (v.line_no == 1) {
			if (strcmp(line, "pycore-linetable-vectors 1") != 0)
				vector_error(&v, "not a vector file (version 1)");
		} else if (strncmp(line, "at ", 3) == 0) {
			vector_at(&v, line + 3);
		} else if (strncmp(line, "code ", 5) == 0) {
			if (v.in_code)
				vector_error(&v, "code record inside a code record");
			vector_code(&v, line + 5);
		} else if (strcmp(line, "end") == 0) {
			v.in_code = false;
		} else if (sscanf(line, "version %u %u %u", &major, &minor, &micro) == 3) {
			struct py_layout layout;

			layout_init(&layout, PY_HEX(major, minor));
			v.expected_format = layout.line_table;
			v.have_version = true;
			print_message("%s: Python %u.%u.%u, %s\n", path, major, minor, micro,
				      linetable_format_name(v.expected_format));
		} else if (line[0] != '\0' && line[0] != '#') {
			vector_error(&v, "unknown record");
		}
	}
	free(line);
	free(v.table);
	fclose(file);
	if (v.in_code)
		vector_error(&v, "file ends inside a code record");
	print_message("%s: %u code objects, %u offsets, %u failures\n", path, v.codes,
		      v.offsets, v.failures);
	if (v.codes == 0 || v.offsets == 0)
		fail_msg("%s: no vectors", path);
	if (v.failures)
		fail_msg("%s: %u offsets disagree with CPython", path, v.failures);
}

static void test_vectors(void **state)
{
	const char *list = getenv("PYCORE_LINETABLE_VECTORS");
	char *copy, *path, *save = NULL;
	unsigned files = 0;

	(void)state;
	if (!list || !*list) {
		print_message("PYCORE_LINETABLE_VECTORS is not set: "
			      "run tests/unit/run-linetable-vectors\n");
		skip();
	}
	copy = strdup(list);
	assert_non_null(copy);
	for (path = strtok_r(copy, ":", &save); path; path = strtok_r(NULL, ":", &save)) {
		check_vector_file(path);
		files++;
	}
	free(copy);
	assert_true(files > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lnotab),
		cmocka_unit_test(test_lnotab_out_of_range),
		cmocka_unit_test(test_linetable_310),
		cmocka_unit_test(test_locations),
		cmocka_unit_test(test_locations_malformed),
		cmocka_unit_test(test_unknown_format),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_long_table),
		cmocka_unit_test(test_vectors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
