/* fork.c — the life of an address space: exec (a fresh mm with its stack,
 * as mm_init + setup_arg_pages with no randomization), fork (3.2
 * kernel/fork.c dup_mm/dup_mmap with copy-on-write), exit (exit_mmap,
 * check_mm, pgd_free) and the context switch (switch_mm, mm_cpumask).
 */
#include <stdlib.h>
#include <string.h>
#include "mmu_internal.h"

unsigned int kmm_nr_mms(const struct kmm *k) { return MMU(k)->nr_mms; }

static struct mm_struct *mm_alloc(struct kmm *k)
{
	struct mm_struct *mm = calloc(1, sizeof(*mm));

	if (!mm)
		kmm_bug(k, "mmap", "out of host memory for an mm_struct");
	RB_INIT(&mm->mm_rb);
	mm->id = ++MMU(k)->next_mm_id;
	mm->free_area_cache = TASK_UNMAPPED_BASE;       /* mm_init */
	mm->cached_hole_size = ~0ul;
	mm->rlim_stack = KMM_RLIMIT_STACK;
	mm->rlim_as = ~0ul;
	if (!pgd_alloc(k, mm)) {
		free(mm);
		return NULL;
	}
	mlist_add_tail(&mm->list, &MMU(k)->mms);
	MMU(k)->nr_mms++;
	return mm;
}

void mm_free_host(struct kmm *k, struct mm_struct *mm)
{
	struct vm_area_struct *v, *n;

	for (v = vma_first(mm); v; v = n) {
		n = vma_next(mm, v);
		RB_REMOVE(vma_tree, &mm->mm_rb, v);
		vma_free(k, v);
	}
	mlist_del(&mm->list);
	MMU(k)->nr_mms--;
	free(mm);
}

struct mm_struct *mm_exec(struct kmm *k)
{
	struct mm_struct *mm = mm_alloc(k);

	if (!mm)
		return NULL;
	mm->mmap_base = KMM_MMAP_BASE;
	mm->start_brk = mm->brk = KMM_START_BRK;
	/* __bprm_mm_init + setup_arg_pages: one page of arguments below
	 * STACK_TOP, expanded by 128 KiB */
	struct vm_area_struct *vma = vma_alloc(k);
	vma->vm_end = STACK_TOP;
	vma->vm_start = STACK_TOP - PAGE_SIZE - KMM_STACK_INIT;
	vma->vm_flags = VM_STACK_FLAGS;
	vma->vm_page_prot = vm_get_page_prot(k, vma->vm_flags);
	vma->vm_pgoff = vma->vm_start >> PAGE_SHIFT;
	vma_link_tree(k, mm, vma);
	mm->total_vm = mm->stack_vm = (vma->vm_end - vma->vm_start) >> PAGE_SHIFT;
	mm->start_stack = STACK_TOP - PAGE_SIZE;
	return mm;
}

void switch_mm(struct kmm *k, unsigned int cpu, struct mm_struct *next)
{
	if (cpu >= k->cfg.nr_cpus)
		kmm_bug(k, "mmap", "switch_mm on CPU %u of %u", cpu, k->cfg.nr_cpus);
	struct cpu_mmu *c = &MMU(k)->cpu[cpu];
	struct mm_struct *prev = c->mm;

	if (prev == next)
		return;
	if (prev)
		prev->cpumask &= ~(1u << cpu);
	if (next)
		next->cpumask |= 1u << cpu;
	c->mm = next;
	c->user_sp = 0;
	load_cr3(k, cpu, next ? next->pgd : MMU(k)->swapper_pa);
}

/* exit_mmap: every VMA unmapped and its page tables freed at once */
static void exit_mmap(struct kmm *k, struct mm_struct *mm)
{
	size_t n = (size_t)mm->map_count, i = 0;

	if (!n)
		return;
	struct vm_area_struct **vmas = malloc(n * sizeof(*vmas));
	if (!vmas)
		kmm_bug(k, "mmap", "out of host memory");
	for (struct vm_area_struct *v = vma_first(mm); v; v = vma_next(mm, v))
		vmas[i++] = v;
	struct mmu_gather tlb;
	tlb_gather_mmu(&tlb, mm, true);
	unmap_vmas(k, &tlb, vmas, n, 0, TASK_SIZE);
	free_pgtables(k, &tlb, vmas, n, 0, 0);
	tlb_finish_mmu(k, &tlb);
	for (i = 0; i < n; i++) {
		RB_REMOVE(vma_tree, &mm->mm_rb, vmas[i]);
		remove_vma(k, vmas[i]);
	}
	mm->map_count = 0;
	free(vmas);
	if (mm->nr_ptes)
		kmm_bug(k, "mmap", "exit_mmap: mm %u still has %lu pte tables",
			mm->id, mm->nr_ptes);
}

