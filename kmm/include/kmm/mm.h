/* kmm/mm.h — processes' address spaces: mm_struct, VMAs, mmap and friends,
 * simulated files with a page cache, and device memory.
 *
 * Modelled on Linux 3.2 mm/mmap.c, mm/mprotect.c, mm/mremap.c,
 * kernel/fork.c (dup_mmap), mm/rmap.c (anon_vma chains) and i386
 * arch/x86/mm/mmap.c (top-down layout, no randomization: mmap_base =
 * TASK_SIZE - 128 MiB, as `setarch -R`).  The API takes the mm explicitly
 * where the kernel uses current->mm; the executing CPU is kmm_cpu(k).
 *
 * Process and VMA state is host-side (it never lives in simulated RAM);
 * page tables, user pages and the page cache live in simulated frames from
 * the buddy allocator.  Errors are negative errno values.
 *
 * Simplifications, said once:
 *  - no swap, reclaim, LRU lists, mlock (MAP_LOCKED is ignored), NUMA
 *    policy, hugetlb, KSM, THP, nonlinear mappings or memory cgroups;
 *    overcommit is the heuristic (OVERCOMMIT_GUESS) mode; processes are
 *    unprivileged (mmap_min_addr 4096 applies); one thread per mm;
 *  - files are always open read-write and have no writeback: dirty page
 *    cache pages stay until the file is truncated or freed;
 *  - the mmu_gather is unbounded (3.2 allocates batch pages); pages are
 *    still freed batch by batch, in 3.2's release order, after the flush.
 */
#ifndef KMM_MM_H
#define KMM_MM_H

#include <bsd/sys/tree.h>
#include <sys/mman.h>
#include "mm_types.h"
#include "tlb.h"

/* The mmap ABI is Linux's, the same on i386 as on the host. */
_Static_assert(PROT_READ == 1 && PROT_WRITE == 2 && PROT_EXEC == 4 &&
		       MAP_SHARED == 1 && MAP_PRIVATE == 2 && MAP_FIXED == 0x10 &&
		       MAP_ANONYMOUS == 0x20 && MAP_GROWSDOWN == 0x100 &&
		       MAP_NORESERVE == 0x4000 && MAP_POPULATE == 0x8000,
	       "Linux mmap ABI");
#ifndef MREMAP_MAYMOVE
#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED 2
#endif

/* vm_flags (3.2 include/linux/mm.h). */
#define VM_READ 0x00000001ul
#define VM_WRITE 0x00000002ul
#define VM_EXEC 0x00000004ul
#define VM_SHARED 0x00000008ul
#define VM_MAYREAD 0x00000010ul
#define VM_MAYWRITE 0x00000020ul
#define VM_MAYEXEC 0x00000040ul
#define VM_MAYSHARE 0x00000080ul
#define VM_GROWSDOWN 0x00000100ul
#define VM_GROWSUP 0x00000200ul
#define VM_PFNMAP 0x00000400ul
#define VM_DENYWRITE 0x00000800ul
#define VM_EXECUTABLE 0x00001000ul
#define VM_LOCKED 0x00002000ul
#define VM_IO 0x00004000ul
#define VM_DONTCOPY 0x00020000ul
#define VM_DONTEXPAND 0x00040000ul
#define VM_RESERVED 0x00080000ul
#define VM_ACCOUNT 0x00100000ul
#define VM_NORESERVE 0x00200000ul
#define VM_DONTDUMP 0x04000000ul         /* 3.7+: remap_vmalloc_range */
#define VM_CAN_NONLINEAR 0x08000000ul
#define VM_MIXEDMAP 0x10000000ul         /* vm_insert_page (3.2: INSERTPAGE) */
#define VM_PFN_AT_MMAP 0x40000000ul
#define VM_SPECIAL (VM_IO | VM_DONTEXPAND | VM_RESERVED | VM_PFNMAP)
/* i386 VM_DATA_DEFAULT_FLAGS without READ_IMPLIES_EXEC */
#define VM_DATA_DEFAULT_FLAGS \
	(VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC)
#define VM_STACK_FLAGS (VM_GROWSDOWN | VM_DATA_DEFAULT_FLAGS | VM_ACCOUNT)

/* The i386 user layout without randomization. */
#define TASK_UNMAPPED_BASE 0x40000000u          /* PAGE_ALIGN(TASK_SIZE/3) */
#define STACK_TOP 0xC0000000u
#define MMAP_MIN_GAP (128u << 20)
#define KMM_MMAP_BASE (STACK_TOP - MMAP_MIN_GAP)  /* 8 MiB stack rlimit */
#define KMM_START_BRK 0x08050000u               /* end of a small ELF's bss */
#define KMM_STACK_INIT (128u << 10)             /* setup_arg_pages' expand */
#define KMM_RLIMIT_STACK (8u << 20)
#define DEFAULT_MMAP_MIN_ADDR 4096u
#define DEFAULT_MAX_MAP_COUNT 65530

