#include "input/seekable.h"

#include "base/error.h"
#include "base/thread.h"
#include "base/vec.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

/* One seek table entry as written: compressed, then uncompressed size. */
struct entry {
	uint32_t compressed_size;
	uint32_t size;
};

/* A frame on its way: filled by the caller, compressed by a thread,
 * written by the caller in the order it was filled. */
struct slot {
	ZSTD_CCtx *cctx;
	unsigned char *in;	/* SEEKABLE_FRAME_SIZE */
	size_t in_len;
	unsigned char *out;	/* a compressed frame at its largest */
	size_t out_len;		/* or a zstd error code */
	enum { SLOT_FREE, SLOT_FILLED, SLOT_TAKEN, SLOT_DONE } state;
};

struct seekable_writer {
	int fd;
	seekable_check_fn *check;
	void *check_arg;
	size_t out_cap;
	struct slot *slots;	/* a ring of nslots */
	size_t nslots, filling;	/* the slot the caller fills */
	pthread_t *threads;
	size_t nthreads;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	bool stopping;
	struct entry *entries;
	size_t nentries, entries_capacity;
};

static void put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

static struct pc_error *write_all(struct seekable_writer *w, const unsigned char *buf, size_t len)
{
	struct pc_error *err;
	size_t done = 0;

	if (w->check && (err = w->check(w->check_arg, len)) != NULL)
		return err;
	while (done < len) {
		ssize_t n = write(w->fd, buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return pc_error_create(PC_ERR_IO, "writing a zstd frame: %s",
					       n < 0 ? strerror(errno) : "no progress");
		done += (size_t)n;
	}
	return NULL;
}

static void compress_slot(struct seekable_writer *w, struct slot *slot)
{
	slot->out_len = ZSTD_compress2(slot->cctx, slot->out, w->out_cap, slot->in, slot->in_len);
}

static void *compress_frames(void *arg)
{
	struct seekable_writer *w = arg;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		struct slot *slot = NULL;
		size_t i;

		for (i = 0; i < w->nslots && !slot; i++)
			if (w->slots[i].state == SLOT_FILLED)
				slot = &w->slots[i];
		if (!slot) {
			if (w->stopping)
				break;
			pthread_cond_wait(&w->changed, &w->lock);
			continue;
		}
		slot->state = SLOT_TAKEN;
		pthread_mutex_unlock(&w->lock);
		compress_slot(w, slot);
		pthread_mutex_lock(&w->lock);
		slot->state = SLOT_DONE;
		pthread_cond_broadcast(&w->changed);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* Wait for SLOT's frame, write it and list it; the slot is then free. */
static struct pc_error *retire(struct seekable_writer *w, struct slot *slot)
{
	struct pc_error *err;
	struct entry *grown;

	pthread_mutex_lock(&w->lock);
	while (slot->state == SLOT_FILLED || slot->state == SLOT_TAKEN)
		pthread_cond_wait(&w->changed, &w->lock);
	pthread_mutex_unlock(&w->lock);
	if (slot->state != SLOT_DONE)
		return NULL;
	slot->state = SLOT_FREE;
	if (ZSTD_isError(slot->out_len))
		return pc_error_create(PC_ERR_LIBRARY, "ZSTD_compress2: %s",
				       ZSTD_getErrorName(slot->out_len));
	grown = vec_grow(w->entries, &w->entries_capacity, w->nentries + 1, sizeof(*w->entries));
	if (!grown)
		return &pc_error_nomem;
	w->entries = grown;
	err = write_all(w, slot->out, slot->out_len);
	if (err)
		return err;
	w->entries[w->nentries].compressed_size = (uint32_t)slot->out_len;
	w->entries[w->nentries].size = (uint32_t)slot->in_len;
	w->nentries++;
	slot->in_len = 0;
	return NULL;
}

/* Hand the slot being filled to the threads (or compress it here, with
 * none) and make the next one ready. */
static struct pc_error *dispatch(struct seekable_writer *w)
{
	struct slot *slot = &w->slots[w->filling];

	if (slot->in_len == 0)
		return NULL;
	if (w->nthreads == 0) {
		compress_slot(w, slot);
		slot->state = SLOT_DONE;
	} else {
		pthread_mutex_lock(&w->lock);
		slot->state = SLOT_FILLED;
		pthread_cond_broadcast(&w->changed);
		pthread_mutex_unlock(&w->lock);
	}
	w->filling = (w->filling + 1) % w->nslots;
	return retire(w, &w->slots[w->filling]);
}

static void stop_threads(struct seekable_writer *w)
{
	size_t i;

	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->lock);
	for (i = 0; i < w->nthreads; i++)
		pthread_join(w->threads[i], NULL);
	w->nthreads = 0;
}

struct pc_error *seekable_writer_create(int fd, int level, unsigned threads,
					seekable_check_fn *check, void *check_arg,
					struct seekable_writer **ret)
{
	struct seekable_writer *w = calloc(1, sizeof(*w));
	size_t i;

