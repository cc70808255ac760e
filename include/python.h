/* The Python side of a crashed process: which CPython it ran, where its
 * structures are laid out, and what every Python thread was doing.
 *
 * python_analyze() finds the interpreter through the symbols of the
 * executable or libpython, picks a layout source (DWARF, _Py_DebugOffsets,
 * built-in tables), then walks every interpreter, thread state and frame. */
#ifndef PYCORE_PYTHON_H
#define PYCORE_PYTHON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "layout.h"
#include "linetable.h"

struct memory;
struct modules;
struct pc_error;

struct py_frame {
	uint64_t address;	/* the PyFrameObject or _PyInterpreterFrame */
	char *filename;		/* UTF-8, or NULL when unreadable */
	char *name;		/* co_qualname (3.11+) or co_name */
	struct py_location location;
	bool is_entry;		/* first frame run by its C-level eval call (3.11+) */
	char *error;		/* the frame could not be decoded: why */
};

struct py_thread {
	uint64_t tstate;
	uint64_t interp;
	int64_t interp_index;	/* 0 for the main interpreter */
	uint64_t thread_id;	/* pthread_self() of the thread */
	uint64_t native_thread_id; /* LWP, where the version records it (3.11+), else 0 */
	bool holds_gil;
	struct py_frame *frames; /* most recent call first */
	size_t nframes;
	bool cut;		/* stopped at the frame cap */
	char *error;		/* the walk stopped early: why */
};

enum layout_request {
	LAYOUT_REQUEST_AUTO,
	LAYOUT_REQUEST_DWARF,
	LAYOUT_REQUEST_DEBUG_OFFSETS,
	LAYOUT_REQUEST_TABLES,
};

struct python_options {
	enum layout_request layout;
	size_t max_frames;	/* per thread */
	size_t max_threads;	/* thread states, over all interpreters */
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
	bool threads_cut;	/* stopped at max_threads */
	char *error;		/* why no Python stack could be read, or a walk stopped */
	char **warnings;
	size_t nwarnings;
};

/* Fill RET.  A process that is not Python, or whose interpreter cannot be
 * read, is not an error: RET says so (found, error).  Errors are for
 * out-of-memory only. */
struct pc_error *python_analyze(struct modules *modules, struct memory *mem,
				const struct python_options *options, struct python *ret);
void python_deinit(struct python *python);

/* The Python thread whose thread state says it runs on the native thread with
 * this LWP and pthread id, or NULL. */
const struct py_thread *python_thread_for(const struct python *python, int lwp,
					  uint64_t pthread_id);

#endif
