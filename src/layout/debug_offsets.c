/* The layout of a CPython 3.13+ build from the _Py_DebugOffsets table that
 * begins _PyRuntime (Include/internal/pycore_debug_offsets.h, 3.13's
 * pycore_runtime.h): CPython publishes there the offsets an out-of-process
 * debugger needs, so a build without DWARF needs no table of ours.
 *
 * The table is a cookie, the version, then groups of uint64_t, one group
 * per struct, most starting with the struct's size.  The struct grows from
 * one minor version to the next: where each member sits in each version is
 * generated from its header (layout_debug_offsets_shape(), in
 * layout_tables.c).  A version newer than every known one is read in the
 * newest known shape, and only if every value read is consistent: each
 * offset inside its struct, each size within bounds.  The same checks apply
 * to every version: a core's table can be corrupt. */
#include "base/error.h"
#include "layout/layout.h"

#include <string.h>

#define DEBUG_COOKIE "xdebugpy"

/* Offsets and sizes are bounded by the struct sizes; those by these. */
#define MAX_STRUCT_SIZE (1u << 20)
#define MAX_STATE_SIZE (16u << 20)	/* _PyRuntimeState, PyInterpreterState */

/* The member of _Py_DebugOffsets ("group.member") that gives each field
 * of the layout, or NULL. */
static const char *const debug_members[LAYOUT_FIELD_COUNT] = {
#define LAYOUT_OFFSET(group, member, name, debug, rule) [LAYOUT_FIELD(group, member)] = debug,
#include "layout/fields.def"
};

/* A copy of the table and where its members are. */
struct reader {
	const unsigned char *bytes;
	size_t size;
	const struct debug_offsets_shape *shape;
};

/* MEMBER's value; false when this version has no such member. */
static bool member_value(const struct reader *r, const char *member, uint64_t *ret)
{
	size_t i;

	for (i = 0; i < r->shape->count; i++)
		if (strcmp(r->shape->members[i].name, member) == 0) {
			if ((size_t)r->shape->members[i].offset + 8 > r->size)
				return false;
			memcpy(ret, r->bytes + r->shape->members[i].offset, 8);
			return true;
		}
	return false;
}

/* The size of MEMBER's struct: its group's "size", within bounds. */
static struct pc_error *group_size(const struct reader *r, const char *member, uint64_t *ret)
{
	const char *dot = strchr(member, '.');
	char name[96];
	uint64_t cap;

	if (!dot || (size_t)(dot - member) + sizeof(".size") > sizeof(name))
		return pc_error_create(PC_ERR_CORRUPT, "_Py_DebugOffsets: no group in %s", member);
	memcpy(name, member, (size_t)(dot - member));
	strcpy(name + (dot - member), ".size");
	cap = strncmp(member, "runtime_state.", 14) == 0 ||
			      strncmp(member, "interpreter_state.", 18) == 0
		      ? MAX_STATE_SIZE
		      : MAX_STRUCT_SIZE;
	if (!member_value(r, name, ret))
		return pc_error_create(PC_ERR_CORRUPT, "_Py_DebugOffsets has no %s", name);
	if (*ret == 0 || *ret > cap)
		return pc_error_create(PC_ERR_CORRUPT, "_Py_DebugOffsets %s is %llu", name,
				       (unsigned long long)*ret);
	return NULL;
}

/* MEMBER, an offset into its struct (a size when it is the group's own
 * "size", or one of the few sizes named *_size): 8 bytes of it must fit. */
static struct pc_error *checked_value(const struct reader *r, const char *member, bool *present,
				      uint64_t *ret)
{
	const char *dot = strchr(member, '.');
	uint64_t size;
	struct pc_error *err;

	*present = member_value(r, member, ret);
	if (!*present)
		return NULL;
	err = group_size(r, member, &size);
	if (err || strcmp(dot, ".size") == 0)
		return err;	/* the group's own size: group_size() checked it */
	if (strstr(dot, "size")) {
		if (*ret == 0 || *ret > MAX_STRUCT_SIZE)
			return pc_error_create(PC_ERR_CORRUPT, "_Py_DebugOffsets %s is %llu",
					       member, (unsigned long long)*ret);
		return NULL;
	}
	if (*ret >= size)
		return pc_error_create(PC_ERR_CORRUPT,
				       "_Py_DebugOffsets %s is %llu, outside its struct of %llu bytes",
				       member, (unsigned long long)*ret, (unsigned long long)size);
	return NULL;
}

/* The offsets of the GIL and the GC flag, which _Py_DebugOffsets gives
 * from PyInterpreterState: pycore reads them through interp->ceval.gil
 * and from the interpreter. */
static struct pc_error *interpreter_parts(const struct reader *r, struct py_layout *ret)
{
	uint64_t gil, locked, holder, gc, collecting, gc_size;
	bool has_gil, has_locked, has_holder, has_gc, has_collecting;
	struct pc_error *err;

