/* libFuzzer target: the Python object decoders (thread states, frames, code
 * objects, str and bytes, line tables, and --locals' reprs) on a real core
 * whose objects are corrupted.
 *
 * A fake memory layer would test a fake: the bases are real cores of real
 * crashes (fuzz/make-seeds writes them; $PYCORE_FUZZ_CORES lists them,
 * colon-separated), opened once, in memfds.  pycore reads a core through a
 * read-only private mapping, which shows what is written to the memfd
 * afterwards.  Each base contributes the objects the analysis of the intact
 * core reads: thread states, interpreters, frames, their code objects, the
 * code objects' names, file names and line tables, the first variable of
 * each frame.
 *
 * Input: one byte that picks the object (modulo their number), then bytes
 * XORed onto the object's bytes in the core, from its address on.  XOR
 * makes the empty overlay the intact core, and every mutation libFuzzer
 * makes a corruption of real data: flipped bits in pointers, lengths,
 * kinds and flags.  The core is analyzed as `pycore analyze --locals`
 * would (minus native stacks, which do not read these objects), then the
 * bytes are put back.
 *
 * An input is only meaningful with the cores it was found on.  To keep a
 * crash as a regression input, run the target on it alone with
 * $PYCORE_FUZZ_WRITE_CORE set to a path: the corrupted core is written
 * there, for fixtures/fuzz-regressions/ (xz-compressed). */
#include "elf/core.h"
#include "base/error.h"
#include "layout/layout.h"
#include "elf/memory.h"
#include "elf/modules.h"
#include "elf/paths.h"
#include "python/python.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MAX_BASES 8
#define MAX_OBJECTS 64		/* per base */
#define MAX_OVERLAY 4096	/* bytes of input XORed onto the core */
#define WALK_THREADS 4
#define WALK_FRAMES 4

struct base {
	int fd;			/* the memfd the core is read from */
	unsigned char *pristine; /* the file as it was */
	size_t size;
	struct core *core;
	struct memory *memory;
	struct modules *modules;
	uint64_t objects[MAX_OBJECTS];
	size_t nobjects;
};

static struct base bases[MAX_BASES];
static size_t nbases;
static const char *write_core;	/* $PYCORE_FUZZ_WRITE_CORE, or NULL */
static const struct paths no_paths;
/* Tables, not DWARF: the same offsets (the unit tests check it), without
 * parsing libpython's DWARF on every input. */
static const struct python_options options = {
	.layout = LAYOUT_REQUEST_TABLES,
	.max_frames = 1000,
	.max_threads = 64,
	.locals = true,
};

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *what, const char *path, struct pc_error *err)
{
	fprintf(stderr, "fuzz_pyobjects: %s: %s%s%s\n", path, what, err ? ": " : "",
		err ? err->message : "");
	exit(1);
}

static void add_object(struct base *base, uint64_t address)
{
	size_t i;

	if (!address || base->nobjects == MAX_OBJECTS)
		return;
	for (i = 0; i < base->nobjects; i++)
		if (base->objects[i] == address)
			return;
	base->objects[base->nobjects++] = address;
}

/* The pointer at ADDRESS + OFFSET, or 0. */
static uint64_t pointer_at(struct base *base, uint64_t address, int64_t offset)
{
	uint64_t value = 0;

	if (offset == LAYOUT_ABSENT)
		return 0;
	pc_error_destroy(memory_read_u64(base->memory, address + (uint64_t)offset, &value));
	return value;
}

static void add_frame_objects(struct base *base, const struct py_layout *layout,
			      uint64_t frame)
{
	bool object = layout->frame_shape == FRAME_SHAPE_OBJECT;
	uint64_t code = pointer_at(base, frame, object ? layout->frame.f_code : layout->iframe.code);

	add_object(base, frame);
	add_object(base, pointer_at(base, frame,
				    object ? layout->frame.f_localsplus : layout->iframe.localsplus));
	code &= ~layout->stackref_tag_bits;
	if (!code)
		return;
	add_object(base, code);
	add_object(base, pointer_at(base, code, layout->code.co_filename));
	add_object(base, pointer_at(base, code, layout->code.co_qualname != LAYOUT_ABSENT
							? layout->code.co_qualname
							: layout->code.co_name));
	add_object(base, pointer_at(base, code, layout->code.co_linetable != LAYOUT_ABSENT
							? layout->code.co_linetable
							: layout->code.co_lnotab));
	add_object(base, pointer_at(base, code, layout->code.co_localsplusnames != LAYOUT_ABSENT
							? layout->code.co_localsplusnames
							: layout->code.co_varnames));
}

