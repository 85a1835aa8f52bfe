/* test_trace_replay_mm.c — the replay of processes, maps snapshots, mm
 * syscalls and page faults (trace/replay_mm.c), on synthetic x86_64
 * records whose outcome follows from the rebasing rule of
 * trace/README.md and the i386 layout of a simulated process (mm_exec:
 * brk at 0x08050000, mmap top-down from 0xb8000000, stack below
 * 0xc0000000).
 *
 * The snapshot process has:
 *   exe   0x555555554000-0x555555556000 r-x  file 10 @0
 *         0x555555556000-0x555555558000 rw-  file 10 @0x2000   exe_end   -> 0x08050000
 *   heap  0x555555600000-0x555555621000 rw-  [heap]           brk_start -> 0x08050000
 *   vdso  0x7ffff7fb0000-0x7ffff7fb2000 r-x  [vdso]
 *   lib   0x7ffff7fc0000-0x7ffff7fd0000 r-x  file 20 @0       mmap_top  -> 0xb8000000
 *   stack 0x7ffffffde000-0x7ffffffff000 rw-  [stack]          stack_top -> 0xc0000000
 *   0xffffffffff600000 [vsyscall]: not rebasable
 */
#include <errno.h>
#include <stdint.h>

#include "kmm/fault.h"
#include "kmm_test.h"
#include "replay_internal.h"
#include "test.h"

#define PID 100u
#define CHILD 101u
#define THREAD 102u

#define E_END 0x555555558000ull
#define HEAP 0x555555600000ull
#define M_TOP 0x7ffff7fd0000ull
#define S_TOP 0x7ffffffff000ull

static struct kmmt_record base(uint16_t type, uint32_t pid, uint32_t tid)
{
	struct kmmt_record r;

	memset(&r, 0, sizeof(r));
	r.type = type;
	r.pid = pid;
	r.tid = tid;
	return r;
}

static void maps(struct kmmt_replay *rp, uint64_t s, uint64_t e, uint32_t prot,
		 uint64_t pgoff, uint64_t inode, const char *path)
{
	struct kmmt_record r = base(KMMT_MAPS, PID, PID);

	r.maps.start = s;
	r.maps.end = e;
	r.maps.prot = prot;
	r.maps.pgoff = pgoff;
	r.maps.inode = inode;
	r.maps.dev_major = inode ? 8 : 0;
	snprintf(r.maps.path, sizeof(r.maps.path), "%s", path);
	kmmt_replay_record(rp, &r);
}

static void sys_in(struct kmmt_replay *rp, uint32_t tid, unsigned int nr, uint64_t a0,
		   uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct kmmt_record r = base(KMMT_SYS_ENTER, tid == THREAD ? PID : tid, tid);

	r.sys_enter.nr = nr;
	r.sys_enter.args[0] = a0;
	r.sys_enter.args[1] = a1;
	r.sys_enter.args[2] = a2;
	r.sys_enter.args[3] = a3;
	r.sys_enter.args[4] = a4;
	r.sys_enter.args[5] = a5;
	kmmt_replay_record(rp, &r);
}

static void sys_out(struct kmmt_replay *rp, uint32_t tid, unsigned int nr, int64_t ret)
{
	struct kmmt_record r = base(KMMT_SYS_EXIT, tid == THREAD ? PID : tid, tid);

	r.sys_exit.nr = nr;
	r.sys_exit.ret = ret;
	kmmt_replay_record(rp, &r);
}

static void sys(struct kmmt_replay *rp, uint32_t tid, unsigned int nr, uint64_t a0,
		uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5, int64_t ret)
{
	sys_in(rp, tid, nr, a0, a1, a2, a3, a4, a5);
	sys_out(rp, tid, nr, ret);
}

static void flt(struct kmmt_replay *rp, uint32_t tid, uint64_t addr, uint64_t ec, bool kernel)
{
	struct kmmt_record r = base(kernel ? KMMT_FAULT_KERNEL : KMMT_FAULT_USER,
				    tid == THREAD ? PID : tid, tid);

	r.fault.address = addr;
	r.fault.error_code = ec;
	kmmt_replay_record(rp, &r);
}

