/* fuzz/ops_mm.c — processes and user memory: exec, fork, exit, mmap,
 * munmap, mprotect, brk, mremap, user reads, writes and instruction
 * fetches (kmm_access on the current CPU after switch_mm to the process),
 * TLB flushes and context switches.  A region handle is an address: an
 * mmap's start, or the heap's start (sys_brk); mremap moves it along.  The oracle predicts
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

/* acc: KMM_ACC_WRITE, KMM_ACC_EXEC or 0 (a read) */
static void user_access(struct opl_exec *x, const struct opl_inst *in,
			unsigned int acc)
{
	struct mm_struct *mm = mm_of(x, in->a[0]);
	vaddr_t va = mm ? region(x, in->a[1], (uint32_t)in->a[2]) : 0;
	unsigned int len = (unsigned int)in->a[3], cpu = kmm_cpu(x->k), id = OPL_H(in->a[0]);
	bool write = acc & KMM_ACC_WRITE;
	uint8_t buf[256], seed = write ? (uint8_t)in->a[4] : 0;
	struct kmm_access_result r;

	if (!va)
		return;
	for (unsigned int i = 0; i < len; i++)
		buf[i] = write ? oracle_user_pattern(seed, i) : 0;
	switch_mm(x->k, cpu, mm);
	kmm_access(x->k, cpu, va, buf, len, KMM_ACC_USER | acc, &r);
	if (acc & KMM_ACC_EXEC)
		oracle_user_exec(x->o, id, va, len, buf, &r);
	else
		oracle_user_access(x->o, id, va, len, write, seed, buf, &r);
	static const char *const outcome[] = {"ok", "SIGSEGV", "SIGBUS", "EFAULT", "OOM"};
	opl_note(x, "0x%08x: %s after %zu bytes, %u faults", va,
		 r.outcome <= KMM_OOM ? outcome[r.outcome] : "?", r.done, r.faults);
}

void ex_user_write(struct opl_exec *x, const struct opl_inst *in)
{
	user_access(x, in, KMM_ACC_WRITE);
}

void ex_user_read(struct opl_exec *x, const struct opl_inst *in)
{
	user_access(x, in, 0);
}

void ex_user_exec(struct opl_exec *x, const struct opl_inst *in)
{
	user_access(x, in, KMM_ACC_EXEC);
}

/* The break moves by delta pages from where the process has it. */
void ex_sys_brk(struct opl_exec *x, const struct opl_inst *in)
{
	unsigned int h = (unsigned int)in->res;
	struct mm_struct *mm = mm_of(x, in->a[0]);

	x->rt[h].va = 0;
	if (!mm)
		return;
	vaddr_t old = mm->brk, req = old + (vaddr_t)in->a[1] * PAGE_SIZE;
	vaddr_t ret = sys_brk(x->k, mm, req);
	oracle_sys_brk(x->o, OPL_H(in->a[0]), old, req, ret);
	x->rt[h].va = mm->start_brk;
	opl_note(x, "brk 0x%08x -> 0x%08x", old, ret);
}

void ex_mremap(struct opl_exec *x, const struct opl_inst *in)
{
	struct mm_struct *mm = mm_of(x, in->a[0]);
	vaddr_t va = mm ? region(x, in->a[1], 0) : 0;
	unsigned int old = (unsigned int)in->a[2], new = (unsigned int)in->a[3];

	if (!va)
		return;
	long ret = do_mremap(x->k, mm, va, old * PAGE_SIZE, new * PAGE_SIZE,
			     in->a[4] ? MREMAP_MAYMOVE : 0, 0);
	oracle_mremap(x->o, OPL_H(in->a[0]), va, old, new, in->a[4], ret);
	if (ret >= 0)
		x->rt[OPL_H(in->a[1])].va = (vaddr_t)ret;
	opl_note(x, ret >= 0 ? "0x%08lx" : "%ld", ret);
}

void ex_flush_tlb_mm(struct opl_exec *x, const struct opl_inst *in)
{
	struct mm_struct *mm = mm_of(x, in->a[0]);

	if (mm)
		flush_tlb_mm(x->k, mm);
}

void ex_flush_tlb_page(struct opl_exec *x, const struct opl_inst *in)
{
	struct mm_struct *mm = mm_of(x, in->a[0]);
	vaddr_t va = mm ? region(x, in->a[1], (uint32_t)in->a[2] * PAGE_SIZE) : 0;

	if (!va)
		return;
	struct vm_area_struct *vma = find_vma(mm, va);
	if (!vma || vma->vm_start > va) {
		opl_note(x, "skipped: no VMA at 0x%08x", va);
		return;
	}
	flush_tlb_page(x->k, vma, va);
}

void ex_flush_tlb_one(struct opl_exec *x, const struct opl_inst *in)
{
	vaddr_t va = region(x, in->a[0], (uint32_t)in->a[1] * PAGE_SIZE);

	if (va)
		__flush_tlb_one(x->k, kmm_cpu(x->k), va);
}

void ex_switch_mm(struct opl_exec *x, const struct opl_inst *in)
{
	/* a forced machine may have fewer CPUs than the program's */
	unsigned int cpu = (unsigned int)in->a[0] % kmm_cfg(x->k)->nr_cpus;
	struct mm_struct *mm = mm_of(x, in->a[1]);

	if (mm)
		switch_mm(x->k, cpu, mm);
}

void ex_flush_tlb_all(struct opl_exec *x, const struct opl_inst *in)
{
	(void)in;
	flush_tlb_all(x->k);
}
