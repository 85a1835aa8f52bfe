/* test_slab.c — the SLUB allocator and kmalloc against the rules of Linux
 * 6.6 (kernel-rules.md section 4 and mm/slub.c, mm/slab_common.c):
 * size classes, orders, free-pointer offsets, alignment, growth and shrink
 * with exact page counts, the CPU/partial slab transitions, ctor, bulk,
 * krealloc, merging, failslab, slabinfo and reset.  Expected values are
 * the kernel's (tables or derivations written out in the comments). */
#include "kmm/slab.h"
#include "kmm_test.h"
#include "test.h"

/* ---- helpers ---- */

static struct kmm *boot_cfg(unsigned int cpus, bool hardened, bool nomerge,
			    uint32_t slub_debug)
{
	struct kmm_config c;
	char err[256];

	kmm_config_preset(&c, "tiny");
	c.nr_cpus = cpus;
	c.slab_freelist_hardened = hardened;
	c.slab_nomerge = nomerge;
	c.slub_debug = slub_debug;
	struct kmm *k = kmm_create(&c, err, sizeof(err));
	if (!k)
		fprintf(stderr, "boot: %s\n", err);
	return k;
}

static struct kmm *boot2(void)
{
	return boot_cfg(2, false, false, 0);
}

/* Unchecked (kasan_disable_current()): tests look at free objects and
 * corrupt red zones on purpose. */
static void wr8(struct kmm *k, vaddr_t va, uint8_t v)
{
	kmm_frame_poke(k, (unsigned long)(__pa(k, va) >> PAGE_SHIFT),
		       va & (PAGE_SIZE - 1), &v, 1);
}

static uint8_t rd8(struct kmm *k, vaddr_t va)
{
	uint8_t v;

	kmm_frame_peek(k, (unsigned long)(__pa(k, va) >> PAGE_SHIFT),
		       va & (PAGE_SIZE - 1), &v, 1);
	return v;
}

static uint32_t rd32(struct kmm *k, vaddr_t va)
{
	return (uint32_t)rd8(k, va) | (uint32_t)rd8(k, va + 1) << 8 |
	       (uint32_t)rd8(k, va + 2) << 16 | (uint32_t)rd8(k, va + 3) << 24;
}

static void fill(struct kmm *k, vaddr_t va, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		wr8(k, va + (vaddr_t)i, (uint8_t)(seed + i * 7));
}

static int same(struct kmm *k, vaddr_t va, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		if (rd8(k, va + (vaddr_t)i) != (uint8_t)(seed + i * 7))
			return 0;
	return 1;
}

/* Pages the buddy allocator holds: free lists plus per-CPU lists. */
static long buddy_pages(struct kmm *k)
{
	long n = 0;

	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zn = kmm_zone(k, (enum zone_type)z);
		n += zn->nr_free_pages;
		for (int c = 0; c < KMM_NR_CPUS; c++)
			n += zn->pcp[c].count;
	}
	return n;
}

static unsigned int page_order_of(size_t size)
{
	unsigned int o = 0;

	while (((size_t)PAGE_SIZE << o) < size)
		o++;
	return o;
}

/* ---- kmalloc size classes ---- */

/* kernel-rules.md section 4: the kmalloc_index() table, and the cache
 * names of kmalloc_info[] (6.6: "1k".."8k"). */
static const struct {
	size_t lo, hi;
	int index;
	unsigned int size;
	const char *name;
} kclass[] = {
	{1, 8, 3, 8, "kmalloc-8"},         {9, 16, 4, 16, "kmalloc-16"},
	{17, 32, 5, 32, "kmalloc-32"},     {33, 64, 6, 64, "kmalloc-64"},
	{65, 96, 1, 96, "kmalloc-96"},     {97, 128, 7, 128, "kmalloc-128"},
	{129, 192, 2, 192, "kmalloc-192"}, {193, 256, 8, 256, "kmalloc-256"},
	{257, 512, 9, 512, "kmalloc-512"}, {513, 1024, 10, 1024, "kmalloc-1k"},
	{1025, 2048, 11, 2048, "kmalloc-2k"},
	{2049, 4096, 12, 4096, "kmalloc-4k"},
	{4097, 8192, 13, 8192, "kmalloc-8k"},
};

static int test_kmalloc_size_classes(void)
{
	struct kmm *k = boot2();
	ASSERT_TRUE(k);
	long pages0 = buddy_pages(k);

	for (size_t i = 0; i < sizeof(kclass) / sizeof(kclass[0]); i++)
		for (size_t size = kclass[i].lo; size <= kclass[i].hi; size++) {
			ASSERT_EQ(kmalloc_index(size), kclass[i].index);
			ASSERT_EQ(kmalloc_size_roundup(size), kclass[i].size);
			vaddr_t p = kmalloc(k, size, GFP_KERNEL);
			ASSERT_NE(p, 0);
			struct kmem_cache *s = virt_to_cache(k, p);
			ASSERT_TRUE(s);
			ASSERT_EQ(strcmp(s->name, kclass[i].name), 0);
			ASSERT_EQ(s->object_size, kclass[i].size);
			ASSERT_EQ(s, kmalloc_slab(k, size, GFP_KERNEL));
			ASSERT_EQ(ksize(k, p), kclass[i].size);
			kfree(k, p);
		}
	/* above 8 KiB: whole pages from the page allocator (compound) */
	static const size_t big[] = {8193, 12288, 16384, 16385, 65536, 100000,
				     1u << 20, (1u << 22) - 1, 1u << 22};
	for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
		size_t expect = (size_t)PAGE_SIZE << page_order_of(big[i]);
		ASSERT_EQ(kmalloc_size_roundup(big[i]), expect);
		ASSERT_EQ(kmalloc_slab(k, big[i], GFP_KERNEL), NULL);
		long before = buddy_pages(k);
		vaddr_t p = kmalloc(k, big[i], GFP_KERNEL);
		ASSERT_NE(p, 0);
		ASSERT_EQ(p & (PAGE_SIZE - 1), 0);
		ASSERT_EQ(virt_to_cache(k, p), NULL);
		ASSERT_EQ(ksize(k, p), expect);
		ASSERT_EQ(before - buddy_pages(k), (long)(expect / PAGE_SIZE));
		kfree(k, p);
		ASSERT_EQ(buddy_pages(k), before);
	}
	/* __kmalloc_index beyond the caches: 14 (16k) .. 25 (32M) */
	ASSERT_EQ(kmalloc_index(8193), 14);
	ASSERT_EQ(kmalloc_index(1u << 25), 25);
	ASSERT_EQ(kmalloc_index((1u << 25) + 1), -1);
	ASSERT_EQ(kmalloc_index(0), 0);
	/* 0 bytes: ZERO_SIZE_PTR; past KMALLOC_MAX_SIZE (4 MiB): NULL */
	ASSERT_EQ(kmalloc(k, 0, GFP_KERNEL), ZERO_SIZE_PTR);
	ASSERT_EQ(ksize(k, ZERO_SIZE_PTR), 0);
	kfree(k, ZERO_SIZE_PTR);
	kfree(k, 0);
	ASSERT_EQ(kmalloc_size_roundup(0), 0);
	ASSERT_EQ(kmalloc_size_roundup((1u << 22) + 1), (1u << 22) + 1);
	ASSERT_EQ(kmalloc(k, (1u << 22) + 1, GFP_KERNEL), 0);
	kmem_cache_shrink(k, kmalloc_cache(k, KMALLOC_NORMAL, 3));
	kmm_check(k);
	(void)pages0;
	kmm_destroy(k);
	return 0;
}

