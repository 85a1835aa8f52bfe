/* test_remap_vmalloc.c — vmalloc_user buffers mapped into processes with
 * remap_vmalloc_range / vm_insert_page, each test without and with PAE.
 * Expected values come from the kernel's rules: each pte is
 * mk_pte(page, vma->vm_page_prot) of the area's page at pgoff + i, holds a
 * reference and a mapcount and counts in MM_FILEPAGES; the VMA gets
 * VM_MIXEDMAP | VM_DONTEXPAND | VM_DONTDUMP; only VM_USERMAP areas, page
 * aligned addresses and pgoff + size within the area without its guard
 * page are accepted (-EINVAL); vm_insert_page answers -EFAULT, -EINVAL
 * (no references, anonymous, slab) and -EBUSY; fork copies the ptes of a
 * VM_MIXEDMAP VMA, a private mapping copies on write, a missing pte is
 * SIGBUS; vfree drops only the area's reference, so pages stay until the
 * last pte goes. */
#include <errno.h>
#include "kmm/highmem.h"
#include "kmm/slab.h"
#include "kmm/vmalloc.h"
#include "mmu_test.h"

#define PG PAGE_SIZE
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define DEV_BASE 0xE0000000ull
#define REMAP_FLAGS (VM_MIXEDMAP | VM_DONTEXPAND | VM_DONTDUMP)

static struct kmm *boot_cpus(bool pae, unsigned int cpus)
{
	struct kmm_config c;

	if (kmm_config_preset(&c, "tiny"))
		return NULL;
	c.pae = pae;
	c.nr_cpus = cpus;
	return kmm_create(&c, NULL, 0);
}


/* The normal page a user pte maps, or NULL. */
static struct page *upage(struct kmm *k, struct mm_struct *mm, vaddr_t va)
{
	pteval_t pte = mm_pteval(k, mm, va);

	if (!pte_present(pte) || pte_special(pte))
		return NULL;
	return pfn_to_page(k, pte_pfn(k, pte));
}

static bool page_is_free(const struct page *p)
{
	return p->_refcount == 0 && p->_mapcount == -1 &&
	       !(p->sim & KMM_SIM_ALLOCATED);
}

static uint8_t pat(uint32_t off, uint8_t seed)
{
	return (uint8_t)(seed + off * 13 + (off >> 12) * 7);
}

/* size bytes at va (kernel or user mode on cpu) hold pat(off, seed) */
static int holds(struct kmm *k, unsigned int cpu, vaddr_t va, uint32_t size,
		 uint8_t seed, bool user)
{
	uint8_t got[4 * PG];

	ASSERT_LE(size, sizeof(got));
	ASSERT_EQ(kmm_read(k, cpu, va, got, size, user), KMM_OK);
	for (uint32_t i = 0; i < size; i++)
		ASSERT_EQ(got[i], pat(i, seed));
	return 0;
}

static int fill(struct kmm *k, unsigned int cpu, vaddr_t va, uint32_t size,
		uint8_t seed, bool user)
{
	uint8_t buf[4 * PG];

	ASSERT_LE(size, sizeof(buf));
	for (uint32_t i = 0; i < size; i++)
		buf[i] = pat(i, seed);
	ASSERT_EQ(kmm_write(k, cpu, va, buf, size, user), KMM_OK);
	return 0;
}

/* A shared mapping of a 3-page vmalloc_user buffer: ptes on the area's
 * pages with the VMA's protection, one reference and one mapcount each,
 * no page allocated but page tables; the zeroed contents, then bytes the
 * kernel writes through the vmalloc address are read by the process and
 * bytes the process writes are read by the kernel, with no fault; munmap
 * drops the ptes' references and marks the written page dirty; vfree and
 * exit give every highmem frame back. */
