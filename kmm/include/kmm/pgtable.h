/* kmm/pgtable.h — i386 page tables in simulated physical memory.
 *
 * Two formats, chosen by the machine's PAE setting, as the hardware and
 * Linux 3.2 arch/x86 define them:
 *  - non-PAE: 2 levels, 32-bit entries, 1024 per table; a PDE with PS maps
 *    4 MiB (CR4.PSE=1, PSE-36 with MAXPHYADDR 36);
 *  - PAE: a 4-entry PDPT at CR3, then 512-entry tables of 64-bit entries;
 *    a PDE with PS maps 2 MiB; bit 63 is NX (EFER.NXE=1).
 * Page tables are frames holding physical addresses; an entry is named by
 * the physical address it lives at (ptep_t) and read or written through
 * the frame accessors, so the reset snapshot covers them.
 *
 * swapper_pg_dir (and, with PAE, the kernel PMD) sit in the kernel image's
 * bss as in head_32.S; the direct map, fixmap and pkmap page tables come
 * from memblock at boot (alloc_low_page), so they are reserved frames.
 * A process directory (pgd_alloc) copies the kernel part: the 2-level
 * kernel PDEs, or with PAE the shared kernel PMD's PDPT entry (native
 * SHARED_KERNEL_PMD), or a private copy of that PMD when the machine is
 * configured with pae_unshared_kernel_pmd (as under Xen).
 * The direct map uses 4K pages for the first PMD and a partial last PMD
 * and large pages between (init_memory_mapping), PAGE_KERNEL(_LARGE) with
 * the global bit, executable only where the kernel image is.
 * Simplifications: the CPU has no SMEP/SMAP; there are no paging-structure
 * caches (only the TLB, see tlb.h); PAT bits are carried but ignored.
 */
#ifndef KMM_PGTABLE_H
#define KMM_PGTABLE_H

#include "types.h"

struct kmm;

typedef uint64_t pteval_t;      /* an entry (32 bits used without PAE) */
typedef phys_addr_t ptep_t;     /* where an entry is: its physical address */

/* Entry bits (arch/x86/include/asm/pgtable_types.h, 3.2). */
#define _PAGE_BIT_PRESENT 0
#define _PAGE_BIT_RW 1
#define _PAGE_BIT_USER 2
#define _PAGE_BIT_PWT 3
#define _PAGE_BIT_PCD 4
#define _PAGE_BIT_ACCESSED 5
#define _PAGE_BIT_DIRTY 6
#define _PAGE_BIT_PSE 7
#define _PAGE_BIT_GLOBAL 8
#define _PAGE_BIT_SPECIAL 9     /* _PAGE_BIT_UNUSED1: software */
#define _PAGE_BIT_NX 63

#define _PAGE_PRESENT ((pteval_t)1 << _PAGE_BIT_PRESENT)
#define _PAGE_RW ((pteval_t)1 << _PAGE_BIT_RW)
#define _PAGE_USER ((pteval_t)1 << _PAGE_BIT_USER)
#define _PAGE_PWT ((pteval_t)1 << _PAGE_BIT_PWT)
#define _PAGE_PCD ((pteval_t)1 << _PAGE_BIT_PCD)
#define _PAGE_ACCESSED ((pteval_t)1 << _PAGE_BIT_ACCESSED)
#define _PAGE_DIRTY ((pteval_t)1 << _PAGE_BIT_DIRTY)
#define _PAGE_PSE ((pteval_t)1 << _PAGE_BIT_PSE)
#define _PAGE_GLOBAL ((pteval_t)1 << _PAGE_BIT_GLOBAL)
#define _PAGE_SPECIAL ((pteval_t)1 << _PAGE_BIT_SPECIAL)
#define _PAGE_NX ((pteval_t)1 << _PAGE_BIT_NX)
/* 3.2: a PROT_NONE pte is not present to the CPU but is to the kernel. */
#define _PAGE_PROTNONE _PAGE_GLOBAL

#define _PAGE_TABLE (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | \
		     _PAGE_DIRTY)
#define _KERNPG_TABLE (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY)
/* pte_modify keeps these (_PAGE_CHG_MASK without the pfn) */
#define _PAGE_CHG_BITS (_PAGE_PCD | _PAGE_PWT | _PAGE_SPECIAL | \
			_PAGE_ACCESSED | _PAGE_DIRTY)

/* x86 page-fault error code (arch/x86/mm/fault.c enum x86_pf_error_code). */
#define PF_PROT 0x01u
#define PF_WRITE 0x02u
#define PF_USER 0x04u
#define PF_RSVD 0x08u
#define PF_INSTR 0x10u

/* Physical address width of the simulated CPU (reserved bits above it). */
#define KMM_MAXPHYADDR 36

/* Address-space split: the kernel part of a page directory. */
#define KERNEL_PGD_BOUNDARY_2L 768u     /* pgd_index(PAGE_OFFSET), 2-level */
#define KERNEL_PGD_BOUNDARY_PAE 3u

/* An access as the CPU performs it (the walk's input). */
enum {
	KMM_ACC_READ = 0,
	KMM_ACC_WRITE = 1u << 0,
	KMM_ACC_EXEC = 1u << 1,         /* instruction fetch */
	KMM_ACC_USER = 1u << 2,         /* CPL 3 */
};

