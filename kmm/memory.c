/* memory.c — page-table level operations of Linux 3.2 mm/memory.c and
 * friends: the mmu_gather (asm-generic/tlb.h, mm/memory.c), zap_pte_range,
 * free_pgtables/free_pgd_range, copy_page_range/copy_one_pte (fork),
 * change_protection (mm/mprotect.c), move_page_tables (mm/mremap.c),
 * remap_pfn_range, vm_insert_pfn and vm_insert_page, and the fault core:
 * handle_mm_fault, handle_pte_fault, do_anonymous_page (with
 * check_stack_guard_page and the zero page), __do_fault and do_wp_page.
 *
 * Page references as 3.2 keeps them: an anonymous page has one reference
 * and one mapcount per pte; a page-cache page has the cache's reference
 * plus one per pte; a kernel page vm_insert_page mapped has its owner's
 * references plus one (and a mapcount) per pte; the zero page and PFN-map
 * ptes are _PAGE_SPECIAL and counted nowhere.
 *
 * Not 3.2: vm_insert_page follows 6.6 (VM_MIXEDMAP, slab pages refused),
 * and a missing pte in a file mapping without ->fault is SIGBUS as since
 * 4.2, where 3.2 would put an anonymous page into the file mapping.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "mmu_internal.h"

#define PAGEVEC_SIZE 14
#define MMU_GATHER_BUNDLE 8
#define MAX_GATHER_BATCH 1021   /* (PAGE_SIZE - 12) / 4 on i386 */

static bool pae(const struct kmm *k) { return k->layout.pae; }

void page_set_flag(struct kmm *k, struct page *page, enum pageflags f)
{
	page_touch(k, page);
	page->flags |= 1u << f;
}

struct page *mmu_alloc_page(struct kmm *k, gfp_t gfp)
{
	struct page *page = alloc_pages(k, gfp, 0);

	if (page)
		MMU(k)->nr_frames++;
	return page;
}

/* The last reference of an anonymous page also drops its anon_vma
 * (3.2 free_pages_prepare clears an anon page's mapping). */
void put_user_page(struct kmm *k, struct page *page)
{
	if (page->_refcount == 1) {
		MMU(k)->nr_frames--;
		if (PageAnon(page)) {
			page_touch(k, page);
			page->mapping = NULL;
		}
	}
	put_page(k, page);
}

void put_pte_page(struct kmm *k, struct page *page, bool kernel)
{
	if (kernel)
		put_page(k, page);
	else
		put_user_page(k, page);
}

/* cow_user_page without a source page (a PFN map): 3.2 copies from the
 * user address into a kmap_atomic of the new page; the bytes are the
 * frame's, read here from the bus */
static void cow_user_page_pfn(struct kmm *k, struct page *dst,
			      unsigned long src_pfn)
{
	uint8_t tmp[PAGE_SIZE];
	vaddr_t kaddr = kmap_atomic(k, dst);

	phys_read(k, PFN_PHYS(src_pfn), tmp, PAGE_SIZE);
	kmm_access(k, k->cpu, kaddr, tmp, PAGE_SIZE, KMM_ACC_WRITE, NULL);
	kunmap_atomic(k, kaddr);
}

static pteval_t mk_pte(struct kmm *k, struct page *page, pteval_t prot)
{
	return pfn_pte(k, page_to_pfn(k, page), prot);
}

static pteval_t maybe_mkwrite(pteval_t pte, const struct vm_area_struct *vma)
{
	return vma->vm_flags & VM_WRITE ? pte | _PAGE_RW : pte;
}

static _Noreturn void print_bad_pte(struct kmm *k, struct vm_area_struct *vma,
				    vaddr_t addr, pteval_t pte, const char *why)
{
	kmm_bug(k, "memory",
		"BUG: Bad page map in mm %u: pte:%08llx at 0x%08x (%s); vma "
		"0x%08x-0x%08x flags 0x%lx", vma->vm_mm ? vma->vm_mm->id : 0,
		(unsigned long long)pte, addr, why, vma->vm_start, vma->vm_end,
		vma->vm_flags);
}

struct page *vm_normal_page(struct kmm *k, struct vm_area_struct *vma,
			    vaddr_t addr, pteval_t pte)
{
	unsigned long pfn = pte_pfn(k, pte);

	if (pte_special(pte)) {
		if (vma->vm_flags & VM_PFNMAP)
			return NULL;
		if (pfn != MMU(k)->zero_pfn)
			print_bad_pte(k, vma, addr, pte, "special pte outside a PFN map");
		return NULL;
	}
	if (pfn >= k->layout.max_pfn)
		print_bad_pte(k, vma, addr, pte, "pfn beyond the memmap");
	return pfn_to_page(k, pfn);
}

