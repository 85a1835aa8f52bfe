/* mmap.c — VMAs and the address-space system calls, after Linux 3.2
 * mm/mmap.c (find_vma*, vma_merge, vma_adjust, split_vma, mmap_region,
 * do_munmap, do_brk, expand_downwards, the top-down get_unmapped_area with
 * free_area_cache), mm/mprotect.c (mprotect, mprotect_fixup), mm/mremap.c
 * (vma_to_resize, move_vma, mremap_to) and mm/rmap.c (anon_vma_prepare,
 * anon_vma_clone, anon_vma_fork, unlink_anon_vmas).
 *
 * VMAs sit in a red-black tree keyed by vm_start (libbsd <sys/tree.h>);
 * vm_next/vm_prev are the tree's successor/predecessor.  Simplifications:
 * see mm.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "mmu_internal.h"

static int vma_cmp(struct vm_area_struct *a, struct vm_area_struct *b)
{
	return (a->vm_start > b->vm_start) - (a->vm_start < b->vm_start);
}

RB_GENERATE(vma_tree, vm_area_struct, vm_rb, vma_cmp)

/* ---- host objects ---- */

struct vm_area_struct *vma_alloc(struct kmm *k)
{
	struct vm_area_struct *v = calloc(1, sizeof(*v));

	if (!v)
		kmm_bug(k, "mmap", "out of host memory for a VMA");
	INIT_LIST_HEAD(&v->shared);
	return v;
}

void vma_free(struct kmm *k, struct vm_area_struct *vma)
{
	(void)k;
	free(vma->chain);
	free(vma);
}

/* A copy of a VMA for split_vma/copy_vma/dup_mmap: no links, no chain. */
static struct vm_area_struct *vma_dup(struct kmm *k,
				      const struct vm_area_struct *src)
{
	struct vm_area_struct *v = vma_alloc(k);

	*v = *src;
	memset(&v->vm_rb, 0, sizeof(v->vm_rb));
	INIT_LIST_HEAD(&v->shared);
	v->chain = NULL;
	v->chain_len = v->chain_cap = 0;
	return v;
}

/* remove_vma: the VMA is already off the tree, its anon_vmas and file
 * mapping unlinked (free_pgtables); drop the file and free it */
void remove_vma(struct kmm *k, struct vm_area_struct *vma)
{
	if (vma->vm_file)
		kmm_file_put(k, vma->vm_file);
	vma_free(k, vma);
}

/* ---- the tree ---- */

struct vm_area_struct *find_vma(struct mm_struct *mm, vaddr_t addr)
{
	struct vm_area_struct *vma = NULL, *n = RB_ROOT(&mm->mm_rb);

	while (n) {
		if (n->vm_end > addr) {
			vma = n;
			if (n->vm_start <= addr)
				break;
			n = RB_LEFT(n, vm_rb);
		} else {
			n = RB_RIGHT(n, vm_rb);
		}
	}
	return vma;
}

struct vm_area_struct *vma_first(struct mm_struct *mm)
{
	return RB_MIN(vma_tree, &mm->mm_rb);
}

struct vm_area_struct *vma_next(struct mm_struct *mm, struct vm_area_struct *v)
{
	(void)mm;
	return RB_NEXT(vma_tree, &mm->mm_rb, v);
}

struct vm_area_struct *vma_prev(struct mm_struct *mm, struct vm_area_struct *v)
{
	(void)mm;
	return RB_PREV(vma_tree, &mm->mm_rb, v);
}

struct vm_area_struct *find_vma_prev(struct mm_struct *mm, vaddr_t addr,
				     struct vm_area_struct **pprev)
{
	struct vm_area_struct *vma = find_vma(mm, addr);

	*pprev = vma ? vma_prev(mm, vma) : RB_MAX(vma_tree, &mm->mm_rb);
	return vma;
}

struct vm_area_struct *find_vma_intersection(struct mm_struct *mm,
					     vaddr_t start, vaddr_t end)
{
	struct vm_area_struct *vma = find_vma(mm, start);

	if (vma && end <= vma->vm_start)
		vma = NULL;
	return vma;
}

void vma_link_tree(struct kmm *k, struct mm_struct *mm,
		   struct vm_area_struct *vma)
{
	vma->vm_mm = mm;
	if (RB_INSERT(vma_tree, &mm->mm_rb, vma))
		kmm_bug(k, "mmap", "mm %u: two VMAs start at 0x%08x", mm->id,
			vma->vm_start);
	mm->map_count++;
}

static void vma_unlink_tree(struct mm_struct *mm, struct vm_area_struct *vma)
{
	RB_REMOVE(vma_tree, &mm->mm_rb, vma);
	mm->map_count--;
}

/* vma_link: the tree and the file's i_mmap */
static void vma_link(struct kmm *k, struct mm_struct *mm,
		     struct vm_area_struct *vma)
{
	vma_link_tree(k, mm, vma);
	if (vma->vm_file)
		file_link_vma(vma->vm_file, vma);
}

pteval_t vm_get_page_prot(const struct kmm *k, unsigned long vm_flags)
{
	return MMU(k)->protection_map[vm_flags &
				      (VM_READ | VM_WRITE | VM_EXEC | VM_SHARED)];
}

/* ---- anon_vma ---- */

static struct anon_vma *anon_vma_alloc(struct kmm *k)
{
	struct anon_vma *av = calloc(1, sizeof(*av));

	if (!av)
		kmm_bug(k, "mmap", "out of host memory for an anon_vma");
	av->id = ++MMU(k)->next_av_id;
	mlist_add_tail(&av->list, &MMU(k)->anon_vmas);
	return av;
}

static void chain_add(struct kmm *k, struct vm_area_struct *vma,
		      struct anon_vma *av)
{
	if (vma->chain_len == vma->chain_cap) {
		unsigned int cap = vma->chain_cap ? 2 * vma->chain_cap : 2;
		struct anon_vma **c = realloc(vma->chain, cap * sizeof(*c));
		if (!c)
			kmm_bug(k, "mmap", "out of host memory for an anon_vma chain");
		vma->chain = c;
		vma->chain_cap = cap;
	}
	vma->chain[vma->chain_len++] = av;
	av->nr_chained++;
}

