/* slab_common.c — slab caches, after Linux 6.6 mm/slab_common.c and
 * the cache-setup half of mm/slub.c: kmem_cache_create() with merging
 * (find_mergeable), calculate_sizes() and calculate_order(), destroy,
 * /proc/slabinfo, and the machine's boot / reset of the slab state.
 * kmalloc is in kmalloc.c.
 *
 * Reset: the state of a boot cache is saved the first time an operation
 * touches it after boot (slab_begin) and copied back by slab_reset(); the
 * caches created after boot are freed.  Slab pages and object bytes are in
 * the memmap and RAM, which the machine's own undo log restores.
 */
#include <stdlib.h>
#include <string.h>
#include "slab_internal.h"

/* SLAB_NEVER_MERGE, SLAB_MERGE_SAME of mm/slab_common.c */
#define SLAB_NEVER_MERGE                                                      \
	(SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER | SLAB_TRACE |         \
	 SLAB_TYPESAFE_BY_RCU | SLAB_NOLEAKTRACE | SLAB_FAILSLAB |            \
	 SLAB_NO_MERGE)
#define SLAB_MERGE_SAME                                                       \
	(SLAB_RECLAIM_ACCOUNT | SLAB_CACHE_DMA | SLAB_CACHE_DMA32 | SLAB_ACCOUNT)
#define CACHE_CREATE_MASK                                                     \
	(SLAB_DEBUG_FLAGS | SLAB_KMALLOC | SLAB_HWCACHE_ALIGN |               \
	 SLAB_CACHE_DMA | SLAB_CACHE_DMA32 | SLAB_RECLAIM_ACCOUNT |           \
	 SLAB_PANIC | SLAB_TYPESAFE_BY_RCU | SLAB_NOLEAKTRACE |               \
	 SLAB_NO_MERGE | SLAB_FAILSLAB | SLAB_ACCOUNT | SLAB_NO_USER_FLAGS)

/* ---- sizes and orders ---- */

unsigned int calculate_alignment(slab_flags_t flags, unsigned int align,
				 unsigned int size)
{
	if (flags & SLAB_HWCACHE_ALIGN) {
		unsigned int ralign = SLUB_CACHE_LINE;
		while (size <= ralign / 2)
			ralign /= 2;
		align = align > ralign ? align : ralign;
	}
	if (align < ARCH_SLAB_MINALIGN)
		align = ARCH_SLAB_MINALIGN;
	return ALIGN(align, OBJ_PTR_SIZE);
}

static unsigned int calc_slab_order(unsigned int size, unsigned int min_objects,
				    unsigned int max_order,
				    unsigned int fract_leftover)
{
	unsigned int order;

	if (order_objects(0, size) > MAX_OBJS_PER_PAGE)
		return get_order((uint64_t)size * MAX_OBJS_PER_PAGE) - 1;
	for (order = get_order((uint64_t)min_objects * size); order <= max_order;
	     order++) {
		unsigned int slab_size = PAGE_SIZE << order;
		if (slab_size % size <= slab_size / fract_leftover)
			break;
	}
	return order;
}

/* calculate_order(): min_objects = 4 * (fls(present CPUs) + 1). */
static int calculate_order(struct kmm *k, unsigned int size)
{
	unsigned int nr_cpus = k->cfg.nr_cpus;
	unsigned int min_objects = 4 * (fls32(nr_cpus) + 1);
	unsigned int max_objects = order_objects(SLUB_MAX_ORDER, size);
	unsigned int order;

	if (min_objects > max_objects)
		min_objects = max_objects;
	while (min_objects > 1) {
		for (unsigned int fraction = 16; fraction >= 4; fraction /= 2) {
			order = calc_slab_order(size, min_objects, SLUB_MAX_ORDER,
						fraction);
			if (order <= SLUB_MAX_ORDER)
				return (int)order;
		}
		min_objects--;
	}
	order = calc_slab_order(size, 1, SLUB_MAX_ORDER, 1);
	if (order <= SLUB_MAX_ORDER)
		return (int)order;
	order = calc_slab_order(size, 1, MAX_ORDER - 1, 1);
	return order <= MAX_ORDER - 1 ? (int)order : -1;
}

