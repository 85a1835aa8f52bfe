/* test_buddy.c — the buddy allocator: split, merge, zone fallback,
 * watermarks, per-CPU lists, migratetype stealing.  Expected states are
 * derived from the kernel's rules, step by step, not from the allocator. */
#include "kmm_test.h"
#include "test.h"

static long nr_free(struct kmm *k, int z)
{
	return kmm_zone(k, (enum zone_type)z)->nr_free_pages;
}

/* The block __rmqueue_smallest must take: the first block of the smallest
 * non-empty list of that type at or above order. */
static int first_block(struct kmm *k, int z, int mt, unsigned order,
		       unsigned long *pfn, unsigned *found_order)
{
	struct zone *zn = kmm_zone(k, (enum zone_type)z);

	for (unsigned o = order; o < MAX_ORDER; o++) {
		struct list_head *h = &zn->free_area[o].free_list[mt];
		if (!list_empty(h)) {
			*pfn = page_to_pfn(k, kmm_container_of(h->next, struct page, lru));
			*found_order = o;
			return 0;
		}
	}
	return -1;
}

/* Split at every order, then merge back:
 *
 *   [          order F block            ]   alloc order o from it:
 *   [o][o][o+1 ][   o+2   ] ... [  F-1  ]   the upper halves stay free.
 *
 * Expect the block's first pfn returned, one new free block at each order
 * o..F-1 at pfn + 2^j, order F one fewer; freeing merges back to exactly
 * the boot state, free lists by type included. */
static int check_split_merge(bool pae, unsigned o)
{
	struct kmm *k = boot_preset("tiny", pae);
	struct buddy_state boot, after, back;
	unsigned long pfn;
	unsigned fo;

	ASSERT_TRUE(k);
	buddy_state_get(k, &boot);
	ASSERT_EQ(first_block(k, ZONE_HIGHMEM, MIGRATE_MOVABLE, o, &pfn, &fo), 0);
	struct page *p = alloc_pages(k, GFP_HIGHUSER_MOVABLE, o);
	ASSERT_TRUE(p);
	ASSERT_EQ(page_to_pfn(k, p), pfn);
	ASSERT_EQ(page_zonenum(p), ZONE_HIGHMEM);
	ASSERT_EQ(page_count(p), 1);
	ASSERT_FALSE(PageBuddy(p));
	buddy_state_get(k, &after);
	ASSERT_EQ(after.nr_free_pages[ZONE_HIGHMEM],
		  boot.nr_free_pages[ZONE_HIGHMEM] - (1l << o));
	for (unsigned j = 0; j < MAX_ORDER; j++) {
		long d = (long)after.nr_free[ZONE_HIGHMEM][j] -
			 (long)boot.nr_free[ZONE_HIGHMEM][j];
		ASSERT_EQ(d, j == fo && fo != o ? -1 : (j >= o && j < fo) ? 1
						 : j == o && fo == o ? -1 : 0);
		if (j >= o && j < fo) {
			struct page *half = pfn_to_page(k, pfn + (1ul << j));
			ASSERT_TRUE(PageBuddy(half));
			ASSERT_EQ(page_order(half), j);
		}
	}
	for (int z = ZONE_DMA; z < ZONE_HIGHMEM; z++)   /* other zones untouched */
		ASSERT_EQ(after.nr_free_pages[z], boot.nr_free_pages[z]);
	kmm_check(k);
	__free_pages(k, p, o);
	drain_all_pages(k);
	buddy_state_get(k, &back);
	ASSERT_EQ(buddy_state_cmp(&boot, &back, true), 0);
	kmm_check(k);
	buddy_state_free(&boot);
	buddy_state_free(&after);
	buddy_state_free(&back);
	kmm_destroy(k);
	return 0;
}

