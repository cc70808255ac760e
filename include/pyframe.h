/* Walking the Python frames of one thread state: the PyFrameObject chain
 * (2.7 - 3.10) or the _PyInterpreterFrame chain (3.11+). */
#ifndef PYCORE_PYFRAME_H
#define PYCORE_PYFRAME_H

#include <stddef.h>
#include <stdint.h>

#include "pycode.h"
#include "pyresult.h"

struct deadline;
struct pylocals;

/* The text kept for the frames of all threads (file names, function names,
 * variables and their reprs) stops the walks past this many bytes: each
 * piece is capped, but a crafted core can repeat long ones in every frame
 * of every thread, thousands of times each. */
#define PYFRAME_MAX_TEXT (256u << 20)

struct pyframe_walker {
	struct py_reader reader;
	struct pycode_cache *codes;
	uint64_t code_type;	/* &PyCode_Type, or 0 when unknown */
	size_t max_frames;
	struct pylocals *locals; /* read each frame's variables (--locals), or NULL */
	struct deadline *deadline; /* stop the walk when it passes, or NULL */
	size_t text;		/* bytes of text kept so far, over all threads */
};

/* Fill THREAD->frames from the thread state at TSTATE.  Frames that cannot
 * be decoded are kept with their error; a chain that cannot be followed
 * further ends the walk with THREAD->error set.  Errors returned are for
 * out-of-memory only. */
struct pc_error *pyframe_walk(struct pyframe_walker *walker, uint64_t tstate,
			      struct py_thread *thread);

/* Decode the one frame at ADDRESS (a PyFrameObject, or a _PyInterpreterFrame
 * such as the one inside a coroutine) into FRAME, which the caller zeroed.
 * What cannot be read is FRAME->error; errors returned are for
 * out-of-memory only. */
struct pc_error *pyframe_describe(struct pyframe_walker *walker, uint64_t address,
				  struct py_frame *frame);

#endif
