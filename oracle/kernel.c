/* oracle/kernel.c — kernel virtual mappings: kmap, kmap_atomic,
 * kmap_local and vmalloc.
 *
 * Rules: a kmap of a lowmem page is its direct-map address; of a highmem
 * page, an address in the pkmap window (kmap) or in the CPU's fixmap kmap
 * slots (kmap_atomic, kmap_local); kmap_to_page gives the page back; bytes
 * written through the mapping land in the page's frame and bytes of the
 * frame read back through it.  A vmalloc area lies in [VMALLOC_START,
 * VMALLOC_END), page aligned, disjoint from every live area and its guard
 * page, which is unmapped; each of its pages maps a frame of its own (one
 * the buddy allocator handed out behind the model, now owned by the area);
 * vzalloc memory reads as zero; the bytes written at both ends through the
 * area's addresses are in the frames and read back before vfree.  Kernel
 * accesses go through the current CPU's page tables (kmm_access), so a
 * missing vmalloc_fault sync or TLB flush shows up here.
 */
#include <string.h>
#include "kmm/fault.h"
#include "kmm/highmem.h"
#include "kmm/vmalloc.h"
#include "model.h"

static void kaccess(struct oracle *o, vaddr_t va, void *buf, unsigned int len,
		    bool write, const char *what)
{
	struct kmm_access_result r;

	kmm_access(o->k, kmm_cpu(o->k), va, buf, len, write ? KMM_ACC_WRITE : 0, &r);
	if (r.outcome != KMM_OK || r.done != len)
		oracle_fail(o, "kernel/access",
			    "%s: kernel %s of %u bytes at 0x%08x: model: done; kmm: "
			    "outcome %d after %zu bytes", what, write ? "write" : "read",
			    len, va, r.outcome, r.done);
}

static uint8_t kpattern(uint8_t seed, unsigned int i)
{
	return (uint8_t)(seed * 11u + i * 5u + 3u);
}

void oracle_kmap(struct oracle *o, unsigned int id, unsigned int sub,
		 vaddr_t va, enum oracle_kmap_kind kind)
{
	struct oobj *b = oobj_get(o, id, "kmap");
	unsigned long pfn = unit_pfn(b, sub);
	struct page *page = pfn_to_page(o->k, pfn);
	const struct kmm_layout *l = kmm_layout(o->k);
	static const char *const names[] = {"kmap", "kmap_atomic", "kmap_local_page"};
	vaddr_t lo, hi;

	if (pfn < o->max_low_pfn) {
		lo = PAGE_OFFSET + (vaddr_t)(pfn << PAGE_SHIFT);
		hi = lo + PAGE_SIZE;
	} else if (kind == KMAP_PKMAP) {
		lo = l->pkmap_base;
		hi = l->pkmap_base + l->last_pkmap * PAGE_SIZE;
	} else {
		lo = __fix_to_virt(l, FIX_KMAP_END);
		hi = __fix_to_virt(l, FIX_KMAP_BEGIN) + PAGE_SIZE;
	}
	if ((va & (PAGE_SIZE - 1)) || va < lo || va >= hi)
		oracle_fail(o, "kmap/address",
			    "%s(pfn 0x%05lx): model: a page address in [0x%08x, 0x%08x)"
			    "; kmm: 0x%08x", names[kind], pfn, lo, hi, va);
	if (kmap_to_page(o->k, va) != page)
		oracle_fail(o, "kmap/address", "%s(pfn 0x%05lx) = 0x%08x: model: "
			    "kmap_to_page gives the page back; kmm: another", names[kind],
			    pfn, va);
	/* the frame's bytes through the mapping, then bytes of ours */
	unsigned int off = (id * 136u + sub * 40u) % (PAGE_SIZE - 32);
	uint8_t buf[16];
	kaccess(o, va + off, buf, sizeof(buf), false, names[kind]);
	const uint8_t *f = kmm_frame_r(o->k, pfn) + off;
	for (unsigned int i = 0; i < sizeof(buf); i++)
		if (buf[i] != f[i])
			oracle_fail(o, "kmap/content",
				    "%s(pfn 0x%05lx) = 0x%08x, offset 0x%03x: model: the "
				    "frame's byte 0x%02x; kmm: read 0x%02x", names[kind],
				    pfn, va, off + i, f[i], buf[i]);
	oracle_write_through(o, id, sub, 0, off + 16, 16, (uint8_t)(id + 5), va);
}

