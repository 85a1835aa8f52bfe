/* slab_bulk.c — kmem_cache_alloc_bulk() and kmem_cache_free_bulk() of
 * Linux 6.6 mm/slub.c: the bulk allocation drains the lockless freelist and
 * takes the slow path when it runs dry; the bulk free groups objects of
 * one slab into a detached freelist (build_detached_freelist, lookahead 3)
 * and frees each group at once. */
#include "slab_internal.h"

/* Is object already on the detached list being built (head..0)? */
static bool detached_has(struct kmm *k, struct kmem_cache *s, vaddr_t head,
			 vaddr_t object)
{
	for (vaddr_t p = head; p; p = get_freepointer(k, s, p))
		if (p == object)
			return true;
	return false;
}

void kmem_cache_free_bulk(struct kmm *k, struct kmem_cache *s, size_t size,
			  vaddr_t *p)
{
	slab_begin(k, s);
	while (size) {
		/* build_detached_freelist() */
		vaddr_t object = p[--size];
		if (!s && !ZERO_OR_NULL_PTR(object) && !slab_of(k, object)) {
			kfree(k, object);       /* a large kmalloc */
			continue;
		}
		struct page *slab = cache_slab_of(k, s, object,
						  "kmem_cache_free_bulk");
		struct kmem_cache *ds = slab->slab_cache;
		slab_begin(k, ds);
		slab_free_precheck(k, ds, slab, object);
		kasan_slab_free(k, ds, object);
		vaddr_t head = object, tail = object;
		int cnt = 1, lookahead = 3;
		set_freepointer(k, ds, object, 0);
		size_t same = size;
		while (size) {
			object = p[--size];
			if (slab_of(k, object) == slab) {
				slab_free_precheck(k, ds, slab, object);
				if (detached_has(k, ds, head, object))
					slab_bug_obj(k, ds, slab, object, "double free",
						     "Object freed twice in one "
						     "kmem_cache_free_bulk()");
				kasan_slab_free(k, ds, object);
				set_freepointer(k, ds, object, head);
				head = object;
				cnt++;
				same--;
				if (size != same) {
					vaddr_t t = p[size];
					p[size] = p[same];
					p[same] = t;
				}
				continue;
			}
			if (!--lookahead)
				break;
		}
		size = same;
		slab_free(k, ds, slab, head, tail, cnt);
	}
}

int kmem_cache_alloc_bulk(struct kmm *k, struct kmem_cache *s, gfp_t gfp,
			  size_t size, vaddr_t *p)
{
	size_t i;

	if (!size)
		return 0;
	slab_begin(k, s);
	if (gfp & GFP_SLAB_BUG_MASK)
		kmm_bug(k, "slab", "Unexpected gfp: %#x allocating from %s", gfp,
			s->name);
	if (should_failslab(k, s, gfp))
		return 0;
	struct kmem_cache_cpu *c = &s->cpu_slab[slab_st(k)->cpu];
	for (i = 0; i < size; i++) {
		vaddr_t object = c->freelist;
		if (!object) {
			c->tid++;
			p[i] = ___slab_alloc(k, s, gfp, s->object_size);
			if (!p[i]) {
				kmem_cache_free_bulk(k, s, i, p);
				return 0;
			}
			continue;
		}
		c->freelist = get_freepointer_checked(k, s, c->slab, object);
		p[i] = object;
	}
	c->tid++;
	for (i = 0; i < size; i++)
		kasan_slab_alloc(k, s, p[i], s->object_size);
	if (gfp & __GFP_ZERO)
		for (i = 0; i < size; i++)
			post_alloc_zero(k, s, p[i], s->object_size);
	return (int)size;
}
