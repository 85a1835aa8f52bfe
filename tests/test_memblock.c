/* test_memblock.c — memblock regions: merge, top-down allocation, the free
 * ranges handed to the buddy allocator. */
#include "kmm/memblock.h"
#include "test.h"

/* |--A--|--B--|     adjacent reservations merge into one region.
 * Expect one region [0x1000, 0x3000) of total size 0x2000. */
static int test_memblock_reserve_merges(void)
{
	struct memblock mb;

	memblock_init(&mb, 0x10000000);
	ASSERT_EQ(memblock_reserve(&mb, 0x2000, 0x1000), 0);
	ASSERT_EQ(memblock_reserve(&mb, 0x1000, 0x1000), 0);
	ASSERT_EQ(mb.reserved.cnt, 1);
	ASSERT_EQ(mb.reserved.regions[0].base, 0x1000);
	ASSERT_EQ(mb.reserved.regions[0].size, 0x2000);
	ASSERT_EQ(mb.reserved.total_size, 0x2000);
	ASSERT_EQ(memblock_reserve(&mb, 0x8000, 0x1000), 0);
	ASSERT_EQ(mb.reserved.cnt, 2);
	ASSERT_EQ(memblock_reserve(&mb, 0x2800, 0x6000), 0);   /* overlaps both */
	ASSERT_EQ(mb.reserved.cnt, 1);
	ASSERT_EQ(mb.reserved.regions[0].size, 0x8000);
	return 0;
}

/* Allocation is top-down below current_limit and skips reserved ranges. */
static int test_memblock_alloc_topdown(void)
{
	struct memblock mb;

	memblock_init(&mb, 0x100000);
	memblock_add(&mb, 0, 0x200000);
	memblock_reserve(&mb, 0xF0000, 0x10000);
	ASSERT_EQ(memblock_alloc(&mb, 0x1000, 0x1000), 0xEF000);
	ASSERT_EQ(memblock_alloc(&mb, 0x4000, 0x4000), 0xE8000);
	ASSERT_TRUE(memblock_is_reserved(&mb, 0xE8000));
	ASSERT_FALSE(memblock_is_reserved(&mb, 0xE7000));
	ASSERT_EQ(memblock_alloc(&mb, 0x200000, 0x1000), 0);    /* too big */
	return 0;
}

struct ranges {
	int n;
	phys_addr_t s[8], e[8];
};

static void collect(void *arg, phys_addr_t s, phys_addr_t e)
{
	struct ranges *r = arg;
	r->s[r->n] = s;
	r->e[r->n++] = e;
}

static int test_memblock_free_ranges(void)
{
	struct memblock mb;
	struct ranges r = {0};

	memblock_init(&mb, 0x100000);
	memblock_add(&mb, 0, 0x100000);
	memblock_reserve(&mb, 0, 0x1000);
	memblock_reserve(&mb, 0x5000, 0x2000);
	memblock_reserve(&mb, 0xFF000, 0x1000);
	memblock_for_each_free(&mb, collect, &r);
	ASSERT_EQ(r.n, 2);
	ASSERT_EQ(r.s[0], 0x1000);
	ASSERT_EQ(r.e[0], 0x5000);
	ASSERT_EQ(r.s[1], 0x7000);
	ASSERT_EQ(r.e[1], 0xFF000);
	return 0;
}

static const struct test_case tests[] = {
	TEST(test_memblock_reserve_merges),
	TEST(test_memblock_alloc_topdown),
	TEST(test_memblock_free_ranges),
};
TEST_MAIN(tests)
