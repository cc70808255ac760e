/* Where the files a core names are found on this machine: --sysroot and
 * --lib-path, as gdb's `set sysroot` and `solib-search-path`. */
#ifndef PYCORE_PATHS_H
#define PYCORE_PATHS_H

#include <stddef.h>

struct paths {
	const char *sysroot;		/* NULL: paths are used as the core names them */
	const char *const *lib_dirs;	/* extra directories, searched by base name */
	size_t nlib_dirs;
};

/* Open the file the core calls CORE_PATH: first sysroot + CORE_PATH, then
 * each lib dir + its base name.  Returns an fd, or -1 with errno set; when
 * FOUND is not NULL it receives the path opened (malloc'd) or NULL. */
int paths_open(const struct paths *paths, const char *core_path, char **found);

#endif
