#include "analysis/analysis.h"

#include "elf/core.h"
#include "base/error.h"
#include "elf/memory.h"
#include "elf/modules.h"
#include "elf/pthread.h"
#include "elf/signal_frame.h"
#include "analysis/command_line.h"
#include "analysis/own_code.h"
#include "analysis/signals.h"
#include "analysis/thread_states.h"
#include "asyncio/asyncio.h"
#include "base/warnings.h"
#include "input/copy_file.h"
#include "python/thread_names.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool python_partial(const struct python *python)
{
	size_t i, j;

	if (python->error)
		return true;
	for (i = 0; i < python->nthreads; i++) {
		if (python->threads[i].error || python->threads[i].not_read)
			return true;
		for (j = 0; j < python->threads[i].nframes; j++)
			if (python->threads[i].frames[j].error)
				return true;
	}
	return false;
}

static bool tasks_partial(const struct pytasks *tasks)
{
	size_t i, j;

	if (tasks->partial)
		return true;
	for (i = 0; i < tasks->ntasks; i++)
		for (j = 0; j < tasks->tasks[i].nframes; j++)
			if (tasks->tasks[i].frames[j].error)
				return true;
	return false;
}

/* What is read from the thread states of the walk that was kept: the names
 * threading gave them, and asyncio's tasks. */
static struct pc_error *read_after_walk(struct analysis *analysis,
					const struct python_options *options)
{
	struct python *python = &analysis->python;
	const struct py_reader reader = {.mem = analysis->memory, .layout = &python->layout};
	struct pc_error *err;

	if (!python_walked(python)) {
		analysis->tasks.unknown = true;
		return NULL;
	}
	err = pythreadnames_read(&reader, python->threads, python->nthreads);
	if (err && err != &pc_error_nomem) {
		warnings_add(&analysis->late_warnings, &analysis->nlate_warnings, "thread names: %s",
			     err->message);
		pc_error_destroy(err);
		err = NULL;
	}
	if (!err && options->tasks)
		err = asyncio_read_tasks(analysis->modules, analysis->memory, &python->layout,
					 python->threads, python->nthreads, options,
					 &analysis->tasks);
	if (!err && analysis->tasks.note)
		warnings_add(&analysis->late_warnings, &analysis->nlate_warnings, "%s",
			     analysis->tasks.note);
	return err;
}

static struct pc_error *match_threads(struct analysis *analysis)
{
	const struct python *python = &analysis->python;
	size_t i;

	for (i = 0; i < analysis->nthreads; i++) {
		struct thread_view *view = &analysis->threads[i];

		view->python = view->named = python_thread_for(python, i);
		if (view->python)
			view->pthread_id = pthread_of_thread(analysis->core, analysis->memory,
							     view->core_thread,
							     view->python->thread_id);
		view->named = thread_states_named(python, view->number, view->python);
	}
	if (!python->nthreads)
		return NULL;
	analysis->unmatched = calloc(python->nthreads, sizeof(*analysis->unmatched));
	if (!analysis->unmatched)
		return &pc_error_nomem;
	for (i = 0; i < python->nthreads; i++) {
		size_t j;

		for (j = 0; j < analysis->nthreads; j++)
			if (analysis->threads[j].python == &python->threads[i])
				break;
		if (j == analysis->nthreads)
			analysis->unmatched[analysis->nunmatched++] = &python->threads[i];
	}
	return NULL;
}

/* Py_FatalError() and the functions it calls to report and abort. */
static const char *fatal_error_function(const struct native_stack *stack)
{
	static const char *const names[] = {
		"Py_FatalError", "_Py_FatalErrorFunc", "_Py_FatalErrorFormat", "fatal_error",
	};
	size_t i, j;

	for (i = 0; i < stack->nframes; i++) {
		const char *symbol = stack->frames[i].where.symbol;

		for (j = 0; symbol && j < sizeof(names) / sizeof(names[0]); j++) {
			size_t len = strlen(names[j]);

			/* Also the compiler's parts: "fatal_error.lto_priv.0". */
			if (strncmp(symbol, names[j], len) == 0 &&
			    (symbol[len] == '\0' || symbol[len] == '.'))
				return names[j];
		}
	}
	return NULL;
}

