/* Tests of the pieces of the reports that work on bytes alone:
 * utf8_decode(), which keeps invalid text out of the JSON, XML and Markdown
 * pycore writes, escape.c's policy for each kind of output, and
 * fingerprint_native_name() and the native part of the fingerprint, which
 * keep the fingerprint of a crash the same across CPUs, compiler clones and
 * libc builds with and without symbols,
 * repeat_marker(), the words of a collapsed recursion, and notes_gather(),
 * the one list of notes every report renders.  The
 * reports themselves are tested on real cores by tests/integration/
 * test-json-report, test-fingerprints, test-ci-report and
 * test-process-header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analysis/fingerprint.h"
#include "analysis/notes.h"
#include "asyncio/tasks.h"
#include "base/deadline.h"
#include "base/escape.h"
#include "elf/core.h"
#include "elf/modules.h"
#include "elf/unwind.h"
#include "input/input.h"
#include "python/python.h"
#include "base/utf8.h"
#include "report/repeat_marker.h"

/* Decode TEXT (LEN bytes) to the end; store the code points in OUT. */
static size_t decode_all(const char *text, size_t len, uint32_t *out)
{
	size_t i = 0, n = 0;

	while (i < len)
		i += utf8_decode(text + i, len - i, &out[n++]);
	return n;
}

static void test_utf8_valid(void **state)
{
	/* "aé€😀": 1, 2, 3 and 4 bytes, the boundaries of each length too. */
	static const char text[] = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"
				   "\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xf4\x8f\xbf\xbf";
	static const uint32_t want[] = {'a', 0xe9, 0x20ac, 0x1f600, 0x80, 0x7ff,
					0x800, 0xffff, 0x10ffff};
	uint32_t got[16];
	(void)state;

	assert_int_equal(decode_all(text, sizeof(text) - 1, got), 9);
	assert_memory_equal(got, want, sizeof(want));
}

static void test_utf8_invalid(void **state)
{
	static const struct {
		const char *text;
		size_t len;
		size_t first;	/* bytes the first call takes */
	} cases[] = {
		{"\x80", 1, 1},			/* a lone continuation byte */
		{"\xc0\xaf", 2, 1},		/* overlong '/' */
		{"\xc1\xbf", 2, 1},		/* overlong */
		{"\xe0\x80\xaf", 3, 1},		/* overlong, 3 bytes */
		{"\xf0\x80\x80\xaf", 4, 1},	/* overlong, 4 bytes */
		{"\xed\xa0\x80", 3, 1},		/* a surrogate, U+D800 */
		{"\xf4\x90\x80\x80", 4, 1},	/* U+110000 */
		{"\xf5\x80\x80\x80", 4, 1},	/* no such lead byte */
		{"\xff", 1, 1},
		{"\xc3", 1, 1},			/* cut short at the end */
		{"\xe2\x82", 2, 1},
		{"\xe2\x82x", 3, 1},		/* cut short by another character */
		{"\xf0\x9f\x98", 3, 1},
	};
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t cp = 0;

		assert_int_equal(utf8_decode(cases[i].text, cases[i].len, &cp), cases[i].first);
		assert_int_equal(cp, UTF8_REPLACEMENT);
	}
}

/* One hostile string in every kind of output: ESC, a newline, a tab, a
 * quote, '&', '<', '%', ':', ',', a backslash, DEL, a stray byte, U+202E,
 * U+009B (CSI) and an 'é' that stays. */
