/* kmm/highmem.h — temporary kernel mappings of highmem pages: kmap (the
 * pkmap pool), kmap_atomic and kmap_local (per-CPU fixmap slots), and the
 * copy/clear helpers built on them.
 *
 * Modelled on mm/highmem.c (2.6.32–3.2; the modern logic is the same) and
 * 3.2 arch/x86/mm/highmem_32.c, with the kmap_local interface of 5.11+:
 *  - kmap() of a lowmem page is its direct-map address; a highmem page gets
 *    a pkmap entry at PKMAP_ADDR(n), LAST_PKMAP of them.  pkmap_count[n] is
 *    0 (free, TLB clean), 1 (mapped, unused: needs a flush before reuse) or
 *    1 + users.  The search starts after last_pkmap_nr, so the first entry
 *    handed out is 1; wrapping to 0 runs flush_all_zero_pkmaps (every count
 *    1 entry is unmapped, then one flush_tlb_kernel_range if any was);
 *    page_address() of a pkmapped page comes from the page_address hash
 *    (128 buckets, hashed by pfn);
 *  - a kmap() that finds all LAST_PKMAP entries in use would sleep on
 *    pkmap_map_wait until someone kunmaps; a single-threaded machine can
 *    never be woken, so it is reported as a deadlock;
 *  - kmap_atomic() and kmap_local_page() share a per-CPU stack: a highmem
 *    page takes fixmap slot FIX_KMAP_BEGIN + idx + KM_TYPE_NR * cpu (idx is
 *    its depth among the CPU's highmem entries), a lowmem page is returned
 *    through the direct map; unmapping clears the pte and flushes the one
 *    address on the local CPU (kpte_clear_flush).  kmap_atomic also
 *    disables page faults and preemption: while one is held, anything that
 *    might sleep (kmap, vmalloc, vfree ...) is reported.
 * Stricter than the kernel (the simulator reports every misuse): unmaps
 * must be LIFO for lowmem entries too, kunmap_atomic must undo a
 * kmap_atomic and kunmap_local a kmap_local_page, and more than
 * KMAP_STACK_MAX nested entries is a preempt-count overflow.
 */
#ifndef KMM_HIGHMEM_H
#define KMM_HIGHMEM_H

#include "pgtable.h"
#include "mm_types.h"

struct kmm;
struct vm_area_struct;

#define PA_HASH_ORDER 7
#define KMAP_STACK_MAX 64

/* ---- kmap: the pkmap pool ---- */
vaddr_t kmap(struct kmm *k, struct page *page);
void kunmap(struct kmm *k, struct page *page);
vaddr_t kmap_high(struct kmm *k, struct page *page);
void kunmap_high(struct kmm *k, struct page *page);
unsigned int PKMAP_NR(const struct kmm *k, vaddr_t va);
/* pkmap_count[nr] and last_pkmap_nr as the kernel keeps them */
int pkmap_count(const struct kmm *k, unsigned int nr);
unsigned int last_pkmap_nr(const struct kmm *k);
/* The page_address hash: the pkmap address of a highmem page, or 0.
 * page_address() (page_alloc.h) uses it for highmem pages. */
vaddr_t pkmap_page_address(const struct kmm *k, const struct page *page);

/* ---- kmap_atomic / kmap_local (the current CPU: kmm_cpu(k)) ---- */
vaddr_t kmap_atomic(struct kmm *k, struct page *page);
vaddr_t kmap_atomic_prot(struct kmm *k, struct page *page, pteval_t prot);
void kunmap_atomic(struct kmm *k, vaddr_t addr);
vaddr_t kmap_local_page(struct kmm *k, struct page *page);
void kunmap_local(struct kmm *k, vaddr_t addr);
/* The fixmap address of kmap_atomic slot idx of a CPU. */
vaddr_t kmap_atomic_slot_addr(const struct kmm *k, unsigned int cpu,
			      unsigned int idx);
/* The page behind a pkmap, kmap_atomic/kmap_local or lowmem address. */
struct page *kmap_to_page(struct kmm *k, vaddr_t addr);

/* Nested mappings held on a CPU (all, and the atomic ones). */
unsigned int kmap_local_depth(const struct kmm *k, unsigned int cpu);
unsigned int kmap_atomic_depth(const struct kmm *k, unsigned int cpu);
/* in_atomic(): a kmap_atomic is held on the current CPU. */
bool in_atomic(const struct kmm *k);
/* might_sleep(): "BUG: sleeping function called from invalid context"
 * when in_atomic(); what names the caller. */
void might_sleep(struct kmm *k, const char *what);
/* Where a task leaves the kernel (the fuzz executor's end of an op): an
 * outstanding kmap_atomic is a preempt-count leak ("scheduling while
 * atomic"), an outstanding kmap_local a leaked mapping; both reported. */
void kmap_exit_check(struct kmm *k);

/* ---- copies and clears through the temporary mappings ----
 * Each maps the page(s), moves the bytes as the current CPU would (TLB
 * and page tables, kmm_access) and unmaps. */
void clear_highpage(struct kmm *k, struct page *page);
void clear_user_highpage(struct kmm *k, struct page *page, vaddr_t uaddr);
void copy_highpage(struct kmm *k, struct page *to, struct page *from);
void copy_user_highpage(struct kmm *k, struct page *to, struct page *from,
			vaddr_t uaddr, struct vm_area_struct *vma);
void memcpy_to_page(struct kmm *k, struct page *page, size_t offset,
		    const void *from, size_t len);
void memcpy_from_page(struct kmm *k, void *to, struct page *page,
		      size_t offset, size_t len);
void memcpy_page(struct kmm *k, struct page *dst, size_t dst_off,
		 struct page *src, size_t src_off, size_t len);
void memset_page(struct kmm *k, struct page *page, size_t offset, int val,
		 size_t len);
void memzero_page(struct kmm *k, struct page *page, size_t offset, size_t len);
void zero_user_segments(struct kmm *k, struct page *page, unsigned int start1,
			unsigned int end1, unsigned int start2,
			unsigned int end2);
static inline void zero_user(struct kmm *k, struct page *page,
			     unsigned int start, unsigned int size)
{
	zero_user_segments(k, page, start, start + size, 0, 0);
}

struct kmap_stats {
	unsigned long kmap_high;        /* kmap of a highmem page */
	unsigned long map_new_virtual;  /* ... that needed a new entry */
	unsigned long flush_all_zero;   /* wraps of the search */
	unsigned long pkmap_tlb_flushes;/* flush_tlb_kernel_range of the pool */
	unsigned long kmap_atomic_high, kmap_atomic_low;
	unsigned long kmap_local_high, kmap_local_low;
};
const struct kmap_stats *kmap_stats(const struct kmm *k);

/* The sweep: each nonzero pkmap entry maps the page the hash says and the
 * hash holds exactly those; the counts add up to the outstanding kmaps;
 * each CPU's fixmap slots map exactly its stack; no TLB entry in the pkmap
 * or kmap fixmap range disagrees with the tables. */
void kmap_check(struct kmm *k);

#endif
