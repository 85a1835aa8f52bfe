/* highmem.c — kmap and the pkmap pool (mm/highmem.c: kmap_high,
 * map_new_virtual, flush_all_zero_pkmaps, kunmap_high, the page_address
 * hash), kmap_atomic / kmap_local_page on per-CPU fixmap slots (3.2
 * arch/x86/mm/highmem_32.c, 5.11+ kmap_local), kmap_to_page, the
 * copy/clear helpers of include/linux/highmem.h, and kmap_check().
 * The model and what is stricter than the kernel: see kmm/highmem.h.
 *
 * State (k->highmem) is host side; the ptes are in simulated frames.  The
 * reset clears only the pkmap entries the run touched (a dirty list) and
 * the per-CPU stacks.
 */
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "mmu_internal.h"
#include "kmm/highmem.h"

#define PA_HASH_SIZE (1u << PA_HASH_ORDER)

struct kmap_entry {
	vaddr_t addr;
	unsigned long pfn;
	bool atomic;            /* kmap_atomic (else kmap_local_page) */
	bool high;              /* holds a fixmap slot */
	pteval_t prot;
};

struct kmap_cpu {
	unsigned int depth;     /* entries on the stack */
	unsigned int nr_slots;  /* highmem entries: fixmap slots in use */
	unsigned int nr_atomic; /* kmap_atomic entries: in_atomic() */
	struct kmap_entry stack[KMAP_STACK_MAX];
};

struct highmem_state {
	unsigned int last_pkmap;        /* LAST_PKMAP */
	int *count;                     /* pkmap_count[] */
	unsigned int last_pkmap_nr;
	long nr_kmaps;                  /* outstanding kmap_high references */
	/* page_address hash: the entry of pkmap slot i is entry i */
	int bucket[PA_HASH_SIZE];       /* first slot, -1: empty */
	int *hnext;                     /* next slot in the bucket */
	unsigned long *hpfn;            /* the page a hashed slot maps */
	bool *hashed;
	bool *dirty;                    /* slot touched since boot */
	unsigned int *dirty_list, nr_dirty;
	struct kmap_cpu cpu[KMM_NR_CPUS];
	struct kmap_stats stats;
};

static struct highmem_state *HM(const struct kmm *k) { return k->highmem; }

/* ---- the page_address hash ---- */

/* hash_32(val, PA_HASH_ORDER) of the pfn (the kernel hashes the struct
 * page pointer; a host pointer must not decide anything here) */
static unsigned int pa_hash(unsigned long pfn)
{
	return (uint32_t)((uint32_t)pfn * 0x61C88647u) >> (32 - PA_HASH_ORDER);
}

static int hash_find(const struct highmem_state *h, unsigned long pfn)
{
	for (int i = h->bucket[pa_hash(pfn)]; i >= 0; i = h->hnext[i])
		if (h->hpfn[i] == pfn)
			return i;
	return -1;
}

static void mark_dirty(struct highmem_state *h, unsigned int nr)
{
	if (!h->dirty[nr]) {
		h->dirty[nr] = true;
		h->dirty_list[h->nr_dirty++] = nr;
	}
}

/* set_page_address(page, PKMAP_ADDR(nr)) */
static void hash_add(struct highmem_state *h, unsigned int nr, unsigned long pfn)
{
	unsigned int b = pa_hash(pfn);

	h->hpfn[nr] = pfn;
	h->hashed[nr] = true;
	h->hnext[nr] = h->bucket[b];
	h->bucket[b] = (int)nr;
}

/* set_page_address(page, NULL) */
static void hash_del(struct highmem_state *h, unsigned int nr)
{
	int *pp = &h->bucket[pa_hash(h->hpfn[nr])];

	while (*pp != (int)nr)
		pp = &h->hnext[*pp];
	*pp = h->hnext[nr];
	h->hashed[nr] = false;
}

