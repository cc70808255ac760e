/* thread_match.h on arrays made up here: which of a core's threads runs
 * each thread state, by the LWP it stores, its pthread id (the thread's fs
 * base), an address on a thread's stack, or (up to 3.10, for states that
 * share a thread id) its newest frame found among a stack's words. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/error.h"
#include "python/thread_match.h"

#define STACK1 0x7f0000100000ull
#define STACK2 0x7f0000200000ull
#define STACK3 0x7f0000300000ull
#define STACK_SIZE 0x10000ull

/* Three threads: LWPs 100, 101, 102, each with its pthread id and stack. */
static const struct tm_thread threads[] = {
	{.lwp = 100, .pthread_id = 0x7f0001000640, .stack_low = STACK1,
	 .stack_high = STACK1 + STACK_SIZE},
	{.lwp = 101, .pthread_id = 0x7f0002000640, .stack_low = STACK2,
	 .stack_high = STACK2 + STACK_SIZE},
	{.lwp = 102, .pthread_id = 0x7f0003000640, .stack_low = STACK3,
	 .stack_high = STACK3 + STACK_SIZE},
};
#define NTHREADS (sizeof(threads) / sizeof(threads[0]))

static void match(const struct tm_state *states, size_t nstates, size_t *owner,
		  size_t *current)
{
	assert_null(thread_match(threads, NTHREADS, states, nstates, owner, current));
}

static void test_by_native_id(void **state)
{
	const struct tm_state states[] = {
		{.native_thread_id = 102},
		{.native_thread_id = 100},
	};
	size_t owner[2], current[NTHREADS];

	(void)state;
	match(states, 2, owner, current);
	assert_int_equal(owner[0], 3);
	assert_int_equal(owner[1], 1);
	assert_int_equal(current[0], 2);
	assert_int_equal(current[1], 0);
	assert_int_equal(current[2], 1);
}

static void test_by_pthread_id(void **state)
{
	/* Up to 3.10 a state stores no LWP: its thread id is pthread_self(),
	 * the thread's fs base. */
	const struct tm_state states[] = {
		{.thread_id = 0x7f0002000640},
	};
	size_t owner[1], current[NTHREADS];

	(void)state;
	match(states, 1, owner, current);
	assert_int_equal(owner[0], 2);
	assert_int_equal(current[1], 1);
}

static void test_ids_name_two_threads(void **state)
{
	/* The LWP names thread 3, the pthread id thread 1: the first wins,
	 * whichever id named it. */
	const struct tm_state states[] = {
		{.thread_id = 0x7f0001000640, .native_thread_id = 102},
		{.thread_id = 0x7f0003000640, .native_thread_id = 100},
	};
	size_t owner[2], current[NTHREADS];

	(void)state;
	match(states, 2, owner, current);
	assert_int_equal(owner[0], 1);
	assert_int_equal(owner[1], 1);
	assert_int_equal(current[0], 1);
	assert_int_equal(current[2], 0);
}

static void test_by_stack(void **state)
{
	/* A subinterpreter's state made by thread 1 and run by thread 2 keeps
	 * thread 1's ids; the address on thread 2's stack decides. */
	const struct tm_state states[] = {
		{.thread_id = 0x7f0001000640, .native_thread_id = 100,
		 .stack_address = STACK2 + 0x800},
	};
	size_t owner[1], current[NTHREADS];

	(void)state;
	match(states, 1, owner, current);
	assert_int_equal(owner[0], 2);
	assert_int_equal(current[0], 0);
	assert_int_equal(current[1], 1);
}

static void test_stack_bounds(void **state)
{
	/* The end of a stack is not in it; an address between stacks is in
	 * none, and the ids decide. */
	const struct tm_state states[] = {
		{.native_thread_id = 102, .stack_address = STACK1 + STACK_SIZE},
		{.stack_address = STACK1},
		{.stack_address = STACK1 + STACK_SIZE - 8},
		{.stack_address = STACK3 + STACK_SIZE + 0x1000},
	};
	size_t owner[4], current[NTHREADS];

	(void)state;
	match(states, 4, owner, current);
	assert_int_equal(owner[0], 3);
	assert_int_equal(owner[1], 1);
	assert_int_equal(owner[2], 1);
	assert_int_equal(owner[3], 0);
	assert_int_equal(current[0], 2);
	assert_int_equal(current[2], 1);
}

