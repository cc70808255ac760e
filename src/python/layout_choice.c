/* Which layout the walk reads the interpreter with: DWARF, _Py_DebugOffsets
 * or the built-in tables, and for the last two, whether a walk with them
 * agrees with the core. */
#include "python/walk.h"

#include "base/error.h"
#include "base/warnings.h"
#include "elf/core.h"
#include "elf/debuginfo.h"
#include "elf/memory.h"
#include "elf/modules.h"
#include "elf/pthread.h"
#include "python/object.h"

#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pc_error *python_choose_layout(struct python *python, struct memory *mem,
				      const struct anchors *anchors, unsigned hex,
				      enum layout_request request)
{
	struct pc_error *err = NULL, *dwarf_err = NULL;

	if (request == LAYOUT_REQUEST_AUTO || request == LAYOUT_REQUEST_DWARF) {
		err = layout_from_dwarf((struct Dwfl_Module *)anchors->module, hex, &python->layout);
		if (!err || request == LAYOUT_REQUEST_DWARF)
			return err;
		dwarf_err = err;
	}
	if (dwarf_err && dwarf_err->code != PC_ERR_NOT_FOUND)
		warnings_add(&python->warnings, &python->nwarnings, "DWARF not used: %s",
			     dwarf_err->message);
	if ((request == LAYOUT_REQUEST_AUTO && hex >= PY_HEX(3, 13)) ||
	    request == LAYOUT_REQUEST_DEBUG_OFFSETS) {
		unsigned char offsets[4096];

		err = anchors->runtime
			      ? memory_read(mem, anchors->runtime, offsets, sizeof(offsets))
			      : pc_error_create(PC_ERR_NOT_FOUND, "no _PyRuntime");
		if (!err)
			err = layout_from_debug_offsets(offsets, sizeof(offsets), anchors->machine,
							&python->layout);
		if (!err || request == LAYOUT_REQUEST_DEBUG_OFFSETS) {
			pc_error_destroy(dwarf_err);
			return err;
		}
		pc_error_destroy(err);
	}
	err = layout_from_arch_tables(anchors->machine, hex, &python->layout);
	if (err && dwarf_err)
		err = pc_error_prefix(err, "%s; and", dwarf_err->message);
	pc_error_destroy(dwarf_err);
	return err;
}

static bool has_own_dwarf(Dwfl_Module *module)
{
	uint64_t bias;
	GElf_Shdr shdr;

	return modules_section(module, ".debug_info", &shdr, &bias);
}

/* Where the layout came from, for the report: the file whose DWARF was
 * read (often a separate debug file), or the source's own name. */
char *python_layout_detail(struct modules *modules, Dwfl_Module *module,
			   const struct py_layout *layout)
{
	const char *debugfile = NULL, *urls;
	char build_id[130], fetched[4096], *detail;

	if (layout->source == LAYOUT_SOURCE_DWARF) {
		const char *mainfile = NULL;

		dwfl_module_info(module, NULL, NULL, NULL, NULL, NULL, &mainfile, &debugfile);
		if (!debugfile && !has_own_dwarf(module) &&
		    modules_module_build_id(module, build_id, sizeof(build_id)) &&
		    (urls = debuginfo_debuginfod_file(build_id, fetched, sizeof(fetched))))
			return asprintf(&detail, "%s, from debuginfod %s", fetched, urls) >= 0
				       ? detail
				       : NULL;
		if (debugfile || mainfile)
			return strdup(debugfile ? debugfile : modules_shown_name(modules, mainfile));
	}
	if (layout->source == LAYOUT_SOURCE_TABLES &&
	    asprintf(&detail, "for Python %u.%u", layout->version_hex >> 24,
		     (layout->version_hex >> 16) & 0xff) >= 0)
		return detail;
	return strdup("read from _PyRuntime");
}

/* Whether the frame at ADDRESS holds a code object, by the layout. */
static bool frame_has_code(struct memory *mem, const struct py_layout *layout,
			   uint64_t code_type, uint64_t address)
{
	const struct py_reader reader = {.mem = mem, .layout = layout};
	struct pc_error *err;
	uint64_t code, type;

	err = py_read_ptr(&reader, address,
			  layout->frame_shape == FRAME_SHAPE_OBJECT ? LAYOUT_FIELD(frame, f_code)
								    : LAYOUT_FIELD(iframe, code),
			  &code);
	if (!err)
		err = pyobject_type(&reader, code & ~layout->stackref_tag_bits, &type);
	pc_error_destroy(err);
	return !err && type == code_type;
}

/* A thread of the core: its LWP, and its pthread id where its thread
 * pointer says it (elf/pthread.h), else 0. */
struct core_id {
	uint64_t key;
	uint64_t pthread_id;
	const struct core_thread *thread;
};

