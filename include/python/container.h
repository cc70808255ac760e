/* The items of a list, tuple, dict or set read from the core: for
 * pyrepr.c, at most PYCONTAINER_MAX_ITEMS of them, in the order repr()
 * shows them, looking at no more than PYCONTAINER_MAX_SCAN slots of a hash
 * table (one that deletions left nearly empty is not read to its end); for
 * pyscan.c, every item of a dict or set, one at a time, to its own cap. */
#ifndef PYCORE_PYTHON_CONTAINER_H
#define PYCORE_PYTHON_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "python/object.h"

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

/* Called for each item of a dict or set (KEY is 0 for a set); returns
 * false to stop. */
typedef bool pycontainer_fn(void *ctx, uint64_t key, uint64_t value);

/* How a dict or set is scanned, and whether the cap cut the scan. */
struct pycontainer_scan {
	uint64_t max_slots;	/* table slots read at most */
	pycontainer_dummy_fn *is_dummy; /* a set: which keys mark deleted entries */
	void *dummy_arg;
	pycontainer_fn *fn;
	void *ctx;
	bool cut;		/* set when max_slots stopped the scan */
};

/* Call SCAN->fn for each item of the dict (KIND PYCONTAINER_DICT) or set
 * (PYCONTAINER_SET) at ADDRESS, in insertion order where the version keeps
 * one. */
struct pc_error *pycontainer_scan(const struct py_reader *reader, uint64_t address,
				  enum pycontainer_kind kind, struct pycontainer_scan *scan);

/* The same for the entries of the PyDictKeysObject at KEYS whose values
 * are the PyDictValues at VALUES: an instance's values kept without a dict
 * object (3.11+), with its type's shared keys. */
struct pc_error *pycontainer_scan_keys(const struct py_reader *reader, uint64_t keys,
				       uint64_t values, struct pycontainer_scan *scan);

/* Fill RET with the items of the container of KIND at ADDRESS.  IS_DUMMY
 * (with ARG) is asked about set entries.  An error means the container
 * could not be read; RET then holds what was read before. */
struct pc_error *pycontainer_items(const struct py_reader *reader, uint64_t address,
				   enum pycontainer_kind kind, pycontainer_dummy_fn *is_dummy,
				   void *arg, struct pycontainer_items *ret);

#endif
