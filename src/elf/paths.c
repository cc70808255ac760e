#include "elf/paths.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Paths come from the core, which the crashed program wrote: they may name
 * anything.  Two rules hold for every one of them:
 *
 * - Under a sysroot (--sysroot, or the crashed process's /proc/PID/root),
 *   the path is resolved by the kernel as if the sysroot were "/"
 *   (RESOLVE_IN_ROOT): "..", absolute symbolic links and "/" itself stay
 *   inside it.  Joining strings would let a container's symlink to
 *   /etc/shadow name the host's file.
 * - Never through a magic link (RESOLVE_NO_MAGICLINKS): /proc/self/fd/N
 *   and /proc/PID/root would hand pycore's own open files, or another
 *   process's root, to whoever chose the path.
 *
 * Only a regular file is opened: the path is first resolved to an O_PATH
 * descriptor, which opens nothing (a FIFO's open() would block for ever, a
 * device's may do something), and that very inode is then opened through
 * pycore's own /proc/self/fd entry, with the caller's credentials. */
static int resolve_by_hand(int dirfd, const char *path, bool in_root);

static int resolve(int dirfd, const char *path, unsigned long long resolve_flags)
{
	static bool no_openat2;
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = resolve_flags | RESOLVE_NO_MAGICLINKS,
	};
	int fd;

	/* ENOSYS: a kernel before 5.6, or valgrind.  EPERM: a seccomp filter
	 * that refuses system calls it does not know (container runtimes
	 * did so for openat2); resolving an O_PATH descriptor never gives
	 * EPERM otherwise. */
	if (!no_openat2) {
		fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
		if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
			return fd;
		no_openat2 = true;
	}
	return resolve_by_hand(dirfd, path, resolve_flags & RESOLVE_IN_ROOT);
}

/* Symbolic links followed in one path, as the kernel's MAXSYMLINKS. */
#define MAX_LINKS 40
/* Directories open at once while resolving one path. */
#define MAX_DEPTH 256

/* The directories from the start of the resolution down to the one a name
 * is looked up in: ".." is the one above, never a lookup of "..". */
struct dir_stack {
	int fds[MAX_DEPTH];
	size_t depth;
};

static void stack_clear(struct dir_stack *stack)
{
	while (stack->depth > 0)
		close(stack->fds[--stack->depth]);
}

/* Empty STACK, then start it at FD (owned from now on; -1 fails). */
static int stack_restart(struct dir_stack *stack, int fd)
{
	stack_clear(stack);
	if (fd < 0)
		return -1;
	stack->fds[stack->depth++] = fd;
	return 0;
}

/* "..": the directory above.  Under a root, the root's own ".." is
 * itself, as with RESOLVE_IN_ROOT; otherwise the start's parent is looked
 * up. */
static int stack_up(struct dir_stack *stack, bool in_root)
{
	int fd;

	if (stack->depth > 1) {
		close(stack->fds[--stack->depth]);
		return 0;
	}
	if (in_root)
		return 0;
	fd = openat(stack->fds[0], "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	close(stack->fds[0]);
	stack->fds[0] = fd;
	return 0;
}

/* Where an absolute path starts: the root, or "/". */
static int start_absolute(int dirfd, bool in_root)
{
	return in_root ? fcntl(dirfd, F_DUPFD_CLOEXEC, 0)
		       : open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
}

/* resolve() where the kernel has no openat2 (before Linux 5.6, or under a
 * seccomp filter or an emulator that does not know it): the same rules,
 * one name at a time.  Each name is opened with O_PATH | O_NOFOLLOW in
 * the directory found before it, so the kernel follows no link at all; a
 * symbolic link is read and its text resolved in its place, a /proc magic
 * link too (its text names a path, not the object it would jump to), and
 * an absolute one starts again at the root. */
static int resolve_by_hand(int dirfd, const char *path, bool in_root)
{
	struct dir_stack stack = {.depth = 0};
	char rest[PATH_MAX], joined[PATH_MAX], target[PATH_MAX];
	char *name = rest, *end;
	int links = 0, fd = -1, saved;

	if (!*path) {
		errno = ENOENT;
		return -1;
	}
	if (strlen(path) >= sizeof(rest)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(rest, path);
	if (stack_restart(&stack, *path == '/' ? start_absolute(dirfd, in_root)
			  : dirfd == AT_FDCWD ? open(".", O_PATH | O_DIRECTORY | O_CLOEXEC)
					      : fcntl(dirfd, F_DUPFD_CLOEXEC, 0)) != 0)
		return -1;
	for (;;) {
		struct stat st;
		ssize_t n;
		char saved_end;

		while (*name == '/')
			name++;
		if (!*name) {
			/* Ends in a directory: "/", "." or "..", or a slash. */
			fd = fcntl(stack.fds[stack.depth - 1], F_DUPFD_CLOEXEC, 0);
			break;
		}
		end = name + strcspn(name, "/");
		saved_end = *end;
		*end = '\0';
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
			if (name[1] == '.' && stack_up(&stack, in_root) != 0)
				break;
			*end = saved_end;
			name = end;
			continue;
		}
		fd = openat(stack.fds[stack.depth - 1], name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		*end = saved_end;
		if (fd < 0)
			break;
		if (fstat(fd, &st) != 0) {
			close(fd);
			fd = -1;
			break;
		}
		if (S_ISLNK(st.st_mode)) {
			n = readlinkat(fd, "", target, sizeof(target));
			close(fd);
			fd = -1;
			if (n < 0)
				break;
			if (++links > MAX_LINKS) {
				errno = ELOOP;
				break;
			}
			/* The link's text, then what followed it. */
			if ((size_t)n == sizeof(target) ||
			    (size_t)n + strlen(end) >= sizeof(joined)) {
				errno = ENAMETOOLONG;
				break;
			}
			memcpy(joined, target, (size_t)n);
			strcpy(joined + n, end);
			strcpy(rest, joined);
			name = rest;
			if (*name == '/' && stack_restart(&stack, start_absolute(dirfd, in_root)) != 0)
				break;
			continue;
		}
		if (!*end)
			break;	/* the last name: FD is the answer */
		if (!S_ISDIR(st.st_mode) || stack.depth == MAX_DEPTH) {
			close(fd);
			fd = -1;
			errno = S_ISDIR(st.st_mode) ? ENAMETOOLONG : ENOTDIR;
			break;
		}
		stack.fds[stack.depth++] = fd;
		fd = -1;
		name = end;
	}
	saved = errno;
	stack_clear(&stack);
	errno = saved;
	return fd;
}

static int open_resolved(int pathfd)
{
	char self[64];
	struct stat st;
	int fd, saved;

	if (fstat(pathfd, &st) != 0)
		return -1;
	if (!S_ISREG(st.st_mode)) {
		errno = EISDIR;
		return -1;
	}
	snprintf(self, sizeof(self), "/proc/self/fd/%d", pathfd);
	fd = open(self, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	saved = errno;
	if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
		close(fd);
		fd = -1;
		saved = EISDIR;
	}
	errno = saved;
	return fd;
}

/* PATH as it stands. */
static int open_plain(const char *path)
{
	int pathfd = resolve(AT_FDCWD, path, 0);
	int fd, saved;

	if (pathfd < 0)
		return -1;
	fd = open_resolved(pathfd);
	saved = errno;
	close(pathfd);
	errno = saved;
	return fd;
}

/* Where PATHFD, resolved under DIRFD, is: DIR + its path below DIRFD, with
 * every symbolic link already followed, so that libdwfl, which opens the
 * name again as a string, meets no link the core's owner planted.  NULL
 * when the kernel's name for it does not lie below DIRFD's. */
static char *resolved_name(const char *dir, int dirfd, int pathfd)
{
	char self[64], top[4096], file[4096], *name;
	size_t dir_len = strlen(dir), top_len;
	ssize_t n;

	snprintf(self, sizeof(self), "/proc/self/fd/%d", dirfd);
	n = readlink(self, top, sizeof(top) - 1);
	if (n <= 0)
		return NULL;
	top[n] = '\0';
	snprintf(self, sizeof(self), "/proc/self/fd/%d", pathfd);
	n = readlink(self, file, sizeof(file) - 1);
	if (n <= 0)
		return NULL;
	file[n] = '\0';
	top_len = strcmp(top, "/") == 0 ? 0 : strlen(top);
	if (strncmp(file, top, top_len) != 0 || file[top_len] != '/')
		return NULL;
	while (dir_len > 1 && dir[dir_len - 1] == '/')
		dir_len--;
	if (asprintf(&name, "%.*s%s", (int)dir_len, dir, file + top_len) < 0)
		return NULL;
	return name;
}

int paths_open_below(const char *dir, const char *name, bool in_root, char **found)
{
	int dirfd, pathfd, fd = -1, saved;

	dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return -1;
	pathfd = resolve(dirfd, name, in_root ? RESOLVE_IN_ROOT : 0);
	if (pathfd >= 0)
		fd = open_resolved(pathfd);
	saved = errno;
	if (fd >= 0 && found && !(*found = resolved_name(dir, dirfd, pathfd))) {
		close(fd);
		fd = -1;
		saved = ENOENT;
	}
	if (pathfd >= 0)
		close(pathfd);
	close(dirfd);
	errno = saved;
	return fd;
}

/* CORE_PATH as seen inside SYSROOT.  A program run by qemu-user with
 * -L SYSROOT may name a file by its host path under SYSROOT (its AT_EXECFN
 * is the path qemu was given): that prefix goes, and the rest is still
 * resolved inside SYSROOT. */
static const char *in_sysroot(const char *sysroot, const char *core_path)
{
	size_t len = strlen(sysroot);

	while (len > 1 && sysroot[len - 1] == '/')
		len--;
	if (len > 1 && strncmp(core_path, sysroot, len) == 0 && core_path[len] == '/')
		return core_path + len;
	return core_path;
}

int paths_open(const struct paths *paths, const char *core_path, char **found)
{
	const char *base = strrchr(core_path, '/');
	int fd, first_errno;
	size_t i;

	if (found)
		*found = NULL;
	if (paths && paths->sysroot)
		fd = paths_open_below(paths->sysroot, in_sysroot(paths->sysroot, core_path), true,
				 found);
	else {
		fd = open_plain(core_path);
		if (fd >= 0 && found)
			*found = strdup(core_path);
	}
	if (fd >= 0)
		return fd;
	first_errno = errno;
	base = base ? base + 1 : core_path;
	for (i = 0; paths && i < paths->nlib_dirs; i++) {
		fd = paths_open_below(paths->lib_dirs[i], base, false, found);
		if (fd >= 0)
			return fd;
	}
	errno = first_errno;
	return -1;
}
