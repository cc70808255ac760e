#include "layout/layout.h"

#include "base/error.h"

#include <stddef.h>

void layout_shape_for_version(struct py_layout *layout, unsigned version_hex)
{
	layout->version_hex = version_hex;
	if (version_hex < PY_HEX(3, 0))
		layout->line_table = LINE_TABLE_LNOTAB_UNSIGNED;
	else if (version_hex < PY_HEX(3, 10))
		layout->line_table = LINE_TABLE_LNOTAB_SIGNED;
	else if (version_hex < PY_HEX(3, 11))
		layout->line_table = LINE_TABLE_LINETABLE_310;
	else
		layout->line_table = LINE_TABLE_LOCATIONS;
	layout->frame_shape = version_hex < PY_HEX(3, 11) ? FRAME_SHAPE_OBJECT
							 : FRAME_SHAPE_INTERPRETER;
	layout->unicode_shape = version_hex < PY_HEX(3, 0) ? UNICODE_SHAPE_PY2
							   : UNICODE_SHAPE_PEP393;
	layout->lasti_unit = version_hex >= PY_HEX(3, 10) ? 2 : 1;
	layout->has_runtime = version_hex >= PY_HEX(3, 7);
	/* FRAME_OWNED_BY_CSTACK appeared with the shim frames of 3.12; 3.14
	 * renamed the shim's owner FRAME_OWNED_BY_INTERPRETER, same value. */
	layout->iframe_owner_cstack = version_hex >= PY_HEX(3, 12) ? 3 : -1;
	if (version_hex >= PY_HEX(3, 14)) {
		layout->stackref_tag_bits = 3;	/* Py_TAG_BITS */
		layout->stackref_int_tag = 3;	/* Py_INT_TAG */
		layout->stackref_null = 1;	/* PyStackRef_NULL_BITS = Py_TAG_REFCNT */
	}
	if (version_hex < PY_HEX(3, 0))
		layout->dict_shape = DICT_SHAPE_TABLE;
	else if (version_hex < PY_HEX(3, 11))
		layout->dict_shape = DICT_SHAPE_KEYS_SIZE;
	else if (version_hex < PY_HEX(3, 13))
		layout->dict_shape = DICT_SHAPE_KEYS_LOG2;
	else
		layout->dict_shape = DICT_SHAPE_KEYS_LOG2_VALUES;
	layout->repr_shape = version_hex < PY_HEX(3, 0) ? REPR_SHAPE_PY2 : REPR_SHAPE_PY3;
	layout->set_dummy_is_str = version_hex < PY_HEX(3, 0);
	/* _PyLong_NON_SIZE_BITS (Include/cpython/longintrepr.h, 3.12+). */
	layout->long_tag_bits = version_hex >= PY_HEX(3, 12) ? 3 : 0;
	/* CO_FAST_* of Include/internal/pycore_code.h (3.11+). */
	if (version_hex >= PY_HEX(3, 11)) {
		layout->fast_kind.local = 0x20;
		layout->fast_kind.cell = 0x40;
		layout->fast_kind.free = 0x80;
		layout->fast_kind.hidden = version_hex >= PY_HEX(3, 12) ? 0x10 : 0;
	}
	/* Include/object.h, and Include/internal/pycore_object.h for where the
	 * managed dict and values live. */
	if (version_hex < PY_HEX(3, 11))
		layout->instance_dict_shape = INSTANCE_DICT_OFFSET;
	else if (version_hex < PY_HEX(3, 12))
		layout->instance_dict_shape = INSTANCE_DICT_MANAGED;
	else if (version_hex < PY_HEX(3, 13))
		layout->instance_dict_shape = INSTANCE_DICT_OR_VALUES;
	else
		layout->instance_dict_shape = INSTANCE_DICT_INLINE;
	layout->tpflags_managed_dict = version_hex >= PY_HEX(3, 11) ? 1u << 4 : 0;
	layout->tpflags_inline_values = version_hex >= PY_HEX(3, 13) ? 1u << 2 : 0;
	/* What _PyGen_yf() of Objects/genobject.c checks, with the opcodes of
	 * Include/opcode.h (opcode_ids.h in 3.13) and the frame states of
	 * Include/internal/pycore_frame.h. */
	if (version_hex < PY_HEX(3, 11))
		layout->await_shape = AWAIT_SHAPE_YIELD_FROM;
	else if (version_hex < PY_HEX(3, 13))
		layout->await_shape = AWAIT_SHAPE_RESUME;
	else
		layout->await_shape = AWAIT_SHAPE_FRAME_STATE;
	layout->opcode_yield_from = 72;
	layout->opcode_resume[0] = 151;
	layout->opcode_resume[1] = version_hex >= PY_HEX(3, 12) ? 240 : 150;
	if (version_hex >= PY_HEX(3, 15)) {
		layout->frame_state_suspended = 1;
		layout->frame_state_suspended_yield_from = 2;
		layout->frame_state_suspended_yield_from_locked = 3;
		layout->frame_state_finished = 5;
		layout->await_stack_depth = 2;
	} else {
		layout->frame_state_suspended = version_hex >= PY_HEX(3, 13) ? -2 : -1;
		layout->frame_state_suspended_yield_from = -1;
		layout->frame_state_suspended_yield_from_locked = -1;
		layout->frame_state_finished = 1;
		layout->await_stack_depth = 1;
	}
	layout->task_lists = version_hex >= PY_HEX(3, 14);
	layout->eval_function = version_hex >= PY_HEX(3, 0) ? "_PyEval_EvalFrameDefault"
							     : "PyEval_EvalFrameEx";
}