static int test_split_merge_every_order(void)
{
	for (unsigned o = 0; o < MAX_ORDER; o++)
		for (int pae = 0; pae < 2; pae++)
			if (check_split_merge(pae, o)) {
				fprintf(stderr, "  at order %u, pae %d\n", o, pae);
				return 1;
			}
	return 0;
}

/* Take one order-10 block apart into 1024 pages, free them in a scrambled
 * order: expect the same single order-10 block back, at the same pfn. */
static int test_merge_scrambled(void)
{
	struct kmm *k = boot_preset("tiny", false);
	struct page *pages[1024];
	struct buddy_state boot, back;
	uint64_t seed = 42;

	ASSERT_TRUE(k);
	buddy_state_get(k, &boot);
	struct page *blk = alloc_pages(k, GFP_HIGHUSER_MOVABLE, 10);
	ASSERT_TRUE(blk);
	split_page(k, blk, 10);
	for (int i = 0; i < 1024; i++) {
		pages[i] = blk + i;
		ASSERT_EQ(page_count(pages[i]), 1);
	}
	for (int i = 1023; i > 0; i--) {        /* Fisher-Yates */
		int j = (int)(test_rand(&seed) % (uint64_t)(i + 1));
		struct page *t = pages[i];
		pages[i] = pages[j];
		pages[j] = t;
	}
	for (int i = 0; i < 1024; i++) {
		__free_pages(k, pages[i], 0);
		if (i % 97 == 0)
			kmm_check(k);
	}
	drain_all_pages(k);
	buddy_state_get(k, &back);
	ASSERT_EQ(buddy_state_cmp(&boot, &back, true), 0);
	ASSERT_TRUE(PageBuddy(blk));
	ASSERT_EQ(page_order(blk), 10);
	buddy_state_free(&boot);
	buddy_state_free(&back);
	kmm_destroy(k);
	return 0;
}

/* GFP_HIGHUSER: HIGHMEM until it reaches its low mark, then NORMAL and DMA
 * down to low + lowmem_reserve[HIGHMEM]; then the slow path's min marks in
 * the same order; then NULL.  Each zone switch happens at exactly the
 * free count __zone_watermark_ok gives. */
static int test_zone_fallback_highuser(void)
{
	struct kmm *k = boot_preset("tiny", false);
	ASSERT_TRUE(k);
	kmm_set_cpu(k, 0);
	struct zone *z[3] = {kmm_zone(k, ZONE_DMA), kmm_zone(k, ZONE_NORMAL),
			     kmm_zone(k, ZONE_HIGHMEM)};
	long expect_stop[2][3];
	for (int i = 0; i < 3; i++)
		for (int w = 0; w < 2; w++)    /* pass 0: low, pass 1: min */
			expect_stop[w][i] = (long)z[i]->watermark[w ? WMARK_MIN : WMARK_LOW] +
					    (long)z[i]->lowmem_reserve[ZONE_HIGHMEM];
	static const int order_of_zones[6] = {2, 1, 0, 2, 1, 0};
	int stage = 0;
	unsigned long n = 0;
	struct page *p;

	while ((p = alloc_pages(k, GFP_HIGHUSER, 0))) {
		int zi = (int)page_zonenum(p);
		while (stage < 6 && zi != order_of_zones[stage]) {
			/* leaving a zone: its free count sits at the stop mark */
			int left = order_of_zones[stage];
			ASSERT_EQ(z[left]->nr_free_pages + z[left]->pcp[0].count,
				  expect_stop[stage / 3][left]);
			stage++;
		}
		ASSERT_LT(stage, 6);
		n++;
	}
	ASSERT_EQ(stage, 5);
	ASSERT_EQ(z[0]->nr_free_pages, expect_stop[1][0]);
	ASSERT_EQ(z[1]->nr_free_pages, expect_stop[1][1]);
	ASSERT_EQ(z[2]->nr_free_pages, expect_stop[1][2]);
	ASSERT_TRUE(n > 20000);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}

