/* Which Python frames are the program's own code, not the standard
 * library's or an installed package's: what a crash or a hang is named
 * after, since a thousand programs stop in threading.py. */
#ifndef PYCORE_ANALYSIS_OWN_CODE_H
#define PYCORE_ANALYSIS_OWN_CODE_H

#include <stdbool.h>

struct py_frame;
struct py_thread;

/* Whether FILENAME (a co_filename) is outside the interpreter's library
 * directories ("/lib/python3.X/", site-packages, dist-packages) and not
 * frozen ("<frozen importlib._bootstrap>"). */
bool own_code_file(const char *filename);

/* THREAD's most recent readable frame of the program's own code; NULL when
 * it has none. */
const struct py_frame *own_code_frame(const struct py_thread *thread);

#endif
