/* test_trace_format.c — the trace file: every record kind round-trips
 * through the writer and the reader, the writer refuses what the reader
 * would refuse, gfp names map to the kernel's bit values, and malformed
 * files (truncated, bad magic, bad version, huge lengths, flipped bytes)
 * are reported with the byte offset and what is wrong, never a crash.
 *
 * Expected gfp values are the kernel's own (include/linux/gfp_types.h,
 * 5.x/6.x): GFP_KERNEL 0xcc0, GFP_KERNEL_ACCOUNT 0x400cc0,
 * GFP_HIGHUSER_MOVABLE 0x100cca, GFP_ATOMIC 0x820 (6.3+), GFP_NOFS 0xc40,
 * GFP_NOIO 0xc00, GFP_NOWAIT 0x800, __GFP_ZERO 0x100, __GFP_COMP 0x40000.
 */
#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include "test.h"
#include "trace_format.h"

/* ---- helpers ---- */
static void base(struct kmmt_record *r, uint16_t type, uint32_t i)
{
	memset(r, 0, sizeof(*r));
	r->type = type;
	r->cpu = i % 7;
	r->pid = 1000 + i;
	r->tid = 2000 + i;
	r->ts_ns = 5000000000ull + i * 1234567ull;
}

/* one record of every kind, with values that exercise each field */
static size_t make_all(struct kmmt_record *v)
{
	size_t n = 0;
	struct kmmt_record *r;

	r = &v[n]; base(r, KMMT_KMALLOC, (uint32_t)n++);
	r->alloc.call_site = 0xffffffff8123abcdull;
	r->alloc.ptr = 0xffff888106b25000ull;
	r->alloc.bytes_req = 408;
	r->alloc.bytes_alloc = 512;
	r->alloc.gfp = 0xdc0;
	r->alloc.node = -1;
	r->flags = KMMT_RF_ACCOUNTED;

	r = &v[n]; base(r, KMMT_KFREE, (uint32_t)n++);
	r->free.call_site = 0xffffffff81000010ull;
	r->free.ptr = 0xd1985552;
	r->flags = KMMT_RF_HASHED | KMMT_RF_SYMBOLIC;

	r = &v[n]; base(r, KMMT_CACHE_ALLOC, (uint32_t)n++);
	r->alloc.ptr = 0xffff88810aaade40ull;
	r->alloc.bytes_req = 184;
	r->alloc.bytes_alloc = 192;
	r->alloc.gfp = 0xcc0;
	r->alloc.node = 3;
	strcpy(r->alloc.name, "0123456789012345678901234567890"); /* 31: the maximum */

	r = &v[n]; base(r, KMMT_CACHE_FREE, (uint32_t)n++);
	r->free.ptr = 0xffff88810aaade40ull;
	strcpy(r->free.name, "vm_area_struct");

	r = &v[n]; base(r, KMMT_PAGE_ALLOC, (uint32_t)n++);
	r->page.pfn = 0x126b4a;
	r->page.order = 3;
	r->page.migratetype = 1;
	r->page.gfp = 0x140dca;

	r = &v[n]; base(r, KMMT_PAGE_ALLOC, (uint32_t)n++);
	r->page.pfn = UINT64_MAX;
	r->page.order = 10;
	r->page.migratetype = -1;
	r->flags = KMMT_RF_FAILED;

	r = &v[n]; base(r, KMMT_PAGE_FREE, (uint32_t)n++);
	r->page.pfn = 0xffffea0001234560ull;
	r->page.order = KMMT_MAX_ORDER;
	r->flags = KMMT_RF_PAGE_PTR;

	r = &v[n]; base(r, KMMT_PAGE_FREE_BATCHED, (uint32_t)n++);
	r->page.pfn = 1;

	r = &v[n]; base(r, KMMT_FAULT_USER, (uint32_t)n++);
	r->fault.address = 0x555fe748b008ull;
	r->fault.ip = 0x7f9c683f2109ull;
	r->fault.error_code = 6;

	r = &v[n]; base(r, KMMT_FAULT_KERNEL, (uint32_t)n++);
	r->fault.address = 0x7ffcd36b3709ull;
	r->fault.error_code = 2;
	r->flags = KMMT_RF_SYMBOLIC;

	r = &v[n]; base(r, KMMT_SYS_ENTER, (uint32_t)n++);
	r->sys_enter.nr = KMMT_SYS_MMAP;
	for (int i = 0; i < 6; i++)
		r->sys_enter.args[i] = 0x1111111111111111ull * (uint64_t)(i + 1);

	r = &v[n]; base(r, KMMT_SYS_EXIT, (uint32_t)n++);
	r->sys_exit.nr = KMMT_SYS_MREMAP;
	r->sys_exit.ret = -14;

	r = &v[n]; base(r, KMMT_FORK, (uint32_t)n++);
	r->fork.parent_pid = 100;
	r->fork.child_pid = 101;
	r->fork.child_tgid = 100;
	r->fork.clone_flags = KMMT_CLONE_VM | KMMT_CLONE_THREAD;

	r = &v[n]; base(r, KMMT_EXIT, (uint32_t)n++);
	r->exit.group_dead = 255;
	r->exit.exit_code = -9;

	r = &v[n]; base(r, KMMT_EXEC, (uint32_t)n++);
	r->exec.pid = 7;
	r->exec.old_pid = 8;
	memset(r->exec.filename, 'f', KMMT_PATH_MAX - 1); /* the longest path */
	r->exec.filename[0] = '/';

	r = &v[n]; base(r, KMMT_EXEC, (uint32_t)n++);
	r->exec.pid = 9;      /* empty filename: a zero-length string */

	r = &v[n]; base(r, KMMT_LOST, (uint32_t)n++);
	r->lost.count = 123456789012ull;
	r->lost.event_type = KMMT_PAGE_ALLOC;

	r = &v[n]; base(r, KMMT_MAPS, (uint32_t)n++);
	r->maps.start = 0x7f7d54add000ull;
	r->maps.end = 0x7f7d54ade000ull;
	r->maps.pgoff = 0x27000;
	r->maps.inode = 332383;
	r->maps.dev_major = 0xfe;
	r->maps.dev_minor = 1;
	r->maps.prot = KMMT_PROT_READ | KMMT_PROT_EXEC;
	strcpy(r->maps.path, "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 (deleted)");

	r = &v[n]; base(r, KMMT_TASK, (uint32_t)n++);
	strcpy(r->task.comm, "kmm-trace-workl");
	return n;
}

