/* mmu_check.c — invariant sweeps of the MMU and the address spaces.
 *
 * mm_check(mm): the VMA tree is sorted, non-overlapping, inside user space
 * and counted by map_count; anon_vma chains hold the VMA's anon_vma; file
 * VMAs are on their file's i_mmap; every user page-table frame is a live,
 * unshared allocation counted by nr_ptes/nr_pmds; every present pte lies in
 * a VMA, grants no more than the VMA (writable only with VM_WRITE, and in
 * a private mapping only over an exclusively owned anonymous page), and
 * maps either the zero page, a PFN-map frame, a live page whose anon_vma
 * or file and index match, or, in a VM_MIXEDMAP VMA, a live kernel page
 * (vm_insert_page: no mapping, not slab); the rss counters match; the
 * kernel part of the directory matches swapper_pg_dir.
 *
 * mmu_check(): every mm, then across them: each mapped page's mapcount is
 * its number of ptes and its refcount that plus the page cache's reference
 * (a kernel page: at least its ptes' references; the rest are its owner's,
 * which vmalloc_check accounts for vmalloc pages); page-cache pages are
 * consistent; the frames the MMU holds are reachable (kernel pages are not
 * its own); the zero page is zero; CPU state (CR3, PDPTE registers,
 * mm_cpumask) is consistent; and no TLB entry grants more
 * than the page tables (entries for kernel addresses outside the direct map
 * are left to the subsystems that may keep them stale on purpose, as lazy
 * vunmap and pkmap do).
 *
 * Not checked: that neighbouring VMAs which could merge are merged — 3.2
 * itself leaves mergeable neighbours (mremap growth in place, stack
 * expansion up to a VMA), so the tests check merging per operation.
 */
#include <stdlib.h>
#include <string.h>
#include "mmu_internal.h"

struct pfnvec {
	unsigned long *v;
	size_t n, cap;
};

static void pv_add(struct kmm *k, struct pfnvec *p, unsigned long pfn)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 256;
		p->v = realloc(p->v, p->cap * sizeof(*p->v));
		if (!p->v)
			kmm_bug(k, "mmu", "out of host memory for a check");
	}
	p->v[p->n++] = pfn;
}

static int cmp_ul(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return (x > y) - (x < y);
}

struct sweep {
	struct pfnvec mapped;   /* one entry per pte mapping a normal page */
	struct pfnvec tables;   /* user page-table frames (and directories) */
	struct pfnvec cached;   /* page-cache pages */
};

static void check_table_frame(struct kmm *k, struct mm_struct *mm,
			      phys_addr_t pa, const char *what)
{
	unsigned long pfn = PFN_DOWN(pa);

	if (pfn >= k->layout.max_pfn)
		kmm_bug(k, "mmu", "mm %u: %s at 0x%llx is outside RAM", mm->id,
			what, (unsigned long long)pa);
	struct page *p = pfn_to_page(k, pfn);
	if (p->_refcount != 1 || !(p->sim & KMM_SIM_ALLOCATED) || PageReserved(p) ||
	    p->mapping || p->_mapcount != -1)
		kmm_bug(k, "mmu",
			"mm %u: %s at pfn 0x%05lx is not a live private page-table "
			"page (count %d, mapcount %d, reserved %d)", mm->id, what, pfn,
			p->_refcount, p->_mapcount, PageReserved(p));
}

