#include "elf/symindex.h"

#include <gelf.h>
#include <stdlib.h>

/* At most this many symbols may hold one address before the index leaves
 * the answer to libdwfl: nested symbols are few, and they are sorted and
 * folded one by one. */
#define HOLDERS_MAX 64

struct sized_symbol {
	uint64_t value;
	uint64_t size;
	uint64_t end;		/* value + size, at most UINT64_MAX */
	uint64_t reach;		/* the largest end of this symbol and every one sorted before it */
	const char *name;
	size_t order;		/* where libdwfl's search meets it: globals first, then locals */
	int binding;		/* libdwfl's preference: global 3, weak 2, local 1, other 0 */
	bool global;		/* in the first pass of libdwfl's search */
};

struct symindex {
	struct sized_symbol *sized;	/* by value, then order */
	size_t nsized;
	uint64_t *labels;	/* values of the sizeless symbols of the first pass, sorted */
	size_t nlabels;
	bool descriptors;	/* symbols name function descriptors: let libdwfl answer */
};

static int binding_value(const GElf_Sym *sym)
{
	switch (GELF_ST_BIND(sym->st_info)) {
	case STB_GLOBAL:
		return 3;
	case STB_WEAK:
		return 2;
	case STB_LOCAL:
		return 1;
	default:
		return 0;
	}
}

static int by_value_then_order(const void *a, const void *b)
{
	const struct sized_symbol *x = a, *y = b;

	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return (x->order > y->order) - (x->order < y->order);
}

static int by_address(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static int by_order(const void *a, const void *b)
{
	const struct sized_symbol *x = *(const struct sized_symbol *const *)a;
	const struct sized_symbol *y = *(const struct sized_symbol *const *)b;

	return (x->order > y->order) - (x->order < y->order);
}

/* Whether libdwfl's search considers the symbol at all. */
static bool eligible(const char *name, const GElf_Sym *sym)
{
	int type = GELF_ST_TYPE(sym->st_info);

	return name && name[0] && sym->st_shndx != SHN_UNDEF && type != STT_SECTION &&
	       type != STT_FILE && type != STT_TLS;
}

struct symindex *symindex_build(Dwfl_Module *mod)
{
	int count = dwfl_module_getsymtab(mod);
	int first_global = dwfl_module_getsymtab_first_global(mod);
	struct symindex *index;
	Dwarf_Addr bias;
	Elf *elf = dwfl_module_getelf(mod, &bias);
	GElf_Ehdr ehdr;
	size_t i;

	if (count <= 1 || first_global < 0 || !elf || !gelf_getehdr(elf, &ehdr))
		return NULL;
	index = calloc(1, sizeof(*index));
	if (!index)
		return NULL;
	/* On 64-bit PowerPC's first ABI a function symbol's value is a
	 * descriptor, which libdwfl resolves and tries both ways. */
	index->descriptors = ehdr.e_machine == EM_PPC64;
	index->sized = calloc((size_t)count, sizeof(*index->sized));
	index->labels = calloc((size_t)count, sizeof(*index->labels));
	if (!index->sized || !index->labels) {
		symindex_destroy(index);
		return NULL;
	}
	for (i = 1; i < (size_t)count; i++) {
		/* libdwfl's table has the locals first; a table of
		 * .dynsym alone (first_global 0) is searched in one pass. */
		bool global = first_global == 0 || i >= (size_t)first_global;
		struct sized_symbol *entry;
		GElf_Addr value;
		GElf_Sym sym;
		const char *name = dwfl_module_getsym_info(mod, (int)i, &sym, &value, NULL, NULL, NULL);

		if (!eligible(name, &sym))
			continue;
		if (sym.st_size == 0) {
			if (global)
				index->labels[index->nlabels++] = value;
			continue;
		}
		entry = &index->sized[index->nsized++];
		entry->value = value;
		entry->size = sym.st_size;
		entry->end = value + sym.st_size < value ? UINT64_MAX : value + sym.st_size;
		entry->name = name;
		entry->order = global ? i : (size_t)count + i;
		entry->binding = binding_value(&sym);
		entry->global = global;
	}
	qsort(index->sized, index->nsized, sizeof(*index->sized), by_value_then_order);
	qsort(index->labels, index->nlabels, sizeof(*index->labels), by_address);
	for (i = 0; i < index->nsized; i++) {
		uint64_t before = i ? index->sized[i - 1].reach : 0;

		index->sized[i].reach = index->sized[i].end > before ? index->sized[i].end : before;
	}
	return index;
}

void symindex_destroy(struct symindex *index)
{
	if (!index)
		return;
	free(index->sized);
	free(index->labels);
	free(index);
}

/* libdwfl's choice among the symbols of one pass that hold the address,
 * met in table order: a later start wins, or a stronger binding; at the
 * same start and binding, the smaller size. */
static const struct sized_symbol *choose(const struct sized_symbol *const *holders, size_t count,
					 bool global)
{
	const struct sized_symbol *best = NULL;
	size_t i;

	for (i = 0; i < count; i++) {
		const struct sized_symbol *s = holders[i];

		if (s->global != global)
			continue;
		if (!best || best->value < s->value || best->binding < s->binding ||
		    (best->value == s->value && best->binding == s->binding && best->size > s->size))
			best = s;
	}
	return best;
}

static bool is_label(const struct symindex *index, uint64_t pc)
{
	return bsearch(&pc, index->labels, index->nlabels, sizeof(*index->labels), by_address);
}

bool symindex_lookup(const struct symindex *index, uint64_t pc, const char **name,
		     uint64_t *offset)
{
	const struct sized_symbol *holders[HOLDERS_MAX], *best;
	size_t low = 0, high, count = 0;

	if (!index || index->descriptors)
		return false;
	high = index->nsized;
	while (low < high) {
		size_t mid = low + (high - low) / 2;

		if (index->sized[mid].value <= pc)
			low = mid + 1;
		else
			high = mid;
	}
	/* Every symbol sorted before LOW starts at or below PC; those whose
	 * reach ends at or below PC, and all before them, cannot hold it. */
	while (low > 0 && index->sized[low - 1].reach > pc) {
		const struct sized_symbol *s = &index->sized[--low];

		if (s->end <= pc)
			continue;
		if (count == HOLDERS_MAX)
			return false;
		holders[count++] = s;
	}
	qsort(holders, count, sizeof(*holders), by_order);
	best = choose(holders, count, true);
	/* libdwfl searches the locals only when no global holds PC, and not
	 * when a sizeless global label sits exactly at PC. */
	if (!best && !is_label(index, pc))
		best = choose(holders, count, false);
	if (!best)
		return false;
	*name = best->name;
	*offset = pc - best->value;
	return true;
}