/* kmalloc_type(): __GFP_DMA -> dma-kmalloc-N from ZONE_DMA,
 * __GFP_RECLAIMABLE -> kmalloc-rcl-N. */
static int test_kmalloc_types(void)
{
	struct kmm *k = boot2();
	ASSERT_TRUE(k);

	vaddr_t d = kmalloc(k, 40, GFP_KERNEL | __GFP_DMA);
	vaddr_t r = kmalloc(k, 40, GFP_KERNEL | __GFP_RECLAIMABLE);
	vaddr_t n = kmalloc(k, 40, GFP_KERNEL);
	ASSERT_TRUE(d && r && n);
	ASSERT_EQ(strcmp(virt_to_cache(k, d)->name, "dma-kmalloc-64"), 0);
	ASSERT_EQ(strcmp(virt_to_cache(k, r)->name, "kmalloc-rcl-64"), 0);
	ASSERT_EQ(strcmp(virt_to_cache(k, n)->name, "kmalloc-64"), 0);
	ASSERT_LT(__pa(k, d) >> PAGE_SHIFT, 4096);      /* ZONE_DMA */
	ASSERT_EQ(page_zonenum(virt_to_page(k, n)), ZONE_NORMAL);
	ASSERT_TRUE(virt_to_cache(k, r)->flags & SLAB_RECLAIM_ACCOUNT);
	ASSERT_EQ(get_pageblock_migratetype(k, virt_to_page(k, n)) !=
			  MIGRATE_RECLAIMABLE, 1);
	kfree(k, d);
	kfree(k, r);
	kfree(k, n);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}

/* ---- orders, objects per slab, free pointer offsets ---- */

/* kernel-rules.md section 4, 2 CPUs: order, objs/slab, s->offset (5.7+). */
static const unsigned int rules_size[] = {8, 16, 32, 64, 96, 128, 192,
					  256, 512, 1024, 2048, 4096, 8192};
static const unsigned int rules_order2[] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 3, 3};
static const unsigned int rules_objs2[] = {512, 256, 128, 64, 42, 32, 21,
					   16, 16, 16, 16, 8, 4};
static const unsigned int rules_offset[] = {4, 8, 16, 32, 48, 64, 96,
					    128, 256, 512, 1024, 2048, 4096};

static int check_kmalloc_orders(struct kmm *k, const unsigned int *order,
				const unsigned int *objs)
{
	for (int i = 0; i < 13; i++) {
		struct kmem_cache *s = kmalloc_slab(k, rules_size[i], GFP_KERNEL);
		ASSERT_TRUE(s);
		ASSERT_EQ(s->size, rules_size[i]);
		ASSERT_EQ(s->oo_order, order[i]);
		ASSERT_EQ(s->oo_objects, objs[i]);
		ASSERT_EQ(s->offset, rules_offset[i]);
		/* one slab really has that many objects and pages */
		vaddr_t p = kmalloc(k, rules_size[i], GFP_KERNEL);
		struct slabinfo si;
		get_slabinfo(k, s, &si);
		ASSERT_EQ(si.num_slabs, 1);
		ASSERT_EQ(si.num_objs, objs[i]);
		ASSERT_EQ(si.objects_per_slab, objs[i]);
		ASSERT_EQ(si.cache_order, order[i]);
		struct page *pg = virt_to_page(k, p);
		ASSERT_EQ(order[i] ? (int)compound_head(pg)->compound_order : 0,
			  (int)order[i]);
		kfree(k, p);
		kmem_cache_shrink(k, s);
		get_slabinfo(k, s, &si);
		ASSERT_EQ(si.num_slabs, 0);
	}
	kmm_check(k);
	return 0;
}

static int test_orders_2cpu(void)
{
	struct kmm *k = boot2();
	ASSERT_TRUE(k);
	ASSERT_EQ(check_kmalloc_orders(k, rules_order2, rules_objs2), 0);
	/* min_partial = clamp(ilog2(size) / 2, 5, 10); cpu_partial_slabs =
	 * DIV_ROUND_UP(2 * nr_objects, objs) with nr_objects 120 (< 256),
	 * 52 (< 1024), 24 (< 4096), 6 */
	ASSERT_EQ(kmalloc_slab(k, 8, 0)->min_partial, 5);
	ASSERT_EQ(kmalloc_slab(k, 4096, 0)->min_partial, 6);
	ASSERT_EQ(kmalloc_slab(k, 8192, 0)->min_partial, 6);
	ASSERT_EQ(kmalloc_slab(k, 8, 0)->cpu_partial_slabs, 1);      /* 240/512 */
	ASSERT_EQ(kmalloc_slab(k, 64, 0)->cpu_partial_slabs, 4);     /* 240/64 */
	ASSERT_EQ(kmalloc_slab(k, 256, 0)->cpu_partial_slabs, 7);    /* 104/16 */
	ASSERT_EQ(kmalloc_slab(k, 1024, 0)->cpu_partial_slabs, 3);   /* 48/16 */
	ASSERT_EQ(kmalloc_slab(k, 4096, 0)->cpu_partial_slabs, 2);   /* 12/8 */
	kmm_destroy(k);
	return 0;
}

/* 1 CPU: min_objects 8 (kernel-rules: 512->0, 1024->1, 2048->2).
 * 8 CPUs: min_objects 4*(fls(8)+1) = 20: 256 -> order 1 (32 objs),
 * 512 -> 2 (32), 1024 -> 3 (32); 2048 and up are capped by max_objects. */
static int test_orders_1_and_8_cpus(void)
{
	static const unsigned int o1[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 3};
	static const unsigned int n1[] = {512, 256, 128, 64, 42, 32, 21,
					  16, 8, 8, 8, 8, 4};
	static const unsigned int o8[] = {0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 3, 3, 3};
	static const unsigned int n8[] = {512, 256, 128, 64, 42, 32, 21,
					  32, 32, 32, 16, 8, 4};
	struct kmm *k = boot_cfg(1, false, false, 0);
	ASSERT_TRUE(k);
	ASSERT_EQ(check_kmalloc_orders(k, o1, n1), 0);
	kmm_destroy(k);
	k = boot_cfg(8, false, false, 0);
	ASSERT_TRUE(k);
	ASSERT_EQ(check_kmalloc_orders(k, o8, n8), 0);
	kmm_destroy(k);
	return 0;
}

static int ctor_calls;

