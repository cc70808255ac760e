/* layout_from_dwarf() on every installed interpreter, and
 * layout_asyncio_from_debug_offsets() against the DWARF of the same files.
 *
 * For each pyenv libpython, Debian's /usr/bin/python3.11 (whose DWARF
 * dwfl_standard_find_debuginfo finds by build-id in /usr/lib/debug) and
 * Debian sid's 3.13 - 3.15 in the root of scripts/make-root (DWARF from
 * the root's usr/lib/debug), the layout read from DWARF must:
 *   - exist, with every required field;
 *   - match a few offsets printed by gdb, an independent reader of the same
 *     DWARF (see known[] below for the command);
 *   - match layout_from_tables() (offsetof() against the headers) field by
 *     field, when src/layout/tables.c is linked in.
 * The _AsyncioDebug offsets of Debian sid's 3.14 _asyncio extension and
 * 3.15 interpreter must give the task fields their DWARF gives (and the
 * FutureIter's future) and the task lists of the tables, and be refused
 * once an offset leaves its struct, a size is absurd, the section has
 * another size or the version is older than 3.14.
 * A missing interpreter is reported as skipped, never passed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <elfutils/libdwfl.h>

#include "sid_root.h"
#include "skip_missing.h"

#include "base/error.h"
#include "layout/layout.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define FIELD(member) { #member, offsetof(struct py_layout, member) }

static const struct {
	const char *name;
	size_t offset;
} fields[] = {
	FIELD(runtime.size),
	FIELD(runtime.interpreters_head),
	FIELD(runtime.gilstate_tstate_current),
	FIELD(runtime.gc_collecting),
	FIELD(interp.size),
	FIELD(interp.next),
	FIELD(interp.tstate_head),
	FIELD(interp.gc_collecting),
	FIELD(interp.ceval_gil),
	FIELD(interp.modules),
	FIELD(interp.asyncio_tasks_head),
	FIELD(gil.locked),
	FIELD(gil.last_holder),
	FIELD(tstate.size),
	FIELD(tstate.next),
	FIELD(tstate.interp),
	FIELD(tstate.thread_id),
	FIELD(tstate.native_thread_id),
	FIELD(tstate.frame),
	FIELD(tstate.cframe),
	FIELD(tstate.current_frame),
	FIELD(tstate.asyncio_tasks_head),
	FIELD(tstate.asyncio_running_task),
	FIELD(cframe.current_frame),
	FIELD(frame.size),
	FIELD(frame.f_back),
	FIELD(frame.f_code),
	FIELD(frame.f_lasti),
	FIELD(frame.f_lineno),
	FIELD(frame.f_localsplus),
	FIELD(frame.f_stacktop),
	FIELD(frame.f_valuestack),
	FIELD(frame.f_stackdepth),
	FIELD(iframe.size),
	FIELD(iframe.previous),
	FIELD(iframe.code),
	FIELD(iframe.instr),
	FIELD(iframe.is_entry),
	FIELD(iframe.owner),
	FIELD(iframe.localsplus),
	FIELD(iframe.stacktop),
	FIELD(iframe.stackpointer),
	FIELD(gen.gi_frame),
	FIELD(gen.gi_iframe),
	FIELD(gen.gi_frame_state),
	FIELD(asend.ags_gen),
	FIELD(code.size),
	FIELD(code.co_filename),
	FIELD(code.co_name),
	FIELD(code.co_qualname),
	FIELD(code.co_firstlineno),
	FIELD(code.co_lnotab),
	FIELD(code.co_linetable),
	FIELD(code.co_code_adaptive),
	FIELD(code.co_varnames),
	FIELD(code.co_localsplusnames),
	FIELD(code.co_localspluskinds),
	FIELD(code.co_nlocals),
	FIELD(code.co_argcount),
	FIELD(code.co_cellvars),
	FIELD(code.co_freevars),
	FIELD(code.co_code),
	FIELD(object.ob_type),
	FIELD(type.tp_name),
	FIELD(type.tp_flags),
	FIELD(type.tp_basicsize),
	FIELD(type.tp_dictoffset),
	FIELD(type.tp_base),
	FIELD(heaptype.ht_cached_keys),
	FIELD(module.md_dict),
	FIELD(weakref.wr_object),
	FIELD(var.ob_size),
	FIELD(bytes.ob_size),
	FIELD(bytes.ob_sval),
	FIELD(tuple.ob_size),
	FIELD(tuple.ob_item),
	FIELD(unicode.length),
	FIELD(unicode.state),
	FIELD(unicode.ascii_size),
	FIELD(unicode.compact_size),
	FIELD(unicode.data_any),
	FIELD(unicode.py2_str),
	FIELD(unicode.py2_unit),
	FIELD(pyint.ob_ival),
	FIELD(pylong.ob_size),
	FIELD(pylong.lv_tag),
	FIELD(pylong.ob_digit),
	FIELD(pylong.digit_size),
	FIELD(pyfloat.ob_fval),
	FIELD(list.ob_item),
	FIELD(dict.ma_used),
	FIELD(dict.ma_keys),
	FIELD(dict.ma_values),
	FIELD(dict.ma_mask),
	FIELD(dict.ma_table),
	FIELD(dictkeys.dk_size),
	FIELD(dictkeys.dk_log2_size),
	FIELD(dictkeys.dk_log2_index_bytes),
	FIELD(dictkeys.dk_kind),
	FIELD(dictkeys.dk_nentries),
	FIELD(dictkeys.dk_indices),
	FIELD(dictentry.size),
	FIELD(dictentry.me_key),
	FIELD(dictentry.me_value),
	FIELD(dictuentry.size),
	FIELD(dictuentry.me_key),
	FIELD(dictuentry.me_value),
	FIELD(dictvalues.values),
	FIELD(dictvalues.capacity),
	FIELD(dictvalues.used),
	FIELD(set.used),
	FIELD(set.mask),
	FIELD(set.table),
	FIELD(setentry.size),
	FIELD(setentry.key),
	FIELD(cell.ob_ref),
	FIELD(exc.tstate_exc_info),
	FIELD(exc.tstate_exc_type),
	FIELD(exc.tstate_exc_value),
	FIELD(exc.item_exc_type),
	FIELD(exc.item_exc_value),
	FIELD(exc.item_previous),
	FIELD(exc.args),
};

#define A LAYOUT_ABSENT

/* Offsets printed by gdb from the same files, e.g.
 *   gdb -batch -ex 'print (long)&((PyThreadState*)0)->thread_id' \
 *       -ex 'print sizeof(PyASCIIObject)' LIB
 * Debian's 3.11.2 has the numbers of pyenv's 3.11.7. */
