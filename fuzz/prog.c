/* fuzz/prog.c — machines, targets, GFP masks and the static tracking of
 * live objects that the decoder, encoder, parser and executor share. */
#include <stdlib.h>
#include <string.h>
#include "kmm/slab.h"
#include "oplang.h"

/* ---- machines ----
 * 0-7: tiny, bit 2 PAE, bits 0-1 the CPU count (2, 1, 4, 8); 8, 9: classic
 * with 2 CPUs, without and with PAE.  Every booted machine keeps the host
 * memory its runs touched, so the 1 GiB classic comes in two variants only.
 */

static const unsigned int machine_cpus[4] = {2, 1, 4, 8};

/* Bytes 0-9 are the canonical indexes; any other byte picks a tiny
 * machine, so mutations rarely land on the 9x larger classic one. */
unsigned int opl_machine_byte(uint8_t b)
{
	return b < OPL_NR_MACHINES ? b : b & 7u;
}

void opl_machine(unsigned int idx, struct opl_machine *m)
{
	if (idx >= 8) {
		m->preset = "classic";
		m->pae = idx & 1;
		m->cpus = 2;
		return;
	}
	m->preset = "tiny";
	m->pae = idx & 4;
	m->cpus = machine_cpus[idx & 3];
}

int opl_machine_index(const char *preset, bool pae, unsigned int cpus)
{
	if (!strcmp(preset, "classic"))
		return cpus == 2 ? 8 + pae : -1;
	if (strcmp(preset, "tiny"))
		return -1;
	for (int c = 0; c < 4; c++)
		if (machine_cpus[c] == cpus)
			return (pae ? 4 : 0) | c;
	return -1;
}

int opl_machine_config(unsigned int idx, struct kmm_config *c)
{
	struct opl_machine m;

	opl_machine(idx, &m);
	if (kmm_config_preset(c, m.preset))
		return -1;
	c->pae = m.pae;
	c->nr_cpus = m.cpus;
	return 0;
}

/* ---- targets ---- */

const char *const opl_target_names[] = {"mm_all_fuzzer", "mm_buddy_fuzzer",
					"mm_text_fuzzer", "mm_slab_fuzzer",
					"mm_fault_fuzzer", "mm_vmalloc_fuzzer",
					"mm_kmap_fuzzer", NULL};
static const unsigned int target_subsys[] = {OPL_ALL, OPL_CORE | OPL_BUDDY,
					     OPL_ALL, OPL_CORE | OPL_SLAB,
					     OPL_CORE | OPL_FAULT,
					     OPL_CORE | OPL_VMALLOC,
					     OPL_CORE | OPL_BUDDY | OPL_KMAP};

static void target_build(struct opl_target *t, const char *name,
			 unsigned int subsys)
{
	t->name = name;
	t->subsys = subsys;
	t->nops = 0;
	for (unsigned int i = 0; i < opl_nr_ops; i++) {
		t->code[i] = -1;
		if (opl_ops[i].subsys & subsys) {
			t->code[i] = (int16_t)t->nops;
			t->ops[t->nops++] = (uint16_t)i;
		}
	}
}

/* Built once, before any input is run (read-only afterwards). */
const struct opl_target *opl_target(const char *name)
{
	static struct opl_target targets[sizeof(target_subsys) /
					 sizeof(target_subsys[0])];

	for (unsigned int i = 0; opl_target_names[i]; i++) {
		if (strcmp(name, opl_target_names[i]))
			continue;
		if (!targets[i].name)
			target_build(&targets[i], opl_target_names[i], target_subsys[i]);
		return &targets[i];
	}
	return NULL;
}

const struct opl_target *opl_target_all(void)
{
	return opl_target("mm_all_fuzzer");
}

/* ---- GFP ---- */