int anon_vma_clone(struct kmm *k, struct vm_area_struct *dst,
		   const struct vm_area_struct *src)
{
	for (unsigned int i = 0; i < src->chain_len; i++)
		chain_add(k, dst, src->chain[i]);
	return 0;
}

void unlink_anon_vmas(struct kmm *k, struct vm_area_struct *vma)
{
	(void)k;
	for (unsigned int i = 0; i < vma->chain_len; i++) {
		struct anon_vma *av = vma->chain[i];
		if (--av->nr_chained == 0) {
			mlist_del(&av->list);
			free(av);
		}
	}
	vma->chain_len = 0;
}

/* 3.2: VMAs whose anon_vma chain went through fork do not share */
static bool anon_vma_compatible(const struct vm_area_struct *a,
				const struct vm_area_struct *b)
{
	return a->vm_end == b->vm_start && a->vm_file == b->vm_file &&
	       !((a->vm_flags ^ b->vm_flags) & ~(VM_READ | VM_WRITE | VM_EXEC)) &&
	       b->vm_pgoff == a->vm_pgoff + ((b->vm_start - a->vm_start) >> PAGE_SHIFT);
}

static struct anon_vma *reusable_anon_vma(const struct vm_area_struct *old,
					  const struct vm_area_struct *a,
					  const struct vm_area_struct *b)
{
	if (anon_vma_compatible(a, b) && old->anon_vma && old->chain_len == 1)
		return old->anon_vma;
	return NULL;
}

static struct anon_vma *find_mergeable_anon_vma(struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;
	struct vm_area_struct *near = vma_next(mm, vma);
	struct anon_vma *av;

	if (near && (av = reusable_anon_vma(near, vma, near)))
		return av;
	near = vma_prev(mm, vma);
	if (near && (av = reusable_anon_vma(near, near, vma)))
		return av;
	return NULL;
}

int anon_vma_prepare(struct kmm *k, struct vm_area_struct *vma)
{
	if (vma->anon_vma)
		return 0;
	struct anon_vma *av = find_mergeable_anon_vma(vma);
	if (!av)
		av = anon_vma_alloc(k);
	vma->anon_vma = av;
	chain_add(k, vma, av);
	return 0;
}

int anon_vma_fork(struct kmm *k, struct vm_area_struct *vma,
		  const struct vm_area_struct *pvma)
{
	if (!pvma->anon_vma)
		return 0;
	anon_vma_clone(k, vma, pvma);
	struct anon_vma *av = anon_vma_alloc(k);
	vma->anon_vma = av;
	chain_add(k, vma, av);
	return 0;
}

/* ---- accounting (3.2 __vm_enough_memory, OVERCOMMIT_GUESS, no root) ---- */

static unsigned long totalreserve_pages(struct kmm *k)
{
	unsigned long total = 0;

	for (int i = 0; i < MAX_NR_ZONES; i++) {
		const struct zone *z = kmm_zone(k, (enum zone_type)i);
		unsigned long max = 0;
		for (int j = i; j < MAX_NR_ZONES; j++)
			if (z->lowmem_reserve[j] > max)
				max = z->lowmem_reserve[j];
		max += z->watermark[WMARK_HIGH];
		if (max > z->present_pages)
			max = z->present_pages;
		total += max;
	}
	return total;
}

int security_vm_enough_memory(struct kmm *k, long pages)
{
	long free = 0;

	for (int i = 0; i < MAX_NR_ZONES; i++)
		free += kmm_zone(k, (enum zone_type)i)->nr_free_pages;
	free += (long)MMU(k)->nr_file_pages - (long)MMU(k)->nr_shmem_pages;
	long reserve = (long)totalreserve_pages(k);
	if (free <= reserve)
		return -ENOMEM;
	free -= reserve;
	free -= free / 32;      /* the last 3% is for root */
	return free > pages ? 0 : -ENOMEM;
}

static bool may_expand_vm(struct mm_struct *mm, unsigned long npages)
{
	return mm->rlim_as == ~0ul ||
	       mm->total_vm + npages <= (mm->rlim_as >> PAGE_SHIFT);
}

static void vm_stat_account(struct mm_struct *mm, unsigned long flags,
			    struct kmm_file *file, long pages)
{
	if (!file && (flags & (VM_GROWSUP | VM_GROWSDOWN)))
		mm->stack_vm += pages;
}

/* cap_file_mmap: an unprivileged task may not map below mmap_min_addr */
static int security_mmap_addr(vaddr_t addr)
{
	return addr < DEFAULT_MMAP_MIN_ADDR ? -EPERM : 0;
}

/* ---- merge, adjust, split ---- */

static bool is_mergeable_vma(const struct vm_area_struct *vma,
			     const struct kmm_file *file, unsigned long vm_flags)
{
	return !((vma->vm_flags ^ vm_flags) & ~VM_CAN_NONLINEAR) &&
	       vma->vm_file == file;    /* no vm_ops->close in this model */
}

static bool is_mergeable_anon_vma(const struct anon_vma *a1,
				  const struct anon_vma *a2,
				  const struct vm_area_struct *vma)
{
	if ((!a1 || !a2) && (!vma || vma->chain_len == 1))
		return true;
	return a1 == a2;
}

static bool can_vma_merge_before(const struct vm_area_struct *vma,
				 unsigned long vm_flags, const struct anon_vma *av,
				 const struct kmm_file *file, unsigned long pgoff)
{
	return is_mergeable_vma(vma, file, vm_flags) &&
	       is_mergeable_anon_vma(av, vma->anon_vma, vma) &&
	       vma->vm_pgoff == pgoff;
}

static bool can_vma_merge_after(const struct vm_area_struct *vma,
				unsigned long vm_flags, const struct anon_vma *av,
				const struct kmm_file *file, unsigned long pgoff)
{
	return is_mergeable_vma(vma, file, vm_flags) &&
	       is_mergeable_anon_vma(av, vma->anon_vma, vma) &&
	       vma->vm_pgoff + ((vma->vm_end - vma->vm_start) >> PAGE_SHIFT) == pgoff;
}

