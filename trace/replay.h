/* replay.h — replay a real kernel's trace on a simulated machine.
 *
 * Three parts, each switchable (kmmt_replay_parts):
 *  - pages: mm_page_alloc / mm_page_free through the buddy API; a real pfn
 *    (or struct page pointer) maps to the simulated block allocated for it;
 *  - slab: kmalloc / kfree / kmem_cache_alloc / kmem_cache_free through
 *    the SLUB API; a real pointer maps to the simulated object, a cache
 *    name to a cache created on first sight with the object size the
 *    kernel reported (replay_slab.c);
 *  - mm: fork / exec / exit as simulated processes (mm_exec, dup_mm,
 *    mmput), /proc/PID/maps snapshots, the mmap / munmap / mprotect / brk /
 *    mremap syscalls and the page faults, with 64-bit user addresses
 *    rebased into the 3 GiB i386 user space (replay_mm.c; the rule is in
 *    trace/README.md).
 * Partial traces are normal: every record is either replayed, skipped for
 * a counted reason, or context (task names); nothing in a trace makes the
 * replay crash.  (Two reasons, alloc_of_live_pfn and obj_alloc_of_live_ptr,
 * count frees the trace missed, not records: the allocation that showed
 * the miss is replayed.)  The differential checks compare what the simulator did
 * with what the kernel reported: page orders and migratetypes, kmalloc
 * size classes, cache slot sizes, syscall results and placements, fault
 * outcomes.
 *
 * The pages part replays the kernel's raw page-allocator stream; the slab
 * and mm parts take pages for themselves as the simulator's own slab and
 * fault paths decide.  With all parts on, a kernel page that backed a slab
 * or a user page is therefore held twice on the simulated machine (once
 * for its mm_page_alloc event, once by the simulator's own allocation).
 */
#ifndef KMMT_REPLAY_H
#define KMMT_REPLAY_H

#include "kmm/kmm.h"
#include "trace_format.h"

enum kmmt_skip {
	/* pages */
	SKIP_ALLOC_FAILED_REAL,    /* the kernel's allocation failed too */
	SKIP_ALLOC_ORDER,          /* order >= the simulator's MAX_ORDER */
	SKIP_ALLOC_BAD_GFP,        /* zone bits or MOVABLE|RECLAIMABLE the simulator refuses */
	SKIP_ALLOC_NO_FIT,         /* the smaller machine had no block */
	SKIP_FREE_UNKNOWN,         /* allocated before the capture or outside the filter */
	SKIP_FREE_INSIDE_BLOCK,    /* a page inside a tracked higher-order block */
	SKIP_FREE_BATCHED,         /* mm_page_free_batched: mm_page_free reports it too */
	SKIP_REALLOC_LIVE,         /* a pfn allocated again: its free was not seen */
	SKIP_NOT_REPLAYED,         /* a kind whose part is switched off */
	SKIP_LOST,                 /* LOST records (events the capture dropped) */
	/* slab */
	SKIP_OBJ_FAILED_REAL,      /* the kernel returned NULL */
	SKIP_OBJ_ZERO_SIZE,        /* kmalloc(0): ZERO_SIZE_PTR, no object */
	SKIP_OBJ_TOO_LARGE,        /* above KMALLOC_MAX_SIZE / a cache the simulator cannot create */
	SKIP_OBJ_BAD_GFP,          /* __GFP_HIGHMEM / __GFP_DMA32: the kernel WARNs */
	SKIP_OBJ_NO_FIT,           /* the smaller machine had no memory */
	SKIP_OBJ_REALLOC_LIVE,     /* a live pointer allocated again: its free was not seen */
	SKIP_OBJ_FREE_NULL,        /* kfree(NULL) / kfree(ZERO_SIZE_PTR) */
	SKIP_OBJ_FREE_UNKNOWN,     /* allocated before the capture or outside the filter */
	/* processes, syscalls, faults */
	SKIP_PROC_UNKNOWN,         /* a task whose process began before the capture */
	SKIP_PROC_NO_FIT,          /* mm_exec / dup_mm ran out of memory */
	SKIP_SYS_UNPAIRED,         /* syscall entry without its exit, or the reverse */
	SKIP_ADDR_NOT_REBASABLE,   /* outside the windows of the rebasing rule */
	SKIP_SYS_NOT_MODELLED,     /* flags or lengths the i386 simulator has no counterpart for */
	SKIP_SYS_UNKNOWN_MAPPING,  /* a range mapped before the capture (no maps snapshot) */
	SKIP_SYS_NO_FIT,           /* the simulator said ENOMEM where the kernel succeeded */
	SKIP_FAULT_KERNEL_ADDR,    /* page_fault_kernel on a kernel address */
	SKIP_FAULT_UNKNOWN_MAPPING,/* no replayed mapping and no maps snapshot */
	SKIP_FAULT_OOM,            /* the simulator ran out of memory handling it */
	SKIP_MAPS_NOT_REBASABLE,   /* [vsyscall], or outside the windows */
	NR_SKIPS
};

