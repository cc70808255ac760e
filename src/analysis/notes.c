#include "analysis/notes.h"

#include "asyncio/tasks.h"
#include "base/deadline.h"
#include "base/error.h"
#include "elf/core.h"
#include "elf/modules.h"
#include "input/input.h"
#include "python/python.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static const struct {
	const char *name;
	bool warning;
} codes[] = {
#define NOTE_ENTRY(code, name, warning) [code] = {name, warning},
	NOTE_CODES(NOTE_ENTRY)
#undef NOTE_ENTRY
};

/* The number of codes; each, but the three that carry a layer's list of
 * warnings, gives one note at most. */
#define NOTE_NCODES (sizeof(codes) / sizeof(codes[0]))

const char *note_code_name(enum note_code code)
{
	return codes[code].name;
}

/* A list with room for every note: nothing grows it past its allocation. */
struct note_list {
	struct note *notes;
	size_t n;
};

static struct pc_error *add(struct note_list *list, enum note_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static struct pc_error *add(struct note_list *list, enum note_code code, const char *fmt, ...)
{
	struct note *note = &list->notes[list->n];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&note->text, fmt, ap);
	va_end(ap);
	if (n < 0)
		return &pc_error_nomem;
	note->code = code;
	note->warning = codes[code].warning;
	list->n++;
	return NULL;
}

static struct pc_error *add_each(struct note_list *list, enum note_code code, char *const *texts,
				 size_t n)
{
	struct pc_error *err = NULL;
	size_t i;

	for (i = 0; !err && i < n; i++)
		err = add(list, code, "%s", texts[i]);
	return err;
}

/* What could not be read of the core and of the files it names. */
static struct pc_error *core_notes(const struct note_sources *from, struct note_list *list)
{
	const struct input *input = from->input;
	const struct core *core = from->core;
	struct pc_error *err = NULL;

	if (input->error)
		err = add(list, NOTE_INPUT_CUT,
			  "%s; what follows is read from the %llu bytes of core before that",
			  input->error, (unsigned long long)input->size);
	if (!err && input_problem(input))
		err = add(list, NOTE_INPUT_CUT, "%s", input_problem(input));
	if (!err && core->truncated)
		err = add(list, NOTE_CORE_TRUNCATED, "the core is truncated: %llu bytes missing",
			  (unsigned long long)core->missing_bytes);
	if (!err)
		err = add_each(list, NOTE_CORE, core->warnings, core->nwarnings);
	if (!err)
		err = add_each(list, NOTE_FILES, from->modules->warnings, from->modules->nwarnings);
	return err;
}

/* What could not be read of the interpreter, or was left unread. */
static struct pc_error *python_notes(const struct note_sources *from, struct note_list *list)
{
	const struct python *python = from->python;
	const struct python_options *options = from->options;
	const struct py_thread *first = from->first;
	const struct pytasks *tasks = from->tasks;
	struct pc_error *err = add_each(list, NOTE_PYTHON, python->warnings, python->nwarnings);

	if (!err)
		err = add_each(list, NOTE_PYTHON, from->late_warnings, from->nlate_warnings);
	if (!err && !python->found && !python->error)
		err = add(list, NOTE_NO_PYTHON, "no Python interpreter found (no _PyRuntime or "
						"interp_head symbol in the files found)");
	if (!err && python->error)
		err = add(list, NOTE_PYTHON_ERROR, "%s", python->error);
	if (!err && first && first->error)
		err = add(list, NOTE_STACK_ERROR, "%s", first->error);
	if (!err && python->threads_not_read)
		err = add(list, NOTE_THREADS_NOT_READ, "%zu thread states not read (--max-threads=%zu)",
			  python->threads_not_read, options->max_threads);
	if (!err && tasks->cut)
		err = add(list, NOTE_TASKS_CUT,
			  "more asyncio tasks than --max-tasks=%zu; the rest are not shown",
			  options->max_tasks);
	if (!err && tasks->error)
		err = add(list, NOTE_TASKS_ERROR, "asyncio tasks: %s", tasks->error);
	return err;
}

struct pc_error *notes_gather(const struct note_sources *from, struct note **ret, size_t *nret)
{
	struct note_list list = {NULL, 0};
	size_t room = NOTE_NCODES + from->core->nwarnings + from->modules->nwarnings +
		      from->python->nwarnings + from->nlate_warnings;
	struct pc_error *err;

	list.notes = calloc(room, sizeof(*list.notes));
	if (!list.notes)
		return &pc_error_nomem;
	err = core_notes(from, &list);
	if (!err)
		err = python_notes(from, &list);
	if (!err && from->deadline->passed)
		err = add(&list, NOTE_TIMEOUT,
			  "the analysis stopped at --timeout=%g seconds; the stacks end where it was",
			  from->deadline->seconds);
	if (err) {
		notes_free(list.notes, list.n);
		return err;
	}
	*ret = list.notes;
	*nret = list.n;
	return NULL;
}

void notes_free(struct note *notes, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(notes[i].text);
	free(notes);
}