struct known {
	int64_t tstate_interp, tstate_thread_id, co_firstlineno, code_size;
	int64_t ascii_size, bytes_ob_sval, py2_unit, tuple_ob_item;
};

struct interpreter {
	const char *path;
	struct known known;
};

/* A path without a leading slash is in sid's root (sid_root.h). */
static struct interpreter interpreters[] = {
	{"/root/.pyenv/versions/2.7.18/lib/libpython2.7.so.1.0", {8, 144, 96, 128, A, 36, 4, 24}},
	{"/root/.pyenv/versions/3.6.15/lib/libpython3.6m.so.1.0", {16, 152, 36, 144, 48, 32, A, 24}},
	{"/root/.pyenv/versions/3.7.16/lib/libpython3.7m.so.1.0", {16, 176, 36, 144, 48, 32, A, 24}},
	{"/root/.pyenv/versions/3.8.18/lib/libpython3.8.so.1.0", {16, 176, 40, 176, 48, 32, A, 24}},
	{"/root/.pyenv/versions/3.9.18/lib/libpython3.9.so.1.0", {16, 176, 40, 176, 48, 32, A, 24}},
	{"/root/.pyenv/versions/3.10.13/lib/libpython3.10.so.1.0", {16, 176, 40, 176, 48, 32, A, 24}},
	{"/root/.pyenv/versions/3.11.7/lib/libpython3.11.so.1.0", {16, 152, 72, 192, 48, 32, A, 24}},
	{"/root/.pyenv/versions/3.12.1/lib/libpython3.12.so.1.0", {16, 136, 68, 200, 40, 32, A, 24}},
	{"/root/.pyenv/versions/3.13.0/lib/libpython3.13.so.1.0", {16, 152, 68, 208, 40, 32, A, 24}},
	{"/usr/bin/python3.11", {16, 152, 72, 192, 48, 32, A, 24}},
	{"usr/bin/python3.13", {16, 152, 68, 208, 40, 32, A, 24}},
	{"usr/bin/python3.14", {16, 152, 68, 216, 40, 32, A, 32}},
	{"usr/bin/python3.15", {16, 176, 68, 216, 40, 32, A, 32}},
};