vaddr_t pkmap_page_address(const struct kmm *k, const struct page *page)
{
	const struct highmem_state *h = HM(k);

	if (!h)
		return 0;
	int nr = hash_find(h, page_to_pfn(k, page));
	return nr < 0 ? 0 : PKMAP_ADDR(&k->layout, (unsigned int)nr);
}

/* ---- pkmap ---- */

unsigned int PKMAP_NR(const struct kmm *k, vaddr_t va)
{
	return (va - k->layout.pkmap_base) >> PAGE_SHIFT;
}

int pkmap_count(const struct kmm *k, unsigned int nr)
{
	return nr < HM(k)->last_pkmap ? HM(k)->count[nr] : -1;
}

unsigned int last_pkmap_nr(const struct kmm *k)
{
	return HM(k)->last_pkmap_nr;
}

const struct kmap_stats *kmap_stats(const struct kmm *k)
{
	return &HM(k)->stats;
}

static ptep_t kernel_ptep(struct kmm *k, vaddr_t va)
{
	bool large;
	ptep_t ep = lookup_address(k, va, &large);

	if (!ep || large)
		kmm_bug(k, "highmem", "no kernel page table for 0x%08x", va);
	return ep;
}

static pteval_t kmap_prot(const struct kmm *k)
{
	return pgprot_kernel(k);        /* x86: kmap_prot is PAGE_KERNEL */
}

static void flush_all_zero_pkmaps(struct kmm *k)
{
	struct highmem_state *h = HM(k);
	bool need_flush = false;

	h->stats.flush_all_zero++;
	/* only touched slots can be nonzero */
	for (unsigned int j = 0; j < h->nr_dirty; j++) {
		unsigned int i = h->dirty_list[j];
		if (h->count[i] != 1)
			continue;
		h->count[i] = 0;
		ptep_t ep = kernel_ptep(k, PKMAP_ADDR(&k->layout, i));
		if (pte_none(pte_get(k, ep)))
			kmm_bug(k, "highmem", "flush_all_zero_pkmaps: pkmap entry %u "
				"has count 1 but no pte", i);
		pte_clear(k, ep);
		hash_del(h, i);
		need_flush = true;
	}
	if (need_flush) {
		flush_tlb_kernel_range(k, PKMAP_ADDR(&k->layout, 0),
				       PKMAP_ADDR(&k->layout, h->last_pkmap));
		h->stats.pkmap_tlb_flushes++;
	}
}

static vaddr_t map_new_virtual(struct kmm *k, struct page *page)
{
	struct highmem_state *h = HM(k);
	unsigned int count = h->last_pkmap;

	h->stats.map_new_virtual++;
	for (;;) {
		h->last_pkmap_nr = (h->last_pkmap_nr + 1) & (h->last_pkmap - 1);
		if (!h->last_pkmap_nr) {
			flush_all_zero_pkmaps(k);
			count = h->last_pkmap;
		}
		if (!h->count[h->last_pkmap_nr])
			break;          /* found a usable entry */
		if (--count)
			continue;
		/* the kernel sleeps on pkmap_map_wait until a kunmap */
		kmm_bug(k, "highmem",
			"kmap_high(pfn 0x%05lx): all %u pkmap entries are in use; the "
			"task would sleep on pkmap_map_wait forever (deadlock: "
			"nothing else can kunmap)", page_to_pfn(k, page),
			h->last_pkmap);
	}
	unsigned int nr = h->last_pkmap_nr;
	vaddr_t vaddr = PKMAP_ADDR(&k->layout, nr);
	set_pte(k, kernel_ptep(k, vaddr),
		pfn_pte(k, page_to_pfn(k, page), kmap_prot(k)));
	mark_dirty(h, nr);
	h->count[nr] = 1;
	hash_add(h, nr, page_to_pfn(k, page));
	return vaddr;
}

