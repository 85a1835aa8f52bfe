/* test_kasan.c — KASAN on simulated RAM: ASan itself reports a kernel
 * access to freed memory (a page back in the buddy allocator or on a pcp
 * list, a freed slab object), to a slab red zone or past the requested
 * size, while live memory is accessible; a reset gives every frame back
 * its boot poison.  Expected states follow generic KASAN's rules
 * (mm/kasan/common.c): free pages and free objects poisoned, objects
 * addressable up to the kmalloc request, SLAB_TYPESAFE_BY_RCU objects
 * never poisoned.
 *
 * Accesses go through the simulated MMU (kmm_read/kmm_write of a kernel
 * virtual address), whose physical accesses are host memcpy calls that
 * ASan checks.  Reports are checked in a child process.  Without ASan the
 * suite says why and exits 77 (skipped).
 */
#include "internal.h"
#include "kasan.h"
#include "kmm/fault.h"
#include "kmm/slab.h"
#include "kmm_test.h"
#include "test.h"

#define SKIP 77

#if KMM_KASAN
#include <sanitizer/asan_interface.h>

struct acc {
	vaddr_t va;
	size_t len;
	bool write;
};

static void do_access(struct kmm *k, void *arg)
{
	const struct acc *a = arg;
	uint8_t buf[64];

	memset(buf, 0x5a, sizeof(buf));
	if (a->write)
		kmm_write(k, 0, a->va, buf, a->len, false);
	else
		kmm_read(k, 0, a->va, buf, a->len, false);
}

/* The host byte behind a lowmem kernel address. */
static const void *host(struct kmm *k, vaddr_t va)
{
	return kmm_frame_r(k, PFN_DOWN(__pa(k, va))) + (va & (PAGE_SIZE - 1));
}

static int reported(struct kmm *k, vaddr_t va, size_t len, bool write)
{
	struct acc a = {va, len, write};

	return expect_asan_report(k, do_access, &a, "use-after-poison", host(k, va));
}

/* The whole range is accessible, read and write, in this process. */
static int accessible(struct kmm *k, vaddr_t va, size_t len)
{
	uint8_t buf[256];

	for (size_t off = 0; off < len; off += sizeof(buf)) {
		size_t n = len - off < sizeof(buf) ? len - off : sizeof(buf);
		memset(buf, (int)off, n);
		if (kmm_write(k, 0, va + (vaddr_t)off, buf, n, false) != KMM_OK ||
		    kmm_read(k, 0, va + (vaddr_t)off, buf, n, false) != KMM_OK)
			return 0;
	}
	return 1;
}

static bool poisoned(struct kmm *k, unsigned long pfn, unsigned int off)
{
	return __asan_address_is_poisoned(kmm_frame_r(k, pfn) + off);
}

/* A block freed to the buddy lists: every frame is poisoned; a write
 * through the direct map is reported by ASan. */
static int test_freed_block_write_reported(void)
{
	struct kmm *k = boot_preset("tiny", false);
	ASSERT_TRUE(k);
	struct page *p = alloc_pages(k, GFP_KERNEL, 2);
	ASSERT_TRUE(p);
	vaddr_t va = page_address(k, p);
	ASSERT_TRUE(accessible(k, va, 4 * PAGE_SIZE));
	__free_pages(k, p, 2);
	ASSERT_EQ(p->_refcount, 0);
	ASSERT_FALSE(p->sim & KMM_SIM_PCP);     /* order 2: straight to buddy */
	for (int i = 0; i < 4; i++) {
		ASSERT_TRUE(poisoned(k, page_to_pfn(k, p) + (unsigned long)i, 0));
		ASSERT_TRUE(poisoned(k, page_to_pfn(k, p) + (unsigned long)i,
				     PAGE_SIZE - 1));
	}
	ASSERT_TRUE(reported(k, va + PAGE_SIZE + 8, 8, true));
	ASSERT_TRUE(reported(k, va + 4 * PAGE_SIZE - 1, 1, false));
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}