static void ctor_pattern(struct kmm *k, vaddr_t obj)
{
	ctor_calls++;
	for (int i = 0; i < 8; i++)
		wr8(k, obj + (vaddr_t)i, 0x77);
}

/* calculate_sizes(): the free pointer is at ALIGN_DOWN(object_size/2, 4)
 * inside the object, or at inuse (after it) with a ctor, SLAB_POISON,
 * SLAB_TYPESAFE_BY_RCU, or a red zone on an object smaller than a word. */
static int test_free_pointer_offsets(void)
{
	struct kmm *k = boot2();
	ASSERT_TRUE(k);
	struct {
		unsigned int size;
		slab_flags_t flags;
		bool ctor;
		unsigned int offset, inuse, slot;
	} c[] = {
		{10, 0, false, 4, 12, 16},      /* ALIGN_DOWN(5, 4); size 12 -> 16 */
		{22, 0, false, 8, 24, 24},
		{100, 0, true, 100, 100, 104},  /* ctor: after the object */
		{100, SLAB_TYPESAFE_BY_RCU, false, 100, 100, 104},
		{100, SLAB_POISON | SLAB_NO_USER_FLAGS, false, 100, 100, 104},
		/* red zone on a 2-byte object: inuse 4, offset 4, size 8, then
		 * +4 padding +8 left pad (align 8) = 20 -> 24 */
		{2, SLAB_RED_ZONE | SLAB_NO_USER_FLAGS, false, 4, 4, 24},
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char name[16];
		snprintf(name, sizeof(name), "fp%zu", i);
		struct kmem_cache *s = kmem_cache_create(
			k, name, c[i].size, 0, c[i].flags | SLAB_NO_MERGE,
			c[i].ctor ? ctor_pattern : NULL);
		ASSERT_TRUE(s);
		ASSERT_EQ(s->offset, c[i].offset);
		ASSERT_EQ(s->inuse, c[i].inuse);
		ASSERT_EQ(s->size, c[i].slot);
		/* the word at the offset of a free object is the next free one */
		vaddr_t a = kmem_cache_alloc(k, s, GFP_KERNEL);
		vaddr_t b = kmem_cache_alloc(k, s, GFP_KERNEL);
		kmem_cache_free(k, s, a);
		kmem_cache_free(k, s, b);       /* b -> a on the CPU freelist */
		ASSERT_EQ(rd32(k, b + s->offset), a);
		ASSERT_EQ(kmem_cache_alloc(k, s, GFP_KERNEL), b);
		ASSERT_EQ(kmem_cache_alloc(k, s, GFP_KERNEL), a);
		kmem_cache_free(k, s, a);
		kmem_cache_free(k, s, b);
		kmem_cache_destroy(k, s);
	}
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}

/* CONFIG_SLAB_FREELIST_HARDENED stores ptr ^ s->random ^ swab(address). */
static int test_hardened_freelist(void)
{
	struct kmm *k = boot_cfg(2, true, false, 0);
	ASSERT_TRUE(k);
	struct kmem_cache *s = kmem_cache_create(k, "hard", 64, 0, SLAB_NO_MERGE,
						 NULL);
	ASSERT_TRUE(s);
	ASSERT_NE(s->random, 0);
	vaddr_t a = kmem_cache_alloc(k, s, GFP_KERNEL);
	vaddr_t b = kmem_cache_alloc(k, s, GFP_KERNEL);
	kmem_cache_free(k, s, a);
	kmem_cache_free(k, s, b);
	vaddr_t addr = b + s->offset;
	uint32_t raw = rd32(k, addr);
	ASSERT_EQ(raw, a ^ s->random ^ __builtin_bswap32(addr));
	ASSERT_NE(raw, a);
	ASSERT_EQ(kmem_cache_alloc(k, s, GFP_KERNEL), b);
	ASSERT_EQ(kmem_cache_alloc(k, s, GFP_KERNEL), a);
	/* the secret is deterministic: a second machine agrees */
	struct kmm *k2 = boot_cfg(2, true, false, 0);
	struct kmem_cache *s2 = kmem_cache_create(k2, "hard", 64, 0,
						  SLAB_NO_MERGE, NULL);
	ASSERT_EQ(s2->random, s->random);
	kmem_cache_free(k, s, a);
	kmem_cache_free(k, s, b);
	kmm_check(k);
	kmm_destroy(k2);
	kmm_destroy(k);
	return 0;
}

/* ---- alignment ---- */

/* calculate_alignment(): HWCACHE_ALIGN takes the cache line (64), halved
 * while the object fits in half; then at least ARCH_SLAB_MINALIGN (8). */
static unsigned int expect_align(slab_flags_t flags, unsigned int align,
				 unsigned int size)
{
	if (flags & SLAB_HWCACHE_ALIGN) {
		unsigned int ralign = 64;
		while (size <= ralign / 2)
			ralign /= 2;
		if (ralign > align)
			align = ralign;
	}
	return align < 8 ? 8 : align;
}

static int test_object_alignment(void)
{
	static const unsigned int sizes[] = {1, 3, 20, 33, 100, 300, 1000, 3000};
	struct kmm *k = boot2();
	ASSERT_TRUE(k);

	for (unsigned int align = 0; align <= 4096; align = align ? align * 2 : 1)
		for (int hw = 0; hw < 2; hw++)
			for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
				slab_flags_t f = hw ? SLAB_HWCACHE_ALIGN : 0;
				unsigned int a = expect_align(f, align, sizes[i]);
				for (int merge = 0; merge < 2; merge++) {
					struct kmem_cache *s = kmem_cache_create(
						k, "al", sizes[i], align,
						f | (merge ? 0 : SLAB_NO_MERGE), NULL);
					ASSERT_TRUE(s);
					if (!merge)
						ASSERT_EQ(s->align, a);
					ASSERT_EQ(s->size % a, 0);
					vaddr_t p[5];
					for (int j = 0; j < 5; j++) {
						p[j] = kmem_cache_alloc(k, s, GFP_KERNEL);
						ASSERT_EQ(p[j] % a, 0);
					}
					for (int j = 0; j < 5; j++)
						kmem_cache_free(k, s, p[j]);
					kmem_cache_destroy(k, s);
				}
			}
	/* kmalloc caches: power-of-two classes are aligned to their size */
	for (unsigned int sz = 8; sz <= 8192; sz *= 2) {
		vaddr_t p = kmalloc(k, sz, GFP_KERNEL);
		ASSERT_EQ(p % sz, 0);
		kfree(k, p);
	}
	ASSERT_EQ(slab_nr_caches(k), 39);       /* only the kmalloc caches */
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}

/* ---- growth, transitions, shrink ---- */