static void proc_ev(struct kmmt_replay *rp, uint16_t type, uint32_t tid, uint32_t a, uint32_t b,
		    uint32_t c)
{
	struct kmmt_record r = base(type, tid == THREAD ? PID : tid, tid);

	if (type == KMMT_FORK) {
		r.fork.parent_pid = tid;
		r.fork.child_pid = a;
		r.fork.child_tgid = b;
		r.fork.clone_flags = c;
	} else if (type == KMMT_EXIT) {
		r.exit.group_dead = 1;
		r.exit.exit_code = (int32_t)a;
	} else {
		r.exec.pid = r.exec.old_pid = tid;
		snprintf(r.exec.filename, sizeof(r.exec.filename), "/bin/x");
	}
	kmmt_replay_record(rp, &r);
}

static void snapshot(struct kmmt_replay *rp)
{
	maps(rp, 0x555555554000, 0x555555556000, 5, 0, 10, "/bin/x");
	maps(rp, 0x555555556000, E_END, 3, 0x2000, 10, "/bin/x");
	maps(rp, HEAP, 0x555555621000, 3, 0, 0, "[heap]");
	maps(rp, 0x7ffff7fb0000, 0x7ffff7fb2000, 5, 0, 0, "[vdso]");
	maps(rp, 0x7ffff7fc0000, M_TOP, 5, 0, 20, "/lib/y.so");
	maps(rp, 0x7ffffffde000, S_TOP, 3, 0, 0, "[stack]");
	maps(rp, 0xffffffffff600000, 0xffffffffff601000, 4, 0, 0, "[vsyscall]");
}

static struct mm_struct *mm_of(struct kmmt_replay *rp, uint32_t tid)
{
	uint64_t *v = kmmt_map_get(&rp->tid_proc, tid);

	return v && rp->procs[*v] ? rp->procs[*v]->mm : NULL;
}

static int vma_is(struct mm_struct *mm, vaddr_t start, vaddr_t end, unsigned long flags)
{
	struct vm_area_struct *v = find_vma(mm, start);

	ASSERT_TRUE(v != NULL);
	ASSERT_EQ(v->vm_start, start);
	ASSERT_EQ(v->vm_end, end);
	ASSERT_EQ(v->vm_flags & (VM_READ | VM_WRITE | VM_EXEC | VM_SHARED), flags);
	return 0;
}

static bool present(struct kmm *k, struct mm_struct *mm, vaddr_t va)
{
	return mm_pteval(k, mm, va) & _PAGE_PRESENT;
}

static int all_records_counted(const struct kmmt_replay *rp)
{
	uint64_t n = rp->context;

	for (int t = 0; t < KMMT_NR_TYPES; t++)
		n += rp->replayed[t];
	for (int s = 0; s < NR_SKIPS; s++)
		if (s != SKIP_REALLOC_LIVE && s != SKIP_OBJ_REALLOC_LIVE)
			n += rp->skipped[s];
	ASSERT_EQ(n, rp->events);
	return 0;
}

static int init(struct kmm **k, struct kmmt_replay *rp)
{
	*k = boot_preset("tiny", false);
	ASSERT_EQ(kmmt_replay_init(rp, *k, "6.18.0"), 0);
	rp->parts = KMMT_PART_MM;
	return 0;
}

static int finish(struct kmm *k, struct kmmt_replay *rp)
{
	kmmt_replay_finish(rp);
	ASSERT_EQ(all_records_counted(rp), 0);
	ASSERT_TRUE(rp->restored);
	ASSERT_EQ(kmm_nr_mms(k), 0);
	kmmt_replay_free(rp);
	kmm_destroy(k);
	return 0;
}

/* the snapshot lands where the rebasing rule puts it, and faults in each
 * window reach the rebased page */