#define PYENV_3_11 "/root/.pyenv/versions/3.11.7/lib/libpython3.11.so.1.0"
#define PYENV_3_12 "/root/.pyenv/versions/3.12.1/lib/libpython3.12.so.1.0"

/* PY_VERSION_HEX from ".../versions/X.Y.Z/..." or, failing that, from the
 * last "pythonX.Y" of PATH (then micro 0). */
static unsigned version_from_path(const char *path)
{
	unsigned major, minor, micro = 0;
	const char *p = strstr(path, "/versions/");
	const char *q;

	if (p && sscanf(p, "/versions/%u.%u.%u", &major, &minor, &micro) == 3)
		return PY_HEX(major, minor) | micro << 8 | 0xf0;
	p = NULL;
	for (q = path; (q = strstr(q, "python")); q++)
		p = q;
	if (p && sscanf(p, "python%u.%u", &major, &minor) == 2)
		return PY_HEX(major, minor) | 0xf0;
	fail_msg("no version in '%s'", path);
	return 0;
}

static const Dwfl_Callbacks offline_callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
};

/* The root's debug files, by build-id, as gdb's debug-file-directory. */
static char *root_debug_path;

static bool in_root(const char *path)
{
	size_t len = strlen(sid_root());

	return strncmp(path, sid_root(), len) == 0 && path[len] == '/';
}

static const Dwfl_Callbacks root_callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
	.debuginfo_path = &root_debug_path,
};

static int no_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname,
			Dwarf_Addr base, const char *file_name, const char *debuglink_file,
			GElf_Word debuglink_crc, char **debuginfo_file_name)
{
	(void)mod, (void)userdata, (void)modname, (void)base, (void)file_name;
	(void)debuglink_file, (void)debuglink_crc, (void)debuginfo_file_name;
	return -1;
}

static const Dwfl_Callbacks no_debuginfo_callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = no_debuginfo,
	.section_address = dwfl_offline_section_address,
};

/* A Dwfl holding PATH alone, or NULL (and the test skipped) if PATH is
 * not installed. */
