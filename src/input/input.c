#include "input/input.h"

#include "base/error.h"
#include "input/copy_file.h"
#include "input/format.h"
#include "input/output_queue.h"
#include "input/seekable.h"
#include "input/seekable_image.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* Read and write sizes: what is in memory at once, whatever the core.  A
 * core of gigabytes is read and written in blocks of megabytes: a system
 * call per page would cost more than decompressing it. */
#define IN_CHUNK (1u << 20)
#define OUT_CHUNK (4u << 20)
/* The free space is looked at once per this many bytes written, while the
 * file system has that much more than the reserve; nearer the reserve, at
 * every write, so that the reserve is kept to the byte. */
#define ROOM_STEP (32ULL << 20)
/* What a pipe on the input is widened to: the kernel's dump then fills it
 * in large writes, and each read takes a megabyte, not 64 KiB. */
#define PIPE_SIZE (1 << 20)
/* A mapped compressed file is decoded this much at a time. */
#define MAP_STEP (16u << 20)

const char *input_compression(const unsigned char *bytes, size_t len)
{
	const struct format *format = format_detect(bytes, len);

	return format->name && format->decode ? format->name : NULL;
}

const char *input_unreadable_compression(const unsigned char *bytes, size_t len,
					 const char **tool)
{
	const struct format *format = format_detect(bytes, len);

	if (format->decode)
		return NULL;
	*tool = format->tool;
	return format->name;
}


/* The streaming of one input into its copy. */
struct stream {
	const struct input_options *options;
	struct input *input;
	int in_fd;
	uint64_t max_size;
	const char *tmpdir;
	uint64_t read;		/* bytes read from the input */
	atomic_bool keeping;	/* still writing core bytes; the storing
				 * thread stops it as the decoder does */
	bool complete;		/* the decoder may stop here */
	bool hole_at_end;	/* the last bytes were zeros, not written */
	bool write_failed;	/* the temporary file could not be written */
	uint64_t in_memory;	/* bytes written into the copy in memory */
	uint64_t room_until;	/* the free space suffices up to this size */
	unsigned char *inbuf;
	unsigned char *outbuf;
	struct output_queue *queue; /* decoded output stored on another thread,
				     * or NULL: stored by the decoder */
	pthread_mutex_t error_lock; /* input->error, set by either thread */
	atomic_bool decoding;	/* the decoder goes on */
	char *decode_error;	/* why it stopped; said once what it decoded
				 * before is stored */
};

static const char *tmpdir_of(const struct input_options *options)
{
	const char *dir = options->tmpdir ? options->tmpdir : getenv("TMPDIR");

	return dir && dir[0] ? dir : "/tmp";
}

