/* page_alloc.c — zoned buddy allocator, after Linux 3.2 mm/page_alloc.c.
 *
 * Rules and their kernel functions: split = expand(), merge =
 * __free_one_page() with buddy = pfn ^ (1 << order), fallback and stealing
 * = __rmqueue_fallback(), pcp = buffered_rmqueue()/free_hot_cold_page(),
 * watermarks = __zone_watermark_ok().  Simplifications: see page_alloc.h.
 */
#include <string.h>
#include "internal.h"
#include "kasan.h"
#include "kmm/highmem.h"
#include "kmm/highmem.h"

/* Mutation testing (fuzz/mutation.cmake): a test copy of libkmm built with
 * -DKMM_MUTATION=N carries deliberate bug N (the "MUTATION N" blocks
 * below), to prove the oracle finds it.  Normal builds never define it. */
#ifndef KMM_MUTATION
#define KMM_MUTATION 0
#endif

#define ALLOC_WMARK_MIN WMARK_MIN
#define ALLOC_WMARK_LOW WMARK_LOW
#define ALLOC_WMARK_MASK 0x03

/* 3.2 fallbacks[], without MIGRATE_RESERVE */
static const int fallbacks[MIGRATE_TYPES][2] = {
	[MIGRATE_UNMOVABLE] = {MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE},
	[MIGRATE_RECLAIMABLE] = {MIGRATE_UNMOVABLE, MIGRATE_MOVABLE},
	[MIGRATE_MOVABLE] = {MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE},
};

/* ---- frames and addresses ---- */

bool pfn_valid(const struct kmm *k, unsigned long pfn)
{
	return pfn < k->layout.max_pfn;
}

struct page *pfn_to_page(struct kmm *k, unsigned long pfn)
{
	kmm_assert(k, pfn_valid(k, pfn));
	return &k->mem_map[pfn];
}

unsigned long page_to_pfn(const struct kmm *k, const struct page *page)
{
	return (unsigned long)(page - k->mem_map);
}

struct zone *page_zone(struct kmm *k, const struct page *page)
{
	return &k->zones[page_zonenum(page)];
}

bool PageHighMem(const struct kmm *k, const struct page *page)
{
	return page_to_pfn(k, page) >= k->layout.max_low_pfn;
}

vaddr_t page_address(const struct kmm *k, const struct page *page)
{
	unsigned long pfn = page_to_pfn(k, page);

	/* highmem: its pkmap address from the page_address hash, or 0 */
	return pfn < k->layout.max_low_pfn ? PAGE_OFFSET + (vaddr_t)(pfn << PAGE_SHIFT)
					   : pkmap_page_address(k, page);
}

bool virt_addr_valid(const struct kmm *k, vaddr_t va)
{
	return va >= PAGE_OFFSET && va < k->layout.high_memory;
}

phys_addr_t __pa(const struct kmm *k, vaddr_t va)
{
	(void)k;
	return (phys_addr_t)(va - PAGE_OFFSET);
}

vaddr_t __va(const struct kmm *k, phys_addr_t pa)
{
	(void)k;
	return (vaddr_t)pa + PAGE_OFFSET;
}

struct page *virt_to_page(struct kmm *k, vaddr_t va)
{
	if (!virt_addr_valid(k, va))
		kmm_bug(k, "buddy", "virt_to_page(0x%08x): not a lowmem address", va);
	return &k->mem_map[__pa(k, va) >> PAGE_SHIFT];
}

/* ---- GFP ---- */

int gfp_zone(gfp_t gfp)
{
	unsigned int z = gfp & (__GFP_DMA | __GFP_HIGHMEM | __GFP_DMA32);

	switch (z) {
	case 0:
	case __GFP_DMA32:       /* no ZONE_DMA32 on i386: OPT_ZONE_DMA32 */
		return ZONE_NORMAL;
	case __GFP_DMA:
#if KMM_MUTATION == 4   /* MUTATION 4: __GFP_DMA gets ZONE_NORMAL */
		return ZONE_NORMAL;
#endif
		return ZONE_DMA;
	case __GFP_HIGHMEM:     /* with __GFP_MOVABLE: ZONE_MOVABLE, empty */
		return ZONE_HIGHMEM;
	default:
		return -1;      /* GFP_ZONE_BAD */
	}
}

int gfpflags_to_migratetype(gfp_t gfp)
{
	if ((gfp & __GFP_MOVABLE) && (gfp & __GFP_RECLAIMABLE))
		return -1;
	return (((gfp & __GFP_MOVABLE) != 0) << 1) |
	       ((gfp & __GFP_RECLAIMABLE) != 0);
}

/* ---- pageblocks ---- */

unsigned int pageblock_order(const struct kmm *k)
{
	return k->pageblock_order;
}

bool page_group_by_mobility_disabled(const struct kmm *k)
{
	return k->mobility_disabled;
}

int get_pageblock_migratetype(const struct kmm *k, const struct page *page)
{
	return k->pageblock_mt[page_to_pfn(k, page) >> k->pageblock_order];
}

