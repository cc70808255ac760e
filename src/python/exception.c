#include "python/exception.h"

#include "base/error.h"
#include "python/repr.h"
#include "python/scan.h"

#include <stdlib.h>
#include <string.h>

/* sys.exc_info() looks down the stack of exception states (one per
 * generator or coroutine being run) for the first that holds one. */
#define PYEXC_MAX_ITEMS 256
#define PYEXC_MAX_TYPE_NAME 200
#define PYEXC_MAX_MESSAGE 500

/* The value and type of the first exception state that holds one (3.7+). */
static struct pc_error *topmost(const struct py_reader *reader, uint64_t tstate, uint64_t none,
				uint64_t *type, uint64_t *value)
{
	struct pc_error *err;
	uint64_t item;
	int i;

	err = py_read_ptr(reader, tstate, LAYOUT_FIELD(exc, tstate_exc_info), &item);
	for (i = 0; !err && item && i < PYEXC_MAX_ITEMS; i++) {
		err = py_read_ptr(reader, item, LAYOUT_FIELD(exc, item_exc_value), value);
		if (err)
			break;
		if (*value && *value != none) {
			/* 3.11+ keeps no type beside the value: the value's type. */
			if (py_has_field(reader, LAYOUT_FIELD(exc, item_exc_type)))
				return py_read_ptr(reader, item, LAYOUT_FIELD(exc, item_exc_type),
						   type);
			return pyobject_type(reader, *value, type);
		}
		err = py_read_ptr(reader, item, LAYOUT_FIELD(exc, item_previous), &item);
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
	/* Without the args of exceptions in the layout, no message: the type
	 * alone is shown. */
	if (!(flags & PY_TPFLAGS_BASE_EXC_SUBCLASS) ||
	    !py_has_field(reader, LAYOUT_FIELD(exc, args)))
		return NULL;
	err = py_read_ptr(reader, value, LAYOUT_FIELD(exc, args), &args);
	if (!err && args)
		err = py_read_u64(reader, args, LAYOUT_FIELD(tuple, ob_size), &count);
	if (err || !args || count != 1)
		return err;
	err = py_read_ptr(reader, args, LAYOUT_FIELD(tuple, ob_item), &first);
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
	uint64_t type = 0, value = 0;
	struct pc_error *err = NULL;

	*ret = (struct py_exception){0};
	/* 3.7+ keeps a stack of exception states, 2.7 and 3.6 one in the
	 * thread state; a layout with neither shows no exception. */
	if (py_has_field(reader, LAYOUT_FIELD(exc, tstate_exc_info)))
		err = topmost(reader, tstate, none, &type, &value);
	else if (py_has_field(reader, LAYOUT_FIELD(exc, tstate_exc_type))) {
		err = py_read_ptr(reader, tstate, LAYOUT_FIELD(exc, tstate_exc_type), &type);
		if (!err)
			err = py_read_ptr(reader, tstate, LAYOUT_FIELD(exc, tstate_exc_value), &value);
	}
	if (err)
		return pc_error_prefix(err, "exception state of thread state at %#llx",
				       (unsigned long long)tstate);
	if (!type || type == none)
		return NULL;
	ret->type = malloc(PYEXC_MAX_TYPE_NAME);
	if (!ret->type)
		return &pc_error_nomem;
	err = pyscan_type_name(reader, type, ret->type, PYEXC_MAX_TYPE_NAME);
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
