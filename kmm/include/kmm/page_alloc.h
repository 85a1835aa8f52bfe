/* kmm/page_alloc.h — zones, GFP flags and the buddy page allocator.
 *
 * Modelled on Linux 3.2 mm/page_alloc.c (UMA, CONFIG_HIGHMEM):
 *  - zones DMA / NORMAL / HIGHMEM; the zonelist is the populated zones from
 *    the highest down, and an allocation scans zones <= gfp_zone(gfp);
 *  - MAX_ORDER 11 (orders 0..10), free lists per order and migratetype,
 *    fallback and pageblock stealing as __rmqueue_fallback;
 *  - watermarks min/low/high, lowmem_reserve, ALLOC_HIGH / ALLOC_HARDER;
 *  - per-CPU lists for order 0 with batch/high as zone_batchsize.
 * Simplifications (said once, here):
 *  - ZONE_MOVABLE is always empty and MIGRATE_RESERVE / MIGRATE_ISOLATE are
 *    not modelled; there is no reclaim, compaction or OOM killer;
 *  - a blocking allocation that fails drains every per-CPU list and retries
 *    once (what direct reclaim ends with in 4.x+ kernels);
 *  - __GFP_NOFAIL then gets the reserves (ALLOC_HIGH|ALLOC_HARDER) as modern
 *    kernels give it; if even that fails the kernel would loop forever, and
 *    the simulator reports a bug instead of hanging;
 *  - allocation order is tracked per block (as CONFIG_PAGE_OWNER does), so a
 *    free with the wrong order is reported even for non-compound blocks.
 */
#ifndef KMM_PAGE_ALLOC_H
#define KMM_PAGE_ALLOC_H

#include "mm_types.h"

struct kmm;

/* GFP bits with their 3.2 values (include/linux/gfp.h). */
#define __GFP_DMA 0x01u
#define __GFP_HIGHMEM 0x02u
#define __GFP_DMA32 0x04u
#define __GFP_MOVABLE 0x08u
#define __GFP_WAIT 0x10u
#define __GFP_HIGH 0x20u
#define __GFP_IO 0x40u
#define __GFP_FS 0x80u
#define __GFP_COLD 0x100u
#define __GFP_NOWARN 0x200u
#define __GFP_REPEAT 0x400u
#define __GFP_NOFAIL 0x800u
#define __GFP_NORETRY 0x1000u
#define __GFP_COMP 0x4000u
#define __GFP_ZERO 0x8000u
#define __GFP_NOMEMALLOC 0x10000u
#define __GFP_HARDWALL 0x20000u
#define __GFP_RECLAIMABLE 0x80000u
#define __GFP_BITS_MASK 0xfffffu

#define GFP_NOWAIT 0u
#define GFP_ATOMIC (__GFP_HIGH)
#define GFP_NOIO (__GFP_WAIT)
#define GFP_NOFS (__GFP_WAIT | __GFP_IO)
#define GFP_KERNEL (__GFP_WAIT | __GFP_IO | __GFP_FS)
#define GFP_USER (__GFP_WAIT | __GFP_IO | __GFP_FS | __GFP_HARDWALL)
#define GFP_HIGHUSER (GFP_USER | __GFP_HIGHMEM)
#define GFP_HIGHUSER_MOVABLE (GFP_HIGHUSER | __GFP_MOVABLE)
#define GFP_DMA (__GFP_DMA)

enum zone_type { ZONE_DMA, ZONE_NORMAL, ZONE_HIGHMEM, MAX_NR_ZONES };

/* 3.2 numbering; MIGRATE_RESERVE and MIGRATE_ISOLATE are not modelled. */
enum {
	MIGRATE_UNMOVABLE,
	MIGRATE_RECLAIMABLE,
	MIGRATE_MOVABLE,
	MIGRATE_PCPTYPES,
	MIGRATE_TYPES = MIGRATE_PCPTYPES,
};
/* 3.2 counts five types when it decides to group by mobility. */
#define KERNEL_MIGRATE_TYPES 5

#define MAX_ORDER 11
enum zone_watermarks { WMARK_MIN, WMARK_LOW, WMARK_HIGH, NR_WMARK };

struct free_area {
	struct list_head free_list[MIGRATE_TYPES];
	unsigned long nr_free;          /* blocks of this order, all types */
};

struct per_cpu_pages {
	int count;                      /* pages on all lists */
	int high;                       /* drain batch pages at this count */
	int batch;
	struct list_head lists[MIGRATE_PCPTYPES];
};

