#include "analysis.h"

#include "core.h"
#include "error.h"
#include "memory.h"
#include "modules.h"
#include "signals.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool python_partial(const struct python *python)
{
	size_t i, j;

	if (python->found && python->error)
		return true;
	for (i = 0; i < python->nthreads; i++) {
		if (python->threads[i].error)
			return true;
		for (j = 0; j < python->threads[i].nframes; j++)
			if (python->threads[i].frames[j].error)
				return true;
	}
	return false;
}

static struct pc_error *match_threads(struct analysis *analysis)
{
	const struct python *python = &analysis->python;
	size_t i;

	for (i = 0; i < analysis->nthreads; i++) {
		struct thread_view *view = &analysis->threads[i];

		view->python = python_thread_for(python, view->core_thread->lwp, view->pthread_id);
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

		err = mixed_build(&view->native, view->python,
				  python->layout_detail ? &python->layout : NULL, module,
				  analysis->options->mixed_all, &view->mixed);
		if (err)
			return err;
	}
	return NULL;
}

/* The signal, from NT_SIGINFO when the core has it, else from the
 * crashing thread's NT_PRSTATUS. */
static void describe_signal(const struct core *core, struct crash_signal *ret)
{
	size_t used;

	*ret = (struct crash_signal){0};
	ret->number = core->has_siginfo ? core->siginfo.signo : core->threads[0].signal;
	ret->name = signal_name(ret->number);
	ret->meaning = signal_meaning(ret->number);
	snprintf(ret->label_buf, sizeof(ret->label_buf), "signal %d", ret->number);
	ret->label = ret->name ? ret->name : ret->label_buf;
	used = (size_t)snprintf(ret->text, sizeof(ret->text), "%s", ret->label);
	if (!core->has_siginfo) {
		if (ret->meaning)
			snprintf(ret->text + used, sizeof(ret->text) - used, " (%s)", ret->meaning);
		return;
	}
	ret->has_code = true;
	ret->code = core->siginfo.code;
	/* si_addr is the fault address of a fault the kernel raised (code >
	 * 0); a signal a process sent (code <= 0) has a sender. */
	ret->has_address = ret->code > 0 && signal_has_address(ret->number);
	ret->address = ret->has_address ? core->siginfo.addr : 0;
	ret->has_sender = ret->code <= 0;
	ret->sender_pid = ret->has_sender ? (int)core->siginfo.sender_pid : 0;
	if (signal_code(ret->number, ret->code, &ret->code_name, &ret->code_meaning))
		used += (size_t)snprintf(ret->text + used, sizeof(ret->text) - used, " (%s: %s)",
					 ret->code_name, ret->code_meaning);
	else if (ret->meaning)
		used += (size_t)snprintf(ret->text + used, sizeof(ret->text) - used,
					 " (%s, si_code %d)", ret->meaning, ret->code);
	if (used >= sizeof(ret->text))
		return;
	if (ret->has_address)
		snprintf(ret->text + used, sizeof(ret->text) - used, " at address 0x%llx",
			 (unsigned long long)ret->address);
	else if (ret->has_sender)
		snprintf(ret->text + used, sizeof(ret->text) - used, " from PID %d",
			 ret->sender_pid);
}

/* The fingerprint needs the crashing thread's top native frames: without
 * --native stacks, they are unwound here, so that it does not depend on
 * that option. */
static struct pc_error *fingerprint(struct analysis *analysis)
{
	const struct thread_view *crashed = &analysis->threads[0];
	struct native_stack stack = {0};
	struct pc_error *err;

	if (crashed->native.nframes) {
		fingerprint_compute(analysis->signal.number, analysis->signal.name,
				    crashed->python, &crashed->native, &analysis->fingerprint);
		return NULL;
	}
	err = unwind_thread(analysis->modules, crashed->core_thread->lwp,
			    FINGERPRINT_NATIVE_FRAMES, &stack);
	if (err == &pc_error_nomem)
		return err;
	if (err)
		native_stack_deinit(&stack);
	pc_error_destroy(err);
	fingerprint_compute(analysis->signal.number, analysis->signal.name, crashed->python,
			    &stack, &analysis->fingerprint);
	native_stack_deinit(&stack);
	return NULL;
}