/* An order-0 page freed to the pcp list is free memory too. */
static int test_pcp_page_read_reported(void)
{
	struct kmm *k = boot_preset("tiny", false);
	ASSERT_TRUE(k);
	struct page *p = alloc_page(k, GFP_KERNEL);
	ASSERT_TRUE(p);
	vaddr_t va = page_address(k, p);
	ASSERT_TRUE(accessible(k, va, PAGE_SIZE));
	__free_pages(k, p, 0);
	ASSERT_TRUE(p->sim & KMM_SIM_PCP);
	ASSERT_TRUE(reported(k, va, 4, false));
	ASSERT_TRUE(reported(k, va + 100, 16, true));
	kmm_destroy(k);
	return 0;
}

/* A kmalloc object after kfree; an object is addressable up to the
 * request (kasan_kmalloc), not up to its size class. */
static int test_kmalloc_object(void)
{
	struct kmm *k = boot_preset("tiny", false);
	ASSERT_TRUE(k);
	vaddr_t a = kmalloc(k, 100, GFP_KERNEL);        /* kmalloc-128 */
	ASSERT_TRUE(a);
	ASSERT_TRUE(accessible(k, a, 100));
	ASSERT_TRUE(reported(k, a + 100, 1, false));
	kfree(k, a);
	ASSERT_TRUE(reported(k, a, 8, false));
	ASSERT_TRUE(reported(k, a + 99, 1, true));
	vaddr_t b = kmalloc(k, 13, GFP_KERNEL);         /* kmalloc-16 */
	ASSERT_TRUE(b);
	ASSERT_TRUE(accessible(k, b, 13));
	ASSERT_TRUE(reported(k, b + 13, 1, false));     /* a partial granule */
	/* krealloc within the object moves the end */
	ASSERT_EQ(krealloc(k, b, 16, GFP_KERNEL), b);
	ASSERT_TRUE(accessible(k, b, 16));
	ASSERT_EQ(krealloc(k, b, 4, GFP_KERNEL), b);
	ASSERT_TRUE(reported(k, b + 4, 1, false));
	kfree(k, b);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}

/* kmalloc_large: whole pages, poisoned again by kfree. */
static int test_kmalloc_large_freed(void)
{
	struct kmm *k = boot_preset("tiny", false);
	ASSERT_TRUE(k);
	size_t size = 3 * PAGE_SIZE + 100;
	vaddr_t a = kmalloc(k, size, GFP_KERNEL);
	ASSERT_TRUE(a);
	ASSERT_TRUE(accessible(k, a, size));
	kfree(k, a);
	ASSERT_TRUE(reported(k, a, 8, false));
	ASSERT_TRUE(reported(k, a + 4 * PAGE_SIZE - 8, 8, true));
	kmm_destroy(k);
	return 0;
}

/* One byte past an object of a cache (object_size 20 in 24-byte slots);
 * the red zones of a debug cache, on both sides. */
static int test_cache_object_bounds(void)
{
	struct kmm *k = boot_preset("tiny", false);
	ASSERT_TRUE(k);
	struct kmem_cache *s = kmem_cache_create(k, "kasan20", 20, 0,
						 SLAB_NO_MERGE, NULL);
	ASSERT_TRUE(s);
	vaddr_t a = kmem_cache_alloc(k, s, GFP_KERNEL);
	ASSERT_TRUE(a);
	ASSERT_TRUE(accessible(k, a, 20));
	ASSERT_TRUE(reported(k, a + 20, 1, false));
	kmem_cache_free(k, s, a);
	ASSERT_TRUE(reported(k, a, 4, false));

	struct kmem_cache *rz = kmem_cache_create(k, "kasan-rz", 64, 0,
						  SLAB_RED_ZONE | SLAB_NO_MERGE,
						  NULL);
	ASSERT_TRUE(rz);
	vaddr_t b = kmem_cache_alloc(k, rz, GFP_KERNEL);
	ASSERT_TRUE(b);
	ASSERT_TRUE(accessible(k, b, 64));
	ASSERT_TRUE(reported(k, b + 64, 1, false));     /* right red zone */
	ASSERT_TRUE(reported(k, b - 1, 1, true));       /* left red zone */
	/* SLUB_DEBUG's own checks read the red zones unchecked */
	ASSERT_EQ(validate_slab_cache(k, rz), 0);
	kmem_cache_free(k, rz, b);
	kmm_check(k);
	kmem_cache_destroy(k, rz);
	kmem_cache_destroy(k, s);
	kmm_destroy(k);
	return 0;
}

