/* asyncio's tasks, read from the core: where each coroutine chain stands
 * and what each task waits on, although no thread runs them.
 *
 * Every interpreter that imported asyncio.tasks keeps its tasks in that
 * module's _all_tasks (3.8 - 3.11) or _scheduled_tasks (3.12+) WeakSet
 * and _eager_tasks set (3.12+), and each loop's running task in
 * _current_tasks, whether the _asyncio extension or the Python code
 * runs them: the extension writes into those same objects.  A task of the
 * extension is a TaskObj (layout from its DWARF, layout.h); the Python
 * Task keeps the same facts in its instance dict. */
#ifndef PYCORE_ASYNCIO_TASKS_H
#define PYCORE_ASYNCIO_TASKS_H

#include <stdbool.h>
#include <stddef.h>

struct pc_error;
struct py_reader;
struct py_task;
struct py_thread;
struct pyframe_walker;

#define PYTASKS_DEFAULT_MAX 10000

/* The tasks of every interpreter, as the reports show them. */
struct pytasks {
	struct py_task *tasks;	/* every interpreter's asyncio tasks */
	size_t ntasks;
	bool asyncio;		/* some interpreter imported asyncio's tasks */
	/* ... or that could not be told: no interpreter was walked, or a
	 * sys.modules could not be read (and asyncio is false) */
	bool unknown;
	bool cut;		/* more than max_tasks */
	char *error;		/* the tasks could not be found or read (all): why */
	bool partial;		/* some task could not be read (not: the layout cannot
				 * describe tasks at all) */
	char *note;		/* how _asyncio's objects were read, where that limits
				 * what is shown, once tasks were found; or NULL */
};

/* Fill RET with the tasks of every interpreter of the walk's thread states
 * THREADS (NTHREADS), at most MAX_TASKS in all (cut says when there were
 * more).  What cannot be read is in each task (error) or RET->error; errors
 * returned are for out-of-memory only. */
struct pc_error *pytasks_read(struct pyframe_walker *walker, const struct py_thread *threads,
			      size_t nthreads, size_t max_tasks, struct pytasks *ret);

/* Whether some interpreter of THREADS imported asyncio.tasks (or whether
 * that cannot be told): only then is the layout of _asyncio's objects worth
 * looking for, which can mean reading DWARF. */
bool pytasks_imported(const struct py_reader *reader, const struct py_thread *threads,
		      size_t nthreads);

void pytasks_deinit(struct pytasks *tasks);

/* "pending", "cancelled", "done"; "sleep", "lock", ...: for the reports. */
const char *pytasks_state_name(int state);
const char *pytasks_wait_name(int wait);

#endif