static const gfp_t gfp_bits[16] = {
	__GFP_DMA, __GFP_HIGHMEM, __GFP_MOVABLE, __GFP_WAIT,
	__GFP_HIGH, __GFP_IO, __GFP_FS, __GFP_COLD,
	__GFP_NOWARN, __GFP_REPEAT, __GFP_NORETRY, __GFP_COMP,
	__GFP_ZERO, __GFP_NOMEMALLOC, __GFP_HARDWALL, __GFP_RECLAIMABLE,
};
static const char *const gfp_bit_names[16] = {
	"__GFP_DMA", "__GFP_HIGHMEM", "__GFP_MOVABLE", "__GFP_WAIT",
	"__GFP_HIGH", "__GFP_IO", "__GFP_FS", "__GFP_COLD",
	"__GFP_NOWARN", "__GFP_REPEAT", "__GFP_NORETRY", "__GFP_COMP",
	"__GFP_ZERO", "__GFP_NOMEMALLOC", "__GFP_HARDWALL", "__GFP_RECLAIMABLE",
};
static const struct {
	const char *name;
	gfp_t gfp;
} gfp_sets[] = {
	{"GFP_HIGHUSER_MOVABLE", GFP_HIGHUSER_MOVABLE},
	{"GFP_HIGHUSER", GFP_HIGHUSER},
	{"GFP_USER", GFP_USER},
	{"GFP_KERNEL", GFP_KERNEL},
	{"GFP_NOFS", GFP_NOFS},
	{"GFP_NOIO", GFP_NOIO},
	{"GFP_ATOMIC", GFP_ATOMIC},
	{"GFP_DMA", GFP_DMA},
};
#define NR_GFP_SETS (sizeof(gfp_sets) / sizeof(gfp_sets[0]))

static gfp_t gfp_known(void)
{
	gfp_t m = 0;

	for (int i = 0; i < 16; i++)
		m |= gfp_bits[i];
	return m;
}

/* Invalid combinations become valid ones: DMA wins over HIGHMEM, MOVABLE
 * over RECLAIMABLE (the kernel BUGs on both). */
gfp_t opl_gfp_decode(uint16_t raw, bool lowmem)
{
	gfp_t g = 0;

	for (int i = 0; i < 16; i++)
		if (raw >> i & 1)
			g |= gfp_bits[i];
	if ((g & __GFP_DMA) || lowmem)
		g &= ~__GFP_HIGHMEM;
	if (g & __GFP_MOVABLE)
		g &= ~__GFP_RECLAIMABLE;
	return g;
}

uint16_t opl_gfp_encode(gfp_t gfp)
{
	uint16_t raw = 0;

	for (int i = 0; i < 16; i++)
		if (gfp & gfp_bits[i])
			raw |= (uint16_t)(1u << i);
	return raw;
}

bool opl_gfp_valid(gfp_t g, bool lowmem)
{
	if (g & ~gfp_known())
		return false;
	if ((g & __GFP_HIGHMEM) && ((g & __GFP_DMA) || lowmem))
		return false;
	return !((g & __GFP_MOVABLE) && (g & __GFP_RECLAIMABLE));
}

int opl_gfp_print(char *buf, size_t n, gfp_t g)
{
	int len = 0;
	const char *sep = "";

	if (!g)
		return snprintf(buf, n, "GFP_NOWAIT");
	for (unsigned int i = 0; i < NR_GFP_SETS; i++)
		if ((g & gfp_sets[i].gfp) == gfp_sets[i].gfp) {
			len = snprintf(buf, n, "%s", gfp_sets[i].name);
			g &= ~gfp_sets[i].gfp;
			sep = "|";
			break;
		}
	for (int i = 0; i < 16 && len >= 0 && (size_t)len < n; i++)
		if (g & gfp_bits[i]) {
			len += snprintf(buf + len, n - (size_t)len, "%s%s", sep,
					gfp_bit_names[i]);
			sep = "|";
		}
	return len;
}

static int gfp_token(const char *s, size_t len, gfp_t *g)
{
	char tok[40];

	if (!len || len >= sizeof(tok))
		return -1;
	memcpy(tok, s, len);
	tok[len] = 0;
	if (!strcmp(tok, "GFP_NOWAIT")) {
		*g = 0;
		return 0;
	}
	for (unsigned int i = 0; i < NR_GFP_SETS; i++)
		if (!strcmp(tok, gfp_sets[i].name)) {
			*g = gfp_sets[i].gfp;
			return 0;
		}
	for (int i = 0; i < 16; i++)
		if (!strcmp(tok, gfp_bit_names[i])) {
			*g = gfp_bits[i];
			return 0;
		}
	char *end;
	unsigned long v = strtoul(tok, &end, 0);
	if (tok[0] >= '0' && tok[0] <= '9' && !*end && v <= 0xffffffffu) {
		*g = (gfp_t)v;
		return 0;
	}
	return -1;
}

