/* replay_slab.c — kmalloc / kfree / kmem_cache_alloc / kmem_cache_free of
 * a real trace, replayed through the simulated SLUB allocator.
 *
 * A real object pointer maps to the simulated object (the objs map, keyed
 * by the trace's pointer value: hashed %p values pair just as well).  A
 * cache name maps to a cache created on first sight, with the object size
 * the kernel reported (bytes_req = s->object_size) and, as far as the
 * kernel's slot size (bytes_alloc = s->size) shows them, the alignment and
 * layout flags: a slot of ALIGN(size, cache line) is SLAB_HWCACHE_ALIGN, a
 * slot with room for a pointer after the object is a free pointer outside
 * the object (a constructor or SLAB_TYPESAFE_BY_RCU: created as the
 * latter, which needs no constructor).  Every cache is SLAB_NO_MERGE: a
 * name in a trace is the cache the kernel used, merged aliases already
 * resolved.  Names of kmalloc caches ("kmalloc-", "kmalloc-rcl-",
 * "dma-kmalloc-", "kmalloc-cg-", "kmalloc-rnd-") map to the simulator's
 * kmalloc cache of that size and type.
 *
 * Differential checks: the kmalloc size class the simulator chose (ksize of
 * the object, or kmalloc_size_roundup when it could not be allocated)
 * against the bytes_alloc the kernel reported, which is s->size of the
 * kmalloc cache or the pages of a large kmalloc; and each cache's slot
 * size against the kernel's (informational: creation flags and the 8-byte
 * pointers of x86_64 are not in the trace).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "replay_internal.h"

#define X86_64_ZERO_SIZE_PTR 16u   /* ZERO_SIZE_PTR of the traced kernel */

static uint64_t name_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
	return h;
}

/* the replay's index of a cache name, -1 if not seen; *slot: the map key
 * to insert it under */
static int cache_index(struct kmmt_replay *rp, const char *name, uint64_t *slot)
{
	uint64_t h = name_hash(name), *v;

	while ((v = kmmt_map_get(&rp->cache_by_name, h))) {
		if (!strcmp(rp->caches[*v].name, name))
			return (int)*v;
		h++;   /* another name with this hash */
	}
	*slot = h;
	return -1;
}

static unsigned int hw_align(uint64_t size)
{
	unsigned int a = SLUB_CACHE_LINE;

	while (size <= a / 2 && a > 8)
		a /= 2;
	return a;
}

static uint64_t align_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) & ~(a - 1);
}

/* SLAB_* flags that give the kernel's slot size for this object size */
static slab_flags_t infer_flags(uint64_t req, uint64_t real)
{
	unsigned int hw = hw_align(req);

	if (real == align_up(req, 8))
		return 0;
	if (real == align_up(req, hw))
		return SLAB_HWCACHE_ALIGN;
	if (real == align_up(req + 8, 8))
		return SLAB_TYPESAFE_BY_RCU;
	if (real == align_up(align_up(req + 8, 8), hw))
		return SLAB_HWCACHE_ALIGN | SLAB_TYPESAFE_BY_RCU;
	return 0;
}

