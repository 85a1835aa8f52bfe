/* fuzz/ops_buddy.c — buddy allocator ops: each calls the kernel API and
 * has the oracle predict and check the result. */
#include "ops.h"

static const char *zone_name(struct opl_exec *x, struct page *pg)
{
	return page_zone(x->k, pg)->name;
}

/* A new block: remember it, and give it a content pattern in its first
 * and last page, checked when it is freed. */
static void got_block(struct opl_exec *x, const struct opl_inst *in,
		      unsigned int order, struct page *pg,
		      const struct oracle_alloc_pred *pr)
{
	unsigned int h = (unsigned int)in->res;
	const char *model = pr->inject ? "fault injected"
			    : pr->must_succeed ? "must succeed"
			    : pr->must_fail ? "must fail" : "may fail";

	x->rt[h].page = pg;
	if (!pg) {
		opl_note(x, "NULL (model: %s)", model);
		return;
	}
	opl_note(x, "pfn 0x%05lx (%s) (model: %s)", page_to_pfn(x->k, pg),
		 zone_name(x, pg), model);
	if (!x->patterns)
		return;
	unsigned int off = (h * 136u) % (PAGE_SIZE - 16);
	oracle_write(x->o, h, 0, 0, off, 16, (uint8_t)(h * 7u + 1));
	if (order)
		oracle_write(x->o, h, 0, (1u << order) - 1, PAGE_SIZE - 16 - off, 16,
			     (uint8_t)(h * 7u + 2));
}

void ex_alloc_pages(struct opl_exec *x, const struct opl_inst *in)
{
	gfp_t gfp = (gfp_t)in->a[0];
	unsigned int order = (unsigned int)in->a[1];
	struct oracle_alloc_pred pr;

	oracle_alloc_predict(x->o, gfp, order, &pr);
	struct page *pg = alloc_pages(x->k, gfp, order);
	oracle_alloc_result(x->o, &pr, (unsigned int)in->res, gfp, order, pg);
	got_block(x, in, order, pg, &pr);
}

static void by_address(struct opl_exec *x, const struct opl_inst *in,
		       gfp_t gfp, unsigned int order, bool zeroed)
{
	struct oracle_alloc_pred pr;

	oracle_alloc_predict(x->o, zeroed ? gfp | __GFP_ZERO : gfp, order, &pr);
	vaddr_t va = zeroed ? get_zeroed_page(x->k, gfp)
			    : __get_free_pages(x->k, gfp, order);
	struct page *pg = va ? virt_to_page(x->k, va) : NULL;
	if (pg && page_address(x->k, pg) != va)
		oracle_fail(x->o, "buddy/address",
			    "model: a page-aligned direct-map address; kmm: 0x%08x",
			    va);
	oracle_alloc_result(x->o, &pr, (unsigned int)in->res,
			    zeroed ? gfp | __GFP_ZERO : gfp, order, pg);
	got_block(x, in, order, pg, &pr);
}

void ex_get_free_pages(struct opl_exec *x, const struct opl_inst *in)
{
	by_address(x, in, (gfp_t)in->a[0], (unsigned int)in->a[1], false);
}

void ex_get_zeroed_page(struct opl_exec *x, const struct opl_inst *in)
{
	by_address(x, in, (gfp_t)in->a[0], 0, true);
}

enum how { FREE_PAGES, FREE_ADDR, PUT_PAGE };

static void drop_ref(struct opl_exec *x, int32_t v, unsigned int order,
		     enum how how)
{
	struct page *pg = opl_unit(x, v);

	if (!pg)
		return;
	oracle_put_before(x->o, OPL_H(v), OPL_SUB(v));
	if (how == FREE_PAGES)
		__free_pages(x->k, pg, order);
	else if (how == FREE_ADDR)
		free_pages(x->k, page_address(x->k, pg), order);
	else
		put_page(x->k, pg);
	oracle_put_after(x->o, OPL_H(v), OPL_SUB(v));
	unsigned int left = oracle_refs(x->o, OPL_H(v), OPL_SUB(v));
	if (left)
		opl_note(x, "%u references left", left);
	else
		opl_note(x, "freed");
}

void ex_free_pages_page(struct opl_exec *x, const struct opl_inst *in)
{
	drop_ref(x, in->a[0], (unsigned int)in->a[1], FREE_PAGES);
}

void ex_free_pages_addr(struct opl_exec *x, const struct opl_inst *in)
{
	drop_ref(x, in->a[0], (unsigned int)in->a[1], FREE_ADDR);
}

void ex_put_page(struct opl_exec *x, const struct opl_inst *in)
{
	drop_ref(x, in->a[0], 0, PUT_PAGE);
}

void ex_get_page(struct opl_exec *x, const struct opl_inst *in)
{
	struct page *pg = opl_unit(x, in->a[0]);

	if (!pg)
		return;
	get_page(x->k, pg);
	oracle_get(x->o, OPL_H(in->a[0]), OPL_SUB(in->a[0]));
	opl_note(x, "count %d", page_count(pg));
}

void ex_split_page(struct opl_exec *x, const struct opl_inst *in)
{
	struct page *pg = opl_unit(x, in->a[0]);

	if (!pg)
		return;
	split_page(x->k, pg, (unsigned int)in->a[1]);
	oracle_split(x->o, OPL_H(in->a[0]));
}

void ex_drain_local(struct opl_exec *x, const struct opl_inst *in)
{
	(void)in;
	drain_local_pages(x->k);
	oracle_drained_local(x->o);
}

void ex_drain_all(struct opl_exec *x, const struct opl_inst *in)
{
	(void)in;
	drain_all_pages(x->k);
	oracle_drained_all(x->o);
}

void ex_write(struct opl_exec *x, const struct opl_inst *in)
{
	if (!opl_unit(x, in->a[0]))
		return;
	oracle_write(x->o, OPL_H(in->a[0]), OPL_SUB(in->a[0]),
		     (unsigned int)in->a[1], (unsigned int)in->a[2],
		     (unsigned int)in->a[3], (uint8_t)in->a[4]);
}

void ex_verify(struct opl_exec *x, const struct opl_inst *in)
{
	if (!opl_unit(x, in->a[0]))
		return;
	oracle_verify(x->o, OPL_H(in->a[0]), OPL_SUB(in->a[0]));
}

void buddy_teardown(struct opl_exec *x, unsigned int h)
{
	if (!x->rt[h].page)
		return;
	for (unsigned int s = 0; s < x->lv.nsub[h]; s++) {
		unsigned int order = x->lv.nsub[h] > 1 ? 0 : x->p->h[h].order;
		while (x->lv.ref[h][s]) {
			struct page *pg = opl_unit(x, OPL_HV(h, s));
			oracle_put_before(x->o, h, s);
			__free_pages(x->k, pg, order);
			oracle_put_after(x->o, h, s);
			x->lv.ref[h][s]--;
		}
	}
}
