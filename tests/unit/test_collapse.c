/* collapse.c: which frames of a chain are shown.  A recursion is collapsed
 * as Python's tracebacks collapse it, one frame repeated shown
 * PYFRAME_LINE_CUTOFF times, a block of up to PYFRAME_MAX_PERIOD frames
 * repeated at least PYFRAME_MIN_REPEATS more times shown once; a
 * stack longer than the cap keeps its innermost frames, and with collapse
 * a quarter of the cap for its outermost.  The chains are made up: each
 * letter is a place (a code object and an offset in it), innermost first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "python/collapse.h"

#include <stdio.h>
#include <string.h>

#define MAX_CHAIN 256

/* The chain SPELLED, one place per letter: the same letter, the same code
 * at the same offset; '?' an unreadable frame; a capital the same code as
 * its small letter at another offset. */
static size_t chain_of(const char *spelled, struct frame_place *places)
{
	size_t i, n = strlen(spelled);

	assert_true(n <= MAX_CHAIN);
	for (i = 0; i < n; i++) {
		char c = spelled[i];

		if (c == '?') {
			places[i] = (struct frame_place){.unreadable = true};
			continue;
		}
		places[i] = (struct frame_place){
			.code = 0x1000 + (uint64_t)(c | 0x20) * 0x100,
			.offset = c >= 'a' ? 10 : 20,
		};
	}
	return n;
}

/* The picks of SPELLED as text: each shown frame's letter, and after the
 * last frame of a collapsed block "(period x repeats)". */
static void collapsed(const char *spelled, bool collapse, char *ret, size_t size)
{
	struct frame_place places[MAX_CHAIN];
	struct frame_pick picks[MAX_CHAIN];
	size_t n = chain_of(spelled, places), npicks, i, used = 0;

	npicks = frame_collapse(places, n, collapse, picks);
	ret[0] = '\0';
	for (i = 0; i < npicks; i++) {
		used += (size_t)snprintf(ret + used, size - used, "%c", spelled[picks[i].index]);
		if (picks[i].period)
			used += (size_t)snprintf(ret + used, size - used, "(%zux%zu)",
						 picks[i].period, picks[i].repeats);
		assert_true(used < size);
	}
}

static void assert_collapsed(const char *spelled, const char *want)
{
	char got[4 * MAX_CHAIN];

	collapsed(spelled, true, got, sizeof(got));
	assert_string_equal(got, want);
}

static void test_not_asked(void **state)
{
	char got[4 * MAX_CHAIN];

	(void)state;
	collapsed("fffffmz", false, got, sizeof(got));
	assert_string_equal(got, "fffffmz");
}

static void test_empty_chain(void **state)
{
	struct frame_pick picks[1];

	(void)state;
	assert_int_equal(frame_collapse(NULL, 0, true, picks), 0);
}

/* One function calling itself: shown three times, as CPython shows it,
 * the rest counted. */
static void test_recursion(void **state)
{
	(void)state;
	assert_collapsed("ffffffffffmz", "fff(1x7)mz");
}

/* Two functions calling each other: the pair is the block. */
static void test_mutual_recursion(void **state)
{
	(void)state;
	assert_collapsed("ababababmz", "ab(2x3)mz");
}

/* A block repeated PYFRAME_MIN_REPEATS more times collapses; once fewer
 * does not.  One frame collapses when it runs more than
 * PYFRAME_LINE_CUTOFF times, as in CPython's tracebacks. */
static void test_threshold(void **state)
{
	(void)state;
	assert_int_equal(PYFRAME_MIN_REPEATS, 2);
	assert_int_equal(PYFRAME_LINE_CUTOFF, 3);
	assert_collapsed("ffffm", "fff(1x1)m");
	assert_collapsed("fffm", "fffm");
	assert_collapsed("ffm", "ffm");
	assert_collapsed("abababm", "ab(2x2)m");
	assert_collapsed("ababm", "ababm");
}

/* The same code at another line is another place. */
static void test_offsets_differ(void **state)
{
	(void)state;
	assert_collapsed("fFfFm", "fFfFm");
	assert_collapsed("fFfFfFm", "fF(2x2)m");
}