static int test_mm_snapshot_and_windows(void)
{
	struct kmmt_replay rp;
	struct kmm *k;

	ASSERT_EQ(init(&k, &rp), 0);
	snapshot(&rp);
	/* user faults (x86 error code: 2 write, 4 user, 0x10 fetch) */
	flt(&rp, PID, 0x555555556010, 6, false);         /* exe data */
	flt(&rp, PID, 0x555555554100, 0x14, false);      /* exe text */
	flt(&rp, PID, HEAP + 0x100, 6, false);           /* heap */
	flt(&rp, PID, 0x7ffff7fc1234, 0x14, false);      /* lib text */
	flt(&rp, PID, 0x7ffff7fb0010, 4, false);         /* vdso */
	flt(&rp, PID, S_TOP - 0xff8, 6, false);          /* stack */
	flt(&rp, PID, S_TOP - 0x30000, 6, false);        /* below [stack]: it grows */

	struct mm_struct *mm = mm_of(&rp, PID);
	ASSERT_TRUE(mm != NULL);
	ASSERT_EQ(vma_is(mm, 0x0804c000, 0x0804e000, VM_READ | VM_EXEC), 0);
	ASSERT_EQ(vma_is(mm, 0x0804e000, 0x08050000, VM_READ | VM_WRITE), 0);
	ASSERT_EQ(vma_is(mm, 0x08050000, 0x08071000, VM_READ | VM_WRITE), 0);
	ASSERT_EQ(mm->start_brk, 0x08050000);
	ASSERT_EQ(mm->brk, 0x08071000);
	ASSERT_EQ(vma_is(mm, 0xb7fe0000, 0xb7fe2000, VM_READ | VM_EXEC), 0);
	ASSERT_EQ(vma_is(mm, 0xb7ff0000, 0xb8000000, VM_READ | VM_EXEC), 0);
	struct vm_area_struct *st = find_vma(mm, 0xbfff0000);
	ASSERT_TRUE(st && (st->vm_flags & VM_GROWSDOWN) && st->vm_end == 0xc0000000);
	ASSERT_LE(st->vm_start, 0xbffd0000);           /* grown for the last fault */
	ASSERT_EQ(mm->map_count, 6);
	ASSERT_TRUE(present(k, mm, 0x0804e010));
	ASSERT_TRUE(pte_write(mm_pteval(k, mm, 0x0804e010)));
	ASSERT_TRUE(present(k, mm, 0x0804c100));
	ASSERT_TRUE(present(k, mm, 0x08050100));
	ASSERT_TRUE(present(k, mm, 0xb7ff1234));
	ASSERT_TRUE(present(k, mm, 0xb7fe0010));
	ASSERT_TRUE(present(k, mm, 0xbffff008));
	ASSERT_TRUE(present(k, mm, 0xbffd0000));

	ASSERT_EQ(rp.replayed[KMMT_MAPS], 6);           /* [stack] counts, it exists */
	ASSERT_EQ(rp.skipped[SKIP_MAPS_NOT_REBASABLE], 1);
	ASSERT_EQ(rp.replayed[KMMT_FAULT_USER], 7);
	ASSERT_EQ(rp.fault_ok, 7);
	ASSERT_EQ(rp.fault_no_pf, 0);                   /* each was a first touch */
	ASSERT_EQ(rp.procs_created, 1);
	return finish(k, &rp);
}

