/* The layout of a CPython build, read from the DWARF of its libpython (or
 * of the executable, for a static build).
 *
 * What to read is data: one rule per field of struct py_layout, naming the
 * struct (by any of its names: struct tag or typedef, since 2.7 and the
 * PEP 393 headers typedef anonymous structs) and the member paths to try.
 * A candidate a build does not have is simply not found; the version only
 * enters through layout_init(), which sets the shapes that decide which
 * rules apply (no PyFrameObject rules once frames are _PyInterpreterFrame,
 * no PEP 393 rules on 2.7).
 *
 * Speed: libpython has hundreds of CUs and this runs on every analysis, so
 * the search makes one pass over the units, looks only at their top-level
 * DIEs (and at the members of the structs it needs), and stops as soon as
 * no rule waits for a struct.  A rule may depend on another field (the
 * _PyCFrame rules on tstate.cframe): once that field is known to be
 * absent, the rule is dropped and its struct no longer awaited, so a
 * struct the build does not have rarely forces a scan to the end. */
#include "base/error.h"
#include "layout/layout.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* The structs pycore reads, each known by up to MAX_NAMES names. */
enum slot {
	SLOT_RUNTIME,
	SLOT_INTERP,
	SLOT_TSTATE,
	SLOT_CFRAME,
	SLOT_FRAME,
	SLOT_IFRAME,
	SLOT_CODE,
	SLOT_OBJECT,
	SLOT_TYPE,
	SLOT_VAR,
	SLOT_BYTES,
	SLOT_TUPLE,
	SLOT_ASCII,
	SLOT_COMPACT,
	SLOT_UNICODE,
	SLOT_GIL,
	SLOT_ERR_STACKITEM,
	SLOT_BASE_EXCEPTION,
	SLOT_INT,
	SLOT_LONG,
	SLOT_FLOAT,
	SLOT_LIST,
	SLOT_DICT,
	SLOT_DICTKEYS,
	SLOT_DICTENTRY,
	SLOT_DICTUENTRY,
	SLOT_DICTVALUES,
	SLOT_SET,
	SLOT_SETENTRY,
	SLOT_CELL,
	SLOT_HEAPTYPE,
	SLOT_MODULE,
	SLOT_WEAKREF,
	SLOT_GEN,
	SLOT_ASEND,
	SLOT_FUTUREOBJ,
	SLOT_TASKOBJ,
	SLOT_FUTUREITER,
	SLOT_TSTATE_IMPL,
	SLOT_COUNT,
};

#define MAX_NAMES 3
#define MAX_PATHS 3

/* Struct tags and typedef names; the first is used in messages when the
 * struct is not found at all. */
static const char *const slot_names[SLOT_COUNT][MAX_NAMES] = {
	[SLOT_RUNTIME] = {"pyruntimestate", "_PyRuntimeState"},
	[SLOT_INTERP] = {"_is", "PyInterpreterState"},
	[SLOT_TSTATE] = {"_ts", "PyThreadState"},
	[SLOT_CFRAME] = {"_PyCFrame"},
	[SLOT_FRAME] = {"_frame", "PyFrameObject"},
	[SLOT_IFRAME] = {"_PyInterpreterFrame"},
	[SLOT_CODE] = {"PyCodeObject"},
	[SLOT_OBJECT] = {"_object", "PyObject"},
	[SLOT_TYPE] = {"_typeobject", "PyTypeObject"},
	[SLOT_VAR] = {"PyVarObject"},
	[SLOT_BYTES] = {"PyBytesObject", "PyStringObject"},
	[SLOT_TUPLE] = {"PyTupleObject"},
	[SLOT_ASCII] = {"PyASCIIObject"},
	[SLOT_COMPACT] = {"PyCompactUnicodeObject"},
	[SLOT_UNICODE] = {"PyUnicodeObject"},
	[SLOT_GIL] = {"_gil_runtime_state"},
	[SLOT_ERR_STACKITEM] = {"_err_stackitem", "_PyErr_StackItem"},
	[SLOT_BASE_EXCEPTION] = {"PyBaseExceptionObject"},
	[SLOT_INT] = {"PyIntObject"},
	[SLOT_LONG] = {"_longobject", "PyLongObject"},
	[SLOT_FLOAT] = {"PyFloatObject"},
	[SLOT_LIST] = {"PyListObject"},
	[SLOT_DICT] = {"_dictobject", "PyDictObject"},
	[SLOT_DICTKEYS] = {"_dictkeysobject", "PyDictKeysObject"},
	[SLOT_DICTENTRY] = {"PyDictKeyEntry", "PyDictEntry"},
	[SLOT_DICTUENTRY] = {"PyDictUnicodeEntry"},
	[SLOT_DICTVALUES] = {"_dictvalues", "PyDictValues"},
	[SLOT_SET] = {"_setobject", "PySetObject"},
	[SLOT_SETENTRY] = {"setentry"},
	[SLOT_CELL] = {"PyCellObject"},
	[SLOT_HEAPTYPE] = {"_heaptypeobject", "PyHeapTypeObject"},
	[SLOT_MODULE] = {"PyModuleObject"},
	[SLOT_WEAKREF] = {"_PyWeakReference", "PyWeakReference"},
	[SLOT_GEN] = {"PyGenObject"},
	[SLOT_ASEND] = {"PyAsyncGenASend"},
	[SLOT_FUTUREOBJ] = {"FutureObj"},
	[SLOT_TASKOBJ] = {"TaskObj"},
	[SLOT_FUTUREITER] = {"futureiterobject"},
	[SLOT_TSTATE_IMPL] = {"_PyThreadStateImpl"},
};

