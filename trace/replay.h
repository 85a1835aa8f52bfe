/* replay.h — replay a trace's page-allocator events on a simulated machine.
 *
 * First stage of kmm-replay: mm_page_alloc / mm_page_free are replayed
 * through the buddy API (alloc_pages / __free_pages) of a booted kmm
 * machine.  A real pfn (or struct page pointer) maps to the simulated block
 * allocated for it; frees of blocks the trace never allocated (allocated
 * before the capture, or by a task outside the filter) are skipped and
 * counted, as are allocations that do not fit the smaller machine.  The
 * differential checks are the order of each free against its allocation
 * and the migratetype the kernel chose against the one the simulator
 * derives from the same gfp.  Other kinds (kmalloc, faults, syscalls) are
 * counted, not replayed yet.
 */
#ifndef KMMT_REPLAY_H
#define KMMT_REPLAY_H

#include "kmm/kmm.h"
#include "trace_format.h"

enum kmmt_skip {
	SKIP_ALLOC_FAILED_REAL,    /* the kernel's allocation failed too */
	SKIP_ALLOC_ORDER,          /* order >= the simulator's MAX_ORDER */
	SKIP_ALLOC_BAD_GFP,        /* zone bits or MOVABLE|RECLAIMABLE the simulator refuses */
	SKIP_ALLOC_NO_FIT,         /* the smaller machine had no block */
	SKIP_FREE_UNKNOWN,         /* allocated before the capture or outside the filter */
	SKIP_FREE_INSIDE_BLOCK,    /* a page inside a tracked higher-order block */
	SKIP_FREE_BATCHED,         /* mm_page_free_batched: mm_page_free reports it too */
	SKIP_REALLOC_LIVE,         /* a pfn allocated again: its free was not seen */
	SKIP_NOT_PAGE_EVENT,       /* kinds this stage does not replay */
	SKIP_LOST,                 /* LOST records (events the capture dropped) */
	NR_SKIPS
};

struct kmmt_replay_block {
	uint64_t key;              /* real pfn (or page pointer), +1; 0: empty */
	unsigned long sim_pfn;
	uint8_t order;
	int8_t real_mt;
	bool tomb;
};

/* the buddy state of the simulated machine at one moment */
struct kmmt_replay_state {
	long nr_free_pages[MAX_NR_ZONES];
	unsigned long nr_free[MAX_NR_ZONES][MAX_ORDER];
	int pcp_pages[MAX_NR_ZONES];
};

struct kmmt_replay {
	struct kmm *k;
	bool modern_mt;            /* migratetype numbering of 4.x+ (else 3.x) */
	uint64_t events, allocs, frees;
	uint64_t skipped[NR_SKIPS];
	uint64_t order_mismatch;   /* free order != alloc order */
	uint64_t mt_agree, mt_differ;
	uint64_t sim_fallback;     /* block landed in a pageblock of another type */
	uint64_t per_kind[KMMT_NR_TYPES];
	uint64_t lost_events;
	struct kmmt_replay_state boot;   /* after boot, pcp lists drained */
	struct kmmt_replay_state end;    /* at the end of the trace */
	unsigned long live_at_end, live_pages_at_end;
	bool restored;                   /* freeing the rest gave back boot's free pages */
	bool finished;
	/* real pfn -> simulated block (open addressing, tombstones) */
	struct kmmt_replay_block *map;
	size_t cap, used, live;
	unsigned long live_pages;
	unsigned long max_live_pages;
};

/* k: a booted machine; release: the traced kernel ("" if unknown). */
int kmmt_replay_init(struct kmmt_replay *rp, struct kmm *k, const char *release);
void kmmt_replay_record(struct kmmt_replay *rp, const struct kmmt_record *r);
/* Frees every block still live (end of replay), drains the pcp lists and
 * runs the invariant sweep. */
void kmmt_replay_finish(struct kmmt_replay *rp);
void kmmt_replay_free(struct kmmt_replay *rp);
const char *kmmt_skip_name(enum kmmt_skip s);

/* Text or JSON report: counts, differential checks, machine state. */
void kmmt_replay_report(struct kmmt_replay *rp, FILE *out, bool json);

#endif
