/* test_buddy_bad.c — every kind of bad use ends in a kernel-style report
 * naming the pfn and what was wrong (run in a child; SIGABRT expected). */
#include "kmm_test.h"
#include "test.h"

#define EXPECT_BUG(k, fn, arg, ...)                                           \
	do {                                                                  \
		bool _ab;                                                     \
		char *_out = run_expect_bug((k), (fn), (arg), &_ab);          \
		const char *_want[] = {"BUG: kmm/", __VA_ARGS__};             \
		int _bad = !_ab;                                              \
		for (size_t _i = 0; _i < sizeof(_want) / sizeof(*_want); _i++) \
			if (!strstr(_out, _want[_i])) {                       \
				fprintf(stderr, "missing \"%s\"\n", _want[_i]); \
				_bad = 1;                                     \
			}                                                     \
		if (_bad)                                                     \
			fprintf(stderr, "%s:%d: report (aborted=%d):\n%s\n",   \
				__FILE__, __LINE__, _ab, _out);               \
		free(_out);                                                   \
		if (_bad)                                                     \
			return 1;                                             \
	} while (0)

static char pfn_text[64];

static const char *pfn_str(struct kmm *k, struct page *p)
{
	snprintf(pfn_text, sizeof(pfn_text), "pfn 0x%05lx", page_to_pfn(k, p));
	return pfn_text;
}

static void free0(struct kmm *k, void *p) { __free_pages(k, p, 0); }
static void free2(struct kmm *k, void *p) { __free_pages(k, p, 2); }
static void free1(struct kmm *k, void *p) { __free_pages(k, p, 1); }
static void putp(struct kmm *k, void *p) { put_page(k, p); }
static void getp(struct kmm *k, void *p) { get_page(k, p); }

static int test_double_free_order0_on_pcp(void)
{
	struct kmm *k = boot_preset("tiny", false);
	struct page *p = alloc_pages(k, GFP_KERNEL, 0);
	__free_pages(k, p, 0);          /* now on the pcp list */
	kmm_set_op(k, 7, "__free_pages(p0, 0)");
	EXPECT_BUG(k, free0, p, "buddy", "double free", pfn_str(k, p),
		   "pcp list", "op #7: __free_pages(p0, 0)");
	kmm_destroy(k);
	return 0;
}

static int test_double_free_high_order(void)
{
	struct kmm *k = boot_preset("tiny", false);
	struct page *p = alloc_pages(k, GFP_KERNEL, 2);
	__free_pages(k, p, 2);
	EXPECT_BUG(k, free2, p, "double free", pfn_str(k, p), "free list");
	kmm_destroy(k);
	return 0;
}

static int test_free_never_allocated(void)
{
	struct kmm *k = boot_preset("tiny", false);
	struct page *p = pfn_to_page(k, 20000);   /* a free highmem frame */
	EXPECT_BUG(k, free0, p, "never allocated", pfn_str(k, p));
	kmm_destroy(k);
	return 0;
}

static int test_free_wrong_order(void)
{
	struct kmm *k = boot_preset("tiny", false);
	struct page *p = alloc_pages(k, GFP_KERNEL, 2);
	EXPECT_BUG(k, free1, p, "order-2 block", "with order 1");
	struct page *c = alloc_pages(k, GFP_KERNEL | __GFP_COMP, 1);
	EXPECT_BUG(k, free2, c, "order-1 block", "with order 2");
	kmm_destroy(k);
	return 0;
}

static int test_free_tail_page(void)
{
	struct kmm *k = boot_preset("tiny", false);
	struct page *p = alloc_pages(k, GFP_KERNEL | __GFP_COMP, 2);
	EXPECT_BUG(k, free0, p + 2, "tail", pfn_str(k, p + 2),
		   "compound page at");
	kmm_destroy(k);
	return 0;
}

static int test_free_inside_block(void)
{
	struct kmm *k = boot_preset("tiny", false);
	struct page *p = alloc_pages(k, GFP_KERNEL, 3);
	EXPECT_BUG(k, free0, p + 5, pfn_str(k, p + 5), "inside the order-3 block");
	kmm_destroy(k);
	return 0;
}

static int test_free_reserved(void)
{
	struct kmm *k = boot_preset("tiny", false);
	struct page *p = pfn_to_page(k, PFN_DOWN(kmm_cfg(k)->kernel_start));
	EXPECT_BUG(k, free0, p, "Bad page state", "PAGE_FLAGS_CHECK_AT_FREE",
		   "pfn 0x00100");
	kmm_destroy(k);
	return 0;
}

static int test_free_not_a_page(void)
{
	struct kmm *k = boot_preset("tiny", false);
	static struct page fake;
	EXPECT_BUG(k, free0, &fake, "not a struct page");
	kmm_destroy(k);
	return 0;
}

static void free_bad_addr(struct kmm *k, void *arg)
{
	(void)arg;
	free_pages(k, 0xF0000000u, 0);
}

