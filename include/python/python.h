/* The Python side of a crashed process: which CPython it ran, where its
 * structures are laid out, and what every Python thread was doing.
 *
 * python_analyze() finds the interpreter through the symbols of the
 * executable or libpython, picks a layout source (DWARF, _Py_DebugOffsets,
 * built-in tables), then walks every interpreter, thread state and frame
 * (python/walk.c).  What is read from the walk's thread states afterwards
 * (thread names, asyncio's tasks) is the analysis's to read. */
#ifndef PYCORE_PYTHON_PYTHON_H
#define PYCORE_PYTHON_PYTHON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "layout/layout.h"
#include "python/result.h"

struct deadline;
struct memory;
struct modules;
struct pc_error;

enum layout_request {
	LAYOUT_REQUEST_AUTO,
	LAYOUT_REQUEST_DWARF,
	LAYOUT_REQUEST_DEBUG_OFFSETS,
	LAYOUT_REQUEST_TABLES,
};

struct python_options {
	enum layout_request layout;
	size_t max_frames;	/* per thread */
	bool collapse;		/* repeated frames and long stacks shown in part (pyframe.h) */
	size_t max_threads;	/* thread states, over all interpreters */
	bool locals;		/* read every frame's variables (struct py_local) */
	bool tasks;		/* read asyncio's tasks (after the walk: asyncio/asyncio.h) */
	size_t max_tasks;	/* over all interpreters */
	struct deadline *deadline; /* --timeout: the walks stop when it passes; NULL: none */
};

struct python {
	bool found;		/* the process ran CPython */
	char version[32];	/* "3.11.7" */
	struct py_layout layout;
	char *module_path;	/* the file that holds the interpreter (executable or libpython) */
	char *layout_detail;	/* e.g. the DWARF file, or "3.11 tables" */
	bool gc_collecting;
	size_t ninterpreters;
	struct py_thread *threads;
	size_t nthreads;
	size_t threads_not_read; /* states left unread by max_threads */
	/* The state each of the core's threads runs now (NULL: none), in the
	 * core's thread order; the thread's other states are the ones whose
	 * owner names it. */
	const struct py_thread **current;
	size_t ncurrent;
	char *error;		/* why no Python stack could be read, or a walk stopped; with
				 * !found: the file that would tell could not be used */
	char **warnings;
	size_t nwarnings;
};

/* Fill RET.  A process that is not Python, or whose interpreter cannot be
 * read, is not an error: RET says so (found, error).  Errors are for
 * out-of-memory only. */
struct pc_error *python_analyze(struct modules *modules, struct memory *mem,
				const struct python_options *options, struct python *ret);
void python_deinit(struct python *python);

/* The thread state the core's thread INDEX (in note order) runs now, or
 * NULL. */
const struct py_thread *python_thread_for(const struct python *python, size_t index);

/* What is known of the Python side of the core's thread INDEX. */
enum py_thread_status {
	PY_THREAD_READ,		/* its state was read (->error says where it stopped) */
	PY_THREAD_NOT_PYTHON,	/* every thread state was listed and none is its */
	PY_THREAD_NOT_READ,	/* its state was listed, not read (->not_read says why) */
	PY_THREAD_UNKNOWN,	/* the thread states could not all be listed (->error) */
};
enum py_thread_status python_thread_status(const struct python *python, size_t index);

/* Whether a layout was chosen and the thread states walked with it: only
 * then can what is read from them after the walk (thread names, asyncio's
 * tasks) be read. */
bool python_walked(const struct python *python);

#endif
