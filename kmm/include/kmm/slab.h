/* kmm/slab.h — the SLUB slab allocator and kmalloc.
 *
 * Modelled kernel: SLUB of Linux 6.6 (mm/slub.c, mm/slab_common.c,
 * mm/slab.h, include/linux/slab.h) on the simulated i386 machine
 * (sizeof(void *) = 4, ARCH_KMALLOC_MINALIGN = ARCH_SLAB_MINALIGN = 8,
 * cache_line_size() = 64, CONFIG_SLUB_DEBUG, CONFIG_SLUB_CPU_PARTIAL,
 * CONFIG_STACKDEPOT, CONFIG_ZONE_DMA, no CONFIG_MEMCG_KMEM, no KASAN/KFENCE).
 * Rules kept exactly: kmalloc size classes (kmalloc_index), object layout
 * (calculate_sizes: free pointer at ALIGN_DOWN(object_size / 2, 4), or after
 * the object with a ctor / SLAB_POISON / SLAB_TYPESAFE_BY_RCU / a red zone
 * on a tiny object / kmalloc orig_size tracking), slab order
 * (calculate_order with min_objects from the machine's CPU count), the
 * per-CPU slab + lockless freelist, the per-CPU partial list (frozen slabs,
 * cpu_partial_slabs), the node partial list and min_partial, the debug-cache
 * paths (no CPU slabs, alloc/free under the list lock), the debug bytes and
 * the SLUB_DEBUG reports, cache merging (find_mergeable), failslab.
 *
 * Simplifications (said once, here):
 *  - one memory node (UMA); struct kmem_cache and its per-CPU and per-node
 *    data are host structures, not objects of "kmem_cache" /
 *    "kmem_cache_node" caches in simulated memory;
 *  - SLAB_TYPESAFE_BY_RCU shapes the layout and forbids merging, but the
 *    RCU grace period before an empty slab goes back to the page allocator
 *    is taken to have elapsed at once;
 *  - no freelist randomization (CONFIG_SLAB_FREELIST_RANDOM off), no memcg
 *    accounting (SLAB_ACCOUNT is only a merge key), no pfmemalloc slabs,
 *    no init_on_alloc / init_on_free, no slub_debug=O or per-cache
 *    slub_debug lists; SLAB_TRACE makes a debug cache but traces nothing;
 *  - CONFIG_SLAB_FREELIST_HARDENED is a machine option; its per-cache secret
 *    s->random is derived from the cache name and creation number, not from
 *    get_random_long(), so runs are deterministic;
 *  - struct track holds the op number (kmm_set_op) as its caller address
 *    and a slab event counter as `when`;
 *  - the kernel only WARNs about some misuse (kmem_cache_free into the
 *    wrong cache, bad gfp flags, destroying a cache with objects, a
 *    __GFP_ZERO allocation from a cache with a ctor); the simulator reports
 *    all misuse through kmm_bug().  It also catches, for every cache, what
 *    only KASAN would: double free, free of a pointer that is not an object
 *    start, a corrupted free pointer met on the alloc/free paths;
 *  - full slabs of every cache sit on the node's `full` list (the kernel
 *    keeps that list only with SLAB_STORE_USER), so slab_check() can see
 *    every slab; validate_slab_cache() still walks it only with STORE_USER.
 */
#ifndef KMM_SLAB_H
#define KMM_SLAB_H

#include <stdio.h>
#include "kmm.h"

struct kmm;
typedef uint32_t slab_flags_t;

