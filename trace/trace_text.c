/* trace_text.c — gfp flag names and the text form of a trace file.
 *
 * The gfp table follows the kernel's __def_gfpflag_names (composite masks
 * first, so printing is greedy as __print_flags is) in the bit positions of
 * 5.x/6.x (KMMT_GFP_*).  Older names (3.x "GFP_NOWARN" without underscores,
 * __GFP_WAIT, __GFP_REPEAT) are accepted when parsing.
 */
#include <ctype.h>
#include <inttypes.h>
#include <string.h>

#include "trace_format.h"

#define G(x) KMMT_GFP_##x
#define GFP_USER_ (G(RECLAIM) | G(IO) | G(FS) | G(HARDWALL))
#define GFP_HIGHUSER_MOVABLE_ (GFP_USER_ | G(HIGHMEM) | G(MOVABLE))
#define GFP_TRANSHUGE_LIGHT_ \
	((GFP_HIGHUSER_MOVABLE_ | G(COMP) | G(NOMEMALLOC) | G(NOWARN)) & ~G(RECLAIM))

static const struct gfp_name {
	const char *name;
	uint64_t mask;
	bool print;   /* used when printing (else: parse-only alias) */
} gfp_names[] = {
	{"GFP_TRANSHUGE", GFP_TRANSHUGE_LIGHT_ | G(DIRECT_RECLAIM), true},
	{"GFP_TRANSHUGE_LIGHT", GFP_TRANSHUGE_LIGHT_, true},
	{"GFP_HIGHUSER_MOVABLE", GFP_HIGHUSER_MOVABLE_, true},
	{"GFP_HIGHUSER", GFP_USER_ | G(HIGHMEM), true},
	{"GFP_USER", GFP_USER_, true},
	{"GFP_KERNEL_ACCOUNT", G(RECLAIM) | G(IO) | G(FS) | G(ACCOUNT), true},
	{"GFP_KERNEL", G(RECLAIM) | G(IO) | G(FS), true},
	{"GFP_NOFS", G(RECLAIM) | G(IO), true},
	{"GFP_ATOMIC", G(HIGH) | G(KSWAPD_RECLAIM), true},
	{"GFP_NOIO", G(RECLAIM), true},
	/* 6.16+ also sets __GFP_NOWARN in GFP_NOWAIT; the common part is kept */
	{"GFP_NOWAIT", G(KSWAPD_RECLAIM), true},
	{"GFP_DMA", G(DMA), true},
	{"GFP_DMA32", G(DMA32), true},
	{"GFP_TEMPORARY", G(RECLAIM) | G(IO) | G(FS) | G(RECLAIMABLE), false},
	{"GFP_IOFS", G(IO) | G(FS), false},
	{"__GFP_RECLAIM", G(RECLAIM), true},
	{"__GFP_DMA", G(DMA), true},
	{"__GFP_HIGHMEM", G(HIGHMEM), true},
	{"__GFP_DMA32", G(DMA32), true},
	{"__GFP_MOVABLE", G(MOVABLE), true},
	{"__GFP_RECLAIMABLE", G(RECLAIMABLE), true},
	{"__GFP_HIGH", G(HIGH), true},
	{"__GFP_IO", G(IO), true},
	{"__GFP_FS", G(FS), true},
	{"__GFP_ZERO", G(ZERO), true},
	{"__GFP_ATOMIC", G(ATOMIC), true},
	{"__GFP_DIRECT_RECLAIM", G(DIRECT_RECLAIM), true},
	{"__GFP_KSWAPD_RECLAIM", G(KSWAPD_RECLAIM), true},
	{"__GFP_WRITE", G(WRITE), true},
	{"__GFP_NOWARN", G(NOWARN), true},
	{"__GFP_RETRY_MAYFAIL", G(RETRY_MAYFAIL), true},
	{"__GFP_NOFAIL", G(NOFAIL), true},
	{"__GFP_NORETRY", G(NORETRY), true},
	{"__GFP_MEMALLOC", G(MEMALLOC), true},
	{"__GFP_COMP", G(COMP), true},
	{"__GFP_NOMEMALLOC", G(NOMEMALLOC), true},
	{"__GFP_HARDWALL", G(HARDWALL), true},
	{"__GFP_THISNODE", G(THISNODE), true},
	{"__GFP_ACCOUNT", G(ACCOUNT), true},
	{"__GFP_ZEROTAGS", G(ZEROTAGS), true},
	/* older spellings */
	{"__GFP_WAIT", G(RECLAIM), false},
	{"__GFP_REPEAT", G(RETRY_MAYFAIL), false},
	/* known names that carry nothing the trace keeps */
	{"__GFP_COLD", 0, false},
	{"__GFP_NOTRACK", 0, false},
	{"__GFP_NO_KSWAPD", 0, false},
	{"__GFP_OTHER_NODE", 0, false},
	{"__GFP_NOLOCKDEP", 0, false},
	{"__GFP_SKIP_ZERO", 0, false},
	{"__GFP_SKIP_KASAN", 0, false},
	{"__GFP_SKIP_KASAN_POISON", 0, false},
	{"__GFP_SKIP_KASAN_UNPOISON", 0, false},
	{"__GFP_NO_OBJ_EXT", 0, false},
	{"__GFP_NOACCOUNT", 0, false},
	{"__GFP_NOTRACK_FALSE_POSITIVE", 0, false},
};
#define NR_GFP_NAMES (sizeof(gfp_names) / sizeof(gfp_names[0]))

