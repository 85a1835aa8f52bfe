/* test_trace_import.c — the text importers.
 *
 * Unit lines cover each event in the layouts the kernel has printed (old
 * ones are written here from the kernels' TP_printk formats, since this
 * machine runs a new kernel); malformed lines each give their message with
 * file:line, and are skipped or refused.  The committed captures under
 * corpus/traces/ (real, captured on Linux 6.18) are imported and their
 * counts per kind compared with counts made by grep alone
 * (corpus/traces/count.sh, results in corpus/traces/README.md).  The
 * tracefs text and the trace-cmd report of the same ring buffer must give
 * the same records, field by field.
 */
#include <stdint.h>

#include "import.h"
#include "test.h"

#define ASSERT_GT_ZERO(x) ASSERT_LT(0, x)

#ifndef KMMT_CORPUS_DIR
#error "KMMT_CORPUS_DIR must name corpus/traces"
#endif

/* ---- collecting importer ---- */
#define MAXREC 4096

struct sink {
	struct kmmt_record *r;
	char (*comm)[KMMT_COMM_LEN];
	size_t n;
};

static int collect(void *ctx, const struct kmmt_record *r, const char *comm)
{
	struct sink *s = ctx;

	if (s->n >= MAXREC)
		return -1;
	s->r[s->n] = *r;
	snprintf(s->comm[s->n], KMMT_COMM_LEN, "%s", comm);
	s->n++;
	return 0;
}

static struct sink *sink_new(void)
{
	struct sink *s = calloc(1, sizeof(*s));

	s->r = calloc(MAXREC, sizeof(*s->r));
	s->comm = calloc(MAXREC, sizeof(*s->comm));
	return s;
}

static void sink_free(struct sink *s)
{
	free(s->r);
	free(s->comm);
	free(s);
}

/* imports text (lines separated by \n) with format fmt */
static int import_text(struct kmmt_import *im, struct sink *s, enum kmmt_text_format fmt,
		       const char *text, bool strict)
{
	s->n = 0;
	kmmt_import_init(im, fmt, collect, s);
	im->strict = strict;
	return kmmt_import_buffer(im, "t.txt", text, strlen(text));
}

/* one line that must give one record */
static int one(struct sink *s, enum kmmt_text_format fmt, const char *line)
{
	struct kmmt_import im;

	if (import_text(&im, s, fmt, line, true) || s->n != 1) {
		fprintf(stderr, "line not imported (%s): %s\n", im.last_error, line);
		return 1;
	}
	return 0;
}

/* ---- new layouts (6.x), as this kernel prints them ---- */
static int test_tracefs_kmalloc_hashed(void)
{
	struct sink *s = sink_new();
	struct kmmt_record *r = &s->r[0];

	ASSERT_EQ(one(s, KMMT_FMT_AUTO,
		      "              ls-8816    [001] .....  1279.647909: kmem_cache_alloc: "
		      "call_site=alloc_empty_file+0x3c/0x110 ptr=00000000d812aff2 name=filp "
		      "bytes_req=184 bytes_alloc=192 gfp_flags=GFP_KERNEL node=-1 accounted=true"), 0);
	ASSERT_EQ(r->type, KMMT_CACHE_ALLOC);
	ASSERT_EQ(r->cpu, 1);
	ASSERT_EQ(r->pid, 0);            /* no tgid column: not known */
	ASSERT_EQ(r->tid, 8816);
	ASSERT_EQ(r->ts_ns, 1279647909000ull);
	ASSERT_EQ(r->alloc.call_site, 0);
	ASSERT_EQ(r->alloc.ptr, 0xd812aff2);
	ASSERT_EQ(strcmp(r->alloc.name, "filp"), 0);
	ASSERT_EQ(r->alloc.bytes_req, 184);
	ASSERT_EQ(r->alloc.bytes_alloc, 192);
	ASSERT_EQ(r->alloc.gfp, 0xcc0);
	ASSERT_EQ(r->alloc.node, -1);
	ASSERT_EQ(r->flags, KMMT_RF_SYMBOLIC | KMMT_RF_HASHED | KMMT_RF_ACCOUNTED);
	ASSERT_EQ(strcmp(s->comm[0], "ls"), 0);
	sink_free(s);
	return 0;
}

static int test_tracefs_page_events(void)
{
	struct sink *s = sink_new();
	struct kmmt_record *r = &s->r[0];

	ASSERT_EQ(one(s, KMMT_FMT_TRACEFS,
		      "ls-8816 [001] .....  1279.647919: mm_page_alloc: page=00000000cd4e2751 "
		      "pfn=0x126b4a order=0 migratetype=1 "
		      "gfp_flags=GFP_HIGHUSER_MOVABLE|__GFP_ZERO|__GFP_COMP"), 0);
	ASSERT_EQ(r->type, KMMT_PAGE_ALLOC);
	ASSERT_EQ(r->page.pfn, 0x126b4a);
	ASSERT_EQ(r->page.order, 0);
	ASSERT_EQ(r->page.migratetype, 1);
	ASSERT_EQ(r->page.gfp, 0x140dca);
	ASSERT_EQ(r->flags, 0);          /* the hashed page is not kept: pfn is */
	ASSERT_EQ(one(s, KMMT_FMT_TRACEFS,
		      "ls-8816 [001] ..s1.  1279.647968: mm_page_free: page=00000000edcf1f20 "
		      "pfn=0x102a50 order=2"), 0);
	ASSERT_EQ(r->type, KMMT_PAGE_FREE);
	ASSERT_EQ(r->page.pfn, 0x102a50);
	ASSERT_EQ(r->page.order, 2);
	ASSERT_EQ(one(s, KMMT_FMT_TRACEFS,
		      "ls-8816 [001] ...2.  1279.648123: mm_page_free_batched: "
		      "page=0000000057e9910f pfn=0x126b49 order=0"), 0);
	ASSERT_EQ(r->type, KMMT_PAGE_FREE_BATCHED);
	ASSERT_EQ(r->page.pfn, 0x126b49);
	/* a failed allocation: the kernel prints a NULL page and pfn 0 */
	ASSERT_EQ(one(s, KMMT_FMT_TRACEFS,
		      "kworker/0:1-12 [000] ..... 5.000001: mm_page_alloc: page=0000000000000000 "
		      "pfn=0x0 order=9 migratetype=1 gfp_flags=GFP_TRANSHUGE"), 0);
	ASSERT_EQ(r->flags, KMMT_RF_FAILED);
	ASSERT_EQ(r->page.pfn, UINT64_MAX);
	ASSERT_EQ(r->page.order, 9);
	ASSERT_EQ(strcmp(s->comm[0], "kworker/0:1"), 0);
	sink_free(s);
	return 0;
}

