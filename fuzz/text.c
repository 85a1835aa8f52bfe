/* fuzz/text.c — the text form of programs: printer and parser, plus the
 * dictionaries and the op reference generated from the table. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "oplang.h"

/* ---- printing ---- */

static const char *result_prefix(const struct opl_prog *p, unsigned int h)
{
	const char *r = opl_ops[p->ops[p->h[h].op].op].result;
	return r ? r : "h";
}

static int print_op(char *buf, size_t n, const struct opl_prog *p,
		    unsigned int i, const struct opl_live *lv)
{
	const struct opl_inst *in = &p->ops[i];
	const struct opl_op *op = &opl_ops[in->op];
	int len = 0;

#define OUT(...)                                                               \
	do {                                                                   \
		if (len >= 0 && (size_t)len < n)                               \
			len += snprintf(buf + len, n - (size_t)len, __VA_ARGS__); \
	} while (0)
	if (in->res >= 0)
		OUT("%s%d = ", result_prefix(p, (unsigned int)in->res), in->res);
	OUT("%s(", op->name);
	for (unsigned int j = 0; j < op->nargs; j++) {
		const struct opl_arg *a = &op->args[j];
		char g[200];
		if (j)
			OUT(", ");
		if (a->named)
			OUT("%s=", a->name);
		switch (a->kind) {
		case AK_HEX:
			OUT("0x%02x", (unsigned int)in->a[j]);
			break;
		case AK_GFP:
		case AK_GFP_LOW:
			opl_gfp_print(g, sizeof(g), (gfp_t)in->a[j]);
			OUT("%s", g);
			break;
		case AK_SLAB_FLAGS:
			opl_slab_flags_print(g, sizeof(g), (uint32_t)in->a[j]);
			OUT("%s", g);
			break;
		case AK_PROT:
			opl_prot_print(g, sizeof(g), (uint32_t)in->a[j]);
			OUT("%s", g);
			break;
		case AK_IOPHYS:
			OUT("0x%08x", (uint32_t)in->a[j]);
			break;
		case AK_CACHE_OF:
		case AK_HANDLE: {
			unsigned int h = OPL_H(in->a[j]), s = OPL_SUB(in->a[j]);
			OUT("%s%u", result_prefix(p, h), h);
			if (lv ? lv->nsub[h] > 1 : s > 0)
				OUT("[%u]", s);
			break;
		}
		default:
			OUT("%d", in->a[j]);
		}
	}
	OUT(")");
#undef OUT
	return len;
}

int opl_print_op(char *buf, size_t n, const struct opl_prog *p, unsigned int i,
		 const struct opl_live *lv)
{
	return print_op(buf, n, p, i, lv);
}

void opl_print(FILE *f, const struct opl_prog *p, unsigned int nops)
{
	struct opl_machine m;
	struct opl_live *lv = malloc(sizeof(*lv));
	char line[512];

	if (!lv)
		abort();
	opl_machine(p->machine, &m);
	fprintf(f, "machine %s pae=%d cpus=%u\n", m.preset, m.pae, m.cpus);
	opl_live_init(lv, p);
	for (unsigned int i = 0; i < nops && i < p->n; i++) {
		print_op(line, sizeof(line), p, i, lv);
		fprintf(f, "%s\n", line);
		opl_live_apply(lv, &p->ops[i]);
	}
	free(lv);
}

bool opl_is_text(const uint8_t *d, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(d[i] == '\n' || d[i] == '\r' || d[i] == '\t' ||
		      (d[i] >= 0x20 && d[i] < 0x7f)))
			return false;
	return true;
}

/* ---- parsing ---- */

#define MAX_LINE 1024
#define MAX_NAME 32

struct parser {
	const struct opl_target *t;
	struct opl_prog *p;
	struct opl_live *lv;
	char (*names)[MAX_NAME];        /* handle id -> name in the text */
	char *err;
	size_t errlen;
	unsigned int line;
	bool have_machine;
	unsigned int cpus;
};

static int perr(struct parser *ps, const char *fmt, const char *arg)
{
	char msg[200];

	snprintf(msg, sizeof(msg), fmt, arg);
	snprintf(ps->err, ps->errlen, "line %u: %s", ps->line, msg);
	return -1;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\r')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = 0;
	return s;
}