static int rec_eq(const struct kmmt_record *a, const struct kmmt_record *b)
{
	ASSERT_EQ(a->type, b->type);
	ASSERT_EQ(a->flags, b->flags);
	ASSERT_EQ(a->cpu, b->cpu);
	ASSERT_EQ(a->pid, b->pid);
	ASSERT_EQ(a->tid, b->tid);
	ASSERT_EQ(a->ts_ns, b->ts_ns);
	switch (a->type) {
	case KMMT_EXEC:
		ASSERT_EQ(a->exec.pid, b->exec.pid);
		ASSERT_EQ(a->exec.old_pid, b->exec.old_pid);
		ASSERT_EQ(strcmp(a->exec.filename, b->exec.filename), 0);
		return 0;
	case KMMT_MAPS:
		ASSERT_EQ(a->maps.start, b->maps.start);
		ASSERT_EQ(a->maps.end, b->maps.end);
		ASSERT_EQ(a->maps.pgoff, b->maps.pgoff);
		ASSERT_EQ(a->maps.inode, b->maps.inode);
		ASSERT_EQ(a->maps.dev_major, b->maps.dev_major);
		ASSERT_EQ(a->maps.dev_minor, b->maps.dev_minor);
		ASSERT_EQ(a->maps.prot, b->maps.prot);
		ASSERT_EQ(strcmp(a->maps.path, b->maps.path), 0);
		return 0;
	default:
		/* every other kind fits in the alloc member of the union */
		ASSERT_EQ(memcmp(&a->alloc, &b->alloc, sizeof(a->alloc)), 0);
		return 0;
	}
}

/* writes v[0..n) with a header to a buffer (through a tmpfile) */
static uint8_t *write_file(const struct kmmt_record *v, size_t n, size_t *len,
			   struct kmmt_header *h)
{
	FILE *f = tmpfile();
	struct kmmt_writer w;
	uint8_t *buf;
	long sz;

	if (!f)
		return NULL;
	kmmt_header_init(h, KMMT_SRC_OTHER);
	kmmt_header_host(h);
	h->filter_kind = KMMT_FILTER_PID;
	h->filter_pid = 4242;
	h->duration_s = 9;
	h->event_mask = (1u << KMMT_KMALLOC) | (1u << KMMT_MAPS);
	h->nr_cpus = 8;
	h->ringbuf_kb = 4096;
	h->start_ns = 77;
	strcpy(h->tool, "test");
	if (kmmt_writer_open(&w, f, h))
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (kmmt_write(&w, &v[i]))
			return NULL;
	if (kmmt_writer_finish(&w, 88))
		return NULL;
	kmmt_writer_free(&w);
	sz = ftell(f);
	buf = malloc((size_t)sz);
	rewind(f);
	if (!buf || fread(buf, 1, (size_t)sz, f) != (size_t)sz)
		return NULL;
	fclose(f);
	*len = (size_t)sz;
	return buf;
}

#define NREC 32

