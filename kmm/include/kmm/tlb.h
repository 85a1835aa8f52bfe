/* kmm/tlb.h — per-CPU MMU state: CR3, PAE PDPTE registers and the TLB.
 *
 * Each simulated CPU has a small fully associative TLB (KMM_TLB_ENTRIES
 * entries, round-robin replacement, so it is deterministic) caching
 * translations with their effective rights, dirty and global state.  As on
 * x86: only successful translations are cached; a page fault invalidates
 * the faulting address's entry; a write through an entry whose dirty bit is
 * clear walks again (to set D); a CR3 write flushes the non-global entries
 * and reloads the PDPTE registers (PAE); invlpg drops one address, global
 * or not; a CR4.PGE toggle (__flush_tlb_all) drops everything.
 * Nothing else invalidates an entry, so a flush the kernel forgets shows up
 * as a stale translation, exactly as on hardware.
 *
 * The kernel-level flushes are 3.2 arch/x86/mm/tlb.c: flush_tlb_mm,
 * flush_tlb_page and flush_tlb_range (which, on 3.2 x86, flushes the whole
 * mm) act on the executing CPU if the mm is loaded there and shoot down the
 * other CPUs in mm_cpumask; flush_tlb_all and flush_tlb_kernel_range flush
 * every CPU including global entries.
 * Simplification: kernel threads run on init_mm (no lazy TLB mode).
 */
#ifndef KMM_TLB_H
#define KMM_TLB_H

#include "pgtable.h"

#define KMM_TLB_ENTRIES 64

struct mm_struct;
struct vm_area_struct;

/* One cached translation, as tlb_lookup reports it. */
struct tlb_info {
	vaddr_t va;             /* base of the page */
	uint32_t size;          /* 4 KiB or PMD_SIZE */
	phys_addr_t pa;         /* base of the frame */
	bool rw, us, nx, dirty, global;
};

struct tlb_stats {
	unsigned long hits, misses, walks, faults;
	unsigned long invlpg, cr3_loads, full_flushes, shootdowns;
};

/* ---- the CPU's registers ---- */
phys_addr_t read_cr3(const struct kmm *k, unsigned int cpu);
/* write_cr3: flushes non-global entries, reloads the PDPTE registers. */
void load_cr3(struct kmm *k, unsigned int cpu, phys_addr_t pgd_pa);
/* The PAE PDPTE registers of a CPU (4 entries), NULL without PAE. */
const pteval_t *cpu_pdpte(const struct kmm *k, unsigned int cpu);
/* The mm loaded on a CPU (NULL: init_mm). */
struct mm_struct *cpu_mm(const struct kmm *k, unsigned int cpu);

/* ---- local TLB operations on one CPU ---- */
void __flush_tlb_one(struct kmm *k, unsigned int cpu, vaddr_t va); /* invlpg */
void __flush_tlb(struct kmm *k, unsigned int cpu);      /* CR3 reload */
void __flush_tlb_all(struct kmm *k, unsigned int cpu);  /* with globals */

/* ---- kernel flushes (the executing CPU is kmm_cpu(k)) ---- */
void flush_tlb_mm(struct kmm *k, struct mm_struct *mm);
void flush_tlb_page(struct kmm *k, struct vm_area_struct *vma, vaddr_t va);
void flush_tlb_range(struct kmm *k, struct vm_area_struct *vma, vaddr_t start,
		     vaddr_t end);
void flush_tlb_all(struct kmm *k);
void flush_tlb_kernel_range(struct kmm *k, vaddr_t start, vaddr_t end);

/* ---- translation ----
 * The CPU's translation of va for an access (KMM_ACC_*): the TLB, else a
 * walk of CR3's tables that fills it.  True with *pa, or false with the
 * #PF error code in *err. */
bool tlb_translate(struct kmm *k, unsigned int cpu, vaddr_t va,
		   unsigned int acc, phys_addr_t *pa, unsigned int *err);
/* The entry caching va on a CPU, without side effects. */
bool tlb_lookup(const struct kmm *k, unsigned int cpu, vaddr_t va,
		struct tlb_info *out);
unsigned int tlb_nr_valid(const struct kmm *k, unsigned int cpu);
const struct tlb_stats *tlb_stats(const struct kmm *k, unsigned int cpu);

/* ---- physical memory as the CPU sees it ----
 * RAM, device memory (see mm.h kmm_device_create), or nothing (reads all
 * ones, writes are dropped).  The range must not cross a page. */
void phys_read(struct kmm *k, phys_addr_t pa, void *buf, size_t len);
void phys_write(struct kmm *k, phys_addr_t pa, const void *buf, size_t len);

#endif
