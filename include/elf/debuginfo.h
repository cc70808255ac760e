/* Where the separate debug file of a module is found, as gdb finds it with
 * `set sysroot ROOT` and `set debug-file-directory`: a core from another
 * root is best read with that root's -dbg packages.
 *
 * For a module whose file the core names PATH (a path on the crashed
 * machine), with build-id ID and .gnu_debuglink NAME, the candidates are,
 * in order, for each debug directory D (every --debug-dir, then
 * SYSROOT/usr/lib/debug when there is a sysroot):
 *     D/.build-id/ID[0:2]/ID[2:].debug
 * then, by debuglink, SYSROOT/dirname(PATH)/NAME,
 * SYSROOT/dirname(PATH)/.debug/NAME and D/dirname(PATH)/NAME; a candidate
 * is taken only when its build-id is the module's.  What none of them has
 * is looked for as libdwfl's standard search does (/usr/lib/debug, by
 * build-id, then by debuglink next to the file), by that search itself when
 * DEBUGINFOD_URLS names a server, since it ends in debuginfod: otherwise
 * libdwfl would load the debuginfod client (libcurl, TLS) for nothing. */
#ifndef PYCORE_ELF_DEBUGINFO_H
#define PYCORE_ELF_DEBUGINFO_H

#include <stddef.h>

#include <elfutils/libdwfl.h>

struct paths;

/* libdwfl's find_debuginfo callback.  The module's userdata must point to
 * the struct paths to search (modules.c sets it when it finds the ELF). */
int debuginfo_find(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
		   const char *file_name, const char *debuglink_file, GElf_Word debuglink_crc,
		   char **debuginfo_file_name);

/* The file a debuginfod client fetched for the build-id BUILD_ID (hex),
 * when DEBUGINFOD_URLS is set and it is in the client's cache
 * ($DEBUGINFOD_CACHE_PATH, else $XDG_CACHE_HOME/debuginfod_client, else
 * ~/.cache/debuginfod_client): its path in OUT (SIZE bytes), and the servers
 * ($DEBUGINFOD_URLS) returned; else NULL.  libdwfl does not name the files
 * it has from debuginfod. */
const char *debuginfo_debuginfod_file(const char *build_id, char *out, size_t size);

#endif