/* page_add_new_anon_rmap: first mapping of a new anonymous page */
static void page_add_new_anon_rmap(struct kmm *k, struct page *page,
				   struct vm_area_struct *vma, vaddr_t address)
{
	page_touch(k, page);
	page->flags |= 1u << PG_swapbacked;
	page->_mapcount = 0;
	page->mapping = (void *)((uintptr_t)vma->anon_vma | PAGE_MAPPING_ANON);
	page->index = (uint32_t)linear_page_index(vma, address);
}

static void page_dup_rmap(struct kmm *k, struct page *page)
{
	page_touch(k, page);
	page->_mapcount++;
}

static void page_remove_rmap(struct kmm *k, struct page *page)
{
	page_touch(k, page);
	page->_mapcount--;
}

/* ---- the mmu_gather ---- */

void tlb_gather_mmu(struct mmu_gather *tlb, struct mm_struct *mm, bool fullmm)
{
	memset(tlb, 0, sizeof(*tlb));
	tlb->mm = mm;
	tlb->fullmm = fullmm;
}

/* __tlb_remove_page: on a 1-CPU machine (tlb_fast_mode) pages are freed at
 * once; otherwise only after the TLB flush */
static void tlb_remove_page(struct kmm *k, struct mmu_gather *tlb,
			    struct page *page, bool kernel)
{
	tlb->need_flush = true;
	if (k->cfg.nr_cpus == 1) {
		put_pte_page(k, page, kernel);
		return;
	}
	if (tlb->nr == tlb->cap) {
		tlb->cap = tlb->cap ? 2 * tlb->cap : 64;
		tlb->pages = realloc(tlb->pages, tlb->cap * sizeof(*tlb->pages));
		if (!tlb->pages)
			kmm_bug(k, "memory", "out of host memory for an mmu_gather");
	}
	tlb->pages[tlb->nr].page = page;
	tlb->pages[tlb->nr++].kernel = kernel;
}

/* tlb_flush_mmu: flush, then release each batch by pagevecs; release_pages
 * frees a pagevec's pages in reverse order (free_hot_cold_page_list) */
void tlb_finish_mmu(struct kmm *k, struct mmu_gather *tlb)
{
	if (tlb->need_flush) {
		tlb->need_flush = false;
		flush_tlb_mm(k, tlb->mm);
	}
	size_t i = 0, batch = MMU_GATHER_BUNDLE;
	while (i < tlb->nr) {
		size_t bend = i + batch < tlb->nr ? i + batch : tlb->nr;
		for (size_t v = i; v < bend; v += PAGEVEC_SIZE) {
			size_t vend = v + PAGEVEC_SIZE < bend ? v + PAGEVEC_SIZE : bend;
			for (size_t j = vend; j-- > v;)
				put_pte_page(k, tlb->pages[j].page,
					     tlb->pages[j].kernel);
		}
		i = bend;
		batch = MAX_GATHER_BATCH;
	}
	free(tlb->pages);
	tlb->pages = NULL;
	tlb->nr = tlb->cap = 0;
}

/* ---- zap ---- */

static vaddr_t addr_end(vaddr_t addr, vaddr_t end, uint32_t size)
{
	vaddr_t boundary = (addr + size) & ~(size - 1);

	return boundary - 1 < end - 1 ? boundary : end;
}

static uint32_t pgdir_size(const struct kmm *k)
{
	return pae(k) ? 1u << 30 : 1u << 22;
}

static void zap_pte_range(struct kmm *k, struct mmu_gather *tlb,
			  struct vm_area_struct *vma, pteval_t pmdval,
			  vaddr_t addr, vaddr_t end)
{
	struct mm_struct *mm = tlb->mm;

	for (; addr != end; addr += PAGE_SIZE) {
		ptep_t ep = pte_offset(k, pmdval, addr);
		pteval_t pte = pte_get(k, ep);
		if (pte_none(pte))
			continue;
		if (!pte_present(pte))
			print_bad_pte(k, vma, addr, pte, "swap/file pte");
		struct page *page = vm_normal_page(k, vma, addr, pte);
		pte_clear(k, ep);
		tlb->need_flush = true;         /* tlb_remove_tlb_entry */
		if (!page)
			continue;
		if (PageAnon(page)) {
			mm->rss[MM_ANONPAGES]--;
		} else {
			if (pte_dirty(pte))
				set_page_dirty(k, page);
			mm->rss[MM_FILEPAGES]--;
		}
		bool kernel = pte_kernel_page(page);
		page_remove_rmap(k, page);
		if (page_mapcount(page) < 0)
			print_bad_pte(k, vma, addr, pte, "negative mapcount");
		tlb_remove_page(k, tlb, page, kernel);
	}
}