/* When a rule applies, from the shapes layout_init() set. */
enum scope {
	SCOPE_ALL,
	SCOPE_RUNTIME,		/* has_runtime (3.7+) */
	SCOPE_FRAME_OBJECT,	/* frames are PyFrameObject (<= 3.10) */
	SCOPE_FRAME_INTERP,	/* frames are _PyInterpreterFrame (3.11+) */
	SCOPE_LNOTAB,		/* co_lnotab (<= 3.9) */
	SCOPE_LINETABLE,	/* co_linetable (3.10+) */
	SCOPE_PEP393,		/* 3.x strings */
	SCOPE_PY2,		/* 2.7 strings, and PyIntObject */
	SCOPE_DICT_KEYS,	/* dicts have a PyDictKeysObject (3.6+) */
	SCOPE_DICT_LOG2,	/* ... with dk_log2_size and PyDictValues (3.11+) */
	SCOPE_ASYNCIO,		/* the _asyncio extension's structs: its own pass */
	SCOPE_TASK_LISTS,	/* task_lists (3.14+) */
};

enum rule_kind {
	KIND_OFFSET,		/* offset of the member at the end of a path */
	KIND_POINTER,		/* same, and the member must be a pointer */
	KIND_SIZE,		/* sizeof the struct */
	KIND_POINTEE_SIZE,	/* sizeof what the member points to */
	KIND_ELEMENT_SIZE,	/* sizeof an element of the member, an array */
};

/* Offsets of int64_t members of struct py_layout; 0 (version_hex) is
 * never one of them, so it means "none". */
#define FIELD(member) offsetof(struct py_layout, member)
#define NO_FIELD 0

struct rule {
	size_t field;			/* FIELD() of the value to fill */
	enum slot slot;
	enum rule_kind kind;
	enum scope scope;
	bool required;			/* no stack can be read without it */
	const char *paths[MAX_PATHS];	/* member paths, "a.b" descends */
	size_t depends;			/* looked up only if this field is present */
	size_t alternative;		/* not required if this field is present */
};

#define MEMBER(fld, slt, ...) .field = FIELD(fld), .slot = (slt), .paths = {__VA_ARGS__}
#define SIZE(fld, slt) .field = FIELD(fld), .slot = (slt), .kind = KIND_SIZE

