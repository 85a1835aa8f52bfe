/* test_oracle.c — the oracle model: its boot numbers come from the 3.2
 * formulas (kernel-rules.md), its predictions hold on the real allocator,
 * and each kind of disagreement it exists for is reported. */
#include <setjmp.h>
#include <string.h>
#include "kmm/fault.h"
#include "kmm/slab.h"
#include "kmm/vmalloc.h"
#include "kmm_test.h"
#include "oracle.h"
#include "test.h"

static jmp_buf jb;
static char last[4096];

static void hook(void *arg, const char *report)
{
	(void)arg;
	snprintf(last, sizeof(last), "%s", report);
	longjmp(jb, 1);
}

/* Runs stmt; the oracle must report a disagreement naming `what`. */
#define EXPECT_REPORT(stmt, what)                                              \
	do {                                                                   \
		last[0] = 0;                                                   \
		if (!setjmp(jb)) {                                             \
			stmt;                                                  \
		}                                                              \
		ASSERT_STR_CONTAINS(last, what);                               \
	} while (0)

static struct kmm *k;
static struct oracle *o;

static int boot(const char *preset)
{
	char err[512];

	k = boot_preset(preset, false);
	if (!k)
		return 1;
	o = oracle_create(k, err, sizeof(err));
	if (!o) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	oracle_set_report(o, hook, NULL);
	return 0;
}

static void shutdown(void)
{
	oracle_destroy(o);
	kmm_destroy(k);
}

/* alloc_pages through the oracle, as the executor does */
static struct page *alloc(unsigned int id, gfp_t gfp, unsigned int order,
			  struct oracle_alloc_pred *pr)
{
	oracle_alloc_predict(o, gfp, order, pr);
	struct page *p = alloc_pages(k, gfp, order);
	oracle_alloc_result(o, pr, id, gfp, order, p);
	return p;
}

static void release(unsigned int id, struct page *p, unsigned int order)
{
	oracle_put_before(o, id, 0);
	__free_pages(k, p, order);
	oracle_put_after(o, id, 0);
}

/* classic, 3.2-faithful present pages (kernel-rules.md §3): DMA 4064,
 * NORMAL 221486, HIGHMEM 34545 -> min_free_kbytes 3799, NORMAL
 * 931/1163/1396, HIGHMEM 33/69/105; reserves present/256 and present/32;
 * pcp NORMAL batch 31 high 186, so 2 CPUs hold at most 2 * (185 + 3 * 30):
 * high - 1 from frees, batch - 1 left of a refill per migratetype. */
static int test_model_boot_numbers(void)
{
	struct oracle_zone_info zi;

	ASSERT_EQ(boot("classic"), 0);
	ASSERT_EQ(oracle_min_free_kbytes(o), 3799);
	oracle_zone_info(o, ZONE_NORMAL, &zi);
	ASSERT_EQ(zi.present, 221486);
	ASSERT_EQ(zi.wmark[WMARK_MIN], 931);
	ASSERT_EQ(zi.wmark[WMARK_LOW], 1163);
	ASSERT_EQ(zi.wmark[WMARK_HIGH], 1396);
	ASSERT_EQ(zi.reserve[ZONE_HIGHMEM], 34545 / 32);
	ASSERT_EQ(zi.pcp_bound, 2 * (185 + 3 * 30));
	ASSERT_EQ(zi.free, kmm_zone(k, ZONE_NORMAL)->nr_free_pages);
	oracle_zone_info(o, ZONE_HIGHMEM, &zi);
	ASSERT_EQ(zi.wmark[WMARK_MIN], 33);
	ASSERT_EQ(zi.wmark[WMARK_LOW], 69);
	ASSERT_EQ(zi.wmark[WMARK_HIGH], 105);
	oracle_zone_info(o, ZONE_DMA, &zi);
	ASSERT_EQ(zi.present, 4064);
	ASSERT_EQ(zi.reserve[ZONE_NORMAL], 221486 / 256);
	ASSERT_EQ(zi.reserve[ZONE_HIGHMEM], (221486 + 34545) / 256);
	shutdown();
	return 0;
}

/* On a fresh machine the first pass must succeed in the preferred zone;
 * a blocking high-order request must succeed after the drain. */
