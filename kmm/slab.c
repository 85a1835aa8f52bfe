/* slab.c — the SLUB core of Linux 6.6 mm/slub.c: slabs from the page
 * allocator, the per-CPU slab and its lockless freelist, the per-CPU
 * partial list, the node partial list, the alloc and free fast and slow
 * paths, bulk alloc/free, flushing and shrinking.
 *
 * Objects live in simulated lowmem (slab_mem.c).  The kernel's cmpxchg loops have nothing to
 * race with here (one simulated CPU runs at a time), so each is one update.
 * Simplifications: see kmm/slab.h.
 */
#include <stdlib.h>
#include <string.h>
#include "slab_internal.h"

/* ---- slab lists and counters ---- */

static void inc_slabs_node(struct kmem_cache *s, unsigned int objects)
{
	s->node.nr_slabs++;
	s->node.total_objects += objects;
}

static void dec_slabs_node(struct kmem_cache *s, unsigned int objects)
{
	s->node.nr_slabs--;
	s->node.total_objects -= objects;
}

static void add_partial(struct kmm *k, struct kmem_cache_node *n,
			struct page *slab, int tail)
{
	n->nr_partial++;
	if (tail == DEACTIVATE_TO_TAIL)
		kmm_list_add_tail(k, &slab->lru, &n->partial);
	else
		kmm_list_add(k, &slab->lru, &n->partial);
}

void remove_partial(struct kmm *k, struct kmem_cache_node *n, struct page *slab)
{
	kmm_list_del(k, &slab->lru);
	n->nr_partial--;
}

/* The full list: every cache here (see slab.h), SLAB_STORE_USER in SLUB. */
static void add_full(struct kmm *k, struct kmem_cache_node *n, struct page *slab)
{
	kmm_list_add(k, &slab->lru, &n->full);
}

static void remove_full(struct kmm *k, struct page *slab)
{
	kmm_list_del(k, &slab->lru);
}

/* ---- slabs from and back to the page allocator ---- */

static void setup_object(struct kmm *k, struct kmem_cache *s, vaddr_t object)
{
	if (s->flags & (SLAB_STORE_USER | SLAB_RED_ZONE | __OBJECT_POISON)) {
		init_object(k, s, object, SLUB_RED_INACTIVE);
		init_tracking(k, s, object);
	}
	if (s->ctor) {          /* the constructor writes a poisoned object */
		kasan_unpoison_object(k, object, s->object_size);
		s->ctor(k, object);
		kasan_poison_object(k, object, s->object_size);
	}
}

static struct page *allocate_slab(struct kmm *k, struct kmem_cache *s,
				  gfp_t flags)
{
	unsigned int order = s->oo_order, objects = s->oo_objects;

	flags |= s->allocflags;
	/* let the higher order fail under pressure, then fall back */
	gfp_t alloc_gfp = (flags | __GFP_NOWARN | __GFP_NORETRY) & ~__GFP_NOFAIL;
	if ((alloc_gfp & __GFP_WAIT) && s->oo_order > s->min_order)
		alloc_gfp = (alloc_gfp | __GFP_NOMEMALLOC) & ~__GFP_WAIT;
	struct page *slab = alloc_pages(k, alloc_gfp, order);
	if (!slab) {
		order = s->min_order;
		objects = s->min_objects;
		slab = alloc_pages(k, flags, order);
		if (!slab)
			return NULL;
		slab_stat_inc(k, s, ORDER_FALLBACK);
	}
	kmm_assert(k, !PageHighMem(k, slab));
	kasan_poison_slab(k, slab);
	page_touch(k, slab);
	slab->flags |= 1u << PG_slab;
	slab->objects = (uint16_t)objects & MAX_OBJS_PER_PAGE;
	slab->inuse = 0;
	slab->frozen = 0;
	slab->slab_cache = s;

	vaddr_t start = slab_address(k, slab);
	if (s->flags & SLAB_POISON)             /* setup_slab_debug */
		slab_mem_set(k, start, POISON_INUSE, PAGE_SIZE << order);
	vaddr_t p = fixup_red_left(s, start);
	setup_object(k, s, p);
	slab->freelist = p;
	for (unsigned int idx = 0; idx + 1 < objects; idx++) {
		vaddr_t next = p + s->size;
		setup_object(k, s, next);
		set_freepointer(k, s, p, next);
		p = next;
	}
	set_freepointer(k, s, p, 0);
	return slab;
}