static const struct rule rules[] = {
	{SIZE(runtime.size, SLOT_RUNTIME), .scope = SCOPE_RUNTIME},
	{MEMBER(runtime.interpreters_head, SLOT_RUNTIME, "interpreters.head"),
	 .scope = SCOPE_RUNTIME, .required = true},
	{MEMBER(runtime.gilstate_tstate_current, SLOT_RUNTIME, "gilstate.tstate_current"),
	 .scope = SCOPE_RUNTIME},
	{MEMBER(runtime.gc_collecting, SLOT_RUNTIME, "gc.collecting"), .scope = SCOPE_RUNTIME},

	{SIZE(interp.size, SLOT_INTERP)},
	{MEMBER(interp.next, SLOT_INTERP, "next"), .required = true},
	{MEMBER(interp.tstate_head, SLOT_INTERP, "tstate_head", "threads.head"), .required = true},
	{MEMBER(interp.gc_collecting, SLOT_INTERP, "gc.collecting")},
	{MEMBER(interp.ceval_gil, SLOT_INTERP, "ceval.gil"), .kind = KIND_POINTER},
	{MEMBER(interp.modules, SLOT_INTERP, "modules", "imports.modules")},

	{MEMBER(gil.locked, SLOT_GIL, "locked"), .depends = FIELD(interp.ceval_gil)},
	{MEMBER(gil.last_holder, SLOT_GIL, "last_holder"), .depends = FIELD(interp.ceval_gil)},

	{SIZE(tstate.size, SLOT_TSTATE)},
	{MEMBER(tstate.next, SLOT_TSTATE, "next"), .required = true},
	{MEMBER(tstate.interp, SLOT_TSTATE, "interp"), .required = true},
	{MEMBER(tstate.thread_id, SLOT_TSTATE, "thread_id"), .required = true},
	{MEMBER(tstate.native_thread_id, SLOT_TSTATE, "native_thread_id")},
	{MEMBER(tstate.frame, SLOT_TSTATE, "frame"), .scope = SCOPE_FRAME_OBJECT,
	 .required = true},
	{MEMBER(tstate.cframe, SLOT_TSTATE, "cframe"), .scope = SCOPE_FRAME_INTERP,
	 .kind = KIND_POINTER, .required = true, .alternative = FIELD(tstate.current_frame)},
	{MEMBER(tstate.current_frame, SLOT_TSTATE, "current_frame"), .scope = SCOPE_FRAME_INTERP,
	 .required = true, .alternative = FIELD(tstate.cframe)},

	{MEMBER(cframe.current_frame, SLOT_CFRAME, "current_frame"), .scope = SCOPE_FRAME_INTERP,
	 .required = true, .depends = FIELD(tstate.cframe)},

	{SIZE(frame.size, SLOT_FRAME), .scope = SCOPE_FRAME_OBJECT},
	{MEMBER(frame.f_back, SLOT_FRAME, "f_back"), .scope = SCOPE_FRAME_OBJECT,
	 .required = true},
	{MEMBER(frame.f_code, SLOT_FRAME, "f_code"), .scope = SCOPE_FRAME_OBJECT,
	 .required = true},
	{MEMBER(frame.f_lasti, SLOT_FRAME, "f_lasti"), .scope = SCOPE_FRAME_OBJECT,
	 .required = true},
	{MEMBER(frame.f_lineno, SLOT_FRAME, "f_lineno"), .scope = SCOPE_FRAME_OBJECT},
	{MEMBER(frame.f_localsplus, SLOT_FRAME, "f_localsplus"), .scope = SCOPE_FRAME_OBJECT},
	{MEMBER(frame.f_stacktop, SLOT_FRAME, "f_stacktop"), .scope = SCOPE_FRAME_OBJECT},
	{MEMBER(frame.f_valuestack, SLOT_FRAME, "f_valuestack"), .scope = SCOPE_FRAME_OBJECT},
	{MEMBER(frame.f_stackdepth, SLOT_FRAME, "f_stackdepth"), .scope = SCOPE_FRAME_OBJECT},

	{SIZE(iframe.size, SLOT_IFRAME), .scope = SCOPE_FRAME_INTERP},
	{MEMBER(iframe.previous, SLOT_IFRAME, "previous"), .scope = SCOPE_FRAME_INTERP,
	 .required = true},
	{MEMBER(iframe.code, SLOT_IFRAME, "f_code", "f_executable"), .scope = SCOPE_FRAME_INTERP,
	 .required = true},
	{MEMBER(iframe.instr, SLOT_IFRAME, "prev_instr", "instr_ptr"),
	 .scope = SCOPE_FRAME_INTERP, .required = true},
	{MEMBER(iframe.is_entry, SLOT_IFRAME, "is_entry"), .scope = SCOPE_FRAME_INTERP},
	{MEMBER(iframe.owner, SLOT_IFRAME, "owner"), .scope = SCOPE_FRAME_INTERP},
	{MEMBER(iframe.localsplus, SLOT_IFRAME, "localsplus"), .scope = SCOPE_FRAME_INTERP},
	{MEMBER(iframe.stacktop, SLOT_IFRAME, "stacktop"), .scope = SCOPE_FRAME_INTERP},
	{MEMBER(iframe.stackpointer, SLOT_IFRAME, "stackpointer"), .scope = SCOPE_FRAME_INTERP},

	/* Coroutines, for the tasks of asyncio. */
	{MEMBER(gen.gi_frame, SLOT_GEN, "gi_frame"), .scope = SCOPE_FRAME_OBJECT},
	{MEMBER(gen.gi_iframe, SLOT_GEN, "gi_iframe"), .scope = SCOPE_FRAME_INTERP},
	{MEMBER(gen.gi_frame_state, SLOT_GEN, "gi_frame_state"), .scope = SCOPE_FRAME_INTERP},
	{MEMBER(asend.ags_gen, SLOT_ASEND, "ags_gen"), .scope = SCOPE_PEP393},
	{MEMBER(future.state, SLOT_FUTUREOBJ, "fut_state"), .scope = SCOPE_ASYNCIO},
	{MEMBER(future.loop, SLOT_FUTUREOBJ, "fut_loop"), .scope = SCOPE_ASYNCIO},
	{MEMBER(task.coro, SLOT_TASKOBJ, "task_coro"), .scope = SCOPE_ASYNCIO},
	{MEMBER(task.fut_waiter, SLOT_TASKOBJ, "task_fut_waiter"), .scope = SCOPE_ASYNCIO},
	{MEMBER(task.name, SLOT_TASKOBJ, "task_name"), .scope = SCOPE_ASYNCIO},
	{MEMBER(futureiter.future, SLOT_FUTUREITER, "future"), .scope = SCOPE_ASYNCIO},
	{MEMBER(task.node, SLOT_TASKOBJ, "task_node"), .scope = SCOPE_ASYNCIO},
	{MEMBER(tstate.asyncio_tasks_head, SLOT_TSTATE_IMPL, "asyncio_tasks_head"),
	 .scope = SCOPE_TASK_LISTS},
	{MEMBER(tstate.asyncio_running_task, SLOT_TSTATE_IMPL, "asyncio_running_task"),
	 .scope = SCOPE_TASK_LISTS},
	{MEMBER(interp.asyncio_tasks_head, SLOT_INTERP, "asyncio_tasks_head"),
	 .scope = SCOPE_TASK_LISTS},

	{SIZE(code.size, SLOT_CODE)},
	{MEMBER(code.co_filename, SLOT_CODE, "co_filename"), .required = true},
	{MEMBER(code.co_name, SLOT_CODE, "co_name"), .required = true},
	{MEMBER(code.co_qualname, SLOT_CODE, "co_qualname")},
	{MEMBER(code.co_firstlineno, SLOT_CODE, "co_firstlineno"), .required = true},
	{MEMBER(code.co_lnotab, SLOT_CODE, "co_lnotab"), .scope = SCOPE_LNOTAB, .required = true},
	{MEMBER(code.co_linetable, SLOT_CODE, "co_linetable"), .scope = SCOPE_LINETABLE,
	 .required = true},
	{MEMBER(code.co_code_adaptive, SLOT_CODE, "co_code_adaptive"),
	 .scope = SCOPE_FRAME_INTERP, .required = true},
	{MEMBER(code.co_varnames, SLOT_CODE, "co_varnames")},
	{MEMBER(code.co_localsplusnames, SLOT_CODE, "co_localsplusnames")},
	{MEMBER(code.co_localspluskinds, SLOT_CODE, "co_localspluskinds")},
	{MEMBER(code.co_nlocals, SLOT_CODE, "co_nlocals")},
	{MEMBER(code.co_argcount, SLOT_CODE, "co_argcount")},
	{MEMBER(code.co_cellvars, SLOT_CODE, "co_cellvars")},
	{MEMBER(code.co_freevars, SLOT_CODE, "co_freevars")},
	{MEMBER(code.co_code, SLOT_CODE, "co_code"), .scope = SCOPE_FRAME_OBJECT},

	{MEMBER(object.ob_type, SLOT_OBJECT, "ob_type"), .required = true},
	{MEMBER(type.tp_name, SLOT_TYPE, "tp_name")},
	{MEMBER(type.tp_flags, SLOT_TYPE, "tp_flags")},
	{MEMBER(type.tp_basicsize, SLOT_TYPE, "tp_basicsize")},
	{MEMBER(type.tp_dictoffset, SLOT_TYPE, "tp_dictoffset")},
	{MEMBER(type.tp_base, SLOT_TYPE, "tp_base")},
	{MEMBER(heaptype.ht_cached_keys, SLOT_HEAPTYPE, "ht_cached_keys"),
	 .scope = SCOPE_DICT_KEYS},
	{MEMBER(module.md_dict, SLOT_MODULE, "md_dict")},
	{MEMBER(weakref.wr_object, SLOT_WEAKREF, "wr_object")},
	{MEMBER(var.ob_size, SLOT_VAR, "ob_size")},

	/* 2.7 spells PyObject_VAR_HEAD out; 3.x embeds a PyVarObject. */
	{MEMBER(bytes.ob_size, SLOT_BYTES, "ob_size", "ob_base.ob_size"), .required = true},
	{MEMBER(bytes.ob_sval, SLOT_BYTES, "ob_sval"), .required = true},
	{MEMBER(tuple.ob_size, SLOT_TUPLE, "ob_size", "ob_base.ob_size")},
	{MEMBER(tuple.ob_item, SLOT_TUPLE, "ob_item")},

	{MEMBER(unicode.length, SLOT_ASCII, "length"), .scope = SCOPE_PEP393, .required = true},
	{MEMBER(unicode.state, SLOT_ASCII, "state"), .scope = SCOPE_PEP393, .required = true},
	{SIZE(unicode.ascii_size, SLOT_ASCII), .scope = SCOPE_PEP393, .required = true},
	{SIZE(unicode.compact_size, SLOT_COMPACT), .scope = SCOPE_PEP393, .required = true},
	{MEMBER(unicode.data_any, SLOT_UNICODE, "data.any"), .scope = SCOPE_PEP393,
	 .required = true},
	{MEMBER(unicode.length, SLOT_UNICODE, "length"), .scope = SCOPE_PY2, .required = true},
	{MEMBER(unicode.py2_str, SLOT_UNICODE, "str"), .scope = SCOPE_PY2, .required = true},
	{MEMBER(unicode.py2_unit, SLOT_UNICODE, "str"), .kind = KIND_POINTEE_SIZE,
	 .scope = SCOPE_PY2, .required = true},

	{MEMBER(exc.tstate_exc_info, SLOT_TSTATE, "exc_info")},
	{MEMBER(exc.tstate_exc_type, SLOT_TSTATE, "exc_type")},
	{MEMBER(exc.tstate_exc_value, SLOT_TSTATE, "exc_value")},
	{MEMBER(exc.item_exc_type, SLOT_ERR_STACKITEM, "exc_type"),
	 .depends = FIELD(exc.tstate_exc_info)},
	{MEMBER(exc.item_exc_value, SLOT_ERR_STACKITEM, "exc_value"),
	 .depends = FIELD(exc.tstate_exc_info)},
	{MEMBER(exc.item_previous, SLOT_ERR_STACKITEM, "previous_item"),
	 .depends = FIELD(exc.tstate_exc_info)},
	{MEMBER(exc.args, SLOT_BASE_EXCEPTION, "args")},

	/* What --locals reads.  None of it is required: without it the
	 * values print as unreadable, the stacks are whole. */
	{MEMBER(pyint.ob_ival, SLOT_INT, "ob_ival"), .scope = SCOPE_PY2},
	{MEMBER(pylong.ob_size, SLOT_LONG, "ob_size", "ob_base.ob_size")},
	{MEMBER(pylong.lv_tag, SLOT_LONG, "long_value.lv_tag")},
	{MEMBER(pylong.ob_digit, SLOT_LONG, "ob_digit", "long_value.ob_digit")},
	{MEMBER(pylong.digit_size, SLOT_LONG, "ob_digit", "long_value.ob_digit"),
	 .kind = KIND_ELEMENT_SIZE},
	{MEMBER(pyfloat.ob_fval, SLOT_FLOAT, "ob_fval")},
	{MEMBER(list.ob_item, SLOT_LIST, "ob_item")},
	{MEMBER(dict.ma_used, SLOT_DICT, "ma_used")},
	{MEMBER(dict.ma_keys, SLOT_DICT, "ma_keys")},
	{MEMBER(dict.ma_values, SLOT_DICT, "ma_values")},
	{MEMBER(dict.ma_mask, SLOT_DICT, "ma_mask")},
	{MEMBER(dict.ma_table, SLOT_DICT, "ma_table")},
	{MEMBER(dictkeys.dk_size, SLOT_DICTKEYS, "dk_size"), .scope = SCOPE_DICT_KEYS},
	{MEMBER(dictkeys.dk_log2_size, SLOT_DICTKEYS, "dk_log2_size"),
	 .scope = SCOPE_DICT_LOG2},
	{MEMBER(dictkeys.dk_log2_index_bytes, SLOT_DICTKEYS, "dk_log2_index_bytes"),
	 .scope = SCOPE_DICT_LOG2},
	{MEMBER(dictkeys.dk_kind, SLOT_DICTKEYS, "dk_kind"), .scope = SCOPE_DICT_LOG2},
	{MEMBER(dictkeys.dk_nentries, SLOT_DICTKEYS, "dk_nentries"), .scope = SCOPE_DICT_KEYS},
	{MEMBER(dictkeys.dk_indices, SLOT_DICTKEYS, "dk_indices"), .scope = SCOPE_DICT_KEYS},
	{SIZE(dictentry.size, SLOT_DICTENTRY)},
	{MEMBER(dictentry.me_key, SLOT_DICTENTRY, "me_key")},
	{MEMBER(dictentry.me_value, SLOT_DICTENTRY, "me_value")},
	{SIZE(dictuentry.size, SLOT_DICTUENTRY), .scope = SCOPE_DICT_LOG2},
	{MEMBER(dictuentry.me_key, SLOT_DICTUENTRY, "me_key"), .scope = SCOPE_DICT_LOG2},
	{MEMBER(dictuentry.me_value, SLOT_DICTUENTRY, "me_value"), .scope = SCOPE_DICT_LOG2},
	{MEMBER(dictvalues.values, SLOT_DICTVALUES, "values"), .scope = SCOPE_DICT_LOG2},
	{MEMBER(dictvalues.capacity, SLOT_DICTVALUES, "capacity"), .scope = SCOPE_DICT_LOG2},
	{MEMBER(dictvalues.used, SLOT_DICTVALUES, "size"), .scope = SCOPE_DICT_LOG2},
	{MEMBER(set.used, SLOT_SET, "used")},
	{MEMBER(set.mask, SLOT_SET, "mask")},
	{MEMBER(set.table, SLOT_SET, "table")},
	{SIZE(setentry.size, SLOT_SETENTRY)},
	{MEMBER(setentry.key, SLOT_SETENTRY, "key")},
	{MEMBER(cell.ob_ref, SLOT_CELL, "ob_ref")},
};

