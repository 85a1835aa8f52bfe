/* replay.c — the replay's core (see replay.h): record dispatch, the
 * pages part, the end-of-trace teardown and the u64 map.
 *
 * gfp: the trace's 5.x/6.x bits become the 3.2 bits the simulator models
 * (__GFP_DIRECT_RECLAIM -> __GFP_WAIT, __GFP_RETRY_MAYFAIL -> __GFP_REPEAT,
 * __GFP_DMA32 -> none: i386 has no ZONE_DMA32).  __GFP_NOFAIL is dropped:
 * on the smaller machine a real NOFAIL request may not fit, and the replay
 * counts that instead of looping as the kernel would.  __GFP_ACCOUNT and
 * the other 6.x-only bits have no 3.2 counterpart and are dropped.
 * Migratetypes: 4.x+ kernels number them unmovable 0, movable 1,
 * reclaimable 2; 3.x (and the simulator) unmovable 0, reclaimable 1,
 * movable 2.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "replay_internal.h"

static const char *const skip_names[NR_SKIPS] = {
	[SKIP_ALLOC_FAILED_REAL] = "alloc_failed_in_kernel",
	[SKIP_ALLOC_ORDER] = "alloc_order_too_large",
	[SKIP_ALLOC_BAD_GFP] = "alloc_gfp_not_modelled",
	[SKIP_ALLOC_NO_FIT] = "alloc_did_not_fit",
	[SKIP_FREE_UNKNOWN] = "free_of_block_not_in_trace",
	[SKIP_FREE_INSIDE_BLOCK] = "free_inside_tracked_block",
	[SKIP_FREE_BATCHED] = "free_batched_duplicate",
	[SKIP_REALLOC_LIVE] = "alloc_of_live_pfn",
	[SKIP_NOT_REPLAYED] = "not_replayed_kind",
	[SKIP_LOST] = "lost_record",
	[SKIP_OBJ_FAILED_REAL] = "obj_alloc_failed_in_kernel",
	[SKIP_OBJ_ZERO_SIZE] = "kmalloc_zero_size",
	[SKIP_OBJ_TOO_LARGE] = "obj_too_large",
	[SKIP_OBJ_BAD_GFP] = "obj_gfp_not_modelled",
	[SKIP_OBJ_NO_FIT] = "obj_alloc_did_not_fit",
	[SKIP_OBJ_REALLOC_LIVE] = "obj_alloc_of_live_ptr",
	[SKIP_OBJ_FREE_NULL] = "free_of_null",
	[SKIP_OBJ_FREE_UNKNOWN] = "free_of_object_not_in_trace",
	[SKIP_PROC_UNKNOWN] = "process_not_in_trace",
	[SKIP_PROC_NO_FIT] = "process_did_not_fit",
	[SKIP_SYS_UNPAIRED] = "syscall_unpaired",
	[SKIP_ADDR_NOT_REBASABLE] = "address_not_rebasable",
	[SKIP_SYS_NOT_MODELLED] = "syscall_not_modelled",
	[SKIP_SYS_UNKNOWN_MAPPING] = "range_mapped_before_capture",
	[SKIP_SYS_NO_FIT] = "mapping_did_not_fit",
	[SKIP_FAULT_KERNEL_ADDR] = "fault_on_kernel_address",
	[SKIP_FAULT_UNKNOWN_MAPPING] = "fault_outside_replayed_mappings",
	[SKIP_FAULT_OOM] = "fault_oom_in_simulator",
	[SKIP_MAPS_NOT_REBASABLE] = "maps_entry_not_rebasable",
};

const char *kmmt_skip_name(enum kmmt_skip s)
{
	return s < NR_SKIPS ? skip_names[s] : "?";
}

void kmmt_skip(struct kmmt_replay *rp, enum kmmt_skip s)
{
	rp->skipped[s]++;
}

void kmmt_diff(struct kmmt_diffs *d, const char *fmt, ...)
{
	va_list ap;

	d->total++;
	if (d->n >= KMMT_DIFF_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(d->line[d->n++], KMMT_DIFF_LEN, fmt, ap);
	va_end(ap);
}

/* ---- the u64 map ---- */
static size_t map_slot(const struct kmmt_map *m, uint64_t key)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ull) >> 17) & (m->cap - 1);
}

uint64_t *kmmt_map_get(const struct kmmt_map *m, uint64_t key)
{
	if (!m->cap)
		return NULL;
	for (size_t i = map_slot(m, key);; i = (i + 1) & (m->cap - 1)) {
		if (!m->st[i])
			return NULL;
		if (m->st[i] == 1 && m->key[i] == key)
			return &m->val[i];
	}
}

