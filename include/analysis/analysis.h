/* One core, analyzed: the pieces in the order the data flows (core →
 * memory → modules → Python → threads), kept together for the report. */
#ifndef PYCORE_ANALYSIS_ANALYSIS_H
#define PYCORE_ANALYSIS_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/deadline.h"
#include "analysis/fingerprint.h"
#include "input/input.h"
#include "analysis/interleave.h"
#include "asyncio/tasks.h"
#include "analysis/notes.h"
#include "elf/paths.h"
#include "python/python.h"
#include "elf/unwind.h"

struct core;
struct core_thread;
struct memory;
struct modules;
struct pc_error;

struct analysis_options {
	const char *core_path;	/* a core file, compressed or not; "-": standard input */
	struct input_options input; /* how it is read: the size cap, the temporary file */
	const struct input *core_input; /* the core, already read (pycore handle): used
					 * instead of core_path */
	const char *executable;	/* NULL: found from the core */
	const char *executable_name; /* what reports call EXECUTABLE, which was opened
				      * through /proc (pycore handle); NULL: its path */
	struct paths paths;
	struct python_options python;
	size_t max_native_frames;
	double timeout;		/* seconds for the whole analysis (--timeout); 0: none */
	bool native;		/* unwind native stacks */
	/* Look up the source line of native frames: reads their DWARF, which
	 * for compressed debug sections costs more than all the rest. */
	bool native_source;
	bool mixed;		/* interleave native and Python frames */
	bool mixed_all;		/* ... keeping the interpreter's internal frames */
};

struct thread_view {
	size_t number;		/* 1-based, in the core's note order */
	const struct core_thread *core_thread;
	uint64_t pthread_id;	/* fs_base: pthread_self() of the thread */
	bool crashed;
	struct native_stack native;
	const struct py_thread *python; /* NULL: no thread state for this thread */
	/* The state whose threading name (and daemon flag) the thread goes by:
	 * the main interpreter's, where the program named it, while it runs
	 * a subinterpreter (whose threading calls it "Dummy-1" or nothing);
	 * else PYTHON. */
	const struct py_thread *named;
	struct mixed_stack mixed;	/* with options->mixed */
	/* With options->mixed, a thread that runs a subinterpreter: its
	 * state's frames, then those of its other states (the main
	 * interpreter's that called into it), as its native eval calls run
	 * them; what mixed's Python entries index (analysis_mixed_frame()). */
	struct py_thread stacked;
};

/* The signal that killed the process, as every report names it. */
struct crash_signal {
	int number;
	const char *name;	/* "SIGSEGV"; NULL for a number with no name */
	const char *label;	/* the name, else "signal N" */
	const char *meaning;	/* "segmentation fault", or NULL */
	bool has_code;		/* the core has NT_SIGINFO: code is si_code */
	int code;
	const char *code_name;	/* "SEGV_MAPERR", or NULL when unknown */
	const char *code_meaning;
	bool has_address;	/* a fault the kernel raised: address is si_addr */
	uint64_t address;
	bool has_sender;	/* sent by a process: sender_pid is its PID */
	int sender_pid;
	/* The crashing thread raised the signal from inside a signal handler,
	 * as faulthandler does after dumping its traceback: the fields above
	 * describe the signal the handler was called for, read from its
	 * signal frame, and this is the one it raised (the core's); else 0. */
	int reraised;
	/* A fault at the stack pointer, in the guard page below the stack:
	 * the C stack overflowed. */
	bool stack_overflow;
	/* All of it in words: "SIGSEGV (SEGV_MAPERR: address not mapped to
	 * object) at address 0x0". */
	char text[256];
	char label_buf[24];	/* where label is, for a number with no name */
	/* How a one-line headline names it: the label, or for a signal that
	 * another process sent, "killed by SIGABRT from PID 42 (a hang?)" (a
	 * timeout's kill is not a crash where the thread stood). */
	char headline[80];
};

struct analysis {
	const struct analysis_options *options;
	const struct input *input;	/* where the core's bytes came from */
	struct input *opened_input;	/* the input analysis_run opened, if it did */
	struct core *core;
	struct memory *memory;
	struct modules *modules;
	struct python python;
	struct pytasks tasks;		/* asyncio's, read after the walk (options->python.tasks) */
	/* Warnings of what is read after the walk (thread names, asyncio's
	 * tasks), listed after the interpreter's. */
	char **late_warnings;
	size_t nlate_warnings;
	struct thread_view *threads;	/* crashing thread first */
	size_t nthreads;
	const struct py_thread **unmatched; /* thread states with no native thread */
	size_t nunmatched;
	bool partial;		/* something could not be read: the report says what */
	struct deadline deadline; /* options->timeout; .passed: the analysis stopped early */
	/* The crashing thread was in Py_FatalError() (or its helpers): the
	 * function's name, else NULL.  The message itself went to stderr and
	 * is not kept in memory. */
	const char *fatal_error;
	/* ... and the message it was given, read from the argument in its
	 * frame where DWARF tells where that is; else NULL. */
	char *fatal_message;

