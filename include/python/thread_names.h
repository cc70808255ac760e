/* The names the program gave its threads: threading._active maps each
 * thread's ident (pthread_self()) to its threading.Thread, whose name and
 * daemon flag are read from the core, not from the analysing host. */
#ifndef PYCORE_PYTHON_THREAD_NAMES_H
#define PYCORE_PYTHON_THREAD_NAMES_H

#include "python/object.h"

struct pc_error;
struct py_thread;

/* Set name and daemon of each of THREADS (NTHREADS, a walk's thread
 * states) that threading knows.
 * A process that never imported threading is not an error; what cannot be
 * read is (and leaves the names it did not reach unset). */
struct pc_error *pythreadnames_read(const struct py_reader *reader, struct py_thread *threads,
				   size_t nthreads);

#endif
