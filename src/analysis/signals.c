#include "analysis/signals.h"

#include <signal.h>
#include <stddef.h>

struct signal_info {
	int signo;
	const char *name;
	const char *meaning;
};

static const struct signal_info signals[] = {
	{SIGHUP, "SIGHUP", "hangup"},
	{SIGINT, "SIGINT", "interrupt"},
	{SIGQUIT, "SIGQUIT", "quit"},
	{SIGILL, "SIGILL", "illegal instruction"},
	{SIGTRAP, "SIGTRAP", "trace/breakpoint trap"},
	{SIGABRT, "SIGABRT", "aborted"},
	{SIGBUS, "SIGBUS", "bus error"},
	{SIGFPE, "SIGFPE", "arithmetic exception"},
	{SIGKILL, "SIGKILL", "killed"},
	{SIGUSR1, "SIGUSR1", "user-defined signal 1"},
	{SIGSEGV, "SIGSEGV", "segmentation fault"},
	{SIGUSR2, "SIGUSR2", "user-defined signal 2"},
	{SIGPIPE, "SIGPIPE", "broken pipe"},
	{SIGALRM, "SIGALRM", "alarm clock"},
	{SIGTERM, "SIGTERM", "terminated"},
	{SIGSTKFLT, "SIGSTKFLT", "stack fault"},
	{SIGCHLD, "SIGCHLD", "child status changed"},
	{SIGCONT, "SIGCONT", "continued"},
	{SIGSTOP, "SIGSTOP", "stopped (signal)"},
	{SIGTSTP, "SIGTSTP", "stopped"},
	{SIGTTIN, "SIGTTIN", "stopped (tty input)"},
	{SIGTTOU, "SIGTTOU", "stopped (tty output)"},
	{SIGURG, "SIGURG", "urgent I/O condition"},
	{SIGXCPU, "SIGXCPU", "CPU time limit exceeded"},
	{SIGXFSZ, "SIGXFSZ", "file size limit exceeded"},
	{SIGVTALRM, "SIGVTALRM", "virtual timer expired"},
	{SIGPROF, "SIGPROF", "profiling timer expired"},
	{SIGWINCH, "SIGWINCH", "window changed"},
	{SIGIO, "SIGIO", "I/O possible"},
	{SIGPWR, "SIGPWR", "power failure"},
	{SIGSYS, "SIGSYS", "bad system call"},
};

struct code_info {
	int signo;		/* 0: any signal */
	int code;
	const char *name;
	const char *meaning;
};

static const struct code_info codes[] = {
	{SIGSEGV, SEGV_MAPERR, "SEGV_MAPERR", "address not mapped to object"},
	{SIGSEGV, SEGV_ACCERR, "SEGV_ACCERR", "invalid permissions for mapped object"},
	{SIGSEGV, 3, "SEGV_BNDERR", "failed address bound checks"},
	{SIGSEGV, 4, "SEGV_PKUERR", "access denied by protection keys"},
	{SIGBUS, BUS_ADRALN, "BUS_ADRALN", "invalid address alignment"},
	{SIGBUS, BUS_ADRERR, "BUS_ADRERR", "nonexistent physical address"},
	{SIGBUS, BUS_OBJERR, "BUS_OBJERR", "object-specific hardware error"},
	{SIGILL, ILL_ILLOPC, "ILL_ILLOPC", "illegal opcode"},
	{SIGILL, ILL_ILLOPN, "ILL_ILLOPN", "illegal operand"},
	{SIGILL, ILL_ILLADR, "ILL_ILLADR", "illegal addressing mode"},
	{SIGILL, ILL_ILLTRP, "ILL_ILLTRP", "illegal trap"},
	{SIGILL, ILL_PRVOPC, "ILL_PRVOPC", "privileged opcode"},
	{SIGFPE, FPE_INTDIV, "FPE_INTDIV", "integer divide by zero"},
	{SIGFPE, FPE_INTOVF, "FPE_INTOVF", "integer overflow"},
	{SIGFPE, FPE_FLTDIV, "FPE_FLTDIV", "floating-point divide by zero"},
	{SIGFPE, FPE_FLTINV, "FPE_FLTINV", "invalid floating-point operation"},
	{0, SI_USER, "SI_USER", "sent by kill()"},
	{0, SI_KERNEL, "SI_KERNEL", "sent by the kernel"},
	{0, SI_QUEUE, "SI_QUEUE", "sent by sigqueue()"},
	{0, SI_TKILL, "SI_TKILL", "sent by tkill() or raise()"},
	{0, SI_TIMER, "SI_TIMER", "timer expired"},
};

static const struct signal_info *find_signal(int signo)
{
	size_t i;

	for (i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (signals[i].signo == signo)
			return &signals[i];
	return NULL;
}

const char *signal_name(int signo)
{
	const struct signal_info *info = find_signal(signo);

	return info ? info->name : NULL;
}

const char *signal_meaning(int signo)
{
	const struct signal_info *info = find_signal(signo);

	return info ? info->meaning : NULL;
}

bool signal_has_address(int signo)
{
	return signo == SIGSEGV || signo == SIGBUS || signo == SIGILL || signo == SIGFPE;
}

bool signal_code(int signo, int code, const char **name, const char **meaning)
{
	size_t i;

	/* Positive codes are per signal and mean a fault raised by the CPU. */
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		const struct code_info *info = &codes[i];

		if ((info->signo == signo && code > 0) || (info->signo == 0 && code <= 0) ||
		    (info->signo == 0 && code == SI_KERNEL)) {
			if (info->code != code)
				continue;
			*name = info->name;
			*meaning = info->meaning;
			return true;
		}
	}
	return false;
}