static void check_vmas(struct kmm *k, struct mm_struct *mm)
{
	vaddr_t prev_end = 0;
	int n = 0;

	for (struct vm_area_struct *v = vma_first(mm); v; v = vma_next(mm, v)) {
		n++;
		if (v->vm_mm != mm || v->vm_start >= v->vm_end ||
		    ((v->vm_start | v->vm_end) & (PAGE_SIZE - 1)) ||
		    v->vm_end > TASK_SIZE || v->vm_start < prev_end)
			kmm_bug(k, "mmu",
				"mm %u: bad VMA 0x%08x-0x%08x (previous ends at "
				"0x%08x)", mm->id, v->vm_start, v->vm_end, prev_end);
		prev_end = v->vm_end;
		if (find_vma(mm, v->vm_start) != v)
			kmm_bug(k, "mmu", "mm %u: find_vma(0x%08x) misses its VMA",
				mm->id, v->vm_start);
		bool in_chain = !v->anon_vma;
		for (unsigned int i = 0; i < v->chain_len; i++) {
			if (v->chain[i] == v->anon_vma)
				in_chain = true;
			if (!v->chain[i]->nr_chained)
				kmm_bug(k, "mmu", "mm %u: VMA 0x%08x chains a dead anon_vma",
					mm->id, v->vm_start);
		}
		if (!in_chain || (!v->anon_vma && v->chain_len))
			kmm_bug(k, "mmu", "mm %u: VMA 0x%08x: anon_vma %u not in its "
				"chain of %u", mm->id, v->vm_start,
				v->anon_vma ? v->anon_vma->id : 0, v->chain_len);
		if (v->vm_file) {
			bool linked = false;
			for (struct list_head *e = v->vm_file->i_mmap.next;
			     e != &v->vm_file->i_mmap; e = e->next)
				linked |= e == &v->shared;
			if (!linked || v->vm_file->refs <= 0)
				kmm_bug(k, "mmu", "mm %u: file VMA 0x%08x is not on its "
					"file's i_mmap", mm->id, v->vm_start);
		}
		pteval_t want = vm_get_page_prot(k, v->vm_flags);
		pteval_t have = v->vm_page_prot & ~_PAGE_PCD;
		if (have != want && have != vm_get_page_prot(k, v->vm_flags & ~VM_SHARED))
			kmm_bug(k, "mmu", "mm %u: VMA 0x%08x flags 0x%lx with "
				"vm_page_prot 0x%llx", mm->id, v->vm_start, v->vm_flags,
				(unsigned long long)v->vm_page_prot);
	}
	if (n != mm->map_count)
		kmm_bug(k, "mmu", "mm %u: map_count %d but %d VMAs", mm->id,
			mm->map_count, n);
}

static void check_pte(struct kmm *k, struct mm_struct *mm, struct sweep *s,
		      vaddr_t a, pteval_t pte, long *rss)
{
	struct vm_area_struct *v = find_vma(mm, a);

	if (!v || v->vm_start > a)
		kmm_bug(k, "mmu", "mm %u: pte 0x%llx at 0x%08x outside every VMA",
			mm->id, (unsigned long long)pte, a);
	if (!pte_present(pte))
		kmm_bug(k, "mmu", "mm %u: non-present pte 0x%llx at 0x%08x (no "
			"swap in this model)", mm->id, (unsigned long long)pte, a);
	bool accessible = v->vm_flags & (VM_READ | VM_WRITE | VM_EXEC);
	if (accessible != !!(pte & _PAGE_PRESENT) || !(pte & (_PAGE_USER | _PAGE_PROTNONE)))
		kmm_bug(k, "mmu", "mm %u: pte 0x%llx at 0x%08x does not match VMA "
			"flags 0x%lx", mm->id, (unsigned long long)pte, a, v->vm_flags);
	if (pte_write(pte) && !(v->vm_flags & VM_WRITE))
		kmm_bug(k, "mmu", "mm %u: writable pte at 0x%08x in a VMA without "
			"VM_WRITE (flags 0x%lx)", mm->id, a, v->vm_flags);
	unsigned long pfn = pte_pfn(k, pte);
	if (pte_special(pte)) {
		if (v->vm_flags & VM_PFNMAP)
			return;
		if (pfn != MMU(k)->zero_pfn || pte_write(pte))
			kmm_bug(k, "mmu", "mm %u: special pte 0x%llx at 0x%08x is "
				"neither the read-only zero page nor a PFN map",
				mm->id, (unsigned long long)pte, a);
		return;
	}
	if (pfn >= k->layout.max_pfn)
		kmm_bug(k, "mmu", "mm %u: pte at 0x%08x maps pfn 0x%lx beyond RAM",
			mm->id, a, pfn);
	struct page *p = pfn_to_page(k, pfn);
	if (pte_kernel_page(p)) {
		/* vm_insert_page: a live kernel allocation of someone's */
		struct page *h = compound_head(p);
		if (!(v->vm_flags & VM_MIXEDMAP) || h->_refcount <= 0 ||
		    PageBuddy(h) || PageSlab(h) ||
		    !((h->sim & KMM_SIM_ALLOCATED) || PageReserved(h)))
			kmm_bug(k, "mmu", "mm %u: pte at 0x%08x maps pfn 0x%05lx, "
				"which is free or unowned (count %d, %s VMA flags "
				"0x%lx)", mm->id, a, pfn, h->_refcount,
				PageSlab(h) ? "slab page," : "", v->vm_flags);
		rss[MM_FILEPAGES]++;
		goto counted;
	}
	if (p->_refcount <= 0 || PageReserved(p))
		kmm_bug(k, "mmu", "mm %u: pte at 0x%08x maps pfn 0x%05lx, which is "
			"free, reserved or unowned (count %d)", mm->id, a, pfn,
			p->_refcount);
	unsigned long index = linear_page_index(v, a);
	if (PageAnon(p)) {
		bool ok = false;
		for (unsigned int i = 0; i < v->chain_len; i++)
			ok |= v->chain[i] == page_anon_vma(p);
		if (!ok || p->index != index)
			kmm_bug(k, "mmu", "mm %u: anonymous page pfn 0x%05lx at "
				"0x%08x: anon_vma not in the VMA's chain or index %u "
				"!= %lu", mm->id, pfn, a, p->index, index);
		rss[MM_ANONPAGES]++;
	} else {
		if (p->mapping != v->vm_file || p->index != index ||
		    kmm_file_find_page(k, v->vm_file, index) != p)
			kmm_bug(k, "mmu", "mm %u: file page pfn 0x%05lx at 0x%08x "
				"is not page %lu of the VMA's file", mm->id, pfn, a,
				index);
		rss[MM_FILEPAGES]++;
	}
counted:
	if (pte_write(pte) && is_cow_mapping(v->vm_flags) &&
	    (!PageAnon(p) || page_mapcount(p) != 1))
		kmm_bug(k, "mmu", "mm %u: writable pte at 0x%08x in a private "
			"mapping over a %s page mapped %d times (COW broken)",
			mm->id, a, PageAnon(p) ? "anonymous" : p->mapping ? "file"
									 : "kernel",
			page_mapcount(p));
	pv_add(k, &s->mapped, pfn);
}

