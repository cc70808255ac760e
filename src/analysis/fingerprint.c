#include "analysis/fingerprint.h"

#include "python/frame.h"
#include "python/result.h"
#include "elf/unwind.h"

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(FINGERPRINT_PYTHON_FRAMES <= PYFRAME_MIN_FRAMES,
	       "the frames hashed are always read");

/* What every abort() and failed assertion goes through on its way to the
 * signal: naming the crash after these would put every abort in one group. */
static const char *const plumbing[] = {
	"raise",
	"gsignal",
	"abort",
	"pthread_kill",
	"__pthread_kill",
	"__pthread_kill_implementation",
	"__pthread_kill_internal",
	"__libc_message",
	"__libc_fatal",
	"__assert_fail",
	"__assert_fail_base",
	"__assert_perror_fail",
	"__fortify_fail",
	"__chk_fail",
	"__stack_chk_fail",
	"malloc_printerr",
	"__malloc_assert",
	/* libffi's calls, where it is built into _ctypes */
	"ffi_call",
	"ffi_call_int",
	"ffi_call_unix64",
};

/* The parts of glibc's multiarch names (sysdeps/x86_64/multiarch,
 * sysdeps/aarch64/multiarch) that say which CPU the variant is for: the
 * same crash in memset() is "memset" on every machine. */
static const char *const isa_markers[] = {
	"_sse2",    "_ssse3",  "_sse4", "_avx",	    "_evex",	 "_erms",   "_generic",
	"_nosimd",  "_asimd",  "_sve",	"_mops",    "_a64fx",	 "_oryon",  "_emag",
	"_kunpeng", "_zva",    "_thunderx", "_falkor",
};

struct canonical {
	char *text;
	size_t len;
};

static void put_bytes(struct canonical *c, const char *bytes, size_t len)
{
	if (len > FINGERPRINT_CANONICAL_MAX - 1 - c->len)
		len = FINGERPRINT_CANONICAL_MAX - 1 - c->len;
	memcpy(c->text + c->len, bytes, len);
	c->len += len;
	c->text[c->len] = '\0';
}

/* "KEY=VALUE\n", VALUE cut at FINGERPRINT_VALUE_MAX bytes, with newlines
 * and backslashes escaped so that a value cannot forge another line. */
static void put_line(struct canonical *c, const char *key, const char *value)
{
	size_t i, len = strlen(value);

	if (len > FINGERPRINT_VALUE_MAX)
		len = FINGERPRINT_VALUE_MAX;
	put_bytes(c, key, strlen(key));
	put_bytes(c, "=", 1);
	for (i = 0; i < len; i++) {
		if (value[i] == '\n')
			put_bytes(c, "\\n", 2);
		else if (value[i] == '\\')
			put_bytes(c, "\\\\", 2);
		else
			put_bytes(c, &value[i], 1);
	}
	put_bytes(c, "\n", 1);
}

void fingerprint_native_name(const char *symbol, char *out, size_t size)
{
	/* The symbol version goes first ("clock_nanosleep@GLIBC_2.2.5"): its
	 * dots are not a clone suffix's. */
	size_t name = strcspn(symbol, "@"), len = strcspn(symbol, "."), i;
	const char *first = NULL;

	if (size == 0)
		return;
	if (len > name)
		len = name;
	/* Markers follow one another ("_avx2_unaligned_erms"): the name ends
	 * at the first. */
	if (strncmp(symbol, "__", 2) == 0)
		for (i = 0; i < sizeof(isa_markers) / sizeof(isa_markers[0]); i++) {
			const char *marker = strstr(symbol + 2, isa_markers[i]);

			if (marker && (!first || marker < first))
				first = marker;
		}
	if (first && first > symbol + 2 && first < symbol + len) {
		symbol += 2;
		len = (size_t)(first - symbol);
	}
	if (len >= size)
		len = size - 1;
	memcpy(out, symbol, len);
	out[len] = '\0';
}

static bool is_plumbing(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(plumbing) / sizeof(plumbing[0]); i++)
		if (strcmp(name, plumbing[i]) == 0)
			return true;
	return false;
}

/* The C library and the dynamic loader, by file name: glibc (with its
 * libpthread before 2.34, and the -2.NN.so names before 2.32) and musl;
 * and libffi, through which ctypes calls into them. */
