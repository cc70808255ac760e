/* The lists of interpreters and thread states: each state's ids, its
 * place on its thread's stack, whether it holds the GIL; the frames are
 * read later, for the states --max-threads lets through. */
#include "python/walk.h"
#include "python/interpreters.h"

#include "base/deadline.h"
#include "base/error.h"
#include "base/ptrset.h"
#include "base/vec.h"
#include "elf/memory.h"

#include <stdlib.h>

#define PYTHON_MAX_INTERPRETERS 256
/* Thread states listed over all interpreters (each costs a py_thread);
 * --max-threads caps how many of them have their frames read. */
#define PYTHON_MAX_THREAD_STATES 65536

/* The thread state that holds the GIL in interpreter INTERP, or 0. */
static uint64_t gil_holder(struct interpreter_walk *walk, uint64_t interp)
{
	const struct py_reader *reader = &walk->frames.reader;
	struct pc_error *err = NULL;
	uint64_t holder = 0, gil = 0;
	uint32_t locked = 0;

	/* Each version says it its own way: 3.7 - 3.11 in _PyRuntime, 2.7
	 * and 3.6 in a static variable, 3.12+ in the interpreter's GIL. */
	if (py_has_field(reader, LAYOUT_FIELD(runtime, gilstate_tstate_current)) &&
	    walk->anchors->runtime)
		err = py_read_ptr(reader, walk->anchors->runtime,
				  LAYOUT_FIELD(runtime, gilstate_tstate_current), &holder);
	else if (walk->anchors->tstate_current)
		err = memory_read_u64(walk->mem, walk->anchors->tstate_current, &holder);
	else if (py_has_field(reader, LAYOUT_FIELD(interp, ceval_gil))) {
		err = py_read_ptr(reader, interp, LAYOUT_FIELD(interp, ceval_gil), &gil);
		if (!err && gil)
			err = py_read_u32(reader, gil, LAYOUT_FIELD(gil, locked), &locked);
		if (!err && gil && locked)
			err = py_read_ptr(reader, gil, LAYOUT_FIELD(gil, last_holder), &holder);
	}
	if (err) {
		pc_error_destroy(err);
		return 0;
	}
	return holder;
}

static bool gc_collecting(struct interpreter_walk *walk, uint64_t interp)
{
	const struct py_reader *reader = &walk->frames.reader;
	struct pc_error *err = NULL;
	uint32_t collecting = 0;

	/* 3.9+ in the interpreter, 3.7 and 3.8 in _PyRuntime, 2.7 and 3.6 in
	 * a static variable. */
	if (py_has_field(reader, LAYOUT_FIELD(interp, gc_collecting)))
		err = py_read_u32(reader, interp, LAYOUT_FIELD(interp, gc_collecting), &collecting);
	else if (py_has_field(reader, LAYOUT_FIELD(runtime, gc_collecting)) &&
		 walk->anchors->runtime)
		err = py_read_u32(reader, walk->anchors->runtime,
				  LAYOUT_FIELD(runtime, gc_collecting), &collecting);
	else if (walk->anchors->gc_collecting)
		err = memory_read_u32(walk->mem, walk->anchors->gc_collecting, &collecting);
	pc_error_destroy(err);
	return !err && collecting;
}

const char python_not_read_yet[] = "not read yet";

/* A thread state's place in the lists: enough to match it to its thread
 * and to choose which states to read (the frames come later). */
static struct pc_error *list_thread(struct interpreter_walk *walk, uint64_t tstate, uint64_t interp,
				    int64_t interp_index, uint64_t holder)
{
	const struct py_reader *reader = &walk->frames.reader;
	struct python *python = walk->python;
	struct py_thread *thread, *grown_threads;
	uint64_t cframe = 0, *grown_top_frames;
	struct pc_error *err;

	grown_threads = vec_grow(python->threads, &walk->threads_capacity, python->nthreads + 1,
				 sizeof(*python->threads));
	if (!grown_threads)
		return &pc_error_nomem;
	python->threads = grown_threads;
	grown_top_frames = vec_grow(walk->top_frames, &walk->top_frames_capacity,
				    python->nthreads + 1, sizeof(*walk->top_frames));
	if (!grown_top_frames)
		return &pc_error_nomem;
	walk->top_frames = grown_top_frames;
	walk->top_frames[python->nthreads] = 0;
	thread = &python->threads[python->nthreads++];
	*thread = (struct py_thread){.tstate = tstate, .interp = interp,
				     .interp_index = interp_index, .not_read = python_not_read_yet};
	thread->holds_gil = holder == tstate;
	err = py_read_u64(reader, tstate, LAYOUT_FIELD(tstate, thread_id), &thread->thread_id);
	/* 3.11+ has the LWP too. */
	if (!err && py_has_field(reader, LAYOUT_FIELD(tstate, native_thread_id)))
		err = py_read_u64(reader, tstate, LAYOUT_FIELD(tstate, native_thread_id),
				  &thread->native_thread_id);
	/* 3.11 and 3.12 keep the C frame of the running eval call (a local of
	 * _PyEval_EvalFrameDefault) in the thread state: an address on the
	 * stack of the thread that runs it, whoever created the state. */
	if (!err && py_has_field(reader, LAYOUT_FIELD(tstate, cframe)))
		err = py_read_ptr(reader, tstate, LAYOUT_FIELD(tstate, cframe), &cframe);
	/* ≤3.10: the head of the PyFrameObject chain. */
	if (!err && py_has_field(reader, LAYOUT_FIELD(tstate, frame)))
		err = py_read_ptr(reader, tstate, LAYOUT_FIELD(tstate, frame),
				  &walk->top_frames[python->nthreads - 1]);
	if (err) {
		thread->not_read = NULL;
		return pc_error_keep(&thread->error,
				pc_error_prefix(err, "thread state at %#llx",
						(unsigned long long)tstate));
	}
	thread->stack_address = cframe;
	return NULL;
}

