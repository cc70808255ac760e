/* Names and meanings of signals and their si_code values, as a report shows
 * them: "SIGSEGV (SEGV_MAPERR: address not mapped to object)". */
#ifndef PYCORE_ANALYSIS_SIGNALS_H
#define PYCORE_ANALYSIS_SIGNALS_H

#include <stdbool.h>

/* "SIGSEGV", or NULL for a number with no name. */
const char *signal_name(int signo);
/* "segmentation fault", or NULL. */
const char *signal_meaning(int signo);
/* The si_code's name and meaning for SIGNO ("SEGV_MAPERR", "address not
 * mapped to object"); false when unknown. */
bool signal_code(int signo, int code, const char **name, const char **meaning);
/* Whether si_addr is the faulting address for SIGNO. */
bool signal_has_address(int signo);

#endif
