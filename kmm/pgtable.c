/* pgtable.c — i386 page tables in simulated frames: formats, the boot-time
 * kernel tables (3.2 arch/x86/mm/init_32.c kernel_physical_mapping_init,
 * page_table_range_init), pgd_alloc/pgd_free (arch/x86/mm/pgtable.c),
 * __pmd_alloc/__pte_alloc, vmalloc_sync_one/_all (arch/x86/mm/fault.c),
 * and the hardware walk (Intel SDM vol. 3 ch. 4: 32-bit and PAE paging).
 * Simplifications: see pgtable.h.
 */
#include <string.h>
#include "mmu_internal.h"

#define PGALLOC_GFP (GFP_KERNEL | __GFP_REPEAT | __GFP_ZERO)

static bool pae(const struct kmm *k) { return k->layout.pae; }

/* ---- geometry ---- */

unsigned int ptrs_per_pgd(const struct kmm *k) { return pae(k) ? 4 : 1024; }
unsigned int ptrs_per_pmd(const struct kmm *k) { return pae(k) ? 512 : 1; }
unsigned int ptrs_per_pte(const struct kmm *k) { return pae(k) ? 512 : 1024; }
unsigned int pgtable_levels(const struct kmm *k) { return pae(k) ? 3 : 2; }
uint32_t pmd_size(const struct kmm *k) { return k->layout.pmd_size; }

unsigned int kernel_pgd_boundary(const struct kmm *k)
{
	return pae(k) ? KERNEL_PGD_BOUNDARY_PAE : KERNEL_PGD_BOUNDARY_2L;
}

unsigned int pgd_index(const struct kmm *k, vaddr_t va)
{
	return va >> (pae(k) ? 30 : 22);
}

unsigned int pmd_index(const struct kmm *k, vaddr_t va)
{
	return pae(k) ? (va >> 21) & 511 : 0;
}

unsigned int pte_index(const struct kmm *k, vaddr_t va)
{
	return (va >> PAGE_SHIFT) & (ptrs_per_pte(k) - 1);
}

static unsigned int esize(const struct kmm *k) { return pae(k) ? 8 : 4; }

/* PTE_PFN_MASK: the kernel's view (3.2 PAE: __PHYSICAL_MASK_SHIFT 44) */
phys_addr_t pt_addr_mask(const struct kmm *k)
{
	return pae(k) ? 0x00000FFFFFFFF000ull : 0xFFFFF000ull;
}

/* ---- entries ---- */

pteval_t pte_get(const struct kmm *k, ptep_t ep)
{
	if (PFN_DOWN(ep) >= k->layout.max_pfn || (ep & (esize(k) - 1)))
		kmm_bug((struct kmm *)k, "pgtable",
			"page-table entry at 0x%llx is not an entry in RAM",
			(unsigned long long)ep);
	const uint8_t *f = kmm_frame_r(k, PFN_DOWN(ep)) + (ep & (PAGE_SIZE - 1));
	if (pae(k)) {
		uint64_t v;
		memcpy(&v, f, 8);
		return v;
	}
	uint32_t v;
	memcpy(&v, f, 4);
	return v;
}

void set_pte(struct kmm *k, ptep_t ep, pteval_t v)
{
	if (PFN_DOWN(ep) >= k->layout.max_pfn || (ep & (esize(k) - 1)))
		kmm_bug(k, "pgtable", "set_pte at 0x%llx: not an entry in RAM",
			(unsigned long long)ep);
	if (!pae(k) && (v >> 32))
		kmm_bug(k, "pgtable", "set_pte(0x%llx) of a 64-bit value without PAE",
			(unsigned long long)v);
	if (pte_get(k, ep) == v)
		return;         /* no write: the frame stays clean */
	uint8_t *f = kmm_frame_w(k, PFN_DOWN(ep)) + (ep & (PAGE_SIZE - 1));
	if (pae(k)) {
		memcpy(f, &v, 8);
	} else {
		uint32_t w = (uint32_t)v;
		memcpy(f, &w, 4);
	}
}

unsigned long pte_pfn(const struct kmm *k, pteval_t v)
{
	return (unsigned long)((v & pt_addr_mask(k)) >> PAGE_SHIFT);
}

