/* oracle/buddy.c — what alloc_pages and the freeing calls must do.
 *
 * The prediction follows the allocator's documented contract (3.2
 * __alloc_pages_nodemask with the simplifications page_alloc.h states):
 * gfp_zone() picks the highest allowed zone; the zonelist is walked from
 * the preferred zone down, first against WMARK_LOW, then (slow path)
 * against WMARK_MIN with ALLOC_HIGH for __GFP_HIGH and ALLOC_HARDER for
 * atomic requests; a __GFP_WAIT request drains every pcp list before its
 * last try.  __zone_watermark_ok is evaluated on the model's numbers:
 *   free - 2^order + 1 > min + lowmem_reserve[classzone], and for each
 *   o < order: (pages in free blocks of order > o) - 2^order + 1 > min >> o+1
 * The model knows the free frames exactly but not which sit on pcp lists,
 * so it evaluates the rule on a lower bound (pcp lists full) to say "must
 * succeed" and on an upper bound (pcp lists empty) to say "must fail".
 */
#include <string.h>
#include "model.h"

/* GFP_ZONE_TABLE for i386: no DMA32 zone, MOVABLE empty. */
static int model_gfp_zone(gfp_t gfp)
{
	if (gfp & __GFP_DMA)
		return (gfp & __GFP_HIGHMEM) ? -1 : ZONE_DMA;
	return (gfp & __GFP_HIGHMEM) ? ZONE_HIGHMEM : ZONE_NORMAL;
}

/* fault_attr with probability 100: fail_nth, then every interval-th call
 * while times lasts (lib/fault-inject.c, should_fail_alloc_page filters). */
bool ofault_should_fail(struct ofault *f, gfp_t gfp, unsigned int order)
{
	if ((gfp & __GFP_NOFAIL) || order < f->min_order)
		return false;
	if ((f->ign_highmem && (gfp & __GFP_HIGHMEM)) ||
	    (f->ign_wait && (gfp & __GFP_WAIT)))
		return false;
	f->calls++;
	if (f->nth && f->calls == f->nth)
		return true;
	if (!f->interval || f->times == 0 || f->calls % f->interval)
		return false;
	if (f->times > 0)
		f->times--;
	return true;
}

void oracle_fail_page_alloc(struct oracle *o, const struct kmm_fault_attr *a)
{
	o->fault = (struct ofault){
		.interval = a->interval, .nth = a->nth, .times = a->times,
		.min_order = a->min_order, .ign_highmem = a->ignore_gfp_highmem,
		.ign_wait = a->ignore_gfp_wait};
}

enum { W_HIGH = 1, W_HARDER = 2 };

/* __zone_watermark_ok on given numbers; big[r] = pages in free blocks of
 * order >= r. */
static bool wm_ok(long free, const long *big, unsigned int order, long mark,
		  long reserve, int flags)
{
	long min = mark;

	if (flags & W_HIGH)
		min -= min / 2;
	if (flags & W_HARDER)
		min -= min / 4;
	if (free - (1l << order) + 1 <= min + reserve)
		return false;
	for (unsigned int o = 0; o < order; o++) {
		min >>= 1;
		if (big[o + 1] - (1l << order) + 1 <= min)
			return false;
	}
	return true;
}

enum bound { LOWER, EXACT, UPPER };

static bool zone_ok(const struct oracle *o, int z, enum bound b,
		    unsigned int order, int wmark, int classzone, int flags)
{
	long slack = b == LOWER ? (long)o->z[z].pcp_bound : 0;
	long big[NORD];

	for (unsigned int r = 1; r <= order; r++) {
		long blocks = o->F[z][r] - slack;
		big[r] = blocks > 0 ? blocks << r : 0;
	}
	return wm_ok(o->F[z][0] - slack, big, order, (long)o->z[z].wmark[wmark],
		     (long)o->z[z].reserve[classzone], flags);
}

void oracle_alloc_predict(struct oracle *o, gfp_t gfp, unsigned int order,
			  struct oracle_alloc_pred *pr)
{
	bool wait = gfp & __GFP_WAIT;
	int flags = (gfp & __GFP_HIGH) ? W_HIGH : 0;
	int pref = -1;

