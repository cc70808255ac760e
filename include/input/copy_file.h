/* Where the uncompressed copy of a streamed core lives.
 *
 * A core that comes compressed or on a pipe must be whole somewhere before
 * libelf can map it.  Within a memory budget it is an anonymous memory
 * file (memfd): nothing of the core's size is written to disk, and the
 * analysis maps the very pages the decoder wrote.  Past the budget the
 * copy spills to an unlinked sparse file in a temporary directory, which
 * the page cache keeps as fast as memory while memory lasts and which
 * does not take memory the machine does not have.  Either way, pages of
 * zeros stay holes. */
#ifndef PYCORE_INPUT_COPY_FILE_H
#define PYCORE_INPUT_COPY_FILE_H

#include <stdint.h>

/* What the memory budget defaults to: a quarter of the memory available
 * now (MemAvailable), at most COPY_FILE_BUDGET_CAP; 0 when it cannot be
 * known. */
#define COPY_FILE_BUDGET_CAP (4ULL << 30)
uint64_t copy_file_default_budget(void);

/* An anonymous memory file, or -1 (errno). */
int copy_file_memory(void);

/* An unnamed file in DIR: O_TMPFILE where the file system has it, else a
 * named one unlinked at once.  Either way nothing is left behind.  -1
 * (errno) when it cannot be made. */
int copy_file_temporary(const char *dir);

/* Copy the first SIZE bytes of FROM into TO (empty), its holes left holes.
 * Returns 0, or an errno. */
int copy_file_spill(int from, uint64_t size, int to);

#endif
