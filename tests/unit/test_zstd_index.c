/* zstd streams without a seek table, read at any offset through the
 * checkpoints of input/zstd_index.c: every read against the bytes that
 * were compressed, with checkpoints close together, with so little memory
 * that they are thinned, across frames of several sizes and a skippable
 * frame, and streams that are cut short, too large or whose window is
 * not worth indexing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>
#include <zstd.h>

#include "base/error.h"
#include "input/zstd_index.h"

/* Larger than the window, so that the ring wraps many times. */
#define DATA_SIZE ((size_t)6 << 20)
#define STEP ((uint64_t)256 << 10)
#define LOTS ((uint64_t)1 << 30)

/* Bytes that compress, but not to nothing: text-like runs that repeat
 * within the window, broken by bytes from a generator. */
static unsigned char *make_data(void)
{
	unsigned char *data = malloc(DATA_SIZE);
	uint32_t state = 12345;
	size_t i;

	assert_non_null(data);
	for (i = 0; i < DATA_SIZE; i++) {
		state = state * 1103515245u + 12345u;
		data[i] = (i / 4096) % 3 == 0 ? (unsigned char)(state >> 24)
					      : (unsigned char)("line of a log; "[i % 15] + (i >> 16));
	}
	return data;
}

static int memfd_with(const void *bytes, size_t len)
{
	int fd = memfd_create("test-zstd-index", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, bytes, len), (ssize_t)len);
	return fd;
}

/* DATA[0, LEN) as one zstd frame at LEVEL with a window of 2^WINDOW_LOG,
 * appended to OUT (*OUT_LEN bytes so far, room for CAP). */
static void compress_frame(const unsigned char *data, size_t len, int level, int window_log,
			   unsigned char *out, size_t *out_len, size_t cap)
{
	ZSTD_CCtx *cctx = ZSTD_createCCtx();
	ZSTD_inBuffer in = {data, len, 0};
	ZSTD_outBuffer o = {out + *out_len, cap - *out_len, 0};
	size_t left;

	assert_non_null(cctx);
	ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
	ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog, window_log);
	ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
	/* Fed as a stream: the frame does not say its size, and its window
	 * is the one asked for, as with a core compressed from a pipe. */
	while (in.pos < in.size)
		assert_false(ZSTD_isError(ZSTD_compressStream2(cctx, &o, &in, ZSTD_e_continue)));
	do {
		left = ZSTD_compressStream2(cctx, &o, &in, ZSTD_e_end);
		assert_false(ZSTD_isError(left));
	} while (left != 0);
	*out_len += o.pos;
	ZSTD_freeCCtx(cctx);
}

static struct zstd_index *index_of(const unsigned char *file, size_t len, uint64_t memory)
{
	struct zstd_index *index = NULL;
	struct pc_error *err;
	int fd = memfd_with(file, len);

	err = zstd_index_build(fd, len, LOTS, STEP, memory, &index);
	close(fd);
	if (err)
		fail_msg("zstd_index_build: %s", err->message);
	return index;
}

/* Reads backwards, forwards, across checkpoints and at the end, each
 * against DATA. */
static void reads_agree(struct zstd_index *index, const unsigned char *data, size_t len)
{
	static const size_t sizes[] = {1, 4096, 100000, 1 << 20};
	unsigned char *buf = malloc(1 << 20);
	uint32_t state = 7;
	unsigned i;

	assert_non_null(buf);
	assert_int_equal(zstd_index_size(index), len);
	for (i = 0; i < 400; i++) {
		size_t n = sizes[i % 4];
		uint64_t at;

		state = state * 1103515245u + 12345u;
		at = (uint64_t)(state % (uint32_t)(len - n + 1));
		if (i % 50 == 0)
			at = len - n;
		assert_null(zstd_index_read(index, at, buf, n));
		assert_memory_equal(buf, data + at, n);
	}
	assert_non_null(zstd_index_read(index, len - 10, buf, 20));
	free(buf);
}

