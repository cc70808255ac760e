#include "pythreadnames.h"

#include "error.h"
#include "python.h"
#include "pyscan.h"

#include <stdlib.h>

/* Longest thread name kept, in characters. */
#define THREAD_NAME_MAX 200

/* threading.Thread's attributes: Python 3 spells them _name and
 * _daemonic, Python 2 mangles its private __name and __daemonic. */
static const char *const name_attrs[] = {"_name", "_Thread__name"};
static const char *const daemon_attrs[] = {"_daemonic", "_Thread__daemonic"};

struct names {
	const struct py_reader *reader;
	struct python *python;
	uint64_t interp;
	struct pc_error *err;
};

static struct pc_error *first_attr(const struct py_reader *reader, uint64_t object,
				   const char *const names[2], uint64_t *ret)
{
	struct pc_error *err = pyscan_attr(reader, object, names[0], ret);

	if (!err && !*ret)
		err = pyscan_attr(reader, object, names[1], ret);
	return err;
}

static struct pc_error *name_thread(const struct py_reader *reader, uint64_t object,
				    struct py_thread *thread)
{
	uint64_t name, daemon;
	int64_t flag = 0;
	struct pc_error *err;

	err = first_attr(reader, object, name_attrs, &name);
	if (!err && name)
		err = pyobject_text(reader, name, THREAD_NAME_MAX, &thread->name);
	if (!err)
		err = first_attr(reader, object, daemon_attrs, &daemon);
	if (!err && daemon)
		err = pyscan_int(reader, daemon, &flag);
	thread->daemon = flag != 0;
	return err;
}

static bool active_item(void *ctx, uint64_t key, uint64_t value)
{
	struct names *names = ctx;
	int64_t ident;
	size_t i;

	names->err = pyscan_int(names->reader, key, &ident);
	for (i = 0; !names->err && i < names->python->nthreads; i++) {
		struct py_thread *thread = &names->python->threads[i];

		if (thread->interp != names->interp || thread->thread_id != (uint64_t)ident ||
		    thread->name)
			continue;
		names->err = name_thread(names->reader, value, thread);
	}
	if (names->err)
		names->err = pc_error_prefix(names->err, "threading._active");
	return !names->err;
}

static struct pc_error *read_interpreter(const struct py_reader *reader, struct python *python,
					 uint64_t interp)
{
	struct names names = {.reader = reader, .python = python, .interp = interp};
	uint64_t threading, active;
	struct pc_error *err;

	err = pyscan_module(reader, interp, "threading", &threading);
	if (err || !threading)
		return err;
	err = pyscan_module_global(reader, threading, "_active", &active);
	if (!err && active)
		err = pyscan_dict(reader, active, active_item, &names, NULL);
	return err ? err : names.err;
}

struct pc_error *pythreadnames_read(const struct py_reader *reader, struct python *python)
{
	size_t i, j;

	for (i = 0; i < python->nthreads; i++) {
		uint64_t interp = python->threads[i].interp;
		struct pc_error *err;

		for (j = 0; j < i && python->threads[j].interp != interp; j++)
			;
		if (j < i)
			continue;
		err = read_interpreter(reader, python, interp);
		if (err)
			return err;
	}
	return NULL;
}
