#include "base/escape.h"

#include "base/utf8.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The longest piece one unit of input becomes: "\\u202e" or "&quot;". */
#define PIECE_MAX 8

/* Code points that move, hide or reorder text on the reader's screen. */
static bool unsafe_code_point(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) ||		/* C1 controls (0x9b: CSI) */
	       cp == 0x061c ||				/* ARABIC LETTER MARK */
	       cp == 0x200e || cp == 0x200f ||		/* LRM, RLM */
	       (cp >= 0x2028 && cp <= 0x202e) ||	/* separators, embeddings, overrides */
	       (cp >= 0x2066 && cp <= 0x2069) ||	/* isolates */
	       cp == 0xfffe || cp == 0xffff;		/* not characters; XML forbids them */
}

/* The escape of the ASCII character C that KIND gives it, or NULL when it
 * is written as it is. */
static const char *ascii_escape(enum escape_kind kind, unsigned char c, char buf[PIECE_MAX])
{
	switch (kind) {
	case ESCAPE_LINE:
		if (c == '\\')
			return "\\x5c";
		break;
	case ESCAPE_JSON:
		if (c == '"')
			return "\\\"";
		if (c == '\\')
			return "\\\\";
		if (c == '\n')
			return "\\n";
		if (c == '\t')
			return "\\t";
		if (c < 0x20 || c == 0x7f) {
			snprintf(buf, PIECE_MAX, "\\u%04x", c);
			return buf;
		}
		return NULL;
	case ESCAPE_XML_ATTRIBUTE:
		if (c == '"')
			return "&quot;";
		if (c == '\n')
			return "&#10;";
		if (c == '\t')
			return "&#9;";
		/* fall through */
	case ESCAPE_XML:
		if (c == '&')
			return "&amp;";
		if (c == '<')
			return "&lt;";
		if (c == '>')
			return "&gt;";
		if (kind == ESCAPE_XML && (c == '\n' || c == '\t'))
			return NULL;
		break;
	case ESCAPE_GITHUB_PROPERTY:
		if (c == ':')
			return "%3A";
		if (c == ',')
			return "%2C";
		/* fall through */
	case ESCAPE_GITHUB:
		if (c == '%')
			return "%25";
		if (c == '\r')
			return "%0D";
		if (c == '\n')
			return "%0A";
		break;
	case ESCAPE_MARKDOWN:
		if (c == '\n')
			return " ";
		if (c && strchr("\\`*_{}[]<>()#+-.!|~&", c)) {
			buf[0] = '\\';
			buf[1] = (char)c;
			buf[2] = '\0';
			return buf;
		}
		break;
	case ESCAPE_TERMINAL:
		break;
	}
	if (c < 0x20 || c == 0x7f) {
		snprintf(buf, PIECE_MAX, "\\x%02x", c);
		return buf;
	}
	return NULL;
}

/* Whether KIND writes the ASCII character C as it is.  Letters, digits,
 * spaces and slashes, most of a report, are so under every kind: they are
 * told without asking ascii_escape(). */
static inline bool ascii_plain(enum escape_kind kind, unsigned char c)
{
	char buf[PIECE_MAX];

	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    c == ' ' || c == '/')
		return true;
	return c < 0x80 && !ascii_escape(kind, c, buf);
}

/* Escape the unit of input at TEXT[0, LEN), LEN > 0: one ASCII character,
 * one UTF-8 sequence, or one stray byte.  Sets *TAKEN to the bytes it took
 * and *PIECE to what to write; returns the length of that. */
static size_t next_piece(enum escape_kind kind, const char *text, size_t len, size_t *taken,
			 const char **piece, char buf[PIECE_MAX])
{
	unsigned char c = (unsigned char)text[0];
	uint32_t cp;
	size_t n;

	if (c < 0x80) {
		const char *escaped = ascii_escape(kind, c, buf);

		*taken = 1;
		*piece = escaped ? escaped : text;
		return escaped ? strlen(escaped) : 1;
	}
	n = utf8_decode(text, len, &cp);
	*taken = n;
	if (cp == UTF8_REPLACEMENT && n == 1) {
		if (kind == ESCAPE_JSON)
			snprintf(buf, PIECE_MAX, "\\ufffd");
		else
			snprintf(buf, PIECE_MAX, "\\x%02x", c);
		*piece = buf;
		return strlen(buf);
	}
	if (unsafe_code_point(cp)) {
		snprintf(buf, PIECE_MAX, "\\u%04x", (unsigned)cp);
		*piece = buf;
		return strlen(buf);
	}
	*piece = text;
	return n;
}

void escape_put(FILE *out, enum escape_kind kind, const char *text, size_t len)
{
	char buf[PIECE_MAX];
	size_t i = 0, run = 0;

	/* Text that needs no escape is written in runs, not unit by unit:
	 * a report of a thousand threads is mostly such text. */
	while (i < len) {
		const char *piece;
		size_t taken, n;

		if (ascii_plain(kind, (unsigned char)text[i])) {
			i++;
			continue;
		}
		n = next_piece(kind, text + i, len - i, &taken, &piece, buf);
		if (piece != text + i) {
			fwrite(text + run, 1, i - run, out);
			fwrite(piece, 1, n, out);
			run = i + taken;
		}
		i += taken;
	}
	fwrite(text + run, 1, i - run, out);
}

void escape_puts(FILE *out, enum escape_kind kind, const char *text)
{
	escape_put(out, kind, text, strlen(text));
}

size_t escape_into(enum escape_kind kind, const char *text, char *out, size_t size)
{
	size_t len = strlen(text), i = 0, used = 0;
	char buf[PIECE_MAX];

	while (i < len) {
		const char *piece;
		size_t taken, n = next_piece(kind, text + i, len - i, &taken, &piece, buf);

		/* Room for this piece, and for "..." should more follow. */
		if (used + n + (i + taken < len ? 3 : 0) >= size) {
			memcpy(out + used, "...", 3);
			used += 3;
			break;
		}
		memcpy(out + used, piece, n);
		used += n;
		i += taken;
	}
	out[used] = '\0';
	return used;
}

char *escape_dup(enum escape_kind kind, const char *text, size_t len)
{
	char buf[PIECE_MAX], *copy, *p;
	size_t i = 0, total = 0;

	while (i < len) {
		const char *piece;
		size_t taken;

		total += next_piece(kind, text + i, len - i, &taken, &piece, buf);
		i += taken;
	}
	copy = malloc(total + 1);
	if (!copy)
		return NULL;
	for (p = copy, i = 0; i < len;) {
		const char *piece;
		size_t taken, n = next_piece(kind, text + i, len - i, &taken, &piece, buf);

		memcpy(p, piece, n);
		p += n;
		i += taken;
	}
	*p = '\0';
	return copy;
}
