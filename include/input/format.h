/* The compressions pycore knows a core by: their magic bytes, and for
 * those it reads, a decoder of one step at a time. */
#ifndef PYCORE_INPUT_FORMAT_H
#define PYCORE_INPUT_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

#define FORMAT_MAGIC_MAX 6

/* One decoding step: decode IN[0, IN_LEN) into OUT[0, OUT_CAP), saying how
 * much of each was used.  FINISH: the input has ended, flush what is left.
 * *COMPLETE is set when the stream may end where it stands (between
 * frames), cleared when it may not; left alone when the step says nothing.
 * Returns NULL, or the library's words for a corrupt stream. */
typedef const char *decode_fn(void *state, const unsigned char *in, size_t in_len,
			      size_t *consumed, unsigned char *out, size_t out_cap,
			      size_t *produced, bool finish, bool *complete);

struct format {
	const char *name;	/* NULL: not compressed */
	unsigned char magic[FORMAT_MAGIC_MAX];
	size_t magic_len;
	void *(*create)(void);	/* NULL when out of memory */
	decode_fn *decode;	/* NULL: recognised but not supported */
	void (*destroy)(void *state);
	const char *cut;	/* how a stream cut short ends, for the error */
	const char *tool;	/* not supported: the command that decompresses it */
};

/* A core not compressed: its bytes as they are. */
extern const struct format format_plain;

/* The format whose magic BYTES (LEN of them) start with; &format_plain
 * when none. */
const struct format *format_detect(const unsigned char *bytes, size_t len);

#endif
