/* test_trace_replay.c — replay of the committed real traces on the tiny
 * machine (trace/replay.h): pages, slab, processes/syscalls/faults, the
 * report, and the op programs run under the oracle.
 *
 * For the committed captures the expected summary is computed from the
 * captures alone: corpus/traces/replay_expect.awk, slab_expect.awk and
 * mm_expect.awk for text and count_kmt.py --replay / --slab / --mm for the
 * binary capture (numbers in corpus/traces/README.md).  Synthetic records
 * check the pages part's skip reasons and that a trace too big for the
 * machine is counted, not a crash (the slab and mm parts have their own
 * suites).  After every replay the machine must account for every page:
 * with only the pages part, boot free pages = free pages + pages still
 * allocated by the replay + pages on pcp lists; with every part, once the
 * slab and mm parts have given back what they took, boot free pages = free
 * pages + the replay's blocks; and freeing the rest restores the boot
 * count (checked by kmmt_replay_finish, which also runs kmm_check).
 */
#include <stdint.h>

#include "import.h"
#include "kmm_test.h"
#include "replay.h"
#include "test.h"

static int replay_sink(void *ctx, const struct kmmt_record *r, const char *comm)
{
	(void)comm;
	kmmt_replay_record(ctx, r);
	return 0;
}

static int replay_file(struct kmmt_replay *rp, const char *name)
{
	char path[1024];
	uint8_t *data;
	size_t len;
	struct kmmt_error err;

	snprintf(path, sizeof(path), "%s/%s", KMMT_CORPUS_DIR, name);
	ASSERT_EQ(kmmt_read_file(path, &data, &len, &err), 0);
	if (!memcmp(data, KMMT_MAGIC, 8)) {
		struct kmmt_reader rd;
		struct kmmt_record *r = malloc(sizeof(*r));
		int ret;
		ASSERT_EQ(kmmt_reader_init(&rd, data, len, &err), 0);
		while ((ret = kmmt_reader_next(&rd, r, &err)) == 1)
			kmmt_replay_record(rp, r);
		free(r);
		ASSERT_EQ(ret, 0);
	} else {
		struct kmmt_import im;
		kmmt_import_init(&im, KMMT_FMT_AUTO, replay_sink, rp);
		im.strict = true;
		ASSERT_EQ(kmmt_import_buffer(&im, name, (const char *)data, len), 0);
	}
	free(data);
	return 0;
}

/* every page accounted for at the end of the trace */
static int accounted(const struct kmmt_replay *rp)
{
	long boot = 0, free_now = 0, pcp = 0, free_mid = 0;

	for (int z = 0; z < MAX_NR_ZONES; z++) {
		boot += rp->boot.nr_free_pages[z];
		free_now += rp->end.nr_free_pages[z];
		pcp += rp->end.pcp_pages[z];
		free_mid += rp->mid.nr_free_pages[z];
		ASSERT_EQ(rp->boot.pcp_pages[z], 0);
		ASSERT_EQ(rp->mid.pcp_pages[z], 0);
	}
	/* only the page events took pages: they are all accounted for */
	if (rp->parts == KMMT_PART_PAGES)
		ASSERT_EQ(boot - free_now, (long)rp->live_pages_at_end + pcp);
	/* the slab and mm parts gave back exactly what they took */
	ASSERT_EQ(boot - free_mid, (long)rp->live_pages_at_end);
	ASSERT_TRUE(rp->restored);
	return 0;
}

/* every record replayed, skipped for a reason, or context; the two
 * "live again" reasons count a free the trace missed, not a record */
static int all_records_counted(const struct kmmt_replay *rp)
{
	uint64_t n = rp->context;

	for (int t = 0; t < KMMT_NR_TYPES; t++)
		n += rp->replayed[t];
	for (int s = 0; s < NR_SKIPS; s++)
		if (s != SKIP_REALLOC_LIVE && s != SKIP_OBJ_REALLOC_LIVE)
			n += rp->skipped[s];
	ASSERT_EQ(n, rp->events);
	return 0;
}

/* allocs frees free_unknown free_batched order_mismatch live_blocks
 * live_pages max_live_pages, as replay_expect.awk / count_kmt.py print */
