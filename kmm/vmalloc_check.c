/* vmalloc_check.c — the invariant sweep of the vmalloc area (see
 * vmalloc.h): the three trees against each other and the range, the
 * augmented sizes, every busy area against its ptes and its pages (each
 * VM_ALLOC page holds the area's reference plus one per user pte), the
 * lazy count, the kernel page tables of the range, and every CPU's TLB.
 */
#include <stdlib.h>
#include <string.h>
#include "vmalloc_internal.h"
#include "mmu_internal.h"

struct ulvec {
	unsigned long *v;
	size_t n, cap;
};

static void uv_add(struct kmm *k, struct ulvec *u, unsigned long x)
{
	if (u->n == u->cap) {
		u->cap = u->cap ? 2 * u->cap : 256;
		u->v = realloc(u->v, u->cap * sizeof(*u->v));
		if (!u->v)
			kmm_bug(k, "vmalloc", "out of host memory for a check");
	}
	u->v[u->n++] = x;
}

static int cmp_ul(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return (x > y) - (x < y);
}

static void uv_unique(struct kmm *k, struct ulvec *u, const char *what)
{
	if (u->n)
		qsort(u->v, u->n, sizeof(*u->v), cmp_ul);
	for (size_t i = 1; i < u->n; i++)
		if (u->v[i] == u->v[i - 1])
			kmm_bug(k, "vmalloc", "%s 0x%lx is used twice", what, u->v[i]);
}

/* the subtree's largest size, checking every node's augmented value */
static uint32_t check_augment(struct kmm *k, struct vmap_area *n)
{
	if (!n)
		return 0;
	uint32_t l = check_augment(k, RB_LEFT(n, rb));
	uint32_t r = check_augment(k, RB_RIGHT(n, rb));
	uint32_t m = va_size(n);
	m = m > l ? m : l;
	m = m > r ? m : r;
	if (n->subtree_max_size != m)
		kmm_bug(k, "vmalloc", "area 0x%08x-0x%08x: subtree_max_size 0x%x, "
			"its subtree's largest is 0x%x", n->va_start, n->va_end,
			n->subtree_max_size, m);
	return m;
}

static void check_objects(struct kmm *k, struct vmap_area *va,
			  struct ulvec *objs)
{
	struct vmalloc_state *st = VM(k);

	if (!va->obj)
		return;
	if (!st->cachep || virt_to_cache(k, va->obj) != st->cachep)
		kmm_bug(k, "vmalloc", "area 0x%08x-0x%08x: its vmap_area 0x%08x is "
			"not an object of the vmap_area cache", va->va_start,
			va->va_end, va->obj);
	uv_add(k, objs, va->obj);
}

static pteval_t kernel_pte(struct kmm *k, vaddr_t a)
{
	bool large;
	ptep_t ep = lookup_address(k, a, &large);

	if (ep && large)
		kmm_bug(k, "vmalloc", "large page at 0x%08x in the vmalloc area", a);
	return ep ? pte_get(k, ep) : 0;
}

/* A tail page of a live higher-order block (compound or not) has count 0
 * yet is allocated memory, which vmap may map (it takes no references). */
static bool in_live_block(struct kmm *k, unsigned long pfn)
{
	for (unsigned int o = 1; o < MAX_ORDER; o++) {
		unsigned long head = pfn & ~((1ul << o) - 1);
		if (!pfn_valid(k, head))
			return false;
		const struct page *h = pfn_to_page(k, head);
		if ((h->sim & KMM_SIM_ALLOCATED) && h->owner_order >= o)
			return h->_refcount > 0;
	}
	return false;
}

static void check_page_live(struct kmm *k, struct vmap_area *va, struct page *p,
			    unsigned int i)
{
	if ((p->_refcount <= 0 && !in_live_block(k, page_to_pfn(k, p))) ||
	    PageBuddy(p) || PageReserved(p))
		kmm_bug(k, "vmalloc", "area 0x%08x-0x%08x: page %u (pfn 0x%05lx) "
			"is free or reserved (count %d): freed while mapped",
			va->va_start, va->va_end, i, page_to_pfn(k, p), p->_refcount);
}

