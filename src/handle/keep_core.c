#include "handle/keep_core.h"

#include "base/error.h"
#include "handle/spool.h"
#include "input/input.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

/* What is read and written at a time. */
#define ZSTD_WRITE_CHUNK (1u << 20)

struct pc_error *keep_core_write_zstd(const struct input *input, int fd, uint64_t limit,
				      volatile sig_atomic_t *stop, struct spool *spool,
				      uint64_t reserve)
{
	ZSTD_inBuffer in = {0};
	uint64_t offset = 0, end = input->size < limit ? input->size : limit;
	unsigned char *inbuf = malloc(ZSTD_WRITE_CHUNK), *outbuf = malloc(ZSTD_WRITE_CHUNK);
	ZSTD_CCtx *cctx = ZSTD_createCCtx();
	struct pc_error *err = NULL;
	size_t left;

	if (!inbuf || !outbuf || !cctx) {
		err = &pc_error_nomem;
		goto out;
	}
	ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
	do {
		ZSTD_EndDirective mode = ZSTD_e_continue;

		if (in.pos == in.size) {
			size_t want = end - offset < ZSTD_WRITE_CHUNK ? (size_t)(end - offset)
								      : ZSTD_WRITE_CHUNK;
			ssize_t n = want && !(stop && *stop)
					    ? pread(input->fd, inbuf, want, (off_t)offset)
					    : 0;

			if (n < 0) {
				err = pc_error_create(PC_ERR_IO, "%s", strerror(errno));
				goto out;
			}
			offset += (uint64_t)n;
			in = (ZSTD_inBuffer){inbuf, (size_t)n, 0};
			if (n == 0)
				mode = ZSTD_e_end;
		}
		do {
			ZSTD_outBuffer out = {outbuf, ZSTD_WRITE_CHUNK, 0};
			size_t done = 0;

			left = ZSTD_compressStream2(cctx, &out, &in, mode);
			if (ZSTD_isError(left)) {
				err = pc_error_create(PC_ERR_LIBRARY, "%s", ZSTD_getErrorName(left));
				goto out;
			}
			if (out.pos && (err = spool_reserve(spool, out.pos, reserve)) != NULL)
				goto out;
			while (done < out.pos) {
				ssize_t n = write(fd, outbuf + done, out.pos - done);

				if (n < 0 && errno == EINTR)
					continue;
				if (n <= 0) {
					err = pc_error_create(PC_ERR_IO, "%s", strerror(errno));
					goto out;
				}
				done += (size_t)n;
			}
		} while (mode == ZSTD_e_end ? left != 0 : in.pos < in.size);
	} while (!(in.size == 0 && left == 0));
out:
	ZSTD_freeCCtx(cctx);
	free(inbuf);
	free(outbuf);
	return err;
}
