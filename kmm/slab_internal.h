/* slab_internal.h — what the slab files (slab*.c, kmalloc.c) share:
 * the machine's slab state, simulated-memory access, the free pointer and
 * the list helpers of mm/slub.c.  Modelled kernel: see kmm/slab.h. */
#ifndef KMM_SLAB_INTERNAL_H
#define KMM_SLAB_INTERNAL_H

#include "internal.h"
#include "kasan.h"
#include "kmm/slab.h"

#define OBJ_PTR_SIZE 4u                 /* sizeof(void *) on i386 */
#define TRACK_SIZE 20u                  /* struct track with STACKDEPOT */
#define ARCH_KMALLOC_MINALIGN 8u        /* __alignof__(unsigned long long) */
#define ARCH_SLAB_MINALIGN 8u
#define SLUB_MAX_ORDER 3                /* PAGE_ALLOC_COSTLY_ORDER */
#define SHRINK_PROMOTE_MAX 32
#define __OBJECT_POISON 0x80000000u     /* internal: poison objects */
/* GFP_SLAB_BUG_MASK: slab memory is lowmem */
#define GFP_SLAB_BUG_MASK (__GFP_DMA32 | __GFP_HIGHMEM | ~__GFP_BITS_MASK)
/* GFP_RECLAIM_MASK | GFP_CONSTRAINT_MASK with 3.2 bit names */
#define GFP_SLAB_PASS_MASK                                                    \
	(__GFP_WAIT | __GFP_HIGH | __GFP_IO | __GFP_FS | __GFP_NOWARN |       \
	 __GFP_REPEAT | __GFP_NOFAIL | __GFP_NORETRY | __GFP_NOMEMALLOC |     \
	 __GFP_HARDWALL)

#define ALIGN(x, a) (((x) + (a) - 1) & ~((a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((a) - 1))

enum track_item { TRACK_ALLOC, TRACK_FREE };

static inline unsigned int fls32(uint32_t x)
{
	return x ? 32u - (unsigned int)__builtin_clz(x) : 0;
}

static inline unsigned int get_order(uint64_t size)
{
	unsigned int order = 0;

	while (((uint64_t)PAGE_SIZE << order) < size)
		order++;
	return order;
}

static inline bool is_power_of_2(unsigned int n)
{
	return n && !(n & (n - 1));
}

struct slab_state {
	struct kmem_cache **caches;     /* live caches, creation order */
	unsigned int nr_caches, cap;
	struct kmem_cache *kmalloc_caches[NR_KMALLOC_TYPES][KMALLOC_SHIFT_HIGH + 1];
	bool hardened, nomerge;
	slab_flags_t slub_debug;
	struct kmm_fault_attr failslab;
	bool failslab_cache_filter;
	unsigned long jiffies;          /* one tick per slab operation */
	unsigned int next_id;
	unsigned int cpu;               /* CPU whose per-CPU data is in use */

	/* reset: taken at the first operation after boot */
	bool snap;
	unsigned int boot_nr_caches, boot_next_id;
	unsigned long boot_jiffies;
	struct kmem_cache **dirty;      /* boot caches changed since then */
	unsigned int nr_dirty, dirty_cap;

	/* reports: collect mode counts and logs instead of kmm_bug() */
	bool collect;
	long errors;
	char *log;
	size_t log_len, log_cap;

	uint8_t *objmap;                /* scratch: MAX_OBJS_PER_PAGE bytes */
	uint32_t *check_count;          /* scratch for slab_check, per cache */
	unsigned int check_cap;
};

static inline struct slab_state *slab_st(struct kmm *k)
{
	return k->slab;
}

