#include "python/container.h"

#include "base/error.h"
#include "elf/memory.h"

#include <string.h>

/* A hash table being read: where its slots are and what they hold. */
struct table {
	const struct py_reader *reader;
	uint64_t slots;		/* the first slot (entry) */
	uint64_t slot_size;
	enum layout_field key;	/* the fields of a slot */
	enum layout_field value;
	/* A split dict: the values apart, in VALUES; the insertion order, if
	 * kept, in bytes from ORDER on, STEP (1 or -1) apart. */
	uint64_t values;
	uint64_t order;
	int step;
	uint64_t nentries;	/* the entries the order bytes may name */
	struct pycontainer_scan *scan;
};

/* Read slot I of TABLE: its key and value; *VALUE 0 when it is empty. */
typedef struct pc_error *slot_fn(const struct table *table, uint64_t i, uint64_t *key,
				 uint64_t *value);

/* TABLE's slots 0 to SLOTS - 1, until USED live ones were seen, each live
 * one given to SCAN->fn: the one loop every hash table is read with. */
static struct pc_error *scan_slots(const struct table *table, slot_fn *slot, uint64_t slots,
				   uint64_t used, struct pycontainer_scan *scan)
{
	uint64_t i, found = 0;

	for (i = 0; i < slots && found < used; i++) {
		uint64_t key = 0, value = 0;
		struct pc_error *err;

		if (i == scan->max_slots) {
			scan->cut = true;
			break;
		}
		err = slot(table, i, &key, &value);
		if (err)
			return err;
		if (!value)
			continue;
		found++;
		if (!scan->fn(scan->ctx, key, value))
			break;
	}
	return NULL;
}

/* A dict entry (2.7's table, or a combined 3.x table): a value, and its key. */
static struct pc_error *entry_slot(const struct table *table, uint64_t i, uint64_t *key,
				   uint64_t *value)
{
	uint64_t entry = table->slots + i * table->slot_size;
	struct pc_error *err;

	err = py_read_ptr(table->reader, entry, table->value, value);
	if (!err && *value)
		err = py_read_ptr(table->reader, entry, table->key, key);
	if (err)
		return pc_error_prefix(err, "entry %llu", (unsigned long long)i);
	return NULL;
}

/* The I-th value of a split dict, in insertion order, and its shared key. */
static struct pc_error *split_slot(const struct table *table, uint64_t i, uint64_t *key,
				   uint64_t *value)
{
	uint64_t index = i;
	struct pc_error *err;

	if (table->order) {
		uint8_t byte;

		err = memory_read(table->reader->mem, table->order + (uint64_t)table->step * i,
				  &byte, 1);
		if (err)
			return pc_error_prefix(err, "order of values at %#llx",
					       (unsigned long long)table->values);
		index = byte;
	}
	if (index >= table->nentries)
		return pc_error_create(PC_ERR_CORRUPT, "value %llu of %llu entries",
				       (unsigned long long)index,
				       (unsigned long long)table->nentries);
	err = memory_read_u64(table->reader->mem, table->values + index * 8, value);
	if (err)
		return pc_error_prefix(err, "values at %#llx", (unsigned long long)table->values);
	if (*value)
		err = py_read_ptr(table->reader, table->slots + index * table->slot_size, table->key,
				  key);
	if (err)
		return pc_error_prefix(err, "entry %llu", (unsigned long long)index);
	return NULL;
}

/* A set entry: its key is the item, unless it is empty or deleted. */
static struct pc_error *set_slot(const struct table *table, uint64_t i, uint64_t *key,
				 uint64_t *value)
{
	struct pc_error *err;
	bool dummy = false;

	err = py_read_ptr(table->reader, table->slots + i * table->slot_size, table->key, value);
	if (!err && *value)
		err = table->scan->is_dummy(table->scan->dummy_arg, *value, &dummy);
	if (err)
		return pc_error_prefix(err, "entry %llu", (unsigned long long)i);
	if (dummy)
		*value = 0;
	*key = 0;
	return NULL;
}