static int check_capture_parts(const char *name, const unsigned long e[8], unsigned int parts)
{
	struct kmm *k = boot_preset("tiny", false);
	struct kmmt_replay rp;

	ASSERT_EQ(kmmt_replay_init(&rp, k, ""), 0);
	rp.parts = parts;
	ASSERT_EQ(replay_file(&rp, name), 0);
	kmmt_replay_finish(&rp);
	ASSERT_EQ(rp.allocs, e[0]);
	ASSERT_EQ(rp.frees, e[1]);
	ASSERT_EQ(rp.skipped[SKIP_FREE_UNKNOWN] + rp.skipped[SKIP_FREE_INSIDE_BLOCK], e[2]);
	ASSERT_EQ(rp.skipped[SKIP_FREE_BATCHED], e[3]);
	ASSERT_EQ(rp.order_mismatch, e[4]);
	ASSERT_EQ(rp.live_at_end, e[5]);
	ASSERT_EQ(rp.live_pages_at_end, e[6]);
	ASSERT_EQ(rp.max_live_pages, e[7]);
	/* every allocation fits the tiny machine; the kernel's migratetype
	 * is the one the simulator derives from the same gfp */
	ASSERT_EQ(rp.skipped[SKIP_ALLOC_NO_FIT], 0);
	ASSERT_EQ(rp.skipped[SKIP_REALLOC_LIVE], 0);
	ASSERT_EQ(rp.mt_differ, 0);
	ASSERT_EQ(rp.mt_agree, e[0]);
	ASSERT_EQ(accounted(&rp), 0);
	ASSERT_EQ(all_records_counted(&rp), 0);
	kmmt_replay_free(&rp);
	kmm_destroy(k);
	return 0;
}

/* the page numbers do not depend on the other parts */
static int check_capture(const char *name, const unsigned long e[8])
{
	ASSERT_EQ(check_capture_parts(name, e, KMMT_PART_PAGES), 0);
	return check_capture_parts(name, e, KMMT_PART_ALL);
}

static int test_replay_workload_tracefs(void)
{
	static const unsigned long e[8] = {126, 71, 29, 92, 0, 55, 55, 103};
	return check_capture("workload.tracefs.txt", e);
}

static int test_replay_workload_trace_cmd(void)
{
	static const unsigned long e[8] = {126, 71, 29, 92, 0, 55, 55, 103};
	return check_capture("workload.trace-cmd.txt", e);
}

static int test_replay_workload_perf(void)
{
	static const unsigned long e[8] = {113, 56, 7, 59, 0, 57, 63, 101};
	return check_capture("workload.perf.txt", e);
}

static int test_replay_gzip_trace_pipe(void)
{
	static const unsigned long e[8] = {191, 87, 29, 106, 0, 104, 104, 182};
	return check_capture("gzip.trace_pipe.txt", e);
}

static int test_replay_workload_kmt(void)
{
	static const unsigned long e[8] = {131, 74, 47, 111, 0, 57, 57, 108};
	return check_capture("workload.kmt", e);
}

/* ---- synthetic records: each skip reason ---- */
static struct kmmt_record rec(uint16_t type, uint64_t pfn, unsigned order, uint64_t gfp)
{
	struct kmmt_record r;

	memset(&r, 0, sizeof(r));
	r.type = type;
	r.page.pfn = pfn;
	r.page.order = order;
	r.page.gfp = gfp;
	r.page.migratetype = 0;   /* unmovable: GFP_KERNEL */
	return r;
}