static int map_grow(struct kmmt_map *m)
{
	struct kmmt_map n = {0};

	n.cap = m->cap ? m->cap * 2 : 256;
	while (m->live * 4 >= n.cap)
		n.cap *= 2;
	n.key = malloc(n.cap * sizeof(*n.key));
	n.val = malloc(n.cap * sizeof(*n.val));
	n.st = calloc(n.cap, 1);
	if (!n.key || !n.val || !n.st) {
		free(n.key);
		free(n.val);
		free(n.st);
		return -1;
	}
	for (size_t i = 0; i < m->cap; i++) {
		if (m->st[i] != 1)
			continue;
		size_t j = map_slot(&n, m->key[i]);
		while (n.st[j])
			j = (j + 1) & (n.cap - 1);
		n.st[j] = 1;
		n.key[j] = m->key[i];
		n.val[j] = m->val[i];
		n.used++;
		n.live++;
	}
	kmmt_map_free(m);
	*m = n;
	return 0;
}

int kmmt_map_put(struct kmmt_map *m, uint64_t key, uint64_t val)
{
	uint64_t *v = kmmt_map_get(m, key);
	size_t i;

	if (v) {
		*v = val;
		return 0;
	}
	if ((m->used + 1) * 2 > m->cap && map_grow(m))
		return -1;
	for (i = map_slot(m, key); m->st[i] == 1; i = (i + 1) & (m->cap - 1))
		;
	if (!m->st[i])
		m->used++;
	m->st[i] = 1;
	m->key[i] = key;
	m->val[i] = val;
	m->live++;
	return 0;
}

bool kmmt_map_del(struct kmmt_map *m, uint64_t key)
{
	uint64_t *v = kmmt_map_get(m, key);

	if (!v)
		return false;
	m->st[v - m->val] = 2;
	m->live--;
	return true;
}

void kmmt_map_free(struct kmmt_map *m)
{
	free(m->key);
	free(m->val);
	free(m->st);
	memset(m, 0, sizeof(*m));
}

gfp_t kmmt_to_kmm_gfp(uint64_t g)
{
	static const struct { uint64_t from; gfp_t to; } map[] = {
		{KMMT_GFP_DMA, __GFP_DMA}, {KMMT_GFP_HIGHMEM, __GFP_HIGHMEM},
		{KMMT_GFP_MOVABLE, __GFP_MOVABLE}, {KMMT_GFP_RECLAIMABLE, __GFP_RECLAIMABLE},
		{KMMT_GFP_HIGH, __GFP_HIGH}, {KMMT_GFP_IO, __GFP_IO}, {KMMT_GFP_FS, __GFP_FS},
		{KMMT_GFP_ZERO, __GFP_ZERO}, {KMMT_GFP_DIRECT_RECLAIM, __GFP_WAIT},
		{KMMT_GFP_NOWARN, __GFP_NOWARN}, {KMMT_GFP_RETRY_MAYFAIL, __GFP_REPEAT},
		{KMMT_GFP_NORETRY, __GFP_NORETRY}, {KMMT_GFP_COMP, __GFP_COMP},
		{KMMT_GFP_NOMEMALLOC, __GFP_NOMEMALLOC}, {KMMT_GFP_HARDWALL, __GFP_HARDWALL},
	};
	gfp_t out = 0;

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (g & map[i].from)
			out |= map[i].to;
	return out;
}

/* the trace's migratetype in the simulator's (3.2) numbering; -1 other */
static int real_mt_to_sim(const struct kmmt_replay *rp, int mt)
{
	if (!rp->modern_mt)
		return mt >= 0 && mt < MIGRATE_TYPES ? mt : -1;
	switch (mt) {
	case 0:
		return MIGRATE_UNMOVABLE;
	case 1:
		return MIGRATE_MOVABLE;
	case 2:
		return MIGRATE_RECLAIMABLE;
	default:
		return -1;   /* HIGHATOMIC, CMA, ISOLATE: not modelled */
	}
}

/* ---- real pfn -> simulated block ---- */
static size_t slot_of(const struct kmmt_replay *rp, uint64_t key)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ull) >> 20) & (rp->cap - 1);
}

static struct kmmt_replay_block *lookup(struct kmmt_replay *rp, uint64_t pfn)
{
	uint64_t key = pfn + 1;

	for (size_t i = slot_of(rp, key);; i = (i + 1) & (rp->cap - 1)) {
		struct kmmt_replay_block *b = &rp->map[i];
		if (!b->key && !b->tomb)
			return NULL;
		if (b->key == key)
			return b;
	}
}