static void check_page_arg(struct kmm *k, struct page *page, const char *fn)
{
	if (page < k->mem_map || page >= k->mem_map + k->layout.max_pfn)
		kmm_bug(k, "highmem", "%s: not a page", fn);
	if (PageBuddy(page))
		kmm_bug(k, "highmem", "%s of pfn 0x%05lx, a free page", fn,
			page_to_pfn(k, page));
}

vaddr_t kmap_high(struct kmm *k, struct page *page)
{
	struct highmem_state *h = HM(k);
	vaddr_t vaddr = pkmap_page_address(k, page);

	if (!vaddr)
		vaddr = map_new_virtual(k, page);
	unsigned int nr = PKMAP_NR(k, vaddr);
	if (++h->count[nr] < 2)
		kmm_bug(k, "highmem", "kmap_high: pkmap_count[%u] is %d", nr,
			h->count[nr]);
	h->nr_kmaps++;
	h->stats.kmap_high++;
	return vaddr;
}

void kunmap_high(struct kmm *k, struct page *page)
{
	struct highmem_state *h = HM(k);
	vaddr_t vaddr = pkmap_page_address(k, page);

	if (!vaddr)
		kmm_bug(k, "highmem", "kunmap_high(pfn 0x%05lx): the page is not "
			"kmapped", page_to_pfn(k, page));
	unsigned int nr = PKMAP_NR(k, vaddr);
#if KMM_MUTATION == 20  /* MUTATION 20: the last kunmap frees the entry (0), not 1 */
	if (--h->count[nr] == 1)
		h->count[nr] = 0;
#else
	if (--h->count[nr] == 0)
		kmm_bug(k, "highmem", "kunmap_high(pfn 0x%05lx): pkmap_count[%u] "
			"reached 0: more kunmaps than kmaps", page_to_pfn(k, page), nr);
#endif
	/* reaching 1 would wake pkmap_map_wait; nobody waits here */
	h->nr_kmaps--;
}

vaddr_t kmap(struct kmm *k, struct page *page)
{
	might_sleep(k, "kmap");
	check_page_arg(k, page, "kmap");
	if (!PageHighMem(k, page))
		return page_address(k, page);
	return kmap_high(k, page);
}

void kunmap(struct kmm *k, struct page *page)
{
	check_page_arg(k, page, "kunmap");
	if (!PageHighMem(k, page))
		return;
	kunmap_high(k, page);
}

/* ---- kmap_atomic / kmap_local ---- */

vaddr_t kmap_atomic_slot_addr(const struct kmm *k, unsigned int cpu,
			      unsigned int idx)
{
	return __fix_to_virt(&k->layout, FIX_KMAP_BEGIN + idx + KM_TYPE_NR * cpu);
}

static bool in_kmap_fixmap(const struct kmm *k, vaddr_t a)
{
	return a >= __fix_to_virt(&k->layout, FIX_KMAP_END) &&
	       a < __fix_to_virt(&k->layout, FIX_KMAP_BEGIN) + PAGE_SIZE;
}

unsigned int kmap_local_depth(const struct kmm *k, unsigned int cpu)
{
	return cpu < KMM_NR_CPUS ? HM(k)->cpu[cpu].depth : 0;
}

unsigned int kmap_atomic_depth(const struct kmm *k, unsigned int cpu)
{
	return cpu < KMM_NR_CPUS ? HM(k)->cpu[cpu].nr_atomic : 0;
}

bool in_atomic(const struct kmm *k)
{
	return HM(k) && HM(k)->cpu[k->cpu].nr_atomic > 0;
}

void might_sleep(struct kmm *k, const char *what)
{
	if (!in_atomic(k))
		return;
	const struct kmap_cpu *c = &HM(k)->cpu[k->cpu];
	kmm_bug(k, "highmem", "BUG: sleeping function called from invalid "
		"context: %s with %u kmap_atomic held on CPU %u (innermost "
		"0x%08x): in_atomic(): 1", what, c->nr_atomic, k->cpu,
		c->stack[c->depth - 1].addr);
}

