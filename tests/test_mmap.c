/* test_mmap.c — VMAs and the address-space system calls.
 *
 * Addresses follow 3.2's top-down allocator without randomization:
 * mmap_base = TASK_SIZE - 128 MiB = 0xB8000000, free_area_cache starting
 * there, the stack VMA at [0xBFFDF000, 0xC0000000).  Splits and merges
 * follow vma_merge/vma_adjust/split_vma: VMAs merge when their flags
 * (VM_ACCOUNT included), file, file offset and anon_vma (with 3.2's
 * list_is_singular rule) allow it. */
#include <errno.h>
#include "mmu_test.h"

#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define ANON_RW_FLAGS (VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | \
		       VM_MAYEXEC | VM_ACCOUNT)
#define ANON_RO_FLAGS (VM_READ | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC)

struct want {
	vaddr_t start, end;
	unsigned long flags;    /* 0: do not check */
	unsigned long pgoff;    /* ~0: do not check */
};

/* The VMAs of mm must be exactly w[0..n) followed by the stack. */
static int vmas_are(struct mm_struct *mm, const struct want *w, int n)
{
	struct vm_area_struct *v = vma_first(mm);

	for (int i = 0; i < n; i++, v = vma_next(mm, v)) {
		ASSERT_TRUE(v != NULL);
		if (v->vm_start != w[i].start || v->vm_end != w[i].end)
			fprintf(stderr, "VMA %d is 0x%08x-0x%08x, want 0x%08x-0x%08x\n",
				i, v->vm_start, v->vm_end, w[i].start, w[i].end);
		ASSERT_EQ(v->vm_start, w[i].start);
		ASSERT_EQ(v->vm_end, w[i].end);
		if (w[i].flags)
			ASSERT_EQ(v->vm_flags, w[i].flags);
		if (w[i].pgoff != ~0ul)
			ASSERT_EQ(v->vm_pgoff, w[i].pgoff);
	}
	ASSERT_TRUE(v != NULL);
	ASSERT_EQ(v->vm_start, STACK_TOP - PAGE_SIZE - KMM_STACK_INIT);
	ASSERT_TRUE(vma_next(mm, v) == NULL);
	ASSERT_EQ(mm->map_count, n + 1);
	return 0;
}

static long mmap_anon(struct kmm *k, struct mm_struct *mm, vaddr_t addr,
		      uint32_t len, unsigned long prot, unsigned long flags)
{
	return do_mmap_pgoff(k, mm, NULL, addr, len, prot, flags | ANON, 0);
}

/* Top-down from mmap_base; an adjacent compatible anonymous mapping
 * merges (vma_merge case 3), an incompatible one does not. */
