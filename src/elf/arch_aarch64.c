#include "elf/arch.h"
#include "elf/core.h"

#include <elf.h>
#include <signal.h>
#include <string.h>

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
 * builds the same): a siginfo_t, written for SA_SIGINFO handlers only, then
 * a struct ucontext (uc_flags, uc_link, uc_stack, a 1024-bit signal mask),
 * whose uc_mcontext, a struct sigcontext aligned to 16 bytes, holds
 * fault_address, then x0-x30, sp, pc and pstate in pr_reg's order, then
 * the records of __reserved (16-byte aligned): the FP/SIMD registers
 * first, which every frame has, then for a fault the kernel's record of
 * the exception syndrome (qemu-user writes none, and 0 for the fault
 * address).  The handler returns to the trampoline with the stack pointer
 * back there. */
enum {
	UCONTEXT = 128,
	MCONTEXT = UCONTEXT + 176,
	MC_FAULT_ADDRESS = MCONTEXT,
	MC_REGS = MCONTEXT + 8,
	MC_RESERVED = MCONTEXT + 288,
	FPSIMD_SIZE = 528,
	SYNDROME_SIZE = 16,
	/* As far as the frame surely goes: the FP/SIMD record, then the
	 * exception syndrome's or the terminating one. */
	FRAME_SIZE = MC_RESERVED + FPSIMD_SIZE + SYNDROME_SIZE,
};

/* The exception syndrome record's magic (asm/sigcontext.h's ESR_MAGIC, which
 * aarch64 hosts define). */
#define SYNDROME_MAGIC 0x45535201u

/* The exception syndrome: its class, and for an abort the fault status. */
enum {
	EC_IABT_LOW = 0x20,		/* instruction abort from user space */
	EC_DABT_LOW = 0x24,		/* data abort from user space */
	FSC_TRANSLATION = 0x04,		/* 0x04-0x07: no mapping at some level */
	FSC_ACCESS_FLAG = 0x08,		/* 0x08-0x0b */
	FSC_PERMISSION = 0x0c,		/* 0x0c-0x0f */
	FSC_ALIGNMENT = 0x21,
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

static uint32_t frame_u32(const unsigned char *frame, size_t offset)
{
	uint32_t word;

	memcpy(&word, frame + offset, sizeof(word));
	return word;
}

static uint64_t frame_u64(const unsigned char *frame, size_t offset)
{
	uint64_t word;

	memcpy(&word, frame + offset, sizeof(word));
	return word;
}

/* The siginfo of a fault, rebuilt from the exception syndrome the kernel
 * recorded for a handler without SA_SIGINFO (arch/arm64/mm/fault.c makes
 * the same of it).  Only when it makes SIGNO, the signal the handler
 * raised again; false without a syndrome record (qemu-user). */
static bool fault_from_context(const unsigned char *frame, int signo, struct core_siginfo *ret)
{
	size_t at = MC_RESERVED;
	uint64_t esr = 0, class, status;
	bool found = false;

	while (at + 8 <= FRAME_SIZE) {
		uint32_t magic = frame_u32(frame, at), size = frame_u32(frame, at + 4);

		if (!magic || size < 8 || size > FRAME_SIZE - at)
			break;
		if (magic == SYNDROME_MAGIC && size >= SYNDROME_SIZE) {
			esr = frame_u64(frame, at + 8);
			found = true;
			break;
		}
		at += size;
	}
	class = esr >> 26 & 0x3f;
	status = esr & 0x3f;
	if (!found || (class != EC_DABT_LOW && class != EC_IABT_LOW))
		return false;
	*ret = (struct core_siginfo){.signo = signo, .addr = frame_u64(frame, MC_FAULT_ADDRESS)};
	if (signo == SIGSEGV && (status & ~3u) == FSC_TRANSLATION)
		ret->code = SEGV_MAPERR;
	else if (signo == SIGSEGV &&
		 ((status & ~3u) == FSC_ACCESS_FLAG || (status & ~3u) == FSC_PERMISSION))
		ret->code = SEGV_ACCERR;
	else if (signo == SIGBUS && status == FSC_ALIGNMENT)
		ret->code = BUS_ADRALN;
	else
		return false;
	return true;
}

static const struct arch_signal_frame signal_frame = {
	.trampoline_symbol = "__kernel_rt_sigreturn",
	.trampoline_code = sigreturn_code,
	.trampoline_code_size = sizeof(sigreturn_code),
	.size = FRAME_SIZE,
	.siginfo = 0,
	.regs = context_regs,
	.fault = fault_from_context,
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