void kmap_exit_check(struct kmm *k)
{
	for (unsigned int cpu = 0; cpu < k->cfg.nr_cpus; cpu++) {
		const struct kmap_cpu *c = &HM(k)->cpu[cpu];
		if (!c->depth)
			continue;
		const struct kmap_entry *e = &c->stack[c->depth - 1];
		kmm_bug(k, "highmem", "%s: CPU %u leaves the kernel with %u "
			"temporary mappings held (innermost %s 0x%08x of pfn "
			"0x%05lx): a missing %s",
			c->nr_atomic ? "BUG: scheduling while atomic" : "leaked kmap_local",
			cpu, c->depth, e->atomic ? "kmap_atomic" : "kmap_local_page",
			e->addr, e->pfn, e->atomic ? "kunmap_atomic" : "kunmap_local");
	}
}

static vaddr_t push(struct kmm *k, struct page *page, pteval_t prot,
		    bool atomic)
{
	struct kmap_cpu *c = &HM(k)->cpu[k->cpu];
	const char *fn = atomic ? "kmap_atomic" : "kmap_local_page";

	check_page_arg(k, page, fn);
	if (c->depth == KMAP_STACK_MAX)
		kmm_bug(k, "highmem", "%s: %u nested mappings on CPU %u: preempt "
			"count overflow (missing unmaps)", fn, c->depth, k->cpu);
	struct kmap_entry *e = &c->stack[c->depth];
	e->pfn = page_to_pfn(k, page);
	e->atomic = atomic;
	e->high = PageHighMem(k, page);
	e->prot = prot;
	if (!e->high) {
		e->addr = page_address(k, page);
		if (atomic)
			HM(k)->stats.kmap_atomic_low++;
		else
			HM(k)->stats.kmap_local_low++;
	} else {
		unsigned int idx = c->nr_slots;
		if (idx >= KM_TYPE_NR)  /* kmap_atomic_idx_push: BUG_ON */
			kmm_bug(k, "highmem", "%s: more than KM_TYPE_NR (%u) nested "
				"highmem mappings on CPU %u (missing unmaps)", fn,
				KM_TYPE_NR, k->cpu);
		e->addr = kmap_atomic_slot_addr(k, k->cpu, idx);
		ptep_t ep = kernel_ptep(k, e->addr);
		if (!pte_none(pte_get(k, ep)))
			kmm_bug(k, "highmem", "%s: fixmap slot %u of CPU %u (0x%08x) is "
				"still mapped", fn, idx, k->cpu, e->addr);
		set_pte(k, ep, pfn_pte(k, e->pfn, prot));
		c->nr_slots++;
		if (atomic)
			HM(k)->stats.kmap_atomic_high++;
		else
			HM(k)->stats.kmap_local_high++;
	}
	c->depth++;
	c->nr_atomic += atomic;
	return e->addr;
}

static void pop(struct kmm *k, vaddr_t addr, bool atomic)
{
	struct kmap_cpu *c = &HM(k)->cpu[k->cpu];
	const char *fn = atomic ? "kunmap_atomic" : "kunmap_local";
	vaddr_t vaddr = addr & PAGE_MASK;

	if (!c->depth)
		kmm_bug(k, "highmem", "%s(0x%08x) on CPU %u with no temporary "
			"mapping held", fn, addr, k->cpu);
	struct kmap_entry *e = &c->stack[c->depth - 1];
	if (e->addr != vaddr) {
		int below = -1;
		for (int i = (int)c->depth - 2; i >= 0; i--)
			if (c->stack[i].addr == vaddr)
				below = (int)c->depth - 1 - i;
		if (below > 0)
			kmm_bug(k, "highmem", "%s(0x%08x) out of order on CPU %u: %d "
				"newer mapping(s) still held, innermost 0x%08x (unmaps "
				"must be LIFO)", fn, addr, k->cpu, below, e->addr);
		kmm_bug(k, "highmem", "%s(0x%08x) on CPU %u: not a mapping this CPU "
			"holds (innermost 0x%08x)", fn, addr, k->cpu, e->addr);
	}
	if (e->atomic != atomic)
		kmm_bug(k, "highmem", "%s(0x%08x) of a %s mapping", fn, addr,
			e->atomic ? "kmap_atomic" : "kmap_local_page");
	if (e->high) {
		/* kpte_clear_flush: clear, then invlpg on this CPU */
		pte_clear(k, kernel_ptep(k, vaddr));
#if KMM_MUTATION != 21  /* MUTATION 21: kunmap_atomic/kunmap_local clear the pte, no invlpg */
		__flush_tlb_one(k, k->cpu, vaddr);
#endif
		c->nr_slots--;
	}
	c->depth--;
	c->nr_atomic -= atomic;
}