/* SLAB_TYPESAFE_BY_RCU: a freed object stays valid memory of its type. */
static int test_typesafe_by_rcu_not_poisoned(void)
{
	struct kmm *k = boot_preset("tiny", false);
	ASSERT_TRUE(k);
	struct kmem_cache *s = kmem_cache_create(k, "kasan-rcu", 48, 0,
						 SLAB_TYPESAFE_BY_RCU, NULL);
	ASSERT_TRUE(s);
	vaddr_t a = kmem_cache_alloc(k, s, GFP_KERNEL);
	ASSERT_TRUE(a);
	kmem_cache_free(k, s, a);
	uint8_t buf[48];
	ASSERT_EQ(kmm_read(k, 0, a, buf, sizeof(buf), false), KMM_OK);
	ASSERT_TRUE(reported(k, a + 48, 1, false));     /* the slot's end */
	kmem_cache_destroy(k, s);
	kmm_destroy(k);
	return 0;
}

/* Free, then allocated again: the same frame (pcp LIFO) or object (CPU
 * freelist LIFO) is accessible again; bulk allocation too. */
static int test_reallocated_accessible(void)
{
	struct kmm *k = boot_preset("tiny", false);
	ASSERT_TRUE(k);
	struct page *p = alloc_page(k, GFP_KERNEL);
	ASSERT_TRUE(p);
	__free_pages(k, p, 0);
	ASSERT_TRUE(alloc_page(k, GFP_KERNEL) == p);
	ASSERT_TRUE(accessible(k, page_address(k, p), PAGE_SIZE));
	struct page *z = alloc_pages(k, GFP_KERNEL | __GFP_ZERO, 3);
	ASSERT_TRUE(z);
	ASSERT_TRUE(accessible(k, page_address(k, z), 8 * PAGE_SIZE));

	vaddr_t a = kmalloc(k, 64, GFP_KERNEL);
	ASSERT_TRUE(a);
	kfree(k, a);
	ASSERT_EQ(kmalloc(k, 64, GFP_KERNEL), a);
	ASSERT_TRUE(accessible(k, a, 64));
	vaddr_t v[16];
	struct kmem_cache *s = kmem_cache_create(k, "kasan-bulk", 40, 0,
						 SLAB_NO_MERGE, NULL);
	ASSERT_TRUE(s);
	ASSERT_EQ(kmem_cache_alloc_bulk(k, s, GFP_KERNEL | __GFP_ZERO, 16, v), 16);
	for (int i = 0; i < 16; i++)
		ASSERT_TRUE(accessible(k, v[i], 40));
	kmem_cache_free_bulk(k, s, 16, v);
	for (int i = 0; i < 16; i++)
		ASSERT_TRUE(poisoned(k, PFN_DOWN(__pa(k, v[i])), v[i] & (PAGE_SIZE - 1)));
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}

/* At boot: frames of free blocks poisoned, reserved frames not, frames
 * allocated at boot (not slab) not. */
static int test_boot_poison_follows_page_state(void)
{
	struct kmm *k = boot_preset("tiny", false);
	ASSERT_TRUE(k);
	unsigned long n = kmm_max_pfn(k), nfree = 0;
	uint8_t *is_free = calloc(n, 1);
	ASSERT_TRUE(is_free);
	for (int z = 0; z < MAX_NR_ZONES; z++)
		for (int o = 0; o < MAX_ORDER; o++)
			for (int t = 0; t < MIGRATE_TYPES; t++) {
				struct list_head *h = &kmm_zone(k, (enum zone_type)z)
							      ->free_area[o].free_list[t];
				for (struct list_head *l = h->next; l != h; l = l->next) {
					unsigned long pfn = page_to_pfn(
						k, kmm_container_of(l, struct page, lru));
					memset(is_free + pfn, 1, 1ul << o);
					nfree += 1ul << o;
				}
			}
	ASSERT_TRUE(nfree > 0);
	unsigned long reserved = 0;
	for (unsigned long pfn = 0; pfn < n; pfn++) {
		struct page *p = pfn_to_page(k, pfn);
		if (PageSlab(compound_head(p)))
			continue;
		reserved += PageReserved(p);
		ASSERT_TRUE(!PageReserved(p) || !is_free[pfn]);
		ASSERT_EQ(poisoned(k, pfn, 0), is_free[pfn]);
		ASSERT_EQ(poisoned(k, pfn, PAGE_SIZE / 2 + 3), is_free[pfn]);
		ASSERT_EQ(poisoned(k, pfn, PAGE_SIZE - 1), is_free[pfn]);
	}
	ASSERT_TRUE(reserved > 0);
	free(is_free);
	kmm_destroy(k);
	return 0;
}

