/* oracle/slab.c — frames held by other subsystems, and slab objects.
 *
 * The slab allocator takes its pages from the buddy allocator behind the
 * model's back; after each slab op the model re-learns which frames are
 * in use by comparing, in the zones whose allocation or free counters
 * moved, every frame with the buddy free lists and pcp lists.  Frames the
 * slab took belong to FOREIGN_ID; a frame the model gave to an object or
 * found reserved at boot must never come back on a free list.  The page
 * allocations those subsystems make count for fail_page_alloc as well;
 * their number is taken from the machine's counter (the model predicts
 * the injections in its own allocations, not the slab's); the same for
 * failslab and the slab allocations vmalloc makes for its metadata.
 *
 * Objects: kmalloc and kmem_cache_alloc results must be lowmem addresses
 * inside slab frames (or, above 8 KiB, a compound block checked by the
 * page-allocator rules), aligned, disjoint from every live object, zeroed
 * when asked, with the usable size of their size class (the 3.x/6.x
 * kmalloc classes: 8, 16, 32, 64, 96, 128, 192, 256, then powers of two to
 * 8 KiB), and they keep the bytes written at both of their ends.
 */
#include <string.h>
#include "kmm/slab.h"
#include "model.h"

static void sync_fault_counts(struct oracle *o);

void oracle_frames_settled(struct oracle *o)
{
	o->nev = 0;
	o->ev_lost = false;
	for (int zi = 0; zi < NZ; zi++) {
		const struct zone *z = kmm_zone(o->k, (enum zone_type)zi);
		o->seen_alloc[zi] = z->nr_alloc;
		o->seen_free[zi] = z->nr_free_calls;
	}
}

static void mark_list(struct oracle *o, struct list_head *h, unsigned int order)
{
	for (struct list_head *l = h->next; l != h; l = l->next) {
		unsigned long pfn = page_to_pfn(o->k, kmm_container_of(l, struct page, lru));
		if (pfn + (1ul << order) > o->max_pfn)
			oracle_fail(o, "buddy/list", "a free list holds pfn 0x%05lx "
				    "(order %u) beyond the memmap", pfn, order);
		memset(o->kfree + pfn, 1, 1ul << order);
	}
}

static void sync_frame(struct oracle *o, unsigned long pfn, bool kfree)
{
	uint32_t w = o->own[pfn] & OWN_MASK;

	if (kfree == (w == OWN_FREE))
		return;
	if (!kfree) {
		frames_take(o, pfn, 0, FOREIGN_ID);
		o->nforeign++;
	} else if (w == FOREIGN_ID + 1) {
		frames_release(o, pfn, 0);
		own_mark_written(o, pfn);       /* it held slab data */
		o->nforeign--;
	} else {
		oracle_fail(o, "buddy/ownership",
			    "pfn 0x%05lx: model: %s; kmm: on a free list",
			    pfn, w == OWN_RESV ? "reserved at boot"
					       : "owned by a live object");
	}
}

/* The machine's page hook: remember the event for the next sync. */
void oracle_page_event(void *arg, enum kmm_page_event ev, unsigned long pfn,
		       unsigned int order)
{
	struct oracle *o = arg;

	if (o->nev == NR_EVENTS || pfn + (1ul << order) > o->max_pfn) {
		o->ev_lost = true;
		return;
	}
	o->ev[o->nev++] = (struct oevent){(uint32_t)pfn, (uint8_t)order,
					  ev == KMM_PAGE_FREE};
}

/* Replays the events: the last one on a frame gives its state in kmm
 * (kfree: 1 free, 2 handed out), then each named frame is compared once. */
void oracle_sync_frames(struct oracle *o)
{
	if (o->ev_lost) {
		oracle_sync_all(o);
		return;
	}
	for (unsigned int i = 0; i < o->nev; i++)
		memset(o->kfree + o->ev[i].pfn, o->ev[i].free ? 1 : 2,
		       1ul << o->ev[i].order);
	for (unsigned int i = 0; i < o->nev; i++)
		for (unsigned long p = o->ev[i].pfn;
		     p < o->ev[i].pfn + (1ul << o->ev[i].order); p++)
			if (o->kfree[p]) {
				sync_frame(o, p, o->kfree[p] == 1);
				o->kfree[p] = 0;
			}
	oracle_frames_settled(o);
	sync_fault_counts(o);
}

