#include "report/json.h"

#include "analysis/analysis.h"
#include "elf/core.h"
#include "base/json.h"
#include "elf/modules.h"
#include "asyncio/tasks.h"
#include "report/source.h"

#include <stdbool.h>
#include <string.h>

/* Long enough for the hex of a 64-byte build-id. */
#define BUILD_ID_HEX_MAX 129


static const char *layout_source_id(enum layout_source source)
{
	switch (source) {
	case LAYOUT_SOURCE_DWARF:
		return "dwarf";
	case LAYOUT_SOURCE_DEBUG_OFFSETS:
		return "debug-offsets";
	case LAYOUT_SOURCE_TABLES:
		return "tables";
	case LAYOUT_SOURCE_NONE:
		break;
	}
	return NULL;
}

static void write_process(struct json *j, const struct analysis *analysis)
{
	const struct core *core = analysis->core;

	if (!analysis->command) {
		json_null(j);
		return;
	}
	json_open(j, '{');
	json_key(j, "name");
	json_string(j, core->psinfo.fname);
	json_key(j, "command");
	json_string(j, analysis->command);
	json_key(j, "command_cut");
	json_bool(j, analysis->command_cut);
	json_key(j, "pid");
	json_int(j, core->psinfo.pid);
	json_key(j, "ppid");
	json_int(j, analysis->parent_pid);
	json_key(j, "forking_thread");
	if (analysis->forking_thread)
		json_int(j, analysis->forking_thread);
	else
		json_null(j);
	json_key(j, "uid");
	json_int(j, core->psinfo.uid);
	json_key(j, "gid");
	json_int(j, core->psinfo.gid);
	json_close(j, '}');
}

static void write_signal(struct json *j, const struct crash_signal *signal,
			 const char *abort_message)
{
	/* Signal 0: a live process's dump (gcore), which no signal caused. */
	if (!signal->number) {
		json_null(j);
		return;
	}
	json_open(j, '{');
	json_key(j, "number");
	json_int(j, signal->number);
	json_key(j, "name");
	json_string(j, signal->name);
	json_key(j, "meaning");
	json_string(j, signal->meaning);
	json_key(j, "code");
	if (signal->has_code)
		json_int(j, signal->code);
	else
		json_null(j);
	json_key(j, "code_name");
	json_string(j, signal->code_name);
	json_key(j, "code_meaning");
	json_string(j, signal->code_meaning);
	json_key(j, "fault_address");
	if (signal->has_address)
		json_hex(j, signal->address);
	else
		json_null(j);
	json_key(j, "sender_pid");
	if (signal->has_sender)
		json_int(j, signal->sender_pid);
	else
		json_null(j);
	json_key(j, "stack_overflow");
	json_bool(j, signal->stack_overflow);
	json_key(j, "reraised_by_handler");
	if (signal->reraised)
		json_int(j, signal->reraised);
	else
		json_null(j);
	json_key(j, "abort_message");
	json_string(j, abort_message);
	json_close(j, '}');
}

static void write_python_summary(struct json *j, const struct python *python)
{
	json_open(j, '{');
	json_key(j, "found");
	json_bool(j, python->found);
	json_key(j, "version");
	json_string(j, python->found && python->version[0] ? python->version : NULL);
	json_key(j, "module");
	json_string(j, python->found ? python->module_path : NULL);
	json_key(j, "layout");
	if (python->found && python->layout_detail && layout_source_id(python->layout.source)) {
		json_open(j, '{');
		json_key(j, "source");
		json_string(j, layout_source_id(python->layout.source));
		json_key(j, "detail");
		json_string(j, python->layout_detail);
		json_close(j, '}');
	} else {
		json_null(j);
	}
	json_key(j, "gc_collecting");
	json_bool(j, python->gc_collecting);
	json_key(j, "interpreters");
	json_int(j, (int64_t)python->ninterpreters);
	json_key(j, "threads_cut");
	json_bool(j, python->threads_not_read > 0);
	json_key(j, "error");
	json_string(j, python->error);
	json_close(j, '}');
}

/* The text report's "Warning:" lines, in their order. */
static void write_warnings(struct json *j, const struct analysis *analysis)
{
	size_t i;

	json_open(j, '[');
	for (i = 0; i < analysis->nnotes; i++)
		if (analysis->notes[i].warning)
			json_string(j, analysis->notes[i].text);
	json_close(j, ']');
}

