#include "python/code.h"

#include "base/error.h"
#include "elf/memory.h"

#include <stdlib.h>
#include <string.h>

/* Caps on what one code object may make pycore read. */
#define PYCODE_MAX_NAME 500		/* characters, as faulthandler cuts */
#define PYCODE_MAX_FILENAME 4096
#define PYCODE_MAX_TABLE (4u << 20)
#define PYCODE_CACHE_SLOTS 1024		/* a power of two */
/* Bytes of line tables and names the cache holds in all: each table is
 * capped, but a crafted core can give 1,024 code objects the largest. */
#define PYCODE_CACHE_MAX_BYTES (32u << 20)

struct pycode_cache {
	struct py_reader reader;
	struct py_code *slots[PYCODE_CACHE_SLOTS];
	size_t bytes;		/* held by the slots */
};

static size_t code_bytes(const struct py_code *code)
{
	return code->table_len + (code->filename ? strlen(code->filename) : 0) +
	       (code->name ? strlen(code->name) : 0);
}

struct pc_error *pycode_cache_create(const struct py_reader *reader, struct pycode_cache **ret)
{
	struct pycode_cache *cache = calloc(1, sizeof(*cache));

	if (!cache)
		return &pc_error_nomem;
	cache->reader = *reader;
	*ret = cache;
	return NULL;
}

static void code_destroy(struct py_code *code)
{
	if (!code)
		return;
	free(code->filename);
	free(code->name);
	free(code->table);
	free(code);
}

void pycode_cache_destroy(struct pycode_cache *cache)
{
	size_t i;

	if (!cache)
		return;
	for (i = 0; i < PYCODE_CACHE_SLOTS; i++)
		code_destroy(cache->slots[i]);
	free(cache);
}

static struct pc_error *read_pointer_field(const struct py_reader *reader, uint64_t address,
					   int64_t offset, const char *field, uint64_t *ret)
{
	struct pc_error *err = memory_read_u64(reader->mem, address + (uint64_t)offset, ret);

	if (err)
		return pc_error_prefix(err, "%s of code object at %#llx", field,
				       (unsigned long long)address);
	if (!*ret)
		return pc_error_create(PC_ERR_CORRUPT, "%s of code object at %#llx is NULL", field,
				       (unsigned long long)address);
	return NULL;
}

static struct pc_error *code_read(const struct py_reader *reader, uint64_t address,
				  struct py_code *code)
{
	const struct py_layout *layout = reader->layout;
	int64_t name_offset = layout->code.co_qualname != LAYOUT_ABSENT ? layout->code.co_qualname
									: layout->code.co_name;
	int64_t table_offset = layout->code.co_linetable != LAYOUT_ABSENT
				       ? layout->code.co_linetable
				       : layout->code.co_lnotab;
	uint64_t filename, name, table;
	struct pc_error *err;
	int32_t firstlineno;

	code->address = address;
	err = read_pointer_field(reader, address, layout->code.co_filename, "co_filename",
				 &filename);
	if (!err)
		err = read_pointer_field(reader, address, name_offset, "co_name", &name);
	if (!err)
		err = read_pointer_field(reader, address, table_offset, "line table", &table);
	if (!err)
		err = memory_read(reader->mem, address + (uint64_t)layout->code.co_firstlineno,
				  &firstlineno, sizeof(firstlineno));
	if (err)
		return err;
	code->firstlineno = firstlineno;
	err = pyobject_text(reader, filename, PYCODE_MAX_FILENAME, &code->filename);
	if (!err)
		err = pyobject_text(reader, name, PYCODE_MAX_NAME, &code->name);
	if (!err)
		err = pyobject_bytes(reader, table, PYCODE_MAX_TABLE, &code->table,
				     &code->table_len);
	if (err)
		return pc_error_prefix(err, "code object at %#llx", (unsigned long long)address);
	return NULL;
}

struct pc_error *pycode_get(struct pycode_cache *cache, uint64_t address,
			    const struct py_code **ret)
{
	size_t slot = (size_t)((address >> 4) ^ (address >> 14)) & (PYCODE_CACHE_SLOTS - 1);
	struct py_code *code = cache->slots[slot];
	struct pc_error *err;
	size_t i;

	if (code && code->address == address) {
		*ret = code;
		return NULL;
	}
	code = calloc(1, sizeof(*code));
	if (!code)
		return &pc_error_nomem;
	err = code_read(&cache->reader, address, code);
	if (err) {
		code_destroy(code);
		return err;
	}
	if (cache->slots[slot])
		cache->bytes -= code_bytes(cache->slots[slot]);
	code_destroy(cache->slots[slot]);
	cache->slots[slot] = NULL;
	/* Over the budget, the others go: a code object is read again when
	 * it is met again, which costs time, never memory. */
	for (i = 0; cache->bytes + code_bytes(code) > PYCODE_CACHE_MAX_BYTES &&
		    i < PYCODE_CACHE_SLOTS; i++) {
		if (!cache->slots[i])
			continue;
		cache->bytes -= code_bytes(cache->slots[i]);
		code_destroy(cache->slots[i]);
		cache->slots[i] = NULL;
	}
	cache->slots[slot] = code;
	cache->bytes += code_bytes(code);
	*ret = code;
	return NULL;
}

struct pc_error *pycode_location(const struct py_reader *reader, const struct py_code *code,
				 int64_t offset, struct py_location *ret)
{
	struct pc_error *err;

	if (offset < 0) {
		*ret = (struct py_location){code->firstlineno, code->firstlineno, -1, -1};
		return NULL;
	}
	err = linetable_lookup(reader->layout->line_table, code->table, code->table_len,
			       code->firstlineno, (uint64_t)offset, ret);
	if (err)
		return pc_error_prefix(err, "line table of code object at %#llx",
				       (unsigned long long)code->address);
	return NULL;
}
