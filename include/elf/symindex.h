/* Which symbol of a module holds an address, from an index of its symbol
 * table sorted by address.
 *
 * libdwfl (0.188) answers dwfl_module_addrinfo() with a pass over the whole
 * symbol table, a millisecond for a python3.X-dbg with its tens of thousands
 * of symbols, for every new return address.  The index gives libdwfl's own
 * answer in a binary search: among the symbols whose [value, value + size)
 * holds the address, it picks as libdwfl's search does (global before
 * local, the nearest start, then binding and size, then table order).
 * Where libdwfl would fall back to a label without a size, or a symbol's
 * value is a resolved function descriptor, the index does not answer and
 * the caller asks libdwfl. */
#ifndef PYCORE_ELF_SYMINDEX_H
#define PYCORE_ELF_SYMINDEX_H

#include <elfutils/libdwfl.h>
#include <stdbool.h>
#include <stdint.h>

struct symindex;

/* The index of MOD's symbol table; NULL when out of memory or the module
 * has no symbol table.  Costs one pass over the table. */
struct symindex *symindex_build(Dwfl_Module *mod);
void symindex_destroy(struct symindex *index);

/* The symbol holding PC and PC's offset in it, as dwfl_module_addrinfo()
 * would give them.  False when the index cannot tell (see above): *NAME
 * and *OFFSET are then unchanged. */
bool symindex_lookup(const struct symindex *index, uint64_t pc, const char **name,
		     uint64_t *offset);

#endif