static int test_tracefs_faults_and_syscalls(void)
{
	struct sink *s = sink_new();
	struct kmmt_record *r = &s->r[0];

	ASSERT_EQ(one(s, KMMT_FMT_TRACEFS,
		      "ls-8816 [001] d....  1279.647918: page_fault_user: address=0x555fe748b008 "
		      "ip=0x7f9c683f2109 error_code=0x6"), 0);
	ASSERT_EQ(r->type, KMMT_FAULT_USER);
	ASSERT_EQ(r->fault.address, 0x555fe748b008ull);
	ASSERT_EQ(r->fault.ip, 0x7f9c683f2109ull);
	ASSERT_EQ(r->fault.error_code, 6);
	ASSERT_EQ(r->flags, 0);
	ASSERT_EQ(one(s, KMMT_FMT_TRACEFS,
		      "ls-8816 [001] d....  1279.648182: page_fault_kernel: address=0x55fb946645c0 "
		      "ip=elf_load error_code=0x2"), 0);
	ASSERT_EQ(r->type, KMMT_FAULT_KERNEL);
	ASSERT_EQ(r->fault.ip, 0);
	ASSERT_EQ(r->flags, KMMT_RF_SYMBOLIC);
	/* tracefs syscall text: hex, "0x" only from 10 on (6.x) */
	ASSERT_EQ(one(s, KMMT_FMT_TRACEFS,
		      "ls-8816 [001] .....  1279.648475: sys_mmap(addr: 0x7fa72ca6e000, len: 0x1b000, "
		      "prot: 5, flags: 0x812, fd: 3, off: 0x7000)"), 0);
	ASSERT_EQ(r->type, KMMT_SYS_ENTER);
	ASSERT_EQ(r->sys_enter.nr, KMMT_SYS_MMAP);
	ASSERT_EQ(r->sys_enter.args[0], 0x7fa72ca6e000ull);
	ASSERT_EQ(r->sys_enter.args[1], 0x1b000);
	ASSERT_EQ(r->sys_enter.args[2], 5);
	ASSERT_EQ(r->sys_enter.args[3], 0x812);
	ASSERT_EQ(r->sys_enter.args[4], 3);
	ASSERT_EQ(r->sys_enter.args[5], 0x7000);
	ASSERT_EQ(one(s, KMMT_FMT_TRACEFS,
		      "ls-8816 [001] .....  1279.648481: sys_mmap -> 0x7fa72ca6e000"), 0);
	ASSERT_EQ(r->type, KMMT_SYS_EXIT);
	ASSERT_EQ(r->sys_exit.ret, 0x7fa72ca6e000ll);
	/* older kernels: no 0x at all */
	ASSERT_EQ(one(s, KMMT_FMT_TRACEFS,
		      "bash-1 [000] .... 1.000000: sys_mremap(addr: 7f0000000000, old_len: 13000, "
		      "new_len: 25000, flags: 1, new_addr: 0)"), 0);
	ASSERT_EQ(r->sys_enter.nr, KMMT_SYS_MREMAP);
	ASSERT_EQ(r->sys_enter.args[1], 0x13000);
	ASSERT_EQ(r->sys_enter.args[2], 0x25000);
	ASSERT_EQ(r->sys_enter.args[3], 1);
	ASSERT_EQ(one(s, KMMT_FMT_TRACEFS,
		      "bash-1 [000] .... 1.000000: sys_munmap -> 0xffffffffffffffea"), 0);
	ASSERT_EQ(r->sys_exit.nr, KMMT_SYS_MUNMAP);
	ASSERT_EQ(r->sys_exit.ret, -22);
	sink_free(s);
	return 0;
}

static int test_sched_events(void)
{
	struct sink *s = sink_new();
	struct kmmt_record *r = &s->r[0];

	/* comms with spaces and '=' stay whole: fields are split on the keys */
	ASSERT_EQ(one(s, KMMT_FMT_TRACEFS,
		      "Web Content-4242 [001] ..... 10.5: sched_process_fork: comm=Web Content "
		      "pid=4242 child_comm=Web Content child_pid=4250"), 0);
	ASSERT_EQ(r->type, KMMT_FORK);
	ASSERT_EQ(r->tid, 4242);
	ASSERT_EQ(r->ts_ns, 10500000000ull);
	ASSERT_EQ(r->fork.parent_pid, 4242);
	ASSERT_EQ(r->fork.child_pid, 4250);
	ASSERT_EQ(r->fork.clone_flags, KMMT_CLONE_UNKNOWN);
	ASSERT_EQ(strcmp(s->comm[0], "Web Content"), 0);
	ASSERT_EQ(one(s, KMMT_FMT_TRACEFS,
		      "ls-8816 [001] ..... 1279.7: sched_process_exit: comm=ls pid=8816 prio=120 "
		      "group_dead=true"), 0);
	ASSERT_EQ(r->type, KMMT_EXIT);
	ASSERT_EQ(r->exit.group_dead, 1);
	/* before 6.16 there is no group_dead */
	ASSERT_EQ(one(s, KMMT_FMT_TRACEFS,
		      "ls-8816 [001] .... 1279.7: sched_process_exit: comm=ls pid=8816 prio=120"), 0);
	ASSERT_EQ(r->exit.group_dead, 255);
	ASSERT_EQ(one(s, KMMT_FMT_TRACEFS,
		      "ls-8816 [001] ..... 1279.648223: sched_process_exec: "
		      "filename=/usr/bin/my prog pid=8816 old_pid=8816"), 0);
	ASSERT_EQ(r->type, KMMT_EXEC);
	ASSERT_EQ(strcmp(r->exec.filename, "/usr/bin/my prog"), 0);
	ASSERT_EQ(r->exec.pid, 8816);
	sink_free(s);
	return 0;
}

