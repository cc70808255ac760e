#include "handle/child_report.h"

#include "analysis/analysis.h"
#include "base/escape.h"
#include "handle/log.h"
#include "report/repeat_marker.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Append to R's traceback, at *USED, unless it no longer fits; returns
 * whether it did. */
static bool add_traceback_line(struct child_report *r, size_t *used, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool add_traceback_line(struct child_report *r, size_t *used, const char *fmt, ...)
{
	size_t room = sizeof(r->traceback) - *used;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(r->traceback + *used, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room) {
		r->traceback[*used] = '\0';
		return false;
	}
	*used += (size_t)n;
	return true;
}

/* The line of FRAME, "  File "F", line N, in NAME", into OUT (SIZE
 * bytes). */
static void frame_line(const struct py_frame *frame, char *out, size_t size)
{
	char file[HANDLE_TEXT_MAX], name[HANDLE_TEXT_MAX];

	if (frame->error || !frame->filename || !frame->name) {
		snprintf(out, size, "  <unreadable frame>");
		return;
	}
	handle_log_field(frame->filename, file, sizeof(file));
	handle_log_field(frame->name, name, sizeof(name));
	snprintf(out, size, "  File \"%s\", line %d, in %s", file, frame->location.line, name);
}

/* The crashing thread's Python frames, most recent call first, with the
 * collapsed recursions and the frames --max-frames left out said where
 * they are; "  ..." ends a traceback cut to fit. */
static void describe_traceback(const struct py_thread *thread, struct child_report *r)
{
	/* Room kept for the line that says the traceback is cut. */
	const size_t cut_mark = sizeof("  ...\n");
	char line[2 * HANDLE_TEXT_MAX + 64], marker[REPEAT_MARKER_MAX];
	size_t used = 0, i;

	r->traceback[0] = '\0';
	if (!thread || !thread->nframes)
		return;
	for (i = 0; i < thread->nframes; i++) {
		const struct py_frame *frame = &thread->frames[i];
		size_t before = used;

		if (thread->omitted && i == thread->nhead &&
		    !add_traceback_line(r, &used, "  [%zu frames omitted]\n", thread->omitted))
			break;
		frame_line(frame, line, sizeof(line));
		if (used + strlen(line) + 1 + cut_mark > sizeof(r->traceback) ||
		    !add_traceback_line(r, &used, "%s\n", line) ||
		    (repeat_marker(frame->repeat_period, frame->repeat_count, marker,
				   sizeof(marker)) &&
		     !add_traceback_line(r, &used, "  %s\n", marker))) {
			r->traceback[before] = '\0';
			used = before;
			add_traceback_line(r, &used, "  ...\n");
			return;
		}
	}
	if (thread->cut && !thread->omitted)
		add_traceback_line(r, &used, "  ...\n");
}

void child_report_describe(const struct analysis *analysis, struct child_report *r)
{
	snprintf(r->fingerprint, sizeof(r->fingerprint), "%s", analysis->fingerprint.id);
	if (analysis->python.found)
		handle_log_field(analysis->python.version, r->python_version,
				 sizeof(r->python_version));
	handle_log_field(analysis->signal.text, r->signal, sizeof(r->signal));
	if (analysis->command)
		handle_log_field(analysis->command, r->command, sizeof(r->command));
	handle_log_field(analysis->fingerprint.native, r->native, sizeof(r->native));
	if (analysis->headline && !analysis->headline->error)
		frame_line(analysis->headline, r->frame, sizeof(r->frame));
	/* One line without its indent. */
	memmove(r->frame, r->frame + strspn(r->frame, " "), strlen(r->frame) + 1);
	describe_traceback(analysis->nthreads ? analysis->threads[0].python : NULL, r);
}

void child_report_send(int fd, const struct child_report *r)
{
	dprintf(fd, "%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s", r->comm,
		r->executable, r->summary, r->text_problem, r->json_problem, r->secure,
		r->fingerprint, r->python_version, r->signal, r->command, r->frame, r->native,
		r->core_note, r->traceback);
}

/* Take the next line of *TEXT into OUT (SIZE bytes), cut to fit. */
static void take_line(char **text, char *out, size_t size)
{
	char *end = strchr(*text, '\n');
	size_t len = end ? (size_t)(end - *text) : strlen(*text);

	snprintf(out, size, "%.*s", (int)(len < size ? len : size - 1), *text);
	*text += len + (end ? 1 : 0);
}

void child_report_read(int fd, struct child_report *r)
{
	char buf[sizeof(*r) + 16], *p = buf;
	size_t used = 0;
	ssize_t n;

	while (used < sizeof(buf) - 1 &&
	       ((n = read(fd, buf + used, sizeof(buf) - 1 - used)) > 0 || (n < 0 && errno == EINTR)))
		used += n > 0 ? (size_t)n : 0;
	buf[used] = '\0';
	take_line(&p, r->comm, sizeof(r->comm));
	take_line(&p, r->executable, sizeof(r->executable));
	take_line(&p, r->summary, sizeof(r->summary));
	take_line(&p, r->text_problem, sizeof(r->text_problem));
	take_line(&p, r->json_problem, sizeof(r->json_problem));
	take_line(&p, r->secure, sizeof(r->secure));
	take_line(&p, r->fingerprint, sizeof(r->fingerprint));
	take_line(&p, r->python_version, sizeof(r->python_version));
	take_line(&p, r->signal, sizeof(r->signal));
	take_line(&p, r->command, sizeof(r->command));
	take_line(&p, r->frame, sizeof(r->frame));
	take_line(&p, r->native, sizeof(r->native));
	take_line(&p, r->core_note, sizeof(r->core_note));
	snprintf(r->traceback, sizeof(r->traceback), "%s", p);
}
