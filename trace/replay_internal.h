/* replay_internal.h — what the replay's parts share (not for callers). */
#ifndef KMMT_REPLAY_INTERNAL_H
#define KMMT_REPLAY_INTERNAL_H

#include "kmm/fault.h"
#include "kmm/mm.h"
#include "kmm/slab.h"
#include "replay.h"

/* a cache the trace named */
struct kmmt_rcache {
	char name[KMMT_NAME_LEN];
	struct kmem_cache *s;      /* NULL: could not be created */
	bool created;              /* by the replay (destroyed at the end) */
	uint64_t real_object_size, real_size;
};

/* a simulated process: the tasks sharing one mm */
struct kmmt_proc {
	uint32_t key;              /* tgid (tid when the source gives none) */
	struct mm_struct *mm;
	unsigned int tasks;        /* tids pointing here */
	bool snapshot;             /* its layout came from /proc/PID/maps */
	bool exec_seen;            /* created by an exec in the trace */
	/* rebasing anchors (real addresses; 0 unknown), see replay_mm.c */
	uint64_t exe_end, brk_start, mmap_top, stack_top;
	/* the last fault's outcome, for an exit by SIGSEGV / SIGBUS */
	uint32_t last_fault_tid;
	int last_fault_outcome;    /* enum kmm_outcome, -1 none */
};

/* a simulated file standing for a real one */
struct kmmt_rfile {
	struct kmm_file *f;
	uint64_t size;
};

/* a syscall entry waiting for its exit */
struct kmmt_pending {
	uint32_t tid, nr;
	bool used;
	uint64_t args[6];
	uint64_t ts;
};

/* replay.c */
gfp_t kmmt_to_kmm_gfp(uint64_t g);
void kmmt_replay_snapshot(struct kmm *k, struct kmmt_replay_state *s);
void kmmt_skip(struct kmmt_replay *rp, enum kmmt_skip s);
void kmmt_diff(struct kmmt_diffs *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* replay_slab.c */
void kmmt_slab_record(struct kmmt_replay *rp, const struct kmmt_record *r);
void kmmt_slab_usage(struct kmmt_replay *rp);
void kmmt_slab_teardown(struct kmmt_replay *rp);
void kmmt_slab_free(struct kmmt_replay *rp);

/* replay_mm.c */
void kmmt_mm_record(struct kmmt_replay *rp, const struct kmmt_record *r);
void kmmt_mm_flush(struct kmmt_replay *rp);
void kmmt_mm_teardown(struct kmmt_replay *rp);
void kmmt_mm_free(struct kmmt_replay *rp);

#endif