/* GFP_DMA never leaves ZONE_DMA; it is atomic (no __GFP_WAIT), so it stops
 * at min - min/4 (ALLOC_HARDER). */
static int test_gfp_dma_stays_in_dma(void)
{
	struct kmm *k = boot_preset("tiny", false);
	ASSERT_TRUE(k);
	long normal = nr_free(k, ZONE_NORMAL), high = nr_free(k, ZONE_HIGHMEM);
	long min = (long)kmm_zone(k, ZONE_DMA)->watermark[WMARK_MIN];
	struct page *p;
	unsigned long n = 0;

	while ((p = alloc_pages(k, GFP_DMA, 0))) {
		ASSERT_EQ(page_zonenum(p), ZONE_DMA);
		ASSERT_LT(page_to_pfn(k, p), MAX_DMA_PFN);
		n++;
	}
	ASSERT_EQ(nr_free(k, ZONE_DMA), min - min / 4);
	ASSERT_EQ(nr_free(k, ZONE_NORMAL), normal);
	ASSERT_EQ(nr_free(k, ZONE_HIGHMEM), high);
	ASSERT_TRUE(n > 3000);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}

/* Drive NORMAL down with blocking, then GFP_NOWAIT, then GFP_ATOMIC
 * allocations, after emptying DMA so nothing falls back.  3.2's rule:
 * blocking stops at min, GFP_NOWAIT (ALLOC_HARDER) at min - min/4, and
 * __GFP_HIGH goes further: m = min - min/2, then m - m/4. */
static int test_watermarks_nowait_vs_high(void)
{
	struct kmm *k = boot_preset("tiny", false);
	ASSERT_TRUE(k);
	long min = (long)kmm_zone(k, ZONE_NORMAL)->watermark[WMARK_MIN];
	long high_min = min - min / 2;

	high_min -= high_min / 4;
	while (alloc_pages(k, GFP_DMA | __GFP_HIGH, 0))
		;
	long dma_left = nr_free(k, ZONE_DMA);
	while (alloc_pages(k, GFP_KERNEL, 0))
		ASSERT_EQ(nr_free(k, ZONE_DMA), dma_left);
	ASSERT_EQ(nr_free(k, ZONE_NORMAL), min);
	while (alloc_pages(k, GFP_NOWAIT, 0))
		;
	ASSERT_EQ(nr_free(k, ZONE_NORMAL), min - min / 4);
	/* the refusal: GFP_NOWAIT fails where __GFP_HIGH still succeeds */
	ASSERT_TRUE(alloc_pages(k, GFP_NOWAIT, 0) == NULL);
	struct page *p = alloc_pages(k, GFP_ATOMIC, 0);
	ASSERT_TRUE(p);
	ASSERT_EQ(page_zonenum(p), ZONE_NORMAL);
	while (alloc_pages(k, GFP_ATOMIC, 0))
		;
	ASSERT_EQ(nr_free(k, ZONE_NORMAL), high_min);
	ASSERT_EQ(nr_free(k, ZONE_DMA), dma_left);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}

/* zone_watermark_ok for order > 0: each lower order's free pages do not
 * count, and the mark halves per order (3.2). */
