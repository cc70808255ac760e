/* What differs between the architectures whose cores pycore reads, as
 * data: one table per architecture (arch_x86_64.c, arch_aarch64.c), so
 * that the readers and walkers above name none.
 *
 * Every architecture here is 64-bit little-endian Linux with glibc: the
 * NT_PRSTATUS header before pr_reg, NT_PRPSINFO and the auxv are laid out
 * alike on all of them. */
#ifndef PYCORE_ELF_ARCH_H
#define PYCORE_ELF_ARCH_H

#include <stddef.h>
#include <stdint.h>

/* The most words an architecture's NT_PRSTATUS pr_reg holds. */
#define ARCH_MAX_REGS 34

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
	/* What a signal handler returns to, where the kernel saved the
	 * interrupted context; NULL: pycore does not decode it here. */
	const char *signal_trampoline;
};

#define ARCH_PTHREAD_UNKNOWN INT64_MIN

extern const struct arch arch_x86_64;
extern const struct arch arch_aarch64;

/* The table for ELF machine MACHINE, or NULL when pycore reads no core of it. */
const struct arch *arch_by_machine(unsigned machine);

/* The name of ELF machine MACHINE, known to pycore or not ("unknown"). */
const char *arch_machine_name(unsigned machine);

#endif
