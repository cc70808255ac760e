/* The heuristics that name a crash or a hang after the program's own code,
 * on made-up frames: which files are library code (own_code.h), which
 * frame of a thread is the program's, the order and the repeats of a
 * hang's blocked frames (fingerprint_blocked_set), and the columns of a
 * wide character under which a traceback's ^ goes (display_width.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "analysis/fingerprint.h"
#include "analysis/own_code.h"
#include "python/result.h"
#include "report/display_width.h"

#include <string.h>

static void test_library_files(void **state)
{
	(void)state;
	assert_false(own_code_file("/usr/lib/python3.11/threading.py"));
	assert_false(own_code_file("/root/.pyenv/versions/3.12.1/lib/python3.12/ctypes/__init__.py"));
	assert_false(own_code_file("/usr/lib64/python3.9/socket.py"));
	assert_false(own_code_file("/srv/venv/lib/python3.11/site-packages/requests/api.py"));
	assert_false(own_code_file("/usr/lib/python3/dist-packages/apt/cache.py"));
	assert_false(own_code_file("<frozen importlib._bootstrap>"));
}

static void test_own_files(void **state)
{
	(void)state;
	assert_true(own_code_file("/srv/app/worker.py"));
	assert_true(own_code_file("crash.py"));
	assert_true(own_code_file("<string>"));
	/* A project's own "lib/python-tools" is no interpreter's library. */
	assert_true(own_code_file("/home/me/lib/python-tools/run.py"));
}

/* The most recent readable frame of the program's own code. */
static void test_own_frame(void **state)
{
	struct py_frame frames[] = {
		{.filename = "/usr/lib/python3.11/threading.py", .name = "Condition.wait"},
		{.filename = "/srv/app/worker.py", .name = "broken", .error = "unreadable"},
		{.filename = "/srv/app/worker.py", .name = "wait_for_news"},
		{.filename = "/srv/app/main.py", .name = "<module>"},
	};
	struct py_thread thread = {.frames = frames, .nframes = 4};
	struct py_thread library = {.frames = frames, .nframes = 1};

	(void)state;
	assert_ptr_equal(own_code_frame(&thread), &frames[2]);
	assert_null(own_code_frame(&library));
	assert_null(own_code_frame(NULL));
}

/* A hang's frames: by file base name, then function, each once. */
static void test_blocked_set(void **state)
{
	struct py_frame b = {.filename = "/a/lock.py", .name = "take_b"};
	struct py_frame a = {.filename = "/b/lock.py", .name = "Locks.take_a"};
	struct py_frame a2 = {.filename = "/c/lock.py", .name = "take_a"};
	struct py_frame m = {.filename = "/a/main.py", .name = "<module>"};
	const struct py_frame *frames[] = {&b, &m, &a, &a2};

	(void)state;
	assert_int_equal(fingerprint_blocked_set(frames, 4), 3);
	assert_ptr_equal(frames[0], &a);
	assert_ptr_equal(frames[1], &b);
	assert_ptr_equal(frames[2], &m);
	assert_int_equal(fingerprint_blocked_set(frames, 0), 0);
}

static void test_display_width(void **state)
{
	const char *cjk = "label = \"\xe6\x97\xa5\xe6\x9c\xac\""; /* 日本 */

	(void)state;
	assert_int_equal(display_width("os.abort()", 10), 10);
	assert_int_equal(display_width(cjk, strlen(cjk)), 9 + 4 + 1);
	assert_int_equal(display_width_of(0xe9), 1);	/* é */
	assert_int_equal(display_width_of(0xac00), 2);	/* 가 */
	assert_int_equal(display_width_of(0xff21), 2);	/* Ａ, fullwidth */
	assert_int_equal(display_width_of(0x1f600), 2); /* an emoji */
	assert_int_equal(display_width("\xff", 1), 1);	/* not UTF-8 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_library_files),
		cmocka_unit_test(test_own_files),
		cmocka_unit_test(test_own_frame),
		cmocka_unit_test(test_blocked_set),
		cmocka_unit_test(test_display_width),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
