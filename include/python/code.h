/* Code objects read from the core, cached by address: a deep recursion runs
 * the same few code objects thousands of times. */
#ifndef PYCORE_PYTHON_CODE_H
#define PYCORE_PYTHON_CODE_H

#include <stddef.h>
#include <stdint.h>

#include "python/linetable.h"
#include "python/object.h"

struct py_code {
	uint64_t address;
	char *filename;
	char *name;
	int firstlineno;
	uint8_t *table;		/* co_lnotab or co_linetable */
	size_t table_len;
};

struct pycode_cache;

struct pc_error *pycode_cache_create(const struct py_reader *reader, struct pycode_cache **ret);
void pycode_cache_destroy(struct pycode_cache *cache);

/* The code object at ADDRESS, read once while the cache keeps it (its
 * tables and names are held to a total); valid until the next call. */
struct pc_error *pycode_get(struct pycode_cache *cache, uint64_t address,
			    const struct py_code **ret);

/* The location of byte offset OFFSET in CODE's bytecode (negative: the frame
 * has not started, which CPython reports as co_firstlineno). */
struct pc_error *pycode_location(const struct py_reader *reader, const struct py_code *code,
				 int64_t offset, struct py_location *ret);

#endif
