#include "handle/sandbox.h"

#include "base/error.h"
#include "handle/read_only.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/userfaultfd.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/* A build with AddressSanitizer (make asan-check): its runtime reserves
 * terabytes of address space for shadow memory when the program starts,
 * so any RLIMIT_AS would make its next mmap fail, and it makes system calls
 * of its own (sigaltstack on every noreturn call, a tracer thread for the
 * leak check at exit).  Such a build runs without RLIMIT_AS and allows
 * those calls too. */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZER_RESERVES_ADDRESS_SPACE 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZER_RESERVES_ADDRESS_SPACE 1
#endif
#endif

/* What reading files and memory and printing reports need, and glibc,
 * libelf and libdw under them.  A call left out fails with EPERM, which
 * these libraries treat as a file they cannot read, not as a crash: an
 * allow list that is a little short degrades a report, it does not kill
 * the analysis. */
static const int allowed[] = {
	SCMP_SYS(read),		  SCMP_SYS(pread64),	  SCMP_SYS(readv),
	SCMP_SYS(preadv),	  SCMP_SYS(write),	  SCMP_SYS(writev),
	SCMP_SYS(pwrite64),	  SCMP_SYS(lseek),	  SCMP_SYS(close),
	SCMP_SYS(stat),		  SCMP_SYS(fstat),	  SCMP_SYS(lstat),
	SCMP_SYS(newfstatat),	  SCMP_SYS(statx),	  SCMP_SYS(access),
	SCMP_SYS(faccessat),	  SCMP_SYS(faccessat2),	  SCMP_SYS(readlink),
	SCMP_SYS(readlinkat),	  SCMP_SYS(getdents64),	  SCMP_SYS(fcntl),
	SCMP_SYS(dup),		  SCMP_SYS(dup3),	  SCMP_SYS(getcwd),
	SCMP_SYS(mmap),		  SCMP_SYS(munmap),	  SCMP_SYS(mremap),
	SCMP_SYS(mprotect),	  SCMP_SYS(madvise),	  SCMP_SYS(brk),
	SCMP_SYS(futex),	  SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(rt_sigaction),	  SCMP_SYS(clock_gettime), SCMP_SYS(gettimeofday),
	SCMP_SYS(nanosleep),	  SCMP_SYS(clock_nanosleep), SCMP_SYS(getpid),
	SCMP_SYS(gettid),	  SCMP_SYS(getuid),	  SCMP_SYS(geteuid),
	SCMP_SYS(getgid),	  SCMP_SYS(getegid),	  SCMP_SYS(getrandom),
	SCMP_SYS(uname),	  SCMP_SYS(sysinfo),	  SCMP_SYS(prlimit64),
	SCMP_SYS(getrlimit),	  SCMP_SYS(sched_getaffinity), SCMP_SYS(exit),
	SCMP_SYS(exit_group),
	/* A kept core read in place (input/seekable_image.h): a userfaultfd
	 * (its ioctls below) served by a thread of the child's own. */
	SCMP_SYS(userfaultfd),	  SCMP_SYS(eventfd2),	  SCMP_SYS(poll),
	SCMP_SYS(ppoll),	  SCMP_SYS(set_robust_list), SCMP_SYS(rseq),
#ifdef SANITIZER_RESERVES_ADDRESS_SPACE
	SCMP_SYS(sigaltstack),	  SCMP_SYS(sched_yield),  SCMP_SYS(prctl),
	SCMP_SYS(clone),	  SCMP_SYS(clone3),	  SCMP_SYS(ptrace),
	SCMP_SYS(wait4),	  SCMP_SYS(waitid),	  SCMP_SYS(tgkill),
	SCMP_SYS(kill),		  SCMP_SYS(getppid),	  SCMP_SYS(rt_sigtimedwait),
	SCMP_SYS(set_robust_list), SCMP_SYS(rseq),	  SCMP_SYS(arch_prctl),
#endif
};

static struct pc_error *failed(const char *step, int error)
{
	return pc_error_create(PC_ERR_IO, "cannot leave root for the analysis: %s: %s", step,
			       strerror(error));
}

