/* The exception a thread is handling: what sys.exc_info() would return in
 * that thread, as its type name and message. */
#ifndef PYCORE_PYTHON_EXCEPTION_H
#define PYCORE_PYTHON_EXCEPTION_H

#include <stdint.h>

#include "python/object.h"
#include "python/result.h"

struct pc_error;

/* Read the exception thread state TSTATE is handling.  NONE is the address
 * of Py_None (0 when unknown), which marks an empty slot.  RET->type is
 * NULL when there is none; an error means what is there cannot be read. */
struct pc_error *pyexc_handled(const struct py_reader *reader, uint64_t tstate, uint64_t none,
			       struct py_exception *ret);
void py_exception_deinit(struct py_exception *exc);

#endif