static void open_base(const char *path)
{
	struct base *base = &bases[nbases];
	struct python python;
	struct pc_error *err;
	size_t i, j;
	FILE *f = fopen(path, "rb");

	if (!f || fseek(f, 0, SEEK_END) != 0 || (base->size = (size_t)ftell(f)) == 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || !(base->pristine = malloc(base->size)) ||
	    fread(base->pristine, 1, base->size, f) != base->size)
		die("cannot be read", path, NULL);
	fclose(f);
	base->fd = memfd_create("fuzz-pyobjects", MFD_CLOEXEC);
	if (base->fd < 0 || pwrite(base->fd, base->pristine, base->size, 0) != (ssize_t)base->size)
		die("memfd", path, NULL);
	err = core_open_fd(base->fd, path, &base->core);
	if (!err)
		err = memory_create(base->core, &no_paths, &base->memory);
	if (!err)
		err = modules_create(base->core, base->memory, NULL, &no_paths, &base->modules);
	if (!err)
		err = python_analyze(base->modules, base->memory, &options, &python);
	if (err)
		die("not a core pycore reads", path, err);
	if (!python.found || python.error || !python.nthreads)
		die("no Python thread in it", path, NULL);
	for (i = 0; i < python.nthreads && i < WALK_THREADS; i++) {
		const struct py_thread *thread = &python.threads[i];

		add_object(base, thread->tstate);
		add_object(base, thread->interp);
		for (j = 0; j < thread->nframes && j < WALK_FRAMES; j++)
			add_frame_objects(base, &python.layout, thread->frames[j].address);
	}
	python_deinit(&python);
	nbases++;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *list = getenv("PYCORE_FUZZ_CORES");
	char *copy, *path, *save = NULL;

	(void)argc;
	(void)argv;
	if (!list || !*list) {
		fprintf(stderr, "fuzz_pyobjects: set PYCORE_FUZZ_CORES to the cores of "
				"fuzz/make-seeds (colon-separated)\n");
		exit(1);
	}
	write_core = getenv("PYCORE_FUZZ_WRITE_CORE");
	copy = strdup(list);
	for (path = strtok_r(copy, ":", &save); path && nbases < MAX_BASES;
	     path = strtok_r(NULL, ":", &save))
		open_base(path);
	free(copy);
	return 0;
}

/* Copy the corrupted core of BASE to WRITE_CORE. */
static void save_core(struct base *base)
{
	unsigned char *copy = malloc(base->size);
	FILE *f = fopen(write_core, "wb");

	if (!copy || !f || pread(base->fd, copy, base->size, 0) != (ssize_t)base->size ||
	    fwrite(copy, 1, base->size, f) != base->size || fclose(f) != 0) {
		perror(write_core);
		exit(1);
	}
	free(copy);
}

/* XOR (or, to restore, copy back) LEN bytes of OVERLAY onto the core at
 * ADDRESS, where the core's file holds them. */
static void overlay(struct base *base, uint64_t address, const uint8_t *xor, size_t len)
{
	size_t done = 0;

	while (done < len) {
		const struct core_segment *segment = core_segment_at(base->core, address + done);
		uint64_t into, run;
		unsigned char buf[MAX_OVERLAY];
		size_t k;

		if (!segment || (into = address + done - segment->vaddr) >= segment->filesz) {
			done++;
			continue;
		}
		run = segment->filesz - into;
		if (run > len - done)
			run = len - done;
		memcpy(buf, base->pristine + segment->offset + into, run);
		for (k = 0; xor && k < run; k++)
			buf[k] ^= xor[done + k];
		if (pwrite(base->fd, buf, run, (off_t)(segment->offset + into)) != (ssize_t)run)
			abort();
		done += run;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct python python;
	struct pc_error *err;
	size_t total = 0, pick, i, len;

	for (i = 0; i < nbases; i++)
		total += bases[i].nobjects;
	if (size < 1 || !total)
		return 0;
	pick = data[0] % total;
	for (i = 0; pick >= bases[i].nobjects; i++)
		pick -= bases[i].nobjects;
	len = size - 1 < MAX_OVERLAY ? size - 1 : MAX_OVERLAY;
	overlay(&bases[i], bases[i].objects[pick], data + 1, len);
	if (write_core)
		save_core(&bases[i]);
	err = python_analyze(bases[i].modules, bases[i].memory, &options, &python);
	if (err)
		abort();	/* out of memory: the analysis must stay bounded */
	python_deinit(&python);
	overlay(&bases[i], bases[i].objects[pick], NULL, len);
	return 0;
}
