#include "python/python.h"

#include "elf/core.h"
#include "elf/paths.h"
#include "base/deadline.h"
#include "elf/debuginfo.h"
#include "base/error.h"
#include "base/warnings.h"
#include "layout/cache.h"
#include "elf/memory.h"
#include "elf/modules.h"
#include "elf/core.h"
#include "base/ptrset.h"
#include "python/frame.h"
#include "python/exception.h"
#include "python/locals.h"
#include "python/object.h"
#include "asyncio/tasks.h"
#include "python/thread_names.h"
#include "python/version.h"

#include <elf.h>
#include <gelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PYTHON_MAX_INTERPRETERS 256
/* Thread states listed over all interpreters (each costs a py_thread);
 * --max-threads caps how many of them have their frames read. */
#define PYTHON_MAX_THREAD_STATES 65536

/* Where the interpreter lives in the process. */
struct anchors {
	Dwfl_Module *module;	/* executable or libpython */
	uint64_t runtime;	/* &_PyRuntime (3.7+), or 0 */
	uint64_t runtime_size;	/* its symbol's st_size, or 0 when not known */
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
	if (!modules_find_symbol(modules, NULL, "_PyRuntime", &ret->runtime, &ret->runtime_size,
				 &ret->module)) {
		if (!modules_find_symbol(modules, NULL, "interp_head", &ret->interp_head, NULL,
					 &ret->module) &&
		    modules_find_symbol(modules, NULL, "PyInterpreterState_Head", &function, NULL,
					&ret->module))
			ret->interp_head = interp_head_from_code(mem, function);
		if (!ret->interp_head)
			return false;
		modules_find_symbol(modules, ret->module, "_PyThreadState_Current",
				    &ret->tstate_current, NULL, NULL);
		modules_find_symbol(modules, ret->module, "collecting", &ret->gc_collecting, NULL,
				    NULL);
	}
	modules_find_symbol(modules, ret->module, "PyCode_Type", &ret->code_type, NULL, NULL);
	modules_find_symbol(modules, ret->module, "_Py_NoneStruct", &ret->none, NULL, NULL);
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

/* Look for Py_GetVersion()'s text in [START, START + SIZE) of memory. */
static bool scan_version(struct memory *mem, uint64_t start, uint64_t size, unsigned *hex)
{
	static unsigned char chunk[65536];
	struct pyversion_scan scan;
	uint64_t done;

	pyversion_scan_init(&scan);
	/* Bounded by the caller's range, itself bounded by the core. */
	for (done = 0; done < size && done < (64u << 20); done += sizeof(chunk)) {
		uint64_t want = size - done;

		if (want > sizeof(chunk))
			want = sizeof(chunk);
		if (scan_memory(mem, &scan, start + done, chunk, (size_t)want))
			break;
	}
	if (!pyversion_scan_end(&scan))
		return false;
	*hex = scan.hex;
	return true;
}

/* Before 3.11 the version is only text: Py_GetVersion() formats it into a
 * static buffer at start-up ("3.8.18 (default, May  9 2026, ...)"), which
 * lives in the interpreter module's .bss, and .bss is always in the core.
 * (The bare PY_VERSION literal is often merged into a longer string by the
 * linker and cannot be found on its own.) */
static bool version_from_data(struct memory *mem, Dwfl_Module *module, unsigned *hex)
{
	static const char *const sections[] = {".data", ".bss"};
	size_t i;

	for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		uint64_t bias;
		GElf_Shdr shdr;

		if (modules_section(module, sections[i], &shdr, &bias) &&
		    scan_version(mem, shdr.sh_addr + bias, shdr.sh_size, hex))
			return true;
	}
	return false;
}

/* Find the 3.13+ _Py_DebugOffsets cookie that begins _PyRuntime in
 * [START, START + SIZE) of memory, at an 8-byte boundary. */
static uint64_t scan_debug_cookie(struct memory *mem, uint64_t start, uint64_t size)
{
	static uint64_t words[8192];
	uint64_t cookie, done;

	memcpy(&cookie, "xdebugpy", 8);
	start = (start + 7) & ~(uint64_t)7;
	for (done = 0; done < size && done < (64u << 20); done += sizeof(words)) {
		uint64_t want = size - done;
		struct pc_error *err;
		size_t i;

		if (want > sizeof(words))
			want = sizeof(words);
		err = memory_read(mem, start + done, words, want & ~(uint64_t)7);
		if (err) {
			pc_error_destroy(err);
			continue;
		}
		for (i = 0; i < want / 8; i++)
			if (words[i] == cookie)
				return start + done + i * 8;
	}
	return 0;
}

