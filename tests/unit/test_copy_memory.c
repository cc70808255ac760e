/* The copy of a streamed core in memory (input/copy_file.c): written in
 * runs with gaps of zeros between them, made whole, spilled to a file
 * whose holes are where the zeros were, and reserved under an address
 * space limit smaller than asked for. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "input/copy_file.h"

#define MIB ((uint64_t)1 << 20)

static void fill(unsigned char *buf, size_t len, unsigned char seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (unsigned char)(seed + i * 7 + (i >> 12));
}

/* Runs at 0, at 3 MiB + 100 and at 70 MiB (past the first writable step),
 * zeros between them and 5 MiB of zeros at the end. */
static void write_runs(struct copy_memory *m, unsigned char *expected, uint64_t *size)
{
	static const uint64_t at[] = {0, 3 * MIB + 100, 70 * MIB};
	unsigned char run[3 * 4096];
	unsigned i;

	for (i = 0; i < 3; i++) {
		fill(run, sizeof(run), (unsigned char)i);
		assert_int_equal(copy_memory_write(m, at[i], run, sizeof(run)), 0);
		memcpy(expected + at[i], run, sizeof(run));
	}
	*size = at[2] + sizeof(run) + 5 * MIB;
	assert_int_equal(copy_memory_finish(m, *size), 0);
}

static void test_write_and_spill(void **state)
{
	struct copy_memory m;
	unsigned char *expected = calloc(1, 80 * MIB), *back;
	char name[] = "/tmp/pycore-test-copy-memory.XXXXXX";
	uint64_t size;
	int fd = mkstemp(name);
	off_t hole;

	(void)state;
	assert_non_null(expected);
	assert_true(fd >= 0);
	unlink(name);
	assert_int_equal(copy_memory_reserve(&m, 64ULL << 30), 0);
	assert_true(m.reserved >= 80 * MIB);
	write_runs(&m, expected, &size);
	/* Past the size, the address space is given back. */
	assert_true(m.reserved < size + MIB);
	assert_memory_equal(m.base, expected, size);
	assert_int_equal(copy_memory_write(&m, size + 2 * MIB, "x", 1), EFBIG);
	assert_int_equal(copy_memory_spill(&m, size, fd), 0);
	assert_int_equal(lseek(fd, 0, SEEK_END), (off_t)size);
	back = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	assert_true(back != MAP_FAILED);
	assert_memory_equal(back, expected, size);
	munmap(back, size);
	/* The zeros between the runs were not written (where the file
	 * system keeps holes). */
	hole = lseek(fd, 0, SEEK_HOLE);
	assert_true(hole > 0 && hole <= (off_t)(4 * MIB));
	copy_memory_release(&m);
	assert_null(m.base);
	close(fd);
	free(expected);
}

/* The child's exit status when the limit does not hold: qemu-user keeps
 * RLIMIT_AS from the host, since its own mappings would not fit. */
#define NO_LIMIT 77

/* The address space the process has mapped now (sanitizers map
 * terabytes of it), from /proc/self/status. */
static uint64_t mapped_now(void)
{
	unsigned long long kib = 0;
	char line[128];
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmSize: %llu kB", &kib) == 1)
			break;
	fclose(f);
	return (uint64_t)kib * 1024;
}

/* With 1 GiB of address space left, a reservation for 64 GiB takes what
 * there is, and the copy still works. */
static void test_limited(void **state)
{
	pid_t pid = fork();
	int status;

	(void)state;
	assert_true(pid >= 0);
	if (pid == 0) {
		unsigned char *expected = calloc(1, 80 * MIB);
		uint64_t left = mapped_now() + (1ULL << 30), size;
		struct rlimit limit = {left, left};
		struct copy_memory m;
		void *probe;

		if (!expected || setrlimit(RLIMIT_AS, &limit) != 0)
			_exit(1);
		probe = mmap(NULL, 2ULL << 30, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			     -1, 0);
		if (probe != MAP_FAILED)
			_exit(NO_LIMIT);
		if (copy_memory_reserve(&m, 64ULL << 30) != 0 || m.reserved >= (1ULL << 30) ||
		    m.reserved < 80 * MIB)
			_exit(1);
		write_runs(&m, expected, &size);
		_exit(memcmp(m.base, expected, size) == 0 ? 0 : 2);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == NO_LIMIT) {
		print_message("skipped: RLIMIT_AS does not limit mmap here (qemu-user)\n");
		skip();
	}
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_and_spill),
		cmocka_unit_test(test_limited),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
