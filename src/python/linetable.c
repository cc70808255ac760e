/* Line tables of CPython 2.7 - 3.13; see linetable.h for the contract.
 *
 * References (read, not copied): Objects/lnotab_notes.txt (2.7 - 3.10),
 * Objects/locations.md (3.11+) and PyCode_Addr2Line / PyCode_Addr2Location
 * in Objects/codeobject.c of each version.  Each format has its own small
 * decoder; all of them walk the table forward once, keep the running line in
 * an int64_t so that no sum can overflow, and check every index against LEN
 * before reading. */
#include "python/linetable.h"

#include <limits.h>
#include <stdbool.h>

#include "base/error.h"

/* 3.11+ entry codes (the enum _PyCodeLocationInfoKind of CPython). */
#define LOC_SHORT_MAX	9	/* 0 - 9: short form, same line */
#define LOC_ONE_LINE0	10	/* 10 - 12: one-line form, line delta 0 - 2 */
#define LOC_ONE_LINE2	12
#define LOC_NO_COLUMNS	13
#define LOC_LONG	14
#define LOC_NONE	15

/* A 3.11+ varint never needs more than 31 bits in a real table. */
#define VARINT_MAX	INT32_MAX

/* In CPython 3.10 a line delta of -128 marks a range without a line. */
#define LINETABLE_310_NO_LINE	(-128)

static const struct py_location location_unknown = { -1, -1, -1, -1 };

const char *linetable_format_name(enum line_table_format format)
{
	switch (format) {
	case LINE_TABLE_LNOTAB_UNSIGNED:
		return "lnotab-unsigned";
	case LINE_TABLE_LNOTAB_SIGNED:
		return "lnotab-signed";
	case LINE_TABLE_LINETABLE_310:
		return "linetable-310";
	case LINE_TABLE_LOCATIONS:
		return "locations";
	}
	return "unknown";
}

/* Checks that a computed LINE is a line number (what CPython computes with an
 * int, and what no real table takes below 0); stores it in RET. */
static struct pc_error *check_line(enum line_table_format format, int64_t line,
				   const char *what, int *ret)
{
	if (line < 0 || line > INT_MAX)
		return pc_error_create(PC_ERR_CORRUPT, "%s table: %s %lld out of range",
				       linetable_format_name(format), what, (long long)line);
	*ret = (int)line;
	return NULL;
}

/* 2.7 - 3.9: (address increment, line increment) byte pairs.  Sum the line
 * increments of the pairs whose address, after its increment, is still
 * <= OFFSET.  2.7 reads the line increment unsigned, 3.6 - 3.9 as an int8_t
 * (lnotab_notes.txt).  A lone last byte is not a pair: CPython's loop runs
 * LEN / 2 times. */
static struct pc_error *lookup_lnotab(enum line_table_format format, const uint8_t *table,
				      size_t len, int firstlineno, uint64_t offset,
				      struct py_location *ret)
{
	bool is_signed = format == LINE_TABLE_LNOTAB_SIGNED;
	int64_t line = firstlineno;
	uint64_t address = 0;

	for (size_t i = 0; i + 1 < len; i += 2) {
		address += table[i];
		if (address > offset)
			break;
		line += is_signed ? (int8_t)table[i + 1] : table[i + 1];
	}
	return check_line(format, line, "line", &ret->line);
}

/* 3.10: (range length in bytes, int8_t line delta) pairs; a delta of -128
 * means "no line" and leaves the running line alone.  The answer is the
 * line of the first range that ends after OFFSET (it starts at or before
 * OFFSET, so it is not one of the empty ranges CPython skips); past the last
 * range there is none and CPython's PyCode_Addr2Line says -1. */
static struct pc_error *lookup_linetable_310(const uint8_t *table, size_t len,
					     int firstlineno, uint64_t offset,
					     struct py_location *ret)
{
	int64_t computed = firstlineno;
	uint64_t end = 0;

