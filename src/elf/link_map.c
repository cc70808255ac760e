#include "elf/link_map.h"

#include "base/error.h"
#include "elf/core.h"
#include "elf/memory.h"
#include "elf/paths.h"

#include <elf.h>
#include <gelf.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A program's dynamic section has a few dozen entries; the list of loaded
 * objects a few hundred.  Both are read from the core: a corrupted one
 * must end. */
#define MAX_DYNAMIC 1024
#define MAX_OBJECTS 4096

/* struct r_debug: r_version, then r_map. */
#define R_DEBUG_MAP 8
/* struct link_map: l_addr, l_name, l_ld, l_next. */
#define LINK_MAP_ADDR 0
#define LINK_MAP_NAME 8
#define LINK_MAP_LD 16
#define LINK_MAP_NEXT 24

struct covering {
	uint64_t address;
	Dwfl_Module *found;
};

static int find_covering(Dwfl_Module *mod, void **userdata, const char *name,
			 Dwarf_Addr start, void *arg)
{
	struct covering *covering = arg;
	Dwarf_Addr low, high;
	(void)userdata;
	(void)name;
	(void)start;

	dwfl_module_info(mod, NULL, &low, &high, NULL, NULL, NULL, NULL);
	if (covering->address >= low && covering->address < high) {
		covering->found = mod;
		return DWARF_CB_ABORT;
	}
	return DWARF_CB_OK;
}

/* The module of DWFL that covers ADDRESS, or NULL; unlike dwfl_addrmodule
 * it may be asked while modules are being reported. */
static Dwfl_Module *module_covering(Dwfl *dwfl, uint64_t address)
{
	struct covering covering = {.address = address};

	dwfl_getmodules(dwfl, find_covering, &covering, 0);
	return covering.found;
}

/* The address of the r_debug the main program's DT_DEBUG points to, or 0. */
static uint64_t find_r_debug(Dwfl *dwfl, const struct core *core, struct memory *mem)
{
	Dwfl_Module *main_program;
	uint64_t phdr_address, dynamic = 0;
	Dwarf_Addr bias;
	size_t phnum, i;
	Elf *elf;

	if (!core_auxv(core, AT_PHDR, &phdr_address) ||
	    !(main_program = module_covering(dwfl, phdr_address)) ||
	    !(elf = dwfl_module_getelf(main_program, &bias)) || elf_getphdrnum(elf, &phnum) != 0)
		return 0;
	for (i = 0; i < phnum && !dynamic; i++) {
		GElf_Phdr phdr;

		if (gelf_getphdr(elf, (int)i, &phdr) && phdr.p_type == PT_DYNAMIC)
			dynamic = phdr.p_vaddr + bias;
	}
	for (i = 0; dynamic && i < MAX_DYNAMIC; i++) {
		uint64_t entry[2];
		struct pc_error *err = memory_read(mem, dynamic + i * sizeof(entry), entry,
						   sizeof(entry));

		pc_error_destroy(err);
		if (err || entry[0] == DT_NULL)
			break;
		if (entry[0] == DT_DEBUG)
			return entry[1];
	}
	return 0;
}

/* What libdwfl's find_elf would have given a module that libdwfl or
 * link_map_report() opened without it: debuginfo.c looks for the debug
 * file under the sysroot by it. */
static int give_paths(Dwfl_Module *mod, void **userdata, const char *name, Dwarf_Addr start,
		      void *arg)
{
	(void)mod;
	(void)name;
	(void)start;
	if (!*userdata)
		*userdata = arg;
	return DWARF_CB_OK;
}

void link_map_report(Dwfl *dwfl, const struct core *core, struct memory *mem,
		     const struct paths *paths)
{
	uint64_t r_debug = find_r_debug(dwfl, core, mem), entry = 0;
	size_t count;

	if (!r_debug || memory_read_u64(mem, r_debug + R_DEBUG_MAP, &entry))
		return;
	for (count = 0; entry && count < MAX_OBJECTS; count++) {
		uint64_t base, name_address, ld, next;
		struct pc_error *err;
		char name[PATH_MAX], *found = NULL;
		int truncated, fd;

		err = memory_read_u64(mem, entry + LINK_MAP_ADDR, &base);
		if (!err)
			err = memory_read_u64(mem, entry + LINK_MAP_NAME, &name_address);
		if (!err)
			err = memory_read_u64(mem, entry + LINK_MAP_LD, &ld);
		if (!err)
			err = memory_read_u64(mem, entry + LINK_MAP_NEXT, &next);
		if (err) {
			pc_error_destroy(err);
			return;
		}
		entry = next;
		/* The dynamic linker's own name is the main program's
		 * PT_INTERP, in pages qemu leaves out: libdwfl finds it by
		 * its dumped pages or not at all. */
		err = memory_read_cstring(mem, name_address, name, sizeof(name), &truncated);
		if (err) {
			pc_error_destroy(err);
			continue;
		}
		/* The main program has no name here, the vDSO no path. */
		if (truncated || name[0] != '/' || module_covering(dwfl, ld))
			continue;
		fd = paths_open(paths, name, &found);
		if (fd < 0)
			continue;
		close(fd);
		dwfl_report_elf(dwfl, name, found, -1, base, false);
		free(found);
	}
	dwfl_getmodules(dwfl, give_paths, (void *)paths, 0);
}

size_t link_map_read_file(void *arg, uint64_t address, unsigned char *buf, size_t len)
{
	Dwfl_Module *mod = dwfl_addrmodule(arg, address);
	Dwarf_Addr bias;
	size_t phnum, size, i;
	const char *bytes;
	Elf *elf;

	if (!mod || !(elf = dwfl_module_getelf(mod, &bias)) || elf_getphdrnum(elf, &phnum) != 0 ||
	    !(bytes = elf_rawfile(elf, &size)))
		return 0;
	for (i = 0; i < phnum; i++) {
		GElf_Phdr phdr;
		uint64_t start, into, available;

		if (!gelf_getphdr(elf, (int)i, &phdr) || phdr.p_type != PT_LOAD)
			continue;
		start = phdr.p_vaddr + bias;
		if (address < start || address - start >= phdr.p_filesz)
			continue;
		into = address - start;
		if (phdr.p_offset > size || into >= size - phdr.p_offset)
			return 0;
		available = phdr.p_filesz - into;
		if (available > size - phdr.p_offset - into)
			available = size - phdr.p_offset - into;
		if (available > len)
			available = len;
		memcpy(buf, bytes + phdr.p_offset + into, available);
		return available;
	}
	return 0;
}