/* vma_adjust: the boundary moves of merge and split; insert is the new
 * half of a split */
static void vma_adjust(struct kmm *k, struct vm_area_struct *vma, vaddr_t start,
		       vaddr_t end, unsigned long pgoff,
		       struct vm_area_struct *insert)
{
	struct mm_struct *mm = vma->vm_mm;
	struct vm_area_struct *next = vma_next(mm, vma);
	long adjust_next = 0;
	int remove_next = 0;
	bool again = false;

again:
	if (next && !insert) {
		struct vm_area_struct *exporter = NULL, *importer = NULL;
		if (again || end >= next->vm_end) {
			/* vma expands over all of next (mprotect case 6: and
			 * perhaps the one after too) */
			remove_next = 1 + (end > next->vm_end);
			end = next->vm_end;
			exporter = next;
			importer = vma;
		} else if (end > next->vm_start) {
			adjust_next = (long)((end - next->vm_start) >> PAGE_SHIFT);
			exporter = next;
			importer = vma;
		} else if (end < vma->vm_end) {
			adjust_next = -(long)((vma->vm_end - end) >> PAGE_SHIFT);
			exporter = vma;
			importer = next;
		}
		/* the expanding VMA takes the anon_vma of the shrinking one */
		if (exporter && exporter->anon_vma && !importer->anon_vma) {
			anon_vma_clone(k, importer, exporter);
			importer->anon_vma = exporter->anon_vma;
		}
	}
	vma->vm_start = start;
	vma->vm_end = end;
	vma->vm_pgoff = pgoff;
	if (adjust_next) {
		next->vm_start += (vaddr_t)(adjust_next * (long)PAGE_SIZE);
		next->vm_pgoff += (unsigned long)adjust_next;
	}
	if (remove_next) {
		vma_unlink_tree(mm, next);
		if (next->vm_file) {
			file_unlink_vma(next->vm_file, next);
			kmm_file_put(k, next->vm_file);
		}
		unlink_anon_vmas(k, next);      /* anon_vma_merge */
		vma_free(k, next);
		if (remove_next == 2) {   /* mprotect case 6: the one after too */
			next = vma_next(mm, vma);
			remove_next = 0;
			again = true;
			goto again;
		}
	} else if (insert) {
		vma_link(k, mm, insert);
	}
}

/* vma_merge: mmap, brk, mremap and mprotect cases 1-8 of 3.2 */
static struct vm_area_struct *vma_merge(struct kmm *k, struct mm_struct *mm,
					struct vm_area_struct *prev, vaddr_t addr,
					vaddr_t end, unsigned long vm_flags,
					struct anon_vma *av, struct kmm_file *file,
					unsigned long pgoff)
{
	unsigned long pglen = (end - addr) >> PAGE_SHIFT;
	struct vm_area_struct *area, *next;

	if (vm_flags & VM_SPECIAL)
		return NULL;
	next = prev ? vma_next(mm, prev) : vma_first(mm);
	area = next;
	if (next && next->vm_end == end)        /* cases 6, 7, 8 */
		next = vma_next(mm, next);
	if (prev && prev->vm_end == addr &&
	    can_vma_merge_after(prev, vm_flags, av, file, pgoff)) {
		if (next && end == next->vm_start &&
		    can_vma_merge_before(next, vm_flags, av, file, pgoff + pglen) &&
		    is_mergeable_anon_vma(prev->anon_vma, next->anon_vma, NULL))
			vma_adjust(k, prev, prev->vm_start, next->vm_end,
				   prev->vm_pgoff, NULL);       /* cases 1, 6 */
		else
			vma_adjust(k, prev, prev->vm_start, end, prev->vm_pgoff,
				   NULL);                       /* cases 2, 5, 7 */
		return prev;
	}
	if (next && end == next->vm_start &&
	    can_vma_merge_before(next, vm_flags, av, file, pgoff + pglen)) {
		if (prev && addr < prev->vm_end)        /* case 4 */
			vma_adjust(k, prev, prev->vm_start, addr, prev->vm_pgoff,
				   NULL);
		else                                    /* cases 3, 8 */
			vma_adjust(k, area, addr, next->vm_end,
				   next->vm_pgoff - pglen, NULL);
		return area;
	}
	return NULL;
}

static int __split_vma(struct kmm *k, struct mm_struct *mm,
		       struct vm_area_struct *vma, vaddr_t addr, int new_below)
{
	(void)mm;
	struct vm_area_struct *n = vma_dup(k, vma);

	if (new_below) {
		n->vm_end = addr;
	} else {
		n->vm_start = addr;
		n->vm_pgoff += (addr - vma->vm_start) >> PAGE_SHIFT;
	}
	anon_vma_clone(k, n, vma);
	if (n->vm_file)
		kmm_file_get(k, n->vm_file);
	if (new_below)
		vma_adjust(k, vma, addr, vma->vm_end,
			   vma->vm_pgoff + ((addr - n->vm_start) >> PAGE_SHIFT), n);
	else
		vma_adjust(k, vma, vma->vm_start, addr, vma->vm_pgoff, n);
	return 0;
}

static int split_vma(struct kmm *k, struct mm_struct *mm,
		     struct vm_area_struct *vma, vaddr_t addr, int new_below)
{
	if (mm->map_count >= DEFAULT_MAX_MAP_COUNT)
		return -ENOMEM;
	return __split_vma(k, mm, vma, addr, new_below);
}

/* ---- get_unmapped_area (3.2 generic, top-down for i386) ---- */