static struct page *new_slab(struct kmm *k, struct kmem_cache *s, gfp_t flags)
{
	return allocate_slab(k, s, flags & GFP_SLAB_PASS_MASK);
}

static void __free_slab(struct kmm *k, struct page *slab)
{
	unsigned int order = slab_order(slab);

	page_touch(k, slab);
	slab->flags &= ~(1u << PG_slab);
	slab->slab_cache = NULL;        /* folio->mapping = NULL */
	slab->freelist = 0;
	slab->inuse = 0;
	slab->objects = 0;
	slab->frozen = 0;
	__free_pages(k, slab, order);
}

/* SLAB_TYPESAFE_BY_RCU slabs would wait a grace period: see slab.h. */
void free_slab(struct kmm *k, struct kmem_cache *s, struct page *slab)
{
	if (s->flags & SLAB_CONSISTENCY_CHECKS) {
		slab_pad_check(k, s, slab);
		vaddr_t base = slab_address(k, slab);
		for (vaddr_t p = fixup_red_left(s, base);
		     p < base + slab->objects * s->size; p += s->size)
			check_object(k, s, slab, p, SLUB_RED_INACTIVE);
	}
	__free_slab(k, slab);
}

static void discard_slab(struct kmm *k, struct kmem_cache *s, struct page *slab)
{
	dec_slabs_node(s, slab->objects);
	free_slab(k, s, slab);
}

/* ---- per-CPU partial slabs, deactivation, flushing ---- */

/* Unfreeze every slab of c's partial list, in list order: to the node
 * partial list, or (empty, enough partial slabs) back to the buddy
 * allocator, last one first. */
static void __unfreeze_partials(struct kmm *k, struct kmem_cache *s,
				struct kmem_cache_cpu *c)
{
	struct kmem_cache_node *n = &s->node;
	struct list_head discard;

	INIT_LIST_HEAD(&discard);
	while (!list_empty(&c->partial)) {
		struct page *slab = lru_to_page(c->partial.next);
		kmm_list_del(k, &slab->lru);
		c->partial_slabs--;
		kmm_assert(k, slab->frozen && slab->freelist);
		page_touch(k, slab);
		slab->frozen = 0;
		if (!slab->inuse && n->nr_partial >= s->min_partial) {
			kmm_list_add(k, &slab->lru, &discard);
		} else {
			add_partial(k, n, slab, DEACTIVATE_TO_TAIL);
			slab_stat_inc(k, s, FREE_ADD_PARTIAL);
		}
	}
	while (!list_empty(&discard)) {
		struct page *slab = lru_to_page(discard.next);
		kmm_list_del(k, &slab->lru);
		slab_stat_inc(k, s, DEACTIVATE_EMPTY);
		discard_slab(k, s, slab);
		slab_stat_inc(k, s, FREE_SLAB);
	}
}

/* Put a frozen slab on this CPU's partial list; with drain, a full list
 * (cpu_partial_slabs) first goes to the node partial list. */
static void put_cpu_partial(struct kmm *k, struct kmem_cache *s,
			    struct page *slab, int drain)
{
	struct kmem_cache_cpu *c = &s->cpu_slab[slab_st(k)->cpu];

