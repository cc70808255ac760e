/* Native stacks of the threads in a core, through libdwfl's unwinder
 * (CFI from .eh_frame / .debug_frame, frame-pointer fallback). */
#ifndef PYCORE_ELF_UNWIND_H
#define PYCORE_ELF_UNWIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "elf/modules.h"

struct deadline;

struct native_frame {
	uint64_t pc;		/* the return address (or the pc, for frame 0) */
	bool activation;	/* pc is exact: frame 0 or a signal frame */
	struct native_symbol where; /* looked up at pc, or pc - 1 for return addresses */
};

struct native_stack {
	struct native_frame *frames;
	size_t nframes;
	bool cut;		/* stopped at the frame cap: more frames exist */
	char *error;		/* why the unwinder stopped early, or NULL */
	/* The thread was in a signal handler: the stack pointer of the signal
	 * trampoline's frame, where the kernel saved the interrupted context
	 * (a ucontext_t, then the handler's siginfo_t), and the index of the
	 * frame it interrupted (the one after the trampoline).  0, 0: none. */
	uint64_t signal_context;
	size_t interrupted;
	/* The argument modules->argument_name in the first frame of one of
	 * modules->argument_functions, where its DWARF tells; else 0. */
	uint64_t argument;
};

/* Whether frame I of STACK is the signal trampoline, where a handler's
 * frames end and the frame the signal interrupted begins ("<signal handler
 * called>", as gdb shows it). */
static inline bool native_stack_is_trampoline(const struct native_stack *stack, size_t i)
{
	return stack->signal_context && stack->interrupted && i + 1 == stack->interrupted;
}

/* Unwind thread LWP, at most MAX_FRAMES frames.  A thread that cannot be
 * unwound at all gets a stack with no frames and an error. */
struct pc_error *unwind_thread(struct modules *modules, pid_t lwp, size_t max_frames,
			       struct native_stack *ret);
/* The same, stopping with an error in RET once DEADLINE (or NULL) passes. */
struct pc_error *unwind_thread_until(struct modules *modules, pid_t lwp, size_t max_frames,
				     struct deadline *deadline, struct native_stack *ret);
void native_stack_deinit(struct native_stack *stack);

/* Look up the source file and line of every frame of STACK, which the
 * unwinder leaves out (see modules_source()). */
void unwind_resolve_sources(struct modules *modules, struct native_stack *stack);

#endif