/* "A|B|0x10" -> mask; -1 on an unknown name. */
int opl_gfp_parse(const char *s, gfp_t *gfp)
{
	gfp_t g = 0;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		size_t len = 0;
		while (s[len] && s[len] != '|' && s[len] != ' ' && s[len] != '\t')
			len++;
		gfp_t t;
		if (gfp_token(s, len, &t))
			return -1;
		g |= t;
		s += len;
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			break;
		if (*s++ != '|')
			return -1;
	}
	*gfp = g;
	return 0;
}

/* ---- SLAB_* flags and alignments ---- */

static const uint32_t slab_bits[8] = {
	SLAB_HWCACHE_ALIGN, SLAB_RED_ZONE, SLAB_POISON, SLAB_STORE_USER,
	SLAB_CONSISTENCY_CHECKS, SLAB_RECLAIM_ACCOUNT, SLAB_CACHE_DMA,
	SLAB_NO_MERGE,
};
static const char *const slab_bit_names[8] = {
	"SLAB_HWCACHE_ALIGN", "SLAB_RED_ZONE", "SLAB_POISON", "SLAB_STORE_USER",
	"SLAB_CONSISTENCY_CHECKS", "SLAB_RECLAIM_ACCOUNT", "SLAB_CACHE_DMA",
	"SLAB_NO_MERGE",
};

uint32_t opl_slab_flags_decode(uint8_t raw)
{
	uint32_t f = 0;

	for (int i = 0; i < 8; i++)
		if (raw >> i & 1)
			f |= slab_bits[i];
	return f;
}

uint8_t opl_slab_flags_encode(uint32_t flags)
{
	uint8_t raw = 0;

	for (int i = 0; i < 8; i++)
		if (flags & slab_bits[i])
			raw |= (uint8_t)(1u << i);
	return raw;
}

/* "A|B|C" from a name table; `none` stands for an empty set. */
static int flags_print(char *buf, size_t n, uint32_t flags, const char *none,
		       const char *const *names, const uint32_t *bits, int nr)
{
	int len = 0;

	if (!flags)
		return snprintf(buf, n, "%s", none);
	for (int i = 0; i < nr && len >= 0 && (size_t)len < n; i++)
		if (flags & bits[i])
			len += snprintf(buf + len, n - (size_t)len, "%s%s",
					len ? "|" : "", names[i]);
	return len;
}

