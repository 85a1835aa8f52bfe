/* layout.c — i386 virtual layout, as Linux 3.2 computes it.
 *
 * Sources of each rule: arch/x86/include/asm/pgtable_32_types.h (MAXMEM,
 * VMALLOC_START/END), fixmap.h (FIXADDR_*, the btmap rounding), highmem.h
 * (PKMAP_BASE), mm/pgtable_32.c (`vmalloc=` adds VMALLOC_OFFSET),
 * mm/init_32.c (find_low_pfn_range, initmem_init).
 */
#include "kmm/layout.h"

/* 3.2 fixmap.h: the btmap slots are rounded only when they would cross a
 * page-table boundary. */
static unsigned int end_of_fixed_addresses(unsigned int ptrs_per_pte)
{
	unsigned int p = __end_of_permanent_fixed_addresses;
	unsigned int btmap_end = p;

	if ((p ^ (p + TOTAL_FIX_BTMAPS - 1)) & -ptrs_per_pte)
		btmap_end = p + TOTAL_FIX_BTMAPS - (p & (TOTAL_FIX_BTMAPS - 1));
	/* FIX_BTMAP_BEGIN = end + 255, then FIX_WP_TEST, then the end */
	return btmap_end + TOTAL_FIX_BTMAPS - 1 + 2;
}

int kmm_layout_compute(struct kmm_layout *l, uint64_t ram_bytes, bool pae,
		       uint64_t vmalloc_param)
{
	*l = (struct kmm_layout){0};
	if (ram_bytes < 4 * KMM_MB || ram_bytes > 4096 * KMM_MB)
		return -1;
	l->pae = pae;
	l->ptrs_per_pte = pae ? 512 : 1024;
	l->pmd_size = pae ? (2u << 20) : (4u << 20);
	l->last_pkmap = pae ? 512 : 1024;

	l->fixaddr_top = __FIXADDR_TOP;
	l->fixaddr_start = __FIXADDR_TOP -
		((uint32_t)__end_of_permanent_fixed_addresses << PAGE_SHIFT);
	l->end_of_fixed = end_of_fixed_addresses(l->ptrs_per_pte);
	l->fixaddr_boot_start = __FIXADDR_TOP - (l->end_of_fixed << PAGE_SHIFT);
	l->pkmap_base = (l->fixaddr_boot_start -
			 PAGE_SIZE * (l->last_pkmap + 1)) & ~(l->pmd_size - 1);
	l->vmalloc_end = l->pkmap_base - 2 * PAGE_SIZE;

	/* 2.6.28+: vmalloc=X reserves X plus the 8 MiB VMALLOC_OFFSET gap */
	uint64_t reserve = vmalloc_param ? vmalloc_param + VMALLOC_OFFSET
					 : __VMALLOC_RESERVE_DEFAULT;
	uint64_t span = (uint64_t)l->vmalloc_end - PAGE_OFFSET;
	if (reserve + 4 * KMM_MB > span)
		return -1;      /* the kernel would have no lowmem left */
	l->vmalloc_reserve = (uint32_t)reserve;
	l->maxmem = (uint32_t)(span - reserve);

	unsigned long maxmem_pfn = PFN_DOWN(l->maxmem);
	l->max_pfn = (unsigned long)(ram_bytes >> PAGE_SHIFT);
	if (l->max_pfn <= maxmem_pfn) {
		l->max_low_pfn = l->max_pfn;        /* lowmem_pfn_init */
	} else {
		l->max_low_pfn = maxmem_pfn;        /* highmem_pfn_init */
		if (!pae && l->max_pfn > MAX_NONPAE_PFN)
			l->max_pfn = MAX_NONPAE_PFN;
	}
	l->highstart_pfn = l->max_low_pfn;
	l->highend_pfn = l->max_pfn;
	/* initmem_init: high_memory = __va(highstart_pfn * PAGE_SIZE - 1) + 1 */
	l->high_memory = PAGE_OFFSET + (vaddr_t)(l->max_low_pfn << PAGE_SHIFT);
	l->vmalloc_start = l->high_memory + VMALLOC_OFFSET;
	return 0;
}

static void line(FILE *f, const char *name, vaddr_t a, vaddr_t b)
{
	uint32_t kb = (b - a) >> 10;

	if (kb >= 10 * 1024)
		fprintf(f, "    %-8s: 0x%08x - 0x%08x   (%5u MB)\n", name, a, b,
			kb >> 10);
	else
		fprintf(f, "    %-8s: 0x%08x - 0x%08x   (%5u kB)\n", name, a, b,
			kb);
}

void kmm_layout_print(const struct kmm_layout *l, FILE *f)
{
	fprintf(f, "virtual kernel memory layout (%s):\n",
		l->pae ? "PAE" : "non-PAE");
	line(f, "fixmap", l->fixaddr_start, l->fixaddr_top);
	line(f, "pkmap", l->pkmap_base, PKMAP_ADDR(l, l->last_pkmap));
	line(f, "vmalloc", l->vmalloc_start, l->vmalloc_end);
	line(f, "lowmem", PAGE_OFFSET, l->high_memory);
	fprintf(f, "    high_memory 0x%08x  VMALLOC_RESERVE 0x%08x  MAXMEM 0x%08x\n",
		l->high_memory, l->vmalloc_reserve, l->maxmem);
	fprintf(f, "    max_pfn %lu  max_low_pfn %lu  highmem pages %lu\n",
		l->max_pfn, l->max_low_pfn, l->highend_pfn - l->highstart_pfn);
}
