/* slab_check.c — the slab layer's invariant sweep.  For every live cache:
 * each slab on the node partial and full lists, each CPU slab and CPU
 * partial slab is a slab head page of that cache, in lowmem, of the
 * cache's order, with the object count of that order, frozen exactly when
 * a CPU holds it; its freelist (and the CPU's lockless freelist) hold
 * objects of the slab on object boundaries, each once, no cycle; in-use
 * plus free equals objects; the counters (nr_partial, nr_slabs,
 * total_objects, partial_slabs) match the lists; debug caches have no CPU
 * slabs and every debug byte is intact (SLUB's check_object, as a bug).
 * Every PG_slab page of the memmap belongs to a live cache. */
#include <stdlib.h>
#include <string.h>
#include "slab_internal.h"

#define CHECK(k, s, cond, ...)                                                \
	do {                                                                  \
		if (!(cond))                                                  \
			kmm_bug((k), "slab", "slab_check: " __VA_ARGS__);      \
	} while (0)

enum slab_place { ON_PARTIAL, ON_FULL, CPU_SLAB, CPU_PARTIAL };
static const char *const place_name[] = {"node partial", "node full",
					 "cpu", "cpu partial"};

/* Mark the objects of a freelist in the map (tag), return their number. */
static unsigned int walk_freelist(struct kmm *k, struct kmem_cache *s,
				  struct page *slab, vaddr_t head, uint8_t tag)
{
	uint8_t *map = slab_st(k)->objmap;
	unsigned int n = 0;

	for (vaddr_t p = head; p; p = get_freepointer(k, s, p)) {
		CHECK(k, s, check_valid_pointer(k, s, slab, p),
		      "%s: freelist entry 0x%08x of slab pfn 0x%05lx is not an "
		      "object of the slab [corrupted free pointer]", s->name, p,
		      page_to_pfn(k, slab));
		unsigned int idx = obj_to_index(k, s, slab, p);
		CHECK(k, s, !map[idx],
		      "%s: object 0x%08x of slab pfn 0x%05lx is on a freelist "
		      "twice (a cycle, or on two lists)", s->name, p,
		      page_to_pfn(k, slab));
		map[idx] = tag;
		n++;
	}
	return n;
}

static unsigned long check_one_slab(struct kmm *k, struct kmem_cache *s,
				    struct page *slab, enum slab_place where,
				    vaddr_t cpu_freelist)
{
	unsigned long pfn = page_to_pfn(k, slab);
	const char *pl = place_name[where];

	CHECK(k, s, PageSlab(slab) && !PageTail(slab) && slab->slab_cache == s,
	      "%s: %s slab pfn 0x%05lx is not a slab head page of this cache",
	      s->name, pl, pfn);
	CHECK(k, s, !PageHighMem(k, slab), "%s: slab pfn 0x%05lx is highmem",
	      s->name, pfn);
	unsigned int order = slab_order(slab);
	CHECK(k, s, order == s->oo_order || order == s->min_order,
	      "%s: slab pfn 0x%05lx has order %u (cache orders %u, %u)", s->name,
	      pfn, order, s->oo_order, s->min_order);
	unsigned int maxobj = order_objects(order, s->size);
	if (maxobj > MAX_OBJS_PER_PAGE)
		maxobj = MAX_OBJS_PER_PAGE;
	CHECK(k, s, slab->objects == maxobj && slab->inuse <= slab->objects,
	      "%s: slab pfn 0x%05lx objects=%u inuse=%u, expected %u objects",
	      s->name, pfn, slab->objects, slab->inuse, maxobj);
	CHECK(k, s, slab->frozen == (where == CPU_SLAB || where == CPU_PARTIAL),
	      "%s: %s slab pfn 0x%05lx has frozen=%u", s->name, pl, pfn,
	      slab->frozen);
	CHECK(k, s, (slab->freelist != 0) == (where != ON_FULL) ||
			    where == CPU_SLAB,
	      "%s: %s slab pfn 0x%05lx has freelist 0x%08x", s->name, pl, pfn,
	      slab->freelist);

	memset(slab_st(k)->objmap, 0, slab->objects);
	unsigned int nfree = walk_freelist(k, s, slab, slab->freelist, 1);
	walk_freelist(k, s, slab, cpu_freelist, 2);
	CHECK(k, s, slab->inuse + nfree == slab->objects,
	      "%s: %s slab pfn 0x%05lx: inuse %u + free %u != objects %u",
	      s->name, pl, pfn, slab->inuse, nfree, slab->objects);
	if (kmem_cache_debug(s)) {      /* bug mode: no repairs */
		slab_pad_check(k, s, slab);
		vaddr_t addr = slab_address(k, slab);
		for (vaddr_t p = fixup_red_left(s, addr);
		     p < addr + slab->objects * s->size; p += s->size)
			check_object(k, s, slab, p,
				     slab_st(k)->objmap[obj_to_index(k, s, slab, p)]
					     ? SLUB_RED_INACTIVE : SLUB_RED_ACTIVE);
	}
	return slab->objects;
}

