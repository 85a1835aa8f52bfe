/* replay_mm.c — processes, /proc/PID/maps snapshots, the mm syscalls and
 * the page faults of a real trace, replayed on simulated processes.
 *
 * Processes: exec makes a new address space (mm_exec), fork copies one
 * (dup_mm; with CLONE_VM the child shares it), the exit of its last task
 * frees it (mmput).  A task maps to its process by tid (falling back to
 * the tgid, when the source gives one).  Sources that give no clone flags
 * (text) make every fork a new process.  Tasks of processes that began
 * before the capture and have no maps snapshot are not replayed.
 *
 * Rebasing (documented in trace/README.md): a 64-bit user address of a
 * process falls into one of four windows, each anchored at a point of the
 * process's real layout and mapped linearly onto a slot of the i386 layout
 * the simulator gives every process (mm_exec: brk at KMM_START_BRK, mmap
 * top-down from KMM_MMAP_BASE, the stack below STACK_TOP):
 *
 *   window   real anchor (x86_64)                  i386 slot
 *   exe      exe_end: end of the executable        [0x00400000, 0x08050000) ending at the anchor
 *   brk      brk_start: start of the heap          [0x08050000, 0x40000000) starting at it
 *   mmap     mmap_top: top of the mmap area        [0x40000000, 0xb8000000) ending at it
 *   stack    stack_top: end of [stack]             [0xb8000000, 0xc0000000) ending at it
 *
 * Addresses below 0x6000_0000_0000 use the exe and brk windows, others the
 * mmap and stack windows.  The anchors come from the maps snapshot when
 * there is one ([stack] end; [heap] start; the end of the highest mapping
 * below the stack window; the end of the highest low mapping below the
 * heap).  Otherwise they are set on first use: brk_start by the first brk
 * result, mmap_top by the end of the first mapping the kernel placed in the
 * upper half, exe_end by brk_start (or the first low mapping), stack_top
 * 1 MiB above the 1 MiB boundary over the first address well above the
 * mmap area.  A forked child keeps its parent's anchors.  Within a window
 * the layout is preserved exactly, so the simulator's own top-down
 * placement can be compared with the kernel's; outside every window an
 * event is skipped (address_not_rebasable).
 *
 * Files: a mapping's file is a simulated file per (device, inode) for maps
 * entries and per (process, fd) for mmap calls (the trace has no open();
 * a reused fd number is the same file), as large as the largest mapping of
 * it (the trace has no file sizes), with zero contents.
 *
 * Syscalls pair entry and exit by tid and are replayed with the rebased
 * arguments; results are compared (addresses rebased).  When the simulator
 * placed a mapping elsewhere than the kernel, the difference is counted and
 * the mapping is moved (mremap MREMAP_FIXED) to the kernel's place, so the
 * layouts stay the same.  A fault becomes one access of the recorded kind
 * (error code: W write, I/D instruction fetch, U user; page_fault_kernel on
 * a user address: a uaccess with an exception-table fixup).  The kernel
 * resolved every fault of a task that did not die of SIGSEGV/SIGBUS; for a
 * task that did, its last fault is the one the kernel signalled.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "replay_internal.h"

#define LOW_HALF_END 0x600000000000ull
#define USER_END_64 0x800000000000ull
#define SIM_EXE_LO 0x00400000ull
#define SIM_BRK_LO ((uint64_t)KMM_START_BRK)
#define SIM_MMAP_LO ((uint64_t)TASK_UNMAPPED_BASE)
#define SIM_MMAP_TOP ((uint64_t)KMM_MMAP_BASE)
#define SIM_STACK_TOP ((uint64_t)STACK_TOP)
#define STACK_SPAN (SIM_STACK_TOP - SIM_MMAP_TOP)
#define MIB (1ull << 20)
#define FILE_MAX (256ull << 20)     /* larger files are not replayed */

/* x86_64 mmap flags without a counterpart in the simulator */
#define X_MAP_32BIT 0x40ull
#define X_MAP_HUGETLB 0x40000ull
#define X_MAP_SYNC 0x80000ull
#define X_MAP_FIXED_NOREPLACE 0x100000ull
#define X_MAP_UNINITIALIZED 0x4000000ull
#define X_MREMAP_DONTUNMAP 4ull

enum anchor { NO_ANCHOR, ANCHOR_STACK, ANCHOR_MAP };