/* ---- vmalloc ---- */

static unsigned int npages_of(unsigned int size)
{
	return (size + PAGE_SIZE - 1) / PAGE_SIZE;
}

void oracle_vmalloc(struct oracle *o, unsigned int id, vaddr_t va,
		    unsigned int size, bool zeroed)
{
	unsigned int n = npages_of(size);

	if (!va)
		return;
	check_new_area(o, "vmalloc", va, n);
	if (id >= ORACLE_MAX_OBJS || (o->obj[id].flags & OBJ_LIVE))
		oracle_fail(o, "harness", "object id %u reused", id);
	for (unsigned int i = 0; i < n; i++) {
		unsigned long pfn = vmalloc_to_pfn(o->k, va + i * PAGE_SIZE);
		uint32_t w = pfn < o->max_pfn ? o->own[pfn] & OWN_MASK : 0;
		if (w != FOREIGN_ID + 1)
			oracle_fail(o, "vmalloc/frames",
				    "vmalloc(%u) = 0x%08x page %u: model: a frame of its "
				    "own, just taken from the buddy allocator; kmm: pfn "
				    "0x%05lx, %s", size, va, i, pfn,
				    pfn >= o->max_pfn ? "not RAM"
				    : w == OWN_FREE ? "free"
				    : w == OWN_RESV ? "reserved at boot"
				    : "owned by another object or area");
		o->own[pfn] = (id + 1) | (o->own[pfn] & OWN_WRITTEN);
		o->nforeign--;
	}
	o->obj[id] = (struct oobj){.flags = OBJ_LIVE | OBJ_VAREA, .nsub = 1,
				   .va = va, .size = size};
	o->used[o->nused++] = (uint16_t)id;
	static const uint8_t zero[PAGE_SIZE];
	uint8_t buf[PAGE_SIZE];
	for (unsigned int off = 0; zeroed && off < size; off += sizeof(buf)) {
		unsigned int len = size - off < sizeof(buf) ? size - off : sizeof(buf);
		kaccess(o, va + off, buf, len, false, "vzalloc");
		if (!memcmp(buf, zero, len))
			continue;
		unsigned int i = 0;
		while (!buf[i])
			i++;
		oracle_fail(o, "vmalloc/zero", "vzalloc(%u) = 0x%08x: model: zero; "
			    "kmm: byte %u is 0x%02x", size, va, off + i, buf[i]);
	}
	unsigned int m = size < 8 ? size : 8;
	for (unsigned int i = 0; i < m; i++)
		buf[i] = kpattern((uint8_t)id, i);
	kaccess(o, va, buf, m, true, "vmalloc");
	for (unsigned int i = 0; i < m; i++)
		buf[i] = kpattern((uint8_t)id, size - m + i);
	kaccess(o, va + size - m, buf, m, true, "vmalloc");
	for (unsigned int i = 0; i < n; i++)
		own_mark_written(o, vmalloc_to_pfn(o->k, va + i * PAGE_SIZE));
}

void oracle_vmalloc_how(struct oracle *o, unsigned int id, vaddr_t va,
			unsigned int size, unsigned int how)
{
	static const char *const names[] = {"vmalloc", "vmalloc_32",
					    "vmalloc_user", "vmalloc_32_user"};
	const char *name = names[how & 3];

	if (!va)
		return;
	for (unsigned int i = 0; (how & ORACLE_VM_LOWMEM) && i < npages_of(size); i++) {
		unsigned long pfn = vmalloc_to_pfn(o->k, va + i * PAGE_SIZE);
		if (pfn >= o->max_low_pfn)
			oracle_fail(o, "vmalloc/zone",
				    "%s(%u) = 0x%08x page %u: model: a lowmem frame "
				    "(pfn below 0x%05lx); kmm: pfn 0x%05lx", name, size,
				    va, i, o->max_low_pfn, pfn);
	}
	struct vm_struct *area = find_vm_area(o->k, va);
	if ((how & ORACLE_VM_USER) && (!area || !(area->flags & VM_USERMAP)))
		oracle_fail(o, "vmalloc/flags", "%s(%u) = 0x%08x: model: a VM_USERMAP "
			    "area; kmm: %s", name, size, va,
			    area ? "flags without VM_USERMAP" : "no area");
	oracle_vmalloc(o, id, va, size, how & ORACLE_VM_USER);
}

