#include "input/seekable_image.h"

#include "base/error.h"
#include "base/thread.h"
#include "input/seekable.h"
#include "input/zstd_index.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <zstd.h>

/* What one fault fills: the size of the frames pycore writes, so that a
 * block is one frame, decompressed once. */
#define BLOCK_SIZE (2u << 20)
/* Blocks kept filled at once (32 MiB); past them the oldest is dropped
 * and fills again if read again. */
#define RESIDENT_BLOCKS 16
/* Decompressed frames kept, for blocks that frames of other sizes span. */
#define FRAME_CACHE 2

struct cached_frame {
	size_t index;		/* in the table */
	unsigned char *bytes;	/* NULL: empty slot */
	bool failed;		/* could not be decompressed: zeros */
};

struct seekable_image {
	int fd;
	uint64_t size;		/* of the core */
	/* Where blocks come from: the frames of a seek table, or an index of
	 * a stream that has none. */
	struct seekable_table table;
	struct zstd_index *index;
	unsigned char *base;	/* the mapping, map_size bytes */
	size_t map_size;
	int uffd;
	int stop_fd;		/* an eventfd that ends the thread */
	pthread_t thread;
	bool thread_started;
	ZSTD_DCtx *dctx;
	struct cached_frame cache[FRAME_CACHE];
	unsigned cache_next;
	unsigned char *compressed;
	size_t compressed_cap;
	unsigned char *block;	/* a block being put together */
	size_t resident[RESIDENT_BLOCKS];
	size_t nresident, resident_next;
	char problem[256];
	atomic_bool has_problem;
};

static void note_problem(struct seekable_image *image, size_t index, const char *why)
{
	const struct seekable_frame *f = &image->table.frames[index];

	if (atomic_load(&image->has_problem))
		return;
	snprintf(image->problem, sizeof(image->problem),
		 "zstd frame %zu of the seekable core (bytes %llu to %llu) cannot be decompressed: "
		 "%s; they read as zeros",
		 index, (unsigned long long)f->data_offset,
		 (unsigned long long)(f->data_offset + f->size), why);
	atomic_store(&image->has_problem, true);
}

/* Decompress frame INDEX into OUT; false (said) when it fails. */
static bool decompress(struct seekable_image *image, size_t index, unsigned char *out)
{
	const struct seekable_frame *f = &image->table.frames[index];
	size_t n;

	if (f->compressed_size > image->compressed_cap) {
		unsigned char *grown = realloc(image->compressed, f->compressed_size);

		if (!grown) {
			note_problem(image, index, "out of memory");
			return false;
		}
		image->compressed = grown;
		image->compressed_cap = f->compressed_size;
	}
	if (pread(image->fd, image->compressed, f->compressed_size, (off_t)f->offset) !=
	    (ssize_t)f->compressed_size) {
		note_problem(image, index, "the file is shorter than its seek table says");
		return false;
	}
	n = ZSTD_decompressDCtx(image->dctx, out, f->size, image->compressed, f->compressed_size);
	if (ZSTD_isError(n)) {
		note_problem(image, index, ZSTD_getErrorName(n));
		return false;
	}
	if (n != f->size) {
		note_problem(image, index, "it holds fewer bytes than its seek table says");
		return false;
	}
	return true;
}

/* Frame INDEX decompressed (from the cache, else now), or NULL when it
 * cannot be. */
static const unsigned char *frame_bytes(struct seekable_image *image, size_t index)
{
	struct cached_frame *slot;
	unsigned i;

	for (i = 0; i < FRAME_CACHE; i++)
		if (image->cache[i].bytes && image->cache[i].index == index)
			return image->cache[i].failed ? NULL : image->cache[i].bytes;
	slot = &image->cache[image->cache_next];
	image->cache_next = (image->cache_next + 1) % FRAME_CACHE;
	free(slot->bytes);
	slot->bytes = malloc(image->table.frames[index].size ? image->table.frames[index].size : 1);
	if (!slot->bytes) {
		note_problem(image, index, "out of memory");
		return NULL;
	}
	slot->index = index;
	slot->failed = !decompress(image, index, slot->bytes);
	return slot->failed ? NULL : slot->bytes;
}

