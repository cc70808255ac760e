#include "pyscan.h"

#include "error.h"
#include "memory.h"

#include <stdlib.h>
#include <string.h>

/* tp_flags bits, the same from 2.7 to 3.15 (INT_SUBCLASS is 2.7's). */
#define TPFLAGS_INT_SUBCLASS (1UL << 23)
#define TPFLAGS_LONG_SUBCLASS (1UL << 24)

/* Where 3.11+ keep an instance's managed dict (and 3.11 its values):
 * words before the object (MANAGED_DICT_OFFSET, _PyObject_ValuesPointer). */
#define MANAGED_DICT_WORDS 3
#define MANAGED_VALUES_WORDS 4

/* Lengths read from the core beyond this are corrupt. */
#define MAX_PLAUSIBLE_LENGTH (1ULL << 40)

static struct pc_error *no_layout(const char *what)
{
	return pc_error_create(PC_ERR_UNSUPPORTED, "the layout has no %s", what);
}

static struct pc_error *read_word(const struct py_reader *reader, uint64_t address,
				  uint64_t *ret)
{
	return memory_read_u64(reader->mem, address, ret);
}

static struct pc_error *read_byte(const struct py_reader *reader, uint64_t address,
				  uint8_t *ret)
{
	return memory_read(reader->mem, address, ret, 1);
}

static struct pc_error *read_length(const struct py_reader *reader, uint64_t address,
				    int64_t offset, uint64_t *ret)
{
	struct pc_error *err = read_word(reader, address + (uint64_t)offset, ret);

	if (!err && *ret > MAX_PLAUSIBLE_LENGTH)
		return pc_error_create(PC_ERR_CORRUPT, "implausible length %#llx at %#llx",
				       (unsigned long long)*ret,
				       (unsigned long long)(address + (uint64_t)offset));
	return err;
}

/* The entries of a 3.x PyDictKeysObject. */
struct keys_table {
	uint64_t entries;	/* address of entry 0 */
	uint64_t nentries;
	uint64_t entry_size;
	int64_t key, value;	/* offsets in an entry */
};

static struct pc_error *keys_table(const struct py_reader *reader, uint64_t keys,
				   struct keys_table *ret)
{
	const struct py_layout *layout = reader->layout;
	uint64_t index_bytes, slots;
	struct pc_error *err;
	bool unicode = false;

	if (layout->dictkeys.dk_nentries == LAYOUT_ABSENT ||
	    layout->dictkeys.dk_indices == LAYOUT_ABSENT || layout->dictentry.size == LAYOUT_ABSENT)
		return no_layout("PyDictKeysObject");
	err = read_length(reader, keys, layout->dictkeys.dk_nentries, &ret->nentries);
	if (err)
		return err;
	if (layout->dict_shape == DICT_SHAPE_KEYS_SIZE) {
		if (layout->dictkeys.dk_size == LAYOUT_ABSENT)
			return no_layout("PyDictKeysObject.dk_size");
		err = read_length(reader, keys, layout->dictkeys.dk_size, &slots);
		if (err)
			return err;
		if (!slots || (slots & (slots - 1)))
			return pc_error_create(PC_ERR_CORRUPT, "dk_size %llu",
					       (unsigned long long)slots);
		/* DK_IXSIZE: indices are as wide as the table needs. */
		index_bytes = slots * (slots <= 0xff ? 1 : slots <= 0xffff ? 2
							: slots <= 0xffffffff ? 4 : 8);
	} else {
		uint8_t log2_size, log2_index_bytes, kind;

		if (layout->dictkeys.dk_log2_size == LAYOUT_ABSENT ||
		    layout->dictkeys.dk_log2_index_bytes == LAYOUT_ABSENT ||
		    layout->dictkeys.dk_kind == LAYOUT_ABSENT || layout->dictuentry.size == LAYOUT_ABSENT)
			return no_layout("PyDictKeysObject.dk_log2_size");
		err = read_byte(reader, keys + (uint64_t)layout->dictkeys.dk_log2_size, &log2_size);
		if (!err)
			err = read_byte(reader, keys + (uint64_t)layout->dictkeys.dk_log2_index_bytes,
					&log2_index_bytes);
		if (!err)
			err = read_byte(reader, keys + (uint64_t)layout->dictkeys.dk_kind, &kind);
		if (err)
			return err;
		if (log2_size > 40 || log2_index_bytes > 43 || log2_index_bytes < log2_size ||
		    kind > 2)
			return pc_error_create(PC_ERR_CORRUPT,
					       "dk_log2_size %u, dk_log2_index_bytes %u, dk_kind %u",
					       log2_size, log2_index_bytes, kind);
		slots = 1ULL << log2_size;
		index_bytes = 1ULL << log2_index_bytes;
		/* DICT_KEYS_UNICODE and DICT_KEYS_SPLIT: entries without a hash. */
		unicode = kind != 0;
	}
	if (ret->nentries > slots)
		return pc_error_create(PC_ERR_CORRUPT, "%llu entries in a table of %llu",
				       (unsigned long long)ret->nentries, (unsigned long long)slots);
	ret->entries = keys + (uint64_t)layout->dictkeys.dk_indices + index_bytes;
	ret->entry_size = (uint64_t)(unicode ? layout->dictuentry.size : layout->dictentry.size);
	ret->key = unicode ? layout->dictuentry.me_key : layout->dictentry.me_key;
	ret->value = unicode ? layout->dictuentry.me_value : layout->dictentry.me_value;
	return NULL;
}