/* The bytes at both ends, through the addresses and through the frames;
 * then the frames go back to "taken" for the sync after vfree. */
void oracle_vfree(struct oracle *o, unsigned int id)
{
	struct oobj *b = oobj_get(o, id, "vfree");
	unsigned int n = npages_of(b->size), m = b->size < 8 ? b->size : 8;
	uint8_t buf[8];

	for (int end = 0; end < 2; end++) {
		unsigned int base = end ? b->size - m : 0;
		kaccess(o, b->va + base, buf, m, false, "vfree");
		for (unsigned int i = 0; i < m; i++) {
			vaddr_t a = b->va + base + i;
			unsigned long pfn = vmalloc_to_pfn(o->k, a);
			uint8_t want = kpattern((uint8_t)id, base + i);
			uint8_t f = pfn < o->max_pfn ? kmm_frame_r(o->k, pfn)[a & (PAGE_SIZE - 1)]
						     : 0;
			if (buf[i] != want || f != want)
				oracle_fail(o, "vmalloc/content",
					    "area %u at 0x%08x byte %u: model: 0x%02x as "
					    "written; kmm: 0x%02x through the address, 0x%02x "
					    "in pfn 0x%05lx", id, b->va, base + i, want, buf[i],
					    f, pfn);
		}
	}
	for (unsigned int i = 0; i < n; i++) {
		unsigned long pfn = vmalloc_to_pfn(o->k, b->va + i * PAGE_SIZE);
		if (pfn >= o->max_pfn || (o->own[pfn] & OWN_MASK) != id + 1)
			oracle_fail(o, "vmalloc/frames", "area %u page %u: model: its "
				    "own frame; kmm: now pfn 0x%05lx", id, i, pfn);
		o->own[pfn] = (FOREIGN_ID + 1) | (o->own[pfn] & OWN_WRITTEN);
		o->nforeign++;
	}
	b->flags = 0;
}

/* ---- vmap ---- */

/* A new area of n pages at va: in the vmalloc range, disjoint from every
 * live area and its guard page, and its own guard page unmapped. */
void check_new_area(struct oracle *o, const char *what, vaddr_t va,
		    unsigned int n)
{
	const struct kmm_layout *l = kmm_layout(o->k);

	if ((va & (PAGE_SIZE - 1)) || va < l->vmalloc_start ||
	    (uint64_t)va + (uint64_t)n * PAGE_SIZE > l->vmalloc_end)
		oracle_fail(o, "vmalloc/address", "%s of %u pages: model: a "
			    "page-aligned area in [0x%08x, 0x%08x); kmm: 0x%08x", what,
			    n, l->vmalloc_start, l->vmalloc_end, va);
	for (unsigned int i = 0; i < o->nused; i++) {
		const struct oobj *x = &o->obj[o->used[i]];
		if ((x->flags & (OBJ_LIVE | OBJ_VAREA)) != (OBJ_LIVE | OBJ_VAREA))
			continue;
		uint64_t xs = x->va, xe = xs + (uint64_t)(npages_of(x->size) + 1) * PAGE_SIZE;
		uint64_t s = va, e = s + (uint64_t)(n + 1) * PAGE_SIZE;
		if (s < xe && xs < e)
			oracle_fail(o, "vmalloc/overlap",
				    "model: areas and their guard pages are disjoint; kmm: "
				    "%s 0x%08x (%u pages) meets live area %u at 0x%08x",
				    what, va, n, o->used[i], x->va);
	}
	if (vmalloc_to_pfn(o->k, va + n * PAGE_SIZE))
		oracle_fail(o, "vmalloc/guard", "%s = 0x%08x: model: the guard page "
			    "after the area is unmapped; kmm: mapped", what, va);
}

/* Each page of the area maps the unit's frame, in order; bytes go both
 * ways between the area and the frames. */
