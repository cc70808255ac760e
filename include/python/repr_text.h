/* How repr() spells a float and a character of a str or bytes
 * (repr_text.c): the formatting alone, over plain values. */
#ifndef PYCORE_PYTHON_REPR_TEXT_H
#define PYCORE_PYTHON_REPR_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest repr of a double ("-2.2250738585072014e-308") and more. */
#define REPR_FLOAT_MAX 40
/* The longest spelling of one character ("\\U0010ffff"), and its end. */
#define REPR_CHAR_MAX 12

/* repr() of X into OUT, not terminated; returns its length. */
size_t repr_float(double x, char out[REPR_FLOAT_MAX]);

/* The quote repr() puts around the N code points CPS. */
char repr_quote(const uint32_t *cps, size_t n);

/* CP as repr() writes it inside QUOTE into OUT, not terminated; returns
 * its length.  BYTES: 3.x bytes and 2.7 str, where everything outside
 * printable ASCII is \\xNN; PY2_UNICODE: 2.7 unicode, where everything
 * outside it is \\x, \\u or \\U. */
size_t repr_char(uint32_t cp, char quote, bool bytes, bool py2_unicode,
		 char out[REPR_CHAR_MAX]);

#endif
