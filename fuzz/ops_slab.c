/* fuzz/ops_slab.c — slab allocator ops: kmalloc (and kmalloc_array,
 * kcalloc, krealloc) and kmem_cache_*.  Each
 * calls the kernel API; the oracle re-learns which frames the slab took,
 * checks the object (place, alignment, size class, overlap, zeroing) and
 * keeps a pattern at its two ends, checked when it is freed. */
#include <string.h>
#include "kmm/slab.h"
#include "ops.h"

static unsigned int order_for(size_t size)
{
	unsigned int order = 0;

	while ((size_t)PAGE_SIZE << order < size)
		order++;
	return order;
}

static bool is_large(const struct opl_handle *h)
{
	return h->parent < 0 && h->size > KMALLOC_MAX_CACHE_SIZE;
}

static void new_obj(struct opl_exec *x, const struct opl_inst *in, bool zero,
		    struct kmem_cache *s, unsigned int align)
{
	unsigned int h = (unsigned int)in->res;
	const struct opl_handle *hd = &x->p->h[h];
	gfp_t gfp = hd->gfp | (zero ? __GFP_ZERO : 0);
	struct oracle_alloc_pred pr;
	unsigned int order = order_for(hd->size);
	vaddr_t va;

	x->slab_used = true;
	if (is_large(hd))
		oracle_alloc_predict(x->o, gfp | __GFP_COMP, order, &pr);
	else
		oracle_slab_predict(x->o, gfp, &pr);
	if (s)
		va = zero ? kmem_cache_zalloc(x->k, s, hd->gfp)
			  : kmem_cache_alloc(x->k, s, hd->gfp);
	else if (opl_ops[in->op].array)
		va = zero ? kcalloc(x->k, (uint32_t)in->a[0], (uint32_t)in->a[1], hd->gfp)
			  : kmalloc_array(x->k, (uint32_t)in->a[0], (uint32_t)in->a[1],
					  hd->gfp);
	else
		va = zero ? kzalloc(x->k, hd->size, hd->gfp)
			  : kmalloc(x->k, hd->size, hd->gfp);
	if (is_large(hd))
		oracle_alloc_result(x->o, &pr, h, gfp | __GFP_COMP, order,
				    va ? virt_to_page(x->k, va) : NULL);
	else
		oracle_sync_frames(x->o);
	oracle_obj_result(x->o, &pr, h, va, hd->size, align, zero, !s,
			  va ? ksize(x->k, va) : 0);
	x->rt[h].va = va;
	if (va)
		opl_note(x, "0x%08x (%s)", va, virt_to_cache(x->k, va)
					       ? virt_to_cache(x->k, va)->name : "pages");
	else
		opl_note(x, "NULL (model: %s)", pr.inject ? "fault injected" : "may fail");
}

void ex_kmalloc(struct opl_exec *x, const struct opl_inst *in)
{
	new_obj(x, in, false, NULL, 8);
}

void ex_kzalloc(struct opl_exec *x, const struct opl_inst *in)
{
	new_obj(x, in, true, NULL, 8);
}

static struct kmem_cache *cache_of(struct opl_exec *x, int32_t v)
{
	struct kmem_cache *s = x->rt[OPL_H(v)].cache;

	if (!s)
		opl_note(x, "skipped: kmem_cache_create returned NULL");
	return s;
}

static unsigned int cache_align(struct opl_exec *x, int32_t v)
{
	const struct opl_inst *c = &x->p->ops[x->p->h[OPL_H(v)].op];
	return (unsigned int)c->a[1];
}

void ex_cache_alloc(struct opl_exec *x, const struct opl_inst *in)
{
	struct kmem_cache *s = cache_of(x, in->a[0]);

	if (s)
		new_obj(x, in, false, s, cache_align(x, in->a[0]));
}

void ex_cache_zalloc(struct opl_exec *x, const struct opl_inst *in)
{
	struct kmem_cache *s = cache_of(x, in->a[0]);

	if (s)
		new_obj(x, in, true, s, cache_align(x, in->a[0]));
}

static void free_obj(struct opl_exec *x, unsigned int h)
{
	const struct opl_handle *hd = &x->p->h[h];
	vaddr_t va = x->rt[h].va;

	if (!va) {
		opl_note(x, "skipped: the allocation returned NULL");
		return;
	}
	x->slab_used = true;
	oracle_obj_free(x->o, h);
	if (is_large(hd))
		oracle_put_before(x->o, h, 0);
	if (hd->parent >= 0)
		kmem_cache_free(x->k, x->rt[hd->parent].cache, va);
	else
		kfree(x->k, va);
	if (is_large(hd))
		oracle_put_after(x->o, h, 0);
	x->rt[h].va = 0;
	opl_note(x, "freed");
}

void ex_kfree(struct opl_exec *x, const struct opl_inst *in)
{
	free_obj(x, OPL_H(in->a[0]));
}

void ex_cache_free(struct opl_exec *x, const struct opl_inst *in)
{
	free_obj(x, OPL_H(in->a[1]));
}

