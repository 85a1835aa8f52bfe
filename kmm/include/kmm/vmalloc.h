/* kmm/vmalloc.h — vmalloc, vmap and ioremap: virtually contiguous kernel
 * mappings in [VMALLOC_START, VMALLOC_END).
 *
 * Modelled on Linux 6.6 mm/vmalloc.c (which 3.2's shares in behaviour):
 *  - vmap areas live in three address-ordered trees: busy, lazily freed
 *    ("purge") and free; the free tree is augmented with the largest free
 *    size below each node and an allocation takes the lowest-addressed free
 *    area it fits in, alignment honoured; every area but VM_NO_GUARD ones
 *    is followed by an unmapped guard page;
 *  - metadata is allocated where the kernel allocates it: vmap_area objects
 *    from a "vmap_area" cache (with the per-CPU ne_fit_preload_node), the
 *    vm_struct with kzalloc, the pages array with kmalloc or, above a page,
 *    a nested vmalloc; vmalloc pages come one at a time from the buddy
 *    allocator (highmem unless GFP_DMA/GFP_DMA32), mapped PAGE_KERNEL into
 *    swapper_pg_dir only: other page directories pick the page tables up
 *    through the i386 vmalloc_fault path;
 *  - freeing unmaps the ptes at once but frees the address range lazily:
 *    the area sits in the purge tree (vmap_lazy_nr counts its pages, guard
 *    included) until more than lazy_max_pages() = fls(CPUs) * 32 MiB are
 *    pending, or an allocation finds no room, or vm_unmap_aliases(); the
 *    purge does one flush_tlb_kernel_range over the purged span, and only
 *    then are the addresses merged back into the free tree.  So a stale
 *    TLB entry can exist only for a lazily freed address, never for one
 *    that is allocated again;
 *  - ioremap is the x86 one: refused on RAM pages that are not
 *    PageReserved, the ISA hole is returned through the direct map, other
 *    ranges are mapped uncached-minus (PCD) in a VM_IOREMAP area aligned to
 *    its size up to IOREMAP_MAX_ORDER (128 pages).  Device memory is what
 *    kmm_device_create() (mm.h) puts on the physical bus;
 *  - remap_vmalloc_range maps the pages of a VM_USERMAP area into a user
 *    VMA with vm_insert_page (mm.h): each user pte holds a reference, so
 *    a vfree while mapped frees the pages only at the last munmap.
 * Simplifications, said once:
 *  - the vmap_area cache is created at the first use after boot or reset
 *    (the kernel creates it in vmalloc_init), and the free area covering
 *    the whole range at boot is a static object;
 *  - the drain the kernel queues as a work item past the lazy threshold
 *    runs synchronously; no vm_map_ram blocks, no huge vmalloc mappings,
 *    no NUMA nodes, no bulk page allocation (6.6 uses the bulk allocator
 *    first; 3.2 allocates page by page as here); the pages array's
 *    contents are kept host side (its memory is allocated all the same);
 *  - misuse the kernel only WARNs about (vfree of a bad or unknown
 *    address, vunmap of a vmalloc area, iounmap of a non-ioremap area)
 *    is reported through kmm_bug(), as is any call that might sleep while
 *    a kmap_atomic is held (might_sleep, highmem.h).
 */
#ifndef KMM_VMALLOC_H
#define KMM_VMALLOC_H

#include "pgtable.h"
#include "mm_types.h"

struct kmm;
struct vm_area_struct;

/* vm_struct flags (6.6 include/linux/vmalloc.h) */
#define VM_IOREMAP 0x00000001ul
#define VM_ALLOC 0x00000002ul
#define VM_MAP 0x00000004ul
#define VM_USERMAP 0x00000008ul
#define VM_DMA_COHERENT 0x00000010ul
#define VM_UNINITIALIZED 0x00000020ul
#define VM_NO_GUARD 0x00000040ul
#define VM_FLUSH_RESET_PERMS 0x00000100ul

#define IOREMAP_MAX_ORDER (7 + PAGE_SHIFT)     /* generic; x86-32 */
#define SHMLBA PAGE_SIZE                       /* x86 */

/* A vmalloc/vmap/ioremap area.  Callers read it, never write it. */
struct vm_struct {
	vaddr_t addr;
	uint32_t size;                  /* guard page included */
	unsigned long flags;            /* VM_* */
	struct page **pages;            /* VM_ALLOC: the backing pages */
	unsigned int nr_pages;
	phys_addr_t phys_addr;          /* VM_IOREMAP */
	/* simulator: where the kernel's own objects are */
	vaddr_t obj;                    /* the kzalloc'ed struct vm_struct */
	vaddr_t pages_obj;              /* the pages array (kmalloc or vmalloc) */
	bool pages_vmalloced;
	struct page **mapped;           /* VM_MAP: the pages vmap() mapped */
	unsigned int nr_mapped;
	pteval_t prot;                  /* of the mapped pages */
};

/* ---- vmalloc ---- */
vaddr_t vmalloc(struct kmm *k, unsigned long size);
vaddr_t vzalloc(struct kmm *k, unsigned long size);
vaddr_t vmalloc_user(struct kmm *k, unsigned long size);      /* VM_USERMAP, zeroed */
vaddr_t vmalloc_32(struct kmm *k, unsigned long size);        /* lowmem pages */
vaddr_t vmalloc_32_user(struct kmm *k, unsigned long size);
vaddr_t __vmalloc(struct kmm *k, unsigned long size, gfp_t gfp);
/* The general form: align is a power of two (below PAGE_SIZE means page
 * aligned), [start, end) inside the vmalloc range. */
