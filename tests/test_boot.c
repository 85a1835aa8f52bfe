/* test_boot.c — boot of both presets, PAE on and off: zones, memmap,
 * watermarks, pcp batches and reserves as 3.2 computes them, and the frame
 * accounting memblock_free_all leaves behind. */
#include "kmm_test.h"
#include "test.h"

/* classic = kernel-rules case (a), 2.6.32/3.2-faithful present pages:
 * DMA 4064, NORMAL 221486, HIGHMEM 34545; min_free_kbytes 3799. */
static int test_boot_classic_zones_and_watermarks(void)
{
	struct kmm *k = boot_preset("classic", false);
	ASSERT_TRUE(k);
	struct zone *dma = kmm_zone(k, ZONE_DMA), *nor = kmm_zone(k, ZONE_NORMAL),
		    *hi = kmm_zone(k, ZONE_HIGHMEM);

	ASSERT_EQ(dma->spanned_pages, 4096);
	ASSERT_EQ(nor->zone_start_pfn, 4096);
	ASSERT_EQ(nor->spanned_pages, 223230);
	ASSERT_EQ(hi->zone_start_pfn, 227326);
	ASSERT_EQ(hi->spanned_pages, 34818);
	ASSERT_EQ(dma->present_pages, 4064);
	ASSERT_EQ(nor->present_pages, 221486);
	ASSERT_EQ(hi->present_pages, 34545);
	ASSERT_EQ(kmm_min_free_kbytes(k), 3799);
	ASSERT_EQ(dma->watermark[WMARK_MIN], 17);
	ASSERT_EQ(nor->watermark[WMARK_MIN], 931);
	ASSERT_EQ(nor->watermark[WMARK_LOW], 1163);
	ASSERT_EQ(nor->watermark[WMARK_HIGH], 1396);
	ASSERT_EQ(hi->watermark[WMARK_MIN], 33);
	ASSERT_EQ(hi->watermark[WMARK_LOW], 69);
	ASSERT_EQ(hi->watermark[WMARK_HIGH], 105);
	/* lowmem_reserve_ratio {256, 32, 32} over present pages */
	ASSERT_EQ(dma->lowmem_reserve[ZONE_NORMAL], 221486 / 256);
	ASSERT_EQ(dma->lowmem_reserve[ZONE_HIGHMEM], (221486 + 34545) / 256);
	ASSERT_EQ(nor->lowmem_reserve[ZONE_HIGHMEM], 34545 / 32);
	ASSERT_EQ(hi->lowmem_reserve[ZONE_HIGHMEM], 0);
	/* zone_batchsize: DMA 0 -> batch 1 high 0; NORMAL 31/186; HIGH 7/42 */
	ASSERT_EQ(dma->pcp[0].batch, 1);
	ASSERT_EQ(dma->pcp[0].high, 0);
	ASSERT_EQ(nor->pcp[1].batch, 31);
	ASSERT_EQ(nor->pcp[1].high, 186);
	ASSERT_EQ(hi->pcp[0].batch, 7);
	ASSERT_EQ(hi->pcp[0].high, 42);
	ASSERT_FALSE(page_group_by_mobility_disabled(k));
	kmm_destroy(k);
	return 0;
}

/* Every frame is free or reserved after boot, reserved = what memblock
 * kept, and all highmem frames are free and merged. */
static int check_boot_accounting(const char *preset, bool pae)
{
	struct kmm *k = boot_preset(preset, pae);
	ASSERT_TRUE(k);
	const struct kmm_boot_stats *b = kmm_boot_stats(k);
	const struct kmm_layout *l = kmm_layout(k);
	long free = 0;

	for (int z = 0; z < MAX_NR_ZONES; z++)
		free += kmm_zone(k, (enum zone_type)z)->nr_free_pages;
	ASSERT_EQ((unsigned long)free, b->freed_pages);
	ASSERT_EQ(b->freed_pages + b->reserved_pages, l->max_pfn);
	/* reservelow 16 + BIOS 0x9f..0xff (97) + kernel image + memmap */
	/* ...and the kernel page tables paging_init took (see test_pgtable) */
	ASSERT_EQ(b->reserved_pages, 16 + 97 + b->kernel_pages + b->memmap_pages +
					      b->pgtable_pages);
	ASSERT_EQ(b->memmap_pages, (l->max_pfn * 32 + PAGE_SIZE - 1) / PAGE_SIZE);
	ASSERT_EQ(kmm_zone(k, ZONE_HIGHMEM)->nr_free_pages,
		  (long)(l->highend_pfn - l->highstart_pfn));
	ASSERT_TRUE(PageReserved(pfn_to_page(k, 0)));
	ASSERT_TRUE(PageReserved(pfn_to_page(k, PFN_DOWN(kmm_cfg(k)->kernel_start))));
	ASSERT_FALSE(PageReserved(pfn_to_page(k, 16)));
	ASSERT_EQ(pageblock_order(k), pae ? 9u : 10u);
	ASSERT_EQ(kmm_layout(k)->pae, pae);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}