/* ---- reset ---- */

static void track_block(unsigned long *pfns, unsigned long *n, unsigned long pfn,
			unsigned int order)
{
	for (unsigned long i = 0; i < (1ul << order) && *n < 4096; i++)
		pfns[(*n)++] = pfn + i;
}

/* Every byte of the frame has the same poison on both machines. */
static int same_shadow(struct kmm *a, struct kmm *b, unsigned long pfn)
{
	for (unsigned int off = 0; off < PAGE_SIZE; off++)
		if (poisoned(a, pfn, off) != poisoned(b, pfn, off)) {
			fprintf(stderr, "pfn 0x%05lx byte %u: poisoned %d, at boot %d\n",
				pfn, off, poisoned(a, pfn, off), poisoned(b, pfn, off));
			return 0;
		}
	return 1;
}

/* A run of page and slab allocations, writes and frees, then a reset:
 * the frames it touched, free ones, reserved ones and the boot slab
 * pages have the poison of a machine that just booted. */
static int test_reset_restores_boot_poison(void)
{
	struct kmm *k = boot_preset("tiny", false);
	struct kmm *fresh = boot_preset("tiny", false);
	ASSERT_TRUE(k && fresh);
	static unsigned long pfns[4096];
	unsigned long n = 0;
	struct page *live[64];
	vaddr_t obj[256];
	int nlive = 0, nobj = 0;
	uint64_t seed = 7;

	struct kmem_cache *dbg = kmem_cache_create(k, "kasan-dbg", 72, 0,
						   SLAB_RED_ZONE | SLAB_POISON, NULL);
	ASSERT_TRUE(dbg);
	for (int i = 0; i < 600; i++) {
		uint64_t r = test_rand(&seed);
		static const gfp_t g[] = {GFP_KERNEL, GFP_KERNEL | __GFP_ZERO, GFP_DMA,
					  GFP_KERNEL | __GFP_RECLAIMABLE};
		switch (r % 4) {
		case 0:
			if (nlive < 64) {
				unsigned int order = (unsigned)(r >> 8) % 4;
				struct page *p = alloc_pages(k, g[(r >> 16) % 4], order);
				if (!p)
					break;
				track_block(pfns, &n, page_to_pfn(k, p), order);
				ASSERT_TRUE(accessible(k, page_address(k, p), 64));
				live[nlive++] = p;
			}
			break;
		case 1:
			if (nlive) {
				int j = (int)((r >> 8) % (uint64_t)nlive);
				__free_pages(k, live[j], live[j]->owner_order);
				live[j] = live[--nlive];
			}
			break;
		case 2:
			if (nobj < 256) {
				size_t size = 1 + (r >> 8) % 700;
				vaddr_t a = (r >> 20) & 1 ? kmalloc(k, size, GFP_KERNEL)
							  : kmem_cache_alloc(k, dbg, GFP_KERNEL);
				if (!a)
					break;
				track_block(pfns, &n, PFN_DOWN(__pa(k, a)), 0);
				obj[nobj++] = a;
			}
			break;
		default:
			if (nobj) {
				int j = (int)((r >> 8) % (uint64_t)nobj);
				kfree(k, obj[j]);
				obj[j] = obj[--nobj];
			}
			break;
		}
	}
	ASSERT_TRUE(n > 100);
	kmm_reset(k);
	/* what the run touched */
	for (unsigned long i = 0; i < n; i++)
		ASSERT_TRUE(same_shadow(k, fresh, pfns[i]));
	/* boot slab pages, reserved frames, untouched free frames */
	unsigned long checked = 0;
	for (unsigned long pfn = 0; pfn < kmm_max_pfn(k); pfn++) {
		struct page *p = pfn_to_page(fresh, pfn);
		if (PageSlab(compound_head(p)) || pfn % 509 == 0) {
			ASSERT_TRUE(same_shadow(k, fresh, pfn));
			checked++;
		}
	}
	ASSERT_TRUE(checked > 50);
	ASSERT_TRUE(same_shadow(k, fresh, PFN_DOWN(kmm_cfg(k)->kernel_start)));
	/* and it still works: a fresh page, freed again, is reported */
	struct page *p = alloc_page(k, GFP_KERNEL);
	ASSERT_TRUE(p);
	ASSERT_TRUE(accessible(k, page_address(k, p), PAGE_SIZE));
	__free_pages(k, p, 0);
	ASSERT_TRUE(reported(k, page_address(k, p), 4, false));
	kmm_check(k);
	kmm_destroy(k);
	kmm_destroy(fresh);
	return 0;
}

