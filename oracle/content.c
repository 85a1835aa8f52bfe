/* oracle/content.c — the contents of allocated memory.
 *
 * Bytes are written through the simulator's kernel virtual address of the
 * page (the lowmem direct map: page_address, then virt_to_page back to the
 * frame; highmem frames directly until kmap is modelled) and remembered in
 * a shadow page; before the block is freed they are read back from the
 * physical frame and compared.  A bounded pool of shadow pages keeps the
 * cost fixed: writes beyond it are still made, but not remembered.
 */
#include <string.h>
#include "kmm/fault.h"
#include "model.h"

void shadow_reset(struct oracle *o)
{
	o->nsh_free = NR_SHADOWS;
	for (unsigned int i = 0; i < NR_SHADOWS; i++)
		o->sh_free[i] = (uint16_t)(NR_SHADOWS - 1 - i);
}

static uint8_t pattern(uint8_t seed, unsigned int off)
{
	return (uint8_t)(seed + off * 31u + (off >> 8));
}

/* Where the kernel would write: its virtual address of the page. */
static uint8_t *kernel_ptr(struct oracle *o, unsigned long pfn)
{
	struct kmm *k = o->k;

	if (pfn < o->max_low_pfn) {
		vaddr_t va = page_address(k, pfn_to_page(k, pfn));
		return kmm_frame_w(k, page_to_pfn(k, virt_to_page(k, va)));
	}
	return kmm_frame_w(k, pfn);
}

static struct shadow *shadow_of(struct oracle *o, struct oobj *b,
				unsigned long pfn, bool create)
{
	for (uint16_t s = b->shadow; s; s = o->sh[s - 1].next)
		if (o->sh[s - 1].pfn == pfn)
			return &o->sh[s - 1];
	if (!create || !o->nsh_free)
		return NULL;
	uint16_t i = o->sh_free[--o->nsh_free];
	struct shadow *sh = &o->sh[i];
	sh->pfn = (uint32_t)pfn;
	sh->next = b->shadow;
	memset(sh->defined, 0, sizeof(sh->defined));
	b->shadow = (uint16_t)(i + 1);
	return sh;
}

void oracle_write(struct oracle *o, unsigned int id, unsigned int sub,
		  unsigned int pg, unsigned int off, unsigned int len,
		  uint8_t seed)
{
	struct oobj *b = oobj_get(o, id, "write");
	unsigned long pfn = unit_pfn(b, sub) + pg;

	if (pg >= (1u << unit_order(b)) || off >= PAGE_SIZE || !len ||
	    off + len > PAGE_SIZE)
		oracle_fail(o, "harness", "write outside unit %u[%u]", id, sub);
	uint8_t *dst = kernel_ptr(o, pfn) + off;
	struct shadow *sh = shadow_of(o, b, pfn, true);
	for (unsigned int i = off; i < off + len; i++) {
		uint8_t v = pattern(seed, i);
		dst[i - off] = v;
		if (sh) {
			sh->data[i] = v;
			sh->defined[i / 64] |= 1ull << (i % 64);
		}
	}
	own_mark_written(o, pfn);
}

void oracle_write_through(struct oracle *o, unsigned int id, unsigned int sub,
			  unsigned int pg, unsigned int off, unsigned int len,
			  uint8_t seed, vaddr_t va)
{
	struct oobj *b = oobj_get(o, id, "write");
	unsigned long pfn = unit_pfn(b, sub) + pg;
	uint8_t buf[64];
	struct kmm_access_result r;

	if (pg >= (1u << unit_order(b)) || off + len > PAGE_SIZE || len > sizeof(buf))
		oracle_fail(o, "harness", "write outside unit %u[%u]", id, sub);
	for (unsigned int i = 0; i < len; i++)
		buf[i] = pattern(seed, off + i);
	kmm_access(o->k, kmm_cpu(o->k), va + off, buf, len, KMM_ACC_WRITE, &r);
	if (r.outcome != KMM_OK || r.done != len)
		oracle_fail(o, "kernel/access", "write of %u bytes at 0x%08x (pfn "
			    "0x%05lx): model: done; kmm: outcome %d after %zu bytes",
			    len, va + off, pfn, r.outcome, r.done);
	struct shadow *sh = shadow_of(o, b, pfn, true);
	const uint8_t *f = kmm_frame_r(o->k, pfn);
	for (unsigned int i = off; i < off + len; i++) {
		if (f[i] != buf[i - off])
			oracle_fail(o, "kmap/content",
				    "write through 0x%08x, offset 0x%03x: model: the byte "
				    "0x%02x lands in pfn 0x%05lx; kmm: it holds 0x%02x",
				    va, i, buf[i - off], pfn, f[i]);
		if (sh) {
			sh->data[i] = buf[i - off];
			sh->defined[i / 64] |= 1ull << (i % 64);
		}
	}
	own_mark_written(o, pfn);
}