static unsigned long check_list(struct kmm *k, struct kmem_cache *s,
				struct list_head *head, enum slab_place where,
				unsigned long *objects)
{
	unsigned long n = 0;

	for (struct list_head *l = head->next; l != head; l = l->next) {
		CHECK(k, s, l && l->next && l->next->prev == l &&
				    ++n <= k->layout.max_low_pfn,
		      "%s: %s list is corrupt (broken link or cycle)", s->name,
		      place_name[where]);
		*objects += check_one_slab(k, s, lru_to_page(l), where, 0);
	}
	return n;
}

static void check_cache(struct kmm *k, struct kmem_cache *s)
{
	struct kmem_cache_node *n = &s->node;
	unsigned long slabs = 0, objects = 0, np;

	CHECK(k, s, s->refcount > 0, "%s: refcount %d", s->name, s->refcount);
	np = check_list(k, s, &n->partial, ON_PARTIAL, &objects);
	CHECK(k, s, np == n->nr_partial, "%s: nr_partial %lu but %lu slabs on "
	      "the partial list", s->name, n->nr_partial, np);
	slabs = np + check_list(k, s, &n->full, ON_FULL, &objects);
	for (unsigned int cpu = 0; cpu < KMM_NR_CPUS; cpu++) {
		struct kmem_cache_cpu *c = &s->cpu_slab[cpu];
		bool none = cpu >= k->cfg.nr_cpus || kmem_cache_debug(s);
		CHECK(k, s, !none || (!c->slab && !c->freelist && !c->partial_slabs &&
				      list_empty(&c->partial)),
		      "%s: cpu %u holds slabs it cannot have", s->name, cpu);
		CHECK(k, s, c->slab || !c->freelist,
		      "%s: cpu %u has a freelist but no slab", s->name, cpu);
		if (c->slab) {
			CHECK(k, s, !c->slab->lru.next || c->slab->lru.next ==
							   &c->slab->lru,
			      "%s: cpu %u slab is also on a list", s->name, cpu);
			for (unsigned int o = 0; o < cpu; o++)
				CHECK(k, s, s->cpu_slab[o].slab != c->slab,
				      "%s: cpus %u and %u share a slab", s->name, o,
				      cpu);
			objects += check_one_slab(k, s, c->slab, CPU_SLAB, c->freelist);
			slabs++;
		}
		unsigned long ncp = check_list(k, s, &c->partial, CPU_PARTIAL,
					       &objects);
		CHECK(k, s, ncp == c->partial_slabs, "%s: cpu %u partial_slabs %u "
		      "but %lu slabs listed", s->name, cpu, c->partial_slabs, ncp);
		slabs += ncp;
	}
	CHECK(k, s, slabs == n->nr_slabs && objects == n->total_objects,
	      "%s: nr_slabs %lu total_objects %lu but %lu slabs with %lu objects "
	      "found", s->name, n->nr_slabs, n->total_objects, slabs, objects);
}

void slab_check(struct kmm *k)
{
	struct slab_state *st = slab_st(k);

	if (st->check_cap < st->nr_caches) {
		st->check_count = realloc(st->check_count,
					  st->nr_caches * sizeof(*st->check_count));
		kmm_assert(k, st->check_count != NULL);
		st->check_cap = st->nr_caches;
	}
	for (unsigned int i = 0; i < st->nr_caches; i++) {
		st->check_count[i] = 0;
		if (!st->caches[i]->dead)
			check_cache(k, st->caches[i]);
	}
	/* every slab page belongs to a live cache and is counted by it */
	for (unsigned long pfn = 0; pfn < k->layout.max_pfn; pfn++) {
		const struct page *p = &k->mem_map[pfn];
		if (!PageSlab(p))
			continue;
		unsigned int i = 0;
		while (i < st->nr_caches &&
		       (st->caches[i] != p->slab_cache || st->caches[i]->dead))
			i++;
		if (i == st->nr_caches)
			kmm_bug(k, "slab", "slab_check: pfn 0x%05lx is a slab page of "
				"no live cache", pfn);
		st->check_count[i]++;
	}
	for (unsigned int i = 0; i < st->nr_caches; i++) {
		struct kmem_cache *s = st->caches[i];
		if (!s->dead && st->check_count[i] != s->node.nr_slabs)
			kmm_bug(k, "slab", "slab_check: %s: %u slab pages in the "
				"memmap but nr_slabs %lu", s->name, st->check_count[i],
				s->node.nr_slabs);
	}
	for (int t = 0; t < NR_KMALLOC_TYPES; t++)
		for (unsigned int i = 1; i <= KMALLOC_SHIFT_HIGH; i++) {
			struct kmem_cache *s = st->kmalloc_caches[t][i];
			CHECK(k, s, s && !s->dead && (s->flags & SLAB_KMALLOC),
			      "kmalloc cache [%d][%u] missing", t, i);
		}
}