static void set_pageblock_migratetype(struct kmm *k, struct page *page, int mt)
{
	k->pageblock_mt[page_to_pfn(k, page) >> k->pageblock_order] = (uint8_t)mt;
}

/* ---- buddy bookkeeping ---- */

static void set_page_order(struct kmm *k, struct page *p, unsigned int order)
{
	page_touch(k, p);
	p->private = order;
	p->_mapcount = PAGE_BUDDY_MAPCOUNT_VALUE;
}

static void rmv_page_order(struct kmm *k, struct page *p)
{
	page_touch(k, p);
	p->_mapcount = -1;
	p->private = 0;
}

static bool page_is_buddy(struct kmm *k, struct page *page,
			  unsigned long buddy_pfn, unsigned int order)
{
	if (!pfn_valid(k, buddy_pfn))
		return false;
	struct page *buddy = &k->mem_map[buddy_pfn];
#if KMM_MUTATION == 1   /* MUTATION 1: merge ignores the buddy's order */
	return page_zonenum(buddy) == page_zonenum(page) && PageBuddy(buddy);
#endif
	return page_zonenum(buddy) == page_zonenum(page) && PageBuddy(buddy) &&
	       page_order(buddy) == order;
}

/* Merge with free buddies as far as possible, then queue the block.  3.2
 * queues it at the tail when the next-higher buddy is free too, so it is
 * likely to merge soon and is not handed out first. */
static void __free_one_page(struct kmm *k, struct zone *z, struct page *page,
			    unsigned int order, int mt)
{
	unsigned long pfn = page_to_pfn(k, page);

	kmm_assert(k, (pfn & ((1ul << order) - 1)) == 0);
	while (order < MAX_ORDER - 1) {
		unsigned long buddy_pfn = pfn ^ (1ul << order);
		if (!page_is_buddy(k, page, buddy_pfn, order))
			break;
		struct page *buddy = &k->mem_map[buddy_pfn];
		kmm_list_del(k, &buddy->lru);
		z->free_area[order].nr_free--;
		rmv_page_order(k, buddy);
		pfn &= buddy_pfn;
		page = &k->mem_map[pfn];
		order++;
	}
	set_page_order(k, page, order);
	struct list_head *list = &z->free_area[order].free_list[mt];
	if (order < MAX_ORDER - 2) {
		unsigned long combined = pfn & ~(1ul << order);
		unsigned long higher_buddy = combined ^ (1ul << (order + 1));
		if (page_is_buddy(k, &k->mem_map[combined], higher_buddy,
				  order + 1)) {
			kmm_list_add_tail(k, &page->lru, list);
			goto out;
		}
	}
	kmm_list_add(k, &page->lru, list);
out:
	z->free_area[order].nr_free++;
}

/* Hand back the upper halves of a split block: expand() */
static void expand(struct kmm *k, struct zone *z, struct page *page,
		   unsigned int low, unsigned int high, int mt)
{
	unsigned long size = 1ul << high;

	while (high > low) {
		high--;
		size >>= 1;
		kmm_list_add(k, &page[size].lru, &z->free_area[high].free_list[mt]);
		z->free_area[high].nr_free++;
		set_page_order(k, &page[size], high);
	}
}

static struct page *take_first(struct kmm *k, struct zone *z,
			       unsigned int order, int mt)
{
	struct list_head *l = &z->free_area[order].free_list[mt];
	struct page *page = lru_to_page(l->next);

	kmm_list_del(k, &page->lru);
	rmv_page_order(k, page);
	z->free_area[order].nr_free--;
	return page;
}

static struct page *__rmqueue_smallest(struct kmm *k, struct zone *z,
				       unsigned int order, int mt)
{
	for (unsigned int o = order; o < MAX_ORDER; o++) {
		if (list_empty(&z->free_area[o].free_list[mt]))
			continue;
		struct page *page = take_first(k, z, o, mt);
#if KMM_MUTATION == 3   /* MUTATION 3: the rest of a split block leaks */
		if (o > order) {
			z->nr_free_pages -= (1l << o) - (1l << order);
			return page;
		}
#endif
		expand(k, z, page, order, o, mt);
		return page;
	}
	return NULL;
}

/* move_freepages_block(): requeue every free block of the pageblock. */
static unsigned long move_freepages_block(struct kmm *k, struct zone *z,
					  struct page *page, int mt)
{
	unsigned long nr = 1ul << k->pageblock_order;
	unsigned long start = page_to_pfn(k, page) & ~(nr - 1), end = start + nr;
	unsigned long moved = 0;

	if (start < z->zone_start_pfn)
		start = page_to_pfn(k, page);
	if (end > z->zone_start_pfn + z->spanned_pages)
		return 0;
	for (unsigned long pfn = start; pfn < end;) {
		struct page *p = &k->mem_map[pfn];
		if (!PageBuddy(p)) {
			pfn++;
			continue;
		}
		unsigned int o = page_order(p);
		kmm_list_move(k, &p->lru, &z->free_area[o].free_list[mt]);
		pfn += 1ul << o;
		moved += 1ul << o;
	}
	return moved;
}

