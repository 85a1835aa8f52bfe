/* vmalloc.c — vmap areas, vmalloc, vmap and ioremap (Linux 6.6
 * mm/vmalloc.c: alloc_vmap_area with the augmented free tree,
 * merge_or_add_vmap_area, free_vmap_area_noflush and
 * __purge_vmap_area_lazy; __vmalloc_node_range / __vmalloc_area_node;
 * vmap; remap_vmalloc_range_partial; arch/x86/mm/ioremap.c
 * __ioremap_caller and iounmap).
 * The model and its simplifications: see kmm/vmalloc.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "vmalloc_internal.h"
#include "kmm/mm.h"

/* 3.2 bit names of 6.6 GFP_RECLAIM_MASK (__GFP_REPEAT is RETRY_MAYFAIL) */
#define GFP_RECLAIM_MASK                                                  \
	(__GFP_WAIT | __GFP_IO | __GFP_FS | __GFP_NOWARN | __GFP_REPEAT | \
	 __GFP_NOFAIL | __GFP_NORETRY | __GFP_NOMEMALLOC)
#define ISA_START_ADDRESS 0xa0000u
#define ISA_END_ADDRESS 0x100000u

/* ---- the trees ---- */

static int va_cmp(const struct vmap_area *a, const struct vmap_area *b)
{
	return (a->va_start > b->va_start) - (a->va_start < b->va_start);
}

static uint32_t subtree_max(const struct vmap_area *va)
{
	return va ? va->subtree_max_size : 0;
}

/* the augment callback: a node's largest free size from its children */
static void va_augment(struct vmap_area *va)
{
	uint32_t m = va_size(va), l = subtree_max(RB_LEFT(va, rb)),
		 r = subtree_max(RB_RIGHT(va, rb));

	va->subtree_max_size = m > l ? (m > r ? m : r) : (l > r ? l : r);
}

/* libbsd's tree.h calls RB_AUGMENT on the nodes a rotation or unlink
 * moves; the callers below propagate the rest to the root. */
#undef RB_AUGMENT
#define RB_AUGMENT(x) va_augment(x)
RB_GENERATE(va_tree, vmap_area, rb, va_cmp)

static void augment_up(struct vmap_area *va)
{
	for (; va; va = RB_PARENT(va, rb))
		va_augment(va);
}

static struct va_tree *tree_of(struct vmalloc_state *st, int where)
{
	return where == VA_BUSY ? &st->busy : where == VA_PURGE ? &st->purge
								: &st->free;
}

static void va_link(struct kmm *k, struct vmap_area *va, int where)
{
	struct vmalloc_state *st = VM(k);

	va->subtree_max_size = va_size(va);
	if (RB_INSERT(va_tree, tree_of(st, where), va))
		kmm_bug(k, "vmalloc", "vmap area 0x%08x-0x%08x inserted twice",
			va->va_start, va->va_end);
	augment_up(va);
	va->where = (uint8_t)where;
	st->nr[where]++;
}

/* The node's size drops to 0 first, so no ancestor keeps counting it
 * whatever the unlink rotates. */
static void va_unlink(struct kmm *k, struct vmap_area *va)
{
	struct vmalloc_state *st = VM(k);
	vaddr_t end = va->va_end;

	va->va_end = va->va_start;
	augment_up(va);
	RB_REMOVE(va_tree, tree_of(st, va->where), va);
	va->va_end = end;
	st->nr[va->where]--;
	va->where = VA_NONE;
}

struct vmap_area *va_find(struct va_tree *t, vaddr_t addr)
{
	struct vmap_area *n = RB_ROOT(t);

	while (n) {
		if (addr < n->va_start)
			n = RB_LEFT(n, rb);
		else if (addr >= n->va_end)
			n = RB_RIGHT(n, rb);
		else
			return n;
	}
	return NULL;
}

/* ---- vmap_area objects ---- */

static struct vmap_area *va_new(struct kmm *k, gfp_t gfp)
{
	struct vmalloc_state *st = VM(k);

	if (!st->cachep)        /* KMEM_CACHE(vmap_area, SLAB_PANIC) */
		st->cachep = kmem_cache_create(k, "vmap_area", VMAP_AREA_SIZE, 4,
					       SLAB_PANIC, NULL);
	vaddr_t obj = kmem_cache_alloc(k, st->cachep, gfp);
	if (!obj)
		return NULL;
	struct vmap_area *va = calloc(1, sizeof(*va));
	if (!va)
		kmm_bug(k, "vmalloc", "out of host memory for a vmap area");
	va->obj = obj;
	return va;
}

static void va_free(struct kmm *k, struct vmap_area *va)
{
	if (va->obj)
		kmem_cache_free(k, VM(k)->cachep, va->obj);
	free(va);
}

/* merge_or_add_vmap_area: coalesce with the next, then the previous
 * neighbour, freeing the objects merged away, or insert */
