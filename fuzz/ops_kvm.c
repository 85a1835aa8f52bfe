/* fuzz/ops_kvm.c — kernel virtual mappings: kmap/kunmap (the pkmap pool),
 * kmap_atomic and kmap_local_page (per-CPU fixmap slots, mapped and
 * unmapped within the op, as their atomic sections require), vmalloc,
 * vzalloc, vmalloc_32, vmalloc_user, vmalloc_32_user, vfree,
 * vm_unmap_aliases, vmap/vunmap of a unit's pages, and
 * kernel reads and writes through any live object's kernel address
 * (never freed memory), plus probe_kernel_read of a guard page (the
 * exception-table fixup: kmm has no oops-free path for other faulting
 * kernel accesses).  The oracle checks each address against the layout
 * and the frames behind it (oracle/kernel.c). */
#include "kmm/fault.h"
#include "kmm/highmem.h"
#include "kmm/vmalloc.h"
#include "ops.h"

void ex_kmap(struct opl_exec *x, const struct opl_inst *in)
{
	unsigned int h = (unsigned int)in->res;
	struct page *pg = opl_unit(x, in->a[0]);

	x->rt[h].va = 0;
	if (!pg)
		return;
	vaddr_t va = kmap(x->k, pg);
	x->rt[h].page = pg;
	x->rt[h].va = va;
	oracle_kmap(x->o, OPL_H(in->a[0]), OPL_SUB(in->a[0]), va, KMAP_PKMAP);
	opl_note(x, "0x%08x", va);
}

static void unmap(struct opl_exec *x, unsigned int h)
{
	if (!x->rt[h].va)
		return;
	kunmap(x->k, x->rt[h].page);
	x->rt[h].va = 0;
}

void ex_kunmap(struct opl_exec *x, const struct opl_inst *in)
{
	unmap(x, OPL_H(in->a[0]));
}

void kmap_teardown(struct opl_exec *x, unsigned int h)
{
	unmap(x, h);
}

void ex_kmap_atomic(struct opl_exec *x, const struct opl_inst *in)
{
	struct page *pg = opl_unit(x, in->a[0]);

	if (!pg)
		return;
	vaddr_t va = kmap_atomic(x->k, pg);
	oracle_kmap(x->o, OPL_H(in->a[0]), OPL_SUB(in->a[0]), va, KMAP_ATOMIC);
	kunmap_atomic(x->k, va);
	opl_note(x, "0x%08x", va);
}

void ex_kmap_local(struct opl_exec *x, const struct opl_inst *in)
{
	struct page *pg = opl_unit(x, in->a[0]);

	if (!pg)
		return;
	vaddr_t va = kmap_local_page(x->k, pg);
	oracle_kmap(x->o, OPL_H(in->a[0]), OPL_SUB(in->a[0]), va, KMAP_LOCAL);
	kunmap_local(x->k, va);
	opl_note(x, "0x%08x", va);
}

/* how: ORACLE_VM_* bits, or zero for vzalloc */
static void new_area(struct opl_exec *x, const struct opl_inst *in, bool zero,
		     unsigned int how)
{
	unsigned int h = (unsigned int)in->res, size = (unsigned int)in->a[0];
	vaddr_t va;

	x->vmalloc_used = true;
	switch (how) {
	case ORACLE_VM_LOWMEM:
		va = vmalloc_32(x->k, size);
		break;
	case ORACLE_VM_USER:
		va = vmalloc_user(x->k, size);
		break;
	case ORACLE_VM_LOWMEM | ORACLE_VM_USER:
		va = vmalloc_32_user(x->k, size);
		break;
	default:
		va = zero ? vzalloc(x->k, size) : vmalloc(x->k, size);
	}
	oracle_sync_frames(x->o);
	if (how)
		oracle_vmalloc_how(x->o, h, va, size, how);
	else
		oracle_vmalloc(x->o, h, va, size, zero);
	x->rt[h].va = va;
	opl_note(x, va ? "0x%08x" : "NULL", va);
}

