#include "python/thread_names.h"

#include "base/error.h"
#include "python/interpreters.h"
#include "python/scan.h"

#include <stdlib.h>

/* Longest thread name kept, in characters. */
#define THREAD_NAME_MAX 200

/* threading.Thread's attributes: Python 3 spells them _name and
 * _daemonic, Python 2 mangles its private __name and __daemonic. */
static const char *const name_attrs[] = {"_name", "_Thread__name"};
static const char *const daemon_attrs[] = {"_daemonic", "_Thread__daemonic"};

/* The threads of one interpreter, sorted by thread id, so that each item of
 * threading._active finds its thread without a pass over every thread. */
struct names {
	const struct py_reader *reader;
	struct py_thread **threads;
	size_t nthreads;
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

static int by_thread_id(const void *a, const void *b)
{
	uint64_t x = (*(struct py_thread *const *)a)->thread_id;
	uint64_t y = (*(struct py_thread *const *)b)->thread_id;

	return (x > y) - (x < y);
}

static bool active_item(void *ctx, uint64_t key, uint64_t value)
{
	struct names *names = ctx;
	size_t low = 0, high = names->nthreads;
	int64_t ident;

	names->err = pyscan_int(names->reader, key, &ident);
	while (!names->err && low < high) {
		size_t mid = low + (high - low) / 2;

		if (names->threads[mid]->thread_id < (uint64_t)ident)
			low = mid + 1;
		else
			high = mid;
	}
	/* Several states may carry one thread id (a thread that ran in more
	 * than one interpreter state); each gets the name. */
	for (; !names->err && low < names->nthreads &&
	       names->threads[low]->thread_id == (uint64_t)ident; low++)
		if (!names->threads[low]->name)
			names->err = name_thread(names->reader, value, names->threads[low]);
	if (names->err)
		names->err = pc_error_prefix(names->err, "threading._active");
	return !names->err;
}

static struct pc_error *read_interpreter(const struct py_reader *reader, struct py_thread *threads,
					 size_t nthreads, uint64_t interp)
{
	struct names names = {.reader = reader};
	uint64_t threading, active;
	struct pc_error *err;
	size_t i;

	err = pyscan_module(reader, interp, "threading", &threading);
	if (err || !threading)
		return err;
	err = pyscan_module_global(reader, threading, "_active", &active);
	if (err || !active)
		return err;
	names.threads = calloc(nthreads, sizeof(*names.threads));
	if (!names.threads)
		return &pc_error_nomem;
	for (i = 0; i < nthreads; i++)
		if (threads[i].interp == interp)
			names.threads[names.nthreads++] = &threads[i];
	qsort(names.threads, names.nthreads, sizeof(*names.threads), by_thread_id);
	err = pyscan_dict(reader, active, active_item, &names, NULL);
	free(names.threads);
	return err ? err : names.err;
}

struct pc_error *pythreadnames_read(const struct py_reader *reader, struct py_thread *threads,
				   size_t nthreads)
{
	size_t i;

	for (i = 0; i < nthreads; i++) {
		struct pc_error *err;

		if (!py_first_of_interpreter(threads, i))
			continue;
		err = read_interpreter(reader, threads, nthreads, threads[i].interp);
		if (err)
			return err;
	}
	return NULL;
}