static void check_busy(struct kmm *k, struct vmap_area *va, struct ulvec *owned,
		       unsigned long *mapped, unsigned long *vpages)
{
	struct vm_struct *vm = va->vm;

	if (!vm || vm->addr != va->va_start || vm->size != va_size(va))
		kmm_bug(k, "vmalloc", "busy area 0x%08x-0x%08x: vm_struct %s",
			va->va_start, va->va_end, vm ? "does not match" : "missing");
	if (vm->flags & VM_UNINITIALIZED)
		kmm_bug(k, "vmalloc", "area 0x%08x still VM_UNINITIALIZED", vm->addr);
	if (!vm->obj || !virt_to_cache(k, vm->obj))
		kmm_bug(k, "vmalloc", "area 0x%08x: its vm_struct 0x%08x is not a "
			"kmalloc object", vm->addr, vm->obj);
	uint32_t usable = vm->flags & VM_NO_GUARD ? vm->size : vm->size - PAGE_SIZE;
	unsigned int n = usable >> PAGE_SHIFT;
	if (!(vm->flags & VM_NO_GUARD) && kernel_pte(k, va->va_end - PAGE_SIZE))
		kmm_bug(k, "vmalloc", "area 0x%08x-0x%08x: its guard page is mapped",
			va->va_start, va->va_end);
	for (unsigned int i = 0; i < n; i++) {
		vaddr_t a = va->va_start + i * PAGE_SIZE;
		pteval_t v = kernel_pte(k, a), want = 0;
		if (vm->flags & VM_ALLOC) {
			if (vm->nr_pages != n || !vm->pages[i])
				kmm_bug(k, "vmalloc", "vmalloc area 0x%08x has %u of its "
					"%u pages", vm->addr, vm->nr_pages, n);
			check_page_live(k, va, vm->pages[i], i);
			struct page *p = vm->pages[i];
			if (!(p->sim & KMM_SIM_ALLOCATED))
				kmm_bug(k, "vmalloc", "vmalloc page pfn 0x%05lx is not "
					"an allocation of its own", page_to_pfn(k, p));
			/* the area's reference, and one per user pte of
			 * remap_vmalloc_range (mmu_check counts the ptes) */
			if (p->mapping || p->_mapcount < -1 ||
			    p->_refcount != 1 + page_mapcount(p))
				kmm_bug(k, "vmalloc", "area 0x%08x-0x%08x: page %u (pfn "
					"0x%05lx) has count %d and mapcount %d%s: its "
					"references are not the area's plus one per "
					"user mapping", va->va_start, va->va_end, i,
					page_to_pfn(k, p), p->_refcount,
					page_mapcount(p),
					p->mapping ? ", and a mapping" : "");
			uv_add(k, owned, page_to_pfn(k, vm->pages[i]));
			want = pfn_pte(k, page_to_pfn(k, vm->pages[i]), vm->prot);
		} else if (vm->mapped) {
			check_page_live(k, va, vm->mapped[i], i);
			want = pfn_pte(k, page_to_pfn(k, vm->mapped[i]), vm->prot);
		} else if (vm->flags & VM_IOREMAP) {
			want = pfn_pte(k, (unsigned long)PFN_DOWN(vm->phys_addr) + i,
				       vm->prot);
		}
		if ((v ^ want) & ~(_PAGE_ACCESSED | _PAGE_DIRTY))
			kmm_bug(k, "vmalloc", "area 0x%08x-0x%08x (flags 0x%lx): the "
				"pte of 0x%08x is 0x%llx, expected 0x%llx", va->va_start,
				va->va_end, vm->flags, a, (unsigned long long)v,
				(unsigned long long)want);
		*mapped += want != 0;
	}
	if (vm->flags & VM_ALLOC) {
		*vpages += vm->nr_pages;
		if (vm->pages_vmalloced) {
			struct vmap_area *pa = va_find(&VM(k)->busy, vm->pages_obj);
			if (!pa || pa->va_start != vm->pages_obj ||
			    !(pa->vm->flags & VM_ALLOC))
				kmm_bug(k, "vmalloc", "area 0x%08x: its pages array "
					"0x%08x is not a vmalloc area", vm->addr,
					vm->pages_obj);
		} else if (!virt_to_cache(k, vm->pages_obj)) {
			kmm_bug(k, "vmalloc", "area 0x%08x: its pages array 0x%08x is "
				"not a kmalloc object", vm->addr, vm->pages_obj);
		}
	}
}

