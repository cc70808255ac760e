#include "python.h"

#include "core.h"
#include "paths.h"
#include "deadline.h"
#include "debuginfo.h"
#include "error.h"
#include "warnings.h"
#include "layout_cache.h"
#include "memory.h"
#include "modules.h"
#include "ptrset.h"
#include "pyframe.h"
#include "pyexc.h"
#include "pylocals.h"
#include "pyobject.h"
#include "pytasks.h"
#include "pythreadnames.h"
#include "pyversion.h"

#include <gelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PYTHON_MAX_INTERPRETERS 256

/* Where the interpreter lives in the process. */
struct anchors {
	Dwfl_Module *module;	/* executable or libpython */
	uint64_t runtime;	/* &_PyRuntime (3.7+), or 0 */
	uint64_t interp_head;	/* &interp_head (2.7, 3.6), or 0 */
	uint64_t tstate_current; /* &_PyThreadState_Current (2.7, 3.6), or 0 */
	uint64_t gc_collecting;	/* &collecting in gcmodule.c (2.7, 3.6), or 0 */
	uint64_t code_type;	/* &PyCode_Type */
	uint64_t none;		/* &_Py_NoneStruct */
};

/* 2.7 and 3.6 keep the interpreter list in a static; a stripped build has
 * no symbol for it, but PyInterpreterState_Head() is exported and is just
 * `mov interp_head(%rip), %rax; ret`. */
static uint64_t interp_head_from_code(struct memory *mem, uint64_t function)
{
	unsigned char code[8];
	struct pc_error *err = memory_read(mem, function, code, sizeof(code));
	int32_t displacement;

	if (err) {
		pc_error_destroy(err);
		return 0;
	}
	if (code[0] != 0x48 || code[1] != 0x8b || code[2] != 0x05 || code[7] != 0xc3)
		return 0;
	memcpy(&displacement, code + 3, sizeof(displacement));
	return function + 7 + (uint64_t)(int64_t)displacement;
}

static bool find_anchors(struct modules *modules, struct memory *mem, struct anchors *ret)
{
	uint64_t function;

	*ret = (struct anchors){0};
	if (!modules_find_symbol(modules, NULL, "_PyRuntime", &ret->runtime, &ret->module)) {
		if (!modules_find_symbol(modules, NULL, "interp_head", &ret->interp_head,
					 &ret->module) &&
		    modules_find_symbol(modules, NULL, "PyInterpreterState_Head", &function,
					&ret->module))
			ret->interp_head = interp_head_from_code(mem, function);
		if (!ret->interp_head)
			return false;
		modules_find_symbol(modules, ret->module, "_PyThreadState_Current",
				    &ret->tstate_current, NULL);
		modules_find_symbol(modules, ret->module, "collecting", &ret->gc_collecting,
				    NULL);
	}
	modules_find_symbol(modules, ret->module, "PyCode_Type", &ret->code_type, NULL);
	modules_find_symbol(modules, ret->module, "_Py_NoneStruct", &ret->none, NULL);
	return true;
}

/* Feed the scan LEN bytes of memory at ADDRESS, a page at a time where a
 * whole chunk cannot be read: what cannot be read is a gap. */
static bool scan_memory(struct memory *mem, struct pyversion_scan *scan, uint64_t address,
			unsigned char *buf, size_t len)
{
	struct pc_error *err = memory_read(mem, address, buf, len);
	size_t done;

	if (!err)
		return pyversion_scan_feed(scan, buf, len);
	pc_error_destroy(err);
	for (done = 0; done < len; done += 4096) {
		size_t want = len - done < 4096 ? len - done : 4096;

		err = memory_read(mem, address + done, buf, want);
		if (err) {
			pc_error_destroy(err);
			pyversion_scan_gap(scan);
		} else if (pyversion_scan_feed(scan, buf, want)) {
			return true;
		}
	}
	return false;
}

/* Before 3.11 the version is only text: Py_GetVersion() formats it into a
 * static buffer at start-up ("3.8.18 (default, May  9 2026, ...)"), which
 * lives in the interpreter module's .bss, and .bss is always in the core.
 * (The bare PY_VERSION literal is often merged into a longer string by the
 * linker and cannot be found on its own.) */