static int test_watermark_high_order_rule(void)
{
	struct zone z = {0};

	z.nr_free_pages = 100;
	z.free_area[0].nr_free = 60;    /* 60 pages at order 0 */
	z.free_area[1].nr_free = 20;    /* 40 pages at order 1 */
	/* order 2: free = 100-4+1 = 97 > 20; minus 60 -> 37 > 10; minus 40 -> -3 <= 5 */
	ASSERT_FALSE(zone_watermark_ok(&z, 2, 20, 0, 0));
	/* order 1: 99 > 20; minus 60 -> 39 > 10 */
	ASSERT_TRUE(zone_watermark_ok(&z, 1, 20, 0, 0));
	/* the reserve of the class zone adds to the mark */
	z.lowmem_reserve[2] = 80;
	ASSERT_FALSE(zone_watermark_ok(&z, 0, 20, 2, 0));
	ASSERT_TRUE(zone_watermark_ok(&z, 0, 20, 1, 0));
	/* ALLOC_HIGH halves, ALLOC_HARDER takes a quarter of what is left */
	ASSERT_FALSE(zone_watermark_ok(&z, 0, 100, 0, 0));
	ASSERT_FALSE(zone_watermark_ok(&z, 0, 134, 0, ALLOC_HARDER)); /* 101 */
	ASSERT_TRUE(zone_watermark_ok(&z, 0, 132, 0, ALLOC_HARDER));  /* 99 */
	ASSERT_FALSE(zone_watermark_ok(&z, 0, 199, 0, ALLOC_HIGH));   /* 100 */
	ASSERT_TRUE(zone_watermark_ok(&z, 0, 198, 0, ALLOC_HIGH));    /* 99 */
	ASSERT_TRUE(zone_watermark_ok(&z, 0, 264, 0, ALLOC_HIGH | ALLOC_HARDER));
	ASSERT_FALSE(zone_watermark_ok(&z, 0, 268, 0, ALLOC_HIGH | ALLOC_HARDER));
	return 0;
}

/* Per-CPU lists on tiny's NORMAL (batch 1, high 6): frees stay on the
 * freeing CPU's list until it holds `high`, then `batch` go back to the
 * buddy lists from the cold end; drain returns the rest. */
static int test_pcp_lists_drain_back(void)
{
	struct kmm *k = boot_preset("tiny", false);
	struct buddy_state boot, back;
	struct page *p[9];

	ASSERT_TRUE(k);
	struct zone *z = kmm_zone(k, ZONE_NORMAL);
	ASSERT_EQ(z->pcp[0].batch, 1);
	ASSERT_EQ(z->pcp[0].high, 6);
	buddy_state_get(k, &boot);
	for (int i = 0; i < 9; i++)
		ASSERT_TRUE(p[i] = alloc_pages(k, GFP_KERNEL, 0));
	long after_alloc = z->nr_free_pages;
	ASSERT_EQ(after_alloc, boot.nr_free_pages[ZONE_NORMAL] - 9);
	ASSERT_EQ(z->pcp[0].count, 0);          /* batch 1: nothing cached */
	kmm_set_cpu(k, 1);                       /* free 3 on CPU 1 */
	for (int i = 0; i < 3; i++)
		__free_pages(k, p[i], 0);
	ASSERT_EQ(z->pcp[1].count, 3);
	ASSERT_EQ(z->pcp[0].count, 0);
	ASSERT_EQ(z->nr_free_pages, after_alloc);
	kmm_set_cpu(k, 0);                       /* 6 on CPU 0 */
	for (int i = 3; i < 8; i++)
		__free_pages(k, p[i], 0);
	ASSERT_EQ(z->pcp[0].count, 5);
	ASSERT_EQ(z->nr_free_pages, after_alloc);
	__free_pages(k, p[8], 0);               /* count reaches high: 1 back */
	ASSERT_EQ(z->pcp[0].count, 5);
	ASSERT_EQ(z->nr_free_pages, after_alloc + 1);
	/* it was the coldest page: the first one freed on this CPU */
	ASSERT_TRUE(PageBuddy(p[3]) || !(p[3]->sim & KMM_SIM_PCP));
	ASSERT_TRUE(p[8]->sim & KMM_SIM_PCP);
	kmm_check(k);
	drain_local_pages(k);
	ASSERT_EQ(z->pcp[0].count, 0);
	ASSERT_EQ(z->pcp[1].count, 3);
	ASSERT_EQ(z->nr_free_pages, after_alloc + 6);
	drain_all_pages(k);
	ASSERT_EQ(z->pcp[1].count, 0);
	buddy_state_get(k, &back);
	ASSERT_EQ(buddy_state_cmp(&boot, &back, false), 0);
	kmm_check(k);
	buddy_state_free(&boot);
	buddy_state_free(&back);
	kmm_destroy(k);
	return 0;
}

