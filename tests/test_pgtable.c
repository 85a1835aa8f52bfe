/* test_pgtable.c — page-table formats and the hardware walk.
 *
 * Expectations come from Intel SDM vol. 3 ch. 4 (32-bit and PAE paging
 * with CR0.WP=1, CR4.PSE=1, EFER.NXE=1 under PAE, MAXPHYADDR 36, no
 * SMEP/SMAP) and from Linux 3.2 init_32.c for the kernel tables; the
 * walk table enumerates every combination of P/RW/US(/NX) at both levels
 * and every access kind, and computes the expected result from the rules
 * written out below. */
#include "mmu_test.h"

/* ---- the x86 rules, as the SDM states them ---- */

/* Error code of an access that faults on a not-present or rights-violating
 * translation; -1 when the access is allowed.  pte is ignored for a large
 * page. */
static int rule_result(bool pae, pteval_t pde, pteval_t pte, bool large,
		       unsigned int acc)
{
	bool w = acc & KMM_ACC_WRITE, x = acc & KMM_ACC_EXEC, u = acc & KMM_ACC_USER;
	int code = (w ? 2 : 0) | (u ? 4 : 0) | (x && pae ? 16 : 0);

	if (!(pde & _PAGE_PRESENT))
		return code;
	if (!large && !(pte & _PAGE_PRESENT))
		return code;
	/* the rights are the most restrictive over the levels */
	bool rw = (pde & _PAGE_RW) && (large || (pte & _PAGE_RW));
	bool us = (pde & _PAGE_USER) && (large || (pte & _PAGE_USER));
	bool nx = pae && ((pde & _PAGE_NX) || (!large && (pte & _PAGE_NX)));
	/* supervisor writes obey R/W because CR0.WP=1 */
	if ((u && !us) || (w && !rw) || (x && nx))
		return code | 1;
	return -1;
}

struct tables {
	phys_addr_t dir, pmd, pt, data;
	ptep_t pde, pte;
	vaddr_t va;
};

static phys_addr_t zpage(struct kmm *k)
{
	struct page *p = alloc_pages(k, GFP_KERNEL | __GFP_ZERO, 0);

	return p ? PFN_PHYS(page_to_pfn(k, p)) : 0;
}

/* A private two- or three-level table mapping one address. */
static int build(struct kmm *k, bool pae, struct tables *t)
{
	t->dir = zpage(k);
	t->pt = zpage(k);
	t->data = zpage(k);
	t->va = 0x00400000 + 5 * PAGE_SIZE;
	ASSERT_TRUE(t->dir && t->pt && t->data);
	if (pae) {
		t->pmd = zpage(k);
		ASSERT_TRUE(t->pmd);
		set_pte(k, t->dir, t->pmd | _PAGE_PRESENT);     /* PDPT[0] */
		t->pde = t->pmd + 8 * 2;                         /* 4 MiB / 2 MiB */
		t->pte = t->pt + 8 * 5;
	} else {
		t->pde = t->dir + 4 * 1;
		t->pte = t->pt + 4 * 5;
	}
	return 0;
}

static const unsigned int accesses[] = {
	KMM_ACC_READ, KMM_ACC_WRITE, KMM_ACC_EXEC,
	KMM_ACC_USER, KMM_ACC_USER | KMM_ACC_WRITE, KMM_ACC_USER | KMM_ACC_EXEC,
};

static pteval_t bits_of(unsigned int i, bool pae)
{
	return (i & 1 ? _PAGE_PRESENT : 0) | (i & 2 ? _PAGE_RW : 0) |
	       (i & 4 ? _PAGE_USER : 0) | (pae && (i & 8) ? _PAGE_NX : 0);
}

/* Every P/RW/US(/NX) combination at the PDE and the PTE, every access:
 * the fault or the translation, and A/D as the walk leaves them. */