static void check_pte_table(struct kmm *k, struct mm_struct *mm,
			    struct sweep *s, vaddr_t base, pteval_t pmdval,
			    long *rss)
{
	for (unsigned int i = 0; i < ptrs_per_pte(k); i++) {
		vaddr_t a = base + i * PAGE_SIZE;
		pteval_t pte = pte_get(k, pte_offset(k, pmdval, a));
		if (!pte_none(pte))
			check_pte(k, mm, s, a, pte, rss);
	}
}

static void check_user_tables(struct kmm *k, struct mm_struct *mm,
			      struct sweep *s)
{
	long rss[NR_MM_COUNTERS] = {0};
	unsigned long ptes = 0, pmds = 0;
	uint32_t psz = pmd_size(k);

	check_table_frame(k, mm, mm->pgd, "page directory");
	pv_add(k, &s->tables, PFN_DOWN(mm->pgd));
	for (uint64_t a = 0; a < TASK_SIZE; a += psz) {
		if (k->layout.pae && !(a & ((1u << 30) - 1))) {
			pteval_t pud = pte_get(k, mm->pgd + 8 * (a >> 30));
			if (!pud) {
				a += (1u << 30) - psz;
				continue;
			}
			if ((pud & ~pt_addr_mask(k)) != _PAGE_PRESENT)
				kmm_bug(k, "mmu", "mm %u: bad PDPT entry 0x%llx",
					mm->id, (unsigned long long)pud);
			check_table_frame(k, mm, pud & pt_addr_mask(k), "pmd table");
			pv_add(k, &s->tables, pte_pfn(k, pud));
			pmds++;
		}
		pteval_t v = pte_get(k, pmd_offset(k, mm->pgd, (vaddr_t)a));
		if (!v)
			continue;
		if ((v & ~pt_addr_mask(k)) != _PAGE_TABLE)
			kmm_bug(k, "mmu", "mm %u: bad pmd 0x%llx for 0x%08llx", mm->id,
				(unsigned long long)v, (unsigned long long)a);
		check_table_frame(k, mm, v & pt_addr_mask(k), "pte table");
		pv_add(k, &s->tables, pte_pfn(k, v));
		ptes++;
		check_pte_table(k, mm, s, (vaddr_t)a, v, rss);
	}
	if (ptes != mm->nr_ptes || pmds != mm->nr_pmds)
		kmm_bug(k, "mmu", "mm %u: %lu pte and %lu pmd tables, counted %lu "
			"and %lu", mm->id, ptes, pmds, mm->nr_ptes, mm->nr_pmds);
	for (int i = 0; i < NR_MM_COUNTERS; i++)
		if (rss[i] != mm->rss[i])
			kmm_bug(k, "mmu", "BUG: Bad rss-counter state mm %u idx:%d "
				"val:%ld (ptes say %ld)", mm->id, i, mm->rss[i], rss[i]);
}

