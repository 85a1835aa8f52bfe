/* oracle/user.c — processes' user memory: what each access must do.
 *
 * Per process the model keeps the pages its mmap calls mapped (sorted by
 * page number) with their protection and the writes made to them.  Rules
 * (Linux 3.2 mm/mmap.c, mm/mprotect.c, arch/x86/mm/fault.c):
 *  - mmap without MAP_FIXED never replaces a mapping: the new range is
 *    page aligned, at or above mmap_min_addr, below TASK_SIZE, and was
 *    unmapped;
 *  - munmap of a user range succeeds and unmaps it;
 *  - mprotect changes the pages up to the first hole; a hole is -ENOMEM;
 *  - a user read needs any of PROT_READ/WRITE/EXEC (x86 cannot refuse a
 *    read), a write needs PROT_WRITE; otherwise SIGSEGV at the first byte
 *    of the failing page, the earlier pages done;
 *  - a read returns the last bytes written, zero where nothing was
 *    (anonymous memory is demand-zero);
 *  - fork copies the address space (copy-on-write): from then on each
 *    side sees only its own writes.
 * An out-of-memory outcome is accepted (no claim is made about it).
 * File mappings (3.2 mm/filemap.c filemap_fault, mm/memory.c __do_fault
 * and do_wp_page): a page reads the file's bytes as the page cache holds
 * them (file.c); a page wholly past the end of the file, pgoff >=
 * DIV_ROUND_UP(i_size, PAGE_SIZE), is SIGBUS (it never has a pte: a
 * truncate unmaps it); a MAP_SHARED write changes the file, seen by every
 * mapping and read(2); a MAP_PRIVATE write copies the page first (COW)
 * and from then on the mapping sees its copy, until a truncate unmaps it
 * (even_cows) and the page reads the file again.  An instruction fetch
 * from a readable page without PROT_EXEC faults the page in first (3.2
 * access_error ignores PF_INSTR): past the end of a file that is SIGBUS.
 * Shared anonymous memory is not modelled (the ops make none).
 */
#include <stdlib.h>
#include <string.h>
#include "kmm/fault.h"
#include "model.h"

#define UW_MAX 8

struct uwrite {
	uint32_t start;                 /* address of the access's first byte */
	uint16_t off, len;              /* the part in this page */
	uint8_t seed;
};

struct upage {
	uint32_t vpn;
	uint8_t prot, nw;
	bool unknown;                   /* more writes than remembered */
	bool shared;                    /* file: MAP_SHARED */
	bool cow;                       /* file, private: its own copy */
	uint16_t file;                  /* file slot + 1 (0: anonymous) */
	uint16_t snap;                  /* cow: the copy's base + 1 (0: unknown) */
	uint32_t pgoff;                 /* file: page offset in the file */
	struct uwrite w[UW_MAX];        /* anonymous or copy: the writes */
};

struct omm {
	bool live;
	uint32_t brk;                   /* the program break */
	struct upage *pg;
	unsigned int n, cap;
};

static uint8_t upattern(uint8_t seed, uint32_t i)
{
	return (uint8_t)(seed + i * 7u + (i >> 8) * 3u + 1u);
}

uint8_t oracle_user_pattern(uint8_t seed, uint32_t i)
{
	return upattern(seed, i);
}

static struct omm *omm(struct oracle *o, unsigned int id, const char *what)
{
	if (id >= ORACLE_MAX_OBJS || !o->mm[id] || !o->mm[id]->live)
		oracle_fail(o, "harness", "%s: process %u is not live in the model",
			    what, id);
	return o->mm[id];
}