/* Each live entry of the keys at KEYS; the values are in the entries, or
 * (a split table) value i of entry i at VALUES. */
static struct pc_error *scan_keys(const struct py_reader *reader, uint64_t keys, uint64_t values,
				  pyscan_fn *fn, void *ctx, bool *cut)
{
	struct keys_table table;
	struct pc_error *err = keys_table(reader, keys, &table);
	uint64_t i;

	if (err)
		return pc_error_prefix(err, "dict keys at %#llx", (unsigned long long)keys);
	for (i = 0; i < table.nentries; i++) {
		uint64_t entry = table.entries + i * table.entry_size, key, value;

		if (i == PYSCAN_MAX_SLOTS) {
			if (cut)
				*cut = true;
			break;
		}
		err = read_word(reader, entry + (uint64_t)table.key, &key);
		if (!err)
			err = values ? read_word(reader, values + i * 8, &value)
				     : read_word(reader, entry + (uint64_t)table.value, &value);
		if (err)
			return pc_error_prefix(err, "dict entry %llu", (unsigned long long)i);
		if (key && value && !fn(ctx, key, value))
			break;
	}
	return NULL;
}

/* Where the value pointers of a split table's PyDictValues at VALUES are. */
static uint64_t values_array(const struct py_layout *layout, uint64_t values)
{
	if (layout->dict_shape == DICT_SHAPE_KEYS_SIZE || layout->dictvalues.values == LAYOUT_ABSENT)
		return values;
	return values + (uint64_t)layout->dictvalues.values;
}

/* 2.7's dict: a table of PyDictEntry, live where the value is set. */
static struct pc_error *scan_table(const struct py_reader *reader, uint64_t dict, pyscan_fn *fn,
				   void *ctx, bool *cut)
{
	const struct py_layout *layout = reader->layout;
	uint64_t mask, table, i;
	struct pc_error *err;

	if (layout->dict.ma_mask == LAYOUT_ABSENT || layout->dict.ma_table == LAYOUT_ABSENT ||
	    layout->dictentry.size == LAYOUT_ABSENT)
		return no_layout("PyDictObject.ma_table");
	err = read_length(reader, dict, layout->dict.ma_mask, &mask);
	if (!err)
		err = read_word(reader, dict + (uint64_t)layout->dict.ma_table, &table);
	if (err)
		return err;
	for (i = 0; i <= mask; i++) {
		uint64_t entry = table + i * (uint64_t)layout->dictentry.size, key = 0, value;

		if (i == PYSCAN_MAX_SLOTS) {
			if (cut)
				*cut = true;
			break;
		}
		err = read_word(reader, entry + (uint64_t)layout->dictentry.me_value, &value);
		if (!err && value)
			err = read_word(reader, entry + (uint64_t)layout->dictentry.me_key, &key);
		if (err)
			return pc_error_prefix(err, "dict entry %llu", (unsigned long long)i);
		if (key && value && !fn(ctx, key, value))
			break;
	}
	return NULL;
}