#define N_RULES (sizeof(rules) / sizeof(rules[0]))

enum rule_state {
	RULE_OFF,		/* out of scope for this build */
	RULE_WAITING,		/* for its struct, or for the field it depends on */
	RULE_DONE,		/* looked up (found or not), or dropped */
};

struct search {
	struct py_layout *layout;
	enum rule_state state[N_RULES];
	bool found[SLOT_COUNT];
	Dwarf_Die die[SLOT_COUNT];		/* the definition, when found */
	const char *name[SLOT_COUNT];		/* the name it was found by */
	bool tagged[SLOT_COUNT];		/* found as a struct tag */
	unsigned waiting;			/* rules in RULE_WAITING */
};

static int64_t *field_ptr(struct py_layout *layout, size_t field)
{
	return (int64_t *)((char *)layout + field);
}

static bool field_present(struct py_layout *layout, size_t field)
{
	return *field_ptr(layout, field) != LAYOUT_ABSENT;
}

static bool in_scope(const struct py_layout *layout, enum scope scope)
{
	switch (scope) {
	case SCOPE_ALL:
		return true;
	case SCOPE_RUNTIME:
		return layout->has_runtime;
	case SCOPE_FRAME_OBJECT:
		return layout->frame_shape == FRAME_SHAPE_OBJECT;
	case SCOPE_FRAME_INTERP:
		return layout->frame_shape == FRAME_SHAPE_INTERPRETER;
	case SCOPE_LNOTAB:
		return layout->line_table == LINE_TABLE_LNOTAB_UNSIGNED ||
		       layout->line_table == LINE_TABLE_LNOTAB_SIGNED;
	case SCOPE_LINETABLE:
		return layout->line_table == LINE_TABLE_LINETABLE_310 ||
		       layout->line_table == LINE_TABLE_LOCATIONS;
	case SCOPE_PEP393:
		return layout->unicode_shape == UNICODE_SHAPE_PEP393;
	case SCOPE_PY2:
		return layout->unicode_shape == UNICODE_SHAPE_PY2;
	case SCOPE_DICT_KEYS:
		return layout->dict_shape != DICT_SHAPE_TABLE;
	case SCOPE_DICT_LOG2:
		return layout->dict_shape == DICT_SHAPE_KEYS_LOG2 ||
		       layout->dict_shape == DICT_SHAPE_KEYS_LOG2_VALUES;
	case SCOPE_ASYNCIO:
		return false;
	case SCOPE_TASK_LISTS:
		return layout->task_lists;
	}
	return false;
}

