/* Skipping a test for want of a file, and saying which: "missing: PATH".
 * scripts/run-tests makes Debian sid's root before the unit tests run and
 * fails a run in which a unit test still says a file of that root is
 * missing, so that the first run on a fresh machine tests what a second
 * one does.  Include after <cmocka.h>. */
#ifndef PYCORE_TESTS_SKIP_MISSING_H
#define PYCORE_TESTS_SKIP_MISSING_H

#include <unistd.h>

/* Skip the running test; say "missing: PATH" when PATH does not exist
 * (a file that exists but does not serve is no missing file). */
static inline void skip_missing(const char *path)
{
	if (access(path, F_OK) != 0)
		print_message("missing: %s\n", path);
	skip();
}

#endif