/* The interpreter's file could not be used, but its writable data, where
 * _PyRuntime and the version text live, is in the core: look there, in the
 * parts of the core that FILE (as NT_FILE names it) mapped writable.  Sets
 * RET's module and runtime (3.13+) and *HEX; false when neither the
 * _Py_DebugOffsets cookie nor the version text is there. */
static bool anchors_from_memory(struct modules *modules, struct memory *mem,
				const char *file, struct anchors *ret, unsigned *hex)
{
	const struct core *core = modules->core;
	bool found_version = false;
	size_t i, j;

	*ret = (struct anchors){0};
	for (i = 0; i < core->nfiles && !ret->runtime; i++) {
		const struct core_file_mapping *mapping = &core->files[i];

		if (strcmp(mapping->path, file) != 0)
			continue;
		for (j = 0; j < core->nsegments && !ret->runtime; j++) {
			const struct core_segment *segment = &core->segments[j];
			uint64_t start, end;

			if (!(segment->flags & PF_W) || segment->vaddr >= mapping->end ||
			    segment->vaddr + segment->memsz <= mapping->start)
				continue;
			start = segment->vaddr > mapping->start ? segment->vaddr : mapping->start;
			end = segment->vaddr + segment->memsz < mapping->end
				      ? segment->vaddr + segment->memsz
				      : mapping->end;
			ret->runtime = scan_debug_cookie(mem, start, end - start);
			if (!ret->runtime && !found_version)
				found_version = scan_version(mem, start, end - start, hex);
			if (!ret->module)
				ret->module = dwfl_addrmodule(modules->dwfl, mapping->start);
		}
	}
	if (ret->runtime) {
		uint64_t version = 0;
		struct pc_error *err = memory_read_u64(mem, ret->runtime + 8, &version);

		pc_error_destroy(err);
		if (err || (version >> 24) != 3)
			ret->runtime = 0;
		else
			*hex = (unsigned)version;
	}
	return ret->module && (ret->runtime || found_version);
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
	if (modules_find_symbol(modules, anchors->module, "Py_Version", &address, NULL, NULL)) {
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
	uint64_t *top_frames;	/* per listed state: its PyFrameObject chain's head (≤3.10) */
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

/* py_thread.not_read of a state listed and not read yet. */
static const char not_read_yet[] = "not read yet";

/* A thread state's place in the lists: enough to match it to its thread
 * and to choose which states to read (the frames come later). */
static struct pc_error *list_thread(struct interpreter_walk *walk, uint64_t tstate, uint64_t interp,
				    int64_t interp_index, uint64_t holder)
{
	const struct py_layout *layout = &walk->python->layout;
	struct python *python = walk->python;
	struct py_thread *thread;
	struct pc_error *err;
	uint64_t cframe = 0;

	if (python->nthreads == walk->capacity) {
		size_t capacity = walk->capacity ? walk->capacity * 2 : 8;
		void *grown = realloc(python->threads, capacity * sizeof(*python->threads));

		if (!grown)
			return &pc_error_nomem;
		python->threads = grown;
		grown = realloc(walk->top_frames, capacity * sizeof(*walk->top_frames));
		if (!grown)
			return &pc_error_nomem;
		walk->top_frames = grown;
		walk->capacity = capacity;
	}
	walk->top_frames[python->nthreads] = 0;
	thread = &python->threads[python->nthreads++];
	*thread = (struct py_thread){.tstate = tstate, .interp = interp,
				     .interp_index = interp_index, .not_read = not_read_yet};
	thread->holds_gil = holder == tstate;
	err = read_field(walk->mem, tstate, layout->tstate.thread_id, &thread->thread_id);
	if (!err)
		err = read_field(walk->mem, tstate, layout->tstate.native_thread_id,
				 &thread->native_thread_id);
	/* 3.11 and 3.12 keep the C frame of the running eval call (a local of
	 * _PyEval_EvalFrameDefault) in the thread state: an address on the
	 * stack of the thread that runs it, whoever created the state. */
	if (!err)
		err = read_field(walk->mem, tstate, layout->tstate.cframe, &cframe);
	if (!err)
		err = read_field(walk->mem, tstate, layout->tstate.frame,
				 &walk->top_frames[python->nthreads - 1]);
	if (err) {
		thread->not_read = NULL;
		return pc_error_keep(&thread->error,
				pc_error_prefix(err, "thread state at %#llx",
						(unsigned long long)tstate));
	}
	thread->stack_address = cframe;
	return NULL;
}

static struct pc_error *read_thread(struct interpreter_walk *walk, struct py_thread *thread)
{
	struct pc_error *err;

	thread->not_read = NULL;
	err = pyexc_handled(&walk->frames.reader, thread->tstate, walk->anchors->none,
			    &thread->exception);
	if (err) {
		err = pc_error_keep(&thread->exception_error, err);
		if (err)
			return err;
	}
	return pyframe_walk(&walk->frames, thread->tstate, thread);
}

static struct pc_error *list_interpreter(struct interpreter_walk *walk, uint64_t interp, int64_t index,
					 struct ptrset *seen)
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
		if (python->nthreads >= PYTHON_MAX_THREAD_STATES)
			return pc_error_keep(&python->error,
					pc_error_create(PC_ERR_LIMIT,
							"more than %d thread states; the rest are "
							"not listed",
							PYTHON_MAX_THREAD_STATES));
		if (deadline_passed(walk->options->deadline))
			return pc_error_keep(&python->error,
					pc_error_create(PC_ERR_LIMIT,
							"the --timeout deadline passed before the "
							"thread state at %#llx",
							(unsigned long long)tstate));
		err = list_thread(walk, tstate, interp, index, holder);
		if (err)
			return err;
		err = read_field(walk->mem, tstate, layout->tstate.next, &tstate);
		if (err)
			return pc_error_keep(&python->error,
					     pc_error_prefix(err, "next of thread state"));
	}
	return NULL;
}