	memset(pr, 0, sizeof(*pr));
	pr->min_zone = -1;
	pr->high_zone = model_gfp_zone(gfp);
	if (pr->high_zone < 0)
		oracle_fail(o, "harness", "alloc with invalid gfp 0x%x", gfp);
	if (!wait && !(gfp & __GFP_NOMEMALLOC))
		flags |= W_HARDER;
	if (ofault_should_fail(&o->fault, gfp, order)) {
		pr->inject = true;
		snprintf(pr->why, sizeof(pr->why), "fail_page_alloc fires on call %lu",
			 o->fault.calls);
		return;
	}
	for (int z = pr->high_zone; z >= 0 && pref < 0; z--)
		if (o->z[z].present)
			pref = z;
	if (pref < 0) {
		pr->must_fail = true;
		snprintf(pr->why, sizeof(pr->why), "no populated zone allowed");
		return;
	}
	for (int z = pref; z >= 0; z--) {
		if (!o->z[z].present)
			continue;
		if (zone_ok(o, z, LOWER, order, WMARK_LOW, pref, 0)) {
			pr->must_succeed = true;
			pr->min_zone = z;
			snprintf(pr->why, sizeof(pr->why),
				 "zone %d has %ld free frames (at least %ld off the pcp "
				 "lists) above the low watermark %lu + reserve %lu",
				 z, o->F[z][0], o->F[z][0] - (long)o->z[z].pcp_bound,
				 o->z[z].wmark[WMARK_LOW], o->z[z].reserve[pref]);
			return;
		}
	}
	pr->must_fail = true;
	for (int z = pref; z >= 0; z--) {
		if (!o->z[z].present)
			continue;
		if (zone_ok(o, z, wait ? EXACT : LOWER, order, WMARK_MIN, pref, flags)) {
			pr->must_succeed = true;
			long m = (long)o->z[z].wmark[WMARK_MIN];
			m -= (flags & W_HIGH) ? m / 2 : 0;
			m -= (flags & W_HARDER) ? m / 4 : 0;
			snprintf(pr->why, sizeof(pr->why),
				 "zone %d has %ld free frames, above the min watermark "
				 "%lu (%ld with%s%s) + reserve %lu%s", z, o->F[z][0],
				 o->z[z].wmark[WMARK_MIN], m,
				 (flags & W_HIGH) ? " ALLOC_HIGH" : "",
				 (flags & W_HARDER) ? " ALLOC_HARDER" : "",
				 o->z[z].reserve[pref],
				 wait ? " once the pcp lists are drained" : "");
		}
		if (zone_ok(o, z, UPPER, order, WMARK_MIN, pref, flags))
			pr->must_fail = false;
	}
	if (pr->must_fail)
		snprintf(pr->why, sizeof(pr->why),
			 "no zone <= %d passes the min watermark (flags %d) even with "
			 "empty pcp lists", pref, flags);
	else if (!pr->must_succeed)
		snprintf(pr->why, sizeof(pr->why), "near the watermarks: either");
}

static void check_new_block(struct oracle *o, const struct oracle_alloc_pred *pr,
			    gfp_t gfp, unsigned int order, struct page *page,
			    unsigned long pfn)
{
	unsigned long n = 1ul << order;
	int z = ozone_of(o, pfn);

	if (pfn & (n - 1))
		oracle_fail(o, "buddy/alignment",
			    "alloc_pages(0x%x, %u): model: a block aligned to %lu "
			    "frames; kmm: pfn 0x%05lx", gfp, order, n, pfn);
	if (pfn + n > o->max_pfn || ozone_of(o, pfn + n - 1) != z)
		oracle_fail(o, "buddy/zone",
			    "alloc_pages(0x%x, %u): model: a block inside one zone; "
			    "kmm: pfn 0x%05lx-0x%05lx", gfp, order, pfn, pfn + n - 1);
	if (z > pr->high_zone)
		oracle_fail(o, "buddy/zone",
			    "alloc_pages(0x%x, %u): model: zone <= %d (gfp_zone); "
			    "kmm: pfn 0x%05lx in zone %d", gfp, order, pr->high_zone,
			    pfn, z);
	if (z < pr->min_zone)
		oracle_fail(o, "buddy/zone-order",
			    "alloc_pages(0x%x, %u): model: %s, so the block comes from "
			    "zone %d or above; kmm: pfn 0x%05lx in zone %d",
			    gfp, order, pr->why, pr->min_zone, pfn, z);
	for (unsigned long i = 0; i < n; i++) {
		uint32_t w = o->own[pfn + i] & OWN_MASK;
		if (w != OWN_FREE)
			oracle_fail(o, "buddy/ownership",
				    "alloc_pages(0x%x, %u) returned pfn 0x%05lx: model: "
				    "frame 0x%05lx is %s; kmm: handed out again",
				    gfp, order, pfn, pfn + i,
				    w == OWN_RESV ? "reserved at boot"
						  : "owned by a live object");
	}
	if (page_count(page) != 1 || page->_mapcount != -1 || PageBuddy(page) ||
	    PageReserved(page))
		oracle_fail(o, "buddy/page-state",
			    "alloc_pages(0x%x, %u): model: count 1, mapcount -1, not "
			    "reserved; kmm: pfn 0x%05lx count %d mapcount %d flags 0x%x",
			    gfp, order, pfn, page_count(page), page->_mapcount,
			    page->flags);
	bool comp = order && (gfp & __GFP_COMP);
	if (comp ? !PageHead(page) || page->compound_order != order ||
			   !PageTail(page + n - 1) || page[n - 1].first_page != page
		 : PageCompound(page))
		oracle_fail(o, "buddy/compound",
			    "alloc_pages(0x%x, %u): model: %s; kmm: pfn 0x%05lx "
			    "flags 0x%x compound_order %u", gfp, order,
			    comp ? "a compound page" : "not compound", pfn,
			    page->flags, page->compound_order);
	if (gfp & __GFP_ZERO)
		for (unsigned long i = 0; i < n; i++) {
			unsigned int off;
			if ((o->own[pfn + i] & OWN_WRITTEN) && !read_zero(o, pfn + i, &off))
				oracle_fail(o, "buddy/zero",
					    "alloc_pages(0x%x, %u): model: __GFP_ZERO "
					    "block reads as zero; kmm: pfn 0x%05lx byte "
					    "0x%03x is not zero", gfp, order, pfn + i, off);
		}
}

