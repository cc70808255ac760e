#include "python/locals.h"

#include "base/error.h"
#include "elf/memory.h"
#include "python/repr.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Tuples of names longer than this are corrupt. */
#define MAX_PLAUSIBLE_SLOTS (1u << 20)

struct pylocals {
	struct py_reader reader;
	struct pyrepr *repr;
};

/* One slot of the frame's array of variables. */
struct slot {
	uint64_t name;		/* a str object */
	enum py_local_kind kind;
	bool hidden;		/* 3.12+: a variable of an inlined comprehension */
};

struct pc_error *pylocals_create(const struct py_reader *reader, struct pylocals **ret)
{
	struct pylocals *locals = calloc(1, sizeof(*locals));
	struct pc_error *err;

	if (!locals)
		return &pc_error_nomem;
	locals->reader = *reader;
	err = pyrepr_create(reader, &locals->repr);
	if (err) {
		free(locals);
		return err;
	}
	*ret = locals;
	return NULL;
}

void pylocals_destroy(struct pylocals *locals)
{
	if (!locals)
		return;
	pyrepr_destroy(locals->repr);
	free(locals);
}

void pylocals_deinit(struct py_frame *frame)
{
	size_t i;

	for (i = 0; i < frame->nlocals; i++) {
		free(frame->locals[i].name);
		free(frame->locals[i].repr);
	}
	free(frame->locals);
	free(frame->locals_error);
	frame->locals = NULL;
	frame->nlocals = 0;
	frame->locals_error = NULL;
}

/* The length of the tuple at TUPLE, and its first MAX items into ITEMS. */
static struct pc_error *read_tuple(const struct py_reader *reader, uint64_t tuple, size_t max,
				   uint64_t *items, size_t *length)
{
	uint64_t size, items_at = 0;
	struct pc_error *err;

	err = py_read_u64(reader, tuple, LAYOUT_FIELD(tuple, ob_size), &size);
	if (!err && size > MAX_PLAUSIBLE_SLOTS)
		err = pc_error_create(PC_ERR_CORRUPT, "implausible length %#llx",
				      (unsigned long long)size);
	if (!err)
		err = py_field_address(reader, tuple, LAYOUT_FIELD(tuple, ob_item), &items_at);
	if (!err)
		err = memory_read(reader->mem, items_at, items,
				  (size < max ? (size_t)size : max) * sizeof(*items));
	if (err)
		return pc_error_prefix(err, "tuple at %#llx", (unsigned long long)tuple);
	*length = (size_t)size;
	return NULL;
}

/* 2.7 - 3.10: co_nlocals locals named by co_varnames, then the cells of
 * co_cellvars, then the free variables of co_freevars. */
static struct pc_error *slots_from_tuples(struct pylocals *locals, uint64_t code,
					  struct slot *slots, size_t *nslots, bool *cut)
{
	static const enum layout_field tuple_fields[3] = {
		LAYOUT_FIELD(code, co_varnames),
		LAYOUT_FIELD(code, co_cellvars),
		LAYOUT_FIELD(code, co_freevars),
	};
	const struct py_reader *reader = &locals->reader;
	uint64_t names[PYLOCALS_MAX], tuples[3];
	size_t counts[3], i, j, n = 0;
	struct pc_error *err;
	int32_t nlocals;