/* The unchecked debugger view reads and writes poisoned bytes. */
static int test_frame_peek_poke_unchecked(void)
{
	struct kmm *k = boot_preset("tiny", false);
	ASSERT_TRUE(k);
	struct page *p = alloc_pages(k, GFP_KERNEL, 1);
	ASSERT_TRUE(p);
	unsigned long pfn = page_to_pfn(k, p);
	__free_pages(k, p, 1);
	ASSERT_TRUE(poisoned(k, pfn, 10));
	uint8_t w[4] = {1, 2, 3, 4}, r[4] = {0};
	kmm_frame_poke(k, pfn, 10, w, 4);
	kmm_frame_peek(k, pfn, 10, r, 4);
	ASSERT_EQ(memcmp(w, r, 4), 0);
	ASSERT_TRUE(poisoned(k, pfn, 10));
	kmm_reset(k);
	kmm_frame_peek(k, pfn, 10, r, 4);
	ASSERT_EQ(r[0] | r[1] | r[2] | r[3], 0);
	ASSERT_TRUE(poisoned(k, pfn, 10));
	kmm_destroy(k);
	return 0;
}

static void unpoison_free_page(struct kmm *k, void *arg)
{
	ASAN_UNPOISON_MEMORY_REGION((void *)kmm_frame_r(k, *(unsigned long *)arg),
				    PAGE_SIZE);
	kmm_check(k);
}

/* kasan_check (in kmm_check) finds free memory that is not poisoned: the
 * last frame of a free buddy block, and a page on a pcp list. */
static int test_check_finds_unpoisoned_free_frame(void)
{
	struct kmm *k = boot_preset("tiny", false);
	ASSERT_TRUE(k);
	struct zone *z = kmm_zone(k, ZONE_NORMAL);
	struct list_head *l = &z->free_area[MAX_ORDER - 1].free_list[MIGRATE_MOVABLE];
	ASSERT_TRUE(l->next != l);
	struct page *head = kmm_container_of(l->next, struct page, lru);
	unsigned long pfn = page_to_pfn(k, head) + (1ul << (MAX_ORDER - 1)) - 1;
	kmm_check(k);
	ASSERT_TRUE(expect_report(k, unpoison_free_page, &pfn, "is not poisoned"));

	struct page *p = alloc_pages(k, GFP_KERNEL, 0);
	ASSERT_TRUE(p);
	pfn = page_to_pfn(k, p);
	__free_pages(k, p, 0);
	ASSERT_TRUE(p->sim & KMM_SIM_PCP);
	kmm_check(k);
	ASSERT_TRUE(expect_report(k, unpoison_free_page, &pfn, "is not poisoned"));
	kmm_destroy(k);
	return 0;
}

static const struct test_case tests[] = {
	TEST(test_freed_block_write_reported),
	TEST(test_pcp_page_read_reported),
	TEST(test_kmalloc_object),
	TEST(test_kmalloc_large_freed),
	TEST(test_cache_object_bounds),
	TEST(test_typesafe_by_rcu_not_poisoned),
	TEST(test_reallocated_accessible),
	TEST(test_boot_poison_follows_page_state),
	TEST(test_reset_restores_boot_poison),
	TEST(test_frame_peek_poke_unchecked),
	TEST(test_check_finds_unpoisoned_free_frame),
};
TEST_MAIN(tests)

#else

int main(void)
{
	printf("SKIP: not built with AddressSanitizer (KMM_SANITIZE=OFF): "
	       "simulated RAM has no KASAN shadow to test\n");
	return SKIP;
}

#endif