static int calculate_sizes(struct kmm *k, struct kmem_cache *s)
{
	slab_flags_t flags = s->flags;
	unsigned int size = ALIGN(s->object_size, OBJ_PTR_SIZE);

	if ((flags & SLAB_POISON) && !(flags & SLAB_TYPESAFE_BY_RCU) && !s->ctor)
		s->flags |= __OBJECT_POISON;
	else
		s->flags &= ~__OBJECT_POISON;
	/* room for a right red zone when the object fills the word */
	if ((flags & SLAB_RED_ZONE) && size == s->object_size)
		size += OBJ_PTR_SIZE;
	s->inuse = size;
	if (slub_debug_orig_size(s) ||
	    (flags & (SLAB_TYPESAFE_BY_RCU | SLAB_POISON)) ||
	    ((flags & SLAB_RED_ZONE) && s->object_size < OBJ_PTR_SIZE) ||
	    s->ctor) {
		/* the free pointer may not overlay the object */
		s->offset = size;
		size += OBJ_PTR_SIZE;
	} else {
		s->offset = ALIGN_DOWN(s->object_size / 2, OBJ_PTR_SIZE);
	}
	if (flags & SLAB_STORE_USER) {
		size += 2 * TRACK_SIZE;
		if (flags & SLAB_KMALLOC)
			size += 4;      /* orig_size */
	}
	if (flags & SLAB_RED_ZONE) {
		size += OBJ_PTR_SIZE;
		s->red_left_pad = ALIGN(OBJ_PTR_SIZE, s->align);
		size += s->red_left_pad;
	}
	size = ALIGN(size, s->align);
	s->size = size;
	int order = calculate_order(k, size);
	if (order < 0)
		return 0;
	s->allocflags = 0;
	if (order)
		s->allocflags |= __GFP_COMP;
	if (s->flags & SLAB_CACHE_DMA)
		s->allocflags |= GFP_DMA;
	if (s->flags & SLAB_CACHE_DMA32)
		s->allocflags |= __GFP_DMA32;
	if (s->flags & SLAB_RECLAIM_ACCOUNT)
		s->allocflags |= __GFP_RECLAIMABLE;
	s->oo_order = (unsigned int)order;
	s->oo_objects = order_objects((unsigned int)order, size);
	s->min_order = get_order(size);
	s->min_objects = order_objects(s->min_order, size);
	if (s->oo_objects > MAX_OBJS_PER_PAGE)
		s->oo_objects = MAX_OBJS_PER_PAGE;
	if (s->min_objects > MAX_OBJS_PER_PAGE)
		s->min_objects = MAX_OBJS_PER_PAGE;
	return s->oo_objects != 0;
}

/* kmem_cache_flags(): the slub_debug option applies to every cache. */
static slab_flags_t kmem_cache_flags(struct kmm *k, slab_flags_t flags)
{
	slab_flags_t dbg = slab_st(k)->slub_debug;

	if (flags & SLAB_NO_USER_FLAGS)
		return flags;
	if (flags & SLAB_NOLEAKTRACE)
		dbg &= ~SLAB_STORE_USER;
	return flags | dbg;
}

/* The hardening secret, from the name and creation number (FNV-1a, then
 * a murmur finalizer) instead of get_random_long(). */
static uint32_t cache_secret(const char *name, unsigned int id)
{
	uint32_t h = 2166136261u;

	for (const char *c = name; *c; c++)
		h = (h ^ (uint8_t)*c) * 16777619u;
	h ^= id * 0x9e3779b9u;
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h ? h : 0x5a5a5a5au;
}

static int kmem_cache_open(struct kmm *k, struct kmem_cache *s,
			   slab_flags_t flags)
{
	s->flags = kmem_cache_flags(k, flags);
	s->random = cache_secret(s->name, s->id);
	if (!calculate_sizes(k, s))
		return -1;
	/* min_partial = clamp(ilog2(size) / 2, MIN_PARTIAL, MAX_PARTIAL) */
	unsigned long mp = (fls32(s->size) - 1) / 2;
	mp = mp > SLUB_MAX_PARTIAL ? SLUB_MAX_PARTIAL : mp;
	s->min_partial = mp < SLUB_MIN_PARTIAL ? SLUB_MIN_PARTIAL : mp;
	/* set_cpu_partial() */
	unsigned int nr_objects;
	if (!kmem_cache_has_cpu_partial(s))
		nr_objects = 0;
	else if (s->size >= PAGE_SIZE)
		nr_objects = 6;
	else if (s->size >= 1024)
		nr_objects = 24;
	else if (s->size >= 256)
		nr_objects = 52;
	else
		nr_objects = 120;
	s->cpu_partial = nr_objects;
	s->cpu_partial_slabs = (nr_objects * 2 + s->oo_objects - 1) / s->oo_objects;
	INIT_LIST_HEAD(&s->node.partial);
	INIT_LIST_HEAD(&s->node.full);
	for (unsigned int cpu = 0; cpu < KMM_NR_CPUS; cpu++) {
		s->cpu_slab[cpu].tid = cpu;     /* init_tid() */
		INIT_LIST_HEAD(&s->cpu_slab[cpu].partial);
	}
	return 0;
}