static void test_escape_policies(void **state)
{
	static const char text[] = "a\x1b[1m\n\t\"&<%:,\\\x7f\xff\xe2\x80\xae\xc2\x9b\xc3\xa9";
	static const struct {
		enum escape_kind kind;
		const char *want;
	} cases[] = {
		{ESCAPE_TERMINAL, "a\\x1b[1m\\x0a\\x09\"&<%:,\\\\x7f\\xff\\u202e\\u009b\xc3\xa9"},
		{ESCAPE_LINE, "a\\x1b[1m\\x0a\\x09\"&<%:,\\x5c\\x7f\\xff\\u202e\\u009b\xc3\xa9"},
		{ESCAPE_JSON,
		 "a\\u001b[1m\\n\\t\\\"&<%:,\\\\\\u007f\\ufffd\\u202e\\u009b\xc3\xa9"},
		{ESCAPE_XML, "a\\x1b[1m\n\t\"&amp;&lt;%:,\\\\x7f\\xff\\u202e\\u009b\xc3\xa9"},
		{ESCAPE_XML_ATTRIBUTE,
		 "a\\x1b[1m&#10;&#9;&quot;&amp;&lt;%:,\\\\x7f\\xff\\u202e\\u009b\xc3\xa9"},
		{ESCAPE_GITHUB, "a\\x1b[1m%0A\\x09\"&<%25:,\\\\x7f\\xff\\u202e\\u009b\xc3\xa9"},
		{ESCAPE_GITHUB_PROPERTY,
		 "a\\x1b[1m%0A\\x09\"&<%25%3A%2C\\\\x7f\\xff\\u202e\\u009b\xc3\xa9"},
		{ESCAPE_MARKDOWN,
		 "a\\x1b\\[1m \\x09\"\\&\\<%:,\\\\\\x7f\\xff\\u202e\\u009b\xc3\xa9"},
	};
	char out[256], *copy;
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		copy = escape_dup(cases[i].kind, text, sizeof(text) - 1);
		assert_non_null(copy);
		assert_string_equal(copy, cases[i].want);
		free(copy);
		escape_into(cases[i].kind, text, out, sizeof(out));
		assert_string_equal(out, cases[i].want);
	}
	/* Cut where an escape ends, "..." saying so, within the size. */
	assert_int_equal(escape_into(ESCAPE_LINE, "ab\x1b" "cdef", out, 10), 9);
	assert_string_equal(out, "ab\\x1b...");
}

static void test_native_name(void **state)
{
	static const struct {
		const char *symbol;
		const char *want;
	} cases[] = {
		{"memset", "memset"},
		{"__memset_avx512_unaligned_erms", "memset"},
		{"__memset_avx2_unaligned_erms", "memset"},
		{"__memset_evex_unaligned_erms", "memset"},
		{"__memset_sse2_unaligned", "memset"},
		{"__memmove_avx_unaligned_erms", "memmove"},
		{"__strlen_evex", "strlen"},
		{"__strchr_sse2", "strchr"},
		{"__strcasecmp_l_avx", "strcasecmp_l"},
		{"__memcpy_ssse3", "memcpy"},
		{"__memset_generic", "memset"},	/* aarch64's */
		{"__memset_zva64", "memset"},
		{"__memcpy_oryon1", "memcpy"},
		{"__strlen_asimd", "strlen"},
		{"__memchr_nosimd", "memchr"},
		{"_ctypes_callproc.cold", "_ctypes_callproc"},
		{"PyCFuncPtr_call.cold", "PyCFuncPtr_call"},
		{"clock_nanosleep@GLIBC_2.2.5", "clock_nanosleep"},
		{"foo.isra.0", "foo"},
		{"foo.constprop.0.isra.0", "foo"},
		{"__pthread_kill_implementation", "__pthread_kill_implementation"},
		{"__libc_start_call_main", "__libc_start_call_main"},
		{"___avx", "___avx"},	/* nothing before the marker: left alone */
		{"", ""},
	};
	char out[FINGERPRINT_VALUE_MAX + 1];
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fingerprint_native_name(cases[i].symbol, out, sizeof(out));
		assert_string_equal(out, cases[i].want);
	}
	/* Cut to the buffer, NUL-terminated. */
	fingerprint_native_name("abcdef", out, 4);
	assert_string_equal(out, "abc");
}

/* The native part of a fingerprint names the first frame outside the C
 * library, the loader and libffi, whether their frames have symbols or
 * not, and a library without a symbol by its name up to ".so". */
