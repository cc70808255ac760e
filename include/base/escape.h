/* Text from a core, a file name or a command line, made safe for one kind
 * of output.  Such text may hold anything: control characters that would
 * let a crashed program rewrite the reader's terminal or forge a log line,
 * bidirectional overrides (U+202E) that make a name read backwards, bytes
 * that are not UTF-8.  Every report writes such text through this module,
 * and each kind of output has one policy:
 *
 *   every kind     well-formed UTF-8 is kept; C0 controls and DEL, C1
 *                  controls (U+0080 - U+009F), bidirectional controls,
 *                  line and paragraph separators and U+FFFE, U+FFFF are
 *                  escaped, and so is every byte that is not UTF-8:
 *   TERMINAL       a byte as \xNN, a code point as \uNNNN;
 *   LINE           the same, and the backslash as \x5c, so that one line
 *                  of a log cannot be made to look like two entries or
 *                  another escape (syslog, pycore handle's log line);
 *   JSON           inside a JSON string: '"', '\\', \n, \t as in RFC 8259,
 *                  the others as \u00NN or \uNNNN (the value parses back
 *                  unchanged), a stray byte as \ufffd;
 *   XML            character data: '&', '<', '>' as entities; newline and
 *                  tab kept, the rest as TERMINAL (XML 1.0 allows no C0);
 *   XML_ATTRIBUTE  an attribute value: also '"', newline and tab as
 *                  character references, which a reader does not
 *                  normalise to spaces;
 *   GITHUB         the data of a GitHub workflow command: '%', CR, LF as
 *                  %25, %0D, %0A, the rest as TERMINAL;
 *   GITHUB_PROPERTY  a property value of one: also ':' and ',';
 *   MARKDOWN       ASCII punctuation backslash-escaped (CommonMark allows
 *                  it before any), newline as a space, the rest as TERMINAL.
 */
#ifndef PYCORE_BASE_ESCAPE_H
#define PYCORE_BASE_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

enum escape_kind {
	ESCAPE_TERMINAL,
	ESCAPE_LINE,
	ESCAPE_JSON,
	ESCAPE_XML,
	ESCAPE_XML_ATTRIBUTE,
	ESCAPE_GITHUB,
	ESCAPE_GITHUB_PROPERTY,
	ESCAPE_MARKDOWN,
};

/* Write TEXT[0, LEN) to OUT, escaped for KIND. */
void escape_put(FILE *out, enum escape_kind kind, const char *text, size_t len);

/* The same for the NUL-terminated TEXT. */
void escape_puts(FILE *out, enum escape_kind kind, const char *text);

/* TEXT escaped for KIND into OUT (SIZE > 3 bytes, NUL included); when it
 * does not fit it is cut where an escape ends and "..." marks the cut.
 * Returns the length written. */
size_t escape_into(enum escape_kind kind, const char *text, char *out, size_t size);

/* A malloc'd copy of TEXT[0, LEN) escaped for KIND; NULL when out of
 * memory. */
char *escape_dup(enum escape_kind kind, const char *text, size_t len);

#endif
