/* Where the uncompressed copy of a streamed core lives.
 *
 * A core that comes compressed or on a pipe must be whole somewhere before
 * libelf can read it.  Within a memory budget it is anonymous memory that
 * the analysis reads where the decoder wrote it: nothing of the core's size
 * is written to disk.  It is private memory, not a memory file, because
 * the kernel backs it with huge pages where it may: a memory file takes
 * its pages one by one, and giving a core of gigabytes its pages and
 * freeing them took longer than decompressing it.  Past the budget the
 * copy spills to an unlinked sparse file in a temporary directory, which
 * the page cache keeps as fast as memory while memory lasts and which
 * does not take memory the machine does not have.  Either way, pages of
 * zeros stay holes. */
#ifndef PYCORE_INPUT_COPY_FILE_H
#define PYCORE_INPUT_COPY_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Zeros are looked for in blocks of a page: what a file system can leave
 * as a hole, and what the copy in memory leaves unwritten. */
#define COPY_HOLE_BLOCK 4096u

/* The length of the run of blocks at the start of BUF[0, LEN) that are all
 * zeros (ZEROS true), or that are not (false): the last block may be
 * short. */
static inline size_t copy_run(const unsigned char *buf, size_t len, bool zeros)
{
	size_t run = 0;

	while (run < len) {
		size_t block = len - run < COPY_HOLE_BLOCK ? len - run : COPY_HOLE_BLOCK;
		bool zero = buf[run] == 0 && memcmp(buf + run, buf + run + 1, block - 1) == 0;

		if (zero != zeros)
			break;
		run += block;
	}
	return run;
}

/* What the memory budget defaults to: a quarter of the memory available
 * now (MemAvailable), at most COPY_FILE_BUDGET_CAP; 0 when it cannot be
 * known. */
#define COPY_FILE_BUDGET_CAP (4ULL << 30)
uint64_t copy_file_default_budget(void);

/* The copy in memory: address space for the largest core, reserved
 * without memory and made writable as the core grows, so that it never
 * moves while it is written; aligned for huge pages. */
struct copy_memory {
	unsigned char *base;	/* NULL: none */
	size_t reserved;	/* bytes of address space at base */
	size_t writable;	/* the first bytes of it that may be written */
};

/* Reserve address space for a copy of at most MAX bytes (less where the
 * process may not have so much: see M->reserved).  Returns 0, or an
 * errno. */
int copy_memory_reserve(struct copy_memory *m, uint64_t max);

/* Write BUF[0, LEN) at AT, within M->reserved.  Returns 0, or an errno. */
int copy_memory_write(struct copy_memory *m, uint64_t at, const void *buf, size_t len);

/* The copy is SIZE bytes long: make them all readable (those past the
 * last write are zeros) and give back the address space past them.
 * Returns 0, or an errno (EFBIG: past M->reserved). */
int copy_memory_finish(struct copy_memory *m, uint64_t size);

/* Copy the first SIZE bytes of M into TO (empty), its pages of zeros left
 * holes.  Returns 0, or an errno. */
int copy_memory_spill(const struct copy_memory *m, uint64_t size, int to);

void copy_memory_release(struct copy_memory *m);

/* An unnamed file in DIR: O_TMPFILE where the file system has it, else a
 * named one unlinked at once.  Either way nothing is left behind.  -1
 * (errno) when it cannot be made. */
int copy_file_temporary(const char *dir);

#endif