static bool is_ident(const char *s)
{
	if (!(isalpha((unsigned char)*s) || *s == '_'))
		return false;
	for (; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_'))
			return false;
	return true;
}

static int parse_int(const char *s, long lo, long hi, int32_t *v)
{
	char *end;

	if (!*s || isspace((unsigned char)*s))
		return -1;
	long x = strtol(s, &end, 0);
	if (*end || x < lo || x > hi)
		return -1;
	*v = (int32_t)x;
	return 0;
}

static int parse_machine(struct parser *ps, char *s)
{
	char *save = NULL, *tok = strtok_r(s, " \t", &save);
	const char *preset = NULL;
	int32_t pae = 0, cpus = 2;

	if (ps->have_machine || ps->p->n)
		return perr(ps, "%s", "the machine line must come first, once");
	tok = strtok_r(NULL, " \t", &save);
	if (!tok)
		return perr(ps, "%s", "machine: missing preset");
	preset = tok;
	while ((tok = strtok_r(NULL, " \t", &save))) {
		if (!strncmp(tok, "pae=", 4) && !parse_int(tok + 4, 0, 1, &pae))
			continue;
		if (!strncmp(tok, "cpus=", 5) && !parse_int(tok + 5, 1, 8, &cpus))
			continue;
		return perr(ps, "machine: bad setting '%s'", tok);
	}
	int idx = opl_machine_index(preset, pae, (unsigned int)cpus);
	if (idx < 0)
		return perr(ps, "machine: '%s' with that CPU count is not a fuzz "
			    "machine (tiny: 1, 2, 4, 8 CPUs; classic: 2)", preset);
	ps->p->machine = (uint8_t)idx;
	ps->have_machine = true;
	ps->cpus = (unsigned int)cpus;
	return 0;
}

static int find_handle(struct parser *ps, const char *name)
{
	for (int h = (int)ps->p->nh - 1; h >= 0; h--)
		if (!strcmp(ps->names[h], name))
			return h;
	return -1;
}

static int parse_handle(struct parser *ps, const struct opl_arg *a, char *s,
			int32_t *v)
{
	char *br = strchr(s, '[');
	int32_t sub = 0;

	if (br) {
		size_t n = strlen(br);
		if (n < 3 || br[n - 1] != ']')
			return perr(ps, "bad unit in '%s'", s);
		br[n - 1] = 0;
		*br++ = 0;
		if (parse_int(trim(br), 0, OPL_MAX_SUBS - 1, &sub))
			return perr(ps, "bad unit index in '%s'", s);
	}
	s = trim(s);
	if (!is_ident(s))
		return perr(ps, "bad handle name '%s'", s);
	int h = find_handle(ps, s);
	if (h < 0)
		return perr(ps, "unknown handle '%s'", s);
	if ((ps->lv->nsub[h] > 1) != (br != NULL))
		return perr(ps, br ? "'%s' is not split: no [unit]"
				   : "'%s' is split: name a unit as name[i]", s);
	if (!opl_unit_ok(ps->lv, a->filter, (unsigned int)h, (unsigned int)sub))
		return perr(ps, "'%s' is not live or does not fit this op", s);
	*v = OPL_HV((unsigned int)h, (unsigned int)sub);
	return 0;
}

static int parse_arg(struct parser *ps, const struct opl_inst *in,
		     const struct opl_arg *a, char *s, int32_t *v)
{
	size_t nl = strlen(a->name);
	gfp_t g;

	if (!strncmp(s, a->name, nl) && s[nl] == '=')
		s = trim(s + nl + 1);
	switch (a->kind) {
	case AK_INT:
		if (parse_int(s, a->lo, a->hi, v))
			return perr(ps, "bad or out-of-range value '%s'", s);
		return 0;
	case AK_HEX:
		if (parse_int(s, 0, 255, v))
			return perr(ps, "bad byte '%s'", s);
		return 0;
	case AK_GFP:
	case AK_GFP_LOW:
		if (opl_gfp_parse(s, &g) || !opl_gfp_valid(g, a->kind == AK_GFP_LOW))
			return perr(ps, "bad GFP mask '%s'", s);
		*v = (int32_t)g;
		return 0;
	case AK_CPU:
		if (parse_int(s, 0, (long)ps->cpus - 1, v))
			return perr(ps, "no such CPU '%s'", s);
		return 0;
	case AK_HANDLE:
		return parse_handle(ps, a, s, v);
	case AK_ORDER_OF: {
		long o = (long)opl_unit_order(ps->p, ps->lv, in->a[a->ref]);
		if (parse_int(s, o, o, v))
			return perr(ps, "order '%s' is not the order of the block", s);
		return 0;
	}
	case AK_PAGE_IN: {
		long pages = 1l << opl_unit_order(ps->p, ps->lv, in->a[a->ref]);
		if (parse_int(s, 0, pages - 1, v))
			return perr(ps, "page index '%s' is outside the block", s);
		return 0;
	}
	case AK_LEN:
		if (parse_int(s, a->lo, a->hi, v) || *v > (int32_t)PAGE_SIZE - in->a[a->ref])
			return perr(ps, "length '%s' out of range or past the page", s);
		return 0;
	case AK_ALIGN:
		if (parse_int(s, 0, 256, v) || opl_align_encode((unsigned int)*v) < 0)
			return perr(ps, "alignment '%s' is not 0, 8, 16, ... 256", s);
		return 0;
	case AK_SLAB_FLAGS: {
		uint32_t f;
		if (opl_slab_flags_parse(s, &f))
			return perr(ps, "bad SLAB_* flags '%s'", s);
		*v = (int32_t)f;
		return 0;
	}
	case AK_PROT: {
		uint32_t prot;
		if (opl_prot_parse(s, &prot))
			return perr(ps, "bad PROT_* bits '%s'", s);
		*v = (int32_t)prot;
		return 0;
	}
	case AK_OFF_IN: {
		long size = (long)opl_obj_size(ps->p, ps->lv, in->a[a->ref]);
		if (parse_int(s, 0, size - 1, v))
			return perr(ps, "offset '%s' is outside the object", s);
		return 0;
	}
	case AK_LEN_IN: {
		const struct opl_arg *off = &opl_ops[in->op].args[a->ref];
		long max = (long)opl_obj_size(ps->p, ps->lv, in->a[off->ref]) -
			   in->a[a->ref];
		if (parse_int(s, a->lo, a->hi, v) || *v > max)
			return perr(ps, "length '%s' out of range or past the object", s);
		return 0;
	}
	case AK_IOPHYS: {
		char *end;
		unsigned long x = strtoul(s, &end, 0);
		if (!*s || *end || x > 0xffffffffu || opl_io_index((uint32_t)x) < 0)
			return perr(ps, "'%s' is not a page ioremap may map (the fuzz "
				    "device, the ISA hole, low reserved RAM)", s);
		*v = (int32_t)(uint32_t)x;
		return 0;
	}
	case AK_IOPAGES:
		if (parse_int(s, a->lo, a->hi, v) ||
		    *v > (int32_t)opl_io_room((uint32_t)in->a[a->ref]))
			return perr(ps, "page count '%s' out of range or past the "
				    "region", s);
		return 0;
	case AK_CACHE_OF: {         /* checked once the object is parsed */
		struct opl_arg any = {.filter = FL_CACHE};
		return parse_handle(ps, &any, s, v);
	}
	}
	return -1;
}

static int parse_op(struct parser *ps, char *s)
{
	char *name = NULL, *eq = strchr(s, '='), *par = strchr(s, '(');

	if (eq && (!par || eq < par)) {
		*eq = 0;
		name = trim(s);
		s = eq + 1;
		if (!is_ident(name) || strlen(name) >= MAX_NAME)
			return perr(ps, "bad handle name '%s'", name);
	}
	par = strchr(s, '(');
	size_t n = strlen(s);
	if (!par || !n || s[n - 1] != ')')
		return perr(ps, "%s", "expected name(args)");
	*par = 0;
	s[n - 1] = 0;
	char *opname = trim(s), *args = par + 1;
	unsigned int opi = 0;
	while (opi < opl_nr_ops && strcmp(opl_ops[opi].name, opname))
		opi++;
	if (opi == opl_nr_ops)
		return perr(ps, "unknown op '%s'", opname);
	const struct opl_op *op = &opl_ops[opi];
	if (ps->t->code[opi] < 0)
		return perr(ps, "op '%s' is not in this target", opname);
	if (name && !op->result)
		return perr(ps, "'%s' creates no object to name", opname);
	if (ps->p->n >= OPL_MAX_OPS)
		return perr(ps, "%s", "too many ops");
	struct opl_inst in = {.op = (uint16_t)opi, .res = -1};
	unsigned int j = 0;
	args = trim(args);
	while (*args) {
		char *comma = strchr(args, ',');
		if (comma)
			*comma = 0;
		if (j >= op->nargs)
			return perr(ps, "too many arguments for '%s'", op->name);
		char *tok = trim(args);
		if (!*tok)
			return perr(ps, "%s", "empty argument");
		if (parse_arg(ps, &in, &op->args[j], tok, &in.a[j]))
			return -1;
		j++;
		if (!comma)
			break;
		args = comma + 1;
		if (!*trim(args))
			return perr(ps, "%s", "empty argument");
	}
	if (j != op->nargs)
		return perr(ps, "'%s' takes different arguments", op->name);
	for (j = 0; j < op->nargs; j++)
		if (op->args[j].kind == AK_CACHE_OF &&
		    OPL_H(in.a[j]) != (unsigned int)ps->p->h[OPL_H(in.a[op->args[j].ref])].parent)
			return perr(ps, "'%s': the object is not from that cache", op->name);
	struct opl_inst *dst = &ps->p->ops[ps->p->n];
	*dst = in;
	if (op->result) {
		dst->res = (int16_t)ps->p->nh++;
		opl_handle_facts(ps->p, dst);
		snprintf(ps->names[dst->res], MAX_NAME, "%s",
			 name ? name : "");
	}
	opl_live_apply(ps->lv, dst);
	ps->p->n++;
	return 0;
}

int opl_parse(const struct opl_target *t, const char *text, size_t len,
	      struct opl_prog *p, struct opl_scratch *s, char *err, size_t errlen)
{
	char dummy[8];
	struct parser ps = {.t = t, .p = p, .lv = &s->lv, .err = err ? err : dummy,
			    .errlen = err ? errlen : sizeof(dummy), .cpus = 2};
	char line[MAX_LINE + 1];
	int rc = 0;

	ps.names = malloc(OPL_MAX_OPS * sizeof(*ps.names));
	if (!ps.names)
		abort();
	p->machine = 0;
	p->n = p->nh = 0;
	opl_live_init(&s->lv, p);
	ps.err[0] = 0;
	for (size_t pos = 0; pos < len && !rc;) {
		size_t e = pos;
		while (e < len && text[e] != '\n')
			e++;
		ps.line++;
		if (e - pos > MAX_LINE) {
			rc = perr(&ps, "%s", "line too long");
			break;
		}
		if (memchr(text + pos, 0, e - pos)) {
			rc = perr(&ps, "%s", "NUL byte");
			break;
		}
		memcpy(line, text + pos, e - pos);
		line[e - pos] = 0;
		pos = e + 1;
		char *c = strchr(line, '#');
		if (c)
			*c = 0;
		char *l = trim(line);
		if (!*l)
			continue;
		if (!strncmp(l, "machine", 7) && (l[7] == ' ' || l[7] == '\t' || !l[7]))
			rc = parse_machine(&ps, l);
		else
			rc = parse_op(&ps, l);
	}
	free(ps.names);
	return rc;
}

/* ---- dictionaries and reference ---- */

static void dict_bytes(FILE *f, const char *name, const uint8_t *b, size_t n)
{
	fprintf(f, "%s=\"", name);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "\\x%02x", b[i]);
	fprintf(f, "\"\n");
}

