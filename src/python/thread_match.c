/* Which of the core's threads runs each thread state. */
#include "python/walk.h"

#include "base/error.h"
#include "elf/core.h"
#include "elf/memory.h"

#include <stdlib.h>

/* The live part of the stack of the core's thread INDEX: from its stack
 * pointer (less the red zone) to the end of the mapping that holds it. */
static bool thread_stack(const struct core *core, size_t index, uint64_t *low, uint64_t *high)
{
	uint64_t sp = core->threads[index].regs[CORE_REG_RSP];
	const struct core_segment *segment = core_segment_at(core, sp);

	if (!segment)
		return false;
	*low = sp - 128 > segment->vaddr ? sp - 128 : segment->vaddr;
	*high = segment->vaddr + segment->memsz;
	return true;
}

struct stack_candidate {
	uint64_t frame;		/* the value looked for (first, the stored thread id) */
	size_t index;		/* the state in python->threads */
	size_t thread;		/* 1 + the core thread it was found on; 0: none yet */
	uint64_t position;	/* the highest address it was found at */
	bool conflict;		/* found on two threads: no evidence */
};

static int candidate_compare(const void *a, const void *b)
{
	const struct stack_candidate *x = a, *y = b;

	return x->frame < y->frame ? -1 : x->frame > y->frame;
}

/* Up to 3.10 a thread state holds no address on its thread's stack, but
 * the C frames that evaluate its newest Python frame hold that frame's
 * address.  Where two states store the same thread id (a subinterpreter's
 * state run by another thread than its maker), look for their newest
 * frames on the live stacks: a state found on one thread's stack only is
 * that thread's, at the outermost place it is found (the C frames of the
 * call that runs it: inner calls may keep it in saved registers too). */
struct pc_error *python_find_frames_on_stacks(struct interpreter_walk *walk, const struct core *core)
{
	static uint64_t words[8192];
	struct python *python = walk->python;
	struct stack_candidate *ids, *candidates;
	size_t i, j, n = 0;

	if (!walk->top_frames)
		return NULL;
	ids = calloc(python->nthreads, 2 * sizeof(*ids));
	if (!ids)
		return &pc_error_nomem;
	candidates = ids + python->nthreads;
	/* Sorted by stored thread id, the states that share one are neighbours. */
	for (i = 0; i < python->nthreads; i++)
		ids[i] = (struct stack_candidate){.frame = python->threads[i].thread_id, .index = i};
	qsort(ids, python->nthreads, sizeof(*ids), candidate_compare);
	for (i = 0; i < python->nthreads; i++) {
		size_t index = ids[i].index;
		uint64_t id = ids[i].frame;

		if (id && walk->top_frames[index] &&
		    ((i > 0 && ids[i - 1].frame == id) ||
		     (i + 1 < python->nthreads && ids[i + 1].frame == id)))
			candidates[n++] = (struct stack_candidate){.frame = walk->top_frames[index],
								   .index = index};
	}
	qsort(candidates, n, sizeof(*candidates), candidate_compare);
	for (j = 0; n && j < core->nthreads; j++) {
		uint64_t low, high, start, at;

		if (!thread_stack(core, j, &low, &high))
			continue;
		start = low & ~(uint64_t)7;
		for (at = start; at < high && at - start < (64u << 20); at += sizeof(words)) {
			size_t want = high - at < sizeof(words) ? (size_t)(high - at) : sizeof(words);
			struct pc_error *err = memory_read(walk->mem, at, words, want & ~(size_t)7);

			if (err) {
				pc_error_destroy(err);
				continue;
			}
			for (i = 0; i < want / 8; i++) {
				struct stack_candidate key = {.frame = words[i]}, *found;

				found = words[i] ? bsearch(&key, candidates, n, sizeof(*candidates),
							   candidate_compare)
						 : NULL;
				if (!found)
					continue;
				if (found->thread && found->thread != j + 1)
					found->conflict = true;
				found->thread = j + 1;
				found->position = at + i * 8;
			}
		}
	}
	for (i = 0; i < n; i++)
		if (candidates[i].thread && !candidates[i].conflict &&
		    python->threads[candidates[i].index].stack_address == 0)
			python->threads[candidates[i].index].stack_address = candidates[i].position;
	free(ids);
	return NULL;
}

