#include "python/probe.h"

#include "elf/core.h"
#include "elf/paths.h"

#include <gelf.h>
#include <string.h>
#include <unistd.h>

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