static uint64_t page_up(uint64_t x)
{
	return (x + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
}

/* ---- rebasing ---- */

static int rebase64(struct kmmt_proc *p, uint64_t a, uint64_t len, enum anchor mode,
		    uint64_t *out)
{
	uint64_t end = a + (len ? len : 1);

	if (end < a || end > USER_END_64)
		return -1;
	if (a < LOW_HALF_END) {
		if (end > LOW_HALF_END)
			return -1;
		if (p->brk_start && a >= p->brk_start) {
			if (end - p->brk_start > SIM_MMAP_LO - SIM_BRK_LO)
				return -1;
			*out = SIM_BRK_LO + (a - p->brk_start);
			return 0;
		}
		if (!p->exe_end && mode == ANCHOR_MAP)
			p->exe_end = p->brk_start ? p->brk_start : page_up(end);
		if (!p->exe_end || end > p->exe_end || p->exe_end - a > SIM_BRK_LO - SIM_EXE_LO)
			return -1;
		*out = SIM_BRK_LO - (p->exe_end - a);
		return 0;
	}
	if (p->stack_top && end <= p->stack_top && p->stack_top - a <= STACK_SPAN) {
		*out = SIM_STACK_TOP - (p->stack_top - a);
		return 0;
	}
	if (!p->mmap_top && mode == ANCHOR_MAP &&
	    (!p->stack_top || end + STACK_SPAN <= p->stack_top))
		p->mmap_top = page_up(end);
	if (p->mmap_top && end <= p->mmap_top && p->mmap_top - a <= SIM_MMAP_TOP - SIM_MMAP_LO) {
		*out = SIM_MMAP_TOP - (p->mmap_top - a);
		return 0;
	}
	/* well above the mmap area: the stack */
	if (!p->stack_top && mode != NO_ANCHOR && p->mmap_top && a >= p->mmap_top + STACK_SPAN) {
		p->stack_top = ((end + MIB - 1) & ~(MIB - 1)) + MIB;
		if (p->stack_top > USER_END_64)
			p->stack_top = USER_END_64;
		*out = SIM_STACK_TOP - (p->stack_top - a);
		return 0;
	}
	return -1;
}

static int rebase(struct kmmt_replay *rp, struct kmmt_proc *p, uint64_t a, uint64_t len,
		  enum anchor mode, vaddr_t *out)
{
	uint64_t v;

	if (rp->pointer_size == 4) {   /* an i386 kernel: the same layout */
		if (a + (len ? len : 1) > SIM_STACK_TOP || a + len < a)
			return -1;
		*out = (vaddr_t)a;
		return 0;
	}
	if (rebase64(p, a, len, mode, &v))
		return -1;
	*out = (vaddr_t)v;
	return 0;
}

/* is [a, a+len) inside mappings of the simulated process? */
static bool covered(struct mm_struct *mm, vaddr_t a, uint64_t len)
{
	uint64_t cur = a & PAGE_MASK, end = page_up((uint64_t)a + (len ? len : 1));

	while (cur < end) {
		struct vm_area_struct *v = find_vma(mm, (vaddr_t)cur);
		if (!v || v->vm_start > cur)
			return false;
		cur = v->vm_end;
	}
	return true;
}

/* ---- processes ---- */

static struct kmmt_proc *proc_at(struct kmmt_replay *rp, const uint64_t *v)
{
	return v ? rp->procs[*v] : NULL;
}

static int attach(struct kmmt_replay *rp, uint32_t tid, unsigned int idx)
{
	if (kmmt_map_put(&rp->tid_proc, tid, idx))
		return -1;
	rp->procs[idx]->tasks++;
	return 0;
}

static void proc_release(struct kmmt_replay *rp, unsigned int idx)
{
	struct kmmt_proc *p = rp->procs[idx];

	mmput(rp->k, p->mm);
	free(p);
	rp->procs[idx] = NULL;
	rp->procs_exited++;
}

static void detach(struct kmmt_replay *rp, uint32_t tid)
{
	uint64_t *v = kmmt_map_get(&rp->tid_proc, tid);
	unsigned int idx;

	if (!v)
		return;
	idx = (unsigned int)*v;
	kmmt_map_del(&rp->tid_proc, tid);
	if (--rp->procs[idx]->tasks == 0)
		proc_release(rp, idx);
}

/* a new process on mm (taken over); -1 out of host memory */
static int proc_new(struct kmmt_replay *rp, uint32_t key, struct mm_struct *mm, uint32_t tid)
{
	struct kmmt_proc *p;

	if (rp->nprocs == rp->procs_cap) {
		unsigned int cap = rp->procs_cap ? rp->procs_cap * 2 : 16;
		struct kmmt_proc **n = realloc(rp->procs, cap * sizeof(*n));
		if (!n)
			goto fail;
		rp->procs = n;
		rp->procs_cap = cap;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		goto fail;
	p->key = key;
	p->mm = mm;
	p->last_fault_outcome = -1;
	rp->procs[rp->nprocs] = p;
	detach(rp, tid);
	if (attach(rp, tid, rp->nprocs)) {
		rp->procs[rp->nprocs] = NULL;
		free(p);
		goto fail;
	}
	rp->nprocs++;
	rp->procs_created++;
	return (int)rp->nprocs - 1;
fail:
	mmput(rp->k, mm);
	return -1;
}

/* the process of a record's task */
static struct kmmt_proc *proc_of(struct kmmt_replay *rp, const struct kmmt_record *r)
{
	uint64_t *v = kmmt_map_get(&rp->tid_proc, r->tid);

	if (v)
		return proc_at(rp, v);
	/* another thread of a known process (the source gives the tgid) */
	if (r->pid && r->pid != r->tid && (v = kmmt_map_get(&rp->tid_proc, r->pid))) {
		unsigned int idx = (unsigned int)*v;
		if (attach(rp, r->tid, idx))
			return NULL;
		return rp->procs[idx];
	}
	return NULL;
}

static unsigned int cpu_of(struct kmmt_replay *rp, const struct kmmt_record *r)
{
	return r->cpu % kmm_cfg(rp->k)->nr_cpus;
}

/* runs the task's process on the record's CPU */
static unsigned int on_cpu(struct kmmt_replay *rp, const struct kmmt_record *r,
			   struct kmmt_proc *p)
{
	unsigned int cpu = cpu_of(rp, r);

	kmm_set_cpu(rp->k, cpu);
	switch_mm(rp->k, cpu, p->mm);
	return cpu;
}

static void do_fork(struct kmmt_replay *rp, const struct kmmt_record *r)
{
	struct kmmt_record pr = *r;
	struct kmmt_proc *parent;
	uint32_t child = r->fork.child_pid;

	pr.tid = r->fork.parent_pid;
	parent = proc_of(rp, &pr);
	if (!parent) {
		kmmt_skip(rp, SKIP_PROC_UNKNOWN);
		return;
	}
	rp->forks++;
	if ((r->fork.clone_flags & KMMT_CLONE_VM) && !(r->fork.clone_flags & KMMT_CLONE_UNKNOWN)) {
		unsigned int idx = (unsigned int)*kmmt_map_get(&rp->tid_proc, pr.tid);
		detach(rp, child);
		if (rp->procs[idx])
			attach(rp, child, idx);
		rp->replayed[KMMT_FORK]++;
		return;
	}
	on_cpu(rp, r, parent);
	struct mm_struct *mm = dup_mm(rp->k, parent->mm);
	if (!mm) {
		kmmt_skip(rp, SKIP_PROC_NO_FIT);
		return;
	}
	struct kmmt_proc copy = *parent;
	int idx = proc_new(rp, r->fork.child_tgid ? r->fork.child_tgid : child, mm, child);
	if (idx < 0) {
		kmmt_skip(rp, SKIP_PROC_NO_FIT);
		return;
	}
	struct kmmt_proc *p = rp->procs[idx];
	p->snapshot = copy.snapshot;
	p->exec_seen = copy.exec_seen;
	p->exe_end = copy.exe_end;
	p->brk_start = copy.brk_start;
	p->mmap_top = copy.mmap_top;
	p->stack_top = copy.stack_top;
	rp->replayed[KMMT_FORK]++;
}

static void do_exec(struct kmmt_replay *rp, const struct kmmt_record *r)
{
	struct mm_struct *mm;

	kmm_set_cpu(rp->k, cpu_of(rp, r));
	detach(rp, r->tid);   /* the old address space, if it was the last task */
	mm = mm_exec(rp->k);
	if (!mm) {
		kmmt_skip(rp, SKIP_PROC_NO_FIT);
		return;
	}
	int idx = proc_new(rp, r->pid ? r->pid : r->tid, mm, r->tid);
	if (idx < 0) {
		kmmt_skip(rp, SKIP_PROC_NO_FIT);
		return;
	}
	rp->procs[idx]->exec_seen = true;
	rp->execs++;
	rp->replayed[KMMT_EXEC]++;
}

static void do_exit(struct kmmt_replay *rp, const struct kmmt_record *r)
{
	struct kmmt_proc *p = proc_of(rp, r);
	int sig = r->exit.exit_code & 0x7f;

	if (!p) {
		kmmt_skip(rp, SKIP_PROC_UNKNOWN);
		return;
	}
	/* killed by SIGBUS (7) or SIGSEGV (11): the kernel signalled its last
	 * fault, which the replay first took as resolved */
	if ((sig == 7 || sig == 11) && p->last_fault_tid == r->tid && p->last_fault_outcome >= 0) {
		if (p->last_fault_outcome == KMM_OK) {
			rp->fault_ok--;
			rp->fault_real_signal++;
			kmmt_diff(&rp->fault_diffs, "task %u died of signal %d at its last fault, "
				  "which the simulator resolved", r->tid, sig);
		} else {
			rp->fault_sim_signal--;
			rp->fault_both_signal++;
		}
		p->last_fault_outcome = -1;
	}
	detach(rp, r->tid);
	rp->replayed[KMMT_EXIT]++;
}

/* ---- files ---- */

static struct kmm_file *file_for(struct kmmt_replay *rp, uint64_t key, uint64_t need)
{
	uint64_t *v = kmmt_map_get(&rp->file_by_key, key);

	need = page_up(need);
	if (!need || need > FILE_MAX)
		return NULL;
	if (v) {
		struct kmmt_rfile *f = &rp->files[*v];
		if (f->size < need) {
			kmm_file_truncate(rp->k, f->f, need);
			f->size = need;
		}
		return f->f;
	}
	if (rp->nfiles == rp->files_cap) {
		unsigned int cap = rp->files_cap ? rp->files_cap * 2 : 16;
		struct kmmt_rfile *n = realloc(rp->files, cap * sizeof(*n));
		if (!n)
			return NULL;
		rp->files = n;
		rp->files_cap = cap;
	}
	if (kmmt_map_put(&rp->file_by_key, key, rp->nfiles))
		return NULL;
	rp->files[rp->nfiles].f = kmm_file_create(rp->k, need, NULL);
	rp->files[rp->nfiles].size = need;
	return rp->files[rp->nfiles++].f;
}

static uint64_t inode_key(const struct kmmt_record *r)
{
	uint64_t h = 0xcbf29ce484222325ull;
	uint64_t parts[3] = {r->maps.dev_major, r->maps.dev_minor, r->maps.inode};

	for (int i = 0; i < 3; i++)
		h = (h ^ parts[i]) * 0x100000001b3ull;
	return h | 1ull << 63;
}

static uint64_t fd_key(const struct kmmt_proc *p, uint64_t fd)
{
	return (uint64_t)p->key << 32 | (fd & 0xffffffffu) | 1ull << 62;
}

/* ---- maps snapshots ---- */

static bool named(const struct kmmt_record *r, const char *s)
{
	return !strcmp(r->maps.path, s);
}

/* anchors from the snapshot (only those still unknown) */
static void snapshot_anchors(struct kmmt_proc *p, const struct kmmt_record *m, unsigned int n)
{
	uint64_t stack = 0, heap = 0, top = 0, exe = 0;

	for (unsigned int i = 0; i < n; i++)
		if (named(&m[i], "[stack]"))
			stack = m[i].maps.end;
		else if (named(&m[i], "[heap]"))
			heap = m[i].maps.start;
	for (unsigned int i = 0; i < n; i++) {
		const struct kmmt_record *r = &m[i];
		if (named(r, "[stack]") || named(r, "[heap]") || r->maps.end > USER_END_64)
			continue;
		if (r->maps.start >= LOW_HALF_END) {
			if ((!stack || r->maps.end + STACK_SPAN <= stack) && r->maps.end > top)
				top = r->maps.end;
		} else if ((!heap || r->maps.end <= heap) && r->maps.end > exe) {
			exe = r->maps.end;
		}
	}
	if (!p->stack_top)
		p->stack_top = stack;
	if (!p->brk_start)
		p->brk_start = heap;
	if (!p->mmap_top)
		p->mmap_top = top;
	if (!p->exe_end)
		p->exe_end = exe;
}

static void map_entry(struct kmmt_replay *rp, struct kmmt_proc *p, const struct kmmt_record *r)
{
	uint64_t len = r->maps.end - r->maps.start;
	struct kmm_file *file = NULL;
	vaddr_t va;

	if (named(r, "[vsyscall]") || len > SIM_STACK_TOP ||
	    rebase(rp, p, r->maps.start, len, NO_ANCHOR, &va)) {
		kmmt_skip(rp, SKIP_MAPS_NOT_REBASABLE);
		return;
	}
	on_cpu(rp, r, p);
	if (named(r, "[stack]")) {
		/* the simulated stack is there; it grows on faults as needed */
		rp->maps_replayed++;
		rp->replayed[KMMT_MAPS]++;
		return;
	}
	if (named(r, "[heap]")) {
		vaddr_t end = va + (vaddr_t)len;
		if (sys_brk(rp->k, p->mm, end) != end) {
			kmmt_skip(rp, SKIP_SYS_NO_FIT);
			return;
		}
		rp->maps_replayed++;
		rp->replayed[KMMT_MAPS]++;
		return;
	}
	unsigned long flags = MAP_FIXED | (r->maps.prot & KMMT_MAP_SHARED ? MAP_SHARED : MAP_PRIVATE);
	if (r->maps.inode) {
		file = file_for(rp, inode_key(r), r->maps.pgoff + len);
		if (!file) {
			kmmt_skip(rp, SKIP_SYS_NOT_MODELLED);
			return;
		}
	} else {
		flags |= MAP_ANONYMOUS;
	}
	long ret = do_mmap_pgoff(rp->k, p->mm, file, va, (uint32_t)len, r->maps.prot & 7, flags,
				 (unsigned long)(r->maps.pgoff >> PAGE_SHIFT));
	if (ret != (long)va) {
		kmmt_skip(rp, SKIP_SYS_NO_FIT);
		return;
	}
	rp->maps_replayed++;
	rp->replayed[KMMT_MAPS]++;
}

/* maps records wait until the snapshot of their process is complete */
struct kmmt_maps_buf {
	struct kmmt_record *r;
	unsigned int n, cap;
};

void kmmt_mm_flush(struct kmmt_replay *rp)
{
	struct kmmt_maps_buf *b = rp->maps_buf;
	struct kmmt_proc *p;

	if (!b || !b->n)
		return;
	p = proc_of(rp, &b->r[0]);
	if (!p) {
		/* a process that began before the capture: its snapshot is
		 * its layout */
		kmm_set_cpu(rp->k, cpu_of(rp, &b->r[0]));
		struct mm_struct *mm = mm_exec(rp->k);
		int idx = mm ? proc_new(rp, b->r[0].pid, mm, b->r[0].pid) : -1;
		if (idx < 0) {
			rp->skipped[SKIP_PROC_NO_FIT] += b->n;
			b->n = 0;
			return;
		}
		p = rp->procs[idx];
	}
	p->snapshot = true;
	snapshot_anchors(p, b->r, b->n);
	for (unsigned int i = 0; i < b->n; i++)
		map_entry(rp, p, &b->r[i]);
	b->n = 0;
}

static void maps_add(struct kmmt_replay *rp, const struct kmmt_record *r)
{
	struct kmmt_maps_buf *b = rp->maps_buf;

	if (!b) {
		b = calloc(1, sizeof(*b));
		if (!b) {
			kmmt_skip(rp, SKIP_PROC_NO_FIT);
			return;
		}
		rp->maps_buf = b;
	}
	if (b->n && b->r[0].pid != r->pid)
		kmmt_mm_flush(rp);
	if (b->n == b->cap) {
		unsigned int cap = b->cap ? b->cap * 2 : 64;
		struct kmmt_record *n = realloc(b->r, cap * sizeof(*n));
		if (!n) {
			kmmt_skip(rp, SKIP_PROC_NO_FIT);
			return;
		}
		b->r = n;
		b->cap = cap;
	}
	b->r[b->n] = *r;
	/* the maps record names the process by pid; its leader's tid */
	b->r[b->n].tid = r->pid;
	b->n++;
}

/* ---- syscalls ---- */

#define REPLAYED (-1)

static void sys_note(struct kmmt_replay *rp, const struct kmmt_record *r, bool agree,
		     const char *what, int64_t real, long sim)
{
	unsigned int nr = r->sys_exit.nr;

	if (agree) {
		rp->sys_agree[nr]++;
		return;
	}
	rp->sys_differ[nr]++;
	kmmt_diff(&rp->sys_diffs, "%u/%u %s: kernel -> %#" PRIx64 " (%" PRId64 "), simulator -> %#lx (%ld)",
		  r->pid, r->tid, what, (uint64_t)real, real, (unsigned long)sim, sim);
}

/* the simulator placed [got, +len) where the kernel's (rebased) choice was
 * want: move it there if the place is free, else drop it */
static void replace(struct kmmt_replay *rp, struct kmmt_proc *p, const struct kmmt_record *r,
		    const char *what, vaddr_t got, vaddr_t want, uint64_t len)
{
	uint32_t l = (uint32_t)page_up(len);

	rp->place_differ++;
	kmmt_diff(&rp->sys_diffs, "%u/%u %s: kernel placed it at simulator address %#x, the "
		  "simulator at %#x", r->pid, r->tid, what, want, got);
	if (!find_vma_intersection(p->mm, want, want + l) &&
	    do_mremap(rp->k, p->mm, got, l, l, MREMAP_MAYMOVE | MREMAP_FIXED, want) == (long)want) {
		rp->place_moved++;
		return;
	}
	do_munmap(rp->k, p->mm, got, l);
}

static int sys_mmap(struct kmmt_replay *rp, struct kmmt_proc *p, const struct kmmt_record *r,
		    const uint64_t *a, int64_t ret)
{
	uint64_t addr = a[0], len = a[1], prot = a[2], flags = a[3], fd = a[4], off = a[5];
	bool noreplace = flags & X_MAP_FIXED_NOREPLACE, fixed = (flags & MAP_FIXED) || noreplace;
	bool ok = ret >= 0;
	struct kmm_file *file = NULL;
	vaddr_t hint = 0, want = 0;
	char what[120];
	long sim;

	if (!len || len > SIM_STACK_TOP || (off & (PAGE_SIZE - 1)) ||
	    (flags & (X_MAP_32BIT | X_MAP_HUGETLB | X_MAP_SYNC | X_MAP_UNINITIALIZED)))
		return SKIP_SYS_NOT_MODELLED;
	unsigned long type = flags & 0xf;
	if (type == 3)   /* MAP_SHARED_VALIDATE */
		type = MAP_SHARED;
	unsigned long sflags = type | (fixed ? MAP_FIXED : 0) |
			       (flags & (MAP_ANONYMOUS | MAP_GROWSDOWN | MAP_NORESERVE | MAP_POPULATE));
	if (addr && rebase(rp, p, addr, len, fixed ? ANCHOR_MAP : NO_ANCHOR, &hint)) {
		if (fixed)
			return SKIP_ADDR_NOT_REBASABLE;
		hint = 0;
	}
	if (ok && !fixed && rebase(rp, p, (uint64_t)ret, len, ANCHOR_MAP, &want))
		return SKIP_ADDR_NOT_REBASABLE;
	if (fixed)
		want = hint;
	if (!(flags & MAP_ANONYMOUS)) {
		file = file_for(rp, fd_key(p, fd), off + len);
		if (!file)
			return SKIP_SYS_NOT_MODELLED;
	}
	snprintf(what, sizeof(what), "mmap(%#" PRIx64 ", %#" PRIx64 ", %#" PRIx64 ", %#" PRIx64
		 ", %" PRId64 ", %#" PRIx64 ")", addr, len, prot, flags, (int64_t)fd, off);
	on_cpu(rp, r, p);
	if (noreplace && find_vma_intersection(p->mm, hint, (vaddr_t)(hint + page_up(len))))
		sim = -EEXIST;
	else
		sim = do_mmap_pgoff(rp->k, p->mm, file, hint, (uint32_t)len, prot & 7, sflags,
				    (unsigned long)(off >> PAGE_SHIFT));
	if (ok && sim < 0 && sim == -ENOMEM)
		return SKIP_SYS_NO_FIT;
	sys_note(rp, r, ok == (sim >= 0), what, ret, sim);
	if (ok && sim >= 0 && !fixed) {
		if ((vaddr_t)sim == want)
			rp->place_agree++;
		else
			replace(rp, p, r, what, (vaddr_t)sim, want, len);
	} else if (!ok && sim >= 0 && !fixed) {
		do_munmap(rp->k, p->mm, (vaddr_t)sim, (uint32_t)page_up(len));
	}
	return REPLAYED;
}

/* no maps snapshot: a range the simulator has no mapping for may be one
 * the kernel made before the capture */
static bool unknown_range(struct kmmt_proc *p, vaddr_t va, uint64_t len)
{
	return !p->snapshot && !covered(p->mm, va, len);
}

/* munmap/mprotect(addr, len, ...): true with the range rebased into the
 * simulator, or false with the reason it is skipped */
static bool rebase_range(struct kmmt_replay *rp, struct kmmt_proc *p,
			 const uint64_t *a, vaddr_t *va, int *skip)
{
	if (!a[1] || a[1] > SIM_STACK_TOP)
		*skip = SKIP_SYS_NOT_MODELLED;
	else if (rebase(rp, p, a[0], a[1], NO_ANCHOR, va))
		*skip = p->snapshot ? SKIP_ADDR_NOT_REBASABLE : SKIP_SYS_UNKNOWN_MAPPING;
	else if (unknown_range(p, *va, a[1]))
		*skip = SKIP_SYS_UNKNOWN_MAPPING;
	else
		return true;
	return false;
}

static int sys_munmap(struct kmmt_replay *rp, struct kmmt_proc *p, const struct kmmt_record *r,
		      const uint64_t *a, int64_t ret)
{
	char what[80];
	vaddr_t va;

	int skip;
	if (!rebase_range(rp, p, a, &va, &skip))
		return skip;
	snprintf(what, sizeof(what), "munmap(%#" PRIx64 ", %#" PRIx64 ")", a[0], a[1]);
	on_cpu(rp, r, p);
	long sim = do_munmap(rp->k, p->mm, va, (uint32_t)a[1]);
	sys_note(rp, r, (ret == 0) == (sim == 0), what, ret, sim);
	return REPLAYED;
}

static int rsys_mprotect(struct kmmt_replay *rp, struct kmmt_proc *p, const struct kmmt_record *r,
			const uint64_t *a, int64_t ret)
{
	char what[80];
	vaddr_t va;

	int skip;
	if (!rebase_range(rp, p, a, &va, &skip))
		return skip;
	snprintf(what, sizeof(what), "mprotect(%#" PRIx64 ", %#" PRIx64 ", %#" PRIx64 ")",
		 a[0], a[1], a[2]);
	on_cpu(rp, r, p);
	long sim = sys_mprotect(rp->k, p->mm, va, (uint32_t)a[1], (unsigned long)a[2]);
	sys_note(rp, r, (ret == 0) == (sim == 0), what, ret, sim);
	return REPLAYED;
}

static int sys_brk_(struct kmmt_replay *rp, struct kmmt_proc *p, const struct kmmt_record *r,
		    const uint64_t *a, int64_t ret)
{
	vaddr_t arg = 0, want;
	char what[60];

	if (rp->pointer_size != 4 && !p->brk_start) {
		/* the first brk of a process gives its start_brk */
		if (a[0] || ret <= 0 || (uint64_t)ret >= LOW_HALF_END)
			return SKIP_ADDR_NOT_REBASABLE;
		p->brk_start = (uint64_t)ret;
	}
	if (rebase(rp, p, (uint64_t)ret, 0, NO_ANCHOR, &want))
		return SKIP_ADDR_NOT_REBASABLE;
	/* below the heap start the kernel returns the current brk, as for 0 */
	if (a[0] && rebase(rp, p, a[0], 0, NO_ANCHOR, &arg))
		arg = 0;
	if (a[0] && a[0] < p->brk_start)
		arg = 0;
	snprintf(what, sizeof(what), "brk(%#" PRIx64 ")", a[0]);
	on_cpu(rp, r, p);
	vaddr_t sim = sys_brk(rp->k, p->mm, arg);
	if (sim != want && arg == want)
		return SKIP_SYS_NO_FIT;   /* the kernel grew the heap, the simulator could not */
	sys_note(rp, r, sim == want, what, ret, (long)sim);
	return REPLAYED;
}

static int sys_mremap(struct kmmt_replay *rp, struct kmmt_proc *p, const struct kmmt_record *r,
		      const uint64_t *a, int64_t ret)
{
	uint64_t addr = a[0], old = a[1], new = a[2], flags = a[3], naddr = a[4];
	bool ok = ret >= 0, fixed = flags & MREMAP_FIXED;
	vaddr_t va, nva = 0, want = 0;
	char what[120];

	if ((flags & ~(uint64_t)(MREMAP_MAYMOVE | MREMAP_FIXED)) || !new ||
	    new > SIM_STACK_TOP || old > SIM_STACK_TOP)
		return SKIP_SYS_NOT_MODELLED;
	if (rebase(rp, p, addr, old, NO_ANCHOR, &va))
		return p->snapshot ? SKIP_ADDR_NOT_REBASABLE : SKIP_SYS_UNKNOWN_MAPPING;
	if ((fixed && rebase(rp, p, naddr, new, ANCHOR_MAP, &nva)) ||
	    (ok && rebase(rp, p, (uint64_t)ret, new, ANCHOR_MAP, &want)))
		return SKIP_ADDR_NOT_REBASABLE;
	if (unknown_range(p, va, old))
		return SKIP_SYS_UNKNOWN_MAPPING;
	snprintf(what, sizeof(what), "mremap(%#" PRIx64 ", %#" PRIx64 ", %#" PRIx64 ", %#" PRIx64
		 ", %#" PRIx64 ")", addr, old, new, flags, naddr);
	on_cpu(rp, r, p);
	long sim = do_mremap(rp->k, p->mm, va, (uint32_t)old, (uint32_t)new, (unsigned long)flags, nva);
	if (ok && sim == -ENOMEM)
		return SKIP_SYS_NO_FIT;   /* the kernel grew or moved it, the simulator could not */
	sys_note(rp, r, ok == (sim >= 0), what, ret, sim);
	if (ok && sim >= 0) {
		if ((vaddr_t)sim != want)
			replace(rp, p, r, what, (vaddr_t)sim, want, new);
		else if (!fixed && (uint64_t)ret != addr)
			rp->place_agree++;
	}
	return REPLAYED;
}

static struct kmmt_pending *pending_of(struct kmmt_replay *rp, uint32_t tid)
{
	uint64_t *v = kmmt_map_get(&rp->pending, tid);

	return v ? &rp->pend[*v] : NULL;
}

static void sys_enter(struct kmmt_replay *rp, const struct kmmt_record *r)
{
	struct kmmt_pending *pe = pending_of(rp, r->tid);

	if (!pe) {
		if (rp->npend == rp->pend_cap) {
			unsigned int cap = rp->pend_cap ? rp->pend_cap * 2 : 16;
			struct kmmt_pending *n = realloc(rp->pend, cap * sizeof(*n));
			if (!n) {
				kmmt_skip(rp, SKIP_SYS_UNPAIRED);
				return;
			}
			rp->pend = n;
			rp->pend_cap = cap;
		}
		if (kmmt_map_put(&rp->pending, r->tid, rp->npend)) {
			kmmt_skip(rp, SKIP_SYS_UNPAIRED);
			return;
		}
		pe = &rp->pend[rp->npend++];
		pe->used = false;
	}
	if (pe->used)   /* an entry whose exit was lost */
		kmmt_skip(rp, SKIP_SYS_UNPAIRED);
	pe->used = true;
	pe->tid = r->tid;
	pe->nr = r->sys_enter.nr;
	pe->ts = r->ts_ns;
	memcpy(pe->args, r->sys_enter.args, sizeof(pe->args));
}

static void sys_exit(struct kmmt_replay *rp, const struct kmmt_record *r)
{
	struct kmmt_pending *pe = pending_of(rp, r->tid);
	struct kmmt_proc *p;
	int res;

	if (!pe || !pe->used || pe->nr != r->sys_exit.nr) {
		if (pe && pe->used)
			kmmt_skip(rp, SKIP_SYS_UNPAIRED);
		if (pe)
			pe->used = false;
		kmmt_skip(rp, SKIP_SYS_UNPAIRED);
		return;
	}
	pe->used = false;
	p = proc_of(rp, r);
	if (!p) {
		rp->skipped[SKIP_PROC_UNKNOWN] += 2;
		return;
	}
	switch (r->sys_exit.nr) {
	case KMMT_SYS_MMAP:
		res = sys_mmap(rp, p, r, pe->args, r->sys_exit.ret);
		break;
	case KMMT_SYS_MUNMAP:
		res = sys_munmap(rp, p, r, pe->args, r->sys_exit.ret);
		break;
	case KMMT_SYS_MPROTECT:
		res = rsys_mprotect(rp, p, r, pe->args, r->sys_exit.ret);
		break;
	case KMMT_SYS_BRK:
		res = sys_brk_(rp, p, r, pe->args, r->sys_exit.ret);
		break;
	default:
		res = sys_mremap(rp, p, r, pe->args, r->sys_exit.ret);
		break;
	}
	if (res == REPLAYED) {
		rp->replayed[KMMT_SYS_ENTER]++;
		rp->replayed[KMMT_SYS_EXIT]++;
	} else {
		rp->skipped[res] += 2;
	}
}

/* ---- faults ---- */

#define X86_PF_WRITE 0x2u
#define X86_PF_USER 0x4u
#define X86_PF_INSTR 0x10u

static const char *outcome_name(enum kmm_outcome o)
{
	static const char *const n[] = {"resolved", "SIGSEGV", "SIGBUS", "EFAULT", "OOM"};

	return (unsigned int)o < 5 ? n[o] : "?";
}

static void fault(struct kmmt_replay *rp, const struct kmmt_record *r)
{
	struct kmmt_proc *p = proc_of(rp, r);
	uint64_t a = r->fault.address, ec = r->fault.error_code;
	bool kernel = r->type == KMMT_FAULT_KERNEL;
	struct kmm_access_result res;
	unsigned int acc;
	uint8_t byte = 0;
	vaddr_t va;

	if (a >= (rp->pointer_size == 4 ? SIM_STACK_TOP : USER_END_64) && kernel) {
		kmmt_skip(rp, SKIP_FAULT_KERNEL_ADDR);
		return;
	}
	if (!p) {
		kmmt_skip(rp, SKIP_PROC_UNKNOWN);
		return;
	}
	if (rebase(rp, p, a, 1, ANCHOR_STACK, &va)) {
		/* without a snapshot, the mapping was made before the capture */
		kmmt_skip(rp, p->snapshot ? SKIP_ADDR_NOT_REBASABLE : SKIP_FAULT_UNKNOWN_MAPPING);
		return;
	}
	if (!p->snapshot) {
		struct vm_area_struct *v = find_vma(p->mm, va);
		bool below_stack = v && (v->vm_flags & VM_GROWSDOWN) &&
				   v->vm_end - va <= p->mm->rlim_stack;
		if (!v || (v->vm_start > va && !below_stack)) {
			kmmt_skip(rp, SKIP_FAULT_UNKNOWN_MAPPING);
			return;
		}
	}
	acc = (ec & X86_PF_WRITE ? KMM_ACC_WRITE : 0) |
	      (kernel ? KMM_ACC_UACCESS : KMM_ACC_USER) |
	      (!kernel && (ec & X86_PF_INSTR) ? KMM_ACC_EXEC : 0);
	if (acc & KMM_ACC_EXEC)
		acc &= ~(unsigned int)KMM_ACC_WRITE;
	unsigned int cpu = on_cpu(rp, r, p);
	enum kmm_outcome o = kmm_access(rp->k, cpu, va, &byte, 1, acc, &res);
	if (o == KMM_OOM) {
		kmmt_skip(rp, SKIP_FAULT_OOM);
		return;
	}
	p->last_fault_tid = r->tid;
	p->last_fault_outcome = (int)o;
	rp->replayed[r->type]++;
	if (o == KMM_OK) {
		rp->fault_ok++;
		if (!res.faults)
			rp->fault_no_pf++;
		return;
	}
	rp->fault_sim_signal++;
	kmmt_diff(&rp->fault_diffs, "%u/%u %s %s fault at %#" PRIx64 " (simulator %#x), error code "
		  "%#" PRIx64 ": the kernel resolved it, the simulator: %s", r->pid, r->tid,
		  kernel ? "kernel" : "user",
		  acc & KMM_ACC_EXEC ? "exec" : acc & KMM_ACC_WRITE ? "write" : "read", a, va, ec,
		  outcome_name(o));
}

void kmmt_mm_record(struct kmmt_replay *rp, const struct kmmt_record *r)
{
	if (r->type == KMMT_MAPS) {
		maps_add(rp, r);
		return;
	}
	kmmt_mm_flush(rp);
	switch (r->type) {
	case KMMT_FAULT_USER:
	case KMMT_FAULT_KERNEL:
		fault(rp, r);
		break;
	case KMMT_SYS_ENTER:
		sys_enter(rp, r);
		break;
	case KMMT_SYS_EXIT:
		sys_exit(rp, r);
		break;
	case KMMT_FORK:
		do_fork(rp, r);
		break;
	case KMMT_EXIT:
		do_exit(rp, r);
		break;
	case KMMT_EXEC:
		do_exec(rp, r);
		break;
	default:
		kmmt_skip(rp, SKIP_NOT_REPLAYED);
		break;
	}
}

void kmmt_mm_teardown(struct kmmt_replay *rp)
{
	kmmt_mm_flush(rp);
	rp->procs_at_end = rp->vmas_at_end = 0;
	for (unsigned int i = 0; i < rp->nprocs; i++)
		if (rp->procs[i]) {
			rp->procs_at_end++;
			rp->vmas_at_end += (unsigned long)rp->procs[i]->mm->map_count;
		}
	for (unsigned int i = 0; i < rp->npend; i++)
		if (rp->pend[i].used) {
			kmmt_skip(rp, SKIP_SYS_UNPAIRED);
			rp->pend[i].used = false;
		}
	for (unsigned int i = 0; i < rp->nprocs; i++)
		if (rp->procs[i]) {
			mmput(rp->k, rp->procs[i]->mm);
			free(rp->procs[i]);
			rp->procs[i] = NULL;
		}
	kmmt_map_free(&rp->tid_proc);
	for (unsigned int i = 0; i < rp->nfiles; i++)
		kmm_file_put(rp->k, rp->files[i].f);
	rp->nfiles = 0;
	kmmt_map_free(&rp->file_by_key);
}

void kmmt_mm_free(struct kmmt_replay *rp)
{
	kmmt_map_free(&rp->tid_proc);
	kmmt_map_free(&rp->pending);
	kmmt_map_free(&rp->file_by_key);
	free(rp->procs);
	free(rp->pend);
	free(rp->files);
	if (rp->maps_buf) {
		free(rp->maps_buf->r);
		free(rp->maps_buf);
	}
	rp->procs = NULL;
	rp->pend = NULL;
	rp->files = NULL;
	rp->maps_buf = NULL;
	rp->nprocs = rp->procs_cap = rp->npend = rp->pend_cap = rp->nfiles = rp->files_cap = 0;
}
