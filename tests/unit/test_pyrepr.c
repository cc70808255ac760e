/* pyrepr.c and pycontainer.c on a real core: Debian's /usr/bin/python3.11
 * builds objects of every kind pyrepr spells, writes their id()s (their
 * addresses) to a file and crashes; the test reads the core and asks
 * pyrepr for the repr of each address.  The expected strings are what
 * Python's own repr() prints, cut where pyrepr.h says it cuts: more items
 * than PYREPR_MAX_ITEMS, nesting deeper than PYREPR_MAX_DEPTH, a container
 * that holds itself, and hash tables whose only live entry lies past
 * PYCONTAINER_MAX_SCAN deleted ones.
 * The core is made as crash_core.h says. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "crash_core.h"

#include "analysis/analysis.h"
#include "base/error.h"
#include "python/repr.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define PYTHON "/usr/bin/python3.11"

static const char script[] =
	"import ctypes\n"
	"\n"
	"\n"
	"class C:\n"
	"    pass\n"
	"\n"
	"\n"
	"o = C()\n"
	"o.x = 1\n"
	"o.y = 'two'\n"
	"selfref = [1]\n"
	"selfref.append(selfref)\n"
	"sparse_dict = {i: i for i in range(100000)}\n"
	"for i in range(99999):\n"
	"    del sparse_dict[i]\n"
	"sparse_set = set(range(100000))\n"
	"for i in range(99999):\n"
	"    sparse_set.discard(i)\n"
	"objects = {\n"
	"    'small': {'a': 1, 'b': [1, 2.5, (3,)], 'c': None, 'd': True},\n"
	"    'long_list': list(range(20)),\n"
	"    'deep': [[[[1]]]],\n"
	"    'set': {7},\n"
	"    'frozenset': frozenset({'k'}),\n"
	"    'split': o.__dict__,\n"
	"    'selfref': selfref,\n"
	"    'sparse_dict': sparse_dict,\n"
	"    'sparse_set': sparse_set,\n"
	"    'text': 'a\\x1bb\\u202e\\xe9',\n"
	"    'bytes': b'\\x00\\xffab',\n"
	"    'bigint': 2 ** 100,\n"
	"    'negint': -5,\n"
	"    'empty_tuple': (),\n"
	"    'one_tuple': (1,),\n"
	"    'long_text': 'x' * 300,\n"
	"}\n"
	"with open('ids', 'w') as f:\n"
	"    for name, value in objects.items():\n"
	"        f.write('%s %d\\n' % (name, id(value)))\n"
	"ctypes.memset(0, 0, 1)\n";

static const struct {
	const char *name;
	const char *repr;
} expected[] = {
	{"small", "{'a': 1, 'b': [1, 2.5, (3,)], 'c': None, 'd': True}"},
	{"long_list", "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, ...]"},
	{"deep", "[[[[...]]]]"},
	{"set", "{7}"},
	{"frozenset", "frozenset({'k'})"},
	{"split", "{'x': 1, 'y': 'two'}"},
	{"selfref", "[1, [...]]"},
	{"sparse_dict", "{...}"},
	{"sparse_set", "{...}"},
	{"text", "'a\\x1bb\\u202e\xc3\xa9'"},
	{"bytes", "b'\\x00\\xffab'"},
	{"bigint", "1267650600228229401496703205376"},
	{"negint", "-5"},
	{"empty_tuple", "()"},
	{"one_tuple", "(1,)"},
};

static char workdir[] = "/tmp/pycore-test-pyrepr-XXXXXX";
static char core_path[300];
static struct analysis_options options;
static struct analysis *analysis;
static struct pyrepr *repr;

/* The address of the object the script named NAME, or 0. */
static uint64_t address_of(const char *name)
{
	char path[300], line[256], word[64];
	unsigned long long address;
	uint64_t found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/ids", workdir);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %llu", word, &address) == 2 && strcmp(word, name) == 0)
			found = address;
	fclose(f);
	return found;
}

static int make_core(void **state)
{
	struct rlimit unlimited = {RLIM_INFINITY, RLIM_INFINITY};
	char path[300];
	pid_t child;
	FILE *f;
	int status;

	(void)state;
	if (!cores_in_working_directory("test_pyrepr"))
		return -1;
	if (access(PYTHON, X_OK) != 0) {
		fprintf(stderr, "test_pyrepr: %s is missing\n", PYTHON);
		return -1;
	}
	if (!mkdtemp(workdir))
		return -1;
	snprintf(path, sizeof(path), "%s/crash.py", workdir);
	f = fopen(path, "w");
	if (!f || fputs(script, f) < 0 || fclose(f) != 0)
		return -1;
	child = fork();
	if (child == 0) {
		if (chdir(workdir) != 0 || setrlimit(RLIMIT_CORE, &unlimited) != 0)
			_exit(99);
		execl(PYTHON, PYTHON, "crash.py", (char *)NULL);
		_exit(98);
	}
	if (child < 0 || waitpid(child, &status, 0) != child)
		return -1;
	if (!WIFSIGNALED(status) || !WCOREDUMP(status)) {
		fprintf(stderr, "test_pyrepr: %s did not dump core (status %#x)\n", PYTHON, status);
		return -1;
	}
	if (crashed_core(workdir, child, core_path, sizeof(core_path)) != 0)
		return -1;
	analysis_options_init(&options, NULL);
	options.core_path = core_path;
	options.native = false;
	if (analysis_run(&options, &analysis) != NULL || !analysis->python.found) {
		fprintf(stderr, "test_pyrepr: the core of %s cannot be analyzed\n", PYTHON);
		return -1;
	}
	return pyrepr_create(&(struct py_reader){analysis->memory, &analysis->python.layout},
			     &repr) == NULL ? 0 : -1;
}

static int remove_core(void **state)
{
	char command[512];

	(void)state;
	pyrepr_destroy(repr);
	analysis_destroy(analysis);
	snprintf(command, sizeof(command), "rm -rf '%s'", workdir);
	return system(command) == 0 ? 0 : -1;
}

static void test_reprs(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
		uint64_t address = address_of(expected[i].name);
		char *text = NULL;

		assert_true(address != 0);
		assert_null(pyrepr_object(repr, address, &text));
		if (strcmp(text, expected[i].repr) != 0)
			fail_msg("%s: pyrepr gives %s, expected %s", expected[i].name, text,
				 expected[i].repr);
		free(text);
	}
}

/* A str longer than PYREPR_MAX_STRING: its first characters, then "...". */
static void test_string_cap(void **state)
{
	char want[PYREPR_MAX_STRING + 8], *text = NULL;

	(void)state;
	want[0] = '\'';
	memset(want + 1, 'x', PYREPR_MAX_STRING);
	strcpy(want + 1 + PYREPR_MAX_STRING, "'...");
	assert_null(pyrepr_object(repr, address_of("long_text"), &text));
	assert_string_equal(text, want);
	free(text);
}

/* What cannot be read is text, never an error: a pointer into nothing. */
static void test_unreadable(void **state)
{
	char *text = NULL;

	(void)state;
	assert_null(pyrepr_object(repr, 0x10, &text));
	assert_non_null(strstr(text, "<unreadable: "));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reprs),
		cmocka_unit_test(test_string_cap),
		cmocka_unit_test(test_unreadable),
	};

	return cmocka_run_group_tests(tests, make_core, remove_core);
}
