#include "handle/journal.h"

#include "analysis/signals.h"
#include "handle/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <syslog.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

/* Where journald listens; libsystemd sends there. */
#define JOURNAL_SOCKET "/run/systemd/journal/socket"
#define MAX_FIELDS 32
#define PATH_TEXT_MAX (HANDLE_TEXT_MAX + 256)

/* The fields of one entry: each "NAME=value", the value any bytes
 * (sd_journal_sendv() sends those with a newline in the journal's binary
 * form). */
struct fields {
	struct iovec iov[MAX_FIELDS];
	char *owned[MAX_FIELDS];	/* what to free: the built fields */
	size_t n, nowned;
};

/* Add NAME=VALUE[0, LEN); nothing for an empty VALUE, nor out of memory
 * (the entry goes without it). */
static void add_bytes(struct fields *f, const char *name, const char *value, size_t len)
{
	size_t name_len = strlen(name);
	char *field;

	if (!len || f->n == MAX_FIELDS || !(field = malloc(name_len + 1 + len)))
		return;
	memcpy(field, name, name_len);
	field[name_len] = '=';
	memcpy(field + name_len + 1, value, len);
	f->owned[f->nowned++] = field;
	f->iov[f->n++] = (struct iovec){field, name_len + 1 + len};
}

static void add(struct fields *f, const char *name, const char *value)
{
	add_bytes(f, name, value, strlen(value));
}

static void add_number(struct fields *f, const char *name, long long value)
{
	char text[24];

	snprintf(text, sizeof(text), "%lld", value);
	add(f, name, text);
}

/* Whether TEXT is a fingerprint: FINGERPRINT_ID_LEN hex digits.  The
 * child's word is not trusted, and a fingerprint is what a reader matches
 * on. */
static bool is_fingerprint(const char *text)
{
	return strlen(text) == FINGERPRINT_ID_LEN &&
	       strspn(text, "0123456789abcdef") == FINGERPRINT_ID_LEN;
}

/* The JSON report NAME of the spool, when it is whole and no larger than
 * JOURNAL_JSON_MAX: the analysis may have dropped it. */
static void add_json(struct fields *f, const struct handle *h, const char *name)
{
	int fd = openat(h->spool.dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	char *text;
	ssize_t n;

	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (unsigned long long)st.st_size <= JOURNAL_JSON_MAX &&
	    (text = malloc((size_t)st.st_size))) {
		n = pread(fd, text, (size_t)st.st_size, 0);
		if (n == st.st_size)
			add_bytes(f, "PYCORE_REPORT_JSON", text, (size_t)n);
		free(text);
	}
	close(fd);
}

/* The entry's fields; the caller frees F's. */
static void build(struct fields *f, const struct handle *h, const struct child_report *r,
		  const char *line, const char *stem, bool core_kept)
{
	char signame[24], host[HANDLE_TEXT_MAX], spool[HANDLE_TEXT_MAX], path[PATH_TEXT_MAX];
	char name[192];

	add(f, "MESSAGE", line);
	add(f, "MESSAGE_ID", JOURNAL_MESSAGE_ID);
	add(f, "PRIORITY", "2");
	add(f, "SYSLOG_IDENTIFIER", "pycore");
	if (is_fingerprint(r->fingerprint))
		add(f, JOURNAL_FINGERPRINT, r->fingerprint);
	add_number(f, "PYCORE_PID", h->crash.pid);
	add_number(f, "PYCORE_UID", h->crash.uid);
	add_number(f, "PYCORE_GID", h->crash.gid);
	if (signal_name(h->crash.signo))
		snprintf(signame, sizeof(signame), "%s", signal_name(h->crash.signo));
	else
		snprintf(signame, sizeof(signame), "signal %d", h->crash.signo);
	add(f, JOURNAL_SIGNAL, signame);
	add_number(f, "PYCORE_SIGNAL_NUMBER", h->crash.signo);
	add(f, "PYCORE_SIGNAL_DETAIL", r->signal);
	add_number(f, "PYCORE_TIME", h->crash.time);
	handle_log_field(h->crash.host, host, sizeof(host));
	add(f, "PYCORE_HOSTNAME", host);
	add(f, JOURNAL_EXE, r->executable);
	add(f, "PYCORE_COMMAND", r->command);
	add(f, JOURNAL_PYTHON_VERSION, r->python_version);
	add(f, "PYCORE_PYTHON_FRAME", r->frame);
	add(f, JOURNAL_NATIVE_FRAME, r->native);
	add(f, JOURNAL_SUMMARY, r->summary);
	add(f, JOURNAL_TRACEBACK, r->traceback);
	handle_log_field(h->spool.path, spool, sizeof(spool));
	snprintf(path, sizeof(path), "%s/%s%s", spool, stem, spool_suffix(SPOOL_TEXT));
	add(f, JOURNAL_REPORT, path);
	if (core_kept) {
		snprintf(path, sizeof(path), "%s/%s%s", spool, stem, spool_suffix(SPOOL_CORE));
		add(f, "PYCORE_CORE", path);
	}
	snprintf(name, sizeof(name), "%s%s", stem, spool_suffix(SPOOL_JSON));
	add_json(f, h, name);
}

/* Whether journald listens here: no socket, no entry (as
 * systemd-coredump). */
static bool journal_present(void)
{
	struct stat st;

	return stat(JOURNAL_SOCKET, &st) == 0 && S_ISSOCK(st.st_mode);
}

void journal_log_crash(const struct handle *h, const struct child_report *r, const char *line,
		       const char *stem, bool core_kept)
{
	struct fields f = {.n = 0};
	size_t i;
	int ret;

	if (!h->options.journal || !journal_present()) {
		handle_log(LOG_ERR, "%s", line);
		return;
	}
	build(&f, h, r, line, stem, core_kept);
	ret = sd_journal_sendv(f.iov, (int)f.n);
	for (i = 0; i < f.nowned; i++)
		free(f.owned[i]);
	if (ret < 0) {
		handle_log(LOG_ERR, "%s", line);
		handle_log(LOG_ERR, "PID %d: no entry in the journal: sd_journal_sendv: %s",
			   (int)h->crash.pid, strerror(-ret));
		return;
	}
	handle_log_stderr(line);
}
