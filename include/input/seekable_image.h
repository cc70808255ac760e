/* A zstd core read in place: a mapping of the size of the uncompressed
 * core whose blocks are decompressed when first touched, and dropped again
 * past a memory budget.  The blocks come from the frames of a core in
 * zstd's seekable format, or from any other zstd core through an index of
 * it (zstd_index.h).
 *
 * libelf and libdwfl read the core from memory (elf_memory) and cannot be
 * told where bytes come from; a page fault can.  The mapping is registered
 * with userfaultfd, and a thread fills each missing block with the frame
 * that holds it, so that the analysis decompresses only the frames it
 * reads: the notes, the stacks, the objects it walks.  Where userfaultfd
 * is not allowed, seekable_image_open() says so and the caller decompresses
 * the whole core instead.
 *
 * A frame that fails to decompress (corrupt, cut short) reads as zeros,
 * and the image says which bytes those are (seekable_image_problem). */
#ifndef PYCORE_INPUT_SEEKABLE_IMAGE_H
#define PYCORE_INPUT_SEEKABLE_IMAGE_H

#include <stdint.h>

struct pc_error;
struct seekable_table;
struct seekable_image;

/* Map the core that FD (a seekable zstd file; duplicated, the caller
 * keeps its own) holds as TABLE says; TABLE's frames become the image's.
 * PC_ERR_UNSUPPORTED: userfaultfd is not available here. */
struct pc_error *seekable_image_open(int fd, struct seekable_table *table,
				     struct seekable_image **ret);

/* The same for FD, a zstd core of FILE_SIZE bytes without a seek table
 * (mapped, the caller keeps FD), read through an index of it whose
 * checkpoints take a share of the memory budget BUDGET.  PC_ERR_UNSUPPORTED: no
 * userfaultfd, or the stream is not worth indexing; PC_ERR_CORRUPT: it
 * does not decode to its end or decodes to more than MAX_SIZE bytes. */
struct pc_error *seekable_image_open_index(int fd, uint64_t file_size, uint64_t max_size,
					  uint64_t budget, struct seekable_image **ret);

/* Whether an image can be opened by a process without privileges (as the
 * sandboxed analysis of pycore handle): NULL, or why not. */
struct pc_error *seekable_image_probe(void);

/* The uncompressed core, seekable_image_size() bytes. */
const unsigned char *seekable_image_bytes(const struct seekable_image *image);
uint64_t seekable_image_size(const struct seekable_image *image);

/* The first frame that could not be decompressed, in words, or NULL. */
const char *seekable_image_problem(const struct seekable_image *image);

void seekable_image_close(struct seekable_image *image);

#endif