/* classic's NORMAL pcp batch is 31: the first order-0 allocation pulls 31
 * pages onto the CPU's list and returns one (rmqueue_bulk). */
static int test_pcp_batch_refill(void)
{
	struct kmm *k = boot_preset("classic", false);
	ASSERT_TRUE(k);
	struct zone *z = kmm_zone(k, ZONE_NORMAL);
	long before = z->nr_free_pages;
	struct page *p = alloc_pages(k, GFP_KERNEL, 0);

	ASSERT_TRUE(p);
	ASSERT_EQ(z->pcp[0].count, 30);
	ASSERT_EQ(z->nr_free_pages, before - 31);
	struct page *q = alloc_pages(k, GFP_KERNEL, 0);  /* from the list */
	ASSERT_EQ(z->pcp[0].count, 29);
	ASSERT_EQ(page_to_pfn(k, q), page_to_pfn(k, p) + 1);
	__free_pages(k, p, 0);
	__free_pages(k, q, 0);
	ASSERT_EQ(z->pcp[0].count, 31);
	drain_all_pages(k);
	ASSERT_EQ(z->nr_free_pages, before);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}

/* A blocking allocation that fails drains the pcp lists of every CPU and
 * retries (what reclaim ends with); an atomic one never drains. */
static int test_pcp_drained_on_failure(void)
{
	struct kmm *k = boot_preset("tiny", false);
	ASSERT_TRUE(k);
	struct zone *nz = kmm_zone(k, ZONE_NORMAL);
	long min = (long)nz->watermark[WMARK_MIN];
	struct page *n[5];

	while (alloc_pages(k, GFP_DMA | __GFP_HIGH, 0))
		;
	for (int i = 0; i < 5; i++)
		ASSERT_TRUE(n[i] = alloc_pages(k, GFP_KERNEL, 0));
	while (alloc_pages(k, GFP_NOWAIT, 0))
		;
	ASSERT_EQ(nz->nr_free_pages, min - min / 4);
	kmm_set_cpu(k, 1);
	for (int i = 0; i < 5; i++)
		__free_pages(k, n[i], 0);
	ASSERT_EQ(nz->pcp[1].count, 5);
	kmm_set_cpu(k, 0);
	ASSERT_TRUE(alloc_pages(k, GFP_NOWAIT, 0) == NULL);
	ASSERT_EQ(nz->pcp[1].count, 5);                 /* atomic: no drain */
	ASSERT_TRUE(alloc_pages(k, GFP_KERNEL, 0) == NULL);
	ASSERT_EQ(nz->pcp[1].count, 0);                 /* blocking: drained */
	ASSERT_EQ(nz->nr_free_pages, min - min / 4 + 5);
	ASSERT_TRUE(alloc_pages(k, GFP_NOWAIT, 0) != NULL);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}

/* Migratetype fallback: on a fresh machine every pageblock is MOVABLE; the
 * first unmovable allocation steals the largest block (order 10 >=
 * pageblock_order/2) and claims its pageblock; the rest of the block lands
 * on the UNMOVABLE lists.  A reclaimable request always claims. */
