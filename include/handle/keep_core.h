/* pycore handle --keep-core: the core kept in the spool, compressed, next
 * to its reports. */
#ifndef PYCORE_HANDLE_KEEP_CORE_H
#define PYCORE_HANDLE_KEEP_CORE_H

#include <signal.h>
#include <stdint.h>

struct input;
struct pc_error;
struct spool;

/* Compress the first LIMIT bytes of INPUT's core into FD, a file of
 * SPOOL, in zstd's seekable format (input/seekable.h; each frame with its
 * checksum), stopping early, the table written, once *STOP (or NULL) is
 * non-zero.  Fails, with PC_ERR_LIMIT, before a
 * write would leave SPOOL fewer than RESERVE bytes free. */
struct pc_error *keep_core_write_zstd(const struct input *input, int fd, uint64_t limit,
				      volatile sig_atomic_t *stop, struct spool *spool,
				      uint64_t reserve);

#endif
