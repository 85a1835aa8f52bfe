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

static int boot_machine(const char *preset, bool pae)
{
	char err[512];

	k = boot_preset(preset, pae);
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

static int boot(const char *preset)
{
	return boot_machine(preset, false);
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

/* A user access on process 0 as the executor runs it: the machine's
 * result goes through the oracle (which reports any disagreement). */
static struct kmm_access_result uaccess(struct mm_struct *mm, vaddr_t va,
					uint8_t *buf, unsigned int len,
					unsigned int acc, uint8_t seed)
{
	struct kmm_access_result r;

	for (unsigned int i = 0; acc == KMM_ACC_WRITE && i < len; i++)
		buf[i] = oracle_user_pattern(seed, i);
	switch_mm(k, kmm_cpu(k), mm);
	kmm_access(k, kmm_cpu(k), va, buf, len, KMM_ACC_USER | acc, &r);
	if (acc == KMM_ACC_EXEC)
		oracle_user_exec(o, 0, va, len, buf, &r);
	else
		oracle_user_access(o, 0, va, len, acc == KMM_ACC_WRITE, seed, buf, &r);
	return r;
}

static struct mm_struct *new_mm(void)
{
	struct mm_struct *mm = mm_exec(k);

	oracle_mm_new(o, 0, -1, mm != NULL);
	return mm;
}

static vaddr_t new_map(struct mm_struct *mm, unsigned int pages,
		       unsigned int prot)
{
	long va = do_mmap_pgoff(k, mm, NULL, 0, pages * PAGE_SIZE, prot,
				MAP_PRIVATE | MAP_ANONYMOUS, 0);
	oracle_mmap(o, 0, va, pages, prot);
	return va < 0 ? 0 : (vaddr_t)va;
}

/* brk: 3.2 grows the heap from start_brk and a shrink unmaps the pages
 * above the new break: the model predicts SIGSEGV there (observed), the
 * bytes below stay; a break the model does not expect is reported. */
static int test_brk_shrink(void)
{
	uint8_t buf[64];

	ASSERT_EQ(boot("tiny"), 0);
	last[0] = 0;
	if (!setjmp(jb)) {
		struct mm_struct *mm = new_mm();
		vaddr_t b = mm->brk;
		ASSERT_EQ(b, KMM_START_BRK);
		vaddr_t ret = sys_brk(k, mm, b + 4 * PAGE_SIZE);
		oracle_sys_brk(o, 0, b, b + 4 * PAGE_SIZE, ret);
		ASSERT_EQ(ret, b + 4 * PAGE_SIZE);
		uaccess(mm, b + 3 * PAGE_SIZE + 100, buf, 64, KMM_ACC_WRITE, 7);
		uaccess(mm, b + 100, buf, 16, KMM_ACC_WRITE, 8);
		ret = sys_brk(k, mm, b + PAGE_SIZE);
		oracle_sys_brk(o, 0, b + 4 * PAGE_SIZE, b + PAGE_SIZE, ret);
		ASSERT_EQ(ret, b + PAGE_SIZE);
		struct kmm_access_result r =
			uaccess(mm, b + 3 * PAGE_SIZE + 100, buf, 8, 0, 0);
		ASSERT_EQ(r.outcome, KMM_SIGSEGV);
		ASSERT_EQ(r.addr, b + 3 * PAGE_SIZE + 100);
		r = uaccess(mm, b + 100, buf, 16, 0, 0);
		ASSERT_EQ(r.outcome, KMM_OK);
		ASSERT_EQ(buf[0], oracle_user_pattern(8, 0));
		/* below start_brk nothing changes */
		ret = sys_brk(k, mm, b - PAGE_SIZE);
		oracle_sys_brk(o, 0, b + PAGE_SIZE, b - PAGE_SIZE, ret);
		ASSERT_EQ(ret, b + PAGE_SIZE);
	}
	ASSERT_TRUE(!last[0]);
	/* a shrink that did not happen */
	EXPECT_REPORT(oracle_sys_brk(o, 0, KMM_START_BRK + PAGE_SIZE, KMM_START_BRK,
				     KMM_START_BRK + PAGE_SIZE), "[mm/brk]");
	shutdown();
	return 0;
}

/* mremap: a region whose next pages are mapped cannot grow in place;
 * MREMAP_MAYMOVE moves it with its bytes (the model moves its content
 * model); growth in place over a mapped page is reported. */
static int test_mremap_move_keeps_contents(void)
{
	uint8_t buf[32];

	ASSERT_EQ(boot("tiny"), 0);
	last[0] = 0;
	vaddr_t a = 0, b = 0;
	long ret = 0;
	if (!setjmp(jb)) {
		struct mm_struct *mm = new_mm();
		a = new_map(mm, 1, PROT_READ | PROT_WRITE);
		b = new_map(mm, 2, PROT_READ | PROT_WRITE);
		ASSERT_EQ(b + 2 * PAGE_SIZE, a);         /* top-down, adjacent */
		uaccess(mm, b + PAGE_SIZE + 10, buf, 32, KMM_ACC_WRITE, 0x31);
		ret = do_mremap(k, mm, b, 2 * PAGE_SIZE, 4 * PAGE_SIZE, 0, 0);
		oracle_mremap(o, 0, b, 2, 4, false, ret);
		ASSERT_EQ(ret, -12);
		ret = do_mremap(k, mm, b, 2 * PAGE_SIZE, 4 * PAGE_SIZE,
				MREMAP_MAYMOVE, 0);
		oracle_mremap(o, 0, b, 2, 4, true, ret);
		ASSERT_GE(ret, 4096);
		ASSERT_NE(ret, (long)b);
		struct kmm_access_result r =
			uaccess(mm, (vaddr_t)ret + PAGE_SIZE + 10, buf, 32, 0, 0);
		ASSERT_EQ(r.outcome, KMM_OK);
		for (unsigned int i = 0; i < 32; i++)
			ASSERT_EQ(buf[i], oracle_user_pattern(0x31, i));
		r = uaccess(mm, b + PAGE_SIZE + 10, buf, 4, 0, 0);
		ASSERT_EQ(r.outcome, KMM_SIGSEGV);
	}
	ASSERT_TRUE(!last[0]);
	(void)a;
	/* the moved region's second page is mapped: no growth in place */
	EXPECT_REPORT(oracle_mremap(o, 0, (vaddr_t)ret, 1, 2, false, ret),
		      "[mm/mremap]");
	ASSERT_STR_CONTAINS(last, "no growth in place");
	shutdown();
	return 0;
}

/* Instruction fetches: with PAE (NX) a page needs PROT_EXEC; without
 * PAE a readable page is executable.  An fetch from a non-executable
 * page that completes is reported. */
static int test_user_exec_nx(void)
{
	uint8_t buf[8];

	for (int pae = 0; pae <= 1; pae++) {
		ASSERT_EQ(boot_machine("tiny", pae), 0);
		last[0] = 0;
		vaddr_t va = 0;
		if (!setjmp(jb)) {
			struct mm_struct *mm = new_mm();
			va = new_map(mm, 1, PROT_READ);
			vaddr_t x = new_map(mm, 1, PROT_READ | PROT_EXEC);
			struct kmm_access_result r = uaccess(mm, va + 8, buf, 8,
							     KMM_ACC_EXEC, 0);
			ASSERT_EQ(r.outcome, pae ? KMM_SIGSEGV : KMM_OK);
			r = uaccess(mm, x + 8, buf, 8, KMM_ACC_EXEC, 0);
			ASSERT_EQ(r.outcome, KMM_OK);
		}
		ASSERT_TRUE(!last[0]);
		struct kmm_access_result ok = {.outcome = KMM_OK, .done = 8};
		memset(buf, 0, sizeof(buf));
		if (pae)
			EXPECT_REPORT(oracle_user_exec(o, 0, va + 8, 8, buf, &ok),
				      "[mm/access]");
		shutdown();
	}
	return 0;
}

/* vmap of a highmem block: the area reads the pages' bytes (written
 * through kmm_write); a byte that differs is reported, as is a guard page
 * that does not fault. */
static int test_vmap_reads_pages(void)
{
	struct oracle_alloc_pred pr;
	struct kmm_access_result r;
	uint8_t buf[64];

	ASSERT_EQ(boot("tiny"), 0);
	last[0] = 0;
	vaddr_t va = 0;
	if (!setjmp(jb)) {
		struct page *p = alloc(0, GFP_HIGHUSER, 1, &pr);
		ASSERT_TRUE(p);
		oracle_write(o, 0, 0, 1, 100, 64, 0x42);
		struct page *pages[2] = {p, p + 1};
		va = vmap(k, pages, 2, VM_MAP, pgprot_kernel(k));
		oracle_sync_frames(o);
		oracle_vmap(o, 1, 0, 0, 1, va);
		ASSERT_NE(va, 0);
		kmm_access(k, kmm_cpu(k), va + PAGE_SIZE + 100, buf, 64, 0, &r);
		oracle_kernel_access(o, 0, 0, PAGE_SIZE + 100, 64, va + PAGE_SIZE + 100,
				     false, 0, buf, &r);
		ASSERT_EQ(memcmp(buf, kmm_frame_r(k, page_to_pfn(k, p) + 1) + 100, 64), 0);
		kmm_access(k, kmm_cpu(k), va + 2 * PAGE_SIZE, buf, 8,
			   KMM_ACC_UACCESS, &r);
		ASSERT_EQ(r.outcome, KMM_EFAULT);
		oracle_probe_guard(o, 1, va + 2 * PAGE_SIZE, 8, &r);
	}
	ASSERT_TRUE(!last[0]);
	buf[5] ^= 0x80;
	r = (struct kmm_access_result){.outcome = KMM_OK, .done = 64};
	EXPECT_REPORT(oracle_kernel_access(o, 0, 0, PAGE_SIZE + 100, 64,
					   va + PAGE_SIZE + 100, false, 0, buf, &r),
		      "[kernel/content]");
	r.done = 8;
	EXPECT_REPORT(oracle_probe_guard(o, 1, va + 2 * PAGE_SIZE, 8, &r),
		      "[vmalloc/guard]");
	shutdown();
	return 0;
}

/* A file of size bytes with the oracle's pattern, as the executor makes
 * it (file id 5), and a mapping of it in process 0. */
static struct kmm_file *new_file(uint32_t size, uint8_t seed)
{
	static uint8_t data[16384];

	for (uint32_t i = 0; i < size; i++)
		data[i] = oracle_file_pattern(seed, i);
	struct kmm_file *f = kmm_file_create(k, size, data);
	oracle_file_create(o, 5, size, seed);
	return f;
}

static vaddr_t map_file(struct mm_struct *mm, struct kmm_file *f,
			unsigned int pages, bool shared, unsigned int pgoff)
{
	long va = do_mmap_pgoff(k, mm, f, 0, pages * PAGE_SIZE,
				PROT_READ | PROT_WRITE,
				shared ? MAP_SHARED : MAP_PRIVATE, pgoff);
	oracle_mmap_file(o, 0, 5, va, pages, PROT_READ | PROT_WRITE, shared, pgoff);
	return va < 0 ? 0 : (vaddr_t)va;
}

/* 3.2 filemap_fault: a 5000-byte file has 2 pages; past byte 5000 the
 * second page reads zero, the third is SIGBUS (predicted and observed,
 * cr2 its first byte); truncate to 100 bytes unmaps the second page, now
 * SIGBUS too, and zeroes the first page past byte 100.  An access the
 * model says is SIGBUS but that completed is reported. */
static int test_file_sigbus(void)
{
	uint8_t buf[64];

	ASSERT_EQ(boot("tiny"), 0);
	last[0] = 0;
	vaddr_t va = 0;
	if (!setjmp(jb)) {
		struct mm_struct *mm = new_mm();
		struct kmm_file *f = new_file(5000, 0x61);
		va = map_file(mm, f, 3, false, 0);
		ASSERT_NE(va, 0);
		struct kmm_access_result r = uaccess(mm, va + 4990, buf, 20, 0, 0);
		ASSERT_EQ(r.outcome, KMM_OK);
		ASSERT_EQ(buf[0], oracle_file_pattern(0x61, 4990));
		ASSERT_EQ(buf[9], oracle_file_pattern(0x61, 4999));
		ASSERT_EQ(buf[10], 0);
		r = uaccess(mm, va + 2 * PAGE_SIZE - 8, buf, 16, 0, 0);
		ASSERT_EQ(r.outcome, KMM_SIGBUS);
		ASSERT_EQ(r.done, 8);
		ASSERT_EQ(r.addr, va + 2 * PAGE_SIZE);
		ASSERT_EQ(kmm_file_truncate(k, f, 100), 0);
		oracle_file_truncate(o, 5, 100, 0);
		r = uaccess(mm, va + PAGE_SIZE + 4, buf, 4, 0, 0);
		ASSERT_EQ(r.outcome, KMM_SIGBUS);
		r = uaccess(mm, va + 96, buf, 8, 0, 0);
		ASSERT_EQ(r.outcome, KMM_OK);
		ASSERT_EQ(buf[3], oracle_file_pattern(0x61, 99));
		ASSERT_EQ(buf[4], 0);
		kmm_file_put(k, f);             /* the mapping keeps it */
	}
	ASSERT_TRUE(!last[0]);
	struct kmm_access_result ok = {.outcome = KMM_OK, .done = 4};
	memset(buf, 0, sizeof(buf));
	EXPECT_REPORT(oracle_user_access(o, 0, va + PAGE_SIZE + 4, 4, false, 0, buf,
					 &ok), "[mm/access]");
	ASSERT_STR_CONTAINS(last, "past the end of the file");
	shutdown();
	return 0;
}

/* MAP_PRIVATE writes copy the page: the file (read(2), a MAP_SHARED
 * mapping) keeps its bytes; MAP_SHARED writes reach the page cache: a
 * second shared mapping, a private mapping's untouched page and read(2)
 * see them, a private copy does not.  A shared read that misses the
 * write, and a read(2) that does, are reported. */
static int test_file_private_shared(void)
{
	uint8_t buf[32];

	ASSERT_EQ(boot("tiny"), 0);
	last[0] = 0;
	vaddr_t priv = 0, sh2 = 0;
	if (!setjmp(jb)) {
		struct mm_struct *mm = new_mm();
		struct kmm_file *f = new_file(3 * PAGE_SIZE, 0x70);
		priv = map_file(mm, f, 3, false, 0);
		vaddr_t sh1 = map_file(mm, f, 2, true, 1);
		sh2 = map_file(mm, f, 3, true, 0);
		ASSERT_TRUE(priv && sh1 && sh2);
		uaccess(mm, priv + 10, buf, 16, KMM_ACC_WRITE, 0x11);
		ASSERT_EQ(kmm_file_read(k, f, 10, buf, 16), 16);
		oracle_file_read(o, 5, 10, 16, buf, 16);
		ASSERT_EQ(buf[0], oracle_file_pattern(0x70, 10));
		struct kmm_access_result r = uaccess(mm, sh2 + 10, buf, 16, 0, 0);
		ASSERT_EQ(buf[0], oracle_file_pattern(0x70, 10));
		/* sh1 page 0 is file page 1 */
		uaccess(mm, sh1 + 20, buf, 16, KMM_ACC_WRITE, 0x22);
		r = uaccess(mm, sh2 + PAGE_SIZE + 20, buf, 16, 0, 0);
		ASSERT_EQ(r.outcome, KMM_OK);
		ASSERT_EQ(buf[5], oracle_user_pattern(0x22, 5));
		r = uaccess(mm, priv + PAGE_SIZE + 20, buf, 16, 0, 0);
		ASSERT_EQ(buf[5], oracle_user_pattern(0x22, 5));
		/* the private copy of page 0 stays as written */
		uaccess(mm, sh2 + 10, buf, 4, KMM_ACC_WRITE, 0x33);
		r = uaccess(mm, priv + 10, buf, 16, 0, 0);
		ASSERT_EQ(buf[0], oracle_user_pattern(0x11, 0));
		ASSERT_EQ(kmm_file_read(k, f, PAGE_SIZE + 20, buf, 16), 16);
		oracle_file_read(o, 5, PAGE_SIZE + 20, 16, buf, 16);
		ASSERT_EQ(buf[5], oracle_user_pattern(0x22, 5));
		kmm_file_put(k, f);
	}
	ASSERT_TRUE(!last[0]);
	struct kmm_access_result ok = {.outcome = KMM_OK, .done = 16};
	for (unsigned int i = 0; i < 16; i++)
		buf[i] = oracle_file_pattern(0x70, PAGE_SIZE + 20 + i);
	EXPECT_REPORT(oracle_user_access(o, 0, sh2 + PAGE_SIZE + 20, 16, false, 0,
					 buf, &ok), "[mm/content]");
	ASSERT_STR_CONTAINS(last, "the file's byte");
	EXPECT_REPORT(oracle_file_read(o, 5, PAGE_SIZE + 20, 16, buf, 16), "[mm/file]");
	shutdown();
	return 0;
}

/* ioremap of device memory: a page-aligned vmalloc-range area aligned to
 * its size rounded up to a power of two, each page mapping the device's
 * frame, its guard page unmapped; bytes written read back; the ISA hole
 * is its direct-map address.  A wrong byte and a wrong ISA address are
 * reported. */
static int test_ioremap(void)
{
	const phys_addr_t base = ORACLE_IODEV_BASE;
	uint8_t buf[64];
	struct kmm_access_result r;

	ASSERT_EQ(boot("tiny"), 0);
	last[0] = 0;
	vaddr_t va = 0;
	if (!setjmp(jb)) {
		kmm_device_create(k, base, ORACLE_IODEV_PAGES * PAGE_SIZE, false);
		va = ioremap(k, base + PAGE_SIZE, 3 * PAGE_SIZE);
		oracle_sync_frames(o);
		oracle_ioremap(o, 1, base + PAGE_SIZE, 3, va);
		ASSERT_NE(va, 0);
		ASSERT_EQ(va & (4 * PAGE_SIZE - 1), 0);
		ASSERT_GE(va, kmm_layout(k)->vmalloc_start);
		ASSERT_EQ(vmalloc_to_pfn(k, va + 2 * PAGE_SIZE), (base >> PAGE_SHIFT) + 3);
		ASSERT_EQ(vmalloc_to_pfn(k, va + 3 * PAGE_SIZE), 0);
		for (unsigned int i = 0; i < 64; i++)
			buf[i] = oracle_kernel_pattern(9, 8000 + i);
		kmm_access(k, kmm_cpu(k), va + 8000, buf, 64, KMM_ACC_WRITE, &r);
		oracle_kernel_access(o, 1, 0, 8000, 64, va + 8000, true, 9, buf, &r);
		memset(buf, 0, sizeof(buf));
		kmm_access(k, kmm_cpu(k), va + 7990, buf, 64, 0, &r);
		oracle_kernel_access(o, 1, 0, 7990, 64, va + 7990, false, 0, buf, &r);
		ASSERT_EQ(buf[0], 0);
		ASSERT_EQ(buf[10], oracle_kernel_pattern(9, 8000));
		vaddr_t isa = ioremap(k, 0xb8000, PAGE_SIZE);
		oracle_ioremap(o, 2, 0xb8000, 1, isa);
		ASSERT_EQ(isa, PAGE_OFFSET + 0xb8000);
	}
	ASSERT_TRUE(!last[0]);
	buf[10] ^= 1;
	r = (struct kmm_access_result){.outcome = KMM_OK, .done = 64};
	EXPECT_REPORT(oracle_kernel_access(o, 1, 0, 7990, 64, va + 7990, false, 0,
					   buf, &r), "[ioremap/content]");
	EXPECT_REPORT(oracle_ioremap(o, 3, 0xb9000, 1, va), "[ioremap/address]");
	shutdown();
	return 0;
}

/* kmalloc_array: n * size past 32 bits (2^30 * 4) or beyond
 * KMALLOC_MAX_SIZE is NULL; an object handed out anyway is reported. */
static int test_kmalloc_array_overflow(void)
{
	ASSERT_EQ(boot("tiny"), 0);
	last[0] = 0;
	vaddr_t va = kmalloc_array(k, 0x40000000u, 4, GFP_KERNEL);
	vaddr_t big = kcalloc(k, 4097, 1024, GFP_KERNEL);
	vaddr_t ok = kcalloc(k, 3, 100, GFP_KERNEL);
	if (!setjmp(jb)) {
		oracle_kmalloc_array(o, 0x40000000u, 4, va);
		oracle_kmalloc_array(o, 4097, 1024, big);
		oracle_kmalloc_array(o, 3, 100, ok);
	}
	ASSERT_TRUE(!last[0]);
	ASSERT_EQ(va, 0);
	ASSERT_EQ(big, 0);
	ASSERT_NE(ok, 0);
	EXPECT_REPORT(oracle_kmalloc_array(o, 0x40000000u, 4, ok), "[slab/overflow]");
	EXPECT_REPORT(oracle_kmalloc_array(o, 0x10000u, 0x10001u, ok),
		      "[slab/overflow]");
	shutdown();
	return 0;
}

/* krealloc: in place while the size class holds the new size (100 ->
 * 120 stays in its 128-byte object, ksize stays 128), moved beyond it
 * with the old bytes kept; a lost byte is reported. */
static int test_krealloc(void)
{
	struct oracle_alloc_pred pr;

	ASSERT_EQ(boot("tiny"), 0);
	last[0] = 0;
	vaddr_t a = kmalloc(k, 100, GFP_KERNEL), b = 0, c = 0;
	size_t kb = 0;
	bool same = false, moved = true;
	if (!setjmp(jb)) {
		oracle_sync_frames(o);
		oracle_slab_predict(o, GFP_KERNEL, &pr);
		oracle_obj_result(o, &pr, 0, a, 100, 8, false, true, ksize(k, a));
		same = oracle_krealloc_predict(o, 0, 120, GFP_KERNEL, &pr);
		b = krealloc(k, a, 120, GFP_KERNEL);
		oracle_sync_frames(o);
		oracle_krealloc_result(o, &pr, 0, 1, b, 120, ksize(k, b));
		kb = ksize(k, b);
		oracle_obj_ksize(o, 1, true, kb);
		moved = oracle_krealloc_predict(o, 1, 300, GFP_KERNEL, &pr);
		c = krealloc(k, b, 300, GFP_KERNEL);
		oracle_sync_frames(o);
		oracle_krealloc_result(o, &pr, 1, 2, c, 300, ksize(k, c));
	}
	ASSERT_TRUE(!last[0]);
	ASSERT_TRUE(same);
	ASSERT_TRUE(!moved);
	ASSERT_EQ(b, a);
	ASSERT_EQ(kb, 128);
	ASSERT_NE(c, a);
	ASSERT_EQ(ksize(k, c), 512);
	/* the moved object's ksize is the class of 300 bytes: 512 */
	EXPECT_REPORT(oracle_obj_ksize(o, 2, true, 256), "[slab/size]");
	/* the moved object lost byte 1 of the old one */
	oracle_krealloc_predict(o, 2, 1000, GFP_KERNEL, &pr);
	vaddr_t d = krealloc(k, c, 1000, GFP_KERNEL);
	ASSERT_NE(d, 0);
	oracle_sync_frames(o);
	kmm_frame_w(k, page_to_pfn(k, virt_to_page(k, d + 1)))[(d + 1) & (PAGE_SIZE - 1)] ^= 0xff;
	EXPECT_REPORT(oracle_krealloc_result(o, &pr, 2, 3, d, 1000, ksize(k, d)),
		      "[slab/krealloc]");
	shutdown();
	return 0;
}

/* vmalloc_32 pages are lowmem, vmalloc_user areas VM_USERMAP and
 * zeroed: a vmalloc area with a highmem page, or without VM_USERMAP,
 * is reported under those names. */
static int test_vmalloc_variants(void)
{
	ASSERT_EQ(boot("tiny"), 0);
	unsigned long low = kmm_layout(k)->max_low_pfn;
	last[0] = 0;
	vaddr_t a = vmalloc_32(k, 5000), b = vmalloc_user(k, 100);
	vaddr_t c = vmalloc_32_user(k, 8192);
	if (!setjmp(jb)) {
		oracle_sync_frames(o);
		oracle_vmalloc_how(o, 0, a, 5000, ORACLE_VM_LOWMEM);
		oracle_vmalloc_how(o, 1, b, 100, ORACLE_VM_USER);
		oracle_vmalloc_how(o, 2, c, 8192, ORACLE_VM_LOWMEM | ORACLE_VM_USER);
	}
	ASSERT_TRUE(!last[0]);
	ASSERT_NE(a, 0);
	ASSERT_LT(vmalloc_to_pfn(k, a + 4096), low);
	ASSERT_LT(vmalloc_to_pfn(k, c), low);
	vaddr_t d = vmalloc(k, 100);
	oracle_sync_frames(o);
	ASSERT_GE(vmalloc_to_pfn(k, d), low);        /* highmem comes first */
	EXPECT_REPORT(oracle_vmalloc_how(o, 3, d, 100, ORACLE_VM_LOWMEM),
		      "[vmalloc/zone]");
	EXPECT_REPORT(oracle_vmalloc_how(o, 3, d, 100, ORACLE_VM_USER),
		      "[vmalloc/flags]");
	shutdown();
	return 0;
}

static const struct test_case tests[] = {
	TEST(test_kmalloc_array_overflow),
	TEST(test_krealloc),
	TEST(test_vmalloc_variants),
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
	TEST(test_brk_shrink),
	TEST(test_mremap_move_keeps_contents),
	TEST(test_user_exec_nx),
	TEST(test_vmap_reads_pages),
	TEST(test_file_sigbus),
	TEST(test_file_private_shared),
	TEST(test_ioremap),
};

TEST_MAIN(tests)
