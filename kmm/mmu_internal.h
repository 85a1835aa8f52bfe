/* mmu_internal.h — private state and cross-file helpers of the MMU,
 * address-space and fault code (pgtable.c, tlb.c, mmap.c, memory.c,
 * filemap.c, fork.c, fault.c, mmu.c, mmu_check.c).
 *
 * Everything here hangs off k->mmu.  Host objects (mm_structs, VMAs,
 * anon_vmas, files, devices) exist only after boot, so mmu_reset() frees
 * them all; the frames they used are restored by the memmap/frame undo log.
 */
#ifndef KMM_MMU_INTERNAL_H
#define KMM_MMU_INTERNAL_H

#include "internal.h"
#include "kmm/fault.h"
#include "kmm/highmem.h"

RB_PROTOTYPE(vma_tree, vm_area_struct, vm_rb, vma_cmp)

/* ---- host-side lists (never touch struct page) ---- */
static inline void mlist_add_tail(struct list_head *n, struct list_head *h)
{
	n->prev = h->prev;
	n->next = h;
	h->prev->next = n;
	h->prev = n;
}

static inline void mlist_del(struct list_head *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n->prev = n;
}

/* ---- TLB ---- */
enum {
	TLB_RW = 1u << 0,
	TLB_US = 1u << 1,
	TLB_NX = 1u << 2,
	TLB_DIRTY = 1u << 3,
	TLB_GLOBAL = 1u << 4,
};

struct tlb_entry {
	uint32_t gen;           /* valid while equal to the CPU's gen */
	vaddr_t tag;            /* va >> shift */
	uint8_t shift;          /* 12, or PMD_SHIFT for a large page */
	uint8_t perm;           /* TLB_* */
	phys_addr_t pa;         /* base of the frame (or large page) */
};

struct cpu_mmu {
	phys_addr_t cr3;
	pteval_t pdpte[4];      /* PAE PDPTE registers, loaded with CR3 */
	struct mm_struct *mm;   /* loaded mm; NULL: init_mm */
	uint32_t gen;           /* bumping it empties the TLB in O(1) */
	unsigned int next;      /* round-robin victim */
	vaddr_t user_sp;
	struct tlb_entry tlb[KMM_TLB_ENTRIES];
	struct tlb_stats stats;
};

/* ---- files, page cache, devices, anon_vmas ---- */
enum kmm_file_kind { KMM_FILE_REG, KMM_FILE_SHMEM, KMM_FILE_DEV, KMM_FILE_VMALLOC };

struct kmm_device {
	phys_addr_t base;
	uint32_t size;
	uint8_t *mem;
	bool fault_mapped;
};

struct kmm_file {
	enum kmm_file_kind kind;
	unsigned int id;
	int refs;
	uint64_t i_size;
	uint8_t *disk;                  /* REG: on-disk contents (i_size) */
	uint64_t disk_size;
	struct page **cache;            /* page cache, by page index */
	unsigned long cache_len;        /* slots in cache[] */
	unsigned long nrpages;
	struct kmm_device dev;          /* DEV */
	vaddr_t vbuf;                   /* VMALLOC: the exported buffer */
	uint32_t vbuf_size;             /* VMALLOC: 0: remap_vmalloc_range */
	struct list_head i_mmap;        /* VMAs mapping it */
	struct list_head list;          /* the machine's file list */
};

struct anon_vma {
	unsigned int id;
	unsigned int nr_chained;        /* VMAs whose chain holds it */
	struct list_head list;
};

static inline struct anon_vma *page_anon_vma(const struct page *p)
{
	return (struct anon_vma *)((uintptr_t)p->mapping & ~(uintptr_t)PAGE_MAPPING_ANON);
}

struct kmm_mmu {
	pteval_t nx_mask;
	pteval_t protection_map[16];
	phys_addr_t swapper_pa;
	unsigned long kernel_pmd_pfn;   /* PAE */
	bool shared_kernel_pmd;         /* PAE: SHARED_KERNEL_PMD */
	unsigned long zero_pfn;
	unsigned long boot_pgtable_pages;
	struct cpu_mmu cpu[KMM_NR_CPUS];
	struct list_head mms, files, anon_vmas;
	unsigned int nr_mms;
	unsigned int next_mm_id, next_file_id, next_av_id;
	unsigned long nr_file_pages, nr_shmem_pages;   /* NR_FILE_PAGES, NR_SHMEM */
	unsigned long nr_frames;        /* frames the MMU code holds: user page
					   tables, user pages, the page cache */
	struct fault_stats fstats;
};

static inline struct kmm_mmu *MMU(const struct kmm *k) { return k->mmu; }

/* ---- pgtable.c ---- */
void paging_init(struct kmm *k);                /* boot */
/* pgd_alloc/pgd_free for a new mm (0 when out of memory). */
phys_addr_t pgd_alloc(struct kmm *k, struct mm_struct *mm);
void pgd_free(struct kmm *k, struct mm_struct *mm);
/* The PMD entry for va in mm, allocating a PAE pmd; 0 on ENOMEM. */
ptep_t pmd_alloc(struct kmm *k, struct mm_struct *mm, vaddr_t va);
/* The pte slot for va, allocating the pte table; 0 on ENOMEM. */
ptep_t pte_alloc_map(struct kmm *k, struct mm_struct *mm, vaddr_t va);
bool pmd_large(pteval_t v);
ptep_t vmalloc_sync_one(struct kmm *k, phys_addr_t pgd_pa, vaddr_t address);

