/* trace_format.c — encode, decode and validate kmmfuzz trace files.
 *
 * Every multi-byte field is little-endian and read byte by byte, so the
 * reader has no alignment or host-endianness assumptions.  The layout is
 * documented in trace/FORMAT.md; the tables below are its source of truth
 * for record sizes and allowed flags.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "trace_format.h"

/* ---- little-endian helpers ---- */
static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void setmsg(char *msg, size_t msz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void setmsg(char *msg, size_t msz, const char *fmt, ...)
{
	va_list ap;

	if (!msg || !msz)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, msz, fmt, ap);
	va_end(ap);
}

static void seterr(struct kmmt_error *err, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void seterr(struct kmmt_error *err, size_t off, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	err->offset = off;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

/* ---- names ---- */
static const char *const type_names[KMMT_NR_TYPES] = {
	[KMMT_KMALLOC] = "kmalloc",
	[KMMT_KFREE] = "kfree",
	[KMMT_CACHE_ALLOC] = "kmem_cache_alloc",
	[KMMT_CACHE_FREE] = "kmem_cache_free",
	[KMMT_PAGE_ALLOC] = "mm_page_alloc",
	[KMMT_PAGE_FREE] = "mm_page_free",
	[KMMT_PAGE_FREE_BATCHED] = "mm_page_free_batched",
	[KMMT_FAULT_USER] = "page_fault_user",
	[KMMT_FAULT_KERNEL] = "page_fault_kernel",
	[KMMT_SYS_ENTER] = "sys_enter",
	[KMMT_SYS_EXIT] = "sys_exit",
	[KMMT_FORK] = "fork",
	[KMMT_EXIT] = "exit",
	[KMMT_EXEC] = "exec",
	[KMMT_LOST] = "lost",
	[KMMT_MAPS] = "maps",
	[KMMT_TASK] = "task",
};

const char *kmmt_type_name(unsigned type)
{
	return type < KMMT_NR_TYPES ? type_names[type] : NULL;
}

static const char *const sys_names[KMMT_NR_SYS] = {
	[KMMT_SYS_MMAP] = "mmap",
	[KMMT_SYS_MUNMAP] = "munmap",
	[KMMT_SYS_MPROTECT] = "mprotect",
	[KMMT_SYS_BRK] = "brk",
	[KMMT_SYS_MREMAP] = "mremap",
};

const char *kmmt_sys_name(unsigned nr)
{
	return nr < KMMT_NR_SYS ? sys_names[nr] : NULL;
}

const char *kmmt_source_name(unsigned src)
{
	static const char *const n[KMMT_NR_SOURCES] = {
		[KMMT_SRC_KMMTRACE] = "kmmtrace",
		[KMMT_SRC_TRACEFS] = "tracefs",
		[KMMT_SRC_TRACE_CMD] = "trace-cmd",
		[KMMT_SRC_PERF] = "perf",
		[KMMT_SRC_OTHER] = "other",
	};
	return src < KMMT_NR_SOURCES ? n[src] : NULL;
}

const char *kmmt_filter_name(unsigned kind)
{
	static const char *const n[KMMT_NR_FILTERS] = {
		[KMMT_FILTER_ALL] = "all",
		[KMMT_FILTER_PID] = "pid",
		[KMMT_FILTER_COMM] = "comm",
		[KMMT_FILTER_CGROUP] = "cgroup",
		[KMMT_FILTER_COMMAND] = "command",
	};
	return kind < KMMT_NR_FILTERS ? n[kind] : NULL;
}

/* ---- per-kind layout ---- */
#define VAR_LEN 0x8000 /* marks a kind with a trailing string */
static const struct {
	uint16_t payload;  /* fixed payload bytes */
	uint16_t flags;    /* allowed KMMT_RF_* */
} kinds[KMMT_NR_TYPES] = {
	[KMMT_KMALLOC] = {48, KMMT_RF_HASHED | KMMT_RF_SYMBOLIC | KMMT_RF_GFP_UNKNOWN |
			      KMMT_RF_NODE_EVENT | KMMT_RF_FAILED | KMMT_RF_ACCOUNTED},
	[KMMT_KFREE] = {16, KMMT_RF_HASHED | KMMT_RF_SYMBOLIC},
	[KMMT_CACHE_ALLOC] = {80, KMMT_RF_HASHED | KMMT_RF_SYMBOLIC | KMMT_RF_GFP_UNKNOWN |
				  KMMT_RF_NODE_EVENT | KMMT_RF_FAILED | KMMT_RF_ACCOUNTED |
				  KMMT_RF_NO_NAME | KMMT_RF_TRUNCATED},
	[KMMT_CACHE_FREE] = {48, KMMT_RF_HASHED | KMMT_RF_SYMBOLIC | KMMT_RF_NO_NAME |
				 KMMT_RF_TRUNCATED},
	[KMMT_PAGE_ALLOC] = {24, KMMT_RF_HASHED | KMMT_RF_GFP_UNKNOWN | KMMT_RF_PAGE_PTR |
				 KMMT_RF_FAILED},
	[KMMT_PAGE_FREE] = {16, KMMT_RF_HASHED | KMMT_RF_PAGE_PTR},
	[KMMT_PAGE_FREE_BATCHED] = {8, KMMT_RF_HASHED | KMMT_RF_PAGE_PTR},
	[KMMT_FAULT_USER] = {24, KMMT_RF_SYMBOLIC},
	[KMMT_FAULT_KERNEL] = {24, KMMT_RF_SYMBOLIC},
	[KMMT_SYS_ENTER] = {56, 0},
	[KMMT_SYS_EXIT] = {16, 0},
	[KMMT_FORK] = {16, 0},
	[KMMT_EXIT] = {8, 0},
	[KMMT_EXEC] = {16 | VAR_LEN, KMMT_RF_TRUNCATED},
	[KMMT_LOST] = {16, 0},
	[KMMT_MAPS] = {48 | VAR_LEN, KMMT_RF_TRUNCATED},
	[KMMT_TASK] = {16, 0},
};

static size_t pad8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* A NUL-terminated string in a fixed field, zero after the NUL. */
static bool field_str_ok(const char *s, size_t n)
{
	size_t l = strnlen(s, n);

	return l < n && all_zero((const uint8_t *)s + l, n - l);
}

/* Checks the record's values (shared by the writer and the reader). */
static bool record_valid(const struct kmmt_record *r, char *msg, size_t msz)
{
	const char *tn = kmmt_type_name(r->type);

	if (!tn) {
		setmsg(msg, msz, "unknown record type %u", r->type);
		return false;
	}
	if (r->flags & ~kinds[r->type].flags) {
		setmsg(msg, msz, "%s record: flags 0x%x not allowed for this kind", tn,
		       r->flags & ~kinds[r->type].flags);
		return false;
	}
	switch (r->type) {
	case KMMT_CACHE_ALLOC:
	case KMMT_CACHE_FREE: {
		const char *name = r->type == KMMT_CACHE_ALLOC ? r->alloc.name : r->free.name;
		if (!field_str_ok(name, KMMT_NAME_LEN)) {
			setmsg(msg, msz, "%s record: cache name not NUL-terminated and zero-padded", tn);
			return false;
		}
		if (!name[0] != !!(r->flags & KMMT_RF_NO_NAME)) {
			setmsg(msg, msz, "%s record: empty cache name without the "
			       "no-name flag (or a name with it)", tn);
			return false;
		}
		break;
	}
	case KMMT_PAGE_ALLOC:
		if (r->page.migratetype < -1 || r->page.migratetype > 15) {
			setmsg(msg, msz, "%s record: migratetype %d out of range -1..15",
			       tn, r->page.migratetype);
			return false;
		}
		/* fallthrough */
	case KMMT_PAGE_FREE:
		if (r->page.order > KMMT_MAX_ORDER) {
			setmsg(msg, msz, "%s record: order %u above %u", tn,
			       r->page.order, KMMT_MAX_ORDER);
			return false;
		}
		break;
	case KMMT_SYS_ENTER:
	case KMMT_SYS_EXIT: {
		uint32_t nr = r->type == KMMT_SYS_ENTER ? r->sys_enter.nr : r->sys_exit.nr;
		if (!kmmt_sys_name(nr)) {
			setmsg(msg, msz, "%s record: unknown syscall %u", tn, nr);
			return false;
		}
		break;
	}
	case KMMT_FORK:
		if (r->fork.clone_flags & ~(uint32_t)(KMMT_CLONE_VM | KMMT_CLONE_THREAD |
						      KMMT_CLONE_UNKNOWN)) {
			setmsg(msg, msz, "fork record: unknown clone flags 0x%x",
			       r->fork.clone_flags);
			return false;
		}
		break;
	case KMMT_EXIT:
		if (r->exit.group_dead != 0 && r->exit.group_dead != 1 &&
		    r->exit.group_dead != 255) {
			setmsg(msg, msz, "exit record: group_dead %u not 0, 1 or 255",
			       r->exit.group_dead);
			return false;
		}
		break;
	case KMMT_EXEC:
		if (strnlen(r->exec.filename, KMMT_PATH_MAX) >= KMMT_PATH_MAX) {
			setmsg(msg, msz, "exec record: filename not NUL-terminated");
			return false;
		}
		break;
	case KMMT_LOST:
		if (r->lost.event_type >= KMMT_NR_TYPES || r->lost.event_type == KMMT_LOST ||
		    (r->lost.event_type && !kmmt_type_name(r->lost.event_type))) {
			setmsg(msg, msz, "lost record: bad event type %u", r->lost.event_type);
			return false;
		}
		if (!r->lost.count) {
			setmsg(msg, msz, "lost record: count 0");
			return false;
		}
		break;
	case KMMT_MAPS:
		if (strnlen(r->maps.path, KMMT_PATH_MAX) >= KMMT_PATH_MAX) {
			setmsg(msg, msz, "maps record: path not NUL-terminated");
			return false;
		}
		if (r->maps.start >= r->maps.end) {
			setmsg(msg, msz, "maps record: start 0x%llx not below end 0x%llx",
			       (unsigned long long)r->maps.start,
			       (unsigned long long)r->maps.end);
			return false;
		}
		if (r->maps.prot & ~(uint32_t)0xf) {
			setmsg(msg, msz, "maps record: unknown prot bits 0x%x", r->maps.prot);
			return false;
		}
		break;
	case KMMT_TASK:
		if (!field_str_ok(r->task.comm, KMMT_COMM_LEN)) {
			setmsg(msg, msz, "task record: comm not NUL-terminated");
			return false;
		}
		break;
	default:
		break;
	}
	return true;
}

size_t kmmt_encode(const struct kmmt_record *r, uint8_t *buf, char *msg, size_t msz)
{
	size_t fixed, len, slen = 0;
	uint8_t *p;

	if (!record_valid(r, msg, msz))
		return 0;
	fixed = kinds[r->type].payload & ~VAR_LEN;
	if (r->type == KMMT_EXEC)
		slen = strlen(r->exec.filename);
	else if (r->type == KMMT_MAPS)
		slen = strlen(r->maps.path);
	len = pad8(KMMT_REC_HDR_LEN + fixed + slen);
	memset(buf, 0, len);
	put32(buf, (uint32_t)len);
	put16(buf + 4, r->type);
	put16(buf + 6, r->flags);
	put32(buf + 8, r->cpu);
	put32(buf + 12, r->pid);
	put32(buf + 16, r->tid);
	put64(buf + 24, r->ts_ns);
	p = buf + KMMT_REC_HDR_LEN;
	switch (r->type) {
	case KMMT_KMALLOC:
	case KMMT_CACHE_ALLOC:
		put64(p, r->alloc.call_site);
		put64(p + 8, r->alloc.ptr);
		put64(p + 16, r->alloc.bytes_req);
		put64(p + 24, r->alloc.bytes_alloc);
		put64(p + 32, r->alloc.gfp);
		put32(p + 40, (uint32_t)r->alloc.node);
		if (r->type == KMMT_CACHE_ALLOC)
			memcpy(p + 48, r->alloc.name, KMMT_NAME_LEN);
		break;
	case KMMT_KFREE:
	case KMMT_CACHE_FREE:
		put64(p, r->free.call_site);
		put64(p + 8, r->free.ptr);
		if (r->type == KMMT_CACHE_FREE)
			memcpy(p + 16, r->free.name, KMMT_NAME_LEN);
		break;
	case KMMT_PAGE_ALLOC:
		put64(p, r->page.pfn);
		put64(p + 8, r->page.gfp);
		put32(p + 16, r->page.order);
		put32(p + 20, (uint32_t)r->page.migratetype);
		break;
	case KMMT_PAGE_FREE:
		put64(p, r->page.pfn);
		put32(p + 8, r->page.order);
		break;
	case KMMT_PAGE_FREE_BATCHED:
		put64(p, r->page.pfn);
		break;
	case KMMT_FAULT_USER:
	case KMMT_FAULT_KERNEL:
		put64(p, r->fault.address);
		put64(p + 8, r->fault.ip);
		put64(p + 16, r->fault.error_code);
		break;
	case KMMT_SYS_ENTER:
		put32(p, r->sys_enter.nr);
		for (int i = 0; i < 6; i++)
			put64(p + 8 + 8 * i, r->sys_enter.args[i]);
		break;
	case KMMT_SYS_EXIT:
		put32(p, r->sys_exit.nr);
		put64(p + 8, (uint64_t)r->sys_exit.ret);
		break;
	case KMMT_FORK:
		put32(p, r->fork.parent_pid);
		put32(p + 4, r->fork.child_pid);
		put32(p + 8, r->fork.child_tgid);
		put32(p + 12, r->fork.clone_flags);
		break;
	case KMMT_EXIT:
		put32(p, r->exit.group_dead);
		put32(p + 4, (uint32_t)r->exit.exit_code);
		break;
	case KMMT_EXEC:
		put32(p, r->exec.pid);
		put32(p + 4, r->exec.old_pid);
		put32(p + 8, (uint32_t)slen);
		memcpy(p + 16, r->exec.filename, slen);
		break;
	case KMMT_LOST:
		put64(p, r->lost.count);
		put32(p + 8, r->lost.event_type);
		break;
	case KMMT_MAPS:
		put64(p, r->maps.start);
		put64(p + 8, r->maps.end);
		put64(p + 16, r->maps.pgoff);
		put64(p + 24, r->maps.inode);
		put32(p + 32, r->maps.dev_major);
		put32(p + 36, r->maps.dev_minor);
		put32(p + 40, r->maps.prot);
		put32(p + 44, (uint32_t)slen);
		memcpy(p + 48, r->maps.path, slen);
		break;
	case KMMT_TASK:
		memcpy(p, r->task.comm, KMMT_COMM_LEN);
		break;
	default:
		return 0;
	}
	return len;
}

/* Decodes one record of kind r->type from payload p (plen bytes, already
 * bounds-checked against the kind's size).  Returns false with msg set. */
static bool decode_payload(struct kmmt_record *r, const uint8_t *p, size_t plen,
			   char *msg, size_t msz)
{
	size_t fixed = kinds[r->type].payload & ~VAR_LEN, slen;
	const char *tn = kmmt_type_name(r->type);

	switch (r->type) {
	case KMMT_KMALLOC:
	case KMMT_CACHE_ALLOC:
		r->alloc.call_site = get64(p);
		r->alloc.ptr = get64(p + 8);
		r->alloc.bytes_req = get64(p + 16);
		r->alloc.bytes_alloc = get64(p + 24);
		r->alloc.gfp = get64(p + 32);
		r->alloc.node = (int32_t)get32(p + 40);
		if (get32(p + 44))
			goto reserved;
		if (r->type == KMMT_CACHE_ALLOC)
			memcpy(r->alloc.name, p + 48, KMMT_NAME_LEN);
		break;
	case KMMT_KFREE:
	case KMMT_CACHE_FREE:
		r->free.call_site = get64(p);
		r->free.ptr = get64(p + 8);
		if (r->type == KMMT_CACHE_FREE)
			memcpy(r->free.name, p + 16, KMMT_NAME_LEN);
		break;
	case KMMT_PAGE_ALLOC:
		r->page.pfn = get64(p);
		r->page.gfp = get64(p + 8);
		r->page.order = get32(p + 16);
		r->page.migratetype = (int32_t)get32(p + 20);
		break;
	case KMMT_PAGE_FREE:
		r->page.pfn = get64(p);
		r->page.order = get32(p + 8);
		if (get32(p + 12))
			goto reserved;
		break;
	case KMMT_PAGE_FREE_BATCHED:
		r->page.pfn = get64(p);
		break;
	case KMMT_FAULT_USER:
	case KMMT_FAULT_KERNEL:
		r->fault.address = get64(p);
		r->fault.ip = get64(p + 8);
		r->fault.error_code = get64(p + 16);
		break;
	case KMMT_SYS_ENTER:
		r->sys_enter.nr = get32(p);
		if (get32(p + 4))
			goto reserved;
		for (int i = 0; i < 6; i++)
			r->sys_enter.args[i] = get64(p + 8 + 8 * i);
		break;
	case KMMT_SYS_EXIT:
		r->sys_exit.nr = get32(p);
		if (get32(p + 4))
			goto reserved;
		r->sys_exit.ret = (int64_t)get64(p + 8);
		break;
	case KMMT_FORK:
		r->fork.parent_pid = get32(p);
		r->fork.child_pid = get32(p + 4);
		r->fork.child_tgid = get32(p + 8);
		r->fork.clone_flags = get32(p + 12);
		break;
	case KMMT_EXIT:
		r->exit.group_dead = get32(p);
		r->exit.exit_code = (int32_t)get32(p + 4);
		break;
	case KMMT_EXEC:
	case KMMT_MAPS: {
		const uint8_t *s;
		char *dst;
		if (r->type == KMMT_EXEC) {
			r->exec.pid = get32(p);
			r->exec.old_pid = get32(p + 4);
			slen = get32(p + 8);
			if (get32(p + 12))
				goto reserved;
			dst = r->exec.filename;
		} else {
			r->maps.start = get64(p);
			r->maps.end = get64(p + 8);
			r->maps.pgoff = get64(p + 16);
			r->maps.inode = get64(p + 24);
			r->maps.dev_major = get32(p + 32);
			r->maps.dev_minor = get32(p + 36);
			r->maps.prot = get32(p + 40);
			slen = get32(p + 44);
			dst = r->maps.path;
		}
		if (slen >= KMMT_PATH_MAX || pad8(fixed + slen + KMMT_REC_HDR_LEN) !=
						     plen + KMMT_REC_HDR_LEN) {
			setmsg(msg, msz, "%s record: string length %zu does not match "
			       "record length %zu", tn, slen, plen + KMMT_REC_HDR_LEN);
			return false;
		}
		s = p + fixed;
		if (memchr(s, 0, slen)) {
			setmsg(msg, msz, "%s record: NUL byte inside the string", tn);
			return false;
		}
		if (!all_zero(s + slen, plen - fixed - slen)) {
			setmsg(msg, msz, "%s record: nonzero padding", tn);
			return false;
		}
		memcpy(dst, s, slen);
		dst[slen] = 0;
		break;
	}
	case KMMT_LOST:
		r->lost.count = get64(p);
		r->lost.event_type = get32(p + 8);
		if (get32(p + 12))
			goto reserved;
		break;
	case KMMT_TASK:
		memcpy(r->task.comm, p, KMMT_COMM_LEN);
		break;
	default:
		setmsg(msg, msz, "unknown record type %u", r->type);
		return false;
	}
	return record_valid(r, msg, msz);
reserved:
	setmsg(msg, msz, "%s record: reserved field not zero", tn);
	return false;
}

/* ---- header ---- */
void kmmt_header_init(struct kmmt_header *h, enum kmmt_source src)
{
	memset(h, 0, sizeof(*h));
	h->version_major = KMMT_VERSION_MAJOR;
	h->version_minor = KMMT_VERSION_MINOR;
	h->header_len = KMMT_HEADER_LEN;
	h->page_size = 4096;
	h->pointer_size = 8;
	h->source = (uint8_t)src;
}

void kmmt_header_host(struct kmmt_header *h)
{
	struct utsname u;
	long ps = sysconf(_SC_PAGESIZE);

	if (!uname(&u)) {
		snprintf(h->kernel_release, sizeof(h->kernel_release), "%s", u.release);
		snprintf(h->machine, sizeof(h->machine), "%s", u.machine);
	}
	if (ps > 0)
		h->page_size = (uint32_t)ps;
	h->pointer_size = (uint8_t)sizeof(void *);
}

size_t kmmt_encode_header(const struct kmmt_header *h, uint8_t *b)
{
	memset(b, 0, KMMT_HEADER_LEN);
	memcpy(b, KMMT_MAGIC, 8);
	put16(b + 8, h->version_major);
	put16(b + 10, h->version_minor);
	put32(b + 12, KMMT_HEADER_LEN);
	put32(b + 16, h->flags);
	put32(b + 20, h->page_size);
	b[24] = h->pointer_size;
	b[25] = h->source;
	put32(b + 28, h->filter_kind);
	put32(b + 32, h->filter_pid);
	put32(b + 36, h->duration_s);
	put64(b + 40, h->filter_cgroup);
	memcpy(b + 48, h->filter_comm, KMMT_COMM_LEN);
	put32(b + 64, h->event_mask);
	put32(b + 68, h->nr_cpus);
	put32(b + 72, h->ringbuf_kb);
	put64(b + 80, h->start_ns);
	put64(b + 88, h->end_ns);
	put64(b + 96, h->record_count);
	put64(b + 104, h->lost_events);
	memcpy(b + 112, h->kernel_release, KMMT_RELEASE_LEN);
	memcpy(b + 192, h->machine, KMMT_MACHINE_LEN);
	memcpy(b + 208, h->tool, KMMT_TOOL_LEN);
	return KMMT_HEADER_LEN;
}

static bool header_valid(const struct kmmt_header *h, char *msg, size_t msz, size_t *off)
{
	*off = 0;
	if (h->version_major != KMMT_VERSION_MAJOR) {
		*off = 8;
		setmsg(msg, msz, "unsupported version %u.%u (this reader reads %u.x)",
		       h->version_major, h->version_minor, KMMT_VERSION_MAJOR);
		return false;
	}
	if (h->header_len < KMMT_HEADER_LEN || h->header_len > KMMT_HEADER_MAX ||
	    (h->header_len & 7)) {
		*off = 12;
		setmsg(msg, msz, "header length %u not a multiple of 8 in %u..%u",
		       h->header_len, KMMT_HEADER_LEN, KMMT_HEADER_MAX);
		return false;
	}
	if (h->version_minor <= KMMT_VERSION_MINOR && h->header_len != KMMT_HEADER_LEN) {
		/* only a newer minor version may have a longer header */
		*off = 12;
		setmsg(msg, msz, "header length %u in a version %u.%u file (expected %u)",
		       h->header_len, h->version_major, h->version_minor, KMMT_HEADER_LEN);
		return false;
	}
	if (h->flags & ~(uint32_t)KMMT_HF_ALL) {
		*off = 16;
		setmsg(msg, msz, "unknown header flags 0x%x", h->flags & ~(uint32_t)KMMT_HF_ALL);
		return false;
	}
	if (h->page_size < 512 || h->page_size > (1u << 24) ||
	    (h->page_size & (h->page_size - 1))) {
		*off = 20;
		setmsg(msg, msz, "page size %u not a power of two in 512..16M", h->page_size);
		return false;
	}
	if (h->pointer_size != 4 && h->pointer_size != 8) {
		*off = 24;
		setmsg(msg, msz, "pointer size %u not 4 or 8", h->pointer_size);
		return false;
	}
	if (!kmmt_source_name(h->source)) {
		*off = 25;
		setmsg(msg, msz, "unknown source %u", h->source);
		return false;
	}
	if (!kmmt_filter_name(h->filter_kind)) {
		*off = 28;
		setmsg(msg, msz, "unknown filter kind %u", h->filter_kind);
		return false;
	}
	if (!field_str_ok(h->filter_comm, KMMT_COMM_LEN)) {
		*off = 48;
		setmsg(msg, msz, "filter comm not NUL-terminated");
		return false;
	}
	if (h->event_mask & ~(((1u << KMMT_NR_TYPES) - 1) & ~1u)) {
		*off = 64;
		setmsg(msg, msz, "event mask 0x%x has unknown kinds", h->event_mask);
		return false;
	}
	if (!field_str_ok(h->kernel_release, KMMT_RELEASE_LEN)) {
		*off = 112;
		setmsg(msg, msz, "kernel release not NUL-terminated");
		return false;
	}
	if (!field_str_ok(h->machine, KMMT_MACHINE_LEN)) {
		*off = 192;
		setmsg(msg, msz, "machine not NUL-terminated");
		return false;
	}
	if (!field_str_ok(h->tool, KMMT_TOOL_LEN)) {
		*off = 208;
		setmsg(msg, msz, "tool not NUL-terminated");
		return false;
	}
	return true;
}

/* ---- writer ---- */
static void wbytes(struct kmmt_writer *w, const void *p, size_t n)
{
	if (w->error)
		return;
	if (fwrite(p, 1, n, w->f) != n)
		w->error = errno ? errno : EIO;
}

int kmmt_writer_open(struct kmmt_writer *w, FILE *f, const struct kmmt_header *h)
{
	uint8_t b[KMMT_HEADER_LEN];
	char msg[160];
	size_t off;

	memset(w, 0, sizeof(*w));
	w->f = f;
	w->hdr = *h;
	w->hdr.flags &= ~(uint32_t)KMMT_HF_COMPLETE;
	w->hdr.header_len = KMMT_HEADER_LEN;
	w->hdr.record_count = 0;
	if (!header_valid(&w->hdr, msg, sizeof(msg), &off)) {
		errno = EINVAL;
		return -1;
	}
	w->seekable = ftell(f) == 0;
	kmmt_encode_header(&w->hdr, b);
	wbytes(w, b, sizeof(b));
	if (w->error) {
		errno = w->error;
		return -1;
	}
	return 0;
}

int kmmt_write(struct kmmt_writer *w, const struct kmmt_record *r)
{
	uint8_t buf[KMMT_REC_MAX];
	size_t n = kmmt_encode(r, buf, NULL, 0);

	if (!n) {
		errno = EINVAL;
		return -1;
	}
	wbytes(w, buf, n);
	if (w->error) {
		errno = w->error;
		return -1;
	}
	w->records++;
	w->counts[r->type]++;
	if (r->type == KMMT_LOST)
		w->lost += r->lost.count;
	if (r->flags & KMMT_RF_HASHED)
		w->hdr.flags |= KMMT_HF_HASHED;
	return 0;
}

/* tid -> comm table: open addressing on a multiplicative hash of the tid. */
static struct kmmt_task_slot *task_slot(struct kmmt_writer *w, uint32_t tid)
{
	size_t mask = w->tasks_cap - 1, i = (size_t)(tid * 2654435761u) & mask;

	while (w->tasks[i].used && w->tasks[i].tid != tid)
		i = (i + 1) & mask;
	return &w->tasks[i];
}

int kmmt_write_task(struct kmmt_writer *w, uint32_t pid, uint32_t tid, uint32_t cpu,
		    uint64_t ts, const char *comm)
{
	struct kmmt_task_slot *s;
	struct kmmt_record r;

	if (w->tasks_used * 2 >= w->tasks_cap) {
		struct kmmt_task_slot *old = w->tasks;
		size_t ocap = w->tasks_cap;
		w->tasks_cap = ocap ? ocap * 2 : 256;
		w->tasks = calloc(w->tasks_cap, sizeof(*w->tasks));
		if (!w->tasks) {
			w->tasks = old;
			w->tasks_cap = ocap;
			errno = ENOMEM;
			return -1;
		}
		for (size_t i = 0; i < ocap; i++)
			if (old[i].used)
				*task_slot(w, old[i].tid) = old[i];
		free(old);
	}
	s = task_slot(w, tid);
	if (s->used && !strncmp(s->comm, comm, KMMT_COMM_LEN - 1))
		return 0;
	if (!s->used)
		w->tasks_used++;
	s->used = true;
	s->tid = tid;
	memset(s->comm, 0, KMMT_COMM_LEN);
	strncpy(s->comm, comm, KMMT_COMM_LEN - 1);
	memset(&r, 0, sizeof(r));
	r.type = KMMT_TASK;
	r.cpu = cpu;
	r.pid = pid;
	r.tid = tid;
	r.ts_ns = ts;
	memcpy(r.task.comm, s->comm, KMMT_COMM_LEN);
	return kmmt_write(w, &r);
}

int kmmt_writer_finish(struct kmmt_writer *w, uint64_t end_ns)
{
	uint8_t b[KMMT_HEADER_LEN];

	w->hdr.end_ns = end_ns;
	w->hdr.record_count = w->records;
	w->hdr.lost_events = w->lost;
	if (w->seekable && !w->error) {
		long pos = ftell(w->f);
		if (pos >= 0 && !fseek(w->f, 0, SEEK_SET)) {
			w->hdr.flags |= KMMT_HF_COMPLETE;
			kmmt_encode_header(&w->hdr, b);
			wbytes(w, b, sizeof(b));
			fseek(w->f, pos, SEEK_SET);
		}
	}
	if (!w->error && fflush(w->f))
		w->error = errno ? errno : EIO;
	if (w->error) {
		errno = w->error;
		return -1;
	}
	return 0;
}

void kmmt_writer_free(struct kmmt_writer *w)
{
	free(w->tasks);
	w->tasks = NULL;
	w->tasks_cap = w->tasks_used = 0;
}

/* ---- reader ---- */
int kmmt_reader_init(struct kmmt_reader *rd, const void *data, size_t len,
		     struct kmmt_error *err)
{
	const uint8_t *b = data;
	struct kmmt_header *h = &rd->hdr;
	char msg[160];
	size_t off;

	memset(rd, 0, sizeof(*rd));
	rd->data = data;
	rd->len = len;
	if (len < 8) {
		seterr(err, 0, "file too short for the magic (%zu bytes)", len);
		return -1;
	}
	if (memcmp(b, KMMT_MAGIC, 8)) {
		seterr(err, 0, "bad magic (not a kmmfuzz trace file)");
		return -1;
	}
	if (len < 16) {
		seterr(err, len, "truncated header: %zu of %u bytes", len, KMMT_HEADER_LEN);
		return -1;
	}
	h->version_major = get16(b + 8);
	h->version_minor = get16(b + 10);
	h->header_len = get32(b + 12);
	if (h->version_major != KMMT_VERSION_MAJOR) {
		seterr(err, 8, "unsupported version %u.%u (this reader reads %u.x)",
		       h->version_major, h->version_minor, KMMT_VERSION_MAJOR);
		return -1;
	}
	if (len < KMMT_HEADER_LEN || (h->header_len <= KMMT_HEADER_MAX && len < h->header_len)) {
		seterr(err, len, "truncated header: %zu of %u bytes", len,
		       h->header_len > KMMT_HEADER_LEN && h->header_len <= KMMT_HEADER_MAX
			       ? h->header_len : KMMT_HEADER_LEN);
		return -1;
	}
	h->flags = get32(b + 16);
	h->page_size = get32(b + 20);
	h->pointer_size = b[24];
	h->source = b[25];
	h->filter_kind = get32(b + 28);
	h->filter_pid = get32(b + 32);
	h->duration_s = get32(b + 36);
	h->filter_cgroup = get64(b + 40);
	memcpy(h->filter_comm, b + 48, KMMT_COMM_LEN);
	h->event_mask = get32(b + 64);
	h->nr_cpus = get32(b + 68);
	h->ringbuf_kb = get32(b + 72);
	h->start_ns = get64(b + 80);
	h->end_ns = get64(b + 88);
	h->record_count = get64(b + 96);
	h->lost_events = get64(b + 104);
	memcpy(h->kernel_release, b + 112, KMMT_RELEASE_LEN);
	memcpy(h->machine, b + 192, KMMT_MACHINE_LEN);
	memcpy(h->tool, b + 208, KMMT_TOOL_LEN);
	if (!header_valid(h, msg, sizeof(msg), &off)) {
		seterr(err, off, "%s", msg);
		return -1;
	}
	if (b[26] || b[27] || get32(b + 76) || !all_zero(b + 240, 16)) {
		seterr(err, b[26] || b[27] ? 26 : get32(b + 76) ? 76 : 240,
		       "reserved header field not zero");
		return -1;
	}
	rd->pos = h->header_len;
	return 0;
}

int kmmt_reader_next(struct kmmt_reader *rd, struct kmmt_record *r, struct kmmt_error *err)
{
	const uint8_t *p;
	size_t left, len, fixed;
	char msg[160];

	for (;;) {
		if (rd->done)
			return 0;
		left = rd->len - rd->pos;
		p = rd->data + rd->pos;
		if (!left) {
			const struct kmmt_header *h = &rd->hdr;
			if ((h->flags & KMMT_HF_COMPLETE) &&
			    h->record_count != rd->records + rd->skipped_unknown) {
				seterr(err, rd->pos, "header says %llu records but the file "
				       "holds %llu (truncated?)",
				       (unsigned long long)h->record_count,
				       (unsigned long long)(rd->records + rd->skipped_unknown));
				return -1;
			}
			rd->done = true;
			return 0;
		}
		if (left < KMMT_REC_HDR_LEN) {
			seterr(err, rd->pos, "truncated record header: %zu of %u bytes",
			       left, KMMT_REC_HDR_LEN);
			return -1;
		}
		len = get32(p);
		/* the header and the small kinds; strings are set when decoded */
		memset(r, 0, offsetof(struct kmmt_record, alloc) + sizeof(r->alloc));
		r->type = get16(p + 4);
		r->flags = get16(p + 6);
		if (len < KMMT_REC_HDR_LEN || len > KMMT_REC_MAX || (len & 7)) {
			seterr(err, rd->pos, "record length %zu not a multiple of 8 in %u..%u",
			       len, KMMT_REC_HDR_LEN, KMMT_REC_MAX);
			return -1;
		}
		if (len > left) {
			seterr(err, rd->pos, "truncated record: length %zu but %zu bytes left",
			       len, left);
			return -1;
		}
		if (!kmmt_type_name(r->type)) {
			if (rd->hdr.version_minor > KMMT_VERSION_MINOR && r->type >= KMMT_NR_TYPES) {
				/* a kind from a newer minor version: skip it */
				rd->pos += len;
				rd->skipped_unknown++;
				continue;
			}
			seterr(err, rd->pos + 4, "unknown record type %u", r->type);
			return -1;
		}
		fixed = kinds[r->type].payload & ~VAR_LEN;
		if ((kinds[r->type].payload & VAR_LEN) ? len < KMMT_REC_HDR_LEN + fixed
						       : len != pad8(KMMT_REC_HDR_LEN + fixed)) {
			seterr(err, rd->pos, "%s record: length %zu, expected %s%zu",
			       kmmt_type_name(r->type), len,
			       (kinds[r->type].payload & VAR_LEN) ? "at least " : "",
			       pad8(KMMT_REC_HDR_LEN + fixed));
			return -1;
		}
		if (get32(p + 20)) {
			seterr(err, rd->pos + 20, "record reserved field not zero");
			return -1;
		}
		r->cpu = get32(p + 8);
		r->pid = get32(p + 12);
		r->tid = get32(p + 16);
		r->ts_ns = get64(p + 24);
		if (!decode_payload(r, p + KMMT_REC_HDR_LEN, len - KMMT_REC_HDR_LEN, msg,
				    sizeof(msg))) {
			seterr(err, rd->pos, "%s", msg);
			return -1;
		}
		rd->pos += len;
		rd->records++;
		return 1;
	}
}

int kmmt_read_file(const char *path, uint8_t **data, size_t *len, struct kmmt_error *err)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0;

	*data = NULL;
	*len = 0;
	if (!f) {
		seterr(err, 0, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 1 << 16;
			uint8_t *nb = realloc(buf, ncap);
			if (!nb) {
				free(buf);
				fclose(f);
				seterr(err, n, "%s: out of memory", path);
				return -1;
			}
			buf = nb;
			cap = ncap;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0) {
			if (ferror(f)) {
				seterr(err, n, "%s: read error: %s", path, strerror(errno));
				free(buf);
				fclose(f);
				return -1;
			}
			break;
		}
	}
	fclose(f);
	*data = buf;
	*len = n;
	return 0;
}
