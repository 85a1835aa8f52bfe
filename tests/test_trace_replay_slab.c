/* test_trace_replay_slab.c — the slab part of the replay
 * (trace/replay_slab.c) on synthetic records of an x86_64 6.x kernel.
 *
 * Expected values come from the kernel's rules: the kmalloc classes for
 * KMALLOC_MIN_SIZE 8 and 4 KiB pages (8..192 with 96 and 192, powers of
 * two to 8 KiB, whole pages above), kmalloc_type() (__GFP_RECLAIMABLE ->
 * kmalloc-rcl-, __GFP_DMA -> dma-kmalloc-), and SLUB's slot size for an
 * object (aligned to 8, to a cache line with SLAB_HWCACHE_ALIGN, a free
 * pointer after the object with SLAB_TYPESAFE_BY_RCU: 4 bytes on i386).
 */
#include <stdint.h>

#include "kmm/slab.h"
#include "kmm_test.h"
#include "replay_internal.h"
#include "test.h"

#define GK 0xcc0ull               /* GFP_KERNEL in the trace's bits */
#define P(n) (0xffff888100000000ull + (uint64_t)(n) * 0x1000)

static struct kmmt_record alloc_rec(uint16_t type, uint64_t ptr, uint64_t req, uint64_t real,
				    uint64_t gfp, const char *name)
{
	struct kmmt_record r;

	memset(&r, 0, sizeof(r));
	r.type = type;
	r.alloc.ptr = ptr;
	r.alloc.bytes_req = req;
	r.alloc.bytes_alloc = real;
	r.alloc.gfp = gfp;
	r.alloc.node = -1;
	if (!ptr)
		r.flags = KMMT_RF_FAILED;
	if (name)
		snprintf(r.alloc.name, sizeof(r.alloc.name), "%s", name);
	return r;
}

static struct kmmt_record free_rec(uint16_t type, uint64_t ptr, const char *name)
{
	struct kmmt_record r;

	memset(&r, 0, sizeof(r));
	r.type = type;
	r.free.ptr = ptr;
	if (name)
		snprintf(r.free.name, sizeof(r.free.name), "%s", name);
	return r;
}

static void km(struct kmmt_replay *rp, uint64_t ptr, uint64_t req, uint64_t real, uint64_t gfp)
{
	struct kmmt_record r = alloc_rec(KMMT_KMALLOC, ptr, req, real, gfp, NULL);
	kmmt_replay_record(rp, &r);
}

static void kca(struct kmmt_replay *rp, const char *name, uint64_t ptr, uint64_t req,
		uint64_t real)
{
	struct kmmt_record r = alloc_rec(KMMT_CACHE_ALLOC, ptr, req, real, GK, name);
	kmmt_replay_record(rp, &r);
}

static void kf(struct kmmt_replay *rp, uint16_t type, uint64_t ptr, const char *name)
{
	struct kmmt_record r = free_rec(type, ptr, name);
	kmmt_replay_record(rp, &r);
}

/* the simulated cache of a live traced object */
static const char *cache_of(struct kmmt_replay *rp, uint64_t ptr)
{
	uint64_t *v = kmmt_map_get(&rp->objs, ptr);
	struct kmem_cache *s = v ? virt_to_cache(rp->k, (vaddr_t)*v) : NULL;

	return s ? s->name : "(none)";
}

static const struct kmmt_rcache *rcache(struct kmmt_replay *rp, const char *name)
{
	for (unsigned int i = 0; i < rp->ncaches; i++)
		if (!strcmp(rp->caches[i].name, name))
			return &rp->caches[i];
	return NULL;
}

static int all_records_counted(const struct kmmt_replay *rp)
{
	uint64_t n = rp->context;

	for (int t = 0; t < KMMT_NR_TYPES; t++)
		n += rp->replayed[t];
	for (int s = 0; s < NR_SKIPS; s++)
		if (s != SKIP_REALLOC_LIVE && s != SKIP_OBJ_REALLOC_LIVE)
			n += rp->skipped[s];
	ASSERT_EQ(n, rp->events);
	return 0;
}