void opl_print_dict(FILE *f, const struct opl_target *t, bool text)
{
	static const gfp_t common[] = {GFP_KERNEL, GFP_ATOMIC, GFP_HIGHUSER_MOVABLE,
				       GFP_DMA, GFP_KERNEL | __GFP_ZERO,
				       GFP_KERNEL | __GFP_COMP, GFP_NOWAIT,
				       GFP_USER | __GFP_COLD};
	char g[200];

	fprintf(f, "# %s dictionary, generated from the op table\n", t->name);
	for (unsigned int i = 0; i < t->nops; i++) {
		const struct opl_op *op = &opl_ops[t->ops[i]];
		if (text) {
			fprintf(f, "%s=\"%s(\"\n", op->name, op->name);
		} else {
			uint8_t b = (uint8_t)i;
			dict_bytes(f, op->name, &b, 1);
		}
	}
	for (unsigned int i = 0; i < sizeof(common) / sizeof(common[0]); i++) {
		char name[32];
		snprintf(name, sizeof(name), "gfp_%u", i);
		if (text) {
			opl_gfp_print(g, sizeof(g), common[i]);
			fprintf(f, "%s=\"%s\"\n", name, g);
		} else {
			uint16_t raw = opl_gfp_encode(common[i]);
			uint8_t b[2] = {(uint8_t)raw, (uint8_t)(raw >> 8)};
			dict_bytes(f, name, b, 2);
		}
	}
	if (text) {
		fprintf(f, "machine_tiny=\"machine tiny pae=0 cpus=2\\x0a\"\n");
		fprintf(f, "machine_classic=\"machine classic pae=1 cpus=2\\x0a\"\n");
		fprintf(f, "assign=\" = \"\nsep=\", \"\nclose=\")\\x0a\"\n");
		for (int i = 0; i < 16; i++) {
			opl_gfp_print(g, sizeof(g), opl_gfp_decode((uint16_t)(1u << i), false));
			fprintf(f, "gfp_bit_%d=\"%s\"\n", i, g);
		}
	}
}

