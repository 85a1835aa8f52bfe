/* kmm/types.h — basic types and constants of the simulated i386 machine.
 *
 * Simulated addresses are i386 addresses: a virtual address is 32 bits,
 * a physical address is 64 bits wide so PAE entries can hold it. Nothing in
 * the simulation depends on a host address.
 */
#ifndef KMM_TYPES_H
#define KMM_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint32_t vaddr_t;       /* i386 virtual address ("unsigned long") */
typedef uint64_t phys_addr_t;   /* physical address (64-bit for PAE) */
typedef uint32_t gfp_t;         /* GFP mask, 3.x bit values (gfp.h) */

#define PAGE_SHIFT 12
#define PAGE_SIZE (1u << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define PFN_DOWN(x) ((x) >> PAGE_SHIFT)
#define PFN_UP(x) (((x) + PAGE_SIZE - 1) >> PAGE_SHIFT)
#define PFN_PHYS(pfn) ((phys_addr_t)(pfn) << PAGE_SHIFT)

#define KMM_KB 1024ull
#define KMM_MB (1024ull * 1024)

/* NR_CPUS of the modelled kernel build: the fixmap (and so PKMAP_BASE) is
 * sized for it, whatever number of CPUs a machine brings up. */
#define KMM_NR_CPUS 8

/* Doubly linked list as the kernel's <linux/list.h>; entries are host
 * pointers into the machine's own arrays, so order is deterministic. */
struct list_head {
	struct list_head *next, *prev;
};

static inline void INIT_LIST_HEAD(struct list_head *h)
{
	h->next = h;
	h->prev = h;
}

static inline bool list_empty(const struct list_head *h)
{
	return h->next == h;
}

#define kmm_container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#endif
