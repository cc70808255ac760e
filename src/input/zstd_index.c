#include "input/zstd_index.h"

#include "base/error.h"
#include "base/vec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* The index needs zstd's block-by-block decoding and its static contexts,
 * which libzstd exports but declares only on request. */
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>

/* The checkpoints take at most this share of the memory budget... */
#define CHECKPOINT_BUDGET_SHARE 16
/* ...and this much whatever the budget: room for a dozen checkpoints of a
 * 2 MiB window, so that, thinned to half of that, no read decodes more
 * than about a sixth of the core. */
#define CHECKPOINT_MEMORY_MIN (32ULL << 20)
/* The ring holds at least this window, so that the frames after the first
 * may have windows of up to that much. */
#define WINDOW_MIN (1ULL << 20)
/* The compressed file is let go of behind the first pass this often: the
 * page cache keeps it, not this process. */
#define DROP_STEP (16ULL << 20)

struct checkpoint {
	uint64_t in;		/* the compressed bytes before it */
	uint64_t out;		/* the bytes of core before it */
	size_t ring_pos;	/* where the ring was to be written next */
	unsigned char *copy;	/* the workspace, then the ring, as they were */
};

/* Where decoding is: the next byte of the file to decode, the bytes of
 * core decoded so far, the next byte of the ring to write. */
struct cursor {
	uint64_t in;
	uint64_t out;
	size_t ring_pos;
};

struct zstd_index {
	const unsigned char *file; /* the compressed file, mapped */
	size_t file_size;
	void *workspace;	/* the decoder, in place */
	size_t workspace_size;
	ZSTD_DCtx *dctx;
	unsigned char *ring;
	size_t ring_size;
	size_t block_max;	/* of the frame being decoded */
	uint64_t window;	/* the largest the ring holds */
	struct checkpoint *checkpoints;
	size_t ncheckpoints, checkpoints_capacity;
	uint64_t step;		/* between checkpoints, now */
	uint64_t memory;	/* the most the checkpoints may take */
	uint64_t size;
	struct cursor at;	/* where the decoder is, for the next read */
	bool at_valid;
};

/* Ready the decoder for the frame at C->in; NULL, or why it cannot be. */
static const char *begin_frame(struct zstd_index *x, const struct cursor *c)
{
	ZSTD_frameHeader header;
	size_t r = ZSTD_getFrameHeader(&header, x->file + c->in, x->file_size - c->in);

	if (ZSTD_isError(r))
		return ZSTD_getErrorName(r);
	if (r > 0)
		return "a frame header is cut short";
	if (header.frameType == ZSTD_frame && header.windowSize > x->window)
		return "a frame's window is larger than the first's";
	x->block_max = header.frameType == ZSTD_frame ? header.blockSizeMax : 0;
	r = ZSTD_decompressBegin(x->dctx);
	return ZSTD_isError(r) ? ZSTD_getErrorName(r) : NULL;
}

/* Decode what comes next at C: a frame header, a block, a checksum.  Its
 * bytes of core, if any, are *OUT, *PRODUCED long.  NULL, or why not
 * ("" at the end of the file). */
static const char *decode_next(struct zstd_index *x, struct cursor *c, const unsigned char **out,
			       size_t *produced)
{
	size_t need = ZSTD_nextSrcSizeToDecompress(x->dctx), n;
	const char *why;

	*produced = 0;
	if (need == 0) {
		if (c->in == x->file_size)
			return "";
		why = begin_frame(x, c);
		if (why)
			return why;
		need = ZSTD_nextSrcSizeToDecompress(x->dctx);
	}
	if (need > x->file_size - c->in)
		return "the stream is cut short";
	/* A round buffer, as zstd defines it: each block goes after the one
	 * before, or back at the start when the rest of the ring would not
	 * hold the largest block. */
	if (x->ring_size - c->ring_pos < x->block_max)
		c->ring_pos = 0;
	n = ZSTD_decompressContinue(x->dctx, x->ring + c->ring_pos, x->ring_size - c->ring_pos,
				    x->file + c->in, need);
	if (ZSTD_isError(n))
		return ZSTD_getErrorName(n);
	*out = x->ring + c->ring_pos;
	*produced = n;
	c->in += need;
	c->ring_pos += n;
	c->out += n;
	return NULL;
}

