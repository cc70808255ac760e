/* libFuzzer target: recognising and decompressing the core (input.c: xz,
 * zstd, lz4, or plain bytes) from a stream.
 *
 * The input is what pycore reads on standard input.  It is streamed from a
 * memfd as from a pipe; the output is capped at INPUT_CAP bytes, as
 * --max-core-size caps it, so that a small bomb cannot fill the disk. */
#include "base/error.h"
#include "input/input.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define INPUT_CAP (32u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input_options options = {.max_size = INPUT_CAP, .drain = true};
	struct input *input;
	struct pc_error *err;
	int fd = memfd_create("fuzz-input", MFD_CLOEXEC);

	if (fd < 0 || write(fd, data, size) != (ssize_t)size || lseek(fd, 0, SEEK_SET) != 0) {
		perror("fuzz_input: memfd");
		abort();
	}
	err = input_open_fd(fd, "fuzz-input", &options, &input);
	close(fd);
	if (err) {
		pc_error_destroy(err);
		return 0;
	}
	/* What the input says it holds must be what its file holds. */
	if (input->size > INPUT_CAP || lseek(input->fd, 0, SEEK_END) != (off_t)input->size)
		abort();
	input_close(input);
	return 0;
}
