/* pycore handle: the kernel's core_pattern handler (handle.c says how it
 * goes). */
#ifndef PYCORE_HANDLE_HANDLE_H
#define PYCORE_HANDLE_HANDLE_H

/* ARGV[0] is "handle"; returns the exit status. */
int handle_command(int argc, char **argv);

#endif
