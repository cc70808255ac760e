#include "report/text.h"

#include "report/display_width.h"

#include "analysis/analysis.h"
#include "elf/core.h"
#include "base/escape.h"
#include "elf/modules.h"
#include "python/frame.h"
#include "asyncio/tasks.h"
#include "python/collapse.h"
#include "report/repeat_marker.h"
#include "report/source.h"

#include <stdlib.h>
#include <string.h>

/* Text from the core, a file name or an error message that quotes either:
 * see escape.h. */
static void put_escaped(FILE *out, const char *text, size_t len)
{
	escape_put(out, ESCAPE_TERMINAL, text, len);
}

static void print_escaped(FILE *out, const char *text)
{
	escape_puts(out, ESCAPE_TERMINAL, text);
}

/* The notes that are warnings, as "Warning:" lines: the input's (INPUT)
 * follows the Core line it is about, the others end the header. */
static void print_warnings(FILE *out, const struct analysis *analysis, bool input)
{
	size_t i;

	for (i = 0; i < analysis->nnotes; i++) {
		const struct note *note = &analysis->notes[i];

		if (!note->warning || (note->code == NOTE_INPUT_CUT) != input)
			continue;
		fprintf(out, "Warning:     ");
		print_escaped(out, note->text);
		fputc('\n', out);
	}
}

static void print_header(FILE *out, const struct analysis *analysis)
{
	const struct core *core = analysis->core;
	const struct modules *modules = analysis->modules;
	const struct python *python = &analysis->python;

	fprintf(out, "Core:        ");
	print_escaped(out, core->path);
	if (analysis->input->format)
		fprintf(out, " (%s-compressed)", analysis->input->format);
	if (core->truncated)
		fprintf(out, " (truncated: %llu bytes missing)",
			(unsigned long long)core->missing_bytes);
	fputc('\n', out);
	print_warnings(out, analysis, true);
	if (modules->executable) {
		fprintf(out, "Executable:  ");
		print_escaped(out, modules->executable);
		fprintf(out, " (%s)\n",
			strcmp(modules->executable_origin, "given") == 0
				? "given"
				: strcmp(modules->executable_origin, "NT_FILE") == 0
					  ? "from the core's NT_FILE note"
				: strcmp(modules->executable_origin, "proc") == 0
					  ? "the crashed process's own, read through /proc/PID/exe"
					  : "from the core's AT_EXECFN");
	} else {
		fprintf(out, "Executable:  unknown (the core names none)\n");
	}
	if (analysis->command) {
		fprintf(out, "Command:     ");
		print_escaped(out, analysis->command);
		if (analysis->command_cut)
			fputs(" [cut]", out);
		fprintf(out, "\nProcess:     PID %d, parent %d", (int)core->psinfo.pid,
			analysis->parent_pid);
		if (analysis->forking_thread)
			fprintf(out, " (forked by its thread %d)", analysis->forking_thread);
		fprintf(out, ", UID %u, GID %u\n", core->psinfo.uid, core->psinfo.gid);
	}
	fprintf(out, "Signal:      %s\n", analysis->signal.text);
	if (analysis->abort_message) {
		fprintf(out, "Abort:       ");
		print_escaped(out, analysis->abort_message);
		fputc('\n', out);
	}
	if (analysis->fatal_message) {
		fprintf(out, "Fatal error: ");
		print_escaped(out, analysis->fatal_message);
		fprintf(out, " (Py_FatalError()'s message, read from its frame)\n");
	} else if (analysis->fatal_error) {
		fprintf(out, "Fatal error: the crashing thread called Py_FatalError() (seen in %s); "
			     "its message went to stderr and is not kept in the core\n",
			analysis->fatal_error);
	}
	if (python->found) {
		fprintf(out, "Python:      ");
		if (python->layout_detail || python->version[0])
			fprintf(out, "%s in ", python->version);
		else
			fprintf(out, "unknown version (");
		print_escaped(out, python->module_path);
		if (python->layout_detail) {
			fprintf(out, "%s\nLayout:      %s (",
				python->gc_collecting ? ", garbage collection running" : "",
				layout_source_name(python->layout.source));
			print_escaped(out, python->layout_detail);
			fputc(')', out);
		} else if (!python->version[0]) {
			fputc(')', out);
		}
		fputc('\n', out);
	} else if (!python->error) {
		fprintf(out, "Python:      none found (no _PyRuntime or interp_head symbol)\n");
	} else {
		fprintf(out, "Python:      unknown\n");
	}
	if (python->error) {
		fprintf(out, "Python error: ");
		print_escaped(out, python->error);
		fputc('\n', out);
	}
	if (core->live_dump)
		fprintf(out, "Threads:     %zu; none crashed\n", analysis->nthreads);
	else
		fprintf(out, "Threads:     %zu; crashing thread: LWP %d (thread 1)\n",
			analysis->nthreads, (int)core->threads[0].lwp);
	fprintf(out, "Fingerprint: %s%s\n", analysis->fingerprint.id,
		!core->live_dump      ? ""
		: analysis->nblocked ? " (of a hang: where its threads are blocked, no signal)"
				     : " (of a hang: thread 1's stacks, no signal)");
	print_warnings(out, analysis, false);
}

