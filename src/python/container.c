#include "python/container.h"

#include "base/error.h"
#include "elf/memory.h"

#include <string.h>

/* A hash table being read: where its slots are and what they hold. */
struct table {
	const struct py_reader *reader;
	uint64_t slots;		/* the first slot (entry) */
	uint64_t slot_size;
	int64_t key;		/* offsets in a slot */
	int64_t value;
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

static struct pc_error *read_word(const struct table *table, uint64_t address, uint64_t *ret)
{
	return memory_read_u64(table->reader->mem, address, ret);
}

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

	err = read_word(table, entry + (uint64_t)table->value, value);
	if (!err && *value)
		err = read_word(table, entry + (uint64_t)table->key, key);
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
	err = read_word(table, table->values + index * 8, value);
	if (err)
		return pc_error_prefix(err, "values at %#llx", (unsigned long long)table->values);
	if (*value)
		err = read_word(table, table->slots + index * table->slot_size + (uint64_t)table->key,
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

	err = read_word(table, table->slots + i * table->slot_size + (uint64_t)table->key, value);
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

/* 2.7's dict: a table of MA_MASK + 1 entries. */
static struct pc_error *dict_table_items(const struct py_reader *reader, uint64_t address,
					 uint64_t used, struct pycontainer_scan *scan)
{
	const struct py_layout *layout = reader->layout;
	struct table table = {.reader = reader};
	uint64_t mask;
	struct pc_error *err;

	if (layout->dict.ma_mask == LAYOUT_ABSENT || layout->dict.ma_table == LAYOUT_ABSENT ||
	    layout->dictentry.size == LAYOUT_ABSENT)
		return pyobject_no_layout("PyDictObject.ma_table");
	err = pyobject_length(reader, address, layout->dict.ma_mask, &mask);
	if (!err)
		err = read_word(&table, address + (uint64_t)layout->dict.ma_table, &table.slots);
	if (err)
		return err;
	table.slot_size = (uint64_t)layout->dictentry.size;
	table.key = layout->dictentry.me_key;
	table.value = layout->dictentry.me_value;
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

	err = pyobject_length(reader, keys, layout->dictkeys.dk_nentries, &table->nentries);
	if (err)
		return err;
	if (layout->dict_shape == DICT_SHAPE_KEYS_SIZE) {
		if (layout->dictkeys.dk_size == LAYOUT_ABSENT)
			return pyobject_no_layout("PyDictKeysObject.dk_size");
		err = pyobject_length(reader, keys, layout->dictkeys.dk_size, &slots);
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
			return pyobject_no_layout("PyDictKeysObject.dk_log2_size");
		err = memory_read(reader->mem, keys + (uint64_t)layout->dictkeys.dk_log2_size,
				  &log2_size, 1);
		if (!err)
			err = memory_read(reader->mem,
					  keys + (uint64_t)layout->dictkeys.dk_log2_index_bytes,
					  &log2_index_bytes, 1);
		if (!err)
			err = memory_read(reader->mem, keys + (uint64_t)layout->dictkeys.dk_kind,
					  &kind, 1);
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
	table->slots = keys + (uint64_t)layout->dictkeys.dk_indices + index_bytes;
	table->slot_size = (uint64_t)(unicode ? layout->dictuentry.size : layout->dictentry.size);
	table->key = unicode ? layout->dictuentry.me_key : layout->dictentry.me_key;
	table->value = unicode ? layout->dictuentry.me_value : layout->dictentry.me_value;
	return NULL;
}

/* The items of a split table (3.6+): values apart from the shared keys, in
 * insertion order (3.11+: kept in bytes next to the values). */
static struct pc_error *dict_split_items(struct table *table, uint64_t values,
					 struct pycontainer_scan *scan)
{
	const struct py_layout *layout = table->reader->layout;
	struct memory *mem = table->reader->mem;
	uint64_t count = table->nentries;
	struct pc_error *err = NULL;

	if (layout->dict_shape != DICT_SHAPE_KEYS_SIZE && layout->dictvalues.values == LAYOUT_ABSENT)
		return pyobject_no_layout("PyDictValues.values");
	table->values = values;
	if (layout->dict_shape == DICT_SHAPE_KEYS_LOG2) {
		uint8_t size;

		/* [-2] = used size, [-3 - i] = the i-th index inserted. */
		err = memory_read(mem, values - 2, &size, 1);
		count = size;
		table->order = values - 3;
		table->step = -1;
		table->values = values + (uint64_t)layout->dictvalues.values;
	} else if (layout->dict_shape == DICT_SHAPE_KEYS_LOG2_VALUES) {
		uint8_t capacity = 0, size = 0;

		if (layout->dictvalues.capacity == LAYOUT_ABSENT ||
		    layout->dictvalues.used == LAYOUT_ABSENT)
			return pyobject_no_layout("PyDictValues.capacity");
		err = memory_read(mem, values + (uint64_t)layout->dictvalues.capacity, &capacity, 1);
		if (!err)
			err = memory_read(mem, values + (uint64_t)layout->dictvalues.used, &size, 1);
		count = size;
		table->values = values + (uint64_t)layout->dictvalues.values;
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
	const struct py_layout *layout = reader->layout;
	uint64_t keys, values;
	struct pc_error *err;

	if (layout->dict.ma_keys == LAYOUT_ABSENT || layout->dict.ma_values == LAYOUT_ABSENT ||
	    layout->dictkeys.dk_nentries == LAYOUT_ABSENT ||
	    layout->dictkeys.dk_indices == LAYOUT_ABSENT || layout->dictentry.size == LAYOUT_ABSENT)
		return pyobject_no_layout("PyDictKeysObject");
	err = memory_read_u64(reader->mem, address + (uint64_t)layout->dict.ma_keys, &keys);
	if (!err)
		err = memory_read_u64(reader->mem, address + (uint64_t)layout->dict.ma_values,
				      &values);
	return err ? err : keys_items(reader, keys, values, used, scan);
}

struct pc_error *pycontainer_scan_keys(const struct py_reader *reader, uint64_t keys,
				       uint64_t values, struct pycontainer_scan *scan)
{
	const struct py_layout *layout = reader->layout;

	if (layout->dict_shape == DICT_SHAPE_TABLE || layout->dictkeys.dk_nentries == LAYOUT_ABSENT ||
	    layout->dictkeys.dk_indices == LAYOUT_ABSENT || layout->dictentry.size == LAYOUT_ABSENT)
		return pyobject_no_layout("PyDictKeysObject");
	return keys_items(reader, keys, values, UINT64_MAX, scan);
}

static struct pc_error *dict_items(const struct py_reader *reader, uint64_t address,
				   struct pycontainer_scan *scan)
{
	const struct py_layout *layout = reader->layout;
	struct pc_error *err;
	uint64_t used;

	if (layout->dict.ma_used == LAYOUT_ABSENT)
		return pyobject_no_layout("PyDictObject.ma_used");
	err = pyobject_length(reader, address, layout->dict.ma_used, &used);
	if (!err && used)
		err = layout->dict_shape == DICT_SHAPE_TABLE
			      ? dict_table_items(reader, address, used, scan)
			      : dict_keys_items(reader, address, used, scan);
	return err;
}

static struct pc_error *set_items(const struct py_reader *reader, uint64_t address,
				  struct pycontainer_scan *scan)
{
	const struct py_layout *layout = reader->layout;
	struct table table = {.reader = reader, .scan = scan};
	uint64_t used, mask;
	struct pc_error *err;

	if (layout->set.used == LAYOUT_ABSENT || layout->set.mask == LAYOUT_ABSENT ||
	    layout->set.table == LAYOUT_ABSENT || layout->setentry.size == LAYOUT_ABSENT ||
	    layout->setentry.key == LAYOUT_ABSENT)
		return pyobject_no_layout("PySetObject");
	err = pyobject_length(reader, address, layout->set.used, &used);
	if (!err)
		err = pyobject_length(reader, address, layout->set.mask, &mask);
	if (!err)
		err = read_word(&table, address + (uint64_t)layout->set.table, &table.slots);
	if (err)
		return err;
	table.slot_size = (uint64_t)layout->setentry.size;
	table.key = layout->setentry.key;
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
	const struct py_layout *layout = reader->layout;
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
		if (layout->list.ob_item == LAYOUT_ABSENT || layout->var.ob_size == LAYOUT_ABSENT)
			return pyobject_no_layout("PyListObject.ob_item");
		err = pyobject_length(reader, address, layout->var.ob_size, &size);
		if (!err && size)
			err = memory_read_u64(reader->mem, address + (uint64_t)layout->list.ob_item,
					      &items_at);
		if (!err && size)
			err = sequence_items(reader, items_at, size, ret);
		return err;
	case PYCONTAINER_TUPLE:
		if (layout->tuple.ob_item == LAYOUT_ABSENT || layout->tuple.ob_size == LAYOUT_ABSENT)
			return pyobject_no_layout("PyTupleObject.ob_item");
		err = pyobject_length(reader, address, layout->tuple.ob_size, &size);
		if (!err)
			err = sequence_items(reader, address + (uint64_t)layout->tuple.ob_item, size,
					     ret);
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