static int test_growth_exact_pages(void)
{
	struct kmm *k = boot2();
	ASSERT_TRUE(k);
	/* 256 bytes: order 0, 16 objects per slab */
	struct kmem_cache *s = kmem_cache_create(k, "g256", 256, 0, SLAB_NO_MERGE,
						 NULL);
	long base = buddy_pages(k);
	vaddr_t p[200];
	for (int i = 0; i < 80; i++)
		p[i] = kmem_cache_alloc(k, s, GFP_KERNEL);
	struct slabinfo si;
	get_slabinfo(k, s, &si);
	ASSERT_EQ(si.num_slabs, 5);
	ASSERT_EQ(si.num_objs, 80);
	ASSERT_EQ(si.active_objs, 80);
	ASSERT_EQ(base - buddy_pages(k), 5);
	p[80] = kmem_cache_alloc(k, s, GFP_KERNEL);
	get_slabinfo(k, s, &si);
	ASSERT_EQ(si.num_slabs, 6);
	ASSERT_EQ(base - buddy_pages(k), 6);
	/* 512 bytes: order 1 (2 pages), 16 objects per slab */
	struct kmem_cache *t = kmem_cache_create(k, "g512", 512, 0, SLAB_NO_MERGE,
						 NULL);
	vaddr_t q[33];
	for (int i = 0; i < 33; i++)
		q[i] = kmem_cache_alloc(k, t, GFP_KERNEL);
	get_slabinfo(k, t, &si);
	ASSERT_EQ(si.num_slabs, 3);
	ASSERT_EQ(si.num_objs, 48);
	ASSERT_EQ(base - buddy_pages(k), 6 + 6);
	kmm_check(k);
	for (int i = 0; i < 81; i++)
		kmem_cache_free(k, s, p[i]);
	for (int i = 0; i < 33; i++)
		kmem_cache_free(k, t, q[i]);
	ASSERT_EQ(kmem_cache_shrink(k, s), 0);
	ASSERT_EQ(kmem_cache_shrink(k, t), 0);
	ASSERT_EQ(buddy_pages(k), base);
	kmem_cache_destroy(k, s);
	kmem_cache_destroy(k, t);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}

/* 10 full slabs of 16 (256 bytes, min_partial 5, cpu_partial_slabs 7),
 * freed in allocation order on the same CPU.  SLUB: slabs 1..9 are full
 * on no list, slab 10 is the CPU slab.  The first free into each of slabs
 * 1..7 freezes it onto the CPU partial list; at slab 8 the list holds 7 =
 * cpu_partial_slabs and is drained (most recent first: 7,6,5,4,3 go to
 * the node partial list, 2 and 1 are freed: nr_partial reached
 * min_partial); slabs 8 and 9 go to the CPU partial list; slab 10's
 * objects go to the lockless freelist.  8 slabs remain; slabinfo counts
 * only the node-partial free objects (5 * 16) as free. */
static int test_partial_transitions(void)
{
	struct kmm *k = boot2();
	ASSERT_TRUE(k);
	struct kmem_cache *s = kmem_cache_create(k, "t256", 256, 0, SLAB_NO_MERGE,
						 NULL);
	long base = buddy_pages(k);
	vaddr_t p[160];

	for (int i = 0; i < 160; i++)
		p[i] = kmem_cache_alloc(k, s, GFP_KERNEL);
	ASSERT_EQ(s->node.nr_slabs, 10);
	ASSERT_EQ(slab_stat(s, ALLOC_SLAB), 10);
	ASSERT_EQ(slab_stat(s, DEACTIVATE_BYPASS), 9);
	ASSERT_EQ(slab_stat(s, ALLOC_FASTPATH), 150);
	for (int i = 0; i < 160; i++)
		kmem_cache_free(k, s, p[i]);
	ASSERT_EQ(s->node.nr_slabs, 8);
	ASSERT_EQ(s->node.nr_partial, 5);
	ASSERT_EQ(s->cpu_slab[0].partial_slabs, 2);
	ASSERT_TRUE(s->cpu_slab[0].slab != NULL);
	ASSERT_EQ(slab_stat(s, CPU_PARTIAL_FREE), 9);
	ASSERT_EQ(slab_stat(s, CPU_PARTIAL_DRAIN), 1);
	ASSERT_EQ(slab_stat(s, FREE_FROZEN), 9 * 15);
	ASSERT_EQ(slab_stat(s, FREE_FASTPATH), 16);
	ASSERT_EQ(slab_stat(s, FREE_SLAB), 2);
	ASSERT_EQ(base - buddy_pages(k), 8);
	/* node partial order: 7, 6, 5, 4, 3 (added at the tail) */
	struct list_head *l = s->node.partial.next;
	for (int slabno = 7; slabno >= 3; slabno--, l = l->next)
		ASSERT_EQ(page_address(k, kmm_container_of(l, struct page, lru)),
			  p[(slabno - 1) * 16] & PAGE_MASK);
	struct slabinfo si;
	get_slabinfo(k, s, &si);
	ASSERT_EQ(si.num_objs, 128);
	ASSERT_EQ(si.active_objs, 128 - 80);
	kmm_check(k);
	/* shrink: flush (CPU slab, then the 2 CPU partial slabs: all empty
	 * with 5 node partial slabs -> freed), then the 5 empty partials */
	ASSERT_EQ(kmem_cache_shrink(k, s), 0);
	ASSERT_EQ(s->node.nr_slabs, 0);
	ASSERT_EQ(slab_stat(s, CPUSLAB_FLUSH), 1);
	ASSERT_EQ(slab_stat(s, DEACTIVATE_EMPTY), 2 + 3);   /* drain + flush */
	ASSERT_EQ(buddy_pages(k), base);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}

/* A free from another CPU into a frozen CPU slab goes to the slab's own
 * freelist (FREE_FROZEN); the owner refills from it when its lockless
 * list runs dry (ALLOC_REFILL).  Each CPU gets its own slab. */
static int test_remote_free(void)
{
	struct kmm *k = boot2();
	ASSERT_TRUE(k);
	struct kmem_cache *s = kmem_cache_create(k, "r64", 64, 0, SLAB_NO_MERGE,
						 NULL);
	vaddr_t p[64];
	for (int i = 0; i < 64; i++)    /* exactly one slab, CPU 0 */
		p[i] = kmem_cache_alloc(k, s, GFP_KERNEL);
	ASSERT_EQ(s->cpu_slab[0].freelist, 0);
	kmm_set_cpu(k, 1);
	kmem_cache_free(k, s, p[5]);
	ASSERT_EQ(slab_stat(s, FREE_FROZEN), 1);
	ASSERT_EQ(slab_stat(s, FREE_SLOWPATH), 1);
	vaddr_t q = kmem_cache_alloc(k, s, GFP_KERNEL);         /* CPU 1 */
	ASSERT_NE(q & PAGE_MASK, p[0] & PAGE_MASK);
	ASSERT_EQ(s->node.nr_slabs, 2);
	kmm_set_cpu(k, 0);
	ASSERT_EQ(kmem_cache_alloc(k, s, GFP_KERNEL), p[5]);
	ASSERT_EQ(slab_stat(s, ALLOC_REFILL), 1);
	kmm_check(k);
	kmem_cache_free(k, s, q);
	for (int i = 0; i < 64; i++)
		kmem_cache_free(k, s, p[i]);
	kmem_cache_destroy(k, s);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}