struct pc_error *pyscan_dict(const struct py_reader *reader, uint64_t dict, pyscan_fn *fn,
			     void *ctx, bool *cut)
{
	const struct py_layout *layout = reader->layout;
	uint64_t keys, values;
	struct pc_error *err;

	if (layout->dict_shape == DICT_SHAPE_TABLE)
		err = scan_table(reader, dict, fn, ctx, cut);
	else if (layout->dict.ma_keys == LAYOUT_ABSENT || layout->dict.ma_values == LAYOUT_ABSENT)
		err = no_layout("PyDictObject.ma_keys");
	else {
		err = read_word(reader, dict + (uint64_t)layout->dict.ma_keys, &keys);
		if (!err)
			err = read_word(reader, dict + (uint64_t)layout->dict.ma_values, &values);
		if (!err)
			err = scan_keys(reader, keys, values ? values_array(layout, values) : 0, fn,
					ctx, cut);
	}
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
static struct pc_error *set_dummy(const struct py_reader *reader, uint64_t key,
				  uint64_t *dummy, bool *ret)
{
	char name[32];
	struct pc_error *err;
	uint64_t type;

	*ret = *dummy && key == *dummy;
	if (*ret || *dummy)
		return NULL;
	err = pyobject_type(reader, key, &type);
	if (!err)
		err = pyscan_type_name(reader, type, name, sizeof(name));
	if (err)
		return err;
	*ret = strcmp(name, "<dummy key> type") == 0;
	if (*ret)
		*dummy = key;
	return NULL;
}

struct pc_error *pyscan_set(const struct py_reader *reader, uint64_t set, pyscan_fn *fn,
			    void *ctx, bool *cut)
{
	const struct py_layout *layout = reader->layout;
	uint64_t used, mask, table, i, found = 0, dummy = 0;
	struct pc_error *err;

	if (layout->set.used == LAYOUT_ABSENT || layout->set.mask == LAYOUT_ABSENT ||
	    layout->set.table == LAYOUT_ABSENT || layout->setentry.size == LAYOUT_ABSENT ||
	    layout->setentry.key == LAYOUT_ABSENT)
		return no_layout("PySetObject");
	if (layout->set_dummy_is_str)
		return pc_error_create(PC_ERR_UNSUPPORTED, "sets of Python 2 are not read");
	err = read_length(reader, set, layout->set.used, &used);
	if (!err)
		err = read_length(reader, set, layout->set.mask, &mask);
	if (!err)
		err = read_word(reader, set + (uint64_t)layout->set.table, &table);
	for (i = 0; !err && i <= mask && found < used; i++) {
		uint64_t key;
		bool is_dummy = false;

		if (i == PYSCAN_MAX_SLOTS) {
			if (cut)
				*cut = true;
			break;
		}
		err = read_word(reader, table + i * (uint64_t)layout->setentry.size +
						(uint64_t)layout->setentry.key,
				&key);
		if (!err && key)
			err = set_dummy(reader, key, &dummy, &is_dummy);
		if (err)
			err = pc_error_prefix(err, "set entry %llu", (unsigned long long)i);
		else if (key && !is_dummy) {
			found++;
			if (!fn(ctx, 0, key))
				break;
		}
	}
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
	struct pc_error *err;
	uint64_t keys;

	if (reader->layout->heaptype.ht_cached_keys == LAYOUT_ABSENT)
		return no_layout("PyHeapTypeObject.ht_cached_keys");
	err = read_word(reader, type + (uint64_t)reader->layout->heaptype.ht_cached_keys, &keys);
	if (!err && keys)
		err = scan_keys(reader, keys, values_array(reader->layout, values), lookup_item,
				&lookup, NULL);
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
		return no_layout("PyTypeObject.tp_dictoffset");
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
		return no_layout("PyModuleObject.md_dict");
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
		return no_layout("PyInterpreterState.modules");
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
			return no_layout("PyIntObject.ob_ival");
		return memory_read(reader->mem, object + (uint64_t)layout->pyint.ob_ival, ret,
				   sizeof(*ret));
	}
	if (!(flags & TPFLAGS_LONG_SUBCLASS))
		return pc_error_create(PC_ERR_CORRUPT, "object at %#llx is not an int",
				       (unsigned long long)object);
	if (size_offset == LAYOUT_ABSENT || layout->pylong.ob_digit == LAYOUT_ABSENT ||
	    (layout->pylong.digit_size != 2 && layout->pylong.digit_size != 4))
		return no_layout("PyLongObject digits");
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
