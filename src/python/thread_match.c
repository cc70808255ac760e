#include "python/thread_match.h"

#include "base/error.h"

#include <stdlib.h>

struct tm_candidate {
	uint64_t frame;		/* the value looked for (first, the stored thread id) */
	size_t index;		/* the state in STATES */
	size_t thread;		/* 1 + the core thread it was found on; 0: none yet */
	uint64_t position;	/* the highest address it was found at */
	bool conflict;		/* found on two threads: no evidence */
};

static int candidate_compare(const void *a, const void *b)
{
	const struct tm_candidate *x = a, *y = b;

	if (x->frame != y->frame)
		return x->frame < y->frame ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

struct pc_error *tm_search_init(struct tm_search *ret, const struct tm_state *states,
				size_t nstates)
{
	struct tm_candidate *ids;
	size_t i, n = 0;

	*ret = (struct tm_search){0};
	if (!nstates)
		return NULL;
	ids = calloc(nstates, sizeof(*ids));
	ret->candidates = calloc(nstates, sizeof(*ret->candidates));
	if (!ids || !ret->candidates) {
		free(ids);
		tm_search_deinit(ret);
		return &pc_error_nomem;
	}
	/* Sorted by stored thread id, the states that share one are neighbours. */
	for (i = 0; i < nstates; i++)
		ids[i] = (struct tm_candidate){.frame = states[i].thread_id, .index = i};
	qsort(ids, nstates, sizeof(*ids), candidate_compare);
	for (i = 0; i < nstates; i++) {
		size_t index = ids[i].index;
		uint64_t id = ids[i].frame;

		if (id && states[index].top_frame &&
		    ((i > 0 && ids[i - 1].frame == id) ||
		     (i + 1 < nstates && ids[i + 1].frame == id)))
			ret->candidates[n++] = (struct tm_candidate){.frame = states[index].top_frame,
								     .index = index};
	}
	free(ids);
	qsort(ret->candidates, n, sizeof(*ret->candidates), candidate_compare);
	ret->ncandidates = n;
	return NULL;
}

/* The first candidate of SEARCH whose frame is FRAME, else NULL. */
static struct tm_candidate *first_candidate(const struct tm_search *search, uint64_t frame)
{
	size_t low = 0, high = search->ncandidates;

	while (low < high) {
		size_t mid = low + (high - low) / 2;

		if (search->candidates[mid].frame < frame)
			low = mid + 1;
		else
			high = mid;
	}
	return low < search->ncandidates && search->candidates[low].frame == frame
		       ? &search->candidates[low]
		       : NULL;
}

void tm_search_feed(struct tm_search *search, size_t thread, uint64_t address,
		    const uint64_t *words, size_t nwords)
{
	const struct tm_candidate *end = search->candidates + search->ncandidates;
	size_t i;

	for (i = 0; i < nwords; i++) {
		uint64_t at = address + i * 8;
		struct tm_candidate *found;

		if (!words[i])
			continue;
		/* Two states with one newest frame (a corrupt list): both are
		 * found there. */
		for (found = first_candidate(search, words[i]); found && found < end &&
								 found->frame == words[i];
		     found++) {
			if (found->thread && found->thread != thread + 1)
				found->conflict = true;
			found->thread = thread + 1;
			if (at > found->position)
				found->position = at;
		}
	}
}

void tm_search_apply(const struct tm_search *search, struct tm_state *states)
{
	size_t i;

	for (i = 0; i < search->ncandidates; i++) {
		const struct tm_candidate *candidate = &search->candidates[i];

		if (candidate->thread && !candidate->conflict &&
		    states[candidate->index].stack_address == 0)
			states[candidate->index].stack_address = candidate->position;
	}
}

void tm_search_deinit(struct tm_search *search)
{
	free(search->candidates);
	*search = (struct tm_search){0};
}

/* A key of the core's threads (a stack's start, an LWP, a pthread id),
 * sorted, to find the thread of each state in O(log n). */
struct thread_key {
	uint64_t key;
	uint64_t end;		/* stacks: where the stack ends */
	size_t index;		/* in THREADS */
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

struct pc_error *thread_match(const struct tm_thread *threads, size_t nthreads,
			      const struct tm_state *states, size_t nstates, size_t *owner,
			      size_t *current)
{
	struct thread_key *stacks, *lwps, *pthreads;
	size_t i, nstacks = 0;

	for (i = 0; i < nstates; i++)
		owner[i] = 0;
	for (i = 0; i < nthreads; i++)
		current[i] = 0;
	if (!nthreads || !nstates)
		return NULL;
	stacks = calloc(nthreads, 3 * sizeof(*stacks));
	if (!stacks)
		return &pc_error_nomem;
	lwps = stacks + nthreads;
	pthreads = lwps + nthreads;
	for (i = 0; i < nthreads; i++) {
		if (threads[i].stack_low < threads[i].stack_high)
			stacks[nstacks++] = (struct thread_key){.key = threads[i].stack_low,
								.end = threads[i].stack_high,
								.index = i};
		lwps[i] = (struct thread_key){.key = threads[i].lwp, .index = i};
		pthreads[i] = (struct thread_key){.key = threads[i].pthread_id, .index = i};
	}
	qsort(stacks, nstacks, sizeof(*stacks), key_compare);
	qsort(lwps, nthreads, sizeof(*lwps), key_compare);
	qsort(pthreads, nthreads, sizeof(*pthreads), key_compare);
	for (i = 0; i < nstates; i++) {
		const struct thread_key *stack = find_stack(stacks, nstacks, states[i].stack_address);
		size_t *now;

		if (!stack)
			continue;
		owner[i] = stack->index + 1;
		now = &current[stack->index];
		if (!*now || states[i].stack_address < states[*now - 1].stack_address)
			*now = i + 1;
	}
	for (i = 0; i < nstates; i++) {
		const struct thread_key *lwp = NULL, *pthread = NULL;
		size_t index;

		if (owner[i])
			continue;
		if (states[i].native_thread_id)
			lwp = find_key(lwps, nthreads, states[i].native_thread_id);
		if (states[i].thread_id)
			pthread = find_key(pthreads, nthreads, states[i].thread_id);
		if (!lwp && !pthread)
			continue;
		index = lwp && (!pthread || lwp->index < pthread->index) ? lwp->index
									 : pthread->index;
		owner[i] = index + 1;
		if (!current[index])
			current[index] = i + 1;
	}
	free(stacks);
	return NULL;
}
