#include "python/object.h"

#include "base/error.h"
#include "elf/memory.h"
#include "base/utf8.h"

#include <stdlib.h>
#include <string.h>

struct pc_error *pyobject_type(const struct py_reader *reader, uint64_t address, uint64_t *ret)
{
	struct pc_error *err;

	if (!address)
		return pc_error_fault("NULL object pointer");
	err = py_read_ptr(reader, address, LAYOUT_FIELD(object, ob_type), ret);
	if (err)
		return pc_error_prefix(err, "object at %#llx", (unsigned long long)address);
	return NULL;
}

struct pc_error *pyobject_type_flags(const struct py_reader *reader, uint64_t type,
				     uint64_t *ret)
{
	struct pc_error *err;

	/* tp_flags is an unsigned long on Linux. */
	err = py_read_u64(reader, type, LAYOUT_FIELD(type, tp_flags), ret);
	if (err)
		return pc_error_prefix(err, "type at %#llx", (unsigned long long)type);
	return NULL;
}

/* Decode LENGTH code units of UNIT bytes each at DATA into UTF-8.  For
 * UNIT == 1 the units are Latin-1 (PEP 393 kind 1), except when AS_UTF8 says
 * they are bytes that are already UTF-8 (2.7 str). */
static struct pc_error *decode_units(const struct py_reader *reader, uint64_t data,
				     uint64_t length, int unit, int as_utf8, size_t max_chars,
				     char **ret)
{
	uint64_t count = length < max_chars ? length : max_chars;
	size_t i, used = 0;
	unsigned char *raw;
	struct pc_error *err;
	char *text;

	raw = malloc(count * (size_t)unit + 1);
	text = malloc(count * 4 + sizeof("..."));
	if (!raw || !text) {
		free(raw);
		free(text);
		return &pc_error_nomem;
	}
	err = memory_read(reader->mem, data, raw, count * (size_t)unit);
	if (err) {
		free(raw);
		free(text);
		return pc_error_prefix(err, "text data at %#llx", (unsigned long long)data);
	}
	for (i = 0; i < count; i++) {
		uint32_t cp;

		if (unit == 1) {
			cp = raw[i];
			if (as_utf8) {
				text[used++] = (char)cp;
				continue;
			}
		} else if (unit == 2) {
			uint16_t u;

			memcpy(&u, raw + i * 2, 2);
			cp = u;
		} else {
			memcpy(&cp, raw + i * 4, 4);
		}
		used += utf8_encode(cp, text + used);
	}
	if (count < length) {
		memcpy(text + used, "...", 3);
		used += 3;
	}
	text[used] = '\0';
	free(raw);
	*ret = text;
	return NULL;
}

static struct pc_error *pep393_data(const struct py_reader *reader, uint64_t address,
				    struct py_text_data *ret)
{
	struct pc_error *err;
	uint64_t length, data;
	uint32_t state;
	int kind, compact, ascii;

	err = py_read_u64(reader, address, LAYOUT_FIELD(unicode, length), &length);
	if (!err)
		err = py_read_u32(reader, address, LAYOUT_FIELD(unicode, state), &state);
	if (err)
		return pc_error_prefix(err, "str at %#llx", (unsigned long long)address);
	/* state: interned:2, kind:3, compact:1, ascii:1, the same from 3.3 on. */
	kind = (int)((state >> 2) & 7);
	compact = (int)((state >> 5) & 1);
	ascii = (int)((state >> 6) & 1);
	if (kind != 1 && kind != 2 && kind != 4)
		return pc_error_create(PC_ERR_CORRUPT, "str at %#llx has kind %d",
				       (unsigned long long)address, kind);
	if (length > (uint64_t)INT64_MAX)
		return pc_error_create(PC_ERR_CORRUPT, "str at %#llx has length %lld",
				       (unsigned long long)address, (long long)length);
	/* Compact text follows its header: the header's size is where. */
	if (compact && ascii)
		err = py_field_address(reader, address, LAYOUT_FIELD(unicode, ascii_size), &data);
	else if (compact)
		err = py_field_address(reader, address, LAYOUT_FIELD(unicode, compact_size), &data);
	else
		err = py_read_ptr(reader, address, LAYOUT_FIELD(unicode, data_any), &data);
	if (err)
		return pc_error_prefix(err, "str at %#llx", (unsigned long long)address);
	*ret = (struct py_text_data){.data = data, .length = length, .unit = kind};
	return NULL;
}