/* syscalls: results and placements against the kernel's */
static int test_mm_syscalls(void)
{
	struct kmmt_replay rp;
	struct kmm *k;
	const uint64_t RW = PROT_READ | PROT_WRITE, ANON = MAP_PRIVATE | MAP_ANONYMOUS;

	ASSERT_EQ(init(&k, &rp), 0);
	snapshot(&rp);
	/* brk(0) is the current end of the heap; growing it by 0x21000 */
	sys(&rp, PID, KMMT_SYS_BRK, 0, 0, 0, 0, 0, 0, 0x555555621000);
	sys(&rp, PID, KMMT_SYS_BRK, 0x555555642000, 0, 0, 0, 0, 0, 0x555555642000);
	/* top-down: the highest hole below the lib is above the vdso */
	sys(&rp, PID, KMMT_SYS_MMAP, 0, 0x3000, RW, ANON, UINT64_MAX, 0, 0x7ffff7fbd000);
	/* the kernel chose another place than the simulator's top-down
	 * search (0xb7fec000): moved to the kernel's (rebased) place */
	sys(&rp, PID, KMMT_SYS_MMAP, 0, 0x1000, RW, ANON, UINT64_MAX, 0, 0x7ffff7f00000);
	sys(&rp, PID, KMMT_SYS_MPROTECT, 0x7ffff7fbd000, 0x1000, PROT_READ, 0, 0, 0, 0);
	/* the kernel succeeded on a range the simulator has no mapping for */
	sys(&rp, PID, KMMT_SYS_MPROTECT, 0x7ffff7e00000, 0x1000, PROT_READ, 0, 0, 0, 0);
	sys(&rp, PID, KMMT_SYS_MUNMAP, 0x7ffff7fbd000, 0x3000, 0, 0, 0, 0, 0);
	/* a fixed mapping, grown in place */
	sys(&rp, PID, KMMT_SYS_MMAP, 0x7ffff7f80000, 0x2000, RW, ANON | MAP_FIXED, UINT64_MAX, 0,
	    0x7ffff7f80000);
	sys(&rp, PID, KMMT_SYS_MREMAP, 0x7ffff7f80000, 0x2000, 0x4000, MREMAP_MAYMOVE, 0, 0,
	    0x7ffff7f80000);
	/* a file mapping through fd 3, at a fixed place */
	sys(&rp, PID, KMMT_SYS_MMAP, 0x7ffff7f6e000, 0x2000, PROT_READ, MAP_PRIVATE | MAP_FIXED, 3,
	    0x1000, 0x7ffff7f6e000);
	/* the kernel refused: so must the simulator (an unmapped range) */
	sys(&rp, PID, KMMT_SYS_MUNMAP, 0x7ffff7e00001, 0x1000, 0, 0, 0, 0, -EINVAL);
	/* not modelled: MAP_HUGETLB */
	sys(&rp, PID, KMMT_SYS_MMAP, 0, 0x200000, RW, ANON | 0x40000, UINT64_MAX, 0, 0x7fffe0000000);
	/* 1 GiB of private writable memory: the kernel overcommits, the
	 * 100 MiB machine's heuristic refuses */
	sys(&rp, PID, KMMT_SYS_MMAP, 0, 0x40000000, RW, ANON, UINT64_MAX, 0, 0x7fffb0000000);
	/* outside every window: between the executable's end and the heap
	 * it is, but far below the executable it is not */
	sys(&rp, PID, KMMT_SYS_MMAP, 0x400000000000, 0x1000, RW, ANON | MAP_FIXED, UINT64_MAX, 0,
	    0x400000000000);
	/* an exit without its entry, an entry without its exit */
	sys_out(&rp, PID, KMMT_SYS_MUNMAP, 0);
	sys_in(&rp, PID, KMMT_SYS_BRK, 0, 0, 0, 0, 0, 0);

	struct mm_struct *mm = mm_of(&rp, PID);
	ASSERT_EQ(mm->brk, 0x08092000);
	ASSERT_EQ(vma_is(mm, 0x08050000, 0x08092000, VM_READ | VM_WRITE), 0);
	/* M_TOP - 0x7ffff7f00000 = 0xd0000 below 0xb8000000 */
	ASSERT_EQ(vma_is(mm, 0xb7f30000, 0xb7f31000, VM_READ | VM_WRITE), 0);
	ASSERT_TRUE(find_vma_intersection(mm, 0xb7fec000, 0xb7fed000) == NULL);
	ASSERT_TRUE(find_vma_intersection(mm, 0xb7fed000, 0xb7ff0000) == NULL);  /* unmapped */
	ASSERT_EQ(vma_is(mm, 0xb7fb0000, 0xb7fb4000, VM_READ | VM_WRITE), 0);    /* remapped */
	struct vm_area_struct *f = find_vma(mm, 0xb7f9e000);
	ASSERT_TRUE(f && f->vm_start == 0xb7f9e000 && f->vm_file && f->vm_pgoff == 1);

	ASSERT_EQ(rp.sys_agree[KMMT_SYS_BRK], 2);
	ASSERT_EQ(rp.sys_agree[KMMT_SYS_MMAP], 4);
	ASSERT_EQ(rp.sys_agree[KMMT_SYS_MPROTECT], 1);
	ASSERT_EQ(rp.sys_differ[KMMT_SYS_MPROTECT], 1);
	ASSERT_EQ(rp.sys_agree[KMMT_SYS_MUNMAP], 2);
	ASSERT_EQ(rp.sys_agree[KMMT_SYS_MREMAP], 1);
	ASSERT_EQ(rp.place_agree, 1);                  /* 0x7ffff7fbd000 */
	ASSERT_EQ(rp.place_differ, 1);
	ASSERT_EQ(rp.place_moved, 1);
	ASSERT_EQ(rp.sys_diffs.total, 2);
	ASSERT_EQ(rp.skipped[SKIP_SYS_NOT_MODELLED], 2);
	ASSERT_EQ(rp.skipped[SKIP_SYS_NO_FIT], 2);
	ASSERT_EQ(rp.skipped[SKIP_ADDR_NOT_REBASABLE], 2);
	ASSERT_EQ(rp.replayed[KMMT_SYS_ENTER], 11);
	ASSERT_EQ(rp.replayed[KMMT_SYS_EXIT], 11);
	kmmt_replay_finish(&rp);
	ASSERT_EQ(rp.skipped[SKIP_SYS_UNPAIRED], 2);   /* counted at the end */
	return finish(k, &rp);
}

