/* buddy_check.c — the buddy allocator's invariant sweep.
 *
 * Every frame is accounted for exactly once: inside a free block on exactly
 * one free list, on one pcp list, inside a live allocation (page_owner
 * tracking), or reserved.  Free blocks are PageBuddy heads of the right
 * order, aligned, inside one zone, and no two free buddies stay unmerged.
 * Counters (nr_free per order, NR_FREE_PAGES, pcp count) match the lists.
 */
#include <string.h>
#include "internal.h"

enum { SEEN_NONE, SEEN_FREE_HEAD, SEEN_FREE, SEEN_PCP, SEEN_ALLOC, SEEN_RESERVED };
static const char *const seen_name[] = {"unaccounted", "a free block head",
					"inside a free block", "on a pcp list",
					"allocated", "reserved"};

static const uint8_t zeroes[1ul << (MAX_ORDER - 1)];

/* Marks n frames (n <= a max-order block) as seen; each once. */
static void mark(struct kmm *k, unsigned long pfn, unsigned long n, uint8_t what)
{
	uint8_t *s = &k->check_map[pfn];

	if (memcmp(s, zeroes, n)) {
		unsigned long i = 0;
		while (s[i] == SEEN_NONE)
			i++;
		kmm_bug(k, "buddy", "buddy_check: pfn 0x%05lx is both %s and %s",
			pfn + i, seen_name[s[i]], seen_name[what]);
	}
	memset(s, what == SEEN_FREE_HEAD ? SEEN_FREE : what, n);
	s[0] = what;
}

static void check_free_block(struct kmm *k, struct zone *z, struct page *p,
			     unsigned int order)
{
	unsigned long pfn = page_to_pfn(k, p);
	unsigned long end = z->zone_start_pfn + z->spanned_pages;

	if (!PageBuddy(p) || page_order(p) != order)
		kmm_bug(k, "buddy",
			"buddy_check: pfn 0x%05lx on the order-%u free list of %s "
			"is %s (mapcount %d, private %u)", pfn, order, z->name,
			PageBuddy(p) ? "PageBuddy of another order" : "not PageBuddy",
			p->_mapcount, p->private);
	if (pfn & ((1ul << order) - 1) || pfn < z->zone_start_pfn ||
	    pfn + (1ul << order) > end || page_zonenum(p) != z->idx)
		kmm_bug(k, "buddy",
			"buddy_check: free order-%u block at pfn 0x%05lx is misaligned "
			"or outside zone %s", order, pfn, z->name);
	if (p->_refcount != 0)
		kmm_bug(k, "buddy", "buddy_check: free pfn 0x%05lx has count %d",
			pfn, p->_refcount);
	mark(k, pfn, 1ul << order, SEEN_FREE_HEAD);
}

static unsigned long walk_list(struct kmm *k, struct zone *z,
			       struct list_head *head, const char *what,
			       void (*fn)(struct kmm *, struct zone *, struct page *,
					  unsigned int), unsigned int arg)
{
	unsigned long n = 0;

	for (struct list_head *l = head->next; l != head; l = l->next) {
		if (l->next->prev != l || ++n > k->layout.max_pfn)
			kmm_bug(k, "buddy", "buddy_check: %s list of %s is corrupt "
				"(broken link or cycle)", what, z->name);
		fn(k, z, lru_to_page(l), arg);
	}
	return n;
}

static void check_pcp_page(struct kmm *k, struct zone *z, struct page *p,
			   unsigned int mt)
{
	unsigned long pfn = page_to_pfn(k, p);

	if (page_zonenum(p) != z->idx || PageBuddy(p) || p->_refcount != 0 ||
	    !(p->sim & KMM_SIM_PCP) || p->private != mt)
		kmm_bug(k, "buddy",
			"buddy_check: pfn 0x%05lx on the %s pcp list %u is not a free "
			"order-0 page of that zone and type", pfn, z->name, mt);
	mark(k, pfn, 1, SEEN_PCP);
}

