/* The words that stand for a collapsed recursion in a traceback, the same
 * in every report that shows one. */
#ifndef PYCORE_REPORT_REPEAT_MARKER_H
#define PYCORE_REPORT_REPEAT_MARKER_H

#include <stdbool.h>
#include <stddef.h>

/* Room for the longest marker, two 64-bit counts in decimal included. */
#define REPEAT_MARKER_MAX 96

/* Word a block of PERIOD frames repeated COUNT more times as Python's
 * tracebacks do ("[Previous line repeated 3 more times]"), into BUF of SIZE
 * bytes, without indent or newline.  Returns false, with BUF empty, when
 * PERIOD is 0: nothing was collapsed. */
bool repeat_marker(size_t period, size_t count, char *buf, size_t size);

#endif