static int test_predictions_fresh(void)
{
	struct oracle_alloc_pred pr;

	ASSERT_EQ(boot("tiny"), 0);
	oracle_alloc_predict(o, GFP_KERNEL, 0, &pr);
	ASSERT_TRUE(pr.must_succeed);
	ASSERT_EQ(pr.min_zone, ZONE_NORMAL);
	ASSERT_EQ(pr.high_zone, ZONE_NORMAL);
	oracle_alloc_predict(o, GFP_HIGHUSER, 3, &pr);
	ASSERT_TRUE(pr.must_succeed);
	ASSERT_EQ(pr.min_zone, ZONE_HIGHMEM);
	oracle_alloc_predict(o, GFP_KERNEL | __GFP_DMA, 10, &pr);
	ASSERT_TRUE(pr.must_succeed);
	ASSERT_FALSE(pr.must_fail);
	ASSERT_EQ(pr.high_zone, ZONE_DMA);
	shutdown();
	return 0;
}

/* Draining ZONE_DMA with blocking requests: every result agrees with the
 * prediction, and at the end the model says the next one must fail. */
static int test_exhaust_dma_must_fail(void)
{
	struct oracle_alloc_pred pr;
	unsigned int id = 0;
	struct page *p;

	ASSERT_EQ(boot("tiny"), 0);
	last[0] = 0;
	if (!setjmp(jb)) {
		for (int order = 6; order >= 0; order--)
			while ((p = alloc(id, GFP_KERNEL | __GFP_DMA, (unsigned int)order,
					  &pr)))
				id++;
		oracle_step(o);
	}
	ASSERT_TRUE(!last[0]);
	ASSERT_GE(id, 3000 / 64);
	ASSERT_LE(kmm_zone(k, ZONE_DMA)->nr_free_pages,
		  (long)kmm_zone(k, ZONE_DMA)->watermark[WMARK_MIN] + 1);
	oracle_alloc_predict(o, GFP_KERNEL | __GFP_DMA, 0, &pr);
	ASSERT_TRUE(pr.must_fail);
	ASSERT_FALSE(pr.must_succeed);
	/* atomic requests may go deeper (ALLOC_HIGH | ALLOC_HARDER) */
	oracle_alloc_predict(o, GFP_ATOMIC | __GFP_DMA, 0, &pr);
	ASSERT_FALSE(pr.must_fail);
	shutdown();
	return 0;
}

static int test_detects_double_handout(void)
{
	struct oracle_alloc_pred pr;

	ASSERT_EQ(boot("tiny"), 0);
	struct page *p = alloc(0, GFP_KERNEL, 1, &pr);
	ASSERT_TRUE(p);
	oracle_alloc_predict(o, GFP_KERNEL, 0, &pr);
	EXPECT_REPORT(oracle_alloc_result(o, &pr, 1, GFP_KERNEL, 0, p + 1),
		      "[buddy/ownership]");
	shutdown();
	return 0;
}

static int test_detects_wrong_zone(void)
{
	struct oracle_alloc_pred pr;

	ASSERT_EQ(boot("tiny"), 0);
	struct page *p = alloc_pages(k, GFP_HIGHUSER, 0);
	ASSERT_TRUE(PageHighMem(k, p));
	oracle_alloc_predict(o, GFP_KERNEL, 0, &pr);
	EXPECT_REPORT(oracle_alloc_result(o, &pr, 0, GFP_KERNEL, 0, p),
		      "[buddy/zone]");
	shutdown();
	return 0;
}

/* A NULL when the model knows a block is there. */
static int test_detects_false_failure(void)
{
	struct oracle_alloc_pred pr;

	ASSERT_EQ(boot("tiny"), 0);
	oracle_alloc_predict(o, GFP_KERNEL, 2, &pr);
	EXPECT_REPORT(oracle_alloc_result(o, &pr, 0, GFP_KERNEL, 2, NULL),
		      "[buddy/alloc-fail]");
	shutdown();
	return 0;
}