/* the kernel part equals swapper's, except vmalloc-area PMD entries not
 * yet synced by a vmalloc fault */
static void check_kernel_part(struct kmm *k, struct mm_struct *mm,
			      struct sweep *s)
{
	const struct kmm_layout *l = &k->layout;
	phys_addr_t sw = MMU(k)->swapper_pa;

	vaddr_t lazy_lo = l->vmalloc_start & ~(pmd_size(k) - 1);
	phys_addr_t dir = mm->pgd, dir_k = sw;
	unsigned int first = KERNEL_PGD_BOUNDARY_2L, n = 1024, shift = 22;

	if (k->layout.pae) {
		unsigned int b = KERNEL_PGD_BOUNDARY_PAE;
		pteval_t v = pte_get(k, mm->pgd + 8 * b), vk = pte_get(k, sw + 8 * b);
		if (MMU(k)->shared_kernel_pmd) {
			if (v != vk)
				kmm_bug(k, "mmu", "mm %u: kernel PDPT entry differs "
					"from swapper_pg_dir's", mm->id);
			return;
		}
		/* unshared: a private copy of the kernel PMD */
		if ((v & ~pt_addr_mask(k)) != _PAGE_PRESENT || v == vk)
			kmm_bug(k, "mmu", "mm %u: kernel PDPT entry 0x%llx is not a "
				"private PMD", mm->id, (unsigned long long)v);
		check_table_frame(k, mm, v & pt_addr_mask(k), "kernel pmd table");
		pv_add(k, &s->tables, pte_pfn(k, v));
		dir = v & pt_addr_mask(k);
		dir_k = vk & pt_addr_mask(k);
		first = 0;
		n = 512;
		shift = 21;
	}
	unsigned int esz = k->layout.pae ? 8 : 4;
	for (unsigned int i = first; i < n; i++) {
		pteval_t v = pte_get(k, dir + esz * i), vk = pte_get(k, dir_k + esz * i);
		vaddr_t a = k->layout.pae ? PAGE_OFFSET + ((vaddr_t)i << shift)
					  : (vaddr_t)i << shift;
		if (v == vk || (!v && a >= lazy_lo && a < l->vmalloc_end))
			continue;
		kmm_bug(k, "mmu", "mm %u: kernel PMD entry for 0x%08x is 0x%llx, "
			"swapper_pg_dir has 0x%llx", mm->id, a,
			(unsigned long long)v, (unsigned long long)vk);
	}
}

void mm_check(struct kmm *k, struct mm_struct *mm)
{
	struct sweep s = {0};

	check_vmas(k, mm);
	check_user_tables(k, mm, &s);
	check_kernel_part(k, mm, &s);
	free(s.mapped.v);
	free(s.tables.v);
}

/* ---- across address spaces ---- */

/* Every frame the MMU code holds is reachable: a page table, a mapped
 * page or a page-cache page (kernel pages in user ptes are their owner's,
 * not the MMU's).  A frame it allocated and lost is a leak. */