/* The items of a list or tuple: SIZE pointers at ITEMS. */
static struct pc_error *sequence_items(const struct py_reader *reader, uint64_t items_at,
				       uint64_t size, struct pycontainer_items *ret)
{
	size_t n = size < PYCONTAINER_MAX_ITEMS ? (size_t)size : PYCONTAINER_MAX_ITEMS;
	struct pc_error *err;

	err = memory_read(reader->mem, items_at, ret->values, n * sizeof(uint64_t));
	if (err)
		return err;
	ret->n = n;
	ret->more = size > n;
	return NULL;
}

/* The size of a slot of a table, FIELD. */
static struct pc_error *slot_size(const struct py_reader *reader, enum layout_field field,
				  uint64_t *ret)
{
	struct pc_error *err;
	int64_t size;

	err = py_field_value(reader, field, &size);
	if (!err)
		*ret = (uint64_t)size;
	return err;
}

/* 2.7's dict: a table of MA_MASK + 1 entries. */
static struct pc_error *dict_table_items(const struct py_reader *reader, uint64_t address,
					 uint64_t used, struct pycontainer_scan *scan)
{
	struct table table = {.reader = reader,
			      .key = LAYOUT_FIELD(dictentry, me_key),
			      .value = LAYOUT_FIELD(dictentry, me_value)};
	uint64_t mask;
	struct pc_error *err;

	err = py_require(reader, LAYOUT_FIELD(dict, ma_mask), LAYOUT_FIELD(dict, ma_table),
			 LAYOUT_FIELD(dictentry, size));
	if (!err)
		err = pyobject_length(reader, address, LAYOUT_FIELD(dict, ma_mask), &mask);
	if (!err)
		err = py_read_ptr(reader, address, LAYOUT_FIELD(dict, ma_table), &table.slots);
	if (!err)
		err = slot_size(reader, LAYOUT_FIELD(dictentry, size), &table.slot_size);
	if (err)
		return err;
	return scan_slots(&table, entry_slot, mask + 1, used, scan);
}

/* Where the entries of the PyDictKeysObject at KEYS start, how many there
 * are, and where their keys and values are (TABLE). */
static struct pc_error *dict_keys_entries(const struct py_reader *reader, uint64_t keys,
					  struct table *table)
{
	const struct py_layout *layout = reader->layout;
	uint64_t index_bytes, slots;
	struct pc_error *err;
	bool unicode = false;

	err = pyobject_length(reader, keys, LAYOUT_FIELD(dictkeys, dk_nentries), &table->nentries);
	if (err)
		return err;
	if (layout->dict_shape == DICT_SHAPE_KEYS_SIZE) {
		err = pyobject_length(reader, keys, LAYOUT_FIELD(dictkeys, dk_size), &slots);
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

		err = py_require(reader, LAYOUT_FIELD(dictkeys, dk_log2_size),
				 LAYOUT_FIELD(dictkeys, dk_log2_index_bytes),
				 LAYOUT_FIELD(dictkeys, dk_kind), LAYOUT_FIELD(dictuentry, size));
		if (!err)
			err = py_read_u8(reader, keys, LAYOUT_FIELD(dictkeys, dk_log2_size),
					 &log2_size);
		if (!err)
			err = py_read_u8(reader, keys, LAYOUT_FIELD(dictkeys, dk_log2_index_bytes),
					 &log2_index_bytes);
		if (!err)
			err = py_read_u8(reader, keys, LAYOUT_FIELD(dictkeys, dk_kind), &kind);
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
	if (table->nentries > slots)
		return pc_error_create(PC_ERR_CORRUPT, "%llu entries in a table of %llu",
				       (unsigned long long)table->nentries,
				       (unsigned long long)slots);
	/* The entries follow the index table. */
	err = py_field_address(reader, keys, LAYOUT_FIELD(dictkeys, dk_indices), &table->slots);
	if (err)
		return err;
	table->slots += index_bytes;
	table->key = unicode ? LAYOUT_FIELD(dictuentry, me_key) : LAYOUT_FIELD(dictentry, me_key);
	table->value = unicode ? LAYOUT_FIELD(dictuentry, me_value)
			       : LAYOUT_FIELD(dictentry, me_value);
	return slot_size(reader, unicode ? LAYOUT_FIELD(dictuentry, size)
					 : LAYOUT_FIELD(dictentry, size),
			 &table->slot_size);
}

/* The items of a split table (3.6+): values apart from the shared keys, in
 * insertion order (3.11+: kept in bytes next to the values). */
static struct pc_error *dict_split_items(struct table *table, uint64_t values,
					 struct pycontainer_scan *scan)
{
	const struct py_reader *reader = table->reader;
	const struct py_layout *layout = reader->layout;
	uint64_t count = table->nentries;
	struct pc_error *err = NULL;

