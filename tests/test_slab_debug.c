/* test_slab_debug.c — SLUB_DEBUG as Linux 6.6 does it: the debug object
 * layout and bytes, the slub_kunit cases (corrupt on purpose, validate,
 * count errors: the counts are the ones lib/slub_kunit.c expects), and
 * each misuse or corruption reported on the alloc/free paths or by
 * slab_check(), naming the cache, the object, its offset and the kind. */
#include "kmm/slab.h"
#include "kmm_test.h"
#include "test.h"

static struct kmm *boot_dbg(uint32_t slub_debug, bool hardened)
{
	struct kmm_config c;
	char err[256];

	kmm_config_preset(&c, "tiny");
	c.slub_debug = slub_debug;
	c.slab_freelist_hardened = hardened;
	struct kmm *k = kmm_create(&c, err, sizeof(err));
	if (!k)
		fprintf(stderr, "boot: %s\n", err);
	return k;
}

/* Unchecked (kasan_disable_current()): tests look at free objects and
 * corrupt red zones on purpose. */
static void wr8(struct kmm *k, vaddr_t va, uint8_t v)
{
	kmm_frame_poke(k, (unsigned long)(__pa(k, va) >> PAGE_SHIFT),
		       va & (PAGE_SIZE - 1), &v, 1);
}

static uint8_t rd8(struct kmm *k, vaddr_t va)
{
	uint8_t v;

	kmm_frame_peek(k, (unsigned long)(__pa(k, va) >> PAGE_SHIFT),
		       va & (PAGE_SIZE - 1), &v, 1);
	return v;
}

static uint32_t rd32(struct kmm *k, vaddr_t va)
{
	return (uint32_t)rd8(k, va) | (uint32_t)rd8(k, va + 1) << 8 |
	       (uint32_t)rd8(k, va + 2) << 16 | (uint32_t)rd8(k, va + 3) << 24;
}

static void wr32(struct kmm *k, vaddr_t va, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		wr8(k, va + (vaddr_t)i, (uint8_t)(v >> (8 * i)));
}

/* bytes [from, to) of va all equal c */
static int all(struct kmm *k, vaddr_t va, int from, int to, uint8_t c)
{
	for (int i = from; i < to; i++)
		if (rd8(k, va + (vaddr_t)i) != c) {
			fprintf(stderr, "byte %d is 0x%02x, not 0x%02x\n", i,
				rd8(k, va + (vaddr_t)i), c);
			return 0;
		}
	return 1;
}

#define FZPU DEBUG_DEFAULT_FLAGS

/* ---- layout and debug bytes ---- */

/* 64 bytes with F|Z|P|U, align 8 (calculate_sizes): 64 fills the word, so
 * +4 right red zone: inuse 68; poison puts the free pointer at 68: 72;
 * two 20-byte tracks: 112; +4 red-zone padding: 116; red_left_pad
 * ALIGN(4, 8) = 8: 124; ALIGN(124, 8) = 128.  32 per order-0 slab. */
