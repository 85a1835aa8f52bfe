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
 * Only anonymous private mappings are modelled (the ops make no others).
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
	struct uwrite w[UW_MAX];
};

struct omm {
	bool live;
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
	if (parent >= 0) {
		struct omm *p = omm(o, (unsigned int)parent, "fork");
		grow(m, p->n);
		if (p->n)
			memcpy(m->pg, p->pg, p->n * sizeof(*m->pg));
		m->n = p->n;
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
	uint32_t va = (uint32_t)ret;
	if ((va & (PAGE_SIZE - 1)) || va < 4096 ||
	    (uint64_t)va + (uint64_t)npages * PAGE_SIZE > TASK_SIZE)
		oracle_fail(o, "mm/mmap", "mmap of %u pages: model: a page-aligned "
			    "range in [4096, TASK_SIZE); kmm: 0x%08x", npages, va);
	grow(m, m->n + npages);
	for (unsigned int i = 0; i < npages; i++) {
		long at = find(m, va / PAGE_SIZE + i);
		if (at >= 0)
			oracle_fail(o, "mm/mmap",
				    "mmap of %u pages at 0x%08x: model: page 0x%08x is "
				    "still mapped (mmap never replaces without "
				    "MAP_FIXED); kmm: handed out again", npages, va,
				    (va / PAGE_SIZE + i) * PAGE_SIZE);
		unsigned int pos = (unsigned int)(-at - 1);
		memmove(&m->pg[pos + 1], &m->pg[pos], (m->n - pos) * sizeof(*m->pg));
		m->pg[pos] = (struct upage){.vpn = va / PAGE_SIZE + i,
					    .prot = (uint8_t)prot};
		m->n++;
	}
}

void oracle_munmap(struct oracle *o, unsigned int id, vaddr_t va,
		   unsigned int npages, int ret)
{
	struct omm *m = omm(o, id, "munmap");
	bool valid = (uint64_t)va + (uint64_t)npages * PAGE_SIZE <= TASK_SIZE;

	if (ret != (valid ? 0 : -22))
		oracle_fail(o, "mm/munmap", "munmap(0x%08x, %u pages): model: %d; "
			    "kmm: %d", va, npages, valid ? 0 : -22, ret);
	if (!valid)
		return;
	unsigned int w = 0;
	for (unsigned int r = 0; r < m->n; r++) {
		uint32_t vpn = m->pg[r].vpn;
		if (vpn >= va / PAGE_SIZE && vpn < va / PAGE_SIZE + npages)
			continue;
		m->pg[w++] = m->pg[r];
	}
	m->n = w;
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

static int expected_byte(const struct upage *p, uint32_t addr)
{
	unsigned int off = addr & (PAGE_SIZE - 1);

	if (p->unknown)
		return -1;
	for (int i = p->nw - 1; i >= 0; i--)
		if (off >= p->w[i].off && off < (unsigned int)p->w[i].off + p->w[i].len)
			return upattern(p->w[i].seed, addr - p->w[i].start);
	return 0;
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

void oracle_user_access(struct oracle *o, unsigned int id, vaddr_t va,
			unsigned int len, bool write, uint8_t seed,
			const uint8_t *data, const struct kmm_access_result *r)
{
	struct omm *m = omm(o, id, "user access");
	uint32_t done = 0, fault_at = 0;
	enum kmm_outcome want = KMM_OK;

	while (done < len) {
		uint32_t a = va + done;
		uint32_t end = (a | (PAGE_SIZE - 1)) + 1;
		if (end - va > len || end < a)
			end = va + len;
		long at = a < TASK_SIZE ? find(m, a / PAGE_SIZE) : -1;
		if (at < 0 || (write ? !(m->pg[at].prot & PROT_WRITE) : !m->pg[at].prot)) {
			want = KMM_SIGSEGV;
			fault_at = a;
			break;
		}
		done = end - va;
	}
	if (r->outcome == KMM_OOM && r->done <= done) {
		done = (uint32_t)r->done;
	} else if (r->outcome != want || r->done != done ||
		   (want == KMM_SIGSEGV && r->addr != fault_at)) {
		oracle_fail(o, "mm/access",
			    "user %s of %u bytes at 0x%08x in process %u: model: %s "
			    "after %u bytes%s; kmm: outcome %d after %zu bytes (cr2 "
			    "0x%08x)", write ? "write" : "read", len, va, id,
			    want == KMM_OK ? "ok" : "SIGSEGV", done,
			    want == KMM_OK ? "" : " (a page without the access)",
			    r->outcome, r->done, r->addr);
	}
	for (uint32_t i = 0; i < done;) {
		uint32_t a = va + i;
		uint32_t end = (a | (PAGE_SIZE - 1)) + 1;
		if (end - va > done || end < a)
			end = va + done;
		struct upage *p = &m->pg[find(m, a / PAGE_SIZE)];
		if (write) {
			record(p, va, a, end, seed);
		} else {
			for (uint32_t b = a; b < end; b++) {
				int e = expected_byte(p, b);
				if (e >= 0 && data[b - va] != e)
					oracle_fail(o, "mm/content",
						    "user read at 0x%08x in process %u: "
						    "model: 0x%02x (%s); kmm: 0x%02x", b, id,
						    e, e || p->nw ? "as written" : "never written: "
						    "demand-zero", data[b - va]);
			}
		}
		i = end - va;
	}
}