	if (layout->dict_shape != DICT_SHAPE_KEYS_SIZE) {
		err = py_require(reader, LAYOUT_FIELD(dictvalues, values));
		if (err)
			return err;
	}
	table->values = values;
	if (layout->dict_shape == DICT_SHAPE_KEYS_LOG2) {
		uint8_t size;

		/* [-2] = used size, [-3 - i] = the i-th index inserted: bytes
		 * before the struct, no field of it. */
		err = memory_read(reader->mem, values - 2, &size, 1);
		count = size;
		table->order = values - 3;
		table->step = -1;
		if (!err)
			err = py_field_address(reader, values, LAYOUT_FIELD(dictvalues, values),
					       &table->values);
	} else if (layout->dict_shape == DICT_SHAPE_KEYS_LOG2_VALUES) {
		uint8_t capacity = 0, size = 0;

		err = py_require(reader, LAYOUT_FIELD(dictvalues, capacity),
				 LAYOUT_FIELD(dictvalues, used));
		if (err)
			return err;
		err = py_read_u8(reader, values, LAYOUT_FIELD(dictvalues, capacity), &capacity);
		if (!err)
			err = py_read_u8(reader, values, LAYOUT_FIELD(dictvalues, used), &size);
		count = size;
		if (!err)
			err = py_field_address(reader, values, LAYOUT_FIELD(dictvalues, values),
					       &table->values);
		/* The order bytes follow the CAPACITY values. */
		table->order = table->values + (uint64_t)capacity * 8;
		table->step = 1;
		if (!err && size > capacity)
			err = pc_error_create(PC_ERR_CORRUPT, "%u values of %u", size, capacity);
	}
	if (err)
		return pc_error_prefix(err, "values at %#llx", (unsigned long long)values);
	return scan_slots(table, split_slot, count, count, scan);
}

/* The items of a 3.x dict whose keys are at KEYS and values, for a split
 * table, at VALUES; at most USED of them. */
static struct pc_error *keys_items(const struct py_reader *reader, uint64_t keys,
				   uint64_t values, uint64_t used, struct pycontainer_scan *scan)
{
	struct table table = {.reader = reader};
	struct pc_error *err;

	err = dict_keys_entries(reader, keys, &table);
	if (!err)
		err = values ? dict_split_items(&table, values, scan)
			     : scan_slots(&table, entry_slot, table.nentries, used, scan);
	return err ? pc_error_prefix(err, "keys at %#llx", (unsigned long long)keys) : NULL;
}

/* The items of a 3.x dict, in insertion order. */
static struct pc_error *dict_keys_items(const struct py_reader *reader, uint64_t address,
					uint64_t used, struct pycontainer_scan *scan)
{
	uint64_t keys, values;
	struct pc_error *err;

	err = py_require(reader, LAYOUT_FIELD(dict, ma_keys), LAYOUT_FIELD(dict, ma_values),
			 LAYOUT_FIELD(dictkeys, dk_nentries), LAYOUT_FIELD(dictkeys, dk_indices),
			 LAYOUT_FIELD(dictentry, size));
	if (!err)
		err = py_read_ptr(reader, address, LAYOUT_FIELD(dict, ma_keys), &keys);
	if (!err)
		err = py_read_ptr(reader, address, LAYOUT_FIELD(dict, ma_values), &values);
	return err ? err : keys_items(reader, keys, values, used, scan);
}

struct pc_error *pycontainer_scan_keys(const struct py_reader *reader, uint64_t keys,
				       uint64_t values, struct pycontainer_scan *scan)
{
	struct pc_error *err;

	if (reader->layout->dict_shape == DICT_SHAPE_TABLE)
		return pc_error_create(PC_ERR_UNSUPPORTED, "2.7's dicts have no PyDictKeysObject");
	err = py_require(reader, LAYOUT_FIELD(dictkeys, dk_nentries),
			 LAYOUT_FIELD(dictkeys, dk_indices), LAYOUT_FIELD(dictentry, size));
	return err ? err : keys_items(reader, keys, values, UINT64_MAX, scan);
}

static struct pc_error *dict_items(const struct py_reader *reader, uint64_t address,
				   struct pycontainer_scan *scan)
{
	struct pc_error *err;
	uint64_t used;