static void test_native_part(void **state)
{
	static const struct {
		struct native_symbol top[3];
		const char *want;
	} cases[] = {
		{{{.module = "libc.so.6", .symbol = "__memset_avx2_unaligned_erms"},
		  {.module = "libffi.so.8"},
		  {.module = "_ctypes.so", .symbol = "_ctypes_callproc"}},
		 "_ctypes_callproc"},
		{{{.module = "libc.so.6"},
		  {.module = "libffi.so.8.5.0"},
		  {.module = "_ctypes.so", .symbol = "_ctypes_callproc"}},
		 "_ctypes_callproc"},
		{{{.module = "libc.so.6", .symbol = "__memset_avx2_unaligned_erms"},
		  {.module = "_ctypes.so", .symbol = "ffi_call_unix64"},
		  {.module = "_ctypes.so", .symbol = "_ctypes_callproc"}},
		 "_ctypes_callproc"},
		{{{.module = "libc.so.6"},
		  {.module = "libcrash.so.1.2.3"},
		  {.module = "_ctypes.so", .symbol = "_ctypes_callproc"}},
		 "?@libcrash.so"},
		{{{.module = "libc.so.6", .symbol = "__pthread_kill_implementation"},
		  {.module = "libc.so.6", .symbol = "abort"},
		  {.module = "python3.11", .symbol = "os_abort.cold"}},
		 "os_abort"},
		{{{.module = "ld-linux-x86-64.so.2"},
		  {.module = "libpthread-2.31.so"},
		  {.module = "_ctypes.cpython-311-x86_64-linux-gnu.so", .symbol = "PyCFuncPtr_call"}},
		 "PyCFuncPtr_call"},
		/* Nothing outside the C library: named as before, the first frame
		 * that is not plumbing. */
		{{{.module = "libc.so.6", .symbol = "raise"},
		  {.module = "libc.so.6", .symbol = "__strlen_avx2"},
		  {.module = "libc.so.6", .symbol = "start_thread"}},
		 "strlen"},
		{{{.module = "libc.so.6"}, {.module = "libc.so.6"}, {.module = "libc.so.6"}},
		 "?@libc.so"},
	};
	size_t i, j;
	(void)state;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct native_frame frames[3];
		struct native_stack stack = {.frames = frames, .nframes = 3};
		struct fingerprint_input in = {.signo = 11, .signame = "SIGSEGV", .native = &stack};
		static struct fingerprint fp;

		for (j = 0; j < 3; j++)
			frames[j] = (struct native_frame){.pc = 0x1000 + j, .where = cases[i].top[j]};
		fingerprint_compute(&in, &fp);
		assert_string_equal(fp.native, cases[i].want);
	}
}

/* The markers Python's own tracebacks print, cut to the buffer. */
static void test_repeat_marker(void **state)
{
	char out[REPEAT_MARKER_MAX];
	(void)state;

	assert_false(repeat_marker(0, 7, out, sizeof(out)));
	assert_string_equal(out, "");
	assert_true(repeat_marker(1, 1, out, sizeof(out)));
	assert_string_equal(out, "[Previous line repeated 1 more time]");
	assert_true(repeat_marker(1, 996, out, sizeof(out)));
	assert_string_equal(out, "[Previous line repeated 996 more times]");
	assert_true(repeat_marker(3, 1, out, sizeof(out)));
	assert_string_equal(out, "[Previous 3 frames repeated 1 more time]");
	assert_true(repeat_marker(SIZE_MAX, SIZE_MAX, out, sizeof(out)));
	assert_string_equal(out, "[Previous 18446744073709551615 frames repeated "
				 "18446744073709551615 more times]");
	assert_true(repeat_marker(2, 5, out, 10));
	assert_string_equal(out, "[Previous");
}

/* Every kind of note, in the order the reports list them, worded as the
 * text report words them; and none for an analysis with nothing to say. */
