/* wait.c: what an asyncio task waits on.  A task awaits a future: a task
 * or a gather()'s is said so; a plain future is told by the asyncio
 * function that made it, the innermost frame of the task's coroutine chain
 * (below it, on the pure-Python Task, the Future's own __await__ in
 * asyncio/futures.py).  The chains are made up, outermost frame first,
 * with the file names and function names (co_qualname from 3.11, co_name
 * before) CPython gives them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "asyncio/wait.h"

#define LIB "/usr/lib/python3.12/"
#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

/* The chain of a task whose innermost frame is FILE's NAME, below the
 * service's own two frames. */
static enum py_wait wait_in(const char *file, const char *name)
{
	struct py_frame frames[] = {
		{.filename = "/srv/service.py", .name = "handle"},
		{.filename = "/srv/service.py", .name = "step"},
		{.filename = (char *)file, .name = (char *)name},
	};

	return wait_classify(false, "Future", frames, COUNT(frames));
}

static void test_task_and_gather(void **state)
{
	struct py_frame frames[] = {
		{.filename = LIB "asyncio/tasks.py", .name = "sleep"},
	};

	(void)state;
	/* What the future is decides before any frame. */
	assert_int_equal(wait_classify(true, "Task", frames, COUNT(frames)), PY_WAIT_TASK);
	assert_int_equal(wait_classify(true, "_GatheringFuture", frames, COUNT(frames)),
			 PY_WAIT_TASK);
	assert_int_equal(wait_classify(false, "_GatheringFuture", frames, COUNT(frames)),
			 PY_WAIT_GATHER);
	assert_int_equal(wait_classify(false, "Future", frames, COUNT(frames)), PY_WAIT_SLEEP);
}

/* 3.11+: qualified names. */
static void test_makers(void **state)
{
	(void)state;
	assert_int_equal(wait_in(LIB "asyncio/tasks.py", "sleep"), PY_WAIT_SLEEP);
	assert_int_equal(wait_in(LIB "asyncio/locks.py", "Lock.acquire"), PY_WAIT_LOCK);
	assert_int_equal(wait_in(LIB "asyncio/locks.py", "Semaphore.acquire"),
			 PY_WAIT_SEMAPHORE);
	assert_int_equal(wait_in(LIB "asyncio/locks.py", "Event.wait"), PY_WAIT_EVENT);
	assert_int_equal(wait_in(LIB "asyncio/locks.py", "Condition.wait"), PY_WAIT_CONDITION);
	assert_int_equal(wait_in(LIB "asyncio/queues.py", "Queue.get"), PY_WAIT_QUEUE);
	assert_int_equal(wait_in(LIB "asyncio/queues.py", "Queue.put"), PY_WAIT_QUEUE);
	assert_int_equal(wait_in(LIB "asyncio/taskgroups.py", "TaskGroup.__aexit__"),
			 PY_WAIT_TASK_GROUP);
	assert_int_equal(wait_in(LIB "asyncio/taskgroups.py", "TaskGroup._aexit"),
			 PY_WAIT_TASK_GROUP);
}

/* Before 3.11 co_name holds no class: a lock's and a semaphore's acquire
 * are both a lock, an event's and a condition's wait both an event. */
static void test_unqualified_names(void **state)
{
	(void)state;
	assert_int_equal(wait_in("/usr/lib/python3.8/asyncio/locks.py", "acquire"),
			 PY_WAIT_LOCK);
	assert_int_equal(wait_in("/usr/lib/python3.8/asyncio/locks.py", "wait"), PY_WAIT_EVENT);
	assert_int_equal(wait_in("/usr/lib/python3.8/asyncio/queues.py", "get"), PY_WAIT_QUEUE);
	assert_int_equal(wait_in("/usr/lib/python3.8/asyncio/queues.py", "put"), PY_WAIT_QUEUE);
}

/* A name is only asyncio's in asyncio's file, and the other way round. */
static void test_other_code(void **state)
{
	(void)state;
	assert_int_equal(wait_in("/srv/tasks.py", "sleep"), PY_WAIT_FUTURE);
	assert_int_equal(wait_in(LIB "asyncio/tasks.py", "wait_for"), PY_WAIT_FUTURE);
	assert_int_equal(wait_in(LIB "asyncio/locks.py", "Barrier.wait"), PY_WAIT_FUTURE);
	assert_int_equal(wait_in(LIB "asyncio/queues.py", "Queue.join"), PY_WAIT_FUTURE);
	assert_int_equal(wait_in("/srv/service.py", "Lock.acquire"), PY_WAIT_FUTURE);
}

/* The pure-Python Task: the Future's __await__ frames below the maker are
 * not the maker. */
static void test_future_await_skipped(void **state)
{
	struct py_frame frames[] = {
		{.filename = "/srv/service.py", .name = "consume"},
		{.filename = LIB "asyncio/queues.py", .name = "Queue.get"},
		{.filename = LIB "asyncio/futures.py", .name = "Future.__await__"},
		{.filename = LIB "asyncio/futures.py", .name = "Future.__await__"},
	};

	(void)state;
	assert_int_equal(wait_frames(frames, COUNT(frames)), 2);
	assert_int_equal(wait_classify(false, "Future", frames, COUNT(frames)), PY_WAIT_QUEUE);
}

/* Nothing to tell from: a plain future. */
static void test_no_frame(void **state)
{
	struct py_frame unreadable[] = {
		{.filename = NULL, .name = NULL},
	};
	struct py_frame no_name[] = {
		{.filename = LIB "asyncio/tasks.py", .name = NULL},
	};
	struct py_frame only_future[] = {
		{.filename = LIB "asyncio/futures.py", .name = "Future.__await__"},
	};

	(void)state;
	assert_int_equal(wait_frames(NULL, 0), 0);
	assert_int_equal(wait_classify(false, "Future", NULL, 0), PY_WAIT_FUTURE);
	assert_int_equal(wait_classify(false, NULL, NULL, 0), PY_WAIT_FUTURE);
	assert_int_equal(wait_classify(false, "Future", unreadable, 1), PY_WAIT_FUTURE);
	assert_int_equal(wait_classify(false, "Future", no_name, 1), PY_WAIT_FUTURE);
	/* The outermost frame is kept, even the Future's own. */
	assert_int_equal(wait_frames(only_future, 1), 1);
	assert_int_equal(wait_classify(false, "Future", only_future, 1), PY_WAIT_FUTURE);
}

/* An unreadable frame below the maker is the innermost frame: no maker. */
static void test_unreadable_innermost(void **state)
{
	struct py_frame frames[] = {
		{.filename = LIB "asyncio/tasks.py", .name = "sleep"},
		{.filename = NULL, .name = NULL},
	};

	(void)state;
	assert_int_equal(wait_frames(frames, COUNT(frames)), 2);
	assert_int_equal(wait_classify(false, "Future", frames, COUNT(frames)), PY_WAIT_FUTURE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_task_and_gather),
		cmocka_unit_test(test_makers),
		cmocka_unit_test(test_unqualified_names),
		cmocka_unit_test(test_other_code),
		cmocka_unit_test(test_future_await_skipped),
		cmocka_unit_test(test_no_frame),
		cmocka_unit_test(test_unreadable_innermost),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
