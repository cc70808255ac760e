/* zstd's seekable format as input/seekable_*.c write and read it: a round
 * trip through a memfd, the frame that holds each offset, the image that
 * decompresses frames as they are touched, and seek tables that lie. */
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

#include "base/error.h"
#include "input/seekable.h"
#include "input/seekable_image.h"

/* Two whole frames and a part: 5 MiB of bytes that differ by offset. */
#define DATA_SIZE ((size_t)SEEKABLE_FRAME_SIZE * 2 + (1u << 20))

static unsigned char *make_data(void)
{
	unsigned char *data = malloc(DATA_SIZE);
	size_t i;

	assert_non_null(data);
	for (i = 0; i < DATA_SIZE; i++)
		data[i] = (unsigned char)(i * 31 + (i >> 12));
	return data;
}

/* DATA written in the seekable format into a memfd, by THREADS threads;
 * its size in *SIZE. */
static int write_with(const unsigned char *data, size_t len, unsigned threads, uint64_t *size)
{
	struct seekable_writer *writer;
	int fd = memfd_create("test-seekable", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_null(seekable_writer_create(fd, 1, threads, NULL, NULL, &writer));
	/* In pieces that do not fall on frames. */
	assert_null(seekable_write(writer, data, 1000));
	assert_null(seekable_write(writer, data + 1000, len - 1000));
	assert_null(seekable_writer_finish(writer));
	seekable_writer_destroy(writer);
	*size = (uint64_t)lseek(fd, 0, SEEK_END);
	return fd;
}

static int write_seekable(const unsigned char *data, size_t len, uint64_t *size)
{
	return write_with(data, len, 2, size);
}

static unsigned char *read_all(int fd, uint64_t size)
{
	unsigned char *blob = malloc(size);

	assert_non_null(blob);
	assert_int_equal(pread(fd, blob, size, 0), (ssize_t)size);
	return blob;
}

static void test_round_trip(void **state)
{
	unsigned char *data = make_data();
	struct seekable_table table;
	struct pc_error *err;
	uint64_t size;
	int fd = write_seekable(data, DATA_SIZE, &size);

	(void)state;
	assert_null(seekable_table_read(fd, size, &table));
	assert_int_equal(table.nframes, 3);
	assert_int_equal(table.data_size, DATA_SIZE);
	assert_int_equal(table.frames[0].size, SEEKABLE_FRAME_SIZE);
	assert_int_equal(table.frames[2].size, 1u << 20);
	assert_int_equal(table.frames[1].offset, table.frames[0].compressed_size);
	assert_int_equal(seekable_frame_at(&table, 0), 0);
	assert_int_equal(seekable_frame_at(&table, SEEKABLE_FRAME_SIZE - 1), 0);
	assert_int_equal(seekable_frame_at(&table, SEEKABLE_FRAME_SIZE), 1);
	assert_int_equal(seekable_frame_at(&table, DATA_SIZE - 1), 2);
	assert_int_equal(seekable_frame_at(&table, DATA_SIZE), 3);
	/* The frames' own headers agree, until the table says otherwise. */
	assert_null(seekable_table_verify(fd, &table));
	table.frames[1].size += 4096;
	err = seekable_table_verify(fd, &table);
	assert_non_null(err);
	pc_error_destroy(err);
	table.frames[1].size -= 4096;
	table.frames[2].offset += 1;
	err = seekable_table_verify(fd, &table);
	assert_non_null(err);
	pc_error_destroy(err);
	seekable_table_deinit(&table);
	close(fd);
	free(data);
}

/* Threads or none, the same bytes in the same order. */
static void test_threads(void **state)
{
	unsigned char *data = make_data(), *one, *three;
	uint64_t size_one, size_three;
	int fd_one = write_with(data, DATA_SIZE, 0, &size_one);
	int fd_three = write_with(data, DATA_SIZE, 3, &size_three);

	(void)state;
	assert_int_equal(size_one, size_three);
	one = read_all(fd_one, size_one);
	three = read_all(fd_three, size_three);
	assert_memory_equal(one, three, size_one);
	free(one);
	free(three);
	close(fd_one);
	close(fd_three);
	free(data);
}

static void test_not_seekable(void **state)
{
	static const unsigned char plain[64] = {0x28, 0xb5, 0x2f, 0xfd};
	struct seekable_table table;

	(void)state;
	assert_null(seekable_table_parse(plain, sizeof(plain), sizeof(plain), &table));
	assert_null(table.frames);
	assert_null(seekable_table_parse(plain, 3, 3, &table));
	assert_null(table.frames);
}

/* The blob of a seekable file of DATA with BYTE of its table (counted from
 * the end) replaced by VALUE: whether the table is then refused. */
static bool refused_with(size_t from_end, unsigned char value)
{
	unsigned char *data = make_data(), *blob;
	struct seekable_table table;
	struct pc_error *err;
	uint64_t size;
	int fd = write_seekable(data, DATA_SIZE, &size);

	blob = read_all(fd, size);
	blob[size - from_end] = value;
	err = seekable_table_parse(blob, size, size, &table);
	seekable_table_deinit(&table);
	close(fd);
	free(blob);
	free(data);
	if (!err)
		return false;
	pc_error_destroy(err);
	return true;
}

static void test_lies(void **state)
{
	/* The footer: count (9..6 from the end), descriptor (5). */
	(void)state;
	assert_true(refused_with(6, 0x7f));	/* a count past the file */
	assert_true(refused_with(9, 4));	/* one frame more than listed */
	assert_true(refused_with(5, 0x04));	/* a reserved bit */
	/* The last entry (17..10 from the end): compressed size, then size. */
	assert_true(refused_with(16, 0x40));	/* compressed past the table */
	assert_true(refused_with(10, 0x40));	/* 1 GiB more than a frame holds */
	assert_true(refused_with(17, 0));	/* frames end before the table */
}

static void test_image(void **state)
{
	unsigned char *data = make_data();
	struct seekable_image *image;
	struct seekable_table table;
	const unsigned char *bytes;
	struct pc_error *err;
	uint64_t size;
	int fd = write_seekable(data, DATA_SIZE, &size);

	(void)state;
	assert_null(seekable_table_read(fd, size, &table));
	err = seekable_image_open(fd, &table, &image);
	if (err && err->code == PC_ERR_UNSUPPORTED) {
		pc_error_destroy(err);
		close(fd);
		free(data);
		skip();
	}
	assert_null(err);
	bytes = seekable_image_bytes(image);
	assert_int_equal(seekable_image_size(image), DATA_SIZE);
	/* The last frame first, then across the first two. */
	assert_memory_equal(bytes + DATA_SIZE - 4096, data + DATA_SIZE - 4096, 4096);
	assert_memory_equal(bytes + SEEKABLE_FRAME_SIZE - 100, data + SEEKABLE_FRAME_SIZE - 100,
			    200);
	assert_memory_equal(bytes, data, DATA_SIZE);
	assert_null(seekable_image_problem(image));
	seekable_image_close(image);
	seekable_table_deinit(&table);
	close(fd);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_not_seekable),
		cmocka_unit_test(test_lies),
		cmocka_unit_test(test_image),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