/* every present pte of the range lies in a busy area's mapped part */
static unsigned long check_tables(struct kmm *k)
{
	const struct kmm_layout *l = &k->layout;
	uint32_t psz = pmd_size(k);
	unsigned long present = 0;

	for (uint64_t a = l->vmalloc_start & ~(uint64_t)(psz - 1);
	     a < l->vmalloc_end; a += psz) {
		ptep_t pmd = pmd_offset(k, swapper_pg_dir(k), (vaddr_t)a);
		pteval_t v = pmd ? pte_get(k, pmd) : 0;
		if (!v)
			continue;
		if ((v & ~pt_addr_mask(k)) != _KERNPG_TABLE)
			kmm_bug(k, "vmalloc", "kernel pmd 0x%llx for 0x%08llx in the "
				"vmalloc area", (unsigned long long)v,
				(unsigned long long)a);
		struct page *t = pfn_to_page(k, pte_pfn(k, v));
		if (t->_refcount != 1 || PageBuddy(t))
			kmm_bug(k, "vmalloc", "the page table of 0x%08llx (pfn 0x%05lx) "
				"is not a live page", (unsigned long long)a,
				pte_pfn(k, v));
		for (uint64_t p = a; p < a + psz; p += PAGE_SIZE) {
			if (p < l->vmalloc_start || p >= l->vmalloc_end)
				continue;
			pteval_t e = pte_get(k, pte_offset(k, v, (vaddr_t)p));
			if (!e)
				continue;
			struct vmap_area *va = va_find(&VM(k)->busy, (vaddr_t)p);
			if (!va)
				kmm_bug(k, "vmalloc", "0x%08llx is mapped (pte 0x%llx) "
					"but %s", (unsigned long long)p,
					(unsigned long long)e,
					vmalloc_addr_state(k, (vaddr_t)p) == VA_PURGE
						? "its area was freed"
						: "in no area");
			present++;
		}
	}
	return present;
}

/* No TLB entry for a vmalloc address disagrees with the tables unless the
 * address is lazily freed (its flush is still due). */
static void check_tlbs(struct kmm *k)
{
	const struct kmm_layout *l = &k->layout;

	for (unsigned int c = 0; c < k->cfg.nr_cpus; c++) {
		for (unsigned int i = 0; i < KMM_TLB_ENTRIES; i++) {
			struct tlb_info e;
			struct pt_walk w;
			if (!tlb_entry_get(k, c, i, &e) || e.va < l->vmalloc_start ||
			    e.va >= l->vmalloc_end)
				continue;
			int where = vmalloc_addr_state(k, e.va);
			if (where == VA_PURGE)
				continue;
			bool ok = pgtable_walk(k, swapper_pg_dir(k), NULL, e.va, 0,
					       false, &w);
			if (ok && w.page_pa == e.pa && w.page_size == e.size &&
			    (!e.rw || w.rw) && (e.nx || !w.nx))
				continue;
			kmm_bug(k, "vmalloc", "CPU %u: stale TLB entry 0x%08x -> "
				"0x%llx for a%s vmalloc address (tables: %s 0x%llx): "
				"reused without the lazy purge's TLB flush", c, e.va,
				(unsigned long long)e.pa,
				where == VA_BUSY ? "n allocated" : " free",
				ok ? "->" : "not mapped", (unsigned long long)w.page_pa);
		}
	}
}