/* The warnings of the core, of its files and of the interpreter, in one
 * list. */
static struct pc_error *gather_warnings(struct analysis *analysis)
{
	const struct python *python = &analysis->python;
	const struct modules *modules = analysis->modules;
	const struct core *core = analysis->core;
	size_t i, n = core->nwarnings + modules->nwarnings + python->nwarnings;

	if (!n)
		return NULL;
	analysis->warnings = calloc(n, sizeof(*analysis->warnings));
	if (!analysis->warnings)
		return &pc_error_nomem;
	for (i = 0; i < core->nwarnings; i++)
		analysis->warnings[analysis->nwarnings++] = core->warnings[i];
	for (i = 0; i < modules->nwarnings; i++)
		analysis->warnings[analysis->nwarnings++] = modules->warnings[i];
	for (i = 0; i < python->nwarnings; i++)
		analysis->warnings[analysis->nwarnings++] = python->warnings[i];
	return NULL;
}

/* What every report shows of the crash, worked out once. */
static struct pc_error *crash_facts(struct analysis *analysis)
{
	const struct core *core = analysis->core;
	const struct py_thread *crashed = analysis->threads[0].python;

	describe_signal(core, &analysis->signal);
	if (crashed && crashed->nframes)
		analysis->headline = &crashed->frames[0];
	analysis->fatal_error = fatal_error_function(&analysis->threads[0].native);
	if (core->has_psinfo) {
		size_t len = strlen(core->psinfo.args);

		/* The kernel pads pr_psargs with a space after the last argument. */
		while (len && core->psinfo.args[len - 1] == ' ')
			len--;
		analysis->command = strndup(core->psinfo.args, len);
		if (!analysis->command)
			return &pc_error_nomem;
	}
	return gather_warnings(analysis);
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
	err = core_open_fd(analysis->input->fd, analysis->input->name, &analysis->core);
	if (err && analysis->input->error)
		err = pc_error_prefix(err, "%s; what came before it", analysis->input->error);
	if (!err)
		err = memory_create(analysis->core, &options->paths, &analysis->memory);
	if (!err)
		err = modules_create(analysis->core, analysis->memory, options->executable,
				     &options->paths, &analysis->modules);
	if (!err && options->executable && options->executable_name)
		err = modules_name_executable(analysis->modules, options->executable_name);
	if (!err)
		err = python_analyze(analysis->modules, analysis->memory, &python_options,
				     &analysis->python);
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
		view->pthread_id = view->core_thread->regs[CORE_REG_FS_BASE];
		/* The kernel writes the thread that took the fatal signal first. */
		view->crashed = i == 0;
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
	if (err)
		goto fail;
	/* core_open() rejects a core without threads: the first is there. */
	err = crash_facts(analysis);
	if (!err)
		err = fingerprint(analysis);
	if (err)
		goto fail;
	analysis->partial = analysis->core->truncated || analysis->input->error ||
			    analysis->core->nwarnings || python_partial(&analysis->python) ||
			    analysis->deadline.passed;
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
	}
	free(analysis->threads);
	free(analysis->unmatched);
	free(analysis->warnings);
	free(analysis->command);
	python_deinit(&analysis->python);
	modules_destroy(analysis->modules);
	memory_destroy(analysis->memory);
	core_close(analysis->core);
	input_close(analysis->opened_input);
	free(analysis);
}

size_t analysis_thread_number(const struct analysis *analysis, int64_t index)
{
	size_t i;

	for (i = 0; index >= 0 && i < analysis->nthreads; i++)
		if (analysis->threads[i].python == &analysis->python.threads[index])
			return analysis->threads[i].number;
	return 0;
}
