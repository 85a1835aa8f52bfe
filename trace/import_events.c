/* import_events.c — the bodies of the kept events, in every layout the
 * kernel has printed them:
 *
 *  kmalloc / kmem_cache_alloc: "call_site ptr [name] bytes_req bytes_alloc
 *    gfp_flags [node] [accounted]"; before 6.1 the node variant was a
 *    separate *_node event and call_site was %lx, later %pS (a symbol);
 *  kfree / kmem_cache_free: "call_site ptr [name]" (name since 5.12);
 *  mm_page_alloc / mm_page_free / mm_page_free_batched: "page pfn order
 *    ..."; pfn was decimal (%lu) before it became 0x%lx, and the oldest
 *    layouts give only page=%p (kept as a struct page pointer);
 *  3.2's mm_page_free_direct / mm_pagevec_free are the same frees;
 *  page_fault_user / _kernel: "address ip error_code" (%ps may be a symbol);
 *  sched_process_fork / exit / exec;
 *  syscalls: "sys_enter_mmap: addr: 0x.., len: .." (trace-cmd, perf) or
 *    tracefs's "sys_mmap(addr: 0, len: 2000, ...)" / "sys_mmap -> 0x..",
 *    whose numbers are hex with or without 0x.
 */
#include <string.h>

#include "import_internal.h"

#define ERR(...) (snprintf(err, esz, __VA_ARGS__), -1)

static bool sl_eq(struct slice s, const char *lit)
{
	size_t n = strlen(lit);
	return s.n == n && !memcmp(s.p, lit, n);
}