/* include/linux/slab.h (6.6) flag values */
#define SLAB_CONSISTENCY_CHECKS 0x00000100u  /* DEBUG: checks on alloc/free */
#define SLAB_RED_ZONE 0x00000400u            /* DEBUG: red zones */
#define SLAB_POISON 0x00000800u              /* DEBUG: poison objects */
#define SLAB_KMALLOC 0x00001000u             /* a kmalloc cache */
#define SLAB_HWCACHE_ALIGN 0x00002000u       /* align objects on cache lines */
#define SLAB_CACHE_DMA 0x00004000u           /* use GFP_DMA memory */
#define SLAB_CACHE_DMA32 0x00008000u
#define SLAB_STORE_USER 0x00010000u          /* DEBUG: store the last owner */
#define SLAB_RECLAIM_ACCOUNT 0x00020000u     /* __GFP_RECLAIMABLE slabs */
#define SLAB_PANIC 0x00040000u               /* a failed create is a bug */
#define SLAB_TYPESAFE_BY_RCU 0x00080000u
#define SLAB_TRACE 0x00200000u
#define SLAB_NOLEAKTRACE 0x00800000u
#define SLAB_NO_MERGE 0x01000000u
#define SLAB_FAILSLAB 0x02000000u            /* failslab cache_filter target */
#define SLAB_ACCOUNT 0x04000000u
#define SLAB_NO_USER_FLAGS 0x10000000u       /* ignore the slub_debug option */

#define SLAB_DEBUG_FLAGS                                                      \
	(SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER | SLAB_TRACE |         \
	 SLAB_CONSISTENCY_CHECKS)
/* slub_debug with no letters: F Z P U */
#define DEBUG_DEFAULT_FLAGS                                                   \
	(SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER)

/* include/linux/poison.h */
#define POISON_INUSE 0x5a       /* a new slab, and padding */
#define POISON_FREE 0x6b        /* a free (or fresh) object */
#define POISON_END 0xa5         /* last byte of a poisoned object */
#define SLUB_RED_INACTIVE 0xbb  /* red zone of a free object */
#define SLUB_RED_ACTIVE 0xcc    /* red zone of an allocated object */

/* kmalloc: i386, KMALLOC_MIN_SIZE 8, caches up to 2 pages */
#define KMALLOC_MIN_SIZE 8u
#define KMALLOC_SHIFT_LOW 3
#define KMALLOC_SHIFT_HIGH (PAGE_SHIFT + 1)
#define KMALLOC_MAX_CACHE_SIZE (1u << KMALLOC_SHIFT_HIGH)
#define KMALLOC_SHIFT_MAX (MAX_ORDER - 1 + PAGE_SHIFT)
#define KMALLOC_MAX_SIZE (1u << KMALLOC_SHIFT_MAX)      /* 4 MiB */
#define ZERO_SIZE_PTR ((vaddr_t)16)
#define ZERO_OR_NULL_PTR(x) ((vaddr_t)(x) <= ZERO_SIZE_PTR)
#define MAX_OBJS_PER_PAGE 32767u
#define SLUB_MIN_PARTIAL 5
#define SLUB_MAX_PARTIAL 10
#define SLUB_CACHE_LINE 64u     /* cache_line_size() */

enum kmalloc_cache_type {
	KMALLOC_NORMAL,
	KMALLOC_RECLAIM,        /* "kmalloc-rcl-N": __GFP_RECLAIMABLE */
	KMALLOC_DMA,            /* "dma-kmalloc-N": __GFP_DMA */
	NR_KMALLOC_TYPES,
};

/* CONFIG_SLUB_STATS counters, per CPU (mm/slub.c enum stat_item) */
enum stat_item {
	ALLOC_FASTPATH,
	ALLOC_SLOWPATH,
	FREE_FASTPATH,
	FREE_SLOWPATH,
	FREE_FROZEN,
	FREE_ADD_PARTIAL,
	FREE_REMOVE_PARTIAL,
	ALLOC_FROM_PARTIAL,
	ALLOC_SLAB,
	ALLOC_REFILL,
	ALLOC_NODE_MISMATCH,
	FREE_SLAB,
	CPUSLAB_FLUSH,
	DEACTIVATE_FULL,
	DEACTIVATE_EMPTY,
	DEACTIVATE_TO_HEAD,
	DEACTIVATE_TO_TAIL,
	DEACTIVATE_REMOTE_FREES,
	DEACTIVATE_BYPASS,
	ORDER_FALLBACK,
	CMPXCHG_DOUBLE_CPU_FAIL,
	CMPXCHG_DOUBLE_FAIL,
	CPU_PARTIAL_ALLOC,
	CPU_PARTIAL_FREE,
	CPU_PARTIAL_NODE,
	CPU_PARTIAL_DRAIN,
	NR_SLUB_STAT_ITEMS
};