/* The crashing thread's native frames that the crash's facts look at:
 * its own stack when it holds them, else a walk of their own. */
static struct pc_error *crash_native(struct analysis *analysis)
{
	const struct native_stack *own = &analysis->threads[0].native;
	struct pc_error *err;

	if (own->nframes && (!own->cut || own->nframes >= CRASH_NATIVE_FRAMES)) {
		analysis->crash_native = own;
		return NULL;
	}
	err = unwind_thread(analysis->modules, analysis->threads[0].core_thread->lwp,
			    CRASH_NATIVE_FRAMES, &analysis->crash_native_own);
	analysis->crash_native = &analysis->crash_native_own;
	return err;
}

/* Where the crash happened, and the siginfo to report (NULL: none; else
 * in *STORE).  A signal that the process sent itself from inside a signal
 * handler is the handler's doing (faulthandler raises the fault again once
 * it has written the traceback): the crash happened in the frame the
 * handler interrupted, and the signal is the one the handler was called
 * for, when the saved context tells it.  The context must name that
 * frame's pc, else the stack is not what it seems and the core's signal
 * stands. */
static const struct core_siginfo *handled_signal(struct analysis *analysis,
						 struct core_siginfo *store)
{
	const struct core *core = analysis->core;
	const struct native_stack *stack = analysis->crash_native;
	const struct core_siginfo *info = core->has_siginfo ? &core->siginfo : NULL;
	int signo = info ? info->signo : core->threads[0].signal;
	struct signal_frame frame;
	struct pc_error *err;

	if (!stack->signal_context || stack->interrupted >= stack->nframes ||
	    (info && info->code > 0))
		return info;
	err = signal_frame_read(core->arch, analysis->memory, stack->signal_context,
				analysis->threads[0].core_thread->regs, &frame);
	if (err) {
		pc_error_destroy(err);
		return info;
	}
	if ((frame.pc & core->code_address_mask) != stack->frames[stack->interrupted].pc)
		return info;
	analysis->signal.reraised = signo;
	analysis->crash_frame = stack->interrupted;
	analysis->fault_sp = frame.sp;
	if (signal_frame_siginfo(&frame, signo, store))
		return store;
	return info;
}

/* At most this much of an abort message is read. */
#define ABORT_MESSAGE_MAX 1024

/* glibc's struct abort_msg_s { unsigned int size; char msg[]; }: __abort_msg
 * points to one once __libc_message() or a failed assertion has formatted
 * its message, just before abort(). */
static struct pc_error *abort_message(struct analysis *analysis)
{
	char text[ABORT_MESSAGE_MAX];
	struct pc_error *err;
	uint64_t symbol, message;
	size_t len;
	int cut = 0;

	if (analysis->signal.number != SIGABRT ||
	    !modules_find_symbol(analysis->modules, NULL, "__abort_msg", &symbol, NULL, NULL))
		return NULL;
	err = memory_read_u64(analysis->memory, symbol, &message);
	if (!err && message)
		err = memory_read_cstring(analysis->memory, message + 4, text, sizeof(text), &cut);
	if (err || !message) {
		pc_error_destroy(err);
		return NULL;
	}
	len = strlen(text);
	while (len && text[len - 1] == '\n')
		len--;
	if (!len)
		return NULL;
	if (asprintf(&analysis->abort_message, "%.*s%s", (int)len, text, cut ? "..." : "") < 0) {
		analysis->abort_message = NULL;
		return &pc_error_nomem;
	}
	return NULL;
}

static struct pc_error *interleave(struct analysis *analysis)
{
	const struct python *python = &analysis->python;
	const char *module = NULL;
	size_t i;

	if (python->module_path) {
		module = strrchr(python->module_path, '/');
		module = module ? module + 1 : python->module_path;
	}
	for (i = 0; i < analysis->nthreads; i++) {
		struct thread_view *view = &analysis->threads[i];
		struct pc_error *err;

		err = thread_states_stack(analysis->unmatched, analysis->nunmatched, view->number,
					  view->python, &view->stacked);
		if (!err)
			err = mixed_build(&view->native,
					  view->stacked.frames ? &view->stacked : view->python,
					  python->layout_detail ? &python->layout : NULL, module,
					  analysis->options->mixed_all, &view->mixed);
		if (err)
			return err;
	}
	return NULL;
}

