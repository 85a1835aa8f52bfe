/* test_vmalloc.c — vmalloc, vmap, ioremap and the lazy purge, each test
 * without and with PAE.  Expected values come from the kernel's rules:
 * lowest-address fit with a guard page after every area, PAGE_ALIGN'ed
 * sizes, a nested vmalloc for a pages array above a page (4-byte
 * pointers), lazy_max_pages = fls(CPUs) * 32 MiB, a purge only when the
 * lazy count goes strictly above it or an allocation finds no room, and
 * ioremap's size alignment up to IOREMAP_MAX_ORDER. */
#include "kmm/highmem.h"
#include "kmm/slab.h"
#include "kmm/vmalloc.h"
#include "mmu_test.h"

#define PG PAGE_SIZE

static uint32_t page_align(uint64_t x) { return (uint32_t)((x + PG - 1) & ~(uint64_t)(PG - 1)); }



static unsigned long area_pages(const struct kmm_layout *l)
{
	return (l->vmalloc_end - l->vmalloc_start) / PG;
}

/* Writes a pattern through the vmalloc address (kernel mode, CPU 0) and
 * reads every backing page back through kmap. */
static int write_read_through_kmap(struct kmm *k, vaddr_t addr, uint32_t size,
				   uint8_t seed)
{
	uint8_t buf[PG], got[PG];

	for (uint32_t off = 0; off < size; off += PG) {
		uint32_t n = size - off < PG ? size - off : PG;
		for (uint32_t i = 0; i < n; i++)
			buf[i] = (uint8_t)(seed + off / PG * 31 + i * 7);
		ASSERT_EQ(kmm_write(k, 0, addr + off, buf, n, false), KMM_OK);
	}
	for (uint32_t off = 0; off < size; off += PG) {
		uint32_t n = size - off < PG ? size - off : PG;
		struct page *p = vmalloc_to_page(k, addr + off);
		ASSERT_TRUE(p);
		vaddr_t ka = kmap(k, p);
		ASSERT_NE(ka, 0);
		if (PageHighMem(k, p))
			ASSERT_TRUE(ka >= kmm_layout(k)->pkmap_base);
		else
			ASSERT_EQ(ka, page_address(k, p));
		ASSERT_EQ(kmm_read(k, 0, ka, got, n, false), KMM_OK);
		for (uint32_t i = 0; i < n; i++)
			ASSERT_EQ(got[i], (uint8_t)(seed + off / PG * 31 + i * 7));
		kunmap(k, p);
	}
	return 0;
}

/* Sizes from one byte up: each area is PAGE_ALIGN(size) plus a guard page,
 * placed right after the previous one; a pages array above 4 KiB (more
 * than 1024 pages) is itself vmalloc'ed right after its area. */
