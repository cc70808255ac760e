/* The layout of one CPython build: where each field pycore reads lives.
 *
 * Every walker reads interpreter memory through this record and never tests
 * the Python version.  Three sources fill it (layout_dwarf.c from DWARF,
 * layout_debug_offsets.c from 3.13's _Py_DebugOffsets, layout_tables.c from
 * tables generated against each version's headers); the few differences of
 * *shape* between versions are the enums below, set per version by
 * layout_shape_for_version().
 *
 * An offset of LAYOUT_ABSENT means "this build has no such field".  The
 * offsets are listed once, in layout/fields.def. */
#ifndef PYCORE_LAYOUT_LAYOUT_H
#define PYCORE_LAYOUT_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LAYOUT_ABSENT INT64_MIN

/* Python 3.11.7 final = 0x030b07f0, as PY_VERSION_HEX. */
#define PY_HEX(major, minor) (((unsigned)(major) << 24) | ((unsigned)(minor) << 16))

enum layout_source {
	LAYOUT_SOURCE_NONE,
	LAYOUT_SOURCE_DWARF,
	LAYOUT_SOURCE_DEBUG_OFFSETS,
	LAYOUT_SOURCE_TABLES,
};

/* How an instruction offset turns into a line number. */
enum line_table_format {
	LINE_TABLE_LNOTAB_UNSIGNED,	/* 2.7: co_lnotab, unsigned line deltas */
	LINE_TABLE_LNOTAB_SIGNED,	/* 3.6 - 3.9: co_lnotab, int8 line deltas */
	LINE_TABLE_LINETABLE_310,	/* 3.10: co_linetable (length, delta) */
	LINE_TABLE_LOCATIONS,		/* 3.11+: location table, with columns */
};

/* Which chain the frames of a thread form. */
enum frame_shape {
	FRAME_SHAPE_OBJECT,		/* 2.7 - 3.10: PyFrameObject, f_back */
	FRAME_SHAPE_INTERPRETER,	/* 3.11+: _PyInterpreterFrame, previous */
};

/* How text objects are stored. */
enum unicode_shape {
	UNICODE_SHAPE_PY2,		/* PyUnicodeObject { length, str (wchar buffer) } */
	UNICODE_SHAPE_PEP393,		/* 3.3+: PyASCIIObject / PyCompactUnicodeObject */
};

/* How dicts keep their items (read with --locals). */
enum dict_shape {
	DICT_SHAPE_TABLE,		/* 2.7: ma_table of PyDictEntry, in hash order */
	DICT_SHAPE_KEYS_SIZE,		/* 3.6 - 3.10: PyDictKeysObject with dk_size; a split
					 * table's values (ma_values) are in entry order */
	DICT_SHAPE_KEYS_LOG2,		/* 3.11, 3.12: dk_log2_size, dk_log2_index_bytes and
					 * dk_kind; the insertion order of a split table's
					 * values is in bytes just before them */
	DICT_SHAPE_KEYS_LOG2_VALUES,	/* 3.13+: as 3.11, but PyDictValues has a capacity
					 * and a size, and the order bytes follow the values */
};

/* How repr() spells things, where 2.7 and 3.x differ: 2.7's str is bytes
 * without a b prefix, its unicode is u'...' with every non-ASCII
 * character escaped, its long ends in L, and its sets are set([...]). */
enum repr_shape {
	REPR_SHAPE_PY2,
	REPR_SHAPE_PY3,
};

/* Where an instance of a Python class keeps its attributes (__dict__). */
enum instance_dict_shape {
	INSTANCE_DICT_OFFSET,		/* ≤3.10: a dict pointer at the type's tp_dictoffset */
	INSTANCE_DICT_MANAGED,		/* 3.11: with Py_TPFLAGS_MANAGED_DICT, the dict 3 words
					 * before the object, else its values 4 words before */
	INSTANCE_DICT_OR_VALUES,	/* 3.12: one word 3 words before the object: the
					 * values (low bit set: the values minus one) or the dict */
	INSTANCE_DICT_INLINE,		/* 3.13+: the dict 3 words before the object, else
					 * with Py_TPFLAGS_INLINE_VALUES the values right
					 * after it (at tp_basicsize) */
};

/* How to tell what a suspended coroutine or generator awaits (its
 * cr_await / gi_yieldfrom), as each version's _PyGen_yf() does. */