vaddr_t kmap_atomic_prot(struct kmm *k, struct page *page, pteval_t prot)
{
	return push(k, page, prot, true);
}

vaddr_t kmap_atomic(struct kmm *k, struct page *page)
{
	return push(k, page, kmap_prot(k), true);
}

void kunmap_atomic(struct kmm *k, vaddr_t addr)
{
	pop(k, addr, true);
}

vaddr_t kmap_local_page(struct kmm *k, struct page *page)
{
	return push(k, page, kmap_prot(k), false);
}

void kunmap_local(struct kmm *k, vaddr_t addr)
{
	pop(k, addr, false);
}

struct page *kmap_to_page(struct kmm *k, vaddr_t addr)
{
	const struct kmm_layout *l = &k->layout;

	if ((addr >= PKMAP_ADDR(l, 0) && addr < PKMAP_ADDR(l, l->last_pkmap)) ||
	    in_kmap_fixmap(k, addr)) {
		pteval_t v = pte_get(k, kernel_ptep(k, addr & PAGE_MASK));
		if (!pte_present(v))
			kmm_bug(k, "highmem", "kmap_to_page(0x%08x): nothing is "
				"mapped there", addr);
		return pfn_to_page(k, pte_pfn(k, v));
	}
	return virt_to_page(k, addr);
}

/* ---- copies through the mappings: the current CPU's accesses ---- */

static void kaccess(struct kmm *k, vaddr_t va, void *buf, size_t len,
		    bool write)
{
	struct kmm_access_result r;

	if (kmm_access(k, k->cpu, va, buf, len, write ? KMM_ACC_WRITE : 0, &r) !=
	    KMM_OK)
		kmm_bug(k, "highmem", "kernel access to 0x%08x failed", va);
}

static void check_range(struct kmm *k, size_t off, size_t len, const char *fn)
{
	if (off > PAGE_SIZE || len > PAGE_SIZE - off)
		kmm_bug(k, "highmem", "%s: offset %zu + length %zu crosses the page",
			fn, off, len);
}

void clear_user_highpage(struct kmm *k, struct page *page, vaddr_t uaddr)
{
	(void)uaddr;            /* clear_user_page: no cache aliasing on x86 */
	vaddr_t addr = kmap_atomic(k, page);
	kaccess(k, addr, NULL, PAGE_SIZE, true);
	kunmap_atomic(k, addr);
}

void clear_highpage(struct kmm *k, struct page *page)
{
	vaddr_t addr = kmap_atomic(k, page);
	kaccess(k, addr, NULL, PAGE_SIZE, true);
	kunmap_atomic(k, addr);
}

void copy_user_highpage(struct kmm *k, struct page *to, struct page *from,
			vaddr_t uaddr, struct vm_area_struct *vma)
{
	(void)uaddr;
	(void)vma;
	copy_highpage(k, to, from);
}

void copy_highpage(struct kmm *k, struct page *to, struct page *from)
{
	uint8_t buf[PAGE_SIZE];
	vaddr_t vfrom = kmap_atomic(k, from);
	vaddr_t vto = kmap_atomic(k, to);

	kaccess(k, vfrom, buf, PAGE_SIZE, false);
	kaccess(k, vto, buf, PAGE_SIZE, true);
	kunmap_atomic(k, vto);
	kunmap_atomic(k, vfrom);
}