static int test_replay_skip_reasons(void)
{
	struct kmm *k = boot_preset("tiny", false);
	struct kmmt_replay rp;
	struct kmmt_record r;
	const uint64_t GK = 0xcc0;   /* GFP_KERNEL */

	ASSERT_EQ(kmmt_replay_init(&rp, k, "6.18.0"), 0);
	rp.parts = KMMT_PART_PAGES;   /* the kmalloc record is not replayed */
	r = rec(KMMT_PAGE_ALLOC, 0x1000, 2, GK);
	kmmt_replay_record(&rp, &r);                       /* replayed */
	r = rec(KMMT_PAGE_FREE, 0x1001, 0, 0);
	kmmt_replay_record(&rp, &r);                       /* inside 0x1000/2 */
	r = rec(KMMT_PAGE_FREE, 0x5000, 0, 0);
	kmmt_replay_record(&rp, &r);                       /* never allocated */
	r = rec(KMMT_PAGE_ALLOC, 0x1000, 0, GK);
	kmmt_replay_record(&rp, &r);                       /* live pfn again */
	r = rec(KMMT_PAGE_FREE, 0x1000, 1, 0);
	kmmt_replay_record(&rp, &r);                       /* wrong order */
	r = rec(KMMT_PAGE_ALLOC, UINT64_MAX, 3, GK);
	r.flags = KMMT_RF_FAILED;
	kmmt_replay_record(&rp, &r);                       /* failed in the kernel */
	r = rec(KMMT_PAGE_ALLOC, 0x2000, 11, GK);
	kmmt_replay_record(&rp, &r);                       /* order 11 >= MAX_ORDER */
	r = rec(KMMT_PAGE_ALLOC, 0x3000, 0, KMMT_GFP_DMA | KMMT_GFP_HIGHMEM);
	kmmt_replay_record(&rp, &r);                       /* no such zone */
	r = rec(KMMT_PAGE_ALLOC, 0x3000, 0, KMMT_GFP_MOVABLE | KMMT_GFP_RECLAIMABLE);
	kmmt_replay_record(&rp, &r);                       /* two mobility types */
	r = rec(KMMT_PAGE_FREE_BATCHED, 0x1000, 0, 0);
	kmmt_replay_record(&rp, &r);
	r = rec(KMMT_LOST, 0, 0, 0);
	r.lost.count = 7;
	kmmt_replay_record(&rp, &r);
	r = rec(KMMT_KMALLOC, 0, 0, 0);
	kmmt_replay_record(&rp, &r);
	/* movable in the 6.x numbering is 1; the simulator's is 2 */
	r = rec(KMMT_PAGE_ALLOC, 0x4000, 0, 0x100cca);
	r.page.migratetype = 1;
	kmmt_replay_record(&rp, &r);
	kmmt_replay_finish(&rp);

	ASSERT_EQ(rp.events, 13);
	ASSERT_EQ(rp.allocs, 3);
	ASSERT_EQ(rp.frees, 1);
	ASSERT_EQ(rp.skipped[SKIP_FREE_INSIDE_BLOCK], 1);
	ASSERT_EQ(rp.skipped[SKIP_FREE_UNKNOWN], 1);
	ASSERT_EQ(rp.skipped[SKIP_REALLOC_LIVE], 1);
	ASSERT_EQ(rp.order_mismatch, 1);
	ASSERT_EQ(rp.skipped[SKIP_ALLOC_FAILED_REAL], 1);
	ASSERT_EQ(rp.skipped[SKIP_ALLOC_ORDER], 1);
	ASSERT_EQ(rp.skipped[SKIP_ALLOC_BAD_GFP], 2);
	ASSERT_EQ(rp.skipped[SKIP_FREE_BATCHED], 1);
	ASSERT_EQ(rp.skipped[SKIP_LOST], 1);
	ASSERT_EQ(rp.lost_events, 7);
	ASSERT_EQ(rp.skipped[SKIP_NOT_REPLAYED], 1);
	ASSERT_EQ(rp.mt_agree, 3);
	ASSERT_EQ(rp.mt_differ, 0);
	ASSERT_EQ(rp.live_at_end, 1);            /* the movable page */
	ASSERT_EQ(accounted(&rp), 0);
	ASSERT_EQ(all_records_counted(&rp), 0);
	kmmt_replay_free(&rp);
	kmm_destroy(k);
	return 0;
}

/* a trace bigger than the machine: the misses are counted */
static int test_replay_does_not_fit(void)
{
	struct kmm *k = boot_preset("tiny", false);
	struct kmmt_replay rp;
	struct kmmt_record r;
	unsigned long max_blocks = 0;

	/* the most order-10 blocks the DMA and Normal zones could hold */
	for (int z = ZONE_DMA; z <= ZONE_NORMAL; z++)
		max_blocks += kmm_zone(k, (enum zone_type)z)->present_pages >> 10;
	ASSERT_EQ(kmmt_replay_init(&rp, k, ""), 0);
	for (uint64_t i = 0; i < 100; i++) {
		r = rec(KMMT_PAGE_ALLOC, i << 10, 10, 0xcc0);
		kmmt_replay_record(&rp, &r);
	}
	kmmt_replay_finish(&rp);
	ASSERT_EQ(rp.allocs + rp.skipped[SKIP_ALLOC_NO_FIT], 100);
	ASSERT_LE(rp.allocs, max_blocks);
	ASSERT_GE(rp.allocs, 1);
	ASSERT_EQ(rp.live_pages_at_end, rp.allocs << 10);
	ASSERT_EQ(accounted(&rp), 0);
	kmmt_replay_free(&rp);
	kmm_destroy(k);
	return 0;
}