/* The byte offset of MEMBER in its struct or union, or -1 for a bit-field
 * or a location libdw cannot express as a constant. */
static int64_t member_location(Dwarf_Die *member)
{
	Dwarf_Attribute attr;
	Dwarf_Word value;
	Dwarf_Op *ops;
	size_t n_ops;

	if (dwarf_hasattr(member, DW_AT_bit_size))
		return -1;
	/* Union members, and (DWARF 4+) members at offset 0, may have none. */
	if (!dwarf_attr(member, DW_AT_data_member_location, &attr))
		return dwarf_hasattr(member, DW_AT_data_bit_offset) ? -1 : 0;
	if (dwarf_formudata(&attr, &value) == 0)
		return (int64_t)value;
	/* DWARF 2 style: a location expression DW_OP_plus_uconst N. */
	if (dwarf_getlocation(&attr, &ops, &n_ops) == 0 && n_ops == 1 &&
	    ops[0].atom == DW_OP_plus_uconst)
		return (int64_t)ops[0].number;
	return -1;
}

/* The type of DIE with typedefs and qualifiers peeled off. */
static bool member_type(Dwarf_Die *die, Dwarf_Die *ret)
{
	Dwarf_Attribute attr;
	Dwarf_Die type;

	if (!dwarf_attr_integrate(die, DW_AT_type, &attr) || !dwarf_formref_die(&attr, &type))
		return false;
	return dwarf_peel_type(&type, ret) == 0;
}