static long arch_get_unmapped_area(struct mm_struct *mm, vaddr_t addr,
				   uint32_t len, unsigned long flags)
{
	struct vm_area_struct *vma;
	vaddr_t start_addr;

	if (len > TASK_SIZE)
		return -ENOMEM;
	if (flags & MAP_FIXED)
		return addr;
	if (addr) {
		addr = (addr + PAGE_SIZE - 1) & PAGE_MASK;
		vma = find_vma(mm, addr);
		if (TASK_SIZE - len >= addr && (!vma || addr + len <= vma->vm_start))
			return addr;
	}
	if (len > mm->cached_hole_size) {
		start_addr = addr = mm->free_area_cache;
	} else {
		start_addr = addr = TASK_UNMAPPED_BASE;
		mm->cached_hole_size = 0;
	}
full_search:
	for (vma = find_vma(mm, addr);; vma = vma_next(mm, vma)) {
		if (TASK_SIZE - len < addr) {
			if (start_addr != TASK_UNMAPPED_BASE) {
				addr = start_addr = TASK_UNMAPPED_BASE;
				mm->cached_hole_size = 0;
				goto full_search;
			}
			return -ENOMEM;
		}
		if (!vma || addr + len <= vma->vm_start) {
			mm->free_area_cache = addr + len;
			return addr;
		}
		if (addr + mm->cached_hole_size < vma->vm_start)
			mm->cached_hole_size = vma->vm_start - addr;
		addr = vma->vm_end;
	}
}

static long arch_get_unmapped_area_topdown(struct mm_struct *mm, vaddr_t addr0,
					   uint32_t len, unsigned long flags)
{
	struct vm_area_struct *vma;
	vaddr_t addr = addr0;

	if (len > TASK_SIZE)
		return -ENOMEM;
	if (flags & MAP_FIXED)
		return addr;
	if (addr) {
		addr = (addr + PAGE_SIZE - 1) & PAGE_MASK;
		vma = find_vma(mm, addr);
		if (TASK_SIZE - len >= addr && (!vma || addr + len <= vma->vm_start))
			return addr;
	}
	if (len <= mm->cached_hole_size) {
		mm->cached_hole_size = 0;
		mm->free_area_cache = mm->mmap_base;
	}
	addr = mm->free_area_cache;
	if (addr > len) {
		vma = find_vma(mm, addr - len);
		if (!vma || addr <= vma->vm_start)
			return mm->free_area_cache = addr - len;
	}
	if (mm->mmap_base < len)
		goto bottomup;
	addr = mm->mmap_base - len;
	do {
		vma = find_vma(mm, addr);
		if (!vma || addr + len <= vma->vm_start)
			return mm->free_area_cache = addr;
		if (addr + mm->cached_hole_size < vma->vm_start)
			mm->cached_hole_size = vma->vm_start - addr;
		addr = vma->vm_start - len;
	} while (len < vma->vm_start);
bottomup:
	mm->cached_hole_size = ~0ul;
	mm->free_area_cache = TASK_UNMAPPED_BASE;
	long ret = arch_get_unmapped_area(mm, addr0, len, flags);
	mm->free_area_cache = mm->mmap_base;
	mm->cached_hole_size = ~0ul;
	return ret;
}

/* arch_unmap_area_topdown */
static void unmap_area_topdown(struct mm_struct *mm, vaddr_t addr)
{
	if (addr > mm->free_area_cache)
		mm->free_area_cache = addr;
	if (mm->free_area_cache > mm->mmap_base)
		mm->free_area_cache = mm->mmap_base;
}

long get_unmapped_area(struct kmm *k, struct mm_struct *mm,
		       struct kmm_file *file, vaddr_t addr, uint32_t len,
		       unsigned long pgoff, unsigned long flags)
{
	(void)k;
	(void)file;
	(void)pgoff;
	if (len > TASK_SIZE)
		return -ENOMEM;
	long r = arch_get_unmapped_area_topdown(mm, addr, len, flags);
	if (r < 0)
		return r;
	if ((vaddr_t)r > TASK_SIZE - len)
		return -ENOMEM;
	if (r & ~PAGE_MASK)
		return -EINVAL;
	return r;
}

/* ---- munmap ---- */

/* unmap_region: zap the detached VMAs, free their page tables between
 * the neighbours, flush, free the pages */
static void unmap_region(struct kmm *k, struct mm_struct *mm,
			 struct vm_area_struct **vmas, size_t n,
			 struct vm_area_struct *prev, struct vm_area_struct *next,
			 vaddr_t start, vaddr_t end)
{
	struct mmu_gather tlb;

	tlb_gather_mmu(&tlb, mm, false);
	unmap_vmas(k, &tlb, vmas, n, start, end);
	free_pgtables(k, &tlb, vmas, n, prev ? prev->vm_end : 0,
		      next ? next->vm_start : 0);
	tlb_finish_mmu(k, &tlb);
}

int do_munmap(struct kmm *k, struct mm_struct *mm, vaddr_t start, uint32_t len)
{
	struct vm_area_struct *vma, *prev, *last;
	int err;

	if ((start & ~PAGE_MASK) || start > TASK_SIZE || len > TASK_SIZE - start)
		return -EINVAL;
	len = (len + PAGE_SIZE - 1) & PAGE_MASK;
	if (!len)
		return -EINVAL;
	vma = find_vma(mm, start);
	if (!vma)
		return 0;
	prev = vma_prev(mm, vma);
	vaddr_t end = start + len;
	if (vma->vm_start >= end)
		return 0;
	if (start > vma->vm_start) {
		if (end < vma->vm_end && mm->map_count >= DEFAULT_MAX_MAP_COUNT)
			return -ENOMEM;
		err = __split_vma(k, mm, vma, start, 0);
		if (err)
			return err;
		prev = vma;
	}
	last = find_vma(mm, end);
	if (last && end > last->vm_start) {
		err = __split_vma(k, mm, last, end, 1);
		if (err)
			return err;
	}
	vma = prev ? vma_next(mm, prev) : vma_first(mm);

	/* detach_vmas_to_be_unmapped */
	size_t n = 0, cap = 4;
	struct vm_area_struct **vmas = malloc(cap * sizeof(*vmas));
	if (!vmas)
		kmm_bug(k, "mmap", "out of host memory");
	while (vma && vma->vm_start < end) {
		struct vm_area_struct *nx = vma_next(mm, vma);
		if (n == cap && !(vmas = realloc(vmas, (cap *= 2) * sizeof(*vmas))))
			kmm_bug(k, "mmap", "out of host memory");
		vma_unlink_tree(mm, vma);
		vmas[n++] = vma;
		vma = nx;
	}
	unmap_area_topdown(mm, vma ? vma->vm_start : mm->mmap_base);
	unmap_region(k, mm, vmas, n, prev, vma, start, end);
	/* remove_vma_list */
	for (size_t i = 0; i < n; i++) {
		long pages = (long)((vmas[i]->vm_end - vmas[i]->vm_start) >> PAGE_SHIFT);
		mm->total_vm -= (unsigned long)pages;
		vm_stat_account(mm, vmas[i]->vm_flags, vmas[i]->vm_file, -pages);
		vmas[i]->vm_mm = NULL;
		remove_vma(k, vmas[i]);
	}
	free(vmas);
	return 0;
}