/* Decode the core's bytes [START, END) from the index into OUT. */
static void read_indexed(struct seekable_image *image, uint64_t start, uint64_t end,
			 unsigned char *out)
{
	const char *why = zstd_index_read(image->index, start, out, (size_t)(end - start));

	if (!why || atomic_load(&image->has_problem))
		return;
	memset(out, 0, (size_t)(end - start));
	snprintf(image->problem, sizeof(image->problem),
		 "the zstd stream of the core cannot be decompressed at bytes %llu to %llu: %s; "
		 "they read as zeros",
		 (unsigned long long)start, (unsigned long long)end, why);
	atomic_store(&image->has_problem, true);
}

/* Put block NUMBER together in image->block; returns its length. */
static size_t assemble(struct seekable_image *image, size_t number)
{
	uint64_t start = (uint64_t)number * BLOCK_SIZE, pos = start, end;
	size_t len = image->map_size - start < BLOCK_SIZE ? image->map_size - start : BLOCK_SIZE;

	end = start + len < image->size ? start + len : image->size;
	memset(image->block, 0, len);
	if (image->index) {
		read_indexed(image, start, end, image->block);
		return len;
	}
	while (pos < end) {
		size_t index = seekable_frame_at(&image->table, pos), n;
		const struct seekable_frame *f;
		const unsigned char *bytes;

		if (index >= image->table.nframes)
			break;
		f = &image->table.frames[index];
		n = f->data_offset + f->size - pos < end - pos ? (size_t)(f->data_offset + f->size - pos)
							       : (size_t)(end - pos);
		bytes = frame_bytes(image, index);
		if (bytes)
			memcpy(image->block + (pos - start), bytes + (pos - f->data_offset), n);
		pos += n;
	}
	return len;
}

/* Fill the block that holds ADDRESS, dropping the oldest past the budget. */
static void fill(struct seekable_image *image, uint64_t address)
{
	size_t number = (size_t)((address - (uintptr_t)image->base) / BLOCK_SIZE);
	size_t len = assemble(image, number);
	struct uffdio_copy copy = {
		.dst = (uintptr_t)image->base + (uint64_t)number * BLOCK_SIZE,
		.src = (uintptr_t)image->block,
		.len = len,
	};

	if (image->nresident == RESIDENT_BLOCKS) {
		size_t old = image->resident[image->resident_next];

		madvise(image->base + old * BLOCK_SIZE, BLOCK_SIZE, MADV_DONTNEED);
		image->resident[image->resident_next] = number;
		image->resident_next = (image->resident_next + 1) % RESIDENT_BLOCKS;
	} else {
		image->resident[image->nresident++] = number;
	}
	/* Another thread's fault may have filled it first: wake the reader. */
	if (ioctl(image->uffd, UFFDIO_COPY, &copy) != 0) {
		struct uffdio_range range = {.start = copy.dst, .len = len};

		ioctl(image->uffd, UFFDIO_WAKE, &range);
	}
}

static void *serve_faults(void *arg)
{
	struct seekable_image *image = arg;
	struct pollfd fds[2] = {{.fd = image->uffd, .events = POLLIN},
				{.fd = image->stop_fd, .events = POLLIN}};

	for (;;) {
		struct uffd_msg msg;

		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[1].revents)
			break;
		if (read(image->uffd, &msg, sizeof(msg)) != (ssize_t)sizeof(msg))
			continue;
		if (msg.event == UFFD_EVENT_PAGEFAULT)
			fill(image, msg.arg.pagefault.address);
	}
	return NULL;
}