/* Every note, warning or not, with its code. */
static void write_notes(struct json *j, const struct analysis *analysis)
{
	size_t i;

	json_open(j, '[');
	for (i = 0; i < analysis->nnotes; i++) {
		const struct note *note = &analysis->notes[i];

		json_open(j, '{');
		json_key(j, "code");
		json_string(j, note_code_name(note->code));
		json_key(j, "warning");
		json_bool(j, note->warning);
		json_key(j, "text");
		json_string(j, note->text);
		json_close(j, '}');
	}
	json_close(j, ']');
}

/* null without --locals; else the variables, and why they stop if they do. */
static void write_locals(struct json *j, const struct py_frame *frame, bool with_locals)
{
	static const char *const kinds[] = {
		[PY_LOCAL_PLAIN] = "local", [PY_LOCAL_CELL] = "cell", [PY_LOCAL_FREE] = "free",
	};
	size_t i;

	if (!with_locals) {
		json_null(j);
		return;
	}
	json_open(j, '{');
	json_key(j, "variables");
	json_open(j, '[');
	for (i = 0; i < frame->nlocals; i++) {
		json_open(j, '{');
		json_key(j, "name");
		json_string(j, frame->locals[i].name);
		json_key(j, "repr");
		json_string(j, frame->locals[i].repr);
		json_key(j, "kind");
		json_string(j, kinds[frame->locals[i].kind]);
		json_close(j, '}');
	}
	json_close(j, ']');
	json_key(j, "cut");
	json_bool(j, frame->locals_cut);
	json_key(j, "error");
	json_string(j, frame->locals_error);
	json_close(j, '}');
}

static void write_py_frame(struct json *j, const struct py_frame *frame,
			   struct source_cache *sources, bool with_locals)
{
	const struct py_location *loc = &frame->location;
	const char *line = NULL;
	size_t len = 0;

	if (sources && !frame->error && frame->filename)
		line = source_line(sources, frame->filename, loc->line, &len);
	json_open(j, '{');
	json_key(j, "address");
	json_hex(j, frame->address);
	json_key(j, "file");
	json_string(j, frame->error ? NULL : frame->filename);
	json_key(j, "name");
	json_string(j, frame->error ? NULL : frame->name);
	json_key(j, "line");
	json_position(j, frame->error ? -1 : loc->line);
	json_key(j, "end_line");
	json_position(j, frame->error ? -1 : loc->end_line);
	json_key(j, "column");
	json_position(j, frame->error ? -1 : loc->column);
	json_key(j, "end_column");
	json_position(j, frame->error ? -1 : loc->end_column);
	json_key(j, "is_entry");
	json_bool(j, frame->is_entry);
	json_key(j, "source");
	if (line)
		json_string_n(j, line, len);
	else
		json_null(j);
	json_key(j, "error");
	json_string(j, frame->error);
	json_key(j, "locals");
	write_locals(j, frame, with_locals);
	json_key(j, "repeated");
	json_int_pair(j, frame->repeat_period != 0, "frames", (int64_t)frame->repeat_period, "times",
		      (int64_t)frame->repeat_count);
	json_close(j, '}');
}

static void write_py_stack(struct json *j, const struct py_thread *thread,
			   struct source_cache *sources, bool with_locals)
{
	size_t i;

	json_open(j, '{');
	json_key(j, "frames");
	json_open(j, '[');
	for (i = 0; i < thread->nframes; i++)
		write_py_frame(j, &thread->frames[i], sources, with_locals);
	json_close(j, ']');
	json_key(j, "cut");
	json_bool(j, thread->cut);
	json_key(j, "total_frames");
	json_int(j, (int64_t)thread->total_frames);
	json_key(j, "omitted");
	json_int_pair(j, thread->omitted != 0, "after", (int64_t)thread->nhead, "frames",
		      (int64_t)thread->omitted);
	json_key(j, "error");
	json_string(j, thread->error);
	json_key(j, "exception");
	if (thread->exception.type || thread->exception_error) {
		json_open(j, '{');
		json_key(j, "type");
		json_string(j, thread->exception.type);
		json_key(j, "message");
		json_string(j, thread->exception.message);
		json_key(j, "error");
		json_string(j, thread->exception_error);
		json_close(j, '}');
	} else {
		json_null(j);
	}
	json_close(j, '}');
}