enum { MM_FILEPAGES, MM_ANONPAGES, NR_MM_COUNTERS };

/* A user page's page->mapping: its anon_vma with bit 0 set
 * (PAGE_MAPPING_ANON), or its file; page->index is the page's offset in
 * the file, or linear_page_index for anonymous memory. */
#define PAGE_MAPPING_ANON 1u
static inline bool PageAnon(const struct page *p)
{
	return ((uintptr_t)p->mapping & PAGE_MAPPING_ANON) != 0;
}
static inline int page_mapcount(const struct page *p)
{
	return p->_mapcount + 1;
}

struct kmm_file;
struct anon_vma;

struct vm_area_struct {
	vaddr_t vm_start, vm_end;       /* [start, end) */
	struct mm_struct *vm_mm;
	unsigned long vm_flags;
	pteval_t vm_page_prot;
	unsigned long vm_pgoff;         /* file page, or vm_start >> 12 (anon) */
	struct kmm_file *vm_file;
	struct anon_vma *anon_vma;
	/* anon_vma_chain: every anon_vma whose pages this VMA may map (its
	 * own last); a list of one is list_is_singular() */
	struct anon_vma **chain;
	unsigned int chain_len, chain_cap;
	RB_ENTRY(vm_area_struct) vm_rb;
	struct list_head shared;        /* vm_file's i_mmap list */
};
RB_HEAD(vma_tree, vm_area_struct);

struct mm_struct {
	unsigned int id;                /* creation number, for reports */
	struct vma_tree mm_rb;
	int map_count;
	phys_addr_t pgd;                /* physical address of the directory */
	vaddr_t mmap_base, free_area_cache;
	unsigned long cached_hole_size;
	vaddr_t start_brk, brk, start_stack;
	unsigned long total_vm, stack_vm;
	long rss[NR_MM_COUNTERS];       /* pages mapped (rss counters) */
	unsigned long nr_ptes;          /* user pte tables */
	unsigned long nr_pmds;          /* user pmd tables (PAE) */
	uint32_t cpumask;               /* mm_cpumask: CPUs that loaded it */
	unsigned long rlim_stack;       /* RLIMIT_STACK, bytes */
	unsigned long rlim_as;          /* RLIMIT_AS, bytes (~0: infinity) */
	struct list_head list;          /* the machine's mm list (pgd_list) */
};

/* ---- processes ---- */
/* exec: a new address space with the stack VMA (VM_STACK_FLAGS, 128 KiB +
 * one page below STACK_TOP) and an empty brk at KMM_START_BRK.  NULL when
 * out of memory. */
struct mm_struct *mm_exec(struct kmm *k);
/* fork: dup_mm with copy-on-write; NULL when out of memory. */
struct mm_struct *dup_mm(struct kmm *k, struct mm_struct *oldmm);
/* exit: unmap everything, free the page tables and the directory.  CPUs
 * still running it switch to init_mm first. */
void mmput(struct kmm *k, struct mm_struct *mm);
/* Context switch on a CPU (switch_mm); NULL switches to init_mm. */
void switch_mm(struct kmm *k, unsigned int cpu, struct mm_struct *next);
unsigned int kmm_nr_mms(const struct kmm *k);

/* ---- VMAs ---- */
struct vm_area_struct *find_vma(struct mm_struct *mm, vaddr_t addr);
struct vm_area_struct *find_vma_prev(struct mm_struct *mm, vaddr_t addr,
				     struct vm_area_struct **pprev);
struct vm_area_struct *find_vma_intersection(struct mm_struct *mm,
					     vaddr_t start, vaddr_t end);
struct vm_area_struct *vma_first(struct mm_struct *mm);
struct vm_area_struct *vma_next(struct mm_struct *mm, struct vm_area_struct *v);
struct vm_area_struct *vma_prev(struct mm_struct *mm, struct vm_area_struct *v);
pteval_t vm_get_page_prot(const struct kmm *k, unsigned long vm_flags);

/* ---- system calls (return an address or -errno) ---- */
long do_mmap_pgoff(struct kmm *k, struct mm_struct *mm, struct kmm_file *file,
		   vaddr_t addr, uint32_t len, unsigned long prot,
		   unsigned long flags, unsigned long pgoff);
int do_munmap(struct kmm *k, struct mm_struct *mm, vaddr_t start, uint32_t len);
int sys_mprotect(struct kmm *k, struct mm_struct *mm, vaddr_t start,
		 uint32_t len, unsigned long prot);