/* ---- older layouts, from the kernels' TP_printk formats ---- */
static int test_old_kmem_layouts(void)
{
	struct sink *s = sink_new();
	struct kmmt_record *r = &s->r[0];

	/* < 5.x: call_site=%lx, ptr=%p raw, no node/accounted */
	ASSERT_EQ(one(s, KMMT_FMT_TRACEFS,
		      "bash-1234 [000] d..1 100.000001: kmalloc: call_site=ffffffff8112d6e5 "
		      "ptr=ffff88003d0c3a00 bytes_req=64 bytes_alloc=64 gfp_flags=GFP_KERNEL"), 0);
	ASSERT_EQ(r->type, KMMT_KMALLOC);
	ASSERT_EQ(r->alloc.call_site, 0xffffffff8112d6e5ull);
	ASSERT_EQ(r->alloc.ptr, 0xffff88003d0c3a00ull);
	ASSERT_EQ(r->alloc.node, -1);
	ASSERT_EQ(r->flags, 0);
	/* < 6.1: the *_node events, 3.x gfp spelling */
	ASSERT_EQ(one(s, KMMT_FMT_TRACEFS,
		      "bash-1234 [000] .... 100.000002: kmalloc_node: call_site=ffffffff81000001 "
		      "ptr=ffff88003d0c3b00 bytes_req=1 bytes_alloc=8 gfp_flags=GFP_KERNEL|GFP_ZERO "
		      "node=1"), 0);
	ASSERT_EQ(r->type, KMMT_KMALLOC);
	ASSERT_EQ(r->alloc.node, 1);
	ASSERT_EQ(r->alloc.gfp, 0xdc0);
	ASSERT_EQ(r->flags, KMMT_RF_NODE_EVENT);
	ASSERT_EQ(one(s, KMMT_FMT_TRACEFS,
		      "bash-1234 [000] .... 100.000003: kmem_cache_alloc_node: "
		      "call_site=ffffffff81000002 ptr=ffff88003d0c3c00 bytes_req=192 bytes_alloc=192 "
		      "gfp_flags=GFP_KERNEL node=-1"), 0);
	ASSERT_EQ(r->type, KMMT_CACHE_ALLOC);
	ASSERT_EQ(r->flags, KMMT_RF_NODE_EVENT | KMMT_RF_NO_NAME);
	ASSERT_EQ(r->alloc.name[0], 0);
	/* < 5.12: kmem_cache_free without name */
	ASSERT_EQ(one(s, KMMT_FMT_TRACEFS,
		      "bash-1234 [000] .... 100.000004: kmem_cache_free: call_site=ffffffff81000003 "
		      "ptr=ffff88003d0c3c00"), 0);
	ASSERT_EQ(r->type, KMMT_CACHE_FREE);
	ASSERT_EQ(r->flags, KMMT_RF_NO_NAME);
	/* a module symbol in %pS */
	ASSERT_EQ(one(s, KMMT_FMT_TRACEFS,
		      "kworker-9 [000] .... 100.000005: kfree: call_site=ext4_free+0x1a/0x70 [ext4] "
		      "ptr=ffff88003d0c3d00"), 0);
	ASSERT_EQ(r->type, KMMT_KFREE);
	ASSERT_EQ(r->free.ptr, 0xffff88003d0c3d00ull);
	ASSERT_EQ(r->flags, KMMT_RF_SYMBOLIC);
	sink_free(s);
	return 0;
}

static int test_old_page_layouts(void)
{
	struct sink *s = sink_new();
	struct kmmt_record *r = &s->r[0];

	/* decimal pfn (%lu), the LKML example line, "<...>" comm */
	ASSERT_EQ(one(s, KMMT_FMT_TRACEFS,
		      "<...>-22275 [006] .... 889.213383: mm_page_alloc: page=00000000d2be5665 "
		      "pfn=970744 order=0 migratetype=0 gfp_flags=GFP_KERNEL"), 0);
	ASSERT_EQ(r->page.pfn, 970744);
	ASSERT_EQ(r->tid, 22275);
	ASSERT_EQ(s->comm[0][0], 0);
	/* 3.2: mm_page_free_direct / mm_pagevec_free */
	ASSERT_EQ(one(s, KMMT_FMT_TRACEFS,
		      "cc1-31 [001] .... 50.5: mm_page_free_direct: page=ffffea0001cdb8c0 "
		      "pfn=472803 order=1"), 0);
	ASSERT_EQ(r->type, KMMT_PAGE_FREE);
	ASSERT_EQ(r->page.pfn, 472803);
	ASSERT_EQ(r->page.order, 1);
	ASSERT_EQ(one(s, KMMT_FMT_TRACEFS,
		      "cc1-31 [001] .... 50.5: mm_pagevec_free: page=ffffea0001cdb900 pfn=472804 "
		      "order=0 cold=1"), 0);
	ASSERT_EQ(r->type, KMMT_PAGE_FREE_BATCHED);
	ASSERT_EQ(r->page.pfn, 472804);
	/* 3.3..4.14: free_batched with cold= */
	ASSERT_EQ(one(s, KMMT_FMT_TRACEFS,
		      "cc1-31 [001] .... 50.6: mm_page_free_batched: page=ffffea0001cdb940 "
		      "pfn=472805 order=0 cold=0"), 0);
	ASSERT_EQ(r->page.pfn, 472805);
	/* raw fields without pfn (trace-cmd report -R of an old kernel) */
	ASSERT_EQ(one(s, KMMT_FMT_TRACE_CMD,
		      "cc1-31 [001] 50.7: mm_page_alloc: page=0xffffea0001cdb980 order=1 "
		      "migratetype=2 gfp_flags=GFP_HIGHUSER_MOVABLE"), 0);
	ASSERT_EQ(r->flags, KMMT_RF_PAGE_PTR);
	ASSERT_EQ(r->page.pfn, 0xffffea0001cdb980ull);
	sink_free(s);
	return 0;
}