static void test_states_on_one_stack(void **state)
{
	/* A thread running a subinterpreter from the main one: both states
	 * are on its stack, the deeper (lower) one runs now. */
	const struct tm_state states[] = {
		{.native_thread_id = 101, .stack_address = STACK2 + 0x9000},
		{.native_thread_id = 101, .stack_address = STACK2 + 0x2000},
		{.native_thread_id = 101, .stack_address = STACK2 + 0x5000},
	};
	size_t owner[3], current[NTHREADS];

	(void)state;
	match(states, 3, owner, current);
	assert_int_equal(owner[0], 2);
	assert_int_equal(owner[1], 2);
	assert_int_equal(owner[2], 2);
	assert_int_equal(current[1], 2);
}

static void test_states_by_one_id(void **state)
{
	/* Several states name one thread by id only: the first in the list
	 * runs now.  One on the thread's stack goes before them all. */
	const struct tm_state by_id[] = {
		{.thread_id = 0x7f0003000640},
		{.thread_id = 0x7f0003000640},
	};
	const struct tm_state with_stack[] = {
		{.thread_id = 0x7f0003000640},
		{.thread_id = 0x7f0003000640, .stack_address = STACK3 + 0x100},
	};
	size_t owner[2], current[NTHREADS];

	(void)state;
	match(by_id, 2, owner, current);
	assert_int_equal(owner[0], 3);
	assert_int_equal(owner[1], 3);
	assert_int_equal(current[2], 1);
	match(with_stack, 2, owner, current);
	assert_int_equal(owner[0], 3);
	assert_int_equal(owner[1], 3);
	assert_int_equal(current[2], 2);
}

static void test_matching_nothing(void **state)
{
	/* A state of a thread that is gone, or ids that name no thread. */
	const struct tm_state states[] = {
		{.thread_id = 0x1234, .native_thread_id = 999},
		{0},
	};
	size_t owner[2], current[NTHREADS];

	(void)state;
	match(states, 2, owner, current);
	assert_int_equal(owner[0], 0);
	assert_int_equal(owner[1], 0);
	assert_int_equal(current[0], 0);
	assert_int_equal(current[1], 0);
	assert_int_equal(current[2], 0);
}

static void test_duplicate_threads(void **state)
{
	/* Two threads with one LWP and one without a stack (a corrupt core):
	 * the first of the two is named, and no stack is made up. */
	const struct tm_thread twins[] = {
		{.lwp = 7, .pthread_id = 0x70},
		{.lwp = 7, .pthread_id = 0x70},
	};
	const struct tm_state states[] = {
		{.native_thread_id = 7, .stack_address = 0},
	};
	size_t owner[1], current[2];

	(void)state;
	assert_null(thread_match(twins, 2, states, 1, owner, current));
	assert_int_equal(owner[0], 1);
	assert_int_equal(current[0], 1);
	assert_int_equal(current[1], 0);
}

static void test_empty(void **state)
{
	const struct tm_state states[] = {{.native_thread_id = 100}};
	size_t owner[1] = {5}, current[NTHREADS] = {5, 5, 5};
	struct tm_search search;

	(void)state;
	assert_null(thread_match(NULL, 0, NULL, 0, NULL, NULL));
	assert_null(thread_match(NULL, 0, states, 1, owner, NULL));
	assert_int_equal(owner[0], 0);
	assert_null(thread_match(threads, NTHREADS, NULL, 0, NULL, current));
	assert_int_equal(current[0], 0);
	assert_int_equal(current[1], 0);
	assert_int_equal(current[2], 0);
	assert_null(tm_search_init(&search, NULL, 0));
	assert_int_equal(search.ncandidates, 0);
	tm_search_feed(&search, 0, STACK1, NULL, 0);
	tm_search_apply(&search, NULL);
	tm_search_deinit(&search);
}

/* The words of a stack, with VALUES at the word indices AT (N of them). */
static void fill(uint64_t *words, size_t nwords, const size_t *at, const uint64_t *values,
		 size_t n)
{
	size_t i;

	for (i = 0; i < nwords; i++)
		words[i] = 0x5a5a0000 + i;
	for (i = 0; i < n; i++)
		words[at[i]] = values[i];
}

