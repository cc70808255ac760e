#include "source.h"

#include "paths.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Larger files are not source code anyone reads in a traceback. */
#define SOURCE_MAX_FILE (64u << 20)

struct source_cache {
	const struct paths *paths;
	char *file;		/* the file mapped now, or the one that failed */
	const char *map;
	size_t size;
	size_t *line_starts;	/* offsets of each line, built on first use */
	size_t nlines;
};

struct source_cache *source_cache_create(const struct paths *paths)
{
	struct source_cache *cache = calloc(1, sizeof(*cache));

	if (cache)
		cache->paths = paths;
	return cache;
}

static void forget(struct source_cache *cache)
{
	if (cache->map)
		munmap((void *)cache->map, cache->size);
	free(cache->file);
	free(cache->line_starts);
	cache->file = NULL;
	cache->map = NULL;
	cache->size = 0;
	cache->line_starts = NULL;
	cache->nlines = 0;
}

void source_cache_destroy(struct source_cache *cache)
{
	if (!cache)
		return;
	forget(cache);
	free(cache);
}

static void index_lines(struct source_cache *cache)
{
	size_t count = 1, i, n = 0;
	const char *p;

	for (p = cache->map; (p = memchr(p, '\n', cache->size - (size_t)(p - cache->map)));
	     p++)
		count++;
	cache->line_starts = malloc(count * sizeof(*cache->line_starts));
	if (!cache->line_starts)
		return;
	cache->line_starts[n++] = 0;
	for (i = 0; i < cache->size; i++)
		if (cache->map[i] == '\n' && n < count)
			cache->line_starts[n++] = i + 1;
	cache->nlines = n;
}

static void load(struct source_cache *cache, const char *file)
{
	struct stat st;
	int fd;

	forget(cache);
	cache->file = strdup(file);
	/* Names like "<string>" or "<frozen importlib._bootstrap>" are not files. */
	if (!cache->file || file[0] == '<')
		return;
	fd = paths_open(cache->paths, file, NULL);
	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && st.st_size > 0 && (uint64_t)st.st_size <= SOURCE_MAX_FILE) {
		void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);

		if (map != MAP_FAILED) {
			cache->map = map;
			cache->size = (size_t)st.st_size;
			index_lines(cache);
		}
	}
	close(fd);
}

const char *source_line(struct source_cache *cache, const char *file, int line, size_t *len)
{
	size_t start, end;
	const char *nl;

	if (!cache || !file || line < 1)
		return NULL;
	if (!cache->file || strcmp(cache->file, file) != 0)
		load(cache, file);
	if (!cache->map || (size_t)line > cache->nlines)
		return NULL;
	start = cache->line_starts[line - 1];
	nl = memchr(cache->map + start, '\n', cache->size - start);
	end = nl ? (size_t)(nl - cache->map) : cache->size;
	if (end > start && cache->map[end - 1] == '\r')
		end--;
	*len = end - start;
	return cache->map + start;
}
