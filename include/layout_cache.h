/* Layouts read from DWARF, kept on disk by build-id, so that the next core
 * of the same build skips the DWARF (for a Debian -dbg package that means
 * decompressing megabytes of debug sections).
 *
 * The cache is $XDG_CACHE_HOME/pycore (else ~/.cache/pycore).  It is best
 * effort: a missing, unreadable, stale or corrupt entry is a miss, never an
 * error, and a failed write is silent.  PYCORE_NO_CACHE=1 turns it off. */
#ifndef PYCORE_LAYOUT_CACHE_H
#define PYCORE_LAYOUT_CACHE_H

#include <stdbool.h>
#include <stddef.h>

struct py_layout;

/* Load the layout cached for BUILD_ID (lowercase hex) of a build whose
 * version is VERSION_HEX; DETAIL (SIZE bytes) receives what the entry says
 * the layout was read from.  False on a miss. */
bool layout_cache_load(const char *build_id, unsigned version_hex, struct py_layout *ret,
		       char *detail, size_t size);

/* Store LAYOUT (read from DETAIL) for BUILD_ID. */
void layout_cache_store(const char *build_id, const struct py_layout *layout, const char *detail);

#endif
