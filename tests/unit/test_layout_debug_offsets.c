/* layout_from_debug_offsets() on the _Py_DebugOffsets of Debian sid's
 * 3.13, 3.14 and 3.15 (the root of scripts/make-root), read from the
 * .PyRuntime section of each executable, where the initialised table
 * lies: every offset it gives must be the generated tables' (offsetof()
 * against the same version's headers), each version read in its own shape.
 * The same bytes marked as 3.16 must still be read, in 3.15's shape, and
 * refused once an offset points outside its struct or a size is absurd.
 * A missing root is reported as skipped, never passed, and says what is
 * missing (skip_missing.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <gelf.h>

#include "sid_root.h"
#include "skip_missing.h"

#include "base/error.h"
#include "layout/layout.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TABLE_BYTES 4096

/* The first TABLE_BYTES of PATH's .PyRuntime section; false when PATH is
 * not installed. */
static bool read_table(const char *path, unsigned char *out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	bool found = false;
	Elf *elf;

	if (fd < 0) {
		print_message("SKIPPED: %s is not installed\n", path);
		return false;
	}
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	assert_non_null(elf);
	assert_int_equal(elf_getshdrstrndx(elf, &shstrndx), 0);
	while (!found && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		const char *name;

		assert_non_null(gelf_getshdr(scn, &shdr));
		name = elf_strptr(elf, shstrndx, shdr.sh_name);
		if (name && strcmp(name, ".PyRuntime") == 0) {
			assert_true(shdr.sh_size >= TABLE_BYTES);
			assert_int_equal(pread(fd, out, TABLE_BYTES, (off_t)shdr.sh_offset),
					 TABLE_BYTES);
			found = true;
		}
	}
	elf_end(elf);
	close(fd);
	if (!found)
		fail_msg("%s has no .PyRuntime section", path);
	return true;
}

/* Every field the debug offsets gave equals the tables'. */
static void compare_with_tables(const char *path, const struct py_layout *got)
{
	struct py_layout tables;
	struct pc_error *err = layout_from_tables(got->version_hex, &tables);
	const int64_t *a = &got->runtime.size;
	const int64_t *b = &tables.runtime.size;
	unsigned differences = 0;

	if (err)
		fail_msg("layout_from_tables %#x: %s", got->version_hex, err->message);
	for (; a < (const int64_t *)(got + 1); a++, b++) {
		/* Bug-fix releases grow these two; the tables keep the smallest. */
		if (a == &got->interp.size || a == &got->tstate.size) {
			if (*a < *b)
				differences++;
			continue;
		}
		/* The tables leave it out where the builds of a minor version
		 * disagree on it (3.13.0 and 3.13.18); Debian's 3.15 has its
		 * JIT's one more pointer (tests/unit/test_layout_dwarf.c). */
		if (a == &got->runtime.size &&
		    (*b == LAYOUT_ABSENT ||
		     ((got->version_hex & 0xffff0000u) == PY_HEX(3, 15) && *a == *b + 8)))
			continue;
		if (*a != *b) {
			differences++;
			print_error("%s: field at %zu: debug offsets %lld, tables %lld\n", path,
				    (size_t)((const char *)a - (const char *)got), (long long)*a,
				    (long long)*b);
		}
	}
	if (differences)
		fail_msg("%s: %u fields differ", path, differences);
}

static void test_version(void **state)
{
	const char *path = *state;
	unsigned char table[TABLE_BYTES];
	struct py_layout layout;
	struct pc_error *err;

	if (!read_table(path, table)) {
		skip_missing(path);
		return;
	}
	err = layout_from_debug_offsets(table, sizeof(table), EM_X86_64, &layout);
	if (err)
		fail_msg("%s: %s", path, err->message);
	assert_int_equal(layout.source, LAYOUT_SOURCE_DEBUG_OFFSETS);
	compare_with_tables(path, &layout);
}

/* What _Py_DebugOffsets leaves out comes from the tables of the core's
 * architecture: 3.14's interpreter state keeps its list of tasks 16 bytes
 * further on aarch64, past glibc's larger mutexes. */