static int test_debug_layout_bytes(void)
{
	struct kmm *k = boot_dbg(0, false);
	ASSERT_TRUE(k);
	struct kmem_cache *s = kmem_cache_create(k, "dbg", 64, 0, FZPU, NULL);
	ASSERT_TRUE(s);
	ASSERT_EQ(s->inuse, 68);
	ASSERT_EQ(s->offset, 68);
	ASSERT_EQ(s->red_left_pad, 8);
	ASSERT_EQ(s->size, 128);
	ASSERT_EQ(s->oo_order, 0);
	ASSERT_EQ(s->oo_objects, 32);
	ASSERT_EQ(s->cpu_partial_slabs, 0);     /* debug: no CPU partials */
	kmm_set_op(k, 5, "kmem_cache_alloc(dbg)");
	vaddr_t p = kmem_cache_alloc(k, s, GFP_KERNEL);
	vaddr_t base = p & PAGE_MASK;
	ASSERT_EQ(p, base + 8);                 /* after the left red zone */
	ASSERT_TRUE(all(k, p, -8, 0, SLUB_RED_ACTIVE));
	ASSERT_TRUE(all(k, p, 0, 63, POISON_FREE));
	ASSERT_EQ(rd8(k, p + 63), POISON_END);
	ASSERT_TRUE(all(k, p, 64, 68, SLUB_RED_ACTIVE));
	ASSERT_EQ(rd32(k, p + 72), 6);          /* alloc track: op #5 + 1 */
	ASSERT_EQ(rd32(k, p + 80), 0);          /* cpu 0 */
	ASSERT_EQ(rd32(k, p + 92), 0);          /* no free track yet */
	ASSERT_TRUE(all(k, p, 112, 120, POISON_INUSE));
	/* the next object is free: inactive red zones, poisoned */
	vaddr_t q = p + 128;
	ASSERT_TRUE(all(k, q, -8, 0, SLUB_RED_INACTIVE));
	ASSERT_TRUE(all(k, q, 0, 63, POISON_FREE));
	ASSERT_TRUE(all(k, q, 64, 68, SLUB_RED_INACTIVE));
	ASSERT_EQ(s->cpu_slab[0].slab, NULL);   /* on the node partial list */
	ASSERT_EQ(s->node.nr_partial, 1);
	for (int i = 0; i < 64; i++)
		wr8(k, p + (vaddr_t)i, 0x11);
	kmm_set_op(k, 9, "kmem_cache_free(dbg)");
	kmem_cache_free(k, s, p);
	ASSERT_TRUE(all(k, p, -8, 0, SLUB_RED_INACTIVE));
	ASSERT_TRUE(all(k, p, 0, 63, POISON_FREE));
	ASSERT_EQ(rd8(k, p + 63), POISON_END);
	ASSERT_TRUE(all(k, p, 64, 68, SLUB_RED_INACTIVE));
	ASSERT_EQ(rd32(k, p + 92), 10);         /* free track: op #9 + 1 */
	ASSERT_EQ(validate_slab_cache(k, s), 0);
	kmm_check(k);
	kmem_cache_destroy(k, s);
	kmm_destroy(k);
	return 0;
}

/* A new slab is memset to POISON_INUSE: the tail after the last object
 * keeps it.  200 bytes with P: free pointer at 200 -> 204 -> 208 slots,
 * 19 per slab, 4096 - 19 * 208 = 144 bytes of padding. */
static int test_slab_padding(void)
{
	struct kmm *k = boot_dbg(0, false);
	struct kmem_cache *s = kmem_cache_create(k, "pad", 200, 0, SLAB_POISON,
						 NULL);
	ASSERT_EQ(s->size, 208);
	ASSERT_EQ(s->oo_objects, 19);
	vaddr_t p = kmem_cache_alloc(k, s, GFP_KERNEL);
	vaddr_t base = p & PAGE_MASK;
	ASSERT_TRUE(all(k, base, 19 * 208, 4096, POISON_INUSE));
	wr8(k, base + 4000, 1);
	ASSERT_EQ(validate_slab_cache(k, s), 2);        /* report + FIX */
	ASSERT_STR_CONTAINS(slab_error_log(k), "Padding overwritten");
	ASSERT_STR_CONTAINS(slab_error_log(k), "@offset=4000");
	ASSERT_EQ(rd8(k, base + 4000), POISON_INUSE);  /* restored */
	ASSERT_EQ(validate_slab_cache(k, s), 0);
	kmem_cache_free(k, s, p);
	kmem_cache_destroy(k, s);
	kmm_destroy(k);
	return 0;
}

/* ---- lib/slub_kunit.c: corrupt, validate, count ---- */

static int test_clobber_zone(void)
{
	struct kmm *k = boot_dbg(0, false);
	struct kmem_cache *s = kmem_cache_create(k, "TestSlub_RZ_alloc", 64, 0,
						 SLAB_RED_ZONE | SLAB_NO_USER_FLAGS,
						 NULL);
	vaddr_t p = kmem_cache_alloc(k, s, GFP_KERNEL);
	wr8(k, p + 64, 0x12);
	ASSERT_EQ(validate_slab_cache(k, s), 2);
	ASSERT_STR_CONTAINS(slab_error_log(k), "BUG TestSlub_RZ_alloc (Not tainted): "
			    "Right Redzone overwritten [right red-zone overwrite]");
	ASSERT_STR_CONTAINS(slab_error_log(k), "(object+64). First byte 0x12 "
			    "instead of 0xcc");
	ASSERT_STR_CONTAINS(slab_error_log(k), "FIX TestSlub_RZ_alloc: Restoring "
			    "Right Redzone");
	ASSERT_EQ(rd8(k, p + 64), SLUB_RED_ACTIVE);
	ASSERT_EQ(validate_slab_cache(k, s), 0);
	kmem_cache_free(k, s, p);
	kmem_cache_destroy(k, s);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}

