#include "debuginfo.h"

#include "paths.h"

#include <elfutils/libdwelf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEBUGINFO_MAX_DIRS 64

/* Open PATH when it is a regular file whose build-id is WANT. */
static int open_matching(const char *path, const unsigned char *want, int want_len)
{
	const void *have = NULL;
	struct stat st;
	int fd, have_len;
	Elf *elf;

	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -1;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	have_len = elf ? dwelf_elf_gnu_build_id(elf, &have) : -1;
	if (elf && have_len > 0 && have_len == want_len &&
	    memcmp(have, want, (size_t)want_len) == 0) {
		elf_end(elf);
		return fd;
	}
	if (elf)
		elf_end(elf);
	close(fd);
	return -1;
}

/* Try DIR/MIDDLE/NAME (any of them may be empty); on success *FOUND is the
 * malloc'd path. */
static int try_path(const char *dir, const char *middle, const char *name,
		    const unsigned char *want, int want_len, char **found)
{
	char *path;
	int fd;

	while (middle[0] == '/')
		middle++;
	if (asprintf(&path, "%s/%s%s%s", dir, middle, middle[0] ? "/" : "", name) < 0)
		return -1;
	fd = open_matching(path, want, want_len);
	if (fd >= 0)
		*found = path;
	else
		free(path);
	return fd;
}

/* The debug directories to search, most specific first; *OWNED is the one
 * of them that was allocated (SYSROOT/usr/lib/debug). */
static size_t debug_dirs(const struct paths *paths, const char **dirs, char **owned)
{
	size_t n = 0, i;

	*owned = NULL;
	for (i = 0; i < paths->ndebug_dirs && n < DEBUGINFO_MAX_DIRS - 1; i++)
		dirs[n++] = paths->debug_dirs[i];
	if (paths->sysroot && asprintf(owned, "%s/usr/lib/debug", paths->sysroot) >= 0)
		dirs[n++] = *owned;
	else
		*owned = NULL;
	return n;
}

int debuginfo_find(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
		   const char *file_name, const char *debuglink_file, GElf_Word debuglink_crc,
		   char **debuginfo_file_name)
{
	const struct paths *paths = *userdata;
	const char *dirs[DEBUGINFO_MAX_DIRS];
	const unsigned char *id = NULL;
	char hex[2 * 64 + 1], *owned, *dir_of_file = NULL, *found = NULL;
	GElf_Addr vaddr;
	int id_len, fd = -1, i;
	size_t n, d;

	if (!paths || (!paths->sysroot && !paths->ndebug_dirs) ||
	    (id_len = dwfl_module_build_id(mod, &id, &vaddr)) <= 0 || id_len > 64)
		return dwfl_standard_find_debuginfo(mod, userdata, modname, base, file_name,
						    debuglink_file, debuglink_crc,
						    debuginfo_file_name);
	for (i = 0; i < id_len; i++)
		snprintf(hex + 2 * i, 3, "%02x", id[i]);
	n = debug_dirs(paths, dirs, &owned);
	for (d = 0; d < n && fd < 0; d++) {
		char *name;

		if (asprintf(&name, ".build-id/%.2s/%s.debug", hex, hex + 2) < 0)
			break;
		fd = try_path(dirs[d], "", name, id, id_len, &found);
		free(name);
	}
	/* The debuglink is looked up next to the file as the core names it,
	 * inside the sysroot, and under each debug directory. */
	if (fd < 0 && debuglink_file && modname && modname[0] == '/' &&
	    (dir_of_file = strdup(modname))) {
		*strrchr(dir_of_file, '/') = '\0';
		if (paths->sysroot) {
			fd = try_path(paths->sysroot, dir_of_file, debuglink_file, id, id_len, &found);
			if (fd < 0) {
				char *dot_debug;

				if (asprintf(&dot_debug, "%s/.debug", dir_of_file) >= 0) {
					fd = try_path(paths->sysroot, dot_debug, debuglink_file, id,
						      id_len, &found);
					free(dot_debug);
				}
			}
		}
		for (d = 0; d < n && fd < 0; d++)
			fd = try_path(dirs[d], dir_of_file, debuglink_file, id, id_len, &found);
		free(dir_of_file);
	}
	free(owned);
	if (fd >= 0) {
		*debuginfo_file_name = found;
		return fd;
	}
	return dwfl_standard_find_debuginfo(mod, userdata, modname, base, file_name, debuglink_file,
					    debuglink_crc, debuginfo_file_name);
}

const char *debuginfo_debuginfod_file(const char *build_id, char *out, size_t size)
{
	const char *urls = getenv("DEBUGINFOD_URLS"), *env;
	struct stat st;
	int len;

	if (!urls || !urls[0] || !build_id[0])
		return NULL;
	if ((env = getenv("DEBUGINFOD_CACHE_PATH")) && env[0])
		len = snprintf(out, size, "%s/%s/debuginfo", env, build_id);
	else if ((env = getenv("XDG_CACHE_HOME")) && env[0])
		len = snprintf(out, size, "%s/debuginfod_client/%s/debuginfo", env, build_id);
	else if ((env = getenv("HOME")) && env[0])
		len = snprintf(out, size, "%s/.cache/debuginfod_client/%s/debuginfo", env, build_id);
	else
		return NULL;
	if (len < 0 || (size_t)len >= size || stat(out, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size == 0)
		return NULL;
	return urls;
}