static int test_slab_kmalloc_classes_and_skips(void)
{
	struct kmm *k = boot_preset("tiny", false);
	struct kmmt_replay rp;
	struct kmmt_record lost;

	ASSERT_EQ(kmmt_replay_init(&rp, k, "6.18.0"), 0);
	rp.parts = KMMT_PART_SLAB;
	km(&rp, P(1), 100, 128, GK);                   /* kmalloc-128 */
	km(&rp, 0, 64, 64, GK);                        /* the kernel failed */
	km(&rp, 16, 0, 0, GK);                         /* kmalloc(0) */
	km(&rp, P(2), 5u << 20, 8u << 20, GK);         /* above KMALLOC_MAX_SIZE */
	km(&rp, P(3), 64, 64, GK | KMMT_GFP_HIGHMEM);  /* the kernel WARNs */
	km(&rp, P(1), 64, 64, GK);                     /* P(1)'s free was missed */
	km(&rp, P(4), 100, 112, GK);                   /* a kernel with other classes */
	km(&rp, P(5), 8193, 16384, GK);                /* large: order 2 */
	km(&rp, P(6), 100, 128, GK | KMMT_GFP_RECLAIMABLE);
	km(&rp, P(7), 40, 64, GK | KMMT_GFP_DMA);
	km(&rp, P(8), 1, 8, GK);
	km(&rp, P(9), 96, 96, GK);
	km(&rp, P(10), 150, 192, GK);
	km(&rp, P(11), 4097, 8192, GK);
	ASSERT_EQ(strcmp(cache_of(&rp, P(1)), "kmalloc-64"), 0);
	ASSERT_EQ(strcmp(cache_of(&rp, P(6)), "kmalloc-rcl-128"), 0);
	ASSERT_EQ(strcmp(cache_of(&rp, P(7)), "dma-kmalloc-64"), 0);
	ASSERT_EQ(strcmp(cache_of(&rp, P(8)), "kmalloc-8"), 0);
	ASSERT_EQ(strcmp(cache_of(&rp, P(9)), "kmalloc-96"), 0);
	ASSERT_EQ(strcmp(cache_of(&rp, P(10)), "kmalloc-192"), 0);
	ASSERT_EQ(strcmp(cache_of(&rp, P(11)), "kmalloc-8k"), 0);
	ASSERT_EQ(strcmp(cache_of(&rp, P(5)), "(none)"), 0);   /* pages, no slab */
	ASSERT_EQ(ksize(k, (vaddr_t)*kmmt_map_get(&rp.objs, P(5))), 16384);
	kf(&rp, KMMT_KFREE, 0, NULL);
	kf(&rp, KMMT_KFREE, 16, NULL);                 /* ZERO_SIZE_PTR */
	kf(&rp, KMMT_KFREE, P(99), NULL);              /* allocated before the capture */
	kf(&rp, KMMT_KFREE, P(5), NULL);
	kf(&rp, KMMT_KFREE, P(1), NULL);
	memset(&lost, 0, sizeof(lost));
	lost.type = KMMT_LOST;
	lost.lost.count = 5;
	lost.lost.event_type = KMMT_KFREE;
	kmmt_replay_record(&rp, &lost);

	ASSERT_EQ(rp.replayed[KMMT_KMALLOC], 10);
	ASSERT_EQ(rp.replayed[KMMT_KFREE], 2);
	ASSERT_EQ(rp.skipped[SKIP_OBJ_FAILED_REAL], 1);
	ASSERT_EQ(rp.skipped[SKIP_OBJ_ZERO_SIZE], 1);
	ASSERT_EQ(rp.skipped[SKIP_OBJ_TOO_LARGE], 1);
	ASSERT_EQ(rp.skipped[SKIP_OBJ_BAD_GFP], 1);
	ASSERT_EQ(rp.skipped[SKIP_OBJ_REALLOC_LIVE], 1);
	ASSERT_EQ(rp.skipped[SKIP_OBJ_FREE_NULL], 2);
	ASSERT_EQ(rp.skipped[SKIP_OBJ_FREE_UNKNOWN], 1);
	ASSERT_EQ(rp.skipped[SKIP_LOST], 1);
	ASSERT_EQ(rp.lost_events, 5);
	/* every class as the kernel's but the 112 of P(4) */
	ASSERT_EQ(rp.kmalloc_class_agree, 9);
	ASSERT_EQ(rp.kmalloc_class_differ, 1);
	ASSERT_EQ(rp.nclass_diff, 1);
	ASSERT_EQ(rp.class_diff[0].bytes_req, 100);
	ASSERT_EQ(rp.class_diff[0].real, 112);
	ASSERT_EQ(rp.class_diff[0].sim, 128);
	ASSERT_EQ(rp.kmalloc_large, 1);
	kmmt_replay_finish(&rp);
	ASSERT_EQ(rp.live_objs_at_end, 7);          /* P(4), P(6) .. P(11) */
	ASSERT_EQ(all_records_counted(&rp), 0);
	ASSERT_TRUE(rp.restored);
	kmmt_replay_free(&rp);
	kmm_destroy(k);
	return 0;
}

