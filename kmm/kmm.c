/* kmm.c — the machine: presets, boot, reset, CPUs, frames, bugs.
 *
 * Boot follows i386 setup_arch + mm_init of Linux 3.2: memblock gets all
 * RAM, reserves what the kernel reserves (the low 64 KiB, the BIOS area
 * from 0x9f000 to 1 MiB, the kernel image, the memmap), then zones are set
 * up and memblock_free_all() hands the rest to the buddy allocator.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "internal.h"
#include "kasan.h"
#include "kmm/slab.h"
#include "kmm/mm.h"
#include "kmm/vmalloc.h"
#include "kmm/highmem.h"

static int cmp_boot_frame(const void *a, const void *b);

const char *const kmm_preset_names[] = {"tiny", "classic", NULL};

int kmm_config_preset(struct kmm_config *c, const char *name)
{
	*c = (struct kmm_config){.nr_cpus = 2};
	if (!strcmp(name, "tiny")) {
		/* 112 MiB with vmalloc=944M: 63.99 MiB lowmem + 48 MiB highmem,
		 * the smallest machine whose NORMAL and HIGHMEM zones get a pcp
		 * batch above 1 (zone_batchsize), with every zone populated; a
		 * trimmed kernel loaded at 1 MiB, as before 2.6.31. */
		c->ram_bytes = 112 * KMM_MB;
		c->vmalloc_param = 944 * KMM_MB;
		c->kernel_start = 0x100000;
		c->kernel_size = 2 * KMM_MB;
		return 0;
	}
	if (!strcmp(name, "classic")) {
		/* 1 GiB, default vmalloc: 887.99 MiB lowmem with 3.x formulas
		 * (896 MiB before 2.6.28); 3.x default load address 16 MiB. */
		c->ram_bytes = 1024 * KMM_MB;
		c->kernel_start = 0x1000000;
		c->kernel_size = 6 * KMM_MB;
		return 0;
	}
	return -1;
}