static void check_unmerged(struct kmm *k, struct zone *z)
{
	for (unsigned int o = 0; o < MAX_ORDER - 1; o++)
		for (int t = 0; t < MIGRATE_TYPES; t++) {
			struct list_head *h = &z->free_area[o].free_list[t];
			for (struct list_head *l = h->next; l != h; l = l->next) {
				unsigned long pfn = page_to_pfn(k, lru_to_page(l));
				unsigned long b = pfn ^ (1ul << o);
				if (b < z->zone_start_pfn ||
				    b >= z->zone_start_pfn + z->spanned_pages)
					continue;
				struct page *bp = &k->mem_map[b];
				if (PageBuddy(bp) && page_order(bp) == o)
					kmm_bug(k, "buddy",
						"buddy_check: free order-%u buddies at pfn "
						"0x%05lx and 0x%05lx are not merged", o, pfn, b);
			}
		}
}

static void check_zone(struct kmm *k, struct zone *z)
{
	long total = 0;

	for (unsigned int o = 0; o < MAX_ORDER; o++) {
		unsigned long n = 0;
		for (int t = 0; t < MIGRATE_TYPES; t++)
			n += walk_list(k, z, &z->free_area[o].free_list[t], "free",
				       check_free_block, o);
		if (n != z->free_area[o].nr_free)
			kmm_bug(k, "buddy",
				"buddy_check: %s order %u: nr_free %lu but %lu blocks "
				"on the lists", z->name, o, z->free_area[o].nr_free, n);
		total += (long)(n << o);
	}
	if (total != z->nr_free_pages)
		kmm_bug(k, "buddy",
			"buddy_check: %s: NR_FREE_PAGES %ld but %ld pages on the "
			"free lists", z->name, z->nr_free_pages, total);
	for (unsigned int c = 0; c < KMM_NR_CPUS; c++) {
		struct per_cpu_pages *pcp = &z->pcp[c];
		unsigned long n = 0;
		for (unsigned int t = 0; t < MIGRATE_PCPTYPES; t++)
			n += walk_list(k, z, &pcp->lists[t], "pcp", check_pcp_page, t);
		if ((long)n != pcp->count || (c >= k->cfg.nr_cpus && n))
			kmm_bug(k, "buddy",
				"buddy_check: %s cpu %u pcp count %d but %lu pages "
				"listed", z->name, c, pcp->count, n);
	}
	check_unmerged(k, z);
}

/* Allocated blocks and reserved frames; then nothing may be left over. */
static void check_frames(struct kmm *k)
{
	unsigned long max = k->layout.max_pfn;

	for (unsigned long pfn = 0; pfn < max; pfn++) {
		struct page *p = &k->mem_map[pfn];
		if (p->sim & KMM_SIM_ALLOCATED) {
			if (p->_refcount <= 0 || p->owner_order >= MAX_ORDER ||
			    pfn + (1ul << p->owner_order) > max)
				kmm_bug(k, "buddy",
					"buddy_check: allocated pfn 0x%05lx has count %d",
					pfn, p->_refcount);
			mark(k, pfn, 1ul << p->owner_order, SEEN_ALLOC);
		} else if (PageReserved(p)) {
			mark(k, pfn, 1, SEEN_RESERVED);
		} else if (PageBuddy(p) && k->check_map[pfn] != SEEN_FREE_HEAD) {
			kmm_bug(k, "buddy",
				"buddy_check: PageBuddy pfn 0x%05lx is on no free list", pfn);
		}
	}
	const uint8_t *left = memchr(k->check_map, SEEN_NONE, max);
	if (left)
		kmm_bug(k, "buddy",
			"buddy_check: pfn 0x%05lx is neither free, on a pcp "
			"list, allocated nor reserved: leaked",
			(unsigned long)(left - k->check_map));
}

void buddy_check(struct kmm *k)
{
	memset(k->check_map, SEEN_NONE, k->layout.max_pfn);
	for (int i = 0; i < MAX_NR_ZONES; i++)
		check_zone(k, &k->zones[i]);
	check_frames(k);
}
