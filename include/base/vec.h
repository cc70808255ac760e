/* The one way an array grows: to at least twice its room, so that filling
 * it costs linear time, with the size checked for overflow. */
#ifndef PYCORE_BASE_VEC_H
#define PYCORE_BASE_VEC_H

#include <stddef.h>

/* ITEMS (room for *CAPACITY items of ITEM_SIZE bytes, NEEDED >= 1) with
 * room for at least NEEDED: ITEMS itself when it has it, else the grown
 * array, *CAPACITY updated.  NULL when out of memory or when the size would
 * overflow: ITEMS and *CAPACITY are then unchanged. */
void *vec_grow(void *items, size_t *capacity, size_t needed, size_t item_size);

#endif
