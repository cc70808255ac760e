/* Which frames of a chain are shown: a recursion collapsed as Python's
 * tracebacks collapse it ("[Previous N frames repeated M more times]"),
 * and a stack too long for --max-frames cut.  Pure functions over plain
 * arrays, so that their edge cases are tested without a core. */
#ifndef PYCORE_PYTHON_COLLAPSE_H
#define PYCORE_PYTHON_COLLAPSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Repeated blocks of frames that are collapsed: up to this many frames long,
 * repeated at least this many more times (as the block, then the marker). */
#define PYFRAME_MAX_PERIOD 16
#define PYFRAME_MIN_REPEATS 2
/* One frame repeated is shown as CPython's tracebacks show it (its
 * _RECURSIVE_CUTOFF): this many times, then "[Previous line repeated N
 * more times]" for the rest, so that a run no longer than this is shown
 * whole. */
#define PYFRAME_LINE_CUTOFF 3

/* Where one frame of a chain runs, innermost frame first in the chain. */
struct frame_place {
	uint64_t code;		/* its code object */
	int64_t offset;		/* bytes into the bytecode */
	bool unreadable;	/* not read: the same place as no other frame */
};

/* A frame to show, and the repeats of the block it ends. */
struct frame_pick {
	size_t index;		/* into the chain */
	size_t period;		/* the last frame of a collapsed block: its length, */
	size_t repeats;		/* and how many more times it ran; else 0 and 0 */
};

/* Fill PICKS (room for NPLACES) with the frames of the chain PLACES to
 * show, in order: every frame, or with COLLAPSE each run of a block of 2 to
 * PYFRAME_MAX_PERIOD frames that repeats at least PYFRAME_MIN_REPEATS more
 * times right after itself as the block once, and a run of more than
 * PYFRAME_LINE_CUTOFF times one frame as its first PYFRAME_LINE_CUTOFF (of
 * the periods that qualify, the one that covers most frames wins; the
 * shortest of equals).  Returns the number of picks. */
size_t frame_collapse(const struct frame_place *places, size_t nplaces, bool collapse,
		      struct frame_pick *picks);

/* Of NPICKS picks, which to show under the cap KEEP: the first *HEAD and
 * the last *TAIL (all of them, *TAIL 0, when they fit).  With COLLAPSE
 * the outermost frames say how the thread got there and keep a quarter of
 * the cap; else only the innermost are kept. */
void frame_cut(size_t npicks, size_t keep, bool collapse, size_t *head, size_t *tail);

#endif