/* Steal from another migratetype, largest block first, and claim its
 * pageblock when the block is large (3.2 __rmqueue_fallback). */
static struct page *__rmqueue_fallback(struct kmm *k, struct zone *z,
				       unsigned int order, int start_mt)
{
	unsigned int pb = k->pageblock_order;

	for (int o = MAX_ORDER - 1; o >= (int)order; o--) {
		for (int i = 0; i < 2; i++) {
			int mt = fallbacks[start_mt][i];
			struct free_area *area = &z->free_area[o];
			if (list_empty(&area->free_list[mt]))
				continue;
			struct page *page = lru_to_page(area->free_list[mt].next);
			if ((unsigned)o >= pb / 2 || start_mt == MIGRATE_RECLAIMABLE ||
			    k->mobility_disabled) {
				unsigned long moved =
					move_freepages_block(k, z, page, start_mt);
				if (moved >= (1ul << (pb - 1)) || k->mobility_disabled)
					set_pageblock_migratetype(k, page, start_mt);
				mt = start_mt;
			}
			kmm_list_del(k, &page->lru);
			rmv_page_order(k, page);
			area->nr_free--;
			/* take ownership of every pageblock of a huge block */
			for (unsigned long b = 0; (unsigned)o >= pb && b < (1ul << (o - pb)); b++)
				set_pageblock_migratetype(k, page + (b << pb), start_mt);
			expand(k, z, page, order, (unsigned)o, mt);
			z->nr_extfrag++;
			return page;
		}
	}
	return NULL;
}

static struct page *__rmqueue(struct kmm *k, struct zone *z, unsigned int order,
			      int mt)
{
	struct page *page = __rmqueue_smallest(k, z, order, mt);

	return page ? page : __rmqueue_fallback(k, z, order, mt);
}

/* ---- checks at free and at allocation (free_pages_check, check_new_page) */

static _Noreturn void bad_page(struct kmm *k, struct page *p, const char *why)
{
	kmm_bug(k, "buddy",
		"Bad page state: %s\npage:pfn 0x%05lx flags:0x%08x count:%d "
		"mapcount:%d mapping:%p index:0x%x zone:%s",
		why, page_to_pfn(k, p), p->flags & ~(3u << ZONES_PGSHIFT),
		p->_refcount, p->_mapcount, p->mapping, p->index,
		page_zone(k, p)->name);
}

static void free_pages_check(struct kmm *k, struct page *p)
{
	if (p->_mapcount != -1)
		bad_page(k, p, "nonzero mapcount");
	if (p->mapping)
		bad_page(k, p, "non-NULL mapping");
	if (p->_refcount != 0)
		bad_page(k, p, "nonzero _count");
	if (p->flags & PAGE_FLAGS_CHECK_AT_FREE)
		bad_page(k, p, "PAGE_FLAGS_CHECK_AT_FREE flag(s) set");
	if (p->flags & PAGE_FLAGS_CHECK_AT_PREP) {
		page_touch(k, p);
		p->flags &= ~PAGE_FLAGS_CHECK_AT_PREP;
	}
}

static void check_new_page(struct kmm *k, struct page *p)
{
	if (p->_mapcount != -1)
		bad_page(k, p, "nonzero mapcount on allocation");
	if (p->mapping)
		bad_page(k, p, "non-NULL mapping on allocation");
	if (p->_refcount != 0)
		bad_page(k, p, "nonzero _count on allocation");
	if (p->flags & PAGE_FLAGS_CHECK_AT_PREP)
		bad_page(k, p, "PAGE_FLAGS_CHECK_AT_PREP flag(s) set on allocation");
}

static void destroy_compound_page(struct kmm *k, struct page *head,
				  unsigned int order)
{
	if (head->compound_order != order)
		bad_page(k, head, "compound page freed with the wrong order");
	page_touch(k, head);
	head->flags &= ~(1u << PG_head);
	head->compound_order = 0;
	for (unsigned long i = 1; i < (1ul << order); i++) {
		struct page *t = head + i;
		if (!PageTail(t) || t->first_page != head)
			bad_page(k, t, "compound tail does not point to its head");
		page_touch(k, t);
		t->flags &= ~(1u << PG_tail);
		t->first_page = NULL;
	}
}

static void free_pages_prepare(struct kmm *k, struct page *page,
			       unsigned int order)
{
	if (PageHead(page))
		destroy_compound_page(k, page, order);
	for (unsigned long i = 0; i < (1ul << order); i++)
		free_pages_check(k, page + i);
	page_touch(k, page);
	page->sim = (uint8_t)((page->sim & ~KMM_SIM_ALLOCATED) | KMM_SIM_FREED);
	kasan_free_pages(k, page, order);
	if (k->page_hook)       /* trace_mm_page_free */
		k->page_hook(k->page_hook_arg, KMM_PAGE_FREE, page_to_pfn(k, page),
			     order);
}