static int test_detects_content_change(void)
{
	struct oracle_alloc_pred pr;

	ASSERT_EQ(boot("tiny"), 0);
	struct page *p = alloc(0, GFP_KERNEL, 1, &pr);
	oracle_write(o, 0, 0, 1, 100, 20, 0x42);
	last[0] = 0;
	if (!setjmp(jb))
		oracle_verify(o, 0, 0);
	ASSERT_TRUE(!last[0]);
	kmm_frame_w(k, page_to_pfn(k, p) + 1)[110] ^= 1;
	EXPECT_REPORT(oracle_verify(o, 0, 0), "[content/bytes]");
	ASSERT_STR_CONTAINS(last, "offset 0x06e");
	shutdown();
	return 0;
}

/* The frame held data; a block claimed to be __GFP_ZERO must be zero. */
static int test_detects_missing_zeroing(void)
{
	struct oracle_alloc_pred pr;

	ASSERT_EQ(boot("tiny"), 0);
	struct page *p = alloc(0, GFP_KERNEL, 0, &pr);
	oracle_write(o, 0, 0, 0, 0, 64, 0x7f);
	release(0, p, 0);
	struct page *q = alloc_pages(k, GFP_KERNEL, 0);  /* pcp: the same page */
	ASSERT_EQ(page_to_pfn(k, q), page_to_pfn(k, p));
	oracle_alloc_predict(o, GFP_KERNEL | __GFP_ZERO, 0, &pr);
	EXPECT_REPORT(oracle_alloc_result(o, &pr, 1, GFP_KERNEL | __GFP_ZERO, 0, q),
		      "[buddy/zero]");
	shutdown();
	return 0;
}

/* A page taken behind the model's back breaks the free-frame count. */
static int test_detects_leak(void)
{
	ASSERT_EQ(boot("tiny"), 0);
	alloc_pages(k, GFP_KERNEL, 3);
	EXPECT_REPORT(oracle_step(o), "[buddy/free-count]");
	shutdown();
	return 0;
}

/* Freeing everything gives the boot free lists back; a block whose
 * buddy stays unmerged does not. */
static int test_restore_check(void)
{
	struct oracle_alloc_pred pr;
	struct page *p[6];

	ASSERT_EQ(boot("tiny"), 0);
	last[0] = 0;
	if (!setjmp(jb)) {
		for (unsigned int i = 0; i < 6; i++)
			p[i] = alloc(i, i & 1 ? GFP_HIGHUSER : GFP_KERNEL, i % 4, &pr);
		for (unsigned int i = 0; i < 6; i++)
			release(i, p[i], i % 4);
		drain_all_pages(k);
		oracle_check_restored(o, false);
	}
	ASSERT_TRUE(!last[0]);
	oracle_reset(o);
	kmm_reset(k);
	oracle_drained_all(o);          /* a reset machine is the boot machine */
	shutdown();
	return 0;
}

/* fail_page_alloc nth=2: the second call fails, and only it. */
static int test_fault_injection_prediction(void)
{
	struct oracle_alloc_pred pr;
	struct kmm_fault_attr *a;

	ASSERT_EQ(boot("tiny"), 0);
	a = kmm_fail_page_alloc(k);
	a->nth = 2;
	oracle_fail_page_alloc(o, a);
	last[0] = 0;
	if (!setjmp(jb)) {
		ASSERT_TRUE(alloc(0, GFP_KERNEL, 0, &pr));
		ASSERT_FALSE(pr.inject);
		ASSERT_FALSE(alloc(1, GFP_KERNEL, 0, &pr));
		ASSERT_TRUE(pr.inject);
		ASSERT_TRUE(alloc(2, GFP_KERNEL, 0, &pr));
	}
	ASSERT_TRUE(!last[0]);
	/* a result the injection forbids */
	memset(a, 0, sizeof(*a));
	a->nth = 1;
	oracle_fail_page_alloc(o, a);
	a->nth = 0;                     /* the kernel forgets it */
	oracle_alloc_predict(o, GFP_KERNEL, 0, &pr);
	struct page *p = alloc_pages(k, GFP_KERNEL, 0);
	EXPECT_REPORT(oracle_alloc_result(o, &pr, 3, GFP_KERNEL, 0, p),
		      "[buddy/fault-inject]");
	shutdown();
	return 0;
}

/* Slab objects: a second object inside a live one is an overlap; ksize of
 * kmalloc is the kernel's size class (96 for 65..96 bytes). */