void oracle_alloc_result(struct oracle *o, const struct oracle_alloc_pred *pr,
			 unsigned int id, gfp_t gfp, unsigned int order,
			 struct page *page)
{
	if (!page) {
		if (pr->must_succeed)
			oracle_fail(o, "buddy/alloc-fail",
				    "alloc_pages(0x%x, %u): model: must succeed: %s; "
				    "kmm: NULL", gfp, order, pr->why);
		return;
	}
	unsigned long pfn = page_to_pfn(o->k, page);
	if (pfn >= o->max_pfn)
		oracle_fail(o, "buddy/page", "alloc_pages returned a page outside "
			    "the memmap");
	if (pr->inject || pr->must_fail)
		oracle_fail(o, pr->inject ? "buddy/fault-inject" : "buddy/watermark",
			    "alloc_pages(0x%x, %u): model: NULL (%s); kmm: pfn 0x%05lx",
			    gfp, order, pr->why, pfn);
	check_new_block(o, pr, gfp, order, page, pfn);
	if (id >= ORACLE_MAX_OBJS || (o->obj[id].flags & OBJ_LIVE))
		oracle_fail(o, "harness", "object id %u reused", id);
	struct oobj *b = &o->obj[id];
	*b = (struct oobj){.pfn = (uint32_t)pfn, .order = (uint8_t)order,
			   .zone = (uint8_t)ozone_of(o, pfn), .nsub = 1,
			   .flags = OBJ_LIVE |
				    (order && (gfp & __GFP_COMP) ? OBJ_COMPOUND : 0)};
	b->ref[0] = 1;
	o->used[o->nused++] = (uint16_t)id;
	frames_take(o, pfn, order, id);
}

static void check_count(struct oracle *o, const char *what, unsigned long pfn,
			unsigned int want)
{
	struct page *p = pfn_to_page(o->k, pfn);

	if ((unsigned int)page_count(p) != want)
		oracle_fail(o, "buddy/refcount",
			    "%s: model: pfn 0x%05lx count %u; kmm: count %d", what,
			    pfn, want, page_count(p));
}

void oracle_get(struct oracle *o, unsigned int id, unsigned int sub)
{
	struct oobj *b = oobj_get(o, id, "get_page");

	b->ref[sub]++;
	check_count(o, "get_page", unit_pfn(b, sub), b->ref[sub]);
}

void oracle_put_before(struct oracle *o, unsigned int id, unsigned int sub)
{
	struct oobj *b = oobj_get(o, id, "put");

	if (sub >= b->nsub || !b->ref[sub])
		oracle_fail(o, "harness", "put of a dead unit %u[%u]", id, sub);
	if (b->ref[sub] == 1)
		oracle_verify(o, id, sub);
}

void oracle_put_after(struct oracle *o, unsigned int id, unsigned int sub)
{
	struct oobj *b = oobj_get(o, id, "put");
	unsigned long pfn = unit_pfn(b, sub);

	b->ref[sub]--;
	check_count(o, "free", pfn, b->ref[sub]);
	if (b->ref[sub])
		return;
	shadow_drop_unit(o, b, sub);
	frames_release(o, pfn, unit_order(b));
	for (unsigned int i = 0; i < b->nsub; i++)
		if (b->ref[i])
			return;
	b->flags = 0;
}

void oracle_split(struct oracle *o, unsigned int id)
{
	struct oobj *b = oobj_get(o, id, "split_page");
	unsigned int n = 1u << b->order;

	if (n > ORACLE_MAX_SUBS || (b->flags & (OBJ_SPLIT | OBJ_COMPOUND)))
		oracle_fail(o, "harness", "split of object %u", id);
	b->flags |= OBJ_SPLIT;
	b->nsub = (uint8_t)n;
	for (unsigned int i = 1; i < n; i++)
		b->ref[i] = 1;
	for (unsigned int i = 0; i < n; i++) {
		struct page *p = pfn_to_page(o->k, b->pfn + i);
		check_count(o, "split_page", b->pfn + i, b->ref[i]);
		if (PageCompound(p))
			oracle_fail(o, "buddy/split",
				    "split_page: model: pfn 0x%05lx an order-0 page; "
				    "kmm: flags 0x%x", (unsigned long)b->pfn + i, p->flags);
	}
}

void oracle_set_cpu(struct oracle *o, unsigned int cpu)
{
	if (cpu >= o->nr_cpus)
		oracle_fail(o, "harness", "switch to CPU %u of %u", cpu, o->nr_cpus);
	o->cpu = cpu;
	if (kmm_cpu(o->k) != cpu)
		oracle_fail(o, "kmm/cpu", "model: current CPU %u; kmm: %u", cpu,
			    kmm_cpu(o->k));
}
