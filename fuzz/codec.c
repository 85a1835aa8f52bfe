/* fuzz/codec.c — binary form of programs (see oplang.h for the format). */
#include <string.h>
#include "oplang.h"

static unsigned int int_width(const struct opl_arg *a)
{
	uint64_t range = (uint64_t)((int64_t)a->hi - a->lo) + 1;

	return range <= 256 ? 1 : range <= 65536 ? 2 : 4;
}

/* Missing bytes read as 0. */
static uint32_t rd(const uint8_t *d, size_t n, size_t *pos, unsigned int w)
{
	uint32_t v = 0;

	for (unsigned int i = 0; i < w; i++, (*pos)++)
		if (*pos < n)
			v |= (uint32_t)d[*pos] << (8 * i);
	return v;
}

static int32_t wrap(const struct opl_arg *a, uint32_t raw)
{
	uint64_t range = (uint64_t)((int64_t)a->hi - a->lo) + 1;

	return (int32_t)((int64_t)a->lo + (int64_t)(raw % range));
}

void opl_decode(const struct opl_target *t, const uint8_t *d, size_t n,
		struct opl_prog *p, struct opl_scratch *s)
{
	struct opl_machine m;
	size_t pos = 0;

	p->machine = (uint8_t)(n ? opl_machine_byte(d[pos++]) : 0);
	p->n = p->nh = 0;
	opl_machine(p->machine, &m);
	opl_live_init(&s->lv, p);
	while (pos < n && p->n < OPL_MAX_OPS) {
		uint16_t opi = t->ops[d[pos++] % t->nops];
		const struct opl_op *op = &opl_ops[opi];
		struct opl_inst in = {.op = opi, .res = -1};
		bool drop = false;
		for (unsigned int j = 0; j < op->nargs; j++) {
			const struct opl_arg *a = &op->args[j];
			uint32_t raw;
			switch (a->kind) {
			case AK_INT:
				in.a[j] = wrap(a, rd(d, n, &pos, int_width(a)));
				break;
			case AK_HEX:
				in.a[j] = (int32_t)rd(d, n, &pos, 1);
				break;
			case AK_GFP:
			case AK_GFP_LOW:
				in.a[j] = (int32_t)opl_gfp_decode(
					(uint16_t)rd(d, n, &pos, 2), a->kind == AK_GFP_LOW);
				break;
			case AK_CPU:
				in.a[j] = (int32_t)(rd(d, n, &pos, 1) % m.cpus);
				break;
			case AK_HANDLE:
				raw = rd(d, n, &pos, 2);
				in.a[j] = opl_pick(&s->lv, a->filter, raw & 0xff, raw >> 8);
				drop |= in.a[j] < 0;
				break;
			case AK_ORDER_OF:
				if (!drop)
					in.a[j] = (int32_t)opl_unit_order(p, &s->lv, in.a[a->ref]);
				break;
			case AK_PAGE_IN:
				raw = rd(d, n, &pos, 2);
				if (!drop)
					in.a[j] = (int32_t)(raw % (1u << opl_unit_order(
						p, &s->lv, in.a[a->ref])));
				break;
			case AK_LEN:
				in.a[j] = wrap(a, rd(d, n, &pos, 1));
				if (in.a[j] > (int32_t)PAGE_SIZE - in.a[a->ref])
					in.a[j] = (int32_t)PAGE_SIZE - in.a[a->ref];
				break;
			case AK_ALIGN:
				in.a[j] = (int32_t)opl_align_decode((uint8_t)rd(d, n, &pos, 1));
				break;
			case AK_SLAB_FLAGS:
				in.a[j] = (int32_t)opl_slab_flags_decode(
					(uint8_t)rd(d, n, &pos, 1));
				break;
			case AK_CACHE_OF:       /* after the object it refers to */
				break;
			case AK_PROT:
				in.a[j] = (int32_t)(rd(d, n, &pos, 1) & 7u);
				break;
			case AK_OFF_IN:
				raw = rd(d, n, &pos, 4);
				if (!drop)
					in.a[j] = (int32_t)(raw % opl_obj_size(p, &s->lv,
									       in.a[a->ref]));
				break;
			case AK_LEN_IN:
				in.a[j] = wrap(a, rd(d, n, &pos, 1));
				if (!drop) {
					int32_t max = (int32_t)opl_obj_size(
						p, &s->lv, in.a[op->args[a->ref].ref]) -
						in.a[a->ref];
					if (in.a[j] > max)
						in.a[j] = max;
				}
				break;
			case AK_IOPHYS:
				in.a[j] = (int32_t)opl_io_page(rd(d, n, &pos, 1) %
							       OPL_NR_IO_PAGES);
				break;
			case AK_IOPAGES:
				in.a[j] = wrap(a, rd(d, n, &pos, 1));
				if (in.a[j] > (int32_t)opl_io_room((uint32_t)in.a[a->ref]))
					in.a[j] = (int32_t)opl_io_room((uint32_t)in.a[a->ref]);
				break;
			}
		}
		if (drop)
			continue;
		for (unsigned int j = 0; j < op->nargs; j++)
			if (op->args[j].kind == AK_CACHE_OF)
				in.a[j] = OPL_HV((unsigned int)p->h[OPL_H(
					in.a[op->args[j].ref])].parent, 0);
		struct opl_inst *dst = &p->ops[p->n];
		*dst = in;
		if (op->result) {
			dst->res = (int16_t)p->nh++;
			opl_handle_facts(p, dst);
		}
		opl_live_apply(&s->lv, dst);
		p->n++;
	}
}