/* ---- round trip ---- */
static int test_roundtrip_every_kind(void)
{
	static struct kmmt_record v[NREC], got;
	struct kmmt_header h;
	struct kmmt_reader rd;
	struct kmmt_error err;
	size_t n = make_all(v), len;
	uint8_t *buf = write_file(v, n, &len, &h);

	ASSERT_TRUE(buf != NULL);
	ASSERT_EQ(kmmt_reader_init(&rd, buf, len, &err), 0);
	/* the header as written, completed by finish */
	ASSERT_EQ(rd.hdr.version_major, KMMT_VERSION_MAJOR);
	ASSERT_EQ(rd.hdr.version_minor, KMMT_VERSION_MINOR);
	ASSERT_EQ(rd.hdr.flags, KMMT_HF_COMPLETE | KMMT_HF_HASHED);
	ASSERT_EQ(rd.hdr.source, KMMT_SRC_OTHER);
	ASSERT_EQ(rd.hdr.filter_kind, KMMT_FILTER_PID);
	ASSERT_EQ(rd.hdr.filter_pid, 4242);
	ASSERT_EQ(rd.hdr.duration_s, 9);
	ASSERT_EQ(rd.hdr.event_mask, h.event_mask);
	ASSERT_EQ(rd.hdr.nr_cpus, 8);
	ASSERT_EQ(rd.hdr.ringbuf_kb, 4096);
	ASSERT_EQ(rd.hdr.start_ns, 77);
	ASSERT_EQ(rd.hdr.end_ns, 88);
	ASSERT_EQ(rd.hdr.record_count, n);
	ASSERT_EQ(rd.hdr.lost_events, 123456789012ull);
	ASSERT_EQ(rd.hdr.page_size, (uint32_t)sysconf(_SC_PAGESIZE));
	ASSERT_EQ(rd.hdr.pointer_size, sizeof(void *));
	ASSERT_EQ(strcmp(rd.hdr.kernel_release, h.kernel_release), 0);
	ASSERT_EQ(strcmp(rd.hdr.tool, "test"), 0);
	for (size_t i = 0; i < n; i++) {
		ASSERT_EQ(kmmt_reader_next(&rd, &got, &err), 1);
		if (rec_eq(&v[i], &got)) {
			fprintf(stderr, "record %zu (%s) differs\n", i, kmmt_type_name(v[i].type));
			return 1;
		}
	}
	ASSERT_EQ(kmmt_reader_next(&rd, &got, &err), 0);
	ASSERT_EQ(rd.pos, len);
	/* records are 8-byte multiples: the whole file is too */
	ASSERT_EQ(len % 8, 0);
	free(buf);
	return 0;
}

/* fixed kinds have the size FORMAT.md gives: 32-byte header + payload */
static int test_record_sizes(void)
{
	static const struct { uint16_t type; size_t len; } sizes[] = {
		{KMMT_KMALLOC, 80}, {KMMT_KFREE, 48}, {KMMT_CACHE_ALLOC, 112},
		{KMMT_CACHE_FREE, 80}, {KMMT_PAGE_ALLOC, 56}, {KMMT_PAGE_FREE, 48},
		{KMMT_PAGE_FREE_BATCHED, 40}, {KMMT_FAULT_USER, 56}, {KMMT_FAULT_KERNEL, 56},
		{KMMT_SYS_ENTER, 88}, {KMMT_SYS_EXIT, 48}, {KMMT_FORK, 48}, {KMMT_EXIT, 40},
		{KMMT_LOST, 48}, {KMMT_TASK, 48},
	};
	static struct kmmt_record v[NREC];
	static uint8_t buf[KMMT_REC_MAX];
	size_t n = make_all(v);

	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++)
		for (size_t i = 0; i < n; i++)
			if (v[i].type == sizes[k].type)
				ASSERT_EQ(kmmt_encode(&v[i], buf, NULL, 0), sizes[k].len);
	/* strings: 48 + path, padded to 8 (MAPS); 48 + name (EXEC) */
	for (size_t i = 0; i < n; i++) {
		if (v[i].type == KMMT_MAPS)
			ASSERT_EQ(kmmt_encode(&v[i], buf, NULL, 0),
				  (32 + 48 + strlen(v[i].maps.path) + 7) / 8 * 8);
		if (v[i].type == KMMT_EXEC)
			ASSERT_EQ(kmmt_encode(&v[i], buf, NULL, 0),
				  (32 + 16 + strlen(v[i].exec.filename) + 7) / 8 * 8);
	}
	return 0;
}