static struct vmap_area *merge_or_add(struct kmm *k, struct vmap_area *va,
				      int where)
{
	struct va_tree *t = tree_of(VM(k), where);
	struct vmap_area key = {.va_start = va->va_start};
	struct vmap_area *next = RB_NFIND(va_tree, t, &key);
	struct vmap_area *prev = next ? RB_PREV(va_tree, t, next)
				      : RB_MAX(va_tree, t);
	bool merged = false;

	if ((next && next->va_start < va->va_end) ||
	    (prev && prev->va_end > va->va_start))
		kmm_bug(k, "vmalloc", "vmalloc bug: 0x%08x-0x%08x overlaps an area "
			"of the %s tree", va->va_start, va->va_end,
			where == VA_FREE ? "free" : "purge");
	if (next && next->va_start == va->va_end) {
		next->va_start = va->va_start;
		va_free(k, va);
		va = next;
		merged = true;
	}
	if (prev && prev->va_end == va->va_start) {
		if (merged)
			va_unlink(k, va);
		prev->va_end = va->va_end;
		va_free(k, va);
		va = prev;
		merged = true;
	}
	if (merged)
		augment_up(va);
	else
		va_link(k, va, where);
	return va;
}

/* ---- finding room ---- */

static vaddr_t fit_start(const struct vmap_area *va, uint32_t align,
			 vaddr_t vstart)
{
	uint64_t s = va->va_start > vstart ? va->va_start : vstart;

	return (vaddr_t)((s + align - 1) & ~(uint64_t)(align - 1));
}

static bool is_within_this_va(const struct vmap_area *va, uint32_t size,
			      uint32_t align, vaddr_t vstart)
{
	uint64_t s = fit_start(va, align, vstart);

	if (va->va_end <= vstart || s < vstart)
		return false;
	return s + size <= va->va_end;
}

/* find_vmap_lowest_match: the lowest free area the request fits in.  The
 * kernel's walk prunes with size + align - 1 and can pass over an area
 * that fits only thanks to its alignment; this finds it (exact lowest). */
static struct vmap_area *lowest_match(struct vmap_area *n, uint32_t size,
				      uint32_t align, vaddr_t vstart)
{
	while (n && n->subtree_max_size >= size) {
		if (n->va_start > vstart) {
			struct vmap_area *l = lowest_match(RB_LEFT(n, rb), size,
							   align, vstart);
			if (l)
				return l;
		}
		if (va_size(n) >= size && is_within_this_va(n, size, align, vstart))
			return n;
		n = RB_RIGHT(n, rb);
	}
	return NULL;
}

/* adjust_va_to_fit_type: cut [nva_start, +size) out of a free area */
static int adjust_va_to_fit_type(struct kmm *k, struct vmap_area *va,
				 vaddr_t nva_start, uint32_t size)
{
	vaddr_t nva_end = nva_start + size;

	if (va->va_start == nva_start && va->va_end == nva_end) {       /* FL */
		va_unlink(k, va);
		va_free(k, va);
	} else if (va->va_start == nva_start) {                         /* LE */
		va->va_start = nva_end;
		augment_up(va);
	} else if (va->va_end == nva_end) {                             /* RE */
		va->va_end = nva_start;
		augment_up(va);
	} else {                                                        /* NE */
		struct vmalloc_state *st = VM(k);
		struct vmap_area *lva = st->preload[k->cpu];
		st->preload[k->cpu] = NULL;
		if (!lva)
			lva = va_new(k, GFP_NOWAIT);
		if (!lva)
			return -1;
		lva->va_start = va->va_start;
		lva->va_end = nva_start;
		va->va_start = nva_end;
		augment_up(va);
		va_link(k, lva, VA_FREE);
	}
	return 0;
}

/* __alloc_vmap_area: the start address, or vend when nothing fits */
static vaddr_t __alloc_vmap_area(struct kmm *k, uint32_t size, uint32_t align,
				 vaddr_t vstart, vaddr_t vend)
{
	struct vmap_area *va = lowest_match(RB_ROOT(&VM(k)->free), size, align,
					    vstart);

	if (!va)
		return vend;
	vaddr_t nva = fit_start(va, align, vstart);
	if ((uint64_t)nva + size > vend)
		return vend;
	if (adjust_va_to_fit_type(k, va, nva, size))
		return vend;
	return nva;
}

unsigned long lazy_max_pages(const struct kmm *k)
{
	unsigned int n = k->cfg.nr_cpus, log = 0;

	while (n) {             /* fls(num_online_cpus()) */
		log++;
		n >>= 1;
	}
	return log * (32ul * 1024 * 1024 / PAGE_SIZE);
}

/* __purge_vmap_area_lazy(ULONG_MAX, 0): one TLB flush over the whole
 * purged span, then the areas go back to the free tree */
