/* fuzz/optable.c — THE table of operations.  Everything else (binary
 * codec, text parser and printer, dictionaries, op reference, targets) is
 * driven from it: adding an op is one entry here plus its exec function.
 * Append new ops at the end of their subsystem's block; binary programs
 * are regenerated from the text seeds by the build, so codes may move.
 */
#include "ops.h"

#define ARG(n, k) {.name = n, .kind = k}
#define INT(n, l, h) {.name = n, .kind = AK_INT, .lo = l, .hi = h}
#define NAMED(n, l, h) {.name = n, .kind = AK_INT, .named = true, .lo = l, .hi = h}
#define ORDER INT("order", 0, MAX_ORDER - 1)
#define UNIT(n, f) {.name = n, .kind = AK_HANDLE, .filter = f}
#define ORDER_OF(r) {.name = "order", .kind = AK_ORDER_OF, .ref = r}
#define NEW_PAGES(ord, gfp) .effect = EF_NEW_PAGES, .order_arg = ord, .gfp_arg = gfp
#define NO_NEW .order_arg = -1, .gfp_arg = -1
#define NEW_OBJ(size, gfp, cache) .effect = EF_NEW_OBJ, .order_arg = -1,       \
	.size_arg = size, .gfp_arg = gfp, .cache_arg = cache