	if (!w)
		return &pc_error_nomem;
	w->fd = fd;
	w->check = check;
	w->check_arg = check_arg;
	w->out_cap = ZSTD_compressBound(SEEKABLE_FRAME_SIZE);
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->changed, NULL);
	/* One frame more than threads: the caller fills one meanwhile. */
	w->nslots = threads + 1;
	w->slots = calloc(w->nslots, sizeof(*w->slots));
	w->threads = calloc(threads ? threads : 1, sizeof(*w->threads));
	if (!w->slots || !w->threads)
		goto nomem;
	for (i = 0; i < w->nslots; i++) {
		struct slot *slot = &w->slots[i];

		slot->cctx = ZSTD_createCCtx();
		slot->in = malloc(SEEKABLE_FRAME_SIZE);
		slot->out = malloc(w->out_cap);
		if (!slot->cctx || !slot->in || !slot->out)
			goto nomem;
		ZSTD_CCtx_setParameter(slot->cctx, ZSTD_c_compressionLevel, level);
		/* Each frame checks itself, as zstd -d verifies; the table's
		 * own checksums (XXH64, not in libzstd's API) are left out. */
		ZSTD_CCtx_setParameter(slot->cctx, ZSTD_c_checksumFlag, 1);
	}
	for (i = 0; i < threads; i++) {
		if (thread_start_unsignalled(&w->threads[i], compress_frames, w) != 0)
			break;
		w->nthreads++;
	}
	*ret = w;
	return NULL;

nomem:
	seekable_writer_destroy(w);
	return &pc_error_nomem;
}

struct pc_error *seekable_write(struct seekable_writer *w, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	struct pc_error *err;

	while (len > 0) {
		struct slot *slot = &w->slots[w->filling];
		size_t take = SEEKABLE_FRAME_SIZE - slot->in_len;

		if (take > len)
			take = len;
		memcpy(slot->in + slot->in_len, p, take);
		slot->in_len += take;
		p += take;
		len -= take;
		if (slot->in_len == SEEKABLE_FRAME_SIZE && (err = dispatch(w)) != NULL)
			return err;
	}
	return NULL;
}

struct pc_error *seekable_writer_finish(struct seekable_writer *w)
{
	struct pc_error *err = dispatch(w);
	unsigned char *table, *p;
	size_t body, i;

	/* The frames still in the ring, oldest first. */
	for (i = 1; !err && i < w->nslots; i++)
		err = retire(w, &w->slots[(w->filling + i) % w->nslots]);
	if (err)
		return err;
	if (w->nentries > SEEKABLE_MAX_FRAMES)
		return pc_error_create(PC_ERR_LIMIT, "%zu zstd frames, more than a seek table of "
						     "pycore lists (%u)",
				       w->nentries, SEEKABLE_MAX_FRAMES);
	body = w->nentries * 8 + SEEKABLE_FOOTER_SIZE;
	table = malloc(8 + body);
	if (!table)
		return &pc_error_nomem;
	put_le32(table, SEEKABLE_SKIPPABLE_MAGIC);
	put_le32(table + 4, (uint32_t)body);
	p = table + 8;
	for (i = 0; i < w->nentries; i++, p += 8) {
		put_le32(p, w->entries[i].compressed_size);
		put_le32(p + 4, w->entries[i].size);
	}
	put_le32(p, (uint32_t)w->nentries);
	p[4] = 0;	/* the descriptor: no checksums */
	put_le32(p + 5, SEEKABLE_MAGIC);
	err = write_all(w, table, 8 + body);
	free(table);
	return err;
}

void seekable_writer_destroy(struct seekable_writer *w)
{
	size_t i;

	if (!w)
		return;
	stop_threads(w);
	for (i = 0; w->slots && i < w->nslots; i++) {
		ZSTD_freeCCtx(w->slots[i].cctx);
		free(w->slots[i].in);
		free(w->slots[i].out);
	}
	free(w->slots);
	free(w->threads);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->changed);
	free(w->entries);
	free(w);
}
