#include "python/scan.h"

#include "base/error.h"
#include "elf/memory.h"
#include "python/container.h"

#include <stdlib.h>
#include <string.h>

/* Where 3.11+ keep an instance's managed dict (and 3.11 its values):
 * words before the object (MANAGED_DICT_OFFSET, _PyObject_ValuesPointer). */
#define MANAGED_DICT_WORDS 3
#define MANAGED_VALUES_WORDS 4

struct pc_error *pyscan_dict(const struct py_reader *reader, uint64_t dict, pyscan_fn *fn,
			     void *ctx, bool *cut)
{
	struct pycontainer_scan scan = {.max_slots = PYSCAN_MAX_SLOTS, .fn = fn, .ctx = ctx};
	struct pc_error *err = pycontainer_scan(reader, dict, PYCONTAINER_DICT, &scan);

	if (cut && scan.cut)
		*cut = true;
	if (err)
		return pc_error_prefix(err, "dict at %#llx", (unsigned long long)dict);
	return NULL;
}

struct pc_error *pyscan_type_name(const struct py_reader *reader, uint64_t type, char *buf,
				  size_t size)
{
	struct pc_error *err;
	uint64_t name;
	int truncated;

	err = py_read_ptr(reader, type, LAYOUT_FIELD(type, tp_name), &name);
	if (!err)
		err = memory_read_cstring(reader->mem, name, buf, size, &truncated);
	if (err)
		return pc_error_prefix(err, "name of type at %#llx", (unsigned long long)type);
	return NULL;
}

/* Whether KEY, a set entry, is the dummy that marks a deleted one (3.x: an
 * object of the type "<dummy key> type"; found once, then known by address). */
struct set_dummy {
	const struct py_reader *reader;
	uint64_t address;	/* the dummy, once found */
};

static struct pc_error *set_dummy(void *arg, uint64_t key, bool *ret)
{
	struct set_dummy *dummy = arg;
	char name[32];
	struct pc_error *err;
	uint64_t type;

	*ret = dummy->address && key == dummy->address;
	if (*ret || dummy->address)
		return NULL;
	err = pyobject_type(dummy->reader, key, &type);
	if (!err)
		err = pyscan_type_name(dummy->reader, type, name, sizeof(name));
	if (err)
		return err;
	*ret = strcmp(name, "<dummy key> type") == 0;
	if (*ret)
		dummy->address = key;
	return NULL;
}

struct pc_error *pyscan_set(const struct py_reader *reader, uint64_t set, pyscan_fn *fn,
			    void *ctx, bool *cut)
{
	struct set_dummy dummy = {.reader = reader};
	struct pycontainer_scan scan = {
		.max_slots = PYSCAN_MAX_SLOTS,
		.is_dummy = set_dummy,
		.dummy_arg = &dummy,
		.fn = fn,
		.ctx = ctx,
	};
	struct pc_error *err;

	if (reader->layout->set_dummy_is_str)
		return pc_error_create(PC_ERR_UNSUPPORTED, "sets of Python 2 are not read");
	err = pycontainer_scan(reader, set, PYCONTAINER_SET, &scan);
	if (cut && scan.cut)
		*cut = true;
	if (err)
		return pc_error_prefix(err, "set at %#llx", (unsigned long long)set);
	return NULL;
}

struct pc_error *pyscan_text_is(const struct py_reader *reader, uint64_t object, const char *text,
				bool *ret)
{
	size_t len = strlen(text);
	struct pc_error *err;
	char *got;

	err = pyobject_text(reader, object, len + 1, &got);
	if (err)
		return err;
	*ret = strcmp(got, text) == 0;
	free(got);
	return NULL;
}

struct lookup {
	const struct py_reader *reader;
	const char *key;
	uint64_t value;
	struct pc_error *err;
	/* Why the first key that could not be read could not: it may have been
	 * the one looked for, so that not finding it says nothing. */
	struct pc_error *unread;
};

static bool lookup_item(void *ctx, uint64_t key, uint64_t value)
{
	struct lookup *lookup = ctx;
	bool same = false;

	lookup->err = pyscan_text_is(lookup->reader, key, lookup->key, &same);
	if (lookup->err) {
		if (lookup->err->code == PC_ERR_NOMEM)
			return false;
		/* A key that is not text (an int in threading._active) is no match. */
		if (lookup->err->code == PC_ERR_FAULT && !lookup->unread)
			lookup->unread = pc_error_prefix(lookup->err, "key at %#llx",
							 (unsigned long long)key);
		else
			pc_error_destroy(lookup->err);
		lookup->err = NULL;
	}
	if (same)
		lookup->value = value;
	return !same;
}

struct pc_error *pyscan_dict_get(const struct py_reader *reader, uint64_t dict, const char *key,
				 uint64_t *ret)
{
	struct lookup lookup = {.reader = reader, .key = key};
	struct pc_error *err = pyscan_dict(reader, dict, lookup_item, &lookup, NULL);

	*ret = lookup.value;
	if (!err && !lookup.err && !lookup.value && lookup.unread) {
		err = pc_error_prefix(lookup.unread, "dict at %#llx", (unsigned long long)dict);
		lookup.unread = NULL;
	}
	pc_error_destroy(lookup.unread);
	return err ? err : lookup.err;
}

/* The attribute NAME among the values an instance keeps without a dict
 * object (3.11+): the keys are its type's shared ht_cached_keys. */