/* the parts of a replay */
enum {
	KMMT_PART_PAGES = 1u << 0,
	KMMT_PART_SLAB = 1u << 1,
	KMMT_PART_MM = 1u << 2,
	KMMT_PART_ALL = 7u,
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

/* A generic u64 -> u64 hash map (open addressing, tombstones).  Keys are
 * trace values (pointers, pfns, tids), never host pointers. */
struct kmmt_map {
	uint64_t *key, *val;
	uint8_t *st;               /* 0 empty, 1 used, 2 tombstone */
	size_t cap, used, live;
};

/* one line of a differences list */
#define KMMT_DIFF_MAX 32
#define KMMT_DIFF_LEN 200
struct kmmt_diffs {
	uint64_t total;
	unsigned int n;            /* lines kept (the first KMMT_DIFF_MAX) */
	char line[KMMT_DIFF_MAX][KMMT_DIFF_LEN];
};

/* kmalloc size classes: one row per distinct (bytes_req, kernel, simulator) */
struct kmmt_class_diff {
	uint64_t bytes_req, real, sim, count;
};

/* slab usage of one simulated cache at the end of the trace */
struct kmmt_cache_usage {
	char name[64];
	unsigned long active_objs, num_objs, num_slabs;
	unsigned int objsize, order;
};

struct kmmt_rcache;
struct kmmt_proc;
struct kmmt_rfile;
struct kmmt_pending;
struct kmmt_maps_buf;
struct kmmt_progs;

struct kmmt_replay {
	struct kmm *k;
	unsigned int parts;        /* KMMT_PART_* */
	bool modern_mt;            /* migratetype numbering of 4.x+ (else 3.x) */
	unsigned int pointer_size; /* of the traced kernel: 8 rebases addresses */
	unsigned long check_every; /* kmm_check every N records (0: at the end only) */
	unsigned long checks;      /* sweeps run */
	uint64_t events;
	uint64_t replayed[KMMT_NR_TYPES];
	uint64_t context;          /* task records */
	uint64_t skipped[NR_SKIPS];
	uint64_t per_kind[KMMT_NR_TYPES];
	uint64_t lost_events;

	/* ---- pages ---- */
	uint64_t allocs, frees;
	uint64_t order_mismatch;   /* free order != alloc order */
	uint64_t mt_agree, mt_differ;
	uint64_t sim_fallback;     /* block landed in a pageblock of another type */
	struct kmmt_replay_state boot;   /* after boot, pcp lists drained */
	struct kmmt_replay_state end;    /* at the end of the trace */
	struct kmmt_replay_state mid;    /* slab and mm parts torn down, drained */
	unsigned long live_at_end, live_pages_at_end;
	bool restored;                   /* freeing the rest gave back boot's free pages */
	bool finished;
	/* real pfn -> simulated block (open addressing, tombstones) */
	struct kmmt_replay_block *map;
	size_t cap, used, live;
	unsigned long live_pages;
	unsigned long max_live_pages;

	/* ---- slab ---- */
	uint64_t obj_allocs, obj_frees;  /* replayed */
	uint64_t kmalloc_class_agree, kmalloc_class_differ;
	uint64_t kmalloc_large;          /* replayed above KMALLOC_MAX_CACHE_SIZE */
	struct kmmt_class_diff class_diff[KMMT_DIFF_MAX];
	unsigned int nclass_diff;
	uint64_t cache_size_agree, cache_size_differ;
	struct kmmt_diffs cache_diffs;
	uint64_t obj_free_other_cache;   /* freed with another cache's name */
	struct kmmt_map objs;            /* real ptr -> sim va | cache << 32 */
	struct kmmt_map cache_by_name;   /* name hash -> index in caches */
	struct kmmt_rcache *caches;
	unsigned int ncaches, caches_cap;
	unsigned long live_objs_at_end;
	struct kmmt_cache_usage *usage;  /* caches with objects at the end */
	unsigned int nusage;