	err = py_read_i32(reader, code, LAYOUT_FIELD(code, co_nlocals), &nlocals);
	if (err)
		return pc_error_prefix(err, "code object at %#llx", (unsigned long long)code);
	if (nlocals < 0 || (uint32_t)nlocals > MAX_PLAUSIBLE_SLOTS)
		return pc_error_create(PC_ERR_CORRUPT, "code object at %#llx has co_nlocals %d",
				       (unsigned long long)code, nlocals);
	for (i = 0; i < 3 && !err; i++)
		err = py_read_ptr(reader, code, tuple_fields[i], &tuples[i]);
	if (err)
		return pc_error_prefix(err, "code object at %#llx", (unsigned long long)code);
	for (i = 0; i < 3 && !err; i++) {
		err = read_tuple(reader, tuples[i], PYLOCALS_MAX - n, names, &counts[i]);
		if (err)
			break;
		/* co_varnames holds the locals, and nothing but them. */
		if (i == 0 && counts[0] < (size_t)nlocals) {
			err = pc_error_create(PC_ERR_CORRUPT,
					      "code object at %#llx: %zu names for %d locals",
					      (unsigned long long)code, counts[0], nlocals);
			break;
		}
		if (i == 0)
			counts[0] = (size_t)nlocals;
		for (j = 0; j < counts[i] && n < PYLOCALS_MAX; j++)
			slots[n++] = (struct slot){.name = names[j],
						   .kind = i == 0   ? PY_LOCAL_PLAIN
							   : i == 1 ? PY_LOCAL_CELL
								    : PY_LOCAL_FREE};
		*cut |= j < counts[i];
	}
	*nslots = n;
	return err;
}

/* 3.11+: co_localsplusnames, and a kind byte for each in co_localspluskinds. */
static struct pc_error *slots_from_kinds(struct pylocals *locals, uint64_t code,
					 struct slot *slots, size_t *nslots, bool *cut)
{
	const struct py_reader *reader = &locals->reader;
	const struct py_layout *layout = reader->layout;
	uint64_t names[PYLOCALS_MAX];
	uint8_t kinds[PYLOCALS_MAX];
	uint64_t tuple, bytes, nkinds, kinds_at = 0;
	struct pc_error *err;
	size_t count, n, i;

	err = py_read_ptr(reader, code, LAYOUT_FIELD(code, co_localsplusnames), &tuple);
	if (!err)
		err = py_read_ptr(reader, code, LAYOUT_FIELD(code, co_localspluskinds), &bytes);
	if (err)
		return pc_error_prefix(err, "code object at %#llx", (unsigned long long)code);
	err = read_tuple(reader, tuple, PYLOCALS_MAX, names, &count);
	if (err)
		return err;
	n = count < PYLOCALS_MAX ? count : PYLOCALS_MAX;
	err = py_read_u64(reader, bytes, LAYOUT_FIELD(bytes, ob_size), &nkinds);
	if (!err && nkinds != count)
		err = pc_error_create(PC_ERR_CORRUPT, "%llu kinds for %zu names",
				      (unsigned long long)nkinds, count);
	if (!err)
		err = py_field_address(reader, bytes, LAYOUT_FIELD(bytes, ob_sval), &kinds_at);
	if (!err)
		err = memory_read(reader->mem, kinds_at, kinds, n);
	if (err)
		return pc_error_prefix(err, "co_localspluskinds of code object at %#llx",
				       (unsigned long long)code);
	for (i = 0; i < n; i++)
		slots[i] = (struct slot){
			.name = names[i],
			.kind = kinds[i] & layout->fast_kind.free   ? PY_LOCAL_FREE
				: kinds[i] & layout->fast_kind.cell ? PY_LOCAL_CELL
								    : PY_LOCAL_PLAIN,
			.hidden = (kinds[i] & layout->fast_kind.hidden) != 0,
		};
	*nslots = n;
	*cut = n < count;
	return NULL;
}

/* Add NAME = REPR to FRAME, taking both.  A name seen already is replaced:
 * 2.7 keeps an argument that a closure uses both as a local and as a cell,
 * and the cell is the variable (the local is not updated any more). */
static void add_local(struct py_frame *frame, char *name, char *repr, enum py_local_kind kind)
{
	size_t i;

	for (i = 0; i < frame->nlocals; i++)
		if (strcmp(frame->locals[i].name, name) == 0) {
			free(frame->locals[i].repr);
			free(name);
			frame->locals[i].repr = repr;
			frame->locals[i].kind = kind;
			return;
		}
	frame->locals[frame->nlocals++] = (struct py_local){.name = name, .repr = repr,
							    .kind = kind};
}