static Dwfl *open_offline(const char *path, const Dwfl_Callbacks *callbacks,
			  Dwfl_Module **module)
{
	Dwfl *dwfl;

	if (access(path, R_OK) != 0) {
		print_message("SKIPPED: %s is not installed\n", path);
		return NULL;
	}
	dwfl = dwfl_begin(callbacks);
	assert_non_null(dwfl);
	*module = dwfl_report_offline(dwfl, path, path, -1);
	if (!*module)
		fail_msg("dwfl_report_offline %s: %s", path, dwfl_errmsg(-1));
	assert_int_equal(dwfl_report_end(dwfl, NULL, NULL), 0);
	return dwfl;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static struct pc_error *layout_of(const char *path, unsigned version_hex,
				  struct py_layout *layout, Dwfl **dwfl, bool *skipped)
{
	Dwfl_Module *module;
	struct pc_error *err;
	double start;

	*dwfl = open_offline(path, in_root(path) ? &root_callbacks : &offline_callbacks, &module);
	*skipped = !*dwfl;
	if (!*dwfl)
		return NULL;
	start = now_ms();
	err = layout_from_dwarf(module, version_hex, layout);
	print_message("  %s: layout_from_dwarf %.1f ms\n", path, now_ms() - start);
	return err;
}

static int find_runtime(Dwfl_Module *mod, void **userdata, const char *modname,
			Dwarf_Addr base, void *arg)
{
	int n = dwfl_module_getsymtab(mod);

	(void)userdata, (void)modname, (void)base;
	for (int i = 1; i < n; i++) {
		GElf_Addr value;
		GElf_Sym sym;
		const char *name = dwfl_module_getsym_info(mod, i, &sym, &value, NULL, NULL, NULL);

		if (name && strcmp(name, "_PyRuntime") == 0 && sym.st_shndx != SHN_UNDEF) {
			*(int64_t *)arg = (int64_t)sym.st_size;
			return DWARF_CB_ABORT;
		}
	}
	return DWARF_CB_OK;
}

/* The st_size of the _PyRuntime symbol of DWFL's file, LAYOUT_ABSENT when
 * it has none (2.7, 3.6). */
static int64_t runtime_symbol_size(Dwfl *dwfl)
{
	int64_t size = LAYOUT_ABSENT;

	dwfl_getmodules(dwfl, find_runtime, &size, 0);
	return size;
}

/* layout_check_runtime_size() with the table of PATH's version and
 * SYMBOL, the st_size of PATH's _PyRuntime: it passes the table (but for
 * Debian's 3.15, built with its JIT, where it must name both sizes), and
 * fails the same table made 8 bytes larger. */
static void check_runtime_size(const char *path, const struct py_layout *tables,
			       int64_t symbol)
{
	struct py_layout other = *tables;
	struct pc_error *err;
	char want[160];

	if (symbol == LAYOUT_ABSENT)
		return;
	err = layout_check_runtime_size(tables, (uint64_t)symbol);
	if (in_root(path) && (tables->version_hex & 0xffff0000u) == PY_HEX(3, 15)) {
		snprintf(want, sizeof(want),
			 "_PyRuntimeState is %lld bytes, this build's _PyRuntime %lld",
			 (long long)tables->runtime.size, (long long)symbol);
		if (!err || !strstr(err->message, want))
			fail_msg("%s: the check of the tables' size: %s", path,
				 err ? err->message : "passed");
	} else if (err) {
		fail_msg("%s: %s", path, err->message);
	}
	pc_error_destroy(err);
	if (other.runtime.size == LAYOUT_ABSENT)
		return;
	other.runtime.size = symbol + 8;
	err = layout_check_runtime_size(&other, (uint64_t)symbol);
	if (!err)
		fail_msg("%s: a table with _PyRuntimeState %lld bytes passes as %lld", path,
			 (long long)other.runtime.size, (long long)symbol);
	pc_error_destroy(err);
}

static void expect(const char *path, const char *what, int64_t got, int64_t want)
{
	if (got != want)
		fail_msg("%s: %s is %lld, gdb says %lld", path, what, (long long)got,
			 (long long)want);
}

/* Fields with an offset below 0, or outside the struct they belong to. */
static void check_plausible(const char *path, const struct py_layout *layout)
{
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		int64_t value = *(const int64_t *)((const char *)layout + fields[i].offset);

		if (value != LAYOUT_ABSENT && (value < 0 || value > 1 << 20))
			fail_msg("%s: %s = %lld", path, fields[i].name, (long long)value);
	}
	assert_true(layout->tstate.thread_id < layout->tstate.size);
	assert_true(layout->interp.tstate_head < layout->interp.size);
	assert_true(layout->code.co_filename < layout->code.size);
}

/* Every field of A and B, and their shapes, must agree; prints each
 * difference before failing. */
static void compare(const char *path, const char *a_name, const struct py_layout *a,
		    const char *b_name, const struct py_layout *b)
{
	unsigned differences = 0;

	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		int64_t va = *(const int64_t *)((const char *)a + fields[i].offset);
		int64_t vb = *(const int64_t *)((const char *)b + fields[i].offset);

		if (va == vb)
			continue;
		differences++;
		print_error("%s: %s: %s %lld, %s %lld\n", path, fields[i].name, a_name,
			    va == LAYOUT_ABSENT ? -1LL : (long long)va, b_name,
			    vb == LAYOUT_ABSENT ? -1LL : (long long)vb);
	}
	assert_int_equal(a->frame_shape, b->frame_shape);
	assert_int_equal(a->unicode_shape, b->unicode_shape);
	assert_int_equal(a->line_table, b->line_table);
	assert_int_equal(a->has_runtime, b->has_runtime);
	if (differences)
		fail_msg("%s: %u fields differ between %s and %s (-1 = absent)", path,
			 differences, a_name, b_name);
}