void ex_vmalloc(struct opl_exec *x, const struct opl_inst *in)
{
	new_area(x, in, false, 0);
}

void ex_vzalloc(struct opl_exec *x, const struct opl_inst *in)
{
	new_area(x, in, true, 0);
}

void ex_vmalloc_32(struct opl_exec *x, const struct opl_inst *in)
{
	new_area(x, in, false, ORACLE_VM_LOWMEM);
}

void ex_vmalloc_user(struct opl_exec *x, const struct opl_inst *in)
{
	new_area(x, in, true, ORACLE_VM_USER);
}

void ex_vmalloc_32_user(struct opl_exec *x, const struct opl_inst *in)
{
	new_area(x, in, true, ORACLE_VM_LOWMEM | ORACLE_VM_USER);
}

static void free_area(struct opl_exec *x, unsigned int h)
{
	if (!x->rt[h].va)
		return;
	oracle_vfree(x->o, h);
	vfree(x->k, x->rt[h].va);
	x->rt[h].va = 0;
}

void ex_vfree(struct opl_exec *x, const struct opl_inst *in)
{
	free_area(x, OPL_H(in->a[0]));
}

void varea_teardown(struct opl_exec *x, unsigned int h)
{
	free_area(x, h);
}

void ex_vm_unmap_aliases(struct opl_exec *x, const struct opl_inst *in)
{
	(void)in;
	vm_unmap_aliases(x->k);
}

/* ---- vmap: the pages of a unit, virtually contiguous ---- */

void ex_vmap(struct opl_exec *x, const struct opl_inst *in)
{
	unsigned int h = (unsigned int)in->res, n = 1u << in->a[1];
	struct page *pg = opl_unit(x, in->a[0]);
	struct page *pages[1u << (MAX_ORDER - 1)];

	x->rt[h].va = 0;
	if (!pg)
		return;
	for (unsigned int i = 0; i < n; i++)
		pages[i] = pfn_to_page(x->k, page_to_pfn(x->k, pg) + i);
	x->vmalloc_used = true;
	vaddr_t va = vmap(x->k, pages, n, VM_MAP, pgprot_kernel(x->k));
	oracle_sync_frames(x->o);
	oracle_vmap(x->o, h, OPL_H(in->a[0]), OPL_SUB(in->a[0]),
		    (unsigned int)in->a[1], va);
	x->rt[h].page = pg;
	x->rt[h].va = va;
	opl_note(x, va ? "0x%08x" : "NULL", va);
}

static void unmap_area(struct opl_exec *x, unsigned int h)
{
	if (!x->rt[h].va)
		return;
	oracle_vunmap(x->o, h);
	vunmap(x->k, x->rt[h].va);
	x->rt[h].va = 0;
}

void ex_vunmap(struct opl_exec *x, const struct opl_inst *in)
{
	unmap_area(x, OPL_H(in->a[0]));
}

void vmap_teardown(struct opl_exec *x, unsigned int h)
{
	unmap_area(x, h);
}

/* ---- kernel accesses through kernel virtual addresses ---- */

/* The guard page is never mapped: the fixup turns the fault into
 * -EFAULT, as probe_kernel_read (a uaccess under KERNEL_DS) does. */
void ex_probe_kernel_read(struct opl_exec *x, const struct opl_inst *in)
{
	unsigned int h = OPL_H(in->a[0]);
	uint32_t size = (x->lv.p->h[h].size + PAGE_SIZE - 1) & PAGE_MASK;
	uint8_t buf[256];
	struct kmm_access_result r;

	if (!x->rt[h].va) {
		opl_note(x, "skipped: the area does not exist (NULL)");
		return;
	}
	vaddr_t va = x->rt[h].va + size + (uint32_t)in->a[1];
	kmm_access(x->k, kmm_cpu(x->k), va, buf, (size_t)in->a[2],
		   KMM_ACC_UACCESS, &r);
	oracle_probe_guard(x->o, h, va, (unsigned int)in->a[2], &r);
	opl_note(x, "0x%08x: %s", va, r.outcome == KMM_EFAULT ? "-EFAULT" : "?");
}