/* A key of the core's threads (a stack's start, an LWP, a pthread id),
 * sorted, to find the thread of each state in O(log n). */
struct thread_key {
	uint64_t key;
	uint64_t end;		/* stacks: where the stack ends */
	size_t index;		/* in core->threads */
};

static int key_compare(const void *a, const void *b)
{
	const struct thread_key *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* The first entry of KEYS (N, sorted) whose key is KEY, else NULL. */
static const struct thread_key *find_key(const struct thread_key *keys, size_t n, uint64_t key)
{
	size_t low = 0, high = n;

	while (low < high) {
		size_t mid = low + (high - low) / 2;

		if (keys[mid].key < key)
			low = mid + 1;
		else
			high = mid;
	}
	return low < n && keys[low].key == key ? &keys[low] : NULL;
}

/* The stack of KEYS (N, sorted by start) that holds ADDRESS, else NULL. */
static const struct thread_key *find_stack(const struct thread_key *keys, size_t n,
					   uint64_t address)
{
	size_t low = 0, high = n;

	while (low < high) {
		size_t mid = low + (high - low) / 2;

		if (keys[mid].key <= address)
			low = mid + 1;
		else
			high = mid;
	}
	return low > 0 && address < keys[low - 1].end ? &keys[low - 1] : NULL;
}

/* Give every thread state the thread that runs it.  A state that holds an
 * address on a thread's stack is that thread's, whatever thread id it
 * stores: a subinterpreter's state made by one thread and run by another
 * keeps its maker's id.  Of the states on one stack, the deepest (lowest
 * address) is the one running now.  The others are matched by their
 * stored ids; the first in list order is the thread's current one. */
struct pc_error *python_match_threads(struct python *python, const struct core *core)
{
	struct thread_key *stacks, *lwps, *pthreads;
	size_t i, nstacks = 0;

	python->current = calloc(core->nthreads, sizeof(*python->current));
	stacks = calloc(core->nthreads, 3 * sizeof(*stacks));
	if (!python->current || !stacks) {
		free(stacks);
		return &pc_error_nomem;
	}
	python->ncurrent = core->nthreads;
	lwps = stacks + core->nthreads;
	pthreads = lwps + core->nthreads;
	for (i = 0; i < core->nthreads; i++) {
		uint64_t low, high;

		if (thread_stack(core, i, &low, &high))
			stacks[nstacks++] = (struct thread_key){.key = low, .end = high, .index = i};
		lwps[i] = (struct thread_key){.key = (uint64_t)core->threads[i].lwp, .index = i};
		pthreads[i] = (struct thread_key){.key = core->threads[i].regs[CORE_REG_FS_BASE],
						  .index = i};
	}
	qsort(stacks, nstacks, sizeof(*stacks), key_compare);
	qsort(lwps, core->nthreads, sizeof(*lwps), key_compare);
	qsort(pthreads, core->nthreads, sizeof(*pthreads), key_compare);
	for (i = 0; i < python->nthreads; i++) {
		struct py_thread *thread = &python->threads[i];
		const struct thread_key *stack = find_stack(stacks, nstacks, thread->stack_address);
		const struct py_thread **current;

		if (!stack)
			continue;
		thread->owner = stack->index + 1;
		current = &python->current[stack->index];
		if (!*current || thread->stack_address < (*current)->stack_address)
			*current = thread;
	}
	for (i = 0; i < python->nthreads; i++) {
		struct py_thread *thread = &python->threads[i];
		const struct thread_key *lwp = NULL, *pthread = NULL;
		size_t index;

		if (thread->owner)
			continue;
		if (thread->native_thread_id)
			lwp = find_key(lwps, core->nthreads, thread->native_thread_id);
		if (thread->thread_id)
			pthread = find_key(pthreads, core->nthreads, thread->thread_id);
		if (!lwp && !pthread)
			continue;
		index = lwp && (!pthread || lwp->index < pthread->index) ? lwp->index
									 : pthread->index;
		thread->owner = index + 1;
		if (!python->current[index])
			python->current[index] = thread;
	}
	free(stacks);
	return NULL;
}
