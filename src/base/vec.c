#include "base/vec.h"

#include <stdint.h>
#include <stdlib.h>

/* Room for this many items the first time: most arrays stay this small. */
#define VEC_FIRST_CAPACITY 32

void *vec_grow(void *items, size_t *capacity, size_t needed, size_t item_size)
{
	size_t grown_capacity = *capacity;
	void *grown;

	if (needed <= *capacity && items)
		return items;
	if (grown_capacity < VEC_FIRST_CAPACITY)
		grown_capacity = VEC_FIRST_CAPACITY;
	while (grown_capacity < needed) {
		if (grown_capacity > SIZE_MAX / 2)
			return NULL;
		grown_capacity *= 2;
	}
	if (item_size && grown_capacity > SIZE_MAX / item_size)
		return NULL;
	grown = realloc(items, grown_capacity * item_size);
	if (!grown)
		return NULL;
	*capacity = grown_capacity;
	return grown;
}
