/* Layouts read from DWARF, kept on disk, so that the next core of the same
 * build skips the DWARF (for a Debian -dbg package that means
 * decompressing megabytes of debug sections).
 *
 * An entry is named by the build-id, but a build-id is whatever the linker
 * was told: anyone can give a program of their own the build-id of
 * /usr/bin/python3.11.  So an entry records the identity (device, inode,
 * size, modification time) of the main file (executable or libpython) and
 * of the file whose DWARF was read, and is used only while both are the
 * same files, unchanged; and it is written only when both belong to root
 * or to the user running pycore.
 *
 * The cache is $XDG_CACHE_HOME/pycore (else ~/.cache/pycore).  It is best
 * effort: a missing, unreadable, stale or corrupt entry is a miss, never an
 * error, and a failed write is silent.  PYCORE_NO_CACHE=1 turns it off. */
#ifndef PYCORE_LAYOUT_CACHE_H
#define PYCORE_LAYOUT_CACHE_H

#include <stdbool.h>
#include <stddef.h>

struct py_layout;

/* Load the layout cached for BUILD_ID (lowercase hex) of MAIN_FILE, a build
 * whose version is VERSION_HEX; DETAIL (SIZE bytes) receives the file the
 * layout was read from.  False on a miss. */
bool layout_cache_load(const char *build_id, const char *main_file, unsigned version_hex,
		       struct py_layout *ret, char *detail, size_t size);

/* Store LAYOUT, read from the DWARF of the file DETAIL, for BUILD_ID of
 * MAIN_FILE. */
void layout_cache_store(const char *build_id, const char *main_file,
			const struct py_layout *layout, const char *detail);

#endif
