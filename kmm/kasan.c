/* kasan.c — generic KASAN poisoning of simulated RAM in ASan's shadow.
 * What is modelled and simplified: see kasan.h. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "kasan.h"
#include "kmm/slab.h"

/* ---- unchecked copies (the kernel's non-instrumented mm/slub.c) ---- */

#if KMM_KASAN
#include <sanitizer/asan_interface.h>

/* volatile: the compiler must not turn the loops back into memcpy or
 * memset calls, which ASan intercepts and checks. */
__attribute__((no_sanitize("address"))) void
kasan_memcpy_nocheck(void *dst, const void *src, size_t n)
{
	volatile uint8_t *d = dst;
	const volatile uint8_t *s = src;
	size_t i = 0;

	if (!(((uintptr_t)d | (uintptr_t)s) & 7))
		for (; i + 8 <= n; i += 8)
			*(volatile uint64_t *)(d + i) = *(const volatile uint64_t *)(s + i);
	for (; i < n; i++)
		d[i] = s[i];
}

__attribute__((no_sanitize("address"))) void
kasan_memset_nocheck(void *dst, uint8_t c, size_t n)
{
	volatile uint8_t *d = dst;
	uint64_t w = c * 0x0101010101010101ull;
	size_t i = 0;

	for (; i < n && ((uintptr_t)(d + i) & 7); i++)
		d[i] = c;
	for (; i + 8 <= n; i += 8)
		*(volatile uint64_t *)(d + i) = w;
	for (; i < n; i++)
		d[i] = c;
}

__attribute__((no_sanitize("address"))) uint8_t
kasan_peek_nocheck(const uint8_t *p)
{
	return *(const volatile uint8_t *)p;
}
#else
void kasan_memcpy_nocheck(void *dst, const void *src, size_t n)
{
	memcpy(dst, src, n);
}

void kasan_memset_nocheck(void *dst, uint8_t c, size_t n)
{
	memset(dst, c, n);
}

uint8_t kasan_peek_nocheck(const uint8_t *p)
{
	return *p;
}
#endif

static void check_frame_range(const struct kmm *k, unsigned long pfn,
			      unsigned int off, size_t len)
{
	if (pfn >= k->layout.max_pfn || off > PAGE_SIZE || len > PAGE_SIZE - off)
		kmm_bug((struct kmm *)k, "kasan", "frame access pfn 0x%05lx "
			"+0x%x len %zu outside the frame", pfn, off, len);
}

void kmm_frame_peek(const struct kmm *k, unsigned long pfn, unsigned int off,
		    void *buf, size_t len)
{
	check_frame_range(k, pfn, off, len);
	kasan_memcpy_nocheck(buf, kmm_frame_r(k, pfn) + off, len);
}

void kmm_frame_poke(struct kmm *k, unsigned long pfn, unsigned int off,
		    const void *buf, size_t len)
{
	check_frame_range(k, pfn, off, len);
	kasan_memcpy_nocheck(kmm_frame_w(k, pfn) + off, buf, len);
}

#if KMM_KASAN

/* The shadow of a frame, by class: what a reset gives back. */
enum { FRAME_CLEAN, FRAME_POISONED, FRAME_MIXED };
#define FRAME_LOGGED 0x80u
#define GRANULES (PAGE_SIZE / KASAN_GRANULE_SIZE)

struct kasan_boot_frame {               /* a frame boot left mixed */
	unsigned long pfn;
	uint8_t prefix[GRANULES];       /* addressable bytes per granule */
};

struct kasan_state {
	uint8_t *cls;                   /* per pfn: FRAME_* | FRAME_LOGGED */
	uint8_t *boot_cls;              /* per pfn: FRAME_* at the end of boot */
	unsigned long *log;             /* pfns whose shadow changed */
	unsigned long nr_log;
	struct kasan_boot_frame *mixed; /* sorted by pfn */
	unsigned long nr_mixed;
};

