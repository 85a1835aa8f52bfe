/* test_layout.c — the i386 layout against values computed by hand from
 * the 3.2 formulas (arch/x86/mm/init_32.c, pgtable_32_types.h, fixmap.h). */
#include "kmm/kmm.h"
#include "test.h"

/* (a) 1 GiB non-PAE, default vmalloc: the textbook machine.
 *   0xfff16000 fixmap | 0xff800000 pkmap | 0xf7ffe000 vmalloc | lowmem */
static int test_layout_1g_nonpae(void)
{
	struct kmm_layout l;

	ASSERT_EQ(kmm_layout_compute(&l, 1024 * KMM_MB, false, 0), 0);
	ASSERT_EQ(l.fixaddr_start, 0xFFF16000u);
	ASSERT_EQ(l.end_of_fixed, 490);
	ASSERT_EQ(l.pkmap_base, 0xFF800000u);
	ASSERT_EQ(l.vmalloc_end, 0xFF7FE000u);
	ASSERT_EQ(l.vmalloc_reserve, 0x08000000u);
	ASSERT_EQ(l.maxmem, 0x377FE000u);
	ASSERT_EQ(l.max_low_pfn, 227326);
	ASSERT_EQ(l.highend_pfn - l.highstart_pfn, 34818);
	ASSERT_EQ(l.high_memory, 0xF77FE000u);
	ASSERT_EQ(l.vmalloc_start, 0xF7FFE000u);
	ASSERT_EQ(l.vmalloc_end - l.vmalloc_start, 120 * KMM_MB);
	ASSERT_EQ(l.last_pkmap, 1024);
	ASSERT_EQ(__fix_to_virt(&l, FIX_KMAP_BEGIN), 0xFFFFF000u - (69u << 12));
	return 0;
}

/* (b) 4 GiB PAE: PMD is 2 MiB, LAST_PKMAP 512. */
static int test_layout_4g_pae(void)
{
	struct kmm_layout l;

	ASSERT_EQ(kmm_layout_compute(&l, 4096 * KMM_MB, true, 0), 0);
	ASSERT_EQ(l.pkmap_base, 0xFFC00000u);
	ASSERT_EQ(PKMAP_ADDR(&l, l.last_pkmap), 0xFFE00000u);
	ASSERT_EQ(l.vmalloc_end, 0xFFBFE000u);
	ASSERT_EQ(l.maxmem, 0x37BFE000u);
	ASSERT_EQ(l.max_low_pfn, 228350);
	ASSERT_EQ(l.highend_pfn - l.highstart_pfn, 820226);
	ASSERT_EQ(l.high_memory, 0xF7BFE000u);
	ASSERT_EQ(l.vmalloc_start, 0xF83FE000u);
	ASSERT_EQ(l.last_pkmap, 512);
	return 0;
}

/* (c) 64 MiB non-PAE: all lowmem, vmalloc fills the rest. */
static int test_layout_64m(void)
{
	struct kmm_layout l;

	ASSERT_EQ(kmm_layout_compute(&l, 64 * KMM_MB, false, 0), 0);
	ASSERT_EQ(l.max_low_pfn, 16384);
	ASSERT_EQ(l.highend_pfn, l.highstart_pfn);
	ASSERT_EQ(l.high_memory, 0xC4000000u);
	ASSERT_EQ(l.vmalloc_start, 0xC4800000u);
	return 0;
}

/* (d) 32 MiB with vmalloc=1000M: the reserve is X + VMALLOC_OFFSET. */
static int test_layout_vmalloc_param(void)
{
	struct kmm_layout l;

	ASSERT_EQ(kmm_layout_compute(&l, 32 * KMM_MB, false, 1000 * KMM_MB), 0);
	ASSERT_EQ(l.vmalloc_reserve, 0x3F000000u);
	ASSERT_EQ(l.maxmem, 0x007FE000u);
	ASSERT_EQ(l.max_low_pfn, 2046);
	ASSERT_EQ(l.highend_pfn - l.highstart_pfn, 6146);
	ASSERT_EQ(l.high_memory, 0xC07FE000u);
	ASSERT_EQ(l.vmalloc_start, 0xC0FFE000u);
	ASSERT_EQ(l.vmalloc_end - l.vmalloc_start, 1000 * KMM_MB);
	return 0;
}

/* (d) would not boot: lowmem ends inside ZONE_DMA while highmem exists. */
static int test_config_rejects_bad_machines(void)
{
	struct kmm_config c;
	char err[256] = "";

	kmm_config_preset(&c, "tiny");
	c.ram_bytes = 32 * KMM_MB;
	c.vmalloc_param = 1000 * KMM_MB;
	ASSERT_TRUE(kmm_create(&c, err, sizeof(err)) == NULL);
	ASSERT_STR_CONTAINS(err, "ZONE_DMA");
	kmm_config_preset(&c, "tiny");
	c.nr_cpus = 9;
	ASSERT_TRUE(kmm_create(&c, err, sizeof(err)) == NULL);
	ASSERT_STR_CONTAINS(err, "nr_cpus");
	kmm_config_preset(&c, "tiny");
	c.ram_bytes = 8192 * KMM_MB;
	ASSERT_TRUE(kmm_create(&c, err, sizeof(err)) == NULL);
	ASSERT_STR_CONTAINS(err, "4 GiB");
	kmm_config_preset(&c, "tiny");
	c.kernel_start = 0x100800;
	ASSERT_TRUE(kmm_create(&c, err, sizeof(err)) == NULL);
	ASSERT_STR_CONTAINS(err, "kernel image");
	ASSERT_EQ(kmm_config_preset(&c, "huge"), -1);
	return 0;
}

/* The presets: tiny has all three zones, classic is case (a). */
static int test_presets_layout(void)
{
	struct kmm_config c;
	struct kmm_layout l;

	ASSERT_EQ(kmm_config_preset(&c, "tiny"), 0);
	ASSERT_EQ(kmm_layout_compute(&l, c.ram_bytes, false, c.vmalloc_param), 0);
	ASSERT_EQ(l.max_low_pfn, 16382);
	ASSERT_EQ(l.max_pfn, 28672);
	ASSERT_EQ(l.vmalloc_start, 0xC47FE000u);
	ASSERT_EQ(kmm_layout_compute(&l, c.ram_bytes, true, c.vmalloc_param), 0);
	ASSERT_EQ(l.max_low_pfn, 17406);
	ASSERT_EQ(kmm_config_preset(&c, "classic"), 0);
	ASSERT_EQ(c.ram_bytes, 1024 * KMM_MB);
	return 0;
}

static const struct test_case tests[] = {
	TEST(test_layout_1g_nonpae),
	TEST(test_layout_4g_pae),
	TEST(test_layout_64m),
	TEST(test_layout_vmalloc_param),
	TEST(test_config_rejects_bad_machines),
	TEST(test_presets_layout),
};
TEST_MAIN(tests)