/* The signal SIGNO with siginfo INFO (NULL: the core has none), which a
 * signal handler raised again as signal RERAISED when that is not 0. */
static void describe_signal(const struct core_siginfo *info, int signo, int reraised,
			    struct crash_signal *ret)
{
	size_t used;

	*ret = (struct crash_signal){.reraised = reraised};
	/* Signal 0: gcore's dump of a live process, where no thread took a
	 * signal (its NT_SIGINFO is only the SIGSTOP of ptrace). */
	if (!signo) {
		ret->label = "no signal";
		snprintf(ret->text, sizeof(ret->text),
			 "none: dumped from a live process (no signal)");
		return;
	}
	ret->number = signo;
	ret->name = signal_name(ret->number);
	ret->meaning = signal_meaning(ret->number);
	snprintf(ret->label_buf, sizeof(ret->label_buf), "signal %d", ret->number);
	ret->label = ret->name ? ret->name : ret->label_buf;
	used = (size_t)snprintf(ret->text, sizeof(ret->text), "%s", ret->label);
	if (!info) {
		if (ret->meaning)
			used += (size_t)snprintf(ret->text + used, sizeof(ret->text) - used,
						 " (%s)", ret->meaning);
		goto reraised;
	}
	ret->has_code = true;
	ret->code = info->code;
	/* si_addr is the fault address of a fault the kernel raised (code >
	 * 0); a signal a process sent (code <= 0) has a sender. */
	ret->has_address = ret->code > 0 && signal_has_address(ret->number);
	ret->address = ret->has_address ? info->addr : 0;
	ret->has_sender = ret->code <= 0;
	ret->sender_pid = ret->has_sender ? (int)info->sender_pid : 0;
	if (signal_code(ret->number, ret->code, &ret->code_name, &ret->code_meaning))
		used += (size_t)snprintf(ret->text + used, sizeof(ret->text) - used, " (%s: %s)",
					 ret->code_name, ret->code_meaning);
	else if (ret->meaning)
		used += (size_t)snprintf(ret->text + used, sizeof(ret->text) - used,
					 " (%s, si_code %d)", ret->meaning, ret->code);
	if (used >= sizeof(ret->text))
		return;
	if (ret->has_address)
		used += (size_t)snprintf(ret->text + used, sizeof(ret->text) - used,
					 " at address 0x%llx", (unsigned long long)ret->address);
	else if (ret->has_sender)
		used += (size_t)snprintf(ret->text + used, sizeof(ret->text) - used,
					 " from PID %d", ret->sender_pid);
reraised:
	if (reraised && used < sizeof(ret->text)) {
		const char *again = signal_name(reraised);

		snprintf(ret->text + used, sizeof(ret->text) - used,
			 "; a signal handler caught it and raised %s%s", again ? again : "it",
			 reraised == signo ? " again" : "");
	}
}

/* The fingerprint, of the frame where the crash happened (crash_frame). */
static void fingerprint(struct analysis *analysis)
{
	const struct fingerprint_input in = {
		.signo = analysis->signal.number,
		.signame = analysis->signal.name,
		.python = analysis->threads[0].python,
		.native = analysis->crash_native,
		.native_first = analysis->crash_frame,
		.blocked = analysis->blocked,
		.nblocked = analysis->nblocked,
		.executable = analysis->modules->executable,
		.abort_message = analysis->abort_message,
		.pid = analysis->core->has_psinfo ? analysis->core->psinfo.pid
						  : analysis->core->threads[0].lwp,
	};

	fingerprint_compute(&in, &analysis->fingerprint);
}

/* A hang is where its threads wait in the program's own code. */
static struct pc_error *blocked_threads(struct analysis *analysis)
{
	size_t i;