vaddr_t __vmalloc_node_range(struct kmm *k, unsigned long size,
			     unsigned long align, vaddr_t start, vaddr_t end,
			     gfp_t gfp, pteval_t prot, unsigned long vm_flags);
void vfree(struct kmm *k, vaddr_t addr);

/* kvmalloc: kmalloc, falling back to vmalloc above a page (6.6). */
vaddr_t kvmalloc(struct kmm *k, size_t size, gfp_t gfp);
vaddr_t kvzalloc(struct kmm *k, size_t size, gfp_t gfp);
void kvfree(struct kmm *k, vaddr_t addr);

/* ---- vmap ---- */
vaddr_t vmap(struct kmm *k, struct page **pages, unsigned int count,
	     unsigned long flags, pteval_t prot);
void vunmap(struct kmm *k, vaddr_t addr);

/* ---- areas ---- */
struct vm_struct *get_vm_area(struct kmm *k, unsigned long size,
			      unsigned long flags);
/* The busy area containing addr, or NULL. */
struct vm_struct *find_vm_area(struct kmm *k, vaddr_t addr);
void free_vm_area(struct kmm *k, struct vm_struct *area);
/* Purges every lazily freed area now (one kernel TLB flush). */
void vm_unmap_aliases(struct kmm *k);
unsigned long lazy_max_pages(const struct kmm *k);

/* ---- into user space ----
 * remap_vmalloc_range_partial (6.6): maps size bytes (page aligned up) of
 * the area containing kaddr, from kaddr + pgoff pages, at uaddr of vma,
 * page by page with vm_insert_page, then sets VM_DONTEXPAND|VM_DONTDUMP.
 * -EINVAL when pgoff << PAGE_SHIFT overflows, uaddr or kaddr is not page
 * aligned, kaddr is in no area, the area is not VM_USERMAP (vmalloc_user,
 * vmalloc_32_user) or VM_DMA_COHERENT, or size + pgoff pages overflow or
 * pass the area's size (guard page excluded); vm_insert_page's errors
 * otherwise, with the pages inserted so far left in place (the mmap that
 * fails unmaps them).  A size of 0 is a caller bug (the kernel's loop
 * would run past the VMA). */
int remap_vmalloc_range_partial(struct kmm *k, struct vm_area_struct *vma,
				vaddr_t uaddr, vaddr_t kaddr, unsigned long pgoff,
				unsigned long size);
/* all of the VMA, from page pgoff of the area at addr */
int remap_vmalloc_range(struct kmm *k, struct vm_area_struct *vma,
			vaddr_t addr, unsigned long pgoff);

/* ---- lookups ---- */
bool is_vmalloc_addr(const struct kmm *k, vaddr_t addr);
/* The page mapped at a vmalloc address (NULL: none, or not RAM). */
struct page *vmalloc_to_page(struct kmm *k, vaddr_t addr);
/* The frame mapped there, RAM or device (0 when nothing is mapped). */
unsigned long vmalloc_to_pfn(struct kmm *k, vaddr_t addr);

/* ---- ioremap ---- */
/* An uncached mapping of [phys, phys+size), or 0 (RAM, bad range, no
 * room).  The returned address keeps phys's offset in its page. */
vaddr_t ioremap(struct kmm *k, phys_addr_t phys, unsigned long size);
void iounmap(struct kmm *k, vaddr_t addr);

/* ---- state, for tests and the fuzzer ---- */
struct vmalloc_info {
	unsigned long vmap_lazy_nr;     /* pages in lazily freed areas */
	unsigned long nr_vmalloc_pages; /* pages backing VM_ALLOC areas */
	unsigned long nr_busy, nr_lazy, nr_free;        /* areas per tree */
	unsigned long purges;           /* __purge_vmap_area_lazy runs that
					   purged something */
	unsigned long purged_areas;
	unsigned long alloc_failures;   /* alloc_vmap_area found no room */
	uint32_t largest_free;          /* largest free area (bytes) */
};
void vmalloc_info(struct kmm *k, struct vmalloc_info *out);
/* Where an address is: 1 busy, 2 lazily freed, 3 free, 0 outside. */
int vmalloc_addr_state(struct kmm *k, vaddr_t addr);
/* The free areas in address order: fills up to max [start, end) pairs,
 * returns how many there are. */
unsigned long vmalloc_free_areas(struct kmm *k, vaddr_t (*out)[2],
				 unsigned long max);

/* The sweep: trees disjoint, in range, covering the range exactly,
 * merged, augmented; busy areas guarded, each pte mapping what its area
 * says, each VM_ALLOC page owned by exactly one area and counted; lazy and
 * free ranges unmapped; the lazy count; no TLB entry for a vmalloc address
 * that disagrees with the tables unless the address is lazily freed;
 * every VM_ALLOC page holds its area's reference plus one per user pte
 * (remap_vmalloc_range), and nothing else. */
void vmalloc_check(struct kmm *k);

#endif