static struct pc_error *list_interpreters(struct interpreter_walk *walk)
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
		err = list_interpreter(walk, interp, (int64_t)python->ninterpreters, &tstates);
		python->ninterpreters++;
		if (!err) {
			struct pc_error *read_err = read_field(walk->mem, interp, layout->interp.next,
							       &interp);
			if (read_err)
				err = pc_error_keep(&python->error,
						    pc_error_prefix(read_err, "next interpreter"));
		}
	}
	ptrset_deinit(&interps);
	ptrset_deinit(&tstates);
	return err;
}

/* The live part of the stack of the core's thread INDEX: from its stack
 * pointer (less the red zone) to the end of the mapping that holds it. */
static bool thread_stack(const struct core *core, size_t index, uint64_t *low, uint64_t *high)
{
	uint64_t sp = core->threads[index].regs[CORE_REG_RSP];
	const struct core_segment *segment = core_segment_at(core, sp);

	if (!segment)
		return false;
	*low = sp - 128 > segment->vaddr ? sp - 128 : segment->vaddr;
	*high = segment->vaddr + segment->memsz;
	return true;
}

struct stack_candidate {
	uint64_t frame;		/* the value looked for (first, the stored thread id) */
	size_t index;		/* the state in python->threads */
	size_t thread;		/* 1 + the core thread it was found on; 0: none yet */
	uint64_t position;	/* the highest address it was found at */
	bool conflict;		/* found on two threads: no evidence */
};

static int candidate_compare(const void *a, const void *b)
{
	const struct stack_candidate *x = a, *y = b;

	return x->frame < y->frame ? -1 : x->frame > y->frame;
}

/* Up to 3.10 a thread state holds no address on its thread's stack, but
 * the C frames that evaluate its newest Python frame hold that frame's
 * address.  Where two states store the same thread id (a subinterpreter's
 * state run by another thread than its maker), look for their newest
 * frames on the live stacks: a state found on one thread's stack only is
 * that thread's, at the outermost place it is found (the C frames of the
 * call that runs it: inner calls may keep it in saved registers too). */
static struct pc_error *find_frames_on_stacks(struct interpreter_walk *walk, const struct core *core)
{
	static uint64_t words[8192];
	struct python *python = walk->python;
	struct stack_candidate *ids, *candidates;
	size_t i, j, n = 0;