static void unmap_page_range(struct kmm *k, struct mmu_gather *tlb,
			     struct vm_area_struct *vma, vaddr_t addr,
			     vaddr_t end)
{
	struct mm_struct *mm = tlb->mm;

	while (addr != end) {
		vaddr_t next = addr_end(addr, end, pmd_size(k));
		ptep_t pmd = pmd_offset(k, mm->pgd, addr);
		if (!pmd) {                     /* PAE: no pmd table here */
			addr = addr_end(addr, end, pgdir_size(k));
			continue;
		}
		pteval_t v = pte_get(k, pmd);
		if (v)
			zap_pte_range(k, tlb, vma, v, addr, next);
		addr = next;
	}
}

void unmap_vmas(struct kmm *k, struct mmu_gather *tlb,
		struct vm_area_struct **vmas, size_t n, vaddr_t start,
		vaddr_t end)
{
	for (size_t i = 0; i < n; i++) {
		struct vm_area_struct *vma = vmas[i];
		vaddr_t s = vma->vm_start > start ? vma->vm_start : start;
		vaddr_t e = vma->vm_end < end ? vma->vm_end : end;
		if (s < e)
			unmap_page_range(k, tlb, vma, s, e);
	}
}

void zap_page_range(struct kmm *k, struct vm_area_struct *vma, vaddr_t start,
		    vaddr_t end)
{
	struct mmu_gather tlb;

	tlb_gather_mmu(&tlb, vma->vm_mm, false);
	unmap_vmas(k, &tlb, &vma, 1, start, end);
	tlb_finish_mmu(k, &tlb);
}

/* ---- freeing page tables (free_pgd_range, 32-bit arithmetic) ---- */

static void free_pte_range(struct kmm *k, struct mmu_gather *tlb, ptep_t pmd)
{
	pteval_t v = pte_get(k, pmd);

	pte_clear(k, pmd);
	tlb_remove_page(k, tlb, pfn_to_page(k, pte_pfn(k, v)), false);
	tlb->mm->nr_ptes--;
}

static void free_pmd_range(struct kmm *k, struct mmu_gather *tlb, vaddr_t addr,
			   vaddr_t end, vaddr_t floor, vaddr_t ceiling)
{
	struct mm_struct *mm = tlb->mm;
	vaddr_t start = addr, next;

	do {
		next = addr_end(addr, end, pmd_size(k));
		ptep_t pmd = pmd_offset(k, mm->pgd, addr);
		pteval_t v = pte_get(k, pmd);
		if (!v)
			continue;
		if ((v & ~pt_addr_mask(k) & ~_PAGE_USER) != _KERNPG_TABLE)
			kmm_bug(k, "memory", "bad pmd 0x%llx at 0x%08x in mm %u",
				(unsigned long long)v, addr, mm->id);
		free_pte_range(k, tlb, pmd);
	} while (addr = next, addr != end);
	if (!pae(k))
		return;         /* the pmd is folded into the pgd */
	/* the PAE pmd table itself, if [floor, ceiling) spans its 1 GiB */
	start &= ~(pgdir_size(k) - 1);
	if (start < floor)
		return;
	if (ceiling) {
		ceiling &= ~(pgdir_size(k) - 1);
		if (!ceiling)
			return;
	}
	if (end - 1 > ceiling - 1)
		return;
	ptep_t pud = mm->pgd + 8 * (phys_addr_t)pgd_index(k, start);
	pteval_t pv = pte_get(k, pud);
	set_pte(k, pud, 0);             /* pud_clear */
	tlb_remove_page(k, tlb, pfn_to_page(k, pte_pfn(k, pv)), false);
	mm->nr_pmds--;
}

