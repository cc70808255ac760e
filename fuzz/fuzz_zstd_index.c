/* libFuzzer target: the index of a zstd stream without a seek table
 * (input/zstd_index.c), against zstd's own streaming decoder.
 *
 * The input is the compressed file.  Checkpoints are taken every 4 KiB
 * with room for a few only, so that they are thinned as the stream goes
 * on.  An index that is built must hold what the streaming decoder
 * makes of the file, byte for byte, read at offsets that go back and
 * forth; an index that is refused must say why and hold nothing. */
#include "base/error.h"
#include "input/zstd_index.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zstd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What a fuzz input may decompress to: enough for many checkpoints. */
#define OUT_CAP ((size_t)8 << 20)
#define STEP 4096u
#define MEMORY ((uint64_t)6 << 20)

/* DATA decompressed by zstd's streaming decoder into OUT; its length, or
 * -1 when it is not a whole zstd stream of at most OUT_CAP bytes. */
static long reference(const uint8_t *data, size_t size, unsigned char *out)
{
	ZSTD_DStream *d = ZSTD_createDStream();
	ZSTD_inBuffer in = {data, size, 0};
	ZSTD_outBuffer o = {out, OUT_CAP, 0};
	size_t last = 1;

	if (!d)
		abort();
	while (in.pos < in.size) {
		size_t before = in.pos + o.pos;

		last = ZSTD_decompressStream(d, &o, &in);
		if (ZSTD_isError(last) || o.pos == OUT_CAP || in.pos + o.pos == before)
			break;
	}
	ZSTD_freeDStream(d);
	return ZSTD_isError(last) || last != 0 || in.pos != in.size ? -1 : (long)o.pos;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char *expected, *got;
	struct zstd_index *index = NULL;
	struct pc_error *err;
	uint64_t total, at;
	long len;
	int fd = memfd_create("fuzz-zstd-index", MFD_CLOEXEC);
	unsigned i;

	if (!expected && (!(expected = malloc(OUT_CAP)) || !(got = malloc(OUT_CAP))))
		abort();
	if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
		perror("fuzz_zstd_index: memfd");
		abort();
	}
	err = zstd_index_build(fd, size, OUT_CAP - 1, STEP, MEMORY, &index);
	close(fd);
	if (err) {
		if (index || !err->message[0])
			abort();
		pc_error_destroy(err);
		return 0;
	}
	len = reference(data, size, expected);
	total = zstd_index_size(index);
	if (len < 0 || total != (uint64_t)len)
		abort();
	/* From the end back to the start, then a stride forwards. */
	for (i = 0, at = total; i < 8 && at > 0; i++) {
		uint64_t from = at > 3 * STEP ? at - 3 * STEP : 0;

		if (zstd_index_read(index, from, got, (size_t)(at - from)) ||
		    memcmp(got, expected + from, (size_t)(at - from)) != 0)
			abort();
		at = from;
	}
	for (at = 0; at < total; at += total / 5 + 1) {
		size_t n = total - at < 5000 ? (size_t)(total - at) : 5000;

		if (zstd_index_read(index, at, got, n) || memcmp(got, expected + at, n) != 0)
			abort();
	}
	if (!zstd_index_read(index, total, got, 1))
		abort();
	zstd_index_destroy(index);
	return 0;
}
