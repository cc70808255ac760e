#include "handle/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "base/escape.h"

void handle_log(int priority, const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	syslog(priority, "%s", line);
	handle_log_stderr(line);
}

void handle_log_stderr(const char *line)
{
	fprintf(stderr, "pycore: %s\n", line);
}

/* The bytes of the unit that starts TEXT, escaped as LINE: an escape
 * (\xNN, \uNNNN: a backslash is always one) or a UTF-8 character. */
static size_t unit_length(const char *text)
{
	unsigned char lead = (unsigned char)text[0];
	size_t len = text[0] == '\\' ? (text[1] == 'u' ? 6 : 4)
		     : lead >= 0xf0 ? 4
		     : lead >= 0xe0 ? 3
		     : lead >= 0xc0 ? 2
				    : 1;

	return strnlen(text, len);
}

void handle_log_field(const char *text, char *out, size_t size)
{
	char line[2048];
	size_t used = 0, i = 0;

	escape_into(ESCAPE_LINE, text, line, sizeof(line));
	while (line[i]) {
		const char *piece = line + i;
		size_t len = unit_length(piece);

		if (line[i] == '"' || line[i] == ';') {
			piece = line[i] == '"' ? "\\x22" : "\\x3b";
			len = 4;
		}
		if (used + len + 4 > size) {
			memcpy(out + used, "...", 4);
			return;
		}
		memcpy(out + used, piece, len);
		used += len;
		i += piece == line + i ? len : 1;
	}
	out[used] = '\0';
}
