/* A zstd core without a seek table (one frame, as systemd-coredump writes
 * it, or frames of any size), read at any offset without being
 * decompressed whole.
 *
 * zstd cannot start decoding in the middle of a frame: a block needs the
 * decoder's tables and the window of bytes before it.  So the stream is
 * decoded once, through a ring buffer of the window's size, and every few
 * tens of MiB the decoder's state and the ring are copied aside: a
 * checkpoint.  A read restores the nearest checkpoint before it and
 * decodes forward from there.  The decoder lives in a workspace of its own
 * (zstd's static context) and the ring never moves, so that a checkpoint is
 * two copies of plain memory: the decoder's pointers into its workspace
 * and into the ring stay right when they are copied back to where they
 * were.
 *
 * Memory: the checkpoints cost a window each (2 MiB at zstd's default
 * level), one per 64 MiB of core at first: about a thirtieth of the core.
 * Past a sixteenth of the memory budget (and at least 32 MiB) every other
 * one is dropped, and they are taken twice as far apart.  Streams with windows larger than INDEX_WINDOW_MAX (zstd
 * --long, --ultra) are not indexed: each checkpoint would cost more than it
 * saves. */
#ifndef PYCORE_INPUT_ZSTD_INDEX_H
#define PYCORE_INPUT_ZSTD_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pc_error;
struct zstd_index;

#define INDEX_WINDOW_MAX (8ULL << 20)

/* How far apart checkpoints are, at first: a read decodes half this on
 * average (about ten milliseconds) before it reaches its bytes, and an
 * analysis restores a checkpoint a few times only. */
#define INDEX_STEP (64ULL << 20)

/* The memory the checkpoints may take with a memory budget of BUDGET. */
uint64_t zstd_index_memory(uint64_t budget);

/* Decode the zstd stream FD holds (FILE_SIZE bytes; mapped, the caller
 * keeps FD) to its end once, noting a checkpoint every STEP bytes of core,
 * fewer where their copies would take more than MEMORY bytes.
 * PC_ERR_UNSUPPORTED: not worth indexing (its
 * window is too large, or it is empty); PC_ERR_CORRUPT: it does not
 * decode to its end, or to more than MAX_SIZE bytes (streaming it says
 * where and keeps what came before). */
struct pc_error *zstd_index_build(int fd, uint64_t file_size, uint64_t max_size, uint64_t step,
				  uint64_t memory, struct zstd_index **ret);

/* The bytes of core the stream holds. */
uint64_t zstd_index_size(const struct zstd_index *index);

/* Decode LEN bytes at AT into BUF.  NULL, or why they could not be (the
 * file changed since it was indexed). */
const char *zstd_index_read(struct zstd_index *index, uint64_t at, unsigned char *buf,
			    size_t len);

void zstd_index_destroy(struct zstd_index *index);

#endif