static const char *const pass_through[] = {
	"libc.so.", "libc-2.", "libc.musl-", "libpthread.so.", "libpthread-2.",
	"ld-linux", "ld64.so.", "ld-2.", "ld-musl-", "libffi.so.",
};

/* Whether MODULE is the C library, the dynamic loader or libffi.  A crash
 * in them (memset through NULL, an abort's own frames) is named after
 * their caller: whether their frames have names depends on the machine
 * that reads the core (Debian ships libc and libffi without a symbol
 * table, libc6-dbg adds one; CPython up to 3.7 may build libffi into
 * _ctypes with its symbols), so that naming them would split one crash
 * in two. */
static bool is_pass_through(const char *module)
{
	size_t i;

	for (i = 0; module && i < sizeof(pass_through) / sizeof(pass_through[0]); i++)
		if (strncmp(module, pass_through[i], strlen(pass_through[i])) == 0)
			return true;
	return false;
}

/* "?@MODULE" for a frame without a symbol, MODULE without the version
 * after ".so" ("libffi.so.8.5.0" is "libffi.so"): hosts name the same
 * library by its soname or by the file the soname links to. */
static void unnamed(const char *module, char *out, size_t size)
{
	const char *so = module ? strstr(module, ".so.") : NULL;
	int len = so ? (int)(so + 3 - module) : INT_MAX;

	snprintf(out, size, "?@%.*s", len, module ? module : "?");
}

/* Into OUT, the name of the first of frames FIRST to N - 1 of STACK that
 * is not plumbing (nor, with OUTSIDE_LIBC, in a pass-through library);
 * "?@MODULE" for a frame without a symbol.  Whether there was one. */
static bool first_named(const struct native_stack *stack, size_t first, size_t n,
			bool outside_libc, char *out, size_t size)
{
	size_t i;

	for (i = first; i < n; i++) {
		const struct native_symbol *where = &stack->frames[i].where;

		if (outside_libc && is_pass_through(where->module))
			continue;
		if (!where->symbol) {
			unnamed(where->module, out, size);
			return true;
		}
		fingerprint_native_name(where->symbol, out, size);
		if (!is_plumbing(out))
			return true;
	}
	return false;
}

/* The crashing thread's top native frame from FIRST on that is neither
 * plumbing nor in a pass-through library; when every frame is one of
 * those, the first that is not plumbing, else frame FIRST. */
static void native_part(const struct native_stack *stack, size_t first, char *out, size_t size)
{
	size_t n = stack->nframes;

	if (n > first + FINGERPRINT_NATIVE_FRAMES)
		n = first + FINGERPRINT_NATIVE_FRAMES;
	if (first_named(stack, first, n, true, out, size) ||
	    first_named(stack, first, n, false, out, size))
		return;
	snprintf(out, size, "?");
	if (first < n && stack->frames[first].where.symbol)
		fingerprint_native_name(stack->frames[first].where.symbol, out, size);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* co_name, the last part of co_qualname: 3.11+ report "Class.method" where
 * older versions report "method", and the same crash should group across
 * versions. */
static const char *function_name(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot && dot[1] ? dot + 1 : name;
}

/* A list, dict or set comprehension's own frame: 3.12 inlines them (PEP
 * 709) where older versions call a function, and the same crash should
 * group across versions. */
static bool is_comprehension(const struct py_frame *frame)
{
	static const char *const names[] = {"<listcomp>", "<dictcomp>", "<setcomp>"};
	size_t i;

	for (i = 0; !frame->error && frame->name && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(function_name(frame->name), names[i]) == 0)
			return true;
	return false;
}

/* The FINGERPRINT_PYTHON_FRAMES most recent frames of THREAD as its chain
 * holds them, a collapsed recursion's repeats included and comprehensions'
 * frames left out, into RET; how many. */
static size_t innermost_frames(const struct py_thread *thread,
			       const struct py_frame *ret[FINGERPRINT_PYTHON_FRAMES])
{
	size_t n = 0, i, r, j;

	for (i = 0; i < thread->nframes && n < FINGERPRINT_PYTHON_FRAMES; i++) {
		const struct py_frame *frame = &thread->frames[i];

		if (is_comprehension(frame))
			continue;
		ret[n++] = frame;
		for (r = 0; r < frame->repeat_count && n < FINGERPRINT_PYTHON_FRAMES; r++)
			for (j = 0; j < frame->repeat_period && n < FINGERPRINT_PYTHON_FRAMES; j++)
				ret[n++] = &thread->frames[i + 1 - frame->repeat_period + j];
	}
	return n;
}

/* The canonical string is FNV-1a 64 hashed; the id is the first
 * FINGERPRINT_ID_LEN digits of the hash in hex. */
static void hash_id(const char *text, size_t len, char *out)
{
	uint64_t hash = 0xcbf29ce484222325ULL;
	char hex[17];
	size_t i;

	for (i = 0; i < len; i++) {
		hash ^= (unsigned char)text[i];
		hash *= 0x100000001b3ULL;
	}
	snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)hash);
	memcpy(out, hex, FINGERPRINT_ID_LEN);
	out[FINGERPRINT_ID_LEN] = '\0';
}