void vmalloc_check(struct kmm *k)
{
	struct vmalloc_state *st = VM(k);
	const struct kmm_layout *l = &k->layout;
	struct ulvec objs = {0}, owned = {0};
	unsigned long mapped = 0, vpages = 0, lazy = 0;

	if (!st)
		return;
	struct va_tree *trees[4] = {NULL, &st->busy, &st->purge, &st->free};
	struct vmap_area *cur[4];
	for (int w = VA_BUSY; w <= VA_FREE; w++) {
		check_augment(k, RB_ROOT(trees[w]));
		cur[w] = RB_MIN(va_tree, trees[w]);
		unsigned long n = 0;
		struct vmap_area *va;
		RB_FOREACH(va, va_tree, trees[w])
			n++;
		if (n != st->nr[w])
			kmm_bug(k, "vmalloc", "tree %d holds %lu areas, counted %lu",
				w, n, st->nr[w]);
	}
	/* walk the three trees together: they tile the range exactly */
	vaddr_t at = l->vmalloc_start;
	int last = VA_NONE;
	for (;;) {
		int w = VA_NONE;
		for (int t = VA_BUSY; t <= VA_FREE; t++)
			if (cur[t] && (w == VA_NONE || cur[t]->va_start < cur[w]->va_start))
				w = t;
		if (w == VA_NONE)
			break;
		struct vmap_area *va = cur[w];
		cur[w] = RB_NEXT(va_tree, trees[w], va);
		if (va->where != w || va->va_start != at || va->va_end <= va->va_start ||
		    va->va_end > l->vmalloc_end ||
		    ((va->va_start | va->va_end) & (PAGE_SIZE - 1)))
			kmm_bug(k, "vmalloc", "area 0x%08x-0x%08x (tree %d, says %d) "
				"does not follow 0x%08x in [0x%08x, 0x%08x)",
				va->va_start, va->va_end, w, va->where, at,
				l->vmalloc_start, l->vmalloc_end);
		if (w == last && w != VA_BUSY)
			kmm_bug(k, "vmalloc", "%s areas at 0x%08x are not merged",
				w == VA_FREE ? "free" : "lazily freed", va->va_start);
		at = va->va_end;
		last = w;
		check_objects(k, va, &objs);
		if (w == VA_BUSY)
			check_busy(k, va, &owned, &mapped, &vpages);
		else if (va->vm)
			kmm_bug(k, "vmalloc", "freed area 0x%08x keeps a vm_struct",
				va->va_start);
		if (w == VA_PURGE)
			lazy += va_size(va) >> PAGE_SHIFT;
	}
	if (at != l->vmalloc_end)
		kmm_bug(k, "vmalloc", "the areas end at 0x%08x, the range at 0x%08x",
			at, l->vmalloc_end);
	for (int c = 0; c < KMM_NR_CPUS; c++)
		if (st->preload[c])
			check_objects(k, st->preload[c], &objs);
	uv_unique(k, &objs, "vmap_area object");
	uv_unique(k, &owned, "vmalloc page pfn");
	if (lazy != st->vmap_lazy_nr || lazy > lazy_max_pages(k))
		kmm_bug(k, "vmalloc", "vmap_lazy_nr %lu, lazily freed areas hold %lu "
			"pages (lazy_max_pages %lu)", st->vmap_lazy_nr, lazy,
			lazy_max_pages(k));
	if (vpages != st->nr_vmalloc_pages)
		kmm_bug(k, "vmalloc", "nr_vmalloc_pages %lu, areas hold %lu",
			st->nr_vmalloc_pages, vpages);
	unsigned long present = check_tables(k);
	if (present != mapped)
		kmm_bug(k, "vmalloc", "%lu ptes present in the vmalloc area, the "
			"areas map %lu", present, mapped);
	check_tlbs(k);
	free(objs.v);
	free(owned.v);
}