/* ---- the other prefixes ---- */
static int test_perf_and_trace_cmd_prefixes(void)
{
	struct sink *s = sink_new();
	struct kmmt_record *r = &s->r[0];

	ASSERT_EQ(one(s, KMMT_FMT_AUTO,
		      "              ls  8922 [001]  1384.900716:                 kmem:kmalloc: "
		      "call_site=perf_event_mmap+0x155 ptr=0xffff888102ae4000 bytes_req=4096 "
		      "bytes_alloc=4096 gfp_flags=GFP_KERNEL node=-1 accounted=false"), 0);
	ASSERT_EQ(r->type, KMMT_KMALLOC);
	ASSERT_EQ(r->tid, 8922);
	ASSERT_EQ(r->alloc.ptr, 0xffff888102ae4000ull);
	ASSERT_EQ(r->flags, KMMT_RF_SYMBOLIC);
	/* perf -F comm,pid,tid: "pid/tid" */
	ASSERT_EQ(one(s, KMMT_FMT_PERF,
		      "Web Content  4242/4250 [000] 5.000100: syscalls:sys_enter_munmap: "
		      "addr: 0x7f0000000000, len: 0x00025000"), 0);
	ASSERT_EQ(r->pid, 4242);
	ASSERT_EQ(r->tid, 4250);
	ASSERT_EQ(r->sys_enter.nr, KMMT_SYS_MUNMAP);
	ASSERT_EQ(r->sys_enter.args[1], 0x25000);
	ASSERT_EQ(strcmp(s->comm[0], "Web Content"), 0);
	ASSERT_EQ(one(s, KMMT_FMT_PERF,
		      "ls 8922 [001] 1384.900707:  syscalls:sys_exit_brk: 0x55d7784e9000"), 0);
	ASSERT_EQ(r->sys_exit.nr, KMMT_SYS_BRK);
	ASSERT_EQ(r->sys_exit.ret, 0x55d7784e9000ll);
	/* perf's "(nil)" */
	ASSERT_EQ(one(s, KMMT_FMT_PERF,
		      "ls 8922 [001] 1384.900706: kmem:kfree: call_site=perf_event_mmap+0x258 "
		      "ptr=(nil)"), 0);
	ASSERT_EQ(r->free.ptr, 0);
	/* trace-cmd's kmem plugin puts "(func+off)" before the fields */
	ASSERT_EQ(one(s, KMMT_FMT_TRACE_CMD,
		      "              ls-9154  [000]  1411.629094: kmalloc:              "
		      "(alloc_bprm+0x45) call_site=alloc_bprm+0x45 ptr=0xffff888106b25000 "
		      "bytes_req=408 bytes_alloc=512 gfp_flags=GFP_KERNEL|__GFP_ZERO node=-1 "
		      "accounted=false"), 0);
	ASSERT_EQ(r->alloc.bytes_alloc, 512);
	ASSERT_EQ(r->alloc.gfp, 0xdc0);
	ASSERT_EQ(r->ts_ns, 1411629094000ull);
	/* record-tgid column */
	ASSERT_EQ(one(s, KMMT_FMT_TRACEFS,
		      "   gzip-15003   (  15001) [000] .....  2089.135000: kfree: "
		      "call_site=do_exit+0x1/0x2 ptr=ffff88810a994798"), 0);
	ASSERT_EQ(r->pid, 15001);
	ASSERT_EQ(r->tid, 15003);
	ASSERT_EQ(r->free.ptr, 0xffff88810a994798ull);
	ASSERT_EQ(r->flags, KMMT_RF_SYMBOLIC);   /* raw pointer: not hashed */
	/* nanosecond timestamps */
	ASSERT_EQ(one(s, KMMT_FMT_PERF,
		      "ls 1 [003] 12.123456789: exceptions:page_fault_user: address=0x1000 "
		      "ip=0x2000 error_code=0x14"), 0);
	ASSERT_EQ(r->ts_ns, 12123456789ull);
	ASSERT_EQ(r->cpu, 3);
	sink_free(s);
	return 0;
}

/* comments, headers, stack traces and unrelated events are not errors;
 * lost-event lines become LOST records */
