/* kmalloc.c — kmalloc and friends, after Linux 6.6 mm/slab_common.c and
 * include/linux/slab.h: the size classes (kmalloc_index, size_index[] for
 * KMALLOC_MIN_SIZE 8: 8..8192 with 96 and 192), the kmalloc caches of
 * each type (normal, "kmalloc-rcl-", "dma-kmalloc-") created at boot in
 * the kernel's order, kmalloc_large for the rest (compound pages),
 * kfree, ksize (slab_ksize), krealloc, kmalloc_array with the overflow
 * check of a 32-bit size_t. */
#include <string.h>
#include "slab_internal.h"

static const struct {
	unsigned int size;
	const char *name;
} kmalloc_info[KMALLOC_SHIFT_HIGH + 1] = {
	{0, "0"}, {96, "96"}, {192, "192"}, {8, "8"}, {16, "16"}, {32, "32"},
	{64, "64"}, {128, "128"}, {256, "256"}, {512, "512"}, {1024, "1k"},
	{2048, "2k"}, {4096, "4k"}, {8192, "8k"},
};

/* size_index[] for KMALLOC_MIN_SIZE 8: sizes 1..192 in steps of 8 */
static const uint8_t size_index[24] = {3, 4, 5, 5, 6, 6, 6, 6, 1, 1, 1, 1,
				       7, 7, 7, 7, 2, 2, 2, 2, 2, 2, 2, 2};

int kmalloc_index(size_t size)
{
	if (!size)
		return 0;
	if (size <= KMALLOC_MIN_SIZE)
		return KMALLOC_SHIFT_LOW;
	if (size > 64 && size <= 96)
		return 1;
	if (size > 128 && size <= 192)
		return 2;
	for (int i = 3; i <= 25; i++)
		if (size <= (size_t)1 << i)
			return i;
	return -1;
}

static enum kmalloc_cache_type kmalloc_type(gfp_t gfp)
{
	if (!(gfp & (__GFP_DMA | __GFP_RECLAIMABLE)))
		return KMALLOC_NORMAL;
	return (gfp & __GFP_DMA) ? KMALLOC_DMA : KMALLOC_RECLAIM;
}

struct kmem_cache *kmalloc_slab(struct kmm *k, size_t size, gfp_t gfp)
{
	unsigned int idx;

	if (!size || size > KMALLOC_MAX_CACHE_SIZE)
		return NULL;
	if (size <= 192)
		idx = size_index[(size - 1) / 8];
	else
		idx = fls32((uint32_t)size - 1);
	return slab_st(k)->kmalloc_caches[kmalloc_type(gfp)][idx];
}

struct kmem_cache *kmalloc_cache(struct kmm *k, enum kmalloc_cache_type t,
				 unsigned int index)
{
	if ((unsigned int)t >= NR_KMALLOC_TYPES || index > KMALLOC_SHIFT_HIGH)
		return NULL;
	return slab_st(k)->kmalloc_caches[t][index];
}

size_t kmalloc_size_roundup(size_t size)
{
	if (size && size <= KMALLOC_MAX_CACHE_SIZE) {
		int i = kmalloc_index(size);
		return kmalloc_info[i].size;
	}
	if (size && size <= KMALLOC_MAX_SIZE)
		return (size_t)PAGE_SIZE << get_order(size);
	return size;
}

static void check_gfp(struct kmm *k, gfp_t gfp, const char *fn)
{
	if (gfp & GFP_SLAB_BUG_MASK)
		kmm_bug(k, "slab",
			"%s: Unexpected gfp: %#x: slab memory is lowmem (no "
			"__GFP_HIGHMEM / __GFP_DMA32)", fn, gfp);
}

/* kmalloc_large(): whole pages, a compound page so kfree knows the order */
static vaddr_t kmalloc_large(struct kmm *k, size_t size, gfp_t gfp)
{
	slab_begin(k, NULL);
	if (size > UINT32_MAX)          /* beyond the 32-bit size_t */
		return 0;
	struct page *page = alloc_pages(k, gfp | __GFP_COMP, get_order(size));
	return page ? page_address(k, page) : 0;
}

vaddr_t kmalloc(struct kmm *k, size_t size, gfp_t gfp)
{
	check_gfp(k, gfp, "kmalloc");
	if (size > KMALLOC_MAX_CACHE_SIZE)
		return kmalloc_large(k, size, gfp);
	if (!size)
		return ZERO_SIZE_PTR;
	struct kmem_cache *s = kmalloc_slab(k, size, gfp);
	slab_begin(k, s);
	return slab_alloc(k, s, gfp, (unsigned int)size);
}

vaddr_t kzalloc(struct kmm *k, size_t size, gfp_t gfp)
{
	return kmalloc(k, size, gfp | __GFP_ZERO);
}

vaddr_t kmalloc_array(struct kmm *k, size_t n, size_t size, gfp_t gfp)
{
	/* check_mul_overflow() on a 32-bit size_t */
	if (n > UINT32_MAX || size > UINT32_MAX ||
	    (uint64_t)n * (uint64_t)size > UINT32_MAX)
		return 0;
	return kmalloc(k, n * size, gfp);
}

vaddr_t kcalloc(struct kmm *k, size_t n, size_t size, gfp_t gfp)
{
	return kmalloc_array(k, n, size, gfp | __GFP_ZERO);
}