static int test_free_pages_bad_address(void)
{
	struct kmm *k = boot_preset("tiny", false);
	EXPECT_BUG(k, free_bad_addr, NULL, "0xf0000000", "not a lowmem address");
	kmm_destroy(k);
	return 0;
}

static int test_put_page_noncompound_high_order(void)
{
	struct kmm *k = boot_preset("tiny", false);
	struct page *p = alloc_pages(k, GFP_KERNEL, 2);
	EXPECT_BUG(k, putp, p, "put_page()", "non-compound order-2");
	kmm_destroy(k);
	return 0;
}

static int test_get_page_on_free(void)
{
	struct kmm *k = boot_preset("tiny", false);
	EXPECT_BUG(k, getp, pfn_to_page(k, 20000), "get_page() on free",
		   "pfn 0x04e20");
	kmm_destroy(k);
	return 0;
}

static void alloc_bad_gfp(struct kmm *k, void *arg)
{
	alloc_pages(k, *(gfp_t *)arg, 0);
}

static int test_bad_gfp(void)
{
	struct kmm *k = boot_preset("tiny", false);
	gfp_t g = GFP_DMA | __GFP_HIGHMEM;
	EXPECT_BUG(k, alloc_bad_gfp, &g, "invalid GFP zone", "0x3");
	g = GFP_KERNEL | __GFP_MOVABLE | __GFP_RECLAIMABLE;
	EXPECT_BUG(k, alloc_bad_gfp, &g, "__GFP_MOVABLE and __GFP_RECLAIMABLE");
	kmm_destroy(k);
	return 0;
}

static void nofail_exhausted(struct kmm *k, void *arg)
{
	(void)arg;
	while (alloc_pages(k, GFP_DMA | __GFP_HIGH, 0))
		;
	alloc_pages(k, GFP_DMA | GFP_KERNEL | __GFP_NOFAIL, 0);
}

static int test_nofail_cannot_succeed(void)
{
	struct kmm *k = boot_preset("tiny", false);
	EXPECT_BUG(k, nofail_exhausted, NULL, "__GFP_NOFAIL",
		   "would retry forever");
	kmm_destroy(k);
	return 0;
}

/* The sweep itself bites: each corruption is named. */
static void corrupt_nr_free(struct kmm *k, void *arg)
{
	(void)arg;
	kmm_zone(k, ZONE_NORMAL)->free_area[3].nr_free++;
	kmm_check(k);
}

static void corrupt_order(struct kmm *k, void *arg)
{
	(void)arg;
	struct page *p = pfn_to_page(k, 16384);   /* an order-10 highmem block */
	p->private = 9;
	kmm_check(k);
}

static void leak_frame(struct kmm *k, void *arg)
{
	(void)arg;
	struct page *p = alloc_pages(k, GFP_KERNEL, 0);
	p->sim &= (uint8_t)~KMM_SIM_ALLOCATED;    /* forget we own it */
	kmm_check(k);
}

static void unmerged(struct kmm *k, void *arg)
{
	(void)arg;
	struct page *p = alloc_pages(k, GFP_HIGHUSER_MOVABLE, 10);
	split_page(k, p, 10);
	__free_pages(k, p + 1, 0);
	drain_all_pages(k);
	/* hand-make the buddy of p+1 look free without merging */
	p->_refcount = 0;
	p->_mapcount = PAGE_BUDDY_MAPCOUNT_VALUE;
	p->private = 0;
	p->sim = 0;
	struct zone *z = kmm_zone(k, ZONE_HIGHMEM);
	struct list_head *h = &z->free_area[0].free_list[MIGRATE_MOVABLE];
	p->lru.next = h->next;
	p->lru.prev = h;
	h->next->prev = &p->lru;
	h->next = &p->lru;
	z->free_area[0].nr_free++;
	z->nr_free_pages++;
	kmm_check(k);
}

static int test_check_detects_corruption(void)
{
	struct kmm *k = boot_preset("tiny", false);
	EXPECT_BUG(k, corrupt_nr_free, NULL, "buddy_check", "Normal order 3",
		   "nr_free");
	EXPECT_BUG(k, corrupt_order, NULL, "buddy_check", "pfn 0x04000",
		   "another order");
	EXPECT_BUG(k, leak_frame, NULL, "buddy_check", "leaked");
	EXPECT_BUG(k, unmerged, NULL, "buddy_check", "not merged");
	kmm_destroy(k);
	return 0;
}

static const struct test_case tests[] = {
	TEST(test_double_free_order0_on_pcp),
	TEST(test_double_free_high_order),
	TEST(test_free_never_allocated),
	TEST(test_free_wrong_order),
	TEST(test_free_tail_page),
	TEST(test_free_inside_block),
	TEST(test_free_reserved),
	TEST(test_free_not_a_page),
	TEST(test_free_pages_bad_address),
	TEST(test_put_page_noncompound_high_order),
	TEST(test_get_page_on_free),
	TEST(test_bad_gfp),
	TEST(test_nofail_cannot_succeed),
	TEST(test_check_detects_corruption),
};
TEST_MAIN(tests)
