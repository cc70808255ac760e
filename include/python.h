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
#include "pyexc.h"

struct deadline;
struct memory;
struct modules;
struct pc_error;

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
	struct py_frame *frames; /* most recent call first */
	size_t nframes;
	bool cut;		/* stopped at the frame cap */
	char *error;		/* the walk stopped early: why */
	struct py_exception exception;	/* being handled (sys.exc_info()), if any */
	char *exception_error;	/* it could not be read: why */
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
	bool locals;		/* read every frame's variables (struct py_local) */
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