/* The source line of FRAME, indented by INDENT columns. */
static void print_source(FILE *out, int indent_columns, struct source_cache *sources,
			 const struct py_frame *frame)
{
	const struct py_location *loc = &frame->location;
	size_t len, indent = 0, start, end, i;
	const char *line = source_line(sources, frame->filename, loc->line, &len);

	if (!line)
		return;
	while (indent < len && (line[indent] == ' ' || line[indent] == '\t' || line[indent] == '\f'))
		indent++;
	if (indent == len)
		return;
	fprintf(out, "%*s", indent_columns, "");
	put_escaped(out, line + indent, len - indent);
	fputc('\n', out);
	/* Underline the expression that ran, as 3.11 tracebacks do, when it is
	 * not the whole line. */
	if (loc->column < 0 || loc->end_column < 0 || loc->end_line != loc->line)
		return;
	start = (size_t)loc->column;
	end = (size_t)loc->end_column;
	if (start < indent || end > len || end <= start)
		return;
	while (len > indent && (line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	if (start == indent && end >= len)
		return;
	fprintf(out, "%*s", indent_columns, "");
	/* Placed by display width, as 3.13's tracebacks place it: a CJK
	 * character takes two columns. */
	for (i = display_width(line + indent, start - indent); i > 0; i--)
		fputc(' ', out);
	for (i = display_width(line + start, end - start); i > 0; i--)
		fputc('^', out);
	fputc('\n', out);
}

/* The exception the thread was handling, as a traceback's last line. */
static void print_exception(FILE *out, const struct py_thread *thread)
{
	if (thread->exception_error) {
		fprintf(out, "  While handling: <unreadable: ");
		print_escaped(out, thread->exception_error);
		fprintf(out, ">\n");
	}
	if (!thread->exception.type)
		return;
	fprintf(out, "  While handling: ");
	print_escaped(out, thread->exception.type);
	if (thread->exception.message) {
		fprintf(out, ": ");
		print_escaped(out, thread->exception.message);
	}
	fputc('\n', out);
}

/* The variables of FRAME (--locals), "name = repr", indented by INDENT
 * columns. */
static void print_locals(FILE *out, int indent, const struct py_frame *frame)
{
	size_t i;

	for (i = 0; i < frame->nlocals; i++) {
		fprintf(out, "%*s", indent, "");
		print_escaped(out, frame->locals[i].name);
		fprintf(out, " = ");
		print_escaped(out, frame->locals[i].repr);
		fputc('\n', out);
	}
	if (frame->locals_cut)
		fprintf(out, "%*s... more variables not shown\n", indent, "");
	if (frame->locals_error) {
		fprintf(out, "%*s<variables unreadable: ", indent, "");
		print_escaped(out, frame->locals_error);
		fprintf(out, ">\n");
	}
}

/* One Python frame as tracebacks print it, after PREFIX. */
static void print_py_frame(FILE *out, const char *prefix, const struct py_frame *frame,
			   struct source_cache *sources, const struct report_options *options)
{
	if (frame->error) {
		fprintf(out, "%s<unreadable frame at %#llx: ", prefix,
			(unsigned long long)frame->address);
		print_escaped(out, frame->error);
		fprintf(out, ">\n");
		return;
	}
	fprintf(out, "%sFile \"", prefix);
	print_escaped(out, frame->filename);
	fprintf(out, "\", line %d, in ", frame->location.line);
	print_escaped(out, frame->name);
	fputc('\n', out);
	if (options->source)
		print_source(out, (int)strlen(prefix) + 2, sources, frame);
	print_locals(out, (int)strlen(prefix) + 4, frame);
}

static void print_python(FILE *out, const struct analysis *analysis, const struct py_thread *thread,
			 struct source_cache *sources, const struct report_options *options)
{
	char marker[REPEAT_MARKER_MAX];
	size_t i;

	if (!thread) {
		fprintf(out, "  <not a Python thread>\n");
		return;
	}
	if (thread->not_read) {
		fprintf(out, "  <not read (%s)>\n", thread->not_read);
		return;
	}
	if (thread->nframes == 0 && !thread->error) {
		fprintf(out, "  <no Python frame>\n");
		return;
	}
	if (thread->nframes)
		fprintf(out, "  Traceback (most recent call first):\n");
	for (i = 0; i < thread->nframes; i++) {
		const struct py_frame *frame = &thread->frames[i];

		print_py_frame(out, "    ", frame, sources, options);
		if (repeat_marker(frame->repeat_period, frame->repeat_count, marker,
				  sizeof(marker)))
			fprintf(out, "    %s\n", marker);
		if (i + 1 == thread->nhead && thread->omitted && i + 1 < thread->nframes)
			fprintf(out, "    ... %zu frames not shown (--max-frames=%zu) ...\n",
				thread->omitted, analysis->options->python.max_frames);
	}
	if (thread->omitted && thread->nhead == thread->nframes)
		fprintf(out, "    ... %zu more frames not shown (--max-frames=%zu)\n",
			thread->omitted, analysis->options->python.max_frames);
	else if (thread->cut && !thread->omitted)
		fprintf(out, "    ... more frames not shown (more than %u)\n", PYFRAME_MAX_CHAIN);
	if (thread->total_frames > thread->nframes)
		fprintf(out, "    [%zu frames in all]\n", thread->total_frames);
	if (thread->error) {
		fprintf(out, "  <Python stack stops here: ");
		print_escaped(out, thread->error);
		fprintf(out, ">\n");
	}
	print_exception(out, thread);
}

static void print_task_name(FILE *out, const struct py_task *task)
{
	if (task->name) {
		fputc('"', out);
		print_escaped(out, task->name);
		fputc('"', out);
	} else {
		fprintf(out, "at %#llx", (unsigned long long)task->address);
	}
}

/* "Task "NAME" (pending, 0x...) [running in thread 1]" */
static void print_task_header(FILE *out, const struct analysis *analysis,
			      const struct py_task *task)
{
	size_t number = analysis_thread_number(analysis, task->thread);

	fprintf(out, "Task ");
	print_task_name(out, task);
	fprintf(out, " (%s, %#llx", pytasks_state_name(task->state),
		(unsigned long long)task->address);
	if (task->interp_index > 0)
		fprintf(out, ", subinterpreter %lld", (long long)task->interp_index);
	fputc(')', out);
	if (task->running && number)
		fprintf(out, " [running in thread %zu]", number);
	else if (task->running)
		fprintf(out, " [running]");
}

/* What TASK waits on, after "Awaiting: ". */
static void print_task_wait(FILE *out, const struct analysis *analysis,
			    const struct py_task *task)
{
	size_t i;

	fprintf(out, "%s", pytasks_wait_name(task->wait));
	if (task->wait == PY_WAIT_TASK && task->nawaits) {
		fputc(' ', out);
		print_task_name(out, &analysis->tasks.tasks[task->awaits[0]]);
	} else if (task->wait == PY_WAIT_GATHER || task->wait == PY_WAIT_TASK_GROUP) {
		for (i = 0; i < task->nawaits; i++) {
			fprintf(out, "%s task ", i ? "," : " of");
			print_task_name(out, &analysis->tasks.tasks[task->awaits[i]]);
		}
		if (task->awaits_cut)
			fprintf(out, ", ...");
	} else if (task->wait == PY_WAIT_FUTURE && task->waiter_type) {
		fprintf(out, " (");
		print_escaped(out, task->waiter_type);
		fputc(')', out);
	}
}

static void print_task(FILE *out, const struct analysis *analysis, const struct py_task *task,
		       struct source_cache *sources, const struct report_options *options)
{
	size_t i;

	fputc('\n', out);
	print_task_header(out, analysis, task);
	fputc('\n', out);
	if (task->state == PY_TASK_PENDING && !task->running) {
		fprintf(out, "  Awaiting: ");
		if (task->wait == PY_WAIT_NOTHING)
			fprintf(out, "nothing (ready to run)");
		else
			print_task_wait(out, analysis, task);
		fputc('\n', out);
	}
	if (task->nframes)
		fprintf(out, "  Coroutine chain (outermost first):\n");
	for (i = 0; i < task->nframes; i++)
		print_py_frame(out, "    ", &task->frames[i], sources, options);
	if (task->cut)
		fprintf(out, "    ... more coroutines not shown (--max-frames=%zu)\n",
			analysis->options->python.max_frames);
	if (task->running && task->nframes)
		fprintf(out, "    ... running: the thread's traceback shows where\n");
	if (task->error) {
		fprintf(out, "  <task unreadable: ");
		print_escaped(out, task->error);
		fprintf(out, ">\n");
	}
}

/* --tasks tree: each task with the tasks it awaits below it, as
 * `python -m asyncio pstree` draws them; a task met again on its own
 * branch is a cycle, reported and not followed. */
static void print_task_branch(FILE *out, const struct analysis *analysis, size_t index,
			      char *prefix, size_t prefix_len, size_t *path, size_t depth,
			      bool last, bool *shown)
{
	const struct py_task *task = &analysis->tasks.tasks[index];
	size_t i;

	fprintf(out, "%.*s%s", (int)prefix_len, prefix, depth ? (last ? "└── " : "├── ") : "");
	for (i = 0; i < depth; i++)
		if (path[i] == index) {
			fprintf(out, "cycle: ");
			print_task_header(out, analysis, task);
			fprintf(out, " again\n");
			return;
		}
	shown[index] = true;
	print_task_header(out, analysis, task);
	if (task->state == PY_TASK_PENDING && !task->running && !task->nawaits) {
		fprintf(out, " awaiting ");
		print_task_wait(out, analysis, task);
	}
	fputc('\n', out);
	if (depth >= 64) {
		fprintf(out, "%.*s    ...\n", (int)prefix_len, prefix);
		return;
	}
	path[depth] = index;
	if (depth) {
		memcpy(prefix + prefix_len, last ? "    " : "│   ", last ? 4 : 6);
		prefix_len += last ? 4 : 6;
	}
	for (i = 0; i < task->nawaits; i++)
		print_task_branch(out, analysis, task->awaits[i], prefix, prefix_len, path,
				  depth + 1, i + 1 == task->nawaits, shown);
}

static void print_task_tree(FILE *out, const struct analysis *analysis)
{
	const struct pytasks *tasks = &analysis->tasks;
	static char prefix[64 * 6 + 1];
	size_t path[65];
	bool *awaited = calloc(tasks->ntasks + 1, sizeof(*awaited));
	bool *shown = calloc(tasks->ntasks + 1, sizeof(*shown));
	size_t i, j;

	if (!awaited || !shown) {
		free(awaited);
		free(shown);
		fprintf(out, "  <out of memory>\n");
		return;
	}
	for (i = 0; i < tasks->ntasks; i++)
		for (j = 0; j < tasks->tasks[i].nawaits; j++)
			awaited[tasks->tasks[i].awaits[j]] = true;
	fprintf(out, "\nTask tree (each task above the tasks it awaits):\n");
	for (i = 0; i < tasks->ntasks; i++)
		if (!awaited[i])
			print_task_branch(out, analysis, i, prefix, 0, path, 0, true, shown);
	/* Tasks that only await each other in a ring have no root: each ring
	 * is drawn from the first of its tasks. */
	for (i = 0; i < tasks->ntasks; i++)
		if (!shown[i])
			print_task_branch(out, analysis, i, prefix, 0, path, 0, true, shown);
	free(awaited);
	free(shown);
}

static void print_tasks(FILE *out, const struct analysis *analysis,
			struct source_cache *sources, const struct report_options *options)
{
	const struct pytasks *tasks = &analysis->tasks;
	size_t i;

	if (!tasks->asyncio)
		return;
	fprintf(out, "\nAsyncio tasks: %zu%s\n", tasks->ntasks, tasks->cut ? " (cut)" : "");
	if (options->tasks_tree) {
		print_task_tree(out, analysis);
		return;
	}
	for (i = 0; i < tasks->ntasks; i++)
		print_task(out, analysis, &tasks->tasks[i], sources, options);
}

/* The Python side of the thread VIEW, or why there is none. */
static void print_thread_python(FILE *out, const struct analysis *analysis,
				const struct thread_view *view, struct source_cache *sources,
				const struct report_options *options)
{
	switch (python_thread_status(&analysis->python, view->number - 1)) {
	case PY_THREAD_READ:
	case PY_THREAD_NOT_READ:
		print_python(out, analysis, view->python, sources, options);
		break;
	case PY_THREAD_NOT_PYTHON:
		if (analysis->python.found)
			fprintf(out, "  <not a Python thread>\n");
		break;
	case PY_THREAD_UNKNOWN:
		fprintf(out, "  <Python stack unknown: see the Python error above>\n");
		break;
	}
}

/* Native frame I of STACK, numbered as eu-stack numbers it (gdb counts
 * inlined calls too). */
static void print_native_frame(FILE *out, const char *prefix, const struct native_stack *stack,
			       size_t i)
{
	const struct native_frame *frame = &stack->frames[i];
	const struct native_symbol *where = &frame->where;

	fprintf(out, "%s#%-2zu 0x%016llx in ", prefix, i, (unsigned long long)frame->pc);
	if (where->symbol) {
		print_escaped(out, where->symbol);
		fprintf(out, "+%#llx", (unsigned long long)where->offset);
	} else {
		fprintf(out, "??");
	}
	fprintf(out, " (");
	print_escaped(out, where->module ? where->module : "?");
	fputc(')', out);
	if (where->src_file) {
		fprintf(out, " at ");
		print_escaped(out, where->src_file);
		fprintf(out, ":%d", where->src_line);
	}
	if (native_stack_is_trampoline(stack, i))
		fprintf(out, " <signal handler called>");
	fputc('\n', out);
}

/* The native frames of STACK, a recursion collapsed as the Python frames'
 * is (a C stack overflow is thousands of the same few frames); all of them
 * when there is no memory to work that out. */
static void print_native_frames(FILE *out, const struct native_stack *stack)
{
	struct frame_place *places = calloc(stack->nframes, sizeof(*places));
	struct frame_pick *picks = calloc(stack->nframes, sizeof(*picks));
	char marker[REPEAT_MARKER_MAX];
	size_t i, npicks = stack->nframes;

	for (i = 0; places && picks && i < stack->nframes; i++)
		places[i] = (struct frame_place){.code = stack->frames[i].pc};
	if (places && picks)
		npicks = frame_collapse(places, stack->nframes, true, picks);
	for (i = 0; i < npicks; i++) {
		size_t index = places && picks ? picks[i].index : i;

		print_native_frame(out, "    ", stack, index);
		if (places && picks &&
		    repeat_marker(picks[i].period, picks[i].repeats, marker, sizeof(marker)))
			fprintf(out, "    %s\n", marker);
	}
	free(places);
	free(picks);
}

static void print_native(FILE *out, const struct analysis *analysis,
			 const struct native_stack *stack)
{
	fprintf(out, "  Native stack:\n");
	print_native_frames(out, stack);
	if (stack->cut)
		fprintf(out, "    ... more frames not shown (--max-frames=%zu)\n",
			analysis->options->max_native_frames);
	if (stack->error) {
		fprintf(out, "    <unwinding stopped: ");
		print_escaped(out, stack->error);
		fprintf(out, ">\n");
	}
}

/* The interleaved stack; where pairing failed, the two stacks apart. */
static void print_mixed(FILE *out, const struct analysis *analysis, const struct thread_view *view,
			struct source_cache *sources, const struct report_options *options)
{
	const struct mixed_stack *mixed = &view->mixed;
	enum py_thread_status status;
	size_t i;

	if (mixed->error) {
		fprintf(out, "  <native and Python frames cannot be interleaved: ");
		print_escaped(out, mixed->error);
		fprintf(out, "; shown apart>\n");
		print_thread_python(out, analysis, view, sources, options);
		print_native(out, analysis, &view->native);
		return;
	}
	/* The interleaved stack has no Python frames: say why, unless the
	 * thread is simply not a Python thread. */
	status = python_thread_status(&analysis->python, view->number - 1);
	if (status == PY_THREAD_NOT_READ || status == PY_THREAD_UNKNOWN)
		print_thread_python(out, analysis, view, sources, options);
	fprintf(out, "  Stack (most recent call first):\n");
	for (i = 0; i < mixed->nentries; i++) {
		const struct mixed_entry *entry = &mixed->entries[i];

		if (entry->kind == MIXED_NATIVE)
			print_native_frame(out, "    (C)      ", &view->native, entry->index);
		else {
			int64_t state;
			size_t frame;
			const struct py_frame *py =
				analysis_mixed_frame(analysis, view, entry->index, &state, &frame);

			if (py)
				print_py_frame(out, "    (Python) ", py, sources, options);
		}
	}
	if (view->native.cut || (view->python && view->python->cut))
		fprintf(out, "    ... more frames not shown (--max-frames=%zu)\n",
			analysis->options->max_native_frames);
	if (view->native.error) {
		fprintf(out, "    <unwinding stopped: ");
		print_escaped(out, view->native.error);
		fprintf(out, ">\n");
	}
	if (view->python && view->python->error) {
		fprintf(out, "    <Python stack stops here: ");
		print_escaped(out, view->python->error);
		fprintf(out, ">\n");
	}
	if (view->python)
		print_exception(out, view->python);
}

static void print_thread_header(FILE *out, const struct analysis *analysis,
				const struct thread_view *view)
{
	const struct py_thread *python = view->python;
	const char *sep = "";

	fprintf(out, "Thread %zu ", view->number);
	if (view->named && view->named->name) {
		fputc('"', out);
		print_escaped(out, view->named->name);
		fprintf(out, "\" ");
	}
	fprintf(out, "(LWP %d, pthread 0x%016llx)", (int)view->core_thread->lwp,
		(unsigned long long)view->pthread_id);
	if (!view->crashed &&
	    !(python && (python->holds_gil || (view->named && view->named->daemon))) &&
	    !(python && python->interp_index > 0))
		goto done;
	fprintf(out, " [");
	if (view->crashed) {
		const char *name = analysis->signal.name;

		fprintf(out, "crashed%s%s", name ? ", " : "", name ? name : "");
		sep = ", ";
	}
	if (python && python->holds_gil) {
		fprintf(out, "%sholds GIL%s", sep,
			analysis->python.gc_collecting ? ", garbage collecting" : "");
		sep = ", ";
	}
	if (view->named && view->named->daemon) {
		fprintf(out, "%sdaemon", sep);
		sep = ", ";
	}
	if (python && python->interp_index > 0)
		fprintf(out, "%ssubinterpreter %lld", sep, (long long)python->interp_index);
	fputc(']', out);
done:
	fputc('\n', out);
}

void report_text(FILE *out, const struct analysis *analysis, const struct report_options *options)
{
	struct source_cache *sources = options->source
					       ? source_cache_create(&analysis->options->paths, analysis->cwd)
					       : NULL;
	size_t i;

	print_header(out, analysis);
	for (i = 0; i < analysis->nthreads; i++) {
		const struct thread_view *view = &analysis->threads[i];

		fputc('\n', out);
		print_thread_header(out, analysis, view);
		if (analysis->options->mixed) {
			print_mixed(out, analysis, view, sources, options);
			continue;
		}
		print_thread_python(out, analysis, view, sources, options);
		if (options->native)
			print_native(out, analysis, &view->native);
	}
	for (i = 0; i < analysis->nunmatched; i++) {
		const struct py_thread *thread = analysis->unmatched[i];

		fprintf(out, "\nPython thread state at %#llx (pthread 0x%016llx, ",
			(unsigned long long)thread->tstate, (unsigned long long)thread->thread_id);
		if (thread->native_thread_id)
			fprintf(out, "LWP %llu, ", (unsigned long long)thread->native_thread_id);
		if (thread->name) {
			fputc('"', out);
			print_escaped(out, thread->name);
			fputs("\", ", out);
		}
		fprintf(out, "interpreter %lld): ", (long long)thread->interp_index);
		/* A thread has a state in each interpreter it ran in; the
		 * one shown above is the one it runs now. */
		if (thread->owner)
			fprintf(out, "another state of thread %zu\n", thread->owner);
		else if (analysis->inherited_states)
			fprintf(out, "no such thread in the core: a thread of the parent process %d, "
				"whose state the child inherited through fork()\n",
				analysis->parent_pid);
		else
			fprintf(out, "no such thread in the core\n");
		print_python(out, analysis, thread, sources, options);
	}
	print_tasks(out, analysis, sources, options);
	source_cache_destroy(sources);
}