static struct pc_error *local_name(const struct py_reader *reader, uint64_t name, char **ret)
{
	struct pc_error *err = pyobject_text(reader, name, PYLOCALS_MAX_NAME, ret);

	if (err == &pc_error_nomem)
		return err;
	if (err) {
		pc_error_destroy(err);
		*ret = strdup("<unreadable name>");
		if (!*ret)
			return &pc_error_nomem;
	}
	return NULL;
}

/* A 3.14+ slot that holds a small int in the reference itself, not an
 * object (PyStackRef_TagInt: the value shifted left by 2 above the tag). */
static struct pc_error *tagged_int_local(const struct py_reader *reader, struct py_frame *frame,
					 uint64_t name_object, uint64_t value,
					 enum py_local_kind kind)
{
	char *name = NULL, *repr = NULL;
	struct pc_error *err = local_name(reader, name_object, &name);

	if (err)
		return err;
	if (asprintf(&repr, "%lld", (long long)((int64_t)value >> 2)) < 0) {
		free(name);
		return &pc_error_nomem;
	}
	add_local(frame, name, repr, kind);
	return NULL;
}

struct pc_error *pylocals_read(struct pylocals *locals, uint64_t address, uint64_t code,
			       struct py_frame *frame)
{
	const struct py_reader *reader = &locals->reader;
	const struct py_layout *layout = reader->layout;
	bool object_frame = layout->frame_shape == FRAME_SHAPE_OBJECT;
	struct slot slots[PYLOCALS_MAX];
	uint64_t values[PYLOCALS_MAX];
	struct pc_error *err;
	size_t nslots = 0, i;
	uint64_t array = 0;

	err = py_field_address(reader, address,
			       object_frame ? LAYOUT_FIELD(frame, f_localsplus)
					    : LAYOUT_FIELD(iframe, localsplus),
			       &array);
	if (err)
		return pc_error_keep(&frame->locals_error, err);
	err = object_frame ? slots_from_tuples(locals, code, slots, &nslots, &frame->locals_cut)
			   : slots_from_kinds(locals, code, slots, &nslots, &frame->locals_cut);
	if (!err)
		err = memory_read(reader->mem, array, values, nslots * sizeof(*values));
	if (err)
		return pc_error_keep(&frame->locals_error, err);
	if (!nslots)
		return NULL;
	frame->locals = calloc(nslots, sizeof(*frame->locals));
	if (!frame->locals)
		return &pc_error_nomem;
	for (i = 0; i < nslots; i++) {
		uint64_t value = values[i];
		char *name = NULL, *repr = NULL;

		if (!value || slots[i].hidden)
			continue;
		if (layout->stackref_tag_bits) {
			if (value == layout->stackref_null)
				continue;
			if ((value & layout->stackref_tag_bits) == layout->stackref_int_tag) {
				err = tagged_int_local(reader, frame, slots[i].name, value,
						       slots[i].kind);
				if (err)
					return err;
				continue;
			}
			value &= ~layout->stackref_tag_bits;
		}
		if (slots[i].kind != PY_LOCAL_PLAIN) {
			bool is_cell;
			uint64_t content;

			/* A cell that cannot be read is shown as it is: its
			 * repr says why. */
			err = pyrepr_cell(locals->repr, value, &is_cell, &content);
			if (err == &pc_error_nomem)
				return err;
			pc_error_destroy(err);
			/* 3.11+ makes the cells as the frame starts: before
			 * that, the slot holds the value itself. */
			if (is_cell && !content)
				continue;
			if (is_cell)
				value = content;
		}
		err = local_name(reader, slots[i].name, &name);
		if (err)
			return err;
		err = pyrepr_object(locals->repr, value, &repr);
		if (err) {
			free(name);
			return err;
		}
		add_local(frame, name, repr, slots[i].kind);
	}
	return NULL;
}
