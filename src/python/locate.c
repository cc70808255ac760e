/* Finding the interpreter in the process: the symbols that anchor its
 * structures (_PyRuntime, or 2.7 and 3.6's statics), and its version from
 * _Py_DebugOffsets, Py_Version or the text Py_GetVersion() formats; from
 * the core's memory alone where its file could not be used. */
#include "python/walk.h"

#include "base/error.h"
#include "base/warnings.h"
#include "elf/core.h"
#include "elf/memory.h"
#include "elf/modules.h"
#include "python/probe.h"
#include "python/version.h"

#include <elf.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

bool python_find_anchors(struct modules *modules, struct memory *mem, struct anchors *ret)
{
	uint64_t function;

	*ret = (struct anchors){.machine = modules->core->arch->machine};
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
bool python_find_version(struct modules *modules, struct memory *mem,
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

/* The file that would hold the interpreter (the executable, or a
 * libpython) when the core maps one that could not be used, else NULL. */
const struct modules_unusable *python_unusable_interpreter_file(const struct modules *modules)
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
struct pc_error *python_anchors_without_file(struct modules *modules, struct memory *mem,
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