	err = pyobject_length(reader, address, LAYOUT_FIELD(dict, ma_used), &used);
	if (!err && used)
		err = reader->layout->dict_shape == DICT_SHAPE_TABLE
			      ? dict_table_items(reader, address, used, scan)
			      : dict_keys_items(reader, address, used, scan);
	return err;
}

static struct pc_error *set_items(const struct py_reader *reader, uint64_t address,
				  struct pycontainer_scan *scan)
{
	struct table table = {.reader = reader, .key = LAYOUT_FIELD(setentry, key),
			      .scan = scan};
	uint64_t used, mask;
	struct pc_error *err;

	err = py_require(reader, LAYOUT_FIELD(set, used), LAYOUT_FIELD(set, mask),
			 LAYOUT_FIELD(set, table), LAYOUT_FIELD(setentry, size),
			 LAYOUT_FIELD(setentry, key));
	if (!err)
		err = pyobject_length(reader, address, LAYOUT_FIELD(set, used), &used);
	if (!err)
		err = pyobject_length(reader, address, LAYOUT_FIELD(set, mask), &mask);
	if (!err)
		err = py_read_ptr(reader, address, LAYOUT_FIELD(set, table), &table.slots);
	if (!err)
		err = slot_size(reader, LAYOUT_FIELD(setentry, size), &table.slot_size);
	if (err)
		return err;
	return scan_slots(&table, set_slot, mask + 1, used, scan);
}

struct pc_error *pycontainer_scan(const struct py_reader *reader, uint64_t address,
				  enum pycontainer_kind kind, struct pycontainer_scan *scan)
{
	return kind == PYCONTAINER_DICT ? dict_items(reader, address, scan)
					: set_items(reader, address, scan);
}

/* pyrepr's scan: the first PYCONTAINER_MAX_ITEMS items, and whether there
 * are more. */
static bool collect(void *ctx, uint64_t key, uint64_t value)
{
	struct pycontainer_items *items = ctx;

	if (items->n == PYCONTAINER_MAX_ITEMS) {
		items->more = true;
		return false;
	}
	items->keys[items->n] = key;
	items->values[items->n++] = value;
	return true;
}

struct pc_error *pycontainer_items(const struct py_reader *reader, uint64_t address,
				   enum pycontainer_kind kind, pycontainer_dummy_fn *is_dummy,
				   void *arg, struct pycontainer_items *ret)
{
	struct pycontainer_scan scan = {
		.max_slots = PYCONTAINER_MAX_SCAN,
		.is_dummy = is_dummy,
		.dummy_arg = arg,
		.fn = collect,
		.ctx = ret,
	};
	struct pc_error *err = NULL;
	uint64_t size, items_at;

	*ret = (struct pycontainer_items){.n = 0};
	switch (kind) {
	case PYCONTAINER_LIST:
		err = py_require(reader, LAYOUT_FIELD(list, ob_item), LAYOUT_FIELD(var, ob_size));
		if (!err)
			err = pyobject_length(reader, address, LAYOUT_FIELD(var, ob_size), &size);
		if (!err && size)
			err = py_read_ptr(reader, address, LAYOUT_FIELD(list, ob_item), &items_at);
		if (!err && size)
			err = sequence_items(reader, items_at, size, ret);
		return err;
	case PYCONTAINER_TUPLE:
		err = py_require(reader, LAYOUT_FIELD(tuple, ob_item), LAYOUT_FIELD(tuple, ob_size));
		if (!err)
			err = pyobject_length(reader, address, LAYOUT_FIELD(tuple, ob_size), &size);
		if (!err)
			err = py_field_address(reader, address, LAYOUT_FIELD(tuple, ob_item),
					       &items_at);
		if (!err)
			err = sequence_items(reader, items_at, size, ret);
		return err;
	case PYCONTAINER_DICT:
	case PYCONTAINER_SET:
		break;
	}
	err = pycontainer_scan(reader, address, kind, &scan);
	if (scan.cut)
		ret->more = true;
	return err;
}