static void free_pgd_range(struct kmm *k, struct mmu_gather *tlb, vaddr_t addr,
			   vaddr_t end, vaddr_t floor, vaddr_t ceiling)
{
	const vaddr_t pmd_mask = ~(pmd_size(k) - 1);

	addr &= pmd_mask;
	if (addr < floor) {
		addr += pmd_size(k);
		if (!addr)
			return;
	}
	if (ceiling) {
		ceiling &= pmd_mask;
		if (!ceiling)
			return;
	}
	if (end - 1 > ceiling - 1)
		end -= pmd_size(k);
	if (addr > end - 1)
		return;
	do {
		vaddr_t next = addr_end(addr, end, pgdir_size(k));
		if (!pae(k) ||
		    (pte_get(k, tlb->mm->pgd + 8 * (phys_addr_t)pgd_index(k, addr)) &
		     _PAGE_PRESENT))
			free_pmd_range(k, tlb, addr, next, floor, ceiling);
		addr = next;
	} while (addr != end);
}

void free_pgtables(struct kmm *k, struct mmu_gather *tlb,
		   struct vm_area_struct **vmas, size_t n, vaddr_t floor,
		   vaddr_t ceiling)
{
	for (size_t i = 0; i < n; i++) {
		struct vm_area_struct *vma = vmas[i];
		vaddr_t addr = vma->vm_start;

		/* hide the VMA from rmap and truncate first */
		unlink_anon_vmas(k, vma);
		if (vma->vm_file)
			file_unlink_vma(vma->vm_file, vma);
		/* gather nearby VMAs into one call down */
		while (i + 1 < n && vmas[i + 1]->vm_start <= vma->vm_end + pmd_size(k)) {
			vma = vmas[++i];
			unlink_anon_vmas(k, vma);
			if (vma->vm_file)
				file_unlink_vma(vma->vm_file, vma);
		}
		free_pgd_range(k, tlb, addr, vma->vm_end, floor,
			       i + 1 < n ? vmas[i + 1]->vm_start : ceiling);
	}
}

/* ---- fork: copy_page_range ---- */

static void copy_one_pte(struct kmm *k, struct mm_struct *dst_mm,
			 ptep_t dst_ep, ptep_t src_ep,
			 struct vm_area_struct *vma, vaddr_t addr)
{
	pteval_t pte = pte_get(k, src_ep);

	if (!pte_present(pte))
		print_bad_pte(k, vma, addr, pte, "swap/file pte at fork");
	/* a COW mapping: write protect in the parent and the child */
	if (is_cow_mapping(vma->vm_flags) && pte_write(pte)) {
		set_pte(k, src_ep, pte & ~_PAGE_RW);    /* ptep_set_wrprotect */
		pte &= ~_PAGE_RW;
	}
	if (vma->vm_flags & VM_SHARED)
		pte &= ~_PAGE_DIRTY;
	pte &= ~_PAGE_ACCESSED;
	struct page *page = vm_normal_page(k, vma, addr, pte);
	if (page) {
		get_page(k, page);
		page_dup_rmap(k, page);
		dst_mm->rss[PageAnon(page) ? MM_ANONPAGES : MM_FILEPAGES]++;
	}
	set_pte(k, dst_ep, pte);
}

int copy_page_range(struct kmm *k, struct mm_struct *dst,
		    struct mm_struct *src, struct vm_area_struct *vma)
{
	/* faults fill shared and read-only file mappings correctly; PFN maps
	 * and inserted kernel pages have no fault handler to refill them */
	if (!(vma->vm_flags & (VM_PFNMAP | VM_MIXEDMAP)) && !vma->anon_vma)
		return 0;
	vaddr_t addr = vma->vm_start, end = vma->vm_end;
	while (addr != end) {
		vaddr_t next = addr_end(addr, end, pmd_size(k));
		ptep_t spmd = pmd_offset(k, src->pgd, addr);
		if (!spmd) {
			addr = addr_end(addr, end, pgdir_size(k));
			continue;
		}
		pteval_t sv = pte_get(k, spmd);
		if (sv) {
			ptep_t dpte = pte_alloc_map(k, dst, addr);
			if (!dpte)
				return -1;
			pteval_t dv = pte_get(k, pmd_offset(k, dst->pgd, addr));
			for (vaddr_t a = addr; a != next; a += PAGE_SIZE) {
				ptep_t sep = pte_offset(k, sv, a);
				if (!pte_none(pte_get(k, sep)))
					copy_one_pte(k, dst, pte_offset(k, dv, a), sep,
						     vma, a);
			}
		}
		addr = next;
	}
	return 0;
}

/* ---- mprotect: change_protection ---- */