/* ---- simulated memory, lowmem direct map (slab_mem.c) ---- */
void slab_mem_read(struct kmm *k, vaddr_t va, void *buf, size_t len);
void slab_mem_write(struct kmm *k, vaddr_t va, const void *buf, size_t len);
void slab_mem_set(struct kmm *k, vaddr_t va, uint8_t c, size_t len);
void slab_mem_copy(struct kmm *k, vaddr_t dst, vaddr_t src, size_t len);
/* The first byte of [va, va + len) that is not c, or 0. */
vaddr_t slab_mem_inv(struct kmm *k, vaddr_t va, uint8_t c, size_t len);
uint32_t slab_mem_read32(struct kmm *k, vaddr_t va);
void slab_mem_write32(struct kmm *k, vaddr_t va, uint32_t v);
uint8_t slab_mem_byte(struct kmm *k, vaddr_t va);

/* ---- slabs ---- */
static inline vaddr_t slab_address(struct kmm *k, const struct page *slab)
{
	return page_address(k, slab);
}

static inline unsigned int slab_order(const struct page *slab)
{
	return PageHead(slab) ? slab->compound_order : 0;
}

static inline unsigned int slab_size(const struct page *slab)
{
	return PAGE_SIZE << slab_order(slab);
}

static inline unsigned int order_objects(unsigned int order, unsigned int size)
{
	return (PAGE_SIZE << order) / size;
}

static inline bool kmem_cache_debug(const struct kmem_cache *s)
{
	return s->flags & SLAB_DEBUG_FLAGS;
}

static inline bool kmem_cache_has_cpu_partial(const struct kmem_cache *s)
{
	return !kmem_cache_debug(s);
}

static inline bool slub_debug_orig_size(const struct kmem_cache *s)
{
	return (s->flags & SLAB_STORE_USER) && (s->flags & SLAB_KMALLOC);
}

static inline vaddr_t fixup_red_left(const struct kmem_cache *s, vaddr_t p)
{
	return (s->flags & SLAB_RED_ZONE) ? p + s->red_left_pad : p;
}

static inline vaddr_t restore_red_left(const struct kmem_cache *s, vaddr_t p)
{
	return (s->flags & SLAB_RED_ZONE) ? p - s->red_left_pad : p;
}

static inline bool freeptr_outside_object(const struct kmem_cache *s)
{
	return s->offset >= s->inuse;
}

static inline unsigned int get_info_end(const struct kmem_cache *s)
{
	return freeptr_outside_object(s) ? s->inuse + OBJ_PTR_SIZE : s->inuse;
}

static inline unsigned int size_from_object(const struct kmem_cache *s)
{
	return (s->flags & SLAB_RED_ZONE) ? s->size - s->red_left_pad : s->size;
}

static inline unsigned int obj_to_index(struct kmm *k,
					const struct kmem_cache *s,
					const struct page *slab, vaddr_t p)
{
	return (p - slab_address(k, slab)) / s->size;
}

static inline void slab_stat_inc(struct kmm *k, struct kmem_cache *s,
				 enum stat_item si)
{
	s->cpu_slab[slab_st(k)->cpu].stat[si]++;
}

/* ---- slab_mem.c: slabs, free pointers, the boot snapshot ---- */
/* The head page of the slab holding va, or NULL (never a kmm_bug). */
struct page *slab_of(struct kmm *k, vaddr_t va);
bool check_valid_pointer(struct kmm *k, const struct kmem_cache *s,
			 const struct page *slab, vaddr_t object);
/* The free pointer, decoded (CONFIG_SLAB_FREELIST_HARDENED). */
vaddr_t get_freepointer(struct kmm *k, const struct kmem_cache *s,
			vaddr_t object);
void set_freepointer(struct kmm *k, const struct kmem_cache *s, vaddr_t object,
		     vaddr_t fp);
/* Every op on a cache starts here: it saves the boot state when needed. */
void slab_begin(struct kmm *k, struct kmem_cache *s);

/* ---- slab_common.c ---- */
unsigned int calculate_alignment(slab_flags_t flags, unsigned int align,
				 unsigned int size);
