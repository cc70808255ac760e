#include "analysis/interleave.h"

#include "base/error.h"
#include "layout/layout.h"
#include "python/frame.h"
#include "python/python.h"
#include "elf/unwind.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Whether SYMBOL is FUNCTION or one of the parts the compiler split it
 * into ("_PyEval_EvalFrameDefault.cold", ".lto_priv.0"). */
static bool is_function(const char *symbol, const char *function)
{
	size_t len = strlen(function);

	return symbol && strncmp(symbol, function, len) == 0 &&
	       (symbol[len] == '\0' || symbol[len] == '.');
}

/* How many Python frames the eval call that runs frame FIRST runs: one
 * with PyFrameObject chains; up to the entry frame with interpreter
 * frames.  0 when the chain ends without the entry frame. */
static size_t frames_of_call(const struct py_thread *python, const struct py_layout *layout,
			     size_t first)
{
	size_t i;

	if (layout->frame_shape == FRAME_SHAPE_OBJECT)
		return first < python->nframes ? 1 : 0;
	for (i = first; i < python->nframes; i++)
		if (python->frames[i].is_entry)
			return i - first + 1;
	return 0;
}

/* Whether SYMBOL is the interpreter's machinery for making a call or
 * running a Python function, which says nothing that the frames around it
 * do not: "cfunction_vectorcall_O", "_PyObject_MakeTpCall", 2.7's
 * "call_function", "_PyEval_Vector", "PyEval_EvalCodeEx", "slot_tp_init". */
static bool is_call_machinery(const char *symbol)
{
	return strstr(symbol, "call") || strstr(symbol, "Call") ||
	       strncmp(symbol, "PyEval_", 7) == 0 || strncmp(symbol, "_PyEval_", 8) == 0 ||
	       strncmp(symbol, "slot_tp_", 8) == 0 || is_function(symbol, "fast_function");
}

static struct pc_error *fail(struct mixed_stack *ret, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static struct pc_error *fail(struct mixed_stack *ret, const char *fmt, ...)
{
	va_list args;
	int rc;

	free(ret->entries);
	ret->entries = NULL;
	ret->nentries = 0;
	va_start(args, fmt);
	rc = vasprintf(&ret->error, fmt, args);
	va_end(args);
	if (rc < 0) {
		ret->error = NULL;
		return &pc_error_nomem;
	}
	return NULL;
}

struct pc_error *mixed_build(const struct native_stack *native, const struct py_thread *python,
			     const struct py_layout *layout, const char *interpreter_module,
			     bool keep_internal, struct mixed_stack *ret)
{
	size_t nframes = python ? python->nframes : 0;
	size_t i, next_python = 0, calls = 0, outermost_eval = 0;
	bool evals = false;	/* none: every frame is below the outermost Python frame */

	*ret = (struct mixed_stack){0};
	for (i = 0; layout && i < native->nframes; i++)
		if (is_function(native->frames[i].where.symbol, layout->eval_function)) {
			outermost_eval = i;
			evals = true;
		}
	ret->entries = calloc(native->nframes + nframes + 1, sizeof(*ret->entries));
	if (!ret->entries)
		return &pc_error_nomem;
	for (i = 0; i < native->nframes; i++) {
		const struct native_symbol *where = &native->frames[i].where;
		size_t count, j;

		if (layout && is_function(where->symbol, layout->eval_function)) {
			calls++;
			count = python ? frames_of_call(python, layout, next_python) : 0;
			if (count == 0)
				return fail(ret,
					    "native eval call %zu has no Python frame to pair with "
					    "(%zu of the %zu Python frames pair with the calls before "
					    "it)",
					    calls, next_python, nframes);
			for (j = 0; j < count; j++)
				ret->entries[ret->nentries++] =
					(struct mixed_entry){MIXED_PYTHON, next_python + j};
			next_python += count;
			continue;
		}
		/* Of the interpreter's own frames, those a Python frame called
		 * into are kept (time_sleep, lock_PyThread_acquire_lock: what
		 * the thread is doing), but not the call machinery; those below
		 * the outermost Python frame only start the interpreter. */
		if (!keep_internal && interpreter_module && where->module &&
		    strcmp(where->module, interpreter_module) == 0 &&
		    (!evals || i > outermost_eval || !where->symbol ||
		     is_call_machinery(where->symbol)))
			continue;
		ret->entries[ret->nentries++] = (struct mixed_entry){MIXED_NATIVE, i};
	}
	/* A native stack cut by --max-frames before its eval calls still
	 * shows the Python frames every report keeps (PYFRAME_MIN_FRAMES). */
	while (native->cut && next_python < nframes && next_python < PYFRAME_MIN_FRAMES)
		ret->entries[ret->nentries++] = (struct mixed_entry){MIXED_PYTHON, next_python++};
	if (next_python != nframes && !python->cut && !native->cut)
		return fail(ret, "%zu Python frames but only %zu were paired with native eval calls",
			    nframes, next_python);
	return NULL;
}

void mixed_stack_deinit(struct mixed_stack *stack)
{
	free(stack->entries);
	free(stack->error);
	*stack = (struct mixed_stack){0};
}