	if (!analysis->core->live_dump)
		return NULL;
	analysis->blocked = calloc(analysis->nthreads, sizeof(*analysis->blocked));
	if (!analysis->blocked)
		return &pc_error_nomem;
	for (i = 0; i < analysis->nthreads; i++) {
		const struct py_frame *frame = own_code_frame(analysis->threads[i].python);

		if (frame)
			analysis->blocked[analysis->nblocked++] = frame;
	}
	analysis->nblocked = fingerprint_blocked_set(analysis->blocked, analysis->nblocked);
	return NULL;
}

/* The notes, once everything they speak of is known. */
static struct pc_error *notes(struct analysis *analysis)
{
	const struct note_sources from = {
		.input = analysis->input,
		.core = analysis->core,
		.modules = analysis->modules,
		.python = &analysis->python,
		.late_warnings = analysis->late_warnings,
		.nlate_warnings = analysis->nlate_warnings,
		.tasks = &analysis->tasks,
		.first = analysis->threads[0].python,
		.options = &analysis->options->python,
		.deadline = &analysis->deadline,
	};

	return notes_gather(&from, &analysis->notes, &analysis->nnotes);
}

/* How far below the stack pointer a fault still counts as a function's
 * frame that did not fit (a prologue writes at most this far down), and
 * above it (the red zone of the x86_64 ABI, 128 bytes, and a page). */
#define OVERFLOW_BELOW (64 << 10)
#define OVERFLOW_ABOVE 4096

/* A SIGSEGV at the stack pointer is a C stack overflow: the kernel's guard
 * page stopped a frame that no longer fit. */
static void stack_overflow(struct analysis *analysis)
{
	struct crash_signal *signal = &analysis->signal;
	uint64_t sp = analysis->fault_sp;
	size_t used = strlen(signal->text);

	if (signal->number != SIGSEGV || !signal->has_address || !sp ||
	    signal->address + OVERFLOW_BELOW < sp || signal->address >= sp + OVERFLOW_ABOVE)
		return;
	signal->stack_overflow = true;
	snprintf(signal->text + used, sizeof(signal->text) - used,
		 "; a stack overflow: the fault is at the stack pointer (%#llx)",
		 (unsigned long long)sp);
}

/* The message Py_FatalError() was given, from its frame's argument. */
static struct pc_error *fatal_message(struct analysis *analysis)
{
	char text[ABORT_MESSAGE_MAX];
	int cut = 0;
	struct pc_error *err;

	if (!analysis->crash_native->argument)
		return NULL;
	err = memory_read_cstring(analysis->memory, analysis->crash_native->argument, text,
				  sizeof(text), &cut);
	if (err) {
		pc_error_destroy(err);
		return NULL;
	}
	if (asprintf(&analysis->fatal_message, "%s%s", text, cut ? "..." : "") < 0) {
		analysis->fatal_message = NULL;
		return &pc_error_nomem;
	}
	return NULL;
}

/* What every report shows of the crash, worked out once. */
static struct pc_error *crash_facts(struct analysis *analysis)
{
	const struct core *core = analysis->core;
	const struct py_thread *crashed = analysis->threads[0].python;

	struct core_siginfo handled;
	const struct core_siginfo *info = handled_signal(analysis, &handled);
	struct pc_error *err;
	struct command_line line;

