#include "paths.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Paths come from the core: a crafted one can name a FIFO, whose open()
 * blocks for ever, or a device, whose open() may do something.  Only a
 * regular file is opened: stat() first, then an open() that cannot block,
 * then fstat() again, for a file swapped in between. */
static int open_regular(const char *path)
{
	struct stat st;
	int fd;

	if (stat(path, &st) != 0)
		return -1;
	if (!S_ISREG(st.st_mode)) {
		errno = EISDIR;
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EISDIR;
		return -1;
	}
	return fd;
}

static int open_joined(const char *dir, const char *name, char **found)
{
	char *joined;
	int fd, saved;

	size_t dir_len = strlen(dir);

	while (dir_len > 1 && dir[dir_len - 1] == '/')
		dir_len--;
	while (name[0] == '/')
		name++;
	if (asprintf(&joined, "%.*s/%s", (int)dir_len, dir, name) < 0) {
		errno = ENOMEM;
		return -1;
	}
	fd = open_regular(joined);
	saved = errno;
	if (fd >= 0 && found)
		*found = joined;
	else
		free(joined);
	errno = saved;
	return fd;
}

int paths_open(const struct paths *paths, const char *core_path, char **found)
{
	const char *base = strrchr(core_path, '/');
	int fd, first_errno;
	size_t i;

	if (found)
		*found = NULL;
	if (paths && paths->sysroot)
		fd = open_joined(paths->sysroot, core_path, found);
	else {
		fd = open_regular(core_path);
		if (fd >= 0 && found)
			*found = strdup(core_path);
	}
	if (fd >= 0)
		return fd;
	first_errno = errno;
	base = base ? base + 1 : core_path;
	for (i = 0; paths && i < paths->nlib_dirs; i++) {
		fd = open_joined(paths->lib_dirs[i], base, found);
		if (fd >= 0)
			return fd;
	}
	errno = first_errno;
	return -1;
}
