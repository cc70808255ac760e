/* What the unit tests that crash a child of their own and read its core
 * share: the kernel writes the core into the child's working directory as
 * "core" (or "core.PID") when /proc/sys/kernel/core_pattern says so; the
 * tests only read that setting, and fail with a clear message when it
 * points elsewhere. */
#ifndef PYCORE_TESTS_CRASH_CORE_H
#define PYCORE_TESTS_CRASH_CORE_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

/* Whether cores go to the working directory; if not, TEST says so. */
static inline bool cores_in_working_directory(const char *test)
{
	char pattern[256] = "";
	FILE *f = fopen("/proc/sys/kernel/core_pattern", "r");

	if (f) {
		if (!fgets(pattern, sizeof(pattern), f))
			pattern[0] = '\0';
		fclose(f);
	}
	if (strncmp(pattern, "core", 4) == 0)
		return true;
	fprintf(stderr, "%s: core_pattern is '%s'; these tests need the kernel to write 'core' "
			"files into the working directory\n",
		test, pattern);
	return false;
}

/* The core the child PID left in DIR, into PATH (SIZE bytes); 0 when it is
 * there. */
static inline int crashed_core(const char *dir, pid_t pid, char *path, size_t size)
{
	snprintf(path, size, "%s/core", dir);
	if (access(path, R_OK) != 0)
		snprintf(path, size, "%s/core.%d", dir, (int)pid);
	return access(path, R_OK);
}

#endif