void memcpy_to_page(struct kmm *k, struct page *page, size_t offset,
		    const void *from, size_t len)
{
	check_range(k, offset, len, "memcpy_to_page");
	vaddr_t to = kmap_local_page(k, page);
	kaccess(k, to + (vaddr_t)offset, (void *)from, len, true);
	kunmap_local(k, to);
}

void memcpy_from_page(struct kmm *k, void *to, struct page *page,
		      size_t offset, size_t len)
{
	check_range(k, offset, len, "memcpy_from_page");
	vaddr_t from = kmap_local_page(k, page);
	kaccess(k, from + (vaddr_t)offset, to, len, false);
	kunmap_local(k, from);
}

void memcpy_page(struct kmm *k, struct page *dst_page, size_t dst_off,
		 struct page *src_page, size_t src_off, size_t len)
{
	uint8_t buf[PAGE_SIZE];

	check_range(k, dst_off, len, "memcpy_page");
	check_range(k, src_off, len, "memcpy_page");
	vaddr_t dst = kmap_local_page(k, dst_page);
	vaddr_t src = kmap_local_page(k, src_page);
	kaccess(k, src + (vaddr_t)src_off, buf, len, false);
	kaccess(k, dst + (vaddr_t)dst_off, buf, len, true);
	kunmap_local(k, src);
	kunmap_local(k, dst);
}

void memset_page(struct kmm *k, struct page *page, size_t offset, int val,
		 size_t len)
{
	uint8_t buf[PAGE_SIZE];

	check_range(k, offset, len, "memset_page");
	memset(buf, val, len);
	vaddr_t addr = kmap_local_page(k, page);
	kaccess(k, addr + (vaddr_t)offset, buf, len, true);
	kunmap_local(k, addr);
}

void memzero_page(struct kmm *k, struct page *page, size_t offset, size_t len)
{
	check_range(k, offset, len, "memzero_page");
	vaddr_t addr = kmap_local_page(k, page);
	kaccess(k, addr + (vaddr_t)offset, NULL, len, true);
	kunmap_local(k, addr);
}

void zero_user_segments(struct kmm *k, struct page *page, unsigned int start1,
			unsigned int end1, unsigned int start2,
			unsigned int end2)
{
	if (end1 > PAGE_SIZE || end2 > PAGE_SIZE)
		kmm_bug(k, "highmem", "zero_user_segments: end %u/%u past the page",
			end1, end2);
	vaddr_t kaddr = kmap_local_page(k, page);
	if (end1 > start1)
		kaccess(k, kaddr + start1, NULL, end1 - start1, true);
	if (end2 > start2)
		kaccess(k, kaddr + start2, NULL, end2 - start2, true);
	kunmap_local(k, kaddr);
}

/* ---- the sweep ---- */

static void check_tlb_range(struct kmm *k, vaddr_t lo, vaddr_t hi,
			    const char *what)
{
	for (unsigned int c = 0; c < k->cfg.nr_cpus; c++) {
		for (unsigned int i = 0; i < KMM_TLB_ENTRIES; i++) {
			struct tlb_info e;
			struct pt_walk w;
			if (!tlb_entry_get(k, c, i, &e) || e.va < lo || e.va >= hi)
				continue;
			bool ok = pgtable_walk(k, swapper_pg_dir(k), NULL, e.va, 0,
					       false, &w);
			if (ok && w.page_pa == e.pa && w.page_size == e.size &&
			    (!e.rw || w.rw) && (e.nx || !w.nx))
				continue;
			kmm_bug(k, "highmem", "CPU %u: stale TLB entry 0x%08x -> "
				"0x%llx for a %s address (tables: %s 0x%llx)", c, e.va,
				(unsigned long long)e.pa, what, ok ? "->" : "not mapped",
				(unsigned long long)w.page_pa);
		}
	}
}

