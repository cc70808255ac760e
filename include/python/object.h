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

/* The tp_flags bits pycore tests, the same from 2.7 to 3.15 (INT_SUBCLASS
 * is 2.7's; BYTES_SUBCLASS is 2.7's STRING_SUBCLASS).  The two whose bit
 * depends on the version are layout fields (tpflags_managed_dict,
 * tpflags_inline_values). */
#define PY_TPFLAGS_HEAPTYPE (1UL << 9)
#define PY_TPFLAGS_INT_SUBCLASS (1UL << 23)
#define PY_TPFLAGS_LONG_SUBCLASS (1UL << 24)
#define PY_TPFLAGS_LIST_SUBCLASS (1UL << 25)
#define PY_TPFLAGS_TUPLE_SUBCLASS (1UL << 26)
#define PY_TPFLAGS_BYTES_SUBCLASS (1UL << 27)
#define PY_TPFLAGS_UNICODE_SUBCLASS (1UL << 28)
#define PY_TPFLAGS_DICT_SUBCLASS (1UL << 29)
#define PY_TPFLAGS_BASE_EXC_SUBCLASS (1UL << 30)

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

/* The length FIELD of the object at ADDRESS, checked: a length past 2^40
 * is corrupt. */
struct pc_error *pyobject_length(const struct py_reader *reader, uint64_t address,
				 enum layout_field field, uint64_t *ret);

/* How the int (PyLongObject: 3.x int, 2.7 long) at ADDRESS is stored. */
struct py_long {
	int sign;		/* -1, 0 or 1 */
	uint64_t ndigits;
	unsigned shift;		/* bits of a digit, PyLong_SHIFT: 30 or 15 */
};

/* The sign and size of the int at ADDRESS, from its ob_size (3.12+: its
 * lv_tag).  A tag whose sign bits are 3, which CPython never writes, or a
 * sign that disagrees with the number of digits, is corrupt. */
struct pc_error *pyobject_long(const struct py_reader *reader, uint64_t address,
			       struct py_long *ret);

/* The first COUNT digits (least significant first) of the int at ADDRESS,
 * each widened to 32 bits, into RET.  COUNT is the caller's bound. */
struct pc_error *pyobject_long_digits(const struct py_reader *reader, uint64_t address,
				      size_t count, uint32_t *ret);

#endif