static void *map_lazy(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static uint8_t *frame(struct kmm *k, unsigned long pfn)
{
	return k->ram + ((size_t)pfn << PAGE_SHIFT);
}

/* Boot's own changes are the snapshot: only a booted machine logs. */
static void set_cls(struct kmm *k, unsigned long pfn, uint8_t c)
{
	struct kasan_state *ks = k->kasan;

	if (k->booted && !(ks->cls[pfn] & FRAME_LOGGED))
		ks->log[ks->nr_log++] = pfn;
	ks->cls[pfn] = (uint8_t)(c | (k->booted ? FRAME_LOGGED : 0));
}

void kasan_init(struct kmm *k)
{
	unsigned long n = k->layout.max_pfn;
	struct kasan_state *ks = calloc(1, sizeof(*ks));

	kmm_assert(k, ks != NULL);
	ks->cls = map_lazy(n);
	ks->boot_cls = map_lazy(n);
	ks->log = map_lazy(n * sizeof(*ks->log));
	kmm_assert(k, ks->cls && ks->boot_cls && ks->log);
	k->kasan = ks;
}

void kasan_destroy(struct kmm *k)
{
	struct kasan_state *ks = k->kasan;
	unsigned long n = k->layout.max_pfn;

	if (k->ram)     /* the host may map something else here next */
		ASAN_UNPOISON_MEMORY_REGION(k->ram, k->ram_len);
	if (!ks)
		return;
	if (ks->cls)
		munmap(ks->cls, n);
	if (ks->boot_cls)
		munmap(ks->boot_cls, n);
	if (ks->log)
		munmap(ks->log, n * sizeof(*ks->log));
	free(ks->mixed);
	free(ks);
	k->kasan = NULL;
}

void kasan_poison_pages(struct kmm *k, unsigned long pfn, unsigned long nr)
{
	kmm_assert(k, pfn + nr <= k->layout.max_pfn);
	ASAN_POISON_MEMORY_REGION(frame(k, pfn), nr << PAGE_SHIFT);
	for (unsigned long i = 0; i < nr; i++)
		set_cls(k, pfn + i, FRAME_POISONED);
}

void kasan_unpoison_pages(struct kmm *k, unsigned long pfn, unsigned long nr)
{
	kmm_assert(k, pfn + nr <= k->layout.max_pfn);
	ASAN_UNPOISON_MEMORY_REGION(frame(k, pfn), nr << PAGE_SHIFT);
	for (unsigned long i = 0; i < nr; i++)
		set_cls(k, pfn + i, FRAME_CLEAN);
}

static uint8_t *lowmem(struct kmm *k, vaddr_t va, size_t len)
{
	kmm_assert(k, virt_addr_valid(k, va) && len &&
			      va + len <= k->layout.high_memory);
	return k->ram + __pa(k, va);
}

static void mark_mixed(struct kmm *k, vaddr_t va, size_t len)
{
	unsigned long last = PFN_DOWN(__pa(k, va + (vaddr_t)(len - 1)));

	for (unsigned long pfn = PFN_DOWN(__pa(k, va)); pfn <= last; pfn++)
		set_cls(k, pfn, FRAME_MIXED);
}

void kasan_poison_object(struct kmm *k, vaddr_t va, size_t len)
{
	ASAN_POISON_MEMORY_REGION(lowmem(k, va, len), len);
	mark_mixed(k, va, len);
}

void kasan_unpoison_object(struct kmm *k, vaddr_t va, size_t len)
{
	ASAN_UNPOISON_MEMORY_REGION(lowmem(k, va, len), len);
	mark_mixed(k, va, len);
}

/* ---- the kernel's hooks ---- */

void kasan_free_pages(struct kmm *k, struct page *page, unsigned int order)
{
	kasan_poison_pages(k, page_to_pfn(k, page), 1ul << order);
}

void kasan_alloc_pages(struct kmm *k, struct page *page, unsigned int order)
{
	kasan_unpoison_pages(k, page_to_pfn(k, page), 1ul << order);
}

void kasan_poison_slab(struct kmm *k, struct page *slab)
{
	unsigned int order = PageHead(slab) ? slab->compound_order : 0;

	kasan_poison_pages(k, page_to_pfn(k, slab), 1ul << order);
}

/* kasan_slab_alloc() then kasan_kmalloc(): the object is addressable up
 * to size, the rest of object_size poisoned again (a krealloc in place
 * may shrink it). */
void kasan_slab_alloc(struct kmm *k, const struct kmem_cache *s,
		      vaddr_t object, unsigned int size)
{
	kasan_poison_object(k, object, s->object_size);
	if (size)
		kasan_unpoison_object(k, object, size);
}

/* SLAB_TYPESAFE_BY_RCU objects stay valid memory after a free. */
void kasan_slab_free(struct kmm *k, const struct kmem_cache *s, vaddr_t object)
{
	if (!(s->flags & SLAB_TYPESAFE_BY_RCU))
		kasan_poison_object(k, object, s->object_size);
}

/* ---- the sweep ---- */

/* Does the first byte of frame pfn and the last byte of frame last have
 * the wanted state?  One shadow byte each, read directly (the shadow is
 * not addressable to instrumented code). */
__attribute__((no_sanitize("address"))) static bool
ends_poisoned(struct kmm *k, unsigned long pfn, unsigned long last, bool want)
{
	size_t scale, offset;

	__asan_get_shadow_mapping(&scale, &offset);
	uintptr_t a = (uintptr_t)frame(k, pfn);
	uintptr_t b = (uintptr_t)frame(k, last) + PAGE_SIZE - 1;
	int8_t first = *(const volatile int8_t *)((a >> scale) + offset);
	int8_t end = *(const volatile int8_t *)((b >> scale) + offset);
	/* first byte: shadow < 0 is poisoned (> 0: a prefix is addressable);
	 * last byte of a granule: anything but 0 is poisoned */
	return want ? first < 0 && end != 0 : first == 0 && end == 0;
}

/* Free blocks (buddy blocks, pcp pages) are poisoned; reserved frames and
 * allocated blocks are not, except slab pages (objects, red zones).  Each
 * block is judged by its first and last byte: poisoning is done a block at
 * a time, and reading every frame's shadow would cost more than the rest
 * of kmm_check together. */
void kasan_check(struct kmm *k)
{
	unsigned long max = k->layout.max_pfn;

	for (unsigned long pfn = 0; pfn < max;) {
		struct page *p = &k->mem_map[pfn];
		bool is_free = PageBuddy(p) || (p->sim & KMM_SIM_PCP);
		unsigned int order = PageBuddy(p) ? page_order(p)
				     : (p->sim & KMM_SIM_ALLOCATED) ? p->owner_order : 0;
		unsigned long n = 1ul << (order < MAX_ORDER ? order : 0);
		if (pfn + n > max)
			n = max - pfn;
		if (!PageSlab(compound_head(p)) &&
		    !ends_poisoned(k, pfn, pfn + n - 1, is_free))
			kmm_bug(k, "kasan", "kasan_check: %s order-%u block at pfn "
				"0x%05lx is %s", is_free ? "free" : PageReserved(p)
				? "reserved" : "allocated", order, pfn,
				is_free ? "not poisoned" : "poisoned");
		pfn += n;
	}
}

/* ---- boot snapshot and reset ---- */

/* The addressable prefix of each granule of a frame. */
static void read_prefixes(struct kmm *k, unsigned long pfn, uint8_t *prefix)
{
	uint8_t *f = frame(k, pfn);

	for (unsigned int g = 0; g < GRANULES; g++) {
		uint8_t *p = f + g * KASAN_GRANULE_SIZE;
		uint8_t *bad = (uint8_t *)__asan_region_is_poisoned(p, KASAN_GRANULE_SIZE);
		prefix[g] = (uint8_t)(bad ? bad - p : KASAN_GRANULE_SIZE);
	}
}

static void write_prefixes(struct kmm *k, unsigned long pfn,
			   const uint8_t *prefix)
{
	uint8_t *f = frame(k, pfn);

	ASAN_POISON_MEMORY_REGION(f, PAGE_SIZE);
	for (unsigned int g = 0; g < GRANULES;) {
		if (!prefix[g]) {
			g++;
			continue;
		}
		unsigned int start = g;   /* whole granules, then maybe a part */
		while (g < GRANULES && prefix[g] == KASAN_GRANULE_SIZE)
			g++;
		size_t len = (size_t)(g - start) * KASAN_GRANULE_SIZE;
		if (g < GRANULES && prefix[g])
			len += prefix[g++];
		ASAN_UNPOISON_MEMORY_REGION(f + start * KASAN_GRANULE_SIZE, len);
	}
}

void kasan_finish_boot(struct kmm *k)
{
	struct kasan_state *ks = k->kasan;
	unsigned long n = k->layout.max_pfn, nr = 0;

	memcpy(ks->boot_cls, ks->cls, n);
	for (unsigned long pfn = 0; pfn < n; pfn++)
		nr += ks->cls[pfn] == FRAME_MIXED;
	ks->mixed = nr ? malloc(nr * sizeof(*ks->mixed)) : NULL;
	kmm_assert(k, !nr || ks->mixed);
	for (unsigned long pfn = 0; pfn < n; pfn++) {
		if (ks->cls[pfn] != FRAME_MIXED)
			continue;
		ks->mixed[ks->nr_mixed].pfn = pfn;
		read_prefixes(k, pfn, ks->mixed[ks->nr_mixed++].prefix);
	}
}

static const struct kasan_boot_frame *boot_mixed(struct kmm *k,
						 unsigned long pfn)
{
	struct kasan_state *ks = k->kasan;
	unsigned long lo = 0, hi = ks->nr_mixed;

	while (lo < hi) {
		unsigned long mid = lo + (hi - lo) / 2;
		if (ks->mixed[mid].pfn < pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	kmm_assert(k, lo < ks->nr_mixed && ks->mixed[lo].pfn == pfn);
	return &ks->mixed[lo];
}

void kasan_reset(struct kmm *k)
{
	struct kasan_state *ks = k->kasan;

	for (unsigned long i = 0; i < ks->nr_log; i++) {
		unsigned long pfn = ks->log[i];
		uint8_t c = ks->boot_cls[pfn];
		if (c == FRAME_CLEAN)
			ASAN_UNPOISON_MEMORY_REGION(frame(k, pfn), PAGE_SIZE);
		else if (c == FRAME_POISONED)
			ASAN_POISON_MEMORY_REGION(frame(k, pfn), PAGE_SIZE);
		else
			write_prefixes(k, pfn, boot_mixed(k, pfn)->prefix);
		ks->cls[pfn] = c;
	}
	ks->nr_log = 0;
}

#endif
