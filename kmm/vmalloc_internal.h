/* vmalloc_internal.h — private state of vmalloc.c and vmalloc_check.c.
 *
 * Everything hangs off k->vmalloc.  Host vmap_area and vm_struct records
 * mirror the kernel's objects (whose simulated memory is in the slab);
 * vmalloc_reset() frees every record made since boot and puts back the
 * boot state: one free area covering [VMALLOC_START, VMALLOC_END).
 */
#ifndef KMM_VMALLOC_INTERNAL_H
#define KMM_VMALLOC_INTERNAL_H

#include <bsd/sys/tree.h>
#include "internal.h"
#include "kmm/vmalloc.h"
#include "kmm/highmem.h"
#include "kmm/slab.h"
#include "kmm/tlb.h"

enum va_where { VA_NONE, VA_BUSY, VA_PURGE, VA_FREE };

struct vmap_area {
	vaddr_t va_start, va_end;       /* [start, end), page aligned */
	RB_ENTRY(vmap_area) rb;
	uint32_t subtree_max_size;      /* free tree: largest size below */
	struct vm_struct *vm;           /* busy */
	vaddr_t obj;                    /* "vmap_area" object; 0: static */
	uint8_t where;                  /* enum va_where */
};
RB_HEAD(va_tree, vmap_area);
RB_PROTOTYPE(va_tree, vmap_area, rb, va_cmp)

struct vmalloc_state {
	struct va_tree busy, purge, free;
	unsigned long nr[4];            /* areas per enum va_where */
	struct kmem_cache *cachep;      /* NULL until first use */
	struct vmap_area *preload[KMM_NR_CPUS]; /* ne_fit_preload_node */
	unsigned long vmap_lazy_nr;
	unsigned long nr_vmalloc_pages;
	unsigned long purges, purged_areas, alloc_failures;
};

static inline struct vmalloc_state *VM(const struct kmm *k)
{
	return k->vmalloc;
}

static inline uint32_t va_size(const struct vmap_area *va)
{
	return va->va_end - va->va_start;
}

/* the area of a tree containing addr, or NULL */
struct vmap_area *va_find(struct va_tree *t, vaddr_t addr);

/* sizeof(struct vm_struct) of the modelled i386 build (phys_addr_t is 64
 * bits with PAE) and sizeof(struct vmap_area) */
#define VMAP_AREA_SIZE 36u
static inline size_t vm_struct_size(const struct kmm *k)
{
	return k->layout.pae ? 36 : 32;
}

#endif