	if (c->partial_slabs && drain && c->partial_slabs >= s->cpu_partial_slabs) {
		__unfreeze_partials(k, s, c);
		slab_stat_inc(k, s, CPU_PARTIAL_DRAIN);
	}
	kmm_list_add(k, &slab->lru, &c->partial);
	c->partial_slabs++;
}

/* Splice the CPU freelist back onto the slab's freelist and unfreeze it:
 * to the node partial list (head, or tail if it had remote frees), to the
 * full list, or back to the page allocator if empty and min_partial slabs
 * are already kept. */
static void deactivate_slab(struct kmm *k, struct kmem_cache *s,
			    struct page *slab, vaddr_t freelist)
{
	struct kmem_cache_node *n = &s->node;
	int tail = DEACTIVATE_TO_HEAD;
	unsigned int free_delta = 0;
	vaddr_t iter = freelist, ftail = 0;

	if (slab->freelist) {
		slab_stat_inc(k, s, DEACTIVATE_REMOTE_FREES);
		tail = DEACTIVATE_TO_TAIL;
	}
	while (iter) {
		vaddr_t next = get_freepointer(k, s, iter);
		if (!check_valid_pointer(k, s, slab, next)) {
			/* freelist_corrupted(): isolate the rest of the chain */
			object_err(k, s, slab, iter, "Freechain corrupt");
			slab_fix(k, s, "Isolate corrupted freechain");
			break;
		}
		ftail = iter;
		free_delta++;
		if (free_delta > slab->objects)
			slab_bug_obj(k, s, slab, iter, "corrupted free pointer",
				     "Freechain of the cpu slab loops");
		iter = next;
	}
	page_touch(k, slab);
	if (ftail) {
		slab->inuse = (uint16_t)(slab->inuse - free_delta);
		set_freepointer(k, s, ftail, slab->freelist);
		slab->freelist = freelist;
	}
	slab->frozen = 0;
	if (!slab->inuse && n->nr_partial >= s->min_partial) {
		slab_stat_inc(k, s, DEACTIVATE_EMPTY);
		discard_slab(k, s, slab);
		slab_stat_inc(k, s, FREE_SLAB);
	} else if (slab->freelist) {
		add_partial(k, n, slab, tail);
		slab_stat_inc(k, s, (enum stat_item)tail);
	} else {
		add_full(k, n, slab);
		slab_stat_inc(k, s, DEACTIVATE_FULL);
	}
}

/* __flush_cpu_slab(), run as on that CPU (its statistics) */
static void flush_cpu(struct kmm *k, struct kmem_cache *s, unsigned int cpu)
{
	struct slab_state *st = slab_st(k);
	struct kmem_cache_cpu *c = &s->cpu_slab[cpu];
	unsigned int saved = st->cpu;

	st->cpu = cpu;
	if (c->slab) {
		struct page *slab = c->slab;
		vaddr_t freelist = c->freelist;
		c->slab = NULL;
		c->freelist = 0;
		c->tid++;
		deactivate_slab(k, s, slab, freelist);
		slab_stat_inc(k, s, CPUSLAB_FLUSH);
	}
	if (c->partial_slabs)
		__unfreeze_partials(k, s, c);
	st->cpu = saved;
}

void flush_all(struct kmm *k, struct kmem_cache *s)
{
	for (unsigned int cpu = 0; cpu < k->cfg.nr_cpus; cpu++)
		if (s->cpu_slab[cpu].slab || s->cpu_slab[cpu].partial_slabs)
			flush_cpu(k, s, cpu);
}

/* ---- allocation ---- */

static vaddr_t get_freelist(struct kmm *k, struct page *slab)
{
	vaddr_t freelist = slab->freelist;

	page_touch(k, slab);
	slab->freelist = 0;
	slab->inuse = slab->objects;
	slab->frozen = freelist != 0;
	return freelist;
}

static vaddr_t acquire_slab(struct kmm *k, struct kmem_cache_node *n,
			    struct page *slab, bool mode)
{
	vaddr_t freelist = slab->freelist;

