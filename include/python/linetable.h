/* From an instruction offset to a source location: the line tables of
 * CPython 2.7 - 3.13, decoded without the interpreter.
 *
 * Pure functions on bytes read from a core: no memory access, no allocation
 * except the returned error. */
#ifndef PYCORE_PYTHON_LINETABLE_H
#define PYCORE_PYTHON_LINETABLE_H

#include <stddef.h>
#include <stdint.h>

#include "layout/layout.h"

/* Where an instruction comes from.  -1 = unknown.  Columns are 0-based
 * offsets in bytes of the UTF-8 source line, as 3.11+ tracebacks count them;
 * only the 3.11+ location table has columns and end lines. */
struct py_location {
	int line;
	int end_line;
	int column;
	int end_column;
};

/*
 * Look up OFFSET in a line table and store its location in RET.
 *
 * TABLE is the raw content of co_lnotab (2.7 - 3.9) or co_linetable (3.10+),
 * LEN bytes of it (TABLE may be NULL when LEN is 0), copied out of the core:
 * it may hold any bytes, and is never read outside [TABLE, TABLE + LEN).
 * FIRSTLINENO is co_firstlineno.  OFFSET is the byte offset of the current
 * instruction in the bytecode:
 *   2.7 - 3.9   f_lasti
 *   3.10        f_lasti * 2
 *   3.11+       (instruction pointer - start of co_code_adaptive), in bytes
 * The caller handles a frame that has not started yet (f_lasti == -1, or a
 * 3.11/3.12 prev_instr one unit before the code): CPython gives that frame
 * co_firstlineno, and on 3.11+ columns 0 - 0.
 *
 * The result is what the interpreter of that version computes:
 *   LNOTAB_*       PyCode_Addr2Line(): the line of the last entry whose
 *                  address is <= OFFSET; an offset past the end gets the
 *                  last line; an empty table gives FIRSTLINENO.  A trailing
 *                  odd byte is ignored, as CPython ignores it.
 *   LINETABLE_310  PyCode_Addr2Line(): the line of the range that holds
 *                  OFFSET; -1 for a range marked "no line" (delta -128), and
 *                  -1 for an offset past the last range or an empty table.
 *   LOCATIONS      PyCode_Addr2Location(): line, end line and columns of the
 *                  entry that holds OFFSET; all -1 for a "no location" entry
 *                  (code 15) and for an empty table.  An offset past the
 *                  last entry gets the location of the last entry, as
 *                  PyCode_Addr2Location gives it (PyCode_Addr2Line, and
 *                  so f_lineno, would say -1 there).
 * Columns and the end line are -1 for every format but LOCATIONS.
 *
 * Only the entries up to the one that holds OFFSET are read.  Among them,
 * anything CPython's compiler cannot have written returns PC_ERR_CORRUPT,
 * where CPython would read past the table or compute garbage:
 *   - 3.10: a table that ends in the middle of a (length, delta) pair;
 *   - 3.11+: an entry that does not start with a byte whose top bit is set,
 *     a payload byte with the top bit set, bytes left over after an entry,
 *     a table that ends inside an entry, a varint longer than 31 bits;
 *   - any format: a resulting line (or end line) outside 0 .. INT_MAX.
 * After an error RET holds -1 everywhere.  An unknown FORMAT returns
 * PC_ERR_UNSUPPORTED.  The work is linear in LEN, whatever OFFSET is.
 */
struct pc_error *linetable_lookup(enum line_table_format format, const uint8_t *table,
				  size_t len, int firstlineno, uint64_t offset,
				  struct py_location *ret);

/* A short name of FORMAT for messages: "lnotab-unsigned", "lnotab-signed",
 * "linetable-310", "locations" (the names the test vectors use), or "unknown". */
const char *linetable_format_name(enum line_table_format format);

#endif
