#include "input/seekable.h"

#include "base/error.h"
#include "base/vec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

/* One seek table entry as written: compressed, then uncompressed size. */
struct entry {
	uint32_t compressed_size;
	uint32_t size;
};

struct seekable_writer {
	int fd;
	ZSTD_CCtx *cctx;
	seekable_check_fn *check;
	void *check_arg;
	unsigned char *frame;	/* the frame being filled, SEEKABLE_FRAME_SIZE */
	size_t frame_len;
	unsigned char *out;	/* one compressed frame at its largest */
	size_t out_cap;
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

struct pc_error *seekable_writer_create(int fd, int level, seekable_check_fn *check,
					void *check_arg, struct seekable_writer **ret)
{
	struct seekable_writer *w = calloc(1, sizeof(*w));

	if (!w)
		return &pc_error_nomem;
	w->fd = fd;
	w->check = check;
	w->check_arg = check_arg;
	w->out_cap = ZSTD_compressBound(SEEKABLE_FRAME_SIZE);
	w->cctx = ZSTD_createCCtx();
	w->frame = malloc(SEEKABLE_FRAME_SIZE);
	w->out = malloc(w->out_cap);
	if (!w->cctx || !w->frame || !w->out) {
		seekable_writer_destroy(w);
		return &pc_error_nomem;
	}
	ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel, level);
	/* Each frame checks itself, as zstd -d verifies; the table's own
	 * checksums (XXH64, not in libzstd's API) are left out. */
	ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 1);
	*ret = w;
	return NULL;
}

/* Compress the frame buffer as one frame and list it. */
static struct pc_error *flush_frame(struct seekable_writer *w)
{
	struct pc_error *err;
	struct entry *grown;
	size_t n;

	if (w->frame_len == 0)
		return NULL;
	grown = vec_grow(w->entries, &w->entries_capacity, w->nentries + 1, sizeof(*w->entries));
	if (!grown)
		return &pc_error_nomem;
	w->entries = grown;
	n = ZSTD_compress2(w->cctx, w->out, w->out_cap, w->frame, w->frame_len);
	if (ZSTD_isError(n))
		return pc_error_create(PC_ERR_LIBRARY, "ZSTD_compress2: %s", ZSTD_getErrorName(n));
	err = write_all(w, w->out, n);
	if (err)
		return err;
	w->entries[w->nentries].compressed_size = (uint32_t)n;
	w->entries[w->nentries].size = (uint32_t)w->frame_len;
	w->nentries++;
	w->frame_len = 0;
	return NULL;
}

struct pc_error *seekable_write(struct seekable_writer *w, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	struct pc_error *err;

	while (len > 0) {
		size_t take = SEEKABLE_FRAME_SIZE - w->frame_len;

		if (take > len)
			take = len;
		memcpy(w->frame + w->frame_len, p, take);
		w->frame_len += take;
		p += take;
		len -= take;
		if (w->frame_len == SEEKABLE_FRAME_SIZE && (err = flush_frame(w)) != NULL)
			return err;
	}
	return NULL;
}

struct pc_error *seekable_writer_finish(struct seekable_writer *w)
{
	struct pc_error *err = flush_frame(w);
	unsigned char *table, *p;
	size_t body, i;

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
	if (!w)
		return;
	ZSTD_freeCCtx(w->cctx);
	free(w->frame);
	free(w->out);
	free(w->entries);
	free(w);
}
