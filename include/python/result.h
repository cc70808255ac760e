/* What the walks read of a crashed process's Python threads: its thread
 * states, their frames, their variables and the exception each handles.
 * The walkers (pyframe.c, pylocals.c, pyexc.c, python/walk.c) fill these and the
 * layers above read them, so this header depends on nothing above the
 * line tables. */
#ifndef PYCORE_PYTHON_RESULT_H
#define PYCORE_PYTHON_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "python/linetable.h"

struct py_exception {
	char *type;		/* tp_name of the exception's type, or NULL: none */
	char *message;		/* str() of a one-argument exception (an argument that
				 * is not text, and KeyError's, by its repr), else NULL */
};

/* Where a variable of a frame lives. */
enum py_local_kind {
	PY_LOCAL_PLAIN,		/* an argument or local variable */
	PY_LOCAL_CELL,		/* a local that inner functions use (its cell's content) */
	PY_LOCAL_FREE,		/* a variable of an outer function (its cell's content) */
};

/* One bound variable of a frame, with --locals. */
struct py_local {
	char *name;		/* UTF-8 */
	char *repr;		/* UTF-8, bounded (see pyrepr.h); "<unreadable: why>" inside
				 * where a value could not be read */
	enum py_local_kind kind;
};

struct py_frame {
	uint64_t address;	/* the PyFrameObject or _PyInterpreterFrame */
	char *filename;		/* UTF-8, or NULL when unreadable */
	char *name;		/* co_qualname (3.11+) or co_name */
	struct py_location location;
	bool is_entry;		/* first frame run by its C-level eval call (3.11+) */
	char *error;		/* the frame could not be decoded: why */
	struct py_local *locals; /* with --locals: in the frame's slot order; unbound
				  * variables are left out */
	size_t nlocals;
	bool locals_cut;	/* more variables than pylocals.h's cap */
	char *locals_error;	/* the variables could not be read: why */
	/* This frame ends a block of REPEAT_PERIOD frames (it and those just
	 * before it) that the chain holds REPEAT_COUNT more times in a row
	 * after it, not kept: a recursion, collapsed.  0, 0: none. */
	size_t repeat_period;
	size_t repeat_count;
};

struct py_thread {
	uint64_t tstate;
	uint64_t interp;
	int64_t interp_index;	/* 0 for the main interpreter */
	uint64_t thread_id;	/* pthread_self() of the thread */
	uint64_t native_thread_id; /* LWP, where the version records it (3.11+), else 0 */
	char *name;		/* its threading.Thread's name (UTF-8), or NULL */
	bool daemon;		/* ... and that Thread's daemon flag */
	bool holds_gil;
	/* An address on the C stack of the thread running this state (3.11,
	 * 3.12: its _PyCFrame), else 0 or an address elsewhere. */
	uint64_t stack_address;
	size_t owner;		/* 1 + the index of the core's thread running it; 0: none */
	/* NULL: the frames were read; else why not ("--max-threads",
	 * "--timeout"). */
	const char *not_read;
	struct py_frame *frames; /* most recent call first */
	size_t nframes;
	bool cut;		/* frames were left out: OMITTED of them, or the chain is
				 * longer than PYFRAME_MAX_CHAIN */
	size_t total_frames;	/* in the chain, repeats and omitted frames included */
	size_t nhead;		/* frames[0..nhead) are the innermost; when OMITTED, the
				 * rest are the outermost */
	size_t omitted;		/* frames left out between them (--max-frames) */
	char *error;		/* the walk stopped early: why */
	struct py_exception exception;	/* being handled (sys.exc_info()), if any */
	char *exception_error;	/* it could not be read: why */
};

enum py_task_state {
	PY_TASK_PENDING,
	PY_TASK_CANCELLED,
	PY_TASK_DONE,
	PY_TASK_UNKNOWN,
};

/* What a task waits on, told from the future it waits on and, for a plain
 * future, from the asyncio function that made it (its innermost frame). */
enum py_wait {
	PY_WAIT_NOTHING,	/* running, or ready to run */
	PY_WAIT_TASK,		/* another task (awaits[0]) */
	PY_WAIT_GATHER,		/* asyncio.gather() of the tasks in awaits */
	PY_WAIT_TASK_GROUP,	/* the end of an asyncio.TaskGroup's block */
	PY_WAIT_SLEEP,		/* asyncio.sleep() */
	PY_WAIT_LOCK,		/* asyncio.Lock.acquire() */
	PY_WAIT_SEMAPHORE,	/* asyncio.Semaphore.acquire() */
	PY_WAIT_EVENT,		/* asyncio.Event.wait() */
	PY_WAIT_CONDITION,	/* asyncio.Condition.wait() */
	PY_WAIT_QUEUE,		/* asyncio.Queue.get() or put() */
	PY_WAIT_FUTURE,		/* another future */
};

/* One asyncio task (or a future a task awaits that is no task). */
struct py_task {
	uint64_t address;
	char *name;		/* UTF-8; NULL when unreadable */
	enum py_task_state state;
	uint64_t loop;		/* its event loop */
	int64_t interp_index;
	bool running;		/* its loop's current task: its frames are its thread's */
	int64_t thread;		/* the running task's thread (index in python.threads), or -1 */
	struct py_frame *frames; /* the coroutine chain, OUTERMOST first */
	size_t nframes;
	bool cut;		/* the chain is longer than max_frames */
	char *error;		/* the task or its chain could not be read (further): why */
	enum py_wait wait;
	uint64_t waiter;	/* the future it waits on (fut_waiter), or 0 */
	char *waiter_type;	/* that future's type name, or NULL */
	size_t *awaits;		/* indices in python.tasks of the tasks it waits for */
	size_t nawaits;
	bool awaits_cut;
};

#endif
