#include "elf/arch.h"
#include "elf/core.h"

#include <elf.h>
#include <signal.h>
#include <string.h>

/* user_regs_struct (sys/user.h): r15, r14, r13, r12, rbp, rbx, r11, r10,
 * r9, r8, rax, rcx, rdx, rsi, rdi, orig_rax, rip, cs, eflags, rsp, ss,
 * fs_base, gs_base, ds, es, fs, gs. */
enum { RBP = 4, RIP = 16, RSP = 19, FS_BASE = 21, NREGS = 27 };

/* DWARF's registers 0-16: rax, rdx, rcx, rbx, rsi, rdi, rbp, rsp, r8-r15,
 * and rip as the return address column. */
static const unsigned char dwarf_regs[17] = {
	10, 12, 11, 5, 13, 14, RBP, RSP, 9, 8, 7, 6, 3, 2, 1, 0, RIP,
};

/* The handler returns to glibc's sa_restorer, just past the return address
 * the kernel pushed: struct rt_sigframe (arch/x86/include/asm/sigframe.h)
 * from its uc on, a struct ucontext (uc_flags, uc_link, uc_stack, then
 * uc_mcontext, a struct sigcontext, then the signal mask), and for a
 * handler installed with SA_SIGINFO only, its siginfo_t.  Offsets in the
 * ucontext: */
enum {
	UC_REGS = 40,		/* sigcontext's r8 .. r15, rdi, rsi, rbp, rbx, rdx,
				 * rax, rcx, rsp, rip, eflags */
	UC_ERR = 192,		/* the exception's error code */
	UC_TRAPNO = 200,	/* the x86 exception vector */
	UC_CR2 = 216,		/* the address of a page fault */
	UC_SIZE = 304,		/* the siginfo_t follows */
};

#define SAVED(n) (UC_REGS + 8 * (n))

/* pr_reg's words in sigcontext's order. */
static const int16_t context_regs[NREGS] = {
	SAVED(7),  SAVED(6),  SAVED(5),  SAVED(4),  SAVED(10), SAVED(11), SAVED(3),
	SAVED(2),  SAVED(1),  SAVED(0),  SAVED(13), SAVED(14), SAVED(12), SAVED(9),
	SAVED(8),  -1,	      SAVED(16), -1,	    SAVED(17), SAVED(15), -1,
	-1,	   -1,	      -1,	 -1,	    -1,	       -1,
};

/* mov $__NR_rt_sigreturn, %rax; syscall */
static const unsigned char restorer_code[] = {0x48, 0xc7, 0xc0, 0x0f, 0x00,
					      0x00, 0x00, 0x0f, 0x05};

/* x86 exception vectors and the page-fault error code's protection bit. */
enum {
	TRAP_DE = 0,		/* divide error */
	TRAP_UD = 6,		/* invalid opcode */
	TRAP_GP = 13,		/* general protection */
	TRAP_PF = 14,		/* page fault */
	TRAP_AC = 17,		/* alignment check */
	PF_PROT = 1,
};

static uint64_t frame_word(const unsigned char *frame, size_t offset)
{
	uint64_t word;

	memcpy(&word, frame + offset, sizeof(word));
	return word;
}

/* The siginfo the kernel gave the handler, rebuilt from the exception it
 * recorded (arch/x86/kernel/traps.c and mm/fault.c make the same siginfo
 * of it).  A context that a signal interrupted elsewhere keeps a stale
 * exception: it is believed only when it makes SIGNO, the signal the
 * handler raised again. */
static bool fault_from_context(const unsigned char *frame, int signo, struct core_siginfo *ret)
{
	uint64_t trapno = frame_word(frame, UC_TRAPNO);
	uint64_t err = frame_word(frame, UC_ERR);
	uint64_t rip = frame_word(frame, SAVED(16));

	*ret = (struct core_siginfo){.signo = signo};
	if (trapno == TRAP_PF && signo == SIGSEGV) {
		ret->code = err & PF_PROT ? SEGV_ACCERR : SEGV_MAPERR;
		ret->addr = frame_word(frame, UC_CR2);
	} else if (trapno == TRAP_PF && signo == SIGBUS) {
		ret->code = BUS_ADRERR;
		ret->addr = frame_word(frame, UC_CR2);
	} else if (trapno == TRAP_GP && signo == SIGSEGV) {
		ret->code = SI_KERNEL;
	} else if (trapno == TRAP_DE && signo == SIGFPE) {
		ret->code = FPE_INTDIV;
		ret->addr = rip;
	} else if (trapno == TRAP_UD && signo == SIGILL) {
		ret->code = ILL_ILLOPN;
		ret->addr = rip;
	} else if (trapno == TRAP_AC && signo == SIGBUS) {
		ret->code = BUS_ADRALN;
		ret->addr = frame_word(frame, UC_CR2);
	} else {
		return false;
	}
	return true;
}

static const struct arch_signal_frame signal_frame = {
	.trampoline_symbol = "__restore_rt",
	.trampoline_code = restorer_code,
	.trampoline_code_size = sizeof(restorer_code),
	.size = UC_SIZE + CORE_SIGINFO_SIZE,
	.siginfo = UC_SIZE,
	.regs = context_regs,
	.fault = fault_from_context,
};

const struct arch arch_x86_64 = {
	.name = "x86_64",
	.machine = EM_X86_64,
	.nregs = NREGS,
	.reg_pc = RIP,
	.reg_sp = RSP,
	.reg_thread_pointer = FS_BASE,
	/* The thread pointer is the struct pthread, which starts with the
	 * TCB the ABI puts there (tcbhead_t); the tid is after its list. */
	.pthread_from_tp = 0,
	.pthread_tid_offset = 0x2d0,
	.dwarf_regs = dwarf_regs,
	.ndwarf = sizeof(dwarf_regs),
	.dwarf_sp = 7,
	.code_address_mask = UINT64_MAX,
	.signal_frame = &signal_frame,
};
