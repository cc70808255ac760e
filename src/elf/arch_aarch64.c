#include "elf/arch.h"

#include <elf.h>

#ifndef NT_ARM_TLS
#define NT_ARM_TLS 0x401
#endif
#ifndef NT_ARM_PAC_MASK
#define NT_ARM_PAC_MASK 0x406
#endif

/* struct user_pt_regs: x0-x30, sp, pc, pstate. */
enum { SP = 31, PC = 32, NREGS = 34 };

/* DWARF numbers x0-x30 0-30 and sp 31, in pr_reg's order. */
static const unsigned char dwarf_regs[32] = {
	0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
	16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, SP,
};

/* The handler is called with its stack pointer at struct rt_sigframe
 * (arch/arm64/kernel/signal.c; qemu-user's linux-user/aarch64/signal.c
 * builds the same): a siginfo_t, written for every handler, then a struct
 * ucontext (uc_flags, uc_link, uc_stack, a 1024-bit signal mask), whose
 * uc_mcontext, a struct sigcontext aligned to 16 bytes, holds
 * fault_address, then x0-x30, sp, pc and pstate in pr_reg's order.  The
 * handler returns to the trampoline with the stack pointer back there. */
enum {
	UCONTEXT = 128,
	MCONTEXT = UCONTEXT + 176,
	MC_REGS = MCONTEXT + 8,
};

#define SAVED(n) (MC_REGS + 8 * (n))

static const int16_t context_regs[NREGS] = {
	SAVED(0),  SAVED(1),  SAVED(2),  SAVED(3),  SAVED(4),  SAVED(5),  SAVED(6),
	SAVED(7),  SAVED(8),  SAVED(9),  SAVED(10), SAVED(11), SAVED(12), SAVED(13),
	SAVED(14), SAVED(15), SAVED(16), SAVED(17), SAVED(18), SAVED(19), SAVED(20),
	SAVED(21), SAVED(22), SAVED(23), SAVED(24), SAVED(25), SAVED(26), SAVED(27),
	SAVED(28), SAVED(29), SAVED(30), SAVED(31), SAVED(32), SAVED(33),
};

/* mov x8, #__NR_rt_sigreturn; svc #0: the vdso's __kernel_rt_sigreturn and
 * qemu-user's trampoline page alike (glibc sets no restorer on aarch64). */
static const unsigned char sigreturn_code[] = {0x68, 0x11, 0x80, 0xd2,
					       0x01, 0x00, 0x00, 0xd4};

static const struct arch_signal_frame signal_frame = {
	.trampoline_symbol = "__kernel_rt_sigreturn",
	.trampoline_code = sigreturn_code,
	.trampoline_code_size = sizeof(sigreturn_code),
	.size = SAVED(NREGS),
	.siginfo = 0,
	.regs = context_regs,
	.fault = NULL,
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
	.signal_frame = &signal_frame,
	.pac_mask_note = NT_ARM_PAC_MASK,
};