/* the JSON report is one object with the counts above */
static int test_replay_json_report(void)
{
	struct kmm *k = boot_preset("tiny", false);
	struct kmmt_replay rp;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	ASSERT_EQ(kmmt_replay_init(&rp, k, ""), 0);
	ASSERT_EQ(replay_file(&rp, "workload.tracefs.txt"), 0);
	kmmt_replay_finish(&rp);
	f = open_memstream(&text, &len);
	kmmt_replay_report(&rp, f, true);
	fclose(f);
	/* the page kinds first, as in the first stage's report */
	ASSERT_STR_CONTAINS(text, "\"replayed\": {\"page_alloc\": 126, \"page_free\": 71, ");
	/* slab_expect.awk: 12 kmallocs, 12 kfrees, all in the kernel's class */
	ASSERT_STR_CONTAINS(text, "\"kmalloc\": 12, \"kfree\": 12, \"kmem_cache_alloc\": 208, "
			    "\"kmem_cache_free\": 141");
	ASSERT_STR_CONTAINS(text, "\"kmalloc_class_agree\": 12, \"kmalloc_class_differ\": 0");
	ASSERT_STR_CONTAINS(text, "\"free_of_object_not_in_trace\": 60");
	/* mm_expect.awk: 7 mappings the kernel placed, no fault the kernel
	 * resolved became a signal */
	ASSERT_STR_CONTAINS(text, "\"placement_agree\": 7, \"placement_differ\": 0");
	ASSERT_STR_CONTAINS(text, "\"faults_resolved\": 112, \"faults_sim_signal\": 0");
	ASSERT_STR_CONTAINS(text, "\"live_objects\": 66, \"processes\": 0");
	ASSERT_STR_CONTAINS(text, "\"cache\": \"names_cache\"");
	ASSERT_STR_CONTAINS(text, "\"oracle\": null");
	ASSERT_STR_CONTAINS(text, "\"free_of_block_not_in_trace\": 29");
	ASSERT_STR_CONTAINS(text, "\"free_order_mismatch\": 0");
	ASSERT_STR_CONTAINS(text, "\"live_blocks\": 55, \"live_pages\": 55, \"max_live_pages\": 103");
	ASSERT_STR_CONTAINS(text, "\"free_pages_restored\": true");
	ASSERT_EQ(text[0], '{');
	ASSERT_EQ(text[len - 2], '}');
	free(text);
	kmmt_replay_free(&rp);
	kmm_destroy(k);
	return 0;
}

/* ---- the slab part on the committed captures ----
 * kmalloc kfree kmem_cache_alloc kmem_cache_free free_of_null
 * free_not_in_trace alloc_of_live_ptr class_agree class_differ live, as
 * slab_expect.awk / count_kmt.py --slab print */