static void test_complement_by_machine(void **state)
{
	const char *path = sid_path("usr/bin/python3.14");
	unsigned char table[TABLE_BYTES];
	struct py_layout x86_64, aarch64, tables;

	(void)state;
	if (!read_table(path, table)) {
		skip_missing(path);
		return;
	}
	assert_null(layout_from_debug_offsets(table, sizeof(table), EM_X86_64, &x86_64));
	assert_null(layout_from_debug_offsets(table, sizeof(table), EM_AARCH64, &aarch64));
	assert_null(layout_from_arch_tables(EM_AARCH64, PY_HEX(3, 14), &tables));
	assert_int_equal(aarch64.interp.asyncio_tasks_head, tables.interp.asyncio_tasks_head);
	assert_int_not_equal(x86_64.interp.asyncio_tasks_head, aarch64.interp.asyncio_tasks_head);
	assert_int_equal(x86_64.tstate.current_frame, aarch64.tstate.current_frame);
}

/* The offset of MEMBER in 3.15's _Py_DebugOffsets. */
static size_t member_offset(const char *member)
{
	const struct debug_offsets_shape *shape = layout_debug_offsets_shape(PY_HEX(3, 15));

	assert_non_null(shape);
	for (size_t i = 0; i < shape->count; i++)
		if (strcmp(shape->members[i].name, member) == 0)
			return shape->members[i].offset;
	fail_msg("3.15's _Py_DebugOffsets has no %s", member);
	return 0;
}

static void put(unsigned char *table, size_t offset, uint64_t value)
{
	memcpy(table + offset, &value, sizeof(value));
}

static void test_newer(void **state)
{
	unsigned char table[TABLE_BYTES], changed[TABLE_BYTES];
	struct py_layout known, newer;
	const char *path = sid_path("usr/bin/python3.15");
	struct pc_error *err;

	(void)state;
	if (!read_table(path, table)) {
		skip_missing(path);
		return;
	}
	assert_null(layout_from_debug_offsets(table, sizeof(table), EM_X86_64, &known));
	put(table, 8, 0x031000f0);	/* 3.16.0 */
	err = layout_from_debug_offsets(table, sizeof(table), EM_X86_64, &newer);
	if (err)
		fail_msg("3.16: %s", err->message);
	assert_int_equal(newer.version_hex, 0x031000f0);
	assert_int_equal(newer.tstate.current_frame, known.tstate.current_frame);
	assert_int_equal(newer.iframe.previous, known.iframe.previous);
	assert_int_equal(newer.stackref_tag_bits, 3);

	/* An offset outside its struct, a size beyond bounds, a zero size. */
	memcpy(changed, table, sizeof(table));
	put(changed, member_offset("thread_state.current_frame"), 1 << 19);
	err = layout_from_debug_offsets(changed, sizeof(changed), EM_X86_64, &newer);
	assert_non_null(err);
	assert_non_null(strstr(err->message, "thread_state.current_frame"));
	pc_error_destroy(err);
	memcpy(changed, table, sizeof(table));
	put(changed, member_offset("interpreter_frame.size"), 1ULL << 40);
	err = layout_from_debug_offsets(changed, sizeof(changed), EM_X86_64, &newer);
	assert_non_null(err);
	assert_non_null(strstr(err->message, "interpreter_frame.size"));
	pc_error_destroy(err);
	memcpy(changed, table, sizeof(table));
	put(changed, member_offset("code_object.size"), 0);
	err = layout_from_debug_offsets(changed, sizeof(changed), EM_X86_64, &newer);
	assert_non_null(err);
	pc_error_destroy(err);
	/* Not a table at all, and a version before 3.13. */
	memcpy(changed, table, sizeof(table));
	changed[0] = 'X';
	err = layout_from_debug_offsets(changed, sizeof(changed), EM_X86_64, &newer);
	assert_non_null(err);
	pc_error_destroy(err);
	put(table, 8, 0x030c01f0);
	err = layout_from_debug_offsets(table, sizeof(table), EM_X86_64, &newer);
	assert_non_null(err);
	assert_int_equal(err->code, PC_ERR_UNSUPPORTED);
	pc_error_destroy(err);
}

int main(void)
{
	const char *const paths[] = {
		sid_path("usr/bin/python3.13"),
		sid_path("usr/bin/python3.14"),
		sid_path("usr/bin/python3.15"),
	};
	struct CMUnitTest tests[5];
	size_t n = 0;

	for (size_t i = 0; i < 3; i++) {
		tests[n] = (struct CMUnitTest)cmocka_unit_test_prestate(test_version,
									 (void *)paths[i]);
		tests[n++].name = paths[i];
	}
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_newer);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_complement_by_machine);
	return _cmocka_run_group_tests("layout_debug_offsets", tests, n, NULL, NULL);
}
