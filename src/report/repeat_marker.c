#include "report/repeat_marker.h"

#include <stdio.h>

bool repeat_marker(size_t period, size_t count, char *buf, size_t size)
{
	const char *plural = count == 1 ? "" : "s";

	if (size)
		buf[0] = '\0';
	if (!period)
		return false;
	if (period == 1)
		snprintf(buf, size, "[Previous line repeated %zu more time%s]", count, plural);
	else
		snprintf(buf, size, "[Previous %zu frames repeated %zu more time%s]", period, count,
			 plural);
	return true;
}