void oracle_sync_all(struct oracle *o)
{
	for (int zi = 0; zi < NZ; zi++) {
		struct zone *z = kmm_zone(o->k, (enum zone_type)zi);
		if (z->nr_alloc == o->seen_alloc[zi] &&
		    z->nr_free_calls == o->seen_free[zi])
			continue;
		for (unsigned int r = 0; r < NORD; r++)
			for (int t = 0; t < MIGRATE_TYPES; t++)
				mark_list(o, &z->free_area[r].free_list[t], r);
		for (unsigned int c = 0; c < o->nr_cpus; c++)
			for (int t = 0; t < MIGRATE_PCPTYPES; t++)
				mark_list(o, &z->pcp[c].lists[t], 0);
		/* compare eight frames at a time; look closer where they differ */
		unsigned long start = o->z[zi].start, end = o->z[zi].end;
		for (unsigned long pfn = start; pfn < end;) {
			uint64_t kw, mw;
			if (!(pfn & 7) && pfn + 8 <= end) {
				memcpy(&kw, o->kfree + pfn, 8);
				memcpy(&mw, o->mfree + pfn, 8);
				if (kw == mw) {
					pfn += 8;
					continue;
				}
			}
			sync_frame(o, pfn, o->kfree[pfn]);
			pfn++;
		}
		memset(o->kfree + start, 0, end - start);
	}
	oracle_frames_settled(o);
	sync_fault_counts(o);
}

static void sync_fault_counts(struct oracle *o)
{
	/* page allocations made inside other subsystems count for
	 * fail_page_alloc too: take the count from the machine */
	const struct kmm_fault_attr *a = kmm_fail_page_alloc(o->k);
	o->fault.calls = a->calls;
	o->fault.times = a->times;
	/* ...and slab allocations inside other subsystems (vmalloc's
	 * metadata) for failslab */
	a = kmm_failslab(o->k);
	o->failslab.calls = a->calls;
	o->failslab.times = a->times;
}

/* ---- failslab ---- */

void oracle_failslab(struct oracle *o, const struct kmm_fault_attr *a)
{
	o->failslab = (struct ofault){.interval = a->interval, .nth = a->nth,
				      .times = a->times,
				      .ign_wait = a->ignore_gfp_wait};
}

void oracle_slab_predict(struct oracle *o, gfp_t gfp, struct oracle_alloc_pred *pr)
{
	memset(pr, 0, sizeof(*pr));
	pr->min_zone = -1;
	pr->high_zone = (gfp & __GFP_DMA) ? ZONE_DMA : ZONE_NORMAL;
	if (ofault_should_fail(&o->failslab, gfp, 0)) {
		pr->inject = true;
		snprintf(pr->why, sizeof(pr->why), "failslab fires on call %lu",
			 o->failslab.calls);
	}
}

/* ---- objects ---- */

/* kmalloc_index() as the kernel-rules table gives it, as a size */
static unsigned int kmalloc_class(unsigned int size)
{
	if (size <= 8)
		return 8;
	if (size > 64 && size <= 96)
		return 96;
	if (size > 128 && size <= 192)
		return 192;
	unsigned int c = 16;
	while (c < size)
		c <<= 1;
	return c;
}

static uint8_t pattern(uint8_t seed, unsigned int off)
{
	return (uint8_t)(seed * 29u + off * 13u + 7u);
}

/* The byte at va, through the kernel direct map (virt_to_page). */
static uint8_t *byte_at(struct oracle *o, vaddr_t va, bool write)
{
	struct page *p = virt_to_page(o->k, va);
	unsigned long pfn = page_to_pfn(o->k, p);

	return (write ? kmm_frame_w(o->k, pfn) : (uint8_t *)kmm_frame_r(o->k, pfn)) +
	       (va & (PAGE_SIZE - 1));
}

static void check_ends(struct oracle *o, unsigned int id, struct oobj *b,
		       bool write)
{
	unsigned int n = b->size < 8 ? b->size : 8;

	for (unsigned int i = 0; i < 2 * n; i++) {
		unsigned int off = i < n ? i : b->size - n + (i - n);
		uint8_t want = pattern((uint8_t)id, off);
		uint8_t *at = byte_at(o, b->va + off, write);
		if (write) {
			*at = want;
			own_mark_written(o, page_to_pfn(o->k, virt_to_page(o->k, b->va + off)));
		} else if (*at != want) {
			oracle_fail(o, "slab/content",
				    "object %u at 0x%08x (size %u) byte %u: model: 0x%02x "
				    "as written; kmm: 0x%02x", id, b->va, b->size, off,
				    want, *at);
		}
	}
}