/* ---- the cache list ---- */

static void add_cache(struct kmm *k, struct kmem_cache *s)
{
	struct slab_state *st = slab_st(k);

	if (st->nr_caches == st->cap) {
		st->cap = st->cap ? 2 * st->cap : 64;
		st->caches = realloc(st->caches, st->cap * sizeof(*st->caches));
		kmm_assert(k, st->caches != NULL);
	}
	st->caches[st->nr_caches++] = s;
}

static void remove_cache(struct kmm *k, struct kmem_cache *s)
{
	struct slab_state *st = slab_st(k);

	for (unsigned int i = 0; i < st->nr_caches; i++)
		if (st->caches[i] == s) {
			memmove(&st->caches[i], &st->caches[i + 1],
				(st->nr_caches - i - 1) * sizeof(*st->caches));
			st->nr_caches--;
			return;
		}
	kmm_assert(k, false);
}

struct kmem_cache *create_cache(struct kmm *k, const char *name,
				unsigned int size, unsigned int align,
				slab_flags_t flags, unsigned int useroffset,
				unsigned int usersize, kmem_ctor_t ctor)
{
	struct slab_state *st = slab_st(k);
	struct kmem_cache *s = calloc(1, sizeof(*s));

	kmm_assert(k, s != NULL);
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->size = s->object_size = size;
	s->align = align;
	s->ctor = ctor;
	s->useroffset = useroffset;
	s->usersize = usersize;
	s->id = st->next_id++;
	s->boot = !k->booted;
	if (kmem_cache_open(k, s, flags)) {
		free(s);
		return NULL;
	}
	s->refcount = 1;
	add_cache(k, s);
	return s;
}

static bool slab_unmergeable(struct kmm *k, const struct kmem_cache *s)
{
	return slab_st(k)->nomerge || (s->flags & SLAB_NEVER_MERGE) || s->ctor ||
	       s->usersize || s->refcount < 0 || s->dead;
}

/* find_mergeable(): the oldest compatible cache. */
static struct kmem_cache *find_mergeable(struct kmm *k, unsigned int size,
					 unsigned int align, slab_flags_t flags,
					 kmem_ctor_t ctor)
{
	struct slab_state *st = slab_st(k);

	if (st->nomerge || ctor)
		return NULL;
	size = ALIGN(size, OBJ_PTR_SIZE);
	align = calculate_alignment(flags, align, size);
	size = ALIGN(size, align);
	flags = kmem_cache_flags(k, flags);
	if (flags & SLAB_NEVER_MERGE)
		return NULL;
	for (unsigned int i = 0; i < st->nr_caches; i++) {
		struct kmem_cache *s = st->caches[i];
		if (slab_unmergeable(k, s) || size > s->size ||
		    (flags & SLAB_MERGE_SAME) != (s->flags & SLAB_MERGE_SAME) ||
		    (s->size & ~(align - 1)) != s->size ||
		    s->size - size >= OBJ_PTR_SIZE)
			continue;
		return s;
	}
	return NULL;
}

struct kmem_cache *kmem_cache_create(struct kmm *k, const char *name,
				     unsigned int size, unsigned int align,
				     slab_flags_t flags, kmem_ctor_t ctor)
{
	struct kmem_cache *s = NULL;

	slab_begin(k, NULL);
	if (align && !is_power_of_2(align))
		kmm_bug(k, "slab", "kmem_cache_create(%s): align %u is not a power "
			"of two", name ? name : "NULL", align);
	/* kmem_cache_sanity_check() (DEBUG_VM) and SLAB_FLAGS_PERMITTED */
	if (name && size && size <= KMALLOC_MAX_SIZE &&
	    !(flags & ~CACHE_CREATE_MASK)) {
		s = find_mergeable(k, size, align, flags, ctor);
		if (s) {        /* __kmem_cache_alias() */
			slab_begin(k, s);
			s->refcount++;
			if (s->object_size < size)
				s->object_size = size;
			if (s->inuse < ALIGN(size, OBJ_PTR_SIZE))
				s->inuse = ALIGN(size, OBJ_PTR_SIZE);
			return s;
		}
		s = create_cache(k, name, size, calculate_alignment(flags, align, size),
				 flags, 0, 0, ctor);
	}
	if (!s && (flags & SLAB_PANIC))
		kmm_bug(k, "slab", "kmem_cache_create: Failed to create slab '%s'",
			name ? name : "NULL");
	return s;
}