static void test_interpreter(void **state)
{
	const struct interpreter *interp = *state;
	const struct known *k = &interp->known;
	unsigned version_hex = version_from_path(interp->path);
	struct py_layout layout, tables;
	struct pc_error *err;
	bool skipped;
	Dwfl *dwfl;

	err = layout_of(interp->path, version_hex, &layout, &dwfl, &skipped);
	if (skipped) {
		skip_missing(interp->path);
		return;
	}
	if (err)
		fail_msg("%s", err->message);
	assert_int_equal(layout.source, LAYOUT_SOURCE_DWARF);
	assert_int_equal(layout.version_hex, version_hex);

	expect(interp->path, "tstate.interp", layout.tstate.interp, k->tstate_interp);
	expect(interp->path, "tstate.thread_id", layout.tstate.thread_id, k->tstate_thread_id);
	expect(interp->path, "code.co_firstlineno", layout.code.co_firstlineno,
	       k->co_firstlineno);
	expect(interp->path, "code.size", layout.code.size, k->code_size);
	expect(interp->path, "unicode.ascii_size", layout.unicode.ascii_size, k->ascii_size);
	expect(interp->path, "bytes.ob_sval", layout.bytes.ob_sval, k->bytes_ob_sval);
	expect(interp->path, "unicode.py2_unit", layout.unicode.py2_unit, k->py2_unit);
	expect(interp->path, "object.ob_type", layout.object.ob_type, 8);
	expect(interp->path, "tuple.ob_item", layout.tuple.ob_item, k->tuple_ob_item);
	check_plausible(interp->path, &layout);
	/* What pycore compares a table's runtime.size with. */
	expect(interp->path, "runtime.size (the _PyRuntime symbol's st_size)",
	       layout.runtime.size, runtime_symbol_size(dwfl));
	if (layout.runtime.size != LAYOUT_ABSENT)
		print_message("  %s: sizeof(_PyRuntimeState) %lld\n", interp->path,
			      (long long)layout.runtime.size);

	err = layout_from_tables(version_hex, &tables);
	if (err)
		fail_msg("layout_from_tables %#x: %s", version_hex, err->message);
	check_runtime_size(interp->path, &tables, runtime_symbol_size(dwfl));
	/* The tables keep the smallest of these of a minor version (bug-fix
	 * releases grow them at the end): 3.13.0's, below 3.13.18's. */
	if (in_root(interp->path) && layout.interp.size >= tables.interp.size &&
	    layout.tstate.size >= tables.tstate.size) {
		tables.interp.size = layout.interp.size;
		tables.tstate.size = layout.tstate.size;
	}
	/* Left out of the tables where the builds of a minor version disagree
	 * on it: 3.13.0 and 3.13.18. */
	if ((version_hex & 0xffff0000u) == PY_HEX(3, 13))
		tables.runtime.size = layout.runtime.size;
	/* Debian builds 3.15 with its JIT (-D_Py_TIER2, which the installed
	 * headers the tables come from do not define): the _PyThreadStateImpl
	 * inside _PyRuntime has one pointer more, jit_tracer_state, after
	 * everything pycore reads.  The tables are another build's, as pycore
	 * says when they are asked for. */
	if (in_root(interp->path) && (version_hex & 0xffff0000u) == PY_HEX(3, 15) &&
	    layout.runtime.size == tables.runtime.size + 8)
		tables.runtime.size = layout.runtime.size;
	compare(interp->path, "DWARF", &layout, "tables", &tables);
	dwfl_end(dwfl);
}

/* Debian's stripped python3.11 (DWARF from python3.11-dbg) and pyenv's
 * libpython3.11 come from different builds of the same headers. */
static void test_debian_matches_pyenv(void **state)
{
	struct py_layout debian, pyenv;
	struct pc_error *err;
	Dwfl *dwfl_debian, *dwfl_pyenv;
	bool skipped;

	(void)state;
	err = layout_of("/usr/bin/python3.11", PY_HEX(3, 11), &debian, &dwfl_debian, &skipped);
	if (skipped) {
		skip_missing("/usr/bin/python3.11");
		return;
	}
	if (err)
		fail_msg("%s", err->message);
	err = layout_of(PYENV_3_11, PY_HEX(3, 11), &pyenv, &dwfl_pyenv, &skipped);
	if (skipped) {
		dwfl_end(dwfl_debian);
		skip_missing(PYENV_3_11);
		return;
	}
	if (err)
		fail_msg("%s", err->message);
	compare("python3.11", "Debian", &debian, "pyenv", &pyenv);
	dwfl_end(dwfl_debian);
	dwfl_end(dwfl_pyenv);
}

/* A required field missing is an error naming the struct and member:
 * 3.12's DWARF read as if it were 3.10 lacks tstate->frame. */