/* ---- mmap ---- */

static bool accountable_mapping(unsigned long vm_flags)
{
	return (vm_flags & (VM_NORESERVE | VM_SHARED | VM_WRITE)) == VM_WRITE;
}

/* make_pages_present: get_user_pages over the range */
static void make_pages_present(struct kmm *k, struct mm_struct *mm,
			       vaddr_t start, vaddr_t end)
{
	for (vaddr_t a = start; a < end; a += PAGE_SIZE) {
		struct vm_area_struct *vma = find_vma(mm, a);
		if (!vma || vma->vm_start > a)
			return;
		if (vma->vm_flags & (VM_IO | VM_PFNMAP))
			continue;
		bool write = vma->vm_flags & VM_WRITE;
		pteval_t pte = mm_pteval(k, mm, a);
		if ((pte & _PAGE_PRESENT) && (!write || pte_write(pte)))
			continue;
		if (handle_mm_fault(k, mm, vma, a, write ? FAULT_FLAG_WRITE : 0) &
		    VM_FAULT_ERROR)
			return;
	}
}

static long mmap_region(struct kmm *k, struct mm_struct *mm,
			struct kmm_file *file, vaddr_t addr, uint32_t len,
			unsigned long flags, unsigned long vm_flags,
			unsigned long pgoff)
{
	struct vm_area_struct *vma, *prev;
	int error;

	for (;;) {      /* munmap_back: clear old maps */
		vma = find_vma_prev(mm, addr, &prev);
		if (!vma || vma->vm_start >= addr + len)
			break;
		if (do_munmap(k, mm, addr, len))
			return -ENOMEM;
	}
	if (!may_expand_vm(mm, len >> PAGE_SHIFT))
		return -ENOMEM;
	if (flags & MAP_NORESERVE)
		vm_flags |= VM_NORESERVE;
	if (accountable_mapping(vm_flags)) {
		if (security_vm_enough_memory(k, len >> PAGE_SHIFT))
			return -ENOMEM;
		vm_flags |= VM_ACCOUNT;
	}
	vma = vma_merge(k, mm, prev, addr, addr + len, vm_flags, NULL, file, pgoff);
	if (vma)
		goto out;
	vma = vma_alloc(k);
	vma->vm_mm = mm;
	vma->vm_start = addr;
	vma->vm_end = addr + len;
	vma->vm_flags = vm_flags;
	vma->vm_page_prot = vm_get_page_prot(k, vm_flags);
	vma->vm_pgoff = pgoff;
	if (file) {
		error = -EINVAL;
		if (vm_flags & (VM_GROWSDOWN | VM_GROWSUP))
			goto free_vma;
		vma->vm_file = file;
		kmm_file_get(k, file);
		error = file_mmap(k, file, vma);
		if (error) {
			/* unmap_and_free_vma: undo a driver's partial mapping */
			vma->vm_file = NULL;
			kmm_file_put(k, file);
			struct vm_area_struct *next =
				prev ? vma_next(mm, prev) : vma_first(mm);
			unmap_region(k, mm, &vma, 1, prev, next, vma->vm_start,
				     vma->vm_end);
			goto free_vma;
		}
		addr = vma->vm_start;
		pgoff = vma->vm_pgoff;
		vm_flags = vma->vm_flags;
	} else if (vm_flags & VM_SHARED) {
		/* shmem_zero_setup: a shmem object of the mapping's size */
		vma->vm_file = shmem_file_create(k, len);
		vma->vm_flags |= VM_CAN_NONLINEAR;
	}
	if (vma_wants_writenotify(k, vma))
		vma->vm_page_prot = vm_get_page_prot(k, vm_flags & ~VM_SHARED);
	vma_link(k, mm, vma);
	file = vma->vm_file;
out:
	mm->total_vm += len >> PAGE_SHIFT;
	vm_stat_account(mm, vm_flags, file, len >> PAGE_SHIFT);
	if ((flags & MAP_POPULATE) && !(flags & MAP_NONBLOCK))
		make_pages_present(k, mm, addr, addr + len);
	return addr;
free_vma:
	vma->vm_mm = NULL;
	vma_free(k, vma);
	return error;
}

long do_mmap_pgoff(struct kmm *k, struct mm_struct *mm, struct kmm_file *file,
		   vaddr_t addr, uint32_t len, unsigned long prot,
		   unsigned long flags, unsigned long pgoff)
{
	unsigned long vm_flags;

	if (flags & MAP_ANONYMOUS)
		file = NULL;
	else if (!file)
		return -EBADF;
	flags &= ~(unsigned long)(MAP_EXECUTABLE | MAP_DENYWRITE | MAP_LOCKED);
	if (!len)
		return -EINVAL;
	if (!(flags & MAP_FIXED)) {     /* round_hint_to_min */
		addr &= PAGE_MASK;
		if (addr && addr < DEFAULT_MMAP_MIN_ADDR)
			addr = DEFAULT_MMAP_MIN_ADDR;
	}
	len = (len + PAGE_SIZE - 1) & PAGE_MASK;
	if (!len)
		return -ENOMEM;
	if ((uint32_t)(pgoff + (len >> PAGE_SHIFT)) < (uint32_t)pgoff)
		return -EOVERFLOW;
	if (mm->map_count > DEFAULT_MAX_MAP_COUNT)
		return -ENOMEM;
	long a = get_unmapped_area(k, mm, file, addr, len, pgoff, flags);
	if (a < 0)
		return a;
	addr = (vaddr_t)a;
	vm_flags = (prot & PROT_READ ? VM_READ : 0) |
		   (prot & PROT_WRITE ? VM_WRITE : 0) |
		   (prot & PROT_EXEC ? VM_EXEC : 0) |
		   (flags & MAP_GROWSDOWN ? VM_GROWSDOWN : 0) |
		   VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
	if (file) {
		switch (flags & MAP_TYPE) {
		case MAP_SHARED:
			vm_flags |= VM_SHARED | VM_MAYSHARE;
			break;
		case MAP_PRIVATE:
			break;
		default:
			return -EINVAL;
		}
	} else {
		switch (flags & MAP_TYPE) {
		case MAP_SHARED:
			pgoff = 0;
			vm_flags |= VM_SHARED | VM_MAYSHARE;
			break;
		case MAP_PRIVATE:
			pgoff = addr >> PAGE_SHIFT;
			break;
		default:
			return -EINVAL;
		}
	}
	int err = security_mmap_addr(addr);
	if (err)
		return err;
	return mmap_region(k, mm, file, addr, len, flags, vm_flags, pgoff);
}

