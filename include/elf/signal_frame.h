/* The frame the kernel builds for a signal handler, decoded with the
 * architecture's layout (elf/arch.h): the context the signal interrupted
 * and the siginfo the handler was given. */
#ifndef PYCORE_ELF_SIGNAL_FRAME_H
#define PYCORE_ELF_SIGNAL_FRAME_H

#include <stdbool.h>
#include <stdint.h>

#include "elf/arch.h"

struct core_siginfo;
struct memory;
struct pc_error;

struct signal_frame {
	const struct arch *arch;
	/* The interrupted thread's pr_reg: what the frame saved, the
	 * thread's own words where it saves none (the thread pointer). */
	uint64_t regs[ARCH_MAX_REGS];
	uint64_t pc;
	uint64_t sp;
	unsigned char bytes[ARCH_SIGNAL_FRAME_MAX]; /* as read, arch->signal_frame->size */
};

/* Whether the code at PC is ARCH's signal trampoline. */
bool signal_frame_trampoline_at(const struct arch *arch, struct memory *mem, uint64_t pc);

/* Read the signal frame at ADDRESS, the stack pointer of the trampoline's
 * frame, of a thread whose registers are THREAD_REGS (pr_reg). */
struct pc_error *signal_frame_read(const struct arch *arch, struct memory *mem,
				   uint64_t address, const uint64_t *thread_regs,
				   struct signal_frame *ret);

/* The siginfo the handler of FRAME was called with, when it was signal
 * SIGNO: the one the frame holds, else the one rebuilt from the exception
 * state the architecture saves there.  False: the frame does not tell. */
bool signal_frame_siginfo(const struct signal_frame *frame, int signo, struct core_siginfo *ret);

#endif