/* A constructor gets the machine and the object's kernel address. */
typedef void (*kmem_ctor_t)(struct kmm *k, vaddr_t object);

/* Per-CPU state: the active slab, its lockless freelist (objects the slab
 * counts as in use), and the frozen partial slabs (linked through
 * page->lru, most recently added first). */
struct kmem_cache_cpu {
	vaddr_t freelist;
	unsigned long tid;
	struct page *slab;
	struct list_head partial;
	unsigned int partial_slabs;
	unsigned int stat[NR_SLUB_STAT_ITEMS];
};

struct kmem_cache_node {
	unsigned long nr_partial;
	struct list_head partial;       /* unfrozen slabs with free objects */
	unsigned long nr_slabs;         /* every slab of the cache */
	unsigned long total_objects;
	struct list_head full;          /* unfrozen slabs with none free */
};

/* A cache.  Callers read the fields (kernel names) and never write them. */
struct kmem_cache {
	char name[64];
	slab_flags_t flags;
	unsigned int object_size;       /* requested size (grows on merge) */
	unsigned int size;              /* slot size, metadata included */
	unsigned int offset;            /* free pointer offset in the object */
	unsigned int inuse;             /* object + right red zone */
	unsigned int align;
	unsigned int red_left_pad;
	unsigned int oo_order, oo_objects;      /* s->oo */
	unsigned int min_order, min_objects;    /* s->min: fallback order */
	unsigned long min_partial;
	unsigned int cpu_partial;       /* objects */
	unsigned int cpu_partial_slabs;
	gfp_t allocflags;
	uint32_t random;                /* freelist hardening secret */
	unsigned int useroffset, usersize;
	int refcount;                   /* > 1: merged aliases */
	kmem_ctor_t ctor;
	struct kmem_cache_cpu cpu_slab[KMM_NR_CPUS];
	struct kmem_cache_node node;    /* node 0, the only node */
	/* simulator bookkeeping */
	unsigned int id;                /* creation number */
	bool boot;                      /* created during boot */
	bool dead;                      /* a boot cache destroyed since reset */
	bool dirty;                     /* changed since boot (has boot_copy) */
	struct kmem_cache *boot_copy;
};

/* ---- caches ---- */
struct kmem_cache *kmem_cache_create(struct kmm *k, const char *name,
				     unsigned int size, unsigned int align,
				     slab_flags_t flags, kmem_ctor_t ctor);
void kmem_cache_destroy(struct kmm *k, struct kmem_cache *s);
/* Flushes the CPU slabs, frees the empty slabs; 1 if slabs remain. */
int kmem_cache_shrink(struct kmm *k, struct kmem_cache *s);
unsigned int kmem_cache_size(const struct kmem_cache *s);
vaddr_t kmem_cache_alloc(struct kmm *k, struct kmem_cache *s, gfp_t gfp);
vaddr_t kmem_cache_zalloc(struct kmm *k, struct kmem_cache *s, gfp_t gfp);
void kmem_cache_free(struct kmm *k, struct kmem_cache *s, vaddr_t object);
/* Fills p[0..size); returns size, or 0 (and allocates nothing). */
int kmem_cache_alloc_bulk(struct kmm *k, struct kmem_cache *s, gfp_t gfp,
			  size_t size, vaddr_t *p);