static const char *kind_name(const struct opl_arg *a, char *buf, size_t n)
{
	switch (a->kind) {
	case AK_INT:
		snprintf(buf, n, "integer %d..%d", a->lo, a->hi);
		return buf;
	case AK_HEX:
		return "byte";
	case AK_GFP:
		return "GFP mask";
	case AK_GFP_LOW:
		return "GFP mask without __GFP_HIGHMEM";
	case AK_CPU:
		return "CPU number";
	case AK_HANDLE:
		return "handle";
	case AK_ORDER_OF:
		return "the block's order";
	case AK_PAGE_IN:
		return "page index in the block";
	case AK_LEN:
		snprintf(buf, n, "length %d..%d, within the page", a->lo, a->hi);
		return buf;
	case AK_ALIGN:
		return "alignment: 0, 8, 16, 32, 64, 128 or 256";
	case AK_SLAB_FLAGS:
		return "SLAB_* flags (HWCACHE_ALIGN, RED_ZONE, POISON, STORE_USER, "
		       "CONSISTENCY_CHECKS, RECLAIM_ACCOUNT, CACHE_DMA, NO_MERGE) or 0";
	case AK_CACHE_OF:
		return "the object's cache";
	case AK_PROT:
		return "PROT_READ|PROT_WRITE|PROT_EXEC bits, or PROT_NONE";
	case AK_OFF_IN:
		return "byte offset inside the object";
	case AK_LEN_IN:
		snprintf(buf, n, "length %d..%d, within the object", a->lo, a->hi);
		return buf;
	case AK_IOPHYS:
		return "physical page: the fuzz device 0xfebf0000-0xfebf7000, the "
		       "ISA hole 0xa0000-0xff000 or low reserved RAM 0x1000-0xf000";
	case AK_IOPAGES:
		snprintf(buf, n, "pages %d..%d, within the region", a->lo, a->hi);
		return buf;
	}
	return "?";
}

