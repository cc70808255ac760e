/* Open what the user named: a plain core file, a core compressed with xz,
 * zstd or lz4, or standard input, and hand core.c the uncompressed core:
 * an fd to map, or bytes in memory (input_bytes).
 *
 * A plain named file is used where it is.  A named file in zstd's seekable
 * format (a core pycore handle --keep-core kept) is read in place: its
 * frames are decompressed as the analysis touches them (seekable_image.h).
 * Anything else is streamed, in blocks of a megabyte, into a copy: private
 * memory while the core's bytes fit the memory budget, else an unlinked
 * temporary file (copy_file.h), so that memory stays bounded whatever the
 * core's size.  Pages of zeros are left unwritten in either, so that memory
 * and disk use is about what the core holds.  The format is recognised by
 * its magic bytes, never by the file's name.
 *
 * A stream that is cut short or corrupt, or that decompresses to more than
 * the size cap, is not an error: the input keeps what came before and says
 * what went wrong (input->error), as a truncated core does. */
#ifndef PYCORE_INPUT_INPUT_H
#define PYCORE_INPUT_INPUT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "input/copy_file.h"

struct pc_error;
struct seekable_image;

/* What --max-core-size defaults to: more than the cores of real Python
 * processes, less than a decompression bomb needs to fill a disk. */
#define INPUT_DEFAULT_MAX_SIZE (64ULL << 30)

struct input_options {
	uint64_t max_size;	/* bytes of core written to the temporary file;
				 * 0: INPUT_DEFAULT_MAX_SIZE */
	const char *tmpdir;	/* for the temporary file; NULL: $TMPDIR, else /tmp */
	/* When set, sees every byte read from the input, as read, even those
	 * past the cap or a decoding error (pycore handle --forward). */
	void (*tee)(void *arg, const void *buf, size_t len);
	void *tee_arg;
	bool drain;		/* read the input to its end whatever happens, so
				 * that a writer (the kernel) never blocks */
	volatile sig_atomic_t *stop; /* once non-zero, read nothing more, even
				      * with drain (pycore handle --timeout) */
	uint64_t min_free;	/* keep nothing more once the temporary file's file
				 * system would have fewer free bytes; 0: no check */
	uint64_t memory_budget;	/* bytes of core (not its holes) the copy holds in
				 * memory; past them it spills to a temporary
				 * file; 0: a temporary file from the start */
	bool copy_optional;	/* past the budget the copy is dropped, not
				 * spilled: the sink keeps the core; with a
				 * budget of 0, no copy is made at all */
	/* When set, gets every byte of core kept, zeros included, in order,
	 * as read (pycore handle --keep-core compresses it).  An error stops
	 * it: input->sink_error says why. */
	struct pc_error *(*sink)(void *arg, const void *buf, size_t len);
	void *sink_arg;
};

struct input {
	int fd;			/* the uncompressed core, mmappable; -1 when it
				 * is in memory (input_bytes) or was dropped */
	struct seekable_image *image; /* a seekable core read in place, or NULL */
	char *name;		/* as the user named it; "<stdin>" for "-" */
	const char *format;	/* "xz", "zstd", "lz4"; NULL when not compressed */
	uint64_t size;		/* bytes of core in fd */
	uint64_t read;		/* bytes read from the input */
	char *error;		/* the stream was cut short, corrupt or capped: what;
				 * fd holds what came before.  NULL: complete */
	bool stopped;		/* reading stopped at options->stop, before the end */
	char *warning;		/* the file's seek table could not be used: why
				 * (the core was decompressed whole instead) */
	bool in_memory;		/* the copy is memory, not fd */
	struct copy_memory memory; /* that memory, when in_memory */
	bool copy_dropped;	/* past the budget, with options->copy_optional:
				 * only the sink has the core */
	char *sink_error;	/* why the sink stopped taking bytes, or NULL */
	char *note;		/* a seekable core decompressed whole because it
				 * could not be read in place: why, or NULL */
};

/* Open PATH ("-": standard input).  An error means there is no core at
 * all: the file cannot be read, the temporary file cannot be made, or the
 * stream failed before its first byte of core. */
struct pc_error *input_open(const char *path, const struct input_options *options,
			    struct input **ret);

/* The same, reading FD (which stays the caller's and is always streamed)
 * and calling the input NAME. */
struct pc_error *input_open_fd(int fd, const char *name, const struct input_options *options,
			       struct input **ret);

/* The same, reading FD (the caller's), a file opened to be read, as
 * input_open() reads the file it opens: a seekable zstd file in place. */
struct pc_error *input_open_file(int fd, const char *name, const struct input_options *options,
				 struct input **ret);

void input_close(struct input *input);

/* The uncompressed core in memory (input->size bytes), read in place or
 * copied there, or NULL: it is in input->fd. */
const unsigned char *input_bytes(const struct input *input);

/* What went wrong in reading the core that the report must say and that
 * input->error does not: a seek table not used, a frame of a seekable
 * core that did not decompress (known only once read).  NULL: nothing. */
const char *input_problem(const struct input *input);

/* The compression pycore reads ("xz", "zstd", "lz4") that the first LEN
 * BYTES of a file have the magic number of, or NULL. */
const char *input_compression(const unsigned char *bytes, size_t len);

/* The compression that BYTES, the first LEN bytes of a file, start with
 * when it is one pycore knows of but does not read ("gzip"), with the
 * command that decompresses it in *TOOL ("zcat"); else NULL. */
const char *input_unreadable_compression(const unsigned char *bytes, size_t len,
					 const char **tool);

#endif
