#include "python/version.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define DEBUG_COOKIE "xdebugpy"

/* PY_VERSION_HEX: 3.MINOR.MICRO, release level a, b, c or f (0xf = final). */
static bool plausible(uint64_t value, unsigned min_minor)
{
	unsigned level = (value >> 4) & 0xf;

	return (value >> 24) == 3 && ((value >> 16) & 0xff) >= min_minor &&
	       ((value >> 16) & 0xff) < 100 && level >= 0xa;
}

bool pyversion_from_debug_offsets(const void *head, size_t size, unsigned *hex)
{
	uint64_t version;

	if (size < PYVERSION_DEBUG_OFFSETS_HEAD || memcmp(head, DEBUG_COOKIE, 8) != 0)
		return false;
	memcpy(&version, (const char *)head + 8, sizeof(version));
	if (!plausible(version, 13))
		return false;
	*hex = (unsigned)version;
	return true;
}

bool pyversion_from_py_version(uint64_t value, unsigned *hex)
{
	if (!plausible(value, 11))
		return false;
	*hex = (unsigned)value;
	return true;
}

/* Parse "3.8.18 (default, ..." at TEXT (LEN bytes): Py_GetVersion()'s
 * buffer, which is what follows PY_VERSION there. */
static bool parse_version_text(const char *text, size_t len, unsigned *hex)
{
	unsigned major, minor, micro;
	size_t i = 0;

	if (len < 7 || (text[0] != '2' && text[0] != '3') || text[1] != '.')
		return false;
	major = (unsigned)(text[0] - '0');
	for (i = 2, minor = 0; i < len && isdigit((unsigned char)text[i]) && minor < 100; i++)
		minor = minor * 10 + (unsigned)(text[i] - '0');
	if (i == 2 || i >= len || text[i] != '.')
		return false;
	for (i++, micro = 0; i < len && isdigit((unsigned char)text[i]) && micro < 100; i++)
		micro = micro * 10 + (unsigned)(text[i] - '0');
	while (i < len && i < 20 && (isalnum((unsigned char)text[i]) || text[i] == '+'))
		i++;
	if (i + 2 > len || text[i] != ' ' || text[i + 1] != '(')
		return false;
	*hex = (major << 24) | (minor << 16) | (micro << 8) | 0xf0;
	return true;
}

void pyversion_scan_init(struct pyversion_scan *scan)
{
	*scan = (struct pyversion_scan){.after_nul = true};
}

/* A version string starting at each of TEXT[0..TO) that follows a NUL
 * (for TEXT[0]: PREV_NUL), with LEN bytes of TEXT to parse it from. */
static bool scan_range(struct pyversion_scan *scan, const char *text, size_t to, size_t len,
		       bool prev_nul)
{
	size_t i;

	for (i = 0; i < to; i++)
		if ((i == 0 ? prev_nul : text[i - 1] == '\0') && i + 1 < len &&
		    text[i + 1] == '.' && parse_version_text(text + i, len - i, &scan->hex))
			return scan->found = true;
	return false;
}

/* The tail's strings, with only what follows them so far. */
static bool scan_finish(struct pyversion_scan *scan)
{
	return scan_range(scan, scan->tail, scan->ntail, scan->ntail, scan->after_nul);
}

void pyversion_scan_gap(struct pyversion_scan *scan)
{
	if (!scan->found)
		scan_finish(scan);
	scan->ntail = 0;
	scan->after_nul = false;
}

/* Pieces of this many bytes are joined to the tail and scanned. */
#define PIECE 4096

bool pyversion_scan_feed(struct pyversion_scan *scan, const void *bytes, size_t len)
{
	const char *text = bytes;
	char joined[PYVERSION_TEXT_MAX + PIECE];

	while (!scan->found && len > 0) {
		size_t n = len < PIECE ? len : PIECE, total = scan->ntail + n, ready;

		memcpy(joined, scan->tail, scan->ntail);
		memcpy(joined + scan->ntail, text, n);
		text += n;
		len -= n;
		if (total <= PYVERSION_TEXT_MAX) {
			memcpy(scan->tail, joined, total);
			scan->ntail = total;
			continue;
		}
		/* Every string starting before READY has all the bytes it can
		 * need; the ones after wait for the next piece in the tail. */
		ready = total - PYVERSION_TEXT_MAX;
		if (scan_range(scan, joined, ready, total, scan->after_nul))
			break;
		scan->after_nul = joined[ready - 1] == '\0';
		memcpy(scan->tail, joined + ready, PYVERSION_TEXT_MAX);
		scan->ntail = PYVERSION_TEXT_MAX;
	}
	return scan->found;
}

bool pyversion_scan_end(struct pyversion_scan *scan)
{
	return scan->found || scan_finish(scan);
}

void pyversion_format(unsigned hex, char *buf, size_t size)
{
	static const char *const levels[16] = {[0xa] = "a", [0xb] = "b", [0xc] = "rc"};
	unsigned level = (hex >> 4) & 0xf;

	if (level == 0xf || !levels[level])
		snprintf(buf, size, "%u.%u.%u", hex >> 24, (hex >> 16) & 0xff, (hex >> 8) & 0xff);
	else
		snprintf(buf, size, "%u.%u.%u%s%u", hex >> 24, (hex >> 16) & 0xff,
			 (hex >> 8) & 0xff, levels[level], hex & 0xf);
}