/* ---- mprotect ---- */

static int mprotect_fixup(struct kmm *k, struct vm_area_struct *vma,
			  struct vm_area_struct **pprev, vaddr_t start,
			  vaddr_t end, unsigned long newflags)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long oldflags = vma->vm_flags;
	long nrpages = (long)((end - start) >> PAGE_SHIFT);
	bool dirty_accountable = false;
	int error;

	if (newflags == oldflags) {
		*pprev = vma;
		return 0;
	}
	/* making a private mapping writable commits memory */
	if ((newflags & VM_WRITE) &&
	    !(oldflags & (VM_ACCOUNT | VM_WRITE | VM_SHARED | VM_NORESERVE))) {
		if (security_vm_enough_memory(k, nrpages))
			return -ENOMEM;
		newflags |= VM_ACCOUNT;
	}
	unsigned long pgoff = vma->vm_pgoff + ((start - vma->vm_start) >> PAGE_SHIFT);
	*pprev = vma_merge(k, mm, *pprev, start, end, newflags, vma->anon_vma,
			   vma->vm_file, pgoff);
	if (*pprev) {
		vma = *pprev;
		goto success;
	}
	*pprev = vma;
	if (start != vma->vm_start && (error = split_vma(k, mm, vma, start, 1)))
		return error;
	if (end != vma->vm_end && (error = split_vma(k, mm, vma, end, 0)))
		return error;
success:
	vma->vm_flags = newflags;
	/* pgprot_modify: the cache bits stay (a device's uncached mapping) */
	vma->vm_page_prot = (vma->vm_page_prot & (_PAGE_PCD | _PAGE_PWT)) |
			    vm_get_page_prot(k, newflags);
	if (vma_wants_writenotify(k, vma)) {
		vma->vm_page_prot = vm_get_page_prot(k, newflags & ~VM_SHARED);
		dirty_accountable = true;
	}
	change_protection(k, vma, start, end, vma->vm_page_prot, dirty_accountable);
	vm_stat_account(mm, oldflags, vma->vm_file, -nrpages);
	vm_stat_account(mm, newflags, vma->vm_file, nrpages);
	return 0;
}

#define PROT_SEM_ 0x8u
#define PROT_GROWSDOWN_ 0x01000000u
#define PROT_GROWSUP_ 0x02000000u

int sys_mprotect(struct kmm *k, struct mm_struct *mm, vaddr_t start,
		 uint32_t len, unsigned long prot)
{
	unsigned long grows = prot & (PROT_GROWSDOWN_ | PROT_GROWSUP_);
	struct vm_area_struct *vma, *prev;
	int error;

	prot &= ~grows;
	if (grows == (PROT_GROWSDOWN_ | PROT_GROWSUP_))
		return -EINVAL;
	if (start & ~PAGE_MASK)
		return -EINVAL;
	if (!len)
		return 0;
	len = (len + PAGE_SIZE - 1) & PAGE_MASK;
	vaddr_t end = start + len;
	if (end <= start)
		return -ENOMEM;
	if (prot & ~(unsigned long)(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM_))
		return -EINVAL;
	unsigned long vm_flags = (prot & PROT_READ ? VM_READ : 0) |
				 (prot & PROT_WRITE ? VM_WRITE : 0) |
				 (prot & PROT_EXEC ? VM_EXEC : 0);
	vma = find_vma_prev(mm, start, &prev);
	if (!vma)
		return -ENOMEM;
	if (grows & PROT_GROWSDOWN_) {
		if (vma->vm_start >= end)
			return -ENOMEM;
		start = vma->vm_start;
		if (!(vma->vm_flags & VM_GROWSDOWN))
			return -EINVAL;
	} else {
		if (vma->vm_start > start)
			return -ENOMEM;
		if (grows & PROT_GROWSUP_) {
			end = vma->vm_end;
			if (!(vma->vm_flags & VM_GROWSUP))
				return -EINVAL;
		}
	}
	if (start > vma->vm_start)
		prev = vma;
	for (vaddr_t nstart = start;;) {
		unsigned long newflags =
			vm_flags | (vma->vm_flags & ~(VM_READ | VM_WRITE | VM_EXEC));
		/* newflags >> 4 puts VM_MAY* in place of VM_* */
		if ((newflags & ~(newflags >> 4)) & (VM_READ | VM_WRITE | VM_EXEC))
			return -EACCES;
		vaddr_t tmp = vma->vm_end < end ? vma->vm_end : end;
		error = mprotect_fixup(k, vma, &prev, nstart, tmp, newflags);
		if (error)
			return error;
		nstart = tmp;
		if (nstart < prev->vm_end)
			nstart = prev->vm_end;
		if (nstart >= end)
			return 0;
		vma = vma_next(mm, prev);
		if (!vma || vma->vm_start != nstart)
			return -ENOMEM;
	}
}

/* ---- brk ---- */