/* Higher-order slab allocation fails -> s->min order (ORDER_FALLBACK):
 * kmalloc-1k is order 2 (16 objects), min order get_order(1024) = 0 with
 * 4 objects. */
static int test_order_fallback(void)
{
	struct kmm *k = boot2();
	ASSERT_TRUE(k);
	struct kmm_fault_attr *f = kmm_fail_page_alloc(k);
	f->interval = 1;
	f->times = -1;
	f->min_order = 1;
	struct kmem_cache *s = kmalloc_slab(k, 1024, GFP_KERNEL);
	vaddr_t p = kmalloc(k, 1000, GFP_KERNEL);
	ASSERT_NE(p, 0);
	ASSERT_EQ(slab_stat(s, ORDER_FALLBACK), 1);
	ASSERT_EQ(s->node.nr_slabs, 1);
	ASSERT_EQ(s->node.total_objects, 4);
	ASSERT_FALSE(PageHead(virt_to_page(k, p)));
	kmm_check(k);
	memset(f, 0, sizeof(*f));
	kfree(k, p);
	kmm_destroy(k);
	return 0;
}

/* Every slab page goes back: many caches and kmalloc sizes, all freed,
 * shrunk, per-CPU lists drained: the buddy free lists equal boot's. */
static int test_all_pages_return(void)
{
	struct kmm *k = boot2();
	ASSERT_TRUE(k);
	struct buddy_state b0, b1;
	drain_all_pages(k);
	buddy_state_get(k, &b0);
	uint64_t seed = 7;
	static vaddr_t objs[6000];
	struct kmem_cache *c[3] = {
		kmem_cache_create(k, "ra", 40, 0, 0, NULL),
		kmem_cache_create(k, "rb", 700, 0, SLAB_HWCACHE_ALIGN, NULL),
		kmem_cache_create(k, "rc", 3000, 0, 0, NULL),
	};
	int n = 0;
	for (; n < 6000; n++) {
		kmm_set_cpu(k, (unsigned int)(test_rand(&seed) & 1));
		uint64_t r = test_rand(&seed);
		if (r % 4 == 3)
			objs[n] = kmem_cache_alloc(k, c[r % 3], GFP_KERNEL);
		else
			objs[n] = kmalloc(k, 1 + (r >> 8) % 9000, GFP_KERNEL);
		ASSERT_NE(objs[n], 0);
		if (n % 1000 == 0)
			kmm_check(k);
	}
	for (int i = n - 1; i >= 0; i--) {     /* shuffle the free order */
		int j = (int)(test_rand(&seed) % (uint64_t)(i + 1));
		vaddr_t t = objs[i];
		objs[i] = objs[j];
		objs[j] = t;
	}
	for (int i = 0; i < n; i++) {
		kmm_set_cpu(k, (unsigned int)(test_rand(&seed) & 1));
		kfree(k, objs[i]);
	}
	kmm_check(k);
	for (unsigned int i = 0; i < slab_nr_caches(k); i++) {
		struct kmem_cache *s = slab_cache_at(k, i);
		ASSERT_EQ(kmem_cache_shrink(k, s), 0);
		ASSERT_EQ(s->node.nr_slabs, 0);
	}
	for (int i = 0; i < 3; i++)
		kmem_cache_destroy(k, c[i]);
	drain_all_pages(k);
	buddy_state_get(k, &b1);
	ASSERT_EQ(buddy_state_cmp(&b0, &b1, false), 0);
	buddy_state_free(&b0);
	buddy_state_free(&b1);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}

/* ---- ctor, bulk, krealloc, kmalloc_array ---- */

/* SLUB runs the ctor for every object when a slab is made (setup_object),
 * never on kmem_cache_alloc.  100 bytes with a ctor: free pointer after
 * the object, slot 104, 39 per order-0 slab (4096 % 104 = 40 <= 256). */
static int test_ctor_once_per_object(void)
{
	struct kmm *k = boot2();
	ASSERT_TRUE(k);
	ctor_calls = 0;
	struct kmem_cache *s = kmem_cache_create(k, "ctor", 100, 0, 0, ctor_pattern);
	struct kmem_cache *s2 = kmem_cache_create(k, "ctor2", 100, 0, 0,
						  ctor_pattern);
	ASSERT_TRUE(s && s2 && s != s2);        /* a ctor forbids merging */
	ASSERT_EQ(s->oo_objects, 39);
	ASSERT_EQ(ctor_calls, 0);
	vaddr_t a = kmem_cache_alloc(k, s, GFP_KERNEL);
	ASSERT_EQ(ctor_calls, 39);
	ASSERT_EQ(rd8(k, a), 0x77);
	ASSERT_EQ(rd8(k, a + 7), 0x77);
	wr8(k, a, 1);                          /* the user changes it */
	kmem_cache_free(k, s, a);
	ASSERT_EQ(kmem_cache_alloc(k, s, GFP_KERNEL), a);
	ASSERT_EQ(ctor_calls, 39);              /* not constructed again */
	ASSERT_EQ(rd8(k, a), 1);
	vaddr_t p[39];
	for (int i = 0; i < 39; i++)
		p[i] = kmem_cache_alloc(k, s, GFP_KERNEL);
	ASSERT_EQ(ctor_calls, 78);              /* one more slab */
	kmem_cache_free(k, s, a);
	for (int i = 0; i < 39; i++)
		kmem_cache_free(k, s, p[i]);
	kmem_cache_destroy(k, s);
	kmem_cache_destroy(k, s2);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}

static int test_bulk(void)
{
	struct kmm *k = boot2();
	ASSERT_TRUE(k);
	struct kmem_cache *s = kmem_cache_create(k, "bulk", 64, 0, SLAB_NO_MERGE,
						 NULL);
	vaddr_t p[100], q[100];
	ASSERT_EQ(kmem_cache_alloc_bulk(k, s, GFP_KERNEL, 100, p), 100);
	ASSERT_EQ(s->node.nr_slabs, 2);         /* 64 + 36 */
	for (int i = 0; i < 100; i++) {
		ASSERT_EQ(virt_to_cache(k, p[i]), s);
		for (int j = 0; j < i; j++)
			ASSERT_NE(p[i], p[j]);
	}
	kmm_check(k);
	memcpy(q, p, sizeof(p));
	kmem_cache_free_bulk(k, s, 100, q);
	kmm_check(k);
	ASSERT_EQ(s->node.total_objects, 128);
	/* everything is free again: a bulk alloc takes the same two slabs */
	vaddr_t r[100];
	ASSERT_EQ(kmem_cache_alloc_bulk(k, s, GFP_KERNEL, 100, r), 100);
	for (int i = 0; i < 100; i++) {
		ASSERT_TRUE((r[i] & PAGE_MASK) == (p[0] & PAGE_MASK) ||
			    (r[i] & PAGE_MASK) == (p[99] & PAGE_MASK));
		for (int j = 0; j < i; j++)
			ASSERT_NE(r[i], r[j]);
	}
	ASSERT_EQ(s->node.nr_slabs, 2);
	kmem_cache_free_bulk(k, s, 100, r);
	/* failslab: the bulk fails whole and takes nothing */
	kmm_failslab(k)->nth = kmm_failslab(k)->calls + 1;
	ASSERT_EQ(kmem_cache_alloc_bulk(k, s, GFP_KERNEL, 10, r), 0);
	/* kfree_bulk (s NULL): kmalloc objects and a large one */
	vaddr_t m[4] = {kmalloc(k, 10, GFP_KERNEL), kmalloc(k, 10000, GFP_KERNEL),
			kmalloc(k, 10, GFP_KERNEL), kmalloc(k, 300, GFP_KERNEL)};
	long before = buddy_pages(k);
	kmem_cache_free_bulk(k, NULL, 4, m);
	ASSERT_EQ(buddy_pages(k) - before, 4);  /* the 16 KiB kmalloc */
	ASSERT_EQ(kmem_cache_shrink(k, s), 0);
	kmem_cache_destroy(k, s);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}

