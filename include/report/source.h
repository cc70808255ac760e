/* Lines of Python source files, for the report: the file as it is on this
 * machine now, which may differ from what ran (the report says it is shown
 * only when readable). */
#ifndef PYCORE_REPORT_SOURCE_H
#define PYCORE_REPORT_SOURCE_H

#include <stddef.h>

struct paths;
struct source_cache;

/* Files are opened through PATHS (the sysroot's rules); a relative name
 * (a co_filename of a script started as "python prog.py") is taken in CWD,
 * the crashed process's directory, never in ours: with CWD NULL it has no
 * source. */
struct source_cache *source_cache_create(const struct paths *paths, const char *cwd);
void source_cache_destroy(struct source_cache *cache);

/* Line LINE (1-based) of FILE, without its newline, at most MAX bytes; NULL
 * when the file or the line cannot be read.  Valid until the next call. */
const char *source_line(struct source_cache *cache, const char *file, int line, size_t *len);

#endif
