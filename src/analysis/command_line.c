#include "analysis/command_line.h"

#include "base/error.h"
#include "elf/core.h"
#include "elf/memory.h"

#include <elf.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How far below the file name exec() put at the top of the stack
 * (AT_EXECFN) the auxiliary vector is looked for: past the environment's
 * and the arguments' strings, which the kernel caps at a quarter of the
 * stack limit; a mebibyte covers any environment seen in practice. */
#define SEARCH_BYTES (1 << 20)
#define CHUNK_BYTES (64 << 10)
/* The auxiliary vector's first entries, matched on the stack. */
#define AUXV_MATCH (2 * sizeof(struct core_auxv_entry))

/* Where on the stack, below TOP, the auxiliary vector starts; 0: not found. */
static uint64_t find_auxv(const struct core *core, struct memory *mem, uint64_t top)
{
	unsigned char *chunk = malloc(CHUNK_BYTES + AUXV_MATCH);
	uint64_t end = top & ~(uint64_t)7, found = 0;
	size_t searched;

	if (!chunk || core->nauxv < 2 || end < CHUNK_BYTES) {
		free(chunk);
		return 0;
	}
	for (searched = 0; !found && searched < SEARCH_BYTES && end >= CHUNK_BYTES;
	     searched += CHUNK_BYTES) {
		/* Past the first chunk, the bytes above it too: a match may
		 * straddle two chunks. */
		size_t len = CHUNK_BYTES + (searched ? AUXV_MATCH : 0), at;
		uint64_t start = end - CHUNK_BYTES;
		struct pc_error *err = memory_read(mem, start, chunk, len);

		if (err) {
			pc_error_destroy(err);
			break;
		}
		for (at = len - AUXV_MATCH + 8; !found && at >= 8; at -= 8)
			if (memcmp(chunk + at - 8, core->auxv, AUXV_MATCH) == 0)
				found = start + at - 8;
		end = start;
	}
	free(chunk);
	return found;
}

/* Below the auxiliary vector at AUXV: NULL, the environment's pointers,
 * NULL, the arguments' pointers, argc.  The address of argv[0] and argc;
 * in *PWD PWD's value from the environment, if any. */
static bool find_argv(struct memory *mem, uint64_t auxv, uint64_t *argv, uint64_t *argc,
		      char **pwd)
{
	uint64_t at = auxv - 8, word, k;
	size_t n;
	struct pc_error *err;
	char var[PATH_MAX + 5];

	err = memory_read_u64(mem, at, &word);
	if (err || word != 0) {
		pc_error_destroy(err);
		return false;
	}
	/* The environment's pointers, down to the NULL that ends argv. */
	for (n = 0; n < COMMAND_LINE_MAX_ARGS * 4; n++) {
		int truncated = 0;

		at -= 8;
		err = memory_read_u64(mem, at, &word);
		if (err) {
			pc_error_destroy(err);
			return false;
		}
		if (word == 0)
			break;
		err = memory_read_cstring(mem, word, var, sizeof(var), &truncated);
		if (!err && !truncated && strncmp(var, "PWD=/", 5) == 0 && !*pwd)
			*pwd = strdup(var + 4);
		pc_error_destroy(err);
	}
	/* argc is the first word, below argv, that counts the pointers
	 * between it and the NULL at AT. */
	for (k = 1; k <= COMMAND_LINE_MAX_ARGS + 1; k++) {
		err = memory_read_u64(mem, at - 8 * k, &word);
		if (err) {
			pc_error_destroy(err);
			return false;
		}
		if (word == k - 1 && k > 1) {
			*argc = k - 1;
			*argv = at - 8 * (k - 1);
			return true;
		}
		if (word < auxv)
			return false;
	}
	return false;
}

struct pc_error *command_line_read(const struct core *core, struct memory *mem,
				   struct command_line *ret)
{
	char *buf = NULL, *arg = malloc(COMMAND_LINE_MAX_BYTES);
	size_t size = 0, i;
	uint64_t execfn, auxv, argv, argc;
	bool *cut = &ret->cut;
	FILE *out;

	*ret = (struct command_line){0};
	if (!arg)
		return &pc_error_nomem;
	if (!core_auxv(core, AT_EXECFN, &execfn) || !(auxv = find_auxv(core, mem, execfn)) ||
	    !find_argv(mem, auxv, &argv, &argc, &ret->pwd)) {
		free(arg);
		return NULL;
	}
	out = open_memstream(&buf, &size);
	if (!out) {
		free(arg);
		return &pc_error_nomem;
	}
	for (i = 0; i < argc && size < COMMAND_LINE_MAX_BYTES; i++) {
		uint64_t pointer;
		int truncated = 0;
		struct pc_error *err = memory_read_u64(mem, argv + 8 * i, &pointer);

		if (!err)
			err = memory_read_cstring(mem, pointer, arg, COMMAND_LINE_MAX_BYTES,
						  &truncated);
		if (err) {
			pc_error_destroy(err);
			fclose(out);
			free(buf);
			free(arg);
			return NULL;
		}
		fprintf(out, "%s%s", i ? " " : "", arg);
		fflush(out);
		*cut |= truncated != 0;
	}
	*cut |= i < argc;
	free(arg);
	if (fclose(out) != 0) {
		free(buf);
		return &pc_error_nomem;
	}
	if (strlen(buf) > COMMAND_LINE_MAX_BYTES) {
		buf[COMMAND_LINE_MAX_BYTES] = '\0';
		*cut = true;
	}
	ret->args = buf;
	return NULL;
}

void command_line_deinit(struct command_line *line)
{
	free(line->args);
	free(line->pwd);
	*line = (struct command_line){0};
}