static int test_next_pointer(void)
{
	struct kmm *k = boot_dbg(0, false);
	struct kmem_cache *s = kmem_cache_create(k, "TestSlub_next_ptr_free", 64,
						 0, SLAB_POISON | SLAB_NO_USER_FLAGS,
						 NULL);
	vaddr_t p = kmem_cache_alloc(k, s, GFP_KERNEL);
	kmem_cache_free(k, s, p);
	vaddr_t ptr_addr = p + s->offset;
	uint32_t tmp = rd32(k, ptr_addr);
	wr8(k, ptr_addr, (uint8_t)~rd8(k, ptr_addr));
	/* the corrupted freechain, the wrong in-use count, its fix */
	ASSERT_EQ(validate_slab_cache(k, s), 3);
	ASSERT_STR_CONTAINS(slab_error_log(k), "Freechain corrupt [corrupted free "
			    "pointer]");
	ASSERT_STR_CONTAINS(slab_error_log(k), "Wrong object count. Counter is 0 "
			    "but counted were 55");
	/* repaired pointer: the count is still wrong (and fixed) */
	wr32(k, ptr_addr, tmp);
	ASSERT_EQ(validate_slab_cache(k, s), 2);
	ASSERT_EQ(validate_slab_cache(k, s), 0);
	kmm_check(k);
	kmem_cache_destroy(k, s);
	kmm_destroy(k);
	return 0;
}

static int test_first_word(void)
{
	struct kmm *k = boot_dbg(0, false);
	struct kmem_cache *s = kmem_cache_create(k, "TestSlub_1th_word_free", 64,
						 0, SLAB_POISON | SLAB_NO_USER_FLAGS,
						 NULL);
	vaddr_t p = kmem_cache_alloc(k, s, GFP_KERNEL);
	kmem_cache_free(k, s, p);
	wr8(k, p, 0x78);
	ASSERT_EQ(validate_slab_cache(k, s), 2);
	ASSERT_STR_CONTAINS(slab_error_log(k), "Poison overwritten [write after free]");
	ASSERT_STR_CONTAINS(slab_error_log(k), "(object+0). First byte 0x78 instead "
			    "of 0x6b");
	kmem_cache_destroy(k, s);
	kmm_destroy(k);
	return 0;
}

static int test_clobber_50th_byte(void)
{
	struct kmm *k = boot_dbg(0, false);
	struct kmem_cache *s = kmem_cache_create(k, "TestSlub_50th_word_free", 64,
						 0, SLAB_POISON | SLAB_NO_USER_FLAGS,
						 NULL);
	vaddr_t p = kmem_cache_alloc(k, s, GFP_KERNEL);
	kmem_cache_free(k, s, p);
	wr8(k, p + 50, 0x9a);
	ASSERT_EQ(validate_slab_cache(k, s), 2);
	ASSERT_STR_CONTAINS(slab_error_log(k), "(object+50). First byte 0x9a");
	kmem_cache_destroy(k, s);
	kmm_destroy(k);
	return 0;
}

static int test_clobber_redzone_free(void)
{
	struct kmm *k = boot_dbg(0, false);
	struct kmem_cache *s = kmem_cache_create(k, "TestSlub_RZ_free", 64, 0,
						 SLAB_RED_ZONE | SLAB_NO_USER_FLAGS,
						 NULL);
	vaddr_t p = kmem_cache_alloc(k, s, GFP_KERNEL);
	kmem_cache_free(k, s, p);
	wr8(k, p + 64, 0xab);
	ASSERT_EQ(validate_slab_cache(k, s), 2);
	ASSERT_STR_CONTAINS(slab_error_log(k), "First byte 0xab instead of 0xbb");
	kmem_cache_destroy(k, s);
	kmm_destroy(k);
	return 0;
}

