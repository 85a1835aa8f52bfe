/* test_reset.c — kmm_reset returns a machine to its just-booted state,
 * whatever the run did, and costs only what the run touched. */
#include <sys/mman.h>
#include "internal.h"
#include "kmm_test.h"
#include "test.h"

/* A run: mixed allocations on several CPUs, frame writes, fault
 * injection; half of it freed.  Returns the pfns it got, in order. */
static unsigned long run_program(struct kmm *k, uint64_t seed,
				 unsigned long *pfns, int max)
{
	struct page *live[256];
	int n = 0, got = 0;

	kmm_fail_page_alloc(k)->interval = 13;
	kmm_fail_page_alloc(k)->times = -1;
	for (int i = 0; i < 1500; i++) {
		uint64_t r = test_rand(&seed);
		kmm_set_cpu(k, (unsigned)(r >> 50) % kmm_cfg(k)->nr_cpus);
		if (n < 256 && (r & 3)) {
			static const gfp_t g[] = {GFP_KERNEL, GFP_HIGHUSER_MOVABLE,
						  GFP_ATOMIC | __GFP_ZERO, GFP_DMA,
						  GFP_KERNEL | __GFP_RECLAIMABLE};
			struct page *p = alloc_pages(k, g[(r >> 8) % 5], (unsigned)(r >> 16) % 4);
			if (!p)
				continue;
			memset(kmm_frame_w(k, page_to_pfn(k, p)), (int)i, 64);
			if (got < max)
				pfns[got++] = page_to_pfn(k, p);
			live[n++] = p;
			if (!(r & 0x300))
				split_page(k, p, p->owner_order);
		} else if (n) {
			int j = (int)((r >> 24) % (uint64_t)n);
			__free_pages(k, live[j], live[j]->owner_order);
			live[j] = live[--n];
		}
	}
	return (unsigned long)got;
}

static int check_reset(const char *preset, bool pae)
{
	struct kmm *k = boot_preset(preset, pae);
	struct kmm *fresh = boot_preset(preset, pae);
	struct buddy_state boot, now;
	unsigned long a[400], b[400];

	ASSERT_TRUE(k && fresh);
	buddy_state_get(k, &boot);
	struct page *saved = malloc(k->map_len);
	memcpy(saved, k->mem_map, k->map_len);
	unsigned long na = run_program(k, 1, a, 400);
	ASSERT_TRUE(k->nr_log > 0);
	kmm_reset(k);
	/* the whole memmap, zones, pageblocks and frames are as booted */
	ASSERT_EQ(memcmp(saved, k->mem_map, k->map_len), 0);
	ASSERT_EQ(memcmp(k->zones, k->boot_zones, sizeof(k->zones)), 0);
	ASSERT_EQ(memcmp(k->pageblock_mt, fresh->pageblock_mt, k->nr_pageblocks), 0);
	for (unsigned long i = 0; i < na; i++) {
		uint8_t f[64];          /* may be free again: unchecked */
		kmm_frame_peek(k, a[i], 0, f, sizeof(f));
		for (int j = 0; j < 64; j++)
			ASSERT_EQ(f[j], 0);
	}
	buddy_state_get(k, &now);
	ASSERT_EQ(buddy_state_cmp(&boot, &now, true), 0);
	ASSERT_EQ(kmm_cpu(k), 0);
	ASSERT_EQ(kmm_fail_page_alloc(k)->calls, 0);
	ASSERT_EQ(k->nr_log, 0);
	kmm_check(k);
	/* same program, same result: on the reset machine and a fresh one */
	unsigned long nb = run_program(k, 1, b, 400);
	ASSERT_EQ(nb, na);
	ASSERT_EQ(memcmp(a, b, na * sizeof(*a)), 0);
	nb = run_program(fresh, 1, b, 400);
	ASSERT_EQ(nb, na);
	ASSERT_EQ(memcmp(a, b, na * sizeof(*a)), 0);
	kmm_reset(k);
	ASSERT_EQ(memcmp(saved, k->mem_map, k->map_len), 0);
	free(saved);
	buddy_state_free(&boot);
	buddy_state_free(&now);
	kmm_destroy(k);
	kmm_destroy(fresh);
	return 0;
}

