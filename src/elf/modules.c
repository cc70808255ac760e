#include "elf/modules.h"

#include "elf/core.h"
#include "elf/debuginfo.h"
#include "elf/link_map.h"
#include "elf/memory.h"
#include "base/error.h"
#include "base/warnings.h"
#include "elf/paths.h"
#include "elf/symindex.h"

#include <elf.h>
#include <elfutils/libdwelf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


/* libdwfl's find_elf callback has no user pointer but the per-module one,
 * which core reporting leaves NULL; the session being built is kept here.
 * pycore analyzes one core at a time. */
static struct modules *reporting;

static void hex_string(const unsigned char *bytes, int len, char *out, size_t size)
{
	int i;

	out[0] = '\0';
	for (i = 0; i < len && (size_t)(i * 2 + 3) <= size; i++)
		snprintf(out + i * 2, 3, "%02x", bytes[i]);
}

/* NAME is the main program's path as the core names it (NT_FILE at AT_PHDR). */
static bool is_core_executable(const struct modules *modules, const char *name)
{
	const struct core_file_mapping *file;
	uint64_t phdr;

	return core_auxv(modules->core, AT_PHDR, &phdr) &&
	       (file = core_file_at(modules->core, phdr)) && strcmp(file->path, name) == 0;
}

/* Remember that the file the core names as NAME could not be used, and
 * why, for the layers that need to say what that costs (python/locate.c). */