static void check_frames_held(struct kmm *k, struct sweep *s)
{
	size_t n = s->mapped.n + s->tables.n + s->cached.n, u = 0;
	unsigned long *all = malloc((n + 1) * sizeof(*all));

	if (!all)
		kmm_bug(k, "mmu", "out of host memory for a check");
	const struct pfnvec *parts[] = {&s->mapped, &s->tables, &s->cached};
	for (int i = 0; i < 3; i++)
		for (size_t j = 0; j < parts[i]->n; j++)
			if (i || !pte_kernel_page(pfn_to_page(k, parts[i]->v[j])))
				all[u++] = parts[i]->v[j];
	n = u;
	u = 0;
	if (n)
		qsort(all, n, sizeof(*all), cmp_ul);
	for (size_t i = 0; i < n; i++)
		u += !i || all[i] != all[i - 1];
	free(all);
	if (u != MMU(k)->nr_frames)
		kmm_bug(k, "mmu", "the MMU holds %lu frames but %zu are reachable "
			"from page tables and page caches: %s", MMU(k)->nr_frames,
			u, u < MMU(k)->nr_frames ? "a leak" : "a frame counted twice");
}

static void check_page_counts(struct kmm *k, struct sweep *s)
{
	if (s->mapped.n)
		qsort(s->mapped.v, s->mapped.n, sizeof(unsigned long), cmp_ul);
	if (s->tables.n)
		qsort(s->tables.v, s->tables.n, sizeof(unsigned long), cmp_ul);
	for (size_t i = 1; i < s->tables.n; i++)
		if (s->tables.v[i] == s->tables.v[i - 1])
			kmm_bug(k, "mmu", "page-table frame pfn 0x%05lx is used twice",
				s->tables.v[i]);
	for (size_t i = 0, t = 0; i < s->mapped.n;) {
		unsigned long pfn = s->mapped.v[i];
		size_t j = i;
		while (j < s->mapped.n && s->mapped.v[j] == pfn)
			j++;
		while (t < s->tables.n && s->tables.v[t] < pfn)
			t++;
		if (t < s->tables.n && s->tables.v[t] == pfn)
			kmm_bug(k, "mmu", "pfn 0x%05lx is both a page table and a "
				"mapped user page", pfn);
		struct page *p = pfn_to_page(k, pfn);
		int maps = (int)(j - i);
		int want = maps + (PageAnon(p) ? 0 : 1);
		bool kernel = pte_kernel_page(p);
		int count = kernel ? compound_head(p)->_refcount : p->_refcount;
		if (page_mapcount(p) != maps ||
		    (kernel ? count < maps : count != want))
			kmm_bug(k, "mmu", "pfn 0x%05lx is mapped by %d ptes but has "
				"mapcount %d and count %d (expected %s%d)", pfn, maps,
				page_mapcount(p), count, kernel ? "at least " : "",
				kernel ? maps : want);
		i = j;
	}
}

static void check_files(struct kmm *k, struct sweep *s)
{
	unsigned long total = 0, shmem = 0;

	for (struct list_head *e = MMU(k)->files.next; e != &MMU(k)->files;
	     e = e->next) {
		struct kmm_file *f = kmm_container_of(e, struct kmm_file, list);
		unsigned long n = 0;
		for (unsigned long i = 0; i < f->cache_len; i++) {
			struct page *p = f->cache[i];
			if (!p)
				continue;
			n++;
			pv_add(k, &s->cached, page_to_pfn(k, p));
			if (p->mapping != f || p->index != i ||
			    p->_refcount != page_mapcount(p) + 1 ||
			    !PageFlag(p, PG_uptodate) ||
			    i >= (f->i_size + PAGE_SIZE - 1) >> PAGE_SHIFT)
				kmm_bug(k, "mmu", "file %u: page-cache page %lu (pfn "
					"0x%05lx) is inconsistent (count %d, mapcount "
					"%d, size %llu)", f->id, i, page_to_pfn(k, p),
					p->_refcount, page_mapcount(p),
					(unsigned long long)f->i_size);
		}
		if (n != f->nrpages || f->refs <= 0)
			kmm_bug(k, "mmu", "file %u: nrpages %lu but %lu cached pages",
				f->id, f->nrpages, n);
		total += n;
		if (f->kind == KMM_FILE_SHMEM)
			shmem += n;
	}
	if (total != MMU(k)->nr_file_pages || shmem != MMU(k)->nr_shmem_pages)
		kmm_bug(k, "mmu", "NR_FILE_PAGES %lu / NR_SHMEM %lu, counted %lu / %lu",
			MMU(k)->nr_file_pages, MMU(k)->nr_shmem_pages, total, shmem);
}

