/* Reading Python objects out of the core: types, text, bytes.
 * Every length read from memory is capped by the caller's limit. */
#ifndef PYCORE_PYTHON_OBJECT_H
#define PYCORE_PYTHON_OBJECT_H

#include <stddef.h>
#include <stdint.h>

#include "layout/layout.h"
#include "python/reader.h"

struct memory;
struct pc_error;

/* tp_flags bits, the same in 2.7 (STRING_SUBCLASS) and 3.x (BYTES_SUBCLASS). */
#define PY_TPFLAGS_BYTES_SUBCLASS (1UL << 27)
#define PY_TPFLAGS_UNICODE_SUBCLASS (1UL << 28)

/* The type (ob_type) of the object at ADDRESS. */
struct pc_error *pyobject_type(const struct py_reader *reader, uint64_t address, uint64_t *ret);

/* tp_flags of the type at TYPE. */
struct pc_error *pyobject_type_flags(const struct py_reader *reader, uint64_t type,
				     uint64_t *ret);

/* The text of a str (3.x str, 2.7 str or unicode) at ADDRESS as a
 * NUL-terminated, malloc'd UTF-8 string of at most MAX_CHARS characters
 * (cut ones end in "..."). */
struct pc_error *pyobject_text(const struct py_reader *reader, uint64_t address,
			       size_t max_chars, char **ret);

/* Where the characters of the text object (3.x str, 2.7 unicode) at
 * ADDRESS are: LENGTH code units of UNIT bytes at DATA.  PEP 393 units of 1
 * byte are Latin-1, of 2 bytes UCS-2, of 4 UCS-4; 2.7's Py_UNICODE units
 * are UTF-16 (2 bytes) or UCS-4.  The caller knows the object is text. */
struct py_text_data {
	uint64_t data;
	uint64_t length;
	int unit;
};

struct pc_error *pyobject_text_data(const struct py_reader *reader, uint64_t address,
				    struct py_text_data *ret);

/* The content of a bytes object (2.7 str) at ADDRESS, malloc'd, at most MAX
 * bytes: a longer one is an error (PC_ERR_LIMIT). */
struct pc_error *pyobject_bytes(const struct py_reader *reader, uint64_t address, size_t max,
				unsigned char **ret, size_t *len);

/* A length field of the object at ADDRESS (OFFSET into it), checked: a
 * length past 2^40 is corrupt. */
struct pc_error *pyobject_length(const struct py_reader *reader, uint64_t address,
				 int64_t offset, uint64_t *ret);

/* The error for a field this build's layout lacks, WHAT naming it. */
struct pc_error *pyobject_no_layout(const char *what);

#endif