static long do_brk(struct kmm *k, struct mm_struct *mm, vaddr_t addr,
		   uint32_t len)
{
	struct vm_area_struct *vma, *prev;
	unsigned long flags = VM_DATA_DEFAULT_FLAGS | VM_ACCOUNT;
	unsigned long pgoff = addr >> PAGE_SHIFT;

	len = (len + PAGE_SIZE - 1) & PAGE_MASK;
	if (!len)
		return addr;
	int err = security_mmap_addr(addr);
	if (err)
		return err;
	long a = get_unmapped_area(k, mm, NULL, addr, len, 0, MAP_FIXED);
	if (a < 0)
		return a;
	for (;;) {
		vma = find_vma_prev(mm, addr, &prev);
		if (!vma || vma->vm_start >= addr + len)
			break;
		if (do_munmap(k, mm, addr, len))
			return -ENOMEM;
	}
	if (!may_expand_vm(mm, len >> PAGE_SHIFT))
		return -ENOMEM;
	if (mm->map_count > DEFAULT_MAX_MAP_COUNT)
		return -ENOMEM;
	if (security_vm_enough_memory(k, len >> PAGE_SHIFT))
		return -ENOMEM;
	vma = vma_merge(k, mm, prev, addr, addr + len, flags, NULL, NULL, pgoff);
	if (!vma) {
		vma = vma_alloc(k);
		vma->vm_start = addr;
		vma->vm_end = addr + len;
		vma->vm_pgoff = pgoff;
		vma->vm_flags = flags;
		vma->vm_page_prot = vm_get_page_prot(k, flags);
		vma_link(k, mm, vma);
	}
	mm->total_vm += len >> PAGE_SHIFT;
	return addr;
}

vaddr_t sys_brk(struct kmm *k, struct mm_struct *mm, vaddr_t brk)
{
	vaddr_t newbrk, oldbrk;

	if (brk < mm->start_brk)
		return mm->brk;
	newbrk = (brk + PAGE_SIZE - 1) & PAGE_MASK;
	oldbrk = (mm->brk + PAGE_SIZE - 1) & PAGE_MASK;
	if (oldbrk == newbrk)
		goto set_brk;
	if (brk <= mm->brk) {           /* always allow shrinking */
		if (!do_munmap(k, mm, newbrk, oldbrk - newbrk))
			goto set_brk;
		return mm->brk;
	}
	if (find_vma_intersection(mm, oldbrk, newbrk + PAGE_SIZE))
		return mm->brk;
	if (do_brk(k, mm, oldbrk, newbrk - oldbrk) != (long)oldbrk)
		return mm->brk;
set_brk:
	mm->brk = brk;
	return brk;
}

/* ---- stack ---- */

static int acct_stack_growth(struct kmm *k, struct vm_area_struct *vma,
			     unsigned long size, unsigned long grow)
{
	struct mm_struct *mm = vma->vm_mm;

	if (!may_expand_vm(mm, grow))
		return -ENOMEM;
	if (size > mm->rlim_stack)
		return -ENOMEM;
	if (security_vm_enough_memory(k, (long)grow))
		return -ENOMEM;
	mm->total_vm += grow;
	vm_stat_account(mm, vma->vm_flags, vma->vm_file, (long)grow);
	return 0;
}

/* expand_stack = expand_downwards on i386 */
int expand_stack(struct kmm *k, struct vm_area_struct *vma, vaddr_t address)
{
	int error;

	if (anon_vma_prepare(k, vma))
		return -ENOMEM;
	address &= PAGE_MASK;
	error = security_mmap_addr(address);
	if (error)
		return error;
	error = 0;
	if (address < vma->vm_start) {
		unsigned long size = vma->vm_end - address;
		unsigned long grow = (vma->vm_start - address) >> PAGE_SHIFT;
		error = -ENOMEM;
		if (grow <= vma->vm_pgoff) {
			error = acct_stack_growth(k, vma, size, grow);
			if (!error) {
				vma->vm_start = address;
				vma->vm_pgoff -= grow;
			}
		}
	}
	return error;
}

/* ---- mremap ---- */

static struct vm_area_struct *copy_vma(struct kmm *k,
				       struct vm_area_struct **vmap,
				       vaddr_t addr, uint32_t len,
				       unsigned long pgoff)
{
	struct vm_area_struct *vma = *vmap, *new_vma, *prev;
	struct mm_struct *mm = vma->vm_mm;
	vaddr_t vma_start = vma->vm_start;

	/* an anonymous VMA never faulted takes its new address as pgoff */
	if (!vma->vm_file && !vma->anon_vma)
		pgoff = addr >> PAGE_SHIFT;
	find_vma_prev(mm, addr, &prev);
	new_vma = vma_merge(k, mm, prev, addr, addr + len, vma->vm_flags,
			    vma->anon_vma, vma->vm_file, pgoff);
	if (new_vma) {
		if (vma_start >= new_vma->vm_start && vma_start < new_vma->vm_end)
			*vmap = new_vma;
	} else {
		new_vma = vma_dup(k, vma);
		anon_vma_clone(k, new_vma, vma);
		new_vma->vm_start = addr;
		new_vma->vm_end = addr + len;
		new_vma->vm_pgoff = pgoff;
		if (new_vma->vm_file)
			kmm_file_get(k, new_vma->vm_file);
		vma_link(k, mm, new_vma);
	}
	return new_vma;
}

static long move_vma(struct kmm *k, struct vm_area_struct *vma,
		     vaddr_t old_addr, uint32_t old_len, uint32_t new_len,
		     vaddr_t new_addr)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long vm_flags = vma->vm_flags;
	unsigned long excess = 0;
	bool split = false;

	if (mm->map_count >= DEFAULT_MAX_MAP_COUNT - 3)
		return -ENOMEM;
	unsigned long new_pgoff =
		vma->vm_pgoff + ((old_addr - vma->vm_start) >> PAGE_SHIFT);
	struct vm_area_struct *new_vma = copy_vma(k, &vma, new_addr, new_len,
						  new_pgoff);
	long ret = new_addr;
	vaddr_t moved = move_page_tables(k, vma, old_addr, new_vma, new_addr,
					 old_len);
	if (moved < old_len) {
		/* out of page tables: move back and unmap the new area */
		move_page_tables(k, new_vma, new_addr, vma, old_addr, moved);
		vma = new_vma;
		old_len = new_len;
		old_addr = new_addr;
		ret = -ENOMEM;
	}
	/* conceal VM_ACCOUNT so the old reservation is not undone */
	if (vm_flags & VM_ACCOUNT) {
		vma->vm_flags &= ~VM_ACCOUNT;
		excess = vma->vm_end - vma->vm_start - old_len;
		if (old_addr > vma->vm_start && old_addr + old_len < vma->vm_end)
			split = true;
	}
	mm->total_vm += new_len >> PAGE_SHIFT;
	vm_stat_account(mm, vma->vm_flags, vma->vm_file, new_len >> PAGE_SHIFT);
	if (do_munmap(k, mm, old_addr, old_len) < 0)
		excess = 0;
	if (excess) {
		vma->vm_flags |= VM_ACCOUNT;
		if (split)
			vma_next(mm, vma)->vm_flags |= VM_ACCOUNT;
	}
	return ret;
}

