/* The Python walk, in order: find the interpreter (locate.c), choose its
 * layout (layout_choice.c), list its interpreters and thread states
 * (interpreters.c), give each state its thread (thread_match.c, from what
 * is gathered here of the core's threads), read their frames. */
#include "python/python.h"
#include "python/walk.h"

#include "base/deadline.h"
#include "base/error.h"
#include "base/warnings.h"
#include "elf/core.h"
#include "elf/memory.h"
#include "elf/modules.h"
#include "elf/pthread.h"
#include "layout/cache.h"
#include "python/exception.h"
#include "python/locals.h"
#include "python/thread_match.h"
#include "python/version.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct pc_error *read_thread(struct interpreter_walk *walk, struct py_thread *thread)
{
	struct pc_error *err;

	thread->not_read = NULL;
	err = pyexc_handled(&walk->frames.reader, thread->tstate, walk->anchors->none,
			    &thread->exception);
	if (err) {
		err = pc_error_keep(&thread->exception_error, err);
		if (err)
			return err;
	}
	return pyframe_walk(&walk->frames, thread->tstate, thread);
}

/* The live part of the stack of the core's thread INDEX: from its stack
 * pointer (less the red zone) to the end of the mapping that holds it. */
static bool thread_stack(const struct core *core, size_t index, uint64_t *low, uint64_t *high)
{
	uint64_t sp = core_thread_sp(core, &core->threads[index]);
	const struct core_segment *segment = core_segment_at(core, sp);

	if (!segment)
		return false;
	*low = sp - 128 > segment->vaddr ? sp - 128 : segment->vaddr;
	*high = segment->vaddr + segment->memsz;
	return true;
}

/* The pthread ids of THREADS that their thread pointers do not give: those
 * that the states recording their LWPs name (elf/pthread.h checks them). */
static void pthreads_from_states(const struct core *core, struct memory *mem,
				 const struct tm_state *states, size_t nstates,
				 struct tm_thread *threads)
{
	size_t i, j;

	for (i = 0; i < core->nthreads; i++)
		for (j = 0; j < nstates && !threads[i].pthread_id; j++)
			if (states[j].native_thread_id == threads[i].lwp)
				threads[i].pthread_id = pthread_of_thread(
					core, mem, &core->threads[i], states[j].thread_id);
}

/* Feed SEARCH the words of each of THREADS' live stacks (N), at most
 * 64 MiB of each, 64 KiB at a time: what cannot be read is skipped. */
static void search_stacks(struct memory *mem, const struct tm_thread *threads, size_t n,
			  struct tm_search *search)
{
	static uint64_t words[8192];
	size_t j;

	for (j = 0; j < n; j++) {
		uint64_t start = threads[j].stack_low & ~(uint64_t)7, high = threads[j].stack_high;
		uint64_t at;

		for (at = start; at < high && at - start < (64u << 20); at += sizeof(words)) {
			size_t want = high - at < sizeof(words) ? (size_t)(high - at) : sizeof(words);
			struct pc_error *err = memory_read(mem, at, words, want & ~(size_t)7);

			if (err) {
				pc_error_destroy(err);
				continue;
			}
			tm_search_feed(search, j, at, words, want / 8);
		}
	}
}

/* Give every thread state the thread that runs it (thread_match.h), from
 * what the core tells of its threads and what the walk read of each
 * state. */
static struct pc_error *match_threads(struct interpreter_walk *walk, const struct core *core)
{
	struct python *python = walk->python;
	struct tm_thread *threads = calloc(core->nthreads + 1, sizeof(*threads));
	struct tm_state *states = calloc(python->nthreads + 1, sizeof(*states));
	size_t *owner = calloc(python->nthreads + 1, sizeof(*owner));
	size_t *current = calloc(core->nthreads + 1, sizeof(*current));
	struct tm_search search = {0};
	struct pc_error *err = NULL;
	size_t i;

	python->current = calloc(core->nthreads + 1, sizeof(*python->current));
	if (!threads || !states || !owner || !current || !python->current) {
		err = &pc_error_nomem;
		goto out;
	}
	python->ncurrent = core->nthreads;
	for (i = 0; i < core->nthreads; i++) {
		threads[i] = (struct tm_thread){.lwp = (uint64_t)core->threads[i].lwp,
						.pthread_id = core_thread_pthread(core, &core->threads[i])};
		thread_stack(core, i, &threads[i].stack_low, &threads[i].stack_high);
	}
	for (i = 0; i < python->nthreads; i++)
		states[i] = (struct tm_state){
			.thread_id = python->threads[i].thread_id,
			.native_thread_id = python->threads[i].native_thread_id,
			.stack_address = python->threads[i].stack_address,
			.top_frame = walk->top_frames ? walk->top_frames[i] : 0};
	pthreads_from_states(core, walk->mem, states, python->nthreads, threads);
	err = tm_search_init(&search, states, python->nthreads);
	if (!err && search.ncandidates) {
		search_stacks(walk->mem, threads, core->nthreads, &search);
		tm_search_apply(&search, states);
	}
	if (!err)
		err = thread_match(threads, core->nthreads, states, python->nthreads, owner, current);
	for (i = 0; !err && i < python->nthreads; i++) {
		python->threads[i].stack_address = states[i].stack_address;
		python->threads[i].owner = owner[i];
	}
	for (i = 0; !err && i < core->nthreads; i++)
		python->current[i] = current[i] ? &python->threads[current[i] - 1] : NULL;
out:
	tm_search_deinit(&search);
	free(threads);
	free(states);
	free(owner);
	free(current);
	return err;
}