static int check_slab(const char *name, const unsigned long e[10])
{
	struct kmm *k = boot_preset("tiny", false);
	struct kmmt_replay rp;

	ASSERT_EQ(kmmt_replay_init(&rp, k, ""), 0);
	rp.parts = KMMT_PART_SLAB;
	ASSERT_EQ(replay_file(&rp, name), 0);
	kmmt_replay_finish(&rp);
	ASSERT_EQ(rp.replayed[KMMT_KMALLOC], e[0]);
	ASSERT_EQ(rp.replayed[KMMT_KFREE], e[1]);
	ASSERT_EQ(rp.replayed[KMMT_CACHE_ALLOC], e[2]);
	ASSERT_EQ(rp.replayed[KMMT_CACHE_FREE], e[3]);
	ASSERT_EQ(rp.skipped[SKIP_OBJ_FREE_NULL], e[4]);
	ASSERT_EQ(rp.skipped[SKIP_OBJ_FREE_UNKNOWN], e[5]);
	ASSERT_EQ(rp.skipped[SKIP_OBJ_REALLOC_LIVE], e[6]);
	ASSERT_EQ(rp.kmalloc_class_agree, e[7]);
	ASSERT_EQ(rp.kmalloc_class_differ, e[8]);
	ASSERT_EQ(rp.live_objs_at_end, e[9]);
	/* everything fits the tiny machine; every cache could be created */
	ASSERT_EQ(rp.skipped[SKIP_OBJ_NO_FIT] + rp.skipped[SKIP_OBJ_TOO_LARGE] +
		  rp.skipped[SKIP_OBJ_BAD_GFP] + rp.skipped[SKIP_OBJ_FAILED_REAL], 0);
	ASSERT_EQ(rp.obj_allocs, e[0] + e[2]);
	/* the slab usage at the end holds at least the live objects */
	unsigned long active = 0;
	for (unsigned int i = 0; i < rp.nusage; i++)
		active += rp.usage[i].active_objs;
	ASSERT_GE(active, e[9]);
	ASSERT_EQ(accounted(&rp), 0);
	ASSERT_EQ(all_records_counted(&rp), 0);
	kmmt_replay_free(&rp);
	kmm_destroy(k);
	return 0;
}

static int test_replay_slab_tracefs(void)
{
	static const unsigned long e[10] = {12, 12, 208, 141, 90, 60, 1, 12, 0, 66};
	return check_slab("workload.tracefs.txt", e);
}

static int test_replay_slab_trace_cmd(void)
{
	static const unsigned long e[10] = {12, 12, 208, 141, 90, 60, 1, 12, 0, 66};
	return check_slab("workload.trace-cmd.txt", e);
}

static int test_replay_slab_perf(void)
{
	static const unsigned long e[10] = {69, 63, 235, 28, 28, 11, 0, 69, 0, 213};
	return check_slab("workload.perf.txt", e);
}

static int test_replay_slab_gzip(void)
{
	static const unsigned long e[10] = {21, 17, 364, 180, 100, 64, 8, 21, 0, 180};
	return check_slab("gzip.trace_pipe.txt", e);
}

static int test_replay_slab_kmt(void)
{
	static const unsigned long e[10] = {12, 12, 205, 142, 146, 220, 1, 12, 0, 62};
	return check_slab("workload.kmt", e);
}

/* ---- the mm part on the committed captures ----
 * text (mm_expect.awk): execs forks exits syscall_records_replayed
 * syscall_records_mapped_before_capture faults_replayed
 * faults_mapped_before_capture not_in_trace kernel_address_faults placed;
 * binary (count_kmt.py --mm): the same with "not rebasable" for "mapped
 * before capture", then maps_replayed maps_not_rebasable */
