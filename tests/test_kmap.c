/* test_kmap.c — kmap and the pkmap pool, kmap_atomic / kmap_local and
 * the copy/clear helpers, each test without and with PAE.  Expected
 * values are the kernel's rules (mm/highmem.c, kernel-rules section 7):
 * the first pkmap entry handed out is 1, a fresh mapping has count 2, the
 * search wraps to 0 with one flush_all_zero_pkmaps, kmap_atomic slot idx
 * of a CPU is __fix_to_virt(FIX_KMAP_BEGIN + idx + KM_TYPE_NR * cpu). */
#include "kmm/highmem.h"
#include "kmm/vmalloc.h"
#include "mmu_test.h"

#define PG PAGE_SIZE


static unsigned int last_pkmap(struct kmm *k)
{
	return kmm_layout(k)->last_pkmap;
}

static vaddr_t pkaddr(struct kmm *k, unsigned int nr)
{
	return kmm_layout(k)->pkmap_base + nr * PG;
}

static pteval_t kpte(struct kmm *k, vaddr_t va)
{
	bool large;
	ptep_t ep = lookup_address(k, va, &large);

	return ep ? pte_get(k, ep) : 0;
}

static struct page **high_pages(struct kmm *k, unsigned int n)
{
	struct page **p = malloc(n * sizeof(*p));

	for (unsigned int i = 0; i < n; i++) {
		p[i] = alloc_page(k, GFP_HIGHUSER);
		if (!p[i] || !PageHighMem(k, p[i]))
			return NULL;
	}
	return p;
}

