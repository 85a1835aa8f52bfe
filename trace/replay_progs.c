/* replay_progs.c — a trace's buddy and slab events as op programs
 * (fuzz/oplang.h), run under the oracle and/or written as corpus seeds.
 *
 * Each event becomes the op of the kernel API it records: mm_page_alloc ->
 * alloc_pages(gfp, order), mm_page_free -> __free_pages, kmalloc ->
 * kmalloc(size, gfp), kmem_cache_alloc -> kmem_cache_alloc from a cache
 * created (kmem_cache_create(object size, 0, SLAB_NO_MERGE [|
 * SLAB_HWCACHE_ALIGN])) before its first object in the program, the frees
 * -> kfree / kmem_cache_free; a CPU change -> kmm_set_cpu.  What the op
 * language cannot say is dropped and counted: failed allocations, orders
 * above 10, kmalloc above 16 KiB, caches above 8 KiB, gfp masks the 3.2
 * kernel refuses.  A program holds at most max_ops ops; objects of an
 * earlier program are gone in the next one (their frees are dropped).
 * The text is built in the op language's own syntax and parsed back with
 * opl_parse, so a program is only used (run, written) once the language's
 * parser has accepted it; files are written by opl_print, the canonical
 * form.
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"
#include "replay_internal.h"

#define MAX_HANDLES 1000        /* below OPL_MAX_OPS and ORACLE_MAX_OBJS */

struct kmmt_progs {
	char preset[16];
	bool pae;
	unsigned int cpus;
	unsigned int max_ops;
	char *dir;
	char stem[64];
	bool oracle;
	struct kmmt_progs_stats st;
	/* the program being built */
	char *text;
	size_t len, cap;
	unsigned int nops, nh;
	int cpu;
	struct kmmt_map pages;          /* pfn -> handle | order << 16 */
	struct kmmt_map objs;           /* ptr -> handle | (cache handle + 1) << 16 */
	struct kmmt_map caches;         /* name hash -> handle */
	struct kmmt_map earlier;        /* pfns (bit 63) and pointers live in earlier programs */
	/* parsing and running */
	struct opl_prog *prog;
	struct opl_scratch *scratch;
	struct opl_exec *x;
};

struct kmmt_progs *kmmt_progs_new(const char *preset, bool pae, unsigned int cpus,
				  unsigned int max_ops, const char *dir, const char *stem,
				  bool oracle)
{
	struct kmmt_progs *pg = calloc(1, sizeof(*pg));

	if (!pg)
		return NULL;
	/* a machine the op language has; otherwise the closest one */
	if (opl_machine_index(preset, pae, cpus) < 0) {
		preset = "tiny";
		cpus = opl_machine_index(preset, pae, cpus) < 0 ? 2 : cpus;
	}
	snprintf(pg->preset, sizeof(pg->preset), "%s", preset);
	pg->pae = pae;
	pg->cpus = cpus;
	pg->max_ops = max_ops < 16 ? 16 : max_ops > MAX_HANDLES ? MAX_HANDLES : max_ops;
	pg->dir = dir ? strdup(dir) : NULL;
	snprintf(pg->stem, sizeof(pg->stem), "%s", stem ? stem : "trace");
	pg->oracle = oracle;
	pg->cpu = -1;
	pg->prog = malloc(sizeof(*pg->prog));
	pg->scratch = malloc(sizeof(*pg->scratch));
	if (oracle) {
		pg->x = malloc(sizeof(*pg->x));
		if (pg->x)
			opl_exec_init(pg->x);
	}
	if (!pg->prog || !pg->scratch || (oracle && !pg->x) || (dir && !pg->dir)) {
		kmmt_progs_free(pg);
		return NULL;
	}
	return pg;
}

const struct kmmt_progs_stats *kmmt_progs_stats(const struct kmmt_progs *pg)
{
	return &pg->st;
}

bool kmmt_progs_oracle(const struct kmmt_progs *pg)
{
	return pg->oracle;
}