static const char *skip_blank(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* The inverse of flags_print: names joined by '|', blanks allowed. */
static int flags_parse(const char *s, uint32_t *out, const char *none,
		       const char *const *names, const uint32_t *bits, int nr)
{
	uint32_t f = 0;

	s = skip_blank(s);
	if (!strcmp(s, none)) {
		*out = 0;
		return 0;
	}
	while (*s) {
		size_t len = strcspn(s, "| \t");
		int i = 0;
		while (i < nr && (strlen(names[i]) != len || strncmp(s, names[i], len)))
			i++;
		if (i == nr)
			return -1;
		f |= bits[i];
		s = skip_blank(s + len);
		if (*s == '|') {
			s = skip_blank(s + 1);
			if (!*s)
				return -1;
		} else if (*s) {
			return -1;
		}
	}
	*out = f;
	return 0;
}

int opl_slab_flags_print(char *buf, size_t n, uint32_t flags)
{
	return flags_print(buf, n, flags, "0", slab_bit_names, slab_bits, 8);
}

int opl_slab_flags_parse(const char *s, uint32_t *flags)
{
	return flags_parse(s, flags, "0", slab_bit_names, slab_bits, 8);
}

static const char *const prot_names[3] = {"PROT_READ", "PROT_WRITE", "PROT_EXEC"};
static const uint32_t prot_bits[3] = {1, 2, 4};

int opl_prot_print(char *buf, size_t n, uint32_t prot)
{
	return flags_print(buf, n, prot, "PROT_NONE", prot_names, prot_bits, 3);
}

int opl_prot_parse(const char *s, uint32_t *prot)
{
	return flags_parse(s, prot, "PROT_NONE", prot_names, prot_bits, 3);
}

static const unsigned int aligns[7] = {0, 8, 16, 32, 64, 128, 256};

unsigned int opl_align_decode(uint8_t raw)
{
	return aligns[raw % 7];
}

int opl_align_encode(unsigned int align)
{
	for (int i = 0; i < 7; i++)
		if (aligns[i] == align)
			return i;
	return -1;
}

/* ---- physical pages for ioremap ---- */

uint32_t opl_io_page(unsigned int idx)
{
	if (idx < OPL_IODEV_PAGES)
		return OPL_IODEV_BASE + idx * PAGE_SIZE;
	idx -= OPL_IODEV_PAGES;
	if (idx < 96)
		return OPL_IO_ISA_START + idx * PAGE_SIZE;
	return (idx - 96 + 1) * PAGE_SIZE;
}

int opl_io_index(uint32_t phys)
{
	for (unsigned int i = 0; i < OPL_NR_IO_PAGES; i++)
		if (opl_io_page(i) == phys)
			return (int)i;
	return -1;
}

unsigned int opl_io_room(uint32_t phys)
{
	if (phys >= OPL_IODEV_BASE)
		return OPL_IODEV_PAGES - (phys - OPL_IODEV_BASE) / PAGE_SIZE;
	if (phys >= OPL_IO_ISA_START)
		return (OPL_IO_ISA_END - phys) / PAGE_SIZE;
	return 16 - phys / PAGE_SIZE;
}

/* ---- static tracking of live objects ---- */

void opl_live_init(struct opl_live *lv, const struct opl_prog *p)
{
	lv->p = p;
	lv->nlive = 0;
}

bool opl_unit_ok(const struct opl_live *lv, unsigned int f, unsigned int h,
		 unsigned int sub)
{
	if (h >= lv->p->nh || sub >= lv->nsub[h] || !lv->ref[h][sub])
		return false;
	const struct opl_handle *hd = &lv->p->h[h];

	switch (f) {
	case FL_OBJ:
		return hd->kind == HK_OBJ;
	case FL_KMALLOC_OBJ:
		return hd->kind == HK_OBJ && hd->parent < 0;
	case FL_KMALLOC_SMALL:
		return hd->kind == HK_OBJ && hd->parent < 0 && hd->size &&
		       hd->size <= KMALLOC_MAX_CACHE_SIZE;
	case FL_CACHE_OBJ:
		return hd->kind == HK_OBJ && hd->parent >= 0;
	case FL_CACHE:
		return hd->kind == HK_CACHE;
	case FL_MM:
		return hd->kind == HK_MM;
	case FL_KMAP:
		return hd->kind == HK_KMAP;
	case FL_VAREA:
		return hd->kind == HK_VAREA;
	case FL_VMAP:
		return hd->kind == HK_VMAP;
	case FL_VGUARDED:       /* an ISA-hole ioremap is the direct map */
		return hd->kind == HK_VAREA || hd->kind == HK_VMAP ||
		       (hd->kind == HK_IOREMAP && !(hd->flags & HF_LOWMEM));
	case FL_KADDR:
		return (hd->kind == HK_OBJ && hd->size) || hd->kind == HK_VAREA ||
		       hd->kind == HK_VMAP || hd->kind == HK_KMAP ||
		       hd->kind == HK_IOREMAP ||
		       (hd->kind == HK_PAGES && (hd->flags & HF_LOWMEM));
	case FL_FILE:
		return hd->kind == HK_FILE;
	case FL_IOREMAP:
		return hd->kind == HK_IOREMAP;
	case FL_VMA:
		return hd->kind == HK_VMA;
	case FL_CACHE_EMPTY:
		if (hd->kind != HK_CACHE)
			return false;
		for (unsigned int i = 0; i < lv->nlive; i++)
			if (lv->p->h[lv->live[i]].kind == HK_OBJ &&
			    lv->p->h[lv->live[i]].parent == (int)h)
				return false;
		return true;
	}
	if (hd->kind != HK_PAGES)
		return false;
	unsigned int kmaps = 0, mine = 0;
	if (f == FL_FREEABLE || f == FL_LOWMEM || f == FL_PUTTABLE ||
	    f == FL_SPLITTABLE || f == FL_KMAPPABLE)
		for (unsigned int i = 0; i < lv->nlive; i++) {
			const struct opl_handle *m = &lv->p->h[lv->live[i]];
			if (m->kind != HK_KMAP && m->kind != HK_VMAP)
				continue;
			kmaps += m->kind == HK_KMAP;
			mine += m->parent == (int)h &&
				(m->sub == sub || f == FL_SPLITTABLE);
		}
	if (mine && f != FL_KMAPPABLE)
		return false;           /* a mapped page stays until kunmap/vunmap */
	switch (f) {
	case FL_FREEABLE:
		return true;
	case FL_KMAPPABLE:
		return kmaps < 256;
	case FL_UNIT:
		return true;
	case FL_LOWMEM:
		return hd->flags & HF_LOWMEM;
	case FL_PUTTABLE:
		return hd->order == 0 || lv->nsub[h] > 1 ||
		       (hd->flags & HF_COMPOUND) || lv->ref[h][sub] > 1;
	case FL_GETTABLE:
		return lv->ref[h][sub] < OPL_MAX_REFS;
	case FL_SPLITTABLE:
		return lv->nsub[h] == 1 && !(hd->flags & HF_COMPOUND) &&
		       hd->order >= 1 && hd->order <= OPL_MAX_SPLIT_ORDER;
	}
	return false;
}

static unsigned int units_ok(const struct opl_live *lv, unsigned int f,
			     unsigned int h)
{
	unsigned int n = 0;

	for (unsigned int s = 0; s < lv->nsub[h]; s++)
		n += opl_unit_ok(lv, f, h, s);
	return n;
}

int32_t opl_pick(const struct opl_live *lv, unsigned int f, unsigned int idx,
		 unsigned int sub)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < lv->nlive; i++)
		n += units_ok(lv, f, lv->live[i]) > 0;
	if (!n)
		return -1;
	idx %= n;
	for (unsigned int i = 0; i < lv->nlive; i++) {
		unsigned int h = lv->live[i], u = units_ok(lv, f, h);
		if (!u || idx--)
			continue;
		sub %= u;
		for (unsigned int s = 0; s < lv->nsub[h]; s++)
			if (opl_unit_ok(lv, f, h, s) && !sub--)
				return OPL_HV(h, s);
	}
	return -1;
}