static int check_mm(const char *name, const unsigned long e[12], bool snapshot)
{
	struct kmm *k = boot_preset("tiny", false);
	struct kmmt_replay rp;
	uint64_t agree = 0, differ = 0;

	ASSERT_EQ(kmmt_replay_init(&rp, k, ""), 0);
	rp.parts = KMMT_PART_MM;
	ASSERT_EQ(replay_file(&rp, name), 0);
	kmmt_replay_finish(&rp);
	ASSERT_EQ(rp.replayed[KMMT_EXEC], e[0]);
	ASSERT_EQ(rp.replayed[KMMT_FORK], e[1]);
	ASSERT_EQ(rp.replayed[KMMT_EXIT], e[2]);
	ASSERT_EQ(rp.replayed[KMMT_SYS_ENTER] + rp.replayed[KMMT_SYS_EXIT], e[3]);
	ASSERT_EQ(rp.replayed[KMMT_FAULT_USER] + rp.replayed[KMMT_FAULT_KERNEL], e[5]);
	if (snapshot) {
		ASSERT_EQ(rp.skipped[SKIP_ADDR_NOT_REBASABLE], e[4] + e[6]);
		ASSERT_EQ(rp.replayed[KMMT_MAPS], e[10]);
		ASSERT_EQ(rp.skipped[SKIP_MAPS_NOT_REBASABLE], e[11]);
	} else {
		ASSERT_EQ(rp.skipped[SKIP_SYS_UNKNOWN_MAPPING] + rp.skipped[SKIP_ADDR_NOT_REBASABLE],
			  e[4]);
		ASSERT_EQ(rp.skipped[SKIP_FAULT_UNKNOWN_MAPPING], e[6]);
	}
	ASSERT_EQ(rp.skipped[SKIP_PROC_UNKNOWN], e[7]);
	ASSERT_EQ(rp.skipped[SKIP_FAULT_KERNEL_ADDR], e[8]);
	/* the processes exited normally: the kernel resolved every fault and
	 * its syscalls gave the results in the trace; the simulator must agree,
	 * and place every mapping the kernel placed where the kernel did */
	ASSERT_EQ(rp.fault_sim_signal + rp.fault_real_signal + rp.fault_both_signal, 0);
	ASSERT_EQ(rp.fault_ok, e[5]);
	for (int nr = 1; nr < KMMT_NR_SYS; nr++) {
		agree += rp.sys_agree[nr];
		differ += rp.sys_differ[nr];
	}
	ASSERT_EQ(differ, 0);
	ASSERT_EQ(agree * 2, e[3]);
	ASSERT_EQ(rp.place_agree, e[9]);
	ASSERT_EQ(rp.place_differ, 0);
	ASSERT_EQ(rp.skipped[SKIP_SYS_NO_FIT] + rp.skipped[SKIP_FAULT_OOM] +
		  rp.skipped[SKIP_PROC_NO_FIT] + rp.skipped[SKIP_SYS_UNPAIRED], 0);
	/* every process exited: nothing left at the end */
	ASSERT_EQ(rp.procs_at_end, 0);
	ASSERT_EQ(rp.procs_exited, rp.procs_created);
	ASSERT_EQ(accounted(&rp), 0);
	ASSERT_EQ(all_records_counted(&rp), 0);
	kmmt_replay_free(&rp);
	kmm_destroy(k);
	return 0;
}

static int test_replay_mm_tracefs(void)
{
	static const unsigned long e[12] = {1, 1, 2, 46, 4, 112, 26, 4, 0, 7};
	return check_mm("workload.tracefs.txt", e, false);
}

static int test_replay_mm_trace_cmd(void)
{
	static const unsigned long e[12] = {1, 1, 2, 46, 4, 112, 26, 4, 0, 7};
	return check_mm("workload.trace-cmd.txt", e, false);
}

static int test_replay_mm_perf(void)
{
	static const unsigned long e[12] = {1, 1, 2, 46, 4, 111, 26, 3, 0, 7};
	return check_mm("workload.perf.txt", e, false);
}

static int test_replay_mm_gzip(void)
{
	static const unsigned long e[12] = {2, 1, 2, 48, 8, 82, 70, 4, 0, 8};
	return check_mm("gzip.trace_pipe.txt", e, false);
}

static int test_replay_mm_kmt(void)
{
	static const unsigned long e[12] = {1, 1, 2, 50, 0, 140, 0, 19, 0, 7, 12, 1};
	return check_mm("workload.kmt", e, true);
}

/* all parts at once: the same numbers as each part alone, and the buddy
 * and slab events as op programs under the oracle without disagreement */