static void free_one_page(struct kmm *k, struct zone *z, struct page *page,
			  unsigned int order, int mt)
{
	__free_one_page(k, z, page, order, mt);
	z->nr_free_pages += 1l << order;
}

/* ---- per-CPU lists ---- */

/* Free count pages from the pcp lists, round-robin over migratetypes and
 * from the cold end (3.2 free_pcppages_bulk). */
static void free_pcppages_bulk(struct kmm *k, struct zone *z, int count,
			       struct per_cpu_pages *pcp)
{
	int mt = 0, batch_free = 0;

	if (count > pcp->count)
		count = pcp->count;
	while (count) {
		struct list_head *list;
		do {
			batch_free++;
			if (++mt == MIGRATE_PCPTYPES)
				mt = 0;
			list = &pcp->lists[mt];
		} while (list_empty(list));
		if (batch_free == MIGRATE_PCPTYPES)
			batch_free = count;     /* only this list is left */
		do {
			struct page *page = lru_to_page(list->prev);
			kmm_list_del(k, &page->lru);
			page->sim &= (uint8_t)~KMM_SIM_PCP;
#if KMM_MUTATION != 6   /* MUTATION 6: the pcp count is not decremented */
			pcp->count--;
#endif
			free_one_page(k, z, page, 0, (int)page->private);
		} while (--count && --batch_free && !list_empty(list));
	}
}

static void drain_cpu(struct kmm *k, unsigned int cpu)
{
	for (int i = 0; i < MAX_NR_ZONES; i++) {
		struct per_cpu_pages *pcp = &k->zones[i].pcp[cpu];
		if (pcp->count)
			free_pcppages_bulk(k, &k->zones[i], pcp->count, pcp);
	}
}

void drain_local_pages(struct kmm *k)
{
#if KMM_MUTATION == 7   /* MUTATION 7: drains CPU 0, not the current one */
	drain_cpu(k, 0);
	return;
#endif
	drain_cpu(k, k->cpu);
}

void drain_all_pages(struct kmm *k)
{
	for (unsigned int c = 0; c < k->cfg.nr_cpus; c++)
		drain_cpu(k, c);
}

static void free_hot_cold_page(struct kmm *k, struct page *page, bool cold)
{
	struct zone *z = page_zone(k, page);
	struct per_cpu_pages *pcp = &z->pcp[k->cpu];
	int mt = get_pageblock_migratetype(k, page);

	free_pages_prepare(k, page, 0);
	page->private = (uint32_t)mt;
	page->sim |= KMM_SIM_PCP;
	if (cold)
		kmm_list_add_tail(k, &page->lru, &pcp->lists[mt]);
	else
		kmm_list_add(k, &page->lru, &pcp->lists[mt]);
	pcp->count++;
	z->nr_free_calls++;
	if (pcp->count >= pcp->high)
		free_pcppages_bulk(k, z, pcp->batch, pcp);
}

static void __free_pages_ok(struct kmm *k, struct page *page, unsigned int order)
{
	struct zone *z = page_zone(k, page);

	free_pages_prepare(k, page, order);
	z->nr_free_calls++;
	free_one_page(k, z, page, order, get_pageblock_migratetype(k, page));
}

/* Refill the pcp list with batch pages, each after the previous one
 * (rmqueue_bulk). */
static int rmqueue_bulk(struct kmm *k, struct zone *z, int count,
			struct list_head *list, int mt, bool cold)
{
	int i;

	for (i = 0; i < count; i++) {
		struct page *page = __rmqueue(k, z, 0, mt);
		if (!page)
			break;
		if (cold)
			kmm_list_add_tail(k, &page->lru, list);
		else
			kmm_list_add(k, &page->lru, list);
		page->private = (uint32_t)mt;
		page->sim |= KMM_SIM_PCP;
		list = &page->lru;
	}
#if KMM_MUTATION == 5   /* MUTATION 5: a pcp refill counts one page */
	z->nr_free_pages -= i > 0;
	return i;
#endif
	z->nr_free_pages -= i;
	return i;
}

static struct page *buffered_rmqueue(struct kmm *k, struct zone *z,
				     unsigned int order, gfp_t gfp, int mt)
{
	bool cold = gfp & __GFP_COLD;
	struct page *page;

	if (order == 0) {
		struct per_cpu_pages *pcp = &z->pcp[k->cpu];
		struct list_head *list = &pcp->lists[mt];
		if (list_empty(list)) {
			pcp->count += rmqueue_bulk(k, z, pcp->batch, list, mt, cold);
			if (list_empty(list))
				return NULL;
		}
		page = lru_to_page(cold ? list->prev : list->next);
		kmm_list_del(k, &page->lru);
		page->sim &= (uint8_t)~KMM_SIM_PCP;
		pcp->count--;
	} else {
		page = __rmqueue(k, z, order, mt);
		if (!page)
			return NULL;
		z->nr_free_pages -= 1l << order;
	}
	z->nr_alloc++;
	return page;
}