static struct pc_error *list_interpreter(struct interpreter_walk *walk, uint64_t interp, int64_t index,
					 struct ptrset *seen)
{
	const struct py_reader *reader = &walk->frames.reader;
	struct python *python = walk->python;
	uint64_t tstate, holder = gil_holder(walk, interp);
	struct pc_error *err;

	if (gc_collecting(walk, interp))
		python->gc_collecting = true;
	err = py_read_ptr(reader, interp, LAYOUT_FIELD(interp, tstate_head), &tstate);
	if (err)
		return pc_error_keep(&python->error,
				     pc_error_prefix(err, "thread list of interpreter at %#llx",
						     (unsigned long long)interp));
	while (tstate) {
		int added = ptrset_add(seen, tstate);

		if (added < 0)
			return &pc_error_nomem;
		if (added == 0)
			return pc_error_keep(&python->error,
					pc_error_create(PC_ERR_CORRUPT,
							"the thread list loops back to %#llx",
							(unsigned long long)tstate));
		if (python->nthreads >= PYTHON_MAX_THREAD_STATES)
			return pc_error_keep(&python->error,
					pc_error_create(PC_ERR_LIMIT,
							"more than %d thread states; the rest are "
							"not listed",
							PYTHON_MAX_THREAD_STATES));
		if (deadline_passed(walk->options->deadline))
			return pc_error_keep(&python->error,
					pc_error_create(PC_ERR_LIMIT,
							"the --timeout deadline passed before the "
							"thread state at %#llx",
							(unsigned long long)tstate));
		err = list_thread(walk, tstate, interp, index, holder);
		if (err)
			return err;
		err = py_read_ptr(reader, tstate, LAYOUT_FIELD(tstate, next), &tstate);
		if (err)
			return pc_error_keep(&python->error,
					     pc_error_prefix(err, "next of thread state"));
	}
	return NULL;
}

struct pc_error *python_list_interpreters(struct interpreter_walk *walk)
{
	const struct py_reader *reader = &walk->frames.reader;
	struct python *python = walk->python;
	struct ptrset interps, tstates;
	struct pc_error *err;
	uint64_t interp;

	err = walk->anchors->runtime
		      ? py_read_ptr(reader, walk->anchors->runtime,
				    LAYOUT_FIELD(runtime, interpreters_head), &interp)
		      : memory_read_u64(walk->mem, walk->anchors->interp_head, &interp);
	if (err)
		return pc_error_keep(&python->error, pc_error_prefix(err, "interpreter list"));
	if (!interp)
		return pc_error_keep(&python->error,
				     pc_error_create(PC_ERR_NOT_FOUND,
						     "no interpreter: Python was not initialized "
						     "or was finalized"));
	ptrset_init(&interps);
	ptrset_init(&tstates);
	while (interp && !err) {
		int added = ptrset_add(&interps, interp);

		if (added < 0) {
			err = &pc_error_nomem;
			break;
		}
		if (added == 0 || python->ninterpreters >= PYTHON_MAX_INTERPRETERS) {
			err = pc_error_keep(&python->error,
					    pc_error_create(PC_ERR_CORRUPT,
							    "the interpreter list loops or is too long at %#llx",
							    (unsigned long long)interp));
			break;
		}
		err = list_interpreter(walk, interp, (int64_t)python->ninterpreters, &tstates);
		python->ninterpreters++;
		if (!err) {
			struct pc_error *read_err = py_read_ptr(reader, interp,
								LAYOUT_FIELD(interp, next), &interp);
			if (read_err)
				err = pc_error_keep(&python->error,
						    pc_error_prefix(read_err, "next interpreter"));
		}
	}
	ptrset_deinit(&interps);
	ptrset_deinit(&tstates);
	return err;
}

bool py_first_of_interpreter(const struct py_thread *threads, size_t index)
{
	size_t i;

	for (i = 0; i < index; i++)
		if (threads[i].interp == threads[index].interp)
			return false;
	return true;
}
