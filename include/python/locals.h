/* The variables of a Python frame (--locals): arguments, local variables,
 * and the cells and free variables that closures share, each with its
 * bounded repr (pyrepr.h).
 *
 * The values live in the frame's f_localsplus (2.7 - 3.10) or localsplus
 * (3.11+) array; their names come from the code object: co_varnames,
 * co_cellvars and co_freevars (2.7 - 3.10), co_localsplusnames and
 * co_localspluskinds (3.11+).  A variable that is not bound (a NULL slot,
 * an empty cell) is left out, as locals() leaves it out. */
#ifndef PYCORE_PYTHON_LOCALS_H
#define PYCORE_PYTHON_LOCALS_H

#include <stdint.h>

#include "python/object.h"
#include "python/result.h"

/* Variables shown per frame, and characters of a name. */
#define PYLOCALS_MAX 256
#define PYLOCALS_MAX_NAME 200

struct pc_error;
struct pylocals;

struct pc_error *pylocals_create(const struct py_reader *reader, struct pylocals **ret);
void pylocals_destroy(struct pylocals *locals);

/* Fill FRAME->locals from the frame at ADDRESS, which runs the code object
 * at CODE.  Variables that cannot be listed set FRAME->locals_error; values
 * that cannot be read are "<unreadable: why>" in their repr.  Errors
 * returned are for out-of-memory only. */
struct pc_error *pylocals_read(struct pylocals *locals, uint64_t address, uint64_t code,
			       struct py_frame *frame);

/* Free what pylocals_read() put in FRAME. */
void pylocals_deinit(struct py_frame *frame);

#endif