pteval_t pte_nx_mask(const struct kmm *k) { return pae(k) ? _PAGE_NX : 0; }

/* pfn_pte with massage_pgprot: bits the CPU lacks (NX) are dropped */
pteval_t pfn_pte(const struct kmm *k, unsigned long pfn, pteval_t prot)
{
	if (!pae(k))
		prot &= ~_PAGE_NX;
	return ((pteval_t)pfn << PAGE_SHIFT) | prot;
}

pteval_t pgprot_kernel_exec(const struct kmm *k)
{
	(void)k;
	return _PAGE_PRESENT | _PAGE_RW | _PAGE_DIRTY | _PAGE_ACCESSED |
	       _PAGE_GLOBAL;
}

pteval_t pgprot_kernel(const struct kmm *k)
{
	return pgprot_kernel_exec(k) | pte_nx_mask(k);
}

bool pmd_large(pteval_t v)
{
	return (v & (_PAGE_PRESENT | _PAGE_PSE)) == (_PAGE_PRESENT | _PAGE_PSE);
}

ptep_t pmd_offset(const struct kmm *k, phys_addr_t pgd_pa, vaddr_t va)
{
	if (!pae(k))
		return pgd_pa + (phys_addr_t)pgd_index(k, va) * 4;
	pteval_t pud = pte_get(k, pgd_pa + (phys_addr_t)pgd_index(k, va) * 8);
	if (!(pud & _PAGE_PRESENT))
		return 0;
	return (pud & pt_addr_mask(k)) + (phys_addr_t)pmd_index(k, va) * 8;
}

ptep_t pte_offset(const struct kmm *k, pteval_t pmdval, vaddr_t va)
{
	return (pmdval & pt_addr_mask(k)) + (phys_addr_t)pte_index(k, va) * esize(k);
}

phys_addr_t swapper_pg_dir(const struct kmm *k) { return MMU(k)->swapper_pa; }
unsigned long zero_pfn(const struct kmm *k) { return MMU(k)->zero_pfn; }
unsigned long pgtable_boot_pages(const struct kmm *k)
{
	return MMU(k)->boot_pgtable_pages;
}

/* ---- boot: swapper_pg_dir and the kernel mappings ---- */

/* alloc_low_page: a frame from the early page-table buffer (reserved) */
static phys_addr_t alloc_low_page(struct kmm *k)
{
	phys_addr_t pa = memblock_alloc(&k->memblock, PAGE_SIZE, PAGE_SIZE);

	if (!pa)
		kmm_bug(k, "pgtable", "out of boot memory for the kernel page tables");
	k->mmu->boot_pgtable_pages++;
	return pa;
}

/* one_page_table_init: a pte table under a kernel PMD entry */
static pteval_t one_page_table_init(struct kmm *k, ptep_t pmd)
{
	pteval_t v = pte_get(k, pmd);

	if (!(v & _PAGE_PRESENT)) {
		v = alloc_low_page(k) | _KERNPG_TABLE;
		set_pte(k, pmd, v);
	}
	return v;
}

static void page_table_range_init(struct kmm *k, uint64_t start, uint64_t end)
{
	for (uint64_t va = start & ~(uint64_t)(pmd_size(k) - 1); va < end;
	     va += pmd_size(k))
		one_page_table_init(k, pmd_offset(k, MMU(k)->swapper_pa,
						  (vaddr_t)va));
}

static bool kernel_text(const struct kmm *k, uint64_t s, uint64_t e)
{
	uint64_t ks = k->cfg.kernel_start, ke = ks + k->cfg.kernel_size;

	return s < ke && ks < e;
}

/* kernel_physical_mapping_init, final attributes: 4K pages for the first
 * PMD (fixed MTRRs) and a partial last one, large pages between */
