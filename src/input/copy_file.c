#include "input/copy_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The largest write of a spill: a system call per this much. */
#define SPILL_WRITE (64u << 20)

uint64_t copy_file_default_budget(void)
{
	unsigned long long kib = 0;
	char line[128];
	uint64_t budget;
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kib) == 1)
			break;
	fclose(f);
	budget = (uint64_t)kib * 1024 / 4;
	return budget < COPY_FILE_BUDGET_CAP ? budget : COPY_FILE_BUDGET_CAP;
}

int copy_file_memory(void)
{
	return memfd_create("pycore-core", MFD_CLOEXEC);
}

int copy_file_temporary(const char *dir)
{
	char *name;
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
		return fd;
	if (asprintf(&name, "%s/pycore-core.XXXXXX", dir) < 0) {
		errno = ENOMEM;
		return -1;
	}
	fd = mkostemp(name, O_CLOEXEC);
	if (fd >= 0)
		unlink(name);
	free(name);
	return fd;
}

static int write_all(int fd, const unsigned char *buf, size_t len, uint64_t offset)
{
	while (len > 0) {
		ssize_t n = pwrite(fd, buf, len < SPILL_WRITE ? len : SPILL_WRITE, (off_t)offset);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? errno : ENOSPC;
		buf += n;
		len -= (size_t)n;
		offset += (uint64_t)n;
	}
	return 0;
}

/* The memory file is mapped and written out from the mapping: its holes,
 * found with SEEK_DATA and SEEK_HOLE, are neither read nor written. */
int copy_file_spill(int from, uint64_t size, int to)
{
	unsigned char *map;
	off_t data = 0, hole;
	int error = 0;

	if (size == 0)
		return 0;
	map = mmap(NULL, (size_t)size, PROT_READ, MAP_SHARED, from, 0);
	if (map == MAP_FAILED)
		return errno;
	while (!error && (uint64_t)data < size) {
		data = lseek(from, data, SEEK_DATA);
		if (data < 0 || (uint64_t)data >= size)
			break;
		hole = lseek(from, data, SEEK_HOLE);
		if (hole < 0 || (uint64_t)hole > size)
			hole = (off_t)size;
		error = write_all(to, map + data, (size_t)(hole - data), (uint64_t)data);
		data = hole;
	}
	munmap(map, (size_t)size);
	if (!error && ftruncate(to, (off_t)size) != 0)
		error = errno;
	return error;
}
