/* The quick look that spares pycore handle the analysis of a crash that is
 * not Python's: a libpython mapped, or a main program that defines
 * CPython's symbols.  No walk, no layout: the ELF files only. */
#ifndef PYCORE_PYTHON_PROBE_H
#define PYCORE_PYTHON_PROBE_H

#include <stdbool.h>

struct core;
struct paths;

/* Whether the process of CORE ran CPython.  EXE_FD is the main program
 * when the caller has it open (-1 otherwise: it is found from the core
 * under PATHS).  When it cannot be read, the answer is yes: the analysis
 * decides. */
bool python_in_core(const struct core *core, int exe_fd, const struct paths *paths);

/* Whether the ELF file on FD defines CPython's symbols (_PyRuntime,
 * Py_Version or Py_Initialize). */
bool python_in_elf(int fd);

/* Whether PATH names a libpython (libpython3.12.so.1.0, libpython2.7.so). */
bool python_is_libpython(const char *path);

#endif
