/* The notes of one analysis: everything the reports say was cut, could not
 * be read or is suspect, worked out once, in one list, so that the text
 * report, the JSON report and pycore ci say the same. */
#ifndef PYCORE_ANALYSIS_NOTES_H
#define PYCORE_ANALYSIS_NOTES_H

#include <stdbool.h>
#include <stddef.h>

struct core;
struct deadline;
struct input;
struct modules;
struct pc_error;
struct py_thread;
struct pytasks;
struct python;
struct python_options;

/* Each code, its name in the JSON report (stable within a schema_version:
 * doc/pycore-report.schema.json lists them) and whether it is a warning
 * (see struct note), in the order the list holds them:
 *   input-cut            the compressed stream was cut short, corrupt or capped
 *   core-truncated       the core file is shorter than its headers say
 *   core, files, python  the warnings of the core reader, of the files the
 *                        core names and of the interpreter reader
 *   no-python            no interpreter in the process
 *   python-error         why no Python stack could be read, or a walk stopped
 *   stack-error          why thread 1's Python stack stops short
 *   threads-not-read     thread states left unread past --max-threads
 *   tasks-cut            asyncio tasks past --max-tasks
 *   tasks-error          asyncio's tasks could not be found or read
 *   timeout              --timeout passed: the stacks end where it was */
#define NOTE_CODES(X)                                      \
	X(NOTE_INPUT_CUT, "input-cut", true)               \
	X(NOTE_CORE_TRUNCATED, "core-truncated", false)    \
	X(NOTE_CORE, "core", true)                         \
	X(NOTE_FILES, "files", true)                       \
	X(NOTE_PYTHON, "python", true)                     \
	X(NOTE_NO_PYTHON, "no-python", false)              \
	X(NOTE_PYTHON_ERROR, "python-error", false)        \
	X(NOTE_STACK_ERROR, "stack-error", false)          \
	X(NOTE_THREADS_NOT_READ, "threads-not-read", true) \
	X(NOTE_TASKS_CUT, "tasks-cut", true)               \
	X(NOTE_TASKS_ERROR, "tasks-error", true)           \
	X(NOTE_TIMEOUT, "timeout", true)

enum note_code {
#define NOTE_ENUM(code, name, warning) code,
	NOTE_CODES(NOTE_ENUM)
#undef NOTE_ENUM
};

struct note {
	enum note_code code;
	/* true: a "Warning:" line of the text report's header and a string of
	 * the JSON report's "warnings".  false: a fact both reports show where
	 * it belongs (the Core and Python lines, the crashing thread's stack,
	 * and their JSON fields); pycore ci, which has no such place, lists
	 * it with the warnings. */
	bool warning;
	char *text;		/* as the text report words it, not escaped */
};

/* The name of CODE in the JSON report. */
const char *note_code_name(enum note_code code);

/* What the notes are worked out from: an analysis whose every other part
 * is done. */
struct note_sources {
	const struct input *input;
	const struct core *core;
	const struct modules *modules;
	const struct python *python;
	char *const *late_warnings;	/* the interpreter's, read after the walk */
	size_t nlate_warnings;
	const struct pytasks *tasks;
	const struct py_thread *first;	/* thread 1's Python thread state, or NULL */
	const struct python_options *options; /* the caps the notes name */
	const struct deadline *deadline;
};

/* The notes of FROM in *RET (*NRET of them; the caller frees them with
 * notes_free()).  Errors are for out-of-memory only. */
struct pc_error *notes_gather(const struct note_sources *from, struct note **ret, size_t *nret);

void notes_free(struct note *notes, size_t n);

#endif
