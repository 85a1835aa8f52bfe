/* kmm/memblock.h — the boot-time allocator, as mm/memblock.c.
 *
 * Two sorted, merged region arrays (memory, reserved).  Allocation is
 * top-down below current_limit (the end of lowmem), as the kernel's default.
 * After boot, memblock_free_all() hands every unreserved frame to the buddy
 * allocator.
 */
#ifndef KMM_MEMBLOCK_H
#define KMM_MEMBLOCK_H

#include "types.h"

#define MEMBLOCK_MAX_REGIONS 64

struct memblock_region {
	phys_addr_t base, size;
};

struct memblock_type {
	unsigned int cnt;
	phys_addr_t total_size;
	struct memblock_region regions[MEMBLOCK_MAX_REGIONS];
};

struct memblock {
	phys_addr_t current_limit;
	struct memblock_type memory, reserved;
};

void memblock_init(struct memblock *mb, phys_addr_t limit);
int memblock_add(struct memblock *mb, phys_addr_t base, phys_addr_t size);
int memblock_reserve(struct memblock *mb, phys_addr_t base, phys_addr_t size);
bool memblock_is_reserved(const struct memblock *mb, phys_addr_t addr);
/* Top-down, aligned, below current_limit; reserves it. 0 on failure
 * (frame 0 is always reserved, so 0 is never a valid answer). */
phys_addr_t memblock_alloc(struct memblock *mb, phys_addr_t size,
			   phys_addr_t align);
/* Calls fn for each free range [start, end) in ascending order. */
void memblock_for_each_free(const struct memblock *mb,
			    void (*fn)(void *arg, phys_addr_t s, phys_addr_t e),
			    void *arg);

#endif
