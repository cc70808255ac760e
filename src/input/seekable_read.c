#include "input/seekable.h"

#include "base/error.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#define CHECKSUM_FLAG 0x80u
#define RESERVED_BITS 0x7cu
/* The longest zstd frame header: what tells a frame's size. */
#define FRAME_HEADER_MAX 18
/* The skippable frame's magic and size before the entries. */
#define TABLE_HEADER 8

static uint32_t get_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The size of the seek table that the footer at the end of TAIL (at least
 * SEEKABLE_FOOTER_SIZE bytes) announces, with its entries' size in
 * *ENTRY_SIZE; 0 when the file has no seek table.  An error when the
 * footer lies. */
static struct pc_error *table_size(const unsigned char *tail, size_t tail_len, uint64_t file_size,
				   uint64_t *ret, size_t *entry_size, uint32_t *nframes)
{
	const unsigned char *footer = tail + tail_len - SEEKABLE_FOOTER_SIZE;
	uint64_t size;

	*ret = 0;
	if (get_le32(footer + 5) != SEEKABLE_MAGIC)
		return NULL;
	if (footer[4] & RESERVED_BITS)
		return pc_error_create(PC_ERR_UNSUPPORTED, "the zstd seek table's descriptor has "
							   "reserved bits set (0x%02x)",
				       footer[4]);
	*nframes = get_le32(footer);
	*entry_size = footer[4] & CHECKSUM_FLAG ? 12 : 8;
	if (*nframes > SEEKABLE_MAX_FRAMES)
		return pc_error_create(PC_ERR_LIMIT, "the zstd seek table lists %u frames, more than "
						     "the %u pycore reads",
				       *nframes, SEEKABLE_MAX_FRAMES);
	size = TABLE_HEADER + (uint64_t)*nframes * *entry_size + SEEKABLE_FOOTER_SIZE;
	if (size > file_size)
		return pc_error_create(PC_ERR_CORRUPT, "the zstd seek table lists %u frames, more "
						       "than its %llu-byte file holds",
				       *nframes, (unsigned long long)file_size);
	*ret = size;
	return NULL;
}

struct pc_error *seekable_table_parse(const unsigned char *tail, size_t tail_len,
				      uint64_t file_size, struct seekable_table *ret)
{
	uint64_t size, offset = 0, data_offset = 0, frames_end;
	const unsigned char *table, *entry;
	struct seekable_frame *frames;
	struct pc_error *err;
	size_t entry_size = 8, i;
	uint32_t nframes = 0;

	memset(ret, 0, sizeof(*ret));
	if (tail_len < SEEKABLE_FOOTER_SIZE || tail_len > file_size)
		return NULL;
	err = table_size(tail, tail_len, file_size, &size, &entry_size, &nframes);
	if (err || size == 0)
		return err;
	if (size > tail_len)
		return pc_error_create(PC_ERR_CORRUPT, "the zstd seek table is cut short");
	table = tail + tail_len - size;
	if (get_le32(table) != SEEKABLE_SKIPPABLE_MAGIC || get_le32(table + 4) != size - TABLE_HEADER)
		return pc_error_create(PC_ERR_CORRUPT, "the zstd seek table is not one skippable "
						       "frame of its own size");
	frames_end = file_size - size;
	frames = calloc(nframes ? nframes : 1, sizeof(*frames));
	if (!frames)
		return &pc_error_nomem;
	entry = table + TABLE_HEADER;
	for (i = 0; i < nframes; i++, entry += entry_size) {
		uint32_t compressed = get_le32(entry), decompressed = get_le32(entry + 4);

		/* Each frame must hold no more than a reader decompresses at
		 * once, and lie before the table, one after the other. */
		if (decompressed > SEEKABLE_MAX_FRAME_SIZE) {
			free(frames);
			return pc_error_create(PC_ERR_LIMIT, "the zstd seek table's frame %zu holds "
							     "%u bytes, more than the %u pycore "
							     "decompresses at once",
					       i, decompressed, SEEKABLE_MAX_FRAME_SIZE);
		}
		if (compressed > frames_end - offset || (decompressed && !compressed) ||
		    (decompressed && compressed > ZSTD_compressBound(decompressed))) {
			free(frames);
			return pc_error_create(PC_ERR_CORRUPT, "the zstd seek table's frame %zu (%u "
							       "bytes at %llu, %u uncompressed) does "
							       "not fit its file",
					       i, compressed, (unsigned long long)offset,
					       decompressed);
		}
		frames[i].offset = offset;
		frames[i].data_offset = data_offset;
		frames[i].compressed_size = compressed;
		frames[i].size = decompressed;
		offset += compressed;
		data_offset += decompressed;
	}
	if (offset != frames_end) {
		free(frames);
		return pc_error_create(PC_ERR_CORRUPT, "the zstd seek table's frames end at %llu, "
						       "not at the table (%llu)",
				       (unsigned long long)offset, (unsigned long long)frames_end);
	}
	ret->frames = frames;
	ret->nframes = nframes;
	ret->data_size = data_offset;
	return NULL;
}