static void map_lowmem(struct kmm *k)
{
	uint64_t end = PFN_PHYS(k->layout.max_low_pfn), psz = pmd_size(k);

	for (uint64_t phys = 0; phys < end; phys += psz) {
		vaddr_t va = PAGE_OFFSET + (vaddr_t)phys;
		ptep_t pmd = pmd_offset(k, MMU(k)->swapper_pa, va);
		bool exec = kernel_text(k, phys, phys + psz);

		if (phys && phys + psz <= end) {
			set_pte(k, pmd, phys | _PAGE_PSE |
					(exec ? pgprot_kernel_exec(k)
					      : pgprot_kernel(k)));
			continue;
		}
		pteval_t t = one_page_table_init(k, pmd);
		for (uint64_t p = phys; p < phys + psz && p < end; p += PAGE_SIZE) {
			exec = kernel_text(k, p, p + PAGE_SIZE);
			set_pte(k, pte_offset(k, t, PAGE_OFFSET + (vaddr_t)p),
				pfn_pte(k, PFN_DOWN(p),
					exec ? pgprot_kernel_exec(k)
					     : pgprot_kernel(k)));
		}
	}
}

/* 3.2 protection_map (__P000..__S111) with __supported_pte_mask */
static void init_protection_map(struct kmm *k)
{
	pteval_t nx = pte_nx_mask(k);
	pteval_t none = _PAGE_PROTNONE | _PAGE_ACCESSED;
	pteval_t ro = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | nx;
	pteval_t ro_x = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;
	pteval_t shared = ro | _PAGE_RW, shared_x = ro_x | _PAGE_RW;
	const pteval_t map[16] = {
		none, ro, ro, ro, ro_x, ro_x, ro_x, ro_x,               /* __P */
		none, ro, shared, shared, ro_x, ro_x, shared_x, shared_x, /* __S */
	};

	memcpy(k->mmu->protection_map, map, sizeof(map));
}

void paging_init(struct kmm *k)
{
	struct kmm_mmu *m = k->mmu;
	const struct kmm_layout *l = &k->layout;
	uint64_t img_end = (uint64_t)k->cfg.kernel_start + k->cfg.kernel_size;
	bool in_image = k->cfg.kernel_size >= 4 * PAGE_SIZE;

	m->nx_mask = pte_nx_mask(k);
	m->shared_kernel_pmd = pae(k) && !k->cfg.pae_unshared_kernel_pmd;
	init_protection_map(k);
	/* swapper_pg_dir, the PAE kernel PMD and empty_zero_page are in the
	 * kernel image's bss (head_32.S) */
	m->swapper_pa = in_image ? img_end - PAGE_SIZE : alloc_low_page(k);
	m->zero_pfn = PFN_DOWN(in_image ? img_end - 2 * PAGE_SIZE
					: alloc_low_page(k));
	if (pae(k)) {
		phys_addr_t kpmd = in_image ? img_end - 3 * PAGE_SIZE
					    : alloc_low_page(k);
		m->kernel_pmd_pfn = PFN_DOWN(kpmd);
		set_pte(k, m->swapper_pa + 8 * KERNEL_PGD_BOUNDARY_PAE,
			kpmd | _PAGE_PRESENT);
	}
	map_lowmem(k);
	/* early_ioremap_page_table_range_init: the fixmap's tables */
	page_table_range_init(k, __fix_to_virt(l, l->end_of_fixed - 1),
			      (uint64_t)l->fixaddr_top + PAGE_SIZE);
	/* permanent_kmaps_init: the pkmap table */
	page_table_range_init(k, l->pkmap_base,
			      (uint64_t)l->pkmap_base + l->last_pkmap * PAGE_SIZE);
	k->boot.pgtable_pages = m->boot_pgtable_pages;
	tlb_init_cpus(k);
}

/* ---- directories of processes ---- */

static struct page *pgtable_page_alloc(struct kmm *k)
{
	return mmu_alloc_page(k, PGALLOC_GFP);
}

static void pgtable_page_free(struct kmm *k, phys_addr_t pa)
{
	put_user_page(k, pfn_to_page(k, PFN_DOWN(pa)));
}

/* PREALLOCATED_PMDS: the user PMDs, and the kernel one when not shared */
static unsigned int preallocated_pmds(const struct kmm *k)
{
	return MMU(k)->shared_kernel_pmd ? KERNEL_PGD_BOUNDARY_PAE : 4;
}

/* pgd_alloc: with PAE the PMDs are preallocated and the kernel PMD is
 * shared (or, unshared, a copy of swapper's); the 2-level kernel part is
 * copied */
