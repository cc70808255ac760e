#include "input/format.h"

#include <lz4frame.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

/* xz -9 needs 65 MiB to decode; a header that asks for more than this is
 * refused rather than obeyed, so a crafted stream cannot exhaust memory.
 * zstd (128 MiB windows) and lz4 (4 MiB blocks) have their own caps. */
#define XZ_MEMLIMIT (256ULL << 20)

static void *plain_create(void)
{
	static char none;

	return &none;
}

static const char *plain_decode(void *state, const unsigned char *in, size_t in_len,
				size_t *consumed, unsigned char *out, size_t out_cap,
				size_t *produced, bool finish, bool *complete)
{
	size_t n = in_len < out_cap ? in_len : out_cap;

	(void)state;
	(void)finish;
	memcpy(out, in, n);
	*consumed = *produced = n;
	*complete = true;
	return NULL;
}

static void plain_destroy(void *state)
{
	(void)state;
}

static void *xz_create(void)
{
	lzma_stream *stream = malloc(sizeof(*stream));
	const lzma_stream init = LZMA_STREAM_INIT;

	if (!stream)
		return NULL;
	*stream = init;
	/* xz concatenates streams as gzip concatenates members. */
	if (lzma_stream_decoder(stream, XZ_MEMLIMIT, LZMA_CONCATENATED) != LZMA_OK) {
		free(stream);
		return NULL;
	}
	return stream;
}

static const char *xz_error(lzma_ret ret)
{
	switch (ret) {
	case LZMA_MEM_ERROR:
		return "out of memory";
	case LZMA_MEMLIMIT_ERROR:
		return "the stream needs more than 256 MiB of memory to decode";
	case LZMA_FORMAT_ERROR:
		return "not an xz stream";
	case LZMA_OPTIONS_ERROR:
		return "unsupported compression options";
	case LZMA_DATA_ERROR:
		return "compressed data is corrupt";
	default:
		return "liblzma error";
	}
}

static const char *xz_decode(void *state, const unsigned char *in, size_t in_len,
			     size_t *consumed, unsigned char *out, size_t out_cap,
			     size_t *produced, bool finish, bool *complete)
{
	lzma_stream *stream = state;
	lzma_ret ret;

	stream->next_in = in;
	stream->avail_in = in_len;
	stream->next_out = out;
	stream->avail_out = out_cap;
	ret = lzma_code(stream, finish ? LZMA_FINISH : LZMA_RUN);
	*consumed = in_len - stream->avail_in;
	*produced = out_cap - stream->avail_out;
	/* With LZMA_CONCATENATED, only LZMA_FINISH tells whether the last
	 * stream was whole: LZMA_STREAM_END, or LZMA_BUF_ERROR when cut. */
	if (ret == LZMA_STREAM_END) {
		*complete = true;
		return NULL;
	}
	*complete = false;
	if (ret == LZMA_OK || ret == LZMA_BUF_ERROR)
		return NULL;
	return xz_error(ret);
}

static void xz_destroy(void *state)
{
	lzma_end(state);
	free(state);
}

static void *zstd_create(void)
{
	return ZSTD_createDStream();
}

static const char *zstd_decode(void *state, const unsigned char *in, size_t in_len,
			       size_t *consumed, unsigned char *out, size_t out_cap,
			       size_t *produced, bool finish, bool *complete)
{
	ZSTD_inBuffer input = {in, in_len, 0};
	ZSTD_outBuffer output = {out, out_cap, 0};
	size_t ret = ZSTD_decompressStream(state, &output, &input);

	(void)finish;
	*consumed = input.pos;
	*produced = output.pos;
	if (ZSTD_isError(ret))
		return ZSTD_getErrorName(ret);
	/* 0: a frame ended and is flushed; between frames, a call with no
	 * input says nothing about where the stream stands. */
	if (ret == 0)
		*complete = true;
	else if (input.pos > 0)
		*complete = false;
	return NULL;
}

static void zstd_destroy(void *state)
{
	ZSTD_freeDStream(state);
}

static void *lz4_create(void)
{
	LZ4F_dctx *dctx;

	if (LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION)))
		return NULL;
	return dctx;
}

static const char *lz4_decode(void *state, const unsigned char *in, size_t in_len,
			      size_t *consumed, unsigned char *out, size_t out_cap,
			      size_t *produced, bool finish, bool *complete)
{
	size_t src = in_len, dst = out_cap, ret;

	(void)finish;
	ret = LZ4F_decompress(state, out, &dst, in, &src, NULL);
	*consumed = src;
	*produced = dst;
	if (LZ4F_isError(ret))
		return LZ4F_getErrorName(ret);
	/* As zstd: 0 at the end of a frame; the next call starts another. */
	if (ret == 0)
		*complete = true;
	else if (src > 0)
		*complete = false;
	return NULL;
}

static void lz4_destroy(void *state)
{
	LZ4F_freeDecompressionContext(state);
}

const struct format format_plain = {
	.create = plain_create,
	.decode = plain_decode,
	.destroy = plain_destroy,
};

/* By magic bytes.  Formats people compress cores with but pycore does not
 * read are named, so that the error says what to do. */
static const struct format formats[] = {
	{"xz", {0xfd, '7', 'z', 'X', 'Z', 0x00}, 6, xz_create, xz_decode, xz_destroy,
	 "it ends before the stream's index and footer", NULL},
	{"zstd", {0x28, 0xb5, 0x2f, 0xfd}, 4, zstd_create, zstd_decode, zstd_destroy,
	 "it ends in the middle of a frame", NULL},
	{"lz4", {0x04, 0x22, 0x4d, 0x18}, 4, lz4_create, lz4_decode, lz4_destroy,
	 "it ends in the middle of a frame", NULL},
	{"gzip", {0x1f, 0x8b}, 2, NULL, NULL, NULL, NULL, "zcat"},
	{"bzip2", {'B', 'Z', 'h'}, 3, NULL, NULL, NULL, NULL, "bzcat"},
	{"legacy lz4", {0x02, 0x21, 0x4c, 0x18}, 4, NULL, NULL, NULL, NULL, "lz4 -dc"},
};

const struct format *format_detect(const unsigned char *bytes, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (len >= formats[i].magic_len &&
		    memcmp(bytes, formats[i].magic, formats[i].magic_len) == 0)
			return &formats[i];
	return &format_plain;
}
