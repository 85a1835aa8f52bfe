/* fuzz/ops_mm.c — processes and user memory: exec, fork, exit, mmap,
 * munmap, mprotect, user reads and writes (kmm_access on the current CPU
 * after switch_mm to the process), TLB flushes.  The oracle predicts
 * every result (see oracle/user.c); page tables and user pages are frames
 * the oracle re-learns after each op. */
#include "kmm/fault.h"
#include "ops.h"

static struct mm_struct *mm_of(struct opl_exec *x, int32_t v)
{
	struct mm_struct *mm = x->rt[OPL_H(v)].mm;

	if (!mm)
		opl_note(x, "skipped: the process does not exist (NULL)");
	return mm;
}

void ex_mm_exec(struct opl_exec *x, const struct opl_inst *in)
{
	unsigned int h = (unsigned int)in->res;

	x->rt[h].mm = mm_exec(x->k);
	oracle_mm_new(x->o, h, -1, x->rt[h].mm != NULL);
	opl_note(x, x->rt[h].mm ? "mm %u" : "NULL", x->rt[h].mm ? x->rt[h].mm->id : 0);
}

void ex_dup_mm(struct opl_exec *x, const struct opl_inst *in)
{
	unsigned int h = (unsigned int)in->res;
	struct mm_struct *parent = mm_of(x, in->a[0]);

	x->rt[h].mm = NULL;
	if (!parent)
		return;
	x->rt[h].mm = dup_mm(x->k, parent);
	oracle_mm_new(x->o, h, (int)OPL_H(in->a[0]), x->rt[h].mm != NULL);
	opl_note(x, x->rt[h].mm ? "mm %u" : "NULL", x->rt[h].mm ? x->rt[h].mm->id : 0);
}

static void exit_mm(struct opl_exec *x, unsigned int h)
{
	if (!x->rt[h].mm)
		return;
	mmput(x->k, x->rt[h].mm);
	oracle_mm_gone(x->o, h);
	x->rt[h].mm = NULL;
}

void ex_mmput(struct opl_exec *x, const struct opl_inst *in)
{
	if (mm_of(x, in->a[0]))
		exit_mm(x, OPL_H(in->a[0]));
}

void mm_teardown(struct opl_exec *x, unsigned int h)
{
	exit_mm(x, h);
}

void vma_teardown(struct opl_exec *x, unsigned int h)
{
	(void)x;
	(void)h;
}

void ex_mmap(struct opl_exec *x, const struct opl_inst *in)
{
	unsigned int h = (unsigned int)in->res, pages = (unsigned int)in->a[1];
	struct mm_struct *mm = mm_of(x, in->a[0]);

	x->rt[h].va = 0;
	if (!mm)
		return;
	long ret = do_mmap_pgoff(x->k, mm, NULL, 0, pages * PAGE_SIZE,
				 (unsigned long)in->a[2],
				 MAP_PRIVATE | MAP_ANONYMOUS |
					 (in->a[3] ? MAP_POPULATE : 0), 0);
	oracle_mmap(x->o, OPL_H(in->a[0]), ret, pages, (unsigned int)in->a[2]);
	if (ret >= 0)
		x->rt[h].va = (vaddr_t)ret;
	opl_note(x, ret >= 0 ? "0x%08lx" : "%ld", ret);
}

/* the address an op names: the region's start plus an offset */
static vaddr_t region(struct opl_exec *x, int32_t v, uint32_t off)
{
	vaddr_t base = x->rt[OPL_H(v)].va;

	if (!base)
		opl_note(x, "skipped: that mmap failed");
	return base ? base + off : 0;
}

void ex_munmap(struct opl_exec *x, const struct opl_inst *in)
{
	struct mm_struct *mm = mm_of(x, in->a[0]);
	vaddr_t va = mm ? region(x, in->a[1], (uint32_t)in->a[2] * PAGE_SIZE) : 0;

	if (!va)
		return;
	int ret = do_munmap(x->k, mm, va, (uint32_t)in->a[3] * PAGE_SIZE);
	oracle_munmap(x->o, OPL_H(in->a[0]), va, (unsigned int)in->a[3], ret);
	opl_note(x, "%d", ret);
}

void ex_mprotect(struct opl_exec *x, const struct opl_inst *in)
{
	struct mm_struct *mm = mm_of(x, in->a[0]);
	vaddr_t va = mm ? region(x, in->a[1], (uint32_t)in->a[2] * PAGE_SIZE) : 0;

	if (!va)
		return;
	int ret = sys_mprotect(x->k, mm, va, (uint32_t)in->a[3] * PAGE_SIZE,
			       (unsigned long)in->a[4]);
	oracle_mprotect(x->o, OPL_H(in->a[0]), va, (unsigned int)in->a[3],
			(unsigned int)in->a[4], ret);
	opl_note(x, "%d", ret);
}

static void user_access(struct opl_exec *x, const struct opl_inst *in, bool write)
{
	struct mm_struct *mm = mm_of(x, in->a[0]);
	vaddr_t va = mm ? region(x, in->a[1], (uint32_t)in->a[2]) : 0;
	unsigned int len = (unsigned int)in->a[3], cpu = kmm_cpu(x->k);
	uint8_t buf[256], seed = write ? (uint8_t)in->a[4] : 0;
	struct kmm_access_result r;

	if (!va)
		return;
	for (unsigned int i = 0; i < len; i++)
		buf[i] = write ? oracle_user_pattern(seed, i) : 0;
	switch_mm(x->k, cpu, mm);
	kmm_access(x->k, cpu, va, buf, len,
		   KMM_ACC_USER | (write ? KMM_ACC_WRITE : 0), &r);
	oracle_user_access(x->o, OPL_H(in->a[0]), va, len, write, seed, buf, &r);
	static const char *const outcome[] = {"ok", "SIGSEGV", "SIGBUS", "EFAULT", "OOM"};
	opl_note(x, "0x%08x: %s after %zu bytes, %u faults", va,
		 r.outcome <= KMM_OOM ? outcome[r.outcome] : "?", r.done, r.faults);
}

void ex_user_write(struct opl_exec *x, const struct opl_inst *in)
{
	user_access(x, in, true);
}

void ex_user_read(struct opl_exec *x, const struct opl_inst *in)
{
	user_access(x, in, false);
}

void ex_flush_tlb_all(struct opl_exec *x, const struct opl_inst *in)
{
	(void)in;
	flush_tlb_all(x->k);
}
