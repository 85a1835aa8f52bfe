/* test_fault.c — the page-fault path and what it builds, per Linux 3.2
 * arch/x86/mm/fault.c and mm/memory.c: demand-zero anonymous pages with
 * the zero page, file pages from the page cache (private COW, shared
 * dirty), device memory (remap_pfn_range at mmap, vm_insert_pfn at fault),
 * COW after fork in parent and child, stack growth with the guard page,
 * SIGSEGV/SIGBUS/EFAULT/OOM outcomes, the i386 vmalloc_fault PDE sync,
 * spurious kernel faults, exit returning every frame, highmem user pages,
 * and reset. */
#include <errno.h>
#include <signal.h>
#include "mmu_test.h"

#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

static long mmap_anon(struct kmm *k, struct mm_struct *mm, vaddr_t addr,
		      uint32_t len, unsigned long prot)
{
	return do_mmap_pgoff(k, mm, NULL, addr, len, prot, ANON | MAP_FIXED, 0);
}

static struct page *page_at(struct kmm *k, struct mm_struct *mm, vaddr_t va)
{
	pteval_t pte = mm_pteval(k, mm, va);

	return pte_present(pte) ? pfn_to_page(k, pte_pfn(k, pte)) : NULL;
}

/* ---- anonymous memory ---- */

/* A read maps the shared zero page read-only (_PAGE_SPECIAL, no counts);
 * a write then gets a private zeroed page (COW from the zero page); a
 * first write gets one directly. */