static const struct gfp_name *gfp_lookup(const char *s, size_t len)
{
	for (size_t i = 0; i < NR_GFP_NAMES; i++)
		if (strlen(gfp_names[i].name) == len && !memcmp(gfp_names[i].name, s, len))
			return &gfp_names[i];
	return NULL;
}

int kmmt_gfp_parse(const char *s, size_t len, uint64_t *gfp, bool *unknown)
{
	uint64_t v = 0;
	size_t i = 0;

	*unknown = false;
	if (len == 4 && !memcmp(s, "none", 4)) {
		*gfp = 0;
		return 0;
	}
	if (!len)
		return -1;
	while (i < len) {
		size_t j = i;
		while (j < len && s[j] != '|')
			j++;
		if (j == i)
			return -1;     /* empty name: "A||B" or trailing '|' */
		const char *t = s + i;
		size_t tl = j - i;
		const struct gfp_name *g = gfp_lookup(t, tl);
		if (!g && tl > 4 && !memcmp(t, "GFP_", 4) && tl < 62) {
			/* 3.x printed single bits as "GFP_NOWARN" */
			char buf[64] = "__";
			memcpy(buf + 2, t, tl);
			g = gfp_lookup(buf, tl + 2);
		}
		if (g) {
			v |= g->mask;
		} else if (tl > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
			uint64_t x = 0;
			if (tl > 18)
				return -1;
			for (size_t k = 2; k < tl; k++) {
				int c = (unsigned char)t[k], d;
				if (c >= '0' && c <= '9')
					d = c - '0';
				else if (c >= 'a' && c <= 'f')
					d = c - 'a' + 10;
				else if (c >= 'A' && c <= 'F')
					d = c - 'A' + 10;
				else
					return -1;
				x = x << 4 | (uint64_t)d;
			}
			/* leftover bits the kernel could not name */
			v |= x;
			*unknown = true;
		} else {
			for (size_t k = 0; k < tl; k++)
				if (!isalnum((unsigned char)t[k]) && t[k] != '_')
					return -1;
			*unknown = true;
		}
		i = j + 1;
		if (j + 1 == len)
			return -1;     /* trailing '|' */
	}
	*gfp = v;
	return 0;
}

void kmmt_gfp_format(uint64_t gfp, char *buf, size_t size)
{
	uint64_t left = gfp;
	size_t n = 0;

	if (!size)
		return;
	buf[0] = 0;
	if (!gfp) {
		snprintf(buf, size, "none");
		return;
	}
	for (size_t i = 0; i < NR_GFP_NAMES && left; i++) {
		const struct gfp_name *g = &gfp_names[i];
		if (!g->print || !g->mask || (left & g->mask) != g->mask)
			continue;
		left &= ~g->mask;
		n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s%s",
				      n ? "|" : "", g->name);
	}
	if (left)
		n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s0x%" PRIx64,
				      n ? "|" : "", left);
	(void)n;
}