static int test_slab_objects(void)
{
	struct oracle_alloc_pred pr;

	ASSERT_EQ(boot("tiny"), 0);
	last[0] = 0;
	vaddr_t a = kmalloc(k, 70, GFP_KERNEL);
	if (!setjmp(jb)) {
		oracle_sync_frames(o);
		oracle_slab_predict(o, GFP_KERNEL, &pr);
		oracle_obj_result(o, &pr, 0, a, 70, 8, false, true, ksize(k, a));
	}
	ASSERT_TRUE(!last[0]);
	ASSERT_EQ(ksize(k, a), 96);
	EXPECT_REPORT(oracle_obj_result(o, &pr, 1, a + 8, 16, 8, false, true, 16),
		      "[slab/overlap]");
	shutdown();
	ASSERT_EQ(boot("tiny"), 0);
	a = kmalloc(k, 70, GFP_KERNEL);
	oracle_sync_frames(o);
	oracle_slab_predict(o, GFP_KERNEL, &pr);
	EXPECT_REPORT(oracle_obj_result(o, &pr, 0, a, 70, 8, false, true, 128),
		      "[slab/size]");
	shutdown();
	return 0;
}

/* User memory: an access the model says faults but the machine says
 * completed, and bytes that differ from what was written. */
static int test_user_access_checks(void)
{
	struct kmm_access_result r = {.outcome = KMM_OK, .done = 16};
	uint8_t buf[16] = {0};

	ASSERT_EQ(boot("tiny"), 0);
	struct mm_struct *mm = mm_exec(k);
	ASSERT_TRUE(mm);
	oracle_mm_new(o, 0, -1, true);
	long va = do_mmap_pgoff(k, mm, NULL, 0, 2 * PAGE_SIZE, PROT_READ,
				MAP_PRIVATE | MAP_ANONYMOUS, 0);
	ASSERT_GE(va, 4096);
	last[0] = 0;
	if (!setjmp(jb))
		oracle_mmap(o, 0, va, 2, PROT_READ);
	ASSERT_TRUE(!last[0]);
	/* a write to a read-only page must fault at its first byte */
	EXPECT_REPORT(oracle_user_access(o, 0, (vaddr_t)va + 8, 16, true, 1, buf, &r),
		      "[mm/access]");
	/* demand-zero memory does not read as 0x5a */
	buf[3] = 0x5a;
	EXPECT_REPORT(oracle_user_access(o, 0, (vaddr_t)va, 16, false, 0, buf, &r),
		      "[mm/content]");
	/* mmap never hands out a range still mapped */
	EXPECT_REPORT(oracle_mmap(o, 0, va + PAGE_SIZE, 1, PROT_READ), "[mm/mmap]");
	shutdown();
	return 0;
}

/* vmalloc: the bytes written at the area's ends are checked in its
 * frames before vfree. */
static int test_vmalloc_content(void)
{
	ASSERT_EQ(boot("tiny"), 0);
	vaddr_t va = vmalloc(k, 5000);
	last[0] = 0;
	if (!setjmp(jb)) {
		oracle_sync_frames(o);
		oracle_vmalloc(o, 0, va, 5000, false);
	}
	ASSERT_TRUE(!last[0]);
	unsigned long pfn = vmalloc_to_pfn(k, va + 4999);
	kmm_frame_w(k, pfn)[(va + 4999) & (PAGE_SIZE - 1)] ^= 0xff;
	EXPECT_REPORT(oracle_vfree(o, 0), "[vmalloc/content]");
	shutdown();
	return 0;
}

static const struct test_case tests[] = {
	TEST(test_model_boot_numbers),
	TEST(test_predictions_fresh),
	TEST(test_exhaust_dma_must_fail),
	TEST(test_detects_double_handout),
	TEST(test_detects_wrong_zone),
	TEST(test_detects_false_failure),
	TEST(test_detects_content_change),
	TEST(test_detects_missing_zeroing),
	TEST(test_detects_leak),
	TEST(test_restore_check),
	TEST(test_fault_injection_prediction),
	TEST(test_slab_objects),
	TEST(test_user_access_checks),
	TEST(test_vmalloc_content),
};

TEST_MAIN(tests)