static void write_native_stack(struct json *j, const struct native_stack *stack)
{
	char build_id[BUILD_ID_HEX_MAX];
	size_t i;

	json_open(j, '{');
	json_key(j, "frames");
	json_open(j, '[');
	for (i = 0; i < stack->nframes; i++) {
		const struct native_frame *frame = &stack->frames[i];
		const struct native_symbol *where = &frame->where;

		json_open(j, '{');
		json_key(j, "pc");
		json_hex(j, frame->pc);
		json_key(j, "symbol");
		json_string(j, where->symbol);
		json_key(j, "offset");
		if (where->symbol)
			json_int(j, (int64_t)where->offset);
		else
			json_null(j);
		json_key(j, "module");
		json_string(j, where->module);
		json_key(j, "build_id");
		json_string(j, modules_symbol_build_id(where, build_id, sizeof(build_id))
				       ? build_id
				       : NULL);
		json_key(j, "src_file");
		json_string(j, where->src_file);
		json_key(j, "src_line");
		if (where->src_file)
			json_int(j, where->src_line);
		else
			json_null(j);
		json_key(j, "signal_trampoline");
		json_bool(j, native_stack_is_trampoline(stack, i));
		json_close(j, '}');
	}
	json_close(j, ']');
	json_key(j, "cut");
	json_bool(j, stack->cut);
	json_key(j, "error");
	json_string(j, stack->error);
	json_close(j, '}');
}

/* With --native: the call order of the frames above, as references into
 * "native" and "python", or why they could not be interleaved. */
static void write_interleaved(struct json *j, const struct analysis *analysis,
			      const struct thread_view *view)
{
	const struct mixed_stack *mixed = &view->mixed;
	size_t i;

	if (!analysis->options->mixed) {
		json_null(j);
		return;
	}
	json_open(j, '{');
	json_key(j, "order");
	json_open(j, '[');
	for (i = 0; i < mixed->nentries; i++) {
		int64_t state = -1;
		size_t index = mixed->entries[i].index;

		if (mixed->entries[i].kind == MIXED_PYTHON)
			analysis_mixed_frame(analysis, view, mixed->entries[i].index, &state, &index);
		json_open(j, '{');
		json_key(j, "kind");
		json_string(j, mixed->entries[i].kind == MIXED_NATIVE ? "native"
			       : state < 0			   ? "python"
								   : "other_state");
		if (state >= 0) {
			json_key(j, "state");
			json_int(j, state);
		}
		json_key(j, "index");
		json_int(j, (int64_t)index);
		json_close(j, '}');
	}
	json_close(j, ']');
	json_key(j, "error");
	json_string(j, mixed->error);
	json_close(j, '}');
}

static const char *const python_status_names[] = {
	[PY_THREAD_READ] = "read",
	[PY_THREAD_NOT_PYTHON] = "not_python",
	[PY_THREAD_NOT_READ] = "not_read",
	[PY_THREAD_UNKNOWN] = "unknown",
};

static void write_thread(struct json *j, const struct analysis *analysis,
			 const struct thread_view *view, struct source_cache *sources,
			 const struct report_options *options)
{
	const struct py_thread *python = view->python;

	json_open(j, '{');
	json_key(j, "number");
	json_int(j, (int64_t)view->number);
	json_key(j, "lwp");
	json_int(j, view->core_thread->lwp);
	json_key(j, "pthread_id");
	json_hex(j, view->pthread_id);
	json_key(j, "name");
	if (view->named && view->named->name)
		json_string(j, view->named->name);
	else
		json_null(j);
	json_key(j, "daemon");
	if (view->named && view->named->name)
		json_bool(j, view->named->daemon);
	else
		json_null(j);
	json_key(j, "crashed");
	json_bool(j, view->crashed);
	json_key(j, "holds_gil");
	json_bool(j, python && python->holds_gil);
	json_key(j, "interpreter");
	if (python)
		json_int(j, python->interp_index);
	else
		json_null(j);
	json_key(j, "thread_state");
	if (python)
		json_hex(j, python->tstate);
	else
		json_null(j);
	json_key(j, "python_status");
	json_string(j, python_status_names[python_thread_status(&analysis->python,
								view->number - 1)]);
	json_key(j, "not_read");
	json_string(j, python ? python->not_read : NULL);
	json_key(j, "python");
	if (python && !python->not_read)
		write_py_stack(j, python, sources, analysis->options->python.locals);
	else
		json_null(j);
	json_key(j, "native");
	if (options->native)
		write_native_stack(j, &view->native);
	else
		json_null(j);
	json_key(j, "interleaved");
	write_interleaved(j, analysis, view);
	json_close(j, '}');
}