/* faults, signals, fork, threads, exec, and what is not replayed */
static int test_mm_faults_and_processes(void)
{
	struct kmmt_replay rp;
	struct kmmt_record lost = base(KMMT_LOST, 0, 0);
	struct kmm *k;

	ASSERT_EQ(init(&k, &rp), 0);
	snapshot(&rp);
	flt(&rp, PID, HEAP + 0x2000, 6, false);          /* resolved */
	flt(&rp, PID, 0x7ffff7fc1000, 6, false);         /* write to the r-x lib: SIGSEGV */
	flt(&rp, PID, 0xffffffff81000000, 0, true);      /* kernel address */
	flt(&rp, 999, HEAP, 6, false);                   /* a task not in the trace */
	flt(&rp, PID, 0x555555580000, 4, false);         /* between exe and heap */
	flt(&rp, PID, HEAP + 0x3000, 2, true);           /* copy_to_user: resolved */
	/* a child process: copy-on-write of the heap page */
	proc_ev(&rp, KMMT_FORK, PID, CHILD, CHILD, 0);
	flt(&rp, CHILD, HEAP + 0x2000, 7, false);
	/* a thread shares the process */
	proc_ev(&rp, KMMT_FORK, PID, THREAD, PID, KMMT_CLONE_VM | KMMT_CLONE_THREAD);
	flt(&rp, THREAD, HEAP + 0x4000, 6, false);
	ASSERT_TRUE(mm_of(&rp, THREAD) == mm_of(&rp, PID));
	ASSERT_TRUE(mm_of(&rp, CHILD) != mm_of(&rp, PID));
	ASSERT_TRUE(present(k, mm_of(&rp, PID), 0x08054000));
	ASSERT_TRUE(present(k, mm_of(&rp, CHILD), 0x08052000));
	proc_ev(&rp, KMMT_EXIT, THREAD, 0, 0, 0);
	ASSERT_EQ(kmm_nr_mms(k), 2);
	/* the child execs: a new address space without a snapshot */
	proc_ev(&rp, KMMT_EXEC, CHILD, 0, 0, 0);
	flt(&rp, CHILD, HEAP, 6, false);                 /* mapped before the capture */
	proc_ev(&rp, KMMT_EXIT, CHILD, 0, 0, 0);
	/* the parent dies of SIGSEGV at a hole: the kernel signalled too */
	flt(&rp, PID, 0x7ffff7e00000, 4, false);
	lost.lost.count = 3;
	kmmt_replay_record(&rp, &lost);
	proc_ev(&rp, KMMT_EXIT, PID, 11, 0, 0);
	ASSERT_EQ(kmm_nr_mms(k), 0);

	ASSERT_EQ(rp.replayed[KMMT_FAULT_USER], 5);
	ASSERT_EQ(rp.replayed[KMMT_FAULT_KERNEL], 1);
	ASSERT_EQ(rp.fault_ok, 4);
	ASSERT_EQ(rp.fault_sim_signal, 1);              /* the write to the lib */
	ASSERT_EQ(rp.fault_both_signal, 1);
	ASSERT_EQ(rp.fault_real_signal, 0);
	ASSERT_EQ(rp.fault_diffs.total, 2);
	ASSERT_STR_CONTAINS(rp.fault_diffs.line[0], "user write fault at 0x7ffff7fc1000 (simulator "
			    "0xb7ff1000)");
	ASSERT_STR_CONTAINS(rp.fault_diffs.line[0], "SIGSEGV");
	ASSERT_EQ(rp.skipped[SKIP_FAULT_KERNEL_ADDR], 1);
	ASSERT_EQ(rp.skipped[SKIP_PROC_UNKNOWN], 1);
	ASSERT_EQ(rp.skipped[SKIP_ADDR_NOT_REBASABLE], 1);
	ASSERT_EQ(rp.skipped[SKIP_FAULT_UNKNOWN_MAPPING], 1);
	ASSERT_EQ(rp.skipped[SKIP_LOST], 1);
	ASSERT_EQ(rp.lost_events, 3);
	ASSERT_EQ(rp.replayed[KMMT_FORK], 2);
	ASSERT_EQ(rp.replayed[KMMT_EXEC], 1);
	ASSERT_EQ(rp.replayed[KMMT_EXIT], 3);
	ASSERT_EQ(rp.procs_created, 3);                 /* snapshot, fork, exec */
	ASSERT_EQ(rp.procs_exited, 3);
	return finish(k, &rp);
}

