#include "elf/debuginfo.h"

#include "elf/paths.h"

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

/* The debug file of the module with build-id ID (HEX), the file MODNAME
 * (as the core names it) with debuglink LINK (may be NULL): by build-id in
 * each of DIRS, then by debuglink next to the file under ROOT (unless ROOT
 * is NULL: "" is the host's own root) and under each of DIRS. */
static int search(const char *root, const char *const *dirs, size_t n, const char *modname,
		  const char *link, const unsigned char *id, int id_len, const char *hex,
		  char **found)
{
	char *dir_of_file;
	int fd = -1;
	size_t d;

	for (d = 0; d < n && fd < 0; d++) {
		char *name;

		if (asprintf(&name, ".build-id/%.2s/%s.debug", hex, hex + 2) < 0)
			break;
		fd = try_path(dirs[d], "", name, id, id_len, found);
		free(name);
	}
	if (fd >= 0 || !link || !modname || modname[0] != '/' || !(dir_of_file = strdup(modname)))
		return fd;
	*strrchr(dir_of_file, '/') = '\0';
	if (root) {
		fd = try_path(root, dir_of_file, link, id, id_len, found);
		if (fd < 0) {
			char *dot_debug;

			if (asprintf(&dot_debug, "%s/.debug", dir_of_file) >= 0) {
				fd = try_path(root, dot_debug, link, id, id_len, found);
				free(dot_debug);
			}
		}
	}
	for (d = 0; d < n && fd < 0; d++)
		fd = try_path(dirs[d], dir_of_file, link, id, id_len, found);
	free(dir_of_file);
	return fd;
}

/* Whether DEBUGINFOD_URLS names a server.  libdwfl's standard search ends
 * in debuginfod, and loads its client (libdebuginfod, libcurl, TLS: a third
 * of the analysis of a small core) whether it names one or not. */
static bool debuginfod_wanted(void)
{
	const char *urls = getenv("DEBUGINFOD_URLS");

	return urls && urls[strspn(urls, " \t\n")] != '\0';
}

int debuginfo_find(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
		   const char *file_name, const char *debuglink_file, GElf_Word debuglink_crc,
		   char **debuginfo_file_name)
{
	static const char *const host_dirs[] = {"/usr/lib/debug"};
	const struct paths *paths = *userdata;
	const char *dirs[DEBUGINFO_MAX_DIRS];
	const unsigned char *id = NULL;
	char hex[2 * 64 + 1], *owned, *found = NULL, *invented = NULL;
	const char *link = debuglink_file;
	GElf_Addr vaddr;
	int id_len, fd = -1, i;
	/* libdwfl asks for a dwz file's shared part (.gnu_debugaltlink) by
	 * its name, with no CRC: its own search knows that case. */
	bool altfile = debuglink_file && debuglink_crc == 0;

	id_len = dwfl_module_build_id(mod, &id, &vaddr);
	if (id_len <= 0 || id_len > 64)
		return dwfl_standard_find_debuginfo(mod, userdata, modname, base, file_name,
						    debuglink_file, debuglink_crc,
						    debuginfo_file_name);
	for (i = 0; i < id_len; i++)
		snprintf(hex + 2 * i, 3, "%02x", id[i]);
	if (paths && (paths->sysroot || paths->ndebug_dirs)) {
		size_t n = debug_dirs(paths, dirs, &owned);

		fd = search(paths->sysroot, dirs, n, modname, link, id, id_len, hex, &found);
		free(owned);
	}
	if (fd < 0 && (altfile || debuginfod_wanted()))
		return dwfl_standard_find_debuginfo(mod, userdata, modname, base, file_name,
						    debuglink_file, debuglink_crc,
						    debuginfo_file_name);
	/* libdwfl's standard search without debuginfod: /usr/lib/debug, and
	 * a debuglink (NAME.debug when there is none) next to the file. */
	if (fd < 0) {
		if (!link && modname && strrchr(modname, '/') &&
		    asprintf(&invented, "%s.debug", strrchr(modname, '/') + 1) < 0)
			invented = NULL;
		fd = search("", host_dirs, 1, modname, link ? link : invented, id, id_len, hex,
			    &found);
		free(invented);
	}
	if (fd >= 0)
		*debuginfo_file_name = found;
	return fd;
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