static bool version_from_data(struct memory *mem, Dwfl_Module *module, unsigned *hex)
{
	static unsigned char chunk[65536];
	uint64_t bias;
	Elf *elf = modules_elf(module, &bias);
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (!elf || elf_getshdrstrndx(elf, &shstrndx) != 0)
		return false;
	while ((scn = elf_nextscn(elf, scn))) {
		struct pyversion_scan scan;
		GElf_Shdr shdr;
		const char *name;
		uint64_t done;

		if (!gelf_getshdr(scn, &shdr) || !(name = elf_strptr(elf, shstrndx, shdr.sh_name)))
			continue;
		if (strcmp(name, ".bss") != 0 && strcmp(name, ".data") != 0)
			continue;
		pyversion_scan_init(&scan);
		/* Bounded by the section, which is bounded by the file. */
		for (done = 0; done < shdr.sh_size && done < (64u << 20); done += sizeof(chunk)) {
			uint64_t want = shdr.sh_size - done;

			if (want > sizeof(chunk))
				want = sizeof(chunk);
			if (scan_memory(mem, &scan, shdr.sh_addr + bias + done, chunk, (size_t)want))
				break;
		}
		if (pyversion_scan_end(&scan)) {
			*hex = scan.hex;
			return true;
		}
	}
	return false;
}

/* The version, from the most exact source the build has (pyversion.h). */
static bool find_version(struct modules *modules, struct memory *mem,
			 const struct anchors *anchors, unsigned *hex)
{
	unsigned char head[PYVERSION_DEBUG_OFFSETS_HEAD];
	uint64_t address, value;
	struct pc_error *err;

	if (anchors->runtime) {
		err = memory_read(mem, anchors->runtime, head, sizeof(head));
		if (!err && pyversion_from_debug_offsets(head, sizeof(head), hex))
			return true;
		pc_error_destroy(err);
	}
	if (modules_find_symbol(modules, anchors->module, "Py_Version", &address, NULL)) {
		err = memory_read_u64(mem, address, &value);
		if (!err && pyversion_from_py_version(value, hex))
			return true;
		pc_error_destroy(err);
	}
	return version_from_data(mem, anchors->module, hex);
}

static struct pc_error *choose_layout(struct python *python, struct memory *mem,
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
			err = layout_from_debug_offsets(offsets, sizeof(offsets), &python->layout);
		if (!err || request == LAYOUT_REQUEST_DEBUG_OFFSETS) {
			pc_error_destroy(dwarf_err);
			return err;
		}
		pc_error_destroy(err);
	}
	err = layout_from_tables(hex, &python->layout);
	if (err && dwarf_err)
		err = pc_error_prefix(err, "%s; and", dwarf_err->message);
	pc_error_destroy(dwarf_err);
	return err;
}

struct interpreter_walk {
	struct python *python;
	struct memory *mem;
	const struct anchors *anchors;
	const struct python_options *options;
	struct pyframe_walker frames;
	size_t capacity;
};

static struct pc_error *read_field(struct memory *mem, uint64_t base, int64_t offset,
				   uint64_t *ret)
{
	if (offset == LAYOUT_ABSENT) {
		*ret = 0;
		return NULL;
	}
	return memory_read_u64(mem, base + (uint64_t)offset, ret);
}

/* The thread state that holds the GIL in interpreter INTERP, or 0. */
static uint64_t gil_holder(struct interpreter_walk *walk, uint64_t interp)
{
	const struct py_layout *layout = &walk->python->layout;
	struct pc_error *err = NULL;
	uint64_t holder = 0, gil = 0;
	uint32_t locked = 0;

	if (layout->runtime.gilstate_tstate_current != LAYOUT_ABSENT && walk->anchors->runtime)
		err = memory_read_u64(walk->mem,
				      walk->anchors->runtime +
					      (uint64_t)layout->runtime.gilstate_tstate_current,
				      &holder);
	else if (walk->anchors->tstate_current)
		err = memory_read_u64(walk->mem, walk->anchors->tstate_current, &holder);
	else if (layout->interp.ceval_gil != LAYOUT_ABSENT) {
		err = read_field(walk->mem, interp, layout->interp.ceval_gil, &gil);
		if (!err && gil)
			err = memory_read_u32(walk->mem, gil + (uint64_t)layout->gil.locked, &locked);
		if (!err && gil && locked)
			err = read_field(walk->mem, gil, layout->gil.last_holder, &holder);
	}
	if (err) {
		pc_error_destroy(err);
		return 0;
	}
	return holder;
}