/* a text capture's process: no snapshot; anchors set on first use */
static int test_mm_no_snapshot_anchors(void)
{
	struct kmmt_replay rp;
	struct kmm *k;
	const uint64_t RW = PROT_READ | PROT_WRITE, ANON = MAP_PRIVATE | MAP_ANONYMOUS;

	ASSERT_EQ(init(&k, &rp), 0);
	proc_ev(&rp, KMMT_EXEC, PID, 0, 0, 0);
	flt(&rp, PID, 0x7ffff7fc1000, 0x14, false);      /* ld.so: before the capture */
	sys(&rp, PID, KMMT_SYS_BRK, 0, 0, 0, 0, 0, 0, HEAP);           /* brk_start */
	sys(&rp, PID, KMMT_SYS_MMAP, 0, 0x2000, RW, ANON, UINT64_MAX, 0, 0x7ffff7f00000);
	/* mmap_top = 0x7ffff7f02000 -> 0xb8000000 */
	sys(&rp, PID, KMMT_SYS_MMAP, 0, 0x1000, RW, ANON, UINT64_MAX, 0, 0x7ffff7eff000);
	sys(&rp, PID, KMMT_SYS_MPROTECT, E_END - 0x1000, 0x1000, PROT_READ, 0, 0, 0, 0);
	flt(&rp, PID, 0x7ffff7f00008, 6, false);
	flt(&rp, PID, 0x7ffff7eff008, 6, false);
	/* far above the mmap area: the stack, anchored 1 MiB above the
	 * 1 MiB boundary over the address */
	flt(&rp, PID, 0x7fffffffd008, 6, false);
	sys(&rp, PID, KMMT_SYS_BRK, HEAP + 0x1000, 0, 0, 0, 0, 0, HEAP + 0x1000);
	flt(&rp, PID, HEAP + 8, 6, false);

	struct mm_struct *mm = mm_of(&rp, PID);
	/* the two anonymous mappings, adjacent, merged */
	ASSERT_EQ(vma_is(mm, 0xb7ffd000, 0xb8000000, VM_READ | VM_WRITE), 0);
	ASSERT_TRUE(present(k, mm, 0xb7ffe008));
	ASSERT_TRUE(present(k, mm, 0xb7ffd008));
	/* stack_top: 2^47 (the 1 MiB boundary plus 1 MiB, clamped) */
	ASSERT_TRUE(present(k, mm, 0xbfffd008));
	ASSERT_TRUE(present(k, mm, 0x08050008));
	ASSERT_EQ(rp.place_agree, 2);
	ASSERT_EQ(rp.skipped[SKIP_FAULT_UNKNOWN_MAPPING], 1);
	ASSERT_EQ(rp.skipped[SKIP_SYS_UNKNOWN_MAPPING], 2);   /* the mprotect's records */
	ASSERT_EQ(rp.fault_ok, 4);
	proc_ev(&rp, KMMT_EXIT, PID, 0, 0, 0);
	return finish(k, &rp);
}

/* an i386 trace (4-byte pointers): addresses are kept as they are */
static int test_mm_i386_trace(void)
{
	struct kmmt_replay rp;
	struct kmm *k;

	ASSERT_EQ(init(&k, &rp), 0);
	rp.pointer_size = 4;
	proc_ev(&rp, KMMT_EXEC, PID, 0, 0, 0);
	sys(&rp, PID, KMMT_SYS_MMAP, 0, 0x1000, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, UINT32_MAX, 0, 0xb7fff000);
	flt(&rp, PID, 0xb7fff010, 6, false);
	flt(&rp, PID, 0xbffff000, 6, false);             /* the stack */
	flt(&rp, PID, 0xc0001000, 6, false);             /* kernel space: not user */
	ASSERT_TRUE(present(k, mm_of(&rp, PID), 0xb7fff010));
	ASSERT_EQ(rp.place_agree, 1);
	ASSERT_EQ(rp.fault_ok, 2);
	ASSERT_EQ(rp.skipped[SKIP_FAULT_UNKNOWN_MAPPING], 1);
	proc_ev(&rp, KMMT_EXIT, PID, 0, 0, 0);
	return finish(k, &rp);
}

static const struct test_case tests[] = {
	TEST(test_mm_snapshot_and_windows),
	TEST(test_mm_syscalls),
	TEST(test_mm_faults_and_processes),
	TEST(test_mm_no_snapshot_anchors),
	TEST(test_mm_i386_trace),
};
TEST_MAIN(tests)