static void check_ksize(struct oracle *o, vaddr_t va, unsigned int size,
			unsigned int order, bool kmalloc, size_t ksize)
{
	unsigned int want = size > 8192 ? PAGE_SIZE << order
			    : kmalloc ? kmalloc_class(size) : size;

	if (kmalloc ? ksize != want : ksize < want)
		oracle_fail(o, "slab/size",
			    "object 0x%08x of %u bytes: model: usable size %s%u; kmm: "
			    "ksize %zu", va, size, kmalloc ? "" : "at least ", want,
			    ksize);
}

void oracle_obj_ksize(struct oracle *o, unsigned int id, bool kmalloc,
		      size_t ksize)
{
	struct oobj *b = oobj_get(o, id, "ksize");

	if (b->usable && ksize != b->usable)
		oracle_fail(o, "slab/size", "object 0x%08x (krealloc'ed in place to %u "
			    "bytes): model: usable size %u; kmm: ksize %zu", b->va,
			    b->size, b->usable, ksize);
	check_ksize(o, b->va, b->size, b->order, kmalloc && !b->usable, ksize);
}

void oracle_obj_result(struct oracle *o, const struct oracle_alloc_pred *pr,
		       unsigned int id, vaddr_t va, unsigned int size,
		       unsigned int align, bool zeroed, bool kmalloc,
		       size_t ksize)
{
	const struct kmm_layout *l = kmm_layout(o->k);
	bool large = kmalloc && size > 8192;
	struct oobj *b = &o->obj[id];

	if (!va)
		return;
	if (!large && pr->inject)
		oracle_fail(o, "slab/fault-inject", "model: NULL (%s); kmm: 0x%08x",
			    pr->why, va);
	if (va < PAGE_OFFSET || va + size > l->high_memory || va + size < va)
		oracle_fail(o, "slab/address",
			    "model: an object of %u bytes in the lowmem direct map; "
			    "kmm: 0x%08x", size, va);
	if (align < 8)
		align = 8;
	if (va % align)
		oracle_fail(o, "slab/alignment", "model: aligned to %u; kmm: 0x%08x",
			    align, va);
	if (!large) {
		for (vaddr_t a = va & PAGE_MASK; a < va + size; a += PAGE_SIZE) {
			unsigned long pfn = (a - PAGE_OFFSET) >> PAGE_SHIFT;
			if ((o->own[pfn] & OWN_MASK) != FOREIGN_ID + 1)
				oracle_fail(o, "slab/ownership",
					    "object 0x%08x (%u bytes): model: pfn 0x%05lx "
					    "is %s, not a frame the slab took", va, size, pfn,
					    (o->own[pfn] & OWN_MASK) == OWN_FREE ? "free"
					    : "owned by a live page block or reserved");
		}
		if (id >= ORACLE_MAX_OBJS || (b->flags & OBJ_LIVE))
			oracle_fail(o, "harness", "object id %u reused", id);
		*b = (struct oobj){.flags = OBJ_LIVE | OBJ_SLAB, .nsub = 1};
		o->used[o->nused++] = (uint16_t)id;
	} else if (!(b->flags & OBJ_LIVE) || va != page_address(o->k, pfn_to_page(o->k, b->pfn))) {
		oracle_fail(o, "slab/address", "kmalloc of %u bytes: model: the "
			    "address of its compound block; kmm: 0x%08x", size, va);
	}
	for (unsigned int i = 0; i < o->nused; i++) {
		const struct oobj *x = &o->obj[o->used[i]];
		if (o->used[i] == id || (x->flags & (OBJ_LIVE | OBJ_SLAB)) !=
						 (OBJ_LIVE | OBJ_SLAB))
			continue;
		if (va < x->va + x->size && x->va < va + size)
			oracle_fail(o, "slab/overlap",
				    "model: objects are disjoint; kmm: 0x%08x+%u overlaps "
				    "live object %u at 0x%08x+%u", va, size, o->used[i],
				    x->va, x->size);
	}
	check_ksize(o, va, size, large ? b->order : 0, kmalloc, ksize);
	for (unsigned int off = 0; zeroed && off < size;) {
		unsigned int n = PAGE_SIZE - ((va + off) & (PAGE_SIZE - 1));
		const uint8_t *p = byte_at(o, va + off, false);
		if (n > size - off)
			n = size - off;
		for (unsigned int i = 0; i < n; i++)
			if (p[i])
				oracle_fail(o, "slab/zero",
					    "object 0x%08x of %u bytes: model: zeroed; kmm: "
					    "byte %u is 0x%02x", va, size, off + i, p[i]);
		off += n;
	}
	b->flags |= OBJ_SLAB;
	b->va = va;
	b->size = size;
	check_ends(o, id, b, true);
}

