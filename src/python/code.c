#include "python/code.h"

#include "base/error.h"

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

/* The object fields a code object must have: its file name, its name and
 * its line table. */
enum { CODE_FILENAME, CODE_NAME, CODE_TABLE, CODE_OBJECTS };

static struct pc_error *code_read(const struct py_reader *reader, uint64_t address,
				  struct py_code *code)
{
	const enum layout_field fields[CODE_OBJECTS] = {
		[CODE_FILENAME] = LAYOUT_FIELD(code, co_filename),
		[CODE_NAME] = py_has_field(reader, LAYOUT_FIELD(code, co_qualname))
				      ? LAYOUT_FIELD(code, co_qualname)
				      : LAYOUT_FIELD(code, co_name),
		[CODE_TABLE] = py_has_field(reader, LAYOUT_FIELD(code, co_linetable))
				       ? LAYOUT_FIELD(code, co_linetable)
				       : LAYOUT_FIELD(code, co_lnotab),
	};
	uint64_t objects[CODE_OBJECTS];
	struct pc_error *err = NULL;
	int32_t firstlineno;
	size_t i;

	code->address = address;
	for (i = 0; i < CODE_OBJECTS && !err; i++) {
		err = py_read_ptr(reader, address, fields[i], &objects[i]);
		if (!err && !objects[i])
			err = pc_error_create(PC_ERR_CORRUPT, "%s is NULL",
					      layout_field_name(fields[i]));
	}
	if (!err)
		err = py_read_i32(reader, address, LAYOUT_FIELD(code, co_firstlineno),
				  &firstlineno);
	if (err)
		return pc_error_prefix(err, "code object at %#llx", (unsigned long long)address);
	code->firstlineno = firstlineno;
	err = pyobject_text(reader, objects[CODE_FILENAME], PYCODE_MAX_FILENAME, &code->filename);
	if (!err)
		err = pyobject_text(reader, objects[CODE_NAME], PYCODE_MAX_NAME, &code->name);
	if (!err)
		err = pyobject_bytes(reader, objects[CODE_TABLE], PYCODE_MAX_TABLE, &code->table,
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