	page_touch(k, slab);
	if (mode) {
		slab->inuse = slab->objects;
		slab->freelist = 0;
	}
	kmm_assert(k, !slab->frozen && freelist);
	slab->frozen = 1;
	remove_partial(k, n, slab);
	return freelist;
}

/* Debug caches: one object straight off a partial slab. */
static vaddr_t alloc_single_from_partial(struct kmm *k, struct kmem_cache *s,
					 struct page *slab,
					 unsigned int orig_size)
{
	struct kmem_cache_node *n = &s->node;
	vaddr_t object = slab->freelist;

	page_touch(k, slab);
	slab->freelist = get_freepointer_checked(k, s, slab, object);
	slab->inuse++;
	if (!alloc_debug_processing(k, s, slab, object, orig_size)) {
		remove_partial(k, n, slab);
		add_full(k, n, slab);   /* all marked used */
		return 0;
	}
	if (slab->inuse == slab->objects) {
		remove_partial(k, n, slab);
		add_full(k, n, slab);
	}
	return object;
}

static vaddr_t alloc_single_from_new_slab(struct kmm *k, struct kmem_cache *s,
					  struct page *slab,
					  unsigned int orig_size)
{
	struct kmem_cache_node *n = &s->node;
	vaddr_t object = slab->freelist;

	slab->freelist = get_freepointer_checked(k, s, slab, object);
	slab->inuse = 1;
	if (!alloc_debug_processing(k, s, slab, object, orig_size)) {
		add_full(k, n, slab);
		inc_slabs_node(s, slab->objects);
		return 0;
	}
	if (slab->inuse == slab->objects)
		add_full(k, n, slab);
	else
		add_partial(k, n, slab, DEACTIVATE_TO_HEAD);
	inc_slabs_node(s, slab->objects);
	return object;
}

/* get_partial_node(): the first partial slab becomes the CPU slab, more
 * go to the CPU partial list until more than cpu_partial_slabs / 2. */
static vaddr_t get_partial_node(struct kmm *k, struct kmem_cache *s,
				unsigned int orig_size, struct page **ret_slab)
{
	struct kmem_cache_node *n = &s->node;
	unsigned int partial_slabs = 0;
	vaddr_t object = 0;

	if (!n->nr_partial)
		return 0;
	for (struct list_head *l = n->partial.next, *nx; l != &n->partial; l = nx) {
		struct page *slab = lru_to_page(l);
		nx = l->next;
		if (kmem_cache_debug(s)) {
			object = alloc_single_from_partial(k, s, slab, orig_size);
			if (object)
				break;
			continue;
		}
		vaddr_t t = acquire_slab(k, n, slab, object == 0);
		if (!object) {
			*ret_slab = slab;
			slab_stat_inc(k, s, ALLOC_FROM_PARTIAL);
			object = t;
		} else {
			put_cpu_partial(k, s, slab, 0);
			slab_stat_inc(k, s, CPU_PARTIAL_NODE);
			partial_slabs++;
		}
		if (!kmem_cache_has_cpu_partial(s) ||
		    partial_slabs > s->cpu_partial_slabs / 2)
			break;
	}
	return object;
}

