#include "handle/live_process.h"

#include "elf/core.h"
#include "python/probe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

/* /proc/PID/status and /proc/PID/stat are a few KiB; more is not them. */
#define PROC_FILE_MAX 16384

static void why_not(struct live_process *process, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void why_not(struct live_process *process, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(process->why_not, sizeof(process->why_not), fmt, ap);
	va_end(ap);
	if (process->root_fd >= 0)
		close(process->root_fd);
	if (process->exe_fd >= 0)
		close(process->exe_fd);
	process->root_fd = process->exe_fd = -1;
}

/* Read a small /proc file, NUL-terminated; false when it cannot be. */
static bool read_proc_file(const char *path, char *buf, size_t size)
{
	size_t used = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	while (used < size - 1 && (n = read(fd, buf + used, size - 1 - used)) > 0)
		used += (size_t)n;
	close(fd);
	buf[used] = '\0';
	return used > 0;
}

/* The number after "KEY:" in /proc/PID/status, or -1. */
static long long status_field(const char *status, const char *key)
{
	size_t len = strlen(key);
	const char *line;

	for (line = status; line; line = strchr(line, '\n')) {
		if (line[0] == '\n')
			line++;
		if (strncmp(line, key, len) == 0 && line[len] == ':')
			return strtoll(line + len + 1, NULL, 10);
	}
	return -1;
}

/* Whether the four ids after "KEY:" in /proc/PID/status (real,
 * effective, saved, file system) are one: 1 yes, 0 no, -1 not there. */
static int status_ids_one(const char *status, const char *key)
{
	size_t len = strlen(key);
	unsigned long long id[4];
	const char *line;

	for (line = status; line; line = strchr(line, '\n')) {
		if (line[0] == '\n')
			line++;
		if (strncmp(line, key, len) == 0 && line[len] == ':') {
			if (sscanf(line + len + 1, "%llu %llu %llu %llu", &id[0], &id[1], &id[2],
				   &id[3]) != 4)
				return -1;
			return id[0] == id[1] && id[1] == id[2] && id[2] == id[3];
		}
	}
	return -1;
}

/* AT_SECURE in /proc/PID/auxv, which the kernel wrote at exec (set for a
 * set-user-ID or file-capability program): 1 set, 0 not, -1 unknown. */
static int auxv_secure(pid_t pid)
{
	uint64_t auxv[2 * 64];
	char path[64];
	size_t used = 0, i;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/auxv", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (used < sizeof(auxv) &&
	       (n = read(fd, (char *)auxv + used, sizeof(auxv) - used)) > 0)
		used += (size_t)n;
	close(fd);
	for (i = 0; i + 1 < used / sizeof(auxv[0]) && auxv[i] != AT_NULL; i += 2)
		if (auxv[i] == AT_SECURE)
			return auxv[i + 1] != 0;
	return -1;
}

/* When the process started, in seconds since the epoch: its start in
 * clock ticks after boot (field 22 of /proc/PID/stat), plus the boot time. */
static bool start_time(const char *stat, time_t *ret)
{
	static char proc_stat[PROC_FILE_MAX];
	const char *field = strrchr(stat, ')'), *btime;
	unsigned long long ticks;
	long hz = sysconf(_SC_CLK_TCK);
	int i;

	/* The name in parentheses may hold anything: count from its end. */
	for (i = 2; field && i < 22; i++)
		field = strchr(field + 1, ' ');
	if (!field || sscanf(field, " %llu", &ticks) != 1 || hz <= 0)
		return false;
	if (!read_proc_file("/proc/stat", proc_stat, sizeof(proc_stat)))
		return false;
	btime = strstr(proc_stat, "\nbtime ");
	if (!btime)
		return false;
	*ret = (time_t)(strtoll(btime + 7, NULL, 10) + (long long)(ticks / (unsigned long)hz));
	return true;
}