void change_protection(struct kmm *k, struct vm_area_struct *vma,
		       vaddr_t start, vaddr_t end, pteval_t newprot,
		       bool dirty_accountable)
{
	const pteval_t keep = pt_addr_mask(k) | _PAGE_CHG_BITS;

	if (!pae(k))
		newprot &= ~_PAGE_NX;
	for (vaddr_t a = start; a != end; a += PAGE_SIZE) {
		ptep_t ep = mm_pte(k, vma->vm_mm, a);
		if (!ep)
			continue;
		pteval_t pte = pte_get(k, ep);
		if (!pte_present(pte))
			continue;
		pteval_t n = (pte & keep) | (newprot & ~keep);  /* pte_modify */
		/* avoid write faults on pages known to be dirty */
		if (dirty_accountable && pte_dirty(n))
			n |= _PAGE_RW;
		set_pte(k, ep, n);
	}
#if KMM_MUTATION == 15  /* MUTATION 15: mprotect changes the ptes but does not flush */
	return;
#endif
	flush_tlb_range(k, vma, start, end);
}

/* ---- mremap: move_page_tables ---- */

#define LATENCY_LIMIT (64 * PAGE_SIZE)

vaddr_t move_page_tables(struct kmm *k, struct vm_area_struct *vma,
			 vaddr_t old_addr, struct vm_area_struct *new_vma,
			 vaddr_t new_addr, vaddr_t len)
{
	struct mm_struct *mm = vma->vm_mm;
	vaddr_t old_end = old_addr + len, extent;

	for (; old_addr < old_end; old_addr += extent, new_addr += extent) {
		vaddr_t next = (old_addr + pmd_size(k)) & ~(pmd_size(k) - 1);
		extent = next - old_addr;
		if (extent > old_end - old_addr)
			extent = old_end - old_addr;
		ptep_t opmd = pmd_offset(k, mm->pgd, old_addr);
		if (!opmd || !pte_get(k, opmd))
			continue;
		if (!pte_alloc_map(k, mm, new_addr))    /* alloc_new_pmd */
			break;
		next = (new_addr + pmd_size(k)) & ~(pmd_size(k) - 1);
		if (extent > next - new_addr)
			extent = next - new_addr;
		if (extent > LATENCY_LIMIT)
			extent = LATENCY_LIMIT;
		/* move_ptes: ptep_clear_flush each, set at the new place */
		for (vaddr_t o = old_addr, n = new_addr; o < old_addr + extent;
		     o += PAGE_SIZE, n += PAGE_SIZE) {
			ptep_t oep = mm_pte(k, mm, o);
			pteval_t pte = pte_get(k, oep);
			if (pte_none(pte))
				continue;
			pte_clear(k, oep);
			flush_tlb_page(k, vma, o);
			set_pte(k, mm_pte(k, mm, n), pte);
		}
	}
	(void)new_vma;
	return len + old_addr - old_end;
}

/* ---- PFN mappings ---- */

int remap_pfn_range(struct kmm *k, struct vm_area_struct *vma, vaddr_t addr,
		    unsigned long pfn, uint32_t size, pteval_t prot)
{
	vaddr_t end = addr + ((size + PAGE_SIZE - 1) & PAGE_MASK);

	if (addr == vma->vm_start && end == vma->vm_end) {
		vma->vm_pgoff = pfn;
		vma->vm_flags |= VM_PFN_AT_MMAP;
	} else if (is_cow_mapping(vma->vm_flags)) {
		return -EINVAL;
	}
	vma->vm_flags |= VM_IO | VM_RESERVED | VM_PFNMAP;
	if (addr >= end)
		kmm_bug(k, "memory", "remap_pfn_range of an empty range");
	for (; addr != end; addr += PAGE_SIZE, pfn++) {
		ptep_t ep = pte_alloc_map(k, vma->vm_mm, addr);
		if (!ep)
			return -ENOMEM;
		if (!pte_none(pte_get(k, ep)))
			kmm_bug(k, "memory", "remap_pfn_range over a present pte at 0x%08x",
				addr);
		set_pte(k, ep, pfn_pte(k, pfn, prot) | _PAGE_SPECIAL);
	}
	return 0;
}

int vm_insert_pfn(struct kmm *k, struct vm_area_struct *vma, vaddr_t addr,
		  unsigned long pfn)
{
	if (!(vma->vm_flags & VM_PFNMAP) || is_cow_mapping(vma->vm_flags))
		kmm_bug(k, "memory", "vm_insert_pfn into a VMA that is not a shared "
			"PFN map (flags 0x%lx)", vma->vm_flags);
	if (addr < vma->vm_start || addr >= vma->vm_end)
		return -EFAULT;
	ptep_t ep = pte_alloc_map(k, vma->vm_mm, addr);
	if (!ep)
		return -ENOMEM;
	if (!pte_none(pte_get(k, ep)))
		return -EBUSY;
	set_pte(k, ep, pfn_pte(k, pfn, vma->vm_page_prot) | _PAGE_SPECIAL);
	return 0;
}