static int topdown_and_merge(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	struct mm_struct *mm = mm_exec(k);
	ASSERT_TRUE(mm);
	ASSERT_EQ(mm->mmap_base, 0xB8000000u);
	ASSERT_EQ(mmap_anon(k, mm, 0, PAGE_SIZE, RW, 0), 0xB7FFF000);
	ASSERT_EQ(mmap_anon(k, mm, 0, PAGE_SIZE, RW, 0), 0xB7FFE000);
	struct want w1[] = {{0xB7FFE000, 0xB8000000, ANON_RW_FLAGS, 0xB7FFE}};
	ASSERT_EQ(vmas_are(mm, w1, 1), 0);
	ASSERT_EQ(mmap_anon(k, mm, 0, 2 * PAGE_SIZE, PROT_READ, 0), 0xB7FFC000);
	struct want w2[] = {{0xB7FFC000, 0xB7FFE000, ANON_RO_FLAGS, 0xB7FFC},
			    {0xB7FFE000, 0xB8000000, ANON_RW_FLAGS, 0xB7FFE}};
	ASSERT_EQ(vmas_are(mm, w2, 2), 0);
	/* MAP_SHARED anonymous memory is a shmem file: never merged */
	ASSERT_EQ(do_mmap_pgoff(k, mm, NULL, 0, PAGE_SIZE, RW,
				MAP_SHARED | MAP_ANONYMOUS, 0), 0xB7FFB000);
	ASSERT_EQ(do_mmap_pgoff(k, mm, NULL, 0, PAGE_SIZE, RW,
				MAP_SHARED | MAP_ANONYMOUS, 0), 0xB7FFA000);
	ASSERT_EQ(mm->map_count, 5);
	struct vm_area_struct *v = find_vma(mm, 0xB7FFA000);
	ASSERT_TRUE(v->vm_file && v->vm_pgoff == 0);
	ASSERT_EQ(v->vm_flags, VM_READ | VM_WRITE | VM_SHARED | VM_MAYREAD |
				       VM_MAYWRITE | VM_MAYEXEC | VM_MAYSHARE |
				       VM_CAN_NONLINEAR);
	kmm_check(k);
	mmput(k, mm);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(topdown_and_merge)

/* Hints, MAP_FIXED, mmap_min_addr and argument errors. */
static int hints_fixed_and_errors(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	struct mm_struct *mm = mm_exec(k);
	ASSERT_TRUE(mm);
	ASSERT_EQ(mmap_anon(k, mm, 0x10000000, PAGE_SIZE, RW, 0), 0x10000000);
	/* taken: the top-down search instead */
	ASSERT_EQ(mmap_anon(k, mm, 0x10000000, PAGE_SIZE, RW, 0), 0xB7FFF000);
	/* a hint is page aligned upwards; below mmap_min_addr it is ignored */
	ASSERT_EQ(mmap_anon(k, mm, 0x20000123 & PAGE_MASK, PAGE_SIZE, RW, 0), 0x20000000);
	ASSERT_EQ(mmap_anon(k, mm, 0x800, PAGE_SIZE, RW, 0), 0xB7FFE000);
	ASSERT_EQ(mmap_anon(k, mm, 0, PAGE_SIZE, RW, MAP_FIXED), -EPERM);
	ASSERT_EQ(mmap_anon(k, mm, 0x1000, PAGE_SIZE, RW, MAP_FIXED), 0x1000);
	ASSERT_EQ(mmap_anon(k, mm, 0x30000800, PAGE_SIZE, RW, MAP_FIXED), -EINVAL);
	ASSERT_EQ(mmap_anon(k, mm, 0, 0, RW, 0), -EINVAL);
	ASSERT_EQ(mmap_anon(k, mm, 0, 0xFFFFF001u, RW, 0), -ENOMEM);
	ASSERT_EQ(do_mmap_pgoff(k, mm, NULL, 0, PAGE_SIZE, RW, MAP_ANONYMOUS, 0),
		  -EINVAL);
	ASSERT_EQ(do_mmap_pgoff(k, mm, NULL, 0, PAGE_SIZE, RW, MAP_PRIVATE, 0),
		  -EBADF);
	ASSERT_EQ(mmap_anon(k, mm, 0xBFFFF000, 2 * PAGE_SIZE, RW, MAP_FIXED), -ENOMEM);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(hints_fixed_and_errors)

/* MAP_FIXED over the middle of a mapping replaces it: the old pages go,
 * the rest keeps its data. */
static int fixed_over_middle(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	struct mm_struct *mm = start_process(k, 0);
	ASSERT_TRUE(mm);
	vaddr_t x = 0x30000000;
	ASSERT_EQ(mmap_anon(k, mm, x, 3 * PAGE_SIZE, RW, MAP_FIXED), x);
	for (int i = 0; i < 3; i++)
		ASSERT_EQ(uwrite8(k, 0, x + i * PAGE_SIZE, 'a' + i), KMM_OK);
	long before = free_frames(k);
	ASSERT_EQ(mmap_anon(k, mm, x + PAGE_SIZE, PAGE_SIZE, PROT_READ, MAP_FIXED),
		  x + PAGE_SIZE);
	struct want w[] = {{x, x + PAGE_SIZE, ANON_RW_FLAGS, x >> 12},
			   {x + PAGE_SIZE, x + 2 * PAGE_SIZE, ANON_RO_FLAGS, (x >> 12) + 1},
			   {x + 2 * PAGE_SIZE, x + 3 * PAGE_SIZE, ANON_RW_FLAGS, (x >> 12) + 2}};
	ASSERT_EQ(vmas_are(mm, w, 3), 0);
	ASSERT_EQ(free_frames(k), before + 1);
	ASSERT_EQ(uread8(k, 0, x), 'a');
	ASSERT_EQ(uread8(k, 0, x + PAGE_SIZE), 0);
	ASSERT_EQ(uread8(k, 0, x + 2 * PAGE_SIZE), 'c');
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(fixed_over_middle)

/* munmap of a middle part: split in two, the middle page freed, the page
 * table kept for the neighbours. */
static int munmap_middle(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	struct mm_struct *mm = start_process(k, 0);
	ASSERT_TRUE(mm);
	vaddr_t x = 0x30000000;
	ASSERT_EQ(mmap_anon(k, mm, x, 3 * PAGE_SIZE, RW, MAP_FIXED), x);
	for (int i = 0; i < 3; i++)
		ASSERT_EQ(uwrite8(k, 0, x + i * PAGE_SIZE, 'a' + i), KMM_OK);
	struct vm_area_struct *orig = find_vma(mm, x);
	struct anon_vma *av = orig->anon_vma;
	long before = free_frames(k);
	unsigned long ptes = mm->nr_ptes;
	ASSERT_EQ(do_munmap(k, mm, x + PAGE_SIZE, PAGE_SIZE), 0);
	struct want w[] = {{x, x + PAGE_SIZE, ANON_RW_FLAGS, x >> 12},
			   {x + 2 * PAGE_SIZE, x + 3 * PAGE_SIZE, ANON_RW_FLAGS,
			    (x >> 12) + 2}};
	ASSERT_EQ(vmas_are(mm, w, 2), 0);
	ASSERT_TRUE(find_vma(mm, x) == orig);   /* the lower half is the old VMA */
	ASSERT_TRUE(find_vma(mm, x + 2 * PAGE_SIZE)->anon_vma == av);
	ASSERT_EQ(free_frames(k), before + 1);
	ASSERT_EQ(mm->nr_ptes, ptes);
	ASSERT_EQ(mm_pteval(k, mm, x + PAGE_SIZE), 0);
	ASSERT_EQ(mm->rss[MM_ANONPAGES], 2);
	ASSERT_EQ(uread8(k, 0, x), 'a');
	ASSERT_EQ(uread8(k, 0, x + PAGE_SIZE), -KMM_SIGSEGV);
	ASSERT_EQ(uread8(k, 0, x + 2 * PAGE_SIZE), 'c');
	ASSERT_EQ(do_munmap(k, mm, x + 1, PAGE_SIZE), -EINVAL);
	ASSERT_EQ(do_munmap(k, mm, x, 0), -EINVAL);
	ASSERT_EQ(do_munmap(k, mm, 0x70000000, PAGE_SIZE), 0);  /* nothing there */
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(munmap_middle)

/* A lone mapping's page table goes with it; with PAE so does the pmd of
 * its gigabyte when no neighbour shares it (free_pgd_range), and a later
 * fault allocates a new one. */
static int munmap_frees_page_tables(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	struct mm_struct *mm = start_process(k, 0);
	ASSERT_TRUE(mm);
	long before = free_frames(k);
	vaddr_t x = 0x40000000;
	ASSERT_EQ(mmap_anon(k, mm, x, PAGE_SIZE, RW, MAP_FIXED), x);
	ASSERT_EQ(uwrite8(k, 0, x, 1), KMM_OK);
	ASSERT_EQ(mm->nr_ptes, 1);
	ASSERT_EQ(free_frames(k), before - 2);
	ASSERT_EQ(do_munmap(k, mm, x, PAGE_SIZE), 0);
	ASSERT_EQ(mm->nr_ptes, 0);
	ASSERT_EQ(mm->nr_pmds, pae ? 2u : 0u);
	ASSERT_EQ(free_frames(k), before + (pae ? 1 : 0));
	if (pae)
		ASSERT_EQ(pte_get(k, mm->pgd + 8), 0);
	kmm_check(k);           /* the PDPTE registers were reloaded */
	ASSERT_EQ(mmap_anon(k, mm, x, PAGE_SIZE, RW, MAP_FIXED), x);
	ASSERT_EQ(uwrite8(k, 0, x, 2), KMM_OK);
	ASSERT_EQ(mm->nr_pmds, pae ? 3u : 0u);
	ASSERT_EQ(uread8(k, 0, x), 2);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(munmap_frees_page_tables)

/* mprotect: split into three, merge back (VM_ACCOUNT kept); the middle of
 * a read-only mapping made writable and back stays split, because it
 * gained VM_ACCOUNT (mprotect_fixup's commit charge). */
static int mprotect_split_merge(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	struct mm_struct *mm = start_process(k, 0);
	ASSERT_TRUE(mm);
	vaddr_t x = 0x30000000, y = 0x31000000, p = PAGE_SIZE;
	ASSERT_EQ(mmap_anon(k, mm, x, 3 * p, RW, MAP_FIXED), x);
	ASSERT_EQ(mmap_anon(k, mm, y, 3 * p, PROT_READ, MAP_FIXED), y);
	ASSERT_EQ(sys_mprotect(k, mm, x + p, p, PROT_READ), 0);
	ASSERT_EQ(sys_mprotect(k, mm, y + p, p, RW), 0);
	struct want w[] = {
		{x, x + p, ANON_RW_FLAGS, x >> 12},
		{x + p, x + 2 * p, ANON_RO_FLAGS | VM_ACCOUNT, (x >> 12) + 1},
		{x + 2 * p, x + 3 * p, ANON_RW_FLAGS, (x >> 12) + 2},
		{y, y + p, ANON_RO_FLAGS, y >> 12},
		{y + p, y + 2 * p, ANON_RW_FLAGS, (y >> 12) + 1},
		{y + 2 * p, y + 3 * p, ANON_RO_FLAGS, (y >> 12) + 2},
	};
	ASSERT_EQ(vmas_are(mm, w, 6), 0);
	/* writes obey the new protections */
	ASSERT_EQ(uwrite8(k, 0, x + p, 1), KMM_SIGSEGV);
	ASSERT_EQ(uwrite8(k, 0, y + p, 1), KMM_OK);
	ASSERT_EQ(uwrite8(k, 0, y, 1), KMM_SIGSEGV);
	/* back: x merges (case 6: prev and next swallow the middle), y not */
	ASSERT_EQ(sys_mprotect(k, mm, x + p, p, RW), 0);
	ASSERT_EQ(sys_mprotect(k, mm, y + p, p, PROT_READ), 0);
	struct want w2[] = {
		{x, x + 3 * p, ANON_RW_FLAGS, x >> 12},
		{y, y + p, ANON_RO_FLAGS, y >> 12},
		{y + p, y + 2 * p, ANON_RO_FLAGS | VM_ACCOUNT, (y >> 12) + 1},
		{y + 2 * p, y + 3 * p, ANON_RO_FLAGS, (y >> 12) + 2},
	};
	ASSERT_EQ(vmas_are(mm, w2, 4), 0);
	ASSERT_EQ(uread8(k, 0, y + p), 1);
	ASSERT_EQ(uwrite8(k, 0, y + p, 2), KMM_SIGSEGV);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(mprotect_split_merge)

/* mprotect moving a boundary (vma_merge cases 4 and 5), across several
 * VMAs, and its errors. */
static int mprotect_boundaries(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	struct mm_struct *mm = start_process(k, 0);
	ASSERT_TRUE(mm);
	vaddr_t x = 0x30000000, p = PAGE_SIZE;
	ASSERT_EQ(mmap_anon(k, mm, x, 4 * p, RW, MAP_FIXED), x);
	ASSERT_EQ(sys_mprotect(k, mm, x + 2 * p, 2 * p, PROT_READ), 0);
	/* case 5: the first page of the read-only part joins its prev */
	ASSERT_EQ(sys_mprotect(k, mm, x + 2 * p, p, RW), 0);
	struct want w[] = {{x, x + 3 * p, ANON_RW_FLAGS, x >> 12},
			   {x + 3 * p, x + 4 * p, ANON_RO_FLAGS | VM_ACCOUNT,
			    (x >> 12) + 3}};
	ASSERT_EQ(vmas_are(mm, w, 2), 0);
	/* case 4: the last page of the writable part joins its next */
	ASSERT_EQ(sys_mprotect(k, mm, x + 2 * p, p, PROT_READ), 0);
	struct want w2[] = {{x, x + 2 * p, ANON_RW_FLAGS, x >> 12},
			    {x + 2 * p, x + 4 * p, ANON_RO_FLAGS | VM_ACCOUNT,
			     (x >> 12) + 2}};
	ASSERT_EQ(vmas_are(mm, w2, 2), 0);
	/* one call over both VMAs: everything becomes one VMA again */
	ASSERT_EQ(sys_mprotect(k, mm, x, 4 * p, RW), 0);
	struct want w3[] = {{x, x + 4 * p, ANON_RW_FLAGS, x >> 12}};
	ASSERT_EQ(vmas_are(mm, w3, 1), 0);
	/* errors: unaligned, a hole, no PROT_EXEC right (VM_MAYEXEC is there) */
	ASSERT_EQ(sys_mprotect(k, mm, x + 1, p, PROT_READ), -EINVAL);
	ASSERT_EQ(sys_mprotect(k, mm, x, 5 * p, PROT_READ), -ENOMEM);
	ASSERT_EQ(sys_mprotect(k, mm, x, p, 0x10), -EINVAL);
	ASSERT_EQ(sys_mprotect(k, mm, x, 0, PROT_READ), 0);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(mprotect_boundaries)

/* 3.2 is_mergeable_anon_vma: when one side has no anon_vma, the merge
 * needs the other VMA's anon_vma_chain to be a single entry
 * (list_is_singular).  So a range with an anon_vma never merges into a
 * neighbour without one (whose chain is empty), while a range without one
 * merges into a neighbour that has one.  VMAs sharing an anon_vma merge. */
static int mprotect_anon_vma_rule(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	struct mm_struct *mm = start_process(k, 0);
	ASSERT_TRUE(mm);
	vaddr_t x = 0x30000000, p = PAGE_SIZE;
	ASSERT_EQ(mmap_anon(k, mm, x, 3 * p, RW, MAP_FIXED), x);
	ASSERT_EQ(sys_mprotect(k, mm, x, p, PROT_READ), 0);
	ASSERT_EQ(sys_mprotect(k, mm, x + 2 * p, p, PROT_READ), 0);
	ASSERT_EQ(mm->map_count, 4);
	ASSERT_EQ(uwrite8(k, 0, x + p, 7), KMM_OK);     /* middle: anon_vma */
	struct anon_vma *av = find_vma(mm, x + p)->anon_vma;
	ASSERT_TRUE(av != NULL);
	ASSERT_TRUE(find_vma(mm, x)->anon_vma == NULL);
	ASSERT_TRUE(find_vma(mm, x + 2 * p)->anon_vma == NULL);
	/* equal flags, but the faulted middle merges with neither */
	ASSERT_EQ(sys_mprotect(k, mm, x + p, p, PROT_READ), 0);
	struct want w[] = {{x, x + p, ANON_RO_FLAGS | VM_ACCOUNT, x >> 12},
			   {x + p, x + 2 * p, ANON_RO_FLAGS | VM_ACCOUNT, (x >> 12) + 1},
			   {x + 2 * p, x + 3 * p, ANON_RO_FLAGS | VM_ACCOUNT,
			    (x >> 12) + 2}};
	ASSERT_EQ(vmas_are(mm, w, 3), 0);
	/* all writable again: the left one stays apart, the right one (no
	 * anon_vma) merges into the middle */
	ASSERT_EQ(sys_mprotect(k, mm, x, 3 * p, RW), 0);
	struct want w2[] = {{x, x + p, ANON_RW_FLAGS, x >> 12},
			    {x + p, x + 3 * p, ANON_RW_FLAGS, (x >> 12) + 1}};
	ASSERT_EQ(vmas_are(mm, w2, 2), 0);
	ASSERT_TRUE(find_vma(mm, x + 2 * p)->anon_vma == av);
	/* the left one faults: find_mergeable_anon_vma hands it av */
	ASSERT_EQ(uwrite8(k, 0, x, 1), KMM_OK);
	ASSERT_TRUE(find_vma(mm, x)->anon_vma == av);
	ASSERT_EQ(mm->map_count, 3);
	/* the next mprotect round trip merges all three (case 6) */
	ASSERT_EQ(sys_mprotect(k, mm, x + p, p, PROT_READ), 0);
	ASSERT_EQ(mm->map_count, 4);
	ASSERT_EQ(sys_mprotect(k, mm, x + p, p, RW), 0);
	struct want w3[] = {{x, x + 3 * p, ANON_RW_FLAGS, x >> 12}};
	ASSERT_EQ(vmas_are(mm, w3, 1), 0);
	ASSERT_TRUE(find_vma(mm, x)->anon_vma == av);
	ASSERT_EQ(uread8(k, 0, x + p), 7);
	ASSERT_EQ(uread8(k, 0, x), 1);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(mprotect_anon_vma_rule)

/* brk grows with an anonymous VMA that merges, shrinks by unmapping, and
 * refuses to go below start_brk or to come within a page of a mapping. */
static int brk_grow_shrink(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	struct mm_struct *mm = start_process(k, 0);
	ASSERT_TRUE(mm);
	const vaddr_t b = KMM_START_BRK, p = PAGE_SIZE;
	const unsigned long brk_flags = ANON_RW_FLAGS;
	ASSERT_EQ(sys_brk(k, mm, b + p), b + p);
	ASSERT_EQ(sys_brk(k, mm, b + 3 * p), b + 3 * p);
	struct want w[] = {{b, b + 3 * p, brk_flags, b >> 12}};
	ASSERT_EQ(vmas_are(mm, w, 1), 0);
	ASSERT_EQ(uwrite8(k, 0, b + 2 * p, 9), KMM_OK);
	ASSERT_EQ(sys_brk(k, mm, b + p - 0x800), b + p - 0x800);
	struct want w2[] = {{b, b + p, brk_flags, b >> 12}};
	ASSERT_EQ(vmas_are(mm, w2, 1), 0);
	ASSERT_EQ(mm->rss[MM_ANONPAGES], 0);
	ASSERT_EQ(sys_brk(k, mm, b - p), b + p - 0x800);
	ASSERT_EQ(mmap_anon(k, mm, b + 5 * p, p, RW, MAP_FIXED), b + 5 * p);
	ASSERT_EQ(sys_brk(k, mm, b + 4 * p), b + 4 * p);
	ASSERT_EQ(sys_brk(k, mm, b + 4 * p + 1), b + 4 * p);    /* no gap page */
	ASSERT_EQ(uread8(k, 0, b + 3 * p), 0);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(brk_grow_shrink)

/* mremap: shrink, grow in place, move (the frames move with their ptes,
 * the VMA keeps its pgoff), fixed moves and errors. */
static int mremap_cases(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	struct mm_struct *mm = start_process(k, 0);
	ASSERT_TRUE(mm);
	vaddr_t x = 0x50000000, p = PAGE_SIZE;
	ASSERT_EQ(mmap_anon(k, mm, x, 4 * p, RW, MAP_FIXED), x);
	for (int i = 0; i < 4; i++)
		ASSERT_EQ(uwrite8(k, 0, x + i * p, 'a' + i), KMM_OK);
	long before = free_frames(k);
	ASSERT_EQ(do_mremap(k, mm, x, 4 * p, 2 * p, 0, 0), x);
	ASSERT_EQ(free_frames(k), before + 2);
	ASSERT_EQ(do_mremap(k, mm, x, 2 * p, 4 * p, 0, 0), x);     /* in place */
	struct want w[] = {{x, x + 4 * p, ANON_RW_FLAGS, x >> 12}};
	ASSERT_EQ(vmas_are(mm, w, 1), 0);
	ASSERT_EQ(uread8(k, 0, x + 1 * p), 'b');
	ASSERT_EQ(uread8(k, 0, x + 3 * p), 0);
	/* blocked by a mapping right after: no move without MREMAP_MAYMOVE */
	ASSERT_EQ(mmap_anon(k, mm, x + 4 * p, p, PROT_READ, MAP_FIXED), x + 4 * p);
	ASSERT_EQ(do_mremap(k, mm, x, 4 * p, 6 * p, 0, 0), -ENOMEM);
	unsigned long pfn0 = pte_pfn(k, mm_pteval(k, mm, x));
	long n = do_mremap(k, mm, x, 4 * p, 6 * p, MREMAP_MAYMOVE, 0);
	ASSERT_EQ(n, 0xB7FFA000);               /* top-down, below mmap_base */
	struct want w2[] = {{x + 4 * p, x + 5 * p, ANON_RO_FLAGS, (x >> 12) + 4},
			    {0xB7FFA000, 0xB8000000, ANON_RW_FLAGS, x >> 12}};
	ASSERT_EQ(vmas_are(mm, w2, 2), 0);
	ASSERT_EQ(pte_pfn(k, mm_pteval(k, mm, 0xB7FFA000)), pfn0);
	ASSERT_EQ(uread8(k, 0, 0xB7FFA000), 'a');
	ASSERT_EQ(uread8(k, 0, 0xB7FFA000 + p), 'b');
	ASSERT_EQ(uread8(k, 0, x), -KMM_SIGSEGV);
	/* MREMAP_FIXED moves exactly there */
	ASSERT_EQ(do_mremap(k, mm, 0xB7FFA000, 2 * p, 2 * p,
			    MREMAP_MAYMOVE | MREMAP_FIXED, 0x60000000), 0x60000000);
	ASSERT_EQ(uread8(k, 0, 0x60000000 + p), 'b');
	ASSERT_EQ(do_mremap(k, mm, 0x60000000, p, p, MREMAP_FIXED, 0x61000000), -EINVAL);
	ASSERT_EQ(do_mremap(k, mm, 0x60000000, 3 * p, 4 * p, 0, 0), -EFAULT);
	ASSERT_EQ(do_mremap(k, mm, 0x60000000, p, 0, 0, 0), -EINVAL);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(mremap_cases)

/* find_vma, find_vma_prev, find_vma_intersection. */
static int find_vma_family(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	struct mm_struct *mm = mm_exec(k);
	ASSERT_TRUE(mm);
	ASSERT_EQ(mmap_anon(k, mm, 0x10000000, 2 * PAGE_SIZE, RW, MAP_FIXED), 0x10000000);
	ASSERT_EQ(mmap_anon(k, mm, 0x20000000, PAGE_SIZE, RW, MAP_FIXED), 0x20000000);
	struct vm_area_struct *a = find_vma(mm, 0x10000000), *b = find_vma(mm, 0x20000000);
	struct vm_area_struct *st = find_vma(mm, STACK_TOP - 1), *prev;
	ASSERT_TRUE(a && b && st && a != b && b != st);
	ASSERT_TRUE(find_vma(mm, 0) == a);
	ASSERT_TRUE(find_vma(mm, 0x10001fff) == a);
	ASSERT_TRUE(find_vma(mm, 0x10002000) == b);
	ASSERT_TRUE(find_vma(mm, 0x20001000) == st);
	ASSERT_TRUE(find_vma(mm, STACK_TOP) == NULL);
	ASSERT_TRUE(find_vma_prev(mm, 0x10001000, &prev) == a && prev == NULL);
	ASSERT_TRUE(find_vma_prev(mm, 0x15000000, &prev) == b && prev == a);
	ASSERT_TRUE(find_vma_prev(mm, STACK_TOP, &prev) == NULL && prev == st);
	ASSERT_TRUE(find_vma_intersection(mm, 0x10002000, 0x20000000) == NULL);
	ASSERT_TRUE(find_vma_intersection(mm, 0x10002000, 0x20000001) == b);
	ASSERT_TRUE(find_vma_intersection(mm, 0x10001000, 0x10001001) == a);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(find_vma_family)

/* Random fixed mmaps, munmaps and mprotects over 256 pages against a
 * page-granular model of what is mapped with which protection; the tree
 * answers find_vma like a linear search, and the sweeps hold. */
static int random_ops_vs_model(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	struct mm_struct *mm = start_process(k, 0);
	ASSERT_TRUE(mm);
	enum { NP = 256 };
	const vaddr_t base = 0x30000000;
	int model[NP];          /* -1 unmapped, else prot */
	uint64_t seed = pae ? 77 : 78;
	for (int i = 0; i < NP; i++)
		model[i] = -1;
	for (int it = 0; it < 600; it++) {
		unsigned int s = (unsigned int)(test_rand(&seed) % NP);
		unsigned int n = 1 + (unsigned int)(test_rand(&seed) % 16);
		int prot = (int)(test_rand(&seed) % 4);     /* none, r, w, rw */
		if (s + n > NP)
			n = NP - s;
		vaddr_t a = base + s * PAGE_SIZE;
		switch (test_rand(&seed) % 3) {
		case 0:
			ASSERT_EQ(mmap_anon(k, mm, a, n * PAGE_SIZE, (unsigned long)prot,
					    MAP_FIXED), a);
			for (unsigned int i = s; i < s + n; i++)
				model[i] = prot;
			break;
		case 1:
			ASSERT_EQ(do_munmap(k, mm, a, n * PAGE_SIZE), 0);
			for (unsigned int i = s; i < s + n; i++)
				model[i] = -1;
			break;
		default: {
			bool full = true;
			for (unsigned int i = s; i < s + n; i++)
				full &= model[i] >= 0;
			int r = sys_mprotect(k, mm, a, n * PAGE_SIZE, (unsigned long)prot);
			if (!full) {
				ASSERT_EQ(r, -ENOMEM);
				/* 3.2 has changed the mapped prefix already */
				for (unsigned int i = s; i < s + n && model[i] >= 0; i++)
					model[i] = prot;
			} else {
				ASSERT_EQ(r, 0);
				for (unsigned int i = s; i < s + n; i++)
					model[i] = prot;
			}
		}
		}
		if (prot & PROT_WRITE && model[s] >= 0 && (model[s] & PROT_WRITE))
			ASSERT_EQ(uwrite8(k, 0, a, (uint8_t)it), KMM_OK);
		for (int i = 0; i < NP; i++) {
			vaddr_t va = base + (vaddr_t)i * PAGE_SIZE;
			struct vm_area_struct *v = find_vma(mm, va);
			bool mapped = v && v->vm_start <= va;
			ASSERT_EQ(mapped, model[i] >= 0);
			if (mapped)
				ASSERT_EQ(v->vm_flags & (VM_READ | VM_WRITE),
					  (unsigned long)model[i]);
		}
		if (it % 50 == 0)
			kmm_check(k);
	}
	kmm_check(k);
	long before_exit = free_frames(k);
	mmput(k, mm);
	ASSERT_TRUE(free_frames(k) > before_exit);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(random_ops_vs_model)

static const struct test_case tests[] = {
	TEST_BOTH(topdown_and_merge),
	TEST_BOTH(hints_fixed_and_errors),
	TEST_BOTH(fixed_over_middle),
	TEST_BOTH(munmap_middle),
	TEST_BOTH(munmap_frees_page_tables),
	TEST_BOTH(mprotect_split_merge),
	TEST_BOTH(mprotect_boundaries),
	TEST_BOTH(mprotect_anon_vma_rule),
	TEST_BOTH(brk_grow_shrink),
	TEST_BOTH(mremap_cases),
	TEST_BOTH(find_vma_family),
	TEST_BOTH(random_ops_vs_model),
};
TEST_MAIN(tests)
