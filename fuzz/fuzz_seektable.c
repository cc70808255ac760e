/* libFuzzer target: the seek table of zstd's seekable format
 * (input/seekable_read.c), read from the end of a file that is the input.
 *
 * Whatever the table says, a table that is accepted must describe frames
 * that lie one after the other before it, within the file, and every
 * uncompressed offset must be found in the frame that holds it. */
#include "base/error.h"
#include "input/seekable.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct seekable_table *table, uint64_t file_size)
{
	uint64_t end = 0, data_end = 0;
	size_t i;

	for (i = 0; i < table->nframes; i++) {
		const struct seekable_frame *f = &table->frames[i];

		if (f->offset != end || f->data_offset != data_end || f->size > SEEKABLE_MAX_FRAME_SIZE)
			abort();
		end += f->compressed_size;
		data_end += f->size;
		if (f->size && seekable_frame_at(table, f->data_offset + f->size - 1) != i)
			abort();
	}
	if (end > file_size || data_end != table->data_size ||
	    seekable_frame_at(table, data_end) != table->nframes)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seekable_table table;
	struct pc_error *err;
	int fd;

	err = seekable_table_parse(data, size, size, &table);
	if (!err) {
		check(&table, size);
		seekable_table_deinit(&table);
	}
	pc_error_destroy(err);
	/* The same through a file, as pycore reads it. */
	fd = memfd_create("fuzz-seektable", MFD_CLOEXEC);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
		perror("fuzz_seektable: memfd");
		abort();
	}
	err = seekable_table_read(fd, size, &table);
	if (!err) {
		check(&table, size);
		err = seekable_table_verify(fd, &table);
		seekable_table_deinit(&table);
	}
	close(fd);
	pc_error_destroy(err);
	return 0;
}