static int core_id_compare(const void *a, const void *b)
{
	uint64_t x = ((const struct core_id *)a)->key, y = ((const struct core_id *)b)->key;

	return (x > y) - (x < y);
}

/* Whether the thread state's ids name a thread of the core: its pthread id,
 * and where the version records it its LWP too, of the same thread.  IDS is
 * sorted, by LWP when BY_LWP, else by pthread id. */
static bool thread_in_core(const struct py_thread *thread, const struct core_id *ids,
			   size_t count, bool by_lwp, const struct core *core, struct memory *mem)
{
	struct core_id key = {.key = by_lwp ? thread->native_thread_id : thread->thread_id};
	const struct core_id *found = bsearch(&key, ids, count, sizeof(key), core_id_compare);

	if (found && !found->pthread_id)
		return pthread_of_thread(core, mem, found->thread, thread->thread_id) ==
		       thread->thread_id;
	return found && found->pthread_id == thread->thread_id;
}

/* Whether what a layout that was not read from this build's own DWARF found
 * is what the build holds: the walk went through without an error, found
 * frames, each thread state points back to its interpreter and is one of
 * the core's threads, each frame's code object has PyCode_Type as its type,
 * and (3.11+) each chain of frames ends with an entry frame.  A wrong offset
 * of what the walk reads breaks one of these at once. */
static bool walk_is_consistent(const struct python *python, struct memory *mem,
			       const struct core *core, const struct anchors *anchors)
{
	const struct py_layout *layout = &python->layout;
	const struct py_reader reader = {.mem = mem, .layout = layout};
	bool by_lwp = py_has_field(&reader, LAYOUT_FIELD(tstate, native_thread_id));
	bool consistent = true;
	struct core_id *ids;
	size_t i, j, frames = 0;

	if (python->error || !python->nthreads || !anchors->code_type || !core->nthreads)
		return false;
	ids = calloc(core->nthreads, sizeof(*ids));
	if (!ids)
		return false;
	for (i = 0; i < core->nthreads; i++) {
		ids[i].pthread_id = core_thread_pthread(core, &core->threads[i]);
		ids[i].thread = &core->threads[i];
		ids[i].key = by_lwp ? (uint64_t)core->threads[i].lwp : ids[i].pthread_id;
	}
	qsort(ids, core->nthreads, sizeof(*ids), core_id_compare);
	for (i = 0; i < python->nthreads && consistent; i++) {
		const struct py_thread *thread = &python->threads[i];
		uint64_t interp = thread->interp;

		/* A build without the link back is taken at its word. */
		if (py_has_field(&reader, LAYOUT_FIELD(tstate, interp))) {
			struct pc_error *err = py_read_ptr(&reader, thread->tstate,
							   LAYOUT_FIELD(tstate, interp), &interp);

			pc_error_destroy(err);
			if (err)
				interp = 0;
		}
		consistent = !thread->error && !thread->exception_error &&
			     interp == thread->interp &&
			     thread_in_core(thread, ids, core->nthreads, by_lwp, core, mem);
		/* The oldest frame of a whole chain was run by an eval call of
		 * its own: a wrong link to the caller ends the chain early. */
		if (layout->frame_shape == FRAME_SHAPE_INTERPRETER && thread->nframes &&
		    !thread->cut && !thread->frames[thread->nframes - 1].is_entry)
			consistent = false;
		frames += thread->nframes;
		for (j = 0; j < thread->nframes && consistent; j++)
			consistent = !thread->frames[j].error &&
				     frame_has_code(mem, layout, anchors->code_type,
						    thread->frames[j].address);
	}
	free(ids);
	/* A wrong offset on the way to the frames finds none at all. */
	return consistent && frames > 0;
}

/* Auto's first choice: what needs no debug information, when it exists for
 * this version, checked against the build (its size of _PyRuntimeState is
 * the _PyRuntime symbol's), walked, and the walk checked against the core
 * before it is trusted.  True when RET holds its walk; false when there is
 * none or it failed a check, and the layout must come from elsewhere. */
bool python_walk_without_dwarf(struct python *python, struct memory *mem,
			       const struct core *core, const struct anchors *anchors,
			       unsigned hex, const struct python_options *options,
			       struct pc_error **ret)
{
	enum layout_request cheap = hex >= PY_HEX(3, 13) ? LAYOUT_REQUEST_DEBUG_OFFSETS
							 : LAYOUT_REQUEST_TABLES;
	struct pc_error *err = python_choose_layout(python, mem, anchors, hex, cheap);

	if (!err)
		err = layout_check_runtime_size(&python->layout, anchors->runtime_size);
	*ret = NULL;
	if (err) {
		pc_error_destroy(err);
		return false;
	}
	*ret = python_walk(python, mem, core, anchors, options);
	if (*ret)
		return true;
	if (walk_is_consistent(python, mem, core, anchors))
		return true;
	python_forget_walk(python);
	return false;
}
