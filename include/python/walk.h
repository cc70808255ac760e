/* What the files of the Python walk share, and nothing above them uses:
 * locate.c finds the interpreter, layout_choice.c its layout,
 * interpreters.c lists its interpreters and thread states, and walk.c
 * runs them in that order, then gives each state its thread
 * (thread_match.h) and reads the frames. */
#ifndef PYCORE_PYTHON_WALK_H
#define PYCORE_PYTHON_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "elf/memory.h"
#include "elf/modules.h"
#include "layout/layout.h"
#include "python/frame.h"
#include "python/python.h"

struct core;
struct pc_error;

/* Where the interpreter lives in the process. */
struct anchors {
	Dwfl_Module *module;	/* executable or libpython */
	uint64_t runtime;	/* &_PyRuntime (3.7+), or 0 */
	uint64_t runtime_size;	/* its symbol's st_size, or 0 when not known */
	uint64_t interp_head;	/* &interp_head (2.7, 3.6), or 0 */
	uint64_t tstate_current; /* &_PyThreadState_Current (2.7, 3.6), or 0 */
	uint64_t gc_collecting;	/* &collecting in gcmodule.c (2.7, 3.6), or 0 */
	uint64_t code_type;	/* &PyCode_Type */
	uint64_t none;		/* &_Py_NoneStruct */
	unsigned machine;	/* the core's ELF machine: which built-in tables hold */
};

struct interpreter_walk {
	struct python *python;
	struct memory *mem;
	const struct anchors *anchors;
	const struct python_options *options;
	struct pyframe_walker frames;
	size_t threads_capacity, top_frames_capacity;
	uint64_t *top_frames;	/* per listed state: its PyFrameObject chain's head (≤3.10) */
};

/* locate.c */

/* The interpreter's symbols; false when no module defines them. */
bool python_find_anchors(struct modules *modules, struct memory *mem, struct anchors *ret);

/* The version, from the most exact source the build has (version.h). */
bool python_find_version(struct modules *modules, struct memory *mem,
			 const struct anchors *anchors, unsigned *hex);

/* The file that would hold the interpreter (the executable, or a
 * libpython) when the core maps one that could not be used, else NULL. */
const struct modules_unusable *python_unusable_interpreter_file(const struct modules *modules);

/* No interpreter symbol, and FILE could not be used: find what the core's
 * own memory tells (the version, and on 3.13+ _PyRuntime with the offsets
 * to read it) into ANCHORS and *HEX, and say in RET what is missing.
 * Errors are for out-of-memory only. */
struct pc_error *python_anchors_without_file(struct modules *modules, struct memory *mem,
					     const struct modules_unusable *file,
					     struct anchors *anchors, unsigned *hex,
					     struct python *ret);

/* layout_choice.c */

/* Fill PYTHON->layout from the source REQUEST names (AUTO: DWARF, else
 * _Py_DebugOffsets for 3.13+, else the tables). */
struct pc_error *python_choose_layout(struct python *python, struct memory *mem,
				      const struct anchors *anchors, unsigned hex,
				      enum layout_request request);

/* Where LAYOUT came from, for the report (allocated; NULL: no memory). */
char *python_layout_detail(struct modules *modules, Dwfl_Module *module,
			   const struct py_layout *layout);

/* Auto's first choice, walked and checked against the core: true when
 * PYTHON holds its walk (*RET: an error of that walk), false when the
 * layout must come from elsewhere. */
bool python_walk_without_dwarf(struct python *python, struct memory *mem,
			       const struct core *core, const struct anchors *anchors,
			       unsigned hex, const struct python_options *options,
			       struct pc_error **ret);

/* interpreters.c */

/* py_thread.not_read of a state listed and not read yet. */
extern const char python_not_read_yet[];

/* List every interpreter and thread state into WALK->python. */
struct pc_error *python_list_interpreters(struct interpreter_walk *walk);

/* walk.c */

/* List, match and read every thread state with the layout chosen. */
struct pc_error *python_walk(struct python *python, struct memory *mem, const struct core *core,
			     const struct anchors *anchors, const struct python_options *options);

/* Forget what a walk filled in, so that another layout can walk again. */
void python_forget_walk(struct python *python);

#endif