static int wr(uint8_t *out, size_t cap, size_t *pos, uint32_t v, unsigned int w)
{
	if (*pos + w > cap)
		return -1;
	for (unsigned int i = 0; i < w; i++)
		out[(*pos)++] = (uint8_t)(v >> (8 * i));
	return 0;
}

long opl_encode(const struct opl_target *t, const struct opl_prog *p,
		uint8_t *out, size_t cap, struct opl_scratch *s)
{
	size_t pos = 0;

	if (wr(out, cap, &pos, p->machine, 1))
		return -1;
	opl_live_init(&s->lv, p);
	for (unsigned int i = 0; i < p->n; i++) {
		const struct opl_inst *in = &p->ops[i];
		const struct opl_op *op = &opl_ops[in->op];
		if (t->code[in->op] < 0 || wr(out, cap, &pos, (uint32_t)t->code[in->op], 1))
			return -1;
		for (unsigned int j = 0; j < op->nargs; j++) {
			const struct opl_arg *a = &op->args[j];
			uint8_t idx, sub;
			int err = 0;
			switch (a->kind) {
			case AK_INT:
				err = wr(out, cap, &pos, (uint32_t)((int64_t)in->a[j] - a->lo),
					 int_width(a));
				break;
			case AK_HEX:
			case AK_CPU:
				err = wr(out, cap, &pos, (uint32_t)in->a[j], 1);
				break;
			case AK_GFP:
			case AK_GFP_LOW:
				err = wr(out, cap, &pos, opl_gfp_encode((gfp_t)in->a[j]), 2);
				break;
			case AK_HANDLE:
				err = opl_index_of(&s->lv, a->filter, in->a[j], &idx, &sub) ||
				      wr(out, cap, &pos, (uint32_t)(idx | sub << 8), 2);
				break;
			case AK_ORDER_OF:
				break;
			case AK_PAGE_IN:
				err = wr(out, cap, &pos, (uint32_t)in->a[j], 2);
				break;
			case AK_LEN:
				err = wr(out, cap, &pos, (uint32_t)(in->a[j] - a->lo), 1);
				break;
			case AK_ALIGN: {
				int r = opl_align_encode((unsigned int)in->a[j]);
				err = r < 0 || wr(out, cap, &pos, (uint32_t)r, 1);
				break;
			}
			case AK_SLAB_FLAGS:
				err = wr(out, cap, &pos,
					 opl_slab_flags_encode((uint32_t)in->a[j]), 1);
				break;
			case AK_CACHE_OF:
				break;
			case AK_PROT:
				err = wr(out, cap, &pos, (uint32_t)in->a[j], 1);
				break;
			case AK_OFF_IN:
				err = wr(out, cap, &pos, (uint32_t)in->a[j], 4);
				break;
			case AK_LEN_IN:
			case AK_IOPAGES:
				err = wr(out, cap, &pos, (uint32_t)(in->a[j] - a->lo), 1);
				break;
			case AK_IOPHYS: {
				int r = opl_io_index((uint32_t)in->a[j]);
				err = r < 0 || wr(out, cap, &pos, (uint32_t)r, 1);
				break;
			}
			}
			if (err)
				return -1;
		}
		opl_live_apply(&s->lv, in);
	}
	return (long)pos;
}