struct kmem_cache *create_cache(struct kmm *k, const char *name,
				unsigned int size, unsigned int align,
				slab_flags_t flags, unsigned int useroffset,
				unsigned int usersize, kmem_ctor_t ctor);
/* kmalloc.c */
void create_kmalloc_caches(struct kmm *k);

/* ---- slab.c: the core used by the other files ---- */
vaddr_t ___slab_alloc(struct kmm *k, struct kmem_cache *s, gfp_t gfp,
		      unsigned int orig_size);
bool should_failslab(struct kmm *k, struct kmem_cache *s, gfp_t gfp);
void post_alloc_zero(struct kmm *k, struct kmem_cache *s, vaddr_t object,
		     unsigned int orig_size);
/* Free a list head..tail of cnt objects of one slab. */
void slab_free(struct kmm *k, struct kmem_cache *s, struct page *slab,
	       vaddr_t head, vaddr_t tail, int cnt);
/* The slab of x, checked to be of cache s (if not NULL). */
struct page *cache_slab_of(struct kmm *k, struct kmem_cache *s, vaddr_t x,
			   const char *fn);
void flush_all(struct kmm *k, struct kmem_cache *s);
int __kmem_cache_do_shrink(struct kmm *k, struct kmem_cache *s);
void free_slab(struct kmm *k, struct kmem_cache *s, struct page *slab);
void remove_partial(struct kmm *k, struct kmem_cache_node *n, struct page *slab);
vaddr_t slab_alloc(struct kmm *k, struct kmem_cache *s, gfp_t gfp,
		   unsigned int orig_size);
/* Frees one object, checked as kmem_cache_free()/kfree() check it. */
void slab_free_one(struct kmm *k, struct kmem_cache *s, struct page *slab,
		   vaddr_t object);
/* slab_debug.c: the checks before any free: an object start, not free. */
void slab_free_precheck(struct kmm *k, struct kmem_cache *s, struct page *slab,
			vaddr_t object);

/* ---- slab_debug.c ---- */
void init_object(struct kmm *k, const struct kmem_cache *s, vaddr_t object,
		 uint8_t val);
void init_tracking(struct kmm *k, const struct kmem_cache *s, vaddr_t object);
void set_track(struct kmm *k, const struct kmem_cache *s, vaddr_t object,
	       enum track_item alloc);
void set_orig_size(struct kmm *k, const struct kmem_cache *s, vaddr_t object,
		   unsigned int orig_size);
bool alloc_debug_processing(struct kmm *k, struct kmem_cache *s,
			    struct page *slab, vaddr_t object,
			    unsigned int orig_size);
bool free_debug_processing(struct kmm *k, struct kmem_cache *s,
			   struct page *slab, vaddr_t head, vaddr_t tail,
			   int *bulk_cnt);
int check_object(struct kmm *k, struct kmem_cache *s, struct page *slab,
		 vaddr_t object, uint8_t val);
int check_slab(struct kmm *k, struct kmem_cache *s, struct page *slab);
void slab_pad_check(struct kmm *k, struct kmem_cache *s, struct page *slab);
/* Reports: in collect mode they count and log; otherwise kmm_bug(). */
void object_err(struct kmm *k, struct kmem_cache *s, struct page *slab,
		vaddr_t object, const char *reason);
void slab_err(struct kmm *k, struct kmem_cache *s, struct page *slab,
	      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void slab_fix(struct kmm *k, struct kmem_cache *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A report that is not one of SLUB's (simulator checks): always kmm_bug. */
_Noreturn void slab_bug_obj(struct kmm *k, struct kmem_cache *s,
			    struct page *slab, vaddr_t object, const char *kind,
			    const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* The next object after `object` on a freelist, checked: a pointer that
 * is not an object of the slab is reported as a corrupted free pointer. */
vaddr_t get_freepointer_checked(struct kmm *k, struct kmem_cache *s,
				struct page *slab, vaddr_t object);

#endif
