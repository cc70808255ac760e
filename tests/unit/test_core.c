/* core.c and memory.c on a real core: the test forks a child that stores
 * known values and crashes at a known address, then reads its core (see
 * crash_core.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "crash_core.h"

#include "elf/core.h"
#include "base/error.h"
#include "elf/memory.h"
#include "elf/paths.h"

#include <elf.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define FAULT_ADDRESS 0x10

/* Written by the child before it crashes: in the core's anonymous pages. */
static volatile uint64_t heap_marker;
/* Never written: read-only data the kernel leaves out of the core. */
static const char rodata_marker[] = "pycore rodata marker: served from the executable";

static char workdir[] = "/tmp/pycore-test-core-XXXXXX";
static char core_path[256];
static pid_t child_pid;

static void crash_child(void)
{
	struct rlimit unlimited = {RLIM_INFINITY, RLIM_INFINITY};
	/* volatile: the compiler must not see through the bad pointer. */
	volatile uintptr_t fault = FAULT_ADDRESS;

	/* cmocka catches SIGSEGV in the test process; the child must die of it. */
	signal(SIGSEGV, SIG_DFL);
	if (chdir(workdir) != 0 || setrlimit(RLIMIT_CORE, &unlimited) != 0)
		_exit(99);
	heap_marker = 0x1122334455667788ULL;
	*(volatile int *)fault = 1;
	_exit(98);
}

#if defined(__aarch64__)
#define NATIVE_MACHINE EM_AARCH64
#else
#define NATIVE_MACHINE EM_X86_64
#endif

/* Whether CORE is the emulator's: under qemu-user (make cross-check runs
 * the aarch64 build there) the kernel's core of the child is qemu's own,
 * an x86_64 process with a thread of its own besides the guest's, either
 * of which may come first, killed by qemu with the guest's signal.  pycore
 * reads that core of another machine all the same; what the kernel says
 * of the fault and the program is qemu's. */
static bool emulated(const struct core *core)
{
	return core->arch->machine != NATIVE_MACHINE;
}

/* The child's core has its one thread, first. */
static void assert_child_thread(const struct core *core)
{
	size_t i;

	if (!emulated(core)) {
		assert_int_equal(core->nthreads, 1);
		assert_int_equal(core->threads[0].lwp, child_pid);
		return;
	}
	for (i = 0; i < core->nthreads; i++)
		if (core->threads[i].lwp == child_pid)
			return;
	fail_msg("no thread of LWP %d in the core", (int)child_pid);
}

static int make_core(void **state)
{
	int status;

	(void)state;
	if (!cores_in_working_directory("test_core"))
		return -1;
	if (!mkdtemp(workdir))
		return -1;
	child_pid = fork();
	if (child_pid == 0)
		crash_child();
	if (child_pid < 0 || waitpid(child_pid, &status, 0) != child_pid)
		return -1;
	if (!WIFSIGNALED(status) || !WCOREDUMP(status)) {
		fprintf(stderr, "test_core: the child did not dump core (status %#x)\n", status);
		return -1;
	}
	return crashed_core(workdir, child_pid, core_path, sizeof(core_path));
}

static int remove_core(void **state)
{
	char command[512];

	(void)state;
	snprintf(command, sizeof(command), "rm -rf '%s'", workdir);
	return system(command) == 0 ? 0 : -1;
}

static void test_notes(void **state)
{
	struct core *core;
	uint64_t entry;
	size_t i;
	int found_self = 0;

	(void)state;
	assert_null(core_open(core_path, &core));
	assert_child_thread(core);
	assert_true(core->has_siginfo);
	assert_int_equal(core->siginfo.signo, SIGSEGV);
	if (!emulated(core)) {
		assert_int_equal(core->threads[0].signal, SIGSEGV);
		assert_int_equal(core->siginfo.code, SEGV_MAPERR);
		assert_int_equal(core->siginfo.addr, FAULT_ADDRESS);
		assert_string_equal(core->psinfo.fname, "test_core");
	}
	assert_true(core->has_psinfo);
	assert_int_equal(core->psinfo.pid, child_pid);
	assert_int_equal(core->psinfo.uid, getuid());
	assert_true(core_auxv(core, AT_ENTRY, &entry));
	assert_true(core_file_at(core, entry) != NULL);
	assert_false(core->truncated);
	for (i = 0; i < core->nfiles; i++)
		if (strstr(core->files[i].path, "test_core"))
			found_self = 1;
	assert_true(found_self);
	for (i = 1; i < core->nfiles; i++)
		assert_true(core->files[i - 1].start <= core->files[i].start);
	core_close(core);
}

