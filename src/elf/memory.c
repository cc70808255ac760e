#include "elf/memory.h"

#include "elf/core.h"
#include "base/error.h"
#include "elf/paths.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* A file the core maps, opened the first time a read needs it. */
struct mapped_file {
	const char *core_path;	/* as the core names it */
	bool tried;
	int open_errno;		/* why it could not be opened, when it could not */
	const unsigned char *map;
	size_t size;
};

/* The core is read with pread, a page at a time, through a small
 * direct-mapped cache, rather than through its mapping: a page of a mapping
 * counts in the resident set, and when the core is in the page cache (as a
 * core the kernel has just written is) the kernel maps up to 16 pages
 * around each one touched.  A thousand threads' stacks, thread states and
 * frames then made 80 MiB of resident core for 2 MiB read. */
#define CORE_PAGE_SIZE 4096
#define CORE_PAGES 256

struct core_page {
	uint64_t number;	/* offset in the core ÷ CORE_PAGE_SIZE */
	size_t len;		/* bytes read: less than a page at the end of the file;
				 * 0: the slot is empty */
	unsigned char bytes[CORE_PAGE_SIZE];
};

struct memory {
	const struct core *core;
	struct core_page *pages;	/* CORE_PAGES of them, allocated on the first read */
	const struct paths *paths;
	struct mapped_file *files;	/* one per distinct path, lazily opened */
	size_t nfiles;
	size_t *file_of_mapping;	/* core->files[i] is files[file_of_mapping[i]] */
	const struct core_segment *last; /* where the last read was: the next one is
					  * most often there too (a stack, an arena) */
	memory_file_reader *file_reader; /* memory_set_file_reader() */
	void *file_reader_arg;
};

static int path_compare(const void *a, const void *b)
{
	const struct core_file_mapping *const *x = a, *const *y = b;

	return strcmp((*x)->path, (*y)->path);
}

struct pc_error *memory_create(const struct core *core, const struct paths *paths,
			       struct memory **ret)
{
	const struct core_file_mapping **by_path = NULL;
	struct memory *mem = calloc(1, sizeof(*mem));
	size_t i, n = core->nfiles;

	if (!mem)
		return &pc_error_nomem;
	mem->core = core;
	mem->paths = paths;
	if (n) {
		/* Group the mappings by path, so that each file is opened once. */
		by_path = malloc(n * sizeof(*by_path));
		mem->files = calloc(n, sizeof(*mem->files));
		mem->file_of_mapping = calloc(n, sizeof(*mem->file_of_mapping));
		if (!by_path || !mem->files || !mem->file_of_mapping) {
			free(by_path);
			memory_destroy(mem);
			return &pc_error_nomem;
		}
		for (i = 0; i < n; i++)
			by_path[i] = &core->files[i];
		qsort(by_path, n, sizeof(*by_path), path_compare);
		for (i = 0; i < n; i++) {
			if (i == 0 || strcmp(by_path[i]->path, by_path[i - 1]->path) != 0)
				mem->files[mem->nfiles++].core_path = by_path[i]->path;
			mem->file_of_mapping[by_path[i] - core->files] = mem->nfiles - 1;
		}
		free(by_path);
	}
	*ret = mem;
	return NULL;
}

void memory_destroy(struct memory *mem)
{
	size_t i;

	if (!mem)
		return;
	for (i = 0; i < mem->nfiles; i++)
		if (mem->files[i].map)
			munmap((void *)mem->files[i].map, mem->files[i].size);
	free(mem->files);
	free(mem->file_of_mapping);
	free(mem->pages);
	free(mem);
}