static int test_clobber_left_redzone(void)
{
	struct kmm *k = boot_dbg(0, false);
	struct kmem_cache *s = kmem_cache_create(k, "TestSlub_LRZ", 64, 0,
						 SLAB_RED_ZONE | SLAB_NO_USER_FLAGS,
						 NULL);
	vaddr_t p = kmem_cache_alloc(k, s, GFP_KERNEL);
	wr8(k, p - 1, 0x34);
	ASSERT_EQ(validate_slab_cache(k, s), 2);
	ASSERT_STR_CONTAINS(slab_error_log(k), "Left Redzone overwritten [left "
			    "red-zone overwrite]");
	ASSERT_STR_CONTAINS(slab_error_log(k), "(object-1)");
	kmem_cache_free(k, s, p);
	kmem_cache_destroy(k, s);
	kmm_destroy(k);
	return 0;
}

/* slub_kunit test_kmalloc_redzone_access: a kmalloc object of 18 bytes in
 * kmalloc-32 with slub_debug=ZU: bytes 18..31 are a red zone. */
static int test_kmalloc_redzone(void)
{
	struct kmm *k = boot_dbg(SLAB_RED_ZONE | SLAB_STORE_USER, false);
	struct kmem_cache *s = kmalloc_slab(k, 18, GFP_KERNEL);
	ASSERT_TRUE(s->flags & SLAB_RED_ZONE);
	vaddr_t p = kzalloc(k, 18, GFP_KERNEL);
	ASSERT_TRUE(all(k, p, 0, 18, 0));               /* only 18 zeroed */
	ASSERT_TRUE(all(k, p, 18, 36, SLUB_RED_ACTIVE));
	wr8(k, p + 18, 0xab);
	wr8(k, p + 19, 0xab);
	ASSERT_EQ(validate_slab_cache(k, s), 2);
	ASSERT_STR_CONTAINS(slab_error_log(k), "kmalloc Redzone overwritten");
	/* ksize() hands out all 32 bytes: no red zone any more */
	ASSERT_EQ(ksize(k, p), 32);
	wr8(k, p + 30, 0xab);
	ASSERT_EQ(validate_slab_cache(k, s), 0);
	kfree(k, p);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}

/* A corrupted pointer on a CPU freelist is isolated when validation
 * flushes the CPU slab. */
static int test_validate_cpu_freelist(void)
{
	struct kmm *k = boot_dbg(0, false);
	struct kmem_cache *s = kmem_cache_create(k, "cpufl", 64, 0, SLAB_NO_MERGE,
						 NULL);
	vaddr_t a = kmem_cache_alloc(k, s, GFP_KERNEL);
	vaddr_t b = kmem_cache_alloc(k, s, GFP_KERNEL);
	kmem_cache_free(k, s, a);
	kmem_cache_free(k, s, b);
	wr32(k, a + s->offset, 0x12345678);
	ASSERT_GE(validate_slab_cache(k, s), 1);
	ASSERT_STR_CONTAINS(slab_error_log(k), "Freechain corrupt");
	ASSERT_STR_CONTAINS(slab_error_log(k), "FIX cpufl: Isolate corrupted freechain");
	ASSERT_EQ(validate_slab_cache(k, s), 0);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}

/* ---- reports on the alloc/free paths and in slab_check ---- */

struct bad {
	struct kmem_cache *s, *t;
	vaddr_t p, q;
};

static int expect_bug(struct kmm *k, void (*fn)(struct kmm *, void *),
		      struct bad *b, const char *const *needles)
{
	bool aborted;
	char *out = run_expect_bug(k, fn, b, &aborted);
	int ok = aborted;

	if (!aborted)
		fprintf(stderr, "no bug reported; output:\n%s\n", out);
	for (int i = 0; ok && needles[i]; i++)
		if (!strstr(out, needles[i])) {
			fprintf(stderr, "expected \"%s\" in:\n%s\n", needles[i], out);
			ok = 0;
		}
	free(out);
	return ok ? 0 : 1;
}

static void do_kfree_q(struct kmm *k, void *arg)
{
	kfree(k, ((struct bad *)arg)->q);
}