static int compare_frames(const void *a, const void *b)
{
	const struct py_frame *x = *(const struct py_frame *const *)a;
	const struct py_frame *y = *(const struct py_frame *const *)b;
	int by_file = strcmp(base_name(x->filename), base_name(y->filename));

	return by_file ? by_file : strcmp(function_name(x->name), function_name(y->name));
}

size_t fingerprint_blocked_set(const struct py_frame **frames, size_t n)
{
	size_t i, kept = 0;

	if (n)
		qsort(frames, n, sizeof(*frames), compare_frames);
	for (i = 0; i < n; i++)
		if (!kept || compare_frames(&frames[kept - 1], &frames[i]) != 0)
			frames[kept++] = frames[i];
	return kept;
}

/* The frames of IN->python, or of the blocked threads of a hang, as
 * "file=" and "function=" lines; whether any was readable. */
static bool put_frames(struct canonical *c, const struct fingerprint_input *in)
{
	const struct py_frame *top[FINGERPRINT_PYTHON_FRAMES];
	size_t i, n;
	bool readable = false;

	if (in->nblocked) {
		for (i = 0; i < in->nblocked; i++) {
			put_line(c, "file", base_name(in->blocked[i]->filename));
			put_line(c, "function", function_name(in->blocked[i]->name));
		}
		return true;
	}
	n = in->python ? innermost_frames(in->python, top) : 0;
	for (i = 0; i < n; i++) {
		bool ok = !top[i]->error;

		put_line(c, "file", ok && top[i]->filename ? base_name(top[i]->filename) : "?");
		put_line(c, "function", ok && top[i]->name ? function_name(top[i]->name) : "?");
		readable |= ok && (top[i]->filename || top[i]->name);
	}
	return readable;
}

void fingerprint_compute(const struct fingerprint_input *in, struct fingerprint *ret)
{
	struct canonical c = {.text = ret->canonical};
	char number[16];
	bool frames;

	ret->canonical[0] = '\0';
	ret->unique = false;
	put_bytes(&c, "pycore-fingerprint 1\n", strlen("pycore-fingerprint 1\n"));
	snprintf(number, sizeof(number), "%d", in->signo);
	/* Signal 0: a live process's dump (gcore), no crash; it names the
	 * hang. */
	if (in->signo == 0)
		put_line(&c, "hang", "live process");
	else
		put_line(&c, "signal", in->signame ? in->signame : number);
	frames = put_frames(&c, in);
	native_part(in->native, in->native_first, ret->native, sizeof(ret->native));
	if (in->nblocked == 0)
		put_line(&c, "native", ret->native);
	if (!frames && (strcmp(ret->native, "?") == 0 || strcmp(ret->native, "?@?") == 0)) {
		char pc[64];

		if (in->executable)
			put_line(&c, "executable", base_name(in->executable));
		if (in->abort_message) {
			put_line(&c, "abort", in->abort_message);
		} else {
			snprintf(pc, sizeof(pc), "PID %d at 0x%llx", in->pid,
				 in->native->nframes ? (unsigned long long)in->native->frames[0].pc
						     : 0ULL);
			put_line(&c, "unique", pc);
			ret->unique = true;
		}
	}
	ret->canonical_len = c.len;
	hash_id(c.text, c.len, ret->id);
}
