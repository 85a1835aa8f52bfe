/* tlb.c — per-CPU CR3, PDPTE registers and TLB, the kernel's TLB flushes
 * (3.2 arch/x86/mm/tlb.c, arch/x86/include/asm/tlbflush.h), translation
 * through the TLB, and physical memory as the CPU sees it.
 *
 * Reset is O(CPUs): every CPU's generation is bumped, which empties its
 * TLB without touching the entries.  See tlb.h for the model.
 */
#include <string.h>
#include "mmu_internal.h"

static struct cpu_mmu *cpu_of(const struct kmm *k, unsigned int cpu)
{
	if (cpu >= k->cfg.nr_cpus)
		kmm_bug((struct kmm *)k, "tlb", "CPU %u of %u", cpu, k->cfg.nr_cpus);
	return &k->mmu->cpu[cpu];
}

static bool entry_valid(const struct cpu_mmu *c, const struct tlb_entry *e)
{
	return e->gen == c->gen;
}

static void tlb_empty(struct cpu_mmu *c)
{
	if (++c->gen == 0) {    /* wrapped: clear for real, once in 2^32 */
		memset(c->tlb, 0, sizeof(c->tlb));
		c->gen = 1;
	}
	c->next = 0;
}

/* The PDPTE registers are loaded from memory when CR3 is written. */
static void load_pdptes(struct kmm *k, struct cpu_mmu *c, unsigned int cpu)
{
	if (!k->layout.pae)
		return;
	for (int i = 0; i < 4; i++) {
		pteval_t e = pte_get(k, (c->cr3 & ~(phys_addr_t)0x1f) + 8 * i);
		/* reserved bits in a present PDPTE: #GP on the MOV to CR3 */
		if ((e & _PAGE_PRESENT) &&
		    (e & (0x1e6ull | ~((1ull << KMM_MAXPHYADDR) - 1))))
			kmm_bug(k, "tlb",
				"general protection fault: CPU %u loads PDPTE %d "
				"= 0x%llx with reserved bits (cr3 0x%llx)", cpu, i,
				(unsigned long long)e, (unsigned long long)c->cr3);
		c->pdpte[i] = e;
	}
}

void tlb_init_cpus(struct kmm *k)
{
	for (unsigned int i = 0; i < KMM_NR_CPUS; i++) {
		struct cpu_mmu *c = &k->mmu->cpu[i];
		memset(c, 0, sizeof(*c));
		c->gen = 1;
		c->cr3 = k->mmu->swapper_pa;
		if (i < k->cfg.nr_cpus)
			load_pdptes(k, c, i);
	}
}

void tlb_reset(struct kmm *k)
{
	for (unsigned int i = 0; i < k->cfg.nr_cpus; i++) {
		struct cpu_mmu *c = &k->mmu->cpu[i];
		tlb_empty(c);
		c->cr3 = k->mmu->swapper_pa;
		c->mm = NULL;
		c->user_sp = 0;
		memset(&c->stats, 0, sizeof(c->stats));
		load_pdptes(k, c, i);
	}
}

/* ---- registers ---- */

phys_addr_t read_cr3(const struct kmm *k, unsigned int cpu)
{
	return cpu_of(k, cpu)->cr3;
}

const pteval_t *cpu_pdpte(const struct kmm *k, unsigned int cpu)
{
	return k->layout.pae ? cpu_of(k, cpu)->pdpte : NULL;
}

struct mm_struct *cpu_mm(const struct kmm *k, unsigned int cpu)
{
	return cpu_of(k, cpu)->mm;
}

/* ---- local operations ---- */

void __flush_tlb(struct kmm *k, unsigned int cpu)
{
	struct cpu_mmu *c = cpu_of(k, cpu);

	for (unsigned int i = 0; i < KMM_TLB_ENTRIES; i++)
		if (entry_valid(c, &c->tlb[i]) && !(c->tlb[i].perm & TLB_GLOBAL))
			c->tlb[i].gen = 0;
	load_pdptes(k, c, cpu);
	c->stats.cr3_loads++;
}

void load_cr3(struct kmm *k, unsigned int cpu, phys_addr_t pgd_pa)
{
	cpu_of(k, cpu)->cr3 = pgd_pa;
	__flush_tlb(k, cpu);
}

void __flush_tlb_all(struct kmm *k, unsigned int cpu)
{
	struct cpu_mmu *c = cpu_of(k, cpu);

	tlb_empty(c);
	c->stats.full_flushes++;
}