static void do_kfree_p_twice(struct kmm *k, void *arg)
{
	struct bad *b = arg;
	kfree(k, b->p);
	kfree(k, b->p);
}

static void do_cache_free_t(struct kmm *k, void *arg)
{
	struct bad *b = arg;
	kmem_cache_free(k, b->t, b->p);
}

static void do_cache_free_s(struct kmm *k, void *arg)
{
	struct bad *b = arg;
	kmem_cache_free(k, b->s, b->p);
}

static void do_alloc_s(struct kmm *k, void *arg)
{
	struct bad *b = arg;
	kmem_cache_alloc(k, b->s, GFP_KERNEL);
	kmem_cache_alloc(k, b->s, GFP_KERNEL);
}

static void do_destroy_s(struct kmm *k, void *arg)
{
	kmem_cache_destroy(k, ((struct bad *)arg)->s);
}

static void do_check(struct kmm *k, void *arg)
{
	(void)arg;
	kmm_check(k);
}

static void do_free_bulk_dup(struct kmm *k, void *arg)
{
	struct bad *b = arg;
	vaddr_t v[3] = {b->p, b->q, b->p};
	kmem_cache_free_bulk(k, b->s, 3, v);
}

static int test_report_double_free(void)
{
	struct kmm *k = boot_dbg(0, false);
	struct bad b = {0};
	b.p = kmalloc(k, 50, GFP_KERNEL);
	kmm_set_op(k, 3, "kfree");
	const char *n1[] = {"BUG: kmm/slab: BUG kmalloc-64 (Not tainted): Object "
			    "already free [double free]", "Object 0x", "@offset=",
			    "op #3: kfree", NULL};
	ASSERT_EQ(expect_bug(k, do_kfree_p_twice, &b, n1), 0);
	/* freed on the other CPU: on the slab freelist of a frozen slab */
	kfree(k, b.p);
	kmm_set_cpu(k, 1);
	b.q = b.p;
	ASSERT_EQ(expect_bug(k, do_kfree_q, &b, n1 + 1), 0);
	/* a debug cache with consistency checks says the same */
	kmm_set_cpu(k, 0);
	b.s = kmem_cache_create(k, "dfree", 64, 0, FZPU, NULL);
	b.p = kmem_cache_alloc(k, b.s, GFP_KERNEL);
	kmem_cache_free(k, b.s, b.p);
	const char *n2[] = {"BUG dfree (Not tainted): Object already free "
			    "[double free]", "Allocated in op #3", "Freed in op #3",
			    NULL};
	ASSERT_EQ(expect_bug(k, do_cache_free_s, &b, n2), 0);
	/* twice in one bulk free */
	b.s = kmem_cache_create(k, "bulkdup", 64, 0, SLAB_NO_MERGE, NULL);
	b.p = kmem_cache_alloc(k, b.s, GFP_KERNEL);
	b.q = kmem_cache_alloc(k, b.s, GFP_KERNEL);
	const char *n3[] = {"bulkdup", "[double free]", NULL};
	ASSERT_EQ(expect_bug(k, do_free_bulk_dup, &b, n3), 0);
	/* a large kmalloc freed twice */
	b.p = kmalloc(k, 20000, GFP_KERNEL);
	const char *n4[] = {"[double free]", NULL};
	ASSERT_EQ(expect_bug(k, do_kfree_p_twice, &b, n4), 0);
	kmm_destroy(k);
	return 0;
}

static int test_report_invalid_free(void)
{
	struct kmm *k = boot_dbg(0, false);
	struct bad b = {0};
	b.p = kmalloc(k, 100, GFP_KERNEL);
	b.q = b.p + 4;
	const char *n1[] = {"BUG kmalloc-128 (Not tainted): Invalid object pointer",
			    "not the start of an object [invalid free]", NULL};
	ASSERT_EQ(expect_bug(k, do_kfree_q, &b, n1), 0);
	/* a page that is no slab and no kmalloc */
	struct page *pg = alloc_pages(k, GFP_KERNEL, 0);
	b.q = page_address(k, pg);
	const char *n2[] = {"not a slab object nor a large kmalloc",
			    "[invalid free]", NULL};
	ASSERT_EQ(expect_bug(k, do_kfree_q, &b, n2), 0);
	/* inside a large kmalloc */
	b.q = kmalloc(k, 10000, GFP_KERNEL) + 4096;
	const char *n3[] = {"not the start of the large kmalloc", NULL};
	ASSERT_EQ(expect_bug(k, do_kfree_q, &b, n3), 0);
	kmm_destroy(k);
	return 0;
}

