/* The layout of a CPython 3.13+ build from the _Py_DebugOffsets table that
 * begins _PyRuntime (Include/internal/pycore_runtime.h): CPython publishes
 * there the offsets an out-of-process debugger needs, so a build without
 * DWARF needs no table of ours.
 *
 * The table is a sequence of uint64_t after an 8-byte cookie; its shape is
 * fixed for a minor version.  Each entry below names its position in 3.13's
 * table and the layout field it fills. */
#include "error.h"
#include "layout.h"

#include <string.h>

#define DEBUG_COOKIE "xdebugpy"

/* Positions (in uint64_t words after the cookie) in 3.13's _Py_DebugOffsets. */
enum {
	W_VERSION = 0,
	W_FREE_THREADED = 1,
	W_RUNTIME_INTERPRETERS_HEAD = 4,
	W_INTERP_SIZE = 5,
	W_INTERP_NEXT = 7,
	W_INTERP_THREADS_HEAD = 8,
	W_INTERP_GC = 9,
	W_INTERP_CEVAL_GIL = 13,
	W_GIL_LOCKED = 16,
	W_GIL_HOLDER = 17,
	W_TSTATE_SIZE = 18,
	W_TSTATE_NEXT = 20,
	W_TSTATE_INTERP = 21,
	W_TSTATE_CURRENT_FRAME = 22,
	W_TSTATE_THREAD_ID = 23,
	W_TSTATE_NATIVE_THREAD_ID = 24,
	W_IFRAME_SIZE = 27,
	W_IFRAME_PREVIOUS = 28,
	W_IFRAME_EXECUTABLE = 29,
	W_IFRAME_INSTR_PTR = 30,
	W_IFRAME_LOCALSPLUS = 31,
	W_IFRAME_OWNER = 32,
	W_CODE_SIZE = 33,
	W_CODE_FILENAME = 34,
	W_CODE_NAME = 35,
	W_CODE_QUALNAME = 36,
	W_CODE_LINETABLE = 37,
	W_CODE_FIRSTLINENO = 38,
	W_CODE_ARGCOUNT = 39,
	W_CODE_LOCALSPLUSNAMES = 40,
	W_CODE_LOCALSPLUSKINDS = 41,
	W_CODE_CO_CODE_ADAPTIVE = 42,
	W_OBJECT_OB_TYPE = 44,
	W_TYPE_TP_NAME = 46,
	W_TYPE_TP_FLAGS = 48,
	W_TUPLE_OB_ITEM = 50,
	W_TUPLE_OB_SIZE = 51,
	W_LIST_OB_ITEM = 53,
	W_DICT_MA_KEYS = 56,
	W_DICT_MA_VALUES = 57,
	W_FLOAT_OB_FVAL = 59,
	W_LONG_LV_TAG = 61,
	W_LONG_OB_DIGIT = 62,
	W_BYTES_OB_SIZE = 64,
	W_BYTES_OB_SVAL = 65,
	W_UNICODE_STATE = 67,
	W_UNICODE_LENGTH = 68,
	W_UNICODE_ASCII_SIZE = 69,
	W_GC_COLLECTING = 71,
	W_COUNT = 72,
};

struct debug_field {
	size_t field;		/* offsetof(struct py_layout, ...) */
	int word;
};

#define F(member, w) {offsetof(struct py_layout, member), w}