static void write_task(struct json *j, const struct analysis *analysis,
		       const struct py_task *task, struct source_cache *sources)
{
	size_t number = analysis_thread_number(analysis, task->thread), i;

	json_open(j, '{');
	json_key(j, "address");
	json_hex(j, task->address);
	json_key(j, "name");
	json_string(j, task->name);
	json_key(j, "state");
	json_string(j, pytasks_state_name(task->state));
	json_key(j, "interpreter");
	json_int(j, task->interp_index);
	json_key(j, "loop");
	if (task->loop)
		json_hex(j, task->loop);
	else
		json_null(j);
	json_key(j, "running");
	json_bool(j, task->running);
	json_key(j, "thread");
	if (number)
		json_int(j, (int64_t)number);
	else
		json_null(j);
	json_key(j, "awaiting");
	json_open(j, '{');
	json_key(j, "kind");
	json_string(j, task->state == PY_TASK_PENDING && !task->running
			       ? pytasks_wait_name(task->wait) : NULL);
	json_key(j, "object");
	if (task->waiter)
		json_hex(j, task->waiter);
	else
		json_null(j);
	json_key(j, "type");
	json_string(j, task->waiter_type);
	json_key(j, "tasks");
	json_open(j, '[');
	for (i = 0; i < task->nawaits; i++)
		json_int(j, (int64_t)task->awaits[i]);
	json_close(j, ']');
	json_key(j, "cut");
	json_bool(j, task->awaits_cut);
	json_close(j, '}');
	json_key(j, "frames");
	json_open(j, '[');
	for (i = 0; i < task->nframes; i++)
		write_py_frame(j, &task->frames[i], sources, analysis->options->python.locals);
	json_close(j, ']');
	json_key(j, "cut");
	json_bool(j, task->cut);
	json_key(j, "error");
	json_string(j, task->error);
	json_close(j, '}');
}

static void write_tasks(struct json *j, const struct analysis *analysis,
			struct source_cache *sources)
{
	const struct pytasks *tasks = &analysis->tasks;
	size_t i;

	if (!analysis->options->python.tasks) {
		json_null(j);
		return;
	}
	json_open(j, '{');
	json_key(j, "asyncio");
	if (tasks->unknown && !tasks->asyncio)
		json_null(j);
	else
		json_bool(j, tasks->asyncio);
	json_key(j, "cut");
	json_bool(j, tasks->cut);
	json_key(j, "error");
	json_string(j, tasks->error);
	json_key(j, "tasks");
	json_open(j, '[');
	for (i = 0; i < tasks->ntasks; i++)
		write_task(j, analysis, &tasks->tasks[i], sources);
	json_close(j, ']');
	json_close(j, '}');
}

/* Thread states whose thread is not in the core (it exited, or the state
 * is stale): the text report lists them after the threads. */
static void write_unmatched(struct json *j, const struct py_thread *thread,
			    struct source_cache *sources, bool with_locals)
{
	json_open(j, '{');
	json_key(j, "thread_state");
	json_hex(j, thread->tstate);
	json_key(j, "pthread_id");
	json_hex(j, thread->thread_id);
	json_key(j, "lwp");
	if (thread->native_thread_id)
		json_int(j, (int64_t)thread->native_thread_id);
	else
		json_null(j);
	json_key(j, "name");
	if (thread->name)
		json_string(j, thread->name);
	else
		json_null(j);
	json_key(j, "holds_gil");
	json_bool(j, thread->holds_gil);
	json_key(j, "interpreter");
	json_int(j, thread->interp_index);
	json_key(j, "thread");
	if (thread->owner)
		json_int(j, (int64_t)thread->owner);
	else
		json_null(j);
	json_key(j, "not_read");
	json_string(j, thread->not_read);
	json_key(j, "python");
	if (thread->not_read)
		json_null(j);
	else
		write_py_stack(j, thread, sources, with_locals);
	json_close(j, '}');
}