static void *map_lazy(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static int config_error(const struct kmm_config *c, struct kmm_layout *l,
			char *err, size_t n)
{
	const char *why = NULL;

	if (c->nr_cpus < 1 || c->nr_cpus > KMM_NR_CPUS)
		why = "nr_cpus must be 1..8 (NR_CPUS of the modelled build)";
	else if (kmm_layout_compute(l, c->ram_bytes, c->pae,
				    c->vmalloc_param))
		why = "ram must be 4 MiB..4 GiB and vmalloc= must leave lowmem";
	else if (l->max_pfn > l->max_low_pfn && l->max_low_pfn < MAX_DMA_PFN)
		why = "lowmem ends inside ZONE_DMA while highmem exists: "
		      "the kernel would not boot (lower vmalloc=)";
	else if ((c->kernel_start | c->kernel_size) & (PAGE_SIZE - 1) ||
		 c->kernel_start < 0x100000 || !c->kernel_size ||
		 PFN_DOWN((uint64_t)c->kernel_start + c->kernel_size) +
				 PFN_UP(l->max_pfn * 32ul) + 64 > l->max_low_pfn)
		why = "the kernel image (page aligned, at or above 1 MiB) and "
		      "the memmap must fit in lowmem";
	if (why && err)
		snprintf(err, n, "bad machine config: %s", why);
	return why ? -1 : 0;
}

static int alloc_arrays(struct kmm *k)
{
	unsigned long n = k->layout.max_pfn;

	k->ram_len = (size_t)n << PAGE_SHIFT;
	k->map_len = n * sizeof(struct page);
	k->ram = map_lazy(k->ram_len);
	k->mem_map = map_lazy(k->map_len);
	k->boot_map = map_lazy(k->map_len);
	k->log = map_lazy(n * sizeof(unsigned long));
	k->check_map = map_lazy(n);
	k->nr_pageblocks = (n >> k->pageblock_order) + 1;
	k->pageblock_mt = calloc(k->nr_pageblocks, 1);
	k->boot_pageblock_mt = calloc(k->nr_pageblocks, 1);
	return k->ram && k->mem_map && k->boot_map && k->log && k->check_map &&
			       k->pageblock_mt && k->boot_pageblock_mt
		       ? 0
		       : -1;
}

static void boot_memblock(struct kmm *k)
{
	struct memblock *mb = &k->memblock;
	const struct kmm_layout *l = &k->layout;

	memblock_init(mb, PFN_PHYS(l->max_low_pfn));
	memblock_add(mb, 0, PFN_PHYS(l->max_pfn));
	memblock_reserve(mb, 0, 64 * KMM_KB);                 /* reservelow */
	memblock_reserve(mb, 0x9f000, 0x100000 - 0x9f000);    /* EBDA, ISA hole */
	memblock_reserve(mb, k->cfg.kernel_start, k->cfg.kernel_size);
	k->boot.kernel_pages = PFN_UP(k->cfg.kernel_size);
	/* node_mem_map: one 32-byte struct page per frame, top-down */
	phys_addr_t memmap_bytes = PFN_UP(l->max_pfn * 32ul) << PAGE_SHIFT;
	phys_addr_t memmap = memblock_alloc(mb, memmap_bytes, PAGE_SIZE);
	kmm_assert(k, memmap != 0);
	k->boot.memmap_pages = PFN_DOWN(memmap_bytes);
}

/* The end of boot: what boot wrote to frames is kept as their reset
 * contents, and the memmap and zones become the reset snapshot. */
static void finish_boot(struct kmm *k)
{
	for (unsigned long i = 0; i < k->nr_log; i++) {
		struct page *p = &k->mem_map[k->log[i]];
		if (p->sim & KMM_SIM_RAM_DIRTY) {
			struct kmm_boot_frame *bf = realloc(
				k->boot_frames,
				(k->nr_boot_frames + 1) * sizeof(*bf));
			kmm_assert(k, bf != NULL);
			k->boot_frames = bf;
			bf[k->nr_boot_frames].pfn = k->log[i];
			bf[k->nr_boot_frames].data = malloc(PAGE_SIZE);
			kmm_assert(k, bf[k->nr_boot_frames].data != NULL);
			/* slab frames are partly poisoned */
			kasan_memcpy_nocheck(bf[k->nr_boot_frames++].data,
					     kmm_frame_r(k, k->log[i]), PAGE_SIZE);
		}
		p->sim = (p->sim & KMM_SIM_RAM_DIRTY) ? KMM_SIM_BOOT_FRAME : 0;
	}
	k->nr_log = 0;
	if (k->nr_boot_frames)
		qsort(k->boot_frames, k->nr_boot_frames, sizeof(*k->boot_frames),
		      cmp_boot_frame);
	for (unsigned long pfn = 0; pfn < k->layout.max_pfn; pfn++)
		k->boot.reserved_pages += PageReserved(&k->mem_map[pfn]);
	memcpy(k->boot_map, k->mem_map, k->map_len);
	memcpy(k->boot_zones, k->zones, sizeof(k->zones));
	memcpy(k->boot_pageblock_mt, k->pageblock_mt, k->nr_pageblocks);
	kasan_finish_boot(k);
	k->booted = true;
}

struct kmm *kmm_create(const struct kmm_config *cfg, char *err, size_t errlen)
{
	struct kmm_layout l = {0};

	if (config_error(cfg, &l, err, errlen))
		return NULL;
	struct kmm *k = calloc(1, sizeof(*k));
	if (!k)
		return NULL;
	k->cfg = *cfg;
	k->layout = l;
	k->pageblock_order = cfg->pae ? 9 : 10;   /* HPAGE_SHIFT - PAGE_SHIFT */
	k->op_index = -1;
	if (alloc_arrays(k)) {
		if (err)
			snprintf(err, errlen, "out of host memory for the machine");
		kmm_destroy(k);
		return NULL;
	}
	kasan_init(k);
	boot_memblock(k);
	zones_init(k);
	mmu_init(k);             /* paging_init: kernel page tables */
	vmalloc_init(k);         /* host state only */
	highmem_init(k);
	memblock_free_all(k);
	setup_per_zone_wmarks(k);
	kmem_cache_init(k);
	finish_boot(k);
	return k;
}

void kmm_destroy(struct kmm *k)
{
	if (!k)
		return;
	unsigned long n = k->layout.max_pfn;
	kasan_destroy(k);
	if (k->ram)
		munmap(k->ram, k->ram_len);
	if (k->mem_map)
		munmap(k->mem_map, k->map_len);
	if (k->boot_map)
		munmap(k->boot_map, k->map_len);
	if (k->log)
		munmap(k->log, n * sizeof(unsigned long));
	if (k->check_map)
		munmap(k->check_map, n);
	for (unsigned long i = 0; i < k->nr_boot_frames; i++)
		free(k->boot_frames[i].data);
	free(k->boot_frames);
	free(k->pageblock_mt);
	free(k->boot_pageblock_mt);
	slab_exit(k);
	mmu_destroy(k);
	vmalloc_destroy(k);
	highmem_destroy(k);
	free(k);
}

static int cmp_boot_frame(const void *a, const void *b)
{
	unsigned long x = ((const struct kmm_boot_frame *)a)->pfn;
	unsigned long y = ((const struct kmm_boot_frame *)b)->pfn;

	return (x > y) - (x < y);
}

/* A frame's reset contents: what boot left in it, or zeroes. */
static void restore_frame(struct kmm *k, unsigned long pfn)
{
	uint8_t *f = k->ram + ((size_t)pfn << PAGE_SHIFT);

	if (k->boot_map[pfn].sim & KMM_SIM_BOOT_FRAME) {
		struct kmm_boot_frame key = {.pfn = pfn};
		struct kmm_boot_frame *bf = bsearch(&key, k->boot_frames,
						    k->nr_boot_frames, sizeof(key),
						    cmp_boot_frame);
		kmm_assert(k, bf != NULL);
		memcpy(f, bf->data, PAGE_SIZE);
	} else {
		memset(f, 0, PAGE_SIZE);
	}
}

void kmm_reset(struct kmm *k)
{
	for (unsigned long i = 0; i < k->nr_log; i++) {
		unsigned long pfn = k->log[i];
		if (k->mem_map[pfn].sim & KMM_SIM_RAM_DIRTY) {
			kasan_unpoison_pages(k, pfn, 1);  /* kasan_reset redoes it */
			restore_frame(k, pfn);
		}
		k->mem_map[pfn] = k->boot_map[pfn];
	}
	k->nr_log = 0;
	memcpy(k->zones, k->boot_zones, sizeof(k->zones));
	memcpy(k->pageblock_mt, k->boot_pageblock_mt, k->nr_pageblocks);
	k->cpu = 0;
	memset(&k->fail_page_alloc, 0, sizeof(k->fail_page_alloc));
	k->op_index = -1;
	k->op_text[0] = 0;
	slab_reset(k);
	mmu_reset(k);
	vmalloc_reset(k);
	highmem_reset(k);
	kasan_reset(k);
}

static void trim_range(struct kmm *k, unsigned long pfn, unsigned long end)
{
	if (end > pfn)
		madvise(k->ram + ((size_t)pfn << PAGE_SHIFT),
			(end - pfn) << PAGE_SHIFT, MADV_DONTNEED);
}

/* MADV_DONTNEED on a private anonymous mapping: the pages read as zero
 * again, which is what reset leaves in every frame boot did not write. */
void kmm_trim(struct kmm *k)
{
	unsigned long start = 0, max = k->layout.max_pfn;

	if (k->nr_log)
		kmm_bug(k, "kmm", "kmm_trim with %lu frames not reset", k->nr_log);
	for (unsigned long pfn = 0; pfn < max; pfn++) {
		if (k->boot_map[pfn].sim & KMM_SIM_BOOT_FRAME) {
			trim_range(k, start, pfn);
			start = pfn + 1;
		}
	}
	trim_range(k, start, max);
}

/* ---- accessors ---- */

const struct kmm_config *kmm_cfg(const struct kmm *k) { return &k->cfg; }
const struct kmm_layout *kmm_layout(const struct kmm *k) { return &k->layout; }
struct zone *kmm_zone(struct kmm *k, enum zone_type i) { return &k->zones[i]; }
unsigned long kmm_max_pfn(const struct kmm *k) { return k->layout.max_pfn; }
unsigned long kmm_min_free_kbytes(const struct kmm *k) { return k->min_free_kbytes; }
const struct kmm_boot_stats *kmm_boot_stats(const struct kmm *k) { return &k->boot; }
struct kmm_fault_attr *kmm_fail_page_alloc(struct kmm *k) { return &k->fail_page_alloc; }
unsigned int kmm_cpu(const struct kmm *k) { return k->cpu; }

void kmm_set_cpu(struct kmm *k, unsigned int cpu)
{
	if (cpu >= k->cfg.nr_cpus)
		kmm_bug(k, "kmm", "switch to CPU %u of %u", cpu, k->cfg.nr_cpus);
	k->cpu = cpu;
}

const uint8_t *kmm_frame_r(const struct kmm *k, unsigned long pfn)
{
	return k->ram + ((size_t)pfn << PAGE_SHIFT);
}

uint8_t *kmm_frame_w(struct kmm *k, unsigned long pfn)
{
	struct page *p = &k->mem_map[pfn];

	if (!(p->sim & KMM_SIM_RAM_DIRTY)) {
		page_touch(k, p);
		p->sim |= KMM_SIM_RAM_DIRTY;
	}
	return k->ram + ((size_t)pfn << PAGE_SHIFT);
}

/* The kernel's should_fail() with probability 100%: deterministic. */
bool kmm_should_fail(struct kmm_fault_attr *a)
{
	a->calls++;
	if (a->nth && a->calls == a->nth) {
		a->failed++;
		return true;
	}
	if (!a->interval || a->times == 0 || a->calls % a->interval)
		return false;
	if (a->times > 0)
		a->times--;
	a->failed++;
	return true;
}

/* ---- bugs ---- */

void kmm_set_op(struct kmm *k, long index, const char *text)
{
	k->op_index = index;
	snprintf(k->op_text, sizeof(k->op_text), "%s", text ? text : "");
}

void kmm_set_bug_hook(struct kmm *k, kmm_bug_hook_t hook, void *arg)
{
	k->bug_hook = hook;
	k->bug_arg = arg;
}

static int dump_state(struct kmm *k, char *b, size_t n)
{
	int len = snprintf(b, n, "machine: %llu MiB RAM, %s, %u CPUs, current CPU %u\n",
			   (unsigned long long)(k->cfg.ram_bytes >> 20),
			   k->cfg.pae ? "PAE" : "non-PAE", k->cfg.nr_cpus, k->cpu);
	for (int i = 0; i < MAX_NR_ZONES && len >= 0 && (size_t)len < n; i++) {
		const struct zone *z = &k->zones[i];
		len += snprintf(b + len, n - (size_t)len,
				"%s free:%ld min:%lu low:%lu high:%lu present:%lu\n",
				z->name ? z->name : "?", z->nr_free_pages,
				z->watermark[WMARK_MIN], z->watermark[WMARK_LOW],
				z->watermark[WMARK_HIGH], z->present_pages);
	}
	return len;
}

_Noreturn void kmm_bug(struct kmm *k, const char *subsys, const char *fmt, ...)
{
	static const char rule[] =
		"==================================================================\n";
	char msg[1024], state[512] = "", report[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	char op[200] = "";
	if (k) {
		dump_state(k, state, sizeof(state));
		if (k->op_index >= 0)
			snprintf(op, sizeof(op), "op #%ld: %s\n", k->op_index, k->op_text);
	}
	snprintf(report, sizeof(report), "%sBUG: kmm/%s: %s\n%s%s%s", rule, subsys,
		 msg, op, state, rule);
	if (k && k->bug_hook)
		k->bug_hook(k->bug_arg, report);
	fputs(report, stderr);
	fflush(stderr);
	abort();
}

void kmm_check(struct kmm *k)
{
	buddy_check(k);
	slab_check(k);
	mmu_check(k);
	vmalloc_check(k);
	kmap_check(k);
	kasan_check(k);
}

/* ---- boot messages ---- */

static void print_zones(struct kmm *k, FILE *f)
{
	fprintf(f, "Zone PFN ranges:\n");
	for (int i = 0; i < MAX_NR_ZONES; i++) {
		const struct zone *z = &k->zones[i];
		fprintf(f, "  %-8s 0x%08lx -> 0x%08lx\n", z->name, z->zone_start_pfn,
			z->zone_start_pfn + z->spanned_pages);
	}
	fprintf(f, "On node 0 totalpages: %lu\n", k->layout.max_pfn);
	for (int i = 0; i < MAX_NR_ZONES; i++) {
		const struct zone *z = &k->zones[i];
		fprintf(f, "  %s zone: %lu pages used for memmap\n", z->name,
			z->spanned_pages - z->present_pages);
		fprintf(f, "  %s zone: %lu pages, LIFO batch:%d\n", z->name,
			z->present_pages, z->pcp[0].high / 6);
	}
}

static void print_wmarks(struct kmm *k, FILE *f)
{
	fprintf(f, "min_free_kbytes: %lu   pageblock_order: %u   mobility grouping: %s\n",
		k->min_free_kbytes, k->pageblock_order,
		k->mobility_disabled ? "off" : "on");
	fprintf(f, "  %-8s %8s %8s %8s %8s %6s %6s  lowmem_reserve[DMA,Normal,HighMem]\n",
		"zone", "free", "min", "low", "high", "batch", "high");
	for (int i = 0; i < MAX_NR_ZONES; i++) {
		const struct zone *z = &k->zones[i];
		fprintf(f, "  %-8s %8ld %8lu %8lu %8lu %6d %6d  (%lu, %lu, %lu)\n",
			z->name, z->nr_free_pages, z->watermark[WMARK_MIN],
			z->watermark[WMARK_LOW], z->watermark[WMARK_HIGH],
			z->pcp[0].batch, z->pcp[0].high, z->lowmem_reserve[0],
			z->lowmem_reserve[1], z->lowmem_reserve[2]);
	}
}

void kmm_print_info(struct kmm *k, FILE *f)
{
	const struct kmm_boot_stats *b = &k->boot;
	const struct kmm_layout *l = &k->layout;

	kmm_layout_print(l, f);
	print_zones(k, f);
	fprintf(f, "Memory: %luk/%luk available (%luk kernel image, %luk memmap, "
		   "%luk reserved, %luk highmem)\n",
		b->freed_pages * 4, l->max_pfn * 4, b->kernel_pages * 4,
		b->memmap_pages * 4, b->reserved_pages * 4,
		(l->highend_pfn - l->highstart_pfn) * 4);
	print_wmarks(k, f);
}
