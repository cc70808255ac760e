#include "analysis/own_code.h"

#include "python/result.h"

#include <string.h>

/* Where CPython and pip put library code, on every layout seen: pyenv's and
 * python.org's PREFIX/lib/python3.X, Debian's /usr/lib/python3/dist-packages,
 * a virtual environment's lib/python3.X/site-packages, and lib64 twins. */
static const char *const library_parts[] = {
	"/site-packages/", "/dist-packages/",
};
/* ... and the version after these: "/lib/python3.11/", not a project's
 * "/lib/python-tools/". */
static const char *const versioned_parts[] = {
	"/lib/python", "/lib64/python",
};

static bool has_versioned_part(const char *filename, const char *part)
{
	const char *at = filename;
	size_t len = strlen(part);

	while ((at = strstr(at, part)) != NULL) {
		at += len;
		if (*at >= '0' && *at <= '9')
			return true;
	}
	return false;
}

bool own_code_file(const char *filename)
{
	size_t i;

	if (filename[0] == '<')
		return strncmp(filename, "<frozen ", strlen("<frozen ")) != 0;
	for (i = 0; i < sizeof(library_parts) / sizeof(library_parts[0]); i++)
		if (strstr(filename, library_parts[i]))
			return false;
	for (i = 0; i < sizeof(versioned_parts) / sizeof(versioned_parts[0]); i++)
		if (has_versioned_part(filename, versioned_parts[i]))
			return false;
	return true;
}

const struct py_frame *own_code_frame(const struct py_thread *thread)
{
	size_t i;

	for (i = 0; thread && i < thread->nframes; i++) {
		const struct py_frame *frame = &thread->frames[i];

		if (!frame->error && frame->filename && frame->name &&
		    own_code_file(frame->filename))
			return frame;
	}
	return NULL;
}
