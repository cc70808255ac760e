#include "input/copy_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The largest write of a spill: a system call per this much. */
#define SPILL_WRITE (64u << 20)

uint64_t copy_file_default_budget(void)
{
	unsigned long long kib = 0;
	char line[128];
	uint64_t budget;
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kib) == 1)
			break;
	fclose(f);
	budget = (uint64_t)kib * 1024 / 4;
	return budget < COPY_FILE_BUDGET_CAP ? budget : COPY_FILE_BUDGET_CAP;
}

int copy_file_temporary(const char *dir)
{
	char *name;
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
		return fd;
	if (asprintf(&name, "%s/pycore-core.XXXXXX", dir) < 0) {
		errno = ENOMEM;
		return -1;
	}
	fd = mkostemp(name, O_CLOEXEC);
	if (fd >= 0)
		unlink(name);
	free(name);
	return fd;
}

static int write_all(int fd, const unsigned char *buf, size_t len, uint64_t offset)
{
	while (len > 0) {
		ssize_t n = pwrite(fd, buf, len < SPILL_WRITE ? len : SPILL_WRITE, (off_t)offset);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? errno : ENOSPC;
		buf += n;
		len -= (size_t)n;
		offset += (uint64_t)n;
	}
	return 0;
}

/* Huge pages are this large on x86_64, and on aarch64 with pages of 4 KiB;
 * elsewhere the alignment costs nothing. */
#define HUGE_PAGE (2ULL << 20)
/* The writable part of the copy grows this much at a time: an mprotect
 * per this many bytes of core. */
#define GROW_STEP (64ULL << 20)
/* Less address space than this is not worth reserving. */
#define RESERVE_MIN (64ULL << 20)
/* More than any core: the address space reserved is at most this. */
#define RESERVE_MAX (1ULL << 44)

static uint64_t round_up(uint64_t n, uint64_t to)
{
	return (n + to - 1) & ~(to - 1);
}

int copy_memory_reserve(struct copy_memory *m, uint64_t max)
{
	uint64_t want = round_up(max < RESERVE_MAX ? max : RESERVE_MAX, HUGE_PAGE);
	uintptr_t start;
	size_t head;
	void *map;

	*m = (struct copy_memory){0};
	if (want < RESERVE_MIN)
		want = RESERVE_MIN;
	/* Address space may be limited (ulimit -v): take what there is. */
	for (;;) {
		map = want <= SIZE_MAX - HUGE_PAGE
			      ? mmap(NULL, (size_t)(want + HUGE_PAGE), PROT_NONE,
				     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
			      : MAP_FAILED;
		if (map != MAP_FAILED)
			break;
		if (want <= RESERVE_MIN)
			return errno ? errno : ENOMEM;
		want = round_up(want / 2, HUGE_PAGE);
	}
	start = (uintptr_t)round_up((uintptr_t)map, HUGE_PAGE);
	head = (size_t)(start - (uintptr_t)map);
	if (head)
		munmap(map, head);
	munmap((void *)(start + want), (size_t)HUGE_PAGE - head);
	m->base = (unsigned char *)start;
	m->reserved = (size_t)want;
	/* Best effort: where huge pages are given only to those who ask. */
	madvise(m->base, m->reserved, MADV_HUGEPAGE);
	return 0;
}

/* Make the first SIZE bytes of M writable (and readable). */
static int cover(struct copy_memory *m, uint64_t size)
{
	uint64_t want;

	if (size <= m->writable)
		return 0;
	if (size > m->reserved)
		return EFBIG;
	want = round_up(size, GROW_STEP);
	if (want > m->reserved)
		want = m->reserved;
	if (mprotect(m->base + m->writable, (size_t)(want - m->writable),
		     PROT_READ | PROT_WRITE) != 0)
		return errno;
	m->writable = (size_t)want;
	return 0;
}

int copy_memory_write(struct copy_memory *m, uint64_t at, const void *buf, size_t len)
{
	int error = at > m->reserved ? EFBIG : cover(m, at + len);

	if (error == 0)
		memcpy(m->base + at, buf, len);
	return error;
}

int copy_memory_finish(struct copy_memory *m, uint64_t size)
{
	size_t keep = (size_t)round_up(size ? size : 1, (uint64_t)sysconf(_SC_PAGESIZE));
	int error = cover(m, size);

	/* The reservation counts against RLIMIT_AS (the handler's sandbox
	 * sets one from the core's size). */
	if (error == 0 && keep < m->reserved) {
		munmap(m->base + keep, m->reserved - keep);
		m->reserved = keep;
		if (m->writable > keep)
			m->writable = keep;
	}
	return error;
}

int copy_memory_spill(const struct copy_memory *m, uint64_t size, int to)
{
	size_t end = (size_t)(size < m->writable ? size : m->writable), at = 0, run;
	int error = 0;

	while (!error && at < end) {
		at += copy_run(m->base + at, end - at, true);
		run = copy_run(m->base + at, end - at, false);
		if (run > 0)
			error = write_all(to, m->base + at, run, at);
		at += run;
	}
	if (!error && ftruncate(to, (off_t)size) != 0)
		error = errno;
	return error;
}

void copy_memory_release(struct copy_memory *m)
{
	if (m->base)
		munmap(m->base, m->reserved);
	*m = (struct copy_memory){0};
}