static int test_migratetype_fallback(void)
{
	struct kmm *k = boot_preset("tiny", false);
	struct buddy_state boot, s;

	ASSERT_TRUE(k);
	struct zone *z = kmm_zone(k, ZONE_NORMAL);
	buddy_state_get(k, &boot);
	unsigned long pfn;
	unsigned fo;
	ASSERT_EQ(first_block(k, ZONE_NORMAL, MIGRATE_MOVABLE, 10, &pfn, &fo), 0);
	ASSERT_EQ(get_pageblock_migratetype(k, pfn_to_page(k, pfn)), MIGRATE_MOVABLE);
	struct page *p = alloc_pages(k, GFP_KERNEL, 0);
	ASSERT_TRUE(p);
	ASSERT_EQ(page_to_pfn(k, p), pfn);
	ASSERT_EQ(get_pageblock_migratetype(k, p), MIGRATE_UNMOVABLE);
	ASSERT_EQ(z->nr_extfrag, 1);
	buddy_state_get(k, &s);
	for (int o = 0; o < 10; o++) {
		ASSERT_EQ(s.nblocks[ZONE_NORMAL][o][MIGRATE_UNMOVABLE], 1);
		ASSERT_EQ(s.blocks[ZONE_NORMAL][o][MIGRATE_UNMOVABLE][0], pfn + (1ul << o));
	}
	ASSERT_EQ(s.nblocks[ZONE_NORMAL][10][MIGRATE_MOVABLE],
		  boot.nblocks[ZONE_NORMAL][10][MIGRATE_MOVABLE] - 1);
	/* UNMOVABLE now has its own blocks: no second steal */
	struct page *q = alloc_pages(k, GFP_KERNEL, 3);
	ASSERT_EQ(page_to_pfn(k, q), pfn + 8);
	ASSERT_EQ(z->nr_extfrag, 1);
	/* RECLAIMABLE falls back to UNMOVABLE first, but order 10 is only
	 * MOVABLE: it takes that block and claims it */
	unsigned long rpfn;
	ASSERT_EQ(first_block(k, ZONE_NORMAL, MIGRATE_MOVABLE, 10, &rpfn, &fo), 0);
	struct page *r = alloc_pages(k, GFP_KERNEL | __GFP_RECLAIMABLE, 0);
	ASSERT_EQ(page_to_pfn(k, r), rpfn);
	ASSERT_EQ(get_pageblock_migratetype(k, r), MIGRATE_RECLAIMABLE);
	ASSERT_EQ(z->nr_extfrag, 2);
	kmm_check(k);
	/* everything freed: same free blocks as at boot, merged */
	__free_pages(k, p, 0);
	__free_pages(k, q, 3);
	__free_pages(k, r, 0);
	drain_all_pages(k);
	buddy_state_free(&s);
	buddy_state_get(k, &s);
	ASSERT_EQ(buddy_state_cmp(&boot, &s, false), 0);
	/* ...but the claimed pageblocks keep their new type */
	ASSERT_EQ(s.nblocks[ZONE_NORMAL][10][MIGRATE_UNMOVABLE], 1);
	ASSERT_EQ(s.nblocks[ZONE_NORMAL][10][MIGRATE_RECLAIMABLE], 1);
	buddy_state_free(&boot);
	buddy_state_free(&s);
	kmm_destroy(k);
	return 0;
}

/* Random allocations of every order and GFP, all freed again: the free
 * block set of every zone and order is exactly the boot one.  With only
 * movable allocations the per-type lists match too (nothing stolen). */
