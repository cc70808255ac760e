/* Debian sid's root that scripts/make-root makes: $PYCORE_ROOT, else its
 * default, as make-root and the integration tests name it, so that a root
 * made elsewhere is the one the unit tests read (and the one whose missing
 * files scripts/run-tests counts). */
#ifndef PYCORE_TESTS_SID_ROOT_H
#define PYCORE_TESTS_SID_ROOT_H

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#define SID_ROOT_DEFAULT "/var/cache/pycore/sid-root"

static inline const char *sid_root(void)
{
	const char *root = getenv("PYCORE_ROOT");

	return root && *root ? root : SID_ROOT_DEFAULT;
}

/* RELATIVE inside the root: a string that lives as long as the test
 * program (the tables of paths the tests run over are made once). */
static inline const char *sid_path(const char *relative)
{
	static char paths[16][PATH_MAX];
	static size_t used;

	if (used == sizeof(paths) / sizeof(paths[0]))
		abort();
	snprintf(paths[used], sizeof(paths[used]), "%s/%s", sid_root(), relative);
	return paths[used++];
}

#endif