static int test_meta_and_other_lines(void)
{
	struct sink *s = sink_new();
	struct kmmt_import im;
	const char *text =
		"# tracer: nop\n"
		"#\n"
		"# entries-in-buffer/entries-written: 1526/1526   #P:4\n"
		"\n"
		"ls-1 [000] ...1. 1.0: rss_stat: mm_id=1 curr=1 type=MM_ANONPAGES size=4096B\n"
		" => __kmalloc+0x1a/0x40\n"
		"CPU:2 [LOST 123 EVENTS]\n"
		"ls-1 [000] ..... 1.1: sched_switch: prev_comm=ls prev_pid=1\n"
		"ls-1 [000] ..... 1.2: kfree: call_site=a+0x1/0x2 ptr=0000000012345678\n"
		"CPU:0 [LOST EVENTS]\n";

	ASSERT_EQ(import_text(&im, s, KMMT_FMT_AUTO, text, true), 0);
	ASSERT_EQ(im.detected, KMMT_FMT_TRACEFS);
	ASSERT_EQ(im.nr_cpus, 4);
	ASSERT_EQ(im.lines, 10);
	ASSERT_EQ(im.ignored, 5);
	ASSERT_EQ(im.other, 2);
	ASSERT_EQ(im.nr_other_names, 2);
	ASSERT_EQ(strcmp(im.other_names[0].name, "rss_stat"), 0);
	ASSERT_EQ(im.malformed, 0);
	ASSERT_EQ(s->n, 3);
	ASSERT_EQ(s->r[0].type, KMMT_LOST);
	ASSERT_EQ(s->r[0].cpu, 2);
	ASSERT_EQ(s->r[0].lost.count, 123);
	ASSERT_EQ(s->r[1].type, KMMT_KFREE);
	ASSERT_EQ(s->r[1].flags, KMMT_RF_HASHED | KMMT_RF_SYMBOLIC);
	ASSERT_EQ(s->r[2].type, KMMT_LOST);   /* count unknown: at least one */
	ASSERT_EQ(s->r[2].lost.count, 1);
	ASSERT_EQ(im.lost, 124);
	ASSERT_TRUE(im.hashed);
	/* trace-cmd: "cpus=N", "CPU N is empty" */
	ASSERT_EQ(import_text(&im, s, KMMT_FMT_AUTO,
			      "cpus=2\nCPU 1 is empty\nls-1 [000] 1.0: kfree: call_site=0 ptr=0\n",
			      true), 0);
	ASSERT_EQ(im.detected, KMMT_FMT_TRACE_CMD);
	ASSERT_EQ(im.nr_cpus, 2);
	ASSERT_EQ(s->n, 1);
	sink_free(s);
	return 0;
}

/* ---- malformed lines ---- */
static int bad_line(enum kmmt_text_format fmt, const char *line, const char *want)
{
	struct sink *s = sink_new();
	struct kmmt_import im;
	int ret = import_text(&im, s, fmt, line, true);

	if (ret != -1 || s->n || im.malformed != 1 || !strstr(im.last_error, want) ||
	    strncmp(im.last_error, "t.txt:1: ", 9)) {
		fprintf(stderr, "line: %s\nwant '%s', got ret %d n %zu: '%s'\n", line, want, ret,
			s->n, im.last_error);
		sink_free(s);
		return 1;
	}
	sink_free(s);
	return 0;
}

static int test_malformed_lines(void)
{
	const enum kmmt_text_format T = KMMT_FMT_TRACEFS, P = KMMT_FMT_PERF;
	const char *km = "ls-1 [000] ..... 1.0: kmalloc: ";

	ASSERT_EQ(bad_line(T, "garbage", "not an event line (no [cpu] field)"), 0);
	ASSERT_EQ(bad_line(T, "ls-1 [000] ..... 1.0 kmalloc: x=1", "malformed timestamp"), 0);
	ASSERT_EQ(bad_line(T, "ls-1 [000] ..... 1.0: kmalloc x=1", "no ':' after the event"), 0);
	ASSERT_EQ(bad_line(T, "ls-1 [000] ..... 1x.0: kfree: call_site=0 ptr=0",
			   "malformed timestamp"), 0);
	ASSERT_EQ(bad_line(T, "ls [000] 1.0: kfree: call_site=0 ptr=0", "no task id"), 0);
	ASSERT_EQ(bad_line(T, "ls-99999999999 [000] 1.0: kfree: call_site=0 ptr=0",
			   "malformed task id"), 0);
	ASSERT_EQ(bad_line(T, "ls 12 [000] 1.0: kfree: call_site=0 ptr=0",
			   "perf-style task column in a tracefs/trace-cmd file"), 0);
	ASSERT_EQ(bad_line(P, "ls-12 [000] 1.0: kmem:kfree: call_site=0 ptr=0",
			   "tracefs-style task column in a perf file"), 0);
	ASSERT_EQ(bad_line(T, "ls-1 [000] ..... 1.0: kfree: call_site=0", "missing field ptr"), 0);
	ASSERT_EQ(bad_line(T, "ls-1 [000] ..... 1.0: kfree: ptr=1 ptr=2 call_site=0",
			   "field ptr twice"), 0);
	ASSERT_EQ(bad_line(T, "ls-1 [000] ..... 1.0: kfree: junk call_site=0 ptr=0",
			   "unexpected text 'junk call_site=0 ptr=0'"), 0);
	/* an unknown field is taken into the previous value, which then fails */
	ASSERT_EQ(bad_line(T, "ls-1 [000] ..... 1.0: kfree: call_site=0 ptr=0 extra=5",
			   "ptr: cannot parse '0 extra=5'"), 0);
	{
		char line[512];
		snprintf(line, sizeof(line), "%scall_site=0 ptr=0 bytes_req=abc bytes_alloc=8 "
			 "gfp_flags=GFP_KERNEL", km);
		ASSERT_EQ(bad_line(T, line, "malformed kmalloc line: bytes_req: cannot parse 'abc'"), 0);
		snprintf(line, sizeof(line), "%scall_site=0 ptr=0 bytes_req=8 bytes_alloc=8 "
			 "gfp_flags=GFP_KERNEL||__GFP_ZERO", km);
		ASSERT_EQ(bad_line(T, line, "gfp_flags: cannot parse"), 0);
		snprintf(line, sizeof(line), "%scall_site=0 ptr=0 bytes_req=8 bytes_alloc=8 "
			 "gfp_flags=GFP_KERNEL node=x", km);
		ASSERT_EQ(bad_line(T, line, "node: cannot parse 'x'"), 0);
		snprintf(line, sizeof(line), "%scall_site=0 ptr=0 bytes_req=99999999999999999999999 "
			 "bytes_alloc=8 gfp_flags=GFP_KERNEL", km);
		ASSERT_EQ(bad_line(T, line, "bytes_req: cannot parse"), 0);
		snprintf(line, sizeof(line), "%scall_site=+++ ptr=0 bytes_req=1 bytes_alloc=8 "
			 "gfp_flags=GFP_KERNEL", km);
		ASSERT_EQ(bad_line(T, line, "call_site: cannot parse '+++'"), 0);
	}
	ASSERT_EQ(bad_line(T, "ls-1 [000] 1.0: kmem_cache_free: call_site=0 ptr=0 name=a=b",
			   "name: cannot parse 'a=b'"), 0);
	ASSERT_EQ(bad_line(T, "ls-1 [000] 1.0: mm_page_alloc: page=0 pfn=0x10 order=21 "
			   "migratetype=0 gfp_flags=GFP_KERNEL", "order: cannot parse '21'"), 0);
	ASSERT_EQ(bad_line(T, "ls-1 [000] 1.0: mm_page_alloc: pfn=0x1g order=0 migratetype=0 "
			   "gfp_flags=GFP_KERNEL", "pfn: cannot parse '0x1g'"), 0);
	ASSERT_EQ(bad_line(T, "ls-1 [000] 1.0: mm_page_free: order=0", "neither pfn nor page"), 0);
	ASSERT_EQ(bad_line(T, "ls-1 [000] 1.0: mm_page_free_batched: pfn=0x10 order=1",
			   "order: cannot parse '1'"), 0);
	ASSERT_EQ(bad_line(T, "ls-1 [000] 1.0: mm_page_free: pfn=1 order=0 migratetype=1",
			   "unexpected field on a free event"), 0);
	ASSERT_EQ(bad_line(T, "ls-1 [000] 1.0: sys_mmap(addr: 0, len: 1000)",
			   "mmap: expected ', ' before prot"), 0);
	ASSERT_EQ(bad_line(T, "ls-1 [000] 1.0: sys_munmap(start: 0, len: 1000)",
			   "munmap: expected argument 'addr: '"), 0);
	ASSERT_EQ(bad_line(T, "ls-1 [000] 1.0: sys_brk(brk: 0x12zz)", "brk: brk: cannot parse"), 0);
	ASSERT_EQ(bad_line(T, "ls-1 [000] 1.0: sys_brk -> banana",
			   "brk: cannot parse return value 'banana'"), 0);
	ASSERT_EQ(bad_line(T, "ls-1 [000] 1.0: page_fault_user: address=0x1 ip=0x2 error_code=q",
			   "error_code: cannot parse 'q'"), 0);
	ASSERT_EQ(bad_line(T, "ls-1 [000] 1.0: sched_process_fork: comm=a pid=-5 child_comm=a "
			   "child_pid=2", "pid: cannot parse '-5'"), 0);
	ASSERT_EQ(bad_line(T, "a-very-long-task-name-1 [000] 1.0: kfree: call_site=0 ptr=0",
			   "task name longer than a kernel comm"), 0);
	ASSERT_EQ(bad_line(T, "CPU:x [LOST 5 EVENTS]", "malformed lost-events line"), 0);
	ASSERT_EQ(bad_line(T, "CPU:1 [LOST five EVENTS]", "malformed lost-events"), 0);
	ASSERT_EQ(bad_line(T, "cpus=zero", "malformed cpus= line"), 0);
	{
		static const char nul[] = "ls-1 [000] 1.0: kfree: call_site=0 \0ptr=0";
		struct sink *s = sink_new();
		struct kmmt_import im;
		kmmt_import_init(&im, T, collect, s);
		ASSERT_EQ(kmmt_import_line(&im, nul, sizeof(nul) - 1), -1);
		ASSERT_STR_CONTAINS(im.last_error, "NUL byte in the line");
		sink_free(s);
	}
	return 0;
}

