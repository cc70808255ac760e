/* repr() of a Python object read out of the core, bounded and safe: what
 * --locals prints for each variable.
 *
 * None, bool, int (2.7's int and long too), float, str, bytes (2.7's str and
 * unicode), list, tuple, dict, set and frozenset are spelled as that
 * version's repr() spells them; anything else is "<TYPE object at 0x...>",
 * TYPE being the type's tp_name.  A list that contains itself prints
 * "[...]" as in Python.  What cannot be read becomes "<unreadable: why>" in
 * place of the value, and never more than the caps below is read or
 * printed; each cap that cuts leaves a "..." where it cut:
 *   - a str is cut after PYREPR_MAX_STRING characters (a bytes object after
 *     as many bytes): the repr of what is left, then "...";
 *   - a container shows its first PYREPR_MAX_ITEMS items, then "...";
 *   - containers nested deeper than PYREPR_MAX_DEPTH print as "[...]",
 *     "(...)" or "{...}";
 *   - past PYREPR_MAX_OBJECTS objects read for one repr, each further
 *     object prints as "...";
 *   - the whole repr is cut after PYREPR_MAX_CHARS characters, then "...".
 * fixtures/oracle.py applies the same rules with Python's own repr(): keep
 * the two in step.  It reads the caps from this file: each is a
 * "#define PYREPR_MAX_... VALUE" line, VALUE a number or a macro of a header
 * included here. */
#ifndef PYCORE_PYTHON_REPR_H
#define PYCORE_PYTHON_REPR_H

#include <stdbool.h>
#include <stdint.h>

#include "python/container.h"
#include "python/object.h"

#define PYREPR_MAX_STRING 200
#define PYREPR_MAX_ITEMS PYCONTAINER_MAX_ITEMS	/* 10 */
#define PYREPR_MAX_DEPTH 3
#define PYREPR_MAX_OBJECTS 100
#define PYREPR_MAX_CHARS 500

struct pc_error;
struct pyrepr;

/* A repr context: it remembers what the types it met are. */
struct pc_error *pyrepr_create(const struct py_reader *reader, struct pyrepr **ret);
void pyrepr_destroy(struct pyrepr *repr);

/* The repr of the object at ADDRESS as NUL-terminated, malloc'd UTF-8
 * without control characters.  Errors are for out-of-memory only: what
 * cannot be read is part of the text. */
struct pc_error *pyrepr_object(struct pyrepr *repr, uint64_t address, char **ret);

/* Whether the object at ADDRESS is a cell (PyCellObject); if so, *CONTENT
 * is the object it holds, 0 when it is empty.  An error says the object
 * could not be read. */
struct pc_error *pyrepr_cell(struct pyrepr *repr, uint64_t address, bool *is_cell,
			     uint64_t *content);

#endif