static bool entry_matches(const struct tlb_entry *e, vaddr_t va)
{
	return (va >> e->shift) == e->tag;
}

void __flush_tlb_one(struct kmm *k, unsigned int cpu, vaddr_t va)
{
	struct cpu_mmu *c = cpu_of(k, cpu);

	for (unsigned int i = 0; i < KMM_TLB_ENTRIES; i++)
		if (entry_valid(c, &c->tlb[i]) && entry_matches(&c->tlb[i], va))
			c->tlb[i].gen = 0;
	c->stats.invlpg++;
}

/* ---- kernel flushes ---- */

#define TLB_FLUSH_ALL 0xffffffffu

/* flush_tlb_others: the IPI to every other CPU of the mask; each flushes
 * if it still runs the mm (flush_tlb_func) */
static void flush_tlb_others(struct kmm *k, struct mm_struct *mm, uint64_t va)
{
	for (unsigned int cpu = 0; cpu < k->cfg.nr_cpus; cpu++) {
#if KMM_MUTATION == 16  /* MUTATION 16: the IPI goes to the CPUs not in mm_cpumask */
		if (cpu == k->cpu || (mm->cpumask & (1u << cpu)))
#else
		if (cpu == k->cpu || !(mm->cpumask & (1u << cpu)))
#endif
			continue;
		struct cpu_mmu *c = &k->mmu->cpu[cpu];
		c->stats.shootdowns++;
		if (c->mm != mm)
			continue;
		if (va == TLB_FLUSH_ALL)
			__flush_tlb(k, cpu);
		else
			__flush_tlb_one(k, cpu, (vaddr_t)va);
	}
}

void flush_tlb_mm(struct kmm *k, struct mm_struct *mm)
{
	if (k->mmu->cpu[k->cpu].mm == mm)
		__flush_tlb(k, k->cpu);
	flush_tlb_others(k, mm, TLB_FLUSH_ALL);
}

void flush_tlb_page(struct kmm *k, struct vm_area_struct *vma, vaddr_t va)
{
	struct mm_struct *mm = vma->vm_mm;

	if (k->mmu->cpu[k->cpu].mm == mm)
		__flush_tlb_one(k, k->cpu, va);
	flush_tlb_others(k, mm, va);
}

void flush_tlb_range(struct kmm *k, struct vm_area_struct *vma, vaddr_t start,
		     vaddr_t end)
{
	(void)start;
	(void)end;
	flush_tlb_mm(k, vma->vm_mm);    /* 3.2 x86 */
}

void flush_tlb_all(struct kmm *k)
{
	for (unsigned int cpu = 0; cpu < k->cfg.nr_cpus; cpu++)
		__flush_tlb_all(k, cpu);
}

void flush_tlb_kernel_range(struct kmm *k, vaddr_t start, vaddr_t end)
{
	(void)start;
	(void)end;
	flush_tlb_all(k);
}

/* ---- translation ---- */

static unsigned int access_err(const struct kmm *k, unsigned int acc)
{
	return (acc & KMM_ACC_WRITE ? PF_WRITE : 0) |
	       (acc & KMM_ACC_USER ? PF_USER : 0) |
	       (acc & KMM_ACC_EXEC && k->layout.pae ? PF_INSTR : 0);
}

static int tlb_find(const struct cpu_mmu *c, vaddr_t va)
{
	for (unsigned int i = 0; i < KMM_TLB_ENTRIES; i++)
		if (entry_valid(c, &c->tlb[i]) && entry_matches(&c->tlb[i], va))
			return (int)i;
	return -1;
}

static void tlb_fill(const struct kmm *k, struct cpu_mmu *c, vaddr_t va,
		     const struct pt_walk *w)
{
	struct tlb_entry *e = &c->tlb[c->next];
	uint8_t shift = w->page_size == PAGE_SIZE ? PAGE_SHIFT
						  : (k->layout.pae ? 21 : 22);

	c->next = (c->next + 1) % KMM_TLB_ENTRIES;
	e->gen = c->gen;
	e->shift = shift;
	e->tag = va >> shift;
	e->pa = w->page_pa;
	e->perm = (uint8_t)((w->rw ? TLB_RW : 0) | (w->us ? TLB_US : 0) |
			    (w->nx ? TLB_NX : 0) | (w->dirty ? TLB_DIRTY : 0) |
			    (w->global ? TLB_GLOBAL : 0));
}