/* ---- dump ---- */
static void put_str(FILE *out, const char *s)
{
	/* escape anything a line-oriented reader could trip on */
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c >= 0x7f || c == '\\')
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
}

static void put_flags(FILE *out, unsigned flags)
{
	static const char *const names[] = {"hashed", "symbolic", "gfp_unknown",
					    "node_event", "page_ptr", "failed",
					    "accounted", "no_name", "truncated"};
	bool first = true;

	if (!flags)
		return;
	fprintf(out, " flags=");
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (flags & (1u << i)) {
			fprintf(out, "%s%s", first ? "" : ",", names[i]);
			first = false;
		}
	}
}

void kmmt_dump_header(FILE *out, const struct kmmt_header *h)
{
	fprintf(out, "# kmmfuzz trace v%u.%u source=%s tool=", h->version_major,
		h->version_minor,
		kmmt_source_name(h->source) ? kmmt_source_name(h->source) : "?");
	put_str(out, h->tool[0] ? h->tool : "-");
	fprintf(out, "\n# kernel=");
	put_str(out, h->kernel_release[0] ? h->kernel_release : "unknown");
	fprintf(out, " machine=");
	put_str(out, h->machine[0] ? h->machine : "unknown");
	fprintf(out, " page_size=%u pointer_size=%u cpus=%u\n", h->page_size,
		h->pointer_size, h->nr_cpus);
	fprintf(out, "# filter=%s", kmmt_filter_name(h->filter_kind) ?
				    kmmt_filter_name(h->filter_kind) : "?");
	if (h->filter_kind == KMMT_FILTER_PID || h->filter_kind == KMMT_FILTER_COMMAND)
		fprintf(out, " pid=%u", h->filter_pid);
	if (h->filter_kind == KMMT_FILTER_COMM) {
		fprintf(out, " comm=");
		put_str(out, h->filter_comm);
	}
	if (h->filter_kind == KMMT_FILTER_CGROUP)
		fprintf(out, " cgroup=%" PRIu64, h->filter_cgroup);
	fprintf(out, " duration=%us ringbuf=%uKiB events=0x%x\n", h->duration_s,
		h->ringbuf_kb, h->event_mask);
	fprintf(out, "# complete=%s records=%" PRIu64 " lost=%" PRIu64 " hashed=%s"
		" start=%" PRIu64 " end=%" PRIu64 "\n",
		(h->flags & KMMT_HF_COMPLETE) ? "yes" : "no", h->record_count,
		h->lost_events, (h->flags & KMMT_HF_HASHED) ? "yes" : "no", h->start_ns,
		h->end_ns);
}

