/* kmm/layout.h — the i386 virtual and physical layout of a machine.
 *
 * Computed as Linux 3.2 computes it (arch/x86/mm/init_32.c
 * find_low_pfn_range, pgtable_32_types.h, fixmap.h, highmem.h) for a
 * CONFIG_HIGHMEM (or HIGHMEM64G with PAE) build with NR_CPUS=8,
 * KM_TYPE_NR=20, LOCAL_APIC, IO_APIC (64), PCI_MMCONFIG, PARAVIRT.
 * Simplification: no e820 holes; RAM is one range [0, max_pfn).
 */
#ifndef KMM_LAYOUT_H
#define KMM_LAYOUT_H

#include <stdio.h>
#include "types.h"

#define PAGE_OFFSET 0xC0000000u
#define TASK_SIZE PAGE_OFFSET
#define VMALLOC_OFFSET (8u << 20)
#define __VMALLOC_RESERVE_DEFAULT (128u << 20)
#define __FIXADDR_TOP 0xFFFFF000u
#define MAX_DMA_PFN 4096u               /* 16 MiB: ZONE_DMA ends here */
#define MAX_NONPAE_PFN (1u << 20)
#define KM_TYPE_NR 20                   /* 2.6.35 .. 5.10 */

/* fixmap indices of the modelled 3.2 build (enum fixed_addresses) */
enum kmm_fixmap {
	FIX_HOLE,
	FIX_VDSO,
	FIX_DBGP_BASE,
	FIX_EARLYCON_MEM_BASE,
	FIX_APIC_BASE,
	FIX_IO_APIC_BASE_0,
	FIX_IO_APIC_BASE_END = FIX_IO_APIC_BASE_0 + 64 - 1,
	FIX_KMAP_BEGIN,
	FIX_KMAP_END = FIX_KMAP_BEGIN + KM_TYPE_NR * KMM_NR_CPUS - 1,
	FIX_PCIE_MCFG,
	FIX_PARAVIRT_BOOTMAP,
	FIX_TEXT_POKE1,
	FIX_TEXT_POKE0,
	__end_of_permanent_fixed_addresses,
};
#define TOTAL_FIX_BTMAPS 256            /* NR_FIX_BTMAPS 64 * 4 slots */

struct kmm_layout {
	bool pae;
	unsigned int ptrs_per_pte;      /* 1024, or 512 with PAE */
	uint32_t pmd_size;              /* 4 MiB, or 2 MiB with PAE */
	unsigned int last_pkmap;        /* LAST_PKMAP: 1024, or 512 with PAE */
	uint32_t vmalloc_reserve;       /* __VMALLOC_RESERVE */
	uint32_t maxmem;                /* MAXMEM */
	unsigned long max_pfn;          /* RAM size in frames */
	unsigned long max_low_pfn;      /* end of lowmem */
	unsigned long highstart_pfn, highend_pfn;
	unsigned int end_of_fixed;      /* __end_of_fixed_addresses */
	vaddr_t high_memory;
	vaddr_t vmalloc_start, vmalloc_end;
	vaddr_t pkmap_base;
	vaddr_t fixaddr_top, fixaddr_start, fixaddr_boot_start;
};

/* vmalloc_reserve: the `vmalloc=` boot parameter in bytes (0: not given). */
int kmm_layout_compute(struct kmm_layout *l, uint64_t ram_bytes, bool pae,
		       uint64_t vmalloc_param);

static inline vaddr_t __fix_to_virt(const struct kmm_layout *l, unsigned idx)
{
	return l->fixaddr_top - (idx << PAGE_SHIFT);
}

static inline vaddr_t PKMAP_ADDR(const struct kmm_layout *l, unsigned n)
{
	return l->pkmap_base + n * PAGE_SIZE;
}

/* The table the kernel prints at boot ("virtual kernel memory layout"). */
void kmm_layout_print(const struct kmm_layout *l, FILE *f);

#endif
