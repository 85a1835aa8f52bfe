/* oracle/iomem.c — ioremap of device memory and reserved RAM.
 *
 * Rules (x86 arch/x86/mm/ioremap.c; the area placement as kmm's vmalloc,
 * Linux 6.6 __get_vm_area_node):
 *  - the ISA hole [0xa0000, 0x100000) is always mapped: ioremap returns
 *    its direct-map address, and iounmap of it does nothing;
 *  - any other range that is not RAM in use (device memory, or RAM that
 *    is PageReserved) gets a VM_IOREMAP area: a new vmalloc-range area
 *    (disjoint from live areas and guard pages, its guard page unmapped),
 *    aligned to its size rounded up to a power of two (at least a page,
 *    at most 2^IOREMAP_MAX_ORDER), page i mapping frame phys + i; it may
 *    fail only for want of room or metadata memory (NULL, no claim);
 *  - bytes go both ways between the mapping and the frames (RAM) or the
 *    device, whose memory starts zeroed for each run (the executor
 *    creates the device at a run's first ioremap of it) and keeps what
 *    is written.
 * Not modelled: the lazy purge of iounmap'ed addresses (as for vfree, the
 * model only requires new areas to avoid live ones).
 */
#include <stdlib.h>
#include <string.h>
#include "kmm/vmalloc.h"
#include "model.h"

#define IODEV_BYTES (ORACLE_IODEV_PAGES * PAGE_SIZE)

static bool isa_hole(phys_addr_t phys)
{
	return phys >= 0xa0000 && phys < 0x100000;
}

void iomem_reset(struct oracle *o)
{
	if (o->iodev_dirty)
		memset(o->iodev, 0, IODEV_BYTES);
	o->iodev_dirty = false;
}

void oracle_ioremap(struct oracle *o, unsigned int id, phys_addr_t phys,
		    unsigned int npages, vaddr_t va)
{
	unsigned long pfn = (unsigned long)(phys >> PAGE_SHIFT);
	bool isa = isa_hole(phys);

	if (id >= ORACLE_MAX_OBJS || (o->obj[id].flags & OBJ_LIVE))
		oracle_fail(o, "harness", "object id %u reused", id);
	if (isa && va != PAGE_OFFSET + (vaddr_t)phys)
		oracle_fail(o, "ioremap/address", "ioremap(0x%08llx, %u pages) in the "
			    "ISA hole: model: its direct-map address 0x%08x; kmm: "
			    "0x%08x", (unsigned long long)phys, npages,
			    PAGE_OFFSET + (vaddr_t)phys, va);
	if (!va)
		return;
	if (!isa) {
		uint32_t align = PAGE_SIZE;
		while (align < npages * PAGE_SIZE && align < (1u << IOREMAP_MAX_ORDER))
			align <<= 1;
		check_new_area(o, "ioremap", va, npages);
		if (va & (align - 1))
			oracle_fail(o, "ioremap/address", "ioremap(0x%08llx, %u pages) = "
				    "0x%08x: model: aligned to 0x%x (its size rounded "
				    "up to a power of two)", (unsigned long long)phys,
				    npages, va, align);
		for (unsigned int i = 0; i < npages; i++)
			if (vmalloc_to_pfn(o->k, va + i * PAGE_SIZE) != pfn + i)
				oracle_fail(o, "ioremap/pfn", "ioremap(0x%08llx, %u pages) "
					    "= 0x%08x page %u: model: pfn 0x%05lx; kmm: "
					    "0x%05lx", (unsigned long long)phys, npages, va,
					    i, pfn + i,
					    vmalloc_to_pfn(o->k, va + i * PAGE_SIZE));
	}
	o->obj[id] = (struct oobj){.flags = OBJ_LIVE | OBJ_IOREMAP |
					    (isa ? 0 : OBJ_VAREA),
				   .nsub = 1, .va = va, .size = npages * PAGE_SIZE,
				   .pfn = (uint32_t)pfn};
	o->used[o->nused++] = (uint16_t)id;
}

void oracle_iounmap(struct oracle *o, unsigned int id)
{
	struct oobj *b = oobj_get(o, id, "iounmap");

	if (!(b->flags & OBJ_IOREMAP))
		oracle_fail(o, "harness", "iounmap of object %u, not an ioremap", id);
	b->flags = 0;
}

/* A byte of the device as the model has it (NULL: not the device). */
static uint8_t *dev_byte(struct oracle *o, uint64_t pa)
{
	if (pa < ORACLE_IODEV_BASE || pa >= ORACLE_IODEV_BASE + IODEV_BYTES)
		return NULL;
	if (!o->iodev && !(o->iodev = calloc(1, IODEV_BYTES)))
		abort();
	return o->iodev + (pa - ORACLE_IODEV_BASE);
}

void iomem_access(struct oracle *o, unsigned int id, struct oobj *b,
		  unsigned int off, unsigned int len, vaddr_t va, bool write,
		  const uint8_t *data)
{
	if (va != b->va + off || off + len > b->size)
		oracle_fail(o, "harness", "kernel access at 0x%08x of ioremap %u "
			    "(0x%08x, %u bytes)", va, id, b->va, b->size);
	for (unsigned int i = 0; i < len; i++) {
		uint64_t pa = ((uint64_t)b->pfn << PAGE_SHIFT) + off + i;
		uint8_t *d = dev_byte(o, pa);
		uint8_t want;
		if (d && write) {
			*d = data[i];
			o->iodev_dirty = true;
			continue;
		}
		if (d)
			want = *d;
		else if (pa >> PAGE_SHIFT < o->max_pfn)
			want = kmm_frame_r(o->k, (unsigned long)(pa >> PAGE_SHIFT))
				[pa & (PAGE_SIZE - 1)];
		else
			oracle_fail(o, "harness", "ioremap %u of 0x%08llx: no RAM or "
				    "device there", id, (unsigned long long)pa);
		if (data[i] != want)
			oracle_fail(o, "ioremap/content",
				    "ioremap %u at 0x%08x byte %u (phys 0x%08llx): model: "
				    "0x%02x (%s); kmm: %s 0x%02x", id, b->va, off + i,
				    (unsigned long long)pa, write ? data[i] : want,
				    d ? "the device's byte" : "the frame's byte",
				    write ? "the frame holds" : "read", write ? want : data[i]);
	}
}