int opl_index_of(const struct opl_live *lv, unsigned int f, int32_t v,
		 uint8_t *idx, uint8_t *sub)
{
	unsigned int h = OPL_H(v), s = OPL_SUB(v), n = 0, m = 0;

	if (!opl_unit_ok(lv, f, h, s))
		return -1;
	for (unsigned int i = 0; i < lv->nlive && lv->live[i] != h; i++)
		n += units_ok(lv, f, lv->live[i]) > 0;
	for (unsigned int t = 0; t < s; t++)
		m += opl_unit_ok(lv, f, h, t);
	if (n > 255 || m > 255)
		return -1;
	*idx = (uint8_t)n;
	*sub = (uint8_t)m;
	return 0;
}

unsigned int opl_unit_order(const struct opl_prog *p, const struct opl_live *lv,
			    int32_t v)
{
	unsigned int h = OPL_H(v);

	return lv->nsub[h] > 1 ? 0 : p->h[h].order;
}

uint32_t opl_obj_size(const struct opl_prog *p, const struct opl_live *lv,
		      int32_t v)
{
	const struct opl_handle *h = &p->h[OPL_H(v)];

	switch (h->kind) {
	case HK_PAGES:
		return PAGE_SIZE << opl_unit_order(p, lv, v);
	case HK_KMAP:
		return PAGE_SIZE;
	case HK_OBJ:
	case HK_VAREA:
	case HK_VMAP:
	case HK_IOREMAP:
		return h->size;
	}
	return 0;
}

