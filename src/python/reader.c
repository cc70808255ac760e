#include "python/reader.h"

#include "base/error.h"
#include "elf/memory.h"

struct pc_error *py_field_absent(enum layout_field field)
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
			return py_field_absent(fields[i]);
	return NULL;
}

struct pc_error *py_field_value(const struct py_reader *reader, enum layout_field field,
				int64_t *ret)
{
	if (!py_has_field(reader, field))
		return py_field_absent(field);
	*ret = reader->layout->offset[field];
	return NULL;
}

struct pc_error *py_field_fault(struct pc_error *err, enum layout_field field)
{
	return err->code == PC_ERR_FAULT ? pc_error_prefix(err, "%s", layout_field_name(field))
					 : err;
}
