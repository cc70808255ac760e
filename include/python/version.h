/* Which CPython version a core holds, from three sources, most exact
 * first:
 *   - 3.13+: _PyRuntime begins with _Py_DebugOffsets, whose cookie
 *     "xdebugpy" is followed by PY_VERSION_HEX;
 *   - 3.11+: the exported constant Py_Version (PY_VERSION_HEX);
 *   - before: only text, the "3.8.18 (default, ..." that Py_GetVersion()
 *     formats into a static buffer at start-up, found by a scan of the
 *     interpreter's data that sees a string cut by a chunk boundary too.
 * These decode what python/locate.c reads; each rejects what is not plausibly a
 * version, so that a wrong source falls through to the next. */
#ifndef PYCORE_PYTHON_VERSION_H
#define PYCORE_PYTHON_VERSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The first 16 bytes of _PyRuntime: cookie and version. */
#define PYVERSION_DEBUG_OFFSETS_HEAD 16

bool pyversion_from_debug_offsets(const void *head, size_t size, unsigned *hex);

/* Py_Version's value (an unsigned long). */
bool pyversion_from_py_version(uint64_t value, unsigned *hex);

/* The longest version text looked at: "3.10.13rc2+ (" and then some. */
#define PYVERSION_TEXT_MAX 32

struct pyversion_scan {
	char tail[PYVERSION_TEXT_MAX];	/* the end of what was fed last */
	size_t ntail;
	bool after_nul;			/* the byte before tail[0] ended a string */
	bool found;
	unsigned hex;
};

void pyversion_scan_init(struct pyversion_scan *scan);

/* Feed the next LEN bytes of the data, in address order; true once the
 * version text has been seen (then scan->hex holds it). */
bool pyversion_scan_feed(struct pyversion_scan *scan, const void *bytes, size_t len);

/* Bytes between the last fed and the next could not be read. */
void pyversion_scan_gap(struct pyversion_scan *scan);

/* The data ends (a string cut by its end is still seen): true when the
 * version text was found. */
bool pyversion_scan_end(struct pyversion_scan *scan);

/* "3.14.10", "3.15.0rc1" from PY_VERSION_HEX, into BUF (SIZE bytes). */
void pyversion_format(unsigned hex, char *buf, size_t size);

#endif