static void restore(struct zstd_index *x, const struct checkpoint *k)
{
	memcpy(x->workspace, k->copy, x->workspace_size);
	memcpy(x->ring, k->copy + x->workspace_size, x->ring_size);
	x->at = (struct cursor){k->in, k->out, k->ring_pos};
	x->at_valid = true;
}

/* Halve the checkpoints, keeping every other one, the first included. */
static void thin(struct zstd_index *x)
{
	size_t i, kept = 0;

	for (i = 0; i < x->ncheckpoints; i++) {
		if (i % 2 == 0)
			x->checkpoints[kept++] = x->checkpoints[i];
		else
			free(x->checkpoints[i].copy);
	}
	x->ncheckpoints = kept;
	x->step *= 2;
}

static bool take_checkpoint(struct zstd_index *x, const struct cursor *c)
{
	size_t snapshot = x->workspace_size + x->ring_size;
	struct checkpoint k = {c->in, c->out, c->ring_pos, malloc(snapshot)}, *grown;

	if (!k.copy)
		return false;
	memcpy(k.copy, x->workspace, x->workspace_size);
	memcpy(k.copy + x->workspace_size, x->ring, x->ring_size);
	grown = vec_grow(x->checkpoints, &x->checkpoints_capacity, x->ncheckpoints + 1,
			 sizeof(*x->checkpoints));
	if (!grown) {
		free(k.copy);
		return false;
	}
	x->checkpoints = grown;
	x->checkpoints[x->ncheckpoints++] = k;
	if ((uint64_t)x->ncheckpoints * snapshot > x->memory && x->ncheckpoints > 2)
		thin(x);
	return true;
}

/* Whether the decoder is between blocks or frames: where it may be
 * copied. */
static bool between_blocks(ZSTD_DCtx *dctx)
{
	ZSTD_nextInputType_e next = ZSTD_nextInputType(dctx);

	return next == ZSTDnit_blockHeader || next == ZSTDnit_frameHeader;
}

/* The first pass: decode everything, noting checkpoints. */
static struct pc_error *index_stream(struct zstd_index *x, uint64_t max_size)
{
	struct cursor c = {0, 0, 0};
	uint64_t next_checkpoint = 0, dropped = 0;
	const unsigned char *out;
	const char *why;
	size_t produced;

	madvise((void *)x->file, x->file_size, MADV_SEQUENTIAL);
	why = begin_frame(x, &c);
	if (why)
		return pc_error_create(PC_ERR_CORRUPT, "%s, at the start of the stream", why);
	for (;;) {
		if (c.out >= next_checkpoint && between_blocks(x->dctx)) {
			if (!take_checkpoint(x, &c))
				return &pc_error_nomem;
			next_checkpoint = c.out + x->step;
		}
		why = decode_next(x, &c, &out, &produced);
		if (why && !why[0])
			break;
		if (why)
			return pc_error_create(PC_ERR_CORRUPT, "%s, %llu bytes into the stream", why,
					       (unsigned long long)c.in);
		if (c.out > max_size)
			return pc_error_create(PC_ERR_CORRUPT, "it holds more than %llu bytes",
					       (unsigned long long)max_size);
		if (c.in - dropped >= DROP_STEP) {
			uint64_t to = c.in & ~(uint64_t)(DROP_STEP - 1);

			madvise((void *)(x->file + dropped), (size_t)(to - dropped), MADV_DONTNEED);
			dropped = to;
		}
	}
	/* Reads decode forwards from a checkpoint: read ahead for them. */
	madvise((void *)x->file, x->file_size, MADV_NORMAL);
	x->size = c.out;
	if (x->size == 0)
		return pc_error_create(PC_ERR_UNSUPPORTED, "the stream holds no bytes");
	return NULL;
}

uint64_t zstd_index_memory(uint64_t budget)
{
	budget /= CHECKPOINT_BUDGET_SHARE;
	return budget > CHECKPOINT_MEMORY_MIN ? budget : CHECKPOINT_MEMORY_MIN;
}