static bool is_kmalloc_cache(struct kmm *k, const struct kmem_cache *s)
{
	struct slab_state *st = slab_st(k);

	for (int t = 0; t < NR_KMALLOC_TYPES; t++)
		for (int i = 0; i <= KMALLOC_SHIFT_HIGH; i++)
			if (st->kmalloc_caches[t][i] == s)
				return true;
	return false;
}

/* __kmem_cache_shutdown(): flush, free the empty slabs; any slab left
 * means live objects, which kmem_cache_destroy() reports. */
static void shutdown_cache(struct kmm *k, struct kmem_cache *s)
{
	struct kmem_cache_node *n = &s->node;
	char objs[300] = "";
	size_t len = 0;
	unsigned long live = 0;

	flush_all(k, s);
	for (struct list_head *l = n->partial.next, *nx; l != &n->partial; l = nx) {
		struct page *slab = lru_to_page(l);
		nx = l->next;
		if (!slab->inuse) {
			remove_partial(k, n, slab);
			s->node.nr_slabs--;
			s->node.total_objects -= slab->objects;
			free_slab(k, s, slab);
		}
	}
	if (!n->nr_partial && !n->nr_slabs)
		return;
	/* list_slab_objects(): the objects still allocated */
	struct list_head *lists[2] = {&n->partial, &n->full};
	for (int i = 0; i < 2; i++)
		for (struct list_head *l = lists[i]->next; l != lists[i]; l = l->next) {
			struct page *slab = lru_to_page(l);
			vaddr_t addr = slab_address(k, slab);
			uint8_t *map = slab_st(k)->objmap;
			memset(map, 0, slab->objects);
			for (vaddr_t p = slab->freelist; p; p = get_freepointer(k, s, p))
				map[obj_to_index(k, s, slab, p)] = 1;
			for (unsigned int o = 0; o < slab->objects; o++) {
				if (map[o])
					continue;
				if (live++ < 8 && len + 24 < sizeof(objs))
					len += (size_t)snprintf(objs + len, sizeof(objs) - len,
						" 0x%08x", fixup_red_left(s, addr) + o * s->size);
			}
		}
	kmm_bug(k, "slab",
		"kmem_cache_destroy %s: Slab cache still has objects [destroy with "
		"live objects]\nObjects remaining in %s on __kmem_cache_shutdown(): "
		"%lu slabs, %lu objects in use:%s%s", s->name, s->name, n->nr_slabs,
		live, objs, live > 8 ? " ..." : "");
}

void kmem_cache_destroy(struct kmm *k, struct kmem_cache *s)
{
	if (!s)
		return;
	slab_begin(k, s);
	if (is_kmalloc_cache(k, s))
		kmm_bug(k, "slab", "kmem_cache_destroy(%s): a kmalloc cache",
			s->name);
	if (--s->refcount > 0)
		return;
	shutdown_cache(k, s);
	if (k->booted && s->boot) {
		s->dead = true;         /* reset brings it back */
		return;
	}
	remove_cache(k, s);
	free(s->boot_copy);
	free(s);
}

unsigned int kmem_cache_size(const struct kmem_cache *s)
{
	return s->object_size;
}

/* ---- lookup and statistics ---- */

struct kmem_cache *virt_to_cache(struct kmm *k, vaddr_t object)
{
	struct page *slab = slab_of(k, object);

	return slab ? slab->slab_cache : NULL;
}

unsigned int slab_nr_caches(struct kmm *k)
{
	struct slab_state *st = slab_st(k);
	unsigned int n = 0;

	for (unsigned int i = 0; i < st->nr_caches; i++)
		n += !st->caches[i]->dead;
	return n;
}

struct kmem_cache *slab_cache_at(struct kmm *k, unsigned int idx)
{
	struct slab_state *st = slab_st(k);

	for (unsigned int i = 0; i < st->nr_caches; i++)
		if (!st->caches[i]->dead && idx-- == 0)
			return st->caches[i];
	return NULL;
}

struct kmem_cache *kmem_cache_find(struct kmm *k, const char *name)
{
	struct slab_state *st = slab_st(k);