static void mapped_file_open(struct memory *mem, struct mapped_file *file)
{
	struct stat st;
	void *map;
	int fd;

	file->tried = true;
	fd = paths_open(mem->paths, file->core_path, NULL);
	if (fd < 0) {
		file->open_errno = errno;
		return;
	}
	if (fstat(fd, &st) != 0 || st.st_size <= 0) {
		file->open_errno = fd >= 0 ? EINVAL : errno;
		close(fd);
		return;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	file->open_errno = errno;
	close(fd);
	if (map == MAP_FAILED)
		return;
	file->map = map;
	file->size = (size_t)st.st_size;
}

/* Copy what the file mapped at ADDRESS holds there, at most LEN bytes.
 * Returns the number of bytes copied, 0 when the file cannot serve it. */
static size_t read_from_file(struct memory *mem, const struct core_file_mapping *mapping,
			     uint64_t address, unsigned char *buf, size_t len)
{
	struct mapped_file *file =
		&mem->files[mem->file_of_mapping[mapping - mem->core->files]];
	uint64_t offset, available;

	if (!file->tried)
		mapped_file_open(mem, file);
	if (!file->map)
		return 0;
	offset = mapping->file_offset + (address - mapping->start);
	if (offset < mapping->file_offset || offset >= file->size)
		return 0;
	available = file->size - offset;
	if (available > mapping->end - address)
		available = mapping->end - address;
	if (available > len)
		available = len;
	memcpy(buf, file->map + offset, available);
	return available;
}

/* Copy LEN bytes at OFFSET of the core file into BUF, which the caller
 * knows the file holds.  Returns the number copied: fewer when the file
 * could not be read. */
static size_t read_core_file(struct memory *mem, uint64_t offset, unsigned char *buf,
			     size_t len)
{
	size_t done = 0;

	/* A core read in place from memory needs no cache of its own. */
	if (mem->core->fd < 0) {
		if (offset >= mem->core->size)
			return 0;
		done = mem->core->size - offset < len ? (size_t)(mem->core->size - offset) : len;
		memcpy(buf, mem->core->map + offset, done);
		return done;
	}
	if (!mem->pages) {
		mem->pages = calloc(CORE_PAGES, sizeof(*mem->pages));
		if (!mem->pages)
			return 0;
	}
	while (done < len) {
		uint64_t number = (offset + done) / CORE_PAGE_SIZE;
		size_t into = (size_t)((offset + done) % CORE_PAGE_SIZE), n;
		struct core_page *page = &mem->pages[number % CORE_PAGES];

		if (!page->len || page->number != number) {
			ssize_t got = pread(mem->core->fd, page->bytes, CORE_PAGE_SIZE,
					    (off_t)(number * CORE_PAGE_SIZE));

			page->len = got > 0 ? (size_t)got : 0;
			page->number = number;
		}
		if (into >= page->len)
			break;
		n = page->len - into;
		if (n > len - done)
			n = len - done;
		memcpy(buf + done, page->bytes + into, n);
		done += n;
	}
	return done;
}

/* Copy what the core itself holds at ADDRESS, at most LEN bytes.  Returns the
 * number copied; 0 with *NOT_DUMPED set when the segment exists but the kernel
 * wrote none of its bytes there, 0 with *CUT set when truncation lost them. */
static size_t read_from_core(struct memory *mem, uint64_t address, unsigned char *buf,
			     size_t len, bool *not_dumped, bool *cut, uint64_t *segment_end)
{
	const struct core_segment *segment = mem->last;
	uint64_t into, available;

	*not_dumped = false;
	*cut = false;
	*segment_end = 0;
	if (!segment || address - segment->vaddr >= segment->memsz)
		segment = core_segment_at(mem->core, address);
	if (!segment)
		return 0;
	mem->last = segment;
	into = address - segment->vaddr;
	*segment_end = segment->vaddr + segment->memsz;
	if (into >= segment->filesz) {
		if (into < segment->filesz_declared)
			*cut = true;
		else
			*not_dumped = true;
		return 0;
	}
	available = segment->filesz - into;
	if (available > len)
		available = len;
	return read_core_file(mem, segment->offset + into, buf, available);
}

struct pc_error *memory_read(struct memory *mem, uint64_t address, void *buf, size_t len)
{
	unsigned char *out = buf;

	if (len && address + len - 1 < address)
		return pc_error_fault("read of %zu bytes at %#llx wraps around", len,
				      (unsigned long long)address);
	while (len) {
		const struct core_file_mapping *mapping;
		bool not_dumped, cut;
		uint64_t segment_end;
		size_t got;

		got = read_from_core(mem, address, out, len, &not_dumped, &cut, &segment_end);
		if (!got && !cut) {
			/* The kernel leaves out file pages the process never wrote
			 * (coredump_filter): their bytes are the file's. */
			mapping = core_file_at(mem->core, address);
			if (mapping)
				got = read_from_file(mem, mapping, address, out, len);
			if (!got && mapping && !not_dumped)
				return pc_error_fault("address %#llx is in '%s', which cannot be read",
						      (unsigned long long)address, mapping->path);
			if (!mapping && mem->file_reader)
				got = mem->file_reader(mem->file_reader_arg, address, out, len);
		}
		if (!got) {
			if (cut)
				return pc_error_fault("address %#llx is cut off: the core is truncated",
						      (unsigned long long)address);
			if (not_dumped)
				return pc_error_fault("address %#llx was not saved in the core",
						      (unsigned long long)address);
			return pc_error_fault("address %#llx is not mapped in the core",
					      (unsigned long long)address);
		}
		out += got;
		address += got;
		len -= got;
	}
	return NULL;
}

void memory_set_file_reader(struct memory *mem, memory_file_reader *reader, void *arg)
{
	mem->file_reader = reader;
	mem->file_reader_arg = arg;
}

struct pc_error *memory_read_u64(struct memory *mem, uint64_t address, uint64_t *ret)
{
	return memory_read(mem, address, ret, sizeof(*ret));
}

struct pc_error *memory_read_u32(struct memory *mem, uint64_t address, uint32_t *ret)
{
	return memory_read(mem, address, ret, sizeof(*ret));
}

struct pc_error *memory_read_cstring(struct memory *mem, uint64_t address, char *buf,
				     size_t max, int *truncated)
{
	size_t done = 0;

	*truncated = 0;
	/* Read in small steps: a string near the end of a mapping must not fail
	 * because of bytes past its terminator. */
	while (done < max) {
		size_t step = 64 - ((address + done) & 63);
		struct pc_error *err;

		if (step > max - done)
			step = max - done;
		err = memory_read(mem, address + done, buf + done, step);
		if (err)
			return err;
		if (memchr(buf + done, '\0', step))
			return NULL;
		done += step;
	}
	buf[max - 1] = '\0';
	*truncated = 1;
	return NULL;
}
