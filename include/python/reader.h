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

struct memory;
struct pc_error;

struct py_reader {
	struct memory *mem;
	const struct py_layout *layout;
};

/* Whether this build's layout has FIELD. */
bool py_has_field(const struct py_reader *reader, enum layout_field field);

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

/* Where FIELD of the struct at BASE is: for members read as a whole
 * (arrays, embedded structs, text that follows a header). */
struct pc_error *py_field_address(const struct py_reader *reader, uint64_t base,
				  enum layout_field field, uint64_t *ret);

/* FIELD of the struct at BASE, of the width the name says.  Errors: the
 * build has no FIELD, or its bytes cannot be read. */
struct pc_error *py_read_ptr(const struct py_reader *reader, uint64_t base,
			     enum layout_field field, uint64_t *ret);
struct pc_error *py_read_u64(const struct py_reader *reader, uint64_t base,
			     enum layout_field field, uint64_t *ret);
struct pc_error *py_read_i64(const struct py_reader *reader, uint64_t base,
			     enum layout_field field, int64_t *ret);
struct pc_error *py_read_u32(const struct py_reader *reader, uint64_t base,
			     enum layout_field field, uint32_t *ret);
struct pc_error *py_read_i32(const struct py_reader *reader, uint64_t base,
			     enum layout_field field, int32_t *ret);
struct pc_error *py_read_u8(const struct py_reader *reader, uint64_t base,
			    enum layout_field field, uint8_t *ret);
struct pc_error *py_read_i8(const struct py_reader *reader, uint64_t base,
			    enum layout_field field, int8_t *ret);

#endif
