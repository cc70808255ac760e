#include "elf/arch.h"

#include <elf.h>

#ifndef NT_ARM_TLS
#define NT_ARM_TLS 0x401
#endif

/* struct user_pt_regs: x0-x30, sp, pc, pstate. */
enum { SP = 31, PC = 32, NREGS = 34 };

/* DWARF numbers x0-x30 0-30 and sp 31, in pr_reg's order. */
static const unsigned char dwarf_regs[32] = {
	0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
	16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, SP,
};

const struct arch arch_aarch64 = {
	.name = "aarch64",
	.machine = EM_AARCH64,
	.nregs = NREGS,
	.reg_pc = PC,
	.reg_sp = SP,
	/* tpidr_el0 is not in pr_reg: the kernel writes it in NT_ARM_TLS,
	 * qemu-user not at all. */
	.reg_thread_pointer = -1,
	.tls_note = NT_ARM_TLS,
	/* The thread pointer is the TCB (dtv, private), just above the
	 * struct pthread, whose size is glibc's own. */
	.pthread_from_tp = ARCH_PTHREAD_UNKNOWN,
	/* struct pthread starts with 24 words of padding for the header,
	 * then its list (two words), then the tid. */
	.pthread_tid_offset = 0xd0,
	.dwarf_regs = dwarf_regs,
	.ndwarf = sizeof(dwarf_regs),
	.dwarf_sp = 31,
	/* Linux gives user space 48 bits of address (52 only to those that
	 * ask with a hint above them); pointer authentication signs the bits
	 * above those a return address uses (NT_ARM_PAC_MASK says which). */
	.code_address_mask = (UINT64_C(1) << 48) - 1,
	.signal_trampoline = NULL,
};