	err = checked_value(r, "interpreter_state.gil_runtime_state", &has_gil, &gil);
	if (!err)
		err = checked_value(r, "interpreter_state.gil_runtime_state_locked", &has_locked,
				    &locked);
	if (!err)
		err = checked_value(r, "interpreter_state.gil_runtime_state_holder", &has_holder,
				    &holder);
	if (!err)
		err = checked_value(r, "interpreter_state.gc", &has_gc, &gc);
	if (!err)
		err = checked_value(r, "gc.collecting", &has_collecting, &collecting);
	if (err)
		return err;
	if (has_gil && has_locked && has_holder && locked >= gil && holder >= gil) {
		ret->gil.locked = (int64_t)(locked - gil);
		ret->gil.last_holder = (int64_t)(holder - gil);
	}
	if (has_gc && has_collecting) {
		err = group_size(r, "gc.collecting", &gc_size);
		if (err)
			return err;
		if (gc + gc_size > (uint64_t)ret->interp.size)
			return pc_error_create(PC_ERR_CORRUPT,
					       "_Py_DebugOffsets: the GC state at %llu of %llu bytes is "
					       "outside the interpreter state of %lld",
					       (unsigned long long)gc, (unsigned long long)gc_size,
					       (long long)ret->interp.size);
		ret->interp.gc_collecting = (int64_t)(gc + collecting);
	}
	return NULL;
}

/* _Py_DebugOffsets carries what a stack needs, not everything pycore shows
 * (the exception being handled, the insides of dicts, sets and cells that
 * --locals reads, the interpreter's list of tasks): those fields come from
 * the built-in table of the same version and architecture, when there is
 * one (the interpreter state's fields move with the size of glibc's
 * pthread types). */
static void fill_from_tables(unsigned machine, struct py_layout *ret)
{
	struct py_layout tables;
	struct pc_error *err = layout_from_arch_tables(machine, ret->version_hex, &tables);

	if (err) {
		pc_error_destroy(err);
		return;
	}
	for (size_t i = 0; i < LAYOUT_FIELD_COUNT; i++)
		if (ret->offset[i] == LAYOUT_ABSENT)
			ret->offset[i] = tables.offset[i];
}

struct pc_error *layout_from_debug_offsets(const void *bytes, size_t size, unsigned machine,
					   struct py_layout *ret)
{
	struct reader r = {.bytes = bytes, .size = size};
	uint64_t version, free_threaded;
	struct pc_error *err;
	size_t i;

	if (size < 24)
		return pc_error_create(PC_ERR_FORMAT, "_Py_DebugOffsets: %zu bytes is too short",
				       size);
	if (memcmp(bytes, DEBUG_COOKIE, 8) != 0)
		return pc_error_create(PC_ERR_FORMAT,
				       "_PyRuntime does not start with the \"" DEBUG_COOKIE
				       "\" cookie");
	memcpy(&version, r.bytes + 8, 8);
	memcpy(&free_threaded, r.bytes + 16, 8);
	if ((version >> 24) != 3 || (version >> 32) != 0)
		return pc_error_create(PC_ERR_CORRUPT, "_Py_DebugOffsets: version %#llx",
				       (unsigned long long)version);
	r.shape = layout_debug_offsets_shape((unsigned)version);
	if (!r.shape)
		return pc_error_create(PC_ERR_UNSUPPORTED,
				       "_Py_DebugOffsets of version %#llx: its shape is not known",
				       (unsigned long long)version);
	if (free_threaded)
		return pc_error_create(PC_ERR_UNSUPPORTED,
				       "free-threaded CPython builds are not supported");
	layout_init(ret, (unsigned)version);
	for (i = 0; i < LAYOUT_FIELD_COUNT; i++) {
		uint64_t value;
		bool present;

		if (!debug_members[i])
			continue;
		err = checked_value(&r, debug_members[i], &present, &value);
		if (err)
			return err;
		if (present)
			ret->offset[i] = (int64_t)value;
	}
	if (ret->interp.size == LAYOUT_ABSENT || ret->tstate.current_frame == LAYOUT_ABSENT)
		return pc_error_create(PC_ERR_CORRUPT,
				       "_Py_DebugOffsets has no interpreter or thread state");
	err = interpreter_parts(&r, ret);
	if (err)
		return err;
	/* Before 3.15 not in the table: sizeof(PyCompactUnicodeObject) =
	 * PyASCIIObject plus utf8_length and utf8, and PyUnicodeObject.data
	 * right after it. */
	if (ret->unicode.compact_size == LAYOUT_ABSENT)
		ret->unicode.compact_size = ret->unicode.ascii_size + 16;
	ret->unicode.data_any = ret->unicode.compact_size;
	fill_from_tables(machine, ret);
	ret->source = LAYOUT_SOURCE_DEBUG_OFFSETS;
	return NULL;
}