static int demand_zero_anon(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	struct mm_struct *mm = start_process(k, 0);
	ASSERT_TRUE(mm);
	vaddr_t x = 0x30000000;
	ASSERT_EQ(mmap_anon(k, mm, x, 2 * PAGE_SIZE, RW), x);
	struct page *zp = pfn_to_page(k, zero_pfn(k));
	int zcount = zp->_refcount, zmap = zp->_mapcount;
	ASSERT_EQ(uread8(k, 0, x + 10), 0);
	pteval_t pte = mm_pteval(k, mm, x);
	ASSERT_EQ(pte_pfn(k, pte), zero_pfn(k));
	ASSERT_TRUE(pte_special(pte) && !pte_write(pte) && (pte & _PAGE_USER));
	ASSERT_EQ(!!(pte & _PAGE_NX), pae);
	ASSERT_EQ(zp->_refcount, zcount);
	ASSERT_EQ(zp->_mapcount, zmap);
	ASSERT_EQ(mm->rss[MM_ANONPAGES], 0);
	ASSERT_TRUE(find_vma(mm, x)->anon_vma == NULL);
	long before = free_frames(k);
	ASSERT_EQ(uwrite8(k, 0, x + 10, 0x5a), KMM_OK);
	struct page *p = page_at(k, mm, x);
	ASSERT_TRUE(p && p != zp);
	pte = mm_pteval(k, mm, x);
	ASSERT_TRUE(pte_write(pte) && pte_dirty(pte) && !pte_special(pte));
	ASSERT_EQ(p->_refcount, 1);
	ASSERT_EQ(p->_mapcount, 0);
	ASSERT_TRUE(PageFlag(p, PG_uptodate) && PageFlag(p, PG_swapbacked));
	ASSERT_EQ(free_frames(k), before - 1);
	ASSERT_EQ(uread8(k, 0, x + 10), 0x5a);
	ASSERT_EQ(uread8(k, 0, x + 11), 0);
	ASSERT_EQ(kmm_frame_r(k, zero_pfn(k))[10], 0);
	ASSERT_EQ(kmm_fault_stats(k)->cow_copies, 1);
	/* a write as the first access: one fault, one page */
	struct kmm_access_result r;
	uint8_t v = 1;
	ASSERT_EQ(kmm_access(k, 0, x + PAGE_SIZE, &v, 1, KMM_ACC_WRITE | KMM_ACC_USER,
			     &r), KMM_OK);
	ASSERT_EQ(r.faults, 1);
	ASSERT_EQ(r.error_code, PF_WRITE | PF_USER);
	ASSERT_EQ(mm->rss[MM_ANONPAGES], 2);
	ASSERT_EQ(page_at(k, mm, x + PAGE_SIZE)->index, (x >> 12) + 1);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(demand_zero_anon)

/* An access is split at page boundaries: each page is translated (and
 * faulted in) on its own, and the bytes land in two different frames. */
static int access_splits_at_page_boundary(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	struct mm_struct *mm = start_process(k, 1);
	ASSERT_TRUE(mm);
	vaddr_t x = 0x30000000;
	ASSERT_EQ(mmap_anon(k, mm, x, 3 * PAGE_SIZE, RW), x);
	uint8_t out[PAGE_SIZE + 16], in[PAGE_SIZE + 16];
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (uint8_t)(i * 13 + 1);
	struct kmm_access_result r;
	vaddr_t va = x + PAGE_SIZE - 8;         /* 8 + 4096 + 8 bytes: 3 pages */
	ASSERT_EQ(kmm_access(k, 1, va, out, sizeof(out), KMM_ACC_WRITE | KMM_ACC_USER,
			     &r), KMM_OK);
	ASSERT_EQ(r.faults, 3);
	ASSERT_EQ(r.done, sizeof(out));
	ASSERT_EQ(mm->rss[MM_ANONPAGES], 3);
	for (int i = 0; i < 3; i++) {
		const uint8_t *f = kmm_frame_r(k, pte_pfn(k, mm_pteval(k, mm, x + i * PAGE_SIZE)));
		size_t off = i == 0 ? PAGE_SIZE - 8 : 0, from = i == 0 ? 0 : 8 + (i - 1) * PAGE_SIZE;
		size_t n = i == 1 ? PAGE_SIZE : 8;
		ASSERT_EQ(memcmp(f + off, out + from, n), 0);
	}
	ASSERT_EQ(kmm_access(k, 1, va, in, sizeof(in), KMM_ACC_USER, &r), KMM_OK);
	ASSERT_EQ(r.faults, 0);
	ASSERT_EQ(memcmp(in, out, sizeof(in)), 0);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(access_splits_at_page_boundary)

/* ---- files ---- */

static uint8_t file_byte(uint64_t off) { return (uint8_t)(off * 7 + 3); }

static struct kmm_file *make_file(struct kmm *k, uint64_t size)
{
	uint8_t *d = malloc(size);
	for (uint64_t i = 0; i < size; i++)
		d[i] = file_byte(i);
	struct kmm_file *f = kmm_file_create(k, size, d);
	free(d);
	return f;
}

/* Private file mapping: reads map the page-cache page read-only, a write
 * copies it (COW) and leaves the file alone; past the end of the file
 * inside its last page reads zeroes, a whole page past it is SIGBUS. */
static int file_private(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	struct mm_struct *mm = start_process(k, 0);
	ASSERT_TRUE(mm);
	uint64_t size = 2 * PAGE_SIZE + 100;
	struct kmm_file *f = make_file(k, size);
	long a = do_mmap_pgoff(k, mm, f, 0, 4 * PAGE_SIZE, RW, MAP_PRIVATE, 0);
	ASSERT_TRUE(a > 0);
	vaddr_t x = (vaddr_t)a;
	struct vm_area_struct *v = find_vma(mm, x);
	ASSERT_TRUE(v->vm_file == f && (v->vm_flags & VM_CAN_NONLINEAR));
	ASSERT_EQ(uread8(k, 0, x + 5), file_byte(5));
	struct page *cp = kmm_file_find_page(k, f, 0);
	ASSERT_TRUE(cp && page_at(k, mm, x) == cp);
	ASSERT_EQ(kmm_file_nrpages(f), 1);
	ASSERT_FALSE(pte_write(mm_pteval(k, mm, x)));
	ASSERT_EQ(cp->_refcount, 2);            /* the cache and the pte */
	ASSERT_EQ(cp->_mapcount, 0);
	ASSERT_TRUE(cp->mapping != NULL);
	ASSERT_EQ(mm->rss[MM_FILEPAGES], 1);
	ASSERT_EQ(uread8(k, 0, x + 2 * PAGE_SIZE + 99), file_byte(2 * PAGE_SIZE + 99));
	ASSERT_EQ(uread8(k, 0, x + 2 * PAGE_SIZE + 100), 0);
	struct kmm_access_result r;
	uint8_t b;
	ASSERT_EQ(kmm_access(k, 0, x + 3 * PAGE_SIZE, &b, 1, KMM_ACC_USER, &r),
		  KMM_SIGBUS);
	ASSERT_EQ(r.si_code, BUS_ADRERR);
	ASSERT_EQ(r.addr, x + 3 * PAGE_SIZE);
	/* COW of a page-cache page */
	ASSERT_EQ(uwrite8(k, 0, x + 5, 'W'), KMM_OK);
	struct page *np = page_at(k, mm, x);
	ASSERT_TRUE(np && np != cp);
	ASSERT_TRUE(pte_write(mm_pteval(k, mm, x)));
	ASSERT_EQ(cp->_refcount, 1);
	ASSERT_EQ(cp->_mapcount, -1);
	ASSERT_EQ(mm->rss[MM_FILEPAGES], 1);
	ASSERT_EQ(mm->rss[MM_ANONPAGES], 1);
	ASSERT_EQ(uread8(k, 0, x + 5), 'W');
	ASSERT_EQ(uread8(k, 0, x + 6), file_byte(6));
	kmm_file_read(k, f, 5, &b, 1);
	ASSERT_EQ(b, file_byte(5));
	/* a first-touch write to a private file page: the early COW break */
	ASSERT_EQ(uwrite8(k, 0, x + PAGE_SIZE, 'X'), KMM_OK);
	ASSERT_TRUE(PageAnon(page_at(k, mm, x + PAGE_SIZE)));
	ASSERT_EQ(uread8(k, 0, x + PAGE_SIZE + 1), file_byte(PAGE_SIZE + 1));
	ASSERT_EQ(kmm_file_nrpages(f), 3);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(file_private)

/* Shared file mapping: the cache page itself, mapped read-only first
 * (dirty accounting), writable and dirty on write; another process sees
 * the write, and so does read(2). */
static int file_shared(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	struct mm_struct *a = start_process(k, 0), *b = start_process(k, 1);
	ASSERT_TRUE(a && b);
	struct kmm_file *f = make_file(k, 3 * PAGE_SIZE);
	long xa = do_mmap_pgoff(k, a, f, 0, 3 * PAGE_SIZE, RW, MAP_SHARED, 0);
	long xb = do_mmap_pgoff(k, b, f, 0, 2 * PAGE_SIZE, RW, MAP_SHARED, 1);
	ASSERT_TRUE(xa > 0 && xb > 0);
	ASSERT_EQ(uread8(k, 0, (vaddr_t)xa + PAGE_SIZE), file_byte(PAGE_SIZE));
	struct page *cp = kmm_file_find_page(k, f, 1);
	ASSERT_TRUE(cp);
	pteval_t pte = mm_pteval(k, a, (vaddr_t)xa + PAGE_SIZE);
	ASSERT_FALSE(pte_write(pte));           /* write-notify */
	ASSERT_FALSE(PageFlag(cp, PG_dirty));
	ASSERT_EQ(uwrite8(k, 0, (vaddr_t)xa + PAGE_SIZE + 1, 'S'), KMM_OK);
	pte = mm_pteval(k, a, (vaddr_t)xa + PAGE_SIZE);
	ASSERT_TRUE(pte_write(pte) && pte_dirty(pte));
	ASSERT_TRUE(page_at(k, a, (vaddr_t)xa + PAGE_SIZE) == cp);
	ASSERT_TRUE(PageFlag(cp, PG_dirty));
	/* b maps file page 1 at its first page */
	ASSERT_EQ(uread8(k, 1, (vaddr_t)xb + 1), 'S');
	ASSERT_TRUE(page_at(k, b, (vaddr_t)xb) == cp);
	ASSERT_EQ(cp->_mapcount, 1);
	ASSERT_EQ(cp->_refcount, 3);
	uint8_t byte;
	kmm_file_read(k, f, PAGE_SIZE + 1, &byte, 1);
	ASSERT_EQ(byte, 'S');
	/* a first-touch write fault on a shared page: writable at once */
	ASSERT_EQ(uwrite8(k, 1, (vaddr_t)xb + PAGE_SIZE, 'T'), KMM_OK);
	ASSERT_TRUE(pte_write(mm_pteval(k, b, (vaddr_t)xb + PAGE_SIZE)));
	ASSERT_EQ(uread8(k, 0, (vaddr_t)xa + 2 * PAGE_SIZE), 'T');
	ASSERT_EQ(kmm_fault_stats(k)->shared_dirty, 2);
	kmm_check(k);
	/* unmapping keeps the pages in the cache */
	mmput(k, a);
	mmput(k, b);
	ASSERT_EQ(kmm_file_nrpages(f), 2);      /* pages 1 and 2 were used */
	ASSERT_EQ(cp->_refcount, 1);
	kmm_check(k);
	kmm_file_put(k, f);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(file_shared)

/* truncate: mapped pages past the new end are unmapped (COWed ones too)
 * and dropped from the cache; touching them is SIGBUS; the partial page
 * reads zeroes past the end. */
static int truncate_then_sigbus(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	struct mm_struct *mm = start_process(k, 0);
	ASSERT_TRUE(mm);
	struct kmm_file *f = make_file(k, 3 * PAGE_SIZE);
	long s = do_mmap_pgoff(k, mm, f, 0, 3 * PAGE_SIZE, RW, MAP_SHARED, 0);
	long p = do_mmap_pgoff(k, mm, f, 0, 3 * PAGE_SIZE, RW, MAP_PRIVATE, 0);
	ASSERT_TRUE(s > 0 && p > 0);
	for (int i = 0; i < 3; i++) {
		ASSERT_EQ(uread8(k, 0, (vaddr_t)s + i * PAGE_SIZE), file_byte(i * PAGE_SIZE));
		ASSERT_EQ(uwrite8(k, 0, (vaddr_t)p + i * PAGE_SIZE, 'c'), KMM_OK);
	}
	long before = free_frames(k);
	ASSERT_EQ(kmm_file_truncate(k, f, PAGE_SIZE + 10), 0);
	/* page 2 left the cache (1 frame), the COWed copy of page 2 too */
	ASSERT_EQ(free_frames(k), before + 2);
	ASSERT_EQ(kmm_file_nrpages(f), 2);
	ASSERT_EQ(mm_pteval(k, mm, (vaddr_t)s + 2 * PAGE_SIZE), 0);
	ASSERT_EQ(mm_pteval(k, mm, (vaddr_t)p + 2 * PAGE_SIZE), 0);
	ASSERT_EQ(uread8(k, 0, (vaddr_t)s + 2 * PAGE_SIZE), -KMM_SIGBUS);
	ASSERT_EQ(uread8(k, 0, (vaddr_t)p + 2 * PAGE_SIZE), -KMM_SIGBUS);
	ASSERT_EQ(uread8(k, 0, (vaddr_t)s + PAGE_SIZE + 9), file_byte(PAGE_SIZE + 9));
	ASSERT_EQ(uread8(k, 0, (vaddr_t)s + PAGE_SIZE + 10), 0);
	ASSERT_EQ(uread8(k, 0, (vaddr_t)p + PAGE_SIZE), 'c');   /* private copy */
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(truncate_then_sigbus)

/* ---- device memory ---- */

#define DEV_BASE 0xE0000000ull

/* remap_pfn_range maps the whole VMA at mmap (VM_IO|VM_PFNMAP, special,
 * uncached ptes, no struct page touched); accesses reach device memory;
 * a private mapping COWs from it; fork copies the pfn ptes. */
static int device_remap_pfn_range(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	struct mm_struct *mm = start_process(k, 0);
	ASSERT_TRUE(mm);
	struct kmm_file *dev = kmm_device_create(k, DEV_BASE, 4 * PAGE_SIZE, false);
	for (int i = 0; i < 4; i++) {
		uint8_t b = (uint8_t)(0xd0 + i);
		phys_write(k, DEV_BASE + i * PAGE_SIZE + 8, &b, 1);
	}
	long before = free_frames(k);
	long a = do_mmap_pgoff(k, mm, dev, 0, 3 * PAGE_SIZE, RW, MAP_SHARED, 1);
	ASSERT_TRUE(a > 0);
	vaddr_t x = (vaddr_t)a;
	struct vm_area_struct *v = find_vma(mm, x);
	ASSERT_EQ(v->vm_flags & (VM_IO | VM_PFNMAP | VM_RESERVED | VM_PFN_AT_MMAP),
		  VM_IO | VM_PFNMAP | VM_RESERVED | VM_PFN_AT_MMAP);
	ASSERT_EQ(v->vm_pgoff, PFN_DOWN(DEV_BASE) + 1);
	for (int i = 0; i < 3; i++) {
		pteval_t pte = mm_pteval(k, mm, x + i * PAGE_SIZE);
		ASSERT_TRUE((pte & _PAGE_PRESENT) && pte_special(pte) && (pte & _PAGE_PCD));
		ASSERT_EQ(pte_pfn(k, pte), PFN_DOWN(DEV_BASE) + 1 + i);
	}
	ASSERT_EQ(free_frames(k), before - 1);  /* only the page table */
	ASSERT_EQ(uread8(k, 0, x + 8), 0xd1);
	ASSERT_EQ(uwrite8(k, 0, x + PAGE_SIZE + 9, 0x77), KMM_OK);
	uint8_t b;
	phys_read(k, DEV_BASE + 2 * PAGE_SIZE + 9, &b, 1);
	ASSERT_EQ(b, 0x77);
	ASSERT_EQ(mm->rss[MM_FILEPAGES] + mm->rss[MM_ANONPAGES], 0);
	ASSERT_EQ(kmm_fault_stats(k)->faults, 0);
	/* beyond the device: the mmap fails and leaves nothing behind */
	ASSERT_EQ(do_mmap_pgoff(k, mm, dev, 0, 2 * PAGE_SIZE, RW, MAP_SHARED, 3), -EINVAL);
	/* a private mapping copies on write from device memory */
	long pa = do_mmap_pgoff(k, mm, dev, 0, PAGE_SIZE, RW, MAP_PRIVATE, 3);
	ASSERT_TRUE(pa > 0);
	ASSERT_EQ(uread8(k, 0, (vaddr_t)pa + 8), 0xd3);
	ASSERT_EQ(uwrite8(k, 0, (vaddr_t)pa + 9, 0x11), KMM_OK);
	ASSERT_TRUE(PageAnon(page_at(k, mm, (vaddr_t)pa)));
	ASSERT_EQ(uread8(k, 0, (vaddr_t)pa + 8), 0xd3);
	phys_read(k, DEV_BASE + 3 * PAGE_SIZE + 9, &b, 1);
	ASSERT_EQ(b, 0);
	/* fork: the child has the pfn ptes without faulting */
	struct mm_struct *child = dup_mm(k, mm);
	ASSERT_TRUE(child);
	/* copied old, and clean because the mapping is shared */
	ASSERT_TRUE(pte_dirty(mm_pteval(k, mm, x + PAGE_SIZE)));
	for (int i = 0; i < 3; i++)
		ASSERT_EQ(mm_pteval(k, child, x + i * PAGE_SIZE),
			  mm_pteval(k, mm, x + i * PAGE_SIZE) &
				  ~(pteval_t)(_PAGE_ACCESSED | _PAGE_DIRTY));
	switch_mm(k, 1, child);
	ASSERT_EQ(uread8(k, 1, x + PAGE_SIZE + 9), 0x77);
	kmm_check(k);
	mmput(k, child);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(device_remap_pfn_range)

/* A fault-mapped device: no ptes at mmap, vm_insert_pfn per fault; a
 * private mapping of it is refused. */
static int device_demand_paging(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	struct mm_struct *mm = start_process(k, 0);
	ASSERT_TRUE(mm);
	struct kmm_file *dev = kmm_device_create(k, DEV_BASE, 2 * PAGE_SIZE, true);
	uint8_t b = 0x42;
	phys_write(k, DEV_BASE + PAGE_SIZE + 3, &b, 1);
	long a = do_mmap_pgoff(k, mm, dev, 0, 2 * PAGE_SIZE, RW, MAP_SHARED, 0);
	ASSERT_TRUE(a > 0);
	vaddr_t x = (vaddr_t)a;
	ASSERT_EQ(mm_pteval(k, mm, x), 0);
	ASSERT_EQ(mm_pteval(k, mm, x + PAGE_SIZE), 0);
	ASSERT_EQ(uread8(k, 0, x + PAGE_SIZE + 3), 0x42);
	ASSERT_EQ(mm_pteval(k, mm, x), 0);
	pteval_t pte = mm_pteval(k, mm, x + PAGE_SIZE);
	ASSERT_TRUE(pte_special(pte) && pte_pfn(k, pte) == PFN_DOWN(DEV_BASE) + 1);
	ASSERT_EQ(kmm_fault_stats(k)->pfn, 1);
	ASSERT_EQ(uwrite8(k, 0, x, 0x99), KMM_OK);
	phys_read(k, DEV_BASE, &b, 1);
	ASSERT_EQ(b, 0x99);
	ASSERT_EQ(do_mmap_pgoff(k, mm, dev, 0, PAGE_SIZE, RW, MAP_PRIVATE, 0), -EINVAL);
	kmm_check(k);
	mmput(k, mm);
	kmm_file_put(k, dev);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(device_demand_paging)

/* ---- fork ---- */

/* COW after fork: both see the parent's data on shared read-only pages;
 * the first writer copies, the last one left reuses its page. */
static int cow_after_fork(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	struct mm_struct *par = start_process(k, 0);
	ASSERT_TRUE(par);
	vaddr_t x = 0x30000000;
	ASSERT_EQ(mmap_anon(k, par, x, 2 * PAGE_SIZE, RW), x);
	ASSERT_EQ(uwrite8(k, 0, x, 'P'), KMM_OK);
	ASSERT_EQ(uwrite8(k, 0, x + PAGE_SIZE, 'p'), KMM_OK);
	struct page *p0 = page_at(k, par, x), *p1 = page_at(k, par, x + PAGE_SIZE);
	ASSERT_TRUE(tlb_lookup(k, 0, x, NULL));
	kmm_set_cpu(k, 0);
	struct mm_struct *ch = dup_mm(k, par);
	ASSERT_TRUE(ch);
	/* fork write-protected both sides and flushed the parent's TLB */
	ASSERT_FALSE(tlb_lookup(k, 0, x, NULL));
	ASSERT_TRUE(page_at(k, ch, x) == p0 && page_at(k, ch, x + PAGE_SIZE) == p1);
	ASSERT_FALSE(pte_write(mm_pteval(k, par, x)));
	ASSERT_FALSE(pte_write(mm_pteval(k, ch, x)));
	ASSERT_EQ(p0->_mapcount, 1);
	ASSERT_EQ(p0->_refcount, 2);
	struct vm_area_struct *pv = find_vma(par, x), *cv = find_vma(ch, x);
	ASSERT_TRUE(cv->anon_vma && cv->anon_vma != pv->anon_vma);
	ASSERT_EQ(cv->chain_len, 2);
	ASSERT_EQ(ch->rss[MM_ANONPAGES], 2);
	kmm_check(k);
	switch_mm(k, 1, ch);
	ASSERT_EQ(uread8(k, 1, x), 'P');
	/* the child writes first: it copies */
	ASSERT_EQ(uwrite8(k, 1, x, 'C'), KMM_OK);
	struct page *c0 = page_at(k, ch, x);
	ASSERT_TRUE(c0 != p0);
	ASSERT_EQ(p0->_mapcount, 0);
	ASSERT_EQ(p0->_refcount, 1);
	ASSERT_EQ(uread8(k, 1, x), 'C');
	ASSERT_EQ(uread8(k, 0, x), 'P');
	/* the parent is now alone on p0: reuse, no copy */
	unsigned long copies = kmm_fault_stats(k)->cow_copies;
	ASSERT_EQ(uwrite8(k, 0, x, 'Q'), KMM_OK);
	ASSERT_TRUE(page_at(k, par, x) == p0);
	ASSERT_EQ(kmm_fault_stats(k)->cow_copies, copies);
	ASSERT_EQ(uread8(k, 1, x), 'C');
	/* second page: the parent writes first and copies; the child reuses */
	ASSERT_EQ(uwrite8(k, 0, x + PAGE_SIZE, 'q'), KMM_OK);
	ASSERT_TRUE(page_at(k, par, x + PAGE_SIZE) != p1);
	ASSERT_EQ(uwrite8(k, 1, x + PAGE_SIZE, 'c'), KMM_OK);
	ASSERT_TRUE(page_at(k, ch, x + PAGE_SIZE) == p1);
	ASSERT_EQ(uread8(k, 0, x + PAGE_SIZE), 'q');
	ASSERT_EQ(uread8(k, 1, x + PAGE_SIZE), 'c');
	ASSERT_EQ(kmm_fault_stats(k)->cow_copies, copies + 1);
	ASSERT_TRUE(p1->mapping == (void *)((uintptr_t)cv->anon_vma | 1));
	kmm_check(k);
	mmput(k, ch);
	ASSERT_EQ(uread8(k, 0, x), 'Q');
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(cow_after_fork)

/* Shared anonymous memory stays shared across fork (a shmem object; no
 * ptes copied, the child faults the same pages in). */
static int fork_shared_anon(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	struct mm_struct *par = start_process(k, 0);
	ASSERT_TRUE(par);
	long a = do_mmap_pgoff(k, par, NULL, 0, PAGE_SIZE, RW, MAP_SHARED | MAP_ANONYMOUS, 0);
	ASSERT_TRUE(a > 0);
	ASSERT_EQ(uwrite8(k, 0, (vaddr_t)a, 'S'), KMM_OK);
	struct mm_struct *ch = dup_mm(k, par);
	ASSERT_TRUE(ch);
	ASSERT_EQ(mm_pteval(k, ch, (vaddr_t)a), 0);
	switch_mm(k, 1, ch);
	ASSERT_EQ(uread8(k, 1, (vaddr_t)a), 'S');
	ASSERT_EQ(uwrite8(k, 1, (vaddr_t)a, 'T'), KMM_OK);
	ASSERT_EQ(uread8(k, 0, (vaddr_t)a), 'T');
	ASSERT_TRUE(page_at(k, par, (vaddr_t)a) == page_at(k, ch, (vaddr_t)a));
	ASSERT_EQ(kmm_fault_stats(k)->shmem, 2);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(fork_shared_anon)

/* ---- stacks ---- */

/* Touching just below the stack grows it to the page, and the guard page
 * rule (check_stack_guard_page) one page further; far below %sp is
 * SIGSEGV; beyond RLIMIT_STACK is SIGSEGV; a mapping right below the
 * stack turns the guard-page fault into SIGBUS. */
static int stack_growth(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	struct mm_struct *mm = start_process(k, 0);
	ASSERT_TRUE(mm);
	const vaddr_t s = STACK_TOP - PAGE_SIZE - KMM_STACK_INIT;
	struct vm_area_struct *st = find_vma(mm, s);
	ASSERT_EQ(st->vm_start, s);
	kmm_set_user_sp(k, 0, s - 0x10);
	ASSERT_EQ(uwrite8(k, 0, s - 0x20, 1), KMM_OK);
	ASSERT_EQ(st->vm_start, s - 2 * PAGE_SIZE);
	ASSERT_EQ(st->vm_pgoff, (s >> 12) - 2);
	ASSERT_EQ(kmm_fault_stats(k)->stack_growth, 1);
	ASSERT_EQ(mm->map_count, 1);
	/* far below %sp (more than the 64 KiB + 128 byte cushion) */
	struct kmm_access_result r;
	uint8_t b;
	vaddr_t far = s - 0x10 - 65536 - 128 - 1;
	ASSERT_EQ(kmm_access(k, 0, far, &b, 1, KMM_ACC_USER, &r), KMM_SIGSEGV);
	ASSERT_EQ(r.si_code, SEGV_MAPERR);
	ASSERT_EQ(st->vm_start, s - 2 * PAGE_SIZE);
	/* without the %sp check: RLIMIT_STACK (8 MiB) decides */
	kmm_set_user_sp(k, 0, 0);
	ASSERT_EQ(uread8(k, 0, STACK_TOP - (8u << 20)), 0);
	/* (the guard page's own expansion would pass the limit: 3.2 ignores
	 * that failure) */
	ASSERT_EQ(st->vm_start, STACK_TOP - (8u << 20));
	ASSERT_EQ(uread8(k, 0, STACK_TOP - (8u << 20) - 2 * PAGE_SIZE), -KMM_SIGSEGV);
	kmm_check(k);
	/* a mapping right below the stack: the guard page fault is SIGBUS */
	struct mm_struct *m2 = start_process(k, 1);
	ASSERT_TRUE(m2);
	ASSERT_EQ(mmap_anon(k, m2, s - PAGE_SIZE, PAGE_SIZE, RW), s - PAGE_SIZE);
	ASSERT_EQ(kmm_access(k, 1, s, &b, 1, KMM_ACC_USER, &r), KMM_SIGBUS);
	ASSERT_EQ(uread8(k, 1, s + PAGE_SIZE), 0);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(stack_growth)

/* ---- bad accesses ---- */

static void kernel_reads_user(struct kmm *k, void *arg)
{
	kread8(k, 0, *(vaddr_t *)arg);
}

/* SIGSEGV with MAPERR for no VMA or a kernel address, ACCERR for rights;
 * NX only exists with PAE; a uaccess faults to -EFAULT; a plain kernel
 * access to a hole is an oops. */
static int sigsegv_outcomes(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	struct mm_struct *mm = start_process(k, 0);
	ASSERT_TRUE(mm);
	vaddr_t x = 0x30000000, ro = 0x31000000, none = 0x32000000;
	ASSERT_EQ(mmap_anon(k, mm, x, PAGE_SIZE, RW), x);
	ASSERT_EQ(mmap_anon(k, mm, ro, PAGE_SIZE, PROT_READ), ro);
	ASSERT_EQ(mmap_anon(k, mm, none, PAGE_SIZE, PROT_NONE), none);
	struct kmm_access_result r;
	uint8_t b = 0;
	ASSERT_EQ(kmm_access(k, 0, 0x20000000, &b, 1, KMM_ACC_USER, &r), KMM_SIGSEGV);
	ASSERT_EQ(r.si_code, SEGV_MAPERR);
	ASSERT_EQ(r.error_code, PF_USER);
	ASSERT_EQ(r.addr, 0x20000000);
	ASSERT_EQ(kmm_access(k, 0, ro + 3, &b, 1, KMM_ACC_USER | KMM_ACC_WRITE, &r),
		  KMM_SIGSEGV);
	ASSERT_EQ(r.si_code, SEGV_ACCERR);
	ASSERT_EQ(r.error_code, PF_USER | PF_WRITE);
	ASSERT_EQ(kmm_access(k, 0, none, &b, 1, KMM_ACC_USER, &r), KMM_SIGSEGV);
	ASSERT_EQ(r.si_code, SEGV_ACCERR);
	ASSERT_EQ(kmm_access(k, 0, PAGE_OFFSET + 0x1000, &b, 1, KMM_ACC_USER, &r),
		  KMM_SIGSEGV);
	ASSERT_EQ(r.si_code, SEGV_MAPERR);
	ASSERT_EQ(r.error_code, PF_USER | PF_PROT);
	/* an instruction fetch from a non-exec mapping */
	enum kmm_outcome o = kmm_access(k, 0, x, &b, 1, KMM_ACC_USER | KMM_ACC_EXEC, &r);
	if (pae) {
		ASSERT_EQ(o, KMM_SIGSEGV);
		ASSERT_EQ(r.si_code, SEGV_ACCERR);
		ASSERT_EQ(r.error_code, PF_USER | PF_PROT | PF_INSTR);
		ASSERT_EQ(r.faults, 2);         /* not present, then NX */
	} else {
		ASSERT_EQ(o, KMM_OK);           /* no NX bit without PAE */
	}
	/* a partly successful access reports how far it got */
	ASSERT_EQ(kmm_access(k, 0, ro + PAGE_SIZE - 2, NULL, 4, KMM_ACC_USER, &r),
		  KMM_SIGSEGV);
	ASSERT_EQ(r.done, 2);
	/* copy_from_user of a hole */
	ASSERT_EQ(kmm_access(k, 0, 0x20000000, &b, 1, KMM_ACC_UACCESS, &r), KMM_EFAULT);
	/* copy_to_user of a read-only page: the kernel obeys R/W (CR0.WP) */
	ASSERT_EQ(kmm_access(k, 0, ro, &b, 1, KMM_ACC_UACCESS | KMM_ACC_WRITE, &r),
		  KMM_EFAULT);
	ASSERT_EQ(kmm_access(k, 0, x, &b, 1, KMM_ACC_UACCESS | KMM_ACC_WRITE, &r), KMM_OK);
	ASSERT_EQ(kmm_fault_stats(k)->efault, 2);
	kmm_check(k);
	bool aborted;
	vaddr_t hole = 0x20000000;
	char *out = run_expect_bug(k, kernel_reads_user, &hole, &aborted);
	ASSERT_TRUE(aborted);
	ASSERT_STR_CONTAINS(out, "unable to handle kernel paging request at 20000000");
	free(out);
	hole = 0x10;
	out = run_expect_bug(k, kernel_reads_user, &hole, &aborted);
	ASSERT_TRUE(aborted);
	ASSERT_STR_CONTAINS(out, "NULL pointer dereference");
	free(out);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(sigsegv_outcomes)

/* Out of memory in a user fault is VM_FAULT_OOM; nothing leaks and the
 * next try succeeds. */
static int oom_outcome(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	struct mm_struct *mm = start_process(k, 0);
	ASSERT_TRUE(mm);
	vaddr_t x = 0x30000000;
	ASSERT_EQ(mmap_anon(k, mm, x, PAGE_SIZE, RW), x);
	long before = free_frames(k);
	struct kmm_fault_attr *fa = kmm_fail_page_alloc(k);
	fa->interval = 1;
	fa->times = -1;
	ASSERT_EQ(uwrite8(k, 0, x, 1), KMM_OOM);
	ASSERT_EQ(free_frames(k), before);
	ASSERT_EQ(kmm_fault_stats(k)->oom, 1);
	memset(fa, 0, sizeof(*fa));
	ASSERT_EQ(uwrite8(k, 0, x, 1), KMM_OK);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(oom_outcome)

/* ---- kernel faults ---- */

static void kernel_reads(struct kmm *k, void *arg)
{
	kread8(k, 0, *(vaddr_t *)arg);
}

/* The kernel mappings below are written straight into swapper_pg_dir's
 * vmalloc area (no vmap area), so these tests run the MMU and buddy
 * sweeps rather than kmm_check, whose vmalloc sweep would rightly object.
 *
 * i386 vmalloc_fault: a kernel mapping added to swapper_pg_dir after a
 * process was created reaches it through a fault that copies the PMD entry
 * (without PAE, and with PAE when the kernel PMD is not shared); with the
 * native shared kernel PMD no fault happens.  A vmalloc address with no
 * pte is an oops; vmalloc_sync_all pushes PMD entries to every directory. */
static int vmalloc_fault_case(bool pae, bool unshared)
{
	struct kmm_config c;
	ASSERT_EQ(kmm_config_preset(&c, "tiny"), 0);
	c.pae = pae;
	c.pae_unshared_kernel_pmd = unshared;
	struct kmm *k = kmm_create(&c, NULL, 0);
	bool shared = pae && !unshared;
	ASSERT_TRUE(k);
	const struct kmm_layout *l = kmm_layout(k);
	struct mm_struct *old = start_process(k, 0);
	ASSERT_TRUE(old);
	vaddr_t va = l->vmalloc_start + 5 * PAGE_SIZE;
	ptep_t pmd_old = pmd_offset(k, old->pgd, va);
	ptep_t pmd_k = pmd_offset(k, swapper_pg_dir(k), va);
	ASSERT_EQ(pte_get(k, pmd_k), 0);        /* no vmalloc table at boot */
	ptep_t e = pte_alloc_kernel(k, va);
	ASSERT_TRUE(e);
	struct page *p = alloc_page(k, GFP_KERNEL);
	ASSERT_TRUE(p);
	kmm_frame_w(k, page_to_pfn(k, p))[0x10] = 0xab;
	set_pte(k, e, pfn_pte(k, page_to_pfn(k, p), pgprot_kernel(k)));
	ASSERT_TRUE(pte_get(k, pmd_k) & _PAGE_PRESENT);
	ASSERT_EQ(pmd_old == pmd_k, shared);
	ASSERT_EQ(pte_get(k, pmd_old), shared ? pte_get(k, pmd_k) : 0);
	struct kmm_access_result r;
	uint8_t b;
	ASSERT_EQ(kmm_access(k, 0, va + 0x10, &b, 1, 0, &r), KMM_OK);
	ASSERT_EQ(b, 0xab);
	const struct fault_stats *st = kmm_fault_stats(k);
	if (shared) {
		ASSERT_EQ(r.faults, 0);
		ASSERT_EQ(st->vmalloc_faults, 0);
	} else {
		ASSERT_EQ(r.faults, 1);
		ASSERT_EQ(r.error_code, 0);     /* supervisor read, not present */
		ASSERT_EQ(st->vmalloc_faults, 1);
		ASSERT_EQ(st->vmalloc_syncs, 1);
		ASSERT_EQ(pte_get(k, pmd_old), pte_get(k, pmd_k));
	}
	__flush_tlb_all(k, 0);
	ASSERT_EQ(kmm_access(k, 0, va + 0x10, &b, 1, 0, &r), KMM_OK);
	ASSERT_EQ(r.faults, 0);
	/* created after: the PDE came with pgd_alloc */
	struct mm_struct *young = start_process(k, 1);
	ASSERT_TRUE(young);
	ASSERT_EQ(kmm_access(k, 1, va + 0x10, &b, 1, 0, &r), KMM_OK);
	ASSERT_EQ(r.faults, 0);
	mmu_check(k);   /* not kmm_check: a raw vmalloc-area pte */
	buddy_check(k);
	/* another PMD, pushed everywhere by vmalloc_sync_all */
	vaddr_t va2 = va + pmd_size(k);
	ptep_t e2 = pte_alloc_kernel(k, va2);
	ASSERT_TRUE(e2);
	set_pte(k, e2, pfn_pte(k, page_to_pfn(k, p), pgprot_kernel(k)));
	vmalloc_sync_all(k);
	ASSERT_EQ(pte_get(k, pmd_offset(k, old->pgd, va2)),
		  pte_get(k, pmd_offset(k, swapper_pg_dir(k), va2)));
	ASSERT_EQ(kmm_access(k, 0, va2 + 0x10, &b, 1, 0, &r), KMM_OK);
	ASSERT_EQ(r.faults, 0);
	ASSERT_EQ(b, 0xab);
	mmu_check(k);   /* not kmm_check: a raw vmalloc-area pte */
	buddy_check(k);
	/* a vmalloc address without a pte: vmalloc_fault fails, oops */
	bool aborted;
	vaddr_t hole = va + PAGE_SIZE;
	char *out = run_expect_bug(k, kernel_reads, &hole, &aborted);
	ASSERT_TRUE(aborted);
	ASSERT_STR_CONTAINS(out, "unable to handle kernel paging request");
	free(out);
	kmm_destroy(k);
	return 0;
}

static int vmalloc_fault_syncs_pde(bool pae) { return vmalloc_fault_case(pae, false); }
BOTH_MODES(vmalloc_fault_syncs_pde)
static int vmalloc_fault_pae_unshared_pmd(void) { return vmalloc_fault_case(true, true); }

/* A kernel pte upgraded read-only to writable without a flush: the write
 * faults on the stale TLB entry, spurious_fault sees the tables allow it,
 * and the retry succeeds. */
static int spurious_kernel_fault(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	vaddr_t va = kmm_layout(k)->vmalloc_start;
	ptep_t e = pte_alloc_kernel(k, va);
	struct page *p = alloc_page(k, GFP_KERNEL);
	ASSERT_TRUE(e && p);
	set_pte(k, e, pfn_pte(k, page_to_pfn(k, p), pgprot_kernel(k) & ~_PAGE_RW));
	ASSERT_EQ(kread8(k, 0, va), 0);
	set_pte(k, e, pfn_pte(k, page_to_pfn(k, p), pgprot_kernel(k)));
	struct kmm_access_result r;
	uint8_t b = 0x3c;
	ASSERT_EQ(kmm_access(k, 0, va, &b, 1, KMM_ACC_WRITE, &r), KMM_OK);
	ASSERT_EQ(r.faults, 1);
	ASSERT_EQ(r.error_code, PF_PROT | PF_WRITE);
	ASSERT_EQ(kmm_fault_stats(k)->spurious, 1);
	ASSERT_EQ(kmm_frame_r(k, page_to_pfn(k, p))[0], 0x3c);
	mmu_check(k);   /* not kmm_check: a raw vmalloc-area pte */
	buddy_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(spurious_kernel_fault)

/* ---- whole lives ---- */

/* Everything a process did is undone by exit: anonymous, file, shared,
 * device and COW pages, stack growth, brk, a moved mapping, page tables
 * and directories; per zone, the free frames are what they were. */
static int exit_returns_every_frame(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	long zfree[MAX_NR_ZONES];
	for (int z = 0; z < MAX_NR_ZONES; z++)
		zfree[z] = zone_free_frames(k, z);
	struct mm_struct *mm = start_process(k, 0);
	ASSERT_TRUE(mm);
	struct kmm_file *f = make_file(k, 5 * PAGE_SIZE);
	struct kmm_file *dev = kmm_device_create(k, DEV_BASE, 2 * PAGE_SIZE, false);
	long a = do_mmap_pgoff(k, mm, NULL, 0, 64 * PAGE_SIZE, RW, ANON, 0);
	long fp = do_mmap_pgoff(k, mm, f, 0, 5 * PAGE_SIZE, RW, MAP_PRIVATE, 0);
	long fs = do_mmap_pgoff(k, mm, f, 0, 5 * PAGE_SIZE, RW, MAP_SHARED, 0);
	long sh = do_mmap_pgoff(k, mm, NULL, 0, 4 * PAGE_SIZE, RW,
				MAP_SHARED | MAP_ANONYMOUS, 0);
	long dv = do_mmap_pgoff(k, mm, dev, 0, 2 * PAGE_SIZE, RW, MAP_SHARED, 0);
	ASSERT_TRUE(a > 0 && fp > 0 && fs > 0 && sh > 0 && dv > 0);
	for (int i = 0; i < 64; i++)
		ASSERT_EQ(uwrite8(k, 0, (vaddr_t)a + i * PAGE_SIZE, (uint8_t)i), KMM_OK);
	for (int i = 0; i < 5; i++) {
		ASSERT_EQ(uwrite8(k, 0, (vaddr_t)fp + i * PAGE_SIZE, 1), KMM_OK);
		ASSERT_EQ(uread8(k, 0, (vaddr_t)fs + i * PAGE_SIZE), file_byte(i * PAGE_SIZE));
	}
	ASSERT_EQ(uwrite8(k, 0, (vaddr_t)sh, 1), KMM_OK);
	ASSERT_EQ(uwrite8(k, 0, (vaddr_t)dv, 1), KMM_OK);
	ASSERT_EQ(sys_brk(k, mm, KMM_START_BRK + 3 * PAGE_SIZE), KMM_START_BRK + 3 * PAGE_SIZE);
	ASSERT_EQ(uwrite8(k, 0, KMM_START_BRK, 1), KMM_OK);
	ASSERT_EQ(uwrite8(k, 0, STACK_TOP - 64 * PAGE_SIZE, 1), KMM_OK);
	ASSERT_TRUE(do_mremap(k, mm, (vaddr_t)a, 64 * PAGE_SIZE, 128 * PAGE_SIZE,
			      MREMAP_MAYMOVE, 0) > 0);
	struct mm_struct *ch = dup_mm(k, mm);
	ASSERT_TRUE(ch);
	switch_mm(k, 1, ch);
	ASSERT_EQ(uwrite8(k, 1, KMM_START_BRK, 2), KMM_OK);
	ASSERT_EQ(uwrite8(k, 1, (vaddr_t)sh + PAGE_SIZE, 2), KMM_OK);
	struct mm_struct *gc = dup_mm(k, ch);
	ASSERT_TRUE(gc);
	kmm_check(k);
	mmput(k, mm);
	mmput(k, gc);
	kmm_check(k);
	mmput(k, ch);
	kmm_file_put(k, f);
	kmm_file_put(k, dev);
	for (int z = 0; z < MAX_NR_ZONES; z++)
		ASSERT_EQ(zone_free_frames(k, z), zfree[z]);
	ASSERT_EQ(kmm_nr_mms(k), 0);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(exit_returns_every_frame)

/* On a one-CPU machine the mmu_gather frees pages at once (tlb_fast_mode):
 * the same lives still return every frame and leave no stale entry. */
static int exit_one_cpu(bool pae)
{
	struct kmm_config c;
	ASSERT_EQ(kmm_config_preset(&c, "tiny"), 0);
	c.pae = pae;
	c.nr_cpus = 1;
	struct kmm *k = kmm_create(&c, NULL, 0);
	ASSERT_TRUE(k);
	long zfree[MAX_NR_ZONES];
	for (int z = 0; z < MAX_NR_ZONES; z++)
		zfree[z] = zone_free_frames(k, z);
	struct mm_struct *mm = start_process(k, 0);
	ASSERT_TRUE(mm);
	long a = do_mmap_pgoff(k, mm, NULL, 0x40000000, 16 * PAGE_SIZE, RW,
			       ANON | MAP_FIXED, 0);
	ASSERT_EQ(a, 0x40000000);
	for (int i = 0; i < 16; i++)
		ASSERT_EQ(uwrite8(k, 0, (vaddr_t)a + i * PAGE_SIZE, 1), KMM_OK);
	struct mm_struct *ch = dup_mm(k, mm);
	ASSERT_TRUE(ch);
	ASSERT_EQ(do_munmap(k, mm, (vaddr_t)a, 8 * PAGE_SIZE), 0);
	kmm_check(k);
	switch_mm(k, 0, ch);
	ASSERT_EQ(uwrite8(k, 0, (vaddr_t)a, 2), KMM_OK);
	ASSERT_EQ(do_munmap(k, ch, (vaddr_t)a, 16 * PAGE_SIZE), 0);
	kmm_check(k);
	mmput(k, ch);
	mmput(k, mm);
	for (int z = 0; z < MAX_NR_ZONES; z++)
		ASSERT_EQ(zone_free_frames(k, z), zfree[z]);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(exit_one_cpu)

/* A program touching more memory than lowmem holds (and than highmem
 * holds) is served from highmem first (GFP_HIGHUSER_MOVABLE), then lowmem;
 * the contents of every page survive (they are cleared and written through
 * the frames). */
static int more_than_lowmem(bool pae)
{
	struct kmm_config c;
	ASSERT_EQ(kmm_config_preset(&c, "tiny"), 0);
	c.ram_bytes = 64 * KMM_MB;
	c.vmalloc_param = 984 * KMM_MB;        /* 23.99 MiB of lowmem */
	c.pae = pae;
	char err[256];
	struct kmm *k = kmm_create(&c, err, sizeof(err));
	ASSERT_TRUE(k);
	const struct kmm_layout *l = kmm_layout(k);
	const uint32_t npages = 12288;          /* 48 MiB */
	ASSERT_TRUE(npages > l->max_low_pfn);
	ASSERT_TRUE(npages > l->highend_pfn - l->highstart_pfn);
	long zfree[MAX_NR_ZONES];
	for (int z = 0; z < MAX_NR_ZONES; z++)
		zfree[z] = zone_free_frames(k, z);
	struct mm_struct *mm = start_process(k, 0);
	ASSERT_TRUE(mm);
	long a = do_mmap_pgoff(k, mm, NULL, 0, npages * PAGE_SIZE, RW, ANON, 0);
	ASSERT_TRUE(a > 0);
	for (uint32_t i = 0; i < npages; i++) {
		uint32_t v = i * 2654435761u;
		ASSERT_EQ(kmm_write(k, 0, (vaddr_t)a + i * PAGE_SIZE + (i & 0xff0), &v,
				    4, true), KMM_OK);
	}
	unsigned long high = 0;
	for (uint32_t i = 0; i < npages; i++) {
		uint32_t v;
		vaddr_t va = (vaddr_t)a + i * PAGE_SIZE;
		ASSERT_EQ(kmm_read(k, 0, va + (i & 0xff0), &v, 4, true), KMM_OK);
		ASSERT_EQ(v, i * 2654435761u);
		ASSERT_EQ(kmm_read(k, 0, va + 0xffc, &v, 4, true), KMM_OK);
		ASSERT_EQ(v, 0);
		high += pte_pfn(k, mm_pteval(k, mm, va)) >= l->max_low_pfn;
	}
	struct zone *hz = kmm_zone(k, ZONE_HIGHMEM);
	/* highmem is used down to its low watermark (give or take a pcp batch) */
	ASSERT_TRUE(high > 0 && high < npages);
	ASSERT_TRUE((long)high >= zfree[ZONE_HIGHMEM] - (long)hz->watermark[WMARK_LOW] -
					  2 * hz->pcp[0].batch);
	ASSERT_EQ(mm->rss[MM_ANONPAGES], npages);
	kmm_check(k);
	mmput(k, mm);
	for (int z = 0; z < MAX_NR_ZONES; z++)
		ASSERT_EQ(zone_free_frames(k, z), zfree[z]);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(more_than_lowmem)

/* ---- reset ---- */

struct run_trace {
	long addrs[4];
	unsigned long pfns[8];
};

static int scenario(struct kmm *k, struct run_trace *t)
{
	struct mm_struct *mm = start_process(k, 0);
	ASSERT_TRUE(mm);
	struct kmm_file *f = make_file(k, 2 * PAGE_SIZE);
	kmm_device_create(k, DEV_BASE, PAGE_SIZE, true);
	t->addrs[0] = do_mmap_pgoff(k, mm, NULL, 0, 3 * PAGE_SIZE, RW, ANON, 0);
	t->addrs[1] = do_mmap_pgoff(k, mm, f, 0, 2 * PAGE_SIZE, RW, MAP_SHARED, 0);
	ASSERT_EQ(uwrite8(k, 0, (vaddr_t)t->addrs[0], 1), KMM_OK);
	ASSERT_EQ(uwrite8(k, 0, (vaddr_t)t->addrs[1], 1), KMM_OK);
	struct mm_struct *ch = dup_mm(k, mm);
	ASSERT_TRUE(ch);
	switch_mm(k, 1, ch);
	ASSERT_EQ(uwrite8(k, 1, (vaddr_t)t->addrs[0], 2), KMM_OK);
	t->addrs[2] = do_mmap_pgoff(k, ch, NULL, 0, PAGE_SIZE, RW, ANON, 0);
	t->pfns[0] = pte_pfn(k, mm_pteval(k, mm, (vaddr_t)t->addrs[0]));
	t->pfns[1] = pte_pfn(k, mm_pteval(k, ch, (vaddr_t)t->addrs[0]));
	t->pfns[2] = pte_pfn(k, mm_pteval(k, mm, (vaddr_t)t->addrs[1]));
	t->pfns[3] = PFN_DOWN(mm->pgd);
	t->pfns[4] = PFN_DOWN(ch->pgd);
	ptep_t e = pte_alloc_kernel(k, kmm_layout(k)->vmalloc_start);
	ASSERT_TRUE(e);
	t->pfns[5] = PFN_DOWN(e);
	kmm_check(k);
	return 0;
}

/* kmm_reset forgets every process, file and device, restores swapper's
 * tables and empties the TLBs; the same run then gives the same frames
 * and addresses (determinism). */
static int reset_and_replay(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	struct buddy_state boot, after;
	buddy_state_get(k, &boot);
	pteval_t sw_pde = pte_get(k, pmd_offset(k, swapper_pg_dir(k),
						 kmm_layout(k)->vmalloc_start));
	struct run_trace t1, t2;
	memset(&t1, 0, sizeof(t1));
	memset(&t2, 0, sizeof(t2));
	ASSERT_EQ(scenario(k, &t1), 0);
	kmm_reset(k);
	ASSERT_EQ(kmm_nr_mms(k), 0);
	ASSERT_EQ(kmm_fault_stats(k)->faults, 0);
	ASSERT_EQ(tlb_nr_valid(k, 0) + tlb_nr_valid(k, 1), 0);
	ASSERT_EQ(pte_get(k, pmd_offset(k, swapper_pg_dir(k),
					kmm_layout(k)->vmalloc_start)), sw_pde);
	buddy_state_get(k, &after);
	ASSERT_EQ(buddy_state_cmp(&boot, &after, true), 0);
	buddy_state_free(&after);
	kmm_check(k);
	ASSERT_EQ(scenario(k, &t2), 0);
	ASSERT_EQ(memcmp(&t1, &t2, sizeof(t1)), 0);
	kmm_reset(k);
	buddy_state_get(k, &after);
	ASSERT_EQ(buddy_state_cmp(&boot, &after, true), 0);
	buddy_state_free(&after);
	buddy_state_free(&boot);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(reset_and_replay)

static const struct test_case tests[] = {
	TEST_BOTH(demand_zero_anon),
	TEST_BOTH(access_splits_at_page_boundary),
	TEST_BOTH(file_private),
	TEST_BOTH(file_shared),
	TEST_BOTH(truncate_then_sigbus),
	TEST_BOTH(device_remap_pfn_range),
	TEST_BOTH(device_demand_paging),
	TEST_BOTH(cow_after_fork),
	TEST_BOTH(fork_shared_anon),
	TEST_BOTH(stack_growth),
	TEST_BOTH(sigsegv_outcomes),
	TEST_BOTH(oom_outcome),
	TEST_BOTH(vmalloc_fault_syncs_pde),
	TEST(vmalloc_fault_pae_unshared_pmd),
	TEST_BOTH(spurious_kernel_fault),
	TEST_BOTH(exit_returns_every_frame),
	TEST_BOTH(exit_one_cpu),
	TEST_BOTH(more_than_lowmem),
	TEST_BOTH(reset_and_replay),
};
TEST_MAIN(tests)