void opl_handle_facts(struct opl_prog *p, const struct opl_inst *in)
{
	const struct opl_op *op = &opl_ops[in->op];
	struct opl_handle *h = &p->h[in->res];
	gfp_t gfp = op->gfp_arg >= 0 ? (gfp_t)in->a[op->gfp_arg] : 0;

	h->op = (uint16_t)(in - p->ops);
	h->parent = -1;
	if (op->effect == EF_NEW_KMAP) {
		h->kind = HK_KMAP;
		h->order = h->flags = 0;
		h->gfp = h->size = 0;
		h->parent = (int16_t)OPL_H(in->a[0]);
		h->sub = (uint8_t)OPL_SUB(in->a[0]);
		return;
	}
	if (op->effect == EF_NEW_VMAP) {
		h->kind = HK_VMAP;
		h->order = h->flags = 0;
		h->gfp = 0;
		h->parent = (int16_t)OPL_H(in->a[0]);
		h->sub = (uint8_t)OPL_SUB(in->a[0]);
		h->size = PAGE_SIZE << in->a[1];
		return;
	}
	if (op->effect == EF_NEW_FILE || op->effect == EF_NEW_IOREMAP) {
		uint32_t phys = (uint32_t)in->a[0];
		bool file = op->effect == EF_NEW_FILE;
		h->kind = file ? HK_FILE : HK_IOREMAP;
		h->order = 0;
		h->flags = !file && phys >= OPL_IO_ISA_START && phys < OPL_IO_ISA_END
				   ? HF_LOWMEM : 0;
		h->gfp = file ? 0 : phys;
		h->size = file ? (uint32_t)in->a[op->size_arg]
			       : (uint32_t)in->a[1] * PAGE_SIZE;
		return;
	}
	if (op->effect == EF_NEW_VAREA) {
		h->kind = HK_VAREA;
		h->order = h->flags = 0;
		h->gfp = 0;
		h->size = (uint32_t)in->a[op->size_arg];
		return;
	}
	if (op->effect == EF_NEW_MM || op->effect == EF_NEW_VMA) {
		h->kind = op->effect == EF_NEW_MM ? HK_MM : HK_VMA;
		h->order = 0;
		h->flags = 0;
		h->gfp = 0;
		h->size = op->size_arg >= 0 && op->effect == EF_NEW_VMA
				  ? (uint32_t)in->a[op->size_arg] : 0;
		return;
	}
	if (op->effect == EF_NEW_OBJ || op->effect == EF_NEW_CACHE ||
	    op->effect == EF_REALLOC) {
		h->kind = op->effect == EF_NEW_CACHE ? HK_CACHE : HK_OBJ;
		h->order = 0;
		h->flags = HF_LOWMEM;
		h->gfp = gfp;
		if (op->effect == EF_NEW_OBJ && op->cache_arg >= 0) {
			h->parent = (int16_t)OPL_H(in->a[op->cache_arg]);
			h->size = p->h[h->parent].size;
		} else if (op->array) {
			uint64_t b = (uint64_t)(uint32_t)in->a[op->size_arg - 1] *
				     (uint32_t)in->a[op->size_arg];
			h->size = b <= KMALLOC_MAX_SIZE ? (uint32_t)b : 0;
		} else {
			h->size = (uint32_t)in->a[op->size_arg];
		}
		return;
	}
	h->kind = HK_PAGES;
	h->size = 0;
	h->order = (uint8_t)(op->order_arg >= 0 ? in->a[op->order_arg] : 0);
	h->gfp = gfp;
	h->flags = (uint8_t)((h->order && (gfp & __GFP_COMP) ? HF_COMPOUND : 0) |
			     (op->lowmem || !(gfp & __GFP_HIGHMEM) ? HF_LOWMEM : 0));
}

static void live_remove(struct opl_live *lv, unsigned int h)
{
	for (unsigned int s = 0; s < lv->nsub[h]; s++)
		if (lv->ref[h][s])
			return;
	for (unsigned int i = 0; i < lv->nlive; i++)
		if (lv->live[i] == h) {
			memmove(&lv->live[i], &lv->live[i + 1],
				(lv->nlive - i - 1) * sizeof(lv->live[0]));
			lv->nlive--;
			return;
		}
}

void opl_live_apply(struct opl_live *lv, const struct opl_inst *in)
{
	const struct opl_op *op = &opl_ops[in->op];
	unsigned int j = 0;

	while (j + 1 < op->nargs && op->args[j].kind != AK_HANDLE)
		j++;                    /* the object acted on: the first handle */
	unsigned int h = OPL_H(in->a[j]), s = OPL_SUB(in->a[j]);

	switch (op->effect) {
	case EF_NEW_PAGES:
	case EF_NEW_OBJ:
	case EF_NEW_CACHE:
	case EF_NEW_MM:
	case EF_NEW_VMA:
	case EF_NEW_KMAP:
	case EF_NEW_VAREA:
	case EF_NEW_VMAP:
	case EF_NEW_FILE:
	case EF_NEW_IOREMAP:
		h = (unsigned int)in->res;
		lv->nsub[h] = 1;
		lv->ref[h][0] = 1;
		lv->live[lv->nlive++] = (uint16_t)h;
		break;
	case EF_PUT:
		lv->ref[h][s]--;
		live_remove(lv, h);
		break;
	case EF_GET:
		lv->ref[h][s]++;
		break;
	case EF_REALLOC:
		lv->ref[h][s]--;
		live_remove(lv, h);
		h = (unsigned int)in->res;
		lv->nsub[h] = 1;
		lv->ref[h][0] = 1;
		lv->live[lv->nlive++] = (uint16_t)h;
		break;
	case EF_SPLIT:
		lv->nsub[h] = (uint8_t)(1u << lv->p->h[h].order);
		for (unsigned int i = 1; i < lv->nsub[h]; i++)
			lv->ref[h][i] = 1;
		break;
	}
}