vaddr_t ___slab_alloc(struct kmm *k, struct kmem_cache *s, gfp_t gfp,
			     unsigned int orig_size)
{
	struct kmem_cache_cpu *c = &s->cpu_slab[slab_st(k)->cpu];
	struct page *slab;
	vaddr_t freelist;

	slab_stat_inc(k, s, ALLOC_SLOWPATH);
	slab = c->slab;
	if (!slab)
		goto new_slab;
redo:
	freelist = c->freelist;
	if (freelist)
		goto load_freelist;
	freelist = get_freelist(k, slab);
	if (!freelist) {
		/* the CPU slab is full: it leaves the CPU, on no list */
		c->slab = NULL;
		c->tid++;
		add_full(k, &s->node, slab);
		slab_stat_inc(k, s, DEACTIVATE_BYPASS);
		goto new_slab;
	}
	slab_stat_inc(k, s, ALLOC_REFILL);
load_freelist:
	kmm_assert(k, c->slab->frozen);
	c->freelist = get_freepointer_checked(k, s, c->slab, freelist);
	c->tid++;
	return freelist;

new_slab:
	if (c->partial_slabs) {
		slab = lru_to_page(c->partial.next);
		kmm_list_del(k, &slab->lru);
		c->partial_slabs--;
		c->slab = slab;
		slab_stat_inc(k, s, CPU_PARTIAL_ALLOC);
		goto redo;
	}
new_objects:
	slab = NULL;
	freelist = get_partial_node(k, s, orig_size, &slab);
	if (freelist)
		goto check_new_slab;
	slab = new_slab(k, s, gfp);
	if (!slab)
		return 0;
	slab_stat_inc(k, s, ALLOC_SLAB);
	if (kmem_cache_debug(s)) {
		freelist = alloc_single_from_new_slab(k, s, slab, orig_size);
		if (!freelist)
			goto new_objects;
		if (s->flags & SLAB_STORE_USER)
			set_track(k, s, freelist, TRACK_ALLOC);
		return freelist;
	}
	freelist = slab->freelist;
	slab->freelist = 0;
	slab->inuse = slab->objects;
	slab->frozen = 1;
	inc_slabs_node(s, slab->objects);
check_new_slab:
	if (kmem_cache_debug(s)) {
		if (s->flags & SLAB_STORE_USER)
			set_track(k, s, freelist, TRACK_ALLOC);
		return freelist;
	}
	kmm_assert(k, !c->slab);
	c->slab = slab;
	goto load_freelist;
}

/* mm/failslab.c __should_failslab() */
bool should_failslab(struct kmm *k, struct kmem_cache *s, gfp_t gfp)
{
	struct slab_state *st = slab_st(k);

	if (gfp & __GFP_NOFAIL)
		return false;
	if (st->failslab.ignore_gfp_wait && (gfp & __GFP_WAIT))
		return false;
	if (st->failslab_cache_filter && !(s->flags & SLAB_FAILSLAB))
		return false;
	return kmm_should_fail(&st->failslab);
}

/* slab_post_alloc_hook(): __GFP_ZERO clears the object, or only the
 * requested size of a debugged kmalloc object (the rest is red zone). */
void post_alloc_zero(struct kmm *k, struct kmem_cache *s, vaddr_t object,
			    unsigned int orig_size)
{
	unsigned int zero_size = s->object_size;

	if ((s->flags & (SLAB_STORE_USER | SLAB_RED_ZONE)) &&
	    (s->flags & SLAB_KMALLOC))
		zero_size = orig_size;
	slab_mem_set(k, object, 0, zero_size);
}

vaddr_t slab_alloc(struct kmm *k, struct kmem_cache *s, gfp_t gfp,
		   unsigned int orig_size)
{
	if (gfp & GFP_SLAB_BUG_MASK)
		kmm_bug(k, "slab",
			"Unexpected gfp: %#x allocating from %s: slab memory is "
			"lowmem (no __GFP_HIGHMEM / __GFP_DMA32)", gfp, s->name);
	if (s->ctor && (gfp & __GFP_ZERO))
		kmm_bug(k, "slab",
			"__GFP_ZERO allocation from %s, which has a constructor",
			s->name);
	if (should_failslab(k, s, gfp))
		return 0;

	struct kmem_cache_cpu *c = &s->cpu_slab[slab_st(k)->cpu];
	vaddr_t object = c->freelist;
	if (!object || !c->slab) {
		object = ___slab_alloc(k, s, gfp, orig_size);
	} else {                /* the lockless fast path */
		c->freelist = get_freepointer_checked(k, s, c->slab, object);
		c->tid++;
		slab_stat_inc(k, s, ALLOC_FASTPATH);
	}
	if (object)
		kasan_slab_alloc(k, s, object, orig_size);
	if (object && (gfp & __GFP_ZERO))
		post_alloc_zero(k, s, object, orig_size);
	return object;
}