static void test_notes(void **state)
{
	static const struct {
		enum note_code code;
		const char *name;
		bool warning;
		const char *text;
	} want[] = {
		{NOTE_INPUT_CUT, "input-cut", true,
		 "the xz stream is cut short; what follows is read from the 4096 bytes of "
		 "core before that"},
		{NOTE_CORE_TRUNCATED, "core-truncated", false,
		 "the core is truncated: 512 bytes missing"},
		{NOTE_CORE, "core", true, "a note of the core cannot be read"},
		{NOTE_FILES, "files", true, "libc.so.6 is missing"},
		{NOTE_FILES, "files", true, "libm.so.6 is missing"},
		{NOTE_PYTHON, "python", true, "DWARF not used"},
		{NOTE_PYTHON, "python", true, "thread names: a cycle"},
		{NOTE_PYTHON_ERROR, "python-error", false, "a walk stopped"},
		{NOTE_STACK_ERROR, "stack-error", false, "a frame points to itself"},
		{NOTE_THREADS_NOT_READ, "threads-not-read", true,
		 "3 thread states not read (--max-threads=1)"},
		{NOTE_TASKS_CUT, "tasks-cut", true,
		 "more asyncio tasks than --max-tasks=10; the rest are not shown"},
		{NOTE_TASKS_ERROR, "tasks-error", true, "asyncio tasks: no event loop"},
		{NOTE_TIMEOUT, "timeout", true,
		 "the analysis stopped at --timeout=0.5 seconds; the stacks end where it was"},
	};
	char *core_warnings[] = {"a note of the core cannot be read"};
	char *file_warnings[] = {"libc.so.6 is missing", "libm.so.6 is missing"};
	char *python_warnings[] = {"DWARF not used"};
	char *late_warnings[] = {"thread names: a cycle"};
	struct input input = {.size = 4096};
	struct core core = {0};
	struct modules modules = {0};
	struct python python = {.found = true};
	struct py_thread first = {0};
	struct python_options options = {.max_threads = 1, .max_tasks = 10};
	struct deadline deadline = {.seconds = 0.5};
	struct pytasks tasks = {0};
	struct note_sources from = {.input = &input, .core = &core, .modules = &modules,
				    .python = &python, .tasks = &tasks, .first = &first,
				    .options = &options, .deadline = &deadline};
	struct note *notes;
	size_t n, i;
	(void)state;

	assert_null(notes_gather(&from, &notes, &n));
	assert_int_equal(n, 0);
	notes_free(notes, n);

	input.error = "the xz stream is cut short";
	core = (struct core){.truncated = true, .missing_bytes = 512, .warnings = core_warnings,
			     .nwarnings = 1};
	modules = (struct modules){.warnings = file_warnings, .nwarnings = 2};
	python.warnings = python_warnings;
	python.nwarnings = 1;
	from.late_warnings = late_warnings;
	from.nlate_warnings = 1;
	python.error = "a walk stopped";
	python.threads_not_read = 3;
	tasks.cut = true;
	tasks.error = "no event loop";
	first.error = "a frame points to itself";
	deadline.passed = true;
	assert_null(notes_gather(&from, &notes, &n));
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < n; i++) {
		assert_int_equal(notes[i].code, want[i].code);
		assert_string_equal(note_code_name(notes[i].code), want[i].name);
		assert_int_equal(notes[i].warning, want[i].warning);
		assert_string_equal(notes[i].text, want[i].text);
	}
	notes_free(notes, n);

	/* No interpreter: said once, and only when nothing failed instead. */
	python = (struct python){0};
	from = (struct note_sources){.input = &(struct input){0}, .core = &(struct core){0},
				     .modules = &(struct modules){0}, .python = &python,
				     .tasks = &(struct pytasks){0}, .options = &options,
				     .deadline = &deadline};
	deadline.passed = false;
	assert_null(notes_gather(&from, &notes, &n));
	assert_int_equal(n, 1);
	assert_int_equal(notes[0].code, NOTE_NO_PYTHON);
	assert_false(notes[0].warning);
	assert_string_equal(notes[0].text, "no Python interpreter found (no _PyRuntime or "
					   "interp_head symbol in the files found)");
	notes_free(notes, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_utf8_invalid),
		cmocka_unit_test(test_escape_policies),
		cmocka_unit_test(test_native_name),
		cmocka_unit_test(test_native_part),
		cmocka_unit_test(test_repeat_marker),
		cmocka_unit_test(test_notes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
