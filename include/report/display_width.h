/* How many terminal columns a source line takes, as Python 3.13's
 * traceback counts them to place its "^" underline: two for each East Asian
 * wide or fullwidth character (Unicode's EastAsianWidth W and F), one for
 * any other. */
#ifndef PYCORE_REPORT_DISPLAY_WIDTH_H
#define PYCORE_REPORT_DISPLAY_WIDTH_H

#include <stddef.h>
#include <stdint.h>

/* The columns of code point CP: 1 or 2. */
int display_width_of(uint32_t cp);

/* The columns of UTF-8 TEXT[0, LEN); a byte that is not UTF-8 counts 1. */
size_t display_width(const char *text, size_t len);

#endif