/* caches: created on first sight with the kernel's object size, their slot
 * size compared with the kernel's */
static int test_slab_caches(void)
{
	struct kmm *k = boot_preset("tiny", false);
	struct kmmt_replay rp;
	struct kmmt_record r;

	ASSERT_EQ(kmmt_replay_init(&rp, k, "6.18.0"), 0);
	rp.parts = KMMT_PART_SLAB;
	kca(&rp, "filp", P(1), 184, 192);             /* ALIGN(184, 64): HWCACHE_ALIGN */
	kca(&rp, "anon_vma", P(2), 96, 104);          /* a pointer after the object */
	kca(&rp, "lsm_file_cache", P(3), 24, 24);
	kca(&rp, "odd", P(4), 100, 160);              /* no layout rule gives 160 */
	kca(&rp, "filp", P(5), 184, 192);             /* the same cache again */
	kca(&rp, "kmalloc-64", P(6), 64, 64);         /* the kmalloc cache itself */
	kca(&rp, "kmalloc-rcl-256", P(7), 256, 256);
	r = alloc_rec(KMMT_CACHE_ALLOC, P(8), 48, 48, GK, "");
	r.flags = KMMT_RF_NO_NAME;                    /* kernels without names */
	kmmt_replay_record(&rp, &r);
	kca(&rp, "huge", P(9), 5u << 20, 5u << 20);   /* above KMALLOC_MAX_SIZE */
	const struct kmmt_rcache *filp = rcache(&rp, "filp"), *av = rcache(&rp, "anon_vma");
	ASSERT_TRUE(filp && filp->s && av && av->s);
	ASSERT_EQ(filp->s->object_size, 184);
	ASSERT_EQ(filp->s->size, 192);
	ASSERT_EQ(filp->s->flags & SLAB_HWCACHE_ALIGN, SLAB_HWCACHE_ALIGN);
	ASSERT_EQ(av->s->size, 104);                  /* ALIGN(96 + 4, 8) */
	ASSERT_EQ(strcmp(cache_of(&rp, P(1)), "filp"), 0);
	ASSERT_EQ(strcmp(cache_of(&rp, P(5)), "filp"), 0);
	ASSERT_EQ(strcmp(cache_of(&rp, P(6)), "kmalloc-64"), 0);
	ASSERT_EQ(strcmp(cache_of(&rp, P(7)), "kmalloc-rcl-256"), 0);
	ASSERT_EQ(strcmp(cache_of(&rp, P(8)), "(unnamed-48)"), 0);
	ASSERT_EQ(rp.ncaches, 8);
	ASSERT_EQ(rp.cache_size_agree, 4);            /* filp anon_vma lsm (unnamed-48) */
	ASSERT_EQ(rp.cache_size_differ, 1);           /* odd */
	ASSERT_STR_CONTAINS(rp.cache_diffs.line[0], "odd: object 100, kernel slot 160, "
			    "simulator slot 104");
	ASSERT_EQ(rp.skipped[SKIP_OBJ_TOO_LARGE], 1);
	/* an object freed by kfree (6.x allows it for any slab object), one
	 * under another cache's name: each goes back to its own cache */
	kf(&rp, KMMT_KFREE, P(2), NULL);
	kf(&rp, KMMT_CACHE_FREE, P(3), "filp");
	kf(&rp, KMMT_CACHE_FREE, P(6), "kmalloc-64");
	kf(&rp, KMMT_CACHE_FREE, P(1), "filp");
	ASSERT_EQ(rp.obj_free_other_cache, 1);
	ASSERT_EQ(rp.replayed[KMMT_CACHE_ALLOC], 8);
	ASSERT_EQ(rp.replayed[KMMT_KFREE], 1);
	ASSERT_EQ(rp.replayed[KMMT_CACHE_FREE], 3);
	kmmt_replay_finish(&rp);
	/* the replay's caches are gone, the kmalloc caches stay */
	ASSERT_TRUE(kmem_cache_find(k, "filp") == NULL);
	ASSERT_TRUE(kmem_cache_find(k, "odd") == NULL);
	ASSERT_TRUE(kmem_cache_find(k, "kmalloc-64") != NULL);
	ASSERT_EQ(rp.live_objs_at_end, 4);            /* P(4) P(5) P(7) P(8) */
	ASSERT_EQ(all_records_counted(&rp), 0);
	ASSERT_TRUE(rp.restored);
	kmmt_replay_free(&rp);
	kmm_destroy(k);
	return 0;
}