/* ---- kernel pages: vm_insert_page (6.6 insert_page) ---- */

int vm_insert_page(struct kmm *k, struct vm_area_struct *vma, vaddr_t addr,
		   struct page *page)
{
	if (!vma->vm_mm)
		kmm_bug(k, "memory", "vm_insert_page into a VMA of no mm");
	if (addr < vma->vm_start || addr >= vma->vm_end)
		return -EFAULT;
	if (!page)
		kmm_bug(k, "memory", "BUG: unable to handle kernel NULL pointer "
			"dereference: vm_insert_page(0x%08x) of no page", addr);
	if (page < k->mem_map || page >= k->mem_map + k->layout.max_pfn)
		kmm_bug(k, "memory", "vm_insert_page of %p, which is not a struct "
			"page", (void *)page);
	if (!page_count(compound_head(page)))
		return -EINVAL;
	if (!(vma->vm_flags & VM_MIXEDMAP)) {
		if (vma->vm_flags & VM_PFNMAP)  /* BUG_ON */
			kmm_bug(k, "memory", "vm_insert_page into the PFN map "
				"0x%08x-0x%08x", vma->vm_start, vma->vm_end);
		vma->vm_flags |= VM_MIXEDMAP;
	}
	/* validate_page_before_insert */
	if (PageAnon(page) || PageSlab(compound_head(page)))
		return -EINVAL;
	if (page->mapping)
		kmm_bug(k, "memory", "vm_insert_page of page-cache page pfn 0x%05lx "
			"(not modelled)", page_to_pfn(k, page));
	ptep_t ep = pte_alloc_map(k, vma->vm_mm, addr);
	if (!ep)
		return -ENOMEM;
	if (!pte_none(pte_get(k, ep)))
		return -EBUSY;
	get_page(k, page);
	vma->vm_mm->rss[MM_FILEPAGES]++;
	page_dup_rmap(k, page);                 /* page_add_file_rmap */
	set_pte(k, ep, mk_pte(k, page, vma->vm_page_prot));
	return 0;
}

/* ---- the fault core ---- */

/* ptep_set_access_flags (x86 3.2): written and flushed only for a write */
static bool ptep_set_access_flags(struct kmm *k, struct vm_area_struct *vma,
				  vaddr_t address, ptep_t ep, pteval_t entry,
				  bool dirty)
{
	bool changed = pte_get(k, ep) != entry;

	if (changed && dirty) {
		set_pte(k, ep, entry);
		flush_tlb_page(k, vma, address);
	}
	return changed;
}

/* the stack guard page: faulting the lowest page of a stack grows it */
static int check_stack_guard_page(struct kmm *k, struct vm_area_struct *vma,
				  vaddr_t address)
{
	address &= PAGE_MASK;
	if ((vma->vm_flags & VM_GROWSDOWN) && address == vma->vm_start) {
		struct vm_area_struct *prev = vma_prev(vma->vm_mm, vma);
		if (prev && prev->vm_end == address)
			return prev->vm_flags & VM_GROWSDOWN ? 0 : -ENOMEM;
		expand_stack(k, vma, address - PAGE_SIZE);
	}
	return 0;
}

static struct page *alloc_user_page(struct kmm *k)
{
	return mmu_alloc_page(k, GFP_HIGHUSER_MOVABLE);
}

static int do_anonymous_page(struct kmm *k, struct mm_struct *mm,
			     struct vm_area_struct *vma, vaddr_t address,
			     ptep_t ep, unsigned int flags)
{
	if (check_stack_guard_page(k, vma, address) < 0)
		return VM_FAULT_SIGBUS;
	if (!(flags & FAULT_FLAG_WRITE)) {      /* the zero page for reads */
		if (pte_none(pte_get(k, ep))) {
			set_pte(k, ep, pfn_pte(k, MMU(k)->zero_pfn, vma->vm_page_prot) |
					       _PAGE_SPECIAL);
			MMU(k)->fstats.zero_page++;
		}
		return 0;
	}
	anon_vma_prepare(k, vma);
	struct page *page = alloc_user_page(k);
	if (!page)
		return VM_FAULT_OOM;
	clear_user_highpage(k, page, address);
	page_set_flag(k, page, PG_uptodate);
	pteval_t entry = mk_pte(k, page, vma->vm_page_prot);
	if (vma->vm_flags & VM_WRITE)
		entry |= _PAGE_RW | _PAGE_DIRTY;
	if (!pte_none(pte_get(k, ep))) {
		put_user_page(k, page);
		return 0;
	}
	mm->rss[MM_ANONPAGES]++;
	page_add_new_anon_rmap(k, page, vma, address);
	set_pte(k, ep, entry);
	MMU(k)->fstats.anon++;
	return 0;
}

