/* fuzz/ops_core.c — machine control ops: CPU switch, fault injection,
 * invariant sweep. */
#include <string.h>
#include "ops.h"

void ex_set_cpu(struct opl_exec *x, const struct opl_inst *in)
{
	/* a forced machine may have fewer CPUs than the program's */
	unsigned int cpu = (unsigned int)in->a[0] % kmm_cfg(x->k)->nr_cpus;

	kmm_set_cpu(x->k, cpu);
	oracle_set_cpu(x->o, cpu);
}

void ex_fail_page_alloc(struct opl_exec *x, const struct opl_inst *in)
{
	struct kmm_fault_attr *a = kmm_fail_page_alloc(x->k);

	memset(a, 0, sizeof(*a));
	a->interval = (unsigned long)in->a[0];
	a->times = in->a[1];
	a->nth = (unsigned long)in->a[2];
	a->min_order = (unsigned int)in->a[3];
	a->ignore_gfp_highmem = in->a[4];
	a->ignore_gfp_wait = in->a[5];
	oracle_fail_page_alloc(x->o, a);
}

/* A sweep right after another finds nothing new: skip it.  Fuzz targets
 * sweep only in some runs (see harness.c); replays sweep in all of them,
 * so a crash found while fuzzing reproduces. */
void ex_kmm_check(struct opl_exec *x, const struct opl_inst *in)
{
	(void)in;
	if (!x->sweeps) {
		opl_note(x, "skipped: no sweeps in this run");
		return;
	}
	if (x->last_check == (long)x->i - 1) {
		opl_note(x, "skipped: nothing ran since the last sweep");
	} else if (x->last_check >= 0 &&
		   (long)x->i - x->last_check < (long)x->sweep_gap) {
		opl_note(x, "skipped: a sweep ran %ld ops ago",
			 (long)x->i - x->last_check);
	} else {
		kmm_check(x->k);
		oracle_sync_all(x->o);
	}
	x->last_check = x->i;
}