void report_json(FILE *out, const struct analysis *analysis, const struct report_options *options)
{
	const struct core *core = analysis->core;
	const struct modules *modules = analysis->modules;
	struct source_cache *sources = options->source
					       ? source_cache_create(&analysis->options->paths, analysis->cwd)
					       : NULL;
	const struct fingerprint *fingerprint = &analysis->fingerprint;
	struct json j = {.out = out};
	size_t i;

	json_open(&j, '{');
	json_key(&j, "schema_version");
	json_int(&j, REPORT_JSON_SCHEMA_VERSION);
	json_key(&j, "pycore_version");
	json_string(&j, PYCORE_VERSION);

	json_key(&j, "core");
	json_open(&j, '{');
	json_key(&j, "path");
	json_string(&j, core->path);
	json_key(&j, "compression");
	json_string(&j, analysis->input->format);
	json_key(&j, "input_error");
	json_string(&j, analysis->input->error);
	json_key(&j, "size");
	json_int(&j, (int64_t)analysis->input->size);
	json_key(&j, "truncated");
	json_bool(&j, core->truncated);
	json_key(&j, "missing_bytes");
	json_int(&j, core->truncated ? (int64_t)core->missing_bytes : 0);
	json_close(&j, '}');

	json_key(&j, "executable");
	json_open(&j, '{');
	json_key(&j, "path");
	json_string(&j, modules->executable);
	json_key(&j, "origin");
	json_string(&j, modules->executable ? modules->executable_origin : NULL);
	json_close(&j, '}');

	json_key(&j, "process");
	write_process(&j, analysis);
	json_key(&j, "signal");
	write_signal(&j, &analysis->signal, analysis->abort_message);
	json_key(&j, "python");
	write_python_summary(&j, &analysis->python);

	json_key(&j, "fatal_error");
	json_string(&j, analysis->fatal_error);
	json_key(&j, "fatal_message");
	json_string(&j, analysis->fatal_message);

	json_key(&j, "fingerprint");
	json_open(&j, '{');
	json_key(&j, "id");
	json_string(&j, fingerprint->id);
	json_key(&j, "canonical");
	json_string_n(&j, fingerprint->canonical, fingerprint->canonical_len);
	json_close(&j, '}');

	json_key(&j, "crashing_thread");
	json_int_pair(&j, !core->live_dump, "number", 1, "lwp", core->threads[0].lwp);
	json_key(&j, "live_dump");
	json_bool(&j, core->live_dump);

	json_key(&j, "partial");
	json_bool(&j, analysis->partial);
	json_key(&j, "warnings");
	write_warnings(&j, analysis);
	json_key(&j, "notes");
	write_notes(&j, analysis);
	json_key(&j, "limits");
	json_open(&j, '{');
	json_key(&j, "max_python_frames");
	json_int(&j, (int64_t)analysis->options->python.max_frames);
	json_key(&j, "max_native_frames");
	json_int(&j, (int64_t)analysis->options->max_native_frames);
	json_key(&j, "max_threads");
	json_int(&j, (int64_t)analysis->options->python.max_threads);
	json_key(&j, "max_tasks");
	json_int(&j, (int64_t)analysis->options->python.max_tasks);
	json_key(&j, "timeout");
	json_double(&j, analysis->deadline.seconds);
	json_key(&j, "timed_out");
	json_bool(&j, analysis->deadline.passed);
	json_close(&j, '}');

	json_key(&j, "threads");
	json_open(&j, '[');
	for (i = 0; i < analysis->nthreads; i++)
		write_thread(&j, analysis, &analysis->threads[i], sources, options);
	json_close(&j, ']');
	json_key(&j, "unmatched_thread_states");
	json_open(&j, '[');
	for (i = 0; i < analysis->nunmatched; i++)
		write_unmatched(&j, analysis->unmatched[i], sources,
					analysis->options->python.locals);
	json_close(&j, ']');
	json_key(&j, "tasks");
	write_tasks(&j, analysis, sources);
	json_close(&j, '}');
	fputc('\n', out);
	source_cache_destroy(sources);
}