/* One frame, its checkpoints taking at most MEMORY bytes. */
static void one_frame(uint64_t memory)
{
	unsigned char *data = make_data(), *file = malloc(DATA_SIZE * 2);
	size_t len = 0;
	struct zstd_index *index;

	assert_non_null(file);
	compress_frame(data, DATA_SIZE, 3, 20, file, &len, DATA_SIZE * 2);
	index = index_of(file, len, memory);
	reads_agree(index, data, DATA_SIZE);
	zstd_index_destroy(index);
	free(file);
	free(data);
}

static void test_one_frame(void **state)
{
	(void)state;
	one_frame(LOTS);
}

/* Room for three checkpoints: they are thinned again and again, and the
 * reads decode further. */
static void test_thinned(void **state)
{
	(void)state;
	one_frame(3 * ((2u << 20) + (256u << 10)));
}

/* Three frames (the second at another level and window) with a
 * skippable frame between the first two, as zstd's tools write them. */
static void test_frames(void **state)
{
	static const unsigned char skippable[] = {0x50, 0x2a, 0x4d, 0x18, 4, 0, 0, 0, 1, 2, 3, 4};
	unsigned char *data = make_data(), *file = malloc(DATA_SIZE * 2);
	size_t len = 0, third = DATA_SIZE / 3;
	struct zstd_index *index;

	(void)state;
	assert_non_null(file);
	compress_frame(data, third, 3, 20, file, &len, DATA_SIZE * 2);
	memcpy(file + len, skippable, sizeof(skippable));
	len += sizeof(skippable);
	compress_frame(data + third, third, 1, 18, file, &len, DATA_SIZE * 2);
	compress_frame(data + 2 * third, DATA_SIZE - 2 * third, 5, 19, file, &len, DATA_SIZE * 2);
	index = index_of(file, len, LOTS);
	reads_agree(index, data, DATA_SIZE);
	zstd_index_destroy(index);
	free(file);
	free(data);
}

static void refused(const unsigned char *file, size_t len, uint64_t max_size, int code)
{
	struct zstd_index *index = NULL;
	struct pc_error *err;
	int fd = memfd_with(file, len);

	err = zstd_index_build(fd, len, max_size, STEP, LOTS, &index);
	close(fd);
	assert_non_null(err);
	assert_int_equal(err->code, code);
	assert_null(index);
	pc_error_destroy(err);
}

static void test_refused(void **state)
{
	unsigned char *data = make_data(), *file = malloc(DATA_SIZE * 2);
	size_t len = 0;

	(void)state;
	assert_non_null(file);
	compress_frame(data, DATA_SIZE, 3, 20, file, &len, DATA_SIZE * 2);
	refused(file, len - 100, LOTS, PC_ERR_CORRUPT);
	refused(file, len, DATA_SIZE - 1, PC_ERR_CORRUPT);
	refused(file, 0, LOTS, PC_ERR_UNSUPPORTED);
	/* A second frame whose window is larger than the ring. */
	compress_frame(data, DATA_SIZE, 3, 23, file, &len, DATA_SIZE * 2);
	refused(file, len, LOTS, PC_ERR_CORRUPT);
	/* A window past INDEX_WINDOW_MAX: not worth indexing. */
	len = 0;
	compress_frame(data, DATA_SIZE, 3, 24, file, &len, DATA_SIZE * 2);
	refused(file, len, LOTS, PC_ERR_UNSUPPORTED);
	/* A frame of nothing; a skippable frame first. */
	len = 0;
	compress_frame(data, 0, 3, 20, file, &len, DATA_SIZE * 2);
	refused(file, len, LOTS, PC_ERR_UNSUPPORTED);
	memcpy(file, "\x50\x2a\x4d\x18\0\0\0\0", 8);
	len = 8;
	compress_frame(data, DATA_SIZE, 3, 20, file, &len, DATA_SIZE * 2);
	refused(file, len, LOTS, PC_ERR_UNSUPPORTED);
	free(file);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_frame),
		cmocka_unit_test(test_thinned),
		cmocka_unit_test(test_frames),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