void oracle_vmap(struct oracle *o, unsigned int id, unsigned int page,
		 unsigned int sub, unsigned int order, vaddr_t va)
{
	struct oobj *b = oobj_get(o, page, "vmap");
	unsigned int n = 1u << order;
	unsigned long pfn = unit_pfn(b, sub);

	if (!va)
		return;                 /* no room, or no memory for metadata */
	if (order != unit_order(b))
		oracle_fail(o, "harness", "vmap of %u pages of unit %u[%u]", n, page, sub);
	check_new_area(o, "vmap", va, n);
	for (unsigned int i = 0; i < n; i++)
		if (vmalloc_to_pfn(o->k, va + i * PAGE_SIZE) != pfn + i)
			oracle_fail(o, "vmalloc/vmap", "vmap(pfn 0x%05lx, %u pages) = "
				    "0x%08x page %u: model: pfn 0x%05lx; kmm: 0x%05lx",
				    pfn, n, va, i, pfn + i,
				    vmalloc_to_pfn(o->k, va + i * PAGE_SIZE));
	if (id >= ORACLE_MAX_OBJS || (o->obj[id].flags & OBJ_LIVE))
		oracle_fail(o, "harness", "object id %u reused", id);
	o->obj[id] = (struct oobj){.flags = OBJ_LIVE | OBJ_VAREA | OBJ_VMAP,
				   .nsub = 1, .va = va, .size = n * PAGE_SIZE,
				   .pfn = (uint32_t)pfn};
	o->used[o->nused++] = (uint16_t)id;
	unsigned int last = (n - 1) * PAGE_SIZE, off = (id * 72u) % (PAGE_SIZE - 32);
	uint8_t buf[16];
	kaccess(o, va + last + off, buf, sizeof(buf), false, "vmap");
	shadow_access(o, page, pfn + n - 1, off, sizeof(buf), buf, false);
	oracle_write_through(o, page, sub, n - 1, off + 16, 16, (uint8_t)(id + 9),
			     va + last);
}

void oracle_vunmap(struct oracle *o, unsigned int id)
{
	struct oobj *b = oobj_get(o, id, "vunmap");

	if (!(b->flags & OBJ_VMAP))
		oracle_fail(o, "harness", "vunmap of object %u, not a vmap", id);
	b->flags = 0;
}

/* ---- kernel accesses ---- */

uint8_t oracle_kernel_pattern(uint8_t seed, uint32_t i)
{
	return (uint8_t)(seed * 13u + i * 3u + (i >> 8) + 7u);
}

/* The bytes at both ends of a vmalloc area: checked, or written again
 * after a kernel write may have covered them. */
static void varea_ends(struct oracle *o, unsigned int id, const struct oobj *b,
		       bool write)
{
	unsigned int m = b->size < 8 ? b->size : 8;

	for (unsigned int i = 0; i < 2 * m; i++) {
		unsigned int off = i < m ? i : b->size - m + (i - m);
		vaddr_t a = b->va + off;
		unsigned long pfn = vmalloc_to_pfn(o->k, a);
		uint8_t want = kpattern((uint8_t)id, off);
		if (write)
			kmm_frame_w(o->k, pfn)[a & (PAGE_SIZE - 1)] = want;
		else if (kmm_frame_r(o->k, pfn)[a & (PAGE_SIZE - 1)] != want)
			oracle_fail(o, "vmalloc/content", "area %u at 0x%08x byte %u: "
				    "model: 0x%02x as written; kmm: 0x%02x", id, b->va,
				    off, want, kmm_frame_r(o->k, pfn)[a & (PAGE_SIZE - 1)]);
	}
}

/* The frame behind byte off of a slab object or vmalloc area, as the
 * model knows it: the direct map, or a frame the area owns. */
static unsigned long obj_frame(struct oracle *o, unsigned int id,
			       const struct oobj *b, unsigned int off)
{
	vaddr_t a = b->va + off;

	if (b->flags & OBJ_SLAB)
		return (a - PAGE_OFFSET) >> PAGE_SHIFT;
	unsigned long pfn = vmalloc_to_pfn(o->k, a);
	if (pfn >= o->max_pfn || (o->own[pfn] & OWN_MASK) != id + 1)
		oracle_fail(o, "vmalloc/frames", "area %u byte %u at 0x%08x: model: "
			    "a frame of the area; kmm: pfn 0x%05lx", id, off, a, pfn);
	return pfn;
}

