/* pycore handle --keep-core: the core kept in the spool, compressed, next
 * to its reports.
 *
 * It is compressed as it is read: every block of core read from standard
 * input goes to a seekable zstd writer (input/seekable.h) whose threads
 * compress while the kernel dumps the rest, so that keeping the core costs
 * one compression pass and no uncompressed write.  The analysis reads the
 * kept file itself, in place, as pycore analyze does; only where the
 * kernel does not allow that does the input keep a copy (in memory within
 * --memory-budget, else in the spool). */
#ifndef PYCORE_HANDLE_KEEP_CORE_H
#define PYCORE_HANDLE_KEEP_CORE_H

#include <stdint.h>

struct handle;
struct input_options;
struct seekable_writer;

/* A core size limit below a page means "no core" (ulimit -c 0). */
#define KEEP_CORE_MIN_LIMIT 4096

struct keep_core {
	struct seekable_writer *writer; /* NULL: the core is not kept */
	struct handle *h;
	uint64_t limit;		/* bytes of core kept at most */
	uint64_t taken;		/* bytes of core given to the writer */
	uint64_t reserve;	/* the spool's free bytes no write may take */
	uint64_t written;	/* bytes of the kept file written */
	uint64_t flushed;	/* of them, sent to the disk already */
};

/* The most bytes of the core kept: its core size limit (%c), at most
 * --max-core-size. */
uint64_t keep_core_limit(const struct handle *h);

/* With --keep-core, create the kept file (h->core_file) and make OPTIONS
 * give it every byte of core read, and make no copy of the core when the
 * analysis can read the kept file in place.  What goes wrong is logged:
 * the crash is still reported, without its core. */
void keep_core_start(struct handle *h, struct keep_core *k, struct input_options *options);

/* Write the last frame and the seek table, or, when the core could not be
 * kept whole, log why and remove the file. */
void keep_core_finish(struct keep_core *k);

#endif