/* Read the frames of at most max_threads states: first those of the
 * crashing thread and those holding a GIL, whatever their place in the
 * lists (the newest states come first there), then the others in list
 * order.  The states left are marked not read. */
static struct pc_error *read_threads(struct interpreter_walk *walk)
{
	struct python *python = walk->python;
	size_t i, nread = 0;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < python->nthreads; i++) {
			struct py_thread *thread = &python->threads[i];
			bool first = thread->owner == 1 || thread->holds_gil;
			struct pc_error *err;

			if (thread->not_read != python_not_read_yet || (pass == 0 && !first) ||
			    (pass == 1 && nread >= walk->options->max_threads))
				continue;
			if (deadline_passed(walk->options->deadline)) {
				thread->not_read = "--timeout";
				continue;
			}
			err = read_thread(walk, thread);
			if (err)
				return err;
			nread++;
		}
	}
	for (i = 0; i < python->nthreads; i++)
		if (python->threads[i].not_read == python_not_read_yet) {
			python->threads[i].not_read = "--max-threads";
			python->threads_not_read++;
		}
	return NULL;
}

/* New interpreters go to the head of the list: the walk met the main
 * interpreter last.  Number them from it, as Python's interpreter ids do. */
static void number_from_main(struct python *python)
{
	size_t i;

	for (i = 0; i < python->nthreads; i++)
		python->threads[i].interp_index =
			(int64_t)python->ninterpreters - 1 - python->threads[i].interp_index;
}

static void frame_deinit(struct py_frame *frame)
{
	free(frame->filename);
	free(frame->name);
	free(frame->error);
	pylocals_deinit(frame);
}

static void thread_deinit(struct py_thread *thread)
{
	size_t i;

	for (i = 0; i < thread->nframes; i++)
		frame_deinit(&thread->frames[i]);
	free(thread->frames);
	free(thread->error);
	free(thread->name);
	py_exception_deinit(&thread->exception);
	free(thread->exception_error);
}

/* Walk every interpreter and thread state with the layout chosen: list the
 * states, match them to the core's threads, read the frames of those
 * --max-threads lets through. */
struct pc_error *python_walk(struct python *python, struct memory *mem,
				    const struct core *core, const struct anchors *anchors,
				    const struct python_options *options)
{
	struct pc_error *err;
	struct interpreter_walk walk;

	walk = (struct interpreter_walk){
		.python = python, .mem = mem, .anchors = anchors, .options = options};
	walk.frames.reader = (struct py_reader){.mem = mem, .layout = &python->layout};
	walk.frames.code_type = anchors->code_type;
	walk.frames.max_frames = options->max_frames;
	walk.frames.collapse = options->collapse;
	walk.frames.deadline = options->deadline;
	err = pycode_cache_create(&walk.frames.reader, &walk.frames.codes);
	if (!err && options->locals)
		err = pylocals_create(&walk.frames.reader, &walk.frames.locals);
	if (!err)
		err = python_list_interpreters(&walk);
	if (!err)
		err = match_threads(&walk, core);
	if (!err)
		err = read_threads(&walk);
	if (!err)
		number_from_main(python);
	free(walk.top_frames);
	pylocals_destroy(walk.frames.locals);
	pycode_cache_destroy(walk.frames.codes);
	return err;
}

/* What a walk filled in, so that another layout can walk again. */
void python_forget_walk(struct python *python)
{
	size_t i;

	for (i = 0; i < python->nthreads; i++)
		thread_deinit(&python->threads[i]);
	free(python->threads);
	python->threads = NULL;
	python->nthreads = 0;
	python->ninterpreters = 0;
	free(python->current);
	python->current = NULL;
	python->ncurrent = 0;
	python->threads_not_read = 0;
	python->gc_collecting = false;
	free(python->error);
	python->error = NULL;
}