static void count_file_fault(struct kmm *k, const struct kmm_file *f)
{
	if (f->kind == KMM_FILE_SHMEM)
		MMU(k)->fstats.shmem++;
	else if (f->kind == KMM_FILE_DEV)
		MMU(k)->fstats.pfn++;
	else
		MMU(k)->fstats.file++;
}

static int __do_fault(struct kmm *k, struct mm_struct *mm,
		      struct vm_area_struct *vma, vaddr_t address, ptep_t ep,
		      unsigned long pgoff, unsigned int flags, pteval_t orig_pte)
{
	struct page *cow_page = NULL, *page = NULL, *dirty_page = NULL;
	bool anon = false, write = flags & FAULT_FLAG_WRITE;

	/* an early COW break: allocate before looking the page up */
	if (write && !(vma->vm_flags & VM_SHARED)) {
		anon_vma_prepare(k, vma);
		cow_page = alloc_user_page(k);
		if (!cow_page)
			return VM_FAULT_OOM;
	}
	count_file_fault(k, vma->vm_file);
	int ret = file_fault(k, vma, address, pgoff, flags, &page);
	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE)) {
		if (cow_page)
			put_user_page(k, cow_page);
		return ret;
	}
	struct page *vmf_page = page;
	if (write && !(vma->vm_flags & VM_SHARED)) {
		page = cow_page;
		anon = true;
		copy_user_highpage(k, page, vmf_page, address, vma);
		page_set_flag(k, page, PG_uptodate);
	}
	/* nothing runs concurrently: the pte is still orig_pte */
	kmm_assert(k, pte_get(k, ep) == orig_pte);
	pteval_t entry = mk_pte(k, page, vma->vm_page_prot);
	if (write)
		entry = maybe_mkwrite(entry | _PAGE_DIRTY, vma);
	if (anon) {
		mm->rss[MM_ANONPAGES]++;
		page_add_new_anon_rmap(k, page, vma, address);
	} else {
		mm->rss[MM_FILEPAGES]++;
		page_dup_rmap(k, page);         /* page_add_file_rmap */
		if (write) {
			dirty_page = page;
			get_page(k, dirty_page);
		}
	}
	set_pte(k, ep, entry);
	if (dirty_page) {
		set_page_dirty(k, dirty_page);
		MMU(k)->fstats.shared_dirty++;
		put_user_page(k, dirty_page);
	} else if (anon) {
		put_user_page(k, vmf_page);
	}
	return ret;
}

