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

/* A directory searched for debug files: DIR on this machine, or, when ROOT
 * is set, DIR below ROOT (a sysroot), resolved as if ROOT were "/", so that
 * no ".." or symbolic link in it leads out. */
struct debug_dir {
	const char *root;
	const char *dir;
};

/* Whether FD is an ELF file whose build-id is WANT. */
static bool build_id_matches(int fd, const unsigned char *want, int want_len)
{
	const void *have = NULL;
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	int have_len = elf ? dwelf_elf_gnu_build_id(elf, &have) : -1;
	bool same = have_len > 0 && have_len == want_len &&
		    memcmp(have, want, (size_t)want_len) == 0;

	if (elf)
		elf_end(elf);
	return same;
}

/* Whether NAME, a .gnu_debuglink the module chose, is a file name: one that
 * is absolute, holds a '/' or is ".." could name any file. */
static bool plain_link(const char *name)
{
	return name[0] && !strchr(name, '/') && strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

/* Whether PATH, a directory the core names, has no ".." in it. */
static bool no_dot_dot(const char *path)
{
	const char *p;

	for (p = strstr(path, ".."); p; p = strstr(p + 1, ".."))
		if ((p == path || p[-1] == '/') && (p[2] == '/' || p[2] == '\0'))
			return false;
	return true;
}

/* Try D/MIDDLE/NAME (MIDDLE may be empty), opened through paths.h's rules;
 * on success *FOUND is the malloc'd path. */
static int try_path(const struct debug_dir *d, const char *middle, const char *name,
		    const unsigned char *want, int want_len, char **found)
{
	char *path;
	int fd;

	while (middle[0] == '/')
		middle++;
	if (asprintf(&path, "%s%s%s%s%s", d->root ? d->dir : "", d->root && d->dir[0] ? "/" : "",
		     middle, middle[0] ? "/" : "", name) < 0)
		return -1;
	fd = paths_open_below(d->root ? d->root : d->dir, path, d->root != NULL, found);
	free(path);
	if (fd >= 0 && !build_id_matches(fd, want, want_len)) {
		close(fd);
		free(*found);
		*found = NULL;
		fd = -1;
	}
	return fd;
}

/* The debug directories to search, most specific first. */
static size_t debug_dirs(const struct paths *paths, struct debug_dir *dirs)
{
	size_t n = 0, i;

	for (i = 0; i < paths->ndebug_dirs && n < DEBUGINFO_MAX_DIRS - 1; i++)
		dirs[n++] = (struct debug_dir){NULL, paths->debug_dirs[i]};
	if (paths->sysroot)
		dirs[n++] = (struct debug_dir){paths->sysroot, "usr/lib/debug"};
	return n;
}

/* The debug file of the module with build-id ID (HEX), the file MODNAME
 * (as the core names it) with debuglink LINK (may be NULL): by build-id in
 * each of DIRS, then by debuglink next to the file under ROOT (unless ROOT
 * is NULL; resolved in it, "" is the host's own root) and under each of
 * DIRS.  A debuglink that is not a file name, or a MODNAME with "..", is
 * not followed. */
static int search(const char *root, const struct debug_dir *dirs, size_t n, const char *modname,
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
		fd = try_path(&dirs[d], "", name, id, id_len, found);
		free(name);
	}
	if (fd >= 0 || !link || !plain_link(link) || !modname || modname[0] != '/' ||
	    !no_dot_dot(modname) || !(dir_of_file = strdup(modname)))
		return fd;
	*strrchr(dir_of_file, '/') = '\0';
	if (root) {
		struct debug_dir next_to = root[0] ? (struct debug_dir){root, ""}
			: (struct debug_dir){NULL, dir_of_file[0] ? dir_of_file : "/"};
		const char *middle = root[0] ? dir_of_file : "";
		char *dot_debug;

		fd = try_path(&next_to, middle, link, id, id_len, found);
		if (fd < 0 && asprintf(&dot_debug, "%s%s.debug", middle, middle[0] ? "/" : "") >= 0) {
			fd = try_path(&next_to, dot_debug, link, id, id_len, found);
			free(dot_debug);
		}
	}
	for (d = 0; d < n && fd < 0; d++)
		fd = try_path(&dirs[d], dir_of_file, link, id, id_len, found);
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
	static const struct debug_dir host_dirs[] = {{NULL, "/usr/lib/debug"}};
	const struct paths *paths = *userdata;
	struct debug_dir dirs[DEBUGINFO_MAX_DIRS];
	const unsigned char *id = NULL;
	char hex[2 * 64 + 1], *found = NULL, *invented = NULL;
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
	if (paths && (paths->sysroot || paths->ndebug_dirs))
		fd = search(paths->sysroot, dirs, debug_dirs(paths, dirs), modname, link, id,
			    id_len, hex, &found);
	if (fd < 0 && (altfile || debuginfod_wanted()))
		return dwfl_standard_find_debuginfo(mod, userdata, modname, base, file_name,
						    debuglink_file, debuglink_crc,
						    debuginfo_file_name);
	/* libdwfl's standard search without debuginfod: /usr/lib/debug, and
	 * a debuglink (NAME.debug when there is none) next to the file; only
	 * by build-id for a module under a sysroot, whose files are not this
	 * machine's. */
	if (fd < 0) {
		if (!link && modname && strrchr(modname, '/') &&
		    asprintf(&invented, "%s.debug", strrchr(modname, '/') + 1) < 0)
			invented = NULL;
		fd = search("", host_dirs, 1, modname,
			    paths && paths->sysroot ? NULL : link ? link : invented, id, id_len, hex,
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