	/* ---- processes, syscalls, faults ---- */
	struct kmmt_proc **procs;        /* by creation; NULL once gone */
	unsigned int nprocs, procs_cap;
	struct kmmt_map tid_proc;        /* tid -> index in procs */
	struct kmmt_map pending;         /* tid -> index in pend */
	struct kmmt_pending *pend;
	unsigned int npend, pend_cap;
	struct kmmt_rfile *files;
	unsigned int nfiles, files_cap;
	struct kmmt_map file_by_key;     /* (dev, inode) or (process, fd) -> index in files */
	struct kmmt_maps_buf *maps_buf;  /* a snapshot being collected */
	uint64_t procs_created, procs_exited, execs, forks;
	uint64_t sys_agree[KMMT_NR_SYS], sys_differ[KMMT_NR_SYS];
	uint64_t place_agree, place_differ, place_moved;
	struct kmmt_diffs sys_diffs;
	uint64_t maps_replayed;
	uint64_t fault_ok;               /* both resolved */
	uint64_t fault_sim_signal;       /* the kernel resolved it, the simulator signalled */
	uint64_t fault_real_signal;      /* the kernel signalled, the simulator resolved it */
	uint64_t fault_both_signal;
	uint64_t fault_no_pf;            /* the simulator needed no #PF for the access */
	struct kmmt_diffs fault_diffs;
	unsigned long procs_at_end;
	unsigned long vmas_at_end;

	/* op programs for the oracle and --emit-corpus (NULL: none) */
	struct kmmt_progs *progs;
};

/* k: a booted machine; release: the traced kernel ("" if unknown).  All
 * parts on, 8-byte pointers, no periodic sweep. */
int kmmt_replay_init(struct kmmt_replay *rp, struct kmm *k, const char *release);
void kmmt_replay_record(struct kmmt_replay *rp, const struct kmmt_record *r);
/* Snapshots the machine, then tears down what the replay still holds
 * (processes, files, objects, caches, blocks), drains the pcp lists and
 * runs the invariant sweep. */
void kmmt_replay_finish(struct kmmt_replay *rp);
void kmmt_replay_free(struct kmmt_replay *rp);
const char *kmmt_skip_name(enum kmmt_skip s);

/* Text or JSON report: counts, differential checks, machine state. */
void kmmt_replay_report(struct kmmt_replay *rp, FILE *out, bool json);

/* ---- the u64 map ---- */
uint64_t *kmmt_map_get(const struct kmmt_map *m, uint64_t key);
int kmmt_map_put(struct kmmt_map *m, uint64_t key, uint64_t val);
bool kmmt_map_del(struct kmmt_map *m, uint64_t key);
void kmmt_map_free(struct kmmt_map *m);

/* ---- op programs (replay_progs.c) ----
 * The trace's buddy and slab events as programs of the op language
 * (fuzz/oplang.h): one program per max_ops ops, each standalone (objects
 * of an earlier program are gone; their frees are dropped and counted).
 * Every program is parsed back with opl_parse, optionally written to
 * DIR/<stem>-NNN.txt in canonical text, and optionally run by the
 * executor under the oracle. */
struct kmmt_progs_stats {
	uint64_t programs, ops, written;
	uint64_t dropped_unsupported;    /* no op for it (order, size, gfp) */
	uint64_t dropped_earlier;        /* freed an object of an earlier program */
	uint64_t dropped_unknown;        /* freed an object the trace never allocated */
	uint64_t rejected;               /* programs the parser refused */
	uint64_t oracle_runs, oracle_disagreements;
	char first_report[1024];         /* the first disagreement */
	char first_error[256];           /* the first refusal or I/O error */
};
struct kmmt_progs *kmmt_progs_new(const char *preset, bool pae, unsigned int cpus,
				  unsigned int max_ops, const char *dir, const char *stem,
				  bool oracle);
void kmmt_progs_record(struct kmmt_progs *pg, const struct kmmt_record *r);
void kmmt_progs_finish(struct kmmt_progs *pg);
const struct kmmt_progs_stats *kmmt_progs_stats(const struct kmmt_progs *pg);
bool kmmt_progs_oracle(const struct kmmt_progs *pg);
void kmmt_progs_free(struct kmmt_progs *pg);

#endif
