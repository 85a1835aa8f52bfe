/* kasan.h — generic KASAN over simulated RAM, on the host's ASan.
 *
 * Modelled: the kernel's generic KASAN poisoning rules (mm/kasan/common.c,
 * generic.c of Linux 6.6).  Free frames are poisoned when the buddy
 * allocator frees them (kasan_free_pages, after free_pages_prepare: pages
 * on a pcp list are free too) and unpoisoned when it hands them out
 * (kasan_alloc_pages, from prep_new_page); at boot every frame
 * memblock_free_all() frees is poisoned, memblock-reserved frames never
 * are.  A new slab is poisoned whole (kasan_poison_slab); an object is
 * unpoisoned for its object size, or the requested size for kmalloc
 * (kasan_slab_alloc() here does the kernel's kasan_slab_alloc and
 * kasan_kmalloc; krealloc in place redoes it, as kasan_krealloc), and
 * poisoned again when freed (kasan_slab_free; not SLAB_TYPESAFE_BY_RCU
 * objects); red zones, free pointers outside the object and padding stay
 * poisoned.  A constructor runs on its object unpoisoned.
 *
 * The shadow is ASan's own (ASAN_POISON_MEMORY_REGION on the host bytes of
 * k->ram), so any instrumented host access to a poisoned simulated byte -
 * above all kmm_access() through the MMU, whose phys_read/phys_write
 * memcpy ASan checks - is reported by ASan itself ("use-after-poison").
 * The allocators' own accesses to poisoned metadata (free pointers in free
 * objects, SLUB_DEBUG red zones and poison, the boot snapshot) go through
 * the unchecked copies below, as the kernel builds mm/slub.c with
 * KASAN_SANITIZE := n.
 *
 * Simplifications: ASan's granule is 8 bytes and a granule can only have
 * an addressable prefix, so an end that is not 8-aligned is exact (the
 * granule is partially poisoned) but an unaligned start rounds: poisoning
 * leaves the bytes before it in its granule addressable, unpoisoning makes
 * them addressable (slab objects start 8-aligned: ARCH_SLAB_MINALIGN).  No
 * quarantine, no alloc/free stacks in the report (ASan prints the host
 * stack), no tags.  kmalloc_large does not poison its pages past the
 * request (kasan_kmalloc_large): the oracle checks a __GFP_ZERO compound
 * block whole through the host pointer.  Built only under ASan; otherwise
 * every hook is a no-op and the unchecked copies are memcpy/memset.
 *
 * Reset: every frame whose shadow a hook changes is logged; kmm_reset()
 * unpoisons a frame before restoring its bytes, and kasan_reset() gives
 * each logged frame back the shadow it had at the end of boot (kept per
 * frame: unpoisoned, poisoned, or for slab frames the addressable prefix
 * of each granule).  Unlogged frames kept their boot shadow.
 */
#ifndef KMM_KASAN_H
#define KMM_KASAN_H

#include "internal.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KMM_KASAN 1
#endif
#endif
#if !defined(KMM_KASAN) && defined(__SANITIZE_ADDRESS__)
#define KMM_KASAN 1
#endif
#ifndef KMM_KASAN
#define KMM_KASAN 0
#endif

#define KASAN_GRANULE_SIZE 8u

struct kmem_cache;

/* Unchecked copies for allocator metadata inside poisoned memory. */
void kasan_memcpy_nocheck(void *dst, const void *src, size_t n);
void kasan_memset_nocheck(void *dst, uint8_t c, size_t n);
uint8_t kasan_peek_nocheck(const uint8_t *p);

#if KMM_KASAN
void kasan_init(struct kmm *k);
void kasan_finish_boot(struct kmm *k);
void kasan_reset(struct kmm *k);
void kasan_destroy(struct kmm *k);
void kasan_check(struct kmm *k);
void kasan_poison_pages(struct kmm *k, unsigned long pfn, unsigned long nr);
void kasan_unpoison_pages(struct kmm *k, unsigned long pfn, unsigned long nr);
/* [va, va + len) of the lowmem direct map */
void kasan_poison_object(struct kmm *k, vaddr_t va, size_t len);
void kasan_unpoison_object(struct kmm *k, vaddr_t va, size_t len);
void kasan_free_pages(struct kmm *k, struct page *page, unsigned int order);
void kasan_alloc_pages(struct kmm *k, struct page *page, unsigned int order);
void kasan_poison_slab(struct kmm *k, struct page *slab);
void kasan_slab_alloc(struct kmm *k, const struct kmem_cache *s,
		      vaddr_t object, unsigned int size);
void kasan_slab_free(struct kmm *k, const struct kmem_cache *s,
		     vaddr_t object);
#else
static inline void kasan_init(struct kmm *k) { (void)k; }
static inline void kasan_finish_boot(struct kmm *k) { (void)k; }
static inline void kasan_reset(struct kmm *k) { (void)k; }
static inline void kasan_destroy(struct kmm *k) { (void)k; }
static inline void kasan_check(struct kmm *k) { (void)k; }
static inline void kasan_poison_pages(struct kmm *k, unsigned long pfn,
				      unsigned long nr)
{
	(void)k, (void)pfn, (void)nr;
}
static inline void kasan_unpoison_pages(struct kmm *k, unsigned long pfn,
					unsigned long nr)
{
	(void)k, (void)pfn, (void)nr;
}
static inline void kasan_poison_object(struct kmm *k, vaddr_t va, size_t len)
{
	(void)k, (void)va, (void)len;
}
static inline void kasan_unpoison_object(struct kmm *k, vaddr_t va, size_t len)
{
	(void)k, (void)va, (void)len;
}
static inline void kasan_free_pages(struct kmm *k, struct page *page,
				    unsigned int order)
{
	(void)k, (void)page, (void)order;
}
static inline void kasan_alloc_pages(struct kmm *k, struct page *page,
				     unsigned int order)
{
	(void)k, (void)page, (void)order;
}
static inline void kasan_poison_slab(struct kmm *k, struct page *slab)
{
	(void)k, (void)slab;
}
static inline void kasan_slab_alloc(struct kmm *k, const struct kmem_cache *s,
				    vaddr_t object, unsigned int size)
{
	(void)k, (void)s, (void)object, (void)size;
}
static inline void kasan_slab_free(struct kmm *k, const struct kmem_cache *s,
				   vaddr_t object)
{
	(void)k, (void)s, (void)object;
}
#endif

#endif