static int grow(struct kmmt_replay *rp)
{
	struct kmmt_replay_block *old = rp->map;
	size_t ocap = rp->cap;

	rp->cap = ocap ? ocap * 2 : 1024;
	rp->map = calloc(rp->cap, sizeof(*rp->map));
	if (!rp->map) {
		rp->map = old;
		rp->cap = ocap;
		return -1;
	}
	rp->used = 0;
	for (size_t i = 0; i < ocap; i++) {
		if (!old[i].key)
			continue;
		size_t j = slot_of(rp, old[i].key);
		while (rp->map[j].key)
			j = (j + 1) & (rp->cap - 1);
		rp->map[j] = old[i];
		rp->used++;
	}
	free(old);
	return 0;
}

static struct kmmt_replay_block *insert(struct kmmt_replay *rp, uint64_t pfn)
{
	uint64_t key = pfn + 1;
	size_t i;

	if ((rp->used + 1) * 2 > rp->cap && grow(rp))
		return NULL;
	for (i = slot_of(rp, key); rp->map[i].key; i = (i + 1) & (rp->cap - 1))
		;
	if (!rp->map[i].tomb)
		rp->used++;
	rp->map[i].key = key;
	rp->map[i].tomb = false;
	return &rp->map[i];
}

static void drop(struct kmmt_replay *rp, struct kmmt_replay_block *b)
{
	__free_pages(rp->k, pfn_to_page(rp->k, b->sim_pfn), b->order);
	rp->live--;
	rp->live_pages -= 1ul << b->order;
	b->key = 0;
	b->tomb = true;
}

void kmmt_replay_snapshot(struct kmm *k, struct kmmt_replay_state *s)
{
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = kmm_zone(k, (enum zone_type)z);
		s->nr_free_pages[z] = zone->nr_free_pages;
		s->pcp_pages[z] = 0;
		for (unsigned c = 0; c < kmm_cfg(k)->nr_cpus; c++)
			s->pcp_pages[z] += zone->pcp[c].count;
		for (int o = 0; o < MAX_ORDER; o++)
			s->nr_free[z][o] = zone->free_area[o].nr_free;
	}
}

int kmmt_replay_init(struct kmmt_replay *rp, struct kmm *k, const char *release)
{
	memset(rp, 0, sizeof(*rp));
	rp->k = k;
	rp->parts = KMMT_PART_ALL;
	rp->pointer_size = 8;
	/* 4.x reordered the migratetypes; an unknown release is a new one */
	rp->modern_mt = !(release && release[0] >= '1' && release[0] <= '3' && release[1] == '.');
	drain_all_pages(k);
	kmmt_replay_snapshot(k, &rp->boot);
	return grow(rp);
}

/* is pfn inside a live tracked block of a higher order? (split_page'd
 * blocks are freed page by page) */
static bool inside_block(struct kmmt_replay *rp, uint64_t pfn)
{
	for (unsigned o = 1; o < MAX_ORDER; o++) {
		uint64_t head = pfn & ~((1ull << o) - 1);
		struct kmmt_replay_block *b = head != pfn ? lookup(rp, head) : NULL;
		if (b && b->order >= o)
			return true;
	}
	return false;
}

static void page_alloc(struct kmmt_replay *rp, const struct kmmt_record *r)
{
	gfp_t gfp = kmmt_to_kmm_gfp(r->page.gfp);
	struct kmmt_replay_block *b;
	struct page *page;
	int want_mt;

	if (r->flags & KMMT_RF_FAILED) {
		rp->skipped[SKIP_ALLOC_FAILED_REAL]++;
		return;
	}
	if (r->page.order >= MAX_ORDER) {
		rp->skipped[SKIP_ALLOC_ORDER]++;
		return;
	}
	if (gfp_zone(gfp) < 0 || gfpflags_to_migratetype(gfp) < 0) {
		rp->skipped[SKIP_ALLOC_BAD_GFP]++;
		return;
	}
	/* the differential check: the kernel's migratetype for this gfp */
	want_mt = real_mt_to_sim(rp, r->page.migratetype);
	if (want_mt == gfpflags_to_migratetype(gfp))
		rp->mt_agree++;
	else
		rp->mt_differ++;
	b = lookup(rp, r->page.pfn);
	if (b) {
		/* the kernel cannot hand out a live block: its free was missed */
		rp->skipped[SKIP_REALLOC_LIVE]++;
		drop(rp, b);
	}
	kmm_set_cpu(rp->k, r->cpu % kmm_cfg(rp->k)->nr_cpus);
	page = alloc_pages(rp->k, gfp, r->page.order);
	if (!page) {
		rp->skipped[SKIP_ALLOC_NO_FIT]++;
		return;
	}
	b = insert(rp, r->page.pfn);
	if (!b) {
		__free_pages(rp->k, page, r->page.order);
		rp->skipped[SKIP_ALLOC_NO_FIT]++;
		return;
	}
	b->sim_pfn = page_to_pfn(rp->k, page);
	b->order = (uint8_t)r->page.order;
	b->real_mt = (int8_t)r->page.migratetype;
	if (get_pageblock_migratetype(rp->k, page) != gfpflags_to_migratetype(gfp) &&
	    !page_group_by_mobility_disabled(rp->k))
		rp->sim_fallback++;
	rp->allocs++;
	rp->replayed[KMMT_PAGE_ALLOC]++;
	rp->live++;
	rp->live_pages += 1ul << b->order;
	if (rp->live_pages > rp->max_live_pages)
		rp->max_live_pages = rp->live_pages;
}