/* Stop keeping core bytes, saying why; the first reason is the one kept. */
static void stop_keeping(struct stream *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void stop_keeping(struct stream *s, const char *fmt, ...)
{
	va_list ap;

	s->keeping = false;
	pthread_mutex_lock(&s->error_lock);
	if (!s->input->error) {
		va_start(ap, fmt);
		if (vasprintf(&s->input->error, fmt, ap) < 0)
			s->input->error = NULL;
		va_end(ap);
		if (!s->input->error)
			s->input->error = strdup("out of memory while reading the input");
	}
	pthread_mutex_unlock(&s->error_lock);
}

/* Stop decoding, saying why once the output before is stored: an error
 * in the stream comes after the bytes that came before it. */
static void stop_decoding(struct stream *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void stop_decoding(struct stream *s, const char *fmt, ...)
{
	va_list ap;

	s->decoding = false;
	if (s->decode_error)
		return;
	va_start(ap, fmt);
	if (vasprintf(&s->decode_error, fmt, ap) < 0)
		s->decode_error = NULL;
	va_end(ap);
	if (!s->decode_error)
		s->decode_error = strdup("out of memory while reading the input");
}

/* Whether the temporary file's file system still has RESERVE bytes free
 * after LEN more; says why not.  Looked at once per ROOM_STEP while the
 * disk is far from the reserve. */
static bool room_for(struct stream *s, size_t len)
{
	uint64_t reserve = s->options->min_free, free_bytes;
	struct input *input = s->input;
	struct statvfs fs;

	if (!reserve || input->in_memory || input->size + len <= s->room_until)
		return true;
	if (fstatvfs(input->fd, &fs) != 0)
		return true;
	free_bytes = (uint64_t)fs.f_bavail * fs.f_frsize;
	if (free_bytes >= reserve + ROOM_STEP) {
		s->room_until = input->size + ROOM_STEP;
		if (len <= ROOM_STEP)
			return true;
	}
	if (free_bytes >= reserve + len)
		return true;
	stop_keeping(s, "the file system of %s has less than %llu bytes free: the rest of the "
			"core is not kept",
		     s->tmpdir, (unsigned long long)reserve);
	return false;
}

/* The memory budget is spent: spill the copy to a temporary file, or
 * drop it when it is optional.  False when it could not (said). */
static bool leave_memory(struct stream *s)
{
	struct input *input = s->input;
	int error;

	input->in_memory = false;
	input->fd = s->options->copy_optional ? -1 : copy_file_temporary(s->tmpdir);
	if (s->options->copy_optional) {
		input->copy_dropped = true;
		copy_memory_release(&input->memory);
		return true;
	}
	error = input->fd < 0 ? errno : 0;
	if (!error && !room_for(s, (size_t)s->in_memory))
		error = -1;
	if (!error)
		error = copy_memory_spill(&input->memory, input->size, input->fd);
	copy_memory_release(&input->memory);
	if (error == 0)
		return true;
	/* What the memory held is lost with it. */
	input->size = 0;
	s->write_failed = true;
	if (error > 0)
		stop_keeping(s, "spilling the core to a temporary file in %s: %s", s->tmpdir,
			     strerror(error));
	return false;
}

/* Write BUF[0, LEN) at the end of the core, in as few calls as the kernel
 * allows.  Returns false when it could not (said). */
static bool write_run(struct stream *s, const unsigned char *buf, size_t len)
{
	struct input *input = s->input;
	size_t done = 0;

	/* Past the budget, or where memory cannot be had, to disk. */
	if (input->in_memory) {
		if (s->in_memory + len <= s->options->memory_budget &&
		    copy_memory_write(&input->memory, input->size, buf, len) == 0) {
			s->in_memory += len;
			input->size += len;
			return true;
		}
		if (!leave_memory(s))
			return false;
	}
	if (input->copy_dropped) {
		input->size += len;
		return true;
	}
	if (!room_for(s, len)) {
		s->write_failed = true;
		return false;
	}
	while (done < len) {
		ssize_t n = pwrite(input->fd, buf + done, len - done, (off_t)(input->size + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			s->write_failed = true;
			stop_keeping(s, "writing the core to a temporary file in %s: %s", s->tmpdir,
				     n < 0 ? strerror(errno) : "no progress");
			input->size += done;
			return false;
		}
		done += (size_t)n;
	}
	input->size += len;
	return true;
}

/* Give the sink BUF[0, LEN); once it fails, nothing more.  With no copy
 * left, its failure is the end of the core. */
static void feed_sink(struct stream *s, const unsigned char *buf, size_t len)
{
	struct input *input = s->input;
	struct pc_error *err;

	if (!s->options->sink || input->sink_error || len == 0)
		return;
	err = s->options->sink(s->options->sink_arg, buf, len);
	if (!err)
		return;
	input->sink_error = strdup(err->message);
	if (!input->sink_error)
		input->sink_error = strdup("out of memory");
	if (input->copy_dropped)
		stop_keeping(s, "%s", err->message);
	pc_error_destroy(err);
}

/* Write BUF at the end of the core; pages of zeros (untouched memory, a
 * large share of most cores) are skipped, to be holes that use no disk,
 * and the pages between them are written a run at a time. */
static void store(struct stream *s, const unsigned char *buf, size_t len)
{
	struct input *input = s->input;

	if (!s->keeping)
		return;
	if (len > s->max_size - input->size) {
		len = (size_t)(s->max_size - input->size);
		stop_keeping(s, "the core is larger than --max-core-size=%llu bytes; the rest is "
				"not read",
			     (unsigned long long)s->max_size);
	}
	feed_sink(s, buf, len);
	if (input->copy_dropped) {
		input->size += len;
		return;
	}
	while (len > 0) {
		size_t run = copy_run(buf, len, false);

		if (run > 0) {
			if (!write_run(s, buf, run))
				return;
			s->hole_at_end = false;
			buf += run;
			len -= run;
		}
		run = copy_run(buf, len, true);
		if (run > 0) {
			input->size += run;
			s->hole_at_end = true;
			buf += run;
			len -= run;
		}
	}
}

static void store_decoded(void *arg, const unsigned char *buf, size_t len)
{
	store(arg, buf, len);
}

static const char *stream_name(const struct format *format)
{
	return format->name ? format->name : "input";
}

/* Decode IN[0, LEN) (FINISH: the input has ended) into the file. */
static void decode(struct stream *s, const struct format *format, void *state,
		   const unsigned char *in, size_t len, bool finish)
{
	size_t consumed, produced;

	/* Plain bytes go from the read buffer to the file, not copied. */
	if (format == &format_plain) {
		store(s, in, len);
		return;
	}
	while (s->keeping && s->decoding) {
		unsigned char *out = s->queue ? output_queue_buffer(s->queue) : s->outbuf;
		const char *problem = format->decode(state, in, len, &consumed, out, OUT_CHUNK,
						     &produced, finish, &s->complete);

		if (problem) {
			stop_decoding(s, "the %s stream is corrupt: %s (in its first %llu bytes)",
				     stream_name(format), problem, (unsigned long long)s->read);
			return;
		}
		if (s->queue)
			output_queue_push(s->queue, produced);
		else
			store(s, out, produced);
		in += consumed;
		len -= consumed;
		/* A full output buffer may hide more output for no more input. */
		if (len == 0 && produced < OUT_CHUNK)
			return;
		if (consumed == 0 && produced == 0) {
			stop_decoding(s, "the %s stream makes no progress (%llu bytes into it)",
				     stream_name(format), (unsigned long long)s->read);
			return;
		}
	}
}

/* Read into BUF (at most LEN bytes), tee what was read.  Returns the count,
 * 0 at the end, -1 on a read error (errno). */
static ssize_t read_chunk(struct stream *s, unsigned char *buf, size_t len)
{
	ssize_t n;

	do {
		/* Past the time limit nothing more is read, drain or not:
		 * the writer (the kernel) gets EPIPE and stops. */
		if (s->options->stop && *s->options->stop) {
			/* No input when allocating it failed: only draining. */
			if (s->input) {
				stop_keeping(s, "stopped at the time limit, %llu bytes into the "
						"input",
					     (unsigned long long)s->read);
				s->input->stopped = true;
			}
			return 0;
		}
		n = read(s->in_fd, buf, len);
	} while (n < 0 && errno == EINTR);
	if (n > 0) {
		s->read += (uint64_t)n;
		if (s->options->tee)
			s->options->tee(s->options->tee_arg, buf, (size_t)n);
	}
	return n;
}

/* A compressed file (not a pipe, nothing to tee) is decoded from a
 * mapping of it rather than read into a buffer: a copy less of each of its
 * bytes.  False when it is not one, or cannot be mapped: it is read. */
static bool decode_mapped(struct stream *s, const struct format *format, void *state)
{
	off_t at = lseek(s->in_fd, 0, SEEK_CUR);
	uint64_t pos, dropped = 0, done;
	unsigned char *map;
	struct stat st;

	if (s->options->tee || format == &format_plain || at < 0 || fstat(s->in_fd, &st) != 0 ||
	    !S_ISREG(st.st_mode) || st.st_size <= at)
		return false;
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, s->in_fd, 0);
	if (map == MAP_FAILED)
		return false;
	madvise(map, (size_t)st.st_size, MADV_SEQUENTIAL);
	for (pos = (uint64_t)at; pos < (uint64_t)st.st_size && s->keeping && s->decoding; pos += MAP_STEP) {
		size_t len = (uint64_t)st.st_size - pos < MAP_STEP ? (size_t)(st.st_size - pos)
								   : MAP_STEP;

		s->read += len;
		decode(s, format, state, map + pos, len, false);
		/* What was decoded is not read again: the page cache keeps it
		 * for whoever reads it next, not this process's memory. */
		done = (pos + len) & ~(uint64_t)(COPY_HOLE_BLOCK - 1);
		madvise(map + dropped, (size_t)(done - dropped), MADV_DONTNEED);
		dropped = done;
	}
	munmap(map, (size_t)st.st_size);
	lseek(s->in_fd, 0, SEEK_END);
	return true;
}

/* Read the whole input through FORMAT, keeping what it decodes.  FIRST:
 * the bytes already read to recognise the format. */
static void run_stream(struct stream *s, const struct format *format, void *state, size_t first)
{
	ssize_t n;

	s->complete = true;
	decode(s, format, state, s->inbuf, first, false);
	while (!decode_mapped(s, format, state)) {
		if (!(s->keeping && s->decoding) && !s->options->drain)
			return;
		n = read_chunk(s, s->inbuf, IN_CHUNK);
		if (n < 0) {
			stop_decoding(s, "reading the input: %s, %llu bytes into it", strerror(errno),
				     (unsigned long long)s->read);
			return;
		}
		if (n == 0)
			break;
		decode(s, format, state, s->inbuf, (size_t)n, false);
	}
	decode(s, format, state, s->inbuf, 0, true);
	if (s->keeping && s->decoding && !s->complete)
		stop_decoding(s, "the %s stream is cut short: %s, after %llu bytes",
			     stream_name(format), format->cut ? format->cut : "it ends early",
			     (unsigned long long)s->read);
}

/* Its own buffer: draining must work when allocating did not. */
static void drain(struct stream *s)
{
	static unsigned char buf[IN_CHUNK];

	while (s->options->drain && read_chunk(s, buf, sizeof(buf)) > 0)
		;
}

static struct pc_error *stream_input(struct stream *s)
{
	struct input *input = s->input;
	const struct format *format;
	struct pc_error *err;
	size_t first = 0;
	void *state;
	ssize_t n;

	/* Pipes return what is there: read until the longest magic is in. */
	while (first < FORMAT_MAGIC_MAX) {
		n = read_chunk(s, s->inbuf + first, IN_CHUNK - first);
		if (n < 0)
			return pc_error_create(PC_ERR_IO, "reading: %s", strerror(errno));
		if (n == 0)
			break;
		first += (size_t)n;
	}
	format = format_detect(s->inbuf, first);
	input->format = format->name;
	if (!format->decode) {
		drain(s);
		return pc_error_create(PC_ERR_UNSUPPORTED,
				       "%s-compressed; pycore reads cores compressed with xz, "
				       "zstd or lz4: decompress it and give pycore the result "
				       "(for example on standard input: %s FILE | pycore "
				       "analyze -)",
				       format->name, format->tool);
	}
	if (s->options->copy_optional && !s->options->memory_budget)
		input->copy_dropped = true;
	else if (s->options->memory_budget)
		input->in_memory = copy_memory_reserve(&input->memory, s->max_size) == 0;
	if (!input->in_memory && !input->copy_dropped)
		input->fd = copy_file_temporary(s->tmpdir);
	if (!input->in_memory && input->fd < 0 && !input->copy_dropped) {
		err = pc_error_create(PC_ERR_IO, "cannot create a temporary file in %s: %s",
				      s->tmpdir, strerror(errno));
		drain(s);
		return err;
	}
	state = format->create();
	if (!state) {
		drain(s);
		return &pc_error_nomem;
	}
	s->keeping = true;
	/* Where the queue cannot be had, the decoder stores its output. */
	if (format != &format_plain) {
		err = output_queue_create(OUT_CHUNK, store_decoded, s, &s->queue);
		if (err)
			s->queue = NULL;
		pc_error_destroy(err);
	}
	s->decoding = true;
	run_stream(s, format, state, first);
	output_queue_destroy(s->queue);
	s->queue = NULL;
	if (s->decode_error) {
		stop_keeping(s, "%s", s->decode_error);
		free(s->decode_error);
		s->decode_error = NULL;
	}
	format->destroy(state);
	drain(s);
	/* A hole at the end is no size until the copy says so. */
	if (input->in_memory && copy_memory_finish(&input->memory, input->size) != 0)
		leave_memory(s);
	if (s->hole_at_end && input->fd >= 0 && ftruncate(input->fd, (off_t)input->size) != 0) {
		err = pc_error_create(PC_ERR_IO, "cannot extend a temporary file in %s: %s",
				      s->tmpdir, strerror(errno));
		return err;
	}
	/* No byte of core kept: the stream's fault, or the disk's. */
	if (input->size == 0 && input->error)
		return pc_error_create(s->write_failed ? PC_ERR_IO : PC_ERR_CORRUPT, "%s",
				       input->error);
	return NULL;
}

struct pc_error *input_open_fd(int fd, const char *name, const struct input_options *options,
			       struct input **ret)
{
	struct stream s = {.options = options, .in_fd = fd};
	struct pc_error *err = &pc_error_nomem;
	struct input *input = calloc(1, sizeof(*input));

	s.max_size = options->max_size ? options->max_size : INPUT_DEFAULT_MAX_SIZE;
	pthread_mutex_init(&s.error_lock, NULL);
	/* Best effort: a pipe that cannot grow is read as it is. */
	fcntl(fd, F_SETPIPE_SZ, PIPE_SIZE);
	s.tmpdir = tmpdir_of(options);
	s.input = input;
	s.inbuf = malloc(IN_CHUNK);
	s.outbuf = malloc(OUT_CHUNK);
	if (input) {
		input->fd = -1;
		input->name = strdup(name);
	}
	if (!input || !input->name || !s.inbuf || !s.outbuf)
		drain(&s);
	else
		err = stream_input(&s);
	free(s.inbuf);
	free(s.outbuf);
	pthread_mutex_destroy(&s.error_lock);
	if (input)
		input->read = s.read;
	if (err) {
		input_close(input);
		return err;
	}
	*ret = input;
	return NULL;
}

/* A zstd file FD of SIZE bytes without a seek table that can be used,
 * read in place through an index of it, or NULL: it is to be streamed
 * (userfaultfd is refused, the stream is cut short or corrupt, which the
 * streaming says where, or it is not worth indexing). */
static struct seekable_image *indexed(int fd, uint64_t size, const struct input_options *options)
{
	uint64_t max_size = options->max_size ? options->max_size : INPUT_DEFAULT_MAX_SIZE;
	struct seekable_image *image = NULL;
	struct pc_error *err;

	err = seekable_image_open_index(fd, size, max_size, options->memory_budget, &image);
	pc_error_destroy(err);
	return err ? NULL : image;
}

/* A zstd file FD of SIZE bytes: read in place when it has a seek table
 * that can be trusted, or through an index of it, where userfaultfd is
 * allowed; else streamed (with a warning when the table lies). */
static struct pc_error *open_seekable(int fd, const char *path, uint64_t size,
				      const struct input_options *options, struct input **ret)
{
	uint64_t max_size = options->max_size ? options->max_size : INPUT_DEFAULT_MAX_SIZE;
	struct seekable_image *image = NULL;
	struct seekable_table table;
	struct input *input = NULL;
	char *warning = NULL, *note = NULL;
	struct pc_error *err;

	err = seekable_table_read(fd, size, &table);
	if (!err)
		err = seekable_table_verify(fd, &table);
	if (err) {
		if (asprintf(&warning, "the zstd seek table of the core is not used: %s; the core "
				       "is read as a plain zstd stream instead",
			     err->message) < 0)
			warning = NULL;
		pc_error_destroy(err);
	} else if (table.nframes > 0 && table.data_size <= max_size) {
		err = seekable_image_open(fd, &table, &image);
		/* Where userfaultfd is not allowed, as if not seekable. */
		if (err && asprintf(&note, "the seekable core is decompressed whole: it cannot be "
					   "read in place: %s",
				    err->message) < 0)
			note = NULL;
		pc_error_destroy(err);
	}
	seekable_table_deinit(&table);
	if (!image && !note)
		image = indexed(fd, size, options);
	if (image) {
		input = calloc(1, sizeof(*input));
		if (!input || !(input->name = strdup(path))) {
			free(input);
			free(warning);
			seekable_image_close(image);
			return &pc_error_nomem;
		}
		input->fd = -1;
		input->image = image;
		input->warning = warning;
		input->format = "zstd";
		input->size = seekable_image_size(image);
		input->read = size;
		*ret = input;
		return NULL;
	}
	if (lseek(fd, 0, SEEK_SET) != 0) {
		free(warning);
		free(note);
		return pc_error_create(PC_ERR_IO, "lseek: %s", strerror(errno));
	}
	err = input_open_fd(fd, path, options, ret);
	if (err) {
		free(warning);
		free(note);
	} else {
		(*ret)->warning = warning;
		(*ret)->note = note;
	}
	return err;
}

struct pc_error *input_open_file(int fd, const char *path, const struct input_options *options,
				 struct input **ret)
{
	unsigned char magic[FORMAT_MAGIC_MAX];
	const struct format *format = NULL;
	struct input *input;
	struct stat st;
	ssize_t n;

	if (fstat(fd, &st) != 0)
		return pc_error_create(PC_ERR_IO, "%s", strerror(errno));
	if (S_ISDIR(st.st_mode))
		return pc_error_create(PC_ERR_IO, "is a directory, not a core file");
	/* A plain core on disk is mapped where it is: no copy. */
	n = S_ISREG(st.st_mode) ? pread(fd, magic, sizeof(magic), 0) : -1;
	if (n >= 0)
		format = format_detect(magic, (size_t)n);
	if (format == &format_plain) {
		input = calloc(1, sizeof(*input));
		if (!input || !(input->name = strdup(path))) {
			free(input);
			return &pc_error_nomem;
		}
		input->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		if (input->fd < 0) {
			input_close(input);
			return pc_error_create(PC_ERR_IO, "dup: %s", strerror(errno));
		}
		input->size = input->read = (uint64_t)st.st_size;
		*ret = input;
		return NULL;
	}
	if (format && format->name && strcmp(format->name, "zstd") == 0)
		return open_seekable(fd, path, (uint64_t)st.st_size, options, ret);
	return input_open_fd(fd, path, options, ret);
}

struct pc_error *input_open(const char *path, const struct input_options *options,
			    struct input **ret)
{
	struct pc_error *err;
	int fd;

	if (strcmp(path, "-") == 0) {
		if (isatty(STDIN_FILENO))
			return pc_error_create(PC_ERR_IO, "standard input is a terminal, not a core "
							  "(pipe one in: zstdcat CORE.zst | pycore "
							  "analyze -)");
		return input_open_fd(STDIN_FILENO, "<stdin>", options, ret);
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pc_error_create(PC_ERR_IO, "%s", strerror(errno));
	err = input_open_file(fd, path, options, ret);
	close(fd);
	return err;
}

void input_close(struct input *input)
{
	if (!input)
		return;
	if (input->fd >= 0)
		close(input->fd);
	copy_memory_release(&input->memory);
	seekable_image_close(input->image);
	free(input->name);
	free(input->error);
	free(input->warning);
	free(input->sink_error);
	free(input->note);
	free(input);
}

const unsigned char *input_bytes(const struct input *input)
{
	if (input->image)
		return seekable_image_bytes(input->image);
	return input->in_memory ? input->memory.base : NULL;
}

const char *input_problem(const struct input *input)
{
	if (input->warning)
		return input->warning;
	return input->image ? seekable_image_problem(input->image) : NULL;
}