static struct pc_error *set_limit(int resource, uint64_t value, const char *name)
{
	struct rlimit limit = {(rlim_t)value, (rlim_t)value};

	if (setrlimit(resource, &limit) != 0)
		return failed(name, errno);
	return NULL;
}

/* No capability at all, for a crash of UID 0 too: root's files stay
 * readable to it (it owns them), nobody else's are; read_only_enter made
 * them unwritable. */
static int drop_capabilities(void)
{
	struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof(data));
	return (int)syscall(SYS_capset, &header, data);
}

/* A thread (clone with CLONE_THREAD), never a process: clone3's flags are
 * in a struct, so ENOSYS sends glibc to clone.  ioctl only with the
 * requests of a userfaultfd, which no terminal or device answers. */
static int allow_threads_and_faults(scmp_filter_ctx ctx)
{
	static const unsigned long requests[] = {UFFDIO_API, UFFDIO_REGISTER, UFFDIO_UNREGISTER,
						 UFFDIO_COPY, UFFDIO_WAKE};
	size_t i;
	int rc;

#ifdef SANITIZER_RESERVES_ADDRESS_SPACE
	rc = 0;
#else
	rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
			      SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD));
	if (rc == 0 && SCMP_SYS(clone3) >= 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
#endif
	for (i = 0; i < sizeof(requests) / sizeof(requests[0]) && rc == 0; i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				      SCMP_A1(SCMP_CMP_EQ, requests[i], 0));
	return rc;
}

/* The open flags that would write or create: a file is opened only to be
 * read, also one the child's UID owns (a crash of UID 0 is analyzed as 0,
 * which owns root's files). */
#define WRITING_FLAGS (O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND)

static struct pc_error *load_filter(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	size_t i;
	int rc = 0;

	if (!ctx)
		return failed("seccomp_init", ENOMEM);
	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]) && rc == 0; i++)
		/* A name this kernel's headers lack is negative: skip it. */
		if (allowed[i] >= 0)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed[i], 0);
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(open), 1,
				      SCMP_A1(SCMP_CMP_MASKED_EQ, WRITING_FLAGS, 0));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
				      SCMP_A2(SCMP_CMP_MASKED_EQ, WRITING_FLAGS, 0));
	/* openat2's flags are in a struct, which seccomp cannot read: ENOSYS
	 * sends paths.c to its checked resolution by hand, with openat. */
	if (rc == 0 && SCMP_SYS(openat2) >= 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(openat2), 0);
	if (rc == 0)
		rc = allow_threads_and_faults(ctx);
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	return rc == 0 ? NULL : failed("seccomp", -rc);
}

static uint64_t address_space_limit(const struct sandbox_limits *limits)
{
#ifdef SANITIZER_RESERVES_ADDRESS_SPACE
	(void)limits;
	return RLIM_INFINITY;
#else
	return limits->address_space;
#endif
}

struct pc_error *sandbox_enter(uid_t uid, gid_t gid, uid_t keeper,
			       const struct sandbox_limits *limits, unsigned *walls)
{
	struct pc_error *err;

	/* While the capabilities to are still there. */
	*walls = read_only_enter();
	if ((err = set_limit(RLIMIT_AS, address_space_limit(limits), "RLIMIT_AS")) ||
	    (err = set_limit(RLIMIT_CPU, limits->cpu_seconds, "RLIMIT_CPU")) ||
	    (err = set_limit(RLIMIT_FSIZE, limits->file_size, "RLIMIT_FSIZE")) ||
	    (err = set_limit(RLIMIT_CORE, 0, "RLIMIT_CORE")))
		return err;
	/* A report cut at its size limit is a short write, not a signal. */
	signal(SIGXFSZ, SIG_IGN);
	if (setgroups(0, NULL) != 0)
		return failed("setgroups", errno);
	if (setresgid(gid, gid, gid) != 0)
		return failed("setresgid", errno);
	if (setresuid(keeper, uid, keeper) != 0)
		return failed("setresuid", errno);
	if (drop_capabilities() != 0)
		return failed("capset", errno);
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		return failed("PR_SET_DUMPABLE", errno);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return failed("PR_SET_NO_NEW_PRIVS", errno);
	return load_filter();
}