static bool purge_vmap_area_lazy(struct kmm *k)
{
	struct vmalloc_state *st = VM(k);
	unsigned long n = st->nr[VA_PURGE], i = 0;

	if (!n)
		return false;
	struct vmap_area **v = malloc(n * sizeof(*v));
	struct vmap_area *va;

	if (!v)
		kmm_bug(k, "vmalloc", "out of host memory for a purge");
	RB_FOREACH(va, va_tree, &st->purge)
		v[i++] = va;
	kmm_assert(k, i == n);
	RB_INIT(&st->purge);
	st->nr[VA_PURGE] = 0;
	flush_tlb_kernel_range(k, v[0]->va_start, v[n - 1]->va_end);
	for (i = 0; i < n; i++) {
		unsigned long nr = va_size(v[i]) >> PAGE_SHIFT;
		v[i]->where = VA_NONE;
		merge_or_add(k, v[i], VA_FREE);
		st->vmap_lazy_nr -= nr;
		st->purged_areas++;
	}
	st->purges++;
	free(v);
	return true;
}

void vm_unmap_aliases(struct kmm *k)
{
	purge_vmap_area_lazy(k);
}

/* the unmapped ptes of [start, end) in swapper_pg_dir (no TLB flush) */
static void vunmap_range_noflush(struct kmm *k, vaddr_t start, vaddr_t end)
{
	uint64_t a = start, psz = pmd_size(k);

	while (a < end) {
		uint64_t next = (a + psz) & ~(psz - 1);
		if (next > end)
			next = end;
		ptep_t pmd = pmd_offset(k, swapper_pg_dir(k), (vaddr_t)a);
		pteval_t v = pmd ? pte_get(k, pmd) : 0;
		if (v & _PAGE_PRESENT) {
			if (v & _PAGE_PSE)
				kmm_bug(k, "vmalloc", "large page at 0x%08x in the "
					"vmalloc area", (vaddr_t)a);
			for (uint64_t p = a; p < next; p += PAGE_SIZE)
				pte_clear(k, pte_offset(k, v, (vaddr_t)p));
		}
		a = next;
	}
}

/* free_vmap_area_noflush: into the purge tree; drain past the threshold */
static void free_unmap_vmap_area(struct kmm *k, struct vmap_area *va)
{
	struct vmalloc_state *st = VM(k);

	vunmap_range_noflush(k, va->va_start, va->va_end);
#if KMM_MUTATION == 18  /* MUTATION 18: vfree frees the range at once, without the lazy purge's flush */
	va->vm = NULL;
	merge_or_add(k, va, VA_FREE);
	return;
#endif
	st->vmap_lazy_nr += va_size(va) >> PAGE_SHIFT;
	va->vm = NULL;
	merge_or_add(k, va, VA_PURGE);
	while (st->vmap_lazy_nr > lazy_max_pages(k))    /* drain_vmap_area_work */
		purge_vmap_area_lazy(k);
}

/* alloc_vmap_area: the busy area, or NULL (no object, or no room even
 * after purging the lazily freed areas) */
static struct vmap_area *alloc_vmap_area(struct kmm *k, uint32_t size,
					 uint32_t align, vaddr_t vstart,
					 vaddr_t vend, gfp_t gfp)
{
	struct vmalloc_state *st = VM(k);
	bool purged = false;

	might_sleep(k, "alloc_vmap_area");
	gfp &= GFP_RECLAIM_MASK;
	struct vmap_area *va = va_new(k, gfp);
	if (!va)
		return NULL;
	for (;;) {
		if (!st->preload[k->cpu])       /* preload_this_cpu_lock */
			st->preload[k->cpu] = va_new(k, gfp);
		vaddr_t addr = __alloc_vmap_area(k, size, align, vstart, vend);
		if (addr != vend) {
			va->va_start = addr;
			va->va_end = addr + size;
			va_link(k, va, VA_BUSY);
			return va;
		}
		if (purged)
			break;
		purge_vmap_area_lazy(k);        /* reclaim_and_purge_vmap_areas */
		purged = true;
	}
	st->alloc_failures++;
	va_free(k, va);
	return NULL;
}

/* ---- vm_struct ---- */

static uint32_t get_vm_area_size(const struct vm_struct *vm)
{
	return vm->flags & VM_NO_GUARD ? vm->size : vm->size - PAGE_SIZE;
}

static unsigned int count_order(uint64_t size)     /* get_count_order_long */
{
	unsigned int o = 0;

	while ((1ull << o) < size)
		o++;
	return o;
}

