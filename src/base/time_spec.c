#include "base/time_spec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define USEC_PER_SEC 1000000ULL

/* "-N" or "+N" followed by a unit, relative to NOW. */
static bool parse_relative(const char *text, uint64_t now, uint64_t *ret)
{
	static const struct {
		const char *name;
		uint64_t usec;
	} units[] = {
		{"s", USEC_PER_SEC},	      {"sec", USEC_PER_SEC},
		{"m", 60 * USEC_PER_SEC},     {"min", 60 * USEC_PER_SEC},
		{"h", 3600 * USEC_PER_SEC},   {"hour", 3600 * USEC_PER_SEC},
		{"d", 86400 * USEC_PER_SEC},  {"day", 86400 * USEC_PER_SEC},
		{"w", 604800 * USEC_PER_SEC}, {"week", 604800 * USEC_PER_SEC},
	};
	unsigned long long n;
	char *end;
	size_t i;

	if (text[1] < '0' || text[1] > '9')
		return false;
	errno = 0;
	n = strtoull(text + 1, &end, 10);
	if (errno || n > 100000000)
		return false;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].name) != 0)
			continue;
		if (text[0] == '+')
			*ret = now + n * units[i].usec;
		else
			*ret = n * units[i].usec < now ? now - n * units[i].usec : 1;
		return true;
	}
	return false;
}

/* Midnight, local time, DAYS after the day of NOW. */
static bool local_midnight(uint64_t now, int days, uint64_t *ret)
{
	time_t t = (time_t)(now / USEC_PER_SEC);
	struct tm tm;

	if (!localtime_r(&t, &tm))
		return false;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_mday += days;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	if (t < 0)
		return false;
	*ret = (uint64_t)t * USEC_PER_SEC;
	return true;
}

bool time_spec_parse(const char *text, uint64_t now, uint64_t *ret)
{
	static const char *const formats[] = {"%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"};
	struct tm tm;
	size_t i;

	if (strcmp(text, "now") == 0) {
		*ret = now;
		return true;
	}
	if (strcmp(text, "today") == 0)
		return local_midnight(now, 0, ret);
	if (strcmp(text, "yesterday") == 0)
		return local_midnight(now, -1, ret);
	if (strcmp(text, "tomorrow") == 0)
		return local_midnight(now, 1, ret);
	if (text[0] == '-' || text[0] == '+')
		return parse_relative(text, now, ret);
	if (text[0] == '@') {
		char *end;
		unsigned long long seconds;

		errno = 0;
		seconds = strtoull(text + 1, &end, 10);
		if (errno || end == text + 1 || *end || seconds > UINT64_MAX / USEC_PER_SEC)
			return false;
		*ret = seconds * USEC_PER_SEC;
		return true;
	}
	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		const char *end;
		time_t t;

		memset(&tm, 0, sizeof(tm));
		end = strptime(text, formats[i], &tm);
		if (!end || *end)
			continue;
		tm.tm_isdst = -1;
		t = mktime(&tm);
		if (t < 0)
			return false;
		*ret = (uint64_t)t * USEC_PER_SEC;
		return true;
	}
	return false;
}
