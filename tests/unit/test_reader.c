/* python/reader.c: a field the build lacks is an error that names it and
 * reads nothing; a read that faults names the field it was reading; the
 * addresses and values of present fields come from the layout.  The
 * memory is that of a core with nothing in it: every read of it faults. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/error.h"
#include "elf/core.h"
#include "elf/memory.h"
#include "elf/paths.h"
#include "python/reader.h"

struct fixture {
	struct core core;
	struct paths paths;
	struct memory *mem;
	struct py_layout layout;
	struct py_reader reader;
};

static int setup(void **state)
{
	struct fixture *f = test_calloc(1, sizeof(*f));

	if (!f || memory_create(&f->core, &f->paths, &f->mem))
		return -1;
	layout_init(&f->layout, PY_HEX(3, 12));
	f->layout.frame.f_back = 24;
	f->layout.dictentry.size = 24;
	f->reader = (struct py_reader){.mem = f->mem, .layout = &f->layout};
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	memory_destroy(f->mem);
	test_free(f);
	return 0;
}

/* ERR is an error of CODE whose message contains TEXT; it is released. */
static void assert_error(struct pc_error *err, enum pc_error_code code, const char *text)
{
	assert_non_null(err);
	assert_int_equal(err->code, code);
	if (!strstr(err->message, text))
		fail_msg("\"%s\" is not in \"%s\"", text, err->message);
	pc_error_destroy(err);
}

static void test_absent_field(void **state)
{
	struct fixture *f = *state;
	uint64_t value = 7;
	int64_t size;

	assert_false(py_has_field(&f->reader, LAYOUT_FIELD(frame, f_code)));
	assert_error(py_read_ptr(&f->reader, 0x1000, LAYOUT_FIELD(frame, f_code), &value),
		     PC_ERR_UNSUPPORTED, "this build's layout has no PyFrameObject.f_code");
	assert_int_equal(value, 7);
	assert_error(py_field_address(&f->reader, 0x1000, LAYOUT_FIELD(frame, f_code), &value),
		     PC_ERR_UNSUPPORTED, "PyFrameObject.f_code");
	assert_error(py_field_value(&f->reader, LAYOUT_FIELD(setentry, size), &size),
		     PC_ERR_UNSUPPORTED, "sizeof(setentry)");
	assert_false(py_has_field(&f->reader, LAYOUT_FIELD_COUNT));
}

static void test_present_field(void **state)
{
	struct fixture *f = *state;
	uint64_t address;
	int64_t size;

	assert_true(py_has_field(&f->reader, LAYOUT_FIELD(frame, f_back)));
	assert_null(py_field_address(&f->reader, 0x1000, LAYOUT_FIELD(frame, f_back), &address));
	assert_int_equal(address, 0x1000 + 24);
	assert_null(py_field_value(&f->reader, LAYOUT_FIELD(dictentry, size), &size));
	assert_int_equal(size, 24);
}

static void test_fault_names_field(void **state)
{
	struct fixture *f = *state;
	uint64_t value;

	assert_error(py_read_ptr(&f->reader, 0x1000, LAYOUT_FIELD(frame, f_back), &value),
		     PC_ERR_FAULT, "PyFrameObject.f_back: ");
}

static void test_require(void **state)
{
	struct fixture *f = *state;

	assert_null(py_require(&f->reader, LAYOUT_FIELD(frame, f_back),
			       LAYOUT_FIELD(dictentry, size)));
	/* The first one missing is named. */
	assert_error(py_require(&f->reader, LAYOUT_FIELD(frame, f_back),
				LAYOUT_FIELD(dict, ma_keys), LAYOUT_FIELD(set, table)),
		     PC_ERR_UNSUPPORTED, "PyDictObject.ma_keys");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_absent_field, setup, teardown),
		cmocka_unit_test_setup_teardown(test_present_field, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_names_field, setup, teardown),
		cmocka_unit_test_setup_teardown(test_require, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
