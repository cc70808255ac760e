/* Decoding UTF-8 that came out of a core: any bytes at all, of which the
 * well-formed sequences are kept and everything else becomes U+FFFD, so that
 * the JSON, XML and Markdown pycore writes are always valid. */
#ifndef PYCORE_BASE_UTF8_H
#define PYCORE_BASE_UTF8_H

#include <stddef.h>
#include <stdint.h>

#define UTF8_REPLACEMENT 0xfffd

/* Decode the character at TEXT[0, LEN), LEN > 0, into *CP.  Returns how many
 * bytes it took (1 to 4).  A byte that does not start a well-formed
 * sequence (overlong forms, surrogates and code points past U+10FFFF are not
 * well-formed) takes 1 byte and gives UTF8_REPLACEMENT. */
size_t utf8_decode(const char *text, size_t len, uint32_t *cp);

/* Write code point CP as UTF-8 into OUT, which has room for 4 bytes;
 * returns how many bytes it took.  A surrogate or a value past U+10FFFF
 * (garbage from a core) is written as UTF8_REPLACEMENT. */
size_t utf8_encode(uint32_t cp, char *out);

#endif
