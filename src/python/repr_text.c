/* How repr() spells a float and a character of a str or bytes: pure
 * formatting, apart from the reading of objects in repr.c. */
#include "python/repr_text.h"

#include "base/utf8.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* OUT[LEN...] = TEXT; returns the new length.  Callers stay within the
 * sizes repr_text.h gives. */
static size_t append(char *out, size_t len, const char *text, size_t n)
{
	memcpy(out + len, text, n);
	return len + n;
}

/* repr() of a float: the shortest digits that read back as X (the
 * correctly rounded %.*e of the fewest digits that round-trips), laid out
 * as Python's float_repr does: positional for exponents from -4 to 15,
 * with ".0" when there is no fraction, else d.ddde+XX. */
size_t repr_float(double x, char out[REPR_FLOAT_MAX])
{
	char buf[40], digits[20];
	size_t len = 0;
	int precision, exponent, ndigits = 0, point, i;
	const char *p;

	if (isnan(x))
		return append(out, 0, "nan", 3);
	if (isinf(x))
		return x < 0 ? append(out, 0, "-inf", 4) : append(out, 0, "inf", 3);
	if (x == 0)
		return signbit(x) ? append(out, 0, "-0.0", 4) : append(out, 0, "0.0", 3);
	for (precision = 1; precision <= 17; precision++) {
		snprintf(buf, sizeof(buf), "%.*e", precision - 1, x);
		if (strtod(buf, NULL) == x)
			break;
	}
	/* buf: [-]d[.ddd]e(+|-)XX */
	p = buf;
	if (*p == '-') {
		len = append(out, len, "-", 1);
		p++;
	}
	for (; *p != 'e'; p++)
		if (*p != '.')
			digits[ndigits++] = *p;
	exponent = atoi(p + 1);
	while (ndigits > 1 && digits[ndigits - 1] == '0')
		ndigits--;
	if (exponent < -4 || exponent >= 16) {
		len = append(out, len, digits, 1);
		if (ndigits > 1) {
			len = append(out, len, ".", 1);
			len = append(out, len, digits + 1, (size_t)ndigits - 1);
		}
		return len + (size_t)snprintf(out + len, REPR_FLOAT_MAX - len, "e%c%02d",
					      exponent < 0 ? '-' : '+',
					      exponent < 0 ? -exponent : exponent);
	}
	point = exponent + 1;	/* digits before the decimal point */
	if (point <= 0) {
		len = append(out, len, "0.", 2);
		for (i = point; i < 0; i++)
			len = append(out, len, "0", 1);
		len = append(out, len, digits, (size_t)ndigits);
	} else if (point < ndigits) {
		len = append(out, len, digits, (size_t)point);
		len = append(out, len, ".", 1);
		len = append(out, len, digits + point, (size_t)(ndigits - point));
	} else {
		len = append(out, len, digits, (size_t)ndigits);
		for (i = ndigits; i < point; i++)
			len = append(out, len, "0", 1);
		len = append(out, len, ".0", 2);
	}
	return len;
}

/* Code points that 3.x's repr() escapes although they are not ASCII
 * (str.isprintable() is false): the control, format, separator, surrogate
 * and private-use characters of Unicode 14 (Python 3.11's database),
 * found with
 *   [c for c in range(0x80, 0x110000) if not chr(c).isprintable()
 *    and unicodedata.category(chr(c)) != 'Cn']
 * Unassigned code points (Cn) are printed as they are: which ones are
 * unassigned depends on the Unicode version of the Python that crashed. */
static const struct {
	uint32_t first, last;
} unprintable[] = {
	{0x80, 0xa0},	    {0xad, 0xad},	{0x600, 0x605},	    {0x61c, 0x61c},
	{0x6dd, 0x6dd},	    {0x70f, 0x70f},	{0x890, 0x891},	    {0x8e2, 0x8e2},
	{0x1680, 0x1680},   {0x180e, 0x180e},	{0x2000, 0x200f},   {0x2028, 0x202f},
	{0x205f, 0x2064},   {0x2066, 0x206f},	{0x3000, 0x3000},   {0xd800, 0xf8ff},
	{0xfeff, 0xfeff},   {0xfff9, 0xfffb},	{0x110bd, 0x110bd}, {0x110cd, 0x110cd},
	{0x13430, 0x13438}, {0x1bca0, 0x1bca3}, {0x1d173, 0x1d17a}, {0xe0001, 0xe0001},
	{0xe0020, 0xe007f}, {0xf0000, 0xffffd}, {0x100000, 0x10fffd},
};

static bool printable(uint32_t cp)
{
	size_t i;

	if (cp < 0x80)
		return cp >= 0x20 && cp != 0x7f;
	if (cp > 0x10ffff)
		return false;
	for (i = 0; i < sizeof(unprintable) / sizeof(unprintable[0]); i++)
		if (cp >= unprintable[i].first && cp <= unprintable[i].last)
			return false;
	return true;
}

/* The quote repr() uses: ' unless the text has ' and no ". */
char repr_quote(const uint32_t *cps, size_t n)
{
	bool single = false, dbl = false;
	size_t i;

	for (i = 0; i < n; i++) {
		single |= cps[i] == '\'';
		dbl |= cps[i] == '"';
	}
	return single && !dbl ? '"' : '\'';
}

/* One character of a str, bytes or unicode repr.  BYTES: 3.x bytes and
 * 2.7 str, where everything outside printable ASCII is \xNN; PY2_UNICODE:
 * 2.7 unicode, where everything outside it is \x, \u or \U. */
size_t repr_char(uint32_t cp, char quote, bool bytes, bool py2_unicode, char out[REPR_CHAR_MAX])
{
	if (cp == (uint32_t)quote || cp == '\\')
		return (size_t)snprintf(out, REPR_CHAR_MAX, "\\%c", (char)cp);
	if (cp == '\t')
		return append(out, 0, "\\t", 2);
	if (cp == '\n')
		return append(out, 0, "\\n", 2);
	if (cp == '\r')
		return append(out, 0, "\\r", 2);
	if (cp >= 0x20 && cp < 0x7f) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x80 || bytes || (cp <= 0xff && (py2_unicode || !printable(cp))))
		return (size_t)snprintf(out, REPR_CHAR_MAX, "\\x%02x", cp);
	if (!py2_unicode && printable(cp))
		return utf8_encode(cp, out);
	if (cp <= 0xffff)
		return (size_t)snprintf(out, REPR_CHAR_MAX, "\\u%04x", cp);
	return (size_t)snprintf(out, REPR_CHAR_MAX, "\\U%08x", cp);
}