/* The object's kernel address and the oracle's name for it: kmaps and
 * vmaps stand for the unit they map. */
static vaddr_t kaddr(struct opl_exec *x, int32_t v, unsigned int *id,
		     unsigned int *sub)
{
	const struct opl_handle *hd = &x->lv.p->h[OPL_H(v)];

	*id = OPL_H(v);
	*sub = OPL_SUB(v);
	if (hd->kind == HK_KMAP || hd->kind == HK_VMAP) {
		*id = (unsigned int)hd->parent;
		*sub = hd->sub;
	}
	if (hd->kind != HK_PAGES)
		return x->rt[OPL_H(v)].va;
	struct page *pg = opl_unit(x, v);
	return pg ? page_address(x->k, pg) : 0;
}

static void kernel_access(struct opl_exec *x, const struct opl_inst *in,
			  bool write)
{
	unsigned int id, sub, off = (unsigned int)in->a[1], len = (unsigned int)in->a[2];
	vaddr_t base = kaddr(x, in->a[0], &id, &sub);
	uint8_t buf[256], seed = write ? (uint8_t)in->a[3] : 0;
	struct kmm_access_result r;

	if (!base) {
		opl_note(x, "skipped: the object does not exist (NULL)");
		return;
	}
	for (unsigned int i = 0; i < len; i++)
		buf[i] = write ? oracle_kernel_pattern(seed, off + i) : 0;
	kmm_access(x->k, kmm_cpu(x->k), base + off, buf, len,
		   write ? KMM_ACC_WRITE : 0, &r);
	oracle_kernel_access(x->o, id, sub, off, len, base + off, write, seed,
			     buf, &r);
	opl_note(x, "0x%08x", base + off);
}

void ex_kernel_read(struct opl_exec *x, const struct opl_inst *in)
{
	kernel_access(x, in, false);
}

void ex_kernel_write(struct opl_exec *x, const struct opl_inst *in)
{
	kernel_access(x, in, true);
}

/* ---- ioremap ---- */

_Static_assert(OPL_IODEV_BASE == ORACLE_IODEV_BASE &&
		       OPL_IODEV_PAGES == ORACLE_IODEV_PAGES,
	       "the fuzz device is where the oracle models it");

/* The fuzz device is MMIO in the PCI hole, created at a run's first
 * ioremap of it (kmm_reset frees it with the run's other files); it
 * stays mapped nowhere else. */
void ex_ioremap(struct opl_exec *x, const struct opl_inst *in)
{
	unsigned int h = (unsigned int)in->res, n = (unsigned int)in->a[1];
	uint32_t phys = (uint32_t)in->a[0];

	if (phys >= OPL_IODEV_BASE && !x->iodev)
		x->iodev = kmm_device_create(x->k, OPL_IODEV_BASE,
					     OPL_IODEV_PAGES * PAGE_SIZE, false);
	if (phys < OPL_IO_ISA_START || phys >= OPL_IO_ISA_END)
		x->vmalloc_used = true;
	vaddr_t va = ioremap(x->k, phys, n * PAGE_SIZE);
	oracle_sync_frames(x->o);
	oracle_ioremap(x->o, h, phys, n, va);
	x->rt[h].va = va;
	opl_note(x, va ? "0x%08x" : "NULL", va);
}

static void unmap_io(struct opl_exec *x, unsigned int h)
{
	if (!x->rt[h].va)
		return;
	oracle_iounmap(x->o, h);
	iounmap(x->k, x->rt[h].va);
	x->rt[h].va = 0;
}

void ex_iounmap(struct opl_exec *x, const struct opl_inst *in)
{
	unmap_io(x, OPL_H(in->a[0]));
}

void ioremap_teardown(struct opl_exec *x, unsigned int h)
{
	unmap_io(x, h);
}
