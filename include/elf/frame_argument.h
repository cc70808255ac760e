/* The value of a function's argument in one frame of an unwound stack,
 * where its DWARF says it is in a register the unwinder restored (the
 * callee-saved ones of an outer frame): how Py_FatalError()'s message,
 * which CPython writes to stderr and keeps nowhere, is found. */
#ifndef PYCORE_ELF_FRAME_ARGUMENT_H
#define PYCORE_ELF_FRAME_ARGUMENT_H

#include <elfutils/libdwfl.h>
#include <stdbool.h>
#include <stdint.h>

/* The value of the parameter NAME of the function that STATE's frame runs
 * at PC (a return address less one, or the pc of the first frame), in
 * *RET.  False when there is no DWARF for it, or its location at PC is not
 * a register the unwinder knows (optimized out, an entry value). */
bool frame_argument(Dwfl_Frame *state, Dwfl *dwfl, uint64_t pc, const char *name,
		    uint64_t *ret);

#endif