static int check_free_everything(const char *preset, bool pae, bool movable_only)
{
	static const gfp_t gfps[] = {GFP_KERNEL, GFP_ATOMIC, GFP_NOWAIT, GFP_USER,
				     GFP_HIGHUSER, GFP_HIGHUSER_MOVABLE, GFP_DMA,
				     GFP_KERNEL | __GFP_RECLAIMABLE,
				     GFP_KERNEL | __GFP_COMP, GFP_HIGHUSER | __GFP_ZERO};
	struct kmm *k = boot_preset(preset, pae);
	struct buddy_state boot, back;
	struct page *live[600];
	unsigned ord[600];
	int n = 0;
	uint64_t seed = 7;

	ASSERT_TRUE(k);
	buddy_state_get(k, &boot);
	for (int i = 0; i < 3000; i++) {
		uint64_t r = test_rand(&seed);
		kmm_set_cpu(k, (unsigned)(r >> 40) % kmm_cfg(k)->nr_cpus);
		if (n < 600 && (r & 3) != 0) {
			unsigned o = (unsigned)((r >> 8) % 11);
			o = o > 6 ? (unsigned)((r >> 16) % 3) : o;
			gfp_t g = movable_only ? GFP_HIGHUSER_MOVABLE
					       : gfps[(r >> 20) % (sizeof(gfps) / sizeof(gfps[0]))];
			struct page *p = alloc_pages(k, g, o);
			if (p) {
				ASSERT_EQ(page_to_pfn(k, p) & ((1ul << o) - 1), 0);
				live[n] = p;
				ord[n++] = o;
			}
		} else if (n) {
			int j = (int)((r >> 24) % (uint64_t)n);
			__free_pages(k, live[j], ord[j]);
			live[j] = live[--n];
			ord[j] = ord[n];
		}
		if (i % 500 == 0)
			kmm_check(k);
	}
	while (n--)
		__free_pages(k, live[n], ord[n]);
	drain_all_pages(k);
	buddy_state_get(k, &back);
	ASSERT_EQ(buddy_state_cmp(&boot, &back, movable_only), 0);
	kmm_check(k);
	buddy_state_free(&boot);
	buddy_state_free(&back);
	kmm_destroy(k);
	return 0;
}

static int test_free_everything_restores_boot(void)
{
	return check_free_everything("tiny", false, false) ||
	       check_free_everything("tiny", true, false) ||
	       check_free_everything("classic", false, false) ||
	       check_free_everything("tiny", false, true) ||
	       check_free_everything("tiny", true, true);
}

/* __GFP_ZERO clears every frame of the block; __GFP_COMP makes a compound
 * page whose tails point at the head. */
static int test_zero_and_compound(void)
{
	struct kmm *k = boot_preset("tiny", false);
	ASSERT_TRUE(k);
	struct page *p = alloc_pages(k, GFP_KERNEL, 2);
	for (int i = 0; i < 4; i++)
		memset(kmm_frame_w(k, page_to_pfn(k, p) + (unsigned)i), 0xA5, PAGE_SIZE);
	__free_pages(k, p, 2);
	struct page *q = alloc_pages(k, GFP_KERNEL | __GFP_ZERO | __GFP_COMP, 2);
	ASSERT_EQ(page_to_pfn(k, q), page_to_pfn(k, p));   /* LIFO reuse */
	for (int i = 0; i < 4; i++) {
		const uint8_t *f = kmm_frame_r(k, page_to_pfn(k, q) + (unsigned)i);
		for (unsigned j = 0; j < PAGE_SIZE; j++)
			ASSERT_EQ(f[j], 0);
	}
	ASSERT_TRUE(PageHead(q));
	ASSERT_EQ(q->compound_order, 2);
	for (int i = 1; i < 4; i++) {
		ASSERT_TRUE(PageTail(q + i));
		ASSERT_TRUE(compound_head(q + i) == q);
		ASSERT_EQ(page_count(q + i), 0);
	}
	get_page(k, q + 3);                     /* a tail pins the head */
	ASSERT_EQ(page_count(q), 2);
	put_page(k, q + 1);
	ASSERT_EQ(page_count(q), 1);
	put_page(k, q);                         /* last ref: frees order 2 */
	ASSERT_FALSE(PageHead(q));
	ASSERT_FALSE(PageTail(q + 1));
	ASSERT_TRUE(PageBuddy(q) || (q->sim & KMM_SIM_PCP));
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}

