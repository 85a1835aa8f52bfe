/* test_tlb.c — the simulated TLB: a skipped flush leaves a stale
 * translation that accesses observe and mmu_check reports; invlpg, CR3
 * reloads (which keep global entries), full flushes and cross-CPU
 * shootdowns remove it as on x86; replacement is round-robin; a write
 * through a clean entry walks again to set Dirty; a fault drops the entry. */
#include "mmu_test.h"

/* A process on CPU 0 with two written anonymous pages at a and a+4K. */
static struct mm_struct *two_pages(struct kmm *k, vaddr_t *a)
{
	struct mm_struct *mm = start_process(k, 0);
	if (!mm)
		return NULL;
	long r = do_mmap_pgoff(k, mm, NULL, 0, 2 * PAGE_SIZE,
			       PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, 0);
	if (r < 0)
		return NULL;
	*a = (vaddr_t)r;
	if (uwrite8(k, 0, *a, 'A') || uwrite8(k, 0, *a + PAGE_SIZE, 'B'))
		return NULL;
	return mm;
}

static void swap_ptes(struct kmm *k, struct mm_struct *mm, vaddr_t a, vaddr_t b)
{
	ptep_t ea = mm_pte(k, mm, a), eb = mm_pte(k, mm, b);
	pteval_t va = pte_get(k, ea), vb = pte_get(k, eb);

	set_pte(k, ea, vb);
	set_pte(k, eb, va);
}

/* The pte changes under a cached translation: the CPU keeps using the old
 * frame until invlpg; mmu_check calls it a missing flush. */