static bool gc_collecting(struct interpreter_walk *walk, uint64_t interp)
{
	const struct py_layout *layout = &walk->python->layout;
	struct pc_error *err = NULL;
	uint32_t collecting = 0;

	if (layout->interp.gc_collecting != LAYOUT_ABSENT)
		err = memory_read_u32(walk->mem, interp + (uint64_t)layout->interp.gc_collecting,
				      &collecting);
	else if (layout->runtime.gc_collecting != LAYOUT_ABSENT && walk->anchors->runtime)
		err = memory_read_u32(walk->mem,
				      walk->anchors->runtime + (uint64_t)layout->runtime.gc_collecting,
				      &collecting);
	else if (walk->anchors->gc_collecting)
		err = memory_read_u32(walk->mem, walk->anchors->gc_collecting, &collecting);
	pc_error_destroy(err);
	return !err && collecting;
}

static struct pc_error *walk_thread(struct interpreter_walk *walk, uint64_t tstate, uint64_t interp,
				    int64_t interp_index, uint64_t holder)
{
	const struct py_layout *layout = &walk->python->layout;
	struct python *python = walk->python;
	struct py_thread *thread;
	struct pc_error *err;

	if (python->nthreads == walk->capacity) {
		size_t capacity = walk->capacity ? walk->capacity * 2 : 8;
		void *grown = realloc(python->threads, capacity * sizeof(*python->threads));

		if (!grown)
			return &pc_error_nomem;
		python->threads = grown;
		walk->capacity = capacity;
	}
	thread = &python->threads[python->nthreads++];
	*thread = (struct py_thread){.tstate = tstate, .interp = interp,
				     .interp_index = interp_index};
	thread->holds_gil = holder == tstate;
	err = read_field(walk->mem, tstate, layout->tstate.thread_id, &thread->thread_id);
	if (!err)
		err = read_field(walk->mem, tstate, layout->tstate.native_thread_id,
				 &thread->native_thread_id);
	if (err)
		return pc_error_keep(&thread->error,
				     pc_error_prefix(err, "thread state at %#llx",
						     (unsigned long long)tstate));
	err = pyexc_handled(&walk->frames.reader, tstate, walk->anchors->none, &thread->exception);
	if (err) {
		err = pc_error_keep(&thread->exception_error, err);
		if (err)
			return err;
	}
	return pyframe_walk(&walk->frames, tstate, thread);
}

static struct pc_error *walk_interpreter(struct interpreter_walk *walk, uint64_t interp,
					 int64_t index, struct ptrset *seen)
{
	const struct py_layout *layout = &walk->python->layout;
	struct python *python = walk->python;
	uint64_t tstate, holder = gil_holder(walk, interp);
	struct pc_error *err;

	if (gc_collecting(walk, interp))
		python->gc_collecting = true;
	err = read_field(walk->mem, interp, layout->interp.tstate_head, &tstate);
	if (err)
		return pc_error_keep(&python->error,
				     pc_error_prefix(err, "thread list of interpreter at %#llx",
						     (unsigned long long)interp));
	while (tstate) {
		int added = ptrset_add(seen, tstate);

		if (added < 0)
			return &pc_error_nomem;
		if (added == 0)
			return pc_error_keep(&python->error,
					     pc_error_create(PC_ERR_CORRUPT,
							     "the thread list loops back to %#llx",
							     (unsigned long long)tstate));
		if (python->nthreads >= walk->options->max_threads) {
			python->threads_cut = true;
			return NULL;
		}
		if (deadline_passed(walk->options->deadline))
			return pc_error_keep(&python->error,
					     pc_error_create(PC_ERR_LIMIT,
							     "the --timeout deadline passed before the "
							     "thread state at %#llx",
							     (unsigned long long)tstate));
		err = walk_thread(walk, tstate, interp, index, holder);
		if (err)
			return err;
		err = read_field(walk->mem, tstate, layout->tstate.next, &tstate);
		if (err)
			return pc_error_keep(&python->error,
					     pc_error_prefix(err, "next of thread state"));
	}
	return NULL;
}

