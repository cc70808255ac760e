/* Following Python objects through the core by name: the items of a dict
 * or a set, a dict's value for a str key, an instance's attribute, a
 * module in sys.modules, a small int.  What pycore needs to find the
 * threading and asyncio modules' own records (thread names, tasks).
 *
 * Every table is read within its recorded size and at most
 * PYSCAN_MAX_SLOTS slots, by pycontainer.c; a table larger than that is
 * cut (reported through *CUT where the caller can say so). */
#ifndef PYCORE_PYTHON_SCAN_H
#define PYCORE_PYTHON_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "python/container.h"
#include "python/object.h"

#define PYSCAN_MAX_SLOTS (1u << 22)

struct pc_error;

/* Called for each item; returns false to stop the scan. */
typedef pycontainer_fn pyscan_fn;

/* Each key and value of the dict at DICT, in table order.  *CUT (may be
 * NULL) is set when the table was larger than the scan may read. */
struct pc_error *pyscan_dict(const struct py_reader *reader, uint64_t dict, pyscan_fn *fn,
			     void *ctx, bool *cut);

/* Each element of the set at SET (as VALUE; KEY is 0). */
struct pc_error *pyscan_set(const struct py_reader *reader, uint64_t set, pyscan_fn *fn,
			    void *ctx, bool *cut);

/* The value of the dict at DICT for the str KEY, or 0 in *RET. */
struct pc_error *pyscan_dict_get(const struct py_reader *reader, uint64_t dict, const char *key,
				 uint64_t *ret);

/* The attribute NAME of the object at OBJECT, from its instance dict (or,
 * 3.11+, the values it keeps without one), or 0 in *RET. */
struct pc_error *pyscan_attr(const struct py_reader *reader, uint64_t object, const char *name,
			     uint64_t *ret);

/* The module named NAME in sys.modules of the interpreter at INTERP, or 0. */
struct pc_error *pyscan_module(const struct py_reader *reader, uint64_t interp, const char *name,
			       uint64_t *ret);

/* The global NAME of the module at MODULE, or 0. */
struct pc_error *pyscan_module_global(const struct py_reader *reader, uint64_t module,
				      const char *name, uint64_t *ret);

/* The value of the int (or bool) at OBJECT, which must fit in 64 bits. */
struct pc_error *pyscan_int(const struct py_reader *reader, uint64_t object, int64_t *ret);

/* Whether the str at OBJECT is TEXT. */
struct pc_error *pyscan_text_is(const struct py_reader *reader, uint64_t object, const char *text,
				bool *ret);

/* Bytes of tp_name kept: a type's name is cut there. */
#define PYSCAN_TYPE_NAME_MAX 128

/* tp_name of the type at TYPE, in BUF (cut to SIZE - 1 bytes). */
struct pc_error *pyscan_type_name(const struct py_reader *reader, uint64_t type, char *buf,
				  size_t size);

#endif
