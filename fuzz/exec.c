/* fuzz/exec.c — the executor. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "kmm/highmem.h"
#include "exec.h"
#include "ops.h"

void opl_exec_init(struct opl_exec *x)
{
	memset(x, 0, sizeof(*x));
	x->sweeps = true;
	x->check_every = 64;
	x->check_end = true;
	x->patterns = true;
	x->force_machine = -1;
}

void opl_exec_fini(struct opl_exec *x)
{
	for (unsigned int i = 0; i < OPL_NR_MACHINES; i++) {
		oracle_destroy(x->box[i].o);
		kmm_destroy(x->box[i].k);
		x->box[i].o = NULL;
		x->box[i].k = NULL;
	}
}

struct opl_box *opl_exec_box(struct opl_exec *x, unsigned int machine,
			     char *err, size_t n)
{
	struct kmm_config c;

	if (x->force_machine >= 0)
		machine = (unsigned int)x->force_machine;
	struct opl_box *b = &x->box[machine % OPL_NR_MACHINES];
	if (b->k)
		return b;
	if (opl_machine_config(machine, &c)) {
		snprintf(err, n, "no machine %u", machine);
		return NULL;
	}
	b->k = kmm_create(&c, err, n);
	if (!b->k)
		return NULL;
	b->o = oracle_create(b->k, err, n);
	if (!b->o) {
		kmm_destroy(b->k);
		b->k = NULL;
		return NULL;
	}
	return b;
}

void opl_note(struct opl_exec *x, const char *fmt, ...)
{
	va_list ap;

	if (!x->log)
		return;
	va_start(ap, fmt);
	vsnprintf(x->note, sizeof(x->note), fmt, ap);
	va_end(ap);
}

struct page *opl_unit(struct opl_exec *x, int32_t v)
{
	unsigned int h = OPL_H(v), s = OPL_SUB(v);
	struct page *page = x->rt[h].page;

	if (!page) {
		opl_note(x, "skipped: the allocation returned NULL");
		return NULL;
	}
	if (x->lv.nsub[h] > 1)
		page = pfn_to_page(x->k, page_to_pfn(x->k, page) + s);
	return page;
}

/* Reports (kmm_bug and oracle disagreements) come here: the report, the
 * op, and the program so far as text; then abort (or bail out). */
static void on_report(void *arg, const char *report)
{
	struct opl_exec *x = arg;

	if (x->bail) {
		snprintf(x->report, sizeof(x->report), "%s", report);
		jmp_buf *jb = x->bail;
		longjmp(*jb, 1);
	}
	fputs(report, stderr);
	if (x->p) {
		if (x->i < x->p->n) {
			char line[512];
			opl_print_op(line, sizeof(line), x->p, x->i, NULL);
			fprintf(stderr, "at op #%u: %s\n", x->i, line);
		} else {
			fprintf(stderr, "at the end of the program (teardown)\n");
		}
		fprintf(stderr, "program so far (as text):\n");
		opl_print(stderr, x->p, x->i + 1);
	}
	fprintf(stderr, "==================================================="
			"===============\n");
	fflush(stderr);
	abort();
}

int opl_run(struct opl_exec *x, const struct opl_prog *p)
{
	char err[512];
	struct opl_box *b = opl_exec_box(x, p->machine, err, sizeof(err));

	if (!b) {
		fprintf(stderr, "kmmfuzz: cannot boot the machine: %s\n", err);
		abort();
	}
	x->k = b->k;
	x->o = b->o;
	x->p = NULL;
	/* Each run resets at its end, so the reset's work (and coverage)
	 * belongs to the run that caused it: AFL++ sees the same edges every
	 * time an input runs.  Only a run cut short leaves a dirty machine. */
	if (b->dirty) {
		kmm_reset(x->k);
		oracle_reset(x->o);
	}
	b->dirty = true;
	x->p = p;
	kmm_set_bug_hook(x->k, on_report, x);
	oracle_set_report(x->o, on_report, x);
	opl_live_init(&x->lv, p);
	x->last_check = -2;
	x->slab_used = false;
	x->vmalloc_used = false;
	x->iodev = NULL;                /* kmm_reset freed the last one */
	for (unsigned int i = 0; i < p->n; i++) {
		const struct opl_inst *in = &p->ops[i];
		const struct opl_op *op = &opl_ops[in->op];
		char line[512];
		x->i = i;
		kmm_set_op(x->k, i, op->name);
		x->note[0] = 0;
		if (x->log)
			opl_print_op(line, sizeof(line), p, i, &x->lv);
		op->exec(x, in);
		opl_live_apply(&x->lv, in);
		if (op->subsys & ~(OPL_CORE | OPL_BUDDY))
			oracle_sync_frames(x->o);
		else
			oracle_frames_settled(x->o);
		oracle_step(x->o);
		if (x->log)
			fprintf(x->log, "#%-4u %-48s %s%s\n", i, line,
				x->note[0] ? "-> " : "", x->note);
		if (x->sweeps && x->check_every && (i + 1) % x->check_every == 0 &&
		    x->last_check != (long)i) {
			kmm_check(x->k);
			oracle_sync_all(x->o);
			x->last_check = i;
		}
	}
	x->i = p->n;
	kmm_set_op(x->k, p->n, "teardown");
	kmap_exit_check(x->k);          /* no kmap_atomic/local outlives an op */
	if (x->sweeps && x->check_end && x->last_check != (long)p->n - 1)
		kmm_check(x->k);
	for (int i = (int)x->lv.nlive - 1; i >= 0; i--) {
		unsigned int h = x->lv.live[i];
		opl_ops[p->ops[p->h[h].op].op].teardown(x, h);
	}
	if (x->slab_used)
		slab_quiesce(x);
	drain_all_pages(x->k);
	/* the events tell every frame that changed hands; the full scan also
	 * finds frames that changed without one, in the runs that sweep */
	if (x->sweeps)
		oracle_sync_all(x->o);
	else
		oracle_sync_frames(x->o);
	oracle_check_restored(x->o, x->vmalloc_used);
	if (x->log)
		fprintf(x->log, "end: everything freed, %s\n",
			x->vmalloc_used ? "free counts exact (vmalloc's kernel "
					  "page tables stay)"
					: "free lists as at boot");
	x->p = NULL;
	kmm_reset(x->k);
	oracle_reset(x->o);
	b->dirty = false;
	return 0;
}