static void check_pkmap(struct kmm *k)
{
	struct highmem_state *h = HM(k);
	long users = 0;
	unsigned int mapped = 0, chained = 0;

	if (h->last_pkmap_nr >= h->last_pkmap)
		kmm_bug(k, "highmem", "last_pkmap_nr %u", h->last_pkmap_nr);
	for (unsigned int i = 0; i < h->last_pkmap; i++) {
		vaddr_t a = PKMAP_ADDR(&k->layout, i);
		pteval_t v = pte_get(k, kernel_ptep(k, a));
		int c = h->count[i];
		if (c < 0 || (c && !h->dirty[i]))
			kmm_bug(k, "highmem", "pkmap_count[%u] is %d", i, c);
		if (!c) {
			if (!pte_none(v) || h->hashed[i])
				kmm_bug(k, "highmem", "free pkmap entry %u has pte 0x%llx "
					"%s", i, (unsigned long long)v,
					h->hashed[i] ? "and a page_address" : "");
			continue;
		}
		mapped++;
		users += c - 1;
		unsigned long pfn = h->hpfn[i];
		if (!h->hashed[i] || v != pfn_pte(k, pfn, kmap_prot(k)))
			kmm_bug(k, "highmem", "pkmap entry %u (count %d): pte 0x%llx, "
				"page_address hash %s pfn 0x%05lx", i, c,
				(unsigned long long)v, h->hashed[i] ? "says" : "lacks", pfn);
		if (pfn < k->layout.max_low_pfn || pfn >= k->layout.max_pfn)
			kmm_bug(k, "highmem", "pkmap entry %u maps pfn 0x%05lx, not a "
				"highmem page", i, pfn);
		if (hash_find(h, pfn) != (int)i)
			kmm_bug(k, "highmem", "pfn 0x%05lx is in pkmap entries %u and "
				"%d", pfn, i, hash_find(h, pfn));
		if (c >= 2 && PageBuddy(pfn_to_page(k, pfn)))
			kmm_bug(k, "highmem", "pfn 0x%05lx was freed while kmapped "
				"(pkmap_count[%u] = %d)", pfn, i, c);
	}
	for (unsigned int b = 0; b < PA_HASH_SIZE; b++)
		for (int i = h->bucket[b]; i >= 0; i = h->hnext[i]) {
			if (!h->hashed[i] || pa_hash(h->hpfn[i]) != b ||
			    ++chained > h->last_pkmap)
				kmm_bug(k, "highmem", "page_address hash bucket %u is "
					"corrupt at entry %d", b, i);
		}
	if (chained != mapped || users != h->nr_kmaps)
		kmm_bug(k, "highmem", "%u pkmap entries mapped, %u hashed; counts "
			"say %ld kmaps outstanding, %ld were made", mapped, chained,
			users, h->nr_kmaps);
}

