/* The one way the python layer reads a field of CPython's structs out of
 * the core: through the build's layout (layout/fields.def names every
 * field), so that a field this build does not have is an error naming it
 * ("this build's layout has no PyFrameObject.f_back"), never a read at a
 * meaningless address, and a fault names the field it was reading. */
#ifndef PYCORE_PYTHON_READER_H
#define PYCORE_PYTHON_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "layout/layout.h"

#include "elf/memory.h"

struct pc_error;

struct py_reader {
	struct memory *mem;
	const struct py_layout *layout;
};

/* Whether this build's layout has FIELD. */
static inline bool py_has_field(const struct py_reader *reader, enum layout_field field)
{
	return (unsigned)field < LAYOUT_FIELD_COUNT &&
	       reader->layout->offset[field] != LAYOUT_ABSENT;
}

/* NULL when this build's layout has each of the COUNT FIELDS, else the
 * error naming the first it lacks: for a walk that needs them all before
 * it reads any.  py_require(reader, LAYOUT_FIELD(g, m), ...) lists them. */
struct pc_error *py_require_fields(const struct py_reader *reader,
				   const enum layout_field *fields, size_t count);
#define py_require(reader, ...)                                                 \
	py_require_fields((reader), (const enum layout_field[]){__VA_ARGS__},   \
			  sizeof((const enum layout_field[]){__VA_ARGS__}) /    \
				  sizeof(enum layout_field))

/* FIELD's offset or size itself (a sizeof field, an element size). */
struct pc_error *py_field_value(const struct py_reader *reader, enum layout_field field,
				int64_t *ret);



/* The errors of py_read_field(), out of its way: the build has no FIELD;
 * ERR, a read of it that failed, named. */
struct pc_error *py_field_absent(enum layout_field field);
struct pc_error *py_field_fault(struct pc_error *err, enum layout_field field);

/* Where FIELD of the struct at BASE is: for members read as a whole
 * (arrays, embedded structs, text that follows a header). */
static inline struct pc_error *py_field_address(const struct py_reader *reader, uint64_t base,
						enum layout_field field, uint64_t *ret)
{
	if (!py_has_field(reader, field))
		return py_field_absent(field);
	*ret = base + (uint64_t)reader->layout->offset[field];
	return NULL;
}

/* LEN bytes of FIELD of the struct at BASE into BUF.  Errors: the build
 * has no FIELD, or its bytes cannot be read (the message names FIELD). */
static inline struct pc_error *py_read_field(const struct py_reader *reader, uint64_t base,
					     enum layout_field field, void *buf, size_t len)
{
	struct pc_error *err;

	if (!py_has_field(reader, field))
		return py_field_absent(field);
	err = memory_read(reader->mem, base + (uint64_t)reader->layout->offset[field], buf, len);
	return err ? py_field_fault(err, field) : NULL;
}

/* FIELD of the struct at BASE, of the width the name says.  Inline: they
 * are the walks' innermost step. */
static inline struct pc_error *py_read_ptr(const struct py_reader *reader, uint64_t base,
					   enum layout_field field, uint64_t *ret)
{
	return py_read_field(reader, base, field, ret, sizeof(*ret));
}

static inline struct pc_error *py_read_u64(const struct py_reader *reader, uint64_t base,
					   enum layout_field field, uint64_t *ret)
{
	return py_read_field(reader, base, field, ret, sizeof(*ret));
}

static inline struct pc_error *py_read_i64(const struct py_reader *reader, uint64_t base,
					   enum layout_field field, int64_t *ret)
{
	return py_read_field(reader, base, field, ret, sizeof(*ret));
}

static inline struct pc_error *py_read_u32(const struct py_reader *reader, uint64_t base,
					   enum layout_field field, uint32_t *ret)
{
	return py_read_field(reader, base, field, ret, sizeof(*ret));
}

static inline struct pc_error *py_read_i32(const struct py_reader *reader, uint64_t base,
					   enum layout_field field, int32_t *ret)
{
	return py_read_field(reader, base, field, ret, sizeof(*ret));
}

static inline struct pc_error *py_read_u8(const struct py_reader *reader, uint64_t base,
					  enum layout_field field, uint8_t *ret)
{
	return py_read_field(reader, base, field, ret, sizeof(*ret));
}

static inline struct pc_error *py_read_i8(const struct py_reader *reader, uint64_t base,
					  enum layout_field field, int8_t *ret)
{
	return py_read_field(reader, base, field, ret, sizeof(*ret));
}

#endif