static int test_report_wrong_cache(void)
{
	struct kmm *k = boot_dbg(0, false);
	struct bad b = {0};
	b.s = kmem_cache_create(k, "cache_a", 64, 0, SLAB_NO_MERGE, NULL);
	b.t = kmem_cache_create(k, "cache_b", 64, 0, SLAB_NO_MERGE, NULL);
	b.p = kmem_cache_alloc(k, b.s, GFP_KERNEL);
	const char *n[] = {"BUG cache_b (Not tainted): kmem_cache_free: Wrong slab "
			   "cache. cache_b but object is from cache_a [wrong cache]",
			   "Object 0x", NULL};
	ASSERT_EQ(expect_bug(k, do_cache_free_t, &b, n), 0);
	kmm_destroy(k);
	return 0;
}

/* F|Z|P: the checks on free and on alloc (alloc_debug_processing). */
static int test_report_redzones_and_poison(void)
{
	struct kmm *k = boot_dbg(0, false);
	struct bad b = {0};
	b.s = kmem_cache_create(k, "rz", 64, 0,
				SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | SLAB_POISON,
				NULL);
	b.p = kmem_cache_alloc(k, b.s, GFP_KERNEL);
	wr8(k, b.p - 3, 0);
	const char *n1[] = {"BUG rz (Not tainted): Left Redzone overwritten [left "
			    "red-zone overwrite]", "(object-3). First byte 0x0 "
			    "instead of 0xcc", "Object 0x", NULL};
	ASSERT_EQ(expect_bug(k, do_cache_free_s, &b, n1), 0);
	wr8(k, b.p - 3, SLUB_RED_ACTIVE);
	wr8(k, b.p + 65, 0);
	const char *n2[] = {"Right Redzone overwritten [right red-zone overwrite]",
			    "(object+65)", NULL};
	ASSERT_EQ(expect_bug(k, do_cache_free_s, &b, n2), 0);
	wr8(k, b.p + 65, SLUB_RED_ACTIVE);
	kmem_cache_free(k, b.s, b.p);
	/* write after free: found when the object is allocated again */
	wr8(k, b.p + 10, 0x42);
	const char *n3[] = {"BUG rz (Not tainted): Poison overwritten [write after "
			    "free]", "(object+10). First byte 0x42 instead of 0x6b",
			    NULL};
	ASSERT_EQ(expect_bug(k, do_alloc_s, &b, n3), 0);
	wr8(k, b.p + 10, POISON_FREE);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}

/* A corrupted free pointer met by the lockless fast path. */
static int test_report_freepointer(void)
{
	for (int hardened = 0; hardened < 2; hardened++) {
		struct kmm *k = boot_dbg(0, hardened);
		struct bad b = {0};
		b.s = kmem_cache_create(k, "fp", 64, 0, SLAB_NO_MERGE, NULL);
		vaddr_t x = kmem_cache_alloc(k, b.s, GFP_KERNEL);
		vaddr_t y = kmem_cache_alloc(k, b.s, GFP_KERNEL);
		vaddr_t z = kmem_cache_alloc(k, b.s, GFP_KERNEL);
		kmem_cache_free(k, b.s, x);
		kmem_cache_free(k, b.s, y);     /* y -> x -> ... */
		/* a plain pointer to z: valid unhardened, garbage hardened */
		wr32(k, y + b.s->offset, hardened ? z : z + 1);
		const char *n[] = {"BUG fp (Not tainted): Freepointer corrupt",
				   "[corrupted free pointer]", NULL};
		ASSERT_EQ(expect_bug(k, do_alloc_s, &b, n), 0);
		const char *nc[] = {"slab_check: fp:", "[corrupted free pointer]",
				    NULL};
		ASSERT_EQ(expect_bug(k, do_check, &b, nc), 0);
		kmm_destroy(k);
	}
	return 0;
}

