/* symindex.c against libdwfl on a real core: Debian's /usr/bin/python3.11
 * (whose symbols come from python3.11-dbg) crashes in ctypes, and for
 * addresses in every module the core maps (the start, middle, last byte and
 * end of a spread of its symbols, and points spread over its whole range),
 * whatever the index answers must be what dwfl_module_addrinfo() answers:
 * the same name and offset.  The core is made as crash_core.h says. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "crash_core.h"

#include "analysis/analysis.h"
#include "elf/modules.h"
#include "elf/symindex.h"

#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define PYTHON "/usr/bin/python3.11"

/* Symbols tried per module, and points spread over its range. */
#define SYMBOLS_TRIED 120
#define POINTS_TRIED 120

static char workdir[] = "/tmp/pycore-test-symindex-XXXXXX";
static struct analysis_options options;
static struct analysis *analysis;

struct tally {
	size_t asked;		/* addresses put to the index */
	size_t answered;	/* of which it answered */
	size_t python_answered;	/* of which in the python3.11 module */
};

static int make_core(void **state)
{
	static char core_path[300];
	struct rlimit unlimited = {RLIM_INFINITY, RLIM_INFINITY};
	pid_t child;
	int status;

	(void)state;
	if (!cores_in_working_directory("test_symindex"))
		return -1;
	if (access(PYTHON, X_OK) != 0) {
		fprintf(stderr, "test_symindex: %s is missing\n", PYTHON);
		return -1;
	}
	if (!mkdtemp(workdir))
		return -1;
	child = fork();
	if (child == 0) {
		if (chdir(workdir) != 0 || setrlimit(RLIMIT_CORE, &unlimited) != 0)
			_exit(99);
		execl(PYTHON, PYTHON, "-c", "import ctypes; ctypes.memset(0, 0, 1)", (char *)NULL);
		_exit(98);
	}
	if (child < 0 || waitpid(child, &status, 0) != child)
		return -1;
	if (!WIFSIGNALED(status) || !WCOREDUMP(status)) {
		fprintf(stderr, "test_symindex: %s did not dump core (status %#x)\n", PYTHON,
			status);
		return -1;
	}
	if (crashed_core(workdir, child, core_path, sizeof(core_path)) != 0)
		return -1;
	analysis_options_init(&options, NULL);
	options.core_path = core_path;
	if (analysis_run(&options, &analysis) != NULL || !analysis->modules) {
		fprintf(stderr, "test_symindex: the core of %s cannot be analyzed\n", PYTHON);
		return -1;
	}
	return 0;
}

static int remove_core(void **state)
{
	char command[512];

	(void)state;
	analysis_destroy(analysis);
	snprintf(command, sizeof(command), "rm -rf '%s'", workdir);
	return system(command) == 0 ? 0 : -1;
}

static void check_address(Dwfl_Module *mod, const struct symindex *index, uint64_t pc,
			  bool python, struct tally *tally)
{
	const char *name = NULL, *want;
	uint64_t offset = 0;
	GElf_Off want_offset = 0;
	GElf_Sym sym;

	tally->asked++;
	if (!symindex_lookup(index, pc, &name, &offset))
		return;
	tally->answered++;
	if (python)
		tally->python_answered++;
	want = dwfl_module_addrinfo(mod, pc, &want_offset, &sym, NULL, NULL, NULL);
	if (!want || strcmp(name, want) != 0 || offset != want_offset)
		fail_msg("%#llx: the index gives %s+%#llx, libdwfl %s+%#llx",
			 (unsigned long long)pc, name, (unsigned long long)offset,
			 want ? want : "(none)", (unsigned long long)want_offset);
}

static int check_module(Dwfl_Module *mod, void **userdata, const char *name, Dwarf_Addr start,
			void *arg)
{
	struct tally *tally = arg;
	struct symindex *index = symindex_build(mod);
	bool python = strstr(name, "python3.11") != NULL;
	Dwarf_Addr low, high;
	int count = dwfl_module_getsymtab(mod), i, step;
	(void)userdata;
	(void)start;

	dwfl_module_info(mod, NULL, &low, &high, NULL, NULL, NULL, NULL);
	step = count > SYMBOLS_TRIED ? count / SYMBOLS_TRIED : 1;
	for (i = 1; i < count; i += step) {
		GElf_Addr value;
		GElf_Sym sym;

		if (!dwfl_module_getsym_info(mod, i, &sym, &value, NULL, NULL, NULL))
			continue;
		check_address(mod, index, value, python, tally);
		check_address(mod, index, value + sym.st_size / 2, python, tally);
		if (sym.st_size) {
			check_address(mod, index, value + sym.st_size - 1, python, tally);
			check_address(mod, index, value + sym.st_size, python, tally);
		}
	}
	for (i = 0; i < POINTS_TRIED && high > low; i++)
		check_address(mod, index, low + (high - low) / POINTS_TRIED * (uint64_t)i, python,
			      tally);
	symindex_destroy(index);
	return DWARF_CB_OK;
}

static void test_same_as_libdwfl(void **state)
{
	struct tally tally = {0};

	(void)state;
	dwfl_getmodules(analysis->modules->dwfl, check_module, &tally, 0);
	printf("test_symindex: the index answered %zu of %zu addresses, %zu in python3.11\n",
	       tally.answered, tally.asked, tally.python_answered);
	/* Most addresses lie in a sized symbol; python3.11-dbg's table is
	 * the one the index is for. */
	assert_true(tally.python_answered > SYMBOLS_TRIED);
	assert_true(tally.answered * 2 > tally.asked);
}

/* No index (a module without a symbol table) answers nothing. */
static void test_no_index(void **state)
{
	const char *name = "unchanged";
	uint64_t offset = 7;

	(void)state;
	assert_false(symindex_lookup(NULL, 0x1000, &name, &offset));
	assert_string_equal(name, "unchanged");
	assert_int_equal(offset, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_as_libdwfl),
		cmocka_unit_test(test_no_index),
	};

	return cmocka_run_group_tests(tests, make_core, remove_core);
}
