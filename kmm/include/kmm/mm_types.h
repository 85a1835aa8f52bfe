/* kmm/mm_types.h — struct page, the descriptor of one simulated frame.
 *
 * The memmap lives beside simulated RAM, in a host array, not inside it:
 * the host struct has host-sized pointers (so ASan bounds-checks every
 * access to it), and a reset can restore exactly the descriptors a run
 * touched from a boot snapshot.  The frames the 32-bit kernel would spend on
 * its 32-byte struct pages are still reserved by memblock at boot, so the
 * zone and watermark arithmetic is the kernel's.
 *
 * i386 has no WANT_PAGE_VIRTUAL: a highmem page's kmap address lives in the
 * page_address hash (highmem subsystem), not in struct page.
 */
#ifndef KMM_MM_TYPES_H
#define KMM_MM_TYPES_H

#include "types.h"

struct kmem_cache;

/* Page flag bits, numbered as in 3.2 include/linux/page-flags.h. */
enum pageflags {
	PG_locked,
	PG_error,
	PG_referenced,
	PG_uptodate,
	PG_dirty,
	PG_lru,
	PG_active,
	PG_slab,
	PG_owner_priv_1,
	PG_arch_1,
	PG_reserved,
	PG_private,
	PG_private_2,
	PG_writeback,
	PG_head,
	PG_tail,
	PG_swapcache,
	PG_mappedtodisk,
	PG_reclaim,
	PG_swapbacked,
	PG_unevictable,
	PG_mlocked,
	NR_PAGEFLAGS,
};

/* The zone number sits in the top bits of page->flags, as ZONES_PGSHIFT. */
#define ZONES_SHIFT 2
#define ZONES_PGSHIFT (32 - ZONES_SHIFT)

/* 3.2 mm/page_alloc.c: flags a page may not carry when it is freed. */
#define PAGE_FLAGS_CHECK_AT_FREE                                          \
	(1u << PG_lru | 1u << PG_locked | 1u << PG_private |              \
	 1u << PG_private_2 | 1u << PG_writeback | 1u << PG_reserved |    \
	 1u << PG_slab | 1u << PG_swapcache | 1u << PG_active |           \
	 1u << PG_unevictable | 1u << PG_mlocked)
/* ...and flags a page may not carry when it is handed out. */
#define PAGE_FLAGS_CHECK_AT_PREP ((1u << NR_PAGEFLAGS) - 1)

/* 3.2: a free buddy block's head has this _mapcount (PageBuddy). */
#define PAGE_BUDDY_MAPCOUNT_VALUE (-128)

/* Simulator-only state (page->sim): the reset undo log and page_owner-like
 * allocation tracking the kernel keeps in page_ext. */
enum {
	KMM_SIM_LOGGED = 1u << 0,     /* descriptor is in the reset undo log */
	KMM_SIM_RAM_DIRTY = 1u << 1,  /* frame contents written since boot */
	KMM_SIM_ALLOCATED = 1u << 2,  /* heads a live allocation of owner_order */
	KMM_SIM_FREED = 1u << 3,      /* has been freed since boot */
	KMM_SIM_PCP = 1u << 4,        /* sits on a per-CPU list */
	KMM_SIM_BOOT_FRAME = 1u << 5, /* boot wrote the frame: reset restores it */
};

struct page {
	uint32_t flags;         /* PG_* bits; zone in the top ZONES_SHIFT bits */
	int32_t _refcount;      /* 0 when free; tails of compound pages: 0 */
	int32_t _mapcount;      /* -1: unmapped; PageBuddy: -128 */
	uint32_t private;       /* buddy: order; pcp: migratetype */
	struct list_head lru;   /* free list, pcp list, slab partial list */
	union {
		struct {                        /* page cache / anon */
			void *mapping;
			uint32_t index;
		};
		struct page *first_page;        /* compound tail -> head */
		struct {                        /* slab page */
			struct kmem_cache *slab_cache;
			vaddr_t freelist;
			uint16_t inuse;
			uint16_t objects : 15;
			uint16_t frozen : 1;
		};
	};
	uint8_t compound_order; /* head of a compound page */
	uint8_t owner_order;    /* with KMM_SIM_ALLOCATED: order allocated */
	uint8_t sim;            /* KMM_SIM_* */
};

static inline bool PageFlag(const struct page *p, enum pageflags f)
{
	return p->flags & (1u << f);
}

static inline bool PageReserved(const struct page *p) { return PageFlag(p, PG_reserved); }
static inline bool PageHead(const struct page *p) { return PageFlag(p, PG_head); }
static inline bool PageTail(const struct page *p) { return PageFlag(p, PG_tail); }
static inline bool PageSlab(const struct page *p) { return PageFlag(p, PG_slab); }
static inline bool PageCompound(const struct page *p)
{
	return p->flags & (1u << PG_head | 1u << PG_tail);
}
static inline bool PageBuddy(const struct page *p)
{
	return p->_mapcount == PAGE_BUDDY_MAPCOUNT_VALUE;
}
static inline unsigned int page_order(const struct page *p)
{
	return p->private;      /* valid only with PageBuddy */
}
static inline unsigned int page_zonenum(const struct page *p)
{
	return p->flags >> ZONES_PGSHIFT;
}
static inline int page_count(const struct page *p)
{
	return p->_refcount;
}
static inline struct page *compound_head(struct page *p)
{
	return PageTail(p) ? p->first_page : p;
}

#endif
