/* Walking the Python frames of one thread state: the PyFrameObject chain
 * (2.7 - 3.10) or the _PyInterpreterFrame chain (3.11+). */
#ifndef PYCORE_PYTHON_FRAME_H
#define PYCORE_PYTHON_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "python/code.h"
#include "python/result.h"

struct deadline;
struct pylocals;

/* The text kept for the frames of all threads (file names, function names,
 * variables and their reprs) stops the walks past this many bytes: each
 * piece is capped, but a crafted core can repeat long ones in every frame
 * of every thread, thousands of times each. */
#define PYFRAME_MAX_TEXT (256u << 20)

/* The most recent frames of a thread that are read whatever max_frames
 * says: the crash fingerprint hashes them (fingerprint.h), and it must not
 * depend on how much of the stacks the report shows. */
#define PYFRAME_MIN_FRAMES 5

/* Links of a frame chain followed at most: a recursion deeper than that is
 * cut (its outermost frames unread).  Each costs about 64 bytes while the
 * chain is read. */
#define PYFRAME_MAX_CHAIN 250000u

struct pyframe_walker {
	struct py_reader reader;
	struct pycode_cache *codes;
	uint64_t code_type;	/* &PyCode_Type, or 0 when unknown */
	size_t max_frames;	/* at least PYFRAME_MIN_FRAMES are kept */
	/* Collapse repeated blocks of frames, and keep the outermost frames
	 * as well as the innermost when there are more than max_frames; else
	 * every frame, the innermost max_frames of them. */
	bool collapse;
	struct pylocals *locals; /* read each frame's variables (--locals), or NULL */
	struct deadline *deadline; /* stop the walk when it passes, or NULL */
	size_t text;		/* bytes of text kept so far, over all threads */
};

/* Fill THREAD->frames from the thread state at TSTATE: the whole chain is
 * followed, the frames kept are described.  Frames that cannot be decoded
 * are kept with their error; a chain that cannot be followed
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
