/* internal.h — the machine's private state and the inline helpers every
 * kmm/ file shares.
 *
 * Reset invariant: every write to a struct page goes through page_touch()
 * (or the kmm_list_* helpers, which touch every node they link), and every
 * write to a frame goes through kmm_frame_w().  kmm_reset() then restores
 * exactly the logged descriptors and frames from the boot snapshot, and
 * copies the small per-zone state wholesale.
 */
#ifndef KMM_INTERNAL_H
#define KMM_INTERNAL_H

#include "kmm/kmm.h"
#include "kmm/memblock.h"

/* Invariants that hold by construction: a failure is a simulator bug. */
#define kmm_assert(k, cond)                                                 \
	do {                                                                \
		if (!(cond))                                                \
			kmm_bug((k), "kmm", "assertion '%s' failed at %s:%d", \
				#cond, __FILE__, __LINE__);                 \
	} while (0)

struct kmm_boot_frame {                 /* a frame written during boot */
	unsigned long pfn;
	uint8_t *data;                  /* its contents at the end of boot */
};

struct kmm {
	struct kmm_config cfg;
	struct kmm_layout layout;
	struct kmm_boot_stats boot;
	unsigned long min_free_kbytes;
	bool mobility_disabled;
	unsigned int pageblock_order;
	unsigned int cpu;               /* the current simulated CPU */

	uint8_t *ram;                   /* max_pfn frames, MAP_NORESERVE */
	size_t ram_len;
	struct page *mem_map;           /* max_pfn descriptors */
	struct page *boot_map;          /* mem_map at the end of boot */
	size_t map_len;
	uint8_t *pageblock_mt;          /* migratetype per pageblock */
	uint8_t *boot_pageblock_mt;
	size_t nr_pageblocks;

	struct zone zones[MAX_NR_ZONES];
	struct zone boot_zones[MAX_NR_ZONES];
	struct memblock memblock;

	unsigned long *log;             /* pfns whose descriptor was touched */
	unsigned long nr_log;
	struct kmm_boot_frame *boot_frames;
	unsigned long nr_boot_frames;
	bool booted;

	struct kmm_fault_attr fail_page_alloc;
	uint8_t *check_map;             /* scratch for buddy_check, per pfn */
	struct slab_state *slab;        /* slab.c: caches, kmalloc, failslab */
	struct kmm_mmu *mmu;            /* mmu.c: page tables, TLBs, mms */
	struct vmalloc_state *vmalloc;  /* vmalloc.c: vmap areas */
	struct highmem_state *highmem;  /* highmem.c: pkmap, kmap_atomic */
	struct kasan_state *kasan;      /* kasan.c: shadow of RAM (ASan) */

	long op_index;
	char op_text[160];
	kmm_bug_hook_t bug_hook;
	void *bug_arg;
	kmm_page_hook_t page_hook;      /* page_alloc.c: mm_page_alloc/free */
	void *page_hook_arg;
};

/* ---- the undo log ---- */
static inline void page_touch(struct kmm *k, struct page *p)
{
	if (!(p->sim & KMM_SIM_LOGGED)) {
		p->sim |= KMM_SIM_LOGGED;
		k->log[k->nr_log++] = (unsigned long)(p - k->mem_map);
	}
}

/* A list node is either a struct page's lru or a head in kmm state that a
 * reset copies wholesale; only the former needs logging. */
static inline void lru_touch(struct kmm *k, struct list_head *l)
{
	char *c = (char *)l, *base = (char *)k->mem_map;

	if (c >= base && c < base + k->layout.max_pfn * sizeof(struct page))
		page_touch(k, kmm_container_of(l, struct page, lru));
}

static inline void kmm_list_insert(struct kmm *k, struct list_head *n,
				   struct list_head *prev,
				   struct list_head *next)
{
	lru_touch(k, n);
	lru_touch(k, prev);
	lru_touch(k, next);
	next->prev = n;
	n->next = next;
	n->prev = prev;
	prev->next = n;
}

static inline void kmm_list_add(struct kmm *k, struct list_head *n,
				struct list_head *head)
{
	kmm_list_insert(k, n, head, head->next);
}

static inline void kmm_list_add_tail(struct kmm *k, struct list_head *n,
				     struct list_head *head)
{
	kmm_list_insert(k, n, head->prev, head);
}

static inline void kmm_list_del(struct kmm *k, struct list_head *e)
{
	lru_touch(k, e);
	lru_touch(k, e->prev);
	lru_touch(k, e->next);
	e->next->prev = e->prev;
	e->prev->next = e->next;
	e->next = e->prev = NULL;
}

static inline void kmm_list_move(struct kmm *k, struct list_head *e,
				 struct list_head *head)
{
	kmm_list_del(k, e);
	kmm_list_add(k, e, head);
}

static inline struct page *lru_to_page(struct list_head *l)
{
	return kmm_container_of(l, struct page, lru);
}

static inline bool is_highmem_idx(int idx)
{
	return idx == ZONE_HIGHMEM;
}

/* ---- cross-file entry points (boot) ---- */
/* page_alloc.c */
void zones_init(struct kmm *k);
void memblock_free_all(struct kmm *k);
void setup_per_zone_wmarks(struct kmm *k);
void buddy_reset_scratch(struct kmm *k);
/* slab_common.c */
void kmem_cache_init(struct kmm *k);
void slab_reset(struct kmm *k);
void slab_exit(struct kmm *k);
/* mmu.c */
void mmu_init(struct kmm *k);
void mmu_reset(struct kmm *k);
void mmu_destroy(struct kmm *k);
/* vmalloc.c, highmem.c */
void vmalloc_init(struct kmm *k);
void vmalloc_reset(struct kmm *k);
void vmalloc_destroy(struct kmm *k);
void highmem_init(struct kmm *k);
void highmem_reset(struct kmm *k);
void highmem_destroy(struct kmm *k);

#endif
