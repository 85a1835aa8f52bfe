/* fuzz/exec.h — the executor: runs a program on a reset machine, checks
 * every op with the oracle, sweeps with kmm_check(), and at the end frees
 * everything still live and checks that the boot free lists are back.
 */
#ifndef KMM_FUZZ_EXEC_H
#define KMM_FUZZ_EXEC_H

#include <setjmp.h>
#include "oplang.h"
#include "oracle.h"

struct kmem_cache;
struct mm_struct;
struct kmm_file;

/* A booted machine and its model, kept across runs (reset per run). */
struct opl_box {
	struct kmm *k;
	struct oracle *o;
	bool dirty;                     /* a run did not reach its reset */
};

struct opl_exec {
	struct opl_box box[OPL_NR_MACHINES];
	struct kmm *k;
	struct oracle *o;
	const struct opl_prog *p;
	unsigned int i;                 /* op being run */
	long last_check;                /* op index of the last sweep */
	FILE *log;                      /* op-by-op log, or NULL */
	bool sweeps;                    /* kmm_check() runs in this run */
	unsigned int check_every;       /* kmm_check every N ops (0: never) */
	unsigned int sweep_gap;         /* kmm_check ops closer than this many
					 * ops to the last sweep are skipped */
	bool check_end;                 /* kmm_check before the teardown */
	bool patterns;                  /* write a pattern into every block */
	int force_machine;              /* -1, or a machine index to use */
	jmp_buf *bail;                  /* if set, reports longjmp here */
	char report[4096];              /* the last report (with bail) */
	struct opl_rt {                 /* what a handle names at run time */
		struct page *page;      /* first page (NULL: allocation failed) */
		vaddr_t va;             /* slab object */
		struct kmem_cache *cache;
		struct mm_struct *mm;   /* process */
		struct kmm_file *file;  /* file */
	} rt[OPL_MAX_OPS];
	struct kmm_file *iodev;         /* the run's fuzz device (ioremap) */
	bool slab_used;                 /* a slab op ran: shrink at the end */
	bool vmalloc_used;              /* kernel page tables may stay */
	char note[160];                 /* what the current op did, for the log */
	struct opl_live lv;             /* live objects as the run goes */
};

/* Sets defaults (checks on, patterns on, no log). */
void opl_exec_init(struct opl_exec *x);
void opl_exec_fini(struct opl_exec *x);
/* Boots (once) the machine the program asks for; NULL + message on error. */
struct opl_box *opl_exec_box(struct opl_exec *x, unsigned int machine,
			     char *err, size_t n);
/* Runs the program; returns 0, or (with bail set) 1 after a report. */
int opl_run(struct opl_exec *x, const struct opl_prog *p);

/* For op implementations. */
void opl_note(struct opl_exec *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The first page of a unit, or NULL when its allocation failed. */
struct page *opl_unit(struct opl_exec *x, int32_t v);

#endif