	for (unsigned int i = 0; i < st->nr_caches; i++)
		if (!st->caches[i]->dead && !strcmp(st->caches[i]->name, name))
			return st->caches[i];
	return NULL;
}

void get_slabinfo(struct kmm *k, struct kmem_cache *s, struct slabinfo *info)
{
	unsigned long nr_free = 0;

	(void)k;
	for (struct list_head *l = s->node.partial.next; l != &s->node.partial;
	     l = l->next) {
		struct page *slab = lru_to_page(l);
		nr_free += slab->objects - slab->inuse;
	}
	info->num_objs = s->node.total_objects;
	info->active_objs = info->num_objs - nr_free;
	info->active_slabs = info->num_slabs = s->node.nr_slabs;
	info->objsize = s->size;
	info->objects_per_slab = s->oo_objects;
	info->cache_order = s->oo_order;
}

void slabinfo_show(struct kmm *k, FILE *f)
{
	struct slab_state *st = slab_st(k);

	fprintf(f, "slabinfo - version: 2.1\n"
		   "# name            <active_objs> <num_objs> <objsize> "
		   "<objperslab> <pagesperslab> : tunables <limit> <batchcount> "
		   "<sharedfactor> : slabdata <active_slabs> <num_slabs> "
		   "<sharedavail>\n");
	for (unsigned int i = st->nr_caches; i-- > 0;) {
		struct kmem_cache *s = st->caches[i];
		struct slabinfo si;
		if (s->dead)
			continue;
		get_slabinfo(k, s, &si);
		fprintf(f, "%-17s %6lu %6lu %6u %4u %4d : tunables %4u %4u %4u : "
			   "slabdata %6lu %6lu %6lu\n", s->name, si.active_objs,
			si.num_objs, si.objsize, si.objects_per_slab,
			1 << si.cache_order, 0u, 0u, 0u, si.active_slabs,
			si.num_slabs, 0ul);
	}
}

unsigned long slab_stat(const struct kmem_cache *s, enum stat_item si)
{
	unsigned long sum = 0;

	for (unsigned int cpu = 0; cpu < KMM_NR_CPUS; cpu++)
		sum += s->cpu_slab[cpu].stat[si];
	return sum;
}

struct kmm_fault_attr *kmm_failslab(struct kmm *k)
{
	return &slab_st(k)->failslab;
}

void failslab_set_cache_filter(struct kmm *k, bool on)
{
	slab_st(k)->failslab_cache_filter = on;
}

/* ---- boot, reset, teardown ---- */

void kmem_cache_init(struct kmm *k)
{
	struct slab_state *st = calloc(1, sizeof(*st));

	kmm_assert(k, st != NULL);
	k->slab = st;
	st->hardened = k->cfg.slab_freelist_hardened;
	st->nomerge = k->cfg.slab_nomerge;
	st->slub_debug = k->cfg.slub_debug & SLAB_DEBUG_FLAGS;
	st->objmap = malloc(MAX_OBJS_PER_PAGE + 1);
	kmm_assert(k, st->objmap != NULL);
	create_kmalloc_caches(k);
}

void slab_reset(struct kmm *k)
{
	struct slab_state *st = slab_st(k);

	if (st->snap) {
		while (st->nr_caches > st->boot_nr_caches) {
			struct kmem_cache *s = st->caches[--st->nr_caches];
			free(s->boot_copy);
			free(s);
		}
		for (unsigned int i = 0; i < st->nr_dirty; i++) {
			struct kmem_cache *s = st->dirty[i];
			memcpy(s, s->boot_copy, sizeof(*s));    /* dirty = false */
		}
		st->nr_dirty = 0;
		st->next_id = st->boot_next_id;
		st->jiffies = st->boot_jiffies;
		st->snap = false;
	}
	memset(&st->failslab, 0, sizeof(st->failslab));
	st->failslab_cache_filter = false;
	st->collect = false;
	st->errors = 0;
	st->log_len = 0;
	if (st->log)
		st->log[0] = 0;
}

void slab_exit(struct kmm *k)
{
	struct slab_state *st = slab_st(k);

	if (!st)
		return;
	for (unsigned int i = 0; i < st->nr_caches; i++) {
		free(st->caches[i]->boot_copy);
		free(st->caches[i]);
	}
	free(st->caches);
	free(st->dirty);
	free(st->log);
	free(st->objmap);
	free(st->check_count);
	free(st);
	k->slab = NULL;
}