	if (!analysis->signal.reraised)
		analysis->fault_sp = core->threads[0].regs[core->arch->reg_sp];
	if (core->live_dump)
		describe_signal(NULL, 0, false, &analysis->signal);
	else
		describe_signal(info, info ? info->signo : core->threads[0].signal,
				analysis->signal.reraised, &analysis->signal);
	stack_overflow(analysis);
	snprintf(analysis->signal.headline, sizeof(analysis->signal.headline), "%s",
		 analysis->signal.label);
	if (analysis->signal.has_sender && core->has_psinfo &&
	    analysis->signal.sender_pid != core->psinfo.pid)
		snprintf(analysis->signal.headline, sizeof(analysis->signal.headline),
			 "killed by %s from PID %d (a hang?)", analysis->signal.label,
			 analysis->signal.sender_pid);
	if (crashed && crashed->nframes)
		analysis->headline = &crashed->frames[0];
	analysis->own_frame = own_code_frame(crashed);
	thread_states_parent(core, analysis->unmatched, analysis->nunmatched,
			     &analysis->parent_pid, &analysis->forking_thread,
			     &analysis->inherited_states);
	analysis->fatal_error = fatal_error_function(analysis->crash_native);
	err = abort_message(analysis);
	if (!err && analysis->fatal_error)
		err = fatal_message(analysis);
	if (err)
		return err;
	if (core->has_psinfo) {
		size_t len = strlen(core->psinfo.args);

		/* The kernel pads pr_psargs with a space after the last argument. */
		while (len && core->psinfo.args[len - 1] == ' ')
			len--;
		analysis->command = strndup(core->psinfo.args, len);
		if (!analysis->command)
			return &pc_error_nomem;
		/* The kernel keeps ELF_PRARGSZ - 1 bytes of it. */
		analysis->command_cut = strlen(core->psinfo.args) >= sizeof(core->psinfo.args) - 2;
		err = command_line_read(core, analysis->memory, &line);
		if (err)
			return err;
		if (line.args && *line.args) {
			free(analysis->command);
	free(analysis->cwd);
			analysis->command = line.args;
			analysis->command_cut = line.cut;
			line.args = NULL;
		}
		analysis->cwd = line.pwd;
		line.pwd = NULL;
		command_line_deinit(&line);
	}
	return NULL;
}

struct pc_error *analysis_run(const struct analysis_options *options, struct analysis **ret)
{
	struct analysis *analysis = calloc(1, sizeof(*analysis));
	struct python_options python_options = options->python;
	struct blocking_guard guard = {.armed = false};
	struct pc_error *err;
	size_t i;

	if (!analysis)
		return &pc_error_nomem;
	analysis->options = options;
	/* Started before the core is read: time spent decompressing it counts
	 * against the deadline (--max-core-size bounds that part). */
	deadline_start(&analysis->deadline, options->timeout);
	python_options.deadline = &analysis->deadline;
	/* Interleaving pairs every Python frame with its eval call. */
	python_options.collapse = !options->mixed;
	analysis->input = options->core_input;
	if (!analysis->input) {
		err = input_open(options->core_path, &options->input, &analysis->opened_input);
		if (err)
			goto fail;
		analysis->input = analysis->opened_input;
	}
	/* From here on nothing should block: reading a slow standard input,
	 * above, may. */
	blocking_guard_start(&guard);
	if (input_bytes(analysis->input))
		err = core_open_memory(input_bytes(analysis->input), (size_t)analysis->input->size,
				       analysis->input->name, &analysis->core);
	else
		err = core_open_fd(analysis->input->fd, analysis->input->name, &analysis->core);
	if (err && analysis->input->error)
		err = pc_error_prefix(err, "%s; what came before it", analysis->input->error);
	else if (err && input_problem(analysis->input))
		err = pc_error_prefix(err, "%s", input_problem(analysis->input));
	if (!err)
		err = memory_create(analysis->core, &options->paths, &analysis->memory);
	if (!err)
		err = modules_create(analysis->core, analysis->memory, options->executable,
				     &options->paths, &analysis->modules);
	if (!err) {
		/* Py_FatalError()'s message is kept nowhere but in its frame. */
		static const char *const fatal_functions[] = {"Py_FatalError",
							      "_Py_FatalErrorFunc"};

		analysis->modules->argument_functions = fatal_functions;
		analysis->modules->nargument_functions =
			sizeof(fatal_functions) / sizeof(fatal_functions[0]);
		analysis->modules->argument_name = "msg";
	}
	if (!err && options->executable && options->executable_name)
		err = modules_name_executable(analysis->modules, options->executable_name);
	if (!err)
		err = python_analyze(analysis->modules, analysis->memory, &python_options,
				     &analysis->python);
	if (!err)
		err = read_after_walk(analysis, &python_options);
	if (err)
		goto fail;