static void add_unusable(struct modules *modules, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void add_unusable(struct modules *modules, const char *name, const char *fmt, ...)
{
	struct modules_unusable *grown;
	char *path, *why;
	va_list ap;
	int n;

	if (modules->nunusable >= WARNINGS_MAX)
		return;
	va_start(ap, fmt);
	n = vasprintf(&why, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	path = strdup(name);
	grown = path ? realloc(modules->unusable, (modules->nunusable + 1) * sizeof(*grown))
		     : NULL;
	if (!grown) {
		free(path);
		free(why);
		return;
	}
	modules->unusable = grown;
	grown[modules->nunusable++] = (struct modules_unusable){
		.path = path, .why = why, .is_executable = is_core_executable(modules, name)};
}

/* Say that the file at PATH is not the one the core mapped as NAME; WHAT
 * names it for the reader, CONSEQUENCE says what pycore does about it. */
static void warn_build_id_mismatch(struct modules *modules, const char *what, const char *name,
				   const char *path, const unsigned char *want, int want_len,
				   const void *have, int have_len, const char *consequence)
{
	char core_id[130], file_id[130];

	hex_string(want, want_len, core_id, sizeof(core_id));
	hex_string(have, have_len, file_id, sizeof(file_id));
	warnings_add(&modules->warnings, &modules->nwarnings,
		     "build-id mismatch for %s%s: the core has %s, the file has %s; %s", what,
		     path, core_id, file_id, consequence);
	add_unusable(modules, name, "differs from the one that crashed (build-id %s in the core, "
		     "%s in %s)", core_id, file_id, path);
}

/* Whether MOD maps the main program's program headers (AT_PHDR). */
static bool is_main_module(Dwfl_Module *mod)
{
	Dwarf_Addr start = 0, end = 0;
	uint64_t phdr;

	return core_auxv(reporting->core, AT_PHDR, &phdr) &&
	       dwfl_module_info(mod, NULL, &start, &end, NULL, NULL, NULL, NULL) &&
	       phdr >= start && phdr < end;
}

/* Use FD, the file FOUND (both taken over), for MOD when its build-id is
 * the one the core records; else, with WARN, say so.  Returns FD or -1. */
static int use_if_matching(Dwfl_Module *mod, int fd, char *found, bool warn, char **file_name,
			   Elf **elfp)
{
	const unsigned char *want = NULL;
	const void *have = NULL;
	GElf_Addr vaddr;
	int want_len, have_len;
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);

	want_len = dwfl_module_build_id(mod, &want, &vaddr);
	have_len = elf ? dwelf_elf_gnu_build_id(elf, &have) : -1;
	if (elf && (want_len <= 0 || have_len <= 0 ||
		    (want_len == have_len && memcmp(want, have, (size_t)want_len) == 0))) {
		*file_name = found;
		*elfp = elf;
		return fd;
	}
	if (warn && elf && want_len > 0 && have_len > 0) {
		const char *name = dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

		warn_build_id_mismatch(reporting, "", name ? name : found, found, want, want_len,
				       have, have_len, "its symbols are not used");
	}
	if (elf)
		elf_end(elf);
	free(found);
	close(fd);
	return -1;
}

/* The executable chosen for the main program, when its build-id is the one
 * the core records.  Returns its fd, or -1. */
static int open_executable(Dwfl_Module *mod, char **file_name, Elf **elfp)
{
	char *found;
	int fd = open(reporting->executable, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	found = strdup(reporting->executable);
	if (!found) {
		close(fd);
		return -1;
	}
	return use_if_matching(mod, fd, found, false, file_name, elfp);
}

/* libdwfl found no file with the build-id the core records; look where the
 * core says the file was, under --sysroot and --lib-path, after the
 * executable chosen for the main program (a given one that is not the
 * core's is reported by check_given_executable()).  A file with another
 * build-id is reported and not used: its symbols would be wrong. */
static int find_elf(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
		    char **file_name, Elf **elfp)
{
	char *found = NULL;
	int fd;

	/* What debuginfo_find() will search for this module's debug file. */
	if (reporting)
		*userdata = (void *)reporting->paths;
	/* Under a sysroot the file the core names is the sysroot's: it is
	 * looked for there first.  libdwfl's search looks on the host (its
	 * build-id directory, the path as the core names it), then asks
	 * debuginfod, whose client it loads for that even when
	 * DEBUGINFOD_URLS names no server; and a path on the host may name a
	 * FIFO, whose open blocks. */
	if (reporting && reporting->paths && reporting->paths->sysroot && modname &&
	    modname[0] == '/') {
		if (reporting->executable && is_main_module(mod))
			fd = open_executable(mod, file_name, elfp);
		else if ((fd = paths_open(reporting->paths, modname, &found)) >= 0)
			fd = use_if_matching(mod, fd, found, false, file_name, elfp);
		if (fd >= 0)
			return fd;
	}
	fd = dwfl_build_id_find_elf(mod, userdata, modname, base, file_name, elfp);
	if (fd >= 0 || *elfp || !reporting)
		return fd;
	if (reporting->executable && is_main_module(mod) &&
	    (fd = open_executable(mod, file_name, elfp)) >= 0)
		return fd;
	if (!modname || modname[0] != '/' ||
	    (fd = paths_open(reporting->paths, modname, &found)) < 0)
		return -1;
	return use_if_matching(mod, fd, found, true, file_name, elfp);
}

static char *debuginfo_path;

static const Dwfl_Callbacks callbacks = {
	.find_elf = find_elf,
	.find_debuginfo = debuginfo_find,
	.debuginfo_path = &debuginfo_path,
};

/* The main program: the file mapped where AT_PHDR points (the program
 * headers of the executable), which NT_FILE names; else AT_EXECFN. */
static struct pc_error *executable_from_core(struct modules *modules)
{
	const struct core *core = modules->core;
	const char *main_program = core_main_program(core);
	uint64_t execfn;

	if (main_program) {
		modules->executable = strdup(main_program);
		modules->executable_origin = "NT_FILE";
	} else if (core_auxv(core, AT_EXECFN, &execfn)) {
		const struct core_segment *segment = core_segment_at(core, execfn);
		uint64_t into = segment ? execfn - segment->vaddr : 0;

		if (!segment || into >= segment->filesz)
			return NULL;
		modules->executable = strndup((const char *)core->map + segment->offset + into,
					      (size_t)(segment->filesz - into));
		modules->executable_origin = "AT_EXECFN";
	} else {
		return NULL;
	}
	return modules->executable ? NULL : &pc_error_nomem;
}

/* The module whose file is mapped where AT_PHDR points: the main program. */
static Dwfl_Module *main_module(struct modules *modules)
{
	uint64_t phdr;

	if (!core_auxv(modules->core, AT_PHDR, &phdr))
		return NULL;
	return dwfl_addrmodule(modules->dwfl, phdr);
}

/* libdwfl passes over a given executable whose build-id is not the core's
 * without a word; say it, since the user named that file. */
/* Whether a warning already names PATH's build-id mismatch. */
static bool mismatch_told(const struct modules *modules, const char *path)
{
	size_t i;

	for (i = 0; i < modules->nwarnings; i++)
		if (strstr(modules->warnings[i], "build-id mismatch") &&
		    strstr(modules->warnings[i], path))
			return true;
	return false;
}

/* The executable the user gave, or the one found under --sysroot (WHAT
 * says which), against the build-id the core records for the main
 * program: another build is said to be one, as the libraries are. */
static void check_executable_build(struct modules *modules, const char *what,
				   const char *consequence)
{
	Dwfl_Module *mod = main_module(modules);
	const unsigned char *want = NULL;
	const void *have = NULL;
	GElf_Addr vaddr;
	int want_len, have_len, fd;
	Elf *elf;

	if (!mod || (want_len = dwfl_module_build_id(mod, &want, &vaddr)) <= 0)
		return;
	fd = open(modules->executable, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	have_len = elf ? dwelf_elf_gnu_build_id(elf, &have) : -1;
	if (have_len > 0 && (have_len != want_len || memcmp(want, have, (size_t)want_len) != 0) &&
	    !mismatch_told(modules, modules->executable))
		warn_build_id_mismatch(modules, what, modules->executable, modules->executable,
				       want, want_len, have, have_len, consequence);
	if (elf)
		elf_end(elf);
	close(fd);
}

static int check_module(Dwfl_Module *mod, void **userdata, const char *name, Dwarf_Addr start,
			void *arg)
{
	struct modules *modules = arg;
	Dwarf_Addr bias;
	(void)userdata;
	(void)start;

	if (!dwfl_module_getelf(mod, &bias) && name && name[0] == '/' &&
	    strncmp(name, "/dev/", 5) != 0 && strncmp(name, "/memfd:", 7) != 0 &&
	    strstr(name, "(deleted)") == NULL) {
		int fd = paths_open(modules->paths, name, NULL);

		if (fd < 0) {
			warnings_add(&modules->warnings, &modules->nwarnings,
				     "%s: %s; no symbols for it", name, strerror(errno));
			add_unusable(modules, name, "is missing (%s)", strerror(errno));
		} else
			close(fd);
	}
	return DWARF_CB_OK;
}

/* An EXECUTABLE the user named that cannot be the crashed program (of
 * another architecture than the core's ARCH, among others) is bad input:
 * say so rather than analyse the core without it. */
static struct pc_error *check_executable(const char *executable, const struct arch *arch)
{
	const char *wrong = NULL;
	struct pc_error *err = NULL;
	struct stat st;
	GElf_Ehdr ehdr;
	Elf *elf = NULL;
	int fd;

	fd = open(executable, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return pc_error_create(PC_ERR_IO, "executable '%s': %s", executable,
				       strerror(errno));
	if (fstat(fd, &st) != 0)
		err = pc_error_create(PC_ERR_IO, "executable '%s': %s", executable,
				      strerror(errno));
	else if (S_ISDIR(st.st_mode))
		wrong = "is a directory";
	else if (!S_ISREG(st.st_mode))
		wrong = "is not a regular file";
	else if (st.st_size == 0)
		wrong = "is empty";
	else if (!(elf = elf_begin(fd, ELF_C_READ_MMAP, NULL)) || elf_kind(elf) != ELF_K_ELF ||
		 !gelf_getehdr(elf, &ehdr))
		wrong = "is not an ELF file";
	else if (ehdr.e_type == ET_CORE)
		wrong = "is a core file, not the program that crashed";
	else if (ehdr.e_type != ET_EXEC && ehdr.e_type != ET_DYN)
		wrong = "is an ELF file but not an executable";
	else if (ehdr.e_machine != arch->machine)
		err = pc_error_create(PC_ERR_FORMAT, "executable '%s' is not an %s executable",
				      executable, arch->name);
	if (wrong)
		err = pc_error_create(PC_ERR_FORMAT, "executable '%s' %s", executable, wrong);
	if (elf)
		elf_end(elf);
	close(fd);
	return err;
}

/* Start libdwfl on the core, with EXECUTABLE (NULL: found from the core)
 * as the main program. */
static struct pc_error *report_core(struct modules *modules, const char *executable)
{
	struct pc_error *err = NULL;

	modules->dwfl = dwfl_begin(&callbacks);
	if (!modules->dwfl)
		return pc_error_create(PC_ERR_LIBRARY, "dwfl_begin: %s", dwfl_errmsg(-1));
	reporting = modules;
	dwfl_report_begin(modules->dwfl);
	if (dwfl_core_file_report(modules->dwfl, modules->core->elf, executable) < 0) {
		int code = dwfl_errno();

		/* A core that libdwfl finds no module in is damaged, not a
		 * failure of pycore's; libdwfl often gives no reason then. */
		err = pc_error_create(PC_ERR_FORMAT,
				      "no executable or library could be found in the core "
				      "(dwfl_core_file_report: %s)",
				      code ? dwfl_errmsg(code) : "no module found");
	} else {
		/* libdwfl finds a library without NT_FILE only where its
		 * ELF header was dumped, or by its path on this machine. */
		if (!modules->core->nfiles)
			link_map_report(modules->dwfl, modules->core, modules->mem,
					modules->paths);
		if (dwfl_report_end(modules->dwfl, NULL, NULL) != 0)
			err = pc_error_create(PC_ERR_LIBRARY, "dwfl_report_end: %s",
					      dwfl_errmsg(-1));
	}
	return err;
}

static void drop_unusable(struct modules *modules)
{
	size_t i;

	for (i = 0; i < modules->nunusable; i++) {
		free(modules->unusable[i].path);
		free(modules->unusable[i].why);
	}
	free(modules->unusable);
	modules->unusable = NULL;
	modules->nunusable = 0;
}

struct pc_error *modules_create(const struct core *core, struct memory *mem,
				const char *executable, const struct paths *paths,
				struct modules **ret)
{
	struct pc_error *err = NULL;
	struct modules *modules = calloc(1, sizeof(*modules));
	char *opened = NULL;
	size_t nwarnings;
	int fd;

	if (!modules)
		return &pc_error_nomem;
	modules->core = core;
	modules->mem = mem;
	modules->paths = paths;
	if (executable) {
		modules->executable = strdup(executable);
		modules->executable_origin = "given";
		if (!modules->executable) {
			err = &pc_error_nomem;
			goto fail;
		}
		err = check_executable(executable, core->arch);
		if (err)
			goto fail;
	} else {
		err = executable_from_core(modules);
		if (err)
			goto fail;
		/* The path in the core is the crashed machine's: look in the sysroot. */
		if (modules->executable) {
			fd = paths_open(paths, modules->executable, &opened);
			if (fd >= 0) {
				close(fd);
				free(modules->executable);
				modules->executable = opened;
			} else {
				warnings_add(&modules->warnings, &modules->nwarnings,
					     "executable %s (from the core's %s): %s",
					     modules->executable, modules->executable_origin,
					     strerror(errno));
			}
		}
	}

	nwarnings = modules->nwarnings;
	/* The executable goes to find_elf(), not to libdwfl: libdwfl 0.188
	 * given one takes it on trust, build-id and all, and can attach it to
	 * another module whose first page it misreads (a ctypes extension
	 * mapped below libc, at random in one core out of two). */
	err = report_core(modules, NULL);
	/* Without the main program's ELF headers in the core (a
	 * coredump_filter that leaves them out), libdwfl finds it only when
	 * it is named; its build-id cannot be checked then. */
	if (!executable && modules->executable && (err || !main_module(modules))) {
		pc_error_destroy(err);
		dwfl_end(modules->dwfl);
		modules->dwfl = NULL;
		drop_unusable(modules);
		while (modules->nwarnings > nwarnings)
			free(modules->warnings[--modules->nwarnings]);
		err = report_core(modules, modules->executable);
		warnings_add(&modules->warnings, &modules->nwarnings,
			     "the core holds no ELF headers of the executable %s: its build-id "
			     "cannot be checked", modules->executable);
	}
	if (err)
		goto fail;
	/* libdwfl looks for a module's file when it is first asked for it:
	 * here, for every module; report_core() set reporting. */
	dwfl_getmodules(modules->dwfl, check_module, modules, 0);
	if (!core->nfiles)
		memory_set_file_reader(mem, link_map_read_file, modules->dwfl);
	if (executable)
		check_executable_build(modules, "the given executable ", "it is not used");
	else if (paths && paths->sysroot && modules->executable)
		check_executable_build(modules, "the executable found under --sysroot ",
				       "it is not the program that crashed");
	reporting = NULL;
	*ret = modules;
	return NULL;

fail:
	reporting = NULL;
	modules_destroy(modules);
	return err;
}

struct pc_error *modules_name_executable(struct modules *modules, const char *name)
{
	char *shown = strdup(name);

	if (!shown)
		return &pc_error_nomem;
	free(modules->executable_opened);
	modules->executable_opened = modules->executable;
	modules->executable = shown;
	modules->executable_origin = "proc";
	return NULL;
}

const char *modules_shown_name(const struct modules *modules, const char *file)
{
	if (file && modules->executable_opened && strcmp(file, modules->executable_opened) == 0)
		return modules->executable;
	return file;
}

/* Threads that run the same code (a pool of 200 workers) ask for the same
 * return addresses again and again.  A direct-mapped table of answers, at
 * most SYMBOL_CACHE_SLOTS of them, keeps that to one search per address;
 * each module's symbol index (symindex.c) makes that search a binary one. */
#define SYMBOL_CACHE_SLOTS 4096

struct symbol_cache {
	struct {
		uint64_t pc;
		bool used;
		struct native_symbol symbol;
	} slots[SYMBOL_CACHE_SLOTS];
	struct {
		Dwfl_Module *module;
		struct symindex *index;	/* NULL: libdwfl's own search answers */
	} *indexes;
	size_t nindexes;
};

void modules_destroy(struct modules *modules)
{
	if (!modules)
		return;
	if (modules->dwfl)
		dwfl_end(modules->dwfl);
	warnings_free(modules->warnings, modules->nwarnings);
	drop_unusable(modules);
	if (modules->symbols) {
		size_t i;

		for (i = 0; i < modules->symbols->nindexes; i++)
			symindex_destroy(modules->symbols->indexes[i].index);
		free(modules->symbols->indexes);
	}
	free(modules->symbols);
	free(modules->attach_error);
	free(modules->executable);
	free(modules->executable_opened);
	free(modules);
}

static void describe(struct modules *modules, uint64_t pc, struct native_symbol *ret);

/* MODULE's symbol index, built the first time an address in it is asked
 * for; NULL when it could not be (libdwfl then searches). */
static struct symindex *module_index(struct symbol_cache *cache, Dwfl_Module *module)
{
	size_t i;
	void *grown;

	if (!cache)
		return NULL;
	for (i = 0; i < cache->nindexes; i++)
		if (cache->indexes[i].module == module)
			return cache->indexes[i].index;
	grown = realloc(cache->indexes, (cache->nindexes + 1) * sizeof(*cache->indexes));
	if (!grown)
		return NULL;
	cache->indexes = grown;
	cache->indexes[cache->nindexes].module = module;
	cache->indexes[cache->nindexes].index = symindex_build(module);
	return cache->indexes[cache->nindexes++].index;
}

void modules_describe(struct modules *modules, uint64_t pc, struct native_symbol *ret)
{
	size_t slot = (size_t)((pc ^ (pc >> 12)) & (SYMBOL_CACHE_SLOTS - 1));

	if (!modules->symbols)
		modules->symbols = calloc(1, sizeof(*modules->symbols));
	if (!modules->symbols) {
		describe(modules, pc, ret);
		return;
	}
	if (!modules->symbols->slots[slot].used || modules->symbols->slots[slot].pc != pc) {
		describe(modules, pc, &modules->symbols->slots[slot].symbol);
		modules->symbols->slots[slot].pc = pc;
		modules->symbols->slots[slot].used = true;
	}
	*ret = modules->symbols->slots[slot].symbol;
}

static void describe(struct modules *modules, uint64_t pc, struct native_symbol *ret)
{
	Dwfl_Module *mod = dwfl_addrmodule(modules->dwfl, pc);
	const char *name, *slash;
	GElf_Off offset = 0;
	GElf_Addr vaddr;
	GElf_Sym sym;
	int len;

	*ret = (struct native_symbol){0};
	if (!mod)
		return;
	name = dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
	if (name) {
		slash = strrchr(name, '/');
		ret->module = slash ? slash + 1 : name;
	}
	if (!symindex_lookup(module_index(modules->symbols, mod), pc, &ret->symbol,
			     &ret->offset)) {
		ret->symbol = dwfl_module_addrinfo(mod, pc, &offset, &sym, NULL, NULL, NULL);
		ret->offset = offset;
	}
	len = dwfl_module_build_id(mod, &ret->build_id, &vaddr);
	ret->build_id_len = len > 0 ? len : 0;
	if (len <= 0)
		ret->build_id = NULL;
}

void modules_source(struct modules *modules, uint64_t pc, struct native_symbol *ret)
{
	Dwfl_Module *mod = dwfl_addrmodule(modules->dwfl, pc);
	Dwfl_Line *line = mod ? dwfl_module_getsrc(mod, pc) : NULL;

	if (line)
		ret->src_file = dwfl_lineinfo(line, NULL, &ret->src_line, NULL, NULL, NULL);
}

bool modules_module_build_id(Dwfl_Module *mod, char *out, size_t size)
{
	const unsigned char *bits;
	GElf_Addr vaddr;
	int len;

	out[0] = '\0';
	if (!mod || (len = dwfl_module_build_id(mod, &bits, &vaddr)) <= 0 ||
	    (size_t)len * 2 + 1 > size)
		return false;
	hex_string(bits, len, out, size);
	return true;
}

const char *modules_module_file(Dwfl_Module *mod)
{
	const char *name, *mainfile = NULL;

	name = dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, &mainfile, NULL);
	return mainfile ? mainfile : name ? name : "?";
}

bool modules_symbol_build_id(const struct native_symbol *where, char *out, size_t size)
{
	out[0] = '\0';
	if (!where->build_id || (size_t)where->build_id_len * 2 + 1 > size)
		return false;
	hex_string(where->build_id, where->build_id_len, out, size);
	return true;
}

struct symbol_search {
	const char *name;
	uint64_t address;
	uint64_t size;
	Dwfl_Module *module;
};

static int search_module(Dwfl_Module *mod, void **userdata, const char *modname,
			 Dwarf_Addr start, void *arg)
{
	struct symbol_search *search = arg;
	int n = dwfl_module_getsymtab(mod), i;
	(void)userdata;
	(void)modname;
	(void)start;

	for (i = 1; i < n; i++) {
		GElf_Addr value;
		GElf_Sym sym;
		const char *name = dwfl_module_getsym_info(mod, i, &sym, &value, NULL, NULL, NULL);

		if (name && sym.st_shndx != SHN_UNDEF && strcmp(name, search->name) == 0 &&
		    GELF_ST_TYPE(sym.st_info) != STT_TLS) {
			search->address = value;
			search->size = sym.st_size;
			search->module = mod;
			return DWARF_CB_ABORT;
		}
	}
	return DWARF_CB_OK;
}

/* Exported symbols are in .dynsym, which the file itself holds: reading
 * it spares libdwfl loading the full symbol table, which for a separate
 * debug file means opening and often decompressing it. */
static int search_dynsym(Dwfl_Module *mod, void **userdata, const char *modname,
			 Dwarf_Addr start, void *arg)
{
	struct symbol_search *search = arg;
	Dwarf_Addr bias;
	Elf *elf = dwfl_module_getelf(mod, &bias);
	Elf_Scn *scn = NULL;
	(void)userdata;
	(void)modname;
	(void)start;

	while (elf && (scn = elf_nextscn(elf, scn))) {
		Elf_Data *data;
		GElf_Shdr shdr;
		size_t i, count;

		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_DYNSYM || !shdr.sh_entsize ||
		    !(data = elf_getdata(scn, NULL)))
			continue;
		count = shdr.sh_size / shdr.sh_entsize;
		for (i = 1; i < count; i++) {
			GElf_Sym sym;
			const char *sym_name;

			if (!gelf_getsym(data, (int)i, &sym) || sym.st_shndx == SHN_UNDEF ||
			    GELF_ST_TYPE(sym.st_info) == STT_TLS)
				continue;
			sym_name = elf_strptr(elf, shdr.sh_link, sym.st_name);
			if (sym_name && strcmp(sym_name, search->name) == 0) {
				search->address = sym.st_value + bias;
				search->size = sym.st_size;
				search->module = mod;
				return DWARF_CB_ABORT;
			}
		}
	}
	return DWARF_CB_OK;
}

bool modules_find_symbol(struct modules *modules, Dwfl_Module *in, const char *name,
			 uint64_t *address, uint64_t *size, Dwfl_Module **found_in)
{
	struct symbol_search search = {.name = name};

	if (in) {
		search_dynsym(in, NULL, NULL, 0, &search);
		if (!search.module)
			search_module(in, NULL, NULL, 0, &search);
	} else {
		dwfl_getmodules(modules->dwfl, search_dynsym, &search, 0);
		if (!search.module)
			dwfl_getmodules(modules->dwfl, search_module, &search, 0);
	}
	if (!search.module)
		return false;
	*address = search.address;
	if (size)
		*size = search.size;
	if (found_in)
		*found_in = search.module;
	return true;
}

bool modules_find_exported(struct modules *modules, const char *name, uint64_t *address,
			   Dwfl_Module **found_in)
{
	struct symbol_search search = {.name = name};

	dwfl_getmodules(modules->dwfl, search_dynsym, &search, 0);
	if (!search.module)
		return false;
	*address = search.address;
	if (found_in)
		*found_in = search.module;
	return true;
}

Elf *modules_elf(Dwfl_Module *module, uint64_t *bias)
{
	Dwarf_Addr b = 0;
	Elf *elf = dwfl_module_getelf(module, &b);

	*bias = b;
	return elf;
}

bool modules_section(Dwfl_Module *module, const char *name, GElf_Shdr *ret, uint64_t *bias)
{
	Elf *elf = modules_elf(module, bias);
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (!elf || elf_getshdrstrndx(elf, &shstrndx) != 0)
		return false;
	while ((scn = elf_nextscn(elf, scn))) {
		const char *found;

		if (gelf_getshdr(scn, ret) && (found = elf_strptr(elf, shstrndx, ret->sh_name)) &&
		    strcmp(found, name) == 0)
			return true;
	}
	return false;
}