static struct pc_error *values_get(const struct py_reader *reader, uint64_t type,
				   uint64_t values, const char *name, uint64_t *ret)
{
	struct lookup lookup = {.reader = reader, .key = name};
	struct pycontainer_scan scan = {
		.max_slots = PYSCAN_MAX_SLOTS,
		.fn = lookup_item,
		.ctx = &lookup,
	};
	struct pc_error *err;
	uint64_t keys;

	err = py_read_ptr(reader, type, LAYOUT_FIELD(heaptype, ht_cached_keys), &keys);
	if (!err && keys)
		err = pycontainer_scan_keys(reader, keys, values, &scan);
	*ret = lookup.value;
	return err ? err : lookup.err;
}

struct pc_error *pyscan_attr(const struct py_reader *reader, uint64_t object, const char *name,
			     uint64_t *ret)
{
	const struct py_layout *layout = reader->layout;
	uint64_t type, flags, dict = 0, values = 0, word;
	int64_t dictoffset = 0;
	struct pc_error *err;

	*ret = 0;
	err = py_require(reader, LAYOUT_FIELD(type, tp_dictoffset));
	if (!err)
		err = pyobject_type(reader, object, &type);
	if (!err)
		err = pyobject_type_flags(reader, type, &flags);
	if (err)
		return err;
	if (layout->tpflags_managed_dict && (flags & layout->tpflags_managed_dict)) {
		uint64_t at = object - MANAGED_DICT_WORDS * 8;

		/* Words before the object: no field of a struct. */
		err = memory_read_u64(reader->mem, at, &word);
		if (!err && layout->instance_dict_shape == INSTANCE_DICT_OR_VALUES && (word & 1))
			values = word + 1;
		else
			dict = word;
		if (!err && !dict && layout->instance_dict_shape == INSTANCE_DICT_MANAGED)
			err = memory_read_u64(reader->mem, object - MANAGED_VALUES_WORDS * 8,
					      &values);
		if (!err && !dict && layout->instance_dict_shape == INSTANCE_DICT_INLINE &&
		    (flags & layout->tpflags_inline_values)) {
			int64_t basicsize;

			err = py_read_i64(reader, type, LAYOUT_FIELD(type, tp_basicsize),
					  &basicsize);
			if (!err && (basicsize <= 0 || basicsize > (1 << 20)))
				err = pc_error_create(PC_ERR_CORRUPT, "tp_basicsize %lld",
						      (long long)basicsize);
			if (!err)
				values = object + (uint64_t)basicsize;
		}
	} else {
		err = py_read_i64(reader, type, LAYOUT_FIELD(type, tp_dictoffset), &dictoffset);
		/* A negative offset counts from the end of a variable-size
		 * object: not the kind of object pycore looks into. */
		if (!err && dictoffset > 0 && dictoffset < (1 << 20))
			err = memory_read_u64(reader->mem, object + (uint64_t)dictoffset, &dict);
	}
	if (!err && dict)
		err = pyscan_dict_get(reader, dict, name, ret);
	else if (!err && values)
		err = values_get(reader, type, values, name, ret);
	if (err)
		return pc_error_prefix(err, "attribute %s of object at %#llx", name,
				       (unsigned long long)object);
	return NULL;
}

struct pc_error *pyscan_module_global(const struct py_reader *reader, uint64_t module,
				      const char *name, uint64_t *ret)
{
	uint64_t dict;
	struct pc_error *err;

	*ret = 0;
	err = py_read_ptr(reader, module, LAYOUT_FIELD(module, md_dict), &dict);
	if (!err && dict)
		err = pyscan_dict_get(reader, dict, name, ret);
	return err;
}

struct pc_error *pyscan_module(const struct py_reader *reader, uint64_t interp, const char *name,
			       uint64_t *ret)
{
	uint64_t modules;
	struct pc_error *err;

	*ret = 0;
	err = py_read_ptr(reader, interp, LAYOUT_FIELD(interp, modules), &modules);
	if (!err && modules)
		err = pyscan_dict_get(reader, modules, name, ret);
	if (err)
		return pc_error_prefix(err, "sys.modules");
	return NULL;
}

struct pc_error *pyscan_int(const struct py_reader *reader, uint64_t object, int64_t *ret)
{
	/* The most digits a value of 64 bits needs, with 15-bit digits. */
	uint32_t digits[64 / 15 + 1];
	uint64_t type, flags, value = 0, i;
	struct py_long number;
	struct pc_error *err;

	err = pyobject_type(reader, object, &type);
	if (!err)
		err = pyobject_type_flags(reader, type, &flags);
	if (err)
		return err;
	if (flags & PY_TPFLAGS_INT_SUBCLASS)
		return py_read_i64(reader, object, LAYOUT_FIELD(pyint, ob_ival), ret);
	if (!(flags & PY_TPFLAGS_LONG_SUBCLASS))
		return pc_error_create(PC_ERR_CORRUPT, "object at %#llx is not an int",
				       (unsigned long long)object);
	err = pyobject_long(reader, object, &number);
	if (err)
		return err;
	if (number.ndigits > (64 + number.shift) / number.shift)
		return pc_error_create(PC_ERR_LIMIT, "int at %#llx is too large",
				       (unsigned long long)object);
	err = pyobject_long_digits(reader, object, (size_t)number.ndigits, digits);
	if (err)
		return err;
	for (i = number.ndigits; i-- > 0;)
		value = (value << number.shift) | digits[i];
	*ret = number.sign < 0 ? -(int64_t)value : (int64_t)value;
	return NULL;
}
