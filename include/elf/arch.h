/* What differs between the architectures whose cores pycore reads, as
 * data: one table per architecture (arch_x86_64.c, arch_aarch64.c), so
 * that the readers and walkers above name none.
 *
 * Every architecture here is 64-bit little-endian Linux with glibc: the
 * NT_PRSTATUS header before pr_reg, NT_PRPSINFO and the auxv are laid out
 * alike on all of them. */
#ifndef PYCORE_ELF_ARCH_H
#define PYCORE_ELF_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most words an architecture's NT_PRSTATUS pr_reg holds. */
#define ARCH_MAX_REGS 34

/* The most bytes of a signal frame that an architecture decodes. */
#define ARCH_SIGNAL_FRAME_MAX 1152

struct core_siginfo;

/* What the kernel leaves on the stack before it calls a signal handler:
 * the trampoline the handler returns to, which calls rt_sigreturn, and the
 * context the signal interrupted, at offsets from the stack pointer of the
 * trampoline's frame (where the handler's own frame ends). */
struct arch_signal_frame {
	const char *trampoline_symbol;	/* its name where the C library has symbols */
	/* Its first instructions, for a trampoline without a name: a
	 * stripped C library's, the vdso's, or qemu-user's own page. */
	const unsigned char *trampoline_code;
	size_t trampoline_code_size;
	size_t size;			/* bytes read: every offset below lies within */
	size_t siginfo;			/* the siginfo_t the handler was given */
	/* For each word of pr_reg, its offset in the frame, or -1 where the
	 * frame does not save it (the thread's own value stands). */
	const int16_t *regs;
	/* The kernel writes the siginfo_t for SA_SIGINFO handlers only: for
	 * the others, the siginfo of SIGNO rebuilt from the exception state
	 * the frame FRAME saved; false when that state tells of another
	 * signal, or of none.  NULL: the frame saves none. */
	bool (*fault)(const unsigned char *frame, int signo, struct core_siginfo *ret);
};

struct arch {
	const char *name;		/* as uname -m says it: "x86_64", "aarch64" */
	unsigned machine;		/* ELF e_machine: EM_X86_64, EM_AARCH64 */
	size_t nregs;			/* words of NT_PRSTATUS's pr_reg */
	unsigned reg_pc;		/* indices into pr_reg */
	unsigned reg_sp;
	int reg_thread_pointer;		/* pr_reg's word for it, or -1: in tls_note */
	uint32_t tls_note;		/* the note after each NT_PRSTATUS that holds the
					 * thread pointer (NT_ARM_TLS), or 0 */
	/* glibc's pthread_self() less the thread pointer: 0 where the thread
	 * pointer is the struct pthread (x86_64); where the struct is below
	 * it (aarch64) its size, which changes with glibc's version:
	 * ARCH_PTHREAD_UNKNOWN, found through pthread_tid_offset instead. */
	int64_t pthread_from_tp;
	size_t pthread_tid_offset;	/* where glibc's struct pthread keeps the tid */
	/* The pr_reg index of each DWARF register 0 .. ndwarf - 1, which
	 * libdwfl unwinds from. */
	const unsigned char *dwarf_regs;
	size_t ndwarf;
	unsigned dwarf_sp;		/* DWARF's number of the stack pointer */
	/* The address bits of a code pointer: a return address may carry a
	 * pointer-authentication code above them (aarch64).  All ones: none. */
	uint64_t code_address_mask;
	/* The kernel's signal frame; NULL: pycore does not decode it here. */
	const struct arch_signal_frame *signal_frame;
	/* The note that says which bits of a code pointer pointer
	 * authentication signs (NT_ARM_PAC_MASK), or 0. */
	uint32_t pac_mask_note;
};

#define ARCH_PTHREAD_UNKNOWN INT64_MIN

extern const struct arch arch_x86_64;
extern const struct arch arch_aarch64;

/* The table for ELF machine MACHINE, or NULL when pycore reads no core of it. */
const struct arch *arch_by_machine(unsigned machine);

/* The name of ELF machine MACHINE, known to pycore or not ("unknown"). */
const char *arch_machine_name(unsigned machine);

#endif