static int test_reset_tiny(void) { return check_reset("tiny", false); }
static int test_reset_tiny_pae(void) { return check_reset("tiny", true); }
static int test_reset_classic(void) { return check_reset("classic", false); }

/* Reset after nothing touches nothing; the log holds each frame once. */
static int test_reset_log_is_minimal(void)
{
	struct kmm *k = boot_preset("tiny", false);
	ASSERT_TRUE(k);
	kmm_reset(k);
	ASSERT_EQ(k->nr_log, 0);
	struct page *p = alloc_pages(k, GFP_HIGHUSER_MOVABLE, 1);
	unsigned long after_one = k->nr_log;
	/* the order-1 block at the start of HIGHMEM: head only */
	ASSERT_EQ(after_one, 1);
	__free_pages(k, p, 1);
	ASSERT_EQ(k->nr_log, 1);
	for (int i = 0; i < 10; i++) {  /* the frame is free: unchecked */
		uint8_t b[8];
		memset(b, i, sizeof(b));
		kmm_frame_poke(k, page_to_pfn(k, p), 0, b, sizeof(b));
	}
	ASSERT_EQ(k->nr_log, 1);
	kmm_reset(k);
	uint8_t b0;
	kmm_frame_peek(k, page_to_pfn(k, p), 0, &b0, 1);
	ASSERT_EQ(b0, 0);
	kmm_destroy(k);
	return 0;
}

static bool resident(struct kmm *k, unsigned long pfn)
{
	unsigned char v = 0;
	ASSERT_EQ(mincore(k->ram + (pfn << PAGE_SHIFT), PAGE_SIZE, &v), 0);
	return v & 1;
}

static void trim_dirty(struct kmm *k, void *arg)
{
	(void)arg;
	alloc_pages(k, GFP_KERNEL, 0);
	kmm_trim(k);
}

/* kmm_trim after a reset: the frames the run wrote are no longer resident
 * on the host, boot's frames (page tables) keep their bytes, and the
 * machine runs the same program to the same result. */
static int test_trim(void)
{
	struct kmm *k = boot_preset("tiny", false);
	unsigned long a[400], b[400], boot_pfn = k->layout.max_pfn;
	uint8_t before[PAGE_SIZE], after[PAGE_SIZE];

	ASSERT_TRUE(k);
	for (unsigned long pfn = 0; pfn < k->layout.max_pfn; pfn++)
		if (k->boot_map[pfn].sim & KMM_SIM_BOOT_FRAME) {
			boot_pfn = pfn;
			break;
		}
	ASSERT_TRUE(boot_pfn < k->layout.max_pfn);
	kmm_frame_peek(k, boot_pfn, 0, before, PAGE_SIZE);
	unsigned long na = run_program(k, 7, a, 400);
	ASSERT_TRUE(na > 0 && resident(k, a[0]));
	kmm_reset(k);
	kmm_trim(k);
	for (unsigned long i = 0; i < na; i++)
		if (!(k->boot_map[a[i]].sim & KMM_SIM_BOOT_FRAME))
			ASSERT_TRUE(!resident(k, a[i]));
	kmm_frame_peek(k, boot_pfn, 0, after, PAGE_SIZE);
	ASSERT_EQ(memcmp(before, after, PAGE_SIZE), 0);
	kmm_check(k);
	ASSERT_EQ(run_program(k, 7, b, 400), na);
	ASSERT_EQ(memcmp(a, b, na * sizeof(*a)), 0);
	kmm_reset(k);
	ASSERT_TRUE(expect_report(k, trim_dirty, NULL, "frames not reset"));
	kmm_destroy(k);
	return 0;
}

static const struct test_case tests[] = {
	TEST(test_reset_tiny),
	TEST(test_reset_tiny_pae),
	TEST(test_reset_classic),
	TEST(test_reset_log_is_minimal),
	TEST(test_trim),
};
TEST_MAIN(tests)
