/* The process's whole command line.  The kernel's NT_PRPSINFO keeps only
 * the first 80 bytes of it (pr_psargs), and gcore's only argv[0]; the
 * argument strings themselves are on the main thread's initial stack, found
 * from the copy of the auxiliary vector the core holds. */
#ifndef PYCORE_ANALYSIS_COMMAND_LINE_H
#define PYCORE_ANALYSIS_COMMAND_LINE_H

#include <stdbool.h>

struct core;
struct memory;
struct pc_error;

/* Arguments read, and bytes of them kept, at most. */
#define COMMAND_LINE_MAX_ARGS 4096
#define COMMAND_LINE_MAX_BYTES 65536

struct command_line {
	char *args;		/* the arguments joined by spaces; NULL: not found (no
				 * auxiliary vector, the stack not in the core) */
	bool cut;		/* ... they did not fit COMMAND_LINE_MAX_* */
	/* PWD in its environment: the directory a shell started it in, where
	 * its relative file names point; NULL: none */
	char *pwd;
};

/* Fill RET.  Errors are for out-of-memory. */
struct pc_error *command_line_read(const struct core *core, struct memory *mem,
				   struct command_line *ret);

void command_line_deinit(struct command_line *line);

#endif
