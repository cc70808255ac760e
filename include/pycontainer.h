/* The items of a list, tuple, dict or set read from the core, for
 * pyrepr.c: at most PYCONTAINER_MAX_ITEMS of them, in the order repr()
 * shows them, looking at no more than PYCONTAINER_MAX_SCAN slots of a hash
 * table (one that deletions left nearly empty is not read to its end). */
#ifndef PYCORE_PYCONTAINER_H
#define PYCORE_PYCONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pyobject.h"

#define PYCONTAINER_MAX_ITEMS 10
#define PYCONTAINER_MAX_SCAN 65536

enum pycontainer_kind {
	PYCONTAINER_LIST,
	PYCONTAINER_TUPLE,
	PYCONTAINER_DICT,
	PYCONTAINER_SET,	/* set and frozenset */
};

struct pycontainer_items {
	uint64_t keys[PYCONTAINER_MAX_ITEMS];	/* a dict's keys; 0 for the others */
	uint64_t values[PYCONTAINER_MAX_ITEMS];	/* the items, a dict's values */
	size_t n;
	bool more;		/* more items than these, or the scan stopped early */
};

/* Whether KEY, a set entry's key, is the dummy that marks a deleted entry:
 * what the dummy is depends on the version, and the caller knows types. */
typedef struct pc_error *pycontainer_dummy_fn(void *arg, uint64_t key, bool *ret);

/* Fill RET with the items of the container of KIND at ADDRESS.  IS_DUMMY
 * (with ARG) is asked about set entries.  An error means the container
 * could not be read; RET then holds what was read before. */
struct pc_error *pycontainer_items(const struct py_reader *reader, uint64_t address,
				   enum pycontainer_kind kind, pycontainer_dummy_fn *is_dummy,
				   void *arg, struct pycontainer_items *ret);

#endif