/* ---- tlb.c ---- */
void tlb_init_cpus(struct kmm *k);
void tlb_reset(struct kmm *k);
bool tlb_entry_get(const struct kmm *k, unsigned int cpu, unsigned int i,
		   struct tlb_info *out);

/* ---- mmap.c ---- */
struct vm_area_struct *vma_alloc(struct kmm *k);
void vma_free(struct kmm *k, struct vm_area_struct *vma);
void vma_link_tree(struct kmm *k, struct mm_struct *mm,
		   struct vm_area_struct *vma);
int anon_vma_prepare(struct kmm *k, struct vm_area_struct *vma);
int anon_vma_clone(struct kmm *k, struct vm_area_struct *dst,
		   const struct vm_area_struct *src);
int anon_vma_fork(struct kmm *k, struct vm_area_struct *vma,
		  const struct vm_area_struct *pvma);
void unlink_anon_vmas(struct kmm *k, struct vm_area_struct *vma);
int security_vm_enough_memory(struct kmm *k, long pages);
int expand_stack(struct kmm *k, struct vm_area_struct *vma, vaddr_t address);
void remove_vma(struct kmm *k, struct vm_area_struct *vma);
static inline bool is_cow_mapping(unsigned long flags)
{
	return (flags & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE;
}
static inline unsigned long linear_page_index(const struct vm_area_struct *vma,
					      vaddr_t address)
{
	return ((address - vma->vm_start) >> PAGE_SHIFT) + vma->vm_pgoff;
}

/* ---- memory.c ---- */
/* A normal page found through a user pte that is neither anonymous nor in
 * a page cache: a kernel page vm_insert_page mapped.  Its references are
 * its owner's (a vmalloc area, a driver) plus one per pte; it is not one
 * of the frames the MMU code holds (nr_frames).  Decided while the pte is
 * there: a truncated page-cache page loses its mapping too. */
static inline bool pte_kernel_page(const struct page *p)
{
	return !p->mapping;
}

struct mmu_gather {
	struct mm_struct *mm;
	bool fullmm, need_flush;
	struct gather_page {
		struct page *page;
		bool kernel;            /* pte_kernel_page when zapped */
	} *pages;
	size_t nr, cap;
};
void tlb_gather_mmu(struct mmu_gather *tlb, struct mm_struct *mm, bool fullmm);
void tlb_finish_mmu(struct kmm *k, struct mmu_gather *tlb);
/* zap the ptes of [start, end) in each VMA of vmas[0..n) */
void unmap_vmas(struct kmm *k, struct mmu_gather *tlb,
		struct vm_area_struct **vmas, size_t n, vaddr_t start,
		vaddr_t end);
void zap_page_range(struct kmm *k, struct vm_area_struct *vma, vaddr_t start,
		    vaddr_t end);
void free_pgtables(struct kmm *k, struct mmu_gather *tlb,
		   struct vm_area_struct **vmas, size_t n, vaddr_t floor,
		   vaddr_t ceiling);
int copy_page_range(struct kmm *k, struct mm_struct *dst,
		    struct mm_struct *src, struct vm_area_struct *vma);
void change_protection(struct kmm *k, struct vm_area_struct *vma,
		       vaddr_t start, vaddr_t end, pteval_t newprot,
		       bool dirty_accountable);
vaddr_t move_page_tables(struct kmm *k, struct vm_area_struct *vma,
			 vaddr_t old_addr, struct vm_area_struct *new_vma,
			 vaddr_t new_addr, vaddr_t len);
struct page *vm_normal_page(struct kmm *k, struct vm_area_struct *vma,
			    vaddr_t addr, pteval_t pte);
/* Every frame the MMU code owns comes from mmu_alloc_page and every
 * reference it drops goes through put_user_page, which keeps nr_frames. */
struct page *mmu_alloc_page(struct kmm *k, gfp_t gfp);
void put_user_page(struct kmm *k, struct page *page);
/* drops a pte's reference: put_user_page, or put_page for a kernel page */
void put_pte_page(struct kmm *k, struct page *page, bool kernel);
void page_set_flag(struct kmm *k, struct page *page, enum pageflags f);
bool vma_wants_writenotify(const struct kmm *k, const struct vm_area_struct *vma);

/* ---- filemap.c ---- */
int file_mmap(struct kmm *k, struct kmm_file *f, struct vm_area_struct *vma);
int file_fault(struct kmm *k, struct vm_area_struct *vma, vaddr_t address,
	       unsigned long pgoff, unsigned int flags, struct page **pagep);
struct kmm_file *shmem_file_create(struct kmm *k, uint64_t size);
bool file_has_fault(const struct kmm_file *f);
void file_link_vma(struct kmm_file *f, struct vm_area_struct *vma);
void file_unlink_vma(struct kmm_file *f, struct vm_area_struct *vma);
void set_page_dirty(struct kmm *k, struct page *page);
struct kmm_device *device_at(struct kmm *k, phys_addr_t pa);
void files_free_all(struct kmm *k);

/* ---- fork.c ---- */
void mm_free_host(struct kmm *k, struct mm_struct *mm);
void mms_free_all(struct kmm *k);

/* ---- mmu_check.c ---- */
void tlb_check(struct kmm *k);

#endif