static void verify_shadow(struct oracle *o, unsigned int id,
			  const struct shadow *sh)
{
	const uint8_t *f = kmm_frame_r(o->k, sh->pfn);

	for (unsigned int w = 0; w < PAGE_SIZE / 64; w++) {
		uint64_t d = sh->defined[w];
		if (!d)
			continue;
		unsigned int base = w * 64;
		if (d == ~0ull && !memcmp(f + base, sh->data + base, 64))
			continue;
		for (unsigned int i = 0; i < 64; i++)
			if ((d >> i & 1) && f[base + i] != sh->data[base + i])
				oracle_fail(o, "content/bytes",
					    "object %u pfn 0x%05lx offset 0x%03x: model: "
					    "byte 0x%02x as written; kmm: 0x%02x",
					    id, (unsigned long)sh->pfn, base + i,
					    sh->data[base + i], f[base + i]);
	}
}

void oracle_verify(struct oracle *o, unsigned int id, unsigned int sub)
{
	struct oobj *b = oobj_get(o, id, "verify");
	unsigned long lo = unit_pfn(b, sub), hi = lo + (1ul << unit_order(b));

	for (uint16_t s = b->shadow; s; s = o->sh[s - 1].next)
		if (o->sh[s - 1].pfn >= lo && o->sh[s - 1].pfn < hi)
			verify_shadow(o, id, &o->sh[s - 1]);
}

/* The unit's frames are gone: give their shadows back. */
void shadow_drop_unit(struct oracle *o, struct oobj *b, unsigned int sub)
{
	unsigned long lo = unit_pfn(b, sub), hi = lo + (1ul << unit_order(b));
	uint16_t *link = &b->shadow;

	while (*link) {
		struct shadow *sh = &o->sh[*link - 1];
		if (sh->pfn >= lo && sh->pfn < hi) {
			o->sh_free[o->nsh_free++] = (uint16_t)(*link - 1);
			*link = sh->next;
		} else {
			link = &sh->next;
		}
	}
}

bool read_zero(struct oracle *o, unsigned long pfn, unsigned int *bad_off)
{
	const uint8_t *f = kmm_frame_r(o->k, pfn);

	for (unsigned int i = 0; i < PAGE_SIZE; i += 8) {
		uint64_t v;
		memcpy(&v, f + i, 8);
		if (v) {
			while (!f[i])
				i++;
			*bad_off = i;
			return false;
		}
	}
	return true;
}

void shadow_access(struct oracle *o, unsigned int id, unsigned long pfn,
		   unsigned int off, unsigned int len, const uint8_t *bytes,
		   bool write)
{
	struct oobj *b = oobj_get(o, id, "kernel access");
	const uint8_t *f = kmm_frame_r(o->k, pfn);
	struct shadow *sh = shadow_of(o, b, pfn, write);

	for (unsigned int i = off; i < off + len; i++) {
		bool known = sh && (sh->defined[i / 64] >> (i % 64) & 1);
		uint8_t want = write ? bytes[i - off] : known ? sh->data[i] : f[i];
		if (f[i] != want || bytes[i - off] != want)
			oracle_fail(o, "kernel/content",
				    "object %u pfn 0x%05lx offset 0x%03x: model: 0x%02x "
				    "(%s); kmm: 0x%02x in the frame, 0x%02x through the "
				    "address", id, pfn, i, want,
				    write ? "as written" : known ? "as written before"
				    : "the frame's byte", f[i], bytes[i - off]);
		if (write && sh) {
			sh->data[i] = f[i];
			sh->defined[i / 64] |= 1ull << (i % 64);
		}
	}
	if (write)
		own_mark_written(o, pfn);
}
