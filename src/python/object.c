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
	err = memory_read_u64(reader->mem, address + (uint64_t)reader->layout->object.ob_type, ret);
	if (err)
		return pc_error_prefix(err, "ob_type of object at %#llx",
				       (unsigned long long)address);
	return NULL;
}

struct pc_error *pyobject_type_flags(const struct py_reader *reader, uint64_t type,
				     uint64_t *ret)
{
	struct pc_error *err;

	/* tp_flags is an unsigned long on Linux. */
	err = memory_read_u64(reader->mem, type + (uint64_t)reader->layout->type.tp_flags, ret);
	if (err)
		return pc_error_prefix(err, "tp_flags of type at %#llx", (unsigned long long)type);
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
	const struct py_layout *layout = reader->layout;
	struct pc_error *err;
	uint64_t length, data;
	uint32_t state;
	int kind, compact, ascii;

	err = memory_read_u64(reader->mem, address + (uint64_t)layout->unicode.length, &length);
	if (!err)
		err = memory_read_u32(reader->mem, address + (uint64_t)layout->unicode.state,
				      &state);
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
	if (compact && ascii)
		data = address + (uint64_t)layout->unicode.ascii_size;
	else if (compact)
		data = address + (uint64_t)layout->unicode.compact_size;
	else {
		err = memory_read_u64(reader->mem, address + (uint64_t)layout->unicode.data_any,
				      &data);
		if (err)
			return pc_error_prefix(err, "str at %#llx", (unsigned long long)address);
	}
	*ret = (struct py_text_data){.data = data, .length = length, .unit = kind};
	return NULL;
}

static struct pc_error *py2_unicode_data(const struct py_reader *reader, uint64_t address,
					 struct py_text_data *ret)
{
	const struct py_layout *layout = reader->layout;
	struct pc_error *err;
	uint64_t length, data;

	err = memory_read_u64(reader->mem, address + (uint64_t)layout->unicode.length, &length);
	if (!err)
		err = memory_read_u64(reader->mem, address + (uint64_t)layout->unicode.py2_str,
				      &data);
	if (err)
		return pc_error_prefix(err, "unicode at %#llx", (unsigned long long)address);
	if (length > (uint64_t)INT64_MAX)
		return pc_error_create(PC_ERR_CORRUPT, "unicode at %#llx has length %lld",
				       (unsigned long long)address, (long long)length);
	*ret = (struct py_text_data){.data = data, .length = length,
				     .unit = (int)layout->unicode.py2_unit};
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
	uint64_t type, flags, length;

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
	err = memory_read_u64(reader->mem, address + (uint64_t)reader->layout->bytes.ob_size,
			      &length);
	if (err)
		return pc_error_prefix(err, "str at %#llx", (unsigned long long)address);
	if (length > (uint64_t)INT64_MAX)
		return pc_error_create(PC_ERR_CORRUPT, "str at %#llx has length %lld",
				       (unsigned long long)address, (long long)length);
	return decode_units(reader, address + (uint64_t)reader->layout->bytes.ob_sval, length, 1,
			    1, max_chars, ret);
}

struct pc_error *pyobject_bytes(const struct py_reader *reader, uint64_t address, size_t max,
				unsigned char **ret, size_t *len)
{
	struct pc_error *err;
	uint64_t length;
	unsigned char *data;

	err = memory_read_u64(reader->mem, address + (uint64_t)reader->layout->bytes.ob_size,
			      &length);
	if (err)
		return pc_error_prefix(err, "bytes at %#llx", (unsigned long long)address);
	if (length > max)
		return pc_error_create(PC_ERR_LIMIT, "bytes at %#llx: %llu bytes, more than %zu",
				       (unsigned long long)address, (unsigned long long)length,
				       max);
	data = malloc(length + 1);
	if (!data)
		return &pc_error_nomem;
	err = memory_read(reader->mem, address + (uint64_t)reader->layout->bytes.ob_sval, data,
			  length);
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
				 int64_t offset, uint64_t *ret)
{
	struct pc_error *err = memory_read_u64(reader->mem, address + (uint64_t)offset, ret);

	if (!err && *ret > MAX_PLAUSIBLE_LENGTH)
		return pc_error_create(PC_ERR_CORRUPT, "implausible length %#llx",
				       (unsigned long long)*ret);
	return err;
}

struct pc_error *pyobject_no_layout(const char *what)
{
	return pc_error_create(PC_ERR_UNSUPPORTED, "the layout has no %s", what);
}