static int test_krealloc_keeps_contents(void)
{
	struct kmm *k = boot2();
	ASSERT_TRUE(k);
	vaddr_t p = kmalloc(k, 20, GFP_KERNEL);
	fill(k, p, 20, 3);
	/* still fits ksize (32): the same object */
	ASSERT_EQ(krealloc(k, p, 24, GFP_KERNEL), p);
	ASSERT_TRUE(same(k, p, 20, 3));
	fill(k, p, 32, 3);
	vaddr_t q = krealloc(k, p, 100, GFP_KERNEL);
	ASSERT_NE(q, p);
	ASSERT_EQ(strcmp(virt_to_cache(k, q)->name, "kmalloc-128"), 0);
	ASSERT_TRUE(same(k, q, 32, 3));         /* ksize(p) bytes copied */
	ASSERT_EQ(kmalloc(k, 32, GFP_KERNEL), p);       /* p was freed */
	kfree(k, p);
	fill(k, q, 128, 9);
	vaddr_t r = krealloc(k, q, 10000, GFP_KERNEL);   /* to whole pages */
	ASSERT_EQ(virt_to_cache(k, r), NULL);
	ASSERT_TRUE(same(k, r, 128, 9));
	fill(k, r, 16384, 11);
	vaddr_t t = krealloc(k, r, 20000, GFP_KERNEL);
	ASSERT_EQ(ksize(k, t), 32768);
	ASSERT_TRUE(same(k, t, 16384, 11));
	ASSERT_EQ(krealloc(k, t, 0, GFP_KERNEL), ZERO_SIZE_PTR);
	vaddr_t u = krealloc(k, 0, 50, GFP_KERNEL);
	ASSERT_EQ(ksize(k, u), 64);
	kfree(k, u);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}

static int test_kmalloc_array_and_zeroing(void)
{
	struct kmm *k = boot2();
	ASSERT_TRUE(k);
	/* i386 size_t: 0x10000 * 0x10000 overflows 32 bits */
	ASSERT_EQ(kmalloc_array(k, 0x10000, 0x10000, GFP_KERNEL), 0);
	ASSERT_EQ(kcalloc(k, 0x40000000, 8, GFP_KERNEL), 0);
	ASSERT_EQ(kmalloc_array(k, (size_t)1 << 33, 1, GFP_KERNEL), 0);
	/* 2^31 does not overflow but is past KMALLOC_MAX_SIZE */
	ASSERT_EQ(kmalloc_array(k, 1u << 16, 1u << 15, GFP_KERNEL), 0);
	vaddr_t a = kmalloc_array(k, 3, 1000, GFP_KERNEL);
	ASSERT_EQ(ksize(k, a), 4096);
	kfree(k, a);
	vaddr_t b = kmalloc(k, 200, GFP_KERNEL);
	fill(k, b, 256, 1);
	kfree(k, b);
	vaddr_t c = kcalloc(k, 10, 20, GFP_KERNEL);
	ASSERT_EQ(c, b);                        /* the same object, zeroed */
	for (int i = 0; i < 256; i++)
		ASSERT_EQ(rd8(k, c + (vaddr_t)i), 0);
	fill(k, c, 256, 1);
	kfree(k, c);
	vaddr_t d = kzalloc(k, 129, GFP_KERNEL);
	for (int i = 0; i < 192; i++)
		ASSERT_EQ(rd8(k, d + (vaddr_t)i), 0);
	kfree(k, d);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}

/* ---- merging, failslab, slabinfo ---- */

/* find_mergeable(): same size after alignment (within a word), same
 * SLAB_MERGE_SAME flags, no ctor, no debug/RCU flags; kmalloc caches
 * are not merge targets (usersize).  The oldest match wins. */
static int test_merge(void)
{
	struct kmm *k = boot2();
	ASSERT_TRUE(k);
	unsigned int n0 = slab_nr_caches(k);
	struct kmem_cache *a = kmem_cache_create(k, "ma", 64, 0, 0, NULL);
	ASSERT_EQ(slab_nr_caches(k), n0 + 1);   /* not into kmalloc-64 */
	struct kmem_cache *b = kmem_cache_create(k, "mb", 62, 0, 0, NULL);
	ASSERT_EQ(b, a);
	ASSERT_EQ(a->refcount, 2);
	ASSERT_NE(kmem_cache_create(k, "mc", 56, 0, 0, NULL), a);  /* 8 apart */
	ASSERT_NE(kmem_cache_create(k, "md", 64, 0, SLAB_RECLAIM_ACCOUNT, NULL), a);
	ASSERT_NE(kmem_cache_create(k, "me", 64, 0, SLAB_POISON, NULL), a);
	ASSERT_NE(kmem_cache_create(k, "mf", 64, 0, SLAB_TYPESAFE_BY_RCU, NULL), a);
	ASSERT_NE(kmem_cache_create(k, "mg", 64, 0, SLAB_NO_MERGE, NULL), a);
	ASSERT_EQ(kmem_cache_create(k, "mh", 64, 64, 0, NULL), a);  /* 64 | 64 */
	ASSERT_NE(kmem_cache_create(k, "mi", 64, 128, 0, NULL), a);
	ASSERT_EQ(slab_nr_caches(k), n0 + 7);
	ASSERT_EQ(a->refcount, 3);
	kmem_cache_destroy(k, b);
	kmem_cache_destroy(k, a);
	ASSERT_TRUE(kmem_cache_find(k, "ma"));
	kmem_cache_destroy(k, a);
	ASSERT_FALSE(kmem_cache_find(k, "ma"));
	kmm_check(k);
	kmm_destroy(k);
	/* slab_nomerge switches it off */
	k = boot_cfg(2, false, true, 0);
	a = kmem_cache_create(k, "ma", 64, 0, 0, NULL);
	ASSERT_NE(kmem_cache_create(k, "mb", 64, 0, 0, NULL), a);
	kmm_destroy(k);
	return 0;
}