/* the writer refuses, with EINVAL, every record the reader would refuse */
static int test_writer_refuses_invalid(void)
{
	static struct kmmt_record v[NREC], r;
	struct kmmt_header h;
	struct kmmt_writer w;
	FILE *f = tmpfile();
	size_t n = make_all(v);
	char msg[200];
	static uint8_t buf[KMMT_REC_MAX];
	static const struct {
		uint16_t type;
		const char *want;
	} cases[] = {
		{KMMT_PAGE_ALLOC, "order 21 above 20"},
		{KMMT_PAGE_ALLOC, "migratetype 16 out of range"},
		{KMMT_SYS_ENTER, "unknown syscall 6"},
		{KMMT_SYS_EXIT, "unknown syscall 0"},
		{KMMT_CACHE_ALLOC, "cache name not NUL-terminated"},
		{KMMT_CACHE_FREE, "empty cache name"},
		{KMMT_KFREE, "flags 0x8 not allowed"},
		{KMMT_EXIT, "group_dead 2"},
		{KMMT_FORK, "unknown clone flags 0x8"},
		{KMMT_LOST, "count 0"},
		{KMMT_LOST, "bad event type 15"},
		{KMMT_MAPS, "not below end"},
		{KMMT_MAPS, "unknown prot bits 0x10"},
		{KMMT_TASK, "comm not NUL-terminated"},
		{99, "unknown record type 99"},
	};

	ASSERT_TRUE(f != NULL);
	kmmt_header_init(&h, KMMT_SRC_OTHER);
	ASSERT_EQ(kmmt_writer_open(&w, f, &h), 0);
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		base(&r, cases[c].type, 0);
		for (size_t i = 0; i < n; i++)
			if (v[i].type == cases[c].type) {
				r = v[i];
				break;
			}
		switch (c) {   /* break case c's field */
		case 0: r.page.order = 21; break;
		case 1: r.page.migratetype = 16; break;
		case 2: r.sys_enter.nr = 6; break;
		case 3: r.sys_exit.nr = 0; break;
		case 4: memset(r.alloc.name, 'a', KMMT_NAME_LEN); break;
		case 5: memset(r.free.name, 0, KMMT_NAME_LEN); break;
		case 6: r.flags = KMMT_RF_NODE_EVENT; break;
		case 7: r.exit.group_dead = 2; break;
		case 8: r.fork.clone_flags = 8; break;
		case 9: r.lost.count = 0; break;
		case 10: r.lost.event_type = KMMT_LOST; break;
		case 11: r.maps.end = r.maps.start; break;
		case 12: r.maps.prot = 0x10; break;
		case 13: memset(r.task.comm, 'c', KMMT_COMM_LEN); break;
		default: break;
		}
		msg[0] = 0;
		ASSERT_EQ(kmmt_encode(&r, buf, msg, sizeof(msg)), 0);
		ASSERT_STR_CONTAINS(msg, cases[c].want);
		errno = 0;
		ASSERT_EQ(kmmt_write(&w, &r), -1);
		ASSERT_EQ(errno, EINVAL);
	}
	/* nothing was written past the header */
	ASSERT_EQ(w.records, 0);
	ASSERT_EQ(ftell(f), KMMT_HEADER_LEN);
	kmmt_writer_free(&w);
	fclose(f);
	return 0;
}

/* a pipe cannot be rewritten: the header stays incomplete, still readable */
static int test_pipe_output_incomplete_header(void)
{
	static struct kmmt_record v[NREC], got;
	static uint8_t buf[1 << 16];
	struct kmmt_header h;
	struct kmmt_writer w;
	struct kmmt_reader rd;
	struct kmmt_error err;
	size_t n = make_all(v), len = 0;
	int fds[2];
	FILE *f;
	ssize_t k;

	ASSERT_EQ(pipe(fds), 0);
	f = fdopen(fds[1], "w");
	kmmt_header_init(&h, KMMT_SRC_OTHER);
	ASSERT_EQ(kmmt_writer_open(&w, f, &h), 0);
	ASSERT_FALSE(w.seekable);
	for (size_t i = 0; i < 4; i++)
		ASSERT_EQ(kmmt_write(&w, &v[i]), 0);
	ASSERT_EQ(kmmt_writer_finish(&w, 1), 0);
	kmmt_writer_free(&w);
	fclose(f);
	while ((k = read(fds[0], buf + len, sizeof(buf) - len)) > 0)
		len += (size_t)k;
	close(fds[0]);
	ASSERT_EQ(kmmt_reader_init(&rd, buf, len, &err), 0);
	ASSERT_EQ(rd.hdr.flags & KMMT_HF_COMPLETE, 0);
	ASSERT_EQ(rd.hdr.record_count, 0);
	for (size_t i = 0; i < 4; i++)
		ASSERT_EQ(kmmt_reader_next(&rd, &got, &err), 1);
	ASSERT_EQ(kmmt_reader_next(&rd, &got, &err), 0);
	(void)n;
	return 0;
}

/* KMMT_TASK records: one per tid on first sight and when its comm changes */
static int test_task_dedup(void)
{
	static struct kmmt_record got;
	struct kmmt_header h;
	struct kmmt_writer w;
	struct kmmt_reader rd;
	struct kmmt_error err;
	FILE *f = tmpfile();
	static uint8_t buf[1 << 20];
	size_t len;
	unsigned tasks = 0;

	kmmt_header_init(&h, KMMT_SRC_OTHER);
	ASSERT_EQ(kmmt_writer_open(&w, f, &h), 0);
	/* 1000 tids (the table grows), each seen 3 times, tid 7 renamed */
	for (int round = 0; round < 3; round++)
		for (uint32_t tid = 1; tid <= 1000; tid++)
			ASSERT_EQ(kmmt_write_task(&w, tid, tid, 0, 0,
						  tid == 7 && round == 2 ? "renamed" : "bash"), 0);
	ASSERT_EQ(w.records, 1001);
	/* the extreme tids are ordinary keys: 0 (idle) and UINT32_MAX */
	for (int round = 0; round < 3; round++) {
		ASSERT_EQ(kmmt_write_task(&w, 0, 0, 0, 0, "swapper/0"), 0);
		ASSERT_EQ(kmmt_write_task(&w, 0, UINT32_MAX, 0, 0, "x"), 0);
	}
	ASSERT_EQ(w.records, 1003);
	ASSERT_EQ(w.tasks_used, 1002);
	ASSERT_EQ(kmmt_writer_finish(&w, 0), 0);
	kmmt_writer_free(&w);
	len = (size_t)ftell(f);
	rewind(f);
	ASSERT_EQ(fread(buf, 1, len, f), len);
	fclose(f);
	ASSERT_EQ(kmmt_reader_init(&rd, buf, len, &err), 0);
	while (kmmt_reader_next(&rd, &got, &err) == 1) {
		ASSERT_EQ(got.type, KMMT_TASK);
		if (++tasks == 1001) {   /* the rename, in the third round */
			ASSERT_EQ(got.tid, 7);
			ASSERT_EQ(strcmp(got.task.comm, "renamed"), 0);
		}
	}
	ASSERT_EQ(tasks, 1003);
	return 0;
}