static void test_missing_member(void **state)
{
	struct py_layout layout;
	struct pc_error *err;
	bool skipped;
	Dwfl *dwfl;

	(void)state;
	err = layout_of(PYENV_3_12, PY_HEX(3, 10), &layout, &dwfl, &skipped);
	if (skipped) {
		skip_missing(PYENV_3_12);
		return;
	}
	assert_non_null(err);
	assert_int_equal(err->code, PC_ERR_NOT_FOUND);
	assert_string_equal(err->message,
			    "DWARF of libpython3.12.so.1.0: struct _ts has no member 'frame'");
	assert_int_equal(layout.source, LAYOUT_SOURCE_NONE);
	pc_error_destroy(err);
	dwfl_end(dwfl);
}

/* No debuginfo at all: a PC_ERR_NOT_FOUND naming the module. */
static void test_no_dwarf(void **state)
{
	const char *path = "/usr/bin/python3.11";
	struct py_layout layout;
	Dwfl_Module *module;
	struct pc_error *err;
	Dwfl *dwfl;

	(void)state;
	dwfl = open_offline(path, &no_debuginfo_callbacks, &module);
	if (!dwfl) {
		skip_missing(path);
		return;
	}
	err = layout_from_dwarf(module, PY_HEX(3, 11), &layout);
	assert_non_null(err);
	assert_int_equal(err->code, PC_ERR_NOT_FOUND);
	if (strncmp(err->message, "no DWARF for python3.11", 23) != 0)
		fail_msg("unexpected message: %s", err->message);
	pc_error_destroy(err);
	dwfl_end(dwfl);
}

struct asyncio_file {
	const char *path;
	unsigned version_hex;
};

static struct asyncio_file asyncio_files[] = {
	{"usr/lib/python3.14/lib-dynload/_asyncio.cpython-314-x86_64-linux-gnu.so",
	 PY_HEX(3, 14) | 0xf0},
	{"usr/bin/python3.15", PY_HEX(3, 15) | 0xf0},
};

/* MODULE's .AsyncioDebug section, whose size is *SIZE. */
static void asyncio_section(const char *path, Dwfl_Module *module, unsigned char *out,
			    size_t *size)
{
	GElf_Addr bias;
	Elf *elf = dwfl_module_getelf(module, &bias);
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	assert_non_null(elf);
	assert_int_equal(elf_getshdrstrndx(elf, &shstrndx), 0);
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		const char *name;
		Elf_Data *data;

		assert_non_null(gelf_getshdr(scn, &shdr));
		name = elf_strptr(elf, shstrndx, shdr.sh_name);
		if (!name || strcmp(name, ".AsyncioDebug") != 0)
			continue;
		data = elf_getdata(scn, NULL);
		assert_non_null(data);
		assert_true(data->d_size <= *size);
		memcpy(out, data->d_buf, data->d_size);
		*size = data->d_size;
		return;
	}
	fail_msg("%s has no .AsyncioDebug section", path);
}

static struct pc_error *asyncio_offsets_changed(const unsigned char *bytes, size_t size,
						size_t member, uint64_t value,
						struct py_layout *layout)
{
	unsigned char changed[512];

	memcpy(changed, bytes, size);
	memcpy(changed + member * 8, &value, 8);
	return layout_asyncio_from_debug_offsets(changed, size, layout);
}