static void prep_compound_page(struct kmm *k, struct page *page,
			       unsigned int order)
{
	page->flags |= 1u << PG_head;
	page->compound_order = (uint8_t)order;
	for (unsigned long i = 1; i < (1ul << order); i++) {
		struct page *t = page + i;
		page_touch(k, t);
		t->flags |= 1u << PG_tail;
		t->first_page = page;
	}
}

static void prep_new_page(struct kmm *k, struct page *page, unsigned int order,
			  gfp_t gfp)
{
	for (unsigned long i = 0; i < (1ul << order); i++)
		check_new_page(k, page + i);
	page_touch(k, page);
	page->private = 0;
	page->_refcount = 1;
	page->owner_order = (uint8_t)order;
	page->sim = (uint8_t)((page->sim & ~KMM_SIM_FREED) | KMM_SIM_ALLOCATED);
	kasan_alloc_pages(k, page, order);
	if (gfp & __GFP_ZERO)   /* prep_zero_page: clear_highpage via kmap_atomic */
#if KMM_MUTATION == 8   /* MUTATION 8: only the first page is cleared */
		for (unsigned long i = 0; i < 1; i++)
#else
		for (unsigned long i = 0; i < (1ul << order); i++)
#endif
			clear_highpage(k, page + i);
	if (order && (gfp & __GFP_COMP))
		prep_compound_page(k, page, order);
	if (k->page_hook)       /* trace_mm_page_alloc */
		k->page_hook(k->page_hook_arg, KMM_PAGE_ALLOC, page_to_pfn(k, page),
			     order);
}

void kmm_set_page_hook(struct kmm *k, kmm_page_hook_t fn, void *arg)
{
	k->page_hook = fn;
	k->page_hook_arg = arg;
}

/* ---- the allocator ---- */

bool zone_watermark_ok(const struct zone *z, unsigned int order,
		       unsigned long mark, int classzone_idx, int alloc_flags)
{
	long min = (long)mark;
	long free_pages = z->nr_free_pages - (1l << order) + 1;

	if (alloc_flags & ALLOC_HIGH)
		min -= min / 2;
	if (alloc_flags & ALLOC_HARDER)
		min -= min / 4;
	if (free_pages <= min + (long)z->lowmem_reserve[classzone_idx])
		return false;
	for (unsigned int o = 0; o < order; o++) {
		free_pages -= (long)(z->free_area[o].nr_free << o);
		min >>= 1;
		if (free_pages <= min)
			return false;
	}
	return true;
}

struct alloc_context {
	gfp_t gfp;
	unsigned int order;
	int high_zoneidx;       /* gfp_zone() */
	int preferred;          /* first populated zone of the zonelist */
	int mt;
};