static long find(const struct omm *m, uint32_t vpn)
{
	unsigned int lo = 0, hi = m->n;

	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;
		if (m->pg[mid].vpn < vpn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->n && m->pg[lo].vpn == vpn ? (long)lo : -(long)lo - 1;
}

static void grow(struct omm *m, unsigned int n)
{
	if (n <= m->cap)
		return;
	unsigned int cap = m->cap ? m->cap : 64;
	while (cap < n)
		cap *= 2;
	m->pg = realloc(m->pg, cap * sizeof(*m->pg));
	if (!m->pg)
		abort();
	m->cap = cap;
}

void oracle_mm_new(struct oracle *o, unsigned int id, int parent, bool ok)
{
	if (!ok)
		return;
	if (id >= ORACLE_MAX_OBJS)
		oracle_fail(o, "harness", "process id %u", id);
	if (!o->mm[id] && !(o->mm[id] = calloc(1, sizeof(struct omm))))
		abort();
	struct omm *m = o->mm[id];
	m->n = 0;
	m->brk = KMM_START_BRK;
	if (parent >= 0) {
		struct omm *p = omm(o, (unsigned int)parent, "fork");
		grow(m, p->n);
		if (p->n)
			memcpy(m->pg, p->pg, p->n * sizeof(*m->pg));
		m->n = p->n;
		m->brk = p->brk;
	}
	m->live = true;
	o->mm_used[o->nmm_used++] = (uint16_t)id;
}

void oracle_mm_gone(struct oracle *o, unsigned int id)
{
	omm(o, id, "exit")->live = false;
}

void user_reset(struct oracle *o)
{
	for (unsigned int i = 0; i < o->nmm_used; i++)
		if (o->mm[o->mm_used[i]])
			o->mm[o->mm_used[i]]->live = false;
	o->nmm_used = 0;
}

void user_destroy(struct oracle *o)
{
	for (unsigned int i = 0; i < ORACLE_MAX_OBJS; i++)
		if (o->mm[i]) {
			free(o->mm[i]->pg);
			free(o->mm[i]);
		}
}

/* A new range: page aligned, in [4096, TASK_SIZE), and unmapped (without
 * MAP_FIXED nothing is ever replaced). */
static void check_free_range(struct oracle *o, const struct omm *m,
			     const char *what, uint32_t va, unsigned int npages)
{
	if ((va & (PAGE_SIZE - 1)) || va < 4096 ||
	    (uint64_t)va + (uint64_t)npages * PAGE_SIZE > TASK_SIZE)
		oracle_fail(o, "mm/mmap", "%s of %u pages: model: a page-aligned "
			    "range in [4096, TASK_SIZE); kmm: 0x%08x", what, npages, va);
	for (unsigned int i = 0; i < npages; i++)
		if (find(m, va / PAGE_SIZE + i) >= 0)
			oracle_fail(o, "mm/mmap",
				    "%s of %u pages at 0x%08x: model: page 0x%08x is "
				    "still mapped (nothing is replaced without "
				    "MAP_FIXED); kmm: handed out again", what, npages, va,
				    (va / PAGE_SIZE + i) * PAGE_SIZE);
}

/* Fresh pages like t (the range is unmapped): demand-zero, or of t's
 * file from page t->pgoff on. */
static void map_pages_as(struct omm *m, uint32_t vpn, unsigned int npages,
			 const struct upage *t)
{
	grow(m, m->n + npages);
	for (unsigned int i = 0; i < npages; i++) {
		unsigned int pos = (unsigned int)(-find(m, vpn + i) - 1);
		memmove(&m->pg[pos + 1], &m->pg[pos], (m->n - pos) * sizeof(*m->pg));
		m->pg[pos] = (struct upage){.vpn = vpn + i, .prot = t->prot,
					    .file = t->file, .shared = t->shared,
					    .pgoff = t->file ? t->pgoff + i : 0};
		m->n++;
	}
}

static void map_pages(struct omm *m, uint32_t vpn, unsigned int npages,
		      unsigned int prot)
{
	struct upage t = {.prot = (uint8_t)prot};

	map_pages_as(m, vpn, npages, &t);
}

static void unmap_pages(struct omm *m, uint32_t vpn, unsigned int npages)
{
	unsigned int w = 0;

	for (unsigned int r = 0; r < m->n; r++)
		if (m->pg[r].vpn < vpn || m->pg[r].vpn >= vpn + npages)
			m->pg[w++] = m->pg[r];
	m->n = w;
}

void oracle_mmap(struct oracle *o, unsigned int id, long ret,
		 unsigned int npages, unsigned int prot)
{
	struct omm *m = omm(o, id, "mmap");

	if (ret < 0) {
		if (ret != -12)         /* -ENOMEM: out of memory or space */
			oracle_fail(o, "mm/mmap", "mmap of %u pages: model: an "
				    "address or -ENOMEM; kmm: %ld", npages, ret);
		return;
	}
	check_free_range(o, m, "mmap", (uint32_t)ret, npages);
	map_pages(m, (uint32_t)ret / PAGE_SIZE, npages, prot);
}

void oracle_munmap(struct oracle *o, unsigned int id, vaddr_t va,
		   unsigned int npages, int ret)
{
	struct omm *m = omm(o, id, "munmap");
	bool valid = (uint64_t)va + (uint64_t)npages * PAGE_SIZE <= TASK_SIZE;

	if (ret != (valid ? 0 : -22))
		oracle_fail(o, "mm/munmap", "munmap(0x%08x, %u pages): model: %d; "
			    "kmm: %d", va, npages, valid ? 0 : -22, ret);
	if (valid)
		unmap_pages(m, va / PAGE_SIZE, npages);
}

void oracle_mprotect(struct oracle *o, unsigned int id, vaddr_t va,
		     unsigned int npages, unsigned int prot, int ret)
{
	struct omm *m = omm(o, id, "mprotect");
	int want = 0;

	if ((uint64_t)va + (uint64_t)npages * PAGE_SIZE > TASK_SIZE) {
		want = -12;
		npages = 0;
	}
	for (unsigned int i = 0; i < npages; i++) {
		long at = find(m, va / PAGE_SIZE + i);
		if (at < 0) {
			want = -12;     /* -ENOMEM at the first hole */
			break;
		}
		m->pg[at].prot = (uint8_t)prot;
	}
	if (ret != want)
		oracle_fail(o, "mm/mprotect", "mprotect(0x%08x, %u pages, %u): model: "
			    "%d; kmm: %d", va, npages, prot, want, ret);
}

/* A file page that shows the file (not a private copy). */
static bool follows_file(const struct upage *p)
{
	return p->file && (p->shared || !p->cow);
}

/* Its byte in the file's view (a page that has one: not past the end). */
static uint8_t *file_byte(struct oracle *o, const struct upage *p, uint32_t addr)
{
	return file_view(o, p->file - 1u) + p->pgoff * PAGE_SIZE +
	       (addr & (PAGE_SIZE - 1));
}

static int expected_byte(struct oracle *o, const struct upage *p, uint32_t addr)
{
	unsigned int off = addr & (PAGE_SIZE - 1);

	if (follows_file(p))
		return *file_byte(o, p, addr);
	if (p->unknown)
		return -1;
	for (int i = p->nw - 1; i >= 0; i--)
		if (off >= p->w[i].off && off < (unsigned int)p->w[i].off + p->w[i].len)
			return upattern(p->w[i].seed, addr - p->w[i].start);
	return p->cow ? file_snap(o, p->snap)[off] : 0;
}

/* A file page past the end of its file has no pte: SIGBUS. */
static bool past_eof(const struct oracle *o, const struct upage *p)
{
	return follows_file(p) &&
	       p->pgoff >= (file_size(o, p->file - 1u) + PAGE_SIZE - 1) / PAGE_SIZE;
}

static void record(struct upage *p, vaddr_t start, uint32_t from, uint32_t to,
		   uint8_t seed)
{
	if (p->unknown)
		return;
	if (p->nw == UW_MAX) {
		p->unknown = true;
		return;
	}
	p->w[p->nw++] = (struct uwrite){.start = start,
					 .off = (uint16_t)(from & (PAGE_SIZE - 1)),
					 .len = (uint16_t)(to - from), .seed = seed};
}

enum { U_READ, U_WRITE, U_EXEC };

/* Does a page with prot allow the access?  Without NX (non-PAE i386) an
 * instruction fetch is a read. */
static bool allowed(const struct oracle *o, unsigned int prot, int mode)
{
	if (mode == U_WRITE)
		return prot & PROT_WRITE;
	if (mode == U_EXEC && kmm_cfg(o->k)->pae)
		return prot & PROT_EXEC;
	return prot != 0;
}

static void user_check(struct oracle *o, unsigned int id, vaddr_t va,
		       unsigned int len, int mode, uint8_t seed,
		       const uint8_t *data, const struct kmm_access_result *r)
{
	static const char *const names[] = {"read", "write", "instruction fetch"};
	static const char *const outcomes[] = {"ok", "SIGSEGV", "SIGBUS"};
	struct omm *m = omm(o, id, "user access");
	uint32_t done = 0, fault_at = 0;
	enum kmm_outcome want = KMM_OK;
	bool write = mode == U_WRITE;

	while (done < len) {
		uint32_t a = va + done;
		uint32_t end = (a | (PAGE_SIZE - 1)) + 1;
		if (end - va > len || end < a)
			end = va + len;
		long at = a < TASK_SIZE ? find(m, a / PAGE_SIZE) : -1;
		if (at < 0 || !allowed(o, m->pg[at].prot, mode)) {
			/* a fetch the VMA allows as a read faults the page in */
			want = at >= 0 && mode == U_EXEC && m->pg[at].prot &&
					       past_eof(o, &m->pg[at])
				       ? KMM_SIGBUS : KMM_SIGSEGV;
			fault_at = a;
			break;
		}
		if (past_eof(o, &m->pg[at])) {
			want = KMM_SIGBUS;
			fault_at = a;
			break;
		}
		done = end - va;
	}
	if (r->outcome == KMM_OOM && r->done <= done) {
		done = (uint32_t)r->done;
	} else if (r->outcome != want || r->done != done ||
		   (want != KMM_OK && r->addr != fault_at)) {
		oracle_fail(o, "mm/access",
			    "user %s of %u bytes at 0x%08x in process %u: model: %s "
			    "after %u bytes%s; kmm: outcome %d after %zu bytes (cr2 "
			    "0x%08x)", names[mode], len, va, id, outcomes[want], done,
			    want == KMM_OK ? ""
			    : want == KMM_SIGBUS ? " (a file page past the end of the file)"
			    : " (a page without the access)",
			    r->outcome, r->done, r->addr);
	}
	for (uint32_t i = 0; i < done;) {
		uint32_t a = va + i;
		uint32_t end = (a | (PAGE_SIZE - 1)) + 1;
		if (end - va > done || end < a)
			end = va + done;
		struct upage *p = &m->pg[find(m, a / PAGE_SIZE)];
		if (write && p->file && p->shared) {    /* into the page cache */
			for (uint32_t b = a; b < end; b++)
				*file_byte(o, p, b) = upattern(seed, b - va);
		} else if (write) {
			if (p->file && !p->cow) {       /* COW of the file page */
				p->snap = (uint16_t)file_snapshot(o, p->file - 1u,
								  p->pgoff);
				p->cow = true;
				p->unknown = !p->snap;
				p->nw = 0;
			}
			record(p, va, a, end, seed);
		} else {
			for (uint32_t b = a; b < end; b++) {
				int e = expected_byte(o, p, b);
				if (e >= 0 && data[b - va] != e)
					oracle_fail(o, "mm/content",
						    "user %s at 0x%08x in process %u: "
						    "model: 0x%02x (%s); kmm: 0x%02x",
						    names[mode], b, id, e,
						    follows_file(p) ? "the file's byte"
						    : p->cow ? "private copy of the file page"
						    : e || p->nw ? "as written"
						    : "never written: demand-zero",
						    data[b - va]);
			}
		}
		i = end - va;
	}
}

void oracle_user_access(struct oracle *o, unsigned int id, vaddr_t va,
			unsigned int len, bool write, uint8_t seed,
			const uint8_t *data, const struct kmm_access_result *r)
{
	user_check(o, id, va, len, write ? U_WRITE : U_READ, seed, data, r);
}

void oracle_user_exec(struct oracle *o, unsigned int id, vaddr_t va,
		      unsigned int len, const uint8_t *data,
		      const struct kmm_access_result *r)
{
	user_check(o, id, va, len, U_EXEC, 0, data, r);
}

/* ---- brk and mremap ---- */

static bool any_mapped(const struct omm *m, uint32_t vpn, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (find(m, vpn + i) >= 0)
			return true;
	return false;
}

/* 3.2 sys_brk: below start_brk nothing happens; shrinking always works
 * (the pages above the new break are unmapped); growing needs the pages
 * up to one past the new break free of mappings, and may fail only for
 * lack of memory (the break stays). */
void oracle_sys_brk(struct oracle *o, unsigned int id, vaddr_t old,
		    vaddr_t req, vaddr_t ret)
{
	struct omm *m = omm(o, id, "brk");
	uint32_t olda = (m->brk + PAGE_SIZE - 1) / PAGE_SIZE;
	uint32_t newa = (uint32_t)(((uint64_t)req + PAGE_SIZE - 1) / PAGE_SIZE);
	uint32_t want = req;
	bool may_fail = false;

	if (old != m->brk)
		oracle_fail(o, "mm/brk", "process %u: model: break 0x%08x; kmm: "
			    "0x%08x", id, m->brk, old);
	if (req < KMM_START_BRK)
		want = m->brk;
	else if (newa < olda)
		unmap_pages(m, newa, olda - newa);
	else if (newa > olda && any_mapped(m, olda, newa - olda + 1))
		want = m->brk;
	else
		may_fail = newa > olda;
	if (ret != want && !(may_fail && ret == m->brk))
		oracle_fail(o, "mm/brk", "brk(0x%08x) in process %u (break 0x%08x): "
			    "model: 0x%08x%s; kmm: 0x%08x", req, id, m->brk, want,
			    may_fail ? " or unchanged (out of memory)" : "", ret);
	if (ret == want && newa > olda && ret != m->brk)
		map_pages(m, olda, newa - olda, PROT_READ | PROT_WRITE);
	m->brk = ret;
}

static int vpn_cmp(const void *a, const void *b)
{
	const struct upage *x = a, *y = b;

	return (x->vpn > y->vpn) - (x->vpn < y->vpn);
}

/* Pages [from, from + n) move to `to` with their contents. */
static void move_pages(struct omm *m, uint32_t from, uint32_t to, unsigned int n)
{
	for (unsigned int r = 0; r < m->n; r++) {
		struct upage *p = &m->pg[r];
		if (p->vpn < from || p->vpn >= from + n)
			continue;
		p->vpn = p->vpn - from + to;
		for (unsigned int w = 0; w < p->nw; w++)
			p->w[w].start += (to - from) * PAGE_SIZE;
	}
	qsort(m->pg, m->n, sizeof(*m->pg), vpn_cmp);
}

/* The old range inside one VMA: mapped throughout with one protection,
 * anonymous or of one file, shared or not, at consecutive file pages
 * (anything else is different VMAs); t: its first page.  The model has
 * no VMAs, so a range it sees as one may still span two. */
static int one_prot(const struct omm *m, uint32_t vpn, unsigned int n,
		    struct upage *t)
{
	long first = find(m, vpn);

	if (first < 0)
		return -1;
	const struct upage *f = &m->pg[first];
	for (unsigned int i = 1; i < n; i++) {
		long at = find(m, vpn + i);
		if (at < 0 || m->pg[at].prot != f->prot || m->pg[at].file != f->file ||
		    (f->file && (m->pg[at].shared != f->shared ||
				 m->pg[at].pgoff != f->pgoff + i)))
			return -1;
	}
	*t = *f;
	return f->prot;
}

/* 3.2 mremap without MREMAP_FIXED: a shrink unmaps the tail and returns
 * the address; a growth of a range that is not one VMA is -EFAULT; else
 * the VMA grows in place (the pages after it were free), or moves with
 * MREMAP_MAYMOVE to a free range, contents and all, or fails (-ENOMEM,
 * or -EFAULT when the range spans VMAs the model cannot tell apart). */
void oracle_mremap(struct oracle *o, unsigned int id, vaddr_t va,
		   unsigned int old_pages, unsigned int new_pages, bool maymove,
		   long ret)
{
	struct omm *m = omm(o, id, "mremap");
	uint32_t vpn = va / PAGE_SIZE;
	struct upage t = {0};
	int prot = one_prot(m, vpn, old_pages, &t);
	const char *why = NULL;

	t.pgoff += old_pages;           /* the pages it grows by */

	if (new_pages <= old_pages) {
		if (ret != (long)va)
			why = "the same address (a shrink always works)";
		else
			unmap_pages(m, vpn + new_pages, old_pages - new_pages);
	} else if (prot < 0) {
		if (ret != -14)
			why = "-EFAULT (not one mapping of one protection)";
	} else if (ret == (long)va) {
		if (any_mapped(m, vpn + old_pages, new_pages - old_pages) ||
		    (uint64_t)va + (uint64_t)new_pages * PAGE_SIZE > TASK_SIZE)
			why = "no growth in place (the pages after it are not free)";
		else
			map_pages_as(m, vpn + old_pages, new_pages - old_pages, &t);
	} else if (ret >= 0) {
		if (!maymove)
			why = "no move without MREMAP_MAYMOVE";
		else {
			check_free_range(o, m, "mremap", (uint32_t)ret, new_pages);
			move_pages(m, vpn, (uint32_t)ret / PAGE_SIZE, old_pages);
			map_pages_as(m, (uint32_t)ret / PAGE_SIZE + old_pages,
				     new_pages - old_pages, &t);
		}
	} else if (ret != -12 && ret != -14) {
		why = "the address, a new one, -ENOMEM or -EFAULT";
	}
	if (why)
		oracle_fail(o, "mm/mremap", "mremap(0x%08x, %u pages -> %u%s) in "
			    "process %u: model: %s; kmm: %ld", va, old_pages,
			    new_pages, maymove ? ", MREMAP_MAYMOVE" : "", id, why, ret);
}

/* ---- file mappings ---- */

void oracle_mmap_file(struct oracle *o, unsigned int id, unsigned int fid,
		      long ret, unsigned int npages, unsigned int prot,
		      bool shared, unsigned int pgoff)
{
	struct omm *m = omm(o, id, "mmap of a file");
	int slot = file_slot(o, fid, "mmap");

	if (ret < 0) {
		if (ret != -12)         /* -ENOMEM: out of memory or space */
			oracle_fail(o, "mm/mmap", "mmap of %u pages of file %u: model: "
				    "an address or -ENOMEM; kmm: %ld", npages, fid, ret);
		return;
	}
	check_free_range(o, m, "mmap", (uint32_t)ret, npages);
	struct upage t = {.prot = (uint8_t)prot, .file = (uint16_t)(slot + 1),
			  .shared = shared, .pgoff = pgoff};
	map_pages_as(m, (uint32_t)ret / PAGE_SIZE, npages, &t);
}

void user_file_truncated(struct oracle *o, unsigned int slot, uint32_t first)
{
	for (unsigned int i = 0; i < o->nmm_used; i++) {
		struct omm *m = o->mm[o->mm_used[i]];
		if (!m || !m->live)
			continue;
		for (unsigned int j = 0; j < m->n; j++) {
			struct upage *p = &m->pg[j];
			if (p->file == slot + 1 && p->pgoff >= first && p->cow) {
				p->cow = p->unknown = false;    /* the copy is gone */
				p->nw = 0;
				p->snap = 0;
			}
		}
	}
}