static bool prefixed(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

/* the simulator's kmalloc cache for a kmalloc cache name, NULL if not one */
static struct kmem_cache *kmalloc_named(struct kmm *k, const char *name, uint64_t size)
{
	gfp_t type;

	if (prefixed(name, "kmalloc-rcl-"))
		type = __GFP_RECLAIMABLE;
	else if (prefixed(name, "dma-kmalloc-"))
		type = __GFP_DMA;
	else if (prefixed(name, "kmalloc-"))
		type = 0;
	else
		return NULL;
	return size && size <= KMALLOC_MAX_CACHE_SIZE ? kmalloc_slab(k, size, type) : NULL;
}

static bool is_kmalloc_name(const char *name)
{
	return prefixed(name, "kmalloc-") || prefixed(name, "dma-kmalloc-");
}

static struct kmmt_rcache *cache_for(struct kmmt_replay *rp, const struct kmmt_record *r)
{
	char name[KMMT_NAME_LEN];
	uint64_t slot = 0, req = r->alloc.bytes_req, real = r->alloc.bytes_alloc;
	int idx;

	if (r->alloc.name[0])
		snprintf(name, sizeof(name), "%s", r->alloc.name);
	else   /* kernels without cache names: one cache per object size */
		snprintf(name, sizeof(name), "(unnamed-%" PRIu64 ")", req);
	idx = cache_index(rp, name, &slot);
	if (idx >= 0)
		return &rp->caches[idx];
	if (rp->ncaches == rp->caches_cap) {
		unsigned int cap = rp->caches_cap ? rp->caches_cap * 2 : 64;
		struct kmmt_rcache *c = realloc(rp->caches, cap * sizeof(*c));
		if (!c)
			return NULL;
		rp->caches = c;
		rp->caches_cap = cap;
	}
	if (kmmt_map_put(&rp->cache_by_name, slot, rp->ncaches))
		return NULL;
	struct kmmt_rcache *rc = &rp->caches[rp->ncaches++];
	memset(rc, 0, sizeof(*rc));
	snprintf(rc->name, sizeof(rc->name), "%s", name);
	rc->real_object_size = req;
	rc->real_size = real;
	if (is_kmalloc_name(name)) {
		rc->s = kmalloc_named(rp->k, name, req);
		return rc;
	}
	if (req && req <= KMALLOC_MAX_SIZE) {
		slab_flags_t fl = infer_flags(req, real);
		rc->s = kmem_cache_create(rp->k, name, (unsigned int)req, 0, fl | SLAB_NO_MERGE, NULL);
		rc->created = rc->s != NULL;
	}
	if (!rc->s)
		return rc;
	if (rc->s->size == real) {
		rp->cache_size_agree++;
	} else {
		rp->cache_size_differ++;
		kmmt_diff(&rp->cache_diffs, "%s: object %" PRIu64 ", kernel slot %" PRIu64
			  ", simulator slot %u (align %u)", name, req, real, rc->s->size,
			  rc->s->align);
	}
	return rc;
}

static void class_check(struct kmmt_replay *rp, uint64_t req, uint64_t real, uint64_t sim)
{
	if (sim == real) {
		rp->kmalloc_class_agree++;
		return;
	}
	rp->kmalloc_class_differ++;
	for (unsigned int i = 0; i < rp->nclass_diff; i++) {
		struct kmmt_class_diff *d = &rp->class_diff[i];
		if (d->bytes_req == req && d->real == real && d->sim == sim) {
			d->count++;
			return;
		}
	}
	if (rp->nclass_diff < KMMT_DIFF_MAX)
		rp->class_diff[rp->nclass_diff++] =
			(struct kmmt_class_diff){.bytes_req = req, .real = real, .sim = sim, .count = 1};
}

/* frees the simulated object of an objs map value */
static void obj_drop(struct kmmt_replay *rp, uint64_t v)
{
	vaddr_t va = (vaddr_t)v;
	unsigned int c = (unsigned int)(v >> 32);

	if (!c)
		kfree(rp->k, va);
	else
		kmem_cache_free(rp->k, rp->caches[c - 1].s, va);
}

static void obj_alloc(struct kmmt_replay *rp, const struct kmmt_record *r)
{
	bool is_kmalloc = r->type == KMMT_KMALLOC;
	uint64_t ptr = r->alloc.ptr, req = r->alloc.bytes_req, *old;
	struct kmmt_rcache *rc = NULL;
	gfp_t gfp;
	vaddr_t va;

	if ((r->flags & KMMT_RF_FAILED) || !ptr) {
		kmmt_skip(rp, SKIP_OBJ_FAILED_REAL);
		return;
	}
	if (is_kmalloc && (!req || ptr == X86_64_ZERO_SIZE_PTR)) {
		kmmt_skip(rp, SKIP_OBJ_ZERO_SIZE);
		return;
	}
	if (is_kmalloc && req > KMALLOC_MAX_SIZE) {
		kmmt_skip(rp, SKIP_OBJ_TOO_LARGE);
		return;
	}
	/* slab memory is lowmem: the kernel WARNs and strips these; and the
	 * page allocator BUGs on masks without a zone or with two mobility
	 * types */
	gfp = kmmt_to_kmm_gfp(r->alloc.gfp);
	if ((r->alloc.gfp & (KMMT_GFP_HIGHMEM | KMMT_GFP_DMA32)) || gfp_zone(gfp) < 0 ||
	    gfpflags_to_migratetype(gfp) < 0) {
		kmmt_skip(rp, SKIP_OBJ_BAD_GFP);
		return;
	}
	if (!is_kmalloc) {
		rc = cache_for(rp, r);
		if (!rc || !rc->s) {
			kmmt_skip(rp, SKIP_OBJ_TOO_LARGE);
			return;
		}
	}
	old = kmmt_map_get(&rp->objs, ptr);
	if (old) {
		/* the kernel cannot hand out a live object: its free was missed */
		kmmt_skip(rp, SKIP_OBJ_REALLOC_LIVE);
		obj_drop(rp, *old);
		kmmt_map_del(&rp->objs, ptr);
	}
	kmm_set_cpu(rp->k, r->cpu % kmm_cfg(rp->k)->nr_cpus);
	va = is_kmalloc ? kmalloc(rp->k, (size_t)req, gfp) : kmem_cache_alloc(rp->k, rc->s, gfp);
	if (is_kmalloc) {
		uint64_t sim = va ? ksize(rp->k, va) : kmalloc_size_roundup((size_t)req);
		class_check(rp, req, r->alloc.bytes_alloc, sim);
		if (va && req > KMALLOC_MAX_CACHE_SIZE)
			rp->kmalloc_large++;
	}
	if (!va) {
		kmmt_skip(rp, SKIP_OBJ_NO_FIT);
		return;
	}
	if (kmmt_map_put(&rp->objs, ptr, va | (uint64_t)(rc ? rc - rp->caches + 1 : 0) << 32)) {
		obj_drop(rp, va | (uint64_t)(rc ? rc - rp->caches + 1 : 0) << 32);
		kmmt_skip(rp, SKIP_OBJ_NO_FIT);
		return;
	}
	rp->obj_allocs++;
	rp->replayed[r->type]++;
}

static void obj_free(struct kmmt_replay *rp, const struct kmmt_record *r)
{
	uint64_t ptr = r->free.ptr, *v;

	if (ptr <= X86_64_ZERO_SIZE_PTR) {
		kmmt_skip(rp, SKIP_OBJ_FREE_NULL);
		return;
	}
	v = kmmt_map_get(&rp->objs, ptr);
	if (!v) {
		kmmt_skip(rp, SKIP_OBJ_FREE_UNKNOWN);
		return;
	}
	/* freed with the name of another cache than it came from (a kmalloc
	 * object given to kmem_cache_free, or the reverse): the object goes
	 * back to its own cache, as the kernel's cache_from_obj() does */
	if (r->type == KMMT_CACHE_FREE && r->free.name[0]) {
		unsigned int c = (unsigned int)(*v >> 32);
		const char *have = c ? rp->caches[c - 1].name : NULL;
		if (have ? strcmp(have, r->free.name) : !is_kmalloc_name(r->free.name))
			rp->obj_free_other_cache++;
	}
	kmm_set_cpu(rp->k, r->cpu % kmm_cfg(rp->k)->nr_cpus);
	obj_drop(rp, *v);
	kmmt_map_del(&rp->objs, ptr);
	rp->obj_frees++;
	rp->replayed[r->type]++;
}

void kmmt_slab_record(struct kmmt_replay *rp, const struct kmmt_record *r)
{
	if (r->type == KMMT_KMALLOC || r->type == KMMT_CACHE_ALLOC)
		obj_alloc(rp, r);
	else
		obj_free(rp, r);
}

/* slab usage per cache at the end of the trace: every cache with objects */
void kmmt_slab_usage(struct kmmt_replay *rp)
{
	unsigned int n = slab_nr_caches(rp->k);

	rp->live_objs_at_end = rp->objs.live;
	free(rp->usage);
	rp->usage = calloc(n ? n : 1, sizeof(*rp->usage));
	rp->nusage = 0;
	if (!rp->usage)
		return;
	for (unsigned int i = 0; i < n; i++) {
		struct kmem_cache *s = slab_cache_at(rp->k, i);
		struct slabinfo si;
		get_slabinfo(rp->k, s, &si);
		if (!si.num_objs)
			continue;
		struct kmmt_cache_usage *u = &rp->usage[rp->nusage++];
		snprintf(u->name, sizeof(u->name), "%s", s->name);
		u->active_objs = si.active_objs;
		u->num_objs = si.num_objs;
		u->num_slabs = si.num_slabs;
		u->objsize = si.objsize;
		u->order = si.cache_order;
	}
}

/* frees every object still live, destroys the caches the replay created
 * and shrinks every cache, so the slab gives back the frames it took */
void kmmt_slab_teardown(struct kmmt_replay *rp)
{
	for (size_t i = 0; i < rp->objs.cap; i++)
		if (rp->objs.st[i] == 1) {
			obj_drop(rp, rp->objs.val[i]);
			rp->objs.st[i] = 2;
			rp->objs.live--;
		}
	for (unsigned int i = rp->ncaches; i-- > 0;)
		if (rp->caches[i].created) {
			kmem_cache_destroy(rp->k, rp->caches[i].s);
			rp->caches[i].created = false;
			rp->caches[i].s = NULL;
		}
	for (unsigned int i = 0; i < slab_nr_caches(rp->k); i++)
		kmem_cache_shrink(rp->k, slab_cache_at(rp->k, i));
}

void kmmt_slab_free(struct kmmt_replay *rp)
{
	kmmt_map_free(&rp->objs);
	kmmt_map_free(&rp->cache_by_name);
	free(rp->caches);
	free(rp->usage);
	rp->caches = NULL;
	rp->usage = NULL;
	rp->ncaches = rp->caches_cap = rp->nusage = 0;
}