	if (!walk->top_frames)
		return NULL;
	ids = calloc(python->nthreads, 2 * sizeof(*ids));
	if (!ids)
		return &pc_error_nomem;
	candidates = ids + python->nthreads;
	/* Sorted by stored thread id, the states that share one are neighbours. */
	for (i = 0; i < python->nthreads; i++)
		ids[i] = (struct stack_candidate){.frame = python->threads[i].thread_id, .index = i};
	qsort(ids, python->nthreads, sizeof(*ids), candidate_compare);
	for (i = 0; i < python->nthreads; i++) {
		size_t index = ids[i].index;
		uint64_t id = ids[i].frame;

		if (id && walk->top_frames[index] &&
		    ((i > 0 && ids[i - 1].frame == id) ||
		     (i + 1 < python->nthreads && ids[i + 1].frame == id)))
			candidates[n++] = (struct stack_candidate){.frame = walk->top_frames[index],
								   .index = index};
	}
	qsort(candidates, n, sizeof(*candidates), candidate_compare);
	for (j = 0; n && j < core->nthreads; j++) {
		uint64_t low, high, start, at;

		if (!thread_stack(core, j, &low, &high))
			continue;
		start = low & ~(uint64_t)7;
		for (at = start; at < high && at - start < (64u << 20); at += sizeof(words)) {
			size_t want = high - at < sizeof(words) ? (size_t)(high - at) : sizeof(words);
			struct pc_error *err = memory_read(walk->mem, at, words, want & ~(size_t)7);

			if (err) {
				pc_error_destroy(err);
				continue;
			}
			for (i = 0; i < want / 8; i++) {
				struct stack_candidate key = {.frame = words[i]}, *found;

				found = words[i] ? bsearch(&key, candidates, n, sizeof(*candidates),
							   candidate_compare)
						 : NULL;
				if (!found)
					continue;
				if (found->thread && found->thread != j + 1)
					found->conflict = true;
				found->thread = j + 1;
				found->position = at + i * 8;
			}
		}
	}
	for (i = 0; i < n; i++)
		if (candidates[i].thread && !candidates[i].conflict &&
		    python->threads[candidates[i].index].stack_address == 0)
			python->threads[candidates[i].index].stack_address = candidates[i].position;
	free(ids);
	return NULL;
}

/* A key of the core's threads (a stack's start, an LWP, a pthread id),
 * sorted, to find the thread of each state in O(log n). */
struct thread_key {
	uint64_t key;
	uint64_t end;		/* stacks: where the stack ends */
	size_t index;		/* in core->threads */
};

