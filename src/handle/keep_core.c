#include "handle/keep_core.h"

#include "base/error.h"
#include "handle/context.h"
#include "handle/log.h"
#include "handle/spool.h"
#include "input/input.h"
#include "input/seekable.h"
#include "input/seekable_image.h"

#include <fcntl.h>
#include <syslog.h>
#include <unistd.h>

/* zstd's level: its default, and what systemd-coredump uses. */
#define KEEP_CORE_LEVEL 3

/* The kept file's bytes are sent to the disk every this many, while it is
 * written: the fsync that commits it then finds little left to write. */
#define KEEP_CORE_FLUSH_STEP (32u << 20)

/* Compressing threads at most: the draining thread needs a share too. */
#define KEEP_CORE_MAX_THREADS 4

/* One thread per processor, as zstd -T0, up to the cap. */
static unsigned threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 0;
	return n > KEEP_CORE_MAX_THREADS ? KEEP_CORE_MAX_THREADS : (unsigned)n;
}

uint64_t keep_core_limit(const struct handle *h)
{
	return h->crash.core_limit < h->options.max_core_size ? h->crash.core_limit
							      : h->options.max_core_size;
}

/* Before each write of the writer: the reserve, and the writeback of what
 * the writes before this one left in the page cache. */
static struct pc_error *check_reserve(void *arg, size_t len)
{
	struct keep_core *k = arg;
	struct pc_error *err = spool_reserve(&k->h->spool, len, k->reserve);

	if (err)
		return err;
	if (k->written - k->flushed >= KEEP_CORE_FLUSH_STEP) {
		sync_file_range(k->h->core_file.fd, (off_t)k->flushed,
				(off_t)(k->written - k->flushed), SYNC_FILE_RANGE_WRITE);
		k->flushed = k->written;
	}
	k->written += len;
	return NULL;
}

/* The input's sink: the core's bytes up to the limit; past it, nothing. */
static struct pc_error *take(void *arg, const void *buf, size_t len)
{
	struct keep_core *k = arg;

	if (len > k->limit - k->taken)
		len = (size_t)(k->limit - k->taken);
	k->taken += len;
	return len ? seekable_write(k->writer, buf, len) : NULL;
}

void keep_core_start(struct handle *h, struct keep_core *k, struct input_options *options)
{
	struct pc_error *err;

	*k = (struct keep_core){.h = h, .limit = keep_core_limit(h)};
	if (!h->options.keep_core)
		return;
	if (k->limit < KEEP_CORE_MIN_LIMIT) {
		handle_log(LOG_INFO, "PID %d: the core is not kept: its core size limit is %llu",
			   (int)h->crash.pid, (unsigned long long)h->crash.core_limit);
		return;
	}
	/* What the copy of the core leaves (handle.c): the reports, written
	 * once the core is read, get a share of what the core left. */
	k->reserve = h->options.keep_free + HANDLE_REPORTS_ROOM;
	err = spool_create(&h->spool, &h->core_file);
	if (!err)
		err = seekable_writer_create(h->core_file.fd, KEEP_CORE_LEVEL, threads(),
					     check_reserve, k, &k->writer);
	if (err) {
		handle_log(LOG_ERR, "PID %d: the core is not kept: %s", (int)h->crash.pid,
			   err->message);
		spool_discard(&h->spool, &h->core_file);
		pc_error_destroy(err);
		return;
	}
	options->sink = take;
	options->sink_arg = k;
	/* The analysis reads the kept file in place, as an unprivileged
	 * pycore analyze would: a copy, even in memory, would cost the
	 * draining as much as compressing does.  Where it cannot, a copy is
	 * made, in memory within the budget, else in the spool. */
	err = seekable_image_probe();
	if (!err) {
		options->copy_optional = true;
		options->memory_budget = 0;
		return;
	}
	handle_log(LOG_INFO, "PID %d: the kept core cannot be read in place (%s): the analysis "
			     "reads a copy of it",
		   (int)h->crash.pid, err->message);
	pc_error_destroy(err);
}

void keep_core_finish(struct keep_core *k)
{
	struct handle *h = k->h;
	struct pc_error *err = NULL;

	if (!k->writer)
		return;
	if (h->input && h->input->sink_error)
		err = pc_error_create(PC_ERR_IO, "%s", h->input->sink_error);
	else
		err = seekable_writer_finish(k->writer);
	seekable_writer_destroy(k->writer);
	k->writer = NULL;
	if (!err)
		return;
	handle_log(LOG_ERR, "PID %d: the core is not kept: %s", (int)h->crash.pid, err->message);
	spool_discard(&h->spool, &h->core_file);
	pc_error_destroy(err);
}