static int test_failslab(void)
{
	struct kmm *k = boot2();
	ASSERT_TRUE(k);
	struct kmm_fault_attr *f = kmm_failslab(k);
	f->nth = 3;
	vaddr_t a = kmalloc(k, 64, GFP_KERNEL), b = kmalloc(k, 64, GFP_KERNEL);
	ASSERT_TRUE(a && b);
	ASSERT_EQ(kmalloc(k, 64, GFP_KERNEL), 0);
	ASSERT_EQ(f->failed, 1);
	vaddr_t c = kmalloc(k, 64, GFP_KERNEL);
	ASSERT_NE(c, 0);
	/* every call fails, but __GFP_NOFAIL and (ignore_gfp_wait) waiting
	 * allocations, and large kmallocs do not go through failslab */
	f->nth = 0;
	f->interval = 1;
	f->times = -1;
	ASSERT_EQ(kmalloc(k, 64, GFP_ATOMIC), 0);
	vaddr_t d = kmalloc(k, 64, GFP_KERNEL | __GFP_NOFAIL);
	ASSERT_NE(d, 0);
	vaddr_t e = kmalloc(k, 9000, GFP_KERNEL);
	ASSERT_NE(e, 0);
	f->ignore_gfp_wait = true;
	vaddr_t g = kmalloc(k, 64, GFP_KERNEL);
	ASSERT_NE(g, 0);
	ASSERT_EQ(kmalloc(k, 64, GFP_ATOMIC), 0);
	/* cache_filter: only SLAB_FAILSLAB caches fail */
	failslab_set_cache_filter(k, true);
	struct kmem_cache *s = kmem_cache_create(k, "fs", 64, 0, SLAB_FAILSLAB,
						 NULL);
	ASSERT_EQ(kmem_cache_alloc(k, s, GFP_ATOMIC), 0);
	vaddr_t h = kmalloc(k, 64, GFP_ATOMIC);
	ASSERT_NE(h, 0);
	memset(f, 0, sizeof(*f));
	failslab_set_cache_filter(k, false);
	vaddr_t all[] = {a, b, c, d, e, g, h};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		kfree(k, all[i]);
	kmem_cache_destroy(k, s);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}

static int test_slabinfo(void)
{
	struct kmm *k = boot2();
	ASSERT_TRUE(k);
	struct kmem_cache *s = kmem_cache_create(k, "info", 200, 0, SLAB_NO_MERGE,
						 NULL);
	/* 200 -> slot 200: 20 per order-0 slab (4096 % 200 = 96 <= 256) */
	ASSERT_EQ(s->oo_objects, 20);
	vaddr_t p[50];
	for (int i = 0; i < 50; i++)
		p[i] = kmem_cache_alloc(k, s, GFP_KERNEL);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	slabinfo_show(k, f);
	fclose(f);
	ASSERT_STR_CONTAINS(buf, "slabinfo - version: 2.1\n");
	/* 3 slabs, 60 objects: the CPU slab counts as all active */
	ASSERT_STR_CONTAINS(buf, "info                  60     60    200   20    1 "
				 ": tunables    0    0    0 : slabdata      3      3"
				 "      0\n");
	ASSERT_STR_CONTAINS(buf, "kmalloc-8k             0      0   8192    4    8");
	/* newest first, kmalloc-8 (the first cache) last */
	ASSERT_TRUE(strstr(buf, "info") < strstr(buf, "kmalloc-8 "));
	free(buf);
	for (int i = 0; i < 50; i++)
		kmem_cache_free(k, s, p[i]);
	kmem_cache_destroy(k, s);
	kmm_destroy(k);
	return 0;
}

/* ---- reset ---- */

struct snap {
	unsigned int nr;
	unsigned long slabs[64], objs[64];
	long pages;
};

static void take(struct kmm *k, struct snap *sn)
{
	memset(sn, 0, sizeof(*sn));
	sn->nr = slab_nr_caches(k);
	for (unsigned int i = 0; i < sn->nr && i < 64; i++) {
		struct slabinfo si;
		get_slabinfo(k, slab_cache_at(k, i), &si);
		sn->slabs[i] = si.num_slabs;
		sn->objs[i] = si.active_objs;
	}
	sn->pages = buddy_pages(k);
}

static vaddr_t workload(struct kmm *k, vaddr_t *trace, int n)
{
	struct kmem_cache *s = kmem_cache_create(k, "w", 48, 0, 0, NULL);
	vaddr_t keep = 0;

	for (int i = 0; i < n; i++) {
		kmm_set_cpu(k, (unsigned int)i & 1);
		trace[i] = (i % 3) ? kmalloc(k, (size_t)(i * 37) % 5000 + 1, GFP_KERNEL)
				   : kmem_cache_alloc(k, s, GFP_KERNEL);
		if (i % 5 == 4)
			kfree(k, trace[i - 2]);
		keep = trace[i];
	}
	kmm_failslab(k)->interval = 7;
	validate_slab_cache(k, kmalloc_slab(k, 64, GFP_KERNEL));
	return keep;
}

static int test_reset_restores(void)
{
	struct kmm *k = boot2();
	ASSERT_TRUE(k);
	struct snap s0, s1;
	static vaddr_t t1[3000], t2[3000];
	take(k, &s0);
	workload(k, t1, 3000);
	kmm_check(k);
	kmm_reset(k);
	take(k, &s1);
	ASSERT_EQ(memcmp(&s0, &s1, sizeof(s0)), 0);
	ASSERT_EQ(kmm_failslab(k)->interval, 0);
	ASSERT_FALSE(kmem_cache_find(k, "w"));
	kmm_check(k);
	/* deterministic: the same run gives the same addresses */
	workload(k, t2, 3000);
	ASSERT_EQ(memcmp(t1, t2, sizeof(t1)), 0);
	kmm_reset(k);
	take(k, &s1);
	ASSERT_EQ(memcmp(&s0, &s1, sizeof(s0)), 0);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}

/* SLAB_TYPESAFE_BY_RCU: free pointer outside, SLAB_POISON does not poison
 * the object (no __OBJECT_POISON), not mergeable; slabs still return. */
static int test_typesafe_by_rcu(void)
{
	struct kmm *k = boot2();
	ASSERT_TRUE(k);
	struct kmem_cache *s = kmem_cache_create(
		k, "rcu", 40, 0, SLAB_TYPESAFE_BY_RCU | SLAB_POISON, NULL);
	ASSERT_EQ(s->offset, 40);
	vaddr_t p = kmem_cache_alloc(k, s, GFP_KERNEL);
	fill(k, p, 40, 5);
	kmem_cache_free(k, s, p);
	ASSERT_TRUE(same(k, p, 40, 5));         /* the object stays readable */
	ASSERT_EQ(ksize(k, kmem_cache_alloc(k, s, GFP_KERNEL)), 40);
	kmem_cache_free(k, s, p);
	ASSERT_EQ(kmem_cache_shrink(k, s), 0);
	kmem_cache_destroy(k, s);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}