static void test_search_duplicate_ids(void **state)
{
	/* Up to 3.10: two states store thread 1's id; their newest frames
	 * are found on thread 1's and thread 2's stacks, and each state goes
	 * to its own thread, at the outermost place its frame is found. */
	struct tm_state states[] = {
		{.thread_id = 0x7f0001000640, .top_frame = 0xaaa0},
		{.thread_id = 0x7f0001000640, .top_frame = 0xbbb0},
		{.thread_id = 0x7f0003000640, .top_frame = 0xccc0},
	};
	uint64_t stack1[64], stack2[64];
	const size_t at1[] = {3, 40}, at2[] = {10};
	const uint64_t values1[] = {0xaaa0, 0xaaa0}, values2[] = {0xbbb0};
	size_t owner[3], current[NTHREADS];
	struct tm_search search;

	(void)state;
	fill(stack1, 64, at1, values1, 2);
	fill(stack2, 64, at2, values2, 1);
	assert_null(tm_search_init(&search, states, 3));
	/* The third state's id is its own: it is not looked for. */
	assert_int_equal(search.ncandidates, 2);
	/* Fed in two runs, the later one first. */
	tm_search_feed(&search, 0, STACK1 + 32 * 8, stack1 + 32, 32);
	tm_search_feed(&search, 0, STACK1, stack1, 32);
	tm_search_feed(&search, 1, STACK2, stack2, 64);
	tm_search_apply(&search, states);
	tm_search_deinit(&search);
	assert_int_equal(states[0].stack_address, STACK1 + 40 * 8);
	assert_int_equal(states[1].stack_address, STACK2 + 10 * 8);
	assert_int_equal(states[2].stack_address, 0);
	match(states, 3, owner, current);
	assert_int_equal(owner[0], 1);
	assert_int_equal(owner[1], 2);
	assert_int_equal(owner[2], 3);
	assert_int_equal(current[0], 1);
	assert_int_equal(current[1], 2);
	assert_int_equal(current[2], 3);
}

static void test_search_no_evidence(void **state)
{
	/* A frame found on two stacks tells nothing; one found nowhere
	 * neither; a state that holds a stack address keeps it: the ids
	 * decide the rest. */
	struct tm_state states[] = {
		{.thread_id = 0x7f0002000640, .top_frame = 0xaaa0},
		{.thread_id = 0x7f0002000640, .top_frame = 0xbbb0},
		{.thread_id = 0x7f0002000640, .top_frame = 0xccc0, .stack_address = STACK3 + 8},
		{.thread_id = 0x7f0002000640},
	};
	uint64_t stack1[16], stack2[16];
	const size_t at1[] = {1, 2}, at2[] = {5};
	const uint64_t values1[] = {0xaaa0, 0xccc0}, values2[] = {0xaaa0};
	size_t owner[4], current[NTHREADS];
	struct tm_search search;

	(void)state;
	fill(stack1, 16, at1, values1, 2);
	fill(stack2, 16, at2, values2, 1);
	assert_null(tm_search_init(&search, states, 4));
	assert_int_equal(search.ncandidates, 3);
	tm_search_feed(&search, 0, STACK1, stack1, 16);
	tm_search_feed(&search, 1, STACK2, stack2, 16);
	tm_search_apply(&search, states);
	tm_search_deinit(&search);
	assert_int_equal(states[0].stack_address, 0);
	assert_int_equal(states[1].stack_address, 0);
	assert_int_equal(states[2].stack_address, STACK3 + 8);
	match(states, 4, owner, current);
	assert_int_equal(owner[0], 2);
	assert_int_equal(owner[1], 2);
	assert_int_equal(owner[2], 3);
	assert_int_equal(owner[3], 2);
	assert_int_equal(current[0], 0);
	assert_int_equal(current[1], 1);
	assert_int_equal(current[2], 3);
}

static void test_search_shared_frame(void **state)
{
	/* Two states with one newest frame (a corrupt list) and no thread id
	 * to share: the id 0 is no thread's, and they are not looked for. */
	struct tm_state unnamed[] = {
		{.top_frame = 0xaaa0},
		{.top_frame = 0xaaa0},
	};
	/* With a shared id, both are found where the frame is. */
	struct tm_state named[] = {
		{.thread_id = 0x99, .top_frame = 0xaaa0},
		{.thread_id = 0x99, .top_frame = 0xaaa0},
	};
	const uint64_t words[] = {0, 0xaaa0, 0};
	struct tm_search search;

	(void)state;
	assert_null(tm_search_init(&search, unnamed, 2));
	assert_int_equal(search.ncandidates, 0);
	tm_search_deinit(&search);
	assert_null(tm_search_init(&search, named, 2));
	assert_int_equal(search.ncandidates, 2);
	tm_search_feed(&search, 2, STACK3, words, 3);
	tm_search_apply(&search, named);
	tm_search_deinit(&search);
	assert_int_equal(named[0].stack_address, STACK3 + 8);
	assert_int_equal(named[1].stack_address, STACK3 + 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_by_native_id),
		cmocka_unit_test(test_by_pthread_id),
		cmocka_unit_test(test_ids_name_two_threads),
		cmocka_unit_test(test_by_stack),
		cmocka_unit_test(test_stack_bounds),
		cmocka_unit_test(test_states_on_one_stack),
		cmocka_unit_test(test_states_by_one_id),
		cmocka_unit_test(test_matching_nothing),
		cmocka_unit_test(test_duplicate_threads),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_search_duplicate_ids),
		cmocka_unit_test(test_search_no_evidence),
		cmocka_unit_test(test_search_shared_frame),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
