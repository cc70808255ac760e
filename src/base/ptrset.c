#include "base/ptrset.h"

#include <stdlib.h>

void ptrset_init(struct ptrset *set)
{
	*set = (struct ptrset){0};
}

void ptrset_deinit(struct ptrset *set)
{
	free(set->slots);
	*set = (struct ptrset){0};
}

static size_t slot_of(uint64_t address, size_t capacity)
{
	/* Objects are aligned: mix the high bits into the low ones. */
	address ^= address >> 29;
	address *= 0xbf58476d1ce4e5b9ULL;
	address ^= address >> 32;
	return (size_t)address & (capacity - 1);
}

static int grow(struct ptrset *set)
{
	size_t capacity = set->capacity ? set->capacity * 2 : 64, i;
	uint64_t *slots = calloc(capacity, sizeof(*slots));

	if (!slots)
		return -1;
	for (i = 0; i < set->capacity; i++) {
		size_t j;

		if (!set->slots[i])
			continue;
		for (j = slot_of(set->slots[i], capacity); slots[j]; j = (j + 1) & (capacity - 1))
			;
		slots[j] = set->slots[i];
	}
	free(set->slots);
	set->slots = slots;
	set->capacity = capacity;
	return 0;
}

int ptrset_add(struct ptrset *set, uint64_t address)
{
	size_t i;

	if (address == 0)
		return 0;
	if ((set->count + 1) * 2 > set->capacity && grow(set) != 0)
		return -1;
	for (i = slot_of(address, set->capacity); set->slots[i]; i = (i + 1) & (set->capacity - 1))
		if (set->slots[i] == address)
			return 0;
	set->slots[i] = address;
	set->count++;
	return 1;
}