static struct pc_error *walk_interpreters(struct interpreter_walk *walk)
{
	const struct py_layout *layout = &walk->python->layout;
	struct python *python = walk->python;
	struct ptrset interps, tstates;
	struct pc_error *err;
	uint64_t interp;

	err = walk->anchors->runtime
		      ? read_field(walk->mem, walk->anchors->runtime,
				   layout->runtime.interpreters_head, &interp)
		      : memory_read_u64(walk->mem, walk->anchors->interp_head, &interp);
	if (err)
		return pc_error_keep(&python->error, pc_error_prefix(err, "interpreter list"));
	if (!interp)
		return pc_error_keep(&python->error,
				     pc_error_create(PC_ERR_NOT_FOUND,
						     "no interpreter: Python was not initialized "
						     "or was finalized"));
	ptrset_init(&interps);
	ptrset_init(&tstates);
	while (interp && !err) {
		int added = ptrset_add(&interps, interp);

		if (added < 0) {
			err = &pc_error_nomem;
			break;
		}
		if (added == 0 || python->ninterpreters >= PYTHON_MAX_INTERPRETERS) {
			err = pc_error_keep(&python->error,
					    pc_error_create(PC_ERR_CORRUPT,
							    "the interpreter list loops or is too long at %#llx",
							    (unsigned long long)interp));
			break;
		}
		err = walk_interpreter(walk, interp, (int64_t)python->ninterpreters, &tstates);
		python->ninterpreters++;
		if (!err) {
			struct pc_error *read_err = read_field(walk->mem, interp, layout->interp.next,
							       &interp);
			if (read_err)
				err = pc_error_keep(&python->error,
						    pc_error_prefix(read_err, "next interpreter"));
		}
		if (python->threads_cut)
			break;
	}
	ptrset_deinit(&interps);
	ptrset_deinit(&tstates);
	return err;
}

/* The file libdwfl read MODULE from. */
static const char *module_file(Dwfl_Module *module)
{
	const char *name, *mainfile = NULL;

	name = dwfl_module_info(module, NULL, NULL, NULL, NULL, NULL, &mainfile, NULL);
	return mainfile ? mainfile : name ? name : "?";
}

static bool has_own_dwarf(Dwfl_Module *module)
{
	uint64_t bias;
	Elf *elf = modules_elf(module, &bias);
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (!elf || elf_getshdrstrndx(elf, &shstrndx) != 0)
		return false;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		const char *name;

		if (gelf_getshdr(scn, &shdr) && (name = elf_strptr(elf, shstrndx, shdr.sh_name)) &&
		    strcmp(name, ".debug_info") == 0)
			return true;
	}
	return false;
}

/* Where the layout came from, for the report: the file whose DWARF was
 * read (often a separate debug file), or the source's own name. */