/* The result of one hardware walk. */
struct pt_walk {
	bool fault;             /* the access raises #PF ... */
	unsigned int err;       /* ... with this error code (PF_*; 0 is the
				   code of a supervisor read of a non-present
				   page) */
	phys_addr_t pa;         /* translated address (no fault) */
	phys_addr_t page_pa;    /* base of the page it lies in */
	uint32_t page_size;     /* 4 KiB, or 4 MiB / 2 MiB for a large page */
	bool rw, us, nx;        /* effective rights over every level */
	bool global, dirty;     /* of the leaf entry */
	int nr;                 /* entries read, top down */
	ptep_t ep[3];
	pteval_t ev[3];         /* their values before the walk set A/D */
};

/* ---- geometry ---- */
unsigned int ptrs_per_pgd(const struct kmm *k);
unsigned int ptrs_per_pmd(const struct kmm *k);    /* 1 without PAE */
unsigned int ptrs_per_pte(const struct kmm *k);
unsigned int pgtable_levels(const struct kmm *k);  /* 2 or 3 */
unsigned int kernel_pgd_boundary(const struct kmm *k);
uint32_t pmd_size(const struct kmm *k);            /* PMD_SIZE */
unsigned int pgd_index(const struct kmm *k, vaddr_t va);
unsigned int pmd_index(const struct kmm *k, vaddr_t va);
unsigned int pte_index(const struct kmm *k, vaddr_t va);

/* ---- entries ---- */
pteval_t pte_get(const struct kmm *k, ptep_t ep);
void set_pte(struct kmm *k, ptep_t ep, pteval_t v);     /* also set_pmd/pgd */
static inline void pte_clear(struct kmm *k, ptep_t ep) { set_pte(k, ep, 0); }
/* PTE_PFN_MASK: the address bits of an entry as the kernel reads them */
phys_addr_t pt_addr_mask(const struct kmm *k);
/* The frame an entry points to, and an entry for a frame. */
unsigned long pte_pfn(const struct kmm *k, pteval_t v);
pteval_t pfn_pte(const struct kmm *k, unsigned long pfn, pteval_t prot);
static inline bool pte_none(pteval_t v) { return v == 0; }
/* present to the kernel: P or PROT_NONE (pte level only) */
static inline bool pte_present(pteval_t v)
{
	return v & (_PAGE_PRESENT | _PAGE_PROTNONE);
}
static inline bool pte_write(pteval_t v) { return v & _PAGE_RW; }
static inline bool pte_dirty(pteval_t v) { return v & _PAGE_DIRTY; }
static inline bool pte_young(pteval_t v) { return v & _PAGE_ACCESSED; }
static inline bool pte_special(pteval_t v) { return v & _PAGE_SPECIAL; }
/* __supported_pte_mask & _PAGE_NX: NX exists only with PAE */
pteval_t pte_nx_mask(const struct kmm *k);
/* PAGE_KERNEL / PAGE_KERNEL_EXEC with this machine's supported bits */
pteval_t pgprot_kernel(const struct kmm *k);
pteval_t pgprot_kernel_exec(const struct kmm *k);

/* ---- the kernel's tables ---- */
phys_addr_t swapper_pg_dir(const struct kmm *k);
unsigned long zero_pfn(const struct kmm *k);            /* empty_zero_page */
/* Frames boot took from memblock for page tables (reserved). */
unsigned long pgtable_boot_pages(const struct kmm *k);
/* The PMD-level entry (PDE) covering va in the directory at pgd_pa; 0 when
 * a PAE PDPT entry is empty. */
ptep_t pmd_offset(const struct kmm *k, phys_addr_t pgd_pa, vaddr_t va);
/* The pte of va under a present, non-large PMD entry value. */
ptep_t pte_offset(const struct kmm *k, pteval_t pmdval, vaddr_t va);
/* lookup_address: the leaf entry mapping a kernel address in swapper_pg_dir
 * (a pte, or a large PDE with *large set); 0 when no table covers it. */
ptep_t lookup_address(const struct kmm *k, vaddr_t va, bool *large);
/* pte_alloc_kernel: the pte slot of a kernel address, allocating the page
 * table into swapper_pg_dir only (other directories pick it up through
 * vmalloc_fault or vmalloc_sync_all); 0 when out of memory. */
ptep_t pte_alloc_kernel(struct kmm *k, vaddr_t va);
/* vmalloc_sync_all: push swapper's kernel PMD entries for
 * [VMALLOC_START, FIXADDR_TOP) into every directory (no-op with a shared
 * kernel PMD). */
void vmalloc_sync_all(struct kmm *k);

/* ---- the hardware walk ----
 * Translates va for an access (KMM_ACC_*) through the tables at cr3 as the
 * CPU does with CR0.WP=1: P, reserved bits, RW, US and NX over all levels.
 * pdpte: the CPU's PDPTE registers (PAE), or NULL to read them from cr3.
 * With set_ad, a successful walk sets Accessed in every entry used and
 * Dirty in the leaf for a write; a failed walk changes nothing.
 * Returns true when the access is allowed (w->fault clear). */
bool pgtable_walk(struct kmm *k, phys_addr_t cr3, const pteval_t *pdpte,
			  vaddr_t va, unsigned int acc, bool set_ad,
			  struct pt_walk *w);

#endif