static void test_asyncio_debug_offsets(void **state)
{
	const struct asyncio_file *file = *state;
	struct py_layout tables, dwarf, offsets, refused;
	unsigned char bytes[512];
	size_t size = sizeof(bytes);
	Dwfl_Module *module;
	struct pc_error *err;
	Dwfl *dwfl;

	dwfl = open_offline(file->path, &root_callbacks, &module);
	if (!dwfl) {
		skip_missing(file->path);
		return;
	}
	err = layout_from_tables(file->version_hex, &tables);
	if (err)
		fail_msg("layout_from_tables %#x: %s", file->version_hex, err->message);
	dwarf = offsets = refused = tables;
	err = layout_asyncio_from_dwarf(module, &dwarf);
	if (err)
		fail_msg("%s", err->message);
	asyncio_section(file->path, module, bytes, &size);
	err = layout_asyncio_from_debug_offsets(bytes, size, &offsets);
	if (err)
		fail_msg("%s: %s", file->path, err->message);
	expect(file->path, "task.name", offsets.task.name, dwarf.task.name);
	expect(file->path, "task.coro", offsets.task.coro, dwarf.task.coro);
	expect(file->path, "task.node", offsets.task.node, dwarf.task.node);
	expect(file->path, "futureiter.future", offsets.futureiter.future,
	       dwarf.futureiter.future);
	expect(file->path, "tstate.asyncio_tasks_head", offsets.tstate.asyncio_tasks_head,
	       tables.tstate.asyncio_tasks_head);
	expect(file->path, "tstate.asyncio_running_task", offsets.tstate.asyncio_running_task,
	       tables.tstate.asyncio_running_task);
	expect(file->path, "interp.asyncio_tasks_head", offsets.interp.asyncio_tasks_head,
	       tables.interp.asyncio_tasks_head);
	/* What _AsyncioDebug does not give. */
	assert_true(offsets.future.state == LAYOUT_ABSENT);
	assert_true(offsets.future.loop == LAYOUT_ABSENT);
	assert_true(offsets.task.fut_waiter == LAYOUT_ABSENT);

	/* task_node past the end of TaskObj (member 6, the size member 0). */
	err = asyncio_offsets_changed(bytes, size, 6, (uint64_t)dwarf.task.node + 1000, &refused);
	assert_non_null(err);
	assert_non_null(strstr(err->message, "task_node"));
	pc_error_destroy(err);
	/* A task name inside the object header. */
	err = asyncio_offsets_changed(bytes, size, 1, 8, &refused);
	assert_non_null(err);
	pc_error_destroy(err);
	/* Sizes: zero, absurd. */
	err = asyncio_offsets_changed(bytes, size, 0, 0, &refused);
	assert_non_null(err);
	pc_error_destroy(err);
	err = asyncio_offsets_changed(bytes, size, 9, 1ULL << 40, &refused);
	assert_non_null(err);
	assert_non_null(strstr(err->message, "asyncio_thread_state.size"));
	pc_error_destroy(err);
	/* A section of another size: another shape. */
	err = layout_asyncio_from_debug_offsets(bytes, size - 8, &refused);
	assert_non_null(err);
	assert_int_equal(err->code, PC_ERR_UNSUPPORTED);
	pc_error_destroy(err);
	/* Refused: nothing was changed. */
	assert_true(refused.task.coro == LAYOUT_ABSENT);
	expect(file->path, "tstate.asyncio_tasks_head", refused.tstate.asyncio_tasks_head,
	       tables.tstate.asyncio_tasks_head);
	refused.version_hex = PY_HEX(3, 13) | 0xf0;
	err = layout_asyncio_from_debug_offsets(bytes, size, &refused);
	assert_non_null(err);
	assert_int_equal(err->code, PC_ERR_UNSUPPORTED);
	pc_error_destroy(err);
	dwfl_end(dwfl);
}

int main(void)
{
	struct CMUnitTest tests[ARRAY_SIZE(interpreters) + ARRAY_SIZE(asyncio_files) + 3];
	size_t n = 0;

	root_debug_path = (char *)sid_path("usr/lib/debug");
	for (size_t i = 0; i < ARRAY_SIZE(interpreters); i++)
		if (interpreters[i].path[0] != '/')
			interpreters[i].path = sid_path(interpreters[i].path);
	for (size_t i = 0; i < ARRAY_SIZE(asyncio_files); i++)
		asyncio_files[i].path = sid_path(asyncio_files[i].path);
	for (size_t i = 0; i < ARRAY_SIZE(interpreters); i++) {
		tests[n] = (struct CMUnitTest)cmocka_unit_test_prestate(
			test_interpreter, (void *)&interpreters[i]);
		tests[n++].name = interpreters[i].path;
	}
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_debian_matches_pyenv);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_missing_member);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_no_dwarf);
	for (size_t i = 0; i < ARRAY_SIZE(asyncio_files); i++) {
		tests[n] = (struct CMUnitTest)cmocka_unit_test_prestate(
			test_asyncio_debug_offsets, (void *)&asyncio_files[i]);
		tests[n++].name = asyncio_files[i].path;
	}
	return _cmocka_run_group_tests("layout_dwarf", tests, n, NULL, NULL);
}