static int key_compare(const void *a, const void *b)
{
	const struct thread_key *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* The first entry of KEYS (N, sorted) whose key is KEY, else NULL. */
static const struct thread_key *find_key(const struct thread_key *keys, size_t n, uint64_t key)
{
	size_t low = 0, high = n;

	while (low < high) {
		size_t mid = low + (high - low) / 2;

		if (keys[mid].key < key)
			low = mid + 1;
		else
			high = mid;
	}
	return low < n && keys[low].key == key ? &keys[low] : NULL;
}

/* The stack of KEYS (N, sorted by start) that holds ADDRESS, else NULL. */
static const struct thread_key *find_stack(const struct thread_key *keys, size_t n,
					   uint64_t address)
{
	size_t low = 0, high = n;

	while (low < high) {
		size_t mid = low + (high - low) / 2;

		if (keys[mid].key <= address)
			low = mid + 1;
		else
			high = mid;
	}
	return low > 0 && address < keys[low - 1].end ? &keys[low - 1] : NULL;
}

/* Give every thread state the thread that runs it.  A state that holds an
 * address on a thread's stack is that thread's, whatever thread id it
 * stores: a subinterpreter's state made by one thread and run by another
 * keeps its maker's id.  Of the states on one stack, the deepest (lowest
 * address) is the one running now.  The others are matched by their
 * stored ids; the first in list order is the thread's current one. */
static struct pc_error *match_threads(struct python *python, const struct core *core)
{
	struct thread_key *stacks, *lwps, *pthreads;
	size_t i, nstacks = 0;

	python->current = calloc(core->nthreads, sizeof(*python->current));
	stacks = calloc(core->nthreads, 3 * sizeof(*stacks));
	if (!python->current || !stacks) {
		free(stacks);
		return &pc_error_nomem;
	}
	python->ncurrent = core->nthreads;
	lwps = stacks + core->nthreads;
	pthreads = lwps + core->nthreads;
	for (i = 0; i < core->nthreads; i++) {
		uint64_t low, high;

		if (thread_stack(core, i, &low, &high))
			stacks[nstacks++] = (struct thread_key){.key = low, .end = high, .index = i};
		lwps[i] = (struct thread_key){.key = (uint64_t)core->threads[i].lwp, .index = i};
		pthreads[i] = (struct thread_key){.key = core->threads[i].regs[CORE_REG_FS_BASE],
						  .index = i};
	}
	qsort(stacks, nstacks, sizeof(*stacks), key_compare);
	qsort(lwps, core->nthreads, sizeof(*lwps), key_compare);
	qsort(pthreads, core->nthreads, sizeof(*pthreads), key_compare);
	for (i = 0; i < python->nthreads; i++) {
		struct py_thread *thread = &python->threads[i];
		const struct thread_key *stack = find_stack(stacks, nstacks, thread->stack_address);
		const struct py_thread **current;

		if (!stack)
			continue;
		thread->owner = stack->index + 1;
		current = &python->current[stack->index];
		if (!*current || thread->stack_address < (*current)->stack_address)
			*current = thread;
	}
	for (i = 0; i < python->nthreads; i++) {
		struct py_thread *thread = &python->threads[i];
		const struct thread_key *lwp = NULL, *pthread = NULL;
		size_t index;

		if (thread->owner)
			continue;
		if (thread->native_thread_id)
			lwp = find_key(lwps, core->nthreads, thread->native_thread_id);
		if (thread->thread_id)
			pthread = find_key(pthreads, core->nthreads, thread->thread_id);
		if (!lwp && !pthread)
			continue;
		index = lwp && (!pthread || lwp->index < pthread->index) ? lwp->index
									 : pthread->index;
		thread->owner = index + 1;
		if (!python->current[index])
			python->current[index] = thread;
	}
	free(stacks);
	return NULL;
}

/* Read the frames of at most max_threads states: first those of the
 * crashing thread and those holding a GIL, whatever their place in the
 * lists (the newest states come first there), then the others in list
 * order.  The states left are marked not read. */
static struct pc_error *read_threads(struct interpreter_walk *walk)
{
	struct python *python = walk->python;
	size_t i, nread = 0;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < python->nthreads; i++) {
			struct py_thread *thread = &python->threads[i];
			bool first = thread->owner == 1 || thread->holds_gil;
			struct pc_error *err;

			if (thread->not_read != not_read_yet || (pass == 0 && !first) ||
			    (pass == 1 && nread >= walk->options->max_threads))
				continue;
			if (deadline_passed(walk->options->deadline)) {
				thread->not_read = "--timeout";
				continue;
			}
			err = read_thread(walk, thread);
			if (err)
				return err;
			nread++;
		}
	}
	for (i = 0; i < python->nthreads; i++)
		if (python->threads[i].not_read == not_read_yet) {
			python->threads[i].not_read = "--max-threads";
			python->threads_not_read++;
		}
	return NULL;
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
	GElf_Shdr shdr;

	return modules_section(module, ".debug_info", &shdr, &bias);
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

/* Walk every interpreter and thread state with the layout chosen: list the
 * states, match them to the core's threads, read the frames of those
 * --max-threads lets through. */
static struct pc_error *walk_python(struct python *python, struct memory *mem,
				    const struct core *core, const struct anchors *anchors,
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
		err = list_interpreters(&walk);
	if (!err)
		err = find_frames_on_stacks(&walk, core);
	if (!err)
		err = match_threads(python, core);
	if (!err)
		err = read_threads(&walk);
	if (!err)
		number_from_main(python);
	free(walk.top_frames);
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
	free(python->current);
	python->current = NULL;
	python->ncurrent = 0;
	python->threads_not_read = 0;
	python->gc_collecting = false;
	free(python->error);
	python->error = NULL;
}

/* Auto's first choice: what needs no debug information, when it exists for
 * this version, checked against the build (its size of _PyRuntimeState is
 * the _PyRuntime symbol's), walked, and the walk checked against the core
 * before it is trusted.  True when RET holds its walk; false when there is
 * none or it failed a check, and the layout must come from elsewhere. */
static bool walk_without_dwarf(struct python *python, struct memory *mem,
			       const struct core *core, const struct anchors *anchors,
			       unsigned hex, const struct python_options *options,
			       struct pc_error **ret)
{
	enum layout_request cheap = hex >= PY_HEX(3, 13) ? LAYOUT_REQUEST_DEBUG_OFFSETS
							 : LAYOUT_REQUEST_TABLES;
	struct pc_error *err = choose_layout(python, mem, anchors, hex, cheap);

