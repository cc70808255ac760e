#include "report/source.h"

#include "elf/paths.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Larger files are not source code anyone reads in a traceback. */
#define SOURCE_MAX_FILE (64u << 20)

/* Tracebacks go back and forth between a few files (the program and the
 * library it calls, recursing through both): keep the last few mapped. */
#define SOURCE_CACHE_FILES 8

struct source_file {
	char *file;		/* the file mapped, or the one that failed */
	const char *map;
	size_t size;
	size_t *line_starts;	/* offsets of each line */
	size_t nlines;
};

struct source_cache {
	const struct paths *paths;
	const char *cwd;	/* where relative names point, or NULL */
	struct source_file files[SOURCE_CACHE_FILES];
	size_t next;		/* the entry to replace next, round robin */
};

struct source_cache *source_cache_create(const struct paths *paths, const char *cwd)
{
	struct source_cache *cache = calloc(1, sizeof(*cache));

	if (cache) {
		cache->paths = paths;
		cache->cwd = cwd;
	}
	return cache;
}

static void forget(struct source_file *entry)
{
	if (entry->map)
		munmap((void *)entry->map, entry->size);
	free(entry->file);
	free(entry->line_starts);
	entry->file = NULL;
	entry->map = NULL;
	entry->size = 0;
	entry->line_starts = NULL;
	entry->nlines = 0;
}

void source_cache_destroy(struct source_cache *cache)
{
	size_t i;

	if (!cache)
		return;
	for (i = 0; i < SOURCE_CACHE_FILES; i++)
		forget(&cache->files[i]);
	free(cache);
}

static void index_lines(struct source_file *entry)
{
	size_t count = 1, i, n = 0;
	const char *p;

	for (p = entry->map; (p = memchr(p, '\n', entry->size - (size_t)(p - entry->map)));
	     p++)
		count++;
	entry->line_starts = malloc(count * sizeof(*entry->line_starts));
	if (!entry->line_starts)
		return;
	entry->line_starts[n++] = 0;
	for (i = 0; i < entry->size; i++)
		if (entry->map[i] == '\n' && n < count)
			entry->line_starts[n++] = i + 1;
	entry->nlines = n;
}

static void load(struct source_file *entry, const struct source_cache *cache, const char *file)
{
	char *joined = NULL;
	struct stat st;
	int fd;

	forget(entry);
	entry->file = strdup(file);
	/* Names like "<string>" or "<frozen importlib._bootstrap>" are not files. */
	if (!entry->file || file[0] == '<')
		return;
	if (file[0] != '/' && (!cache->cwd || asprintf(&joined, "%s/%s", cache->cwd, file) < 0))
		return;
	fd = paths_open(cache->paths, joined ? joined : file, NULL);
	free(joined);
	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && st.st_size > 0 && (uint64_t)st.st_size <= SOURCE_MAX_FILE) {
		void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);

		if (map != MAP_FAILED) {
			entry->map = map;
			entry->size = (size_t)st.st_size;
			index_lines(entry);
		}
	}
	close(fd);
}

const char *source_line(struct source_cache *files, const char *file, int line, size_t *len)
{
	struct source_file *entry = NULL;
	size_t start, end, i;
	const char *nl;

	if (!files || !file || line < 1)
		return NULL;
	for (i = 0; i < SOURCE_CACHE_FILES && !entry; i++)
		if (files->files[i].file && strcmp(files->files[i].file, file) == 0)
			entry = &files->files[i];
	if (!entry) {
		entry = &files->files[files->next];
		files->next = (files->next + 1) % SOURCE_CACHE_FILES;
		load(entry, files, file);
	}
	if (!entry->map || (size_t)line > entry->nlines)
		return NULL;
	start = entry->line_starts[line - 1];
	nl = memchr(entry->map + start, '\n', entry->size - start);
	end = nl ? (size_t)(nl - entry->map) : entry->size;
	if (end > start && entry->map[end - 1] == '\r')
		end--;
	*len = end - start;
	return entry->map + start;
}