/* more than the machine holds: counted, not a crash */
static int test_slab_does_not_fit(void)
{
	struct kmm *k = boot_preset("tiny", false);
	struct kmmt_replay rp;
	unsigned long lowmem = 0;

	/* kmalloc memory is lowmem: at most this many 4 MiB blocks */
	for (int z = ZONE_DMA; z <= ZONE_NORMAL; z++)
		lowmem += kmm_zone(k, (enum zone_type)z)->present_pages >> 10;
	ASSERT_EQ(kmmt_replay_init(&rp, k, "6.18.0"), 0);
	rp.parts = KMMT_PART_SLAB;
	for (uint64_t i = 0; i < 100; i++)
		km(&rp, P(i + 1) << 8, 4u << 20, 4u << 20, GK);
	for (uint64_t i = 0; i < 2000; i++)
		kca(&rp, "big_objects", P(i + 1000), 4096, 4096);
	kmmt_replay_finish(&rp);
	ASSERT_EQ(rp.replayed[KMMT_KMALLOC] + rp.skipped[SKIP_OBJ_NO_FIT] +
		  rp.replayed[KMMT_CACHE_ALLOC], 2100);
	ASSERT_LE(rp.replayed[KMMT_KMALLOC], lowmem);
	ASSERT_GE(rp.replayed[KMMT_KMALLOC], 1);
	ASSERT_GE(rp.skipped[SKIP_OBJ_NO_FIT], 100 - lowmem);
	ASSERT_EQ(rp.kmalloc_class_agree, 100);       /* the class does not need memory */
	ASSERT_EQ(all_records_counted(&rp), 0);
	ASSERT_TRUE(rp.restored);
	kmmt_replay_free(&rp);
	kmm_destroy(k);
	return 0;
}

static const struct test_case tests[] = {
	TEST(test_slab_kmalloc_classes_and_skips),
	TEST(test_slab_caches),
	TEST(test_slab_does_not_fit),
};
TEST_MAIN(tests)