/* A lowmem page is its direct-map address; no pkmap entry is used. */
static int kmap_lowmem(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	struct page *p = alloc_page(k, GFP_KERNEL);
	ASSERT_FALSE(PageHighMem(k, p));
	vaddr_t a = kmap(k, p);
	ASSERT_EQ(a, PAGE_OFFSET + page_to_pfn(k, p) * PG);
	ASSERT_EQ(kmap_to_page(k, a + 5), p);
	for (unsigned int i = 0; i < last_pkmap(k); i++)
		ASSERT_EQ(pkmap_count(k, i), 0);
	ASSERT_EQ(kmap_stats(k)->kmap_high, 0);
	kunmap(k, p);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(kmap_lowmem)

/* The first highmem kmap gets entry 1 with count 2; a second kmap of the
 * same page shares it; kunmap back to 1 keeps the mapping (and its
 * page_address) until a flush; a kmap then reuses it without a new pte. */
static int kmap_first_entry(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	struct page **p = high_pages(k, 2);
	ASSERT_TRUE(p);
	ASSERT_EQ(page_address(k, p[0]), 0);
	vaddr_t a = kmap(k, p[0]);
	ASSERT_EQ(a, pkaddr(k, 1));
	ASSERT_EQ(pkmap_count(k, 1), 2);
	ASSERT_EQ(last_pkmap_nr(k), 1);
	ASSERT_EQ(page_address(k, p[0]), a);
	ASSERT_EQ(kpte(k, a), pfn_pte(k, page_to_pfn(k, p[0]), pgprot_kernel(k)));
	ASSERT_EQ(kmap(k, p[0]), a);
	ASSERT_EQ(pkmap_count(k, 1), 3);
	ASSERT_EQ(kmap(k, p[1]), pkaddr(k, 2));
	ASSERT_EQ(kmap_to_page(k, pkaddr(k, 2) + 77), p[1]);
	uint8_t x = 0x5c;
	ASSERT_EQ(kmm_write(k, 1, a + 9, &x, 1, false), KMM_OK);
	ASSERT_EQ(kmm_frame_r(k, page_to_pfn(k, p[0]))[9], 0x5c);
	kmm_check(k);
	kunmap(k, p[0]);
	kunmap(k, p[0]);
	ASSERT_EQ(pkmap_count(k, 1), 1);
	ASSERT_EQ(page_address(k, p[0]), a);    /* kept until flushed */
	ASSERT_TRUE(kpte(k, a));
	kmm_check(k);
	unsigned long nv = kmap_stats(k)->map_new_virtual;
	ASSERT_EQ(kmap(k, p[0]), a);
	ASSERT_EQ(kmap_stats(k)->map_new_virtual, nv);
	ASSERT_EQ(pkmap_count(k, 1), 2);
	kunmap(k, p[0]);
	kunmap(k, p[1]);
	kmm_check(k);
	free(p);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(kmap_first_entry)

/* Wrapping: entries 2..LAST-1 are kmapped and kunmapped (count 1), entry 1
 * stays in use; the next kmap wraps to 0, flush_all_zero_pkmaps frees the
 * count-1 entries (ptes cleared, page_address NULL) with a single
 * kernel-range TLB flush, and entry 0 is handed out. */
static int pkmap_wrap_and_flush(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	unsigned int last = last_pkmap(k);
	ASSERT_EQ(last, pae ? 512 : 1024);
	struct page **p = high_pages(k, last + 2);
	ASSERT_TRUE(p);
	ASSERT_EQ(kmap(k, p[0]), pkaddr(k, 1));         /* kept */
	for (unsigned int i = 1; i <= last - 2; i++) {
		ASSERT_EQ(kmap(k, p[i]), pkaddr(k, i + 1));
		kunmap(k, p[i]);
	}
	ASSERT_EQ(last_pkmap_nr(k), last - 1);
	ASSERT_EQ(kread8(k, 1, pkaddr(k, 5)), 0);       /* CPU 1 caches it */
	ASSERT_TRUE(tlb_lookup(k, 1, pkaddr(k, 5), NULL));
	ASSERT_EQ(kmap_stats(k)->flush_all_zero, 0);
	kmm_check(k);
	unsigned long f0 = tlb_stats(k, 0)->full_flushes;
	unsigned long f1 = tlb_stats(k, 1)->full_flushes;
	vaddr_t w = kmap(k, p[last - 1]);
	ASSERT_EQ(w, pkaddr(k, 0));
	ASSERT_EQ(last_pkmap_nr(k), 0);
	ASSERT_EQ(kmap_stats(k)->flush_all_zero, 1);
	ASSERT_EQ(kmap_stats(k)->pkmap_tlb_flushes, 1);
	ASSERT_EQ(tlb_stats(k, 0)->full_flushes, f0 + 1);
	ASSERT_EQ(tlb_stats(k, 1)->full_flushes, f1 + 1);
	ASSERT_FALSE(tlb_lookup(k, 1, pkaddr(k, 5), NULL));
	ASSERT_EQ(pkmap_count(k, 0), 2);
	ASSERT_EQ(pkmap_count(k, 1), 2);
	for (unsigned int i = 2; i < last; i++) {
		ASSERT_EQ(pkmap_count(k, i), 0);
		ASSERT_EQ(kpte(k, pkaddr(k, i)), 0);
		ASSERT_EQ(page_address(k, p[i - 1]), 0);
	}
	ASSERT_EQ(page_address(k, p[0]), pkaddr(k, 1));
	kmm_check(k);
	/* the search goes on from 0: entry 1 is busy, 2 is free again */
	ASSERT_EQ(kmap(k, p[last]), pkaddr(k, 2));
	ASSERT_EQ(kmap(k, p[1]), pkaddr(k, 3));
	kmm_check(k);
	free(p);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(pkmap_wrap_and_flush)

static void kmap_fn(struct kmm *k, void *arg) { kmap(k, arg); }
static void kunmap_fn(struct kmm *k, void *arg) { kunmap(k, arg); }

/* Every entry in use: the next kmap would sleep forever: reported as a
 * deadlock.  An entry released to count 1 is found again, but only after
 * the wrap's flush. */
static int pkmap_pool_exhaustion(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	unsigned int last = last_pkmap(k);
	struct page **p = high_pages(k, last + 1);
	ASSERT_TRUE(p);
	for (unsigned int i = 0; i < last; i++)
		ASSERT_EQ(kmap(k, p[i]), pkaddr(k, (i + 1) % last));
	ASSERT_EQ(kmap_stats(k)->flush_all_zero, 1);    /* the wrap to 0 ... */
	ASSERT_EQ(kmap_stats(k)->pkmap_tlb_flushes, 0); /* ... had nothing */
	kmm_check(k);
	ASSERT_TRUE(expect_report(k, kmap_fn, p[last], "deadlock"));
	kunmap(k, p[5]);                                /* entry 6 to count 1 */
	ASSERT_EQ(kmap(k, p[last]), pkaddr(k, 6));
	ASSERT_EQ(kmap_stats(k)->flush_all_zero, 2);
	ASSERT_EQ(kmap_stats(k)->pkmap_tlb_flushes, 1);
	ASSERT_EQ(page_address(k, p[5]), 0);
	kmm_check(k);
	free(p);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(pkmap_pool_exhaustion)

/* kunmap of a page that is not kmapped, and one kunmap too many. */
static int kunmap_misuse(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	struct page **p = high_pages(k, 2);
	ASSERT_TRUE(p);
	ASSERT_TRUE(expect_report(k, kunmap_fn, p[0], "is not kmapped"));
	kmap(k, p[1]);
	kunmap(k, p[1]);
	ASSERT_TRUE(expect_report(k, kunmap_fn, p[1], "reached 0"));
	kmm_check(k);
	free(p);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(kunmap_misuse)

/* kmap_atomic nests to KM_TYPE_NR highmem slots per CPU at the kernel's
 * fixmap addresses; a lowmem page takes no slot; LIFO unmaps clear each
 * pte and flush it on the local CPU. */
static int kmap_atomic_nesting(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	const struct kmm_layout *l = kmm_layout(k);
	struct page **p = high_pages(k, KM_TYPE_NR + 1);
	struct page *low = alloc_page(k, GFP_KERNEL);
	ASSERT_TRUE(p && low);
	vaddr_t a[KM_TYPE_NR], lw = kmap_atomic(k, low);
	ASSERT_EQ(lw, page_address(k, low));
	for (unsigned int i = 0; i < KM_TYPE_NR; i++) {
		a[i] = kmap_atomic(k, p[i]);
		ASSERT_EQ(a[i], __fix_to_virt(l, FIX_KMAP_BEGIN + i));
		ASSERT_EQ(kmap_to_page(k, a[i] + 100), p[i]);
		uint8_t x = (uint8_t)(i + 1);
		ASSERT_EQ(kmm_write(k, 0, a[i] + i, &x, 1, false), KMM_OK);
		ASSERT_EQ(kmm_frame_r(k, page_to_pfn(k, p[i]))[i], i + 1);
	}
	ASSERT_EQ(kmap_atomic_depth(k, 0), KM_TYPE_NR + 1);
	ASSERT_EQ(kmap_local_depth(k, 0), KM_TYPE_NR + 1);
	ASSERT_TRUE(in_atomic(k));
	ASSERT_EQ(page_address(k, p[0]), 0);    /* not a pkmap mapping */
	kmm_check(k);
	ASSERT_TRUE(tlb_lookup(k, 0, a[3], NULL));
	for (int i = KM_TYPE_NR - 1; i >= 0; i--) {
		kunmap_atomic(k, a[i] + 17);    /* any address in the page */
		ASSERT_EQ(kpte(k, a[i]), 0);
		ASSERT_FALSE(tlb_lookup(k, 0, a[i], NULL));
	}
	kunmap_atomic(k, lw);
	ASSERT_FALSE(in_atomic(k));
	ASSERT_EQ(kmap_stats(k)->kmap_atomic_high, KM_TYPE_NR);
	ASSERT_EQ(kmap_stats(k)->kmap_atomic_low, 1);
	/* CPU 1's slots come after CPU 0's */
	kmm_set_cpu(k, 1);
	vaddr_t b = kmap_atomic(k, p[KM_TYPE_NR]);
	ASSERT_EQ(b, __fix_to_virt(l, FIX_KMAP_BEGIN + KM_TYPE_NR));
	ASSERT_EQ(kmap_atomic_depth(k, 0), 0);
	ASSERT_TRUE(in_atomic(k));
	kmm_check(k);
	kunmap_atomic(k, b);
	kmm_set_cpu(k, 0);
	kmap_exit_check(k);
	kmm_check(k);
	free(p);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(kmap_atomic_nesting)

struct pp {
	struct page *a, *b;
};

static void overflow_fn(struct kmm *k, void *arg)
{
	struct page **p = arg;
	for (unsigned int i = 0; i <= KM_TYPE_NR; i++)
		kmap_atomic(k, p[i]);
}

static void out_of_order_fn(struct kmm *k, void *arg)
{
	struct pp *q = arg;
	vaddr_t a = kmap_atomic(k, q->a);
	kmap_atomic(k, q->b);
	kunmap_atomic(k, a);
}

static void unmap_none_fn(struct kmm *k, void *arg)
{
	(void)arg;
	kunmap_atomic(k, __fix_to_virt(kmm_layout(k), FIX_KMAP_BEGIN));
}

static void unmap_foreign_fn(struct kmm *k, void *arg)
{
	struct pp *q = arg;
	kmap_atomic(k, q->a);
	kunmap_atomic(k, PAGE_OFFSET + 0x100000);
}

static void wrong_kind_fn(struct kmm *k, void *arg)
{
	struct pp *q = arg;
	kunmap_local(k, kmap_atomic(k, q->a));
}

static void sleep_fn(struct kmm *k, void *arg)
{
	struct pp *q = arg;
	kmap_atomic(k, q->a);
	kmap(k, q->b);
}

static void sleep_vfree_fn(struct kmm *k, void *arg)
{
	struct pp *q = arg;
	vaddr_t v = vmalloc(k, PG);
	kmap_atomic(k, q->a);
	vfree(k, v);
}

static void exit_atomic_fn(struct kmm *k, void *arg)
{
	struct pp *q = arg;
	kmap_atomic(k, q->a);
	kmap_exit_check(k);
}

static void exit_local_fn(struct kmm *k, void *arg)
{
	struct pp *q = arg;
	kmap_local_page(k, q->a);
	kmap_exit_check(k);
}

static void other_cpu_fn(struct kmm *k, void *arg)
{
	struct pp *q = arg;
	vaddr_t a = kmap_atomic(k, q->a);
	kmm_set_cpu(k, 1);
	kunmap_atomic(k, a);
}

static void kmap_to_page_fn(struct kmm *k, void *arg)
{
	(void)arg;
	kmap_to_page(k, k ? kmm_layout(k)->pkmap_base + 9 * PG : 0);
}

/* Every misuse of the temporary mappings is reported. */
static int kmap_atomic_misuse(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	struct page **p = high_pages(k, KM_TYPE_NR + 1);
	ASSERT_TRUE(p);
	struct pp q = {p[0], p[1]};
	ASSERT_TRUE(expect_report(k, overflow_fn, p, "more than KM_TYPE_NR"));
	ASSERT_TRUE(expect_report(k, out_of_order_fn, &q, "out of order"));
	ASSERT_TRUE(expect_report(k, unmap_none_fn, &q, "no temporary mapping held"));
	ASSERT_TRUE(expect_report(k, unmap_foreign_fn, &q,
			       "not a mapping this CPU holds"));
	ASSERT_TRUE(expect_report(k, wrong_kind_fn, &q, "of a kmap_atomic mapping"));
	ASSERT_TRUE(expect_report(k, sleep_fn, &q,
			       "sleeping function called from invalid context"));
	ASSERT_TRUE(expect_report(k, sleep_vfree_fn, &q,
			       "sleeping function called from invalid context"));
	ASSERT_TRUE(expect_report(k, exit_atomic_fn, &q, "scheduling while atomic"));
	ASSERT_TRUE(expect_report(k, exit_local_fn, &q, "leaked kmap_local"));
	ASSERT_TRUE(expect_report(k, other_cpu_fn, &q, "no temporary mapping held"));
	ASSERT_TRUE(expect_report(k, kmap_to_page_fn, NULL, "nothing is mapped there"));
	/* a kmap_atomic address used from another CPU stays in its TLB after
	 * the local unmap: the sweep reports the stale entry */
	vaddr_t a = kmap_atomic(k, p[0]);
	ASSERT_EQ(kread8(k, 1, a), 0);
	kunmap_atomic(k, a);
	ASSERT_TRUE(check_reports(k, "stale TLB entry"));
	free(p);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(kmap_atomic_misuse)

/* kmap_local_page shares the stack and the slots but is not atomic:
 * sleeping is allowed while it is held. */
static int kmap_local_mixed(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	const struct kmm_layout *l = kmm_layout(k);
	struct page **p = high_pages(k, 3);
	ASSERT_TRUE(p);
	vaddr_t a = kmap_local_page(k, p[0]);
	ASSERT_EQ(a, __fix_to_virt(l, FIX_KMAP_BEGIN));
	ASSERT_FALSE(in_atomic(k));
	vaddr_t v = vmalloc(k, PG);             /* may sleep: fine */
	ASSERT_TRUE(v);
	vaddr_t b = kmap_atomic(k, p[1]);
	ASSERT_EQ(b, __fix_to_virt(l, FIX_KMAP_BEGIN + 1));
	ASSERT_TRUE(in_atomic(k));
	vaddr_t c = kmap_local_page(k, p[2]);
	ASSERT_EQ(c, __fix_to_virt(l, FIX_KMAP_BEGIN + 2));
	ASSERT_EQ(kmap_local_depth(k, 0), 3);
	ASSERT_EQ(kmap_atomic_depth(k, 0), 1);
	kmm_check(k);
	kunmap_local(k, c);
	kunmap_atomic(k, b);
	kunmap_local(k, a);
	ASSERT_EQ(kmap_local_depth(k, 0), 0);
	kmap_exit_check(k);
	vfree(k, v);
	kmm_check(k);
	free(p);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(kmap_local_mixed)

static void crossing_fn(struct kmm *k, void *arg)
{
	uint8_t buf[200] = {0};
	memcpy_to_page(k, arg, 4000, buf, sizeof(buf));
}

/* The copy and clear helpers move bytes through the temporary mappings
 * (the stats count the mappings) and leave nothing mapped. */
static int copy_clear_helpers(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	struct page **h = high_pages(k, 2);
	struct page *lo = alloc_page(k, GFP_KERNEL);
	ASSERT_TRUE(h && lo);
	const uint8_t *f0 = kmm_frame_r(k, page_to_pfn(k, h[0]));
	const uint8_t *f1 = kmm_frame_r(k, page_to_pfn(k, h[1]));
	const uint8_t *fl = kmm_frame_r(k, page_to_pfn(k, lo));
	memcpy_to_page(k, h[0], 100, "hello", 5);
	ASSERT_EQ(memcmp(f0 + 100, "hello", 5), 0);
	char got[6] = {0};
	memcpy_from_page(k, got, h[0], 101, 4);
	ASSERT_EQ(strcmp(got, "ello"), 0);
	memset_page(k, h[1], 0, 0xab, PG);
	for (unsigned int i = 0; i < PG; i += 97)
		ASSERT_EQ(f1[i], 0xab);
	copy_highpage(k, lo, h[1]);
	for (unsigned int i = 0; i < PG; i += 89)
		ASSERT_EQ(fl[i], 0xab);
	zero_user(k, lo, 10, 20);
	ASSERT_EQ(fl[9], 0xab);
	ASSERT_EQ(fl[10], 0);
	ASSERT_EQ(fl[29], 0);
	ASSERT_EQ(fl[30], 0xab);
	memcpy_page(k, h[0], 0, lo, 8, 4);      /* ab ab 00 00 */
	ASSERT_EQ(f0[0], 0xab);
	ASSERT_EQ(f0[2], 0);
	memzero_page(k, h[0], 100, 2);
	ASSERT_EQ(memcmp(f0 + 100, "\0\0llo", 5), 0);
	clear_highpage(k, h[1]);
	for (unsigned int i = 0; i < PG; i += 61)
		ASSERT_EQ(f1[i], 0);
	const struct kmap_stats *s = kmap_stats(k);
	ASSERT_EQ(s->kmap_local_high, 5);       /* to, from, memset, page, zero */
	ASSERT_EQ(s->kmap_local_low, 2);        /* zero_user, memcpy_page src */
	ASSERT_EQ(s->kmap_atomic_high, 2);      /* copy_highpage from, clear */
	ASSERT_EQ(s->kmap_atomic_low, 1);       /* copy_highpage to */
	ASSERT_EQ(kmap_local_depth(k, 0), 0);
	for (unsigned int i = 0; i < KM_TYPE_NR; i++)
		ASSERT_EQ(kpte(k, kmap_atomic_slot_addr(k, 0, i)), 0);
	ASSERT_TRUE(expect_report(k, crossing_fn, h[0], "crosses the page"));
	kmm_check(k);
	free(h);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(copy_clear_helpers)

/* Anonymous user pages come from highmem: the first write fault clears a
 * (recycled, dirty) page through kmap_atomic, and a COW after fork copies
 * it through two nested kmap_atomic slots. */
static int user_pages_through_kmap(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	struct mm_struct *mm = start_process(k, 0);
	ASSERT_TRUE(mm);
	long addr = do_mmap_pgoff(k, mm, NULL, 0, 4 * PG, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, 0);
	ASSERT_TRUE(addr > 0);
	/* leave garbage in a highmem movable page at the head of the pcp list */
	struct page *d = alloc_page(k, GFP_HIGHUSER_MOVABLE);
	memset_page(k, d, 0, 0x99, PG);
	__free_page(k, d);
	unsigned long at0 = kmap_stats(k)->kmap_atomic_high;
	ASSERT_EQ(uwrite8(k, 0, (vaddr_t)addr + 10, 0x31), KMM_OK);
	ASSERT_EQ(kmap_stats(k)->kmap_atomic_high, at0 + 1);
	pteval_t pte = mm_pteval(k, mm, (vaddr_t)addr);
	struct page *pg = pfn_to_page(k, pte_pfn(k, pte));
	ASSERT_TRUE(PageHighMem(k, pg));
	ASSERT_EQ(pg, d);                       /* the recycled page */
	for (unsigned int i = 0; i < PG; i += 37)
		ASSERT_EQ(kmm_frame_r(k, page_to_pfn(k, pg))[i], i == 10 ? 0x31 : 0);
	ASSERT_EQ(uread8(k, 0, (vaddr_t)addr + 11), 0);
	struct mm_struct *child = dup_mm(k, mm);
	ASSERT_TRUE(child);
	switch_mm(k, 1, child);
	unsigned long at1 = kmap_stats(k)->kmap_atomic_high;
	ASSERT_EQ(uwrite8(k, 1, (vaddr_t)addr + 20, 0x44), KMM_OK);
	ASSERT_EQ(kmap_stats(k)->kmap_atomic_high, at1 + 2);
	struct page *cp = pfn_to_page(k, pte_pfn(k, mm_pteval(k, child, (vaddr_t)addr)));
	ASSERT_NE(cp, pg);
	ASSERT_EQ(uread8(k, 1, (vaddr_t)addr + 10), 0x31);
	ASSERT_EQ(uread8(k, 1, (vaddr_t)addr + 20), 0x44);
	ASSERT_EQ(uread8(k, 0, (vaddr_t)addr + 20), 0);
	ASSERT_EQ(kmap_local_depth(k, 0) + kmap_local_depth(k, 1), 0);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(user_pages_through_kmap)

/* Reset: pkmap counts, the hash and the per-CPU stacks back to boot. */
static int kmap_reset(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	struct page **p = high_pages(k, 3);
	ASSERT_TRUE(p);
	kmap(k, p[0]);
	kmap(k, p[1]);
	kunmap(k, p[1]);
	kmap_atomic(k, p[2]);
	kmm_set_cpu(k, 1);
	kmap_local_page(k, p[2]);
	kmm_reset(k);
	for (unsigned int i = 0; i < last_pkmap(k); i++)
		ASSERT_EQ(pkmap_count(k, i), 0);
	ASSERT_EQ(last_pkmap_nr(k), 0);
	ASSERT_EQ(page_address(k, p[0]), 0);
	ASSERT_EQ(kmap_local_depth(k, 0) + kmap_local_depth(k, 1), 0);
	ASSERT_EQ(kpte(k, pkaddr(k, 1)), 0);
	ASSERT_EQ(kpte(k, __fix_to_virt(kmm_layout(k), FIX_KMAP_BEGIN)), 0);
	kmm_check(k);
	struct page *n = alloc_page(k, GFP_HIGHUSER);
	ASSERT_EQ(kmap(k, n), pkaddr(k, 1));
	kmm_check(k);
	free(p);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(kmap_reset)

static const struct test_case tests[] = {
	TEST_BOTH(kmap_lowmem),
	TEST_BOTH(kmap_first_entry),
	TEST_BOTH(pkmap_wrap_and_flush),
	TEST_BOTH(pkmap_pool_exhaustion),
	TEST_BOTH(kunmap_misuse),
	TEST_BOTH(kmap_atomic_nesting),
	TEST_BOTH(kmap_atomic_misuse),
	TEST_BOTH(kmap_local_mixed),
	TEST_BOTH(copy_clear_helpers),
	TEST_BOTH(user_pages_through_kmap),
	TEST_BOTH(kmap_reset),
};
TEST_MAIN(tests)