	for (size_t i = 0; i < len; i += 2) {
		int delta;
		bool has_line;

		if (i + 1 >= len)
			return pc_error_create(PC_ERR_CORRUPT,
					       "linetable-310 table: ends inside the entry at byte %zu of %zu",
					       i, len);
		end += table[i];
		delta = (int8_t)table[i + 1];
		has_line = delta != LINETABLE_310_NO_LINE;
		if (has_line)
			computed += delta;
		if (end > offset) {
			if (!has_line)
				return NULL;
			return check_line(LINE_TABLE_LINETABLE_310, computed, "line",
					  &ret->line);
		}
	}
	return NULL;
}

/* A cursor over a 3.11+ location table. */
struct loc_reader {
	const uint8_t *table;
	size_t len;
	size_t pos;		/* next byte to read */
	size_t entry;		/* where the current entry starts, for messages */
};

static struct pc_error *loc_corrupt(const struct loc_reader *r, const char *why)
{
	return pc_error_create(PC_ERR_CORRUPT,
			       "locations table: entry at byte %zu of %zu: %s",
			       r->entry, r->len, why);
}

/* Reads one payload byte: a byte inside an entry, which never has the top
 * bit set (that bit marks the first byte of an entry). */
static struct pc_error *loc_read_byte(struct loc_reader *r, unsigned *ret)
{
	if (r->pos >= r->len)
		return loc_corrupt(r, "the table ends inside it");
	if (r->table[r->pos] & 0x80)
		return loc_corrupt(r, "the next entry starts inside it");
	*ret = r->table[r->pos++];
	return NULL;
}

/* Varint: 6-bit chunks, least significant first, bit 6 set on every chunk
 * but the last. */
static struct pc_error *loc_read_varint(struct loc_reader *r, int64_t *ret)
{
	uint64_t value = 0;
	unsigned shift = 0;
	unsigned byte = 0;
	struct pc_error *err;

	do {
		err = loc_read_byte(r, &byte);
		if (err)
			return err;
		if (shift > 30)
			return loc_corrupt(r, "varint too long");
		value |= (uint64_t)(byte & 63) << shift;
		shift += 6;
	} while (byte & 64);
	if (value > VARINT_MAX)
		return loc_corrupt(r, "varint too large");
	*ret = (int64_t)value;
	return NULL;
}

/* Signed varint: the magnitude shifted left once, the sign in bit 0. */
static struct pc_error *loc_read_signed_varint(struct loc_reader *r, int64_t *ret)
{
	int64_t value;
	struct pc_error *err = loc_read_varint(r, &value);

	if (err)
		return err;
	*ret = (value & 1) ? -(value >> 1) : value >> 1;
	return NULL;
}

/* One decoded 3.11+ entry, before range checks. */
struct loc_entry {
	uint64_t length;	/* bytes of bytecode it covers */
	bool has_line;		/* false for code 15 */
	int64_t end_line;	/* when has_line */
	int64_t column;		/* -1 = none */
	int64_t end_column;
};

/* Decodes the entry at R->pos, updating *COMPUTED (the running line) as
 * CPython's advance_with_locations() does; leaves R->pos at the next entry. */
static struct pc_error *loc_read_entry(struct loc_reader *r, int64_t *computed,
				       struct loc_entry *ret)
{
	uint8_t first = r->table[r->pos];
	unsigned code = (first >> 3) & 15;
	int64_t delta = 0, extra = 0;
	unsigned b1 = 0, b2 = 0;
	struct pc_error *err = NULL;