/* An unreadable frame is the same as no other, itself included. */
static void test_unreadable(void **state)
{
	(void)state;
	assert_collapsed("????m", "????m");
	assert_collapsed("f?f?f?m", "f?f?f?m");
	assert_collapsed("ffff?ffff", "fff(1x1)?fff(1x1)");
}

/* Blocks up to PYFRAME_MAX_PERIOD frames long collapse, longer ones not. */
static void test_longest_period(void **state)
{
	char spelled[MAX_CHAIN], want[MAX_CHAIN];
	const char *block16 = "abcdefghijklmnop", *block17 = "abcdefghijklmnopq";

	(void)state;
	assert_int_equal(PYFRAME_MAX_PERIOD, 16);
	snprintf(spelled, sizeof(spelled), "%s%s%sz", block16, block16, block16);
	snprintf(want, sizeof(want), "%s(16x2)z", block16);
	assert_collapsed(spelled, want);
	snprintf(spelled, sizeof(spelled), "%s%s%sz", block17, block17, block17);
	assert_collapsed(spelled, spelled);
}

/* Of the periods that repeat enough, the one covering most frames wins:
 * "aaab" three times is one block, not "a" collapsed thrice. */
static void test_widest_cover_wins(void **state)
{
	(void)state;
	assert_collapsed("aaabaaabaaabz", "aaab(4x2)z");
	/* Equal cover: the shorter period. */
	assert_collapsed("aaaaaaz", "aaa(1x3)z");
}

/* Collapsing goes on after a block: each run is collapsed on its own. */
static void test_runs_in_turn(void **state)
{
	(void)state;
	assert_collapsed("ffffgggghz", "fff(1x1)ggg(1x1)hz");
	assert_collapsed("ffffxababab", "fff(1x1)xab(2x2)");
}

/* The indices of the picks are the chain's, so the caller finds the frame. */
static void test_indices(void **state)
{
	struct frame_place places[MAX_CHAIN];
	struct frame_pick picks[MAX_CHAIN];
	size_t n = chain_of("xababababz", places);

	(void)state;
	assert_int_equal(frame_collapse(places, n, true, picks), 4);
	assert_int_equal(picks[0].index, 0);
	assert_int_equal(picks[1].index, 1);
	assert_int_equal(picks[2].index, 2);
	assert_int_equal(picks[2].period, 2);
	assert_int_equal(picks[2].repeats, 3);
	assert_int_equal(picks[3].index, 9);
	assert_int_equal(picks[3].period, 0);
}

static void test_cut_fits(void **state)
{
	size_t head, tail;

	(void)state;
	frame_cut(12, 12, true, &head, &tail);
	assert_int_equal(head, 12);
	assert_int_equal(tail, 0);
	frame_cut(0, 5, false, &head, &tail);
	assert_int_equal(head, 0);
	assert_int_equal(tail, 0);
}

/* Too long: with collapse a quarter of the cap goes to the outermost
 * frames; without, only the innermost are kept. */
static void test_cut_long(void **state)
{
	size_t head, tail;

	(void)state;
	frame_cut(2000, 12, true, &head, &tail);
	assert_int_equal(head, 9);
	assert_int_equal(tail, 3);
	frame_cut(2000, 12, false, &head, &tail);
	assert_int_equal(head, 12);
	assert_int_equal(tail, 0);
	frame_cut(13, 12, true, &head, &tail);
	assert_int_equal(head + tail, 12);
	frame_cut(6, 5, true, &head, &tail);
	assert_int_equal(head, 4);
	assert_int_equal(tail, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_asked),
		cmocka_unit_test(test_empty_chain),
		cmocka_unit_test(test_recursion),
		cmocka_unit_test(test_mutual_recursion),
		cmocka_unit_test(test_threshold),
		cmocka_unit_test(test_offsets_differ),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_longest_period),
		cmocka_unit_test(test_widest_cover_wins),
		cmocka_unit_test(test_runs_in_turn),
		cmocka_unit_test(test_indices),
		cmocka_unit_test(test_cut_fits),
		cmocka_unit_test(test_cut_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
