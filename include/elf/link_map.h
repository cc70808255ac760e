/* The shared objects a process had loaded, from the dynamic linker's own
 * list in its memory (r_debug and its link_map chain, found through the
 * main program's DT_DEBUG), for cores that name no file: qemu-user writes
 * no NT_FILE note and leaves out the pages of every mapping that starts
 * with an ELF header, which is where libdwfl would look for them. */
#ifndef PYCORE_ELF_LINK_MAP_H
#define PYCORE_ELF_LINK_MAP_H

#include <stddef.h>
#include <stdint.h>

#include <elfutils/libdwfl.h>

struct core;
struct memory;
struct paths;

/* Report to DWFL, which is between dwfl_report_begin and dwfl_report_end
 * and has its main program, every object on the list that no module it
 * has covers, from its file found through PATHS.  What cannot be read is
 * left out: libdwfl's own modules stay. */
void link_map_report(Dwfl *dwfl, const struct core *core, struct memory *mem,
		     const struct paths *paths);

/* A memory_file_reader (memory.h) over the files of DWFL's modules: the
 * bytes their PT_LOAD segments map at ADDRESS. */
size_t link_map_read_file(void *dwfl, uint64_t address, unsigned char *buf, size_t len);

#endif