static int test_replay_all_parts_under_oracle(void)
{
	static const char *const names[] = {"workload.kmt", "gzip.trace_pipe.txt", "workload.kmt"};
	/* small programs: objects of an earlier program are gone in the next */
	static const unsigned int max_ops[] = {1000, 1000, 100};
	/* page and slab frees of objects not in the trace (count_kmt.py
	 * --replay / --slab, replay_expect.awk / slab_expect.awk) */
	static const uint64_t unknown_frees[] = {47 + 220, 29 + 64, 47 + 220};
	static const uint64_t null_frees[] = {146, 100, 146};

	for (int i = 0; i < 3; i++) {
		struct kmm *k = boot_preset("tiny", false);
		struct kmmt_replay rp;
		ASSERT_EQ(kmmt_replay_init(&rp, k, ""), 0);
		rp.check_every = 200;
		rp.progs = kmmt_progs_new("tiny", false, 2, max_ops[i], NULL, "t", true);
		ASSERT_TRUE(rp.progs != NULL);
		ASSERT_EQ(replay_file(&rp, names[i]), 0);
		kmmt_replay_finish(&rp);
		const struct kmmt_progs_stats *ps = kmmt_progs_stats(rp.progs);
		ASSERT_GE(ps->programs, 1);
		ASSERT_EQ(ps->rejected, 0);
		ASSERT_EQ(ps->oracle_runs, ps->programs);
		ASSERT_EQ(ps->oracle_disagreements, 0);
		ASSERT_EQ(ps->dropped_unknown, unknown_frees[i]);
		if (max_ops[i] == 100) {
			ASSERT_GE(ps->programs, 3);
			ASSERT_GE(ps->dropped_earlier, 1);
		} else {
			ASSERT_EQ(ps->programs, 1);
			ASSERT_EQ(ps->dropped_earlier, 0);
		}
		ASSERT_LE(ps->ops, ps->programs * max_ops[i]);
		ASSERT_EQ(ps->dropped_unsupported, null_frees[i]);
		ASSERT_EQ(rp.checks, rp.events / 200 + 1);
		ASSERT_EQ(rp.fault_sim_signal, 0);
		ASSERT_EQ(rp.kmalloc_class_differ, 0);
		ASSERT_EQ(rp.mt_differ, 0);
		ASSERT_EQ(accounted(&rp), 0);
		ASSERT_EQ(all_records_counted(&rp), 0);
		kmmt_progs_free(rp.progs);
		rp.progs = NULL;
		kmmt_replay_free(&rp);
		kmm_destroy(k);
	}
	return 0;
}

/* ---- robustness: mutated real records never crash the replay ----
 * The records of workload.kmt with fields changed at random (a seeded
 * generator, so the run is the same every time): pointers, pfns and
 * addresses from small pools (so that they collide), sizes, orders, gfp
 * masks, error codes, syscall arguments and results, clone flags, maps
 * ranges, neighbours swapped.  Every variant must replay to the end with
 * every record counted and the boot free pages restored. */
static uint64_t rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return *s >> 11;
}

static void mutate(struct kmmt_record *r, uint64_t *s)
{
	static const uint64_t ptrs[] = {0, 16, 0xffff888100001000, 0xffff888100002000,
					0x1234, 0xffff888100001008};
	static const uint64_t addrs[] = {0, 0x1000, 0x555555554000, 0x7f0000000000,
					 0x7ffffffff000, 0x800000000000, 0xffffffffff600000,
					 0x600000000000, 0xfffffffffffff000};
	uint64_t x = rnd(s);
	uint64_t a = addrs[x % 9] + (rnd(s) % 0x40000) - (x & 1 ? 0x20000 : 0);

	switch (r->type) {
	case KMMT_KMALLOC:
	case KMMT_CACHE_ALLOC:
		r->alloc.ptr = x & 2 ? ptrs[rnd(s) % 6] : r->alloc.ptr;
		r->alloc.bytes_req = x & 4 ? rnd(s) % (1u << (rnd(s) % 24)) : r->alloc.bytes_req;
		r->alloc.bytes_alloc = rnd(s) % 20000;
		r->alloc.gfp = x & 8 ? rnd(s) & 0xffffff : r->alloc.gfp;
		if (x & 16)
			snprintf(r->alloc.name, sizeof(r->alloc.name), "%s",
				 x & 32 ? "kmalloc-rcl-9" : x & 64 ? "" : "c");
		break;
	case KMMT_KFREE:
	case KMMT_CACHE_FREE:
		r->free.ptr = ptrs[rnd(s) % 6];
		break;
	case KMMT_PAGE_ALLOC:
	case KMMT_PAGE_FREE:
	case KMMT_PAGE_FREE_BATCHED:
		r->page.pfn = rnd(s) % 64;
		r->page.order = (uint32_t)(rnd(s) % 21);
		r->page.gfp = rnd(s) & 0xffffff;
		r->page.migratetype = (int32_t)(rnd(s) % 17) - 1;
		break;
	case KMMT_FAULT_USER:
	case KMMT_FAULT_KERNEL:
		r->fault.address = x & 2 ? a : r->fault.address + (rnd(s) % 0x100000);
		r->fault.error_code = rnd(s) % 0x40;
		break;
	case KMMT_SYS_ENTER:
		for (int i = 0; i < 6; i++)
			if (rnd(s) & 1)
				r->sys_enter.args[i] = rnd(s) & 1 ? a : rnd(s) % 0x100000000ull;
		if (x & 4)
			r->sys_enter.nr = 1 + (uint32_t)(rnd(s) % 5);
		break;
	case KMMT_SYS_EXIT:
		r->sys_exit.ret = x & 2 ? -(int64_t)(rnd(s) % 40) : (int64_t)a;
		if (x & 4)
			r->sys_exit.nr = 1 + (uint32_t)(rnd(s) % 5);
		break;
	case KMMT_FORK:
		r->fork.child_pid = (uint32_t)(rnd(s) % 4) + r->fork.parent_pid;
		r->fork.clone_flags = (uint32_t)(rnd(s) % 8);
		break;
	case KMMT_EXIT:
		r->exit.exit_code = (int32_t)(rnd(s) % 140);
		break;
	case KMMT_MAPS:
		r->maps.start = a & ~0xfffull;
		r->maps.end = r->maps.start + ((rnd(s) % 0x400000) & ~0xfffull) + 0x1000;
		r->maps.prot = (uint32_t)(rnd(s) % 16);
		r->maps.pgoff = rnd(s) % 0x100000000ull;
		break;
	default:
		break;
	}
	if (x % 5 == 0)
		r->tid = r->pid = r->tid + (uint32_t)(rnd(s) % 3);
	r->cpu = (uint32_t)(rnd(s) % 4);
}