static struct pc_error *py2_unicode_data(const struct py_reader *reader, uint64_t address,
					 struct py_text_data *ret)
{
	struct pc_error *err;
	uint64_t length, data;
	int64_t unit;

	err = py_read_u64(reader, address, LAYOUT_FIELD(unicode, length), &length);
	if (!err)
		err = py_read_ptr(reader, address, LAYOUT_FIELD(unicode, py2_str), &data);
	if (!err)
		err = py_field_value(reader, LAYOUT_FIELD(unicode, py2_unit), &unit);
	if (err)
		return pc_error_prefix(err, "unicode at %#llx", (unsigned long long)address);
	if (length > (uint64_t)INT64_MAX)
		return pc_error_create(PC_ERR_CORRUPT, "unicode at %#llx has length %lld",
				       (unsigned long long)address, (long long)length);
	if (unit != 2 && unit != 4)
		return pc_error_create(PC_ERR_UNSUPPORTED, "unicode of %lld-byte units",
				       (long long)unit);
	*ret = (struct py_text_data){.data = data, .length = length, .unit = (int)unit};
	return NULL;
}

struct pc_error *pyobject_text_data(const struct py_reader *reader, uint64_t address,
				    struct py_text_data *ret)
{
	return reader->layout->unicode_shape == UNICODE_SHAPE_PEP393
		       ? pep393_data(reader, address, ret)
		       : py2_unicode_data(reader, address, ret);
}

struct pc_error *pyobject_text(const struct py_reader *reader, uint64_t address,
			       size_t max_chars, char **ret)
{
	struct pc_error *err;
	uint64_t type, flags, length, data = 0;

	err = pyobject_type(reader, address, &type);
	if (!err)
		err = pyobject_type_flags(reader, type, &flags);
	if (err)
		return err;
	if (flags & PY_TPFLAGS_UNICODE_SUBCLASS) {
		struct py_text_data text;

		err = pyobject_text_data(reader, address, &text);
		if (err)
			return err;
		return decode_units(reader, text.data, text.length, text.unit, 0, max_chars, ret);
	}
	if (!(flags & PY_TPFLAGS_BYTES_SUBCLASS))
		return pc_error_create(PC_ERR_CORRUPT, "object at %#llx is not a string",
				       (unsigned long long)address);
	err = py_read_u64(reader, address, LAYOUT_FIELD(bytes, ob_size), &length);
	if (!err)
		err = py_field_address(reader, address, LAYOUT_FIELD(bytes, ob_sval), &data);
	if (err)
		return pc_error_prefix(err, "str at %#llx", (unsigned long long)address);
	if (length > (uint64_t)INT64_MAX)
		return pc_error_create(PC_ERR_CORRUPT, "str at %#llx has length %lld",
				       (unsigned long long)address, (long long)length);
	return decode_units(reader, data, length, 1, 1, max_chars, ret);
}

struct pc_error *pyobject_bytes(const struct py_reader *reader, uint64_t address, size_t max,
				unsigned char **ret, size_t *len)
{
	struct pc_error *err;
	uint64_t length, at = 0;
	unsigned char *data;

	err = py_read_u64(reader, address, LAYOUT_FIELD(bytes, ob_size), &length);
	if (!err)
		err = py_field_address(reader, address, LAYOUT_FIELD(bytes, ob_sval), &at);
	if (err)
		return pc_error_prefix(err, "bytes at %#llx", (unsigned long long)address);
	if (length > max)
		return pc_error_create(PC_ERR_LIMIT, "bytes at %#llx: %llu bytes, more than %zu",
				       (unsigned long long)address, (unsigned long long)length,
				       max);
	data = malloc(length + 1);
	if (!data)
		return &pc_error_nomem;
	err = memory_read(reader->mem, at, data, length);
	if (err) {
		free(data);
		return pc_error_prefix(err, "bytes at %#llx", (unsigned long long)address);
	}
	*ret = data;
	*len = length;
	return NULL;
}