static int test_boot_tiny(void) { return check_boot_accounting("tiny", false); }
static int test_boot_tiny_pae(void) { return check_boot_accounting("tiny", true); }
static int test_boot_classic(void) { return check_boot_accounting("classic", false); }
static int test_boot_classic_pae(void) { return check_boot_accounting("classic", true); }

/* Highmem frames are freed one by one but merge: tiny's HIGHMEM is one
 * order-1 block at its unaligned start, then only order-10 blocks. */
static int test_boot_highmem_merged(void)
{
	struct kmm *k = boot_preset("tiny", false);
	struct buddy_state s;

	ASSERT_TRUE(k);
	buddy_state_get(k, &s);
	ASSERT_EQ(s.nblocks[ZONE_HIGHMEM][1][MIGRATE_MOVABLE], 1);
	ASSERT_EQ(s.blocks[ZONE_HIGHMEM][1][MIGRATE_MOVABLE][0], 16382);
	ASSERT_EQ(s.nblocks[ZONE_HIGHMEM][10][MIGRATE_MOVABLE], (28672 - 16384) / 1024);
	for (int o = 0; o < MAX_ORDER; o++)
		if (o != 1 && o != 10)
			ASSERT_EQ(free_blocks_of(&s, ZONE_HIGHMEM, o), 0);
	for (int t = 0; t < MIGRATE_TYPES; t++)   /* everything boots MOVABLE */
		if (t != MIGRATE_MOVABLE)
			for (int z = 0; z < MAX_NR_ZONES; z++)
				for (int o = 0; o < MAX_ORDER; o++)
					ASSERT_EQ(s.nblocks[z][o][t], 0);
	buddy_state_free(&s);
	kmm_destroy(k);
	return 0;
}

/* A small machine does not group by mobility (vm_total_pages < 5*1024). */
static int test_boot_small_machine_no_mobility(void)
{
	struct kmm_config c = {.ram_bytes = 16 * KMM_MB, .nr_cpus = 1,
			       .kernel_start = 0x100000, .kernel_size = 0x200000};
	struct kmm *k = kmm_create(&c, NULL, 0);

	ASSERT_TRUE(k);
	ASSERT_TRUE(page_group_by_mobility_disabled(k));
	ASSERT_EQ(kmm_zone(k, ZONE_NORMAL)->present_pages, 0);
	ASSERT_EQ(kmm_zone(k, ZONE_HIGHMEM)->present_pages, 0);
	struct page *p = alloc_pages(k, GFP_HIGHUSER_MOVABLE, 0);
	ASSERT_TRUE(p);
	ASSERT_EQ(page_zonenum(p), ZONE_DMA);
	__free_pages(k, p, 0);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}

/* Two machines side by side share nothing. */
static int test_two_machines_independent(void)
{
	struct kmm *a = boot_preset("tiny", false), *b = boot_preset("tiny", false);
	ASSERT_TRUE(a && b);
	struct page *p = alloc_pages(a, GFP_KERNEL, 3);
	ASSERT_TRUE(p);
	ASSERT_NE(kmm_zone(a, ZONE_NORMAL)->nr_free_pages,
		  kmm_zone(b, ZONE_NORMAL)->nr_free_pages);
	kmm_check(a);
	kmm_check(b);
	kmm_destroy(a);
	kmm_destroy(b);
	return 0;
}

static const struct test_case tests[] = {
	TEST(test_boot_classic_zones_and_watermarks),
	TEST(test_boot_tiny),
	TEST(test_boot_tiny_pae),
	TEST(test_boot_classic),
	TEST(test_boot_classic_pae),
	TEST(test_boot_highmem_merged),
	TEST(test_boot_small_machine_no_mobility),
	TEST(test_two_machines_independent),
};
TEST_MAIN(tests)
