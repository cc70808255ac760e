/* A crash fingerprint: a short hash that is the same for every core of the
 * same crash, so that a thousand cores from a CI matrix group as one.
 *
 * It hashes the signal, the function names and file base names of the
 * crashing thread's top Python frames, and the function of its top native
 * frame, but no line numbers, addresses or directories: an edit elsewhere
 * in the file, another checkout directory or another run keep it; another
 * crash site changes it.  pycore(1) documents the canonical string. */
#ifndef PYCORE_ANALYSIS_FINGERPRINT_H
#define PYCORE_ANALYSIS_FINGERPRINT_H

#include <stdbool.h>
#include <stddef.h>

struct native_stack;
struct py_frame;
struct py_thread;

#define FINGERPRINT_PYTHON_FRAMES 5	/* Python frames hashed, most recent first */
#define FINGERPRINT_ID_LEN 12		/* hex digits shown */
/* Each value is cut at this many bytes before it is escaped, which bounds
 * the canonical string. */
#define FINGERPRINT_VALUE_MAX 128
#define FINGERPRINT_CANONICAL_MAX                                                      \
	(64 + (FINGERPRINT_PYTHON_FRAMES * 2 + 2) * (16 + 2 * FINGERPRINT_VALUE_MAX))

struct fingerprint {
	char id[FINGERPRINT_ID_LEN + 1];	/* "3fa2c91b07de" */
	char canonical[FINGERPRINT_CANONICAL_MAX]; /* what was hashed */
	size_t canonical_len;
	/* The native function hashed, as fingerprint_native_name() gives it:
	 * "_ctypes_callproc", "?@libcrash.so" (no symbol), "?" (no native frame). */
	char native[FINGERPRINT_VALUE_MAX + 1];
	bool unique;		/* made of nothing readable: this core's own */
};

/* Frames of the crashing thread's native stack looked at for one that is
 * not signal or abort plumbing. */
#define FINGERPRINT_NATIVE_FRAMES 16

/* What a fingerprint is made of. */
struct fingerprint_input {
	int signo;		/* 0: a live process's dump, a hang */
	const char *signame;	/* "SIGSEGV", or NULL for a number with no name */
	const struct py_thread *python; /* the crashing thread's frames (NULL: none) */
	const struct native_stack *native; /* its native frames */
	size_t native_first;	/* the frame a signal handler interrupted, or 0 */
	/* A hang's blocked threads: the innermost frame of the program's own
	 * code of each thread that has one (analysis.h); when there are
	 * none, thread 1's frames stand for the hang. */
	const struct py_frame *const *blocked;
	size_t nblocked;
	/* What else is known, hashed only when the frames give nothing: */
	const char *executable;	/* its path, or NULL */
	const char *abort_message; /* or NULL */
	int pid;
};

/* The fingerprint of IN.  Never fails: what cannot be read enters the
 * string as "?".  A crash of which no frame can be read (a core cut
 * before its stacks) would otherwise group with every other such crash
 * of its signal: its fingerprint then holds the executable's name and the
 * abort message, and without a message the PID and the crashing pc, so
 * that it stands alone (ret->unique). */
void fingerprint_compute(const struct fingerprint_input *in, struct fingerprint *ret);

/* FRAMES (N readable frames, each with a file and a function) sorted and
 * without repeats as a hang's fingerprint hashes them: by file base name,
 * then function.  Returns how many are left. */
size_t fingerprint_blocked_set(const struct py_frame **frames, size_t n);

/* The name the fingerprint uses for a native function: SYMBOL without its
 * version ("@GLIBC_2.2.5") and compiler clone suffix (".cold", ".isra.0",
 * ...), and glibc's CPU-specific string functions under their public name
 * ("__memset_avx2_unaligned_erms" is "memset"), so that the same crash on
 * another CPU or glibc groups with this one.
 * Writes at most SIZE bytes, NUL included, to OUT. */
void fingerprint_native_name(const char *symbol, char *out, size_t size);

#endif