/* ---- gfp ---- */
static int gfp_is(const char *s, uint64_t want, bool want_unknown)
{
	uint64_t g = 0xdead;
	bool unk = !want_unknown;

	ASSERT_EQ(kmmt_gfp_parse(s, strlen(s), &g, &unk), 0);
	if (g != want || unk != want_unknown)
		fprintf(stderr, "gfp '%s' -> 0x%llx unknown=%d\n", s, (unsigned long long)g, unk);
	ASSERT_EQ(g, want);
	ASSERT_EQ(unk, want_unknown);
	return 0;
}

static int test_gfp_names_kernel_values(void)
{
	ASSERT_EQ(gfp_is("GFP_KERNEL", 0xcc0, false), 0);
	ASSERT_EQ(gfp_is("GFP_KERNEL|__GFP_ZERO", 0xdc0, false), 0);
	ASSERT_EQ(gfp_is("GFP_KERNEL_ACCOUNT", 0x400cc0, false), 0);
	ASSERT_EQ(gfp_is("GFP_KERNEL_ACCOUNT|__GFP_ZERO|__GFP_COMP", 0x440dc0, false), 0);
	ASSERT_EQ(gfp_is("GFP_HIGHUSER_MOVABLE", 0x100cca, false), 0);
	ASSERT_EQ(gfp_is("GFP_HIGHUSER_MOVABLE|__GFP_ZERO|__GFP_COMP", 0x140dca, false), 0);
	ASSERT_EQ(gfp_is("GFP_ATOMIC", 0x820, false), 0);
	ASSERT_EQ(gfp_is("GFP_NOFS", 0xc40, false), 0);
	ASSERT_EQ(gfp_is("GFP_NOIO", 0xc00, false), 0);
	ASSERT_EQ(gfp_is("GFP_NOWAIT", 0x800, false), 0);
	ASSERT_EQ(gfp_is("none", 0, false), 0);
	/* 3.x spellings: single bits without the underscores, __GFP_WAIT */
	ASSERT_EQ(gfp_is("GFP_KERNEL|GFP_NOWARN|GFP_ZERO", 0x2dc0, false), 0);
	ASSERT_EQ(gfp_is("__GFP_WAIT|__GFP_IO|__GFP_FS", 0xcc0, false), 0);
	ASSERT_EQ(gfp_is("GFP_KERNEL|GFP_COLD|GFP_NOTRACK", 0xcc0, false), 0);
	/* leftovers the kernel printed as hex, and names nobody knows */
	ASSERT_EQ(gfp_is("GFP_KERNEL|0x1000000", 0x1000cc0, true), 0);
	ASSERT_EQ(gfp_is("GFP_KERNEL|__GFP_FROBNICATE", 0xcc0, true), 0);
	return 0;
}

static int test_gfp_syntax_errors(void)
{
	static const char *const bad[] = {"", "GFP_KERNEL|", "|GFP_KERNEL", "GFP_KERNEL||__GFP_ZERO",
					  "0xzz", "GFP KERNEL", "0x11112222333344445", "GFP_KERNEL,x"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t g;
		bool u;
		if (kmmt_gfp_parse(bad[i], strlen(bad[i]), &g, &u) != -1) {
			fprintf(stderr, "accepted '%s'\n", bad[i]);
			return 1;
		}
	}
	return 0;
}

/* printing is greedy like the kernel's __print_flags: what the kernel
 * printed in a real capture comes back out unchanged */
static int test_gfp_format_matches_kernel(void)
{
	static const char *const printed[] = {
		"GFP_KERNEL", "GFP_KERNEL|__GFP_ZERO", "GFP_NOWAIT", "GFP_KERNEL_ACCOUNT",
		"GFP_HIGHUSER_MOVABLE|__GFP_ZERO|__GFP_COMP", "GFP_KERNEL_ACCOUNT|__GFP_ZERO|__GFP_COMP",
		"GFP_ATOMIC|__GFP_NOWARN", "GFP_USER|__GFP_COMP", "GFP_TRANSHUGE", "none",
	};
	char buf[256];

	for (size_t i = 0; i < sizeof(printed) / sizeof(printed[0]); i++) {
		uint64_t g;
		bool u;
		ASSERT_EQ(kmmt_gfp_parse(printed[i], strlen(printed[i]), &g, &u), 0);
		kmmt_gfp_format(g, buf, sizeof(buf));
		if (strcmp(buf, printed[i])) {
			fprintf(stderr, "'%s' printed back as '%s'\n", printed[i], buf);
			return 1;
		}
	}
	kmmt_gfp_format(0x1000cc0, buf, sizeof(buf));
	ASSERT_EQ(strcmp(buf, "GFP_KERNEL|0x1000000"), 0);
	return 0;
}