enum await_shape {
	AWAIT_SHAPE_YIELD_FROM,		/* ≤3.10: the next opcode is YIELD_FROM; the object
					 * is on top of the frame object's value stack */
	AWAIT_SHAPE_RESUME,		/* 3.11, 3.12: the next instruction is a RESUME whose
					 * argument is 2 or more; the top of the embedded
					 * frame's stack (stacktop) */
	AWAIT_SHAPE_FRAME_STATE,	/* 3.13+: gi_frame_state says "suspended in yield
					 * from"; the top of the stack (stacktop, 3.14+
					 * stackpointer) */
};

/* The index of GROUP.MEMBER in py_layout.offset[]. */
#define LAYOUT_FIELD(group, member) LAYOUT_FIELD_##group##_##member

enum layout_field {
#define LAYOUT_OFFSET(group, member, name, debug, rule) LAYOUT_FIELD(group, member),
#include "layout/fields.def"
	LAYOUT_FIELD_COUNT,
};

/* "No field", where a rule names a field it depends on. */
#define LAYOUT_NO_FIELD LAYOUT_FIELD_COUNT

struct py_layout {
	unsigned version_hex;			/* PY_VERSION_HEX of the build */
	enum layout_source source;
	enum line_table_format line_table;
	enum frame_shape frame_shape;
	enum unicode_shape unicode_shape;
	/* ≤3.10: f_lasti counts code units of this many bytes (1 before 3.10, 2 in 3.10). */
	int lasti_unit;
	/* 2.7/3.6: no _PyRuntime; the list of interpreters starts at the
	 * static `interp_head`. */
	bool has_runtime;
	/* _PyInterpreterFrame.owner of the shim frames 3.12+ puts below each
	 * C-level eval call, or -1 where there are none: FRAME_OWNED_BY_CSTACK
	 * (3.12, 3.13), FRAME_OWNED_BY_INTERPRETER (3.14+; 3.14 has a
	 * FRAME_OWNED_BY_CSTACK after it).  Owners from it up are not Python
	 * frames. */
	int iframe_owner_cstack;
	/* 3.14+ frames hold _PyStackRef, tagged pointers
	 * (Include/internal/pycore_stackref.h of the GIL build): the tag is the
	 * low stackref_tag_bits; a tag of stackref_int_tag is an int shifted
	 * left by 2, stackref_null is NULL.  All 0 where slots are PyObject *. */
	uint64_t stackref_tag_bits;
	uint64_t stackref_int_tag;
	uint64_t stackref_null;
	/* The C function that runs Python frames: one call per frame with
	 * PyFrameObject chains, one per entry frame with _PyInterpreterFrame. */
	const char *eval_function;

	enum dict_shape dict_shape;
	enum repr_shape repr_shape;
	/* 2.7: the entries a set deleted point at the str "<dummy key>"; 3.x
	 * uses an object of its own type, "<dummy key> type". */
	bool set_dummy_is_str;
	/* 3.12+: PyLongObject.long_value.lv_tag holds the digit count above
	 * this many bits, the sign below them (0 positive, 1 zero, 2
	 * negative); 0 where ob_size holds the signed digit count. */
	int long_tag_bits;
	/* 3.11+: the bits of co_localspluskinds (CO_FAST_LOCAL, CO_FAST_CELL,
	 * CO_FAST_FREE, and 3.12's CO_FAST_HIDDEN, 0 before: the variables of
	 * inlined comprehensions, not shown). */
	struct {
		uint8_t local, cell, free, hidden;
	} fast_kind;
	enum instance_dict_shape instance_dict_shape;
	/* tp_flags bits Py_TPFLAGS_MANAGED_DICT (3.11+) and
	 * Py_TPFLAGS_INLINE_VALUES (3.13+), 0 before. */
	uint64_t tpflags_managed_dict;
	uint64_t tpflags_inline_values;
	enum await_shape await_shape;
	/* AWAIT_SHAPE_YIELD_FROM: the opcode YIELD_FROM; AWAIT_SHAPE_RESUME:
	 * RESUME and its quickened or instrumented twin. */
	uint8_t opcode_yield_from;
	uint8_t opcode_resume[2];
	/* gi_frame_state values (3.11+, renumbered in 3.15): a generator
	 * suspended at a yield, in a yield from or await (3.13+; 3.15 has a
	 * second, "locked" value for it), and the first of the states that
	 * leave it no frame (FRAME_COMPLETED, 3.15 FRAME_CLEARED). */
	int8_t frame_state_suspended;
	int8_t frame_state_suspended_yield_from;
	int8_t frame_state_suspended_yield_from_locked;
	int8_t frame_state_finished;
	/* How deep in the suspended frame's stack the awaited object lies: the
	 * top (1), or (3.15+, where a NULL is pushed above it) the one below. */
	int await_stack_depth;
	/* 3.14+: each thread state links the _asyncio tasks it made into a
	 * list (and the interpreter those of threads that ended). */
	bool task_lists;

