#include "python/collapse.h"

/* Whether frames A and B run the same code at the same place. */
static bool same_place(const struct frame_place *a, const struct frame_place *b)
{
	return !a->unreadable && !b->unreadable && a->code == b->code && a->offset == b->offset;
}

/* How many times the PERIOD frames from FIRST repeat right after them. */
static size_t repeats_of(const struct frame_place *places, size_t nplaces, size_t first,
			 size_t period)
{
	size_t repeats = 0, j;

	while (first + (repeats + 2) * period <= nplaces) {
		const struct frame_place *block = &places[first];
		const struct frame_place *next = &places[first + (repeats + 1) * period];

		for (j = 0; j < period; j++)
			if (!same_place(&block[j], &next[j]))
				return repeats;
		repeats++;
	}
	return repeats;
}

size_t frame_collapse(const struct frame_place *places, size_t nplaces, bool collapse,
		      struct frame_pick *picks)
{
	size_t i = 0, npicks = 0;

	while (i < nplaces) {
		size_t period, best = 0, best_repeats = 0, shown, j;

		for (period = 1; collapse && period <= PYFRAME_MAX_PERIOD; period++) {
			size_t repeats = repeats_of(places, nplaces, i, period);

			if (repeats >= (period == 1 ? PYFRAME_LINE_CUTOFF : PYFRAME_MIN_REPEATS) &&
			    (repeats + 1) * period > (best_repeats + 1) * best) {
				best = period;
				best_repeats = repeats;
			}
		}
		if (!best) {
			picks[npicks++] = (struct frame_pick){.index = i++};
			continue;
		}
		/* One frame is shown PYFRAME_LINE_CUTOFF times, as CPython
		 * does; a longer block once. */
		shown = best == 1 ? PYFRAME_LINE_CUTOFF : best;
		for (j = 0; j < shown; j++)
			picks[npicks++] = (struct frame_pick){.index = i + j};
		picks[npicks - 1].period = best;
		picks[npicks - 1].repeats = best == 1 ? best_repeats + 1 - shown : best_repeats;
		i += (best_repeats + 1) * best;
	}
	return npicks;
}

void frame_cut(size_t npicks, size_t keep, bool collapse, size_t *head, size_t *tail)
{
	*head = npicks;
	*tail = 0;
	if (npicks > keep) {
		*tail = collapse ? keep / 4 : 0;
		*head = keep - *tail;
	}
}