	/* The first CRASH_NATIVE_FRAMES frames (at least) of the crashing
	 * thread: its native stack when that was unwound, else unwound for the
	 * crash's facts alone, so that they do not depend on --no-native or
	 * --max-frames. */
	const struct native_stack *crash_native;
	struct native_stack crash_native_own; /* what crash_native points to if not
					       * the thread's own */
	/* Index in crash_native of the frame where the crash happened: past the
	 * signal handler's frames and its trampoline when the signal was raised
	 * again, else 0. */
	size_t crash_frame;
	/* The stack pointer where the crash happened: the crashing thread's,
	 * or the one the signal handler's saved context holds. */
	uint64_t fault_sp;

	/* The facts every report shows, worked out once, here. */
	struct crash_signal signal;
	/* The message glibc kept in __abort_msg for a SIGABRT crash (a failed
	 * assert(), a malloc check: what it wrote to stderr before it
	 * aborted), without its final newline; NULL when there is none. */
	char *abort_message;
	struct fingerprint fingerprint;
	/* The crashing thread's most recent Python frame (it may be one that
	 * could not be read: ->error); NULL when it has none. */
	const struct py_frame *headline;
	/* The crashing thread's most recent frame of the program's own code
	 * (own_code.h), what pycore ci names a crash after; NULL: none. */
	const struct py_frame *own_frame;
	/* A live process's dump: the most recent frame of the program's own
	 * code of each thread that has one, as the fingerprint orders them
	 * (fingerprint_blocked_set): where the hang is. */
	const struct py_frame **blocked;
	size_t nblocked;
	/* The command line: every argument, from the stack (command_line.h),
	 * else pr_psargs, trimmed; NULL: unknown */
	char *command;
	bool command_cut;	/* ... and it is not whole (pr_psargs: 80 bytes) */
	/* Where its relative file names point: PWD in its environment
	 * (command_line.h); NULL: unknown */
	char *cwd;
	/* The parent process: pr_ppid, unless that is the thread of the
	 * parent that called fork() (the kernel gives its thread id), told by
	 * the parent's main thread state the child inherited: then that
	 * state's LWP, and forking_thread is pr_ppid (else 0). */
	int parent_pid;
	int forking_thread;
	/* Thread states with no thread in the core (unmatched, not another
	 * state of a thread shown) were the parent's, inherited through a
	 * fork() that Python did not see (a C-level fork()): known when the
	 * parent's main thread state is among them. */
	bool inherited_states;
	/* Everything the reports say was cut, could not be read or is
	 * suspect (notes.h), worked out last, once. */
	struct note *notes;
	size_t nnotes;
};

/* Frames of the crashing thread's native stack that are always unwound. */
#define CRASH_NATIVE_FRAMES 32

/* Analyze the core.  An error means the core itself could not be used
 * (missing, not a core, unsupported); anything less is in the analysis. */
/* The caps every command starts from, as --help documents them. */
#define ANALYSIS_DEFAULT_MAX_FRAMES 10000
#define ANALYSIS_DEFAULT_MAX_THREADS 4096
#define ANALYSIS_DEFAULT_MAX_TASKS 10000
#define ANALYSIS_DEFAULT_TIMEOUT 60	/* seconds for one core */

/* Fill OPTIONS with the defaults every command shares; --lib-path
 * directories go into LIB_DIRS, which the caller sizes. */
void analysis_options_init(struct analysis_options *options, const char **lib_dirs);

struct pc_error *analysis_run(const struct analysis_options *options, struct analysis **ret);
void analysis_destroy(struct analysis *analysis);

/* The Python frame of VIEW's interleaved stack at INDEX (a MIXED_PYTHON
 * entry's); *STATE is -1 when it is one of the state VIEW runs, else the
 * index in analysis->unmatched of the other state it is in, and *FRAME
 * its index in that state's frames. */
const struct py_frame *analysis_mixed_frame(const struct analysis *analysis,
					    const struct thread_view *view, size_t index,
					    int64_t *state, size_t *frame);

/* The number of the thread whose Python thread state is
 * analysis->python.threads[INDEX], or 0 (INDEX -1, or no such thread). */
size_t analysis_thread_number(const struct analysis *analysis, int64_t index);

#endif
