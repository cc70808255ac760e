/* asyncio's tasks, read after the Python walk from what it found: its
 * thread states and its layout, completed with _asyncio's objects. */
#ifndef PYCORE_ASYNCIO_ASYNCIO_H
#define PYCORE_ASYNCIO_ASYNCIO_H

#include <stddef.h>

#include "asyncio/tasks.h"
#include "layout/layout.h"
#include "python/python.h"

struct memory;
struct modules;
struct pc_error;
struct py_thread;

/* Fill RET with the tasks of the interpreters of THREADS (NTHREADS, the
 * walk's), read with WALK_LAYOUT and the layout of _asyncio's objects that
 * OPTIONS->layout allows.  A process that never imported asyncio has none.
 * Errors are for out-of-memory only: the rest is in RET. */
struct pc_error *asyncio_read_tasks(struct modules *modules, struct memory *mem,
				    const struct py_layout *walk_layout,
				    const struct py_thread *threads, size_t nthreads,
				    const struct python_options *options, struct pytasks *ret);

#endif
