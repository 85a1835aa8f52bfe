/* fuzz/ops_kvm.c — kernel virtual mappings: kmap/kunmap (the pkmap pool),
 * kmap_atomic and kmap_local_page (per-CPU fixmap slots, mapped and
 * unmapped within the op, as their atomic sections require), vmalloc,
 * vzalloc, vfree and vm_unmap_aliases.  The oracle checks each address
 * against the layout and the frames behind it (oracle/kernel.c). */
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

static void new_area(struct opl_exec *x, const struct opl_inst *in, bool zero)
{
	unsigned int h = (unsigned int)in->res, size = (unsigned int)in->a[0];

	x->vmalloc_used = true;
	vaddr_t va = zero ? vzalloc(x->k, size) : vmalloc(x->k, size);
	oracle_sync_frames(x->o);
	oracle_vmalloc(x->o, h, va, size, zero);
	x->rt[h].va = va;
	opl_note(x, va ? "0x%08x" : "NULL", va);
}

void ex_vmalloc(struct opl_exec *x, const struct opl_inst *in)
{
	new_area(x, in, false);
}

void ex_vzalloc(struct opl_exec *x, const struct opl_inst *in)
{
	new_area(x, in, true);
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
