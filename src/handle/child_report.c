#include "handle/child_report.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void child_report_send(int fd, const struct child_report *r)
{
	dprintf(fd, "%s\n%s\n%s\n%s\n%s\n%s\n", r->comm, r->executable, r->summary,
		r->text_problem, r->json_problem, r->secure);
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
}