static struct vm_struct *__get_vm_area_node(struct kmm *k, uint64_t size,
					    uint64_t align, unsigned long flags,
					    vaddr_t start, vaddr_t end, gfp_t gfp)
{
	const struct kmm_layout *l = &k->layout;

	if (align < PAGE_SIZE)
		align = PAGE_SIZE;
	if (align & (align - 1) || align > (1ull << 31))
		kmm_bug(k, "vmalloc", "alignment 0x%llx is not a power of two",
			(unsigned long long)align);
	if (start >= end || start < l->vmalloc_start || end > l->vmalloc_end ||
	    ((start | end) & (PAGE_SIZE - 1)))
		kmm_bug(k, "vmalloc", "range 0x%08x-0x%08x is not a page-aligned "
			"part of the vmalloc area 0x%08x-0x%08x", start, end,
			l->vmalloc_start, l->vmalloc_end);
	size = (size + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
	if (!size || size >= (1ull << 32) - PAGE_SIZE)
		return NULL;
	if (flags & VM_IOREMAP) {
		unsigned int o = count_order(size);
		o = o < PAGE_SHIFT ? PAGE_SHIFT : o > IOREMAP_MAX_ORDER ? IOREMAP_MAX_ORDER : o;
		align = 1ull << o;
	}
	vaddr_t obj = kzalloc(k, vm_struct_size(k), gfp & GFP_RECLAIM_MASK);
	if (!obj)
		return NULL;
	if (!(flags & VM_NO_GUARD))
		size += PAGE_SIZE;
	struct vmap_area *va = alloc_vmap_area(k, (uint32_t)size, (uint32_t)align,
					       start, end, gfp);
	if (!va) {
		kfree(k, obj);
		return NULL;
	}
	struct vm_struct *vm = calloc(1, sizeof(*vm));
	if (!vm)
		kmm_bug(k, "vmalloc", "out of host memory for a vm_struct");
	vm->addr = va->va_start;
	vm->size = va_size(va);
	vm->flags = flags;
	vm->obj = obj;
	va->vm = vm;
	return vm;
}

struct vm_struct *get_vm_area(struct kmm *k, unsigned long size,
			      unsigned long flags)
{
	return __get_vm_area_node(k, size, 1, flags, k->layout.vmalloc_start,
				  k->layout.vmalloc_end, GFP_KERNEL);
}

struct vm_struct *find_vm_area(struct kmm *k, vaddr_t addr)
{
	struct vmap_area *va = va_find(&VM(k)->busy, addr);

	return va ? va->vm : NULL;
}

/* the busy area starting at addr, or a report naming the caller */
static struct vmap_area *busy_area_at(struct kmm *k, vaddr_t addr,
				      const char *fn)
{
	struct vmap_area *va;

	if (addr & (PAGE_SIZE - 1))
		kmm_bug(k, "vmalloc", "Trying to %s() bad address (0x%08x)", fn,
			addr);
	va = va_find(&VM(k)->busy, addr);
	if (!va) {
		int w = vmalloc_addr_state(k, addr);
		kmm_bug(k, "vmalloc", "Trying to %s() nonexistent vm area "
			"(0x%08x)%s", fn, addr,
			w == VA_PURGE ? ": it was freed already (double free)" : "");
	}
	if (va->va_start != addr)
		kmm_bug(k, "vmalloc", "Trying to %s() 0x%08x, inside the area "
			"0x%08x-0x%08x", fn, addr, va->va_start, va->va_end);
	return va;
}

/* remove_vm_area: unmap now, free the addresses lazily */
static struct vm_struct *remove_vm_area(struct kmm *k, struct vmap_area *va)
{
	struct vm_struct *vm = va->vm;

	va_unlink(k, va);
	free_unmap_vmap_area(k, va);
	return vm;
}

static void vm_struct_free(struct kmm *k, struct vm_struct *vm)
{
	kfree(k, vm->obj);
	free(vm->pages);
	free(vm->mapped);
	free(vm);
}

void free_vm_area(struct kmm *k, struct vm_struct *area)
{
	struct vmap_area *va = busy_area_at(k, area->addr, "free_vm_area");

	if (va->vm != area)
		kmm_bug(k, "vmalloc", "free_vm_area: 0x%08x is another area",
			area->addr);
	if (area->nr_pages)
		kmm_bug(k, "vmalloc", "free_vm_area(0x%08x) would leak its %u pages: "
			"use vfree()", area->addr, area->nr_pages);
	remove_vm_area(k, va);
	vm_struct_free(k, area);
}

/* ---- mapping ---- */

static int vmap_range(struct kmm *k, vaddr_t addr, unsigned int n,
		      struct page **pages, phys_addr_t phys, pteval_t prot)
{
	for (unsigned int i = 0; i < n; i++) {
		vaddr_t a = addr + i * PAGE_SIZE;
		ptep_t ep = pte_alloc_kernel(k, a);
		if (!ep)
			return -ENOMEM;
		if (!pte_none(pte_get(k, ep)))
			kmm_bug(k, "vmalloc", "vmap: the pte of 0x%08x is already "
				"0x%llx in a newly allocated area", a,
				(unsigned long long)pte_get(k, ep));
		unsigned long pfn = pages ? page_to_pfn(k, pages[i])
					  : (unsigned long)PFN_DOWN(phys) + i;
		set_pte(k, ep, pfn_pte(k, pfn, prot));
	}
	return 0;
}

static unsigned long totalram_pages(const struct kmm *k)
{
	return k->boot.freed_pages;
}

static vaddr_t __vmalloc_node(struct kmm *k, uint64_t size, uint64_t align,
			      gfp_t gfp);

static vaddr_t __vmalloc_area_node(struct kmm *k, struct vm_struct *area,
				   gfp_t gfp, pteval_t prot)
{
	struct vmalloc_state *st = VM(k);
	unsigned int nr = get_vm_area_size(area) >> PAGE_SHIFT;
	uint32_t array_size = nr * 4;   /* sizeof(struct page *) on i386 */
	gfp_t nested_gfp = (gfp & GFP_RECLAIM_MASK) | __GFP_ZERO;

	if (!(gfp & (__GFP_DMA | __GFP_DMA32)))
		gfp |= __GFP_HIGHMEM;
	if (array_size > PAGE_SIZE) {   /* the recursion is bounded */
		area->pages_obj = __vmalloc_node(k, array_size, 1, nested_gfp);
		area->pages_vmalloced = true;
	} else {
		area->pages_obj = kmalloc(k, array_size, nested_gfp);
	}
	if (!area->pages_obj) {
		free_vm_area(k, area);
		return 0;
	}
	area->pages = calloc(nr, sizeof(*area->pages));
	if (!area->pages)
		kmm_bug(k, "vmalloc", "out of host memory for a pages array");
	while (area->nr_pages < nr) {
		struct page *page = alloc_pages(k, gfp | __GFP_NOWARN, 0);
		if (!page)
			break;
		area->pages[area->nr_pages++] = page;
	}
	st->nr_vmalloc_pages += area->nr_pages;
	area->prot = prot;
	if (area->nr_pages != nr ||
	    vmap_range(k, area->addr, nr, area->pages, 0, prot) < 0) {
		vfree(k, area->addr);
		return 0;
	}
	return area->addr;
}

vaddr_t __vmalloc_node_range(struct kmm *k, unsigned long size,
			     unsigned long align, vaddr_t start, vaddr_t end,
			     gfp_t gfp, pteval_t prot, unsigned long vm_flags)
{
	if (!size)
		kmm_bug(k, "vmalloc", "WARNING: vmalloc of 0 bytes");
	if ((size >> PAGE_SHIFT) > totalram_pages(k))
		return 0;       /* "vmalloc error: size %lu, exceeds total pages" */
	struct vm_struct *area = __get_vm_area_node(
		k, size, align, VM_ALLOC | VM_UNINITIALIZED | vm_flags, start,
		end, gfp);
	if (!area)
		return 0;
	vaddr_t addr = __vmalloc_area_node(k, area, gfp, prot);
	if (addr)
		area->flags &= ~VM_UNINITIALIZED;
	return addr;
}

static vaddr_t __vmalloc_node(struct kmm *k, uint64_t size, uint64_t align,
			      gfp_t gfp)
{
	if (size > 0xffffffffu)
		return 0;
#if KMM_MUTATION == 19  /* MUTATION 19: vmalloc areas get no guard page (VM_NO_GUARD) */
	return __vmalloc_node_range(k, (unsigned long)size, (unsigned long)align,
				    k->layout.vmalloc_start, k->layout.vmalloc_end,
				    gfp, pgprot_kernel(k), VM_NO_GUARD);
#endif
	return __vmalloc_node_range(k, (unsigned long)size, (unsigned long)align,
				    k->layout.vmalloc_start, k->layout.vmalloc_end,
				    gfp, pgprot_kernel(k), 0);
}

vaddr_t __vmalloc(struct kmm *k, unsigned long size, gfp_t gfp)
{
	return __vmalloc_node(k, size, 1, gfp);
}

vaddr_t vmalloc(struct kmm *k, unsigned long size)
{
	return __vmalloc_node(k, size, 1, GFP_KERNEL);
}

vaddr_t vzalloc(struct kmm *k, unsigned long size)
{
	return __vmalloc_node(k, size, 1, GFP_KERNEL | __GFP_ZERO);
}

static vaddr_t vmalloc_usermap(struct kmm *k, unsigned long size, gfp_t gfp)
{
	if (size > 0xffffffffu)
		return 0;
	return __vmalloc_node_range(k, size, SHMLBA, k->layout.vmalloc_start,
				    k->layout.vmalloc_end, gfp | __GFP_ZERO,
				    pgprot_kernel(k), VM_USERMAP);
}

vaddr_t vmalloc_user(struct kmm *k, unsigned long size)
{
	return vmalloc_usermap(k, size, GFP_KERNEL);
}

/* GFP_VMALLOC32 on a 32-bit build: GFP_DMA32 | GFP_KERNEL, which is
 * ZONE_NORMAL and keeps __GFP_HIGHMEM off */
vaddr_t vmalloc_32(struct kmm *k, unsigned long size)
{
	return __vmalloc_node(k, size, 1, __GFP_DMA32 | GFP_KERNEL);
}

vaddr_t vmalloc_32_user(struct kmm *k, unsigned long size)
{
	return vmalloc_usermap(k, size, __GFP_DMA32 | GFP_KERNEL);
}

void vfree(struct kmm *k, vaddr_t addr)
{
	struct vmalloc_state *st = VM(k);

	might_sleep(k, "vfree");
	if (!addr)
		return;
	struct vmap_area *va = busy_area_at(k, addr, "vfree");
	if (va->vm->flags & VM_IOREMAP)
		kmm_bug(k, "vmalloc", "vfree(0x%08x) of an ioremap area: use "
			"iounmap()", addr);
	struct vm_struct *vm = remove_vm_area(k, va);
	for (unsigned int i = 0; i < vm->nr_pages; i++)
		__free_pages(k, vm->pages[i], 0);
	st->nr_vmalloc_pages -= vm->nr_pages;
	if (vm->pages_vmalloced)        /* kvfree(vm->pages) */
		vfree(k, vm->pages_obj);
	else if (vm->pages_obj)
		kfree(k, vm->pages_obj);
	vm_struct_free(k, vm);
}

/* ---- kvmalloc ---- */

vaddr_t kvmalloc(struct kmm *k, size_t size, gfp_t gfp)
{
	gfp_t kflags = gfp;

	if (size > PAGE_SIZE) {         /* no OOM, no warning: vmalloc follows */
		kflags |= __GFP_NOWARN;
		if (!(kflags & __GFP_REPEAT))
			kflags |= __GFP_NORETRY;
		kflags &= ~__GFP_NOFAIL;
	}
	vaddr_t p = kmalloc(k, size, kflags);
	if (p || size <= PAGE_SIZE)
		return p;
	if (!(gfp & __GFP_WAIT) || size > 0x7fffffffu)
		return 0;
	return __vmalloc_node_range(k, size, 1, k->layout.vmalloc_start,
				    k->layout.vmalloc_end, gfp, pgprot_kernel(k),
				    0);
}

vaddr_t kvzalloc(struct kmm *k, size_t size, gfp_t gfp)
{
	return kvmalloc(k, size, gfp | __GFP_ZERO);
}

void kvfree(struct kmm *k, vaddr_t addr)
{
	if (is_vmalloc_addr(k, addr))
		vfree(k, addr);
	else
		kfree(k, addr);
}

/* ---- vmap ---- */

vaddr_t vmap(struct kmm *k, struct page **pages, unsigned int count,
	     unsigned long flags, pteval_t prot)
{
	might_sleep(k, "vmap");
	if (flags & (VM_FLUSH_RESET_PERMS | VM_NO_GUARD))
		kmm_bug(k, "vmalloc", "vmap with flags 0x%lx", flags);
	if (count > totalram_pages(k))
		return 0;
	for (unsigned int i = 0; i < count; i++)
		if (!pages[i] || !pfn_valid(k, page_to_pfn(k, pages[i])))
			kmm_bug(k, "vmalloc", "vmap: page %u is not a page", i);
	struct vm_struct *area = __get_vm_area_node(
		k, (uint64_t)count << PAGE_SHIFT, 1, flags, k->layout.vmalloc_start,
		k->layout.vmalloc_end, GFP_KERNEL);
	if (!area)
		return 0;
	area->mapped = malloc(((size_t)count ? count : 1) * sizeof(*area->mapped));
	if (!area->mapped)
		kmm_bug(k, "vmalloc", "out of host memory for a vmap");
	memcpy(area->mapped, pages, (size_t)count * sizeof(*pages));
	area->nr_mapped = count;
	area->prot = prot | _PAGE_NX;   /* pgprot_nx */
	if (vmap_range(k, area->addr, count, pages, 0, area->prot) < 0) {
		free_vm_area(k, area);
		return 0;
	}
	return area->addr;
}

void vunmap(struct kmm *k, vaddr_t addr)
{
	might_sleep(k, "vunmap");
	if (!addr)
		return;
	struct vmap_area *va = busy_area_at(k, addr, "vunmap");
	if (va->vm->flags & (VM_ALLOC | VM_IOREMAP))
		kmm_bug(k, "vmalloc", "vunmap(0x%08x) of a%s area: use %s()", addr,
			va->vm->flags & VM_ALLOC ? " vmalloc" : "n ioremap",
			va->vm->flags & VM_ALLOC ? "vfree" : "iounmap");
	vm_struct_free(k, remove_vm_area(k, va));
}

/* ---- into user space ---- */

int remap_vmalloc_range_partial(struct kmm *k, struct vm_area_struct *vma,
				vaddr_t uaddr, vaddr_t kaddr, unsigned long pgoff,
				unsigned long size)
{
	/* the kernel's unsigned long is 32 bits here */
	if (pgoff > (0xffffffffu >> PAGE_SHIFT))        /* check_shl_overflow */
		return -EINVAL;
	uint32_t off = (uint32_t)pgoff << PAGE_SHIFT;
	if (!size)
		kmm_bug(k, "vmalloc", "remap_vmalloc_range_partial of 0 bytes at "
			"0x%08x", uaddr);
	if (size > 0xffffffffu - (PAGE_SIZE - 1))  /* PAGE_ALIGN wraps to 0 */
		kmm_bug(k, "vmalloc", "remap_vmalloc_range_partial of 0x%lx bytes",
			size);
	uint32_t sz = ((uint32_t)size + PAGE_SIZE - 1) & PAGE_MASK;
	if ((uaddr | kaddr) & (PAGE_SIZE - 1))
		return -EINVAL;
	struct vm_struct *area = find_vm_area(k, kaddr);
	if (!area || !(area->flags & (VM_USERMAP | VM_DMA_COHERENT)))
		return -EINVAL;
	if (sz > 0xffffffffu - off || sz + off > get_vm_area_size(area))
		return -EINVAL;         /* check_add_overflow, end_index */
	kaddr += off;
	for (; sz; sz -= PAGE_SIZE, uaddr += PAGE_SIZE, kaddr += PAGE_SIZE) {
		/* The bound is on pgoff + size, not on kaddr's place in its
		 * area: from inside an area the walk can reach the guard page,
		 * whose NULL page vm_insert_page refuses with -EFAULT past the
		 * VMA and dereferences (a reported oops) inside it. */
		int ret = vm_insert_page(k, vma, uaddr, vmalloc_to_page(k, kaddr));
		if (ret)
			return ret;
	}
	vma->vm_flags |= VM_DONTEXPAND | VM_DONTDUMP;
	return 0;
}

int remap_vmalloc_range(struct kmm *k, struct vm_area_struct *vma,
			vaddr_t addr, unsigned long pgoff)
{
	return remap_vmalloc_range_partial(k, vma, vma->vm_start, addr, pgoff,
					   vma->vm_end - vma->vm_start);
}

/* ---- lookups ---- */

bool is_vmalloc_addr(const struct kmm *k, vaddr_t addr)
{
	return addr >= k->layout.vmalloc_start && addr < k->layout.vmalloc_end;
}

static pteval_t vmalloc_pte(struct kmm *k, vaddr_t addr, const char *fn)
{
	bool large;

	if (!is_vmalloc_addr(k, addr))
		kmm_bug(k, "vmalloc", "%s(0x%08x): not a vmalloc address", fn, addr);
	ptep_t ep = lookup_address(k, addr, &large);
	if (!ep)
		return 0;
	pteval_t v = pte_get(k, ep);
	if (large)
		return v + ((pteval_t)((addr & (pmd_size(k) - 1)) >> PAGE_SHIFT)
			    << PAGE_SHIFT);
	return pte_present(v) ? v : 0;
}

unsigned long vmalloc_to_pfn(struct kmm *k, vaddr_t addr)
{
	pteval_t v = vmalloc_pte(k, addr, "vmalloc_to_pfn");

	return v ? pte_pfn(k, v) : 0;
}

struct page *vmalloc_to_page(struct kmm *k, vaddr_t addr)
{
	pteval_t v = vmalloc_pte(k, addr, "vmalloc_to_page");

	if (!v || !pfn_valid(k, pte_pfn(k, v)))
		return NULL;
	return pfn_to_page(k, pte_pfn(k, v));
}

/* ---- ioremap ---- */

static bool phys_addr_valid(const struct kmm *k, uint64_t addr)
{
	return addr < (k->layout.pae ? 1ull << KMM_MAXPHYADDR : 1ull << 32);
}

vaddr_t ioremap(struct kmm *k, phys_addr_t phys_addr, unsigned long size)
{
	uint64_t last_addr = phys_addr + size - 1;

	if (!size || last_addr < phys_addr || !phys_addr_valid(k, last_addr))
		return 0;
	/* the low PCI/ISA area is always mapped */
	if (phys_addr >= ISA_START_ADDRESS && last_addr < ISA_END_ADDRESS)
		return __va(k, phys_addr);
	/* __ioremap_check_ram: RAM in use by the kernel is refused */
	for (uint64_t pfn = PFN_DOWN(phys_addr); pfn <= PFN_DOWN(last_addr); pfn++)
		if (pfn_valid(k, (unsigned long)pfn) &&
		    !PageReserved(pfn_to_page(k, (unsigned long)pfn)))
			return 0;       /* "ioremap on RAM at ..." */
	uint32_t offset = phys_addr & (PAGE_SIZE - 1);
	phys_addr &= ~(phys_addr_t)(PAGE_SIZE - 1);
	uint64_t len = ((last_addr + PAGE_SIZE) & ~(uint64_t)(PAGE_SIZE - 1)) - phys_addr;
	struct vm_struct *area = __get_vm_area_node(
		k, len, 1, VM_IOREMAP, k->layout.vmalloc_start,
		k->layout.vmalloc_end, GFP_KERNEL);
	if (!area)
		return 0;
	area->phys_addr = phys_addr;
	area->prot = pgprot_kernel(k) | _PAGE_PCD;      /* UC- */
	if (vmap_range(k, area->addr, get_vm_area_size(area) >> PAGE_SHIFT, NULL,
		       phys_addr, area->prot) < 0) {
		free_vm_area(k, area);
		return 0;
	}
	return area->addr + offset;
}

void iounmap(struct kmm *k, vaddr_t addr)
{
	if (addr <= k->layout.high_memory)
		return;         /* the ISA hole (direct map), or not an address */
	might_sleep(k, "iounmap");
	addr &= PAGE_MASK;
	struct vmap_area *va = va_find(&VM(k)->busy, addr);
	if (!va || va->va_start != addr)
		kmm_bug(k, "vmalloc", "iounmap: bad address 0x%08x", addr);
	if (!(va->vm->flags & VM_IOREMAP))
		kmm_bug(k, "vmalloc", "iounmap(0x%08x) of a non-ioremap area "
			"(flags 0x%lx)", addr, va->vm->flags);
	vm_struct_free(k, remove_vm_area(k, va));
}

/* ---- state ---- */

int vmalloc_addr_state(struct kmm *k, vaddr_t addr)
{
	struct vmalloc_state *st = VM(k);

	if (!is_vmalloc_addr(k, addr))
		return VA_NONE;
	if (va_find(&st->busy, addr))
		return VA_BUSY;
	if (va_find(&st->purge, addr))
		return VA_PURGE;
	return va_find(&st->free, addr) ? VA_FREE : VA_NONE;
}

unsigned long vmalloc_free_areas(struct kmm *k, vaddr_t (*out)[2],
				 unsigned long max)
{
	unsigned long n = 0;
	struct vmap_area *va;

	RB_FOREACH(va, va_tree, &VM(k)->free) {
		if (n < max) {
			out[n][0] = va->va_start;
			out[n][1] = va->va_end;
		}
		n++;
	}
	return n;
}

void vmalloc_info(struct kmm *k, struct vmalloc_info *out)
{
	struct vmalloc_state *st = VM(k);
	struct vmap_area *root = RB_ROOT(&st->free);

	memset(out, 0, sizeof(*out));
	out->vmap_lazy_nr = st->vmap_lazy_nr;
	out->nr_vmalloc_pages = st->nr_vmalloc_pages;
	out->nr_busy = st->nr[VA_BUSY];
	out->nr_lazy = st->nr[VA_PURGE];
	out->nr_free = st->nr[VA_FREE];
	out->purges = st->purges;
	out->purged_areas = st->purged_areas;
	out->alloc_failures = st->alloc_failures;
	out->largest_free = root ? root->subtree_max_size : 0;
}

/* ---- lifetime ---- */

static void boot_free_area(struct kmm *k)
{
	struct vmap_area *va = calloc(1, sizeof(*va));

	if (!va)
		kmm_bug(k, "vmalloc", "out of host memory for the vmalloc state");
	va->va_start = k->layout.vmalloc_start;
	va->va_end = k->layout.vmalloc_end;
	va_link(k, va, VA_FREE);
}

void vmalloc_init(struct kmm *k)
{
	k->vmalloc = calloc(1, sizeof(*k->vmalloc));
	if (!k->vmalloc)
		kmm_bug(k, "vmalloc", "out of host memory for the vmalloc state");
	RB_INIT(&k->vmalloc->busy);
	RB_INIT(&k->vmalloc->purge);
	RB_INIT(&k->vmalloc->free);
	boot_free_area(k);
}

static void free_tree(struct va_tree *t)
{
	struct vmap_area *va, *next;

	for (va = RB_MIN(va_tree, t); va; va = next) {
		next = RB_NEXT(va_tree, t, va);
		RB_REMOVE(va_tree, t, va);
		if (va->vm) {
			free(va->vm->pages);
			free(va->vm->mapped);
			free(va->vm);
		}
		free(va);
	}
}

static void free_all(struct vmalloc_state *st)
{
	free_tree(&st->busy);
	free_tree(&st->purge);
	free_tree(&st->free);
	for (int c = 0; c < KMM_NR_CPUS; c++) {
		free(st->preload[c]);
		st->preload[c] = NULL;
	}
}

/* Host records only: the slab (with the cache made after boot) and the
 * frames are restored by their own resets.  Cost: the areas the run made. */
void vmalloc_reset(struct kmm *k)
{
	struct vmalloc_state *st = VM(k);

	if (!st)
		return;
	bool boot_state = st->nr[VA_BUSY] == 0 && st->nr[VA_PURGE] == 0 &&
			  st->nr[VA_FREE] == 1 && !st->cachep &&
			  RB_ROOT(&st->free)->va_start == k->layout.vmalloc_start &&
			  RB_ROOT(&st->free)->va_end == k->layout.vmalloc_end;
	if (!boot_state) {
		free_all(st);
		memset(st, 0, sizeof(*st));
		RB_INIT(&st->busy);
		RB_INIT(&st->purge);
		RB_INIT(&st->free);
		boot_free_area(k);
	}
	st->purges = st->purged_areas = st->alloc_failures = 0;
}

void vmalloc_destroy(struct kmm *k)
{
	if (!k->vmalloc)
		return;
	free_all(k->vmalloc);
	free(k->vmalloc);
	k->vmalloc = NULL;
}
