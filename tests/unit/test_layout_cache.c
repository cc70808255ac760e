/* The layout cache: what it stores comes back whole, and anything else in
 * its place (corrupt, cut, another version, a link, a bad name) is a miss;
 * an entry is used only for the files it was read from, unchanged, and is
 * written only for files of root or of the user running the test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/error.h"
#include "layout/layout.h"
#include "layout/cache.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BUILD_ID "c561f3aa7232f2bd6ac6d56bd475f1c154a00486"
#define VERSION (PY_HEX(3, 11) | 0x02f0)

static char home[] = "/tmp/pycore-test-cache-XXXXXX";
static char entry[512], main_file[512], dwarf_file[512];
static struct py_layout stored;

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(home))
		return -1;
	setenv("XDG_CACHE_HOME", home, 1);
	unsetenv("PYCORE_NO_CACHE");
	snprintf(entry, sizeof(entry), "%s/pycore/layout-%s", home, BUILD_ID);
	snprintf(main_file, sizeof(main_file), "%s/python3", home);
	snprintf(dwarf_file, sizeof(dwarf_file), "%s/python3.debug", home);
	write_file(main_file, "an executable");
	write_file(dwarf_file, "its DWARF");
	if (layout_from_tables(VERSION, &stored) != NULL)
		return -1;
	stored.source = LAYOUT_SOURCE_DWARF;
	return 0;
}

static int teardown(void **state)
{
	char command[600];

	(void)state;
	snprintf(command, sizeof(command), "rm -rf '%s'", home);
	return system(command) == 0 ? 0 : -1;
}

static bool load(struct py_layout *layout, char *detail, size_t size)
{
	return layout_cache_load(BUILD_ID, main_file, VERSION, layout, detail, size);
}

static void store(void)
{
	layout_cache_store(BUILD_ID, main_file, &stored, dwarf_file);
}

static void test_round_trip(void **state)
{
	struct py_layout layout;
	char detail[256];

	(void)state;
	unlink(entry);
	assert_false(load(&layout, detail, sizeof(detail)));
	store();
	assert_true(load(&layout, detail, sizeof(detail)));
	assert_string_equal(detail, dwarf_file);
	assert_memory_equal(&layout.runtime, &stored.runtime,
			    sizeof(layout) - offsetof(struct py_layout, runtime));
	assert_string_equal(layout.eval_function, stored.eval_function);
	assert_int_equal(layout.source, LAYOUT_SOURCE_DWARF);
	assert_false(layout_cache_load(BUILD_ID, main_file, PY_HEX(3, 12), &layout, detail,
				       sizeof(detail)));
}

/* The same build-id on other files, or on the same files changed since,
 * is a miss; files of another user are never cached. */
static void test_keyed_by_files(void **state)
{
	struct py_layout layout;
	char detail[256], other[600];

	(void)state;
	unlink(entry);
	store();
	assert_true(load(&layout, detail, sizeof(detail)));
	snprintf(other, sizeof(other), "%s/fake-python3", home);
	write_file(other, "another executable with the same build-id");
	assert_false(layout_cache_load(BUILD_ID, other, VERSION, &layout, detail, sizeof(detail)));
	write_file(dwarf_file, "its DWARF, rewritten");
	assert_false(load(&layout, detail, sizeof(detail)));
	store();
	assert_true(load(&layout, detail, sizeof(detail)));
	/* Replaced (a new inode), same size and contents. */
	assert_int_equal(rename(main_file, other), 0);
	write_file(main_file, "an executable");
	assert_false(load(&layout, detail, sizeof(detail)));
	if (geteuid() == 0) {
		unlink(entry);
		assert_int_equal(chown(dwarf_file, 1234, 1234), 0);
		store();
		assert_false(load(&layout, detail, sizeof(detail)));
		assert_int_equal(access(entry, F_OK), -1);
		assert_int_equal(chown(dwarf_file, 0, 0), 0);
	}
	store();
	assert_true(load(&layout, detail, sizeof(detail)));
}

static void test_corrupt(void **state)
{
	struct py_layout layout;
	char detail[256];
	struct stat st;
	unsigned char byte;
	int fd;

	(void)state;
	store();
	assert_int_equal(stat(entry, &st), 0);
	/* One bit flipped in the middle. */
	fd = open(entry, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &byte, 1, st.st_size / 2), 1);
	byte ^= 0x10;
	assert_int_equal(pwrite(fd, &byte, 1, st.st_size / 2), 1);
	close(fd);
	assert_false(load(&layout, detail, sizeof(detail)));
	/* Cut short. */
	store();
	assert_int_equal(truncate(entry, st.st_size - 8), 0);
	assert_false(load(&layout, detail, sizeof(detail)));
	/* A link in its place is not followed. */
	unlink(entry);
	store();
	assert_int_equal(rename(entry, "/tmp/pycore-test-cache-target"), 0);
	assert_int_equal(symlink("/tmp/pycore-test-cache-target", entry), 0);
	assert_false(load(&layout, detail, sizeof(detail)));
	unlink(entry);
	unlink("/tmp/pycore-test-cache-target");
}

static void test_names_and_switch(void **state)
{
	struct py_layout layout;
	char detail[256];

	(void)state;
	layout_cache_store("../../etc/x", main_file, &stored, dwarf_file);
	assert_false(layout_cache_load("../../etc/x", main_file, VERSION, &layout, detail,
				       sizeof(detail)));
	assert_false(layout_cache_load("", main_file, VERSION, &layout, detail, sizeof(detail)));
	store();
	setenv("PYCORE_NO_CACHE", "1", 1);
	assert_false(load(&layout, detail, sizeof(detail)));
	unsetenv("PYCORE_NO_CACHE");
	assert_true(load(&layout, detail, sizeof(detail)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_keyed_by_files),
		cmocka_unit_test(test_names_and_switch),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