static void check_fixmap(struct kmm *k)
{
	for (unsigned int cpu = 0; cpu < KMM_NR_CPUS; cpu++) {
		const struct kmap_cpu *c = &HM(k)->cpu[cpu];
		unsigned int slots = 0, atomic = 0;
		if (cpu >= k->cfg.nr_cpus && c->depth)
			kmm_bug(k, "highmem", "offline CPU %u holds kmaps", cpu);
		for (unsigned int i = 0; i < c->depth; i++) {
			const struct kmap_entry *e = &c->stack[i];
			vaddr_t want = e->high ? kmap_atomic_slot_addr(k, cpu, slots++)
					       : PAGE_OFFSET + (vaddr_t)(e->pfn << PAGE_SHIFT);
			atomic += e->atomic;
			if (e->addr != want || e->high != (e->pfn >= k->layout.max_low_pfn))
				kmm_bug(k, "highmem", "CPU %u kmap stack entry %u: 0x%08x "
					"for pfn 0x%05lx, expected 0x%08x", cpu, i, e->addr,
					e->pfn, want);
		}
		if (slots != c->nr_slots || atomic != c->nr_atomic)
			kmm_bug(k, "highmem", "CPU %u: %u slots / %u atomic counted, the "
				"stack holds %u / %u", cpu, c->nr_slots, c->nr_atomic,
				slots, atomic);
		const struct kmap_entry *e = c->stack;
		for (unsigned int j = 0; j < KM_TYPE_NR; j++) {
			vaddr_t a = kmap_atomic_slot_addr(k, cpu, j);
			pteval_t v = pte_get(k, kernel_ptep(k, a)), want = 0;
			if (j < c->nr_slots) {
				while (!e->high)
					e++;
				want = pfn_pte(k, e->pfn, e->prot);
				e++;
			}
			if ((v ^ want) & ~(_PAGE_ACCESSED | _PAGE_DIRTY))
				kmm_bug(k, "highmem", "CPU %u kmap_atomic slot %u (0x%08x): "
					"pte 0x%llx, expected 0x%llx", cpu, j, a,
					(unsigned long long)v, (unsigned long long)want);
		}
	}
}

void kmap_check(struct kmm *k)
{
	const struct kmm_layout *l = &k->layout;

	if (!HM(k))
		return;
	check_pkmap(k);
	check_fixmap(k);
	check_tlb_range(k, PKMAP_ADDR(l, 0), PKMAP_ADDR(l, l->last_pkmap), "pkmap");
	check_tlb_range(k, __fix_to_virt(l, FIX_KMAP_END),
			__fix_to_virt(l, FIX_KMAP_BEGIN) + PAGE_SIZE, "kmap_atomic");
}

/* ---- lifetime ---- */

void highmem_init(struct kmm *k)
{
	struct highmem_state *h = calloc(1, sizeof(*h));
	unsigned int n = k->layout.last_pkmap;

	if (!h)
		kmm_bug(k, "highmem", "out of host memory for the highmem state");
	h->last_pkmap = n;
	h->count = calloc(n, sizeof(*h->count));
	h->hnext = calloc(n, sizeof(*h->hnext));
	h->hpfn = calloc(n, sizeof(*h->hpfn));
	h->hashed = calloc(n, sizeof(*h->hashed));
	h->dirty = calloc(n, sizeof(*h->dirty));
	h->dirty_list = calloc(n, sizeof(*h->dirty_list));
	if (!h->count || !h->hnext || !h->hpfn || !h->hashed || !h->dirty ||
	    !h->dirty_list)
		kmm_bug(k, "highmem", "out of host memory for the pkmap state");
	for (unsigned int b = 0; b < PA_HASH_SIZE; b++)
		h->bucket[b] = -1;
	k->highmem = h;
}

/* Cost: the pkmap entries the run touched, and the CPUs. */
void highmem_reset(struct kmm *k)
{
	struct highmem_state *h = HM(k);

	if (!h)
		return;
	for (unsigned int j = 0; j < h->nr_dirty; j++) {
		unsigned int i = h->dirty_list[j];
		if (h->hashed[i])
			h->bucket[pa_hash(h->hpfn[i])] = -1;
		h->count[i] = 0;
		h->hashed[i] = false;
		h->dirty[i] = false;
	}
	h->nr_dirty = 0;
	h->last_pkmap_nr = 0;
	h->nr_kmaps = 0;
	for (unsigned int c = 0; c < KMM_NR_CPUS; c++)
		h->cpu[c].depth = h->cpu[c].nr_slots = h->cpu[c].nr_atomic = 0;
	memset(&h->stats, 0, sizeof(h->stats));
}

void highmem_destroy(struct kmm *k)
{
	struct highmem_state *h = HM(k);

	if (!h)
		return;
	free(h->count);
	free(h->hnext);
	free(h->hpfn);
	free(h->hashed);
	free(h->dirty);
	free(h->dirty_list);
	free(h);
	k->highmem = NULL;
}