static char *layout_detail(struct modules *modules, Dwfl_Module *module,
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

/* New interpreters go to the head of the list: the walk met the main
 * interpreter last.  Number them from it, as Python's interpreter ids do. */
static void number_from_main(struct python *python)
{
	size_t i;

	for (i = 0; i < python->nthreads; i++)
		python->threads[i].interp_index =
			(int64_t)python->ninterpreters - 1 - python->threads[i].interp_index;
}

static void frame_deinit(struct py_frame *frame)
{
	free(frame->filename);
	free(frame->name);
	free(frame->error);
	pylocals_deinit(frame);
}

static void thread_deinit(struct py_thread *thread)
{
	size_t i;

	for (i = 0; i < thread->nframes; i++)
		frame_deinit(&thread->frames[i]);
	free(thread->frames);
	free(thread->error);
	free(thread->name);
	py_exception_deinit(&thread->exception);
	free(thread->exception_error);
}

static struct pc_error *walk_python(struct python *python, struct memory *mem,
				    const struct anchors *anchors,
				    const struct python_options *options)
{
	struct pc_error *err;
	struct interpreter_walk walk;

	walk = (struct interpreter_walk){
		.python = python, .mem = mem, .anchors = anchors, .options = options};
	walk.frames.reader = (struct py_reader){.mem = mem, .layout = &python->layout};
	walk.frames.code_type = anchors->code_type;
	walk.frames.max_frames = options->max_frames;
	walk.frames.collapse = options->collapse;
	walk.frames.deadline = options->deadline;
	err = pycode_cache_create(&walk.frames.reader, &walk.frames.codes);
	if (!err && options->locals)
		err = pylocals_create(&walk.frames.reader, &walk.frames.locals);
	if (!err)
		err = walk_interpreters(&walk);
	if (!err)
		number_from_main(python);
	pylocals_destroy(walk.frames.locals);
	pycode_cache_destroy(walk.frames.codes);
	return err;
}

/* Whether the frame at ADDRESS holds a code object, by the layout. */
static bool frame_has_code(struct memory *mem, const struct py_layout *layout,
			   uint64_t code_type, uint64_t address)
{
	const struct py_reader reader = {.mem = mem, .layout = layout};
	int64_t field = layout->frame_shape == FRAME_SHAPE_OBJECT ? layout->frame.f_code
								   : layout->iframe.code;
	struct pc_error *err;
	uint64_t code, type;

	err = read_field(mem, address, field, &code);
	if (!err)
		err = pyobject_type(&reader, code & ~layout->stackref_tag_bits, &type);
	pc_error_destroy(err);
	return !err && type == code_type;
}

/* A thread of the core: its LWP, and its pthread id, which is its fs base. */
struct core_id {
	uint64_t key;
	uint64_t pthread_id;
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
			   size_t count, bool by_lwp)
{
	struct core_id key = {.key = by_lwp ? thread->native_thread_id : thread->thread_id};
	const struct core_id *found = bsearch(&key, ids, count, sizeof(key), core_id_compare);

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
	bool by_lwp = layout->tstate.native_thread_id != LAYOUT_ABSENT, consistent = true;
	struct core_id *ids;
	size_t i, j, frames = 0;

	if (python->error || !python->nthreads || !anchors->code_type || !core->nthreads)
		return false;
	ids = calloc(core->nthreads, sizeof(*ids));
	if (!ids)
		return false;
	for (i = 0; i < core->nthreads; i++) {
		ids[i].pthread_id = core->threads[i].regs[CORE_REG_FS_BASE];
		ids[i].key = by_lwp ? (uint64_t)core->threads[i].lwp : ids[i].pthread_id;
	}
	qsort(ids, core->nthreads, sizeof(*ids), core_id_compare);
	for (i = 0; i < python->nthreads && consistent; i++) {
		const struct py_thread *thread = &python->threads[i];
		uint64_t interp = thread->interp;

		if (layout->tstate.interp != LAYOUT_ABSENT) {
			struct pc_error *err = read_field(mem, thread->tstate, layout->tstate.interp,
							  &interp);

			pc_error_destroy(err);
			if (err)
				interp = 0;
		}
		consistent = !thread->error && !thread->exception_error &&
			     interp == thread->interp &&
			     thread_in_core(thread, ids, core->nthreads, by_lwp);
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

/* What a walk filled in, so that another layout can walk again. */
static void forget_walk(struct python *python)
{
	size_t i;

	for (i = 0; i < python->nthreads; i++)
		thread_deinit(&python->threads[i]);
	free(python->threads);
	python->threads = NULL;
	python->nthreads = 0;
	python->ninterpreters = 0;
	python->threads_cut = false;
	python->gc_collecting = false;
	free(python->error);
	python->error = NULL;
}

/* Auto's first choice: what needs no debug information, when it exists for
 * this version, walked and then checked against the core before it is
 * trusted.  True when RET holds its walk; false when there is none or it
 * failed a check, and the layout must come from elsewhere. */
static bool walk_without_dwarf(struct python *python, struct memory *mem,
			       const struct core *core, const struct anchors *anchors,
			       unsigned hex, const struct python_options *options,
			       struct pc_error **ret)
{
	enum layout_request cheap = hex >= PY_HEX(3, 13) ? LAYOUT_REQUEST_DEBUG_OFFSETS
							 : LAYOUT_REQUEST_TABLES;
	struct pc_error *err = choose_layout(python, mem, anchors, hex, cheap);

	*ret = NULL;
	if (err) {
		pc_error_destroy(err);
		return false;
	}
	*ret = walk_python(python, mem, anchors, options);
	if (*ret)
		return true;
	if (walk_is_consistent(python, mem, core, anchors))
		return true;
	forget_walk(python);
	return false;
}

static struct pc_error *analyze(struct modules *modules, struct memory *mem,
			       const struct python_options *options, struct python *ret)
{
	char build_id[130], cached_from[1024];
	struct anchors anchors;
	struct pc_error *err;
	unsigned hex;

	*ret = (struct python){0};
	if (!find_anchors(modules, mem, &anchors))
		return NULL;
	ret->found = true;
	ret->module_path = strdup(modules_shown_name(modules, module_file(anchors.module)));
	if (!ret->module_path)
		return &pc_error_nomem;
	if (!find_version(modules, mem, &anchors, &hex))
		return pc_error_keep(&ret->error,
				     pc_error_create(PC_ERR_NOT_FOUND,
						     "cannot tell the Python version of %s",
						     ret->module_path));
	pyversion_format(hex, ret->version, sizeof(ret->version));
	modules_module_build_id(anchors.module, build_id, sizeof(build_id));
	if ((options->layout == LAYOUT_REQUEST_AUTO || options->layout == LAYOUT_REQUEST_DWARF) &&
	    layout_cache_load(build_id, module_file(anchors.module), hex, &ret->layout, cached_from,
			      sizeof(cached_from))) {
		if (asprintf(&ret->layout_detail, "%s, cached", cached_from) < 0) {
			ret->layout_detail = NULL;
			return &pc_error_nomem;
		}
		return walk_python(ret, mem, &anchors, options);
	}
	if (options->layout == LAYOUT_REQUEST_AUTO &&
	    walk_without_dwarf(ret, mem, modules->core, &anchors, hex, options, &err)) {
		char *detail = layout_detail(modules, anchors.module, &ret->layout);

		if (err || !detail) {
			free(detail);
			return err ? err : &pc_error_nomem;
		}
		if (asprintf(&ret->layout_detail, "%s, checked against the core", detail) < 0)
			ret->layout_detail = NULL;
		free(detail);
		return ret->layout_detail ? NULL : &pc_error_nomem;
	}
	err = choose_layout(ret, mem, &anchors, hex, options->layout);
	if (err && hex >= PY_HEX(3, 0) && (hex & 0xffff0000u) > layout_newest_version())
		err = pc_error_prefix(err, "Python %s is newer than pycore knows (up to %u.%u) "
				      "and cannot be read",
				      ret->version, layout_newest_version() >> 24,
				      (layout_newest_version() >> 16) & 0xff);
	if (err)
		return pc_error_keep(&ret->error, err);
	ret->layout_detail = layout_detail(modules, anchors.module, &ret->layout);
	if (!ret->layout_detail)
		return &pc_error_nomem;
	if (ret->layout.source == LAYOUT_SOURCE_DWARF)
		layout_cache_store(build_id, module_file(anchors.module), &ret->layout,
				   ret->layout_detail);
	return walk_python(ret, mem, &anchors, options);
}

/* asyncio's tasks, with the layout of the _asyncio extension's objects
 * from the DWARF of the module that has it (a shared library of its own, or
 * the interpreter). */
static struct pc_error *read_tasks(struct modules *modules, struct memory *mem,
				   const struct python_options *options, struct python *python)
{
	struct pyframe_walker frames = {.reader = {.mem = mem, .layout = &python->layout},
					.max_frames = options->max_frames,
					.deadline = options->deadline};
	struct pc_error *err;
	Dwfl_Module *module;
	uint64_t init;

	if (modules_find_symbol(modules, NULL, "PyInit__asyncio", &init, &module)) {
		err = layout_asyncio_from_dwarf(module, &python->layout);
		if (err == &pc_error_nomem)
			return err;
		pc_error_destroy(err);
	}
	err = pycode_cache_create(&frames.reader, &frames.codes);
	if (!err && options->locals)
		err = pylocals_create(&frames.reader, &frames.locals);
	if (!err)
		err = pytasks_read(&frames, python, options->max_tasks);
	pylocals_destroy(frames.locals);
	pycode_cache_destroy(frames.codes);
	return err;
}

struct pc_error *python_analyze(struct modules *modules, struct memory *mem,
				const struct python_options *options, struct python *ret)
{
	struct pc_error *err = analyze(modules, mem, options, ret);
	struct py_reader reader = {.mem = mem, .layout = &ret->layout};

	if (!err && ret->layout_detail &&
	    (ret->layout.version_hex & 0xffff0000u) > layout_newest_version())
		warnings_add(&ret->warnings, &ret->nwarnings,
			     "Python %s is newer than pycore was tested with (up to %u.%u): "
			     "its layout is read from %s",
			     ret->version, layout_newest_version() >> 24,
			     (layout_newest_version() >> 16) & 0xff,
			     ret->layout.source == LAYOUT_SOURCE_DEBUG_OFFSETS
				     ? "_Py_DebugOffsets, whose offsets were checked"
				     : layout_source_name(ret->layout.source));
	/* Once, after the walk that is kept: a walk was made when a layout
	 * was chosen. */
	if (!err && ret->layout_detail) {
		err = pythreadnames_read(&reader, ret);
		if (err && err != &pc_error_nomem) {
			warnings_add(&ret->warnings, &ret->nwarnings, "thread names: %s",
				     err->message);
			pc_error_destroy(err);
			err = NULL;
		}
	}
	if (!err && ret->layout_detail && options->tasks)
		err = read_tasks(modules, mem, options, ret);
	return err;
}

void python_deinit(struct python *python)
{
	forget_walk(python);
	pytasks_deinit(python);
	warnings_free(python->warnings, python->nwarnings);
	free(python->module_path);
	free(python->layout_detail);
	*python = (struct python){0};
}

const struct py_thread *python_thread_for(const struct python *python, int lwp,
					  uint64_t pthread_id)
{
	size_t i;

	for (i = 0; i < python->nthreads; i++) {
		const struct py_thread *thread = &python->threads[i];

		if (thread->native_thread_id && thread->native_thread_id == (uint64_t)lwp)
			return thread;
		if (thread->thread_id && thread->thread_id == pthread_id)
			return thread;
	}
	return NULL;
}

/* Symbols that only CPython defines (2.7 and 3.x), exported in its dynamic
 * symbol table: a file that defines one holds the interpreter. */
static const char *const interpreter_symbols[] = {"_PyRuntime", "Py_Version", "Py_Initialize"};

/* Whether the ELF file on FD defines one of interpreter_symbols. */
bool python_in_elf(int fd)
{
	Elf_Scn *scn = NULL;
	bool found = false;
	Elf *elf;

	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	while (elf && !found && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		Elf_Data *data;
		size_t count, i, j;

		if (!gelf_getshdr(scn, &shdr) || (shdr.sh_type != SHT_DYNSYM &&
						  shdr.sh_type != SHT_SYMTAB) ||
		    shdr.sh_entsize == 0 || !(data = elf_getdata(scn, NULL)))
			continue;
		count = shdr.sh_size / shdr.sh_entsize;
		for (i = 0; i < count && !found; i++) {
			GElf_Sym sym;
			const char *name;

			if (!gelf_getsym(data, (int)i, &sym) || sym.st_shndx == SHN_UNDEF ||
			    !(name = elf_strptr(elf, shdr.sh_link, sym.st_name)))
				continue;
			for (j = 0; j < sizeof(interpreter_symbols) / sizeof(interpreter_symbols[0]);
			     j++)
				found = found || strcmp(name, interpreter_symbols[j]) == 0;
		}
	}
	if (elf)
		elf_end(elf);
	return found;
}

bool python_in_core(const struct core *core, int exe_fd, const struct paths *paths)
{
	const char *main_program = core_main_program(core);
	size_t i;
	bool found;
	int fd;

	for (i = 0; i < core->nfiles; i++) {
		const char *base = strrchr(core->files[i].path, '/');

		if (strncmp(base ? base + 1 : core->files[i].path, "libpython", 9) == 0)
			return true;
	}
	if (exe_fd >= 0)
		return python_in_elf(exe_fd);
	fd = main_program ? paths_open(paths, main_program, NULL) : -1;
	if (fd < 0)
		return true;
	found = python_in_elf(fd);
	close(fd);
	return found;
}