static bool is_aggregate(Dwarf_Die *type)
{
	int tag = dwarf_tag(type);

	return (tag == DW_TAG_structure_type || tag == DW_TAG_union_type) &&
	       !dwarf_hasattr(type, DW_AT_declaration);
}

/* Find the member NAME (LEN bytes) of the struct or union AGGREGATE,
 * looking into anonymous struct and union members as C does.  Sets *RET to
 * the member and *OFFSET to its offset from the start of AGGREGATE. */
static bool find_member(Dwarf_Die *aggregate, const char *name, size_t len, Dwarf_Die *ret,
			int64_t *offset)
{
	Dwarf_Die child;

	if (dwarf_child(aggregate, &child) != 0)
		return false;
	do {
		const char *child_name;
		Dwarf_Die type;
		int64_t location;

		if (dwarf_tag(&child) != DW_TAG_member)
			continue;
		child_name = dwarf_diename(&child);
		if (child_name && (strlen(child_name) != len || memcmp(child_name, name, len)))
			continue;
		location = member_location(&child);
		if (location < 0)
			continue;
		if (child_name) {
			*ret = child;
			*offset = location;
			return true;
		}
		/* An anonymous struct or union: its members are ours. */
		if (member_type(&child, &type) && is_aggregate(&type) &&
		    find_member(&type, name, len, ret, offset)) {
			*offset += location;
			return true;
		}
	} while (dwarf_siblingof(&child, &child) == 0);
	return false;
}

/* Follow the dotted PATH from the struct STRUCT_DIE.  Sets *MEMBER to the
 * last member and returns its offset, or -1 when a step is missing. */
static int64_t path_offset(Dwarf_Die *struct_die, const char *path, Dwarf_Die *member)
{
	Dwarf_Die aggregate = *struct_die;
	int64_t total = 0;

	for (;;) {
		const char *dot = strchr(path, '.');
		size_t len = dot ? (size_t)(dot - path) : strlen(path);
		int64_t offset;

		if (!find_member(&aggregate, path, len, member, &offset))
			return -1;
		total += offset;
		if (!dot)
			return total;
		if (!member_type(member, &aggregate) || !is_aggregate(&aggregate))
			return -1;
		path = dot + 1;
	}
}