static int test_replay_mutated_records(void)
{
	char path[1024];
	uint8_t *data;
	size_t len, n = 0;
	struct kmmt_error err;
	struct kmmt_reader rd;
	struct kmmt_record *recs, tmp;
	struct kmm *k = boot_preset("tiny", false);

	snprintf(path, sizeof(path), "%s/workload.kmt", KMMT_CORPUS_DIR);
	ASSERT_EQ(kmmt_read_file(path, &data, &len, &err), 0);
	ASSERT_EQ(kmmt_reader_init(&rd, data, len, &err), 0);
	recs = malloc(sizeof(*recs) * rd.hdr.record_count);
	while (kmmt_reader_next(&rd, &recs[n], &err) == 1)
		n++;
	ASSERT_EQ(n, rd.hdr.record_count);
	for (uint64_t v = 0; v < (getenv("KMMT_VARIANTS") ? strtoull(getenv("KMMT_VARIANTS"), NULL, 0) : 24); v++) {
		uint64_t s = v * 7919 + 1;
		struct kmmt_replay rp;
		kmm_reset(k);
		ASSERT_EQ(kmmt_replay_init(&rp, k, "6.18.0"), 0);
		rp.check_every = 300;
		rp.pointer_size = v % 6 == 5 ? 4 : 8;
		for (size_t i = 0; i < n; i++) {
			struct kmmt_record r = recs[i];
			if (rnd(&s) % 4 == 0)
				mutate(&r, &s);
			if (i + 1 < n && rnd(&s) % 50 == 0) {   /* swap with the next */
				tmp = recs[i + 1];
				kmmt_replay_record(&rp, &tmp);
			}
			kmmt_replay_record(&rp, &r);
		}
		kmmt_replay_finish(&rp);
		ASSERT_EQ(all_records_counted(&rp), 0);
		ASSERT_TRUE(rp.restored);
		kmmt_replay_free(&rp);
	}
	free(recs);
	free(data);
	kmm_destroy(k);
	return 0;
}

static const struct test_case tests[] = {
	TEST(test_replay_workload_tracefs),
	TEST(test_replay_workload_trace_cmd),
	TEST(test_replay_workload_perf),
	TEST(test_replay_gzip_trace_pipe),
	TEST(test_replay_workload_kmt),
	TEST(test_replay_skip_reasons),
	TEST(test_replay_does_not_fit),
	TEST(test_replay_json_report),
	TEST(test_replay_slab_tracefs),
	TEST(test_replay_slab_trace_cmd),
	TEST(test_replay_slab_perf),
	TEST(test_replay_slab_gzip),
	TEST(test_replay_slab_kmt),
	TEST(test_replay_mm_tracefs),
	TEST(test_replay_mm_trace_cmd),
	TEST(test_replay_mm_perf),
	TEST(test_replay_mm_gzip),
	TEST(test_replay_mm_kmt),
	TEST(test_replay_all_parts_under_oracle),
	TEST(test_replay_mutated_records),
};
TEST_MAIN(tests)