static void object_access(struct oracle *o, unsigned int id, struct oobj *b,
			  unsigned int off, unsigned int len, vaddr_t va,
			  bool write, const uint8_t *data)
{
	if (va != b->va + off || off + len > b->size)
		oracle_fail(o, "harness", "kernel access at 0x%08x of object %u "
			    "(0x%08x, %u bytes)", va, id, b->va, b->size);
	for (unsigned int i = 0; i < len; i++) {
		unsigned long pfn = obj_frame(o, id, b, off + i);
		uint8_t f = kmm_frame_r(o->k, pfn)[(va + i) & (PAGE_SIZE - 1)];
		if (f != data[i])
			oracle_fail(o, "kernel/content",
				    "%s %u byte %u at 0x%08x: model: the %s byte 0x%02x "
				    "is in pfn 0x%05lx; kmm: 0x%02x there", b->flags &
				    OBJ_SLAB ? "object" : "area", id, off + i, va + i,
				    write ? "written" : "read", data[i], pfn, f);
		if (write)
			own_mark_written(o, pfn);
	}
	if (b->flags & OBJ_SLAB)
		slab_ends(o, id, write);
	else
		varea_ends(o, id, b, write);
}

void oracle_kernel_access(struct oracle *o, unsigned int id, unsigned int sub,
			  unsigned int off, unsigned int len, vaddr_t va,
			  bool write, uint8_t seed, const uint8_t *data,
			  const struct kmm_access_result *r)
{
	struct oobj *b = oobj_get(o, id, "kernel access");

	if (r->outcome != KMM_OK || r->done != len)
		oracle_fail(o, "kernel/access", "kernel %s of %u bytes at 0x%08x "
			    "(object %u): model: done; kmm: outcome %d after %zu bytes",
			    write ? "write" : "read", len, va, id, r->outcome, r->done);
	for (unsigned int i = 0; write && i < len; i++)
		if (data[i] != oracle_kernel_pattern(seed, off + i))
			oracle_fail(o, "harness", "kernel write of other bytes");
	if (b->flags & OBJ_IOREMAP) {
		iomem_access(o, id, b, off, len, va, write, data);
		return;
	}
	if (b->flags & (OBJ_SLAB | OBJ_VAREA)) {
		object_access(o, id, b, off, len, va, write, data);
		return;
	}
	unsigned long pfn = unit_pfn(b, sub);
	if (off + len > (PAGE_SIZE << unit_order(b)))
		oracle_fail(o, "harness", "kernel access past unit %u[%u]", id, sub);
	if (va >= PAGE_OFFSET && va < kmm_layout(o->k)->high_memory &&
	    va != PAGE_OFFSET + (vaddr_t)(pfn << PAGE_SHIFT) + off)
		oracle_fail(o, "kernel/address", "unit %u[%u] (pfn 0x%05lx) byte %u: "
			    "model: direct-map address 0x%08lx; kmm: 0x%08x", id, sub,
			    pfn, off, PAGE_OFFSET + (pfn << PAGE_SHIFT) + off, va);
	for (unsigned int done = 0; done < len;) {
		unsigned int at = off + done, in = PAGE_SIZE - at % PAGE_SIZE;
		if (in > len - done)
			in = len - done;
		shadow_access(o, id, pfn + at / PAGE_SIZE, at % PAGE_SIZE, in,
			      data + done, write);
		done += in;
	}
}

/* The guard page after an area is unmapped: the fixup answers -EFAULT
 * before any byte is read. */
void oracle_probe_guard(struct oracle *o, unsigned int id, vaddr_t va,
			unsigned int len, const struct kmm_access_result *r)
{
	struct oobj *b = oobj_get(o, id, "probe_kernel_read");
	vaddr_t guard = b->va + npages_of(b->size) * PAGE_SIZE;

	if (!(b->flags & OBJ_VAREA) || va < guard || va + len > guard + PAGE_SIZE)
		oracle_fail(o, "harness", "probe of 0x%08x: not the guard page of "
			    "area %u", va, id);
	if (r->outcome != KMM_EFAULT || r->done)
		oracle_fail(o, "vmalloc/guard", "probe_kernel_read(0x%08x, %u) in "
			    "the guard page of area %u at 0x%08x: model: -EFAULT, "
			    "nothing read; kmm: outcome %d after %zu bytes", va, len,
			    id, b->va, r->outcome, r->done);
}
