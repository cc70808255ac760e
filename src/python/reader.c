#include "python/reader.h"

#include "base/error.h"
#include "elf/memory.h"

bool py_has_field(const struct py_reader *reader, enum layout_field field)
{
	return (unsigned)field < LAYOUT_FIELD_COUNT &&
	       reader->layout->offset[field] != LAYOUT_ABSENT;
}

static struct pc_error *absent(enum layout_field field)
{
	return pc_error_create(PC_ERR_UNSUPPORTED, "this build's layout has no %s",
			       layout_field_name(field));
}

struct pc_error *py_require_fields(const struct py_reader *reader,
				   const enum layout_field *fields, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (!py_has_field(reader, fields[i]))
			return absent(fields[i]);
	return NULL;
}

struct pc_error *py_field_value(const struct py_reader *reader, enum layout_field field,
				int64_t *ret)
{
	if (!py_has_field(reader, field))
		return absent(field);
	*ret = reader->layout->offset[field];
	return NULL;
}

struct pc_error *py_field_address(const struct py_reader *reader, uint64_t base,
				  enum layout_field field, uint64_t *ret)
{
	if (!py_has_field(reader, field))
		return absent(field);
	*ret = base + (uint64_t)reader->layout->offset[field];
	return NULL;
}

static struct pc_error *read_field(const struct py_reader *reader, uint64_t base,
				   enum layout_field field, void *buf, size_t len)
{
	uint64_t address = 0;
	struct pc_error *err = py_field_address(reader, base, field, &address);

	if (!err)
		err = memory_read(reader->mem, address, buf, len);
	if (err && err->code == PC_ERR_FAULT)
		err = pc_error_prefix(err, "%s", layout_field_name(field));
	return err;
}

struct pc_error *py_read_ptr(const struct py_reader *reader, uint64_t base,
			     enum layout_field field, uint64_t *ret)
{
	return read_field(reader, base, field, ret, sizeof(*ret));
}

struct pc_error *py_read_u64(const struct py_reader *reader, uint64_t base,
			     enum layout_field field, uint64_t *ret)
{
	return read_field(reader, base, field, ret, sizeof(*ret));
}

struct pc_error *py_read_i64(const struct py_reader *reader, uint64_t base,
			     enum layout_field field, int64_t *ret)
{
	return read_field(reader, base, field, ret, sizeof(*ret));
}

struct pc_error *py_read_u32(const struct py_reader *reader, uint64_t base,
			     enum layout_field field, uint32_t *ret)
{
	return read_field(reader, base, field, ret, sizeof(*ret));
}

struct pc_error *py_read_i32(const struct py_reader *reader, uint64_t base,
			     enum layout_field field, int32_t *ret)
{
	return read_field(reader, base, field, ret, sizeof(*ret));
}

struct pc_error *py_read_u8(const struct py_reader *reader, uint64_t base,
			    enum layout_field field, uint8_t *ret)
{
	return read_field(reader, base, field, ret, sizeof(*ret));
}

struct pc_error *py_read_i8(const struct py_reader *reader, uint64_t base,
			    enum layout_field field, int8_t *ret)
{
	return read_field(reader, base, field, ret, sizeof(*ret));
}