phys_addr_t pgd_alloc(struct kmm *k, struct mm_struct *mm)
{
	struct page *pgd = pgtable_page_alloc(k);

	if (!pgd)
		return 0;
	phys_addr_t pa = PFN_PHYS(page_to_pfn(k, pgd));
	phys_addr_t swapper = MMU(k)->swapper_pa;
	unsigned int kb = kernel_pgd_boundary(k);

	if (pae(k)) {
		struct page *pmds[4] = {0};
		unsigned int n = preallocated_pmds(k);
		bool failed = false;
		for (unsigned int i = 0; i < n; i++) {
			pmds[i] = pgtable_page_alloc(k);
			failed |= !pmds[i];
		}
		if (failed) {
			for (unsigned int i = 0; i < n; i++)
				if (pmds[i])
					put_user_page(k, pmds[i]);
			put_user_page(k, pgd);
			return 0;
		}
		if (n == kb)    /* pgd_ctor: clone the shared kernel PMD entry */
			set_pte(k, pa + 8 * kb, pte_get(k, swapper + 8 * kb));
		else            /* pgd_prepopulate_pmd copies swapper's kernel PMD */
			memcpy(kmm_frame_w(k, page_to_pfn(k, pmds[kb])),
			       kmm_frame_r(k, MMU(k)->kernel_pmd_pfn), PAGE_SIZE);
		for (unsigned int i = 0; i < n; i++)
			set_pte(k, pa + 8 * i,
				PFN_PHYS(page_to_pfn(k, pmds[i])) | _PAGE_PRESENT);
		mm->nr_pmds = kb;
	} else {
		for (unsigned int i = kb; i < ptrs_per_pgd(k); i++)
			set_pte(k, pa + 4 * i, pte_get(k, swapper + 4 * i));
	}
	mm->pgd = pa;
	return pa;
}

/* pgd_free: pgd_mop_up_pmds frees the PMDs free_pgtables left */
void pgd_free(struct kmm *k, struct mm_struct *mm)
{
	if (pae(k)) {
		for (unsigned int i = 0; i < preallocated_pmds(k); i++) {
			pteval_t v = pte_get(k, mm->pgd + 8 * i);
			if (!v)
				continue;
			set_pte(k, mm->pgd + 8 * i, 0);
			pgtable_page_free(k, v & pt_addr_mask(k));
			if (i < KERNEL_PGD_BOUNDARY_PAE)
				mm->nr_pmds--;
		}
	}
	pgtable_page_free(k, mm->pgd);
	mm->pgd = 0;
}

/* pmd_alloc: __pmd_alloc + pud_populate (which flushes the mm's TLBs so
 * the CPUs reload their PDPTE registers) */
ptep_t pmd_alloc(struct kmm *k, struct mm_struct *mm, vaddr_t va)
{
	if (pae(k)) {
		ptep_t pud = mm->pgd + 8 * (phys_addr_t)pgd_index(k, va);
		if (!(pte_get(k, pud) & _PAGE_PRESENT)) {
			struct page *p = pgtable_page_alloc(k);
			if (!p)
				return 0;
			set_pte(k, pud, PFN_PHYS(page_to_pfn(k, p)) | _PAGE_PRESENT);
			mm->nr_pmds++;
			flush_tlb_mm(k, mm);
		}
	}
	return pmd_offset(k, mm->pgd, va);
}

/* __pte_alloc: a user pte table (no CONFIG_HIGHPTE) */
ptep_t pte_alloc_map(struct kmm *k, struct mm_struct *mm, vaddr_t va)
{
	ptep_t pmd = pmd_alloc(k, mm, va);

	if (!pmd)
		return 0;
	pteval_t v = pte_get(k, pmd);
	if (!v) {
		struct page *p = pgtable_page_alloc(k);
		if (!p)
			return 0;
		mm->nr_ptes++;
		v = PFN_PHYS(page_to_pfn(k, p)) | _PAGE_TABLE;
		set_pte(k, pmd, v);
	} else if ((v & ~(pteval_t)_PAGE_USER & ~pt_addr_mask(k)) != _KERNPG_TABLE) {
		kmm_bug(k, "pgtable", "bad pmd 0x%llx for 0x%08x in mm %u",
			(unsigned long long)v, va, mm->id);
	}
	return pte_offset(k, v, va);
}