static bool same_file(const char *a, const char *b)
{
	struct stat x, y;

	return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

void live_process_open(pid_t pid, uid_t uid, gid_t gid, time_t crash_time,
		       struct live_process *ret)
{
	static char status[PROC_FILE_MAX], stat[PROC_FILE_MAX];
	char path[64], root[64], ns[64];
	const char *open_paren, *close_paren;
	time_t started;
	bool ids_one;
	int secure;
	ssize_t n;

	*ret = (struct live_process){.pid = pid, .root_fd = -1, .exe_fd = -1};
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (!read_proc_file(path, status, sizeof(status))) {
		why_not(ret, "PID %d had exited", (int)pid);
		return;
	}
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!read_proc_file(path, stat, sizeof(stat))) {
		why_not(ret, "PID %d had exited", (int)pid);
		return;
	}
	open_paren = strchr(stat, '(');
	close_paren = strrchr(stat, ')');
	if (open_paren && close_paren > open_paren)
		snprintf(ret->comm, sizeof(ret->comm), "%.*s",
			 (int)(close_paren - open_paren - 1), open_paren + 1);
	ret->dumping = status_field(status, "CoreDumping") == 1;
	if (status_field(status, "Uid") != (long long)uid ||
	    status_field(status, "Gid") != (long long)gid) {
		why_not(ret, "PID %d runs as UID %lld, GID %lld, not as the crashed process: "
			     "another process",
			(int)pid, status_field(status, "Uid"), status_field(status, "Gid"));
		return;
	}
	/* A reused PID belongs to a process that started after the crash;
	 * the boot time in /proc/stat is rounded, hence the second. */
	if (!ret->dumping && (!start_time(stat, &started) || started > crash_time + 1)) {
		why_not(ret, "PID %d started after the crash: another process", (int)pid);
		return;
	}
	snprintf(root, sizeof(root), "/proc/%d/root", (int)pid);
	ret->root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	ret->exe_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (ret->root_fd < 0 || ret->exe_fd < 0) {
		why_not(ret, "%s: %s", ret->root_fd < 0 ? root : path, strerror(errno));
		return;
	}
	n = readlink(path, ret->exe, sizeof(ret->exe) - 1);
	ret->exe[n > 0 ? n : 0] = '\0';
	ids_one = status_ids_one(status, "Uid") == 1 && status_ids_one(status, "Gid") == 1;
	secure = auxv_secure(pid);
	ret->credentials = !ids_one		? LIVE_CREDENTIALS_CHANGED
			   : secure == 1	? LIVE_CREDENTIALS_SECURE
			   : secure == 0	? LIVE_CREDENTIALS_PLAIN
						: LIVE_CREDENTIALS_UNKNOWN;
	snprintf(ns, sizeof(ns), "/proc/%d/ns/mnt", (int)pid);
	ret->other_root = !same_file(root, "/") || !same_file(ns, "/proc/self/ns/mnt");
}

bool live_process_check_core(struct live_process *process, const struct core *core)
{
	if (process->root_fd < 0)
		return false;
	/* Both are the kernel's 16-byte comm of the same task. */
	if (core->has_psinfo && strncmp(core->psinfo.fname, process->comm, 15) != 0) {
		why_not(process, "PID %d is now '%.16s', the core's process was '%.16s': another "
				 "process",
			(int)process->pid, process->comm, core->psinfo.fname);
		return false;
	}
	return true;
}

/* /proc/PID/maps of a process with many mappings; past this, the check
 * for libpython gives up and the analysis decides. */
#define MAPS_MAX (4u << 20)

int live_process_maps_libpython(const struct live_process *process)
{
	char path[64], *line = NULL;
	size_t capacity = 0, total = 0;
	int found = 0;
	ssize_t n;
	FILE *maps;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)process->pid);
	maps = fopen(path, "re");
	if (!maps)
		return -1;
	while (found == 0 && (n = getline(&line, &capacity, maps)) > 0) {
		char *file = strchr(line, '/');

		total += (size_t)n;
		if (total > MAPS_MAX)
			found = -1;
		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		if (file && python_is_libpython(file))
			found = 1;
	}
	free(line);
	fclose(maps);
	return found;
}

void live_process_close(struct live_process *process)
{
	if (process->root_fd >= 0)
		close(process->root_fd);
	if (process->exe_fd >= 0)
		close(process->exe_fd);
	process->root_fd = process->exe_fd = -1;
}
