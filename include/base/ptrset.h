/* A set of addresses, for cycle detection in chains read from a core. */
#ifndef PYCORE_BASE_PTRSET_H
#define PYCORE_BASE_PTRSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ptrset {
	uint64_t *slots;	/* 0 marks a free slot; address 0 is never stored */
	size_t capacity;	/* a power of two */
	size_t count;
};

void ptrset_init(struct ptrset *set);
void ptrset_deinit(struct ptrset *set);

/* Add ADDRESS: 1 when it was new, 0 when it was there already, -1 when out
 * of memory. */
int ptrset_add(struct ptrset *set, uint64_t address);

#endif