/* A userfaultfd: of any fault where pycore may, else of its own code's. */
static int open_uffd(void)
{
	struct uffdio_api api = {.api = UFFD_API};
	int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);

	if (fd < 0 && errno == EPERM)
		fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
	if (fd < 0)
		return -1;
	if (ioctl(fd, UFFDIO_API, &api) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

struct pc_error *seekable_image_probe(void)
{
	struct uffdio_api api = {.api = UFFD_API};
	int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
	struct pc_error *err = NULL;

	if (fd < 0)
		return pc_error_create(PC_ERR_UNSUPPORTED, "userfaultfd: %s", strerror(errno));
	if (ioctl(fd, UFFDIO_API, &api) != 0)
		err = pc_error_create(PC_ERR_UNSUPPORTED, "userfaultfd: UFFDIO_API: %s",
				      strerror(errno));
	close(fd);
	return err;
}

/* Map IMAGE (its size and source set) and start serving its faults. */
static struct pc_error *start_image(struct seekable_image *image)
{
	long page = sysconf(_SC_PAGESIZE);
	struct uffdio_register reg = {.mode = UFFDIO_REGISTER_MODE_MISSING};
	int started;

	image->map_size =
		(size_t)((image->size + (uint64_t)page - 1) / (uint64_t)page * (uint64_t)page);
	if (image->map_size == 0)
		image->map_size = (size_t)page;
	image->block = malloc(BLOCK_SIZE);
	if (!image->block)
		return &pc_error_nomem;
	if (image->uffd < 0)
		image->uffd = open_uffd();
	if (image->uffd < 0)
		return pc_error_create(PC_ERR_UNSUPPORTED, "userfaultfd: %s", strerror(errno));
	image->base = mmap(NULL, image->map_size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (image->base == MAP_FAILED) {
		image->base = NULL;
		return pc_error_create(PC_ERR_NOMEM, "mmap of %zu bytes: %s", image->map_size,
				       strerror(errno));
	}
	reg.range.start = (uintptr_t)image->base;
	reg.range.len = image->map_size;
	image->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (ioctl(image->uffd, UFFDIO_REGISTER, &reg) != 0 || image->stop_fd < 0)
		return pc_error_create(PC_ERR_UNSUPPORTED, "userfaultfd: register: %s",
				       strerror(errno));
	/* Unsignalled: the analysis's timers are meant to interrupt its own
	 * calls. */
	started = thread_start_unsignalled(&image->thread, serve_faults, image);
	if (started != 0)
		return pc_error_create(PC_ERR_UNSUPPORTED, "pthread_create: %s", strerror(started));
	image->thread_started = true;
	return NULL;
}

struct pc_error *seekable_image_open(int fd, struct seekable_table *table,
				     struct seekable_image **ret)
{
	struct seekable_image *image = calloc(1, sizeof(*image));
	struct pc_error *err = &pc_error_nomem;

	if (!image)
		return &pc_error_nomem;
	image->fd = image->uffd = image->stop_fd = -1;
	image->table = *table;
	memset(table, 0, sizeof(*table));
	image->size = image->table.data_size;
	image->dctx = ZSTD_createDCtx();
	image->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (image->dctx && image->fd >= 0)
		err = start_image(image);
	if (err) {
		seekable_image_close(image);
		return err;
	}
	*ret = image;
	return NULL;
}

struct pc_error *seekable_image_open_index(int fd, uint64_t file_size, uint64_t max_size,
					  uint64_t budget, struct seekable_image **ret)
{
	struct seekable_image *image = calloc(1, sizeof(*image));
	struct pc_error *err;

	if (!image)
		return &pc_error_nomem;
	image->fd = image->stop_fd = -1;
	/* Before the index, which reads the whole file: where userfaultfd
	 * is refused (containers often refuse it), that pass is not made. */
	image->uffd = open_uffd();
	if (image->uffd < 0)
		err = pc_error_create(PC_ERR_UNSUPPORTED, "userfaultfd: %s", strerror(errno));
	else
		err = zstd_index_build(fd, file_size, max_size, INDEX_STEP,
				       zstd_index_memory(budget), &image->index);
	if (!err) {
		image->size = zstd_index_size(image->index);
		err = start_image(image);
	}
	if (err) {
		seekable_image_close(image);
		return err;
	}
	*ret = image;
	return NULL;
}

const unsigned char *seekable_image_bytes(const struct seekable_image *image)
{
	return image->base;
}

uint64_t seekable_image_size(const struct seekable_image *image)
{
	return image->size;
}

const char *seekable_image_problem(const struct seekable_image *image)
{
	return atomic_load(&((struct seekable_image *)image)->has_problem) ? image->problem : NULL;
}

void seekable_image_close(struct seekable_image *image)
{
	unsigned i;

	if (!image)
		return;
	if (image->thread_started) {
		uint64_t one = 1;

		/* An eventfd's counter cannot overflow from one write. */
		(void)!write(image->stop_fd, &one, sizeof(one));
		pthread_join(image->thread, NULL);
	}
	if (image->base)
		munmap(image->base, image->map_size);
	if (image->uffd >= 0)
		close(image->uffd);
	if (image->stop_fd >= 0)
		close(image->stop_fd);
	if (image->fd >= 0)
		close(image->fd);
	for (i = 0; i < FRAME_CACHE; i++)
		free(image->cache[i].bytes);
	ZSTD_freeDCtx(image->dctx);
	zstd_index_destroy(image->index);
	free(image->compressed);
	free(image->block);
	seekable_table_deinit(&image->table);
	free(image);
}
