/* asyncio's side of the analysis, after the Python walk: the layout of
 * _asyncio's objects, looked for once some interpreter imported asyncio,
 * and the tasks read with it from the walk's thread states. */
#include "asyncio/asyncio.h"

#include "base/error.h"
#include "elf/memory.h"
#include "elf/modules.h"
#include "python/code.h"
#include "python/frame.h"
#include "python/locals.h"

#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>

/* The _AsyncioDebug offsets in MODULE's .AsyncioDebug section, read from
 * the core (the section is initialised data, always dumped). */
static struct pc_error *asyncio_from_debug_offsets(Dwfl_Module *module, struct memory *mem,
						   struct py_layout *layout)
{
	unsigned char offsets[512];
	uint64_t bias;
	GElf_Shdr shdr;
	struct pc_error *err;

	if (!modules_section(module, ".AsyncioDebug", &shdr, &bias))
		return pc_error_create(PC_ERR_NOT_FOUND, "%s has no .AsyncioDebug section",
				       modules_module_file(module));
	if (shdr.sh_size > sizeof(offsets))
		return pc_error_create(PC_ERR_UNSUPPORTED,
				       "the .AsyncioDebug section of %s has %llu bytes",
				       modules_module_file(module), (unsigned long long)shdr.sh_size);
	err = memory_read(mem, shdr.sh_addr + bias, offsets, (size_t)shdr.sh_size);
	return err ? err : layout_asyncio_from_debug_offsets(offsets, (size_t)shdr.sh_size, layout);
}

/* The layout of the _asyncio extension's objects, from the module that has
 * it (a shared library of its own, or the interpreter).  DWARF first, as for
 * the interpreter: it has every field pycore shows, where _AsyncioDebug has
 * no task state, loop or awaited future; the offsets are for the common
 * build without debug files (and the only source with --layout
 * debug-offsets).  *NOTE is what could not be read, for a warning once
 * tasks were looked for, or NULL. */
static struct pc_error *asyncio_layout(struct modules *modules, struct memory *mem,
				       enum layout_request request, struct py_layout *layout,
				       char **note)
{
	struct pc_error *dwarf_err = NULL, *err;
	Dwfl_Module *module;
	uint64_t init;
	int n = 0;

	*note = NULL;
	/* A module's init function is exported, by the extension or by the
	 * interpreter that has _asyncio built in (linked with -export-dynamic,
	 * as CPython's configure does on Linux): no full symbol table is
	 * searched for it, which most processes, without _asyncio, would pay
	 * for nothing. */
	if (!modules_find_exported(modules, "PyInit__asyncio", &init, &module))
		return NULL;
	if (request != LAYOUT_REQUEST_DEBUG_OFFSETS) {
		dwarf_err = layout_asyncio_from_dwarf(module, layout);
		if (!dwarf_err || dwarf_err == &pc_error_nomem)
			return dwarf_err;
	}
	err = request == LAYOUT_REQUEST_DWARF
		      ? NULL
		      : asyncio_from_debug_offsets(module, mem, layout);
	if (err == &pc_error_nomem)
		n = -1;
	else if (request == LAYOUT_REQUEST_DWARF)
		n = asprintf(note, "asyncio tasks: no layout of _asyncio's objects: %s",
			     dwarf_err->message);
	else if (err)
		n = asprintf(note, "asyncio tasks: no layout of _asyncio's objects: %s%s%s",
			     dwarf_err ? dwarf_err->message : "", dwarf_err ? "; " : "",
			     err->message);
	else
		n = asprintf(note,
			     "asyncio tasks: %s%sread through the _AsyncioDebug offsets of %s, "
			     "which give no task's state (pending while its coroutine is "
			     "suspended, else unknown) or loop; what a task awaits is the end "
			     "of its coroutine chain",
			     dwarf_err ? dwarf_err->message : "", dwarf_err ? "; " : "",
			     modules_module_file(module));
	pc_error_destroy(dwarf_err);
	pc_error_destroy(err);
	if (n < 0) {
		*note = NULL;
		return &pc_error_nomem;
	}
	return NULL;
}

struct pc_error *asyncio_read_tasks(struct modules *modules, struct memory *mem,
				    const struct py_layout *walk_layout,
				    const struct py_thread *threads, size_t nthreads,
				    const struct python_options *options, struct pytasks *ret)
{
	/* The walk's layout stays the walk's: _asyncio's objects are added
	 * to a copy. */
	struct py_layout layout = *walk_layout;
	struct pyframe_walker frames = {.reader = {.mem = mem, .layout = &layout},
					.max_frames = options->max_frames,
					.deadline = options->deadline};
	struct pc_error *err;
	char *note;

	/* Finding the layout of _asyncio's objects can mean reading DWARF
	 * (the interpreter's own where _asyncio is built in, as in 3.15):
	 * not for a process that never imported asyncio. */
	if (!pytasks_imported(&frames.reader, threads, nthreads))
		return NULL;
	err = asyncio_layout(modules, mem, options->layout, &layout, &note);
	if (!err)
		err = pycode_cache_create(&frames.reader, &frames.codes);
	if (!err && options->locals)
		err = pylocals_create(&frames.reader, &frames.locals);
	if (!err)
		err = pytasks_read(&frames, threads, nthreads, options->max_tasks, ret);
	if (!err && note && ret->asyncio) {
		ret->note = note;
		note = NULL;
	}
	free(note);
	pylocals_destroy(frames.locals);
	pycode_cache_destroy(frames.codes);
	return err;
}
