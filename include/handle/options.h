/* pycore handle's command line: its options, and the kernel's seven
 * arguments of core_pattern (%P %u %g %s %t %c %h), which say which crash
 * it is. */
#ifndef PYCORE_HANDLE_OPTIONS_H
#define PYCORE_HANDLE_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct spool;

#define CRASH_NARGS 7		/* %P %u %g %s %t %c %h */
/* The whole handler's time limit until --timeout is read: a handler given
 * bad options still drains its input for no longer than this. */
#define HANDLE_DEFAULT_TIMEOUT 300

/* The crash, as the kernel's arguments tell it. */
struct crash {
	const char *args[CRASH_NARGS];	/* the seven as given, for --forward; the host
					 * name's words joined */
	char host_words[256];	/* %h, its words joined by spaces */
	pid_t pid;
	uid_t uid;
	gid_t gid;
	int signo;
	long long time;
	uint64_t core_limit;	/* %c: its core size limit */
	const char *host;
};

struct handle_options {
	const char *dir;	/* the spool */
	bool all;		/* not only Python processes */
	bool keep_core;
	uint64_t max_core_size;
	uint64_t memory_budget;	/* bytes of core the copy holds in memory */
	uint64_t max_use;	/* 0: no limit */
	bool max_use_set;	/* else a share of the file system */
	uint64_t keep_free;
	bool keep_free_set;	/* else a share of the file system */
	unsigned max_handlers;
	unsigned timeout;
	const char *forward;	/* the command passed the core on, or NULL */
	int dump_mode;		/* -d, --dump-mode: the kernel's %d, -1 when not given */
	bool journal;		/* an entry in the journal, where there is one */
};

/* The defaults of every option. */
void handle_options_init(struct handle_options *ret);

/* Parse ARGV: options, then the kernel's seven arguments, the last of them
 * every word left (a host name split at its spaces).  Returns
 * EXIT_OK, -1 after --help, or a usage error, having said (and logged)
 * why. */
int handle_options_parse(int argc, char **argv, struct handle_options *options,
			 struct crash *crash);

/* Give --max-use and --keep-free, when not set, their default: a share of
 * SPOOL's file system. */
void handle_options_share_space(struct handle_options *options, const struct spool *spool);

#endif