static void test_memory(void **state)
{
	struct paths paths = {0};
	const struct core_segment *segment;
	struct memory *mem;
	struct core *core;
	struct pc_error *err;
	char text[sizeof(rodata_marker)];
	uint64_t value;
	int cut;

	(void)state;
	assert_null(core_open(core_path, &core));
	assert_null(memory_create(core, &paths, &mem));

	assert_null(memory_read_u64(mem, (uint64_t)(uintptr_t)&heap_marker, &value));
	assert_int_equal(value, 0x1122334455667788ULL);

	/* The rodata page is not in the core: the bytes come from the file. */
	segment = core_segment_at(core, (uint64_t)(uintptr_t)rodata_marker);
	assert_true(!segment || (uint64_t)(uintptr_t)rodata_marker - segment->vaddr >=
					segment->filesz);
	assert_null(memory_read_cstring(mem, (uint64_t)(uintptr_t)rodata_marker, text,
					sizeof(text), &cut));
	assert_string_equal(text, rodata_marker);
	assert_int_equal(cut, 0);

	err = memory_read_u64(mem, FAULT_ADDRESS, &value);
	assert_non_null(err);
	assert_int_equal(err->code, PC_ERR_FAULT);
	assert_non_null(strstr(err->message, "0x10"));
	pc_error_destroy(err);

	memory_destroy(mem);
	core_close(core);
}

static void test_read_across_segments(void **state)
{
	struct paths paths = {0};
	struct memory *mem;
	struct core *core;
	size_t i;

	(void)state;
	assert_null(core_open(core_path, &core));
	assert_null(memory_create(core, &paths, &mem));
	/* Two adjacent dumped segments: a read across the border is one read. */
	for (i = 1; i < core->nsegments; i++) {
		const struct core_segment *a = &core->segments[i - 1], *b = &core->segments[i];
		unsigned char bytes[16], expect[16];

		if (a->vaddr + a->memsz != b->vaddr || a->filesz != a->memsz || !b->filesz)
			continue;
		assert_null(memory_read(mem, b->vaddr - 8, bytes, sizeof(bytes)));
		memcpy(expect, core->map + a->offset + a->filesz - 8, 8);
		memcpy(expect + 8, core->map + b->offset, 8);
		assert_memory_equal(bytes, expect, sizeof(bytes));
		break;
	}
	memory_destroy(mem);
	core_close(core);
}

