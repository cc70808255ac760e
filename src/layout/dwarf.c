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

struct rule {
	enum layout_field field;	/* the value to fill */
	enum slot slot;
	enum rule_kind kind;
	enum scope scope;
	bool required;			/* no stack can be read without it */
	enum layout_field depends;	/* looked up only if this field is present */
	enum layout_field alternative;	/* not required if this field is present */
	const char *paths[MAX_PATHS];	/* member paths, "a.b" descends */
};

/* One rule per LAYOUT_OFFSET and LAYOUT_EXTRA_RULE of layout/fields.def. */
#define NONE LAYOUT_NO_FIELD
#define RULE(field_id, slot_, kind_, scope_, required_, depends_, alternative_, ...)        \
	{.field = (field_id), .slot = SLOT_##slot_, .kind = KIND_##kind_, .scope = SCOPE_##scope_, \
	 .required = (required_), .depends = (depends_), .alternative = (alternative_),          \
	 .paths = {__VA_ARGS__}},
#define EXPAND(...) __VA_ARGS__
#define APPLY(macro, args) macro args
#define RULE_OF(field_id, rule) APPLY(RULE, (field_id, EXPAND rule))

static const struct rule rules[] = {
#define LAYOUT_OFFSET(group, member, name, debug, rule) RULE_OF(LAYOUT_FIELD(group, member), rule)
#define LAYOUT_EXTRA_RULE(group, member, rule) RULE_OF(LAYOUT_FIELD(group, member), rule)
#include "layout/fields.def"
};

#undef NONE
#undef RULE
#undef RULE_OF
#undef EXPAND
#undef APPLY

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

static bool field_present(const struct py_layout *layout, enum layout_field field)
{
	return field != LAYOUT_NO_FIELD && layout->offset[field] != LAYOUT_ABSENT;
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
			if (rule->depends != LAYOUT_NO_FIELD) {
				/* Known once no in-scope rule for it waits. */
				for (size_t j = 0; j < N_RULES; j++)
					if (rules[j].field == rule->depends &&
					    search->state[j] == RULE_WAITING)
						dependency_known = false;
				if (!dependency_known)
					continue;
			}
			if (rule->depends != LAYOUT_NO_FIELD &&
			    !field_present(search->layout, rule->depends)) {
				/* Dropped: the field it hangs on is absent. */
			} else if (search->found[rule->slot]) {
				search->layout->offset[rule->field] =
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
		if (rule->depends != LAYOUT_NO_FIELD && !field_present(layout, rule->depends))
			continue;
		if (field_present(layout, rule->alternative))
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
			ret->offset[rules[i].field] = LAYOUT_ABSENT;
	err = search_module(&search, module, SCOPE_ASYNCIO, false);
	if (!err && (ret->task.coro == LAYOUT_ABSENT || ret->future.state == LAYOUT_ABSENT))
		err = pc_error_create(PC_ERR_NOT_FOUND, "DWARF of %s: no TaskObj or FutureObj",
				      module_basename(module));
	if (err)
		for (size_t i = 0; i < N_RULES; i++)
			if (rules[i].scope == SCOPE_ASYNCIO)
				ret->offset[rules[i].field] = LAYOUT_ABSENT;
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