	analysis->threads = calloc(analysis->core->nthreads, sizeof(*analysis->threads));
	if (!analysis->threads) {
		err = &pc_error_nomem;
		goto fail;
	}
	analysis->nthreads = analysis->core->nthreads;
	for (i = 0; i < analysis->nthreads; i++) {
		struct thread_view *view = &analysis->threads[i];

		view->number = i + 1;
		view->core_thread = &analysis->core->threads[i];
		view->pthread_id = core_thread_pthread(analysis->core, view->core_thread);
		/* The kernel writes the thread that took the fatal signal
		 * first; a live process's dump has none. */
		view->crashed = i == 0 && !analysis->core->live_dump;
		if (options->native) {
			err = unwind_thread_until(analysis->modules, view->core_thread->lwp,
						  options->max_native_frames, &analysis->deadline,
						  &view->native);
			if (err)
				goto fail;
			if (options->native_source)
				unwind_resolve_sources(analysis->modules, &view->native);
		}
	}
	err = match_threads(analysis);
	if (!err && options->mixed)
		err = interleave(analysis);
	/* core_open() rejects a core without threads: the first is there. */
	if (!err)
		err = crash_native(analysis);
	if (!err)
		err = crash_facts(analysis);
	if (!err)
		err = blocked_threads(analysis);
	if (err)
		goto fail;
	fingerprint(analysis);
	analysis->partial = analysis->core->truncated || analysis->input->error ||
			    input_problem(analysis->input) ||
			    analysis->core->nwarnings || python_partial(&analysis->python) ||
			    tasks_partial(&analysis->tasks) ||
			    analysis->deadline.passed;
	err = notes(analysis);
	if (err)
		goto fail;
	blocking_guard_stop(&guard);
	*ret = analysis;
	return NULL;

fail:
	blocking_guard_stop(&guard);
	analysis_destroy(analysis);
	return err;
}

void analysis_destroy(struct analysis *analysis)
{
	size_t i;

	if (!analysis)
		return;
	for (i = 0; i < analysis->nthreads; i++) {
		native_stack_deinit(&analysis->threads[i].native);
		mixed_stack_deinit(&analysis->threads[i].mixed);
		free(analysis->threads[i].stacked.frames);
	}
	free(analysis->threads);
	free(analysis->unmatched);
	free(analysis->blocked);
	native_stack_deinit(&analysis->crash_native_own);
	free(analysis->abort_message);
	free(analysis->fatal_message);
	notes_free(analysis->notes, analysis->nnotes);
	free(analysis->command);
	free(analysis->cwd);
	pytasks_deinit(&analysis->tasks);
	warnings_free(analysis->late_warnings, analysis->nlate_warnings);
	python_deinit(&analysis->python);
	modules_destroy(analysis->modules);
	memory_destroy(analysis->memory);
	core_close(analysis->core);
	input_close(analysis->opened_input);
	free(analysis);
}

const struct py_frame *analysis_mixed_frame(const struct analysis *analysis,
					    const struct thread_view *view, size_t index,
					    int64_t *state, size_t *frame)
{
	return thread_states_frame(analysis->unmatched, analysis->nunmatched, view->number,
				   view->python, index, state, frame);
}

size_t analysis_thread_number(const struct analysis *analysis, int64_t index)
{
	size_t i;

	for (i = 0; index >= 0 && i < analysis->nthreads; i++)
		if (analysis->threads[i].python == &analysis->python.threads[index])
			return analysis->threads[i].number;
	return 0;
}

void analysis_options_init(struct analysis_options *options, const char **lib_dirs)
{
	*options = (struct analysis_options){
		.python = {.layout = LAYOUT_REQUEST_AUTO,
			   .max_frames = ANALYSIS_DEFAULT_MAX_FRAMES,
			   .max_threads = ANALYSIS_DEFAULT_MAX_THREADS,
			   .tasks = true,
			   .max_tasks = ANALYSIS_DEFAULT_MAX_TASKS},
		.max_native_frames = ANALYSIS_DEFAULT_MAX_FRAMES,
		.timeout = ANALYSIS_DEFAULT_TIMEOUT,
		.native = true,
		.input = {.memory_budget = copy_file_default_budget()},
	};
	options->paths.lib_dirs = lib_dirs;
}