ptep_t mm_pte(struct kmm *k, struct mm_struct *mm, vaddr_t va)
{
	ptep_t pmd = pmd_offset(k, mm->pgd, va);

	if (!pmd)
		return 0;
	pteval_t v = pte_get(k, pmd);
	if (!(v & _PAGE_PRESENT) || pmd_large(v))
		return 0;
	return pte_offset(k, v, va);
}

pteval_t mm_pteval(struct kmm *k, struct mm_struct *mm, vaddr_t va)
{
	ptep_t ep = mm_pte(k, mm, va);

	return ep ? pte_get(k, ep) : 0;
}

/* ---- kernel mappings ---- */

ptep_t lookup_address(const struct kmm *k, vaddr_t va, bool *large)
{
	ptep_t pmd = pmd_offset(k, MMU(k)->swapper_pa, va);

	*large = false;
	if (!pmd)
		return 0;
	pteval_t v = pte_get(k, pmd);
	if (!(v & _PAGE_PRESENT))
		return 0;
	if (v & _PAGE_PSE) {
		*large = true;
		return pmd;
	}
	return pte_offset(k, v, va);
}

ptep_t pte_alloc_kernel(struct kmm *k, vaddr_t va)
{
	if (va < PAGE_OFFSET)
		kmm_bug(k, "pgtable", "pte_alloc_kernel(0x%08x): a user address", va);
	ptep_t pmd = pmd_offset(k, MMU(k)->swapper_pa, va);
	pteval_t v = pte_get(k, pmd);

	if (!(v & _PAGE_PRESENT)) {
		struct page *p = alloc_pages(k, PGALLOC_GFP, 0);
		if (!p)
			return 0;
		v = PFN_PHYS(page_to_pfn(k, p)) | _KERNPG_TABLE;
		set_pte(k, pmd, v);
	} else if (v & _PAGE_PSE) {
		kmm_bug(k, "pgtable", "pte_alloc_kernel(0x%08x) inside a large page",
			va);
	}
	return pte_offset(k, v, va);
}

/* vmalloc_sync_one: copy swapper's PMD entry for address into the
 * directory at pgd_pa if it has none; 0 when swapper has none either */
ptep_t vmalloc_sync_one(struct kmm *k, phys_addr_t pgd_pa, vaddr_t address)
{
	ptep_t pmd_k = pmd_offset(k, MMU(k)->swapper_pa, address);

	if (!pmd_k || !(pte_get(k, pmd_k) & _PAGE_PRESENT))
		return 0;
	ptep_t pmd = pmd_offset(k, pgd_pa, address);
	if (!pmd)
		return 0;
	pteval_t v = pte_get(k, pmd), vk = pte_get(k, pmd_k);
	if (!(v & _PAGE_PRESENT)) {
		set_pte(k, pmd, vk);
		MMU(k)->fstats.vmalloc_syncs++;
	} else if (pte_pfn(k, v) != pte_pfn(k, vk)) {
		kmm_bug(k, "fault",
			"vmalloc_sync_one(0x%08x): pmd 0x%llx differs from the "
			"reference 0x%llx", address, (unsigned long long)v,
			(unsigned long long)vk);
	}
	return pmd_k;
}

void vmalloc_sync_all(struct kmm *k)
{
	const struct kmm_layout *l = &k->layout;

	if (MMU(k)->shared_kernel_pmd)
		return;
	for (uint64_t a = l->vmalloc_start & ~(uint64_t)(pmd_size(k) - 1);
	     a >= TASK_SIZE && a < l->fixaddr_top; a += pmd_size(k)) {
		for (struct list_head *e = MMU(k)->mms.next; e != &MMU(k)->mms;
		     e = e->next) {
			struct mm_struct *mm = kmm_container_of(e, struct mm_struct, list);
			if (!vmalloc_sync_one(k, mm->pgd, (vaddr_t)a))
				break;
		}
	}
}

/* ---- the hardware walk ---- */

#define BITS(lo, hi) ((((pteval_t)2 << (hi)) - 1) & ~(((pteval_t)1 << (lo)) - 1))

static bool walk_fault(struct pt_walk *w, unsigned int err)
{
	w->fault = true;
	w->err = err;
	return false;
}

