/* The interpreters of a walk's thread states: what is read once per
 * interpreter (thread names, asyncio's tasks) is read for the first state
 * of each. */
#ifndef PYCORE_PYTHON_INTERPRETERS_H
#define PYCORE_PYTHON_INTERPRETERS_H

#include <stdbool.h>
#include <stddef.h>

#include "python/result.h"

/* Whether THREADS[INDEX] is the first state of its interpreter in THREADS. */
bool py_first_of_interpreter(const struct py_thread *threads, size_t index);

#endif