static int remap_shared_contents(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	struct mm_struct *mm = start_process(k, 0);
	ASSERT_TRUE(mm);
	long hfree = zone_free_frames(k, ZONE_HIGHMEM);
	vaddr_t buf = vmalloc_user(k, 3 * PG);
	ASSERT_TRUE(buf);
	struct vm_struct *vm = find_vm_area(k, buf);
	ASSERT_EQ(vm->flags, VM_ALLOC | VM_USERMAP);
	struct kmm_file *dev = kmm_vmalloc_device_create(k, buf, 0);
	ASSERT_TRUE(dev);
	long before = free_frames(k);
	unsigned long tables = mm->nr_ptes + mm->nr_pmds;
	long a = do_mmap_pgoff(k, mm, dev, 0, 3 * PG, RW, MAP_SHARED, 0);
	ASSERT_TRUE(a > 0);
	vaddr_t x = (vaddr_t)a;
	struct vm_area_struct *v = find_vma(mm, x);
	ASSERT_TRUE(v && v->vm_start == x && v->vm_end == x + 3 * PG);
	ASSERT_EQ(v->vm_flags & (REMAP_FLAGS | VM_SHARED | VM_PFNMAP | VM_IO),
		  REMAP_FLAGS | VM_SHARED);
	ASSERT_EQ(v->vm_page_prot, vm_get_page_prot(k, VM_READ | VM_WRITE | VM_SHARED));
	ASSERT_EQ(free_frames(k), before - (long)(mm->nr_ptes + mm->nr_pmds - tables));
	for (int i = 0; i < 3; i++) {
		struct page *p = vm->pages[i];
		ASSERT_EQ(mm_pteval(k, mm, x + i * PG),
			  pfn_pte(k, page_to_pfn(k, p), v->vm_page_prot));
		ASSERT_EQ(page_count(p), 2);
		ASSERT_EQ(page_mapcount(p), 1);
		ASSERT_EQ(p->mapping, NULL);
	}
	ASSERT_EQ(mm->rss[MM_FILEPAGES], 3);
	ASSERT_EQ(mm->rss[MM_ANONPAGES], 0);
	kmm_check(k);
	/* zeroed by vmalloc_user */
	static const uint8_t zero[3 * PG];
	uint8_t got[3 * PG];
	ASSERT_EQ(kmm_read(k, 0, x, got, 3 * PG, true), KMM_OK);
	ASSERT_EQ(memcmp(got, zero, sizeof(got)), 0);
	/* the kernel (CPU 1, init_mm) writes page 1, the process reads it */
	ASSERT_EQ(fill(k, 1, buf + PG, PG, 0x11, false), 0);
	unsigned long faults = kmm_fault_stats(k)->faults;
	ASSERT_EQ(holds(k, 0, x + PG, PG, 0x11, true), 0);
	/* the process writes page 0; the kernel reads it through the
	 * vmalloc address and through a kmap of the page */
	ASSERT_EQ(fill(k, 0, x, PG, 0x22, true), 0);
	ASSERT_EQ(kmm_fault_stats(k)->faults, faults);
	ASSERT_EQ(holds(k, 1, buf, PG, 0x22, false), 0);
	vaddr_t ka = kmap(k, vm->pages[0]);
	ASSERT_EQ(holds(k, 1, ka, PG, 0x22, false), 0);
	kunmap(k, vm->pages[0]);
	ASSERT_TRUE(pte_dirty(mm_pteval(k, mm, x)));
	ASSERT_FALSE(pte_dirty(mm_pteval(k, mm, x + PG)));
	kmm_check(k);
	/* munmap: the references go, the dirty pte dirties its page */
	ASSERT_EQ(do_munmap(k, mm, x, 3 * PG), 0);
	for (int i = 0; i < 3; i++) {
		struct page *p = vm->pages[i];
		ASSERT_EQ(page_count(p), 1);
		ASSERT_EQ(page_mapcount(p), 0);
		ASSERT_EQ(PageFlag(p, PG_dirty), i == 0);
	}
	ASSERT_EQ(mm->rss[MM_FILEPAGES], 0);
	ASSERT_EQ(holds(k, 0, buf, PG, 0x22, false), 0);
	kmm_check(k);
	vfree(k, buf);
	ASSERT_EQ(zone_free_frames(k, ZONE_HIGHMEM), hfree);
	mmput(k, mm);
	kmm_file_put(k, dev);
	ASSERT_EQ(zone_free_frames(k, ZONE_HIGHMEM), hfree);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(remap_shared_contents)

/* vm_pgoff picks the first page; pgoff + length may reach the end of the
 * area but not its guard page; a pgoff whose byte offset overflows is
 * refused; failed mmaps leave no VMA and no reference behind. */
static int remap_offsets(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	struct mm_struct *mm = start_process(k, 0);
	ASSERT_TRUE(mm);
	vaddr_t buf = vmalloc_user(k, 4 * PG);
	struct vm_struct *vm = find_vm_area(k, buf);
	ASSERT_EQ(vm->size, 5 * PG);            /* guard included */
	struct kmm_file *dev = kmm_vmalloc_device_create(k, buf, 0);
	long a = do_mmap_pgoff(k, mm, dev, 0, 2 * PG, RW, MAP_SHARED, 1);
	long b = do_mmap_pgoff(k, mm, dev, 0, 2 * PG, PROT_READ, MAP_SHARED, 2);
	ASSERT_TRUE(a > 0 && b > 0);
	for (int i = 0; i < 2; i++) {
		ASSERT_EQ(upage(k, mm, (vaddr_t)a + i * PG), vm->pages[1 + i]);
		ASSERT_EQ(upage(k, mm, (vaddr_t)b + i * PG), vm->pages[2 + i]);
	}
	ASSERT_FALSE(pte_write(mm_pteval(k, mm, (vaddr_t)b)));
	int maps = mm->map_count;
	ASSERT_EQ(do_mmap_pgoff(k, mm, dev, 0, 2 * PG, RW, MAP_SHARED, 3), -EINVAL);
	ASSERT_EQ(do_mmap_pgoff(k, mm, dev, 0, 5 * PG, RW, MAP_SHARED, 0), -EINVAL);
	ASSERT_EQ(do_mmap_pgoff(k, mm, dev, 0, PG, RW, MAP_SHARED, 4), -EINVAL);
	ASSERT_EQ(do_mmap_pgoff(k, mm, dev, 0, PG, RW, MAP_SHARED, 1ul << 20), -EINVAL);
	ASSERT_EQ(do_mmap_pgoff(k, mm, dev, 0, PG, RW, MAP_SHARED, 0xfffff), -EINVAL);
	ASSERT_EQ(mm->map_count, maps);
	static const int refs[4] = {1, 2, 3, 2};
	for (int i = 0; i < 4; i++) {
		ASSERT_EQ(page_count(vm->pages[i]), refs[i]);
		ASSERT_EQ(page_mapcount(vm->pages[i]), refs[i] - 1);
	}
	ASSERT_EQ(mm->rss[MM_FILEPAGES], 4);
	/* the same byte seen through both mappings and the kernel */
	ASSERT_EQ(uwrite8(k, 0, (vaddr_t)a + PG + 5, 0xab), KMM_OK);
	ASSERT_EQ(uread8(k, 0, (vaddr_t)b + 5), 0xab);
	ASSERT_EQ(kread8(k, 1, buf + 2 * PG + 5), 0xab);
	/* direct calls: unaligned addresses, no area, a non-USERMAP area */
	struct vm_area_struct *v = find_vma(mm, (vaddr_t)a);
	ASSERT_EQ(remap_vmalloc_range_partial(k, v, v->vm_start + 1, buf, 0, PG), -EINVAL);
	ASSERT_EQ(remap_vmalloc_range_partial(k, v, v->vm_start, buf + 1, 0, PG), -EINVAL);
	ASSERT_EQ(remap_vmalloc_range(k, v, buf + 5 * PG, 0), -EINVAL);
	vaddr_t plain = vmalloc(k, 2 * PG);
	ASSERT_EQ(remap_vmalloc_range(k, v, plain, 0), -EINVAL);
	ASSERT_EQ(v->vm_flags & REMAP_FLAGS, REMAP_FLAGS);
	kmm_check(k);
	mmput(k, mm);
	for (int i = 0; i < 4; i++)
		ASSERT_EQ(page_count(vm->pages[i]), 1);
	vfree(k, plain);
	vfree(k, buf);
	kmm_file_put(k, dev);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(remap_offsets)

struct partial_arg {
	struct vm_area_struct *v;
	vaddr_t kaddr;
	unsigned long size;
};

static void partial_fn(struct kmm *k, void *arg)
{
	struct partial_arg *p = arg;

	remap_vmalloc_range_partial(k, p->v, p->v->vm_start + 3 * PG, p->kaddr,
				    0, p->size);
}

/* A device mapping only what its buffer holds (2 pages and 100 bytes):
 * a longer VMA has ptes for the three pages, and an access beyond is
 * SIGBUS (no ->fault); remap_vmalloc_range_partial fills a hole, and
 * answers -EBUSY over a pte; from inside the area it runs into the guard
 * page, which vm_insert_page refuses past the VMA (-EFAULT) and
 * dereferences inside it. */
static int remap_partial_sigbus(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	struct mm_struct *mm = start_process(k, 0);
	ASSERT_TRUE(mm);
	vaddr_t buf = vmalloc_user(k, 4 * PG);
	struct vm_struct *vm = find_vm_area(k, buf);
	struct kmm_file *dev = kmm_vmalloc_device_create(k, buf, 2 * PG + 100);
	ASSERT_EQ(kread8(k, 1, buf), 0);
	long a = do_mmap_pgoff(k, mm, dev, 0, 6 * PG, RW, MAP_SHARED, 0);
	ASSERT_TRUE(a > 0);
	vaddr_t x = (vaddr_t)a;
	struct vm_area_struct *v = find_vma(mm, x);
	ASSERT_EQ(v->vm_flags & REMAP_FLAGS, REMAP_FLAGS);
	for (int i = 0; i < 6; i++)
		ASSERT_EQ(upage(k, mm, x + i * PG), i < 3 ? vm->pages[i] : NULL);
	ASSERT_EQ(mm->rss[MM_FILEPAGES], 3);
	ASSERT_EQ(uread8(k, 0, x + 2 * PG + 200), 0);   /* past 100, same page */
	unsigned long sigbus = kmm_fault_stats(k)->sigbus;
	struct kmm_access_result r;
	uint8_t byte;
	ASSERT_EQ(kmm_access(k, 0, x + 3 * PG + 1, &byte, 1, KMM_ACC_USER, &r),
		  KMM_SIGBUS);
	ASSERT_EQ(r.addr, x + 3 * PG + 1);
	ASSERT_EQ(kmm_fault_stats(k)->sigbus, sigbus + 1);
	ASSERT_EQ(uwrite8(k, 0, x + 5 * PG, 1), KMM_SIGBUS);
	ASSERT_EQ(mm_pteval(k, mm, x + 3 * PG), 0);     /* nothing installed */
	/* beyond the buffer's size: refused */
	ASSERT_EQ(do_mmap_pgoff(k, mm, dev, 0, PG, RW, MAP_SHARED, 3), -EINVAL);
	/* the hole filled by hand with page 3, then -EBUSY */
	ASSERT_EQ(remap_vmalloc_range_partial(k, v, x + 3 * PG, buf, 3, PG), 0);
	ASSERT_EQ(upage(k, mm, x + 3 * PG), vm->pages[3]);
	ASSERT_EQ(page_count(vm->pages[3]), 2);
	ASSERT_EQ(remap_vmalloc_range_partial(k, v, x + 3 * PG, buf, 3, PG), -EBUSY);
	ASSERT_EQ(remap_vmalloc_range_partial(k, v, x + 2 * PG, buf, 2, 2 * PG), -EBUSY);
	ASSERT_EQ(page_count(vm->pages[3]), 2);
	ASSERT_EQ(uwrite8(k, 0, x + 3 * PG + 9, 0x5c), KMM_OK);
	ASSERT_EQ(kread8(k, 1, buf + 3 * PG + 9), 0x5c);
	kmm_check(k);
	/* from inside the area: pages 3 and the guard; the VMA ends first */
	ASSERT_EQ(remap_vmalloc_range_partial(k, v, x + 5 * PG, buf + 3 * PG, 0,
					      2 * PG), -EFAULT);
	ASSERT_EQ(upage(k, mm, x + 5 * PG), vm->pages[3]);      /* left there */
	ASSERT_EQ(page_count(vm->pages[3]), 3);
	kmm_check(k);
	/* ... and inside the VMA, the NULL page is an oops */
	ASSERT_EQ(do_munmap(k, mm, x + 3 * PG, 3 * PG), 0);
	ASSERT_EQ(page_count(vm->pages[3]), 1);
	long c = do_mmap_pgoff(k, mm, dev, 0, 6 * PG, RW, MAP_SHARED, 0);
	ASSERT_TRUE(c > 0);
	struct partial_arg pa = {find_vma(mm, (vaddr_t)c), buf + 2 * PG, 3 * PG};
	ASSERT_TRUE(expect_report(k, partial_fn, &pa, "NULL pointer dereference"));
	pa.size = 0;
	ASSERT_TRUE(expect_report(k, partial_fn, &pa, "of 0 bytes"));
	kmm_check(k);
	mmput(k, mm);
	vfree(k, buf);
	kmm_file_put(k, dev);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(remap_partial_sigbus)

static void insert_pfnmap_fn(struct kmm *k, void *arg)
{
	struct vm_area_struct *v = arg;
	struct page *p = alloc_page(k, GFP_KERNEL);

	vm_insert_page(k, v, v->vm_start, p);
}

/* vm_insert_page's answers, in the kernel's order: -EFAULT outside the
 * VMA, -EINVAL for a page without references (before VM_MIXEDMAP is
 * set), then VM_MIXEDMAP, -EINVAL for anonymous and slab pages, -EBUSY
 * over a pte; a PFN map is a bug.  remap_vmalloc_range refuses areas that
 * are not VM_USERMAP and freed buffers; vmalloc_32_user works with
 * lowmem pages.  Nothing a refusal touched changes. */
static int insert_page_misuse(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	struct mm_struct *mm = start_process(k, 0);
	ASSERT_TRUE(mm);
	long an = do_mmap_pgoff(k, mm, NULL, 0, 4 * PG, RW, ANON, 0);
	long an2 = do_mmap_pgoff(k, mm, NULL, 0x20000000, 2 * PG, RW, ANON, 0);
	ASSERT_TRUE(an > 0 && an2 > 0);
	ASSERT_EQ(uwrite8(k, 0, (vaddr_t)an, 1), KMM_OK);
	ASSERT_EQ(uwrite8(k, 0, (vaddr_t)an2 + PG, 1), KMM_OK);
	struct vm_area_struct *v = find_vma(mm, (vaddr_t)an);
	struct vm_area_struct *v2 = find_vma(mm, (vaddr_t)an2);
	unsigned long flags = v->vm_flags, flags2 = v2->vm_flags;
	struct page *anon = upage(k, mm, (vaddr_t)an);
	ASSERT_TRUE(anon && PageAnon(anon));
	struct page *pair = alloc_pages(k, GFP_KERNEL, 1);      /* not split */
	vaddr_t obj = kmalloc(k, 64, GFP_KERNEL);
	struct page *slab = virt_to_page(k, obj);
	struct page *kp = alloc_page(k, GFP_KERNEL);
	ASSERT_TRUE(pair && obj && kp && PageSlab(slab));
	long rss = mm->rss[MM_FILEPAGES];
	/* -EFAULT, and no flag yet */
	ASSERT_EQ(vm_insert_page(k, v2, v2->vm_end, kp), -EFAULT);
	ASSERT_EQ(vm_insert_page(k, v2, v2->vm_start - PG, kp), -EFAULT);
	ASSERT_EQ(vm_insert_page(k, v2, v2->vm_start, pair + 1), -EINVAL);
	ASSERT_EQ(v2->vm_flags, flags2);
	/* -EBUSY over the anonymous page, which keeps its pte */
	ASSERT_EQ(vm_insert_page(k, v2, v2->vm_start + PG, kp), -EBUSY);
	ASSERT_EQ(v2->vm_flags, flags2 | VM_MIXEDMAP);
	ASSERT_TRUE(PageAnon(upage(k, mm, v2->vm_start + PG)));
	/* VM_MIXEDMAP is set before the page is validated */
	ASSERT_EQ(vm_insert_page(k, v, (vaddr_t)an + PG, anon), -EINVAL);
	ASSERT_EQ(v->vm_flags, flags | VM_MIXEDMAP);
	ASSERT_EQ(vm_insert_page(k, v, (vaddr_t)an + PG, slab), -EINVAL);
	ASSERT_EQ(mm_pteval(k, mm, (vaddr_t)an + PG), 0);
	ASSERT_EQ(page_count(anon), 1);
	ASSERT_EQ(page_mapcount(anon), 1);
	ASSERT_EQ(page_count(kp), 1);
	ASSERT_EQ(page_count(pair), 1);
	ASSERT_EQ(pair[1]._refcount, 0);
	ASSERT_EQ(mm->rss[MM_FILEPAGES], rss);
	kmm_check(k);
	/* remap_vmalloc_range refusals through a device's mmap */
	vaddr_t plain = vmalloc(k, 2 * PG), user = vmalloc_user(k, 2 * PG);
	vaddr_t gone = vmalloc_user(k, 2 * PG);
	struct page *pp[2] = {kp, kp};
	vaddr_t mapped = vmap(k, pp, 2, VM_MAP, pgprot_kernel(k));
	ASSERT_TRUE(plain && user && gone && mapped);
	vfree(k, gone);
	const vaddr_t bad[] = {plain, user + 1, gone, mapped};
	for (int i = 0; i < 4; i++) {
		struct kmm_file *d = kmm_vmalloc_device_create(k, bad[i], 0);
		int maps = mm->map_count;
		ASSERT_EQ(do_mmap_pgoff(k, mm, d, 0, PG, RW, MAP_SHARED, 0), -EINVAL);
		ASSERT_EQ(mm->map_count, maps);
		kmm_file_put(k, d);
	}
	ASSERT_EQ(page_count(vmalloc_to_page(k, plain)), 1);
	ASSERT_EQ(page_count(kp), 1);
	/* vmalloc_32_user: lowmem pages, mapped the same way */
	vaddr_t low = vmalloc_32_user(k, 2 * PG);
	struct vm_struct *lvm = find_vm_area(k, low);
	ASSERT_EQ(lvm->flags, VM_ALLOC | VM_USERMAP);
	struct kmm_file *ld = kmm_vmalloc_device_create(k, low, 0);
	long l = do_mmap_pgoff(k, mm, ld, 0, 2 * PG, RW, MAP_SHARED, 0);
	ASSERT_TRUE(l > 0);
	for (int i = 0; i < 2; i++) {
		ASSERT_FALSE(PageHighMem(k, lvm->pages[i]));
		ASSERT_EQ(upage(k, mm, (vaddr_t)l + i * PG), lvm->pages[i]);
	}
	ASSERT_EQ(uwrite8(k, 0, (vaddr_t)l + PG + 1, 0x3d), KMM_OK);
	ASSERT_EQ(kread8(k, 1, low + PG + 1), 0x3d);
	ASSERT_EQ(kread8(k, 1, page_address(k, lvm->pages[1]) + 1), 0x3d);
	kmm_check(k);
	/* a PFN map is no place for a page */
	struct kmm_file *pdev = kmm_device_create(k, DEV_BASE, PG, false);
	long p = do_mmap_pgoff(k, mm, pdev, 0, PG, RW, MAP_SHARED, 0);
	ASSERT_TRUE(p > 0);
	ASSERT_TRUE(expect_report(k, insert_pfnmap_fn, find_vma(mm, (vaddr_t)p),
			       "vm_insert_page into the PFN map"));
	mmput(k, mm);
	vfree(k, low);
	vfree(k, user);
	vfree(k, plain);
	vunmap(k, mapped);
	__free_pages(k, pair, 1);
	__free_page(k, kp);
	kfree(k, obj);
	kmm_file_put(k, ld);
	kmm_file_put(k, pdev);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(insert_page_misuse)

/* vfree while mapped: the area is gone but its pages live on with the
 * ptes' references and keep their contents; a new mmap of the buffer is
 * refused; a write to a private mapping copies the page and frees it when
 * that was its last pte; munmap of part frees those pages (after the TLB
 * flush), exit the rest: every highmem frame comes back.  With cpus == 1
 * the mmu_gather frees at once. */
static int vfree_while_mapped(bool pae, unsigned int cpus)
{
	struct kmm *k = boot_cpus(pae, cpus);
	ASSERT_TRUE(k);
	struct mm_struct *mm = start_process(k, 0);
	ASSERT_TRUE(mm);
	long hfree = zone_free_frames(k, ZONE_HIGHMEM);
	vaddr_t buf = vmalloc_user(k, 5 * PG);
	struct vm_struct *vm = find_vm_area(k, buf);
	struct page *pages[5];
	memcpy(pages, vm->pages, sizeof(pages));
	struct kmm_file *dev = kmm_vmalloc_device_create(k, buf, 0);
	long a = do_mmap_pgoff(k, mm, dev, 0, 4 * PG, RW, MAP_SHARED, 0);
	long pr = do_mmap_pgoff(k, mm, dev, 0, PG, RW, MAP_PRIVATE, 4);
	ASSERT_TRUE(a > 0 && pr > 0);
	vaddr_t x = (vaddr_t)a;
	ASSERT_EQ(fill(k, 0, x, 4 * PG, 0x40, true), 0);
	ASSERT_EQ(kmm_write(k, 0, buf + 4 * PG + 1, "\x4c", 1, false), KMM_OK);
	vfree(k, buf);
	ASSERT_EQ(find_vm_area(k, buf), NULL);
	struct vmalloc_info vi;
	vmalloc_info(k, &vi);
	ASSERT_EQ(vi.nr_vmalloc_pages, 0);
	for (int i = 0; i < 5; i++) {
		ASSERT_EQ(page_count(pages[i]), 1);
		ASSERT_EQ(page_mapcount(pages[i]), 1);
		ASSERT_TRUE(pages[i]->sim & KMM_SIM_ALLOCATED);
	}
	ASSERT_EQ(zone_free_frames(k, ZONE_HIGHMEM), hfree - 5);
	kmm_check(k);
	/* the private copy: a new highmem page, the old one freed */
	ASSERT_EQ(uwrite8(k, 0, (vaddr_t)pr, 0x4d), KMM_OK);
	ASSERT_TRUE(page_is_free(pages[4]));
	ASSERT_TRUE(PageAnon(upage(k, mm, (vaddr_t)pr)));
	ASSERT_EQ(uread8(k, 0, (vaddr_t)pr + 1), 0x4c);
	ASSERT_EQ(zone_free_frames(k, ZONE_HIGHMEM), hfree - 5);
	kmm_check(k);
	ASSERT_EQ(holds(k, 0, x, 4 * PG, 0x40, true), 0);
	ASSERT_EQ(fill(k, 0, x, 4 * PG, 0x41, true), 0);
	ASSERT_EQ(holds(k, 0, x, 4 * PG, 0x41, true), 0);
	ASSERT_EQ(do_mmap_pgoff(k, mm, dev, 0, PG, RW, MAP_SHARED, 0), -EINVAL);
	/* the middle two go with their ptes */
	ASSERT_EQ(do_munmap(k, mm, x + PG, 2 * PG), 0);
	ASSERT_TRUE(page_is_free(pages[1]) && page_is_free(pages[2]));
	ASSERT_EQ(page_count(pages[0]), 1);
	ASSERT_EQ(page_count(pages[3]), 1);
	ASSERT_EQ(zone_free_frames(k, ZONE_HIGHMEM), hfree - 3);    /* + the copy */
	ASSERT_EQ(mm->rss[MM_FILEPAGES], 2);
	kmm_check(k);
	ASSERT_EQ(uread8(k, 0, x + PG), -(int)KMM_SIGSEGV);
	/* pat(3 * PG + i, seed) is pat(i, seed + 3 * 7) */
	ASSERT_EQ(holds(k, 0, x + 3 * PG, PG, 0x41 + 3 * 7, true), 0);
	mmput(k, mm);
	for (int i = 0; i < 4; i++)
		ASSERT_TRUE(page_is_free(pages[i]));
	ASSERT_EQ(zone_free_frames(k, ZONE_HIGHMEM), hfree);
	kmm_file_put(k, dev);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
static int vfree_while_mapped_nonpae(void) { return vfree_while_mapped(false, 2); }
static int vfree_while_mapped_pae(void) { return vfree_while_mapped(true, 2); }
static int vfree_while_mapped_1cpu_nonpae(void) { return vfree_while_mapped(false, 1); }
static int vfree_while_mapped_1cpu_pae(void) { return vfree_while_mapped(true, 1); }

/* fork copies the ptes of VM_MIXEDMAP VMAs (no fault refills them):
 * shared writes are seen by parent, child and kernel; a private writable
 * mapping has read-only ptes and copies on write into an anonymous page,
 * leaving the buffer and the child's view alone; vfree then both exits
 * free every page. */
static int remap_fork_cow_exit(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	long zfree[MAX_NR_ZONES];
	for (int z = 0; z < MAX_NR_ZONES; z++)
		zfree[z] = zone_free_frames(k, z);
	struct mm_struct *mm = start_process(k, 0);
	ASSERT_TRUE(mm);
	vaddr_t buf = vmalloc_user(k, 2 * PG);
	struct vm_struct *vm = find_vm_area(k, buf);
	struct page *pages[2] = {vm->pages[0], vm->pages[1]};
	struct kmm_file *dev = kmm_vmalloc_device_create(k, buf, 0);
	long s = do_mmap_pgoff(k, mm, dev, 0, 2 * PG, RW, MAP_SHARED, 0);
	long p = do_mmap_pgoff(k, mm, dev, 0, 2 * PG, RW, MAP_PRIVATE, 0);
	ASSERT_TRUE(s > 0 && p > 0);
	vaddr_t S = (vaddr_t)s, P = (vaddr_t)p;
	struct vm_area_struct *pv = find_vma(mm, P);
	ASSERT_EQ(pv->vm_flags & (REMAP_FLAGS | VM_SHARED | VM_WRITE),
		  REMAP_FLAGS | VM_WRITE);
	for (int i = 0; i < 2; i++) {
		pteval_t pte = mm_pteval(k, mm, P + i * PG);
		ASSERT_EQ(pte, pfn_pte(k, page_to_pfn(k, pages[i]), pv->vm_page_prot));
		ASSERT_FALSE(pte_write(pte));
		ASSERT_EQ(page_count(pages[i]), 3);
		ASSERT_EQ(page_mapcount(pages[i]), 2);
	}
	ASSERT_EQ(mm->rss[MM_FILEPAGES], 4);
	ASSERT_EQ(kmm_write(k, 1, buf + 10, "\x5a", 1, false), KMM_OK);
	ASSERT_EQ(uread8(k, 0, P + 10), 0x5a);
	ASSERT_EQ(uread8(k, 0, S + 10), 0x5a);
	/* fork: the child has every pte without faulting */
	struct mm_struct *ch = dup_mm(k, mm);
	ASSERT_TRUE(ch);
	for (int i = 0; i < 2; i++) {
		ASSERT_EQ(upage(k, ch, S + i * PG), pages[i]);
		ASSERT_EQ(upage(k, ch, P + i * PG), pages[i]);
		ASSERT_EQ(page_count(pages[i]), 5);
		ASSERT_EQ(page_mapcount(pages[i]), 4);
	}
	ASSERT_EQ(ch->rss[MM_FILEPAGES], 4);
	ASSERT_EQ(ch->rss[MM_ANONPAGES], 0);
	switch_mm(k, 1, ch);
	unsigned long faults = kmm_fault_stats(k)->faults;
	ASSERT_EQ(uwrite8(k, 1, S + 20, 0x77), KMM_OK);
	ASSERT_EQ(kmm_fault_stats(k)->faults, faults);
	ASSERT_EQ(uread8(k, 0, S + 20), 0x77);
	ASSERT_EQ(kread8(k, 0, buf + 20), 0x77);
	/* the parent writes its private copy */
	unsigned long cows = kmm_fault_stats(k)->cow_copies;
	ASSERT_EQ(uwrite8(k, 0, P + 30, 0x33), KMM_OK);
	ASSERT_EQ(kmm_fault_stats(k)->cow_copies, cows + 1);
	struct page *copy = upage(k, mm, P);
	ASSERT_TRUE(copy && PageAnon(copy) && copy != pages[0]);
	ASSERT_TRUE(pte_write(mm_pteval(k, mm, P)));
	ASSERT_EQ(uread8(k, 0, P + 10), 0x5a);
	ASSERT_EQ(uread8(k, 0, P + 20), 0x77);
	ASSERT_EQ(uread8(k, 0, P + 30), 0x33);
	ASSERT_EQ(kread8(k, 0, buf + 30), 0);
	ASSERT_EQ(uread8(k, 1, P + 30), 0);
	ASSERT_EQ(page_count(pages[0]), 4);
	ASSERT_EQ(page_mapcount(pages[0]), 3);
	ASSERT_EQ(mm->rss[MM_FILEPAGES], 3);
	ASSERT_EQ(mm->rss[MM_ANONPAGES], 1);
	kmm_check(k);
	/* a second fork copies the private VMA's anonymous pte too,
	 * write-protected in both */
	struct mm_struct *gc = dup_mm(k, mm);
	ASSERT_TRUE(gc);
	ASSERT_EQ(upage(k, gc, P), copy);
	ASSERT_FALSE(pte_write(mm_pteval(k, mm, P)));
	ASSERT_EQ(page_mapcount(copy), 2);
	kmm_check(k);
	vfree(k, buf);
	/* page 0: shared in 3 mms, private in the child; page 1: both in 3 */
	ASSERT_EQ(page_count(pages[0]), 4);
	ASSERT_EQ(page_count(pages[1]), 6);
	mmput(k, ch);
	mmput(k, gc);
	ASSERT_EQ(page_count(pages[0]), 1);
	ASSERT_EQ(page_count(pages[1]), 2);
	kmm_check(k);
	mmput(k, mm);
	ASSERT_TRUE(page_is_free(pages[0]) && page_is_free(pages[1]));
	ASSERT_TRUE(page_is_free(copy));
	kmm_file_put(k, dev);
	ASSERT_EQ(zone_free_frames(k, ZONE_HIGHMEM), zfree[ZONE_HIGHMEM]);
	ASSERT_EQ(kmm_nr_mms(k), 0);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(remap_fork_cow_exit)

/* A driver's own page (alloc_page) inserted into a private anonymous
 * VMA: read-only with the private protection, counted as a file page;
 * a write copies it; the driver's reference is untouched. */
static int insert_driver_page(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	struct mm_struct *mm = start_process(k, 0);
	ASSERT_TRUE(mm);
	long a = do_mmap_pgoff(k, mm, NULL, 0, 2 * PG, RW, ANON, 0);
	ASSERT_TRUE(a > 0);
	vaddr_t x = (vaddr_t)a;
	struct vm_area_struct *v = find_vma(mm, x);
	struct page *kp = alloc_page(k, GFP_KERNEL);
	memset(kmm_frame_w(k, page_to_pfn(k, kp)), 0x6e, PG);
	ASSERT_EQ(vm_insert_page(k, v, x + PG + 123, kp), 0);   /* its page */
	ASSERT_EQ(v->vm_flags & VM_MIXEDMAP, VM_MIXEDMAP);
	ASSERT_EQ(mm_pteval(k, mm, x + PG),
		  pfn_pte(k, page_to_pfn(k, kp), v->vm_page_prot));
	ASSERT_EQ(page_count(kp), 2);
	ASSERT_EQ(page_mapcount(kp), 1);
	ASSERT_EQ(mm->rss[MM_FILEPAGES], 1);
	ASSERT_EQ(uread8(k, 0, x + PG + 7), 0x6e);
	kmm_check(k);
	ASSERT_EQ(uwrite8(k, 0, x + PG + 7, 0x01), KMM_OK);
	struct page *np = upage(k, mm, x + PG);
	ASSERT_TRUE(np != kp && PageAnon(np));
	ASSERT_EQ(uread8(k, 0, x + PG + 8), 0x6e);
	ASSERT_EQ(kmm_frame_r(k, page_to_pfn(k, kp))[7], 0x6e);
	ASSERT_EQ(page_count(kp), 1);
	ASSERT_EQ(page_mapcount(kp), 0);
	ASSERT_EQ(mm->rss[MM_FILEPAGES], 0);
	ASSERT_EQ(mm->rss[MM_ANONPAGES], 1);
	/* again, then exit drops the pte's reference only */
	ASSERT_EQ(vm_insert_page(k, v, x, kp), 0);
	kmm_check(k);
	mmput(k, mm);
	ASSERT_EQ(page_count(kp), 1);
	ASSERT_EQ(page_mapcount(kp), 0);
	kmm_check(k);
	__free_page(k, kp);
	ASSERT_TRUE(page_is_free(kp));
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(insert_driver_page)

/* VMA operations on a remapped VMA: growth is refused (VM_DONTEXPAND,
 * -EFAULT), mprotect splits it and write-protects the ptes, munmap of
 * one page drops only its reference, a move carries the ptes along. */
static int remap_vma_operations(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	struct mm_struct *mm = start_process(k, 0);
	ASSERT_TRUE(mm);
	vaddr_t buf = vmalloc_user(k, 4 * PG);
	struct vm_struct *vm = find_vm_area(k, buf);
	struct kmm_file *dev = kmm_vmalloc_device_create(k, buf, 0);
	long a = do_mmap_pgoff(k, mm, dev, 0, 4 * PG, RW, MAP_SHARED, 0);
	ASSERT_TRUE(a > 0);
	vaddr_t x = (vaddr_t)a;
	ASSERT_EQ(fill(k, 1, buf, 4 * PG, 0x70, false), 0);
	int maps = mm->map_count;
	ASSERT_EQ(do_mremap(k, mm, x, 4 * PG, 5 * PG, MREMAP_MAYMOVE, 0), -EFAULT);
	ASSERT_EQ(do_mremap(k, mm, x, 4 * PG, 5 * PG, 0, 0), -EFAULT);
	/* mprotect the first page read-only */
	ASSERT_EQ(sys_mprotect(k, mm, x, PG, PROT_READ), 0);
	ASSERT_EQ(mm->map_count, maps + 1);
	ASSERT_EQ(find_vma(mm, x)->vm_end, x + PG);
	ASSERT_EQ(find_vma(mm, x)->vm_flags & REMAP_FLAGS, REMAP_FLAGS);
	ASSERT_EQ(find_vma(mm, x + PG)->vm_flags & REMAP_FLAGS, REMAP_FLAGS);
	ASSERT_FALSE(pte_write(mm_pteval(k, mm, x)));
	ASSERT_EQ(upage(k, mm, x), vm->pages[0]);
	ASSERT_EQ(uwrite8(k, 0, x, 1), KMM_SIGSEGV);
	ASSERT_EQ(uread8(k, 0, x + 1), pat(1, 0x70));
	/* munmap page 1 */
	ASSERT_EQ(do_munmap(k, mm, x + PG, PG), 0);
	ASSERT_EQ(page_count(vm->pages[1]), 1);
	ASSERT_EQ(page_mapcount(vm->pages[1]), 0);
	ASSERT_EQ(mm_pteval(k, mm, x + PG), 0);
	ASSERT_EQ(uread8(k, 0, x + PG), -(int)KMM_SIGSEGV);
	kmm_check(k);
	/* move pages 2-3 below */
	vaddr_t to = x - 64 * PG;
	ASSERT_EQ(do_mremap(k, mm, x + 2 * PG, 2 * PG, 2 * PG,
			    MREMAP_MAYMOVE | MREMAP_FIXED, to), (long)to);
	for (int i = 0; i < 2; i++) {
		ASSERT_EQ(upage(k, mm, to + i * PG), vm->pages[2 + i]);
		ASSERT_EQ(mm_pteval(k, mm, x + (2 + i) * PG), 0);
		ASSERT_EQ(page_count(vm->pages[2 + i]), 2);
		ASSERT_EQ(page_mapcount(vm->pages[2 + i]), 1);
	}
	ASSERT_EQ(find_vma(mm, to)->vm_flags & REMAP_FLAGS, REMAP_FLAGS);
	ASSERT_EQ(uread8(k, 0, to + PG + 3), pat(3 * PG + 3, 0x70));
	ASSERT_EQ(mm->rss[MM_FILEPAGES], 3);
	kmm_check(k);
	mmput(k, mm);
	for (int i = 0; i < 4; i++)
		ASSERT_EQ(page_count(vm->pages[i]), 1);
	vfree(k, buf);
	kmm_file_put(k, dev);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(remap_vma_operations)

/* ---- the sweeps ---- */

struct mapped {
	struct kmm *k;
	struct mm_struct *mm;
	vaddr_t buf, x;                 /* 4-page buffer, 3 pages mapped in 4 */
	struct vm_struct *vm;
	struct vm_area_struct *v;
};

static int setup_mapped(struct mapped *m, bool pae)
{
	m->k = boot_preset("tiny", pae);
	ASSERT_TRUE(m->k);
	m->mm = start_process(m->k, 0);
	ASSERT_TRUE(m->mm);
	m->buf = vmalloc_user(m->k, 4 * PG);
	m->vm = find_vm_area(m->k, m->buf);
	struct kmm_file *dev = kmm_vmalloc_device_create(m->k, m->buf, 3 * PG);
	long a = do_mmap_pgoff(m->k, m->mm, dev, 0, 4 * PG, RW, MAP_SHARED, 0);
	ASSERT_TRUE(a > 0);
	m->x = (vaddr_t)a;
	m->v = find_vma(m->mm, m->x);
	kmm_check(m->k);
	return 0;
}

/* mmu_check rejects a kernel page in a VMA that is not VM_MIXEDMAP, an
 * unaccounted pte of a vmalloc page, a free page in a VM_MIXEDMAP VMA and
 * a vfree'd page with fewer references than ptes; vmalloc_check rejects a
 * vmalloc page with a reference that is neither the area's nor a pte's. */
static int sweeps_catch_bad_ptes(bool pae)
{
	struct mapped m;
	ASSERT_EQ(setup_mapped(&m, pae), 0);
	struct kmm *k = m.k;
	/* an anonymous VMA with a hand-made pte to page 3 */
	long an = do_mmap_pgoff(k, m.mm, NULL, 0, PG, RW, ANON, 0);
	ASSERT_TRUE(an > 0);
	ASSERT_EQ(uread8(k, 0, (vaddr_t)an), 0);        /* a zero-page pte */
	ptep_t ep = mm_pte(k, m.mm, (vaddr_t)an);
	pteval_t old = pte_get(k, ep);
	struct page *p3 = m.vm->pages[3];
	set_pte(k, ep, pfn_pte(k, page_to_pfn(k, p3), m.v->vm_page_prot));
	ASSERT_TRUE(check_reports(k, "which is free or unowned"));
	set_pte(k, ep, old);
	kmm_check(k);
	/* the empty slot of the device VMA mapping page 3 without its
	 * reference and mapcount (rss kept right) */
	ptep_t hole = mm_pte(k, m.mm, m.x + 3 * PG);
	ASSERT_EQ(pte_get(k, hole), 0);
	set_pte(k, hole, pfn_pte(k, page_to_pfn(k, m.vm->pages[0]),
				 m.v->vm_page_prot));
	m.mm->rss[MM_FILEPAGES]++;
	ASSERT_TRUE(check_reports(k, "mapped by 2 ptes but has mapcount 1"));
	/* ... or a page that is free */
	struct page *fp = alloc_page(k, GFP_HIGHUSER);
	__free_page(k, fp);
	set_pte(k, hole, pfn_pte(k, page_to_pfn(k, fp), m.v->vm_page_prot));
	ASSERT_TRUE(check_reports(k, "which is free or unowned"));
	pte_clear(k, hole);
	m.mm->rss[MM_FILEPAGES]--;
	kmm_check(k);
	/* an extra reference on a mapped vmalloc page */
	get_page(k, m.vm->pages[1]);
	ASSERT_TRUE(check_reports(k, "are not the area's plus one per user mapping"));
	put_page(k, m.vm->pages[1]);
	/* an unmapped page with a reference too many */
	get_page(k, m.vm->pages[3]);
	ASSERT_TRUE(check_reports(k, "are not the area's plus one per user mapping"));
	put_page(k, m.vm->pages[3]);
	kmm_check(k);
	/* vfree'd pages mapped twice, one pte's reference lost */
	ASSERT_TRUE(do_mmap_pgoff(k, m.mm, m.v->vm_file, 0, PG, PROT_READ,
				  MAP_SHARED, 0) > 0);
	struct page *p0 = m.vm->pages[0];
	vfree(k, m.buf);
	kmm_check(k);
	put_page(k, p0);
	ASSERT_TRUE(check_reports(k, "mapped by 2 ptes but has mapcount 2 and "
				     "count 1 (expected at least 2)"));
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(sweeps_catch_bad_ptes)

/* kmm_reset with orphaned pages mapped (vfree'd), a fork and a COW copy
 * returns the boot state, and the same run gives the same result. */
static int run_scenario(struct kmm *k, unsigned long out[6])
{
	struct mm_struct *mm = start_process(k, 0);
	ASSERT_TRUE(mm);
	vaddr_t buf = vmalloc_user(k, 3 * PG);
	struct kmm_file *dev = kmm_vmalloc_device_create(k, buf, 0);
	long s = do_mmap_pgoff(k, mm, dev, 0, 3 * PG, RW, MAP_SHARED, 0);
	long p = do_mmap_pgoff(k, mm, dev, 0, 3 * PG, RW, MAP_PRIVATE, 0);
	ASSERT_TRUE(s > 0 && p > 0);
	ASSERT_EQ(fill(k, 0, (vaddr_t)s, 3 * PG, 0x90, true), 0);
	ASSERT_EQ(uwrite8(k, 0, (vaddr_t)p + PG, 9), KMM_OK);
	struct mm_struct *ch = dup_mm(k, mm);
	ASSERT_TRUE(ch);
	out[0] = buf;
	out[1] = (unsigned long)s;
	out[2] = (unsigned long)p;
	out[3] = page_to_pfn(k, vmalloc_to_page(k, buf));
	out[4] = page_to_pfn(k, upage(k, mm, (vaddr_t)p + PG));
	vfree(k, buf);
	out[5] = page_count(pfn_to_page(k, out[3]));
	kmm_check(k);
	return 0;
}

static int reset_with_mapped_kernel_pages(bool pae)
{
	struct kmm *k = boot_preset("tiny", pae);
	ASSERT_TRUE(k);
	struct buddy_state boot, after;
	buddy_state_get(k, &boot);
	unsigned long first[6], second[6];
	ASSERT_EQ(run_scenario(k, first), 0);
	ASSERT_EQ(first[5], 4);         /* parent and child, both mappings */
	kmm_reset(k);
	buddy_state_get(k, &after);
	ASSERT_EQ(buddy_state_cmp(&boot, &after, true), 0);
	buddy_state_free(&after);
	ASSERT_EQ(kmm_nr_mms(k), 0);
	ASSERT_EQ(page_count(pfn_to_page(k, first[3])), 0);
	kmm_check(k);
	ASSERT_EQ(run_scenario(k, second), 0);
	ASSERT_EQ(memcmp(first, second, sizeof(first)), 0);
	kmm_reset(k);
	buddy_state_get(k, &after);
	ASSERT_EQ(buddy_state_cmp(&boot, &after, true), 0);
	buddy_state_free(&boot);
	buddy_state_free(&after);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
BOTH_MODES(reset_with_mapped_kernel_pages)

static const struct test_case tests[] = {
	TEST_BOTH(remap_shared_contents),
	TEST_BOTH(remap_offsets),
	TEST_BOTH(remap_partial_sigbus),
	TEST_BOTH(insert_page_misuse),
	TEST(vfree_while_mapped_nonpae),
	TEST(vfree_while_mapped_pae),
	TEST(vfree_while_mapped_1cpu_nonpae),
	TEST(vfree_while_mapped_1cpu_pae),
	TEST_BOTH(remap_fork_cow_exit),
	TEST_BOTH(insert_driver_page),
	TEST_BOTH(remap_vma_operations),
	TEST_BOTH(sweeps_catch_bad_ptes),
	TEST_BOTH(reset_with_mapped_kernel_pages),
};
TEST_MAIN(tests)