/* ---- malformed files ---- */
static int expect_bad(const uint8_t *buf, size_t len, size_t off, const char *want)
{
	static struct kmmt_record r;
	struct kmmt_reader rd;
	struct kmmt_error err = {0};
	int ret = kmmt_reader_init(&rd, buf, len, &err);

	if (!ret)
		while ((ret = kmmt_reader_next(&rd, &r, &err)) == 1)
			;
	if (ret != -1 || err.offset != off || !strstr(err.msg, want)) {
		fprintf(stderr, "want -1 at %zu '%s', got %d at %zu '%s'\n", off, want, ret,
			err.offset, err.msg);
		return 1;
	}
	return 0;
}

static void put32le(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static int read_ok(const uint8_t *buf, size_t len)
{
	static struct kmmt_record r;
	struct kmmt_reader rd;
	struct kmmt_error err = {0};
	int ret = kmmt_reader_init(&rd, buf, len, &err);

	if (!ret)
		while ((ret = kmmt_reader_next(&rd, &r, &err)) == 1)
			;
	if (ret)
		fprintf(stderr, "unexpected error at %zu: %s\n", err.offset, err.msg);
	return ret;
}

static int test_malformed_headers(void)
{
	static struct kmmt_record v[NREC];
	struct kmmt_header h;
	size_t len, n = make_all(v);
	uint8_t *good = write_file(v, n, &len, &h), *b = malloc(len);

	ASSERT_TRUE(good && b);
	ASSERT_EQ(expect_bad(good, 0, 0, "too short for the magic"), 0);
	ASSERT_EQ(expect_bad(good, 5, 0, "too short for the magic"), 0);
	memcpy(b, good, len);
	b[0] = 'X';
	ASSERT_EQ(expect_bad(b, len, 0, "bad magic"), 0);
	memcpy(b, good, len);
	b[8] = 2;
	ASSERT_EQ(expect_bad(b, len, 8, "unsupported version 2.0"), 0);
	b[8] = 0;
	ASSERT_EQ(expect_bad(b, len, 8, "unsupported version 0.0"), 0);
	ASSERT_EQ(expect_bad(good, 100, 100, "truncated header: 100 of 256"), 0);
	memcpy(b, good, len);
	put32le(b + 12, 0xfffffff8);
	ASSERT_EQ(expect_bad(b, len, 12, "header length 4294967288"), 0);
	memcpy(b, good, len);
	put32le(b + 12, 4096);
	ASSERT_EQ(expect_bad(b, 3000, 3000, "truncated header: 3000 of 4096"), 0);
	ASSERT_EQ(expect_bad(b, len, 12, "header length 4096 in a version 1.0 file"), 0);
	memcpy(b, good, len);
	put32le(b + 20, 3000);
	ASSERT_EQ(expect_bad(b, len, 20, "page size 3000"), 0);
	memcpy(b, good, len);
	b[24] = 5;
	ASSERT_EQ(expect_bad(b, len, 24, "pointer size 5"), 0);
	memcpy(b, good, len);
	b[25] = 9;
	ASSERT_EQ(expect_bad(b, len, 25, "unknown source 9"), 0);
	memcpy(b, good, len);
	put32le(b + 16, 0x80);
	ASSERT_EQ(expect_bad(b, len, 16, "unknown header flags 0x80"), 0);
	memcpy(b, good, len);
	memset(b + 112, 'k', KMMT_RELEASE_LEN);
	ASSERT_EQ(expect_bad(b, len, 112, "kernel release not NUL-terminated"), 0);
	memcpy(b, good, len);
	b[250] = 1;
	ASSERT_EQ(expect_bad(b, len, 240, "reserved header field"), 0);
	free(good);
	free(b);
	return 0;
}

static int test_malformed_records(void)
{
	static struct kmmt_record v[NREC];
	struct kmmt_header h;
	size_t len, n = make_all(v);
	uint8_t *good = write_file(v, n, &len, &h), *b = malloc(len + 64);
	const size_t R = KMMT_HEADER_LEN;   /* the first record: a kmalloc */

	ASSERT_TRUE(good && b);
	memcpy(b, good, len);
	put32le(b + R, 0xfffffff0);
	ASSERT_EQ(expect_bad(b, len, R, "record length 4294967280"), 0);
	memcpy(b, good, len);
	put32le(b + R, 8);
	ASSERT_EQ(expect_bad(b, len, R, "record length 8"), 0);
	memcpy(b, good, len);
	put32le(b + R, 81);
	ASSERT_EQ(expect_bad(b, len, R, "not a multiple of 8"), 0);
	memcpy(b, good, len);
	put32le(b + R, 88);
	ASSERT_EQ(expect_bad(b, len, R, "kmalloc record: length 88, expected 80"), 0);
	memcpy(b, good, len);
	b[R + 4] = 99;
	ASSERT_EQ(expect_bad(b, len, R + 4, "unknown record type 99"), 0);
	memcpy(b, good, len);
	b[R + 7] = 0x80;
	ASSERT_EQ(expect_bad(b, len, R, "flags 0x8000 not allowed"), 0);
	memcpy(b, good, len);
	b[R + 20] = 1;
	ASSERT_EQ(expect_bad(b, len, R + 20, "record reserved field"), 0);
	memcpy(b, good, len);
	b[R + 32 + 44] = 1;   /* kmalloc's reserved word after node */
	ASSERT_EQ(expect_bad(b, len, R, "kmalloc record: reserved field not zero"), 0);
	/* a truncated last record, and a file cut at a record boundary */
	{
		/* find the last record start, then cut inside it */
		size_t pos = R, last = R;
		while (pos < len) {
			last = pos;
			pos += (size_t)(good[pos] | good[pos + 1] << 8 | good[pos + 2] << 16);
		}
		ASSERT_EQ(expect_bad(good, len - 8, last, "truncated record: length"), 0);
		ASSERT_EQ(expect_bad(good, last + 10, last, "truncated record header: 10 of 32"), 0);
		ASSERT_EQ(expect_bad(good, last, last, "header says 19 records but the file holds 18"), 0);
	}
	free(good);
	free(b);
	return 0;
}

/* corrupt strings in the variable-length kinds */
static int test_malformed_strings(void)
{
	static struct kmmt_record r;
	static uint8_t rec[KMMT_REC_MAX], file[KMMT_HEADER_LEN + KMMT_REC_MAX];
	struct kmmt_header h;
	size_t n;

	kmmt_header_init(&h, KMMT_SRC_OTHER);
	kmmt_encode_header(&h, file);
	base(&r, KMMT_MAPS, 1);
	r.maps.start = 0x1000;
	r.maps.end = 0x2000;
	strcpy(r.maps.path, "/bin/true");   /* 9 bytes: 80 + 9 -> 96 */
	n = kmmt_encode(&r, rec, NULL, 0);
	ASSERT_EQ(n, 96);
	memcpy(file + KMMT_HEADER_LEN, rec, n);
	ASSERT_EQ(read_ok(file, KMMT_HEADER_LEN + n), 0);
	file[KMMT_HEADER_LEN + 80 + 3] = 0;
	ASSERT_EQ(expect_bad(file, KMMT_HEADER_LEN + n, KMMT_HEADER_LEN,
			     "NUL byte inside the string"), 0);
	memcpy(file + KMMT_HEADER_LEN, rec, n);
	file[KMMT_HEADER_LEN + 95] = 'x';
	ASSERT_EQ(expect_bad(file, KMMT_HEADER_LEN + n, KMMT_HEADER_LEN, "nonzero padding"), 0);
	memcpy(file + KMMT_HEADER_LEN, rec, n);
	put32le(file + KMMT_HEADER_LEN + 32 + 44, 17);   /* path_len past the record */
	ASSERT_EQ(expect_bad(file, KMMT_HEADER_LEN + n, KMMT_HEADER_LEN,
			     "string length 17 does not match record length 96"), 0);
	put32le(file + KMMT_HEADER_LEN + 32 + 44, 0xffffffff);
	ASSERT_EQ(expect_bad(file, KMMT_HEADER_LEN + n, KMMT_HEADER_LEN,
			     "string length 4294967295"), 0);
	return 0;
}

/* a record kind from a newer minor version is skipped, not an error */
static int test_newer_minor_skips_unknown_kind(void)
{
	static struct kmmt_record r, got;
	static uint8_t file[KMMT_HEADER_LEN + 256];
	struct kmmt_header h;
	struct kmmt_reader rd;
	struct kmmt_error err;
	size_t n, pos = KMMT_HEADER_LEN;

	kmmt_header_init(&h, KMMT_SRC_OTHER);
	h.version_minor = KMMT_VERSION_MINOR + 1;
	kmmt_encode_header(&h, file);
	memset(file + pos, 0, 40);
	put32le(file + pos, 40);
	file[pos + 4] = 200;          /* a kind this reader does not know */
	pos += 40;
	base(&r, KMMT_TASK, 1);
	strcpy(r.task.comm, "x");
	n = kmmt_encode(&r, file + pos, NULL, 0);
	pos += n;
	ASSERT_EQ(kmmt_reader_init(&rd, file, pos, &err), 0);
	ASSERT_EQ(kmmt_reader_next(&rd, &got, &err), 1);
	ASSERT_EQ(got.type, KMMT_TASK);
	ASSERT_EQ(rd.skipped_unknown, 1);
	ASSERT_EQ(kmmt_reader_next(&rd, &got, &err), 0);
	/* the same file as version 1.0 is malformed */
	file[10] = (uint8_t)KMMT_VERSION_MINOR;
	ASSERT_EQ(expect_bad(file, pos, KMMT_HEADER_LEN + 4, "unknown record type 200"), 0);
	return 0;
}

/* every prefix of a valid file: an error exactly where the data ends
 * (complete header: the record count catches a cut at a boundary) */
static int test_every_truncation(void)
{
	static struct kmmt_record v[NREC], r;
	struct kmmt_header h;
	size_t len, n = make_all(v);
	uint8_t *good = write_file(v, n, &len, &h);

	ASSERT_TRUE(good != NULL);
	for (size_t cut = 0; cut < len; cut++) {
		uint8_t *b = malloc(cut ? cut : 1);   /* exact size: ASan sees overreads */
		struct kmmt_reader rd;
		struct kmmt_error err;
		int ret;
		memcpy(b, good, cut);
		ret = kmmt_reader_init(&rd, b, cut, &err);
		if (!ret)
			while ((ret = kmmt_reader_next(&rd, &r, &err)) == 1)
				;
		free(b);
		if (ret != -1 || err.offset > cut) {
			fprintf(stderr, "cut at %zu: ret %d offset %zu %s\n", cut, ret, err.offset,
				err.msg);
			return 1;
		}
	}
	free(good);
	return 0;
}

/* random corruption never crashes and never reports past the end */
static int test_byte_flips(void)
{
	static struct kmmt_record v[NREC], r;
	struct kmmt_header h;
	size_t len, n = make_all(v);
	uint8_t *good, *b;
	uint64_t s = 0x9e3779b97f4a7c15ull;

	/* a short filename: flips inside a long string are valid strings */
	for (size_t i = 0; i < n; i++)
		if (v[i].type == KMMT_EXEC)
			strcpy(v[i].exec.filename, "/bin/true");
	good = write_file(v, n, &len, &h);
	b = malloc(len);
	unsigned errors = 0;

	ASSERT_TRUE(good && b);
	for (int iter = 0; iter < 20000; iter++) {
		struct kmmt_reader rd;
		struct kmmt_error err;
		int ret, flips;
		memcpy(b, good, len);
		s = s * 6364136223846793005ull + 1442695040888963407ull;
		flips = 1 + (int)(s >> 60) % 4;
		for (int f = 0; f < flips; f++) {
			s = s * 6364136223846793005ull + 1442695040888963407ull;
			b[(s >> 33) % len] ^= (uint8_t)(1u << ((s >> 20) & 7));
		}
		ret = kmmt_reader_init(&rd, b, len, &err);
		if (!ret)
			while ((ret = kmmt_reader_next(&rd, &r, &err)) == 1)
				;
		if (ret == -1) {
			errors++;
			ASSERT_LE(err.offset, len);
			ASSERT_TRUE(err.msg[0] != 0);
		}
	}
	/* most flips land in checked fields: the reader notices them */
	ASSERT_GE(errors, 10000);
	free(good);
	free(b);
	return 0;
}

/* the dump prints one line per record, with the kind's fields */
static int test_dump_text(void)
{
	static struct kmmt_record v[NREC];
	size_t n = make_all(v);
	char *text = NULL;
	size_t tl = 0;
	FILE *f = open_memstream(&text, &tl);

	for (size_t i = 0; i < n; i++)
		kmmt_dump_record(f, &v[i]);
	fclose(f);
	ASSERT_STR_CONTAINS(text, "5.000000000 [000] 1000/2000 kmalloc: call_site=0xffffffff8123abcd "
			    "ptr=0xffff888106b25000 bytes_req=408 bytes_alloc=512 "
			    "gfp=0xdc0(GFP_KERNEL|__GFP_ZERO) node=-1 flags=accounted\n");
	ASSERT_STR_CONTAINS(text, "mm_page_alloc: pfn=0x126b4a order=3 migratetype=1 "
			    "gfp=0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_ZERO|__GFP_COMP)\n");
	ASSERT_STR_CONTAINS(text, "sys_enter: mmap(0x1111111111111111, 0x2222222222222222, "
			    "0x3333333333333333, 0x4444444444444444, 0x5555555555555555, "
			    "0x6666666666666666)\n");
	ASSERT_STR_CONTAINS(text, "sys_exit: mremap -> 0xfffffffffffffff2 (-14)\n");
	ASSERT_STR_CONTAINS(text, "maps: 7f7d54add000-7f7d54ade000 r-xp 00027000 fe:01 332383 "
			    "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 (deleted)\n");
	ASSERT_STR_CONTAINS(text, "lost: count=123456789012 kind=mm_page_alloc\n");
	{
		size_t lines = 0;
		for (char *p = text; *p; p++)
			lines += *p == '\n';
		ASSERT_EQ(lines, n);
	}
	free(text);
	return 0;
}

static const struct test_case tests[] = {
	TEST(test_roundtrip_every_kind),
	TEST(test_record_sizes),
	TEST(test_writer_refuses_invalid),
	TEST(test_pipe_output_incomplete_header),
	TEST(test_task_dedup),
	TEST(test_gfp_names_kernel_values),
	TEST(test_gfp_syntax_errors),
	TEST(test_gfp_format_matches_kernel),
	TEST(test_malformed_headers),
	TEST(test_malformed_records),
	TEST(test_malformed_strings),
	TEST(test_newer_minor_skips_unknown_kind),
	TEST(test_every_truncation),
	TEST(test_byte_flips),
	TEST(test_dump_text),
};
TEST_MAIN(tests)