static bool sl_prefix(struct slice s, const char *lit)
{
	size_t n = strlen(lit);
	return s.n >= n && !memcmp(s.p, lit, n);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int p_dec(struct slice v, uint64_t *out)
{
	uint64_t x = 0;

	if (!v.n || v.n > 20)
		return -1;
	for (size_t i = 0; i < v.n; i++) {
		unsigned d = (unsigned)(v.p[i] - '0');
		if (d > 9 || x > (UINT64_MAX - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	*out = x;
	return 0;
}

static int p_sdec(struct slice v, int64_t *out)
{
	uint64_t x;
	bool neg = v.n && v.p[0] == '-';

	if (neg) {
		v.p++;
		v.n--;
	}
	if (p_dec(v, &x) || x > (uint64_t)INT64_MAX + neg)
		return -1;
	*out = neg ? (int64_t)(0 - x) : (int64_t)x;
	return 0;
}

/* hex, "0x" optional unless need_prefix */
static int p_hex(struct slice v, uint64_t *out, bool need_prefix)
{
	uint64_t x = 0;
	size_t i = 0;

	if (v.n > 2 && v.p[0] == '0' && (v.p[1] == 'x' || v.p[1] == 'X'))
		i = 2;
	else if (need_prefix)
		return -1;
	if (i == v.n || v.n - i > 16)
		return -1;
	for (; i < v.n; i++) {
		int d = hexval((unsigned char)v.p[i]);
		if (d < 0)
			return -1;
		x = x << 4 | (uint64_t)d;
	}
	*out = x;
	return 0;
}

/* 0x-prefixed hex, else decimal (pfn=0x%lx now, pfn=%lu before) */
static int p_num(struct slice v, uint64_t *out)
{
	if (v.n > 2 && v.p[0] == '0' && (v.p[1] == 'x' || v.p[1] == 'X'))
		return p_hex(v, out, true);
	return p_dec(v, out);
}

static bool is_null(struct slice v)
{
	return sl_eq(v, "(null)") || sl_eq(v, "(nil)") || sl_eq(v, "0") ||
	       sl_eq(v, "0x0") || sl_eq(v, "0000000000000000") || sl_eq(v, "00000000");
}

/* %p: raw hex with or without 0x; a hashed value (hash-ptr) prints as 16
 * digits whose upper half is zero. */
static int p_ptr(struct slice v, uint64_t *out, bool *hashed)
{
	*hashed = false;
	if (is_null(v)) {
		*out = 0;
		return 0;
	}
	if (p_hex(v, out, false))
		return -1;
	if (v.n == 16 && !memcmp(v.p, "00000000", 8))
		*hashed = true;
	return 0;
}

/* %pS / %ps / %lx: an address, or a symbol ("func+0x1a/0x80 [mod]"). */
static int p_addr(struct slice v, uint64_t *out, bool *symbolic)
{
	size_t i = 0;

	*symbolic = false;
	if (is_null(v)) {
		*out = 0;
		return 0;
	}
	if (v.n > 2 && v.p[0] == '0' && (v.p[1] == 'x' || v.p[1] == 'X'))
		return p_hex(v, out, true);
	if (v.n >= 8 && !p_hex(v, out, false))
		return 0;
	/* a symbol: name, optional +0xoff, optional /0xsize, optional [mod] */
	while (i < v.n && (v.p[i] == '_' || v.p[i] == '.' || v.p[i] == '$' ||
			   (v.p[i] >= '0' && v.p[i] <= '9') ||
			   ((v.p[i] | 0x20) >= 'a' && (v.p[i] | 0x20) <= 'z')))
		i++;
	if (!i)
		return -1;
	for (int part = 0; part < 2 && i < v.n && v.p[i] == (part ? '/' : '+'); part++) {
		size_t s = ++i;
		if (i + 2 > v.n || v.p[i] != '0' || v.p[i + 1] != 'x')
			return -1;
		i += 2;
		while (i < v.n && hexval((unsigned char)v.p[i]) >= 0)
			i++;
		if (i == s + 2)
			return -1;
	}
	if (i < v.n) {
		if (v.n - i < 4 || v.p[i] != ' ' || v.p[i + 1] != '[' || v.p[v.n - 1] != ']')
			return -1;
		for (size_t k = i + 2; k < v.n - 1; k++)
			if (v.p[k] == ' ' || v.p[k] == '[' || v.p[k] == ']')
				return -1;
	}
	*out = 0;
	*symbolic = true;
	return 0;
}

static int p_bool(struct slice v, bool *out)
{
	if (sl_eq(v, "true") || sl_eq(v, "1"))
		*out = true;
	else if (sl_eq(v, "false") || sl_eq(v, "0"))
		*out = false;
	else
		return -1;
	return 0;
}

/* ---- key=value bodies ---- */
struct kv {
	const char *key;
	bool required;
	bool set;
	struct slice v;
};

#define K(name, req) {.key = (name), .required = (req)}

static int key_at(const struct slice *b, size_t i, struct kv *kv, size_t n)
{
	if (i && b->p[i - 1] != ' ')
		return -1;
	for (size_t k = 0; k < n; k++) {
		size_t kl = strlen(kv[k].key);
		if (i + kl < b->n && !memcmp(b->p + i, kv[k].key, kl) && b->p[i + kl] == '=')
			return (int)k;
	}
	return -1;
}

/* Splits body on the keys of kv[] (values may contain spaces: comm, a
 * symbol with its module).  trace-cmd's kmem plugin puts "(func+0x1a) "
 * before the fields: skip_paren allows it. */
static int split_kv(struct slice b, struct kv *kv, size_t n, bool skip_paren, char *err,
		    size_t esz)
{
	size_t i = 0;

	for (size_t k = 0; k < n; k++)
		kv[k].set = false;
	if (skip_paren && b.n && b.p[0] == '(') {
		const char *e = memchr(b.p, ')', b.n);
		if (e && (size_t)(e - b.p) + 1 < b.n && e[1] == ' ') {
			i = (size_t)(e - b.p) + 2;
			while (i < b.n && b.p[i] == ' ')
				i++;
		}
	}
	if (i == b.n)
		return ERR("no fields");
	while (i < b.n) {
		int k = key_at(&b, i, kv, n);
		size_t j;
		if (k < 0)
			return ERR("unexpected text '%.*s'", (int)(b.n - i > 40 ? 40 : b.n - i),
				   b.p + i);
		if (kv[k].set)
			return ERR("field %s twice", kv[k].key);
		i += strlen(kv[k].key) + 1;
		for (j = i; j < b.n; j++)
			if (b.p[j] == ' ' && key_at(&b, j + 1, kv, n) >= 0)
				break;
		kv[k].set = true;
		kv[k].v.p = b.p + i;
		kv[k].v.n = j - i;
		while (kv[k].v.n && kv[k].v.p[kv[k].v.n - 1] == ' ')
			kv[k].v.n--;
		i = j < b.n ? j + 1 : j;
		while (i < b.n && b.p[i] == ' ')
			i++;
	}
	for (size_t k = 0; k < n; k++)
		if (kv[k].required && !kv[k].set)
			return ERR("missing field %s", kv[k].key);
	return 0;
}

#define BADV(kv) ERR("%s: cannot parse '%.*s'", (kv).key, (int)((kv).v.n > 60 ? 60 : (kv).v.n), \
		     (kv).v.p)

static void copy_str(char *dst, size_t size, struct slice v, uint16_t *flags)
{
	size_t n = v.n < size - 1 ? v.n : size - 1;

	memset(dst, 0, size);
	memcpy(dst, v.p, n);
	if (n < v.n && flags)
		*flags |= KMMT_RF_TRUNCATED;
}

/* kmalloc, kmalloc_node, kmem_cache_alloc, kmem_cache_alloc_node */
static int ev_alloc(struct kmmt_import *im, const struct event_line *l, struct kmmt_record *r,
		    bool cache, bool node_event, char *err, size_t esz)
{
	struct kv kv[] = {
		K("call_site", true), K("ptr", true), K("bytes_req", true), K("bytes_alloc", true),
		K("gfp_flags", true), K("node", node_event), K("accounted", false), K("name", false),
	};
	bool sym, hashed, unknown, acc;
	int64_t node;

	if (split_kv(l->body, kv, cache ? 8 : 7, true, err, esz))
		return -1;
	r->type = cache ? KMMT_CACHE_ALLOC : KMMT_KMALLOC;
	if (p_addr(kv[0].v, &r->alloc.call_site, &sym))
		return BADV(kv[0]);
	if (sym)
		r->flags |= KMMT_RF_SYMBOLIC;
	if (p_ptr(kv[1].v, &r->alloc.ptr, &hashed))
		return BADV(kv[1]);
	if (hashed) {
		r->flags |= KMMT_RF_HASHED;
		im->hashed = true;
	}
	if (!r->alloc.ptr)
		r->flags |= KMMT_RF_FAILED;
	if (p_dec(kv[2].v, &r->alloc.bytes_req))
		return BADV(kv[2]);
	if (p_dec(kv[3].v, &r->alloc.bytes_alloc))
		return BADV(kv[3]);
	if (kmmt_gfp_parse(kv[4].v.p, kv[4].v.n, &r->alloc.gfp, &unknown))
		return BADV(kv[4]);
	if (unknown)
		r->flags |= KMMT_RF_GFP_UNKNOWN;
	r->alloc.node = -1;
	if (kv[5].set) {
		if (p_sdec(kv[5].v, &node) || node < -1 || node > 65535)
			return BADV(kv[5]);
		r->alloc.node = (int32_t)node;
	}
	if (node_event)
		r->flags |= KMMT_RF_NODE_EVENT;
	if (kv[6].set) {
		if (p_bool(kv[6].v, &acc))
			return BADV(kv[6]);
		if (acc)
			r->flags |= KMMT_RF_ACCOUNTED;
	}
	if (cache) {
		if (!kv[7].set) {
			r->flags |= KMMT_RF_NO_NAME;
		} else {
			if (!kv[7].v.n || memchr(kv[7].v.p, '=', kv[7].v.n) ||
			    memchr(kv[7].v.p, ' ', kv[7].v.n))
				return BADV(kv[7]);
			copy_str(r->alloc.name, KMMT_NAME_LEN, kv[7].v, &r->flags);
		}
	}
	return 1;
}

/* kfree, kmem_cache_free */
static int ev_free(struct kmmt_import *im, const struct event_line *l, struct kmmt_record *r,
		   bool cache, char *err, size_t esz)
{
	struct kv kv[] = {K("call_site", true), K("ptr", true), K("name", false)};
	bool sym, hashed;

	if (split_kv(l->body, kv, cache ? 3 : 2, true, err, esz))
		return -1;
	r->type = cache ? KMMT_CACHE_FREE : KMMT_KFREE;
	if (p_addr(kv[0].v, &r->free.call_site, &sym))
		return BADV(kv[0]);
	if (sym)
		r->flags |= KMMT_RF_SYMBOLIC;
	if (p_ptr(kv[1].v, &r->free.ptr, &hashed))
		return BADV(kv[1]);
	if (hashed) {
		r->flags |= KMMT_RF_HASHED;
		im->hashed = true;
	}
	if (cache) {
		if (!kv[2].set) {
			r->flags |= KMMT_RF_NO_NAME;
		} else {
			if (!kv[2].v.n || memchr(kv[2].v.p, '=', kv[2].v.n) ||
			    memchr(kv[2].v.p, ' ', kv[2].v.n))
				return BADV(kv[2]);
			copy_str(r->free.name, KMMT_NAME_LEN, kv[2].v, &r->flags);
		}
	}
	return 1;
}

/* the page of a page event: pfn when printed (hex or decimal), else the
 * struct page pointer.  Returns -1 on a parse error, else sets *null when
 * page says there was no page (a failed allocation). */
static int page_pfn(struct kmmt_import *im, struct kv *page, struct kv *pfn,
		    struct kmmt_record *r, bool *null, char *err, size_t esz)
{
	uint64_t pv = 1;
	bool hashed = false;

	*null = false;
	if (!page->set && !pfn->set)
		return ERR("neither pfn nor page");
	if (page->set) {
		if (p_ptr(page->v, &pv, &hashed))
			return BADV(*page);
		*null = !pv;
	}
	if (pfn->set) {
		if (p_num(pfn->v, &r->page.pfn))
			return BADV(*pfn);
		return 0;
	}
	r->page.pfn = pv;
	r->flags |= KMMT_RF_PAGE_PTR;
	if (hashed) {
		r->flags |= KMMT_RF_HASHED;
		im->hashed = true;
	}
	return 0;
}

static int ev_page(struct kmmt_import *im, const struct event_line *l, struct kmmt_record *r,
		   int type, char *err, size_t esz)
{
	struct kv kv[] = {
		K("page", false), K("pfn", false), K("order", type != KMMT_PAGE_FREE_BATCHED),
		K("migratetype", type == KMMT_PAGE_ALLOC),
		K("gfp_flags", type == KMMT_PAGE_ALLOC), K("cold", false),
	};
	uint64_t order = 0;
	int64_t mt;
	bool null, unknown;

	/* cold= only on 3.x-4.14 free events, gfp/migratetype only on alloc */
	if (split_kv(l->body, kv, type == KMMT_PAGE_ALLOC ? 5 : 6, false, err, esz))
		return -1;
	if (type != KMMT_PAGE_ALLOC && (kv[3].set || kv[4].set))
		return ERR("unexpected field on a free event");
	r->type = (uint16_t)type;
	if (page_pfn(im, &kv[0], &kv[1], r, &null, err, esz))
		return -1;
	if (kv[2].set && (p_dec(kv[2].v, &order) || order > KMMT_MAX_ORDER))
		return BADV(kv[2]);
	if (type == KMMT_PAGE_FREE_BATCHED && order)
		return BADV(kv[2]);
	if (kv[5].set) {
		bool cold;
		if (p_bool(kv[5].v, &cold))
			return BADV(kv[5]);
	}
	r->page.order = (uint32_t)order;
	if (type == KMMT_PAGE_ALLOC) {
		if (p_sdec(kv[3].v, &mt) || mt < -1 || mt > 15)
			return BADV(kv[3]);
		r->page.migratetype = (int32_t)mt;
		if (kmmt_gfp_parse(kv[4].v.p, kv[4].v.n, &r->page.gfp, &unknown))
			return BADV(kv[4]);
		if (unknown)
			r->flags |= KMMT_RF_GFP_UNKNOWN;
		if (null) {
			/* the kernel prints pfn 0 for a failed allocation */
			r->flags |= KMMT_RF_FAILED;
			r->flags &= (uint16_t)~(KMMT_RF_PAGE_PTR | KMMT_RF_HASHED);
			r->page.pfn = UINT64_MAX;
		}
	} else if (null) {
		return ERR("page: a free of no page");
	}
	return 1;
}

static int ev_fault(const struct event_line *l, struct kmmt_record *r, int type, char *err,
		    size_t esz)
{
	struct kv kv[] = {K("address", true), K("ip", true), K("error_code", true)};
	bool s1, s2;

	if (split_kv(l->body, kv, 3, false, err, esz))
		return -1;
	r->type = (uint16_t)type;
	if (p_addr(kv[0].v, &r->fault.address, &s1))
		return BADV(kv[0]);
	if (p_addr(kv[1].v, &r->fault.ip, &s2))
		return BADV(kv[1]);
	if (s1 || s2)
		r->flags |= KMMT_RF_SYMBOLIC;
	if (p_hex(kv[2].v, &r->fault.error_code, false))
		return BADV(kv[2]);
	return 1;
}

static int p_pid(struct slice v, uint32_t *out)
{
	int64_t x;

	if (p_sdec(v, &x) || x < 0 || x > INT32_MAX)
		return -1;
	*out = (uint32_t)x;
	return 0;
}

static int ev_fork(const struct event_line *l, struct kmmt_record *r, char *err, size_t esz)
{
	struct kv kv[] = {K("comm", true), K("pid", true), K("child_comm", true),
			  K("child_pid", true)};

	if (split_kv(l->body, kv, 4, false, err, esz))
		return -1;
	r->type = KMMT_FORK;
	if (p_pid(kv[1].v, &r->fork.parent_pid))
		return BADV(kv[1]);
	if (p_pid(kv[3].v, &r->fork.child_pid))
		return BADV(kv[3]);
	r->fork.clone_flags = KMMT_CLONE_UNKNOWN;
	return 1;
}

static int ev_exit(const struct event_line *l, struct kmmt_record *r, char *err, size_t esz)
{
	struct kv kv[] = {K("comm", true), K("pid", true), K("prio", true), K("group_dead", false)};
	uint32_t pid;
	int64_t prio;
	bool gd;

	if (split_kv(l->body, kv, 4, false, err, esz))
		return -1;
	r->type = KMMT_EXIT;
	if (p_pid(kv[1].v, &pid))
		return BADV(kv[1]);
	if (p_sdec(kv[2].v, &prio))
		return BADV(kv[2]);
	r->exit.group_dead = 255;
	if (kv[3].set) {
		if (p_bool(kv[3].v, &gd))
			return BADV(kv[3]);
		r->exit.group_dead = gd;
	}
	return 1;
}

static int ev_exec(const struct event_line *l, struct kmmt_record *r, char *err, size_t esz)
{
	struct kv kv[] = {K("filename", true), K("pid", true), K("old_pid", true)};

	if (split_kv(l->body, kv, 3, false, err, esz))
		return -1;
	r->type = KMMT_EXEC;
	if (p_pid(kv[1].v, &r->exec.pid))
		return BADV(kv[1]);
	if (p_pid(kv[2].v, &r->exec.old_pid))
		return BADV(kv[2]);
	if (!kv[0].v.n || memchr(kv[0].v.p, 0, kv[0].v.n))
		return BADV(kv[0]);
	copy_str(r->exec.filename, KMMT_PATH_MAX, kv[0].v, &r->flags);
	return 1;
}

/* ---- syscalls ---- */
static const struct {
	const char *name;
	unsigned nargs;
	const char *args[6];
} sys_tab[KMMT_NR_SYS] = {
	[KMMT_SYS_MMAP] = {"mmap", 6, {"addr", "len", "prot", "flags", "fd", "off"}},
	[KMMT_SYS_MUNMAP] = {"munmap", 2, {"addr", "len"}},
	[KMMT_SYS_MPROTECT] = {"mprotect", 3, {"start", "len", "prot"}},
	[KMMT_SYS_BRK] = {"brk", 1, {"brk"}},
	[KMMT_SYS_MREMAP] = {"mremap", 5, {"addr", "old_len", "new_len", "flags", "new_addr"}},
};

static unsigned sys_lookup(struct slice name)
{
	for (unsigned i = 1; i < KMMT_NR_SYS; i++)
		if (sl_eq(name, sys_tab[i].name))
			return i;
	return 0;
}

/* "addr: 0x0, len: 0x2000, ..." in the kernel's order and names */
static int sys_args(struct slice b, unsigned nr, struct kmmt_record *r, char *err, size_t esz)
{
	size_t i = 0;

	r->type = KMMT_SYS_ENTER;
	r->sys_enter.nr = nr;
	for (unsigned a = 0; a < sys_tab[nr].nargs; a++) {
		const char *name = sys_tab[nr].args[a];
		size_t nl = strlen(name), j;
		struct slice v;
		if (a) {
			if (i + 2 > b.n || b.p[i] != ',' || b.p[i + 1] != ' ')
				return ERR("%s: expected ', ' before %s", sys_tab[nr].name, name);
			i += 2;
		}
		if (i + nl + 2 > b.n || memcmp(b.p + i, name, nl) || b.p[i + nl] != ':' ||
		    b.p[i + nl + 1] != ' ')
			return ERR("%s: expected argument '%s: '", sys_tab[nr].name, name);
		i += nl + 2;
		for (j = i; j < b.n && b.p[j] != ','; j++)
			;
		v.p = b.p + i;
		v.n = j - i;
		if (p_hex(v, &r->sys_enter.args[a], false))
			return ERR("%s: %s: cannot parse '%.*s'", sys_tab[nr].name, name,
				   (int)(v.n > 40 ? 40 : v.n), v.p);
		i = j;
	}
	if (i != b.n)
		return ERR("%s: unexpected text after the arguments", sys_tab[nr].name);
	return 1;
}

static int sys_ret(struct slice v, unsigned nr, struct kmmt_record *r, char *err, size_t esz)
{
	uint64_t x;
	int64_t s;

	r->type = KMMT_SYS_EXIT;
	r->sys_exit.nr = nr;
	if (v.n && v.p[0] == '-') {
		if (p_sdec(v, &s))
			return ERR("%s: cannot parse return value '%.*s'", sys_tab[nr].name,
				   (int)(v.n > 40 ? 40 : v.n), v.p);
		r->sys_exit.ret = s;
		return 1;
	}
	if (p_hex(v, &x, false))
		return ERR("%s: cannot parse return value '%.*s'", sys_tab[nr].name,
			   (int)(v.n > 40 ? 40 : v.n), v.p);
	r->sys_exit.ret = (int64_t)x;
	return 1;
}

int kmmt_parse_event(struct kmmt_import *im, const struct event_line *l,
		     struct kmmt_record *r, char *err, size_t esz)
{
	struct slice e = l->event;

	memset(r, 0, offsetof(struct kmmt_record, alloc) + sizeof(r->alloc));
	r->cpu = l->cpu;
	r->pid = l->pid;
	r->tid = l->tid;
	r->ts_ns = l->ts_ns;

	if (l->form != FORM_FIELDS) {
		/* tracefs "sys_mmap(...)" / "sys_mmap -> ret" */
		struct slice n = {e.p + 4, e.n - 4};
		unsigned nr = sl_prefix(e, "sys_") ? sys_lookup(n) : 0;
		if (!nr)
			return 0;
		return l->form == FORM_SYS_CALL ? sys_args(l->body, nr, r, err, esz)
						: sys_ret(l->body, nr, r, err, esz);
	}
	if (sl_prefix(e, "sys_enter_") || sl_prefix(e, "sys_exit_")) {
		bool enter = sl_prefix(e, "sys_enter_");
		size_t k = enter ? 10 : 9;
		struct slice n = {e.p + k, e.n - k};
		unsigned nr = sys_lookup(n);
		if (!nr)
			return 0;
		return enter ? sys_args(l->body, nr, r, err, esz)
			     : sys_ret(l->body, nr, r, err, esz);
	}
	if (sl_eq(e, "kmalloc"))
		return ev_alloc(im, l, r, false, false, err, esz);
	if (sl_eq(e, "kmalloc_node"))
		return ev_alloc(im, l, r, false, true, err, esz);
	if (sl_eq(e, "kmem_cache_alloc"))
		return ev_alloc(im, l, r, true, false, err, esz);
	if (sl_eq(e, "kmem_cache_alloc_node"))
		return ev_alloc(im, l, r, true, true, err, esz);
	if (sl_eq(e, "kfree"))
		return ev_free(im, l, r, false, err, esz);
	if (sl_eq(e, "kmem_cache_free"))
		return ev_free(im, l, r, true, err, esz);
	if (sl_eq(e, "mm_page_alloc"))
		return ev_page(im, l, r, KMMT_PAGE_ALLOC, err, esz);
	if (sl_eq(e, "mm_page_free") || sl_eq(e, "mm_page_free_direct"))
		return ev_page(im, l, r, KMMT_PAGE_FREE, err, esz);
	if (sl_eq(e, "mm_page_free_batched") || sl_eq(e, "mm_pagevec_free"))
		return ev_page(im, l, r, KMMT_PAGE_FREE_BATCHED, err, esz);
	if (sl_eq(e, "page_fault_user"))
		return ev_fault(l, r, KMMT_FAULT_USER, err, esz);
	if (sl_eq(e, "page_fault_kernel"))
		return ev_fault(l, r, KMMT_FAULT_KERNEL, err, esz);
	if (sl_eq(e, "sched_process_fork"))
		return ev_fork(l, r, err, esz);
	if (sl_eq(e, "sched_process_exit"))
		return ev_exit(l, r, err, esz);
	if (sl_eq(e, "sched_process_exec"))
		return ev_exec(l, r, err, esz);
	return 0;
}