	/* Every offset (or size), as named members (layout->frame.f_back)
	 * and as one array indexed by LAYOUT_FIELD(frame, f_back), both made
	 * from layout/fields.def; LAYOUT_ABSENT where the build has none. */
	union {
		int64_t offset[LAYOUT_FIELD_COUNT];
		struct {
#define LAYOUT_GROUP(group) struct {
#define LAYOUT_GROUP_END(group) } group;
#define LAYOUT_OFFSET(group, member, name, debug, rule) int64_t member;
#include "layout/fields.def"
		};
	};
};

/* Set every offset to LAYOUT_ABSENT and the shape fields from VERSION_HEX. */
void layout_init(struct py_layout *layout, unsigned version_hex);

/* Set the shape enums, lasti_unit, has_runtime and iframe.owner_cstack,
 * which follow from the version alone. */
void layout_shape_for_version(struct py_layout *layout, unsigned version_hex);

/* FIELD as C spells it, for messages: "PyFrameObject.f_back". */
const char *layout_field_name(enum layout_field field);

const char *layout_source_name(enum layout_source source);

/* Whether LAYOUT describes the build whose _PyRuntime symbol is
 * SYMBOL_SIZE bytes (its st_size, 0 when not known): an error saying how
 * the sizes differ when its runtime.size is another, else NULL.  A table
 * made for other headers, or _Py_DebugOffsets damaged in the core, fails
 * here before anything is read with it. */
struct pc_error *layout_check_runtime_size(const struct py_layout *layout,
					   uint64_t symbol_size);

/* The three sources.  Each fills RET completely (starting from
 * layout_init()) or returns an error naming what it could not find. */

/* From the DWARF of MODULE, the ELF (executable or libpython) that defines
 * the interpreter's structs. */
struct Dwfl_Module;
struct pc_error *layout_from_dwarf(struct Dwfl_Module *module, unsigned version_hex,
				   struct py_layout *ret);

/* From a copy of the _Py_DebugOffsets that starts _PyRuntime (3.13+).
 * BYTES holds SIZE bytes read from the start of _PyRuntime of a core of
 * the ELF machine MACHINE. */
struct pc_error *layout_from_debug_offsets(const void *bytes, size_t size, unsigned machine,
					   struct py_layout *ret);

/* The future, task and futureiter fields of RET, from the DWARF of MODULE
 * (the _asyncio extension, or the file it is built into).  Other fields
 * are left as they are; on error the asyncio ones stay LAYOUT_ABSENT. */
struct pc_error *layout_asyncio_from_dwarf(struct Dwfl_Module *module, struct py_layout *ret);

/* The task and futureiter fields of RET, and the task lists of the
 * interpreter and thread states where RET has none, from a copy of the
 * _AsyncioDebug offsets the _asyncio extension publishes in its
 * .AsyncioDebug section (3.14+; the interpreter's own when _asyncio is
 * built in): BYTES holds the SIZE bytes of the section.  RET's version and
 * interpreter fields must be set.  On error nothing is changed. */
struct pc_error *layout_asyncio_from_debug_offsets(const void *bytes, size_t size,
						   struct py_layout *ret);

/* From the tables generated by scripts/gen-layout-tables (same major.minor)
 * for the ELF machine MACHINE (EM_X86_64, EM_AARCH64): glibc's pthread
 * types that CPython's runtime state embeds differ in size between them. */
struct pc_error *layout_from_arch_tables(unsigned machine, unsigned version_hex,
					 struct py_layout *ret);
/* The same for x86_64. */
struct pc_error *layout_from_tables(unsigned version_hex, struct py_layout *ret);

/* The newest major.minor the tables know, as PY_HEX(). */
unsigned layout_newest_version(void);

/* Where the members of _Py_DebugOffsets are in one version's struct
 * (generated from that version's header): "group.member", byte offset. */
struct debug_offsets_member {
	const char *name;
	uint32_t offset;
};

struct debug_offsets_shape {
	unsigned major, minor;
	const struct debug_offsets_member *members;
	size_t count;
};

/* The shape of VERSION_HEX's _Py_DebugOffsets; for a version newer than
 * every known one, the newest known shape (its use must be checked); NULL
 * for one older than 3.13. */
const struct debug_offsets_shape *layout_debug_offsets_shape(unsigned version_hex);

#endif