static void test_truncated(void **state)
{
	char cut_path[300];
	struct paths paths = {0};
	struct memory *mem;
	struct core *core, *whole;
	struct pc_error *err;
	struct stat st;
	uint64_t value;
	int in, out;
	void *buf;
	size_t half;

	(void)state;
	assert_int_equal(stat(core_path, &st), 0);
	half = (size_t)st.st_size / 2;
	snprintf(cut_path, sizeof(cut_path), "%s/core.cut", workdir);
	in = open(core_path, O_RDONLY);
	out = open(cut_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	buf = malloc(half);
	assert_true(in >= 0 && out >= 0 && buf);
	assert_int_equal(read(in, buf, half), (ssize_t)half);
	assert_int_equal(write(out, buf, half), (ssize_t)half);
	close(in);
	close(out);
	free(buf);

	assert_null(core_open(core_path, &whole));
	assert_null(core_open(cut_path, &core));
	assert_true(core->truncated);
	assert_true(core->missing_bytes > 0);
	assert_child_thread(core);
	assert_null(memory_create(core, &paths, &mem));
	/* The last dumped segment lies past the cut. */
	err = memory_read_u64(mem, whole->segments[whole->nsegments - 1].vaddr, &value);
	if (whole->segments[whole->nsegments - 1].offset >= half) {
		assert_non_null(err);
		assert_non_null(strstr(err->message, "truncated"));
	}
	pc_error_destroy(err);
	memory_destroy(mem);
	core_close(core);
	core_close(whole);
}

static void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void expect_open_error(const char *path, enum pc_error_code code, const char *words)
{
	struct core *core = NULL;
	struct pc_error *err = core_open(path, &core);

	assert_non_null(err);
	assert_int_equal(err->code, code);
	if (!strstr(err->message, words))
		fail_msg("'%s': expected '%s' in '%s'", path, words, err->message);
	pc_error_destroy(err);
}

static void test_bad_input(void **state)
{
	char path[300];
	Elf64_Ehdr ehdr;
	int in;

	(void)state;
	expect_open_error("/nonexistent/core", PC_ERR_IO, "No such file");
	expect_open_error(workdir, PC_ERR_IO, "directory");
	snprintf(path, sizeof(path), "%s/empty", workdir);
	write_file(path, "", 0);
	expect_open_error(path, PC_ERR_FORMAT, "empty");
	snprintf(path, sizeof(path), "%s/text", workdir);
	write_file(path, "hello, world\n", 13);
	expect_open_error(path, PC_ERR_FORMAT, "not an ELF file");
	expect_open_error("/bin/true", PC_ERR_FORMAT, "not a core");

	in = open(core_path, O_RDONLY);
	assert_true(in >= 0);
	assert_int_equal(read(in, &ehdr, sizeof(ehdr)), (ssize_t)sizeof(ehdr));
	close(in);
	/* aarch64 is read (tests/integration/test-aarch64); RISC-V is not. */
	ehdr.e_machine = EM_RISCV;
	snprintf(path, sizeof(path), "%s/riscv", workdir);
	write_file(path, &ehdr, sizeof(ehdr));
	expect_open_error(path, PC_ERR_UNSUPPORTED, "riscv");
}

/* Counts and sizes a crafted header can claim: e_phnum 0xffff (PN_XNUM)
 * with no section header to hold the count, and segment sizes whose sum
 * wraps a uint64_t. */
static void test_crafted_counts(void **state)
{
	char path[300];
	unsigned char *data;
	Elf64_Ehdr *ehdr;
	struct core *core;
	struct stat st;
	size_t i;
	int in;

	(void)state;
	assert_int_equal(stat(core_path, &st), 0);
	data = malloc((size_t)st.st_size);
	in = open(core_path, O_RDONLY);
	assert_true(data && in >= 0);
	assert_int_equal(read(in, data, (size_t)st.st_size), (ssize_t)st.st_size);
	close(in);
	ehdr = (Elf64_Ehdr *)data;

	for (i = 0; i < ehdr->e_phnum; i++) {
		Elf64_Phdr *phdr = (Elf64_Phdr *)(data + ehdr->e_phoff + i * sizeof(*phdr));

		if (phdr->p_type == PT_LOAD)
			phdr->p_filesz = 0x7fffffffffffffffULL;
	}
	snprintf(path, sizeof(path), "%s/huge-segments", workdir);
	write_file(path, data, (size_t)st.st_size);
	assert_null(core_open(path, &core));
	assert_true(core->truncated);
	assert_true(core->missing_bytes > 0 && core->missing_bytes <= (uint64_t)INT64_MAX);
	core_close(core);

	ehdr->e_phnum = PN_XNUM;
	snprintf(path, sizeof(path), "%s/pn-xnum", workdir);
	write_file(path, data, (size_t)st.st_size);
	expect_open_error(path, PC_ERR_FORMAT, "PN_XNUM");
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_notes),
		cmocka_unit_test(test_memory),
		cmocka_unit_test(test_read_across_segments),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_crafted_counts),
	};

	return cmocka_run_group_tests(tests, make_core, remove_core);
}
