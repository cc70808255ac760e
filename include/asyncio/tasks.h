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
struct pyframe_walker;
struct python;

#define PYTASKS_DEFAULT_MAX 10000

/* Fill PYTHON->tasks for every interpreter of PYTHON->threads, at most
 * MAX_TASKS in all (tasks_cut says when there were more).  What cannot be
 * read is in each task (error) or PYTHON->tasks_error; errors returned are
 * for out-of-memory only. */
struct pc_error *pytasks_read(struct pyframe_walker *walker, struct python *python,
			      size_t max_tasks);

/* Whether some interpreter of PYTHON->threads imported asyncio.tasks (or
 * whether that cannot be told): only then is the layout of _asyncio's
 * objects worth looking for, which can mean reading DWARF. */
bool pytasks_imported(const struct py_reader *reader, const struct python *python);

void pytasks_deinit(struct python *python);

/* "pending", "cancelled", "done"; "sleep", "lock", ...: for the reports. */
const char *pytasks_state_name(int state);
const char *pytasks_wait_name(int wait);

#endif