/* Re-derives the arguments that depend on others (page index, length,
 * order) after an edit. */
static void fix_dependent(const struct opl_prog *p, const struct opl_live *lv,
			  struct opl_inst *in)
{
	const struct opl_op *op = &opl_ops[in->op];

	for (unsigned int j = 0; j < op->nargs; j++) {
		const struct opl_arg *a = &op->args[j];
		if (a->kind == AK_CACHE_OF) {
			in->a[j] = OPL_HV((unsigned int)p->h[OPL_H(in->a[a->ref])].parent, 0);
		} else if (a->kind == AK_ORDER_OF) {
			in->a[j] = (int32_t)opl_unit_order(p, lv, in->a[a->ref]);
		} else if (a->kind == AK_PAGE_IN) {
			in->a[j] %= 1 << opl_unit_order(p, lv, in->a[a->ref]);
		} else if (a->kind == AK_LEN) {
			int32_t max = (int32_t)PAGE_SIZE - in->a[a->ref];
			if (in->a[j] > max)
				in->a[j] = max;
		} else if (a->kind == AK_OFF_IN) {
			in->a[j] = (int32_t)((uint32_t)in->a[j] %
					     opl_obj_size(p, lv, in->a[a->ref]));
		} else if (a->kind == AK_IOPAGES) {
			int32_t max = (int32_t)opl_io_room((uint32_t)in->a[a->ref]);
			if (in->a[j] > max)
				in->a[j] = max;
		} else if (a->kind == AK_LEN_IN) {
			const struct opl_arg *off = &op->args[a->ref];
			int32_t max = (int32_t)opl_obj_size(p, lv, in->a[off->ref]) -
				      in->a[a->ref];
			if (in->a[j] > max)
				in->a[j] = max;
		}
	}
}

unsigned int opl_sanitize(struct opl_prog *p)
{
	static const int32_t gone = -1;
	int32_t map[OPL_MAX_OPS];
	struct opl_live *lv = malloc(sizeof(*lv));
	unsigned int n = 0;
	uint16_t nh = 0;

	if (!lv)
		abort();
	for (unsigned int i = 0; i < p->nh; i++)
		map[i] = gone;
	opl_live_init(lv, p);
	for (unsigned int i = 0; i < p->n; i++) {
		struct opl_inst in = p->ops[i];
		const struct opl_op *op = &opl_ops[in.op];
		bool ok = true;
		for (unsigned int j = 0; j < op->nargs && ok; j++) {
			if (op->args[j].kind != AK_HANDLE)
				continue;
			unsigned int h = OPL_H(in.a[j]);
			ok = h < p->nh && map[h] != gone &&
			     opl_unit_ok(lv, op->args[j].filter, (unsigned int)map[h],
					 OPL_SUB(in.a[j]));
			if (ok)
				in.a[j] = OPL_HV((unsigned int)map[h], OPL_SUB(in.a[j]));
		}
		if (!ok)
			continue;
		fix_dependent(p, lv, &in);
		if (in.res >= 0) {
			map[in.res] = nh;
			in.res = (int16_t)nh++;
		}
		p->ops[n] = in;
		if (in.res >= 0)        /* new ids never exceed old ones */
			opl_handle_facts(p, &p->ops[n]);
		opl_live_apply(lv, &p->ops[n]);
		n++;
	}
	p->n = (uint16_t)n;
	p->nh = nh;
	free(lv);
	return n;
}

bool opl_prog_equal(const struct opl_prog *a, const struct opl_prog *b)
{
	if (a->machine != b->machine || a->n != b->n || a->nh != b->nh)
		return false;
	for (unsigned int i = 0; i < a->n; i++) {
		const struct opl_inst *x = &a->ops[i], *y = &b->ops[i];
		if (x->op != y->op || x->res != y->res)
			return false;
		for (unsigned int j = 0; j < opl_ops[x->op].nargs; j++)
			if (x->a[j] != y->a[j])
				return false;
	}
	return true;
}