static struct pc_error *analyze(struct modules *modules, struct memory *mem,
			       const struct python_options *options, struct python *ret)
{
	enum layout_request request = options->layout;
	char build_id[130], cached_from[1024];
	struct anchors anchors;
	struct pc_error *err;
	unsigned hex;

	*ret = (struct python){0};
	if (!python_find_anchors(modules, mem, &anchors)) {
		const struct modules_unusable *file = python_unusable_interpreter_file(modules);

		if (!file)
			return NULL;
		err = python_anchors_without_file(modules, mem, file, &anchors, &hex, ret);
		if (err || ret->error)
			return err;
		/* No symbols: no DWARF, and nothing to check a cheap layout
		 * against; the offsets in the core are the build's own. */
		if (request == LAYOUT_REQUEST_AUTO)
			request = LAYOUT_REQUEST_DEBUG_OFFSETS;
	} else {
		ret->found = true;
		ret->module_path = strdup(modules_shown_name(modules, modules_module_file(anchors.module)));
		if (!ret->module_path)
			return &pc_error_nomem;
		if (!python_find_version(modules, mem, &anchors, &hex))
			return pc_error_keep(&ret->error,
					pc_error_create(PC_ERR_NOT_FOUND,
							"cannot tell the Python version of %s",
							ret->module_path));
		pyversion_format(hex, ret->version, sizeof(ret->version));
	}
	modules_module_build_id(anchors.module, build_id, sizeof(build_id));
	if ((request == LAYOUT_REQUEST_AUTO || request == LAYOUT_REQUEST_DWARF) &&
	    layout_cache_load(build_id, modules_module_file(anchors.module), hex, &ret->layout, cached_from,
			      sizeof(cached_from))) {
		if (asprintf(&ret->layout_detail, "%s, cached", cached_from) < 0) {
			ret->layout_detail = NULL;
			return &pc_error_nomem;
		}
		return python_walk(ret, mem, modules->core, &anchors, options);
	}
	if (request == LAYOUT_REQUEST_AUTO &&
	    python_walk_without_dwarf(ret, mem, modules->core, &anchors, hex, options, &err)) {
		char *detail = python_layout_detail(modules, anchors.module, &ret->layout);

		if (err || !detail) {
			free(detail);
			return err ? err : &pc_error_nomem;
		}
		if (asprintf(&ret->layout_detail, "%s, checked against the core", detail) < 0)
			ret->layout_detail = NULL;
		free(detail);
		return ret->layout_detail ? NULL : &pc_error_nomem;
	}
	err = python_choose_layout(ret, mem, &anchors, hex, request);
	if (err && hex >= PY_HEX(3, 0) && (hex & 0xffff0000u) > layout_newest_version())
		err = pc_error_prefix(err, "Python %s is newer than pycore knows (up to %u.%u) "
				      "and cannot be read",
				      ret->version, layout_newest_version() >> 24,
				      (layout_newest_version() >> 16) & 0xff);
	if (err)
		return pc_error_keep(&ret->error, err);
	/* Asked for, or all there is: used, but not as if it were this build's. */
	err = ret->layout.source == LAYOUT_SOURCE_DWARF
		      ? NULL
		      : layout_check_runtime_size(&ret->layout, anchors.runtime_size);
	if (err) {
		warnings_add(&ret->warnings, &ret->nwarnings, "%s", err->message);
		pc_error_destroy(err);
	}
	ret->layout_detail = python_layout_detail(modules, anchors.module, &ret->layout);
	if (!ret->layout_detail)
		return &pc_error_nomem;
	if (ret->layout.source == LAYOUT_SOURCE_DWARF)
		layout_cache_store(build_id, modules_module_file(anchors.module), &ret->layout,
				   ret->layout_detail);
	return python_walk(ret, mem, modules->core, &anchors, options);
}

struct pc_error *python_analyze(struct modules *modules, struct memory *mem,
				const struct python_options *options, struct python *ret)
{
	struct pc_error *err = analyze(modules, mem, options, ret);

	if (!err && ret->layout_detail &&
	    (ret->layout.version_hex & 0xffff0000u) > layout_newest_version())
		warnings_add(&ret->warnings, &ret->nwarnings,
			     "Python %s is newer than pycore was tested with (up to %u.%u): "
			     "its layout is read from %s",
			     ret->version, layout_newest_version() >> 24,
			     (layout_newest_version() >> 16) & 0xff,
			     ret->layout.source == LAYOUT_SOURCE_DEBUG_OFFSETS
				     ? "_Py_DebugOffsets, whose offsets were checked"
				     : layout_source_name(ret->layout.source));
	return err;
}

bool python_walked(const struct python *python)
{
	return python->layout_detail != NULL;
}

void python_deinit(struct python *python)
{
	python_forget_walk(python);
	warnings_free(python->warnings, python->nwarnings);
	free(python->module_path);
	free(python->layout_detail);
	*python = (struct python){0};
}

const struct py_thread *python_thread_for(const struct python *python, size_t index)
{
	return python->current && index < python->ncurrent ? python->current[index] : NULL;
}

enum py_thread_status python_thread_status(const struct python *python, size_t index)
{
	const struct py_thread *thread = python_thread_for(python, index);

	if (thread)
		return thread->not_read ? PY_THREAD_NOT_READ : PY_THREAD_READ;
	/* A list that stops early may have left this thread's state out; a
	 * process whose interpreter file could not be used has no lists. */
	return python->error ? PY_THREAD_UNKNOWN : PY_THREAD_NOT_PYTHON;
}
