/* test_trace_replay.c — page-allocator replay of real traces on the tiny
 * machine (trace/replay.h).
 *
 * For the committed captures the expected summary is computed from the
 * captures alone: corpus/traces/replay_expect.awk for text and
 * count_kmt.py --replay for the binary capture (numbers in
 * corpus/traces/README.md).  Synthetic records check each skip reason and
 * that a trace too big for the machine is counted, not a crash.  After
 * every replay the machine must account for every page: boot free pages =
 * free pages + pages still allocated by the replay + pages on pcp lists,
 * and freeing the rest restores the boot count (checked by
 * kmmt_replay_finish, which also runs kmm_check).
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
	long boot = 0, free_now = 0, pcp = 0;

	for (int z = 0; z < MAX_NR_ZONES; z++) {
		boot += rp->boot.nr_free_pages[z];
		free_now += rp->end.nr_free_pages[z];
		pcp += rp->end.pcp_pages[z];
		ASSERT_EQ(rp->boot.pcp_pages[z], 0);
	}
	ASSERT_EQ(boot - free_now, (long)rp->live_pages_at_end + pcp);
	ASSERT_TRUE(rp->restored);
	return 0;
}

/* allocs frees free_unknown free_batched order_mismatch live_blocks
 * live_pages max_live_pages, as replay_expect.awk / count_kmt.py print */
static int check_capture(const char *name, const unsigned long e[8])
{
	struct kmm *k = boot_preset("tiny", false);
	struct kmmt_replay rp;

	ASSERT_EQ(kmmt_replay_init(&rp, k, ""), 0);
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
	kmmt_replay_free(&rp);
	kmm_destroy(k);
	return 0;
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
	ASSERT_EQ(rp.skipped[SKIP_NOT_PAGE_EVENT], 1);
	ASSERT_EQ(rp.mt_agree, 3);
	ASSERT_EQ(rp.mt_differ, 0);
	ASSERT_EQ(rp.live_at_end, 1);            /* the movable page */
	ASSERT_EQ(accounted(&rp), 0);
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
	ASSERT_STR_CONTAINS(text, "\"replayed\": {\"page_alloc\": 126, \"page_free\": 71}");
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

static const struct test_case tests[] = {
	TEST(test_replay_workload_tracefs),
	TEST(test_replay_workload_trace_cmd),
	TEST(test_replay_workload_perf),
	TEST(test_replay_gzip_trace_pipe),
	TEST(test_replay_workload_kmt),
	TEST(test_replay_skip_reasons),
	TEST(test_replay_does_not_fit),
	TEST(test_replay_json_report),
};
TEST_MAIN(tests)