/* Zone invariants (buddy_check):
 *   nr_free_pages == sum over o of free_area[o].nr_free << o
 *   free_area[o].nr_free == entries on free_area[o].free_list[*]
 *   pcp[c].count == entries on pcp[c].lists[*]                          */
struct zone {
	const char *name;
	enum zone_type idx;
	unsigned long zone_start_pfn;
	unsigned long spanned_pages;
	unsigned long present_pages;    /* spanned - memmap pages (3.2) */
	unsigned long watermark[NR_WMARK];
	unsigned long lowmem_reserve[MAX_NR_ZONES];
	long nr_free_pages;             /* vm_stat[NR_FREE_PAGES] */
	unsigned long nr_extfrag;       /* fallback steals (mm_page_alloc_extfrag) */
	unsigned long nr_alloc, nr_free_calls;
	struct free_area free_area[MAX_ORDER];
	struct per_cpu_pages pcp[KMM_NR_CPUS];
};

static inline bool populated_zone(const struct zone *z)
{
	return z->present_pages != 0;
}

/* The zone an allocation with this mask may go up to (GFP_ZONE_TABLE);
 * -1 for the invalid combinations the kernel BUGs on. */
int gfp_zone(gfp_t gfp);
/* allocflags_to_migratetype (mobility grouping on). */
int gfpflags_to_migratetype(gfp_t gfp);

/* ---- frames and addresses ---- */
struct page *pfn_to_page(struct kmm *k, unsigned long pfn);
unsigned long page_to_pfn(const struct kmm *k, const struct page *page);
bool pfn_valid(const struct kmm *k, unsigned long pfn);
struct zone *page_zone(struct kmm *k, const struct page *page);
bool PageHighMem(const struct kmm *k, const struct page *page);
/* Direct-map address of a lowmem page; a highmem page's pkmap address
 * while kmap()ed (the page_address hash, highmem.h), else 0. */
vaddr_t page_address(const struct kmm *k, const struct page *page);
/* __pa / __va: lowmem direct map only. */
phys_addr_t __pa(const struct kmm *k, vaddr_t va);
vaddr_t __va(const struct kmm *k, phys_addr_t pa);
struct page *virt_to_page(struct kmm *k, vaddr_t va);
bool virt_addr_valid(const struct kmm *k, vaddr_t va);

/* ---- allocation API, kernel names; each takes the machine ---- */
struct page *alloc_pages(struct kmm *k, gfp_t gfp, unsigned int order);
#define alloc_page(k, gfp) alloc_pages(k, gfp, 0)
void __free_pages(struct kmm *k, struct page *page, unsigned int order);
#define __free_page(k, page) __free_pages(k, page, 0)
vaddr_t __get_free_pages(struct kmm *k, gfp_t gfp, unsigned int order);
#define __get_free_page(k, gfp) __get_free_pages(k, gfp, 0)
vaddr_t get_zeroed_page(struct kmm *k, gfp_t gfp);
void free_pages(struct kmm *k, vaddr_t addr, unsigned int order);
#define free_page(k, addr) free_pages(k, addr, 0)
void split_page(struct kmm *k, struct page *page, unsigned int order);
void get_page(struct kmm *k, struct page *page);
void put_page(struct kmm *k, struct page *page);
void drain_local_pages(struct kmm *k);
void drain_all_pages(struct kmm *k);

/* Page events, where the kernel's tracepoints mm_page_alloc and
 * mm_page_free fire: a block handed out (after prep_new_page) and a block
 * whose last reference went (free_pages_prepare, before it reaches a pcp
 * or free list).  One observer per machine (the oracle); NULL: none. */
enum kmm_page_event { KMM_PAGE_ALLOC, KMM_PAGE_FREE };
typedef void (*kmm_page_hook_t)(void *arg, enum kmm_page_event ev,
				unsigned long pfn, unsigned int order);
void kmm_set_page_hook(struct kmm *k, kmm_page_hook_t fn, void *arg);

/* __zone_watermark_ok as 3.2 (alloc_flags: ALLOC_HIGH, ALLOC_HARDER). */
#define ALLOC_HARDER 0x10
#define ALLOC_HIGH 0x20
bool zone_watermark_ok(const struct zone *z, unsigned int order,
		       unsigned long mark, int classzone_idx, int alloc_flags);

/* Pageblock migratetype (pageblock_order: 10, or 9 with PAE). */
int get_pageblock_migratetype(const struct kmm *k, const struct page *page);
unsigned int pageblock_order(const struct kmm *k);
bool page_group_by_mobility_disabled(const struct kmm *k);

/* The sweep: every invariant of the zones, free lists, pcp lists and the
 * frame accounting; a violation is a kmm_bug(). */
void buddy_check(struct kmm *k);

#endif