static int vmalloc_sizes(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	const struct kmm_layout *l = kmm_layout(k);
	static const uint32_t sizes[] = {1, 4095, 4096, 4097, 3 * 4096 + 1,
					 64 << 10, 1 << 20, (4 << 20) + 1};
	vaddr_t at = l->vmalloc_start, addr[8];
	unsigned long pages = 0;

	for (int i = 0; i < 8; i++) {
		addr[i] = vmalloc(k, sizes[i]);
		ASSERT_EQ(addr[i], at);
		struct vm_struct *vm = find_vm_area(k, addr[i]);
		ASSERT_TRUE(vm);
		ASSERT_EQ(vm->size, page_align(sizes[i]) + PG);
		ASSERT_EQ(vm->nr_pages, page_align(sizes[i]) / PG);
		ASSERT_EQ(vm->flags, VM_ALLOC);
		ASSERT_TRUE(is_vmalloc_addr(k, addr[i]));
		pages += vm->nr_pages;
		at += vm->size;
		if (vm->nr_pages * 4 > PG) {            /* nested pages array */
			ASSERT_TRUE(vm->pages_vmalloced);
			ASSERT_EQ(vm->pages_obj, at);
			struct vm_struct *a = find_vm_area(k, at);
			ASSERT_TRUE(a);
			ASSERT_EQ(a->nr_pages, page_align(vm->nr_pages * 4) / PG);
			pages += a->nr_pages;
			at += a->size;
		} else {
			ASSERT_FALSE(vm->pages_vmalloced);
			ASSERT_TRUE(virt_to_cache(k, vm->pages_obj));
		}
		/* GFP_KERNEL | __GFP_HIGHMEM: the highmem zone serves first */
		for (unsigned int j = 0; j < vm->nr_pages; j++) {
			ASSERT_TRUE(PageHighMem(k, vm->pages[j]));
			ASSERT_EQ(vmalloc_to_page(k, addr[i] + j * PG), vm->pages[j]);
			ASSERT_EQ(vmalloc_to_pfn(k, addr[i] + j * PG),
				  page_to_pfn(k, vm->pages[j]));
		}
		ASSERT_EQ(vmalloc_to_page(k, addr[i] + vm->nr_pages * PG), NULL);
	}
	struct vmalloc_info vi;
	vmalloc_info(k, &vi);
	ASSERT_EQ(vi.nr_vmalloc_pages, pages);
	ASSERT_EQ(vi.nr_busy, 9);
	ASSERT_EQ(vi.nr_free, 1);
	for (int i = 0; i < 8; i++)
		ASSERT_EQ(write_read_through_kmap(k, addr[i], sizes[i], (uint8_t)i), 0);
	kmm_check(k);
	/* more pages than RAM: refused before any area is made */
	ASSERT_EQ(vmalloc(k, (kmm_boot_stats(k)->freed_pages + 1) * PG), 0);
	for (int i = 7; i >= 0; i--)
		vfree(k, addr[i]);
	vmalloc_info(k, &vi);
	ASSERT_EQ(vi.nr_vmalloc_pages, 0);
	ASSERT_EQ(vi.nr_busy, 0);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(vmalloc_sizes)

/* A large fraction of the area (classic: 120 MiB): 100 MiB in one area.
 * Its free puts 25601 pages on the lazy list, more than lazy_max_pages
 * (16384 with 2 CPUs), so it is purged at once; the 25-page pages array
 * is freed after it and stays lazy. */
static int vmalloc_large_fraction(bool pae)
{
	struct kmm *k = boot_preset("classic", pae);
	ASSERT_TRUE(k);
	const struct kmm_layout *l = kmm_layout(k);
	uint32_t size = 100u << 20;
	ASSERT_EQ(area_pages(l), 30720);
	ASSERT_EQ(lazy_max_pages(k), 16384);
	vaddr_t a = vmalloc(k, size);
	ASSERT_EQ(a, l->vmalloc_start);
	struct vm_struct *vm = find_vm_area(k, a);
	ASSERT_EQ(vm->nr_pages, 25600);
	ASSERT_EQ(vm->pages_obj, a + size + PG);
	ASSERT_EQ(find_vm_area(k, vm->pages_obj)->nr_pages, 25);
	for (uint32_t off = 0; off < size; off += PG) {
		uint32_t v = off ^ 0x5a5a5a5a;
		ASSERT_EQ(kmm_write(k, 0, a + off + 12, &v, 4, false), KMM_OK);
	}
	for (uint32_t off = 0; off < size; off += 97 * PG) {
		struct page *p = vmalloc_to_page(k, a + off);
		vaddr_t ka = kmap(k, p);
		uint32_t v;
		ASSERT_EQ(kmm_read(k, 0, ka + 12, &v, 4, false), KMM_OK);
		ASSERT_EQ(v, off ^ 0x5a5a5a5a);
		kunmap(k, p);
	}
	kmm_check(k);
	/* what is left cannot hold the rest of the range */
	ASSERT_EQ(vmalloc(k, 20u << 20), 0);
	vfree(k, a);
	struct vmalloc_info vi;
	vmalloc_info(k, &vi);
	ASSERT_EQ(vi.purges, 1);        /* the area, at once; not its array */
	ASSERT_EQ(vi.vmap_lazy_nr, 26);
	ASSERT_EQ(vi.alloc_failures, 1);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(vmalloc_large_fraction)

/* vmalloc_32 takes lowmem; vzalloc zeroes recycled dirty pages;
 * vmalloc_user is zeroed and VM_USERMAP. */
static int vmalloc_variants(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	vaddr_t a = vmalloc_32(k, 8 * PG);
	ASSERT_TRUE(a);
	struct vm_struct *vm = find_vm_area(k, a);
	for (int i = 0; i < 8; i++)
		ASSERT_FALSE(PageHighMem(k, vm->pages[i]));
	/* dirty 8 highmem pages, free them (they go to CPU 0's pcp list) */
	struct page *d[8];
	for (int i = 0; i < 8; i++) {
		d[i] = alloc_page(k, GFP_HIGHUSER);
		ASSERT_TRUE(d[i] && PageHighMem(k, d[i]));
		memset_page(k, d[i], 0, 0xee, PG);
	}
	for (int i = 0; i < 8; i++)
		__free_page(k, d[i]);
	vaddr_t z = vzalloc(k, 8 * PG);
	vaddr_t u = vmalloc_user(k, 3 * PG);
	ASSERT_TRUE(z && u);
	for (uint32_t off = 0; off < 8 * PG; off += 509)
		ASSERT_EQ(kread8(k, 0, z + off), 0);
	ASSERT_EQ(find_vm_area(k, u)->flags, VM_ALLOC | VM_USERMAP);
	for (uint32_t off = 0; off < 3 * PG; off += 331)
		ASSERT_EQ(kread8(k, 1, u + off), 0);
	vaddr_t a32u = vmalloc_32_user(k, PG);
	ASSERT_FALSE(PageHighMem(k, vmalloc_to_page(k, a32u)));
	/* kvmalloc: a page or less comes from kmalloc, more may vmalloc */
	vaddr_t kv = kvmalloc(k, 100, GFP_KERNEL);
	ASSERT_TRUE(kv && !is_vmalloc_addr(k, kv));
	kmm_check(k);
	kvfree(k, kv);
	vfree(k, a);
	vfree(k, z);
	vfree(k, u);
	vfree(k, a32u);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(vmalloc_variants)

static void kread_fn(struct kmm *k, void *arg)
{
	kread8(k, 0, *(vaddr_t *)arg);
}

/* The guard page after an area is never mapped: a kernel access oopses. */
static int guard_page_faults(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	vaddr_t a = vmalloc(k, 2 * PG), b = vmalloc(k, PG);
	ASSERT_EQ(b, a + 3 * PG);
	ASSERT_EQ(kread8(k, 0, a + 2 * PG - 1), kread8(k, 0, a + 2 * PG - 1));
	vaddr_t guard = a + 2 * PG;
	ASSERT_EQ(vmalloc_to_page(k, guard), NULL);
	ASSERT_TRUE(expect_report(k, kread_fn, &guard,
			       "unable to handle kernel paging request"));
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(guard_page_faults)

/* Alignment: a 64 KiB-aligned area skips ahead; the hole before it stays
 * free and the next small vmalloc takes it (lowest fit). */
static int vmalloc_alignment(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	const struct kmm_layout *l = kmm_layout(k);
	vaddr_t a = vmalloc(k, 3 * PG);
	ASSERT_EQ(a, l->vmalloc_start);
	vaddr_t b = __vmalloc_node_range(k, PG, 64 << 10, l->vmalloc_start,
					 l->vmalloc_end, GFP_KERNEL,
					 pgprot_kernel(k), 0);
	vaddr_t want = (a + 4 * PG + 0xffff) & ~0xffffu;
	ASSERT_EQ(b, want);
	ASSERT_TRUE(want > a + 4 * PG);         /* true of both presets */
	vaddr_t fr[4][2];
	ASSERT_EQ(vmalloc_free_areas(k, fr, 4), 2);
	ASSERT_EQ(fr[0][0], a + 4 * PG);
	ASSERT_EQ(fr[0][1], want);
	ASSERT_EQ(fr[1][0], want + 2 * PG);
	ASSERT_EQ(fr[1][1], l->vmalloc_end);
	vaddr_t c = vmalloc(k, PG);
	ASSERT_EQ(c, a + 4 * PG);
	/* a restricted range is honoured */
	vaddr_t lo = l->vmalloc_start + (16u << 20), hi = lo + (1u << 20);
	vaddr_t d = __vmalloc_node_range(k, 3 * PG, 1, lo, hi, GFP_KERNEL,
					 pgprot_kernel(k), 0);
	ASSERT_EQ(d, lo);
	ASSERT_EQ(__vmalloc_node_range(k, 1u << 20, 1, lo, hi, GFP_KERNEL,
				       pgprot_kernel(k), 0), 0);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(vmalloc_alignment)

/* Fragmentation, exhaustion, recovery: the range is tiled with areas of
 * S = 4096 pages (vmaps of one page 4095 times, guard included), every
 * other one is freed, a bigger area then finds no hole, and freeing the
 * area between two holes lets it in. */
static int fragmentation_exhaustion_recovery(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	const struct kmm_layout *l = kmm_layout(k);
	const unsigned int S = 4096;
	unsigned long total = area_pages(l), n = total / S, r = total % S;
	struct page *pg = alloc_page(k, GFP_KERNEL | __GFP_ZERO);
	struct page **pages = malloc(2 * S * sizeof(*pages));
	ASSERT_TRUE(pg && pages);
	for (unsigned int i = 0; i < 2 * S; i++)
		pages[i] = pg;
	vaddr_t *v = calloc(n + 1, sizeof(*v));
	unsigned long got = 0;
	for (;;) {
		vaddr_t a = vmap(k, pages, S - 1, VM_MAP, pgprot_kernel(k));
		if (!a)
			break;
		ASSERT_EQ(a, l->vmalloc_start + got * S * PG);
		v[got++] = a;
	}
	ASSERT_EQ(got, n);
	struct vmalloc_info vi;
	vmalloc_info(k, &vi);
	ASSERT_EQ(vi.alloc_failures, 1);
	if (r >= 2) {
		ASSERT_EQ(vmap(k, pages, (unsigned int)r - 1, VM_MAP, pgprot_kernel(k)),
			  l->vmalloc_start + n * S * PG);
	}
	ASSERT_EQ(vmap(k, pages, 1, VM_MAP, pgprot_kernel(k)), 0);      /* full */
	ASSERT_EQ(kread8(k, 0, v[n - 1] + 5 * PG), 0);
	kmm_check(k);
	/* free the even areas: lazy pages pile up, a purge runs each time
	 * they go above lazy_max_pages (4 areas), i.e. on every 5th free */
	unsigned long freed = 0, per = lazy_max_pages(k) / S + 1;
	for (unsigned long i = 0; i < n; i += 2) {
		vunmap(k, v[i]);
		freed++;
	}
	vmalloc_info(k, &vi);
	ASSERT_EQ(vi.purges, freed / per);
	ASSERT_EQ(vi.vmap_lazy_nr, (freed % per) * S);
	/* one area fits in the lowest purged hole */
	vaddr_t a = vmap(k, pages, S - 1, VM_MAP, pgprot_kernel(k));
	ASSERT_EQ(a, v[0]);
	/* two areas' worth fits nowhere, even after the purge it triggers */
	ASSERT_EQ(vmap(k, pages, 2 * S - 1, VM_MAP, pgprot_kernel(k)), 0);
	vmalloc_info(k, &vi);
	ASSERT_EQ(vi.vmap_lazy_nr, 0);
	ASSERT_EQ(vi.largest_free, S * PG);
	kmm_check(k);
	/* recovery: area 3 sits between holes 2 and 4 */
	vunmap(k, v[3]);
	ASSERT_EQ(vmalloc_addr_state(k, v[3]), 2);
	vaddr_t b = vmap(k, pages, 2 * S - 1, VM_MAP, pgprot_kernel(k));
	ASSERT_EQ(b, v[2]);
	ASSERT_EQ(kread8(k, 1, b + (2 * S - 2) * PG), 0);
	kmm_check(k);
	free(pages);
	free(v);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(fragmentation_exhaustion_recovery)

/* The same with vmalloc and vfree on the classic machine (120 MiB area):
 * 4 MiB areas (1025 pages with the guard) tile it 29 times, the rest is
 * exactly one more area; freeing the even ones leaves isolated holes and
 * 15 * 1025 lazy pages, under lazy_max_pages, so the first refill has to
 * purge; 8 MiB fits only once the area between two holes is vfree'd. */
static int vmalloc_fragmentation_recovery(bool pae)
{
	struct kmm *k = boot_preset("classic", pae);
	ASSERT_TRUE(k);
	const struct kmm_layout *l = kmm_layout(k);
	const uint32_t S = 1025;                /* pages per 4 MiB area */
	unsigned long total = area_pages(l), n = total / S, r = total % S;
	ASSERT_EQ(n, 29);
	vaddr_t v[32];
	for (unsigned long i = 0; i < n; i++) {
		v[i] = vmalloc(k, 4u << 20);
		ASSERT_EQ(v[i], l->vmalloc_start + i * S * PG);
	}
	ASSERT_EQ(vmalloc(k, 4u << 20), 0);
	vaddr_t tail = vmalloc(k, (r - 1) * PG);
	ASSERT_EQ(tail, l->vmalloc_start + n * S * PG);
	ASSERT_EQ(vmalloc(k, 1), 0);
	struct vmalloc_info vi;
	vmalloc_info(k, &vi);
	ASSERT_EQ(vi.nr_free, 0);
	ASSERT_EQ(vi.alloc_failures, 2);
	ASSERT_EQ(vi.nr_vmalloc_pages, n * 1024 + r - 1);
	kmm_check(k);
	unsigned long freed = 0;
	for (unsigned long i = 0; i < n; i += 2, freed++)
		vfree(k, v[i]);
	vmalloc_info(k, &vi);
	ASSERT_EQ(vi.vmap_lazy_nr, freed * S);
	ASSERT_TRUE(vi.vmap_lazy_nr <= lazy_max_pages(k));
	ASSERT_EQ(vi.purges, 0);
	ASSERT_EQ(vi.nr_free, 0);
	/* nothing is free until the purge the refill triggers */
	ASSERT_EQ(vmalloc(k, 4u << 20), v[0]);
	vmalloc_info(k, &vi);
	ASSERT_EQ(vi.purges, 1);
	ASSERT_EQ(vi.vmap_lazy_nr, 0);
	ASSERT_EQ(vmalloc(k, 8u << 20), 0);     /* holes of 1025 pages only */
	ASSERT_EQ(vmalloc_addr_state(k, v[2]), 3);
	kmm_check(k);
	vfree(k, v[3]);
	ASSERT_EQ(vmalloc(k, 8u << 20), v[2]);
	vmalloc_info(k, &vi);
	ASSERT_EQ(vi.purges, 2);
	ASSERT_EQ(vi.alloc_failures, 3);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(vmalloc_fragmentation_recovery)

/* The lazy threshold: a purge runs when vmap_lazy_nr goes strictly above
 * lazy_max_pages, not when it reaches it. */
static int lazy_threshold(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	unsigned long max = lazy_max_pages(k);
	ASSERT_EQ(max, 2 * 8192);       /* fls(2) * 32 MiB / 4 KiB */
	struct page *pg = alloc_page(k, GFP_KERNEL);
	struct page **pages = malloc(max * sizeof(*pages));
	for (unsigned long i = 0; i < max; i++)
		pages[i] = pg;
	vaddr_t a = vmap(k, pages, (unsigned int)(max / 2 - 1), VM_MAP, pgprot_kernel(k));
	vaddr_t b = vmap(k, pages, (unsigned int)(max / 2 - 1), VM_MAP, pgprot_kernel(k));
	vaddr_t c = vmap(k, pages, 1, VM_MAP, pgprot_kernel(k));
	ASSERT_TRUE(a && b && c);
	vunmap(k, a);
	vunmap(k, b);
	struct vmalloc_info vi;
	vmalloc_info(k, &vi);
	ASSERT_EQ(vi.vmap_lazy_nr, max);
	ASSERT_EQ(vi.purges, 0);
	ASSERT_EQ(vi.nr_lazy, 1);       /* the two neighbours merged */
	kmm_check(k);
	vunmap(k, c);
	vmalloc_info(k, &vi);
	ASSERT_EQ(vi.purges, 1);
	ASSERT_EQ(vi.purged_areas, 1);  /* a, b and c had merged */
	ASSERT_EQ(vi.vmap_lazy_nr, 0);
	ASSERT_EQ(vi.nr_free, 1);
	kmm_check(k);
	free(pages);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(lazy_threshold)

/* A freed area's addresses come back only after the purge, and the purge
 * flushes the stale translations first: the new owner never sees the old
 * page through a TLB. */
static int lazy_purge_no_stale_tlb(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	vaddr_t a = vmalloc(k, PG);
	uint8_t x = 0xaa;
	ASSERT_EQ(kmm_write(k, 0, a, &x, 1, false), KMM_OK);
	ASSERT_EQ(kread8(k, 1, a), 0xaa);
	ASSERT_TRUE(tlb_lookup(k, 0, a, NULL));
	ASSERT_TRUE(tlb_lookup(k, 1, a, NULL));
	vfree(k, a);
	ASSERT_EQ(vmalloc_addr_state(k, a), 2);
	ASSERT_TRUE(tlb_lookup(k, 0, a, NULL));         /* stale, but lazy */
	ASSERT_EQ(vmalloc_to_page(k, a), NULL);         /* ptes are gone */
	kmm_check(k);
	vaddr_t b = vzalloc(k, PG);
	ASSERT_EQ(b, a + 2 * PG);                       /* not reused yet */
	unsigned long f0 = tlb_stats(k, 0)->full_flushes;
	vm_unmap_aliases(k);
	ASSERT_EQ(tlb_stats(k, 0)->full_flushes, f0 + 1);
	ASSERT_FALSE(tlb_lookup(k, 0, a, NULL));
	ASSERT_FALSE(tlb_lookup(k, 1, a, NULL));
	ASSERT_EQ(vmalloc_addr_state(k, a), 3);
	vaddr_t c = vzalloc(k, PG);
	ASSERT_EQ(c, a);                                /* reused now */
	ASSERT_EQ(kread8(k, 0, c), 0);
	ASSERT_EQ(kread8(k, 1, c), 0);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(lazy_purge_no_stale_tlb)

/* The sweep catches a stale translation for an allocated vmalloc address
 * (here forged: a pte rewritten without a flush). */
static int check_catches_stale_tlb(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	vaddr_t a = vmalloc(k, PG);
	ASSERT_EQ(kread8(k, 0, a), kread8(k, 0, a));
	bool large;
	ptep_t ep = lookup_address(k, a, &large);
	struct page *p = alloc_page(k, GFP_KERNEL);
	set_pte(k, ep, pfn_pte(k, page_to_pfn(k, p), pgprot_kernel(k)));
	find_vm_area(k, a)->pages[0] = p;       /* only the TLB disagrees */
	ASSERT_TRUE(check_reports(k, "stale TLB entry"));
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(check_catches_stale_tlb)

/* The sweep catches a mapped guard page. */
static int check_catches_mapped_guard(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	vaddr_t a = vmalloc(k, PG);
	bool large;
	ptep_t ep = lookup_address(k, a + PG, &large);
	set_pte(k, ep, pfn_pte(k, page_to_pfn(k, vmalloc_to_page(k, a)),
			       pgprot_kernel(k)));
	ASSERT_TRUE(check_reports(k, "guard page is mapped"));
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(check_catches_mapped_guard)

/* A process created before the vmalloc sees it through vmalloc_fault
 * (non-PAE: its PDE is copied on the first access); with PAE the kernel
 * PMD is shared and there is nothing to sync. */
static int vmalloc_visible_from_process(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	struct mm_struct *mm = start_process(k, 0);
	ASSERT_TRUE(mm);
	vaddr_t a = vmalloc(k, 2 * PG);
	uint8_t x = 0x42;
	/* written from init_mm on CPU 1 */
	ASSERT_EQ(kmm_write(k, 1, a + PG + 7, &x, 1, false), KMM_OK);
	struct kmm_access_result r;
	uint8_t b = 0;
	ASSERT_EQ(kmm_access(k, 0, a + PG + 7, &b, 1, 0, &r), KMM_OK);
	ASSERT_EQ(b, 0x42);
	const struct fault_stats *st = kmm_fault_stats(k);
	ASSERT_EQ(r.faults, pae ? 0 : 1);
	ASSERT_EQ(st->vmalloc_faults, pae ? 0 : 1);
	ASSERT_EQ(st->vmalloc_syncs, pae ? 0 : 1);
	ASSERT_EQ(pte_get(k, pmd_offset(k, mm->pgd, a)),
		  pte_get(k, pmd_offset(k, swapper_pg_dir(k), a)));
	/* a later area needs a sync only if it starts a new PMD */
	vaddr_t c = vmalloc(k, PG);
	bool same = c / pmd_size(k) == (a + PG) / pmd_size(k);
	ASSERT_EQ(kmm_access(k, 0, c, &b, 1, 0, &r), KMM_OK);
	ASSERT_EQ(r.faults, !pae && !same ? 1 : 0);
	ASSERT_EQ(kmm_access(k, 0, c, &b, 1, 0, &r), KMM_OK);
	ASSERT_EQ(r.faults, 0);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(vmalloc_visible_from_process)

static void iounmap_fn(struct kmm *k, void *arg) { iounmap(k, *(vaddr_t *)arg); }
static void vfree_fn(struct kmm *k, void *arg) { vfree(k, *(vaddr_t *)arg); }
static void vunmap_fn(struct kmm *k, void *arg) { vunmap(k, *(vaddr_t *)arg); }

/* ioremap of a device region outside RAM: uncached, size-aligned, the
 * offset kept; stores reach the device; RAM in use is refused, reserved
 * RAM and the ISA hole are not. */
static int ioremap_device(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	const struct kmm_layout *l = kmm_layout(k);
	phys_addr_t base = PFN_PHYS(kmm_max_pfn(k)) + (16u << 20);
	struct kmm_file *dev = kmm_device_create(k, base, 64 << 10, false);
	ASSERT_TRUE(dev);
	vaddr_t first = vmalloc(k, PG);         /* the range's first 8 KiB */
	vaddr_t io = ioremap(k, base + 0x1234, 0x2000);
	/* 3 pages from base+0x1000; aligned to 1 << get_count_order(12K) */
	vaddr_t area = (first + 2 * PG + 0x3fff) & ~0x3fffu;
	ASSERT_EQ(io, area + 0x234);
	struct vm_struct *vm = find_vm_area(k, io);
	ASSERT_EQ(vm->flags, VM_IOREMAP);
	ASSERT_EQ(vm->size, 4 * PG);
	ASSERT_EQ(vm->phys_addr, base + 0x1000);
	ASSERT_EQ(vmalloc_to_pfn(k, io), PFN_DOWN(base) + 1);
	ASSERT_EQ(vmalloc_to_page(k, io), NULL);        /* not RAM */
	bool large;
	pteval_t pte = pte_get(k, lookup_address(k, area, &large));
	ASSERT_TRUE(pte & _PAGE_PCD);
	uint32_t v = 0xdeadbeef, got = 0;
	ASSERT_EQ(kmm_write(k, 0, io + 0x1000, &v, 4, false), KMM_OK);
	phys_read(k, base + 0x2234, &got, 4);
	ASSERT_EQ(got, 0xdeadbeef);
	v = 0x1234abcd;
	phys_write(k, base + 0x1234, &v, 4);
	ASSERT_EQ(kmm_read(k, 1, io, &got, 4, false), KMM_OK);
	ASSERT_EQ(got, 0x1234abcd);
	/* RAM in use is refused; a reserved frame (low 64 KiB) is not */
	struct page *ram = alloc_page(k, GFP_KERNEL);
	ASSERT_EQ(ioremap(k, PFN_PHYS(page_to_pfn(k, ram)), PG), 0);
	vaddr_t rsv = ioremap(k, 0x2000, PG);
	ASSERT_TRUE(rsv);
	ASSERT_EQ(vmalloc_to_page(k, rsv), pfn_to_page(k, 2));
	/* the ISA hole is the direct map, and iounmap leaves it alone */
	ASSERT_EQ(ioremap(k, 0xb8000, 0x1000), PAGE_OFFSET + 0xb8000);
	iounmap(k, PAGE_OFFSET + 0xb8000);
	ASSERT_EQ(ioremap(k, 0, 0), 0);
	if (!pae)
		ASSERT_EQ(ioremap(k, 0x100000000ull, PG), 0);
	kmm_check(k);
	ASSERT_TRUE(expect_report(k, vfree_fn, &area, "of an ioremap area"));
	iounmap(k, io);
	ASSERT_EQ(vmalloc_addr_state(k, area), 2);
	ASSERT_TRUE(expect_report(k, iounmap_fn, &io, "iounmap: bad address"));
	ASSERT_TRUE(expect_report(k, iounmap_fn, &first, "non-ioremap area"));
	iounmap(k, rsv);
	kmm_check(k);
	(void)l;
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(ioremap_device)


static void sleep_in_atomic_fn(struct kmm *k, void *arg)
{
	struct page *p = arg;
	kmap_atomic(k, p);
	vmalloc(k, PG);
}

/* Misuse is reported: double free, interior and unaligned addresses,
 * vunmap of a vmalloc area, vmalloc of 0 bytes, sleeping while atomic. */
static int vmalloc_misuse(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	vaddr_t a = vmalloc(k, 3 * PG);
	vaddr_t in = a + PG, odd = a + 5, none = a + 8 * PG;
	ASSERT_TRUE(expect_report(k, vfree_fn, &in, "inside the area"));
	ASSERT_TRUE(expect_report(k, vfree_fn, &odd, "bad address"));
	ASSERT_TRUE(expect_report(k, vfree_fn, &none, "nonexistent vm area"));
	ASSERT_TRUE(expect_report(k, vunmap_fn, &a, "use vfree()"));
	struct page *hp = alloc_page(k, GFP_HIGHUSER);
	ASSERT_TRUE(expect_report(k, sleep_in_atomic_fn, hp,
			       "sleeping function called from invalid context"));
	vfree(k, a);
	ASSERT_TRUE(expect_report(k, vfree_fn, &a, "double free"));
	vfree(k, 0);                    /* vfree(NULL) is fine */
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(vmalloc_misuse)

/* Out of memory: a page allocation fails half way, vmalloc returns NULL,
 * the pages it had are freed and its area goes to the lazy list; a
 * failing vmap_area allocation (failslab) also returns NULL. */
static int vmalloc_oom(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	long before = free_frames(k);
	/* warm up: the slabs and the page table exist, a preload is kept */
	vfree(k, vmalloc(k, PG));
	struct kmm_fault_attr *fa = kmm_fail_page_alloc(k);
	fa->nth = fa->calls + 4;        /* the 4th data page */
	vaddr_t a = vmalloc(k, 10 * PG);
	ASSERT_EQ(a, 0);
	ASSERT_EQ(fa->failed, 1);
	memset(fa, 0, sizeof(*fa));
	struct vmalloc_info vi;
	vmalloc_info(k, &vi);
	ASSERT_EQ(vi.nr_vmalloc_pages, 0);
	ASSERT_EQ(vi.nr_busy, 0);
	ASSERT_EQ(vi.vmap_lazy_nr, 2 + 11);
	kmm_check(k);
	struct kmm_fault_attr *fs = kmm_failslab(k);
	fs->nth = fs->calls + 1;        /* the vm_struct */
	ASSERT_EQ(vmalloc(k, PG), 0);
	memset(fs, 0, sizeof(*fs));
	vaddr_t b = vmalloc(k, PG);
	ASSERT_EQ(b, kmm_layout(k)->vmalloc_start + 13 * PG);
	vfree(k, b);
	vm_unmap_aliases(k);
	kmm_check(k);
	ASSERT_LE(before - free_frames(k), 8);  /* slab and page-table pages */
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(vmalloc_oom)

/* Reset puts the vmalloc state back to boot cheaply: one free area, no
 * lazy pages, and the first vmalloc lands at VMALLOC_START again. */
static int reset_restores_boot(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	struct buddy_state boot, after;
	buddy_state_get(k, &boot);
	vaddr_t a = vmalloc(k, 5 * PG), b = vzalloc(k, 2000 * PG);
	ASSERT_TRUE(a && b);
	vfree(k, a);
	struct page *hp = alloc_page(k, GFP_HIGHUSER);
	kmap(k, hp);
	kmap_atomic(k, hp);
	kmm_reset(k);
	struct vmalloc_info vi;
	vmalloc_info(k, &vi);
	ASSERT_EQ(vi.nr_busy + vi.nr_lazy + vi.vmap_lazy_nr + vi.nr_vmalloc_pages, 0);
	ASSERT_EQ(vi.nr_free, 1);
	ASSERT_EQ(vi.largest_free, kmm_layout(k)->vmalloc_end - kmm_layout(k)->vmalloc_start);
	ASSERT_EQ(kmem_cache_find(k, "vmap_area"), NULL);
	ASSERT_EQ(page_address(k, hp), 0);
	ASSERT_EQ(kmap_atomic_depth(k, 0), 0);
	buddy_state_get(k, &after);
	ASSERT_EQ(buddy_state_cmp(&boot, &after, true), 0);
	buddy_state_free(&boot);
	buddy_state_free(&after);
	kmm_check(k);
	ASSERT_EQ(vmalloc(k, PG), kmm_layout(k)->vmalloc_start);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(reset_restores_boot)


/* Random vmalloc / vzalloc / aligned / vmap / ioremap / free sequences:
 * every allocation that did not need a purge lands at the lowest free
 * address it fits at (checked against the free list before the call),
 * live areas never overlap, and the sweep holds throughout. */
struct live {
	vaddr_t addr;
	uint32_t size;          /* with the guard page */
	int kind;               /* 0 vmalloc, 1 vmap, 2 ioremap */
};

static int random_sequences(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	const struct kmm_layout *l = kmm_layout(k);
	struct page *pg = alloc_page(k, GFP_KERNEL);
	struct page *pages[64];
	for (int i = 0; i < 64; i++)
		pages[i] = pg;
	phys_addr_t dev = PFN_PHYS(kmm_max_pfn(k)) + (64u << 20);
	ASSERT_TRUE(kmm_device_create(k, dev, 1u << 20, false));
	struct live live[256];
	int n = 0;
	uint64_t seed = pae ? 77 : 78;
	static vaddr_t fr[4096][2];
	for (int op = 0; op < 3000; op++) {
		uint64_t r = test_rand(&seed);
		if (n && (r % 5 < 2 || n == 256)) {
			int i = (int)(test_rand(&seed) % (uint64_t)n);
			if (live[i].kind == 0)
				vfree(k, live[i].addr);
			else if (live[i].kind == 1)
				vunmap(k, live[i].addr);
			else
				iounmap(k, live[i].addr);
			live[i] = live[--n];
		} else {
			unsigned long nfree = vmalloc_free_areas(k, fr, 4096);
			ASSERT_LE(nfree, 4096);
			struct vmalloc_info before, after;
			vmalloc_info(k, &before);
			int kind = (int)(test_rand(&seed) % 4);
			uint32_t pgs = 1 + (uint32_t)(test_rand(&seed) % 40);
			uint32_t align = PG;
			vaddr_t a;
			if (kind == 3) {        /* an aligned vmalloc */
				align = PG << (test_rand(&seed) % 6);
				a = __vmalloc_node_range(k, pgs * PG, align,
							 l->vmalloc_start, l->vmalloc_end,
							 GFP_KERNEL, pgprot_kernel(k), 0);
				kind = 0;
			} else if (kind == 0) {
				a = vzalloc(k, pgs * PG - (uint32_t)(r % PG));
			} else if (kind == 1) {
				a = vmap(k, pages, pgs, VM_MAP, pgprot_kernel(k));
			} else {
				uint32_t off = (uint32_t)(test_rand(&seed) % 200) * PG;
				a = ioremap(k, dev + off, pgs * PG);
				if (a) {
					unsigned int o = 12;
					while ((1u << o) < pgs * PG)
						o++;
					align = 1u << (o > 19 ? 19 : o);
				}
			}
			ASSERT_TRUE(a);
			vmalloc_info(k, &after);
			uint32_t size = (pgs + 1) * PG;
			ASSERT_EQ(a % align, 0);
			if (after.purges == before.purges) {
				/* the lowest fit in the free list as it was */
				vaddr_t want = 0;
				for (unsigned long i = 0; i < nfree && !want; i++) {
					uint64_t s = ((uint64_t)fr[i][0] + align - 1) & ~(uint64_t)(align - 1);
					if (s + size <= fr[i][1])
						want = (vaddr_t)s;
				}
				ASSERT_EQ(a, want);
			}
			for (int i = 0; i < n; i++)
				ASSERT_TRUE(a + size <= live[i].addr ||
					    live[i].addr + live[i].size <= a);
			live[n++] = (struct live){a, size, kind};
		}
		if (op % 100 == 0)
			kmm_check(k);
	}
	kmm_check(k);
	kmm_reset(k);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(random_sequences)

static const struct test_case tests[] = {
	TEST_BOTH(vmalloc_sizes),
	TEST_BOTH(vmalloc_large_fraction),
	TEST_BOTH(vmalloc_variants),
	TEST_BOTH(guard_page_faults),
	TEST_BOTH(vmalloc_alignment),
	TEST_BOTH(fragmentation_exhaustion_recovery),
	TEST_BOTH(vmalloc_fragmentation_recovery),
	TEST_BOTH(lazy_threshold),
	TEST_BOTH(lazy_purge_no_stale_tlb),
	TEST_BOTH(check_catches_stale_tlb),
	TEST_BOTH(check_catches_mapped_guard),
	TEST_BOTH(vmalloc_visible_from_process),
	TEST_BOTH(ioremap_device),
	TEST_BOTH(vmalloc_misuse),
	TEST_BOTH(vmalloc_oom),
	TEST_BOTH(reset_restores_boot),
	TEST_BOTH(random_sequences),
};
TEST_MAIN(tests)
