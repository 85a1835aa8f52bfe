/* slab_mem.c — simulated memory as the slab layer sees it (the lowmem
 * direct map, every byte through kmm_frame_r / kmm_frame_w of its frame),
 * SLUB's free pointers (CONFIG_SLAB_FREELIST_HARDENED encoding of Linux
 * 6.6 mm/slub.c freelist_ptr_encode), and the boot snapshot of a cache
 * taken the first time an operation changes it after boot.
 *
 * The allocator's accesses are unchecked (kasan_*_nocheck): free objects,
 * red zones and padding are poisoned (kasan.h), and the kernel builds
 * mm/slub.c without KASAN instrumentation. */
#include <stdlib.h>
#include <string.h>
#include "slab_internal.h"

/* ---- simulated memory (the lowmem direct map) ---- */

static unsigned long va_pfn(struct kmm *k, vaddr_t va)
{
	return (unsigned long)PFN_DOWN(__pa(k, va));
}

static size_t chunk_len(vaddr_t va, size_t len)
{
	size_t room = PAGE_SIZE - (va & ~PAGE_MASK);

	return len < room ? len : room;
}

void slab_mem_read(struct kmm *k, vaddr_t va, void *buf, size_t len)
{
	uint8_t *b = buf;

	while (len) {
		size_t n = chunk_len(va, len);
		kasan_memcpy_nocheck(b, kmm_frame_r(k, va_pfn(k, va)) +
					     (va & ~PAGE_MASK), n);
		b += n;
		va += (vaddr_t)n;
		len -= n;
	}
}

void slab_mem_write(struct kmm *k, vaddr_t va, const void *buf, size_t len)
{
	const uint8_t *b = buf;

	while (len) {
		size_t n = chunk_len(va, len);
		kasan_memcpy_nocheck(kmm_frame_w(k, va_pfn(k, va)) +
					     (va & ~PAGE_MASK), b, n);
		b += n;
		va += (vaddr_t)n;
		len -= n;
	}
}

void slab_mem_set(struct kmm *k, vaddr_t va, uint8_t c, size_t len)
{
	while (len) {
		size_t n = chunk_len(va, len);
		kasan_memset_nocheck(kmm_frame_w(k, va_pfn(k, va)) +
					     (va & ~PAGE_MASK), c, n);
		va += (vaddr_t)n;
		len -= n;
	}
}

void slab_mem_copy(struct kmm *k, vaddr_t dst, vaddr_t src, size_t len)
{
	uint8_t tmp[256];

	while (len) {
		size_t n = len < sizeof(tmp) ? len : sizeof(tmp);
		slab_mem_read(k, src, tmp, n);
		slab_mem_write(k, dst, tmp, n);
		src += (vaddr_t)n;
		dst += (vaddr_t)n;
		len -= n;
	}
}

vaddr_t slab_mem_inv(struct kmm *k, vaddr_t va, uint8_t c, size_t len)
{
	while (len) {
		size_t n = chunk_len(va, len);
		const uint8_t *p = kmm_frame_r(k, va_pfn(k, va)) + (va & ~PAGE_MASK);
		for (size_t i = 0; i < n; i++)
			if (kasan_peek_nocheck(p + i) != c)
				return va + (vaddr_t)i;
		va += (vaddr_t)n;
		len -= n;
	}
	return 0;
}

uint8_t slab_mem_byte(struct kmm *k, vaddr_t va)
{
	return kasan_peek_nocheck(kmm_frame_r(k, va_pfn(k, va)) +
				  (va & ~PAGE_MASK));
}

uint32_t slab_mem_read32(struct kmm *k, vaddr_t va)
{
	uint8_t b[4];

	slab_mem_read(k, va, b, 4);
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[3] << 24;
}

void slab_mem_write32(struct kmm *k, vaddr_t va, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			(uint8_t)(v >> 24)};

	slab_mem_write(k, va, b, 4);
}

/* ---- objects and free pointers ---- */

struct page *slab_of(struct kmm *k, vaddr_t va)
{
	if (!virt_addr_valid(k, va))
		return NULL;
	struct page *head = compound_head(virt_to_page(k, va));
	return PageSlab(head) ? head : NULL;
}

bool check_valid_pointer(struct kmm *k, const struct kmem_cache *s,
			 const struct page *slab, vaddr_t object)
{
	if (!object)
		return true;
	vaddr_t base = slab_address(k, slab);
	vaddr_t p = restore_red_left(s, object);
	return !(p < base || p >= base + slab->objects * s->size ||
		 (p - base) % s->size);
}

/* CONFIG_SLAB_FREELIST_HARDENED: ptr ^ s->random ^ swab(ptr_addr) */
static uint32_t freelist_ptr(struct kmm *k, const struct kmem_cache *s,
			     uint32_t v, vaddr_t ptr_addr)
{
	if (!slab_st(k)->hardened)
		return v;
	return v ^ s->random ^ __builtin_bswap32(ptr_addr);
}

vaddr_t get_freepointer(struct kmm *k, const struct kmem_cache *s,
			vaddr_t object)
{
	vaddr_t addr = object + s->offset;

	return freelist_ptr(k, s, slab_mem_read32(k, addr), addr);
}

void set_freepointer(struct kmm *k, const struct kmem_cache *s, vaddr_t object,
		     vaddr_t fp)
{
	vaddr_t addr = object + s->offset;

	if (slab_st(k)->hardened && object == fp)  /* BUG_ON(object == fp) */
		kmm_bug(k, "slab",
			"kernel BUG in set_freepointer(): %s object 0x%08x would "
			"point to itself (naive double free or corruption "
			"detection) [double free]", s->name, object);
	slab_mem_write32(k, addr, freelist_ptr(k, s, fp, addr));
}

/* ---- the undo state of a cache ---- */

void slab_begin(struct kmm *k, struct kmem_cache *s)
{
	struct slab_state *st = slab_st(k);

	if (k->booted && !st->snap) {
		st->snap = true;
		st->boot_nr_caches = st->nr_caches;
		st->boot_next_id = st->next_id;
		st->boot_jiffies = st->jiffies;
	}
	st->cpu = k->cpu;
	st->jiffies++;
	if (!s)
		return;
	if (s->dead)
		kmm_bug(k, "slab", "use of the destroyed cache %s", s->name);
	if (k->booted && s->boot && !s->dirty) {
		if (!s->boot_copy) {
			s->boot_copy = malloc(sizeof(*s));
			kmm_assert(k, s->boot_copy != NULL);
		}
		memcpy(s->boot_copy, s, sizeof(*s));
		s->dirty = true;
		if (st->nr_dirty == st->dirty_cap) {
			st->dirty_cap = st->dirty_cap ? 2 * st->dirty_cap : 16;
			st->dirty = realloc(st->dirty, st->dirty_cap * sizeof(*st->dirty));
			kmm_assert(k, st->dirty != NULL);
		}
		st->dirty[st->nr_dirty++] = s;
	}
}