/* __get_free_pages gives direct-map addresses; free_pages takes them. */
static int test_get_free_pages_addresses(void)
{
	struct kmm *k = boot_preset("tiny", false);
	ASSERT_TRUE(k);
	vaddr_t a = __get_free_pages(k, GFP_KERNEL, 1);
	ASSERT_NE(a, 0);
	ASSERT_EQ(a & (2 * PAGE_SIZE - 1), 0);
	ASSERT_TRUE(virt_addr_valid(k, a));
	struct page *p = virt_to_page(k, a);
	ASSERT_EQ(page_address(k, p), a);
	ASSERT_EQ(__pa(k, a), PFN_PHYS(page_to_pfn(k, p)));
	ASSERT_EQ(__va(k, __pa(k, a)), a);
	vaddr_t z = get_zeroed_page(k, GFP_KERNEL);
	ASSERT_NE(z, 0);
	struct page *h = alloc_pages(k, GFP_HIGHUSER_MOVABLE, 0);
	ASSERT_TRUE(PageHighMem(k, h));
	ASSERT_EQ(page_address(k, h), 0);       /* not mapped until kmap */
	ASSERT_FALSE(PageHighMem(k, p));
	free_pages(k, a, 1);
	free_page(k, z);
	free_pages(k, 0, 3);                    /* NULL is a no-op */
	__free_page(k, h);
	drain_all_pages(k);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}

/* fail_page_alloc: deterministic like fail_nth; never __GFP_NOFAIL. */
static int test_fail_page_alloc(void)
{
	struct kmm *k = boot_preset("tiny", false);
	ASSERT_TRUE(k);
	struct kmm_fault_attr *a = kmm_fail_page_alloc(k);

	a->nth = 3;
	ASSERT_TRUE(alloc_pages(k, GFP_KERNEL, 0));
	ASSERT_TRUE(alloc_pages(k, GFP_KERNEL, 0));
	ASSERT_TRUE(alloc_pages(k, GFP_KERNEL, 0) == NULL);
	ASSERT_TRUE(alloc_pages(k, GFP_KERNEL, 0));
	ASSERT_EQ(a->failed, 1);
	*a = (struct kmm_fault_attr){.interval = 2, .times = 2};
	int fails = 0;
	for (int i = 0; i < 10; i++)
		fails += alloc_pages(k, GFP_KERNEL, 0) == NULL;
	ASSERT_EQ(fails, 2);
	*a = (struct kmm_fault_attr){.interval = 1, .times = -1, .min_order = 2};
	ASSERT_TRUE(alloc_pages(k, GFP_KERNEL, 1));
	ASSERT_TRUE(alloc_pages(k, GFP_KERNEL, 2) == NULL);
	ASSERT_TRUE(alloc_pages(k, GFP_KERNEL | __GFP_NOFAIL, 2));
	a->ignore_gfp_wait = true;
	ASSERT_TRUE(alloc_pages(k, GFP_KERNEL, 2));
	ASSERT_TRUE(alloc_pages(k, GFP_ATOMIC, 2) == NULL);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}

/* Orders past MAX_ORDER - 1 fail, as the kernel's slow path does. */
static int test_order_too_large(void)
{
	struct kmm *k = boot_preset("tiny", false);
	ASSERT_TRUE(k);
	ASSERT_TRUE(alloc_pages(k, GFP_KERNEL, MAX_ORDER) == NULL);
	ASSERT_TRUE(alloc_pages(k, GFP_KERNEL, MAX_ORDER - 1) != NULL);
	kmm_destroy(k);
	return 0;
}

static const struct test_case tests[] = {
	TEST(test_split_merge_every_order),
	TEST(test_merge_scrambled),
	TEST(test_zone_fallback_highuser),
	TEST(test_gfp_dma_stays_in_dma),
	TEST(test_watermarks_nowait_vs_high),
	TEST(test_watermark_high_order_rule),
	TEST(test_pcp_lists_drain_back),
	TEST(test_pcp_batch_refill),
	TEST(test_pcp_drained_on_failure),
	TEST(test_migratetype_fallback),
	TEST(test_free_everything_restores_boot),
	TEST(test_zero_and_compound),
	TEST(test_get_free_pages_addresses),
	TEST(test_fail_page_alloc),
	TEST(test_order_too_large),
};
TEST_MAIN(tests)