void mmput(struct kmm *k, struct mm_struct *mm)
{
	/* the CPUs running it move to init_mm (no lazy TLB in this model) */
	for (unsigned int cpu = 0; cpu < k->cfg.nr_cpus; cpu++)
		if (MMU(k)->cpu[cpu].mm == mm)
			switch_mm(k, cpu, NULL);
	exit_mmap(k, mm);
	/* check_mm */
	for (int i = 0; i < NR_MM_COUNTERS; i++)
		if (mm->rss[i])
			kmm_bug(k, "mmap", "BUG: Bad rss-counter state mm %u idx:%d "
				"val:%ld", mm->id, i, mm->rss[i]);
	pgd_free(k, mm);
	if (mm->nr_pmds)
		kmm_bug(k, "mmap", "mm %u freed with %lu pmd tables", mm->id,
			mm->nr_pmds);
	mm_free_host(k, mm);
}

struct mm_struct *dup_mm(struct kmm *k, struct mm_struct *oldmm)
{
	struct mm_struct *mm = mm_alloc(k);
	int err = 0;

	if (!mm)
		return NULL;
	mm->mmap_base = oldmm->mmap_base;
	mm->start_brk = oldmm->start_brk;
	mm->brk = oldmm->brk;
	mm->start_stack = oldmm->start_stack;
	mm->rlim_stack = oldmm->rlim_stack;
	mm->rlim_as = oldmm->rlim_as;
	mm->total_vm = oldmm->total_vm;
	mm->stack_vm = oldmm->stack_vm;
	mm->free_area_cache = oldmm->mmap_base;         /* dup_mmap */
	mm->cached_hole_size = ~0ul;
	for (struct vm_area_struct *mp = vma_first(oldmm); mp; mp = vma_next(oldmm, mp)) {
		if (mp->vm_flags & VM_DONTCOPY) {
			unsigned long pages = (mp->vm_end - mp->vm_start) >> PAGE_SHIFT;
			mm->total_vm -= pages;
			if (!mp->vm_file && (mp->vm_flags & VM_GROWSDOWN))
				mm->stack_vm -= pages;
			continue;
		}
		if ((mp->vm_flags & VM_ACCOUNT) &&
		    security_vm_enough_memory(k, (long)((mp->vm_end - mp->vm_start) >>
							PAGE_SHIFT))) {
			err = -1;
			break;
		}
		struct vm_area_struct *tmp = vma_alloc(k);
		*tmp = *mp;
		memset(&tmp->vm_rb, 0, sizeof(tmp->vm_rb));
		INIT_LIST_HEAD(&tmp->shared);
		tmp->chain = NULL;
		tmp->chain_len = tmp->chain_cap = 0;
		tmp->anon_vma = NULL;
		anon_vma_fork(k, tmp, mp);
		tmp->vm_flags &= ~VM_LOCKED;
		if (tmp->vm_file) {
			kmm_file_get(k, tmp->vm_file);
			file_link_vma(tmp->vm_file, tmp);
		}
		vma_link_tree(k, mm, tmp);
		if (copy_page_range(k, mm, oldmm, mp)) {
			err = -1;
			break;
		}
	}
#if KMM_MUTATION != 14  /* MUTATION 14: fork write-protects the parent without a flush */
	flush_tlb_mm(k, oldmm);
#endif
	if (err) {
		mmput(k, mm);
		return NULL;
	}
	return mm;
}

/* reset: every mm was created after boot */
void mms_free_all(struct kmm *k)
{
	struct list_head *h = &MMU(k)->mms;

	while (h->next != h)
		mm_free_host(k, kmm_container_of(h->next, struct mm_struct, list));
}
