#include "handle/keep_core.h"

#include "base/error.h"
#include "handle/spool.h"
#include "input/input.h"
#include "input/seekable.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What is read from the temporary copy at a time. */
#define READ_CHUNK (4u << 20)
/* zstd's level: its default, and what systemd-coredump uses. */
#define KEEP_CORE_LEVEL 3

/* Compressing threads at most: the analysis runs at the same time. */
#define KEEP_CORE_MAX_THREADS 4

struct reserve {
	struct spool *spool;
	uint64_t reserve;
};

static struct pc_error *check_reserve(void *arg, size_t len)
{
	struct reserve *r = arg;

	return spool_reserve(r->spool, len, r->reserve);
}

/* One thread per processor, as zstd -T0, up to the cap. */
static unsigned threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 0;
	return n > KEEP_CORE_MAX_THREADS ? KEEP_CORE_MAX_THREADS : (unsigned)n;
}

struct pc_error *keep_core_write_zstd(const struct input *input, int fd, uint64_t limit,
				      volatile sig_atomic_t *stop, struct spool *spool,
				      uint64_t reserve)
{
	struct reserve r = {spool, reserve};
	uint64_t offset = 0, end = input->size < limit ? input->size : limit;
	unsigned char *buf = malloc(READ_CHUNK);
	struct seekable_writer *writer = NULL;
	struct pc_error *err;

	if (!buf)
		return &pc_error_nomem;
	err = seekable_writer_create(fd, KEEP_CORE_LEVEL, threads(), check_reserve, &r, &writer);
	while (!err && offset < end && !(stop && *stop)) {
		size_t want = end - offset < READ_CHUNK ? (size_t)(end - offset) : READ_CHUNK;
		ssize_t n = pread(input->fd, buf, want, (off_t)offset);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? pc_error_create(PC_ERR_IO, "%s", strerror(errno)) : NULL;
			break;
		}
		offset += (uint64_t)n;
		err = seekable_write(writer, buf, (size_t)n);
	}
	if (!err)
		err = seekable_writer_finish(writer);
	seekable_writer_destroy(writer);
	free(buf);
	return err;
}