bool tlb_translate(struct kmm *k, unsigned int cpu, vaddr_t va,
		   unsigned int acc, phys_addr_t *pa, unsigned int *err)
{
	struct cpu_mmu *c = cpu_of(k, cpu);
	int i = tlb_find(c, va);

	if (i >= 0) {
		struct tlb_entry *e = &c->tlb[i];
		bool user = acc & KMM_ACC_USER, write = acc & KMM_ACC_WRITE;
		if ((user && !(e->perm & TLB_US)) || (write && !(e->perm & TLB_RW)) ||
		    ((acc & KMM_ACC_EXEC) && (e->perm & TLB_NX))) {
			e->gen = 0;     /* a #PF invalidates the address */
			c->stats.faults++;
			*err = access_err(k, acc) | PF_PROT;
			return false;
		}
		if (!write || (e->perm & TLB_DIRTY)) {
			c->stats.hits++;
			*pa = e->pa + (va & ((1u << e->shift) - 1));
			return true;
		}
		e->gen = 0;             /* D must be set: walk again */
	}
	c->stats.misses++;
	c->stats.walks++;
	struct pt_walk w;
	if (!pgtable_walk(k, c->cr3, k->layout.pae ? c->pdpte : NULL, va, acc,
			  true, &w)) {
		c->stats.faults++;
		*err = w.err;
		return false;
	}
	tlb_fill(k, c, va, &w);
	*pa = w.pa;
	return true;
}

static void entry_info(const struct tlb_entry *e, struct tlb_info *out)
{
	out->va = e->tag << e->shift;
	out->size = 1u << e->shift;
	out->pa = e->pa;
	out->rw = e->perm & TLB_RW;
	out->us = e->perm & TLB_US;
	out->nx = e->perm & TLB_NX;
	out->dirty = e->perm & TLB_DIRTY;
	out->global = e->perm & TLB_GLOBAL;
}

bool tlb_lookup(const struct kmm *k, unsigned int cpu, vaddr_t va,
		struct tlb_info *out)
{
	const struct cpu_mmu *c = cpu_of(k, cpu);
	int i = tlb_find(c, va);

	if (i < 0)
		return false;
	if (out)
		entry_info(&c->tlb[i], out);
	return true;
}

bool tlb_entry_get(const struct kmm *k, unsigned int cpu, unsigned int i,
		   struct tlb_info *out)
{
	const struct cpu_mmu *c = cpu_of(k, cpu);

	if (i >= KMM_TLB_ENTRIES || !entry_valid(c, &c->tlb[i]))
		return false;
	entry_info(&c->tlb[i], out);
	return true;
}

unsigned int tlb_nr_valid(const struct kmm *k, unsigned int cpu)
{
	const struct cpu_mmu *c = cpu_of(k, cpu);
	unsigned int n = 0;

	for (unsigned int i = 0; i < KMM_TLB_ENTRIES; i++)
		n += entry_valid(c, &c->tlb[i]);
	return n;
}

const struct tlb_stats *tlb_stats(const struct kmm *k, unsigned int cpu)
{
	return &cpu_of(k, cpu)->stats;
}

/* ---- physical memory ---- */

static void phys_check(struct kmm *k, phys_addr_t pa, size_t len)
{
	if ((pa & (PAGE_SIZE - 1)) + len > PAGE_SIZE)
		kmm_bug(k, "tlb", "physical access 0x%llx+%zu crosses a page",
			(unsigned long long)pa, len);
}

void phys_read(struct kmm *k, phys_addr_t pa, void *buf, size_t len)
{
	phys_check(k, pa, len);
	if (PFN_DOWN(pa) < k->layout.max_pfn) {
		memcpy(buf, kmm_frame_r(k, PFN_DOWN(pa)) + (pa & (PAGE_SIZE - 1)), len);
		return;
	}
	struct kmm_device *d = device_at(k, pa);
	if (d)
		memcpy(buf, d->mem + (pa - d->base), len);
	else
		memset(buf, 0xff, len);         /* nothing decodes the address */
}

void phys_write(struct kmm *k, phys_addr_t pa, const void *buf, size_t len)
{
	phys_check(k, pa, len);
	if (PFN_DOWN(pa) < k->layout.max_pfn) {
		memcpy(kmm_frame_w(k, PFN_DOWN(pa)) + (pa & (PAGE_SIZE - 1)), buf, len);
		return;
	}
	struct kmm_device *d = device_at(k, pa);
	if (d)
		memcpy(d->mem + (pa - d->base), buf, len);
}