static int do_wp_page(struct kmm *k, struct mm_struct *mm,
		      struct vm_area_struct *vma, vaddr_t address, ptep_t ep,
		      pteval_t orig_pte)
{
	struct page *old_page, *new_page, *dirty_page = NULL;
	int ret = 0;
	bool reuse = false;
	const bool shared_writable =
		(vma->vm_flags & (VM_WRITE | VM_SHARED)) == (VM_WRITE | VM_SHARED);

	old_page = vm_normal_page(k, vma, address, orig_pte);
	const bool kernel = old_page && pte_kernel_page(old_page);
	if (!old_page) {
		if (shared_writable)
			goto reuse;
		goto gotten;
	}
	if (PageAnon(old_page)) {
#if KMM_MUTATION == 13  /* MUTATION 13: COW reuse tests the raw _mapcount (off by one) */
		reuse = old_page->_mapcount <= 1;
#else
		reuse = page_mapcount(old_page) <= 1;   /* reuse_swap_page */
#endif
		if (reuse) {                            /* page_move_anon_rmap */
			page_touch(k, old_page);
			old_page->mapping = (void *)((uintptr_t)vma->anon_vma |
						     PAGE_MAPPING_ANON);
		}
	} else if (shared_writable) {
		dirty_page = old_page;
		get_page(k, dirty_page);
		reuse = true;
	}
	if (reuse) {
reuse:;
		pteval_t entry = maybe_mkwrite(orig_pte | _PAGE_ACCESSED | _PAGE_DIRTY,
					       vma);
		ptep_set_access_flags(k, vma, address, ep, entry, true);
		MMU(k)->fstats.cow_reuses++;
		ret |= VM_FAULT_WRITE;
		if (dirty_page) {
			set_page_dirty(k, dirty_page);
			MMU(k)->fstats.shared_dirty++;
			put_pte_page(k, dirty_page, kernel);
		}
		return ret;
	}
	get_page(k, old_page);          /* page_cache_get */
gotten:
	anon_vma_prepare(k, vma);
	new_page = alloc_user_page(k);
	if (!new_page) {
		if (old_page)
			put_pte_page(k, old_page, kernel);
		return VM_FAULT_OOM;
	}
	if (pte_pfn(k, orig_pte) == MMU(k)->zero_pfn && pte_special(orig_pte))
		clear_user_highpage(k, new_page, address);
	else if (pfn_valid(k, pte_pfn(k, orig_pte)))    /* cow_user_page */
		copy_user_highpage(k, new_page, pfn_to_page(k, pte_pfn(k, orig_pte)),
				   address, vma);
	else
		cow_user_page_pfn(k, new_page, pte_pfn(k, orig_pte));
	page_set_flag(k, new_page, PG_uptodate);
	if (pte_get(k, ep) == orig_pte) {
		if (old_page) {
			if (!PageAnon(old_page)) {
				mm->rss[MM_FILEPAGES]--;
				mm->rss[MM_ANONPAGES]++;
			}
		} else {
			mm->rss[MM_ANONPAGES]++;
		}
		pteval_t entry = maybe_mkwrite(mk_pte(k, new_page, vma->vm_page_prot) |
						       _PAGE_DIRTY, vma);
		pte_clear(k, ep);               /* ptep_clear_flush */
		flush_tlb_page(k, vma, address);
		page_add_new_anon_rmap(k, new_page, vma, address);
		set_pte(k, ep, entry);
		if (old_page)
			page_remove_rmap(k, old_page);
		new_page = old_page;            /* free the old page below */
		ret |= VM_FAULT_WRITE;
		MMU(k)->fstats.cow_copies++;
	}
	if (new_page)   /* the old page when it was replaced */
		put_pte_page(k, new_page, new_page == old_page && kernel);
	if (old_page)
		put_pte_page(k, old_page, kernel);
	return ret;
}

static int handle_pte_fault(struct kmm *k, struct mm_struct *mm,
			    struct vm_area_struct *vma, vaddr_t address,
			    ptep_t ep, unsigned int flags)
{
	pteval_t entry = pte_get(k, ep);

	if (!pte_present(entry)) {
		if (!pte_none(entry))
			print_bad_pte(k, vma, address, entry, "swap/file pte");
		if (vma->vm_file) {
			if (!file_has_fault(vma->vm_file))
				return VM_FAULT_SIGBUS; /* no ->fault (4.2+) */
			return __do_fault(k, mm, vma, address, ep,
					  linear_page_index(vma, address), flags,
					  entry);
		}
		return do_anonymous_page(k, mm, vma, address, ep, flags);
	}
	if (flags & FAULT_FLAG_WRITE) {
		if (!pte_write(entry))
			return do_wp_page(k, mm, vma, address, ep, entry);
		entry |= _PAGE_DIRTY;
	}
	entry |= _PAGE_ACCESSED;
	if (!ptep_set_access_flags(k, vma, address, ep, entry,
				   flags & FAULT_FLAG_WRITE) &&
	    (flags & FAULT_FLAG_WRITE))
		flush_tlb_page(k, vma, address); /* flush_tlb_fix_spurious_fault */
	return 0;
}

int handle_mm_fault(struct kmm *k, struct mm_struct *mm,
		    struct vm_area_struct *vma, vaddr_t address,
		    unsigned int flags)
{
	ptep_t ep = pte_alloc_map(k, mm, address);

	if (!ep)
		return VM_FAULT_OOM;
	return handle_pte_fault(k, mm, vma, address, ep, flags);
}

bool vma_wants_writenotify(const struct kmm *k, const struct vm_area_struct *vma)
{
	unsigned long f = vma->vm_flags;

	if ((f & (VM_WRITE | VM_SHARED)) != (VM_WRITE | VM_SHARED))
		return false;
	if (vma->vm_page_prot != vm_get_page_prot(k, f))
		return false;
	if (f & VM_PFNMAP)
		return false;
	/* regular files account dirty pages; shmem does not */
	return vma->vm_file && vma->vm_file->kind == KMM_FILE_REG;
}