static int test_report_destroy_live(void)
{
	struct kmm *k = boot_dbg(0, false);
	struct bad b = {0};
	b.s = kmem_cache_create(k, "leaky", 128, 0, SLAB_NO_MERGE, NULL);
	b.p = kmem_cache_alloc(k, b.s, GFP_KERNEL);
	char obj[32];
	snprintf(obj, sizeof(obj), "0x%08x", b.p);
	const char *n[] = {"kmem_cache_destroy leaky: Slab cache still has objects "
			   "[destroy with live objects]", "1 objects in use:", obj,
			   NULL};
	ASSERT_EQ(expect_bug(k, do_destroy_s, &b, n), 0);
	kmem_cache_free(k, b.s, b.p);
	kmem_cache_destroy(k, b.s);
	ASSERT_FALSE(kmem_cache_find(k, "leaky"));
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}

/* slab_check() reads every debug byte: an out-of-bounds write into a
 * kmalloc red zone (slub_debug=Z) is a bug at the next sweep. */
static int test_slab_check_finds_overflow(void)
{
	struct kmm *k = boot_dbg(SLAB_RED_ZONE, false);
	struct bad b = {0};
	vaddr_t p = kmalloc(k, 64, GFP_KERNEL);
	kmm_check(k);
	wr8(k, p + 64, 0x99);
	const char *n[] = {"BUG kmalloc-64 (Not tainted): Right Redzone overwritten",
			   "(object+64). First byte 0x99", NULL};
	ASSERT_EQ(expect_bug(k, do_check, &b, n), 0);
	kmm_destroy(k);
	return 0;
}

/* slub_debug= applies to every cache, kmalloc ones too; debug caches do
 * not merge, SLAB_NO_USER_FLAGS opts out. */
static int test_slub_debug_option(void)
{
	struct kmm *k = boot_dbg(FZPU, false);
	for (unsigned int i = 0; i < slab_nr_caches(k); i++)
		ASSERT_EQ(slab_cache_at(k, i)->flags & FZPU, FZPU);
	struct kmem_cache *a = kmem_cache_create(k, "x1", 64, 0, 0, NULL);
	struct kmem_cache *b = kmem_cache_create(k, "x2", 64, 0, 0, NULL);
	ASSERT_NE(a, b);
	struct kmem_cache *c = kmem_cache_create(k, "x3", 64, 0,
						 SLAB_NO_USER_FLAGS, NULL);
	ASSERT_EQ(c->flags & FZPU, 0);
	/* kmalloc-64 with FZPU: pow2 align 64, so red_left_pad 64 */
	struct kmem_cache *s = kmalloc_slab(k, 64, GFP_KERNEL);
	ASSERT_EQ(s->red_left_pad, 64);
	ASSERT_EQ(s->size % 64, 0);
	vaddr_t p[300];
	for (int i = 0; i < 300; i++) {
		p[i] = kmalloc(k, 1 + (size_t)i * 13 % 2000, GFP_KERNEL);
		ASSERT_EQ(p[i] % 8, 0);
	}
	kmm_check(k);
	for (int i = 0; i < 300; i++)
		kfree(k, p[i]);
	for (unsigned int i = 0; i < slab_nr_caches(k); i++)
		ASSERT_EQ(validate_slab_cache(k, slab_cache_at(k, i)), 0);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}

static const struct test_case tests[] = {
	TEST(test_debug_layout_bytes),
	TEST(test_slab_padding),
	TEST(test_clobber_zone),
	TEST(test_next_pointer),
	TEST(test_first_word),
	TEST(test_clobber_50th_byte),
	TEST(test_clobber_redzone_free),
	TEST(test_clobber_left_redzone),
	TEST(test_kmalloc_redzone),
	TEST(test_validate_cpu_freelist),
	TEST(test_report_double_free),
	TEST(test_report_invalid_free),
	TEST(test_report_wrong_cache),
	TEST(test_report_redzones_and_poison),
	TEST(test_report_freepointer),
	TEST(test_report_destroy_live),
	TEST(test_slab_check_finds_overflow),
	TEST(test_slub_debug_option),
};

TEST_MAIN(tests)
