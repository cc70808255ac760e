#include "python/exception.h"

#include "base/error.h"
#include "elf/memory.h"
#include "python/repr.h"

#include <stdlib.h>
#include <string.h>

/* sys.exc_info() looks down the stack of exception states (one per
 * generator or coroutine being run) for the first that holds one. */
#define PYEXC_MAX_ITEMS 256
#define PYEXC_MAX_TYPE_NAME 200
#define PYEXC_MAX_MESSAGE 500

/* Py_TPFLAGS_BASE_EXC_SUBCLASS, the same bit from 2.7 to 3.13. */
#define PY_TPFLAGS_BASE_EXC_SUBCLASS (1UL << 30)

static struct pc_error *read_ptr(const struct py_reader *reader, uint64_t base, int64_t offset,
				 uint64_t *ret)
{
	return memory_read_u64(reader->mem, base + (uint64_t)offset, ret);
}

/* The value and type of the first exception state that holds one (3.7+). */
static struct pc_error *topmost(const struct py_reader *reader, uint64_t tstate, uint64_t none,
				uint64_t *type, uint64_t *value)
{
	const struct py_layout *layout = reader->layout;
	struct pc_error *err;
	uint64_t item;
	int i;

	err = read_ptr(reader, tstate, layout->exc.tstate_exc_info, &item);
	for (i = 0; !err && item && i < PYEXC_MAX_ITEMS; i++) {
		err = read_ptr(reader, item, layout->exc.item_exc_value, value);
		if (err)
			break;
		if (*value && *value != none) {
			if (layout->exc.item_exc_type != LAYOUT_ABSENT)
				return read_ptr(reader, item, layout->exc.item_exc_type, type);
			return pyobject_type(reader, *value, type);
		}
		err = read_ptr(reader, item, layout->exc.item_previous, &item);
	}
	*type = *value = 0;
	return err;
}

/* The repr of the object at ADDRESS, bounded (pyrepr.h). */
static struct pc_error *repr_of(const struct py_reader *reader, uint64_t address, char **ret)
{
	struct pyrepr *repr;
	struct pc_error *err;

	err = pyrepr_create(reader, &repr);
	if (!err)
		err = pyrepr_object(repr, address, ret);
	pyrepr_destroy(repr);
	return err;
}

/* The message of exception VALUE of type TYPE_NAME as str(exc) gives it for
 * one argument: the argument itself when it is text, its repr otherwise
 * (an int's str is its repr) and always for KeyError, whose __str__ says
 * which key; 2.7 may keep a bare string as the value. */
static struct pc_error *message_of(const struct py_reader *reader, uint64_t value,
				   const char *type_name, char **ret)
{
	const struct py_layout *layout = reader->layout;
	uint64_t type, flags, args, count, first;
	struct pc_error *err;

	*ret = NULL;
	err = pyobject_type(reader, value, &type);
	if (!err)
		err = pyobject_type_flags(reader, type, &flags);
	if (err)
		return err;
	if (flags & (PY_TPFLAGS_UNICODE_SUBCLASS | PY_TPFLAGS_BYTES_SUBCLASS))
		return pyobject_text(reader, value, PYEXC_MAX_MESSAGE, ret);
	if (!(flags & PY_TPFLAGS_BASE_EXC_SUBCLASS) || layout->exc.args == LAYOUT_ABSENT)
		return NULL;
	err = read_ptr(reader, value, layout->exc.args, &args);
	if (!err && args)
		err = read_ptr(reader, args, layout->tuple.ob_size, &count);
	if (err || !args || count != 1)
		return err;
	err = read_ptr(reader, args, layout->tuple.ob_item, &first);
	if (!err)
		err = pyobject_type(reader, first, &type);
	if (!err)
		err = pyobject_type_flags(reader, type, &flags);
	if (err)
		return err;
	if (!(flags & (PY_TPFLAGS_UNICODE_SUBCLASS | PY_TPFLAGS_BYTES_SUBCLASS)) ||
	    strcmp(type_name, "KeyError") == 0)
		return repr_of(reader, first, ret);
	return pyobject_text(reader, first, PYEXC_MAX_MESSAGE, ret);
}

/* Built-in exception types name their module in tp_name on 2.7
 * ("exceptions.ValueError"); tracebacks print them without it. */
static void strip_builtin_module(char *name)
{
	static const char *const modules[] = {"exceptions.", "builtins."};
	size_t i;

	for (i = 0; i < sizeof(modules) / sizeof(modules[0]); i++) {
		size_t len = strlen(modules[i]);

		if (strncmp(name, modules[i], len) == 0) {
			memmove(name, name + len, strlen(name + len) + 1);
			return;
		}
	}
}

struct pc_error *pyexc_handled(const struct py_reader *reader, uint64_t tstate, uint64_t none,
			       struct py_exception *ret)
{
	const struct py_layout *layout = reader->layout;
	uint64_t type = 0, value = 0, name;
	struct pc_error *err = NULL;
	int cut;

	*ret = (struct py_exception){0};
	if (layout->exc.tstate_exc_info != LAYOUT_ABSENT)
		err = topmost(reader, tstate, none, &type, &value);
	else if (layout->exc.tstate_exc_type != LAYOUT_ABSENT) {
		err = read_ptr(reader, tstate, layout->exc.tstate_exc_type, &type);
		if (!err)
			err = read_ptr(reader, tstate, layout->exc.tstate_exc_value, &value);
	}
	if (err)
		return pc_error_prefix(err, "exception state of thread state at %#llx",
				       (unsigned long long)tstate);
	if (!type || type == none)
		return NULL;
	ret->type = malloc(PYEXC_MAX_TYPE_NAME);
	if (!ret->type)
		return &pc_error_nomem;
	err = read_ptr(reader, type, layout->type.tp_name, &name);
	if (!err)
		err = memory_read_cstring(reader->mem, name, ret->type, PYEXC_MAX_TYPE_NAME, &cut);
	if (!err)
		strip_builtin_module(ret->type);
	if (!err && value && value != none)
		err = message_of(reader, value, ret->type, &ret->message);
	if (err) {
		py_exception_deinit(ret);
		return pc_error_prefix(err, "exception being handled");
	}
	return NULL;
}

void py_exception_deinit(struct py_exception *exc)
{
	free(exc->type);
	free(exc->message);
	*exc = (struct py_exception){0};
}