bool pgtable_walk(struct kmm *k, phys_addr_t cr3, const pteval_t *pdpte,
			  vaddr_t va, unsigned int acc, bool set_ad,
			  struct pt_walk *w)
{
	const bool p = pae(k);
	const bool write = acc & KMM_ACC_WRITE, exec = acc & KMM_ACC_EXEC,
		   user = acc & KMM_ACC_USER;
	/* I/D is reported only with PAE and EFER.NXE (no SMEP) */
	const unsigned int e0 = (write ? PF_WRITE : 0) | (user ? PF_USER : 0) |
				(exec && p ? PF_INSTR : 0);
	const pteval_t above = BITS(KMM_MAXPHYADDR, 62);
	const pteval_t hwaddr = p ? BITS(12, KMM_MAXPHYADDR - 1) : BITS(12, 31);
	ptep_t pde_ep;

	memset(w, 0, sizeof(*w));
	w->rw = w->us = true;
	if (p) {
		pteval_t e = pdpte ? pdpte[va >> 30]
				   : pte_get(k, (cr3 & ~(phys_addr_t)0x1f) + 8 * (va >> 30));
		if (!(e & _PAGE_PRESENT))
			return walk_fault(w, e0);
		if (e & (BITS(1, 2) | BITS(5, 8) | BITS(KMM_MAXPHYADDR, 63)))
			return walk_fault(w, e0 | PF_PROT | PF_RSVD);
		pde_ep = (e & hwaddr) + 8 * (phys_addr_t)((va >> 21) & 511);
	} else {
		pde_ep = (cr3 & BITS(12, 31)) + 4 * (phys_addr_t)(va >> 22);
	}
	pteval_t pde = pte_get(k, pde_ep);
	w->ep[w->nr] = pde_ep;
	w->ev[w->nr++] = pde;
	if (!(pde & _PAGE_PRESENT))
		return walk_fault(w, e0);
	bool large = pde & _PAGE_PSE;
	pteval_t rsvd = p ? above | (large ? BITS(13, 20) : 0)
			  : (large ? BITS(KMM_MAXPHYADDR - 19, 21) : 0);
	if (pde & rsvd)
		return walk_fault(w, e0 | PF_PROT | PF_RSVD);
	w->rw = pde & _PAGE_RW;
	w->us = pde & _PAGE_USER;
	w->nx = p && (pde & _PAGE_NX);
	ptep_t leaf_ep = pde_ep;
	pteval_t leaf = pde;
	if (large) {
		w->page_size = pmd_size(k);
		w->page_pa = p ? pde & BITS(21, KMM_MAXPHYADDR - 1)
			       : (pde & BITS(22, 31)) |
					 ((pde & BITS(13, KMM_MAXPHYADDR - 20)) << 19);
	} else {
		ptep_t pte_ep = (pde & hwaddr) +
				(phys_addr_t)pte_index(k, va) * esize(k);
		pteval_t pte = pte_get(k, pte_ep);
		w->ep[w->nr] = pte_ep;
		w->ev[w->nr++] = pte;
		if (!(pte & _PAGE_PRESENT))
			return walk_fault(w, e0);
		if (p && (pte & above))
			return walk_fault(w, e0 | PF_PROT | PF_RSVD);
		w->rw &= (pte & _PAGE_RW) != 0;
		w->us &= (pte & _PAGE_USER) != 0;
		w->nx |= p && (pte & _PAGE_NX);
		w->page_size = PAGE_SIZE;
		w->page_pa = pte & hwaddr;
		leaf_ep = pte_ep;
		leaf = pte;
	}
	/* rights: U/S and R/W are ANDed, XD ORed over the levels; CR0.WP=1 */
	if ((user && !w->us) || (write && !w->rw) || (exec && w->nx))
		return walk_fault(w, e0 | PF_PROT);
	w->pa = w->page_pa + (va & (w->page_size - 1));
	w->global = leaf & _PAGE_GLOBAL;
	w->dirty = (leaf & _PAGE_DIRTY) || write;
	if (set_ad) {
		for (int i = 0; i < w->nr; i++) {
			pteval_t v = w->ev[i] | _PAGE_ACCESSED;
			if (w->ep[i] == leaf_ep && write)
				v |= _PAGE_DIRTY;
			if (v != w->ev[i])
				set_pte(k, w->ep[i], v);
		}
	}
	return true;
}