void opl_print_reference(FILE *f)
{
	static const char *const subsys[] = {"core", "buddy", "slab", "vmalloc",
					     "kmap", "mmu/fault"};

	fprintf(f, "# Op reference\n\nGenerated from fuzz/optable.c by "
		   "`kmm-fmt --reference`; do not edit.\n\n");
	for (unsigned int i = 0; i < opl_nr_ops; i++) {
		const struct opl_op *op = &opl_ops[i];
		const char *ss = "?";
		for (unsigned int b = 0; b < 6; b++)
			if (op->subsys & (1u << b))
				ss = subsys[b];
		fprintf(f, "## `%s%s%s(", op->result ? op->result : "",
			op->result ? "N = " : "", op->name);
		for (unsigned int j = 0; j < op->nargs; j++)
			fprintf(f, "%s%s", j ? ", " : "", op->args[j].name);
		fprintf(f, ")`\n\n%s (%s).\n\n", op->doc, ss);
		for (unsigned int j = 0; j < op->nargs; j++) {
			char buf[80];
			fprintf(f, "- `%s`: %s%s\n", op->args[j].name,
				kind_name(&op->args[j], buf, sizeof(buf)),
				op->args[j].named ? " (written name=value)" : "");
		}
		fprintf(f, "\n");
	}
}