static void emit(struct kmmt_progs *pg, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void emit(struct kmmt_progs *pg, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		if (pg->text) {
			va_start(ap, fmt);
			n = vsnprintf(pg->text + pg->len, pg->cap - pg->len, fmt, ap);
			va_end(ap);
			if (n >= 0 && pg->len + (size_t)n < pg->cap)
				break;
		}
		size_t cap = pg->cap ? pg->cap * 2 : 65536;
		char *t = realloc(pg->text, cap);
		if (!t)
			return;
		pg->text = t;
		pg->cap = cap;
	}
	pg->len += (size_t)n;
	pg->nops++;
}

static void error(struct kmmt_progs *pg, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void error(struct kmmt_progs *pg, const char *fmt, ...)
{
	va_list ap;

	if (pg->st.first_error[0])
		return;
	va_start(ap, fmt);
	vsnprintf(pg->st.first_error, sizeof(pg->st.first_error), fmt, ap);
	va_end(ap);
}

/* the live objects of the program become "earlier" */
static void retire(struct kmmt_progs *pg)
{
	for (size_t i = 0; i < pg->pages.cap; i++)
		if (pg->pages.st[i] == 1)
			kmmt_map_put(&pg->earlier, pg->pages.key[i] | 1ull << 63, 1);
	for (size_t i = 0; i < pg->objs.cap; i++)
		if (pg->objs.st[i] == 1)
			kmmt_map_put(&pg->earlier, pg->objs.key[i] & ~(1ull << 63), 1);
	kmmt_map_free(&pg->pages);
	kmmt_map_free(&pg->objs);
	kmmt_map_free(&pg->caches);
	pg->len = 0;
	pg->nops = pg->nh = 0;
	pg->cpu = -1;
}

static void run(struct kmmt_progs *pg)
{
	jmp_buf jb;

	pg->x->bail = &jb;
	pg->st.oracle_runs++;
	if (setjmp(jb)) {
		pg->st.oracle_disagreements++;
		if (!pg->st.first_report[0])
			snprintf(pg->st.first_report, sizeof(pg->st.first_report), "program %" PRIu64
				 ": %s", pg->st.programs, pg->x->report);
		pg->x->bail = NULL;
		return;
	}
	opl_run(pg->x, pg->prog);
	pg->x->bail = NULL;
}

static void write_prog(struct kmmt_progs *pg)
{
	char path[1200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s-%03" PRIu64 ".txt", pg->dir, pg->stem, pg->st.programs);
	f = fopen(path, "w");
	if (!f) {
		error(pg, "%s: %s", path, strerror(errno));
		return;
	}
	fprintf(f, "# %s, part %" PRIu64 ": the buddy and slab events of a kernel trace "
		"(kmm-replay --emit-corpus)\n", pg->stem, pg->st.programs);
	opl_print(f, pg->prog, pg->prog->n);
	if (fclose(f)) {
		error(pg, "%s: %s", path, strerror(errno));
		return;
	}
	pg->st.written++;
}

static void finish_prog(struct kmmt_progs *pg)
{
	char head[80], err[200];

	if (!pg->nops || !pg->text)
		return;
	snprintf(head, sizeof(head), "machine %s pae=%d cpus=%u\n", pg->preset, pg->pae, pg->cpus);
	size_t hl = strlen(head);
	char *t = malloc(hl + pg->len + 1);
	if (!t) {
		retire(pg);
		return;
	}
	memcpy(t, head, hl);
	memcpy(t + hl, pg->text, pg->len + 1);
	pg->st.programs++;
	pg->st.ops += pg->nops;
	if (opl_parse(opl_target_all(), t, hl + pg->len, pg->prog, pg->scratch, err, sizeof(err))) {
		pg->st.rejected++;
		error(pg, "program %" PRIu64 ": %s", pg->st.programs, err);
	} else {
		if (pg->dir)
			write_prog(pg);
		if (pg->oracle)
			run(pg);
	}
	free(t);
	retire(pg);
}

/* room for n more ops (a new program when not) */
static void room(struct kmmt_progs *pg, unsigned int ops, unsigned int handles)
{
	if (pg->nops + ops > pg->max_ops || pg->nh + handles > MAX_HANDLES)
		finish_prog(pg);
}

static void set_cpu(struct kmmt_progs *pg, const struct kmmt_record *r)
{
	int cpu = (int)(r->cpu % pg->cpus);

	if (cpu != pg->cpu) {
		emit(pg, "kmm_set_cpu(%d)\n", cpu);
		pg->cpu = cpu;
	}
}

/* a free that is not in this program */
static void dropped_free(struct kmmt_progs *pg, uint64_t key)
{
	if (kmmt_map_del(&pg->earlier, key))
		pg->st.dropped_earlier++;
	else
		pg->st.dropped_unknown++;
}

static void free_obj(struct kmmt_progs *pg, uint64_t ptr, uint64_t v)
{
	unsigned int h = (unsigned int)(v & 0xffff), c = (unsigned int)(v >> 16);

	if (c)
		emit(pg, "kmem_cache_free(c%u, o%u)\n", c - 1, h);
	else
		emit(pg, "kfree(o%u)\n", h);
	kmmt_map_del(&pg->objs, ptr);
}

static void page_alloc(struct kmmt_progs *pg, const struct kmmt_record *r)
{
	gfp_t g = kmmt_to_kmm_gfp(r->page.gfp);
	uint64_t *old;
	char gs[200];

	if ((r->flags & KMMT_RF_FAILED) || r->page.order > 10 || !opl_gfp_valid(g, false) ||
	    gfp_zone(g) < 0) {
		pg->st.dropped_unsupported++;
		return;
	}
	room(pg, 3, 1);
	set_cpu(pg, r);
	old = kmmt_map_get(&pg->pages, r->page.pfn);
	if (old) {   /* its free was not in the trace */
		emit(pg, "__free_pages(p%u, %u)\n", (unsigned int)(*old & 0xffff),
		     (unsigned int)(*old >> 16));
		kmmt_map_del(&pg->pages, r->page.pfn);
	}
	opl_gfp_print(gs, sizeof(gs), g);
	emit(pg, "p%u = alloc_pages(%s, %u)\n", pg->nh, gs, r->page.order);
	kmmt_map_put(&pg->pages, r->page.pfn, pg->nh | (uint64_t)r->page.order << 16);
	pg->nh++;
}

static void page_free(struct kmmt_progs *pg, const struct kmmt_record *r)
{
	uint64_t *v = kmmt_map_get(&pg->pages, r->page.pfn);

	if (!v) {
		dropped_free(pg, r->page.pfn | 1ull << 63);
		return;
	}
	room(pg, 2, 0);
	v = kmmt_map_get(&pg->pages, r->page.pfn);
	if (!v) {   /* a new program began */
		dropped_free(pg, r->page.pfn | 1ull << 63);
		return;
	}
	set_cpu(pg, r);
	emit(pg, "__free_pages(p%u, %u)\n", (unsigned int)(*v & 0xffff), (unsigned int)(*v >> 16));
	kmmt_map_del(&pg->pages, r->page.pfn);
}

static uint64_t name_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
	return h;
}

static void obj_alloc(struct kmmt_progs *pg, const struct kmmt_record *r)
{
	uint64_t req = r->alloc.bytes_req, real = r->alloc.bytes_alloc, ptr = r->alloc.ptr;
	bool cache = r->type == KMMT_CACHE_ALLOC;
	gfp_t g = kmmt_to_kmm_gfp(r->alloc.gfp);
	uint64_t *v, key = 0;
	char gs[200];

	/* a kmalloc cache's object is a kmalloc of that size */
	if (cache && (!strncmp(r->alloc.name, "kmalloc-", 8) ||
		      !strncmp(r->alloc.name, "dma-kmalloc-", 12)))
		cache = false;
	if ((r->flags & KMMT_RF_FAILED) || ptr <= 16 || !req || req > (cache ? 8192u : 16384u) ||
	    (r->alloc.gfp & (KMMT_GFP_HIGHMEM | KMMT_GFP_DMA32)) || !opl_gfp_valid(g, true)) {
		pg->st.dropped_unsupported++;
		return;
	}
	room(pg, 4, 2);
	set_cpu(pg, r);
	v = kmmt_map_get(&pg->objs, ptr);
	if (v)   /* its free was not in the trace */
		free_obj(pg, ptr, *v);
	opl_gfp_print(gs, sizeof(gs), g);
	if (!cache) {
		emit(pg, "o%u = kmalloc(%" PRIu64 ", %s)\n", pg->nh, req, gs);
		kmmt_map_put(&pg->objs, ptr, pg->nh);
		pg->nh++;
		return;
	}
	char name[KMMT_NAME_LEN + 24];
	if (r->alloc.name[0])
		snprintf(name, sizeof(name), "%s", r->alloc.name);
	else
		snprintf(name, sizeof(name), "(unnamed-%" PRIu64 ")", req);
	key = name_hash(name);
	v = kmmt_map_get(&pg->caches, key);
	if (!v) {
		unsigned int hw = 64;
		while (req <= hw / 2 && hw > 8)
			hw /= 2;
		bool hwalign = real != ((req + 7) & ~7ull) &&
			       (real == ((req + hw - 1) & ~(uint64_t)(hw - 1)) ||
				real == ((((req + 15) & ~7ull) + hw - 1) & ~(uint64_t)(hw - 1)));
		emit(pg, "c%u = kmem_cache_create(%" PRIu64 ", 0, %s)\n", pg->nh, req,
		     hwalign ? "SLAB_HWCACHE_ALIGN|SLAB_NO_MERGE" : "SLAB_NO_MERGE");
		kmmt_map_put(&pg->caches, key, pg->nh);
		pg->nh++;
		v = kmmt_map_get(&pg->caches, key);
	}
	unsigned int c = (unsigned int)*v;
	emit(pg, "o%u = kmem_cache_alloc(c%u, %s)\n", pg->nh, c, gs);
	kmmt_map_put(&pg->objs, ptr, pg->nh | (uint64_t)(c + 1) << 16);
	pg->nh++;
}

static void obj_free(struct kmmt_progs *pg, const struct kmmt_record *r)
{
	uint64_t ptr = r->free.ptr, *v;

	if (ptr <= 16) {
		pg->st.dropped_unsupported++;   /* kfree(NULL): no op */
		return;
	}
	v = kmmt_map_get(&pg->objs, ptr);
	if (v) {
		room(pg, 2, 0);
		v = kmmt_map_get(&pg->objs, ptr);
	}
	if (!v) {
		dropped_free(pg, ptr & ~(1ull << 63));
		return;
	}
	set_cpu(pg, r);
	free_obj(pg, ptr, *v);
}

void kmmt_progs_record(struct kmmt_progs *pg, const struct kmmt_record *r)
{
	switch (r->type) {
	case KMMT_PAGE_ALLOC:
		page_alloc(pg, r);
		break;
	case KMMT_PAGE_FREE:
		page_free(pg, r);
		break;
	case KMMT_KMALLOC:
	case KMMT_CACHE_ALLOC:
		obj_alloc(pg, r);
		break;
	case KMMT_KFREE:
	case KMMT_CACHE_FREE:
		obj_free(pg, r);
		break;
	default:
		break;   /* mm_page_free_batched repeats mm_page_free; the rest has no op */
	}
}

void kmmt_progs_finish(struct kmmt_progs *pg)
{
	finish_prog(pg);
}

void kmmt_progs_free(struct kmmt_progs *pg)
{
	if (!pg)
		return;
	if (pg->x) {
		opl_exec_fini(pg->x);
		free(pg->x);
	}
	kmmt_map_free(&pg->pages);
	kmmt_map_free(&pg->objs);
	kmmt_map_free(&pg->caches);
	kmmt_map_free(&pg->earlier);
	free(pg->prog);
	free(pg->scratch);
	free(pg->text);
	free(pg->dir);
	free(pg);
}