/* skipped (reported with file:line) or refused, as the flag says */
static int test_skip_or_refuse(void)
{
	struct sink *s = sink_new();
	struct kmmt_import im;
	const char *text = "ls-1 [000] 1.0: kfree: call_site=0 ptr=1\n"
			   "ls-1 [000] 1.1: kfree: call_site=0 ptr=zz\n"
			   "ls-1 [000] 1.2: kfree: call_site=0 ptr=2\n"
			   "nonsense\n"
			   "ls-1 [000] 1.3: kfree: call_site=0 ptr=3\n";
	char *diag = NULL;
	size_t dl = 0;

	/* skip: three records, two reports naming their lines */
	kmmt_import_init(&im, KMMT_FMT_TRACEFS, collect, s);
	im.diag = open_memstream(&diag, &dl);
	ASSERT_EQ(kmmt_import_buffer(&im, "cap.txt", text, strlen(text)), 0);
	fclose(im.diag);
	ASSERT_EQ(s->n, 3);
	ASSERT_EQ(s->r[2].free.ptr, 3);
	ASSERT_EQ(im.malformed, 2);
	ASSERT_STR_CONTAINS(diag, "cap.txt:2: malformed kfree line: ptr: cannot parse 'zz'\n");
	ASSERT_STR_CONTAINS(diag, "cap.txt:4: not an event line (no [cpu] field)\n");
	free(diag);
	/* refuse: stops at line 2 */
	s->n = 0;
	kmmt_import_init(&im, KMMT_FMT_TRACEFS, collect, s);
	im.strict = true;
	ASSERT_EQ(kmmt_import_buffer(&im, "cap.txt", text, strlen(text)), -1);
	ASSERT_EQ(s->n, 1);
	ASSERT_EQ(im.line, 2);
	ASSERT_STR_CONTAINS(im.last_error, "cap.txt:2: ");
	/* max_reported caps the report, not the count */
	s->n = 0;
	diag = NULL;
	kmmt_import_init(&im, KMMT_FMT_TRACEFS, collect, s);
	im.diag = open_memstream(&diag, &dl);
	im.max_reported = 1;
	ASSERT_EQ(kmmt_import_buffer(&im, "cap.txt", text, strlen(text)), 0);
	fclose(im.diag);
	ASSERT_EQ(im.malformed, 2);
	ASSERT_TRUE(strstr(diag, "cap.txt:4:") == NULL);
	free(diag);
	sink_free(s);
	return 0;
}

