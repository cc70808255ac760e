#include "unwind.h"

#include "deadline.h"
#include "error.h"

#include <stdlib.h>
#include <string.h>

struct walk {
	struct modules *modules;
	struct native_stack *stack;
	size_t max_frames;
	struct deadline *deadline;
	bool timed_out;		/* stopped by the deadline */
	size_t capacity;
	struct pc_error *err;
};

static int frame_callback(Dwfl_Frame *state, void *arg)
{
	struct walk *walk = arg;
	struct native_stack *stack = walk->stack;
	struct native_frame *frame;
	Dwarf_Addr pc;
	bool activation;

	if (!dwfl_frame_pc(state, &pc, &activation))
		return DWARF_CB_ABORT;
	if (stack->nframes >= walk->max_frames) {
		stack->cut = true;
		return DWARF_CB_ABORT;
	}
	if (deadline_passed(walk->deadline)) {
		walk->timed_out = true;
		return DWARF_CB_ABORT;
	}
	if (stack->nframes == walk->capacity) {
		size_t capacity = walk->capacity ? walk->capacity * 2 : 32;
		void *grown = realloc(stack->frames, capacity * sizeof(*stack->frames));

		if (!grown) {
			walk->err = &pc_error_nomem;
			return DWARF_CB_ABORT;
		}
		stack->frames = grown;
		walk->capacity = capacity;
	}
	frame = &stack->frames[stack->nframes++];
	frame->pc = pc;
	frame->activation = activation;
	/* A return address may be the first byte of the next function: look
	 * up the call instruction instead. */
	modules_describe(walk->modules, activation ? pc : pc - 1, &frame->where);
	return DWARF_CB_OK;
}

struct pc_error *unwind_thread_until(struct modules *modules, pid_t lwp, size_t max_frames,
				     struct deadline *deadline, struct native_stack *ret)
{
	struct walk walk = {.modules = modules, .stack = ret, .max_frames = max_frames,
			    .deadline = deadline};
	int rc;

	*ret = (struct native_stack){0};
	if (deadline_passed(deadline)) {
		ret->error = strdup("the --timeout deadline passed before this thread");
		return ret->error ? NULL : &pc_error_nomem;
	}
	if (!modules->attached) {
		ret->error = strdup(modules->attach_error ? modules->attach_error
							  : "the core's threads cannot be unwound");
		return ret->error ? NULL : &pc_error_nomem;
	}
	rc = dwfl_getthread_frames(modules->dwfl, lwp, frame_callback, &walk);
	if (walk.err) {
		native_stack_deinit(ret);
		return walk.err;
	}
	if (walk.timed_out) {
		ret->error = strdup("the --timeout deadline passed");
		return ret->error ? NULL : &pc_error_nomem;
	}
	/* The walk ends with an error at the outermost frame too (no return
	 * address to unwind to); only an early stop is worth a word. */
	if (rc == -1 && !ret->cut && ret->nframes <= 1) {
		ret->error = strdup(dwfl_errmsg(-1));
		if (!ret->error)
			return &pc_error_nomem;
	}
	return NULL;
}

void native_stack_deinit(struct native_stack *stack)
{
	free(stack->frames);
	free(stack->error);
	*stack = (struct native_stack){0};
}

struct pc_error *unwind_thread(struct modules *modules, pid_t lwp, size_t max_frames,
			       struct native_stack *ret)
{
	return unwind_thread_until(modules, lwp, max_frames, NULL, ret);
}

void unwind_resolve_sources(struct modules *modules, struct native_stack *stack)
{
	size_t i;

	for (i = 0; i < stack->nframes; i++) {
		struct native_frame *frame = &stack->frames[i];

		modules_source(modules, frame->activation ? frame->pc : frame->pc - 1,
			       &frame->where);
	}
}