/* The value RULE asks for in the struct STRUCT_DIE, or LAYOUT_ABSENT. */
static int64_t rule_value(const struct rule *rule, Dwarf_Die *struct_die)
{
	Dwarf_Word size;

	if (rule->kind == KIND_SIZE)
		return dwarf_aggregate_size(struct_die, &size) == 0 ? (int64_t)size
								    : LAYOUT_ABSENT;
	for (size_t i = 0; i < MAX_PATHS && rule->paths[i]; i++) {
		Dwarf_Die member, type, pointee;
		int64_t offset = path_offset(struct_die, rule->paths[i], &member);

		if (offset < 0)
			continue;
		if (rule->kind == KIND_OFFSET)
			return offset;
		if (!member_type(&member, &type) ||
		    dwarf_tag(&type) != (rule->kind == KIND_ELEMENT_SIZE ? DW_TAG_array_type
									 : DW_TAG_pointer_type))
			continue;
		if (rule->kind == KIND_POINTER)
			return offset;
		/* KIND_POINTEE_SIZE, KIND_ELEMENT_SIZE: the type the pointer or
		 * array is of. */
		if (member_type(&type, &pointee) && dwarf_aggregate_size(&pointee, &size) == 0)
			return (int64_t)size;
	}
	return LAYOUT_ABSENT;
}

/* Settle every waiting rule that can be settled: those whose struct is
 * found and whose dependency is present are looked up, those whose
 * dependency is known to be absent are dropped.  Settling one may free
 * another, hence the loop.  With END set (no more structs will come), the
 * rules still waiting for a struct are settled as not found. */
static void settle(struct search *search, bool end)
{
	bool progress = true;

	while (progress && search->waiting) {
		progress = false;
		for (size_t i = 0; i < N_RULES; i++) {
			const struct rule *rule = &rules[i];
			bool dependency_known = true;

			if (search->state[i] != RULE_WAITING)
				continue;
			if (rule->depends) {
				/* Known once no in-scope rule for it waits. */
				for (size_t j = 0; j < N_RULES; j++)
					if (rules[j].field == rule->depends &&
					    search->state[j] == RULE_WAITING)
						dependency_known = false;
				if (!dependency_known)
					continue;
			}
			if (rule->depends && !field_present(search->layout, rule->depends)) {
				/* Dropped: the field it hangs on is absent. */
			} else if (search->found[rule->slot]) {
				*field_ptr(search->layout, rule->field) =
					rule_value(rule, &search->die[rule->slot]);
			} else if (!end) {
				continue;
			}
			search->state[i] = RULE_DONE;
			search->waiting--;
			progress = true;
		}
	}
}

static bool slot_awaited(const struct search *search, enum slot slot)
{
	if (search->found[slot])
		return false;
	for (size_t i = 0; i < N_RULES; i++)
		if (search->state[i] == RULE_WAITING && rules[i].slot == slot)
			return true;
	return false;
}

/* Which awaited slot, if any, is named NAME. */
static int match_slot(const struct search *search, const char *name)
{
	for (int slot = 0; slot < SLOT_COUNT; slot++)
		for (int i = 0; i < MAX_NAMES && slot_names[slot][i]; i++)
			if (strcmp(slot_names[slot][i], name) == 0)
				return slot_awaited(search, (enum slot)slot) ? slot : -1;
	return -1;
}

/* A top-level DIE of some unit: if it defines an awaited struct (directly,
 * or as a typedef of its definition), record it and settle its rules. */
static void consider_die(struct search *search, Dwarf_Die *die)
{
	int tag = dwarf_tag(die);
	const char *name;
	Dwarf_Die definition;
	int slot;

	if (tag != DW_TAG_structure_type && tag != DW_TAG_typedef)
		return;
	name = dwarf_diename(die);
	if (!name || (slot = match_slot(search, name)) < 0)
		return;
	if (tag == DW_TAG_typedef) {
		if (!member_type(die, &definition))
			return;
	} else {
		definition = *die;
	}
	/* A declaration (`struct _is;`) waits for a unit that defines it. */
	if (dwarf_tag(&definition) != DW_TAG_structure_type ||
	    dwarf_hasattr(&definition, DW_AT_declaration))
		return;
	search->found[slot] = true;
	search->die[slot] = definition;
	search->tagged[slot] = dwarf_diename(&definition) != NULL;
	search->name[slot] = search->tagged[slot] ? dwarf_diename(&definition) : name;
	settle(search, false);
}

/* Walk the top-level DIEs of every unit of DWARF until no rule waits. */
static struct pc_error *scan_units(struct search *search, Dwarf *dwarf, const char *module_name)
{
	Dwarf_CU *cu = NULL;
	int rc;

	while (search->waiting) {
		Dwarf_Die cudie, child;
		uint8_t unit_type;
		Dwarf_Half version;

		rc = dwarf_get_units(dwarf, cu, &cu, &version, &unit_type, &cudie, NULL);
		if (rc > 0)
			break;
		if (rc < 0)
			return pc_error_create(PC_ERR_LIBRARY, "DWARF of %s: dwarf_get_units: %s",
					       module_name, dwarf_errmsg(-1));
		if (dwarf_child(&cudie, &child) != 0)
			continue;
		do
			consider_die(search, &child);
		while (search->waiting && dwarf_siblingof(&child, &child) == 0);
	}
	return NULL;
}