/* ---- the committed captures ---- */
static char *slurp(const char *name, size_t *len)
{
	char path[1024];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", KMMT_CORPUS_DIR, name);
	f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(buf);
		return NULL;
	}
	buf[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* counts from corpus/traces/count.sh (grep), in its order */
static const unsigned kinds_order[] = {
	KMMT_KMALLOC, KMMT_KFREE, KMMT_CACHE_ALLOC, KMMT_CACHE_FREE, KMMT_PAGE_ALLOC,
	KMMT_PAGE_FREE, KMMT_PAGE_FREE_BATCHED, KMMT_FAULT_USER, KMMT_FAULT_KERNEL,
	KMMT_SYS_ENTER, KMMT_SYS_EXIT, KMMT_FORK, KMMT_EXIT, KMMT_EXEC,
};

static int check_capture(const char *name, enum kmmt_text_format want_fmt,
			 const unsigned expect[15], struct sink *s, struct kmmt_import *im)
{
	size_t len;
	char *text = slurp(name, &len);

	ASSERT_TRUE(text != NULL);
	s->n = 0;
	kmmt_import_init(im, KMMT_FMT_AUTO, collect, s);
	im->strict = true;
	im->diag = stderr;
	ASSERT_EQ(kmmt_import_buffer(im, name, text, len), 0);
	ASSERT_EQ(im->detected, want_fmt);
	ASSERT_EQ(im->malformed, 0);
	for (size_t k = 0; k < 14; k++) {
		if (im->events[kinds_order[k]] != expect[k])
			fprintf(stderr, "%s: %s: %llu, grep says %u\n", name,
				kmmt_type_name(kinds_order[k]),
				(unsigned long long)im->events[kinds_order[k]], expect[k]);
		ASSERT_EQ(im->events[kinds_order[k]], expect[k]);
	}
	ASSERT_EQ(im->other, expect[14]);          /* rss_stat: the one other event */
	ASSERT_EQ(im->nr_other_names, 1);
	ASSERT_EQ(strcmp(im->other_names[0].name, "rss_stat"), 0);
	free(text);
	return 0;
}

/* the index of the next SYS_ENTER of nr by the workload whose first
 * nargs arguments are args, from index from; its result in *ret */
static long call_at(const struct sink *s, unsigned nr, int nargs, const uint64_t *args,
		    size_t from, int64_t *ret)
{
	for (size_t i = from; i < s->n; i++) {
		const struct kmmt_record *r = &s->r[i];
		bool eq = r->type == KMMT_SYS_ENTER && r->sys_enter.nr == nr &&
			  !strcmp(s->comm[i], "kmm-trace-workl");
		for (int a = 0; eq && a < nargs; a++)
			eq = r->sys_enter.args[a] == args[a];
		if (!eq)
			continue;
		for (size_t j = i + 1; j < s->n; j++)
			if (s->r[j].type == KMMT_SYS_EXIT && s->r[j].tid == r->tid) {
				*ret = s->r[j].sys_exit.nr == nr ? s->r[j].sys_exit.ret : -1;
				return (long)i;
			}
		return -1;
	}
	return -1;
}

/* the workload's own calls are in the capture, with its sizes, each
 * result feeding the next call (trace/workload.c) */
static int workload_calls(const struct sink *s)
{
	uint64_t mm[4] = {0, 0x13000, 3, 0x22}, p[3], r[4], u[2];
	int64_t map, ret, moved;
	long at;

	at = call_at(s, KMMT_SYS_MMAP, 4, mm, 0, &map);
	ASSERT_GE(at, 0);
	ASSERT_GT_ZERO(map);
	p[0] = (uint64_t)map + 0x4000;
	p[1] = 0x2000;
	p[2] = 1;
	ASSERT_GE(call_at(s, KMMT_SYS_MPROTECT, 3, p, (size_t)at, &ret), 0);
	ASSERT_EQ(ret, 0);
	p[2] = 3;
	ASSERT_GE(call_at(s, KMMT_SYS_MPROTECT, 3, p, (size_t)at, &ret), 0);
	ASSERT_EQ(ret, 0);
	r[0] = (uint64_t)map;
	r[1] = 0x13000;
	r[2] = 0x25000;
	r[3] = 1;   /* MREMAP_MAYMOVE */
	ASSERT_GE(call_at(s, KMMT_SYS_MREMAP, 4, r, (size_t)at, &moved), 0);
	ASSERT_GT_ZERO(moved);
	u[0] = (uint64_t)moved;
	u[1] = 0x25000;
	ASSERT_GE(call_at(s, KMMT_SYS_MUNMAP, 2, u, (size_t)at, &ret), 0);
	ASSERT_EQ(ret, 0);
	return 0;
}

static int test_capture_workload_tracefs(void)
{
	static const unsigned expect[15] = {12, 106, 208, 197, 126, 100, 92, 135, 7, 25, 25,
					    1, 2, 1, 209};
	struct sink *s = sink_new();
	struct kmmt_import im;

	ASSERT_EQ(check_capture("workload.tracefs.txt", KMMT_FMT_TRACEFS, expect, s, &im), 0);
	ASSERT_EQ(im.nr_cpus, 2);           /* "#P:2" */
	ASSERT_TRUE(im.hashed);             /* hash-ptr was on */
	ASSERT_EQ(workload_calls(s), 0);
	sink_free(s);
	return 0;
}

static int test_capture_workload_trace_cmd(void)
{
	static const unsigned expect[15] = {12, 106, 208, 197, 126, 100, 92, 135, 7, 25, 25,
					    1, 2, 1, 209};
	struct sink *s = sink_new();
	struct kmmt_import im;

	ASSERT_EQ(check_capture("workload.trace-cmd.txt", KMMT_FMT_TRACE_CMD, expect, s, &im), 0);
	ASSERT_EQ(im.nr_cpus, 2);           /* "cpus=2" */
	ASSERT_FALSE(im.hashed);            /* raw ring-buffer data */
	ASSERT_EQ(workload_calls(s), 0);
	sink_free(s);
	return 0;
}

static int test_capture_workload_perf(void)
{
	static const unsigned expect[15] = {69, 97, 235, 33, 113, 63, 59, 134, 6, 25, 25,
					    1, 2, 1, 140};
	struct sink *s = sink_new();
	struct kmmt_import im;

	ASSERT_EQ(check_capture("workload.perf.txt", KMMT_FMT_PERF, expect, s, &im), 0);
	ASSERT_STR_CONTAINS(im.kernel_release, "6.18");   /* "# os release : " */
	ASSERT_EQ(strcmp(im.machine, "x86_64"), 0);       /* "# arch : " */
	ASSERT_EQ(workload_calls(s), 0);
	sink_free(s);
	return 0;
}

static int test_capture_gzip_trace_pipe(void)
{
	static const unsigned expect[15] = {21, 123, 364, 238, 191, 116, 106, 146, 10, 28, 28,
					    1, 2, 2, 241};
	struct sink *s = sink_new();
	struct kmmt_import im;
	unsigned gzip_exec = 0;

	ASSERT_EQ(check_capture("gzip.trace_pipe.txt", KMMT_FMT_TRACEFS, expect, s, &im), 0);
	for (size_t i = 0; i < s->n; i++) {
		ASSERT_NE(s->r[i].pid, 0);   /* record-tgid: every line has its tgid */
		if (s->r[i].type == KMMT_EXEC && strstr(s->r[i].exec.filename, "gzip"))
			gzip_exec++;
	}
	ASSERT_EQ(gzip_exec, 1);
	ASSERT_FALSE(im.hashed);             /* hash-ptr was off */
	sink_free(s);
	return 0;
}

/* two renderings of one ring buffer agree on every record (pointers
 * aside: tracefs hashed them) */
static int test_tracefs_and_trace_cmd_agree(void)
{
	struct sink *a = sink_new(), *b = sink_new();
	struct kmmt_import ia, ib;
	static const unsigned e[15] = {12, 106, 208, 197, 126, 100, 92, 135, 7, 25, 25, 1, 2, 1,
				       209};

	ASSERT_EQ(check_capture("workload.tracefs.txt", KMMT_FMT_TRACEFS, e, a, &ia), 0);
	ASSERT_EQ(check_capture("workload.trace-cmd.txt", KMMT_FMT_TRACE_CMD, e, b, &ib), 0);
	ASSERT_EQ(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		const struct kmmt_record *x = &a->r[i], *y = &b->r[i];
		ASSERT_EQ(x->type, y->type);
		ASSERT_EQ(x->tid, y->tid);
		ASSERT_EQ(x->cpu, y->cpu);
		ASSERT_EQ(x->ts_ns, y->ts_ns);
		ASSERT_EQ(strcmp(a->comm[i], b->comm[i]), 0);
		switch (x->type) {
		case KMMT_KMALLOC:
		case KMMT_CACHE_ALLOC:
			ASSERT_EQ(x->alloc.bytes_req, y->alloc.bytes_req);
			ASSERT_EQ(x->alloc.bytes_alloc, y->alloc.bytes_alloc);
			ASSERT_EQ(x->alloc.gfp, y->alloc.gfp);
			ASSERT_EQ(x->alloc.node, y->alloc.node);
			ASSERT_EQ(strcmp(x->alloc.name, y->alloc.name), 0);
			ASSERT_EQ(!x->alloc.ptr, !y->alloc.ptr);
			break;
		case KMMT_PAGE_ALLOC:
		case KMMT_PAGE_FREE:
		case KMMT_PAGE_FREE_BATCHED:
			ASSERT_EQ(x->page.pfn, y->page.pfn);
			ASSERT_EQ(x->page.order, y->page.order);
			ASSERT_EQ(x->page.gfp, y->page.gfp);
			ASSERT_EQ(x->page.migratetype, y->page.migratetype);
			break;
		case KMMT_FAULT_USER:
			ASSERT_EQ(memcmp(&x->fault, &y->fault, sizeof(x->fault)), 0);
			break;
		case KMMT_SYS_ENTER:
			ASSERT_EQ(x->sys_enter.nr, y->sys_enter.nr);
			ASSERT_EQ(memcmp(x->sys_enter.args, y->sys_enter.args,
					 sizeof(x->sys_enter.args)), 0);
			break;
		case KMMT_SYS_EXIT:
			ASSERT_EQ(x->sys_exit.nr, y->sys_exit.nr);
			ASSERT_EQ(x->sys_exit.ret, y->sys_exit.ret);
			break;
		default:
			break;
		}
	}
	/* hashed pointers still pair within the capture: each hashed kfree
	 * pointer maps to one raw pointer */
	for (size_t i = 0; i < a->n; i++)
		for (size_t j = i + 1; j < a->n && j < i + 200; j++)
			if (a->r[i].type == KMMT_KFREE && a->r[j].type == KMMT_KFREE &&
			    a->r[i].free.ptr && a->r[j].free.ptr)
				ASSERT_EQ(a->r[i].free.ptr == a->r[j].free.ptr,
					  b->r[i].free.ptr == b->r[j].free.ptr);
	sink_free(a);
	sink_free(b);
	return 0;
}

static const struct test_case tests[] = {
	TEST(test_tracefs_kmalloc_hashed),
	TEST(test_tracefs_page_events),
	TEST(test_tracefs_faults_and_syscalls),
	TEST(test_sched_events),
	TEST(test_old_kmem_layouts),
	TEST(test_old_page_layouts),
	TEST(test_perf_and_trace_cmd_prefixes),
	TEST(test_meta_and_other_lines),
	TEST(test_malformed_lines),
	TEST(test_skip_or_refuse),
	TEST(test_capture_workload_tracefs),
	TEST(test_capture_workload_trace_cmd),
	TEST(test_capture_workload_perf),
	TEST(test_capture_gzip_trace_pipe),
	TEST(test_tracefs_and_trace_cmd_agree),
};
TEST_MAIN(tests)