static int stale_after_skipped_invlpg(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	vaddr_t a;
	ASSERT_TRUE(k);
	struct mm_struct *mm = two_pages(k, &a);
	ASSERT_TRUE(mm);
	ASSERT_EQ(uread8(k, 0, a), 'A');
	ASSERT_EQ(uread8(k, 0, a + PAGE_SIZE), 'B');
	ASSERT_TRUE(tlb_lookup(k, 0, a, NULL));
	swap_ptes(k, mm, a, a + PAGE_SIZE);     /* no flush */
	ASSERT_EQ(uread8(k, 0, a), 'A');        /* stale */
	ASSERT_EQ(uread8(k, 0, a + PAGE_SIZE), 'B');
	__flush_tlb_one(k, 0, a);
	ASSERT_EQ(uread8(k, 0, a), 'B');        /* the new translation */
	ASSERT_EQ(uread8(k, 0, a + PAGE_SIZE), 'B');    /* still stale */
	__flush_tlb_one(k, 0, a + PAGE_SIZE);
	ASSERT_EQ(uread8(k, 0, a + PAGE_SIZE), 'A');
	/* put the pages back where their rmap says they are */
	swap_ptes(k, mm, a, a + PAGE_SIZE);
	__flush_tlb(k, 0);
	ASSERT_EQ(uread8(k, 0, a), 'A');
	kmm_check(k);
	mmput(k, mm);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(stale_after_skipped_invlpg)

/* A write-protect without a flush: the stale entry still grants writes,
 * without a fault; after the flush the write faults (and COW-reuses). */
static int stale_write_permission(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	vaddr_t a;
	struct kmm_access_result r;
	ASSERT_TRUE(k);
	struct mm_struct *mm = two_pages(k, &a);
	ASSERT_TRUE(mm);
	ptep_t e = mm_pte(k, mm, a);
	set_pte(k, e, pte_get(k, e) & ~_PAGE_RW);
	uint8_t v = 'x';
	ASSERT_EQ(kmm_access(k, 0, a, &v, 1, KMM_ACC_WRITE | KMM_ACC_USER, &r), KMM_OK);
	ASSERT_EQ(r.faults, 0);
	ASSERT_FALSE(pte_get(k, e) & _PAGE_RW);
	ASSERT_TRUE(check_reports(k, "grants more than the page tables"));
	flush_tlb_mm(k, mm);
	ASSERT_FALSE(tlb_lookup(k, 0, a, NULL));
	v = 'y';
	ASSERT_EQ(kmm_access(k, 0, a, &v, 1, KMM_ACC_WRITE | KMM_ACC_USER, &r), KMM_OK);
	ASSERT_EQ(r.faults, 1);
	ASSERT_EQ(r.error_code, PF_PROT | PF_WRITE | PF_USER);
	ASSERT_TRUE(pte_get(k, e) & _PAGE_RW);  /* do_wp_page reused it */
	ASSERT_EQ(uread8(k, 0, a), 'y');
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(stale_write_permission)

/* Two CPUs run the mm: a local invlpg leaves the other stale; the
 * shootdown of flush_tlb_page reaches every CPU in mm_cpumask. */
static int shootdown_reaches_other_cpus(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	vaddr_t a;
	ASSERT_TRUE(k);
	struct mm_struct *mm = two_pages(k, &a);
	ASSERT_TRUE(mm);
	switch_mm(k, 1, mm);
	ASSERT_EQ(mm->cpumask, 3);
	ASSERT_EQ(uread8(k, 0, a), 'A');
	ASSERT_EQ(uread8(k, 1, a), 'A');
	swap_ptes(k, mm, a, a + PAGE_SIZE);
	__flush_tlb_one(k, 0, a);
	ASSERT_EQ(uread8(k, 0, a), 'B');
	ASSERT_EQ(uread8(k, 1, a), 'A');        /* CPU 1 never flushed */
	unsigned long sd = tlb_stats(k, 1)->shootdowns;
	kmm_set_cpu(k, 0);
	flush_tlb_page(k, find_vma(mm, a), a);
	ASSERT_EQ(tlb_stats(k, 1)->shootdowns, sd + 1);
	ASSERT_EQ(uread8(k, 1, a), 'B');
	/* a CPU that switched away gets no IPI and needs none */
	switch_mm(k, 1, NULL);
	ASSERT_EQ(mm->cpumask, 1);
	ASSERT_EQ(tlb_nr_valid(k, 1), 0);
	swap_ptes(k, mm, a, a + PAGE_SIZE);
	flush_tlb_page(k, find_vma(mm, a), a);
	flush_tlb_page(k, find_vma(mm, a), a + PAGE_SIZE);
	ASSERT_EQ(tlb_stats(k, 1)->shootdowns, sd + 1);
	ASSERT_EQ(uread8(k, 0, a), 'A');
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(shootdown_reaches_other_cpus)

/* Kernel mappings are global: a CR3 reload keeps them (a changed kernel
 * pte stays stale), a CR4.PGE toggle (__flush_tlb_all) drops them. */
static int cr3_reload_keeps_global(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	const struct kmm_layout *l = kmm_layout(k);
	struct page *p1 = alloc_page(k, GFP_KERNEL), *p2 = alloc_page(k, GFP_KERNEL);
	ASSERT_TRUE(p1 && p2);
	kmm_frame_w(k, page_to_pfn(k, p1))[0] = 0x11;
	kmm_frame_w(k, page_to_pfn(k, p2))[0] = 0x22;
	vaddr_t va = l->vmalloc_start + 3 * PAGE_SIZE;
	ptep_t e = pte_alloc_kernel(k, va);
	ASSERT_TRUE(e);
	set_pte(k, e, pfn_pte(k, page_to_pfn(k, p1), pgprot_kernel(k)));
	struct mm_struct *mm = start_process(k, 0);    /* created after: synced */
	ASSERT_TRUE(mm);
	ASSERT_EQ(kread8(k, 0, va), 0x11);
	ASSERT_EQ(uread8(k, 0, mm->start_stack), 0);   /* a user entry too */
	struct tlb_info ti;
	ASSERT_TRUE(tlb_lookup(k, 0, va, &ti));
	ASSERT_TRUE(ti.global && !ti.us);
	ASSERT_TRUE(tlb_lookup(k, 0, mm->start_stack, &ti));
	ASSERT_FALSE(ti.global);
	set_pte(k, e, pfn_pte(k, page_to_pfn(k, p2), pgprot_kernel(k)));
	__flush_tlb(k, 0);
	ASSERT_FALSE(tlb_lookup(k, 0, mm->start_stack, NULL));
	ASSERT_TRUE(tlb_lookup(k, 0, va, NULL));
	ASSERT_EQ(kread8(k, 0, va), 0x11);      /* the global entry survived */
	__flush_tlb_all(k, 0);
	ASSERT_EQ(tlb_nr_valid(k, 0), 0);
	ASSERT_EQ(kread8(k, 0, va), 0x22);
	/* a direct-map address caches a global large or 4K translation (a
	 * live large-page-aligned block: free frames are KASAN-poisoned) */
	struct page *big = alloc_pages(k, GFP_KERNEL, pae ? 9 : 10);
	ASSERT_TRUE(big);
	vaddr_t dm = page_address(k, big);
	ASSERT_EQ(kread8(k, 0, dm), kmm_frame_r(k, page_to_pfn(k, big))[0]);
	ASSERT_TRUE(tlb_lookup(k, 0, dm, &ti));
	ASSERT_EQ(ti.size, pae ? 2u << 20 : 4u << 20);
	ASSERT_TRUE(ti.global);
	mmu_check(k);   /* not kmm_check: a raw vmalloc-area pte */
	buddy_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(cr3_reload_keeps_global)

/* 64 entries, replaced round-robin: touching 65 pages evicts the first. */
static int round_robin_replacement(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	struct mm_struct *mm = start_process(k, 0);
	ASSERT_TRUE(mm);
	long r = do_mmap_pgoff(k, mm, NULL, 0, 65 * PAGE_SIZE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, 0);
	ASSERT_TRUE(r > 0);
	__flush_tlb_all(k, 0);
	for (int i = 0; i < 65; i++)
		ASSERT_EQ(uread8(k, 0, (vaddr_t)r + i * PAGE_SIZE), 0);
	ASSERT_EQ(tlb_nr_valid(k, 0), KMM_TLB_ENTRIES);
	ASSERT_FALSE(tlb_lookup(k, 0, (vaddr_t)r, NULL));
	for (int i = 1; i < 65; i++)
		ASSERT_TRUE(tlb_lookup(k, 0, (vaddr_t)r + i * PAGE_SIZE, NULL));
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(round_robin_replacement)

/* An entry caches Dirty: a write through a clean entry walks again and
 * sets D; a write through a dirty entry does not walk. */
static int dirty_rewalk(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	vaddr_t a;
	ASSERT_TRUE(k);
	struct mm_struct *mm = two_pages(k, &a);
	ASSERT_TRUE(mm);
	ptep_t e = mm_pte(k, mm, a);
	set_pte(k, e, pte_get(k, e) & ~(_PAGE_DIRTY | _PAGE_ACCESSED));
	__flush_tlb_one(k, 0, a);
	ASSERT_EQ(uread8(k, 0, a), 'A');
	ASSERT_EQ(pte_get(k, e) & (_PAGE_DIRTY | _PAGE_ACCESSED), _PAGE_ACCESSED);
	struct tlb_info ti;
	ASSERT_TRUE(tlb_lookup(k, 0, a, &ti));
	ASSERT_FALSE(ti.dirty);
	unsigned long walks = tlb_stats(k, 0)->walks;
	ASSERT_EQ(uwrite8(k, 0, a, 'Z'), KMM_OK);
	ASSERT_EQ(tlb_stats(k, 0)->walks, walks + 1);
	ASSERT_TRUE(pte_get(k, e) & _PAGE_DIRTY);
	/* cleaned behind the TLB's back: the cached D hides the next write */
	set_pte(k, e, pte_get(k, e) & ~_PAGE_DIRTY);
	ASSERT_EQ(uwrite8(k, 0, a, 'Y'), KMM_OK);
	ASSERT_EQ(tlb_stats(k, 0)->walks, walks + 1);
	ASSERT_FALSE(pte_get(k, e) & _PAGE_DIRTY);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(dirty_rewalk)

/* PAE: the PDPTE registers load with CR3; a PDPT change is invisible to a
 * CPU until its CR3 is written, and mmu_check reports the difference. */
static int pae_pdpte_registers(void)
{
	struct kmm *k = boot_preset("tiny", true);
	ASSERT_TRUE(k);
	struct mm_struct *mm = start_process(k, 0);
	ASSERT_TRUE(mm);
	const pteval_t *regs = cpu_pdpte(k, 0);
	for (int i = 0; i < 4; i++)
		ASSERT_EQ(regs[i], pte_get(k, mm->pgd + 8 * i));
	pteval_t saved = pte_get(k, mm->pgd + 16);
	set_pte(k, mm->pgd + 16, 0);
	ASSERT_EQ(regs[2], saved);
	ASSERT_TRUE(check_reports(k, "PDPTE register 2"));
	set_pte(k, mm->pgd + 16, saved);
	load_cr3(k, 0, mm->pgd);
	kmm_check(k);
	ASSERT_TRUE(cpu_pdpte(k, 1) && !cpu_pdpte(k, 1)[0]);   /* swapper's user part */
	kmm_destroy(k);
	return 0;
}

/* Reset empties every TLB and puts every CPU back on swapper_pg_dir. */
static int reset_clears_tlbs(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	vaddr_t a;
	ASSERT_TRUE(k);
	ASSERT_TRUE(two_pages(k, &a));
	ASSERT_EQ(kread8(k, 1, PAGE_OFFSET + 0x1000), 0);
	ASSERT_TRUE(tlb_nr_valid(k, 0) > 0 && tlb_nr_valid(k, 1) > 0);
	kmm_reset(k);
	for (unsigned int c = 0; c < 2; c++) {
		ASSERT_EQ(tlb_nr_valid(k, c), 0);
		ASSERT_EQ(read_cr3(k, c), swapper_pg_dir(k));
		ASSERT_TRUE(cpu_mm(k, c) == NULL);
	}
	ASSERT_EQ(kmm_nr_mms(k), 0);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(reset_clears_tlbs)

static const struct test_case tests[] = {
	TEST_BOTH(stale_after_skipped_invlpg),
	TEST_BOTH(stale_write_permission),
	TEST_BOTH(shootdown_reaches_other_cpus),
	TEST_BOTH(cr3_reload_keeps_global),
	TEST_BOTH(round_robin_replacement),
	TEST_BOTH(dirty_rewalk),
	TEST(pae_pdpte_registers),
	TEST_BOTH(reset_clears_tlbs),
};
TEST_MAIN(tests)