/* "struct _ts", or "PyCodeObject" for a typedef of an anonymous struct. */
static void slot_display(const struct search *search, enum slot slot, char *buf, size_t size)
{
	if (search->found[slot] && !search->tagged[slot])
		snprintf(buf, size, "%s", search->name[slot]);
	else
		snprintf(buf, size, "struct %s",
			 search->found[slot] ? search->name[slot] : slot_names[slot][0]);
}

/* The first required field left absent, as an error. */
static struct pc_error *check_required(const struct search *search, const char *module_name)
{
	struct py_layout *layout = search->layout;

	for (size_t i = 0; i < N_RULES; i++) {
		const struct rule *rule = &rules[i];
		char what[128], members[160];
		size_t used = 0;

		if (search->state[i] == RULE_OFF || !rule->required ||
		    field_present(layout, rule->field))
			continue;
		if (rule->depends && !field_present(layout, rule->depends))
			continue;
		if (rule->alternative && field_present(layout, rule->alternative))
			continue;
		slot_display(search, rule->slot, what, sizeof(what));
		if (!search->found[rule->slot]) {
			char others[96] = "";

			for (int n = 1; n < MAX_NAMES && slot_names[rule->slot][n]; n++) {
				size_t len = strlen(others);

				snprintf(others + len, sizeof(others) - len, " or %s",
					 slot_names[rule->slot][n]);
			}
			return pc_error_create(PC_ERR_NOT_FOUND, "DWARF of %s: no definition of %s%s",
					       module_name, what, others);
		}
		if (rule->kind == KIND_SIZE)
			return pc_error_create(PC_ERR_NOT_FOUND, "DWARF of %s: %s has no size",
					       module_name, what);
		members[0] = '\0';
		for (size_t p = 0; p < MAX_PATHS && rule->paths[p]; p++)
			used += (size_t)snprintf(members + used, sizeof(members) - used,
						 "%s'%s'", p ? " or " : "", rule->paths[p]);
		return pc_error_create(PC_ERR_NOT_FOUND, "DWARF of %s: %s has no %smember %s",
				       module_name, what,
				       rule->kind == KIND_POINTER ? "pointer " :
				       rule->kind == KIND_POINTEE_SIZE ? "sized pointer " : "",
				       members);
	}
	return NULL;
}

static const char *module_basename(Dwfl_Module *module)
{
	const char *name = dwfl_module_info(module, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
	const char *slash;

	if (!name)
		return "?";
	slash = strrchr(name, '/');
	return slash && slash[1] ? slash + 1 : name;
}

/* Run the rules whose scope is SCOPE (and only those) over the DWARF of
 * MODULE, into SEARCH's layout. */
static struct pc_error *search_module(struct search *search, Dwfl_Module *module,
				      enum scope scope, bool main_pass)
{
	const char *module_name = module_basename(module);
	struct pc_error *err;
	Dwarf_Addr bias;
	Dwarf *dwarf, *alt;

	dwarf = dwfl_module_getdwarf(module, &bias);
	if (!dwarf)
		return pc_error_create(PC_ERR_NOT_FOUND, "no DWARF for %s: %s", module_name,
				       dwfl_errmsg(-1));
	for (size_t i = 0; i < N_RULES; i++) {
		bool wanted = main_pass ? in_scope(search->layout, rules[i].scope)
					: rules[i].scope == scope;

		search->state[i] = wanted ? RULE_WAITING : RULE_OFF;
		if (wanted)
			search->waiting++;
	}
	/* Rules that depend on an out-of-scope field are settled at once. */
	settle(search, false);

	err = scan_units(search, dwarf, module_name);
	/* Types moved to a supplementary file by dwz live in its own units. */
	alt = dwarf_getalt(dwarf);
	if (!err && alt && search->waiting)
		err = scan_units(search, alt, module_name);
	if (!err)
		settle(search, true);
	return err;
}

struct pc_error *layout_asyncio_from_dwarf(struct Dwfl_Module *module, struct py_layout *ret)
{
	struct search search = {.layout = ret};
	struct pc_error *err;

	for (size_t i = 0; i < N_RULES; i++)
		if (rules[i].scope == SCOPE_ASYNCIO)
			*field_ptr(ret, rules[i].field) = LAYOUT_ABSENT;
	err = search_module(&search, module, SCOPE_ASYNCIO, false);
	if (!err && (ret->task.coro == LAYOUT_ABSENT || ret->future.state == LAYOUT_ABSENT))
		err = pc_error_create(PC_ERR_NOT_FOUND, "DWARF of %s: no TaskObj or FutureObj",
				      module_basename(module));
	if (err)
		for (size_t i = 0; i < N_RULES; i++)
			if (rules[i].scope == SCOPE_ASYNCIO)
				*field_ptr(ret, rules[i].field) = LAYOUT_ABSENT;
	return err;
}

struct pc_error *layout_from_dwarf(struct Dwfl_Module *module, unsigned version_hex,
				   struct py_layout *ret)
{
	struct search search = {.layout = ret};
	struct pc_error *err;

	layout_init(ret, version_hex);
	ret->source = LAYOUT_SOURCE_DWARF;
	err = search_module(&search, module, SCOPE_ALL, true);
	if (!err)
		err = check_required(&search, module_basename(module));
	if (err)
		layout_init(ret, version_hex);
	return err;
}
