#include "python/scan.h"

#include "base/error.h"
#include "elf/memory.h"
#include "python/container.h"

#include <stdlib.h>
#include <string.h>

/* tp_flags bits, the same from 2.7 to 3.15 (INT_SUBCLASS is 2.7's). */
#define TPFLAGS_INT_SUBCLASS (1UL << 23)
#define TPFLAGS_LONG_SUBCLASS (1UL << 24)

/* Where 3.11+ keep an instance's managed dict (and 3.11 its values):
 * words before the object (MANAGED_DICT_OFFSET, _PyObject_ValuesPointer). */
#define MANAGED_DICT_WORDS 3
#define MANAGED_VALUES_WORDS 4

static struct pc_error *read_word(const struct py_reader *reader, uint64_t address,
				  uint64_t *ret)
{
	return memory_read_u64(reader->mem, address, ret);
}

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

	err = memory_read_u64(reader->mem, type + (uint64_t)reader->layout->type.tp_name, &name);
	if (!err)
		err = memory_read_cstring(reader->mem, name, buf, size, &truncated);
	if (err)
		return pc_error_prefix(err, "tp_name of type at %#llx", (unsigned long long)type);
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
};

static bool lookup_item(void *ctx, uint64_t key, uint64_t value)
{
	struct lookup *lookup = ctx;
	bool same = false;

	lookup->err = pyscan_text_is(lookup->reader, key, lookup->key, &same);
	if (lookup->err) {
		/* A key that is not text (an int in threading._active) is no match. */
		if (lookup->err->code == PC_ERR_NOMEM)
			return false;
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

	if (reader->layout->heaptype.ht_cached_keys == LAYOUT_ABSENT)
		return pyobject_no_layout("PyHeapTypeObject.ht_cached_keys");
	err = read_word(reader, type + (uint64_t)reader->layout->heaptype.ht_cached_keys, &keys);
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
	if (layout->type.tp_dictoffset == LAYOUT_ABSENT)
		return pyobject_no_layout("PyTypeObject.tp_dictoffset");
	err = pyobject_type(reader, object, &type);
	if (!err)
		err = pyobject_type_flags(reader, type, &flags);
	if (err)
		return err;
	if (layout->tpflags_managed_dict && (flags & layout->tpflags_managed_dict)) {
		uint64_t at = object - MANAGED_DICT_WORDS * 8;

		err = read_word(reader, at, &word);
		if (!err && layout->instance_dict_shape == INSTANCE_DICT_OR_VALUES && (word & 1))
			values = word + 1;
		else
			dict = word;
		if (!err && !dict && layout->instance_dict_shape == INSTANCE_DICT_MANAGED)
			err = read_word(reader, object - MANAGED_VALUES_WORDS * 8, &values);
		if (!err && !dict && layout->instance_dict_shape == INSTANCE_DICT_INLINE &&
		    (flags & layout->tpflags_inline_values)) {
			int64_t basicsize;

			err = memory_read(reader->mem, type + (uint64_t)layout->type.tp_basicsize,
					  &basicsize, sizeof(basicsize));
			if (!err && (basicsize <= 0 || basicsize > (1 << 20)))
				err = pc_error_create(PC_ERR_CORRUPT, "tp_basicsize %lld",
						      (long long)basicsize);
			if (!err)
				values = object + (uint64_t)basicsize;
		}
	} else {
		err = memory_read(reader->mem, type + (uint64_t)layout->type.tp_dictoffset,
				  &dictoffset, sizeof(dictoffset));
		/* A negative offset counts from the end of a variable-size
		 * object: not the kind of object pycore looks into. */
		if (!err && dictoffset > 0 && dictoffset < (1 << 20))
			err = read_word(reader, object + (uint64_t)dictoffset, &dict);
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
	if (reader->layout->module.md_dict == LAYOUT_ABSENT)
		return pyobject_no_layout("PyModuleObject.md_dict");
	err = read_word(reader, module + (uint64_t)reader->layout->module.md_dict, &dict);
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
	if (reader->layout->interp.modules == LAYOUT_ABSENT)
		return pyobject_no_layout("PyInterpreterState.modules");
	err = read_word(reader, interp + (uint64_t)reader->layout->interp.modules, &modules);
	if (!err && modules)
		err = pyscan_dict_get(reader, modules, name, ret);
	if (err)
		return pc_error_prefix(err, "sys.modules");
	return NULL;
}

struct pc_error *pyscan_int(const struct py_reader *reader, uint64_t object, int64_t *ret)
{
	const struct py_layout *layout = reader->layout;
	int64_t size_offset = layout->long_tag_bits ? layout->pylong.lv_tag : layout->pylong.ob_size;
	unsigned shift = layout->pylong.digit_size == 4 ? 30 : 15;
	uint64_t type, flags, word, ndigits, value = 0, i;
	struct pc_error *err;
	int sign;

	err = pyobject_type(reader, object, &type);
	if (!err)
		err = pyobject_type_flags(reader, type, &flags);
	if (err)
		return err;
	if (flags & TPFLAGS_INT_SUBCLASS) {
		if (layout->pyint.ob_ival == LAYOUT_ABSENT)
			return pyobject_no_layout("PyIntObject.ob_ival");
		return memory_read(reader->mem, object + (uint64_t)layout->pyint.ob_ival, ret,
				   sizeof(*ret));
	}
	if (!(flags & TPFLAGS_LONG_SUBCLASS))
		return pc_error_create(PC_ERR_CORRUPT, "object at %#llx is not an int",
				       (unsigned long long)object);
	if (size_offset == LAYOUT_ABSENT || layout->pylong.ob_digit == LAYOUT_ABSENT ||
	    (layout->pylong.digit_size != 2 && layout->pylong.digit_size != 4))
		return pyobject_no_layout("PyLongObject digits");
	err = read_word(reader, object + (uint64_t)size_offset, &word);
	if (err)
		return err;
	if (layout->long_tag_bits) {
		sign = 1 - (int)(word & 3);
		ndigits = word >> layout->long_tag_bits;
	} else {
		sign = (int64_t)word < 0 ? -1 : word != 0;
		ndigits = (int64_t)word < 0 ? -word : word;
	}
	if (ndigits * shift > 64 + shift)
		return pc_error_create(PC_ERR_LIMIT, "int at %#llx is too large",
				       (unsigned long long)object);
	for (i = ndigits; i-- > 0;) {
		uint32_t digit = 0;

		err = memory_read(reader->mem,
				  object + (uint64_t)layout->pylong.ob_digit +
					  i * (uint64_t)layout->pylong.digit_size,
				  &digit, (size_t)layout->pylong.digit_size);
		if (err)
			return err;
		value = (value << shift) | digit;
	}
	*ret = sign < 0 ? -(int64_t)value : (int64_t)value;
	return NULL;
}
