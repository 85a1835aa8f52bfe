/* memblock.c — boot memory regions (mm/memblock.c, much reduced).
 *
 * Invariant of each type: regions sorted by base, non-overlapping, and no
 * two adjacent regions touch (they are merged).
 */
#include <string.h>
#include "kmm/memblock.h"

void memblock_init(struct memblock *mb, phys_addr_t limit)
{
	memset(mb, 0, sizeof(*mb));
	mb->current_limit = limit;
}

static void remove_region(struct memblock_type *t, unsigned int i)
{
	memmove(&t->regions[i], &t->regions[i + 1],
		(t->cnt - i - 1) * sizeof(t->regions[0]));
	t->cnt--;
}

/* Insert [base, base+size), then merge overlapping or touching neighbours. */
static int add_range(struct memblock_type *t, phys_addr_t base,
		     phys_addr_t size)
{
	unsigned int i = 0;

	if (!size)
		return 0;
	if (t->cnt == MEMBLOCK_MAX_REGIONS)
		return -1;
	while (i < t->cnt && t->regions[i].base < base)
		i++;
	memmove(&t->regions[i + 1], &t->regions[i],
		(t->cnt - i) * sizeof(t->regions[0]));
	t->regions[i] = (struct memblock_region){base, size};
	t->cnt++;
	for (i = 0; i + 1 < t->cnt;) {
		struct memblock_region *a = &t->regions[i], *b = a + 1;
		if (a->base + a->size >= b->base) {
			phys_addr_t end = b->base + b->size;
			if (end > a->base + a->size)
				a->size = end - a->base;
			remove_region(t, i + 1);
		} else {
			i++;
		}
	}
	t->total_size = 0;
	for (i = 0; i < t->cnt; i++)
		t->total_size += t->regions[i].size;
	return 0;
}

int memblock_add(struct memblock *mb, phys_addr_t base, phys_addr_t size)
{
	return add_range(&mb->memory, base, size);
}

int memblock_reserve(struct memblock *mb, phys_addr_t base, phys_addr_t size)
{
	return add_range(&mb->reserved, base, size);
}

bool memblock_is_reserved(const struct memblock *mb, phys_addr_t addr)
{
	for (unsigned int i = 0; i < mb->reserved.cnt; i++) {
		const struct memblock_region *r = &mb->reserved.regions[i];
		if (addr >= r->base && addr < r->base + r->size)
			return true;
	}
	return false;
}

/* Free ranges = memory minus reserved, walked in ascending order. */
void memblock_for_each_free(const struct memblock *mb,
			    void (*fn)(void *arg, phys_addr_t s, phys_addr_t e),
			    void *arg)
{
	for (unsigned int m = 0; m < mb->memory.cnt; m++) {
		phys_addr_t s = mb->memory.regions[m].base;
		phys_addr_t e = s + mb->memory.regions[m].size;
		for (unsigned int r = 0; r < mb->reserved.cnt && s < e; r++) {
			const struct memblock_region *rr = &mb->reserved.regions[r];
			phys_addr_t rs = rr->base, re = rr->base + rr->size;
			if (re <= s || rs >= e)
				continue;
			if (rs > s)
				fn(arg, s, rs);
			s = re;
		}
		if (s < e)
			fn(arg, s, e);
	}
}

struct topdown {
	phys_addr_t size, align, limit, found;
};

static void topdown_fit(void *arg, phys_addr_t s, phys_addr_t e)
{
	struct topdown *t = arg;

	if (e > t->limit)
		e = t->limit;
	if (e < t->size)
		return;
	phys_addr_t cand = (e - t->size) & ~(t->align - 1);
	if (cand >= s && cand > t->found)
		t->found = cand;        /* highest fit wins: top-down */
}

phys_addr_t memblock_alloc(struct memblock *mb, phys_addr_t size,
			   phys_addr_t align)
{
	struct topdown t = {size, align ? align : 1, mb->current_limit, 0};

	memblock_for_each_free(mb, topdown_fit, &t);
	if (!t.found || memblock_reserve(mb, t.found, size))
		return 0;
	return t.found;
}
