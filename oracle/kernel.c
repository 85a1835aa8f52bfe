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
	const struct kmm_layout *l = kmm_layout(o->k);
	unsigned int n = npages_of(size);

	if (!va)
		return;
	if ((va & (PAGE_SIZE - 1)) || va < l->vmalloc_start ||
	    (uint64_t)va + (uint64_t)n * PAGE_SIZE > l->vmalloc_end)
		oracle_fail(o, "vmalloc/address", "vmalloc(%u): model: a page-aligned "
			    "area in [0x%08x, 0x%08x); kmm: 0x%08x", size,
			    l->vmalloc_start, l->vmalloc_end, va);
	for (unsigned int i = 0; i < o->nused; i++) {
		const struct oobj *x = &o->obj[o->used[i]];
		if ((x->flags & (OBJ_LIVE | OBJ_VAREA)) != (OBJ_LIVE | OBJ_VAREA))
			continue;
		uint64_t xs = x->va, xe = xs + (uint64_t)(npages_of(x->size) + 1) * PAGE_SIZE;
		uint64_t s = va, e = s + (uint64_t)(n + 1) * PAGE_SIZE;
		if (s < xe && xs < e)
			oracle_fail(o, "vmalloc/overlap",
				    "model: areas and their guard pages are disjoint; kmm: "
				    "0x%08x (%u pages) meets live area %u at 0x%08x", va, n,
				    o->used[i], x->va);
	}
	if (vmalloc_to_pfn(o->k, va + n * PAGE_SIZE))
		oracle_fail(o, "vmalloc/guard", "vmalloc(%u) = 0x%08x: model: the guard "
			    "page after the area is unmapped; kmm: mapped", size, va);
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
	uint8_t buf[1024];
	for (unsigned int off = 0; zeroed && off < size; off += sizeof(buf)) {
		unsigned int len = size - off < sizeof(buf) ? size - off : sizeof(buf);
		kaccess(o, va + off, buf, len, false, "vzalloc");
		for (unsigned int i = 0; i < len; i++)
			if (buf[i])
				oracle_fail(o, "vmalloc/zero", "vzalloc(%u) = 0x%08x: "
					    "model: zero; kmm: byte %u is 0x%02x", size,
					    va, off + i, buf[i]);
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