void kmmt_dump_record(FILE *out, const struct kmmt_record *r)
{
	char g[256];

	fprintf(out, "%" PRIu64 ".%09" PRIu64 " [%03u] %u/%u %s:", r->ts_ns / 1000000000u,
		r->ts_ns % 1000000000u, r->cpu, r->pid, r->tid,
		kmmt_type_name(r->type) ? kmmt_type_name(r->type) : "?");
	switch (r->type) {
	case KMMT_KMALLOC:
	case KMMT_CACHE_ALLOC:
		kmmt_gfp_format(r->alloc.gfp, g, sizeof(g));
		fprintf(out, " call_site=0x%" PRIx64 " ptr=0x%" PRIx64, r->alloc.call_site,
			r->alloc.ptr);
		if (r->type == KMMT_CACHE_ALLOC) {
			fprintf(out, " name=");
			put_str(out, r->alloc.name);
		}
		fprintf(out, " bytes_req=%" PRIu64 " bytes_alloc=%" PRIu64 " gfp=0x%" PRIx64
			"(%s) node=%d", r->alloc.bytes_req, r->alloc.bytes_alloc,
			r->alloc.gfp, g, r->alloc.node);
		break;
	case KMMT_KFREE:
	case KMMT_CACHE_FREE:
		fprintf(out, " call_site=0x%" PRIx64 " ptr=0x%" PRIx64, r->free.call_site,
			r->free.ptr);
		if (r->type == KMMT_CACHE_FREE) {
			fprintf(out, " name=");
			put_str(out, r->free.name);
		}
		break;
	case KMMT_PAGE_ALLOC:
		kmmt_gfp_format(r->page.gfp, g, sizeof(g));
		fprintf(out, " pfn=0x%" PRIx64 " order=%u migratetype=%d gfp=0x%" PRIx64
			"(%s)", r->page.pfn, r->page.order, r->page.migratetype,
			r->page.gfp, g);
		break;
	case KMMT_PAGE_FREE:
		fprintf(out, " pfn=0x%" PRIx64 " order=%u", r->page.pfn, r->page.order);
		break;
	case KMMT_PAGE_FREE_BATCHED:
		fprintf(out, " pfn=0x%" PRIx64, r->page.pfn);
		break;
	case KMMT_FAULT_USER:
	case KMMT_FAULT_KERNEL:
		fprintf(out, " address=0x%" PRIx64 " ip=0x%" PRIx64 " error_code=0x%" PRIx64,
			r->fault.address, r->fault.ip, r->fault.error_code);
		break;
	case KMMT_SYS_ENTER: {
		/* the syscall's own arguments: mmap 6, munmap 2, mprotect 3, ... */
		static const int nargs[KMMT_NR_SYS] = {
			[KMMT_SYS_MMAP] = 6, [KMMT_SYS_MUNMAP] = 2, [KMMT_SYS_MPROTECT] = 3,
			[KMMT_SYS_BRK] = 1, [KMMT_SYS_MREMAP] = 5,
		};
		fprintf(out, " %s(", kmmt_sys_name(r->sys_enter.nr));
		for (int i = 0; i < nargs[r->sys_enter.nr]; i++)
			fprintf(out, "%s0x%" PRIx64, i ? ", " : "", r->sys_enter.args[i]);
		fprintf(out, ")");
		break;
	}
	case KMMT_SYS_EXIT:
		fprintf(out, " %s -> 0x%" PRIx64 " (%" PRId64 ")", kmmt_sys_name(r->sys_exit.nr),
			(uint64_t)r->sys_exit.ret, r->sys_exit.ret);
		break;
	case KMMT_FORK:
		fprintf(out, " parent=%u child=%u child_tgid=%u clone=0x%x", r->fork.parent_pid,
			r->fork.child_pid, r->fork.child_tgid, r->fork.clone_flags);
		break;
	case KMMT_EXIT:
		fprintf(out, " group_dead=%u exit_code=%d", r->exit.group_dead,
			r->exit.exit_code);
		break;
	case KMMT_EXEC:
		fprintf(out, " pid=%u old_pid=%u filename=", r->exec.pid, r->exec.old_pid);
		put_str(out, r->exec.filename);
		break;
	case KMMT_LOST:
		fprintf(out, " count=%" PRIu64 " kind=%s", r->lost.count,
			r->lost.event_type ? kmmt_type_name(r->lost.event_type) : "any");
		break;
	case KMMT_MAPS:
		fprintf(out, " %" PRIx64 "-%" PRIx64 " %c%c%c%c %08" PRIx64 " %02x:%02x %" PRIu64
			" ", r->maps.start, r->maps.end,
			(r->maps.prot & KMMT_PROT_READ) ? 'r' : '-',
			(r->maps.prot & KMMT_PROT_WRITE) ? 'w' : '-',
			(r->maps.prot & KMMT_PROT_EXEC) ? 'x' : '-',
			(r->maps.prot & KMMT_MAP_SHARED) ? 's' : 'p', r->maps.pgoff,
			r->maps.dev_major, r->maps.dev_minor, r->maps.inode);
		put_str(out, r->maps.path);
		break;
	case KMMT_TASK:
		fprintf(out, " comm=");
		put_str(out, r->task.comm);
		break;
	default:
		break;
	}
	put_flags(out, r->flags);
	fputc('\n', out);
}