/* Walk the zonelist (HIGHMEM, NORMAL, DMA, from the allowed top down). */
static struct page *get_page_from_freelist(struct kmm *k,
					   const struct alloc_context *ac,
					   int alloc_flags)
{
#if KMM_MUTATION == 10  /* MUTATION 10: the zonelist is walked from DMA up */
	for (int i = 0; i <= ac->preferred; i++) {
#else
	for (int i = ac->preferred; i >= 0; i--) {
#endif
		struct zone *z = &k->zones[i];
		if (!populated_zone(z))
			continue;
		unsigned long mark = z->watermark[alloc_flags & ALLOC_WMARK_MASK];
		if (!zone_watermark_ok(z, ac->order, mark, ac->preferred, alloc_flags))
			continue;
		struct page *page = buffered_rmqueue(k, z, ac->order, ac->gfp, ac->mt);
		if (page) {
			prep_new_page(k, page, ac->order, ac->gfp);
			return page;
		}
	}
	return NULL;
}

/* gfp_to_alloc_flags, then what is left of reclaim: drain and retry. */
static struct page *alloc_slowpath(struct kmm *k, const struct alloc_context *ac)
{
	bool wait = ac->gfp & __GFP_WAIT;
	int flags = ALLOC_WMARK_MIN | (ac->gfp & __GFP_HIGH ? ALLOC_HIGH : 0);
#if KMM_MUTATION == 9   /* MUTATION 9: __GFP_HIGH gets no ALLOC_HIGH */
	flags &= ~ALLOC_HIGH;
#endif

#if KMM_MUTATION == 2   /* MUTATION 2: blocking requests get ALLOC_HARDER */
	if (!(ac->gfp & __GFP_NOMEMALLOC))
		flags |= ALLOC_HARDER;
#else
	if (!wait && !(ac->gfp & __GFP_NOMEMALLOC))
		flags |= ALLOC_HARDER;
#endif
	struct page *page = get_page_from_freelist(k, ac, flags);
	if (page || !wait)
		return page;
	drain_all_pages(k);
	page = get_page_from_freelist(k, ac, flags);
	if (page || !(ac->gfp & __GFP_NOFAIL))
		return page;
	page = get_page_from_freelist(k, ac, ALLOC_WMARK_MIN | ALLOC_HIGH | ALLOC_HARDER);
	if (!page)
		kmm_bug(k, "buddy",
			"__GFP_NOFAIL order-%u allocation (gfp 0x%x) cannot be "
			"satisfied: the kernel would retry forever",
			ac->order, ac->gfp);
	return page;
}

/* fail_page_alloc: should_fail_alloc_page() */
static bool should_fail_alloc_page(struct kmm *k, gfp_t gfp, unsigned int order)
{
	struct kmm_fault_attr *a = &k->fail_page_alloc;

#if KMM_MUTATION == 11  /* MUTATION 11: min_order filter inverted */
	if (gfp & __GFP_NOFAIL || (a->min_order && order >= a->min_order))
		return false;
#else
	if (gfp & __GFP_NOFAIL || order < a->min_order)
		return false;
#endif
	if ((a->ignore_gfp_highmem && (gfp & __GFP_HIGHMEM)) ||
	    (a->ignore_gfp_wait && (gfp & __GFP_WAIT)))
		return false;
	return kmm_should_fail(a);
}

struct page *alloc_pages(struct kmm *k, gfp_t gfp, unsigned int order)
{
	struct alloc_context ac = {gfp, order, gfp_zone(gfp), -1,
				   gfpflags_to_migratetype(gfp)};

	if (ac.high_zoneidx < 0)
		kmm_bug(k, "buddy", "invalid GFP zone modifiers in gfp 0x%x", gfp);
	if (ac.mt < 0)
		kmm_bug(k, "buddy",
			"gfp 0x%x is both __GFP_MOVABLE and __GFP_RECLAIMABLE", gfp);
	if (order >= MAX_ORDER)
		return NULL;
	if (should_fail_alloc_page(k, gfp, order))
		return NULL;
	if (k->mobility_disabled)
		ac.mt = MIGRATE_UNMOVABLE;
	for (int i = ac.high_zoneidx; i >= 0 && ac.preferred < 0; i--)
		if (populated_zone(&k->zones[i]))
			ac.preferred = i;
	if (ac.preferred < 0)
		return NULL;
	struct page *page = get_page_from_freelist(k, &ac, ALLOC_WMARK_LOW);
	return page ? page : alloc_slowpath(k, &ac);
}

/* ---- freeing, with the bad-use diagnosis the kernel would only BUG on */

static struct page *containing_block(struct kmm *k, unsigned long pfn)
{
	for (unsigned int o = 1; o < MAX_ORDER; o++) {
		unsigned long h = pfn & ~((1ul << o) - 1);
		struct page *hp = &k->mem_map[h];
		if ((hp->sim & KMM_SIM_ALLOCATED) && hp->owner_order >= o)
			return hp;
	}
	return NULL;
}

static _Noreturn void bad_free(struct kmm *k, struct page *page,
			       unsigned int order)
{
	unsigned long pfn = page_to_pfn(k, page);
	struct page *head = containing_block(k, pfn);

	if (head)
		kmm_bug(k, "buddy",
			"freeing pfn 0x%05lx (order %u), which lies inside the "
			"order-%u block allocated at pfn 0x%05lx",
			pfn, order, head->owner_order, page_to_pfn(k, head));
	if (PageReserved(page))
		kmm_bug(k, "buddy", "freeing reserved pfn 0x%05lx (order %u)", pfn,
			order);
	if (page->sim & KMM_SIM_FREED)
		kmm_bug(k, "buddy", "double free of pfn 0x%05lx (order %u)%s", pfn,
			order, PageBuddy(page) ? ": it is on a free list"
			       : (page->sim & KMM_SIM_PCP) ? ": it is on a pcp list" : "");
	kmm_bug(k, "buddy",
		"freeing pfn 0x%05lx (order %u), which was never allocated", pfn,
		order);
}

static void check_free(struct kmm *k, struct page *page, unsigned int order)
{
	if (page < k->mem_map || page >= k->mem_map + k->layout.max_pfn)
		kmm_bug(k, "buddy", "freeing %p, which is not a struct page",
			(void *)page);
	if (order >= MAX_ORDER)
		kmm_bug(k, "buddy", "freeing pfn 0x%05lx with order %u >= MAX_ORDER",
			page_to_pfn(k, page), order);
	if (PageTail(page))
		kmm_bug(k, "buddy",
			"freeing tail pfn 0x%05lx of the compound page at pfn 0x%05lx",
			page_to_pfn(k, page), page_to_pfn(k, page->first_page));
	if (page->_refcount <= 0)
		bad_free(k, page, order);
	if ((page->sim & KMM_SIM_ALLOCATED) && page->owner_order != order &&
	    page->_refcount == 1)
		kmm_bug(k, "buddy",
			"freeing the order-%u block at pfn 0x%05lx with order %u",
			page->owner_order, page_to_pfn(k, page), order);
}

static bool put_page_testzero(struct kmm *k, struct page *page)
{
	page_touch(k, page);
	return --page->_refcount == 0;
}

void __free_pages(struct kmm *k, struct page *page, unsigned int order)
{
	check_free(k, page, order);
	if (!put_page_testzero(k, page))
		return;
	if (order == 0)
		free_hot_cold_page(k, page, false);
	else
		__free_pages_ok(k, page, order);
}

vaddr_t __get_free_pages(struct kmm *k, gfp_t gfp, unsigned int order)
{
	if (gfp & __GFP_HIGHMEM)
		kmm_bug(k, "buddy", "__get_free_pages() with __GFP_HIGHMEM (gfp 0x%x)",
			gfp);
	struct page *page = alloc_pages(k, gfp, order);
	return page ? page_address(k, page) : 0;
}

vaddr_t get_zeroed_page(struct kmm *k, gfp_t gfp)
{
	return __get_free_pages(k, gfp | __GFP_ZERO, 0);
}

void free_pages(struct kmm *k, vaddr_t addr, unsigned int order)
{
	if (addr)
		__free_pages(k, virt_to_page(k, addr), order);
}

void split_page(struct kmm *k, struct page *page, unsigned int order)
{
	if (PageCompound(page) || page->_refcount <= 0 ||
	    !(page->sim & KMM_SIM_ALLOCATED) || page->owner_order != order)
		kmm_bug(k, "buddy",
			"split_page(pfn 0x%05lx, order %u) of a page that is not a "
			"live non-compound order-%u block", page_to_pfn(k, page),
			order, order);
	for (unsigned long i = 0; i < (1ul << order); i++) {
		struct page *p = page + i;
		page_touch(k, p);
#if KMM_MUTATION != 12  /* MUTATION 12: tail pages keep count 0 */
		if (i)
			p->_refcount = 1;
#endif
		p->owner_order = 0;
		p->sim = (uint8_t)((p->sim & ~KMM_SIM_FREED) | KMM_SIM_ALLOCATED);
	}
}

void get_page(struct kmm *k, struct page *page)
{
	page = compound_head(page);
	if (page->_refcount <= 0)
		kmm_bug(k, "buddy", "get_page() on free pfn 0x%05lx",
			page_to_pfn(k, page));
	page_touch(k, page);
	page->_refcount++;
}

void put_page(struct kmm *k, struct page *page)
{
	page = compound_head(page);
	if (page->_refcount <= 0)
		bad_free(k, page, PageHead(page) ? page->compound_order : 0);
	if (!PageHead(page) && page->owner_order && page->_refcount == 1)
		kmm_bug(k, "buddy",
			"put_page() drops the last reference of the non-compound "
			"order-%u block at pfn 0x%05lx: only its first page would "
			"be freed", page->owner_order, page_to_pfn(k, page));
	if (!put_page_testzero(k, page))
		return;
	if (PageHead(page))
		__free_pages_ok(k, page, page->compound_order);
	else
		free_hot_cold_page(k, page, false);
}

/* ---- boot: zones, memmap, handing memblock's free memory over ---- */

static void zone_span(struct kmm *k, int i, unsigned long lo, unsigned long hi)
{
	static const char *const names[] = {"DMA", "Normal", "HighMem"};
	struct zone *z = &k->zones[i];
	unsigned long max = k->layout.max_pfn;

	lo = lo < max ? lo : max;
	hi = hi < max ? hi : max;
	z->name = names[i];
	z->idx = (enum zone_type)i;
	z->zone_start_pfn = lo;
	z->spanned_pages = hi > lo ? hi - lo : 0;
	/* 3.2 free_area_init_core: the memmap of the zone is not present */
	unsigned long memmap = PFN_UP(z->spanned_pages * 32ul);
	z->present_pages = z->spanned_pages >= memmap ? z->spanned_pages - memmap
						      : z->spanned_pages;
	for (int o = 0; o < MAX_ORDER; o++)
		for (int t = 0; t < MIGRATE_TYPES; t++)
			INIT_LIST_HEAD(&z->free_area[o].free_list[t]);
	for (int c = 0; c < KMM_NR_CPUS; c++)
		for (int t = 0; t < MIGRATE_PCPTYPES; t++)
			INIT_LIST_HEAD(&z->pcp[c].lists[t]);
}

/* zone_sizes_init + free_area_init_nodes + memmap_init_zone */
void zones_init(struct kmm *k)
{
	const struct kmm_layout *l = &k->layout;
	unsigned long dma_end = MAX_DMA_PFN;
	unsigned long normal_end = l->max_low_pfn > dma_end ? l->max_low_pfn : dma_end;

	zone_span(k, ZONE_DMA, 0, dma_end);
	zone_span(k, ZONE_NORMAL, dma_end, normal_end);
	zone_span(k, ZONE_HIGHMEM, normal_end, l->max_pfn);
	for (int i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &k->zones[i];
		for (unsigned long pfn = z->zone_start_pfn;
		     pfn < z->zone_start_pfn + z->spanned_pages; pfn++) {
			struct page *p = &k->mem_map[pfn];
			p->flags = (uint32_t)i << ZONES_PGSHIFT | 1u << PG_reserved;
			p->_refcount = 1;
			p->_mapcount = -1;
			INIT_LIST_HEAD(&p->lru);
		}
	}
	memset(k->pageblock_mt, MIGRATE_MOVABLE, k->nr_pageblocks);
	/* build_all_zonelists: 3.2 groups by mobility only on large enough
	 * machines (vm_total_pages counted over every zone) */
	unsigned long total = 0;
	for (int i = 0; i < MAX_NR_ZONES; i++)
		total += k->zones[i].present_pages;
	k->mobility_disabled =
		total < (1ul << k->pageblock_order) * KERNEL_MIGRATE_TYPES;
}

/* __free_pages_core: the frames become an ordinary free block. */
static void free_boot_block(struct kmm *k, unsigned long pfn, unsigned int order)
{
	struct page *page = &k->mem_map[pfn];
	struct zone *z = page_zone(k, page);

	for (unsigned long i = 0; i < (1ul << order); i++) {
		page[i].flags &= ~(1u << PG_reserved);
		page[i]._refcount = 0;
	}
	free_one_page(k, z, page, order, get_pageblock_migratetype(k, page));
	kasan_free_pages(k, page, order);
	k->boot.freed_pages += 1ul << order;
}

/* Modern memblock_free_all: lowmem in the largest aligned blocks; highmem
 * page by page, as i386 add_highpages_with_active_regions() does. */
static void free_range(void *arg, phys_addr_t s, phys_addr_t e)
{
	struct kmm *k = arg;
	unsigned long start = PFN_UP(s), end = PFN_DOWN(e);

	while (start < end) {
		if (start >= k->layout.max_low_pfn) {
			free_boot_block(k, start++, 0);
			continue;
		}
		unsigned long lim = end < k->layout.max_low_pfn ? end
							    : k->layout.max_low_pfn;
		unsigned int order = MAX_ORDER - 1;
		while ((start & ((1ul << order) - 1)) || start + (1ul << order) > lim)
			order--;
		free_boot_block(k, start, order);
		start += 1ul << order;
	}
}

void memblock_free_all(struct kmm *k)
{
	memblock_for_each_free(&k->memblock, free_range, k);
}

static unsigned long int_sqrt(unsigned long x)
{
	unsigned long r = 0;

	while ((r + 1) * (r + 1) <= x)
		r++;
	return r;
}

static unsigned long rounddown_pow_of_two(unsigned long n)
{
	unsigned long r = 1;

	while (r * 2 <= n)
		r *= 2;
	return r;
}

/* 3.2 zone_batchsize + setup_pageset */
static void setup_pageset(struct zone *z)
{
	unsigned long batch = z->present_pages / 1024;

	if (batch * PAGE_SIZE > 512 * 1024)
		batch = (512 * 1024) / PAGE_SIZE;
	batch /= 4;
	if (batch < 1)
		batch = 1;
	batch = rounddown_pow_of_two(batch + batch / 2) - 1;
	for (int c = 0; c < KMM_NR_CPUS; c++) {
		z->pcp[c].high = (int)(6 * batch);
		z->pcp[c].batch = batch > 1 ? (int)batch : 1;
	}
}

/* 3.2 setup_per_zone_lowmem_reserve, sysctl_lowmem_reserve_ratio */
static void setup_lowmem_reserve(struct kmm *k)
{
	static const unsigned long ratio[MAX_NR_ZONES] = {256, 32, 32};

	for (int j = 0; j < MAX_NR_ZONES; j++) {
		unsigned long present = k->zones[j].present_pages;
		k->zones[j].lowmem_reserve[j] = 0;
		for (int idx = j - 1; idx >= 0; idx--) {
			k->zones[idx].lowmem_reserve[j] = present / ratio[idx];
			present += k->zones[idx].present_pages;
		}
	}
}

/* init_per_zone_wmark_min + __setup_per_zone_wmarks (3.2). */
void setup_per_zone_wmarks(struct kmm *k)
{
	unsigned long lowmem = 0;

	for (int i = 0; i < MAX_NR_ZONES; i++)
		if (!is_highmem_idx(i))
			lowmem += k->zones[i].present_pages;
	if (k->cfg.min_free_kbytes) {
		k->min_free_kbytes = k->cfg.min_free_kbytes;
	} else {
		unsigned long m = int_sqrt(lowmem * (PAGE_SIZE >> 10) * 16);
		k->min_free_kbytes = m < 128 ? 128 : m > 65536 ? 65536 : m;
	}
	unsigned long pages_min = k->min_free_kbytes >> (PAGE_SHIFT - 10);
	for (int i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *z = &k->zones[i];
		unsigned long tmp = lowmem ? pages_min * z->present_pages / lowmem : 0;
		unsigned long min = tmp;
		if (is_highmem_idx(i)) {
			min = z->present_pages / 1024;
			min = min < 32 ? 32 : min > 128 ? 128 : min;   /* SWAP_CLUSTER_MAX */
		}
		z->watermark[WMARK_MIN] = min;
		z->watermark[WMARK_LOW] = min + (tmp >> 2);
		z->watermark[WMARK_HIGH] = min + (tmp >> 1);
		setup_pageset(z);
	}
	setup_lowmem_reserve(k);
}
