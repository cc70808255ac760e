/* One stack per thread with native and Python frames in true call order,
 * as pystack --native shows it: each native call of the eval loop is
 * replaced by the Python frames it was running. */
#ifndef PYCORE_ANALYSIS_INTERLEAVE_H
#define PYCORE_ANALYSIS_INTERLEAVE_H

#include <stdbool.h>
#include <stddef.h>

struct native_stack;
struct py_layout;
struct py_thread;
struct pc_error;

enum mixed_kind {
	MIXED_NATIVE,
	MIXED_PYTHON,
};

struct mixed_entry {
	enum mixed_kind kind;
	size_t index;		/* into the native or the Python frames */
};

struct mixed_stack {
	struct mixed_entry *entries;	/* most recent call first */
	size_t nentries;
	char *error;		/* the stacks could not be paired: why */
};

/* Interleave NATIVE and PYTHON (which may be NULL: a thread Python does not
 * know keeps its native frames).  Frames of INTERPRETER_MODULE (the base
 * name of the file that holds the interpreter) other than the eval loop are
 * left out unless KEEP_INTERNAL.  When the eval calls and the Python frames
 * do not pair up one to one, RET has an error and no entries: a wrong
 * interleaving would mislead.  Errors returned are for out-of-memory. */
struct pc_error *mixed_build(const struct native_stack *native, const struct py_thread *python,
			     const struct py_layout *layout, const char *interpreter_module,
			     bool keep_internal, struct mixed_stack *ret);
void mixed_stack_deinit(struct mixed_stack *stack);

#endif
