/* The ELF files a core maps (executable, libpython, extensions, libc),
 * found and opened through libdwfl, with their symbols and debug info.
 *
 * Debug info is found as elfutils finds it: in the file, by .gnu_debuglink,
 * under /usr/lib/debug/.build-id, and .gnu_debugdata (MiniDebugInfo). */
#ifndef PYCORE_ELF_MODULES_H
#define PYCORE_ELF_MODULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <elfutils/libdwfl.h>

struct core;
struct memory;
struct paths;
struct pc_error;
struct unwind_process;

/* A file the core maps that pycore could not use. */
struct modules_unusable {
	char *path;		/* as the core names it */
	char *why;		/* "is missing (...)", "differs from the one that crashed (...)" */
	bool is_executable;	/* the main program */
};

struct modules {
	Dwfl *dwfl;
	const struct core *core;
	struct memory *mem;	/* the core's memory, which the unwinder reads */
	const struct paths *paths;
	char *executable;	/* the path used for the main program, or NULL */
	const char *executable_origin; /* how it was chosen: "given", "NT_FILE", "AT_EXECFN",
					* "proc" */
	char *executable_opened; /* when not NULL, the path it was opened by, which
				  * libdwfl calls it (modules_shown_name()) */
	char **warnings;	/* build-id mismatches, missing files: shown in the report */
	size_t nwarnings;
	struct modules_unusable *unusable; /* at most WARNINGS_MAX of them */
	size_t nunusable;
	struct unwind_process *unwound; /* the core's threads as given to libdwfl
					 * (unwind.c), once they are */
	char *attach_error;	/* they could not be: why */
	struct symbol_cache *symbols; /* modules_describe()'s answers, by pc */
	/* An argument the unwinder reads (frame_argument.h) in the first
	 * frame of one of these functions: native_stack.argument. */
	const char *const *argument_functions;
	size_t nargument_functions;
	const char *argument_name;
};

/* EXECUTABLE may be NULL: the core's main program is then taken from the
 * core (the NT_FILE entry that contains AT_PHDR, else AT_EXECFN).  MEM, the
 * core's memory, must outlive MODULES. */
struct pc_error *modules_create(const struct core *core, struct memory *mem,
				const char *executable,
				const struct paths *paths, struct modules **ret);
void modules_destroy(struct modules *modules);

/* Call the main program NAME in reports, saying it was opened through
 * /proc (origin "proc"): pycore handle gives it as /proc/self/fd/N. */
struct pc_error *modules_name_executable(struct modules *modules, const char *name);

/* The name to show for FILE, a file name libdwfl has: the main program's
 * name when FILE is the path it was opened by, else FILE. */
const char *modules_shown_name(const struct modules *modules, const char *file);

/* Describe PC: the module's base name, the symbol and offset (NULL when
 * unknown); the source file and line stay NULL, 0 (see modules_source()).
 * The strings belong to libdwfl and live as long as MODULES. */
struct native_symbol {
	const char *module;
	const char *symbol;
	uint64_t offset;
	const char *src_file;
	int src_line;
	const unsigned char *build_id;	/* the module's, as the core records it; NULL: none */
	int build_id_len;
};
void modules_describe(struct modules *modules, uint64_t pc, struct native_symbol *ret);

/* Fill RET's source file and line for PC.  Apart from modules_describe()
 * because it is the expensive part: it reads (and often decompresses) the
 * DWARF of the module, which naming the function does not need. */
void modules_source(struct modules *modules, uint64_t pc, struct native_symbol *ret);

/* WHERE's build-id in lowercase hex, in OUT (SIZE bytes, NUL included).
 * False when it has none or the hex does not fit. */
bool modules_symbol_build_id(const struct native_symbol *where, char *out, size_t size);

/* The same for MODULE itself ("" and false when it has no build-id). */
bool modules_module_build_id(Dwfl_Module *module, char *out, size_t size);

/* The file libdwfl read MODULE from ("?" when it does not say). */
const char *modules_module_file(Dwfl_Module *module);

/* The address of the symbol NAME (data or function, local ones included).
 * IN: the module to search, or NULL for every module; *SIZE, when SIZE is
 * not NULL, receives its st_size (0 when the symbol table gives none);
 * *FOUND_IN, when FOUND_IN is not NULL, the module defining it.  False
 * when no module has it. */
bool modules_find_symbol(struct modules *modules, Dwfl_Module *in, const char *name,
			 uint64_t *address, uint64_t *size, Dwfl_Module **found_in);

/* As modules_find_symbol() over every module, in the symbols the modules
 * export (.dynsym) only: no full symbol table is loaded, which for a module
 * with a separate debug file means reading that file. */
bool modules_find_exported(struct modules *modules, const char *name, uint64_t *address,
			   Dwfl_Module **found_in);

/* The module's ELF file on disk (the one libdwfl opened), or NULL. */
Elf *modules_elf(Dwfl_Module *module, uint64_t *bias);

/* The section header of MODULE's section NAME, and the bias to add to its
 * sh_addr; false when its ELF file has none. */
bool modules_section(Dwfl_Module *module, const char *name, GElf_Shdr *ret, uint64_t *bias);

#endif