static int walk_table_4k(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	struct tables t;
	unsigned int n = pae ? 16 : 8, cases = 0;

	ASSERT_TRUE(k);
	ASSERT_EQ(build(k, pae, &t), 0);
	for (unsigned int d = 0; d < n; d++)
		for (unsigned int p = 0; p < n; p++)
			for (size_t a = 0; a < sizeof(accesses) / sizeof(*accesses); a++) {
				pteval_t pde = t.pt | bits_of(d, pae);
				pteval_t pte = t.data | bits_of(p, pae);
				unsigned int acc = accesses[a];
				struct pt_walk w;
				set_pte(k, t.pde, pde);
				set_pte(k, t.pte, pte);
				int want = rule_result(pae, pde, pte, false, acc);
				bool ok = pgtable_walk(k, t.dir, NULL, t.va + 0x123, acc,
						       true, &w);
				if (want >= 0) {
					ASSERT_FALSE(ok);
					ASSERT_TRUE(w.fault);
					ASSERT_EQ(w.err, want);
					/* a fault sets no A/D bit */
					ASSERT_EQ(pte_get(k, t.pde), pde);
					ASSERT_EQ(pte_get(k, t.pte), pte);
				} else {
					ASSERT_TRUE(ok);
					ASSERT_EQ(w.pa, t.data + 0x123);
					ASSERT_EQ(w.page_size, PAGE_SIZE);
					ASSERT_EQ(pte_get(k, t.pde), pde | _PAGE_ACCESSED);
					ASSERT_EQ(pte_get(k, t.pte),
						  pte | _PAGE_ACCESSED |
							  (acc & KMM_ACC_WRITE ? _PAGE_DIRTY : 0));
				}
				cases++;
			}
	ASSERT_EQ(cases, n * n * 6);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(walk_table_4k)

/* Large pages (4 MiB, or 2 MiB with PAE): one level decides. */
static int walk_table_large(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	struct tables t;
	unsigned int n = pae ? 16 : 8;
	phys_addr_t base = pae ? 0x00200000 * 5 : 0x00400000 * 3;
	uint32_t size = pae ? 2u << 20 : 4u << 20;

	ASSERT_TRUE(k);
	ASSERT_EQ(build(k, pae, &t), 0);
	for (unsigned int d = 0; d < n; d++)
		for (size_t a = 0; a < 6; a++) {
			pteval_t pde = base | _PAGE_PSE | bits_of(d, pae);
			unsigned int acc = accesses[a];
			struct pt_walk w;
			set_pte(k, t.pde, pde);
			int want = rule_result(pae, pde, 0, true, acc);
			vaddr_t va = t.va + 0x1234;
			bool ok = pgtable_walk(k, t.dir, NULL, va, acc, true, &w);
			if (want >= 0) {
				ASSERT_FALSE(ok);
				ASSERT_EQ(w.err, want);
				ASSERT_EQ(pte_get(k, t.pde), pde);
			} else {
				ASSERT_TRUE(ok);
				ASSERT_EQ(w.page_size, size);
				ASSERT_EQ(w.pa, base + (va & (size - 1)));
				ASSERT_EQ(pte_get(k, t.pde),
					  pde | _PAGE_ACCESSED |
						  (acc & KMM_ACC_WRITE ? _PAGE_DIRTY : 0));
			}
		}
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(walk_table_large)

/* Reserved bits: a present entry with one set faults with RSVD|P whatever
 * the rights; a non-present entry's other bits are ignored. */
struct rsvd_case {
	const char *what;
	bool pae, large;
	pteval_t pde_extra, pte_extra, pdpte_extra;
	bool rsvd;
};

static const struct rsvd_case rsvd_cases[] = {
	{"2-level PTE: no reserved bits (PAT bit 7)", false, false, 0, 1u << 7, 0, false},
	{"2-level 4M PDE bit 21", false, true, 1u << 21, 0, 0, true},
	{"2-level 4M PDE bit 17 (PA bit 36 > MAXPHYADDR)", false, true, 1u << 17, 0, 0, true},
	{"2-level 4M PDE bit 13 is PA bit 32", false, true, 1u << 13, 0, 0, false},
	{"PAE PTE bit 36", true, false, 0, 1ull << 36, 0, true},
	{"PAE PTE bit 62", true, false, 0, 1ull << 62, 0, true},
	{"PAE PTE bit 35 is an address bit", true, false, 0, 1ull << 35, 0, false},
	{"PAE PTE NX (bit 63) with NXE", true, false, 0, _PAGE_NX, 0, false},
	{"PAE PDE bit 40", true, false, 1ull << 40, 0, 0, true},
	{"PAE 2M PDE bit 13", true, true, 1u << 13, 0, 0, true},
	{"PAE 2M PDE bit 20", true, true, 1u << 20, 0, 0, true},
	{"PAE PDPTE bit 1 (RW)", true, false, 0, 0, _PAGE_RW, true},
	{"PAE PDPTE bit 5 (A)", true, false, 0, 0, _PAGE_ACCESSED, true},
	{"PAE PDPTE bit 63", true, false, 0, 0, _PAGE_NX, true},
};

static int walk_reserved_bits(void)
{
	for (size_t i = 0; i < sizeof(rsvd_cases) / sizeof(*rsvd_cases); i++) {
		const struct rsvd_case *c = &rsvd_cases[i];
		struct kmm *k = boot_preset("tiny", c->pae);
		struct tables t;
		struct pt_walk w;
		ASSERT_TRUE(k);
		ASSERT_EQ(build(k, c->pae, &t), 0);
		pteval_t rights = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER;
		if (c->pae)
			set_pte(k, t.dir, t.pmd | _PAGE_PRESENT | c->pdpte_extra);
		if (c->large)
			set_pte(k, t.pde, 0x00800000 | _PAGE_PSE | rights | c->pde_extra);
		else
			set_pte(k, t.pde, t.pt | rights | c->pde_extra);
		set_pte(k, t.pte, t.data | rights | c->pte_extra);
		bool ok = pgtable_walk(k, t.dir, NULL, t.va, KMM_ACC_USER, true, &w);
		if (c->rsvd) {
			if (ok || w.err != (PF_RSVD | PF_PROT | PF_USER))
				fprintf(stderr, "case: %s\n", c->what);
			ASSERT_FALSE(ok);
			ASSERT_EQ(w.err, PF_RSVD | PF_PROT | PF_USER);
		} else {
			if (!ok)
				fprintf(stderr, "case: %s\n", c->what);
			ASSERT_TRUE(ok);
		}
		/* the same bits in a non-present entry do not matter */
		if (c->pte_extra) {
			set_pte(k, t.pte, (t.data | rights | c->pte_extra) & ~_PAGE_PRESENT);
			set_pte(k, t.pde, t.pt | rights);
			if (c->pae)
				set_pte(k, t.dir, t.pmd | _PAGE_PRESENT);
			ASSERT_FALSE(pgtable_walk(k, t.dir, NULL, t.va, KMM_ACC_USER,
						  true, &w));
			ASSERT_EQ(w.err, PF_USER);
		}
		kmm_destroy(k);
	}
	return 0;
}

/* 4 MiB PSE-36 pages reach above 4 GiB: PDE bits 16:13 are PA 35:32. */
static int walk_pse36_address(void)
{
	struct kmm *k = boot_preset("tiny", false);
	struct tables t;
	struct pt_walk w;

	ASSERT_TRUE(k);
	ASSERT_EQ(build(k, false, &t), 0);
	set_pte(k, t.pde, 0x00c00000 | (0x5u << 13) | _PAGE_PSE | _PAGE_PRESENT);
	ASSERT_TRUE(pgtable_walk(k, t.dir, NULL, 0x00412345, 0, false, &w));
	ASSERT_EQ(w.pa, 0x500c12345ull);
	kmm_destroy(k);
	return 0;
}

/* ---- the kernel's tables ---- */

static bool overlaps(uint64_t s, uint64_t e, uint64_t ks, uint64_t ke)
{
	return s < ke && ks < e;
}

/* Every lowmem frame is mapped at PAGE_OFFSET + pa, supervisor-only,
 * writable, global; 4K pages in the first PMD and a partial last PMD,
 * large pages between; NX (PAE) except over the kernel image.  Nothing
 * is mapped between high_memory and the end of its PMD, nor in user
 * space. */
static int check_direct_map(const char *preset, bool pae)
{
	struct kmm *k = boot_preset(preset, pae);
	ASSERT_TRUE(k);
	const struct kmm_layout *l = kmm_layout(k);
	const struct kmm_config *c = kmm_cfg(k);
	uint64_t end = PFN_PHYS(l->max_low_pfn), psz = pae ? 2u << 20 : 4u << 20;
	phys_addr_t sw = swapper_pg_dir(k);
	struct pt_walk w;

	for (unsigned long pfn = 0; pfn < l->max_low_pfn; pfn++) {
		uint64_t pa = PFN_PHYS(pfn), region = pa & ~(psz - 1);
		bool small = region == 0 || region + psz > end;
		vaddr_t va = PAGE_OFFSET + (vaddr_t)pa;
		ASSERT_TRUE(pgtable_walk(k, sw, NULL, va + 7, KMM_ACC_WRITE, false, &w));
		ASSERT_EQ(w.pa, pa + 7);
		ASSERT_EQ(w.page_size, small ? PAGE_SIZE : psz);
		ASSERT_TRUE(w.rw && w.global && !w.us);
		uint64_t s = small ? pa : region;
		bool text = overlaps(s, s + w.page_size, c->kernel_start,
				     (uint64_t)c->kernel_start + c->kernel_size);
		ASSERT_EQ(w.nx, pae && !text);
		if (!small)
			pfn = PFN_DOWN(region + psz) - 1;
	}
	/* user mode may not touch it */
	ASSERT_FALSE(pgtable_walk(k, sw, NULL, PAGE_OFFSET + 0x100000, KMM_ACC_USER,
				  false, &w));
	ASSERT_EQ(w.err, PF_USER | PF_PROT);
	/* past lowmem, inside the last PMD: not present (error code 0) */
	if (end & (psz - 1)) {
		ASSERT_FALSE(pgtable_walk(k, sw, NULL, PAGE_OFFSET + (vaddr_t)end, 0,
					  false, &w));
		ASSERT_EQ(w.err, 0);
	}
	ASSERT_FALSE(pgtable_walk(k, sw, NULL, 0x08048000, 0, false, &w));
	ASSERT_FALSE(pgtable_walk(k, sw, NULL, l->vmalloc_start, 0, false, &w));
	/* boot page tables: first PMD, partial last PMD, fixmap, pkmap; all
	 * reserved, none shared with the direct map's large pages */
	unsigned long want = 1 + ((end & (psz - 1)) != 0) + 2;
	ASSERT_EQ(pgtable_boot_pages(k), want);
	ASSERT_EQ(kmm_boot_stats(k)->pgtable_pages, want);
	bool large;
	ptep_t e = lookup_address(k, l->pkmap_base, &large);
	ASSERT_TRUE(e && !large);
	ASSERT_TRUE(PageReserved(pfn_to_page(k, PFN_DOWN(e))));
	e = lookup_address(k, __fix_to_virt(l, FIX_KMAP_BEGIN), &large);
	ASSERT_TRUE(e && !large);
	ASSERT_TRUE(PageReserved(pfn_to_page(k, PFN_DOWN(e))));
	ASSERT_EQ(pte_get(k, e), 0);
	/* swapper_pg_dir and the zero page live in the kernel image */
	ASSERT_TRUE(sw >= c->kernel_start && sw < c->kernel_start + c->kernel_size);
	ASSERT_TRUE(PageReserved(pfn_to_page(k, zero_pfn(k))));
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}

static int direct_map_tiny(bool pae) { return check_direct_map("tiny", pae); }
static int direct_map_classic(bool pae) { return check_direct_map("classic", pae); }
BOTH_MODES(direct_map_tiny)
BOTH_MODES(direct_map_classic)

/* pgd_alloc: the kernel part is swapper's (2-level: entries 768..1023;
 * PAE: the shared kernel PMD), user part empty (PAE: three preallocated,
 * empty pmds); the directory and pmds come from the buddy allocator and
 * go back on exit. */
static int pgd_alloc_copies_kernel_part(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	long before = free_frames(k);
	struct mm_struct *mm = mm_exec(k);
	phys_addr_t sw = swapper_pg_dir(k);

	ASSERT_TRUE(mm);
	ASSERT_EQ(free_frames(k), before - (pae ? 4 : 1));
	if (pae) {
		ASSERT_EQ(pte_get(k, mm->pgd + 24), pte_get(k, sw + 24));
		for (int i = 0; i < 3; i++) {
			pteval_t v = pte_get(k, mm->pgd + 8 * i);
			ASSERT_EQ(v & ~pt_addr_mask(k), _PAGE_PRESENT);
			for (int j = 0; j < 512; j++)
				ASSERT_EQ(pte_get(k, (v & pt_addr_mask(k)) + 8 * j), 0);
		}
		ASSERT_EQ(mm->nr_pmds, 3);
	} else {
		for (int i = 0; i < 1024; i++)
			ASSERT_EQ(pte_get(k, mm->pgd + 4 * i),
				  i >= 768 ? pte_get(k, sw + 4 * i) : 0);
	}
	kmm_check(k);
	mmput(k, mm);
	ASSERT_EQ(free_frames(k), before);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(pgd_alloc_copies_kernel_part)

/* PAE with an unshared kernel PMD: a fourth preallocated PMD holding a
 * copy of swapper's kernel PMD, freed with the directory. */
static int pgd_alloc_unshared_kernel_pmd(void)
{
	struct kmm_config c;
	ASSERT_EQ(kmm_config_preset(&c, "tiny"), 0);
	c.pae = true;
	c.pae_unshared_kernel_pmd = true;
	struct kmm *k = kmm_create(&c, NULL, 0);
	ASSERT_TRUE(k);
	long before = free_frames(k);
	struct mm_struct *mm = mm_exec(k);
	phys_addr_t sw = swapper_pg_dir(k);
	ASSERT_TRUE(mm);
	ASSERT_EQ(free_frames(k), before - 5);
	pteval_t v = pte_get(k, mm->pgd + 24), vk = pte_get(k, sw + 24);
	ASSERT_EQ(v & ~pt_addr_mask(k), _PAGE_PRESENT);
	ASSERT_NE(v, vk);
	for (int j = 0; j < 512; j++)
		ASSERT_EQ(pte_get(k, (v & pt_addr_mask(k)) + 8 * j),
			  pte_get(k, (vk & pt_addr_mask(k)) + 8 * j));
	ASSERT_EQ(mm->nr_pmds, 3);
	/* the kernel is reachable through the copy */
	switch_mm(k, 0, mm);
	ASSERT_EQ(kread8(k, 0, PAGE_OFFSET + c.kernel_start),      /* the image */
		  kmm_frame_r(k, PFN_DOWN(c.kernel_start))[0]);
	kmm_check(k);
	mmput(k, mm);
	ASSERT_EQ(free_frames(k), before);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}

/* A failed directory allocation leaks nothing (fail_page_alloc). */
static int pgd_alloc_failure(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	long before = free_frames(k);
	for (unsigned long nth = 1; nth <= (pae ? 4u : 1u); nth++) {
		struct kmm_fault_attr *fa = kmm_fail_page_alloc(k);
		memset(fa, 0, sizeof(*fa));
		fa->nth = nth;
		ASSERT_TRUE(mm_exec(k) == NULL);
		ASSERT_EQ(free_frames(k), before);
	}
	memset(kmm_fail_page_alloc(k), 0, sizeof(struct kmm_fault_attr));
	ASSERT_EQ(kmm_nr_mms(k), 0);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(pgd_alloc_failure)

static const struct test_case tests[] = {
	TEST_BOTH(walk_table_4k),
	TEST_BOTH(walk_table_large),
	TEST(walk_reserved_bits),
	TEST(walk_pse36_address),
	TEST_BOTH(direct_map_tiny),
	TEST_BOTH(direct_map_classic),
	TEST_BOTH(pgd_alloc_copies_kernel_part),
	TEST(pgd_alloc_unshared_kernel_pmd),
	TEST_BOTH(pgd_alloc_failure),
};
TEST_MAIN(tests)