static struct vm_area_struct *vma_to_resize(struct kmm *k, struct mm_struct *mm,
					    vaddr_t addr, uint32_t old_len,
					    uint32_t new_len, long *err)
{
	struct vm_area_struct *vma = find_vma(mm, addr);

	*err = -EFAULT;
	if (!vma || vma->vm_start > addr)
		return NULL;
	if (old_len > vma->vm_end - addr)
		return NULL;
	if (new_len > old_len) {
		if (vma->vm_flags & (VM_DONTEXPAND | VM_PFNMAP))
			return NULL;
		unsigned long pgoff = ((addr - vma->vm_start) >> PAGE_SHIFT) +
				      vma->vm_pgoff;
		if ((uint32_t)(pgoff + (new_len >> PAGE_SHIFT)) < (uint32_t)pgoff) {
			*err = -EINVAL;
			return NULL;
		}
	}
	if (!may_expand_vm(mm, (new_len - old_len) >> PAGE_SHIFT)) {
		*err = -ENOMEM;
		return NULL;
	}
	if ((vma->vm_flags & VM_ACCOUNT) && new_len > old_len &&
	    security_vm_enough_memory(k, (new_len - old_len) >> PAGE_SHIFT))
		return NULL;    /* 3.2 answers -EFAULT here */
	*err = 0;
	return vma;
}

static long mremap_to(struct kmm *k, struct mm_struct *mm, vaddr_t addr,
		      uint32_t old_len, vaddr_t new_addr, uint32_t new_len)
{
	long ret = -EINVAL;

	if (new_addr & ~PAGE_MASK)
		return ret;
	if (new_len > TASK_SIZE || new_addr > TASK_SIZE - new_len)
		return ret;
	/* the new place may not overlap the old one */
	if (new_addr <= addr && new_addr + new_len > addr)
		return ret;
	if (addr <= new_addr && addr + old_len > new_addr)
		return ret;
	ret = security_mmap_addr(new_addr);
	if (ret)
		return ret;
	ret = do_munmap(k, mm, new_addr, new_len);
	if (ret)
		return ret;
	if (old_len >= new_len) {
		ret = do_munmap(k, mm, addr + new_len, old_len - new_len);
		if (ret && old_len != new_len)
			return ret;
		old_len = new_len;
	}
	struct vm_area_struct *vma = vma_to_resize(k, mm, addr, old_len, new_len, &ret);
	if (!vma)
		return ret;
	unsigned long map_flags = MAP_FIXED |
				  (vma->vm_flags & VM_MAYSHARE ? MAP_SHARED : 0);
	ret = get_unmapped_area(k, mm, vma->vm_file, new_addr, new_len,
				vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT),
				map_flags);
	if (ret < 0)
		return ret;
	return move_vma(k, vma, addr, old_len, new_len, new_addr);
}

static bool vma_expandable(struct kmm *k, struct vm_area_struct *vma,
			   uint32_t delta)
{
	vaddr_t end = vma->vm_end + delta;
	struct vm_area_struct *next = vma_next(vma->vm_mm, vma);

	if (end < vma->vm_end)
		return false;
	if (next && next->vm_start < end)
		return false;
	return get_unmapped_area(k, vma->vm_mm, NULL, vma->vm_start,
				 end - vma->vm_start, 0, MAP_FIXED) >= 0;
}

long do_mremap(struct kmm *k, struct mm_struct *mm, vaddr_t addr,
	       uint32_t old_len, uint32_t new_len, unsigned long flags,
	       vaddr_t new_addr)
{
	long ret = -EINVAL;

	if (flags & ~(unsigned long)(MREMAP_FIXED | MREMAP_MAYMOVE))
		return ret;
	if (addr & ~PAGE_MASK)
		return ret;
	old_len = (old_len + PAGE_SIZE - 1) & PAGE_MASK;
	new_len = (new_len + PAGE_SIZE - 1) & PAGE_MASK;
	if (!new_len)
		return ret;
	if (flags & MREMAP_FIXED) {
		if (flags & MREMAP_MAYMOVE)
			ret = mremap_to(k, mm, addr, old_len, new_addr, new_len);
		return ret;
	}
	/* always allow a shrinking remap */
	if (old_len >= new_len) {
		ret = do_munmap(k, mm, addr + new_len, old_len - new_len);
		if (ret && old_len != new_len)
			return ret;
		return addr;
	}
	struct vm_area_struct *vma = vma_to_resize(k, mm, addr, old_len, new_len, &ret);
	if (!vma)
		return ret;
	/* old_len exactly to the end of the area: can it just grow? */
	if (old_len == vma->vm_end - addr &&
	    vma_expandable(k, vma, new_len - old_len)) {
		unsigned long pages = (new_len - old_len) >> PAGE_SHIFT;
		vma_adjust(k, vma, vma->vm_start, addr + new_len, vma->vm_pgoff, NULL);
		mm->total_vm += pages;
		vm_stat_account(mm, vma->vm_flags, vma->vm_file, (long)pages);
		return addr;
	}
	if (!(flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	unsigned long map_flags = vma->vm_flags & VM_MAYSHARE ? MAP_SHARED : 0;
	ret = get_unmapped_area(k, mm, vma->vm_file, 0, new_len,
				vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT),
				map_flags);
	if (ret < 0)
		return ret;
	ret = security_mmap_addr((vaddr_t)ret) ? -EPERM : ret;
	if (ret < 0)
		return ret;
	return move_vma(k, vma, addr, old_len, new_len, (vaddr_t)ret);
}