/* s may be NULL (kfree_bulk).  Reorders p as the kernel does. */
void kmem_cache_free_bulk(struct kmm *k, struct kmem_cache *s, size_t size,
			  vaddr_t *p);

/* ---- kmalloc ---- */
vaddr_t kmalloc(struct kmm *k, size_t size, gfp_t gfp);
vaddr_t kzalloc(struct kmm *k, size_t size, gfp_t gfp);
/* NULL (0) if n * size overflows the 32-bit size_t of i386 */
vaddr_t kmalloc_array(struct kmm *k, size_t n, size_t size, gfp_t gfp);
vaddr_t kcalloc(struct kmm *k, size_t n, size_t size, gfp_t gfp);
vaddr_t krealloc(struct kmm *k, vaddr_t p, size_t new_size, gfp_t gfp);
void kfree(struct kmm *k, vaddr_t p);
size_t ksize(struct kmm *k, vaddr_t p);
/* The kernel's __kmalloc_index(): 0 for size 0, 1 (96), 2 (192), 3..25
 * (the power-of-two class), -1 above 32 MiB. */
int kmalloc_index(size_t size);
/* What kmalloc(size) really provides (the class size, or whole pages). */
size_t kmalloc_size_roundup(size_t size);
/* kmalloc_caches[kmalloc_type(gfp)][index], NULL for size 0 or > 8 KiB */
struct kmem_cache *kmalloc_slab(struct kmm *k, size_t size, gfp_t gfp);
struct kmem_cache *kmalloc_cache(struct kmm *k, enum kmalloc_cache_type t,
				 unsigned int index);

/* ---- lookup and statistics ---- */
/* The cache of a slab object (NULL if the address is not in a slab). */
struct kmem_cache *virt_to_cache(struct kmm *k, vaddr_t object);
struct kmem_cache *kmem_cache_find(struct kmm *k, const char *name);
/* Live caches in creation order (i < slab_nr_caches()). */
unsigned int slab_nr_caches(struct kmm *k);
struct kmem_cache *slab_cache_at(struct kmm *k, unsigned int i);

/* /proc/slabinfo (SLUB get_slabinfo): free objects are counted on the node
 * partial list only, as the kernel does. */
struct slabinfo {
	unsigned long active_objs, num_objs;
	unsigned long active_slabs, num_slabs;
	unsigned int objsize;           /* s->size, as slabinfo prints it */
	unsigned int objects_per_slab;
	unsigned int cache_order;
};
void get_slabinfo(struct kmm *k, struct kmem_cache *s, struct slabinfo *info);
/* Prints "slabinfo - version: 2.1" and a line per cache, newest first. */
void slabinfo_show(struct kmm *k, FILE *f);
/* CONFIG_SLUB_STATS: a counter summed over the CPUs */
unsigned long slab_stat(const struct kmem_cache *s, enum stat_item si);

/* ---- debugging ---- */
/* validate_slab_cache(): flushes the CPU slabs, then checks every slab on
 * the partial list (and the full list with SLAB_STORE_USER) as SLUB does,
 * repairing what it finds.  Returns the number of errors counted the way
 * slub_kunit counts them (each report and each FIX line); the report text
 * is in slab_error_log() until the next validation or reset. */
long validate_slab_cache(struct kmm *k, struct kmem_cache *s);
const char *slab_error_log(struct kmm *k);

/* failslab (mm/failslab.c) of this machine; zeroed = never fail.
 * ignore_gfp_wait is failslab's ignore-gfp-wait (ignore_gfp_reclaim). */
struct kmm_fault_attr *kmm_failslab(struct kmm *k);
/* failslab cache_filter: only caches with SLAB_FAILSLAB fail. */
void failslab_set_cache_filter(struct kmm *k, bool on);

/* The sweep: every invariant of every cache, its slabs and its free
 * lists, and the debug bytes of debug caches; a violation is a kmm_bug(). */
void slab_check(struct kmm *k);

#endif