const struct opl_op opl_ops[] = {
	/* ---- core: machine control ---- */
	{.name = "kmm_set_cpu", .subsys = OPL_CORE, NO_NEW,
	 .doc = "make CPU n the current CPU (per-CPU lists, slabs)",
	 .nargs = 1, .args = {{.name = "cpu", .kind = AK_CPU}},
	 .exec = ex_set_cpu},
	{.name = "fail_page_alloc", .subsys = OPL_CORE, NO_NEW,
	 .doc = "configure fail_page_alloc as its debugfs knobs (probability "
		"100); its call count restarts",
	 .nargs = 6, .args = {NAMED("interval", 0, 255), NAMED("times", -1, 254),
			      NAMED("nth", 0, 255), NAMED("min_order", 0, MAX_ORDER - 1),
			      NAMED("ignore_highmem", 0, 1), NAMED("ignore_wait", 0, 1)},
	 .exec = ex_fail_page_alloc},
	{.name = "kmm_check", .subsys = OPL_CORE, NO_NEW,
	 .doc = "run every subsystem's invariant sweep", .exec = ex_kmm_check},

	/* ---- buddy allocator ---- */
	{.name = "alloc_pages", .subsys = OPL_BUDDY, .result = "p", NEW_PAGES(1, 0),
	 .doc = "allocate a 2^order block",
	 .nargs = 2, .args = {ARG("gfp", AK_GFP), ORDER},
	 .exec = ex_alloc_pages, .teardown = buddy_teardown},
	{.name = "__get_free_pages", .subsys = OPL_BUDDY, .result = "a",
	 NEW_PAGES(1, 0), .lowmem = true,
	 .doc = "allocate a lowmem 2^order block, by kernel address",
	 .nargs = 2, .args = {ARG("gfp", AK_GFP_LOW), ORDER},
	 .exec = ex_get_free_pages, .teardown = buddy_teardown},
	{.name = "get_zeroed_page", .subsys = OPL_BUDDY, .result = "a",
	 NEW_PAGES(-1, 0), .lowmem = true,
	 .doc = "allocate one zeroed lowmem page, by kernel address",
	 .nargs = 1, .args = {ARG("gfp", AK_GFP_LOW)},
	 .exec = ex_get_zeroed_page, .teardown = buddy_teardown},
	{.name = "__free_pages", .subsys = OPL_BUDDY, .effect = EF_PUT, NO_NEW,
	 .doc = "drop a reference; the last one frees the block",
	 .nargs = 2, .args = {UNIT("page", FL_UNIT), ORDER_OF(0)},
	 .exec = ex_free_pages_page},
	{.name = "free_pages", .subsys = OPL_BUDDY, .effect = EF_PUT, NO_NEW,
	 .doc = "__free_pages by kernel address",
	 .nargs = 2, .args = {UNIT("addr", FL_LOWMEM), ORDER_OF(0)},
	 .exec = ex_free_pages_addr},
	{.name = "get_page", .subsys = OPL_BUDDY, .effect = EF_GET, NO_NEW,
	 .doc = "take a reference",
	 .nargs = 1, .args = {UNIT("page", FL_GETTABLE)}, .exec = ex_get_page},
	{.name = "put_page", .subsys = OPL_BUDDY, .effect = EF_PUT, NO_NEW,
	 .doc = "drop a reference (of a compound head or an order-0 page when "
		"it is the last)",
	 .nargs = 1, .args = {UNIT("page", FL_PUTTABLE)}, .exec = ex_put_page},
	{.name = "split_page", .subsys = OPL_BUDDY, .effect = EF_SPLIT, NO_NEW,
	 .doc = "split a non-compound block (order <= 5) into order-0 pages, "
		"named page[i]",
	 .nargs = 2, .args = {UNIT("page", FL_SPLITTABLE), ORDER_OF(0)},
	 .exec = ex_split_page},
	{.name = "drain_local_pages", .subsys = OPL_BUDDY, NO_NEW,
	 .doc = "empty the current CPU's pcp lists", .exec = ex_drain_local},
	{.name = "drain_all_pages", .subsys = OPL_BUDDY, NO_NEW,
	 .doc = "empty every CPU's pcp lists", .exec = ex_drain_all},
	{.name = "kmm_write", .subsys = OPL_BUDDY, NO_NEW,
	 .doc = "write len pattern bytes (from seed) at offset of page pg of "
		"the block, through its kernel address",
	 .nargs = 5,
	 .args = {UNIT("page", FL_UNIT), {.name = "pg", .kind = AK_PAGE_IN},
		  INT("offset", 0, PAGE_SIZE - 1),
		  {.name = "len", .kind = AK_LEN, .ref = 2, .lo = 1, .hi = 256},
		  ARG("seed", AK_HEX)},
	 .exec = ex_write},
	{.name = "kmm_verify", .subsys = OPL_BUDDY, NO_NEW,
	 .doc = "check every byte written to the block so far",
	 .nargs = 1, .args = {UNIT("page", FL_UNIT)}, .exec = ex_verify},

	/* ---- slab allocator ---- */
	{.name = "kmalloc", .subsys = OPL_SLAB, .result = "o", NEW_OBJ(0, 1, -1),
	 .doc = "allocate size bytes (a size class, or whole pages above 8 KiB)",
	 .nargs = 2, .args = {INT("size", 1, 16384), ARG("gfp", AK_GFP_LOW)},
	 .exec = ex_kmalloc, .teardown = obj_teardown},
	{.name = "kzalloc", .subsys = OPL_SLAB, .result = "o", NEW_OBJ(0, 1, -1),
	 .doc = "kmalloc, zeroed",
	 .nargs = 2, .args = {INT("size", 1, 16384), ARG("gfp", AK_GFP_LOW)},
	 .exec = ex_kzalloc, .teardown = obj_teardown},
	{.name = "kfree", .subsys = OPL_SLAB, .effect = EF_PUT, NO_NEW,
	 .doc = "free a kmalloc object",
	 .nargs = 1, .args = {UNIT("obj", FL_KMALLOC_OBJ)}, .exec = ex_kfree},
	{.name = "ksize", .subsys = OPL_SLAB, NO_NEW,
	 .doc = "the usable size of an object",
	 .nargs = 1, .args = {UNIT("obj", FL_OBJ)}, .exec = ex_ksize},
	{.name = "kmem_cache_create", .subsys = OPL_SLAB, .result = "c",
	 .effect = EF_NEW_CACHE, .order_arg = -1, .gfp_arg = 2, .size_arg = 0,
	 .cache_arg = -1,
	 .doc = "create a cache (named fuzz-N, no constructor)",
	 .nargs = 3, .args = {INT("size", 1, 8192), ARG("align", AK_ALIGN),
			      ARG("flags", AK_SLAB_FLAGS)},
	 .exec = ex_cache_create, .teardown = cache_teardown},
	{.name = "kmem_cache_destroy", .subsys = OPL_SLAB, .effect = EF_PUT, NO_NEW,
	 .doc = "destroy a cache without live objects",
	 .nargs = 1, .args = {UNIT("cache", FL_CACHE_EMPTY)},
	 .exec = ex_cache_destroy},
	{.name = "kmem_cache_shrink", .subsys = OPL_SLAB, NO_NEW,
	 .doc = "flush the CPU slabs and free the empty slabs of a cache",
	 .nargs = 1, .args = {UNIT("cache", FL_CACHE)}, .exec = ex_cache_shrink},
	{.name = "kmem_cache_alloc", .subsys = OPL_SLAB, .result = "o",
	 NEW_OBJ(-1, 1, 0), .doc = "allocate an object of a cache",
	 .nargs = 2, .args = {UNIT("cache", FL_CACHE), ARG("gfp", AK_GFP_LOW)},
	 .exec = ex_cache_alloc, .teardown = obj_teardown},
	{.name = "kmem_cache_zalloc", .subsys = OPL_SLAB, .result = "o",
	 NEW_OBJ(-1, 1, 0), .doc = "kmem_cache_alloc, zeroed",
	 .nargs = 2, .args = {UNIT("cache", FL_CACHE), ARG("gfp", AK_GFP_LOW)},
	 .exec = ex_cache_zalloc, .teardown = obj_teardown},
	{.name = "kmem_cache_free", .subsys = OPL_SLAB, .effect = EF_PUT, NO_NEW,
	 .doc = "free an object into its cache",
	 .nargs = 2, .args = {{.name = "cache", .kind = AK_CACHE_OF, .ref = 1},
			      UNIT("obj", FL_CACHE_OBJ)},
	 .exec = ex_cache_free},
	{.name = "failslab", .subsys = OPL_SLAB, NO_NEW,
	 .doc = "configure failslab as its debugfs knobs (probability 100)",
	 .nargs = 4, .args = {NAMED("interval", 0, 255), NAMED("times", -1, 254),
			      NAMED("nth", 0, 255), NAMED("ignore_wait", 0, 1)},
	 .exec = ex_failslab},
};

const unsigned int opl_nr_ops = sizeof(opl_ops) / sizeof(opl_ops[0]);