/* ---- randomized: objects never overlap and keep their contents ---- */

struct live {
	vaddr_t p;
	size_t len;             /* bytes written (the request) */
	size_t span;            /* ksize */
	struct kmem_cache *s;   /* NULL: kmalloc */
	uint8_t seed;
};

static void ctor_zero8(struct kmm *k, vaddr_t obj)
{
	for (int i = 0; i < 8; i++)
		wr8(k, obj + (vaddr_t)i, 0);
}

static int check_new(struct kmm *k, struct live *l, int n, struct live *o)
{
	ASSERT_NE(o->p, 0);
	o->span = ksize(k, o->p);
	ASSERT_GE(o->span, o->len);
	for (int i = 0; i < n; i++)
		ASSERT_TRUE(o->p + o->span <= l[i].p || l[i].p + l[i].span <= o->p);
	fill(k, o->p, o->len, o->seed);
	return 0;
}

static int stress(struct kmm *k, uint64_t seed, int ops)
{
	static struct live l[1200];
	int n = 0;
	struct kmem_cache *c[3] = {
		kmem_cache_create(k, "st_ctor", 72, 0, 0, ctor_zero8),
		kmem_cache_create(k, "st_hw", 300, 0, SLAB_HWCACHE_ALIGN, NULL),
		kmem_cache_create(k, "st_rcu", 24, 0, SLAB_TYPESAFE_BY_RCU, NULL),
	};

	for (int op = 0; op < ops; op++) {
		uint64_t r = test_rand(&seed);
		kmm_set_cpu(k, (unsigned int)(r >> 60) % kmm_cfg(k)->nr_cpus);
		unsigned int what = (unsigned int)(r % 16);
		if (n < 1000 && what < 7) {
			struct live o = {.seed = (uint8_t)(r >> 24)};
			if (what < 4) {
				o.len = 1 + (r >> 8) % (what == 3 ? 20000 : 3000);
				o.p = kmalloc(k, o.len, GFP_KERNEL);
			} else {
				o.s = c[what - 4];
				o.len = o.s->object_size;
				o.p = kmem_cache_alloc(k, o.s, GFP_KERNEL);
			}
			ASSERT_EQ(check_new(k, l, n, &o), 0);
			l[n++] = o;
		} else if (n && what < 12) {
			int i = (int)((r >> 16) % (uint64_t)n);
			ASSERT_TRUE(same(k, l[i].p, l[i].len, l[i].seed));
			if (what == 11 && !l[i].s) {    /* krealloc */
				struct live o = l[i];
				o.len = 1 + (r >> 32) % 5000;
				o.p = krealloc(k, l[i].p, o.len, GFP_KERNEL);
				size_t keep = o.len < l[i].len ? o.len : l[i].len;
				ASSERT_TRUE(same(k, o.p, keep, o.seed));
				l[i] = l[--n];
				ASSERT_EQ(check_new(k, l, n, &o), 0);
				l[n++] = o;
				continue;
			}
			if (l[i].s)
				kmem_cache_free(k, l[i].s, l[i].p);
			else
				kfree(k, l[i].p);
			l[i] = l[--n];
		} else if (what == 12 && n < 1000 - 40) {      /* bulk alloc */
			vaddr_t b[40];
			struct kmem_cache *s = c[(r >> 8) % 3];
			int got = kmem_cache_alloc_bulk(k, s, GFP_KERNEL, 40, b);
			ASSERT_EQ(got, 40);
			for (int i = 0; i < got; i++) {
				struct live o = {.p = b[i], .s = s,
						 .len = s->object_size,
						 .seed = (uint8_t)(r + (uint64_t)i)};
				ASSERT_EQ(check_new(k, l, n, &o), 0);
				l[n++] = o;
			}
		} else if (what == 13 && n) {                  /* bulk free */
			struct kmem_cache *s = c[(r >> 8) % 3];
			vaddr_t b[64];
			int m = 0;
			for (int i = 0; i < n && m < 64;)
				if (l[i].s == s && (test_rand(&seed) & 1)) {
					b[m++] = l[i].p;
					l[i] = l[--n];
				} else {
					i++;
				}
			kmem_cache_free_bulk(k, s, (size_t)m, b);
		} else if (what == 14) {
			struct kmem_cache *s = slab_cache_at(k, (unsigned int)(r >> 8) %
								   slab_nr_caches(k));
			if ((r >> 40) & 1)
				kmem_cache_shrink(k, s);
			else
				ASSERT_EQ(validate_slab_cache(k, s), 0);
		}
		if (op % 500 == 0)
			kmm_check(k);
	}
	kmm_check(k);
	for (int i = 0; i < n; i++) {
		ASSERT_TRUE(same(k, l[i].p, l[i].len, l[i].seed));
		if (l[i].s)
			kmem_cache_free(k, l[i].s, l[i].p);
		else
			kfree(k, l[i].p);
	}
	for (unsigned int i = 0; i < slab_nr_caches(k); i++)
		ASSERT_EQ(kmem_cache_shrink(k, slab_cache_at(k, i)), 0);
	for (int i = 0; i < 3; i++)
		kmem_cache_destroy(k, c[i]);
	kmm_check(k);
	return 0;
}

static int test_stress(void)
{
	static const struct {
		unsigned int cpus;
		bool hardened;
		uint32_t dbg;
	} m[] = {
		{2, false, 0},
		{4, true, 0},
		{2, false, DEBUG_DEFAULT_FLAGS},
		{1, true, SLAB_RED_ZONE | SLAB_STORE_USER},
	};
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		struct kmm *k = boot_cfg(m[i].cpus, m[i].hardened, false, m[i].dbg);
		ASSERT_TRUE(k);
		long base = buddy_pages(k);
		ASSERT_EQ(stress(k, 11 + i, 12000), 0);
		ASSERT_EQ(buddy_pages(k), base);
		/* once more after a reset: the same machine again */
		kmm_reset(k);
		ASSERT_EQ(stress(k, 11 + i, 3000), 0);
		kmm_destroy(k);
	}
	return 0;
}

static const struct test_case tests[] = {
	TEST(test_kmalloc_size_classes),
	TEST(test_kmalloc_types),
	TEST(test_orders_2cpu),
	TEST(test_orders_1_and_8_cpus),
	TEST(test_free_pointer_offsets),
	TEST(test_hardened_freelist),
	TEST(test_object_alignment),
	TEST(test_growth_exact_pages),
	TEST(test_partial_transitions),
	TEST(test_remote_free),
	TEST(test_order_fallback),
	TEST(test_all_pages_return),
	TEST(test_ctor_once_per_object),
	TEST(test_bulk),
	TEST(test_krealloc_keeps_contents),
	TEST(test_kmalloc_array_and_zeroing),
	TEST(test_merge),
	TEST(test_failslab),
	TEST(test_slabinfo),
	TEST(test_reset_restores),
	TEST(test_typesafe_by_rcu),
	TEST(test_stress),
};

TEST_MAIN(tests)
