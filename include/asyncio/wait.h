/* What an asyncio task waits on, told from plain facts: whether the future
 * it awaits is itself a task, that future's type name, and the task's
 * coroutine chain.  Pure functions, so that their edge cases are tested
 * without a core. */
#ifndef PYCORE_ASYNCIO_WAIT_H
#define PYCORE_ASYNCIO_WAIT_H

#include <stdbool.h>
#include <stddef.h>

#include "python/result.h"

/* How many of FRAMES (NFRAMES, outermost first) lead down to the one that
 * awaits the future: the pure-Python Future's __await__ is a generator of
 * its own below it (asyncio/futures.py), not counted; the outermost frame
 * always is. */
size_t wait_frames(const struct py_frame *frames, size_t nframes);

/* What a task waits on: PY_WAIT_TASK when the future is a task
 * (WAITER_IS_TASK), PY_WAIT_GATHER when it is a gather()'s (WAITER_TYPE
 * "_GatheringFuture"), else what the asyncio function that made the future
 * says, from the innermost of FRAMES that wait_frames() counts (its file
 * and co_qualname from 3.11, co_name before): sleep, lock, semaphore,
 * event, condition, queue, task group; PY_WAIT_FUTURE when none does. */
enum py_wait wait_classify(bool waiter_is_task, const char *waiter_type,
			   const struct py_frame *frames, size_t nframes);

#endif