	r->entry = r->pos;
	if (!(first & 0x80))
		return loc_corrupt(r, "its first byte lacks the top bit");
	r->pos++;
	ret->length = ((uint64_t)(first & 7) + 1) * 2;	/* code units of 2 bytes */
	ret->has_line = true;
	ret->column = ret->end_column = -1;
	switch (code) {
	case LOC_NONE:
		ret->has_line = false;
		break;
	case LOC_LONG:
		if ((err = loc_read_signed_varint(r, &delta)) ||
		    (err = loc_read_varint(r, &extra)) ||
		    (err = loc_read_varint(r, &ret->column)) ||
		    (err = loc_read_varint(r, &ret->end_column)))
			return err;
		*computed += delta;
		ret->end_line = *computed + extra;
		ret->column -= 1;	/* stored + 1, so that 0 means "none" */
		ret->end_column -= 1;
		break;
	case LOC_NO_COLUMNS:
		if ((err = loc_read_signed_varint(r, &delta)))
			return err;
		*computed += delta;
		ret->end_line = *computed;
		break;
	default:
		if (code >= LOC_ONE_LINE0 && code <= LOC_ONE_LINE2) {
			if ((err = loc_read_byte(r, &b1)) || (err = loc_read_byte(r, &b2)))
				return err;
			*computed += code - LOC_ONE_LINE0;
			ret->column = b1;
			ret->end_column = b2;
		} else {	/* short form: code is column / 8 */
			if ((err = loc_read_byte(r, &b1)))
				return err;
			ret->column = (int64_t)(code << 3 | b1 >> 4);
			ret->end_column = ret->column + (b1 & 15);
		}
		ret->end_line = *computed;
		break;
	}
	if (r->pos < r->len && !(r->table[r->pos] & 0x80))
		return loc_corrupt(r, "bytes left over after it");
	return NULL;
}

/* 3.11+: walk the entries to the one whose range holds OFFSET, or to the
 * last one when OFFSET lies past them all (PyCode_Addr2Location steps back to
 * the last entry it read and decodes that). */
static struct pc_error *lookup_locations(const uint8_t *table, size_t len, int firstlineno,
					 uint64_t offset, struct py_location *ret)
{
	struct loc_reader reader = { .table = table, .len = len };
	struct loc_entry entry = { 0 };
	int64_t computed = firstlineno;
	uint64_t end = 0;
	struct pc_error *err;

	if (len == 0)
		return NULL;	/* CPython would read before the table here */
	while (reader.pos < len) {
		err = loc_read_entry(&reader, &computed, &entry);
		if (err)
			return err;
		end += entry.length;
		if (end > offset)
			break;
	}
	if (!entry.has_line)
		return NULL;
	if ((err = check_line(LINE_TABLE_LOCATIONS, computed, "line", &ret->line)) ||
	    (err = check_line(LINE_TABLE_LOCATIONS, entry.end_line, "end line", &ret->end_line))) {
		*ret = location_unknown;
		return err;
	}
	/* Columns fit an int: at most VARINT_MAX - 1 (long form) or 127. */
	ret->column = (int)entry.column;
	ret->end_column = (int)entry.end_column;
	return NULL;
}

struct pc_error *linetable_lookup(enum line_table_format format, const uint8_t *table,
				  size_t len, int firstlineno, uint64_t offset,
				  struct py_location *ret)
{
	struct pc_error *err;

	*ret = location_unknown;
	if (len > 0 && !table)
		return pc_error_create(PC_ERR_CORRUPT, "%s table: %zu bytes at NULL",
				       linetable_format_name(format), len);
	switch (format) {
	case LINE_TABLE_LNOTAB_UNSIGNED:
	case LINE_TABLE_LNOTAB_SIGNED:
		err = lookup_lnotab(format, table, len, firstlineno, offset, ret);
		break;
	case LINE_TABLE_LINETABLE_310:
		err = lookup_linetable_310(table, len, firstlineno, offset, ret);
		break;
	case LINE_TABLE_LOCATIONS:
		err = lookup_locations(table, len, firstlineno, offset, ret);
		break;
	default:
		return pc_error_create(PC_ERR_UNSUPPORTED, "line table format %d",
				       (int)format);
	}
	if (err)
		*ret = location_unknown;
	return err;
}
