/* A time as journalctl's --since and --until spell it, for pycore ci
 * --journal: pure, so that a unit test pins it without a journal. */
#ifndef PYCORE_BASE_TIME_SPEC_H
#define PYCORE_BASE_TIME_SPEC_H

#include <stdbool.h>
#include <stdint.h>

/* TEXT into *RET, NOW being the time now (both in microseconds since the
 * epoch): "2026-12-04 18:30:00", "2026-12-04 18:30" or "2026-12-04" (local
 * time), "@EPOCH" (seconds), "now", "today", "yesterday", "tomorrow"
 * (local midnight), or "-N" / "+N" followed by s, sec, m, min, h, hour, d,
 * day, w or week, relative to NOW (a time before the epoch is 1).  Returns
 * whether TEXT is one of these. */
bool time_spec_parse(const char *text, uint64_t now, uint64_t *ret);

#endif