/* Lengths read from the core beyond this are corrupt. */
#define MAX_PLAUSIBLE_LENGTH (1ULL << 40)

struct pc_error *pyobject_length(const struct py_reader *reader, uint64_t address,
				 enum layout_field field, uint64_t *ret)
{
	struct pc_error *err = py_read_u64(reader, address, field, ret);

	if (!err && *ret > MAX_PLAUSIBLE_LENGTH)
		return pc_error_create(PC_ERR_CORRUPT, "implausible length %#llx",
				       (unsigned long long)*ret);
	return err;
}

/* The size field of a PyLongObject: ob_size, the signed number of digits,
 * or (3.12+) lv_tag, the number above long_tag_bits, the sign below. */
static enum layout_field long_size_field(const struct py_layout *layout)
{
	return layout->long_tag_bits ? LAYOUT_FIELD(pylong, lv_tag) : LAYOUT_FIELD(pylong, ob_size);
}

/* sizeof(digit): 4 bytes for 30-bit digits, 2 for 15-bit ones. */
static struct pc_error *long_digit_size(const struct py_reader *reader, size_t *ret)
{
	struct pc_error *err;
	int64_t size;

	err = py_field_value(reader, LAYOUT_FIELD(pylong, digit_size), &size);
	if (err)
		return err;
	if (size != 2 && size != 4)
		return pc_error_create(PC_ERR_UNSUPPORTED, "PyLongObject digits of %lld bytes",
				       (long long)size);
	*ret = (size_t)size;
	return NULL;
}

struct pc_error *pyobject_long(const struct py_reader *reader, uint64_t address,
			       struct py_long *ret)
{
	const struct py_layout *layout = reader->layout;
	struct pc_error *err;
	size_t digit_size = 0;
	uint64_t word;

	err = py_require(reader, long_size_field(layout), LAYOUT_FIELD(pylong, ob_digit));
	if (!err)
		err = long_digit_size(reader, &digit_size);
	if (err)
		return err;
	ret->shift = digit_size == 4 ? 30 : 15;
	err = py_read_u64(reader, address, long_size_field(layout), &word);
	if (err)
		return pc_error_prefix(err, "int at %#llx", (unsigned long long)address);
	if (layout->long_tag_bits) {
		uint64_t sign_bits = word & 3;	/* _PyLong_SIGN_MASK */

		if (sign_bits == 3)
			return pc_error_create(PC_ERR_CORRUPT, "int at %#llx has sign bits 3",
					       (unsigned long long)address);
		ret->sign = 1 - (int)sign_bits;
		ret->ndigits = word >> layout->long_tag_bits;
	} else {
		int64_t size = (int64_t)word;

		ret->sign = size < 0 ? -1 : size > 0;
		ret->ndigits = size < 0 ? -(uint64_t)size : (uint64_t)size;
	}
	if ((ret->ndigits == 0) != (ret->sign == 0))
		return pc_error_create(PC_ERR_CORRUPT, "int at %#llx: %llu digits, sign %d",
				       (unsigned long long)address,
				       (unsigned long long)ret->ndigits, ret->sign);
	return NULL;
}

struct pc_error *pyobject_long_digits(const struct py_reader *reader, uint64_t address,
				      size_t count, uint32_t *ret)
{
	struct pc_error *err;
	size_t digit_size = 0, i;
	uint64_t digits = 0;

	err = long_digit_size(reader, &digit_size);
	if (!err)
		err = py_field_address(reader, address, LAYOUT_FIELD(pylong, ob_digit), &digits);
	if (!err)
		err = memory_read(reader->mem, digits, ret, count * digit_size);
	if (err)
		return pc_error_prefix(err, "digits of int at %#llx", (unsigned long long)address);
	/* 16-bit digits were read into the first half of RET: widen them from
	 * the last, which never overwrites one not widened yet. */
	for (i = count; digit_size == 2 && i-- > 0;) {
		uint16_t digit;

		memcpy(&digit, (const unsigned char *)ret + i * 2, 2);
		ret[i] = digit;
	}
	return NULL;
}