struct pc_error *seekable_table_read(int fd, uint64_t file_size, struct seekable_table *ret)
{
	unsigned char footer[SEEKABLE_FOOTER_SIZE], *tail;
	size_t entry_size = 8;
	uint32_t nframes = 0;
	struct pc_error *err;
	uint64_t size;

	memset(ret, 0, sizeof(*ret));
	if (file_size < SEEKABLE_FOOTER_SIZE ||
	    pread(fd, footer, sizeof(footer), (off_t)(file_size - sizeof(footer))) !=
		    (ssize_t)sizeof(footer))
		return NULL;
	err = table_size(footer, sizeof(footer), file_size, &size, &entry_size, &nframes);
	if (err || size == 0)
		return err;
	tail = malloc(size);
	if (!tail)
		return &pc_error_nomem;
	if (pread(fd, tail, size, (off_t)(file_size - size)) != (ssize_t)size)
		err = pc_error_create(PC_ERR_IO, "reading the zstd seek table: %s",
				      strerror(errno ? errno : EIO));
	else
		err = seekable_table_parse(tail, size, file_size, ret);
	free(tail);
	return err;
}

struct pc_error *seekable_table_verify(int fd, const struct seekable_table *table)
{
	unsigned char header[FRAME_HEADER_MAX];
	size_t i;

	for (i = 0; i < table->nframes; i++) {
		const struct seekable_frame *f = &table->frames[i];
		size_t want = f->compressed_size < sizeof(header) ? f->compressed_size
								   : sizeof(header);
		unsigned long long size;
		ssize_t n;

		if (f->size == 0)
			continue;
		n = pread(fd, header, want, (off_t)f->offset);
		if (n != (ssize_t)want)
			return pc_error_create(PC_ERR_IO, "reading zstd frame %zu: %s", i,
					       n < 0 ? strerror(errno) : "cut short");
		size = ZSTD_getFrameContentSize(header, want);
		if (size == ZSTD_CONTENTSIZE_ERROR)
			return pc_error_create(PC_ERR_CORRUPT, "the zstd seek table's frame %zu (at "
							       "%llu) is not a zstd frame",
					       i, (unsigned long long)f->offset);
		/* One entry, one frame, as the format defines it. */
		if (size != ZSTD_CONTENTSIZE_UNKNOWN && size != f->size)
			return pc_error_create(PC_ERR_CORRUPT, "the zstd seek table's frame %zu "
							       "says %u bytes, its header %llu",
					       i, f->size, size);
	}
	return NULL;
}

size_t seekable_frame_at(const struct seekable_table *table, uint64_t offset)
{
	size_t lo = 0, hi = table->nframes;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct seekable_frame *f = &table->frames[mid];

		if (offset < f->data_offset)
			hi = mid;
		else if (offset - f->data_offset >= f->size)
			lo = mid + 1;
		else
			return mid;
	}
	return table->nframes;
}

void seekable_table_deinit(struct seekable_table *table)
{
	free(table->frames);
	memset(table, 0, sizeof(*table));
}
