#include "asyncio/wait.h"

#include <string.h>

static bool ends_with(const char *text, const char *tail)
{
	size_t len = strlen(text), tail_len = strlen(tail);

	return len >= tail_len && strcmp(text + len - tail_len, tail) == 0;
}

size_t wait_frames(const struct py_frame *frames, size_t nframes)
{
	size_t n = nframes;

	while (n > 1 && frames[n - 1].filename &&
	       ends_with(frames[n - 1].filename, "asyncio/futures.py"))
		n--;
	return n;
}

/* A plain future: which asyncio function made it, from the innermost
 * frame that awaits it. */
static enum py_wait wait_from_frame(const struct py_frame *frames, size_t nframes)
{
	static const struct {
		const char *file, *name;
		enum py_wait wait;
	} makers[] = {
		{"asyncio/tasks.py", "sleep", PY_WAIT_SLEEP},
		{"asyncio/locks.py", "Lock.acquire", PY_WAIT_LOCK},
		{"asyncio/locks.py", "Semaphore.acquire", PY_WAIT_SEMAPHORE},
		{"asyncio/locks.py", "Event.wait", PY_WAIT_EVENT},
		{"asyncio/locks.py", "Condition.wait", PY_WAIT_CONDITION},
		{"asyncio/locks.py", "acquire", PY_WAIT_LOCK},
		{"asyncio/locks.py", "wait", PY_WAIT_EVENT},
		{"asyncio/queues.py", "get", PY_WAIT_QUEUE},
		{"asyncio/queues.py", "put", PY_WAIT_QUEUE},
		{"asyncio/queues.py", "Queue.get", PY_WAIT_QUEUE},
		{"asyncio/queues.py", "Queue.put", PY_WAIT_QUEUE},
		{"asyncio/taskgroups.py", "TaskGroup.__aexit__", PY_WAIT_TASK_GROUP},
		{"asyncio/taskgroups.py", "TaskGroup._aexit", PY_WAIT_TASK_GROUP},
	};
	const struct py_frame *frame;
	size_t i, n = wait_frames(frames, nframes);

	if (!n)
		return PY_WAIT_FUTURE;
	frame = &frames[n - 1];
	if (!frame->filename || !frame->name)
		return PY_WAIT_FUTURE;
	for (i = 0; i < sizeof(makers) / sizeof(makers[0]); i++)
		if (ends_with(frame->filename, makers[i].file) &&
		    strcmp(frame->name, makers[i].name) == 0)
			return makers[i].wait;
	return PY_WAIT_FUTURE;
}

enum py_wait wait_classify(bool waiter_is_task, const char *waiter_type,
			   const struct py_frame *frames, size_t nframes)
{
	if (waiter_is_task)
		return PY_WAIT_TASK;
	if (waiter_type && strcmp(waiter_type, "_GatheringFuture") == 0)
		return PY_WAIT_GATHER;
	return wait_from_frame(frames, nframes);
}
