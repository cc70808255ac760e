/* Where the files a core names are found on this machine: --sysroot and
 * --lib-path, as gdb's `set sysroot` and `solib-search-path`. */
#ifndef PYCORE_ELF_PATHS_H
#define PYCORE_ELF_PATHS_H

#include <stdbool.h>
#include <stddef.h>

struct paths {
	const char *sysroot;		/* NULL: paths are used as the core names them */
	const char *const *lib_dirs;	/* extra directories, searched by base name */
	size_t nlib_dirs;
	const char *const *debug_dirs;	/* --debug-dir: searched for debug files first */
	size_t ndebug_dirs;
};

/* Open the regular file the core calls CORE_PATH, with the caller's
 * credentials: first CORE_PATH inside the sysroot, resolved as if the
 * sysroot were "/" (its ".." and absolute symbolic links stay in it), then
 * each lib dir + its base name; never through a /proc magic link.
 * Returns an fd, or -1 with errno set; when FOUND is not NULL it receives
 * the path opened (malloc'd, its links followed) or NULL. */
int paths_open(const struct paths *paths, const char *core_path, char **found);

/* Open the regular file NAME below the directory DIR: resolved as if DIR
 * were "/" when IN_ROOT, never through a /proc magic link.  Returns an fd,
 * or -1 with errno set; when FOUND is not NULL it receives DIR + the path
 * opened below it, its links followed (malloc'd). */
int paths_open_below(const char *dir, const char *name, bool in_root, char **found);

#endif