void ex_ksize(struct opl_exec *x, const struct opl_inst *in)
{
	unsigned int h = OPL_H(in->a[0]);
	vaddr_t va = x->rt[h].va;

	if (!va) {
		opl_note(x, "skipped: the allocation returned NULL");
		return;
	}
	size_t ks = ksize(x->k, va);
	oracle_obj_ksize(x->o, h, x->p->h[h].parent < 0, ks);
	opl_note(x, "%zu", ks);
}

void ex_cache_create(struct opl_exec *x, const struct opl_inst *in)
{
	unsigned int h = (unsigned int)in->res;
	char name[32];

	snprintf(name, sizeof(name), "fuzz-%u", h);
	x->slab_used = true;
	x->rt[h].cache = kmem_cache_create(x->k, name, (unsigned int)in->a[0],
					   (unsigned int)in->a[1], (slab_flags_t)in->a[2],
					   NULL);
	if (x->rt[h].cache)
		opl_note(x, "%s: size %u, objects of %u bytes%s", x->rt[h].cache->name,
			 x->rt[h].cache->object_size, x->rt[h].cache->size,
			 x->rt[h].cache->refcount > 1 ? " (merged)" : "");
	else
		opl_note(x, "NULL");
}

void ex_cache_destroy(struct opl_exec *x, const struct opl_inst *in)
{
	struct kmem_cache *s = cache_of(x, in->a[0]);

	if (!s)
		return;
	kmem_cache_destroy(x->k, s);
	x->rt[OPL_H(in->a[0])].cache = NULL;
}

void ex_cache_shrink(struct opl_exec *x, const struct opl_inst *in)
{
	struct kmem_cache *s = cache_of(x, in->a[0]);

	if (s)
		opl_note(x, "%s", kmem_cache_shrink(x->k, s) ? "slabs remain" : "empty");
}

/* kmalloc_array, kcalloc: a handle of size 0 is a call that must fail
 * (n * size overflows or passes KMALLOC_MAX_SIZE). */
static void new_array(struct opl_exec *x, const struct opl_inst *in, bool zero)
{
	unsigned int h = (unsigned int)in->res;
	uint32_t n = (uint32_t)in->a[0], size = (uint32_t)in->a[1];

	if (x->p->h[h].size) {
		new_obj(x, in, zero, NULL, 8);
		return;
	}
	x->slab_used = true;
	vaddr_t va = zero ? kcalloc(x->k, n, size, x->p->h[h].gfp)
			  : kmalloc_array(x->k, n, size, x->p->h[h].gfp);
	oracle_kmalloc_array(x->o, n, size, va);
	x->rt[h].va = va;
	opl_note(x, "NULL (model: n * size too large)");
}

void ex_kmalloc_array(struct opl_exec *x, const struct opl_inst *in)
{
	new_array(x, in, false);
}

void ex_kcalloc(struct opl_exec *x, const struct opl_inst *in)
{
	new_array(x, in, true);
}

/* krealloc: the new handle replaces the old one; when the kernel returns
 * NULL (the old object kept), the op frees the old object as a caller's
 * error path does, so the old handle is dead either way. */
void ex_krealloc(struct opl_exec *x, const struct opl_inst *in)
{
	unsigned int old = OPL_H(in->a[0]), h = (unsigned int)in->res;
	const struct opl_handle *hd = &x->p->h[h];
	vaddr_t p = x->rt[old].va;
	struct oracle_alloc_pred pr;

	x->rt[h].va = 0;
	if (!p) {
		opl_note(x, "skipped: the allocation returned NULL");
		return;
	}
	x->slab_used = true;
	bool same = oracle_krealloc_predict(x->o, old, hd->size, hd->gfp, &pr);
	vaddr_t va = krealloc(x->k, p, hd->size, hd->gfp);
	oracle_sync_frames(x->o);
	oracle_krealloc_result(x->o, &pr, old, h, va, hd->size,
			       va ? ksize(x->k, va) : 0);
	if (!va) {
		opl_note(x, "NULL (model: %s); the old object is freed",
			 pr.inject ? "fault injected" : "may fail");
		free_obj(x, old);
		return;
	}
	x->rt[old].va = 0;
	x->rt[h].va = va;
	opl_note(x, "0x%08x%s", va, same ? " (in place)" : "");
}

void ex_failslab(struct opl_exec *x, const struct opl_inst *in)
{
	struct kmm_fault_attr *a = kmm_failslab(x->k);

	memset(a, 0, sizeof(*a));
	a->interval = (unsigned long)in->a[0];
	a->times = in->a[1];
	a->nth = (unsigned long)in->a[2];
	a->ignore_gfp_wait = in->a[3];
	oracle_failslab(x->o, a);
}

void obj_teardown(struct opl_exec *x, unsigned int h)
{
	free_obj(x, h);
}

void cache_teardown(struct opl_exec *x, unsigned int h)
{
	if (x->rt[h].cache)
		kmem_cache_destroy(x->k, x->rt[h].cache);
	x->rt[h].cache = NULL;
}

void slab_quiesce(struct opl_exec *x)
{
	for (unsigned int i = 0; i < slab_nr_caches(x->k); i++)
		kmem_cache_shrink(x->k, slab_cache_at(x->k, i));
}