	if (!err)
		err = layout_check_runtime_size(&python->layout, anchors->runtime_size);
	*ret = NULL;
	if (err) {
		pc_error_destroy(err);
		return false;
	}
	*ret = walk_python(python, mem, core, anchors, options);
	if (*ret)
		return true;
	if (walk_is_consistent(python, mem, core, anchors))
		return true;
	forget_walk(python);
	return false;
}

/* The file that would hold the interpreter (the executable, or a
 * libpython) when the core maps one that could not be used, else NULL. */
static const struct modules_unusable *unusable_interpreter_file(const struct modules *modules)
{
	size_t i;

	for (i = 0; i < modules->nunusable; i++) {
		const struct modules_unusable *file = &modules->unusable[i];

		if (file->is_executable || python_is_libpython(file->path))
			return file;
	}
	return NULL;
}

/* No interpreter symbol, and the interpreter's file could not be used:
 * find what the core's own memory tells (the version, and on 3.13+
 * _PyRuntime with the offsets to read it), and say what is missing. */
static struct pc_error *anchors_without_file(struct modules *modules, struct memory *mem,
					     const struct modules_unusable *file,
					     struct anchors *anchors, unsigned *hex,
					     struct python *ret)
{
	const char *kind = file->is_executable ? "executable" : "library";

	if (!anchors_from_memory(modules, mem, file->path, anchors, hex)) {
		if (asprintf(&ret->error,
			     "cannot tell whether the process ran Python: the %s %s the core names "
			     "%s; try --sysroot or --lib-path",
			     kind, file->path, file->why) < 0)
			ret->error = NULL;
		return ret->error ? NULL : &pc_error_nomem;
	}
	ret->found = true;
	ret->module_path = strdup(file->path);
	pyversion_format(*hex, ret->version, sizeof(ret->version));
	if (!anchors->runtime) {
		if (asprintf(&ret->error,
			     "the %s %s the core names %s, and before 3.13 the interpreter cannot "
			     "be found without it (its version is read from the core's memory); "
			     "try --sysroot or --lib-path",
			     kind, file->path, file->why) < 0)
			ret->error = NULL;
	} else {
		warnings_add(&ret->warnings, &ret->nwarnings,
			     "the %s %s the core names %s: the interpreter is read through the "
			     "_Py_DebugOffsets in the core's memory, without its symbols",
			     kind, file->path, file->why);
	}
	return ret->module_path && (anchors->runtime || ret->error) ? NULL : &pc_error_nomem;
}

static struct pc_error *analyze(struct modules *modules, struct memory *mem,
			       const struct python_options *options, struct python *ret)
{
	enum layout_request request = options->layout;
	char build_id[130], cached_from[1024];
	struct anchors anchors;
	struct pc_error *err;
	unsigned hex;

	*ret = (struct python){0};
	if (!find_anchors(modules, mem, &anchors)) {
		const struct modules_unusable *file = unusable_interpreter_file(modules);

		if (!file)
			return NULL;
		err = anchors_without_file(modules, mem, file, &anchors, &hex, ret);
		if (err || ret->error)
			return err;
		/* No symbols: no DWARF, and nothing to check a cheap layout
		 * against; the offsets in the core are the build's own. */
		if (request == LAYOUT_REQUEST_AUTO)
			request = LAYOUT_REQUEST_DEBUG_OFFSETS;
	} else {
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
	}
	modules_module_build_id(anchors.module, build_id, sizeof(build_id));
	if ((request == LAYOUT_REQUEST_AUTO || request == LAYOUT_REQUEST_DWARF) &&
	    layout_cache_load(build_id, module_file(anchors.module), hex, &ret->layout, cached_from,
			      sizeof(cached_from))) {
		if (asprintf(&ret->layout_detail, "%s, cached", cached_from) < 0) {
			ret->layout_detail = NULL;
			return &pc_error_nomem;
		}
		return walk_python(ret, mem, modules->core, &anchors, options);
	}
	if (request == LAYOUT_REQUEST_AUTO &&
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
	err = choose_layout(ret, mem, &anchors, hex, request);
	if (err && hex >= PY_HEX(3, 0) && (hex & 0xffff0000u) > layout_newest_version())
		err = pc_error_prefix(err, "Python %s is newer than pycore knows (up to %u.%u) "
				      "and cannot be read",
				      ret->version, layout_newest_version() >> 24,
				      (layout_newest_version() >> 16) & 0xff);
	if (err)
		return pc_error_keep(&ret->error, err);
	/* Asked for, or all there is: used, but not as if it were this build's. */
	err = ret->layout.source == LAYOUT_SOURCE_DWARF
		      ? NULL
		      : layout_check_runtime_size(&ret->layout, anchors.runtime_size);
	if (err) {
		warnings_add(&ret->warnings, &ret->nwarnings, "%s", err->message);
		pc_error_destroy(err);
	}
	ret->layout_detail = layout_detail(modules, anchors.module, &ret->layout);
	if (!ret->layout_detail)
		return &pc_error_nomem;
	if (ret->layout.source == LAYOUT_SOURCE_DWARF)
		layout_cache_store(build_id, module_file(anchors.module), &ret->layout,
				   ret->layout_detail);
	return walk_python(ret, mem, modules->core, &anchors, options);
}

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
				       module_file(module));
	if (shdr.sh_size > sizeof(offsets))
		return pc_error_create(PC_ERR_UNSUPPORTED,
				       "the .AsyncioDebug section of %s has %llu bytes",
				       module_file(module), (unsigned long long)shdr.sh_size);
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
				       enum layout_request request, struct python *python,
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
		dwarf_err = layout_asyncio_from_dwarf(module, &python->layout);
		if (!dwarf_err || dwarf_err == &pc_error_nomem)
			return dwarf_err;
	}
	err = request == LAYOUT_REQUEST_DWARF
		      ? NULL
		      : asyncio_from_debug_offsets(module, mem, &python->layout);
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
			     module_file(module));
	pc_error_destroy(dwarf_err);
	pc_error_destroy(err);
	if (n < 0) {
		*note = NULL;
		return &pc_error_nomem;
	}
	return NULL;
}