void oracle_obj_free(struct oracle *o, unsigned int id)
{
	struct oobj *b = oobj_get(o, id, "kfree");

	if (!(b->flags & OBJ_SLAB))
		oracle_fail(o, "harness", "kfree of object %u, not a slab object", id);
	check_ends(o, id, b, false);
	if (b->order || (b->flags & OBJ_COMPOUND) || b->pfn)
		return;                 /* a page block: oracle_put_* follow */
	b->flags = 0;
}

/* ---- kmalloc_array, krealloc ---- */

void oracle_kmalloc_array(struct oracle *o, uint32_t n, uint32_t size,
			  vaddr_t va)
{
	uint64_t bytes = (uint64_t)n * size;

	if (va && bytes > KMALLOC_MAX_SIZE)
		oracle_fail(o, "slab/overflow", "kmalloc_array(%u, %u): model: NULL "
			    "(%s); kmm: 0x%08x", n, size, bytes > UINT32_MAX
			    ? "n * size overflows the 32-bit size_t"
			    : "beyond KMALLOC_MAX_SIZE", va);
}

static unsigned int usable_of(const struct oobj *b)
{
	return b->usable ? b->usable : kmalloc_class(b->size);
}

bool oracle_krealloc_predict(struct oracle *o, unsigned int id,
			     unsigned int new_size, gfp_t gfp,
			     struct oracle_alloc_pred *pr)
{
	struct oobj *b = oobj_get(o, id, "krealloc");

	check_ends(o, id, b, false);
	if (usable_of(b) >= new_size) {
		memset(pr, 0, sizeof(*pr));
		pr->min_zone = -1;
		return true;
	}
	oracle_slab_predict(o, gfp, pr);
	return false;
}

void oracle_krealloc_result(struct oracle *o, const struct oracle_alloc_pred *pr,
			    unsigned int id, unsigned int new_id, vaddr_t va,
			    unsigned int new_size, size_t ksize)
{
	struct oobj *b = oobj_get(o, id, "krealloc");
	unsigned int old = b->size, usable = usable_of(b);
	unsigned int keep = old < new_size ? old : new_size, n = old < 8 ? old : 8;
	bool in_place = usable >= new_size;

	if (!va) {
		if (in_place)
			oracle_fail(o, "slab/krealloc", "krealloc(0x%08x, %u): model: the "
				    "object itself (usable size %u); kmm: NULL", b->va,
				    new_size, usable);
		return;
	}
	if (in_place != (va == b->va))
		oracle_fail(o, "slab/krealloc", "krealloc(0x%08x, %u), usable size %u: "
			    "model: %s; kmm: 0x%08x", b->va, new_size, usable,
			    in_place ? "the object itself" : "a new object", va);
	for (unsigned int i = 0; i < 2 * n; i++) {
		unsigned int off = i < n ? i : old - n + (i - n);
		uint8_t want = pattern((uint8_t)id, off), got;
		if (off >= keep)
			continue;
		got = *byte_at(o, va + off, false);
		if (got != want)
			oracle_fail(o, "slab/krealloc", "krealloc(0x%08x, %u) = 0x%08x, byte "
				    "%u: model: 0x%02x kept from the old object; kmm: 0x%02x",
				    b->va, new_size, va, off, want, got);
	}
	b->flags = 0;
	oracle_obj_result(o, pr, new_id, va, new_size, 8, false, !in_place, ksize);
	if (in_place) {
		if (ksize != usable)
			oracle_fail(o, "slab/size", "krealloc in place of 0x%08x: model: "
				    "usable size %u stays; kmm: ksize %zu", va, usable, ksize);
		o->obj[new_id].usable = usable;
	}
}

vaddr_t oracle_obj_va(const struct oracle *o, unsigned int id)
{
	return id < ORACLE_MAX_OBJS && (o->obj[id].flags & OBJ_LIVE) ? o->obj[id].va : 0;
}

void slab_ends(struct oracle *o, unsigned int id, bool write)
{
	check_ends(o, id, oobj_get(o, id, "slab access"), write);
}