/* ---- freeing ---- */

/* Debug caches free under the list lock, after free_debug_processing. */
static void free_to_partial_list(struct kmm *k, struct kmem_cache *s,
				 struct page *slab, vaddr_t head, vaddr_t tail,
				 int bulk_cnt)
{
	struct kmem_cache_node *n = &s->node;
	struct page *slab_free = NULL;
	int cnt = bulk_cnt;

	if (free_debug_processing(k, s, slab, head, tail, &cnt)) {
		vaddr_t prior = slab->freelist;
		page_touch(k, slab);
		slab->inuse = (uint16_t)(slab->inuse - cnt);
		set_freepointer(k, s, tail, prior);
		slab->freelist = head;
		if (slab->inuse == 0 && n->nr_partial >= s->min_partial)
			slab_free = slab;
		if (!prior) {           /* was on the full list */
			remove_full(k, slab);
			if (!slab_free) {
				add_partial(k, n, slab, DEACTIVATE_TO_TAIL);
				slab_stat_inc(k, s, FREE_ADD_PARTIAL);
			}
		} else if (slab_free) {
			remove_partial(k, n, slab);
			slab_stat_inc(k, s, FREE_REMOVE_PARTIAL);
		}
	}
	if (slab_free) {
		dec_slabs_node(s, slab_free->objects);
		slab_stat_inc(k, s, FREE_SLAB);
		free_slab(k, s, slab_free);
	}
}

static void __slab_free(struct kmm *k, struct kmem_cache *s, struct page *slab,
			vaddr_t head, vaddr_t tail, int cnt)
{
	struct kmem_cache_node *n = &s->node;

	slab_stat_inc(k, s, FREE_SLOWPATH);
	if (kmem_cache_debug(s)) {
		free_to_partial_list(k, s, slab, head, tail, cnt);
		return;
	}
	vaddr_t prior = slab->freelist;
	bool was_frozen = slab->frozen;
	page_touch(k, slab);
	set_freepointer(k, s, tail, prior);
	slab->freelist = head;
	slab->inuse = (uint16_t)(slab->inuse - cnt);
	if (was_frozen) {       /* a CPU slab or CPU partial slab: no lists */
		slab_stat_inc(k, s, FREE_FROZEN);
		return;
	}
	if (!prior) {
		/* full until now: freeze it onto this CPU's partial list */
		remove_full(k, slab);
		slab->frozen = 1;
		put_cpu_partial(k, s, slab, 1);
		slab_stat_inc(k, s, CPU_PARTIAL_FREE);
		return;
	}
	if (!slab->inuse && n->nr_partial >= s->min_partial) {
		remove_partial(k, n, slab);     /* slab_empty */
		slab_stat_inc(k, s, FREE_REMOVE_PARTIAL);
		slab_stat_inc(k, s, FREE_SLAB);
		discard_slab(k, s, slab);
	}
}

/* slab_free(): the freelist hook reverses a detached bulk list, then the
 * CPU slab takes it on the fast path, anything else the slow path. */
