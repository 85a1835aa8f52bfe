/* kmm/kmm.h — one simulated i386 machine: config, lifetime, reset, checks.
 *
 * A `struct kmm` holds a whole machine (RAM, memmap, zones, per-CPU state)
 * and there is no global state, so machines can run side by side.  CPUs are
 * simulated deterministically: one is current (kmm_set_cpu), and per-CPU
 * state is real.  Reference kernel: Linux 3.2 i386 (see README).
 */
#ifndef KMM_KMM_H
#define KMM_KMM_H

#include <stdio.h>
#include "layout.h"
#include "page_alloc.h"

struct kmm_config {
	uint64_t ram_bytes;             /* physical RAM from 0 */
	bool pae;                       /* CONFIG_X86_PAE (3-level tables, NX) */
	unsigned int nr_cpus;           /* 1 .. KMM_NR_CPUS */
	uint64_t vmalloc_param;         /* `vmalloc=` in bytes; 0: not given */
	unsigned long min_free_kbytes;  /* the sysctl; 0: computed at boot */
	uint32_t kernel_start;          /* physical load address of the image */
	uint32_t kernel_size;           /* text+data+bss bytes (reserved) */
	/* slab boot options (kmm/slab.h); zero = the kernel's defaults */
	bool slab_nomerge;              /* `slab_nomerge`: no cache merging */
	bool slab_freelist_hardened;    /* CONFIG_SLAB_FREELIST_HARDENED */
	uint32_t slub_debug;            /* `slub_debug=` flags, every cache */
	/* PAE only: every page directory gets its own copy of the kernel PMD
	 * (SHARED_KERNEL_PMD=0, as under Xen), so kernel mappings reach it
	 * through vmalloc_fault/vmalloc_sync_all as without PAE */
	bool pae_unshared_kernel_pmd;
};

/* Named presets: "tiny" (fast fuzzing) and "classic" (textbook 1 GiB). */
int kmm_config_preset(struct kmm_config *c, const char *name);
extern const char *const kmm_preset_names[];

/* Boots a machine; NULL with a message in err (if given) on a bad config. */
struct kmm *kmm_create(const struct kmm_config *cfg, char *err, size_t errlen);
void kmm_destroy(struct kmm *k);
/* Back to the just-booted state; costs what the last run touched. */
void kmm_reset(struct kmm *k);
/* Between runs (the machine as reset leaves it): gives the host back the
 * memory of every frame whose reset contents are zero, so a long campaign
 * keeps only the frames recent runs touched resident.  Nothing the
 * simulation sees changes. */
void kmm_trim(struct kmm *k);

const struct kmm_config *kmm_cfg(const struct kmm *k);
const struct kmm_layout *kmm_layout(const struct kmm *k);
struct zone *kmm_zone(struct kmm *k, enum zone_type idx);
unsigned long kmm_max_pfn(const struct kmm *k);
unsigned long kmm_min_free_kbytes(const struct kmm *k);

unsigned int kmm_cpu(const struct kmm *k);
void kmm_set_cpu(struct kmm *k, unsigned int cpu);

/* Host view of simulated physical memory.  Writes must go through
 * kmm_frame_w so a reset knows which frames to restore. */
const uint8_t *kmm_frame_r(const struct kmm *k, unsigned long pfn);
uint8_t *kmm_frame_w(struct kmm *k, unsigned long pfn);
/* Under ASan, free frames, free slab objects and red zones are poisoned
 * (KASAN), so host accesses to them through the pointers above are
 * reported.  These copy bytes of one frame whatever their poison, as a
 * debugger or a test with kasan_disable_current() would (the write is
 * logged for reset like kmm_frame_w). */
void kmm_frame_peek(const struct kmm *k, unsigned long pfn, unsigned int off,
		    void *buf, size_t len);
void kmm_frame_poke(struct kmm *k, unsigned long pfn, unsigned int off,
		    const void *buf, size_t len);

/* ---- boot reservations (memblock) ---- */
struct kmm_boot_stats {
	unsigned long reserved_pages;   /* PageReserved after boot */
	unsigned long memmap_pages;     /* frames the 32-byte memmap takes */
	unsigned long pgtable_pages;    /* kernel page tables (alloc_low_page) */
	unsigned long kernel_pages;     /* kernel image */
	unsigned long freed_pages;      /* handed to the buddy allocator */
};
const struct kmm_boot_stats *kmm_boot_stats(const struct kmm *k);

/* ---- fault injection, as the kernel's fault_attr (deterministic) ---- */
struct kmm_fault_attr {
	unsigned long interval;         /* fail every interval-th call (0: off) */
	long times;                     /* failures left; -1: unlimited */
	unsigned long nth;              /* fail exactly the nth call (fail_nth) */
	unsigned int min_order;         /* fail_page_alloc: ignore lower orders */
	bool ignore_gfp_highmem;
	bool ignore_gfp_wait;
	unsigned long calls;            /* calls seen (state) */
	unsigned long failed;           /* failures injected (state) */
};
/* fail_page_alloc of this machine; zeroed = never fail. */
struct kmm_fault_attr *kmm_fail_page_alloc(struct kmm *k);
bool kmm_should_fail(struct kmm_fault_attr *a);

/* ---- bugs ---- */
/* Names the op being run, for reports ("op #12: __free_pages(...)"). */
void kmm_set_op(struct kmm *k, long index, const char *text);
/* A kernel-style report on stderr (or the hook), then abort(). */
_Noreturn void kmm_bug(struct kmm *k, const char *subsys, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A hook that receives the report text instead of stderr and may longjmp
 * out (tests, the fuzz executor); when it returns, kmm_bug aborts. */
typedef void (*kmm_bug_hook_t)(void *arg, const char *report);
void kmm_set_bug_hook(struct kmm *k, kmm_bug_hook_t hook, void *arg);

/* Every subsystem's sweep. */
void kmm_check(struct kmm *k);

/* Boot messages (zones, watermarks, memory summary) as the kernel prints. */
void kmm_print_info(struct kmm *k, FILE *f);

#endif