static void page_free(struct kmmt_replay *rp, const struct kmmt_record *r)
{
	struct kmmt_replay_block *b = lookup(rp, r->page.pfn);

	if (!b) {
		if (inside_block(rp, r->page.pfn))
			rp->skipped[SKIP_FREE_INSIDE_BLOCK]++;
		else
			rp->skipped[SKIP_FREE_UNKNOWN]++;
		return;
	}
	if (b->order != r->page.order)
		rp->order_mismatch++;
	kmm_set_cpu(rp->k, r->cpu % kmm_cfg(rp->k)->nr_cpus);
	drop(rp, b);
	rp->frees++;
	rp->replayed[KMMT_PAGE_FREE]++;
}

static bool part_on(struct kmmt_replay *rp, unsigned int part)
{
	if (rp->parts & part)
		return true;
	rp->skipped[SKIP_NOT_REPLAYED]++;
	return false;
}

void kmmt_replay_record(struct kmmt_replay *rp, const struct kmmt_record *r)
{
	rp->events++;
	if (r->type < KMMT_NR_TYPES)
		rp->per_kind[r->type]++;
	if (rp->progs)
		kmmt_progs_record(rp->progs, r);
	switch (r->type) {
	case KMMT_PAGE_ALLOC:
		if (part_on(rp, KMMT_PART_PAGES))
			page_alloc(rp, r);
		break;
	case KMMT_PAGE_FREE:
		if (part_on(rp, KMMT_PART_PAGES))
			page_free(rp, r);
		break;
	case KMMT_PAGE_FREE_BATCHED:
		if (part_on(rp, KMMT_PART_PAGES))
			rp->skipped[SKIP_FREE_BATCHED]++;
		break;
	case KMMT_KMALLOC:
	case KMMT_KFREE:
	case KMMT_CACHE_ALLOC:
	case KMMT_CACHE_FREE:
		if (part_on(rp, KMMT_PART_SLAB))
			kmmt_slab_record(rp, r);
		break;
	case KMMT_LOST:
		rp->skipped[SKIP_LOST]++;
		rp->lost_events += r->lost.count;
		break;
	case KMMT_TASK:
		rp->context++;   /* names, not events */
		break;
	default:
		if (part_on(rp, KMMT_PART_MM))
			kmmt_mm_record(rp, r);
		break;
	}
	if (rp->check_every && rp->events % rp->check_every == 0) {
		kmm_check(rp->k);
		rp->checks++;
	}
}

void kmmt_replay_finish(struct kmmt_replay *rp)
{
	if (rp->finished)
		return;
	rp->finished = true;
	kmmt_mm_flush(rp);
	if (rp->progs)
		kmmt_progs_finish(rp->progs);
	kmmt_replay_snapshot(rp->k, &rp->end);
	rp->live_at_end = rp->live;
	rp->live_pages_at_end = rp->live_pages;
	kmmt_slab_usage(rp);
	/* the slab and mm parts give back what they took; then the buddy
	 * holds the boot free pages minus the replayed blocks still live */
	kmmt_mm_teardown(rp);
	kmmt_slab_teardown(rp);
	drain_all_pages(rp->k);
	kmmt_replay_snapshot(rp->k, &rp->mid);
	/* freeing every block still live must give back the boot state's
	 * free page count (the pcp lists drained) */
	for (size_t i = 0; i < rp->cap; i++)
		if (rp->map[i].key)
			drop(rp, &rp->map[i]);
	drain_all_pages(rp->k);
	kmm_check(rp->k);
	rp->checks++;
	rp->restored = true;
	for (int z = 0; z < MAX_NR_ZONES; z++)
		if (kmm_zone(rp->k, (enum zone_type)z)->nr_free_pages != rp->boot.nr_free_pages[z])
			rp->restored = false;
}

void kmmt_replay_free(struct kmmt_replay *rp)
{
	free(rp->map);
	rp->map = NULL;
	rp->cap = rp->used = 0;
	kmmt_slab_free(rp);
	kmmt_mm_free(rp);
}