static void check_cpus(struct kmm *k)
{
	for (unsigned int c = 0; c < k->cfg.nr_cpus; c++) {
		const struct cpu_mmu *cm = &MMU(k)->cpu[c];
		phys_addr_t want = cm->mm ? cm->mm->pgd : MMU(k)->swapper_pa;
		if (cm->cr3 != want || (cm->mm && !(cm->mm->cpumask & (1u << c))))
			kmm_bug(k, "mmu", "CPU %u: cr3 0x%llx, mm %u, cpumask 0x%x",
				c, (unsigned long long)cm->cr3, cm->mm ? cm->mm->id : 0,
				cm->mm ? cm->mm->cpumask : 0);
		for (int i = 0; k->layout.pae && i < 4; i++)
			if (cm->pdpte[i] != pte_get(k, cm->cr3 + 8 * i))
				kmm_bug(k, "mmu", "CPU %u: PDPTE register %d is 0x%llx "
					"but the PDPT holds 0x%llx (CR3 not reloaded)", c,
					i, (unsigned long long)cm->pdpte[i],
					(unsigned long long)pte_get(k, cm->cr3 + 8 * i));
	}
	for (struct list_head *e = MMU(k)->mms.next; e != &MMU(k)->mms; e = e->next) {
		struct mm_struct *mm = kmm_container_of(e, struct mm_struct, list);
		for (unsigned int c = 0; c < KMM_NR_CPUS; c++)
			if ((mm->cpumask & (1u << c)) &&
			    (c >= k->cfg.nr_cpus || MMU(k)->cpu[c].mm != mm))
				kmm_bug(k, "mmu", "mm %u: mm_cpumask has CPU %u, which "
					"does not run it", mm->id, c);
	}
}

void tlb_check(struct kmm *k)
{
	const struct kmm_layout *l = &k->layout;

	for (unsigned int c = 0; c < k->cfg.nr_cpus; c++) {
		const struct cpu_mmu *cm = &MMU(k)->cpu[c];
		for (unsigned int i = 0; i < KMM_TLB_ENTRIES; i++) {
			struct tlb_info e;
			struct pt_walk w;
			if (!tlb_entry_get(k, c, i, &e))
				continue;
			if (e.va >= PAGE_OFFSET && e.va >= l->high_memory)
				continue;       /* vmalloc, pkmap, fixmap */
			bool bad = !pgtable_walk(k, cm->cr3,
						 l->pae ? cm->pdpte : NULL, e.va, 0,
						 false, &w);
			bad = bad || w.page_pa != e.pa || w.page_size != e.size ||
			      (e.rw && !w.rw) || (e.us && !w.us) || (!e.nx && w.nx) ||
			      (e.global && !w.global);
			if (bad)
				kmm_bug(k, "mmu",
					"CPU %u: stale TLB entry 0x%08x -> 0x%llx (%s%s%s) "
					"grants more than the page tables (%s 0x%llx %s%s%s): "
					"a missing TLB flush", c, e.va,
					(unsigned long long)e.pa, e.rw ? "rw" : "ro",
					e.us ? ",user" : "", e.nx ? ",nx" : "",
					w.fault ? "fault" : "->", (unsigned long long)w.page_pa,
					w.rw ? "rw" : "ro", w.us ? ",user" : "",
					w.nx ? ",nx" : "");
		}
	}
}

void mmu_check(struct kmm *k)
{
	struct sweep s = {0};

	if (!k->mmu)
		return;
	check_cpus(k);
	for (struct list_head *e = MMU(k)->mms.next; e != &MMU(k)->mms; e = e->next) {
		struct mm_struct *mm = kmm_container_of(e, struct mm_struct, list);
		check_vmas(k, mm);
		check_user_tables(k, mm, &s);
		check_kernel_part(k, mm, &s);
	}
	check_page_counts(k, &s);
	check_files(k, &s);
	check_frames_held(k, &s);
	const uint8_t *z = kmm_frame_r(k, MMU(k)->zero_pfn);
	for (unsigned int i = 0; i < PAGE_SIZE; i++)
		if (z[i])
			kmm_bug(k, "mmu", "empty_zero_page byte %u is 0x%02x", i, z[i]);
	tlb_check(k);
	free(s.mapped.v);
	free(s.tables.v);
	free(s.cached.v);
}