void slab_free(struct kmm *k, struct kmem_cache *s, struct page *slab,
		      vaddr_t head, vaddr_t tail, int cnt)
{
	if (cnt > 1) {
		vaddr_t object, next = head, old_tail = tail, nh = 0, nt = 0;
		do {
			object = next;
			next = get_freepointer(k, s, object);
			set_freepointer(k, s, object, nh);
			nh = object;
			if (!nt)
				nt = object;
		} while (object != old_tail);
		head = nh;
		tail = nt;
	}
	struct kmem_cache_cpu *c = &s->cpu_slab[slab_st(k)->cpu];
#if KMM_MUTATION == 17  /* MUTATION 17: fast path when the CPU has a slab, not when it is this one */
	if (!c->slab) {
#else
	if (slab != c->slab) {
#endif
		__slab_free(k, s, slab, head, tail, cnt);
		return;
	}
	set_freepointer(k, s, tail, c->freelist);
	c->freelist = head;
	c->tid++;
	slab_stat_inc(k, s, FREE_FASTPATH);
}

void slab_free_one(struct kmm *k, struct kmem_cache *s, struct page *slab,
		   vaddr_t object)
{
	slab_free_precheck(k, s, slab, object);
	kasan_slab_free(k, s, object);
	slab_free(k, s, slab, object, object, 1);
}

/* cache_from_obj() and the slab lookup of kmem_cache_free() */
struct page *cache_slab_of(struct kmm *k, struct kmem_cache *s,
				  vaddr_t x, const char *fn)
{
	struct page *slab = slab_of(k, x);

	if (!slab)
		kmm_bug(k, "slab",
			"%s(%s, 0x%08x): Object is not a Slab page [invalid free]",
			fn, s ? s->name : "NULL", x);
	if (s && slab->slab_cache != s)
		slab_bug_obj(k, s, slab, x, "wrong cache",
			     "%s: Wrong slab cache. %s but object is from %s", fn,
			     s->name, slab->slab_cache->name);
	return slab;
}

vaddr_t kmem_cache_alloc(struct kmm *k, struct kmem_cache *s, gfp_t gfp)
{
	slab_begin(k, s);
	return slab_alloc(k, s, gfp, s->object_size);
}

vaddr_t kmem_cache_zalloc(struct kmm *k, struct kmem_cache *s, gfp_t gfp)
{
	return kmem_cache_alloc(k, s, gfp | __GFP_ZERO);
}

void kmem_cache_free(struct kmm *k, struct kmem_cache *s, vaddr_t x)
{
	slab_begin(k, s);
	struct page *slab = cache_slab_of(k, s, x, "kmem_cache_free");
	slab_free_one(k, s, slab, x);
}

/* ---- shrinking ---- */

/* Free the empty partial slabs; sort the rest so the fullest come first. */
int __kmem_cache_do_shrink(struct kmm *k, struct kmem_cache *s)
{
	struct kmem_cache_node *n = &s->node;
	struct list_head discard, promote[SHRINK_PROMOTE_MAX];

	INIT_LIST_HEAD(&discard);
	for (int i = 0; i < SHRINK_PROMOTE_MAX; i++)
		INIT_LIST_HEAD(&promote[i]);
	for (struct list_head *l = n->partial.next, *nx; l != &n->partial; l = nx) {
		struct page *slab = lru_to_page(l);
		int nfree = slab->objects - slab->inuse;
		nx = l->next;
		kmm_assert(k, nfree > 0);
		if (nfree == slab->objects) {
			kmm_list_move(k, &slab->lru, &discard);
			n->nr_partial--;
			dec_slabs_node(s, slab->objects);
		} else if (nfree <= SHRINK_PROMOTE_MAX) {
			kmm_list_move(k, &slab->lru, &promote[nfree - 1]);
		}
	}
	for (int i = SHRINK_PROMOTE_MAX - 1; i >= 0; i--)   /* list_splice */
		while (!list_empty(&promote[i]))
			kmm_list_move(k, promote[i].prev, &n->partial);
	while (!list_empty(&discard)) {
		struct page *slab = lru_to_page(discard.next);
		kmm_list_del(k, &slab->lru);
		free_slab(k, s, slab);
	}
	return n->nr_slabs ? 1 : 0;
}

int kmem_cache_shrink(struct kmm *k, struct kmem_cache *s)
{
	slab_begin(k, s);
	flush_all(k, s);
	return __kmem_cache_do_shrink(k, s);
}