vaddr_t sys_brk(struct kmm *k, struct mm_struct *mm, vaddr_t brk);
long do_mremap(struct kmm *k, struct mm_struct *mm, vaddr_t addr,
	       uint32_t old_len, uint32_t new_len, unsigned long flags,
	       vaddr_t new_addr);
long get_unmapped_area(struct kmm *k, struct mm_struct *mm,
		       struct kmm_file *file, vaddr_t addr, uint32_t len,
		       unsigned long pgoff, unsigned long flags);

/* ---- files and the page cache ---- */
/* A regular file of size bytes whose disk contents are data (NULL: zeroes).
 * The caller holds one reference (kmm_file_put drops it). */
struct kmm_file *kmm_file_create(struct kmm *k, uint64_t size, const void *data);
void kmm_file_get(struct kmm *k, struct kmm_file *f);
void kmm_file_put(struct kmm *k, struct kmm_file *f);
uint64_t kmm_file_size(const struct kmm_file *f);
unsigned long kmm_file_nrpages(const struct kmm_file *f);
/* The cached page at a page index, no reference taken (find_get_page). */
struct page *kmm_file_find_page(struct kmm *k, struct kmm_file *f,
				unsigned long index);
/* read(2) semantics through the page cache (reads the disk on a miss,
 * without caching); returns bytes read. */
size_t kmm_file_read(struct kmm *k, struct kmm_file *f, uint64_t off,
		     void *buf, size_t len);
/* truncate(2): vmtruncate / truncate_pagecache (unmaps, even COWed pages,
 * beyond the new size, then drops the cache pages). */
int kmm_file_truncate(struct kmm *k, struct kmm_file *f, uint64_t size);

/* ---- device memory ----
 * A device with size bytes of memory at physical base (page aligned,
 * outside RAM), and the character device mapping it: mmap maps it with
 * remap_pfn_range (VM_IO|VM_PFNMAP) or, with fault_mapped, page by page
 * at fault time with vm_insert_pfn.  Freed with kmm_file_put. */
struct kmm_file *kmm_device_create(struct kmm *k, phys_addr_t base,
				   uint32_t size, bool fault_mapped);
int remap_pfn_range(struct kmm *k, struct vm_area_struct *vma, vaddr_t addr,
		    unsigned long pfn, uint32_t size, pteval_t prot);
int vm_insert_pfn(struct kmm *k, struct vm_area_struct *vma, vaddr_t addr,
		  unsigned long pfn);

/* ---- kernel pages in user mappings ----
 * vm_insert_page (6.6 mm/memory.c): maps one kernel-allocated page (not
 * anonymous, not slab; a page-cache page is not modelled and reported)
 * at addr of a user VMA with vma->vm_page_prot, taking a reference and a
 * mapcount and counting it in MM_FILEPAGES; marks the VMA VM_MIXEDMAP
 * (3.2 marked it VM_INSERTPAGE, with the same effect on fork: such VMAs
 * have their ptes copied).
 * -EFAULT outside the VMA, -EINVAL for a page without references, an
 * anonymous or a slab page, -ENOMEM without a page table, -EBUSY when a
 * pte is already present.  A VMA that is a PFN map is a caller bug.
 * The pte references a kernel page: munmap/exit drop it (and free the
 * page if it was its last reference), a private writable mapping copies
 * on write as for any file page, a missing pte in such a file mapping is
 * SIGBUS (no ->fault). */
int vm_insert_page(struct kmm *k, struct vm_area_struct *vma, vaddr_t addr,
		   struct page *page);

/* A character device exporting a vmalloc_user()/vmalloc_32_user() buffer
 * at kaddr (vmalloc.h), the way drivers do it: its mmap maps the buffer
 * with remap_vmalloc_range(vma, kaddr, vma->vm_pgoff) when size is 0;
 * with a size, it maps at most size - pgoff bytes of the buffer at the
 * start of the VMA with remap_vmalloc_range_partial and leaves the rest
 * of a longer VMA without ptes (a /proc/vmcore-like device).  The buffer
 * stays the caller's (vfree it whenever; a later mmap then fails).  Freed
 * with kmm_file_put. */
struct kmm_file *kmm_vmalloc_device_create(struct kmm *k, vaddr_t kaddr,
					   uint32_t size);

/* The page-table entry of a user address (0 when no table covers it). */
ptep_t mm_pte(struct kmm *k, struct mm_struct *mm, vaddr_t va);
pteval_t mm_pteval(struct kmm *k, struct mm_struct *mm, vaddr_t va);

/* The invariant sweeps: page tables against VMAs and struct pages, VMA
 * trees, anon_vma chains, the page cache, and every CPU's TLB against the
 * tables (mmu_check runs all of them; kmm_check calls it). */
void mm_check(struct kmm *k, struct mm_struct *mm);
void mmu_check(struct kmm *k);

#endif
