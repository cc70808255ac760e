/* zstd's seekable format: a core compressed as independent zstd frames of
 * a fixed uncompressed size, followed by a seek table in a skippable frame
 * (contrib/seekable_format/zstd_seekable_compression_format.md in zstd's
 * sources).  Any zstd decompressor reads it as one stream, skipping the
 * table; a reader that knows the table decompresses only the frame that
 * holds the bytes it wants.
 *
 * The table is read from the file, so it is untrusted: every size and
 * offset is checked against the file and against the others before use. */
#ifndef PYCORE_INPUT_SEEKABLE_H
#define PYCORE_INPUT_SEEKABLE_H

#include <stddef.h>
#include <stdint.h>

struct pc_error;

/* The uncompressed size of every frame pycore writes but the last: a read
 * decompresses at most this much, and the ratio is within a percent of
 * one frame's. */
#define SEEKABLE_FRAME_SIZE (2u << 20)
/* The seek table's footer: frame count (4), descriptor (1), magic (4). */
#define SEEKABLE_FOOTER_SIZE 9
#define SEEKABLE_MAGIC 0x8F92EAB1u
#define SEEKABLE_SKIPPABLE_MAGIC 0x184D2A5Eu
/* The largest frame a reader decompresses: frames of others' seekable
 * files are often 1-16 MiB; a table that lists larger is not read. */
#define SEEKABLE_MAX_FRAME_SIZE (32u << 20)
/* The most frames a table may list: 64 GiB (--max-core-size's default) of
 * 2 MiB frames, eight times over for frames others made smaller. */
#define SEEKABLE_MAX_FRAMES (1u << 18)

/* Called before each write of LEN bytes; an error stops the writer and is
 * returned by the call that wrote. */
typedef struct pc_error *seekable_check_fn(void *arg, size_t len);

struct seekable_writer;

/* A writer into FD (the caller's) at zstd level LEVEL, compressing frames
 * on THREADS threads of its own (0: in the caller's), CHECK (or NULL)
 * asked before every write.  Frames are independent, so they compress in
 * parallel and are written in order; zstd's own workers, given a frame of
 * 2 MiB at a time, would wait more than they compress. */
struct pc_error *seekable_writer_create(int fd, int level, unsigned threads,
					seekable_check_fn *check, void *check_arg,
					struct seekable_writer **ret);

/* Compress BUF[0, LEN), the next bytes of the data. */
struct pc_error *seekable_write(struct seekable_writer *writer, const void *buf, size_t len);

/* Write the last frame and the seek table. */
struct pc_error *seekable_writer_finish(struct seekable_writer *writer);

void seekable_writer_destroy(struct seekable_writer *writer);

/* One frame as the table lists it, with where it starts. */
struct seekable_frame {
	uint64_t offset;	/* in the compressed file */
	uint64_t data_offset;	/* in the uncompressed data */
	uint32_t compressed_size;
	uint32_t size;		/* uncompressed */
};

struct seekable_table {
	struct seekable_frame *frames;
	size_t nframes;
	uint64_t data_size;	/* the uncompressed size: the sum of the frames' */
};

/* Parse the seek table at the end of TAIL, the last TAIL_LEN bytes of a
 * file of FILE_SIZE bytes.  NULL *RET->frames with no error: the file has
 * no seek table (not seekable).  An error: it has one that lies (sizes or
 * offsets past the file, a count that does not fit, reserved bits set). */
struct pc_error *seekable_table_parse(const unsigned char *tail, size_t tail_len,
				      uint64_t file_size, struct seekable_table *ret);

/* The same, reading the end of FD (FILE_SIZE bytes). */
struct pc_error *seekable_table_read(int fd, uint64_t file_size, struct seekable_table *ret);

/* Check TABLE against the header of each frame of FD that it lists: a
 * frame must be a zstd frame, and one that states its size must state the
 * table's.  Sizes that shift every frame after them, which the table alone
 * cannot show, are caught here, before a byte is read at a wrong offset. */
struct pc_error *seekable_table_verify(int fd, const struct seekable_table *table);

/* The index of the frame that holds uncompressed byte OFFSET, or
 * TABLE->nframes when it is past the end. */
size_t seekable_frame_at(const struct seekable_table *table, uint64_t offset);

void seekable_table_deinit(struct seekable_table *table);

#endif