/* A large kmalloc: the head of a compound page, given by its start. */
static struct page *large_kmalloc_page(struct kmm *k, vaddr_t p,
				       const char *fn)
{
	struct page *page = compound_head(virt_to_page(k, p));

	if (page_count(page) <= 0)
		kmm_bug(k, "slab", "%s(0x%08x): the page is free: double free or "
			"free of memory never allocated [double free]", fn, p);
	if (!PageHead(page) || page->compound_order == 0)
		kmm_bug(k, "slab", "%s(0x%08x): not a slab object nor a large "
			"kmalloc (compound) page [invalid free]", fn, p);
	if (p != page_address(k, page))
		kmm_bug(k, "slab", "%s(0x%08x): not the start of the large kmalloc "
			"at 0x%08x [invalid free]", fn, p, page_address(k, page));
	return page;
}

static struct page *kmalloced_slab(struct kmm *k, vaddr_t p, const char *fn)
{
	if (!virt_addr_valid(k, p))
		kmm_bug(k, "slab", "%s(0x%08x): not a lowmem kernel address "
			"[invalid free]", fn, p);
	return slab_of(k, p);
}

void kfree(struct kmm *k, vaddr_t p)
{
	if (ZERO_OR_NULL_PTR(p))
		return;
	struct page *slab = kmalloced_slab(k, p, "kfree");
	if (!slab) {            /* free_large_kmalloc() */
		slab_begin(k, NULL);
		struct page *page = large_kmalloc_page(k, p, "kfree");
		__free_pages(k, page, page->compound_order);
		return;
	}
	struct kmem_cache *s = slab->slab_cache;
	slab_begin(k, s);
	slab_free_one(k, s, slab, p);
}

/* __ksize(): the usable size; checks p is a live allocation. */
static size_t __ksize(struct kmm *k, vaddr_t p, const char *fn)
{
	if (p == ZERO_SIZE_PTR)
		return 0;
	struct page *slab = kmalloced_slab(k, p, fn);
	if (!slab)
		return PAGE_SIZE << large_kmalloc_page(k, p, fn)->compound_order;
	struct kmem_cache *s = slab->slab_cache;
	slab_begin(k, s);
	slab_free_precheck(k, s, slab, p);      /* a live object start */
	set_orig_size(k, s, p, s->object_size); /* skip_orig_size_check() */
	/* slab_ksize() */
	if (s->flags & (SLAB_RED_ZONE | SLAB_POISON))
		return s->object_size;
	if (s->flags & (SLAB_TYPESAFE_BY_RCU | SLAB_STORE_USER))
		return s->inuse;
	return s->size;
}

size_t ksize(struct kmm *k, vaddr_t p)
{
	return ZERO_OR_NULL_PTR(p) ? 0 : __ksize(k, p, "ksize");
}

vaddr_t krealloc(struct kmm *k, vaddr_t p, size_t new_size, gfp_t gfp)
{
	if (!new_size) {
		kfree(k, p);
		return ZERO_SIZE_PTR;
	}
	size_t ks = ZERO_OR_NULL_PTR(p) ? 0 : __ksize(k, p, "krealloc");
	if (ks >= new_size) {   /* kasan_krealloc(): the new size is usable */
		struct page *slab = slab_of(k, p);
		if (slab)
			kasan_slab_alloc(k, slab->slab_cache, p,
					 (unsigned int)new_size);
		return p;
	}
	vaddr_t ret = kmalloc(k, new_size, gfp);
	if (ret && !ZERO_OR_NULL_PTR(p))
		slab_mem_copy(k, ret, p, ks);
	if (ret && p != ret)
		kfree(k, p);
	return ret;
}

/* create_kmalloc_caches(): NORMAL, RECLAIM, DMA; 96 after 64, 192 after
 * 128; pow2 sizes aligned to their size (create_boot_cache()). */
void create_kmalloc_caches(struct kmm *k)
{
	static const char *const prefix[NR_KMALLOC_TYPES] = {
		"kmalloc-", "kmalloc-rcl-", "dma-kmalloc-"};
	static const slab_flags_t type_flags[NR_KMALLOC_TYPES] = {
		0, SLAB_RECLAIM_ACCOUNT, SLAB_CACHE_DMA};
	struct slab_state *st = slab_st(k);

	for (int t = 0; t < NR_KMALLOC_TYPES; t++)
		for (unsigned int i = KMALLOC_SHIFT_LOW; i <= KMALLOC_SHIFT_HIGH; i++) {
			unsigned int order[3] = {i, i == 6 ? 1u : 0u, i == 7 ? 2u : 0u};
			for (int j = 0; j < 3; j++) {
				unsigned int idx = order[j];
				if (!idx)
					continue;
				unsigned int size = kmalloc_info[idx].size;
				unsigned int align = ARCH_KMALLOC_MINALIGN;
				char name[32];
				if (is_power_of_2(size) && size > align)
					align = size;
				snprintf(name, sizeof(name), "%s%s", prefix[t],
					 kmalloc_info[idx].name);
				slab_flags_t flags = type_flags[t] | SLAB_KMALLOC;
				struct kmem_cache *s = create_cache(
					k, name, size, calculate_alignment(flags, align, size),
					flags, 0, size, NULL);
				kmm_assert(k, s != NULL);
				st->kmalloc_caches[t][idx] = s;
			}
		}
}
