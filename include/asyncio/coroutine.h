/* What the objects of asyncio are, and the chain of coroutines a task
 * runs (coroutine.c). */
#ifndef PYCORE_ASYNCIO_COROUTINE_H
#define PYCORE_ASYNCIO_COROUTINE_H

#include <stdbool.h>
#include <stdint.h>

#include "python/scan.h"

struct pc_error;
struct py_reader;
struct py_task;
struct pyframe_walker;

/* What an object is, for the chain and the waits. */
enum coroutine_kind {
	KIND_OTHER,
	KIND_COROUTINE,		/* coroutine, generator, async generator */
	KIND_ASEND,		/* what `async for` awaits: its async generator's step */
	KIND_FUTURE_ITER,	/* what `await future` awaits (_asyncio.FutureIter) */
	KIND_C_TASK,		/* an _asyncio.Task, or a class derived from it */
	KIND_C_FUTURE,		/* an _asyncio.Future, or derived (_GatheringFuture) */
	KIND_PY_TASK,		/* asyncio.tasks.Task (no _asyncio) */
	KIND_PY_FUTURE,		/* asyncio.futures.Future (no _asyncio) */
};

/* The kind of the object at OBJECT and, in NAME, its type's name. */
struct pc_error *coroutine_object_kind(const struct py_reader *reader, uint64_t object,
				       enum coroutine_kind *ret, char name[PYSCAN_TYPE_NAME_MAX]);

bool coroutine_kind_is_task(enum coroutine_kind kind);

/* Follow the coroutine chain from CORO, outermost first, into TASK's
 * frames (at most the walker's max_frames: TASK->cut says so); *LEAF is
 * the object at its end that is no coroutine (the future awaited), or 0. */
struct pc_error *coroutine_walk_chain(struct pyframe_walker *walker, struct py_task *task,
				      uint64_t coro, uint64_t *leaf);

#endif