/* asyncio's tasks. */
static struct pc_error *read_tasks(struct modules *modules, struct memory *mem,
				   const struct python_options *options, struct python *python)
{
	struct pyframe_walker frames = {.reader = {.mem = mem, .layout = &python->layout},
					.max_frames = options->max_frames,
					.deadline = options->deadline};
	struct pc_error *err;
	char *note;

	/* Finding the layout of _asyncio's objects can mean reading DWARF
	 * (the interpreter's own where _asyncio is built in, as in 3.15):
	 * not for a process that never imported asyncio. */
	if (!pytasks_imported(&frames.reader, python))
		return NULL;
	err = asyncio_layout(modules, mem, options->layout, python, &note);
	if (!err)
		err = pycode_cache_create(&frames.reader, &frames.codes);
	if (!err && options->locals)
		err = pylocals_create(&frames.reader, &frames.locals);
	if (!err)
		err = pytasks_read(&frames, python, options->max_tasks);
	if (!err && note && python->asyncio)
		warnings_add(&python->warnings, &python->nwarnings, "%s", note);
	free(note);
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

const struct py_thread *python_thread_for(const struct python *python, size_t index)
{
	return python->current && index < python->ncurrent ? python->current[index] : NULL;
}

enum py_thread_status python_thread_status(const struct python *python, size_t index)
{
	const struct py_thread *thread = python_thread_for(python, index);

	if (thread)
		return thread->not_read ? PY_THREAD_NOT_READ : PY_THREAD_READ;
	/* A list that stops early may have left this thread's state out; a
	 * process whose interpreter file could not be used has no lists. */
	return python->error ? PY_THREAD_UNKNOWN : PY_THREAD_NOT_PYTHON;
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

bool python_first_of_interpreter(const struct python *python, size_t index)
{
	size_t i;

	for (i = 0; i < index; i++)
		if (python->threads[i].interp == python->threads[index].interp)
			return false;
	return true;
}

bool python_is_libpython(const char *path)
{
	const char *base = strrchr(path, '/');

	return strncmp(base ? base + 1 : path, "libpython", 9) == 0;
}

bool python_in_core(const struct core *core, int exe_fd, const struct paths *paths)
{
	const char *main_program = core_main_program(core);
	size_t i;
	bool found;
	int fd;

	for (i = 0; i < core->nfiles; i++)
		if (python_is_libpython(core->files[i].path))
			return true;
	if (exe_fd >= 0)
		return python_in_elf(exe_fd);
	fd = main_program ? paths_open(paths, main_program, NULL) : -1;
	if (fd < 0)
		return true;
	found = python_in_elf(fd);
	close(fd);
	return found;
}
