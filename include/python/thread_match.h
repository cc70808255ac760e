/* Which of the core's threads runs each thread state: pure functions over
 * plain arrays, which the walk fills from the core and its memory.
 *
 * A state that holds an address on a thread's stack is that thread's,
 * whatever thread id it stores: a subinterpreter's state made by one
 * thread and run by another keeps its maker's id.  3.11 and 3.12 keep such
 * an address in the state (its _PyCFrame); up to 3.10 the C frames that
 * evaluate a state's newest Python frame hold that frame's address, which
 * tm_search_feed() looks for on the stacks where two states store one
 * thread id.  The other states are matched by the ids they store. */
#ifndef PYCORE_PYTHON_THREAD_MATCH_H
#define PYCORE_PYTHON_THREAD_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pc_error;

/* One of the core's threads. */
struct tm_thread {
	uint64_t lwp;
	uint64_t pthread_id;	/* its fs base: pthread_self() */
	uint64_t stack_low;	/* its live stack, [stack_low, stack_high); */
	uint64_t stack_high;	/* empty when it is not known */
};

/* One thread state. */
struct tm_state {
	uint64_t thread_id;	/* the pthread id it stores, or 0 */
	uint64_t native_thread_id; /* the LWP it stores (3.11+), or 0 */
	uint64_t stack_address;	/* an address on the stack of the thread running it, or 0 */
	uint64_t top_frame;	/* up to 3.10: its newest frame's address, or 0 */
};

/* The newest frames of the states that share a stored thread id, looked
 * for in the words of the core's stacks. */
struct tm_search {
	struct tm_candidate *candidates; /* sorted by frame */
	size_t ncandidates;
};

/* Choose, of STATES (NSTATES), those whose top_frame is worth looking for.
 * ret->ncandidates 0: none, no stack need be read.  Errors are for
 * out-of-memory only. */
struct pc_error *tm_search_init(struct tm_search *ret, const struct tm_state *states,
				size_t nstates);

/* WORDS (NWORDS), read at ADDRESS from the stack of the core's thread
 * THREAD: note the candidates among them.  Any number of runs of words of
 * a thread, in any order. */
void tm_search_feed(struct tm_search *search, size_t thread, uint64_t address,
		    const uint64_t *words, size_t nwords);

/* Give each state found on one thread's stack only, and holding no stack
 * address of its own, the outermost address it was found at (the C frames
 * of the call that runs it: inner calls may keep it in saved registers
 * too). */
void tm_search_apply(const struct tm_search *search, struct tm_state *states);

void tm_search_deinit(struct tm_search *search);

/* Match STATES (NSTATES) to THREADS (NTHREADS).  OWNER (NSTATES): 1 + the
 * index of the thread running each state, or 0.  CURRENT (NTHREADS): 1 +
 * the index of the state each thread runs now, or 0: of the states on one
 * stack the deepest (lowest address), else the first in STATES whose ids
 * name it.  A state's native_thread_id names the thread of that LWP, its
 * thread_id the thread of that pthread id; where they name two threads,
 * the one first in THREADS wins.  Errors are for out-of-memory only. */
struct pc_error *thread_match(const struct tm_thread *threads, size_t nthreads,
			      const struct tm_state *states, size_t nstates, size_t *owner,
			      size_t *current);

#endif