struct pc_error *zstd_index_build(int fd, uint64_t file_size, uint64_t max_size, uint64_t step,
				  uint64_t memory, struct zstd_index **ret)
{
	struct zstd_index *x;
	ZSTD_frameHeader header;
	struct pc_error *err;
	void *map;
	size_t r;

	if (file_size == 0 || file_size > SIZE_MAX)
		return pc_error_create(PC_ERR_UNSUPPORTED, "an empty file");
	map = mmap(NULL, (size_t)file_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		return pc_error_create(PC_ERR_UNSUPPORTED, "mmap: %s", strerror(errno));
	r = ZSTD_getFrameHeader(&header, map, (size_t)file_size);
	if (ZSTD_isError(r) || r > 0 || header.frameType != ZSTD_frame ||
	    header.windowSize > INDEX_WINDOW_MAX) {
		munmap(map, (size_t)file_size);
		return pc_error_create(PC_ERR_UNSUPPORTED, "%s",
				       ZSTD_isError(r) || r > 0 || header.frameType != ZSTD_frame
					       ? "it does not start with a zstd frame"
					       : "its window is too large to index");
	}
	x = calloc(1, sizeof(*x));
	if (!x) {
		munmap(map, (size_t)file_size);
		return &pc_error_nomem;
	}
	x->file = map;
	x->file_size = (size_t)file_size;
	x->window = header.windowSize > WINDOW_MIN ? header.windowSize : WINDOW_MIN;
	/* An error only where a window does not fit the address space. */
	x->ring_size = ZSTD_decodingBufferSize_min(x->window, ZSTD_CONTENTSIZE_UNKNOWN);
	if (ZSTD_isError(x->ring_size))
		x->ring_size = 0;
	x->workspace_size = (ZSTD_estimateDCtxSize() + 63) & ~(size_t)63;
	x->step = step ? step : 1;
	x->memory = memory;
	x->workspace = aligned_alloc(64, x->workspace_size);
	x->ring = x->ring_size ? malloc(x->ring_size) : NULL;
	if (x->workspace)
		x->dctx = ZSTD_initStaticDCtx(x->workspace, x->workspace_size);
	err = &pc_error_nomem;
	if (x->dctx && x->ring)
		err = index_stream(x, max_size);
	if (err) {
		zstd_index_destroy(x);
		return err;
	}
	*ret = x;
	return NULL;
}

uint64_t zstd_index_size(const struct zstd_index *index)
{
	return index->size;
}

/* The last checkpoint at or before AT. */
static const struct checkpoint *checkpoint_before(const struct zstd_index *x, uint64_t at)
{
	size_t lo = 0, hi = x->ncheckpoints;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (x->checkpoints[mid].out <= at)
			lo = mid;
		else
			hi = mid;
	}
	return &x->checkpoints[lo];
}

const char *zstd_index_read(struct zstd_index *index, uint64_t at, unsigned char *buf,
			    size_t len)
{
	const struct checkpoint *k = checkpoint_before(index, at);
	uint64_t end = at + len;

	/* Go on from where the last read stopped, unless a checkpoint is
	 * nearer or the bytes are behind it. */
	if (!index->at_valid || index->at.out > at || k->out > index->at.out)
		restore(index, k);
	while (index->at.out < end) {
		uint64_t from = index->at.out, lo, hi;
		const unsigned char *out;
		const char *why;
		size_t produced;

		why = decode_next(index, &index->at, &out, &produced);
		if (why) {
			index->at_valid = false;
			return why[0] ? why : "the stream ends before them";
		}
		lo = from > at ? from : at;
		hi = from + produced < end ? from + produced : end;
		if (lo < hi)
			memcpy(buf + (lo - at), out + (lo - from), (size_t)(hi - lo));
	}
	return NULL;
}

void zstd_index_destroy(struct zstd_index *index)
{
	size_t i;

	if (!index)
		return;
	for (i = 0; i < index->ncheckpoints; i++)
		free(index->checkpoints[i].copy);
	free(index->checkpoints);
	free(index->workspace);
	free(index->ring);
	munmap((void *)index->file, index->file_size);
	free(index);
}