/* The named members and offset[] are one array: each member at its index,
 * and nothing after the last. */
#define LAYOUT_OFFSET(group, member, name, debug, rule)                                    \
	_Static_assert(offsetof(struct py_layout, group.member) ==                         \
			       offsetof(struct py_layout, offset[LAYOUT_FIELD(group, member)]), \
		       "layout/fields.def: " #group "." #member " is not at its index");
#include "layout/fields.def"
_Static_assert(sizeof(struct py_layout) ==
		       offsetof(struct py_layout, offset) + LAYOUT_FIELD_COUNT * sizeof(int64_t),
	       "struct py_layout: the offsets are not its last members");

static const char *const field_names[LAYOUT_FIELD_COUNT] = {
#define LAYOUT_OFFSET(group, member, name, debug, rule) [LAYOUT_FIELD(group, member)] = name,
#include "layout/fields.def"
};

const char *layout_field_name(enum layout_field field)
{
	return (unsigned)field < LAYOUT_FIELD_COUNT ? field_names[field] : "?";
}

void layout_init(struct py_layout *layout, unsigned version_hex)
{
	*layout = (struct py_layout){0};
	for (size_t i = 0; i < LAYOUT_FIELD_COUNT; i++)
		layout->offset[i] = LAYOUT_ABSENT;
	layout_shape_for_version(layout, version_hex);
}

const char *layout_source_name(enum layout_source source)
{
	switch (source) {
	case LAYOUT_SOURCE_DWARF:
		return "DWARF";
	case LAYOUT_SOURCE_DEBUG_OFFSETS:
		return "_Py_DebugOffsets";
	case LAYOUT_SOURCE_TABLES:
		return "built-in tables";
	case LAYOUT_SOURCE_NONE:
		break;
	}
	return "none";
}

struct pc_error *layout_check_runtime_size(const struct py_layout *layout, uint64_t symbol_size)
{
	if (!symbol_size || layout->runtime.size == LAYOUT_ABSENT ||
	    (uint64_t)layout->runtime.size == symbol_size)
		return NULL;
	if (layout->source == LAYOUT_SOURCE_TABLES)
		return pc_error_create(PC_ERR_UNSUPPORTED,
				       "the built-in layout for Python %u.%u was made for another "
				       "build: its _PyRuntimeState is %lld bytes, this build's "
				       "_PyRuntime %llu",
				       layout->version_hex >> 24, (layout->version_hex >> 16) & 0xff,
				       (long long)layout->runtime.size,
				       (unsigned long long)symbol_size);
	return pc_error_create(PC_ERR_CORRUPT,
			       "%s says _PyRuntimeState is %lld bytes, but the _PyRuntime "
			       "symbol is %llu: it was damaged, or is another build's",
			       layout_source_name(layout->source), (long long)layout->runtime.size,
			       (unsigned long long)symbol_size);
}