static const struct debug_field fields[] = {
	F(runtime.interpreters_head, W_RUNTIME_INTERPRETERS_HEAD),
	F(interp.size, W_INTERP_SIZE),
	F(interp.next, W_INTERP_NEXT),
	F(interp.tstate_head, W_INTERP_THREADS_HEAD),
	F(interp.ceval_gil, W_INTERP_CEVAL_GIL),
	F(gil.locked, W_GIL_LOCKED),
	F(gil.last_holder, W_GIL_HOLDER),
	F(tstate.size, W_TSTATE_SIZE),
	F(tstate.next, W_TSTATE_NEXT),
	F(tstate.interp, W_TSTATE_INTERP),
	F(tstate.current_frame, W_TSTATE_CURRENT_FRAME),
	F(tstate.thread_id, W_TSTATE_THREAD_ID),
	F(tstate.native_thread_id, W_TSTATE_NATIVE_THREAD_ID),
	F(iframe.size, W_IFRAME_SIZE),
	F(iframe.previous, W_IFRAME_PREVIOUS),
	F(iframe.code, W_IFRAME_EXECUTABLE),
	F(iframe.instr, W_IFRAME_INSTR_PTR),
	F(iframe.localsplus, W_IFRAME_LOCALSPLUS),
	F(iframe.owner, W_IFRAME_OWNER),
	F(code.size, W_CODE_SIZE),
	F(code.co_filename, W_CODE_FILENAME),
	F(code.co_name, W_CODE_NAME),
	F(code.co_qualname, W_CODE_QUALNAME),
	F(code.co_linetable, W_CODE_LINETABLE),
	F(code.co_firstlineno, W_CODE_FIRSTLINENO),
	F(code.co_argcount, W_CODE_ARGCOUNT),
	F(code.co_localsplusnames, W_CODE_LOCALSPLUSNAMES),
	F(code.co_localspluskinds, W_CODE_LOCALSPLUSKINDS),
	F(code.co_code_adaptive, W_CODE_CO_CODE_ADAPTIVE),
	F(object.ob_type, W_OBJECT_OB_TYPE),
	F(type.tp_name, W_TYPE_TP_NAME),
	F(type.tp_flags, W_TYPE_TP_FLAGS),
	F(tuple.ob_item, W_TUPLE_OB_ITEM),
	F(tuple.ob_size, W_TUPLE_OB_SIZE),
	F(list.ob_item, W_LIST_OB_ITEM),
	F(dict.ma_keys, W_DICT_MA_KEYS),
	F(dict.ma_values, W_DICT_MA_VALUES),
	F(pyfloat.ob_fval, W_FLOAT_OB_FVAL),
	F(pylong.lv_tag, W_LONG_LV_TAG),
	F(pylong.ob_digit, W_LONG_OB_DIGIT),
	F(var.ob_size, W_TUPLE_OB_SIZE),
	F(bytes.ob_size, W_BYTES_OB_SIZE),
	F(bytes.ob_sval, W_BYTES_OB_SVAL),
	F(unicode.state, W_UNICODE_STATE),
	F(unicode.length, W_UNICODE_LENGTH),
	F(unicode.ascii_size, W_UNICODE_ASCII_SIZE),
};

#undef F

/* _Py_DebugOffsets carries what a stack needs, not everything pycore shows
 * (the exception being handled, the insides of dicts, sets and cells that
 * --locals reads): those fields come from the
 * built-in table of the same version, when there is one. */
static void fill_from_tables(struct py_layout *ret)
{
	struct py_layout tables;
	struct pc_error *err = layout_from_tables(ret->version_hex, &tables);
	int64_t *field = &ret->runtime.interpreters_head;
	const int64_t *from = &tables.runtime.interpreters_head;

	if (err) {
		pc_error_destroy(err);
		return;
	}
	for (; field < (int64_t *)(ret + 1); field++, from++)
		if (*field == LAYOUT_ABSENT)
			*field = *from;
}

struct pc_error *layout_from_debug_offsets(const void *bytes, size_t size,
					   struct py_layout *ret)
{
	const unsigned char *table = bytes;
	uint64_t words[W_COUNT], gc_offset;
	size_t i;

	if (size < 8 + sizeof(words))
		return pc_error_create(PC_ERR_FORMAT, "_Py_DebugOffsets: %zu bytes is too short",
				       size);
	if (memcmp(table, DEBUG_COOKIE, 8) != 0)
		return pc_error_create(PC_ERR_FORMAT,
				       "_PyRuntime does not start with the \"" DEBUG_COOKIE
				       "\" cookie");
	memcpy(words, table + 8, sizeof(words));
	if ((words[W_VERSION] >> 24) != 3 || ((words[W_VERSION] >> 16) & 0xff) != 13)
		return pc_error_create(PC_ERR_UNSUPPORTED,
				       "_Py_DebugOffsets of version %#llx: only 3.13's shape is known",
				       (unsigned long long)words[W_VERSION]);
	if (words[W_FREE_THREADED])
		return pc_error_create(PC_ERR_UNSUPPORTED,
				       "free-threaded CPython builds are not supported");
	layout_init(ret, (unsigned)words[W_VERSION]);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		uint64_t value = words[fields[i].word];

		/* Offsets inside interpreter structures: anything larger is garbage. */
		if (value > (16u << 20))
			return pc_error_create(PC_ERR_CORRUPT,
					       "_Py_DebugOffsets word %d is %#llx", fields[i].word,
					       (unsigned long long)value);
		memcpy((char *)ret + fields[i].field, &(int64_t){(int64_t)value}, sizeof(int64_t));
	}
	gc_offset = words[W_INTERP_GC] + words[W_GC_COLLECTING];
	ret->interp.gc_collecting = (int64_t)gc_offset;
	/* Not in the table: sizeof(PyCompactUnicodeObject) = PyASCIIObject plus
	 * utf8_length and utf8, and PyUnicodeObject.data right after it. */
	ret->unicode.compact_size = ret->unicode.ascii_size + 16;
	ret->unicode.data_any = ret->unicode.compact_size;
	fill_from_tables(ret);
	ret->source = LAYOUT_SOURCE_DEBUG_OFFSETS;
	return NULL;
}
