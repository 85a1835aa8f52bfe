/* oracle/model.c — the frame and zone model: boot, reset, sweeps.
 *
 * Zone sizes, watermarks, lowmem_reserve and pcp sizes are recomputed here
 * from the Linux 3.2 formulas (free_area_init_core, init_per_zone_wmark_min,
 * __setup_per_zone_wmarks, setup_per_zone_lowmem_reserve, zone_batchsize)
 * and compared with the booted machine, so the predictions below rest on
 * the rules, not on the simulator's copy of them.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "model.h"

/* ---- reporting ---- */

void oracle_set_report(struct oracle *o, oracle_report_fn fn, void *arg)
{
	o->report = fn;
	o->report_arg = arg;
}

_Noreturn void oracle_fail(struct oracle *o, const char *check, const char *fmt,
			   ...)
{
	char msg[2048], report[2400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(report, sizeof(report), "ORACLE: disagreement [%s]: %s\n", check, msg);
	if (o && o->report)
		o->report(o->report_arg, report);
	fputs(report, stderr);
	fflush(stderr);
	abort();
}

/* ---- the frame arrays ---- */

static inline void own_set(struct oracle *o, unsigned long pfn, uint32_t v)
{
	o->own[pfn] = v;
}

static inline void cnt_set(struct oracle *o, size_t i, uint16_t v)
{
	o->cnt[i] = v;
}

void own_mark_written(struct oracle *o, unsigned long pfn)
{
	if (!(o->own[pfn] & OWN_WRITTEN)) {
		o->own[pfn] |= OWN_WRITTEN;
		o->wlist[o->nw++] = (uint32_t)pfn;
	}
}

/* An aligned 2^r block counts for F when it lies inside one zone. */
static int block_zone(const struct oracle *o, unsigned long b, unsigned int r)
{
	unsigned long s = b << r, e = s + (1ul << r);
	int z = ozone_of(o, s);

	return e <= o->z[z].end && e <= o->max_pfn ? z : -1;
}

/* The frames of an aligned block become owned by id: every r-block inside
 * was fully free, and each enclosing block loses 2^order free frames. */
void frames_take(struct oracle *o, unsigned long pfn, unsigned int order,
		 unsigned int id)
{
	unsigned long n = 1ul << order;
	int z = ozone_of(o, pfn);

	o->restored = false;    /* only a passed end check makes it true */

	for (unsigned long i = 0; i < n; i++)
		own_set(o, pfn + i, (id + 1) | (o->own[pfn + i] & OWN_WRITTEN));
	memset(o->mfree + pfn, 0, n);
	for (unsigned int r = 0; r < NORD; r++) {
		if (r <= order) {
			o->F[z][r] -= (long)(n >> r);
			if (r)
				for (unsigned long b = pfn >> r; b < (pfn + n) >> r; b++)
					cnt_set(o, o->cnt_off[r] + b, 0);
			continue;
		}
		unsigned long b = pfn >> r;
		size_t i = o->cnt_off[r] + b;
		int bz = block_zone(o, b, r);
		if (bz >= 0 && o->cnt[i] == (1u << r))
			o->F[bz][r]--;
		cnt_set(o, i, (uint16_t)(o->cnt[i] - n));
	}
}

void frames_release(struct oracle *o, unsigned long pfn, unsigned int order)
{
	unsigned long n = 1ul << order;
	int z = ozone_of(o, pfn);

	for (unsigned long i = 0; i < n; i++)
		own_set(o, pfn + i, OWN_FREE | (o->own[pfn + i] & OWN_WRITTEN));
	memset(o->mfree + pfn, 1, n);
	for (unsigned int r = 0; r < NORD; r++) {
		if (r <= order) {
			o->F[z][r] += (long)(n >> r);
			if (r)
				for (unsigned long b = pfn >> r; b < (pfn + n) >> r; b++)
					cnt_set(o, o->cnt_off[r] + b, (uint16_t)(1u << r));
			continue;
		}
		unsigned long b = pfn >> r;
		size_t i = o->cnt_off[r] + b;
		cnt_set(o, i, (uint16_t)(o->cnt[i] + n));
		int bz = block_zone(o, b, r);
		if (bz >= 0 && o->cnt[i] == (1u << r))
			o->F[bz][r]++;
	}
}

/* ---- objects ---- */

struct oobj *oobj_get(struct oracle *o, unsigned int id, const char *what)
{
	if (id >= ORACLE_MAX_OBJS || !(o->obj[id].flags & OBJ_LIVE))
		oracle_fail(o, "harness", "%s: object %u is not live in the model",
			    what, id);
	return &o->obj[id];
}

unsigned long unit_pfn(const struct oobj *b, unsigned int sub)
{
	return b->pfn + ((b->flags & OBJ_SPLIT) ? sub : 0);
}

unsigned int unit_order(const struct oobj *b)
{
	return (b->flags & OBJ_SPLIT) ? 0 : b->order;
}

unsigned int oracle_refs(const struct oracle *o, unsigned int id,
			 unsigned int sub)
{
	if (id >= ORACLE_MAX_OBJS || !(o->obj[id].flags & OBJ_LIVE) ||
	    sub >= o->obj[id].nsub)
		return 0;
	return o->obj[id].ref[sub];
}

struct page *oracle_unit_page(struct oracle *o, unsigned int id,
			      unsigned int sub)
{
	struct oobj *b = oobj_get(o, id, "unit page");
	return pfn_to_page(o->k, unit_pfn(b, sub));
}

/* ---- the zone rules (3.2) ---- */

static unsigned long isqrt(unsigned long x)
{
	unsigned long r = 0;

	while ((r + 1) * (r + 1) <= x)
		r++;
	return r;
}

static void model_zones(struct oracle *o)
{
	const struct kmm_layout *l = kmm_layout(o->k);
	const struct kmm_config *c = kmm_cfg(o->k);
	unsigned long max = l->max_pfn, dma_end = 4096;
	unsigned long bounds[NZ + 1] = {0, dma_end, l->max_low_pfn, max};

	if (bounds[2] < dma_end)
		bounds[2] = dma_end;
	for (int i = 0; i < NZ; i++) {
		struct ozone *z = &o->z[i];
		z->start = bounds[i] < max ? bounds[i] : max;
		z->end = bounds[i + 1] < max ? bounds[i + 1] : max;
		unsigned long span = z->end - z->start;
		unsigned long memmap = (span * 32 + PAGE_SIZE - 1) / PAGE_SIZE;
		z->present = span >= memmap ? span - memmap : span;
	}
	unsigned long lowmem = o->z[ZONE_DMA].present + o->z[ZONE_NORMAL].present;
	if (c->min_free_kbytes) {
		o->min_free_kbytes = c->min_free_kbytes;
	} else {
		unsigned long m = isqrt(lowmem * 4 * 16);
		o->min_free_kbytes = m < 128 ? 128 : m > 65536 ? 65536 : m;
	}
	unsigned long pages_min = o->min_free_kbytes / 4;
	for (int i = 0; i < NZ; i++) {
		struct ozone *z = &o->z[i];
		unsigned long tmp = lowmem ? pages_min * z->present / lowmem : 0;
		unsigned long min = tmp;
		if (i == ZONE_HIGHMEM) {
			min = z->present / 1024;
			min = min < 32 ? 32 : min > 128 ? 128 : min;
		}
		z->wmark[WMARK_MIN] = min;
		z->wmark[WMARK_LOW] = min + tmp / 4;
		z->wmark[WMARK_HIGH] = min + tmp / 2;
		/* zone_batchsize */
		unsigned long b = z->present / 1024;
		if (b > 128)
			b = 128;
		b /= 4;
		if (b < 1)
			b = 1;
		unsigned long p2 = 1;
		while (p2 * 2 <= b + b / 2)
			p2 *= 2;
		b = p2 - 1;
		z->pcp_high = (int)(6 * b);
		z->pcp_batch = b > 1 ? (int)b : 1;
		/* after an op a CPU's lists hold at most high - 1 pages from
		 * frees (a free that reaches high drains batch pages) plus, per
		 * migratetype, what is left of a refill of batch pages after the
		 * allocation it served */
		unsigned long per_cpu = (z->pcp_high ? (unsigned long)z->pcp_high - 1 : 0) +
					MIGRATE_PCPTYPES * ((unsigned long)z->pcp_batch - 1);
		z->pcp_bound = per_cpu * o->nr_cpus;
	}
	static const unsigned long ratio[NZ] = {256, 32, 32};
	for (int j = 0; j < NZ; j++) {
		unsigned long present = o->z[j].present;
		o->z[j].reserve[j] = 0;
		for (int i = j - 1; i >= 0; i--) {
			o->z[i].reserve[j] = present / ratio[i];
			present += o->z[i].present;
		}
	}
}

/* The booted machine must have what the rules say. */
static int check_zones(struct oracle *o, char *err, size_t n)
{
	for (int i = 0; i < NZ; i++) {
		const struct ozone *m = &o->z[i];
		const struct zone *z = kmm_zone(o->k, (enum zone_type)i);
		const char *what = NULL;
		if (z->zone_start_pfn != m->start ||
		    z->zone_start_pfn + z->spanned_pages != m->end)
			what = "zone span";
		else if (z->present_pages != m->present)
			what = "present pages";
		else if (memcmp(z->watermark, m->wmark, sizeof(m->wmark)))
			what = "watermarks";
		else if (memcmp(z->lowmem_reserve, m->reserve, sizeof(m->reserve)))
			what = "lowmem_reserve";
		else if (z->pcp[0].high != m->pcp_high || z->pcp[0].batch != m->pcp_batch)
			what = "pcp high/batch";
		if (what) {
			snprintf(err, n,
				 "ORACLE: boot: zone %d %s: model span %lu-%lu present %lu "
				 "wmark %lu/%lu/%lu pcp %d/%d; kmm span %lu-%lu present %lu "
				 "wmark %lu/%lu/%lu pcp %d/%d", i, what, m->start, m->end,
				 m->present, m->wmark[0], m->wmark[1], m->wmark[2],
				 m->pcp_high, m->pcp_batch, z->zone_start_pfn,
				 z->zone_start_pfn + z->spanned_pages, z->present_pages,
				 z->watermark[0], z->watermark[1], z->watermark[2],
				 z->pcp[0].high, z->pcp[0].batch);
			return -1;
		}
	}
	if (kmm_min_free_kbytes(o->k) != o->min_free_kbytes) {
		snprintf(err, n, "ORACLE: boot: min_free_kbytes model %lu kmm %lu",
			 o->min_free_kbytes, kmm_min_free_kbytes(o->k));
		return -1;
	}
	return 0;
}

static int cmp_ul(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;
	return (x > y) - (x < y);
}

/* Boot free lists: the model's free frames, recorded for the final
 * comparison.  They must be disjoint aligned blocks inside their zone. */
static int read_boot_lists(struct oracle *o, char *err, size_t n)
{
	for (int zi = 0; zi < NZ; zi++) {
		struct zone *z = kmm_zone(o->k, (enum zone_type)zi);
		long total = 0;
		for (int c = 0; c < KMM_NR_CPUS; c++)
			if (z->pcp[c].count) {
				snprintf(err, n, "ORACLE: boot: pcp lists not empty");
				return -1;
			}
		for (int r = 0; r < NORD; r++) {
			struct boot_list *bl = &o->boot[zi][r];
			unsigned long cap = z->free_area[r].nr_free;
			bl->pfn = malloc((cap + 1) * sizeof(*bl->pfn));
			if (!bl->pfn)
				return -1;
			for (int t = 0; t < MIGRATE_TYPES; t++) {
				struct list_head *h = &z->free_area[r].free_list[t];
				for (struct list_head *l = h->next; l != h; l = l->next) {
					struct page *p = kmm_container_of(l, struct page, lru);
					unsigned long pfn = page_to_pfn(o->k, p);
					if (bl->n == cap || pfn & ((1ul << r) - 1) ||
					    pfn < o->z[zi].start ||
					    pfn + (1ul << r) > o->z[zi].end) {
						snprintf(err, n, "ORACLE: boot: free list %d/%d "
							 "holds a bad block at pfn 0x%lx", zi, r, pfn);
						return -1;
					}
					for (unsigned long i = 0; i < (1ul << r); i++) {
						if (o->own[pfn + i] != OWN_RESV) {
							snprintf(err, n, "ORACLE: boot: pfn 0x%lx is "
								 "on two free lists", pfn + i);
							return -1;
						}
						o->own[pfn + i] = OWN_FREE;
					}
					bl->pfn[bl->n++] = pfn;
					total += 1l << r;
				}
			}
			if (bl->n != cap) {
				snprintf(err, n, "ORACLE: boot: zone %d order %d nr_free %lu "
					 "but %lu blocks listed", zi, r, cap, bl->n);
				return -1;
			}
			qsort(bl->pfn, bl->n, sizeof(*bl->pfn), cmp_ul);
		}
		if (total != z->nr_free_pages) {
			snprintf(err, n, "ORACLE: boot: zone %d NR_FREE_PAGES %ld, "
				 "lists hold %ld", zi, z->nr_free_pages, total);
			return -1;
		}
	}
	return 0;
}

static void count_free(struct oracle *o)
{
	memset(o->F, 0, sizeof(o->F));
	for (unsigned long pfn = 0; pfn < o->max_pfn; pfn++)
		if (o->own[pfn] == OWN_FREE)
			o->F[ozone_of(o, pfn)][0]++;
	for (unsigned int r = 1; r < NORD; r++) {
		unsigned long nb = (o->max_pfn >> r) + 1;
		for (unsigned long b = 0; b < nb; b++) {
			unsigned long s = b << r, c = 0;
			for (unsigned long i = s; i < s + (1ul << r) && i < o->max_pfn; i++)
				c += o->own[i] == OWN_FREE;
			o->cnt[o->cnt_off[r] + b] = (uint16_t)c;
			int bz = block_zone(o, b, r);
			if (bz >= 0 && c == (1ul << r))
				o->F[bz][r]++;
		}
	}
}

struct oracle *oracle_create(struct kmm *k, char *err, size_t errlen)
{
	char dummy[8];
	struct oracle *o = calloc(1, sizeof(*o));

	if (!err) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	snprintf(err, errlen, "out of host memory for the oracle");
	if (!o)
		return NULL;
	o->k = k;
	o->max_pfn = kmm_max_pfn(k);
	o->max_low_pfn = kmm_layout(k)->max_low_pfn;
	o->nr_cpus = kmm_cfg(k)->nr_cpus;
	o->cpu = kmm_cpu(k);
	size_t ncnt = 0;
	for (unsigned int r = 0; r < NORD; r++) {
		o->cnt_off[r] = ncnt;
		ncnt += r ? (o->max_pfn >> r) + 1 : 0;
	}
	o->ncnt = ncnt;
	o->own = malloc(o->max_pfn * sizeof(*o->own));
	o->own_boot = malloc(o->max_pfn * sizeof(*o->own));
	o->wlist = malloc(o->max_pfn * sizeof(*o->wlist));
	o->cnt = calloc(ncnt, sizeof(*o->cnt));
	o->cnt_boot = malloc(ncnt * sizeof(*o->cnt));
	o->sh = malloc(NR_SHADOWS * sizeof(*o->sh));
	o->kfree = calloc(o->max_pfn, 1);
	o->mfree = calloc(o->max_pfn, 1);
	o->mfree_boot = calloc(o->max_pfn, 1);
	if (!o->own || !o->own_boot || !o->wlist || !o->cnt || !o->cnt_boot ||
	    !o->sh || !o->kfree || !o->mfree || !o->mfree_boot)
		goto fail;
	for (unsigned long pfn = 0; pfn < o->max_pfn; pfn++)
		o->own[pfn] = OWN_RESV;
	model_zones(o);
	if (check_zones(o, err, errlen) || read_boot_lists(o, err, errlen))
		goto fail;
	count_free(o);
	for (unsigned long pfn = 0; pfn < o->max_pfn; pfn++)
		o->mfree[pfn] = o->own[pfn] == OWN_FREE;
	memcpy(o->mfree_boot, o->mfree, o->max_pfn);
	memcpy(o->own_boot, o->own, o->max_pfn * sizeof(*o->own));
	memcpy(o->cnt_boot, o->cnt, ncnt * sizeof(*o->cnt));
	memcpy(o->F_boot, o->F, sizeof(o->F));
	o->restored = true;
	shadow_reset(o);
	oracle_frames_settled(o);
	kmm_set_page_hook(k, oracle_page_event, o);
	err[0] = 0;
	return o;
fail:
	oracle_destroy(o);
	return NULL;
}

void oracle_destroy(struct oracle *o)
{
	if (!o)
		return;
	if (o->k)
		kmm_set_page_hook(o->k, NULL, NULL);
	free(o->own);
	free(o->own_boot);
	free(o->wlist);
	free(o->cnt);
	free(o->cnt_boot);
	free(o->sh);
	free(o->kfree);
	free(o->mfree);
	free(o->mfree_boot);
	user_destroy(o);
	file_destroy(o);
	free(o->iodev);
	for (int z = 0; z < NZ; z++)
		for (int r = 0; r < NORD; r++)
			free(o->boot[z][r].pfn);
	free(o);
}

void oracle_reset(struct oracle *o)
{
	if (o->restored) {
		for (size_t i = 0; i < o->nw; i++)
			o->own[o->wlist[i]] = o->own_boot[o->wlist[i]];
	} else {
		memcpy(o->own, o->own_boot, o->max_pfn * sizeof(*o->own));
		memcpy(o->cnt, o->cnt_boot, o->ncnt * sizeof(*o->cnt));
		memcpy(o->mfree, o->mfree_boot, o->max_pfn);
	}
	o->nw = 0;
	o->restored = false;
	memcpy(o->F, o->F_boot, sizeof(o->F));
	for (unsigned int i = 0; i < o->nused; i++)
		o->obj[o->used[i]].flags = 0;
	o->nused = 0;
	shadow_reset(o);
	memset(&o->fault, 0, sizeof(o->fault));
	memset(&o->failslab, 0, sizeof(o->failslab));
	user_reset(o);
	file_reset(o);
	iomem_reset(o);
	o->nforeign = 0;
	o->cpu = 0;
	oracle_frames_settled(o);
}

/* ---- sweeps ---- */

/* Free frames are on the buddy lists or on some CPU's pcp list: the
 * counters must add up to the model's free frames. */
void oracle_step(struct oracle *o)
{
	for (int zi = 0; zi < NZ; zi++) {
		const struct zone *z = kmm_zone(o->k, (enum zone_type)zi);
		long pcp = 0;
		for (unsigned int c = 0; c < KMM_NR_CPUS; c++) {
			int n = z->pcp[c].count;
			if (n < 0 || (unsigned long)n * o->nr_cpus > o->z[zi].pcp_bound ||
			    (c >= o->nr_cpus && n))
				oracle_fail(o, "buddy/pcp-count",
					    "zone %d cpu %u: model: at most %lu pages on a "
					    "pcp list of an online CPU; kmm: count %d",
					    zi, c, o->z[zi].pcp_bound / o->nr_cpus, n);
			pcp += n;
		}
		if (z->nr_free_pages + pcp != o->F[zi][0])
			oracle_fail(o, "buddy/free-count",
				    "zone %s: model: %ld free frames; kmm: NR_FREE_PAGES "
				    "%ld + %ld on pcp lists = %ld",
				    z->name, o->F[zi][0], z->nr_free_pages, pcp,
				    z->nr_free_pages + pcp);
	}
}

/* With the pcp lists empty, a correct buddy allocator holds every free
 * frame in maximal blocks: per order, exactly F[r] - 2 F[r+1] blocks. */
void oracle_drained_all(struct oracle *o)
{
	for (int zi = 0; zi < NZ; zi++) {
		const struct zone *z = kmm_zone(o->k, (enum zone_type)zi);
		for (unsigned int c = 0; c < KMM_NR_CPUS; c++)
			if (z->pcp[c].count)
				oracle_fail(o, "buddy/drain",
					    "zone %s cpu %u: model: pcp list empty after "
					    "draining; kmm: count %d", z->name, c,
					    z->pcp[c].count);
		if (z->nr_free_pages != o->F[zi][0])
			oracle_fail(o, "buddy/free-count",
				    "zone %s after drain_all_pages: model: %ld free "
				    "frames; kmm: NR_FREE_PAGES %ld", z->name,
				    o->F[zi][0], z->nr_free_pages);
		for (unsigned int r = 0; r < NORD; r++) {
			long want = o->F[zi][r] - (r + 1 < NORD ? 2 * o->F[zi][r + 1] : 0);
			if ((long)z->free_area[r].nr_free != want)
				oracle_fail(o, "buddy/merge",
					    "zone %s order %u after drain_all_pages: model: "
					    "%ld maximal free blocks; kmm: nr_free %lu",
					    z->name, r, want, z->free_area[r].nr_free);
		}
	}
}

void oracle_drained_local(struct oracle *o)
{
	for (int zi = 0; zi < NZ; zi++) {
		const struct zone *z = kmm_zone(o->k, (enum zone_type)zi);
		if (z->pcp[o->cpu].count)
			oracle_fail(o, "buddy/drain",
				    "zone %s: model: pcp list of CPU %u empty after "
				    "drain_local_pages; kmm: count %d", z->name, o->cpu,
				    z->pcp[o->cpu].count);
	}
}

void oracle_check_restored(struct oracle *o, bool kernel_tables)
{
	for (unsigned int i = 0; i < o->nused; i++)
		if (o->obj[o->used[i]].flags & OBJ_LIVE)
			oracle_fail(o, "harness", "object %u still live at the end",
				    o->used[i]);
	if (kernel_tables) {
		oracle_drained_all(o);
		return;         /* o->restored stays false: a full reset follows */
	}
	if (o->nforeign)
		oracle_fail(o, "frames/leak",
			    "with every object freed, every created cache destroyed, "
			    "every cache shrunk and every process gone: model: no "
			    "frame is held that was not held at boot; kmm: %ld frames "
			    "still taken", o->nforeign);
	if (memcmp(o->F, o->F_boot, sizeof(o->F)))
		oracle_fail(o, "harness", "the model's free counts differ from boot "
			    "with everything freed");
	oracle_drained_all(o);
	for (int zi = 0; zi < NZ; zi++) {
		struct zone *z = kmm_zone(o->k, (enum zone_type)zi);
		for (int r = 0; r < NORD; r++) {
			const struct boot_list *bl = &o->boot[zi][r];
			if (z->free_area[r].nr_free != bl->n)
				oracle_fail(o, "buddy/restore",
					    "zone %s order %d with everything freed: model: "
					    "%lu blocks as at boot; kmm: nr_free %lu",
					    z->name, r, bl->n, z->free_area[r].nr_free);
			for (int t = 0; t < MIGRATE_TYPES; t++) {
				struct list_head *h = &z->free_area[r].free_list[t];
				for (struct list_head *l = h->next; l != h; l = l->next) {
					unsigned long pfn = page_to_pfn(
						o->k, kmm_container_of(l, struct page, lru));
					if (!bsearch(&pfn, bl->pfn, bl->n, sizeof(pfn), cmp_ul))
						oracle_fail(o, "buddy/restore",
							    "zone %s order %d with everything "
							    "freed: model: the boot free blocks; "
							    "kmm: a block at pfn 0x%05lx that boot "
							    "did not have", z->name, r, pfn);
				}
			}
		}
	}
	o->restored = true;
}

void oracle_zone_info(const struct oracle *o, int zone,
		      struct oracle_zone_info *zi)
{
	const struct ozone *z = &o->z[zone];

	zi->start = z->start;
	zi->end = z->end;
	zi->present = z->present;
	memcpy(zi->wmark, z->wmark, sizeof(zi->wmark));
	memcpy(zi->reserve, z->reserve, sizeof(zi->reserve));
	zi->pcp_bound = z->pcp_bound;
	zi->free = o->F[zone][0];
}

unsigned long oracle_min_free_kbytes(const struct oracle *o)
{
	return o->min_free_kbytes;
}
