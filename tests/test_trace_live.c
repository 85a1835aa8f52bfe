/* test_trace_live.c — kmmtrace on the running kernel: capture
 * kmm-trace-workload (started by kmmtrace itself) and find each of the
 * workload's calls in the trace, with the values the workload printed.
 *
 * Needs root, a kernel with BTF and a built kmmtrace; otherwise it prints
 * why and exits 77, which ctest reports as skipped (SKIP_RETURN_CODE).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kmm_test.h"
#include "replay.h"
#include "test.h"
#include "trace_format.h"

#ifndef KMMTRACE_PATH
#define KMMTRACE_PATH ""
#endif
#ifndef WORKLOAD_PATH
#define WORKLOAD_PATH ""
#endif
#define SKIP 77

struct capture {
	struct kmmt_header hdr;
	struct kmmt_record *r;
	size_t n;
	/* what the workload printed */
	unsigned long brk0, brk1, brk2, map, prot_at, remap_new, file;
	int child;
};

/* runs kmmtrace -- workload, stdout to out, then reads the trace */
static int capture(struct capture *c, char *dir)
{
	char trace[300], out[300], errf[300], line[256];
	struct kmmt_reader rd;
	struct kmmt_error err;
	uint8_t *data;
	size_t len;
	int st, fd;
	pid_t p;
	FILE *f;

	snprintf(trace, sizeof(trace), "%s/live.kmt", dir);
	snprintf(out, sizeof(out), "%s/workload.out", dir);
	snprintf(errf, sizeof(errf), "%s/kmmtrace.err", dir);
	p = fork();
	if (p == 0) {
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int efd = open(errf, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || efd < 0 || dup2(fd, 1) < 0 || dup2(efd, 2) < 0)
			_exit(126);
		alarm(60);
		execl(KMMTRACE_PATH, "kmmtrace", "-q", "-o", trace, "--", WORKLOAD_PATH,
		      (char *)NULL);
		_exit(127);
	}
	ASSERT_EQ(waitpid(p, &st, 0), p);
	f = fopen(errf, "r");
	while (f && fgets(line, sizeof(line), f)) {
		fputs(line, stderr);
		/* root without CAP_BPF/CAP_PERFMON (a restricted container) */
		if (strstr(line, "cannot load the BPF programs: Operation not permitted")) {
			printf("SKIP: kmmtrace may not load BPF programs here (EPERM)\n");
			exit(SKIP);
		}
	}
	if (f)
		fclose(f);
	unlink(errf);
	ASSERT_TRUE(WIFEXITED(st));
	ASSERT_EQ(WEXITSTATUS(st), 0);

	f = fopen(out, "r");
	ASSERT_TRUE(f != NULL);
	while (fgets(line, sizeof(line), f)) {
		unsigned long a, b, x;
		int v;
		if (sscanf(line, "brk %lx -> %lx -> %lx", &a, &b, &x) == 3) {
			c->brk0 = a;
			c->brk1 = b;
			c->brk2 = x;
		} else if (sscanf(line, "mmap 0x13000 -> %lx", &a) == 1) {
			c->map = a;
		} else if (sscanf(line, "mprotect %lx 0x2000 -> %d", &a, &v) == 2) {
			ASSERT_EQ(v, 0);
			c->prot_at = a;
		} else if (sscanf(line, "mremap %lx 0x13000 0x25000 -> %lx", &a, &b) == 2) {
			c->remap_new = b;
		} else if (sscanf(line, "fork child %d status %d", &c->child, &v) == 2) {
			ASSERT_EQ(v, 0);
		} else if (sscanf(line, "file %lx", &a) == 1) {
			c->file = a;
		}
	}
	fclose(f);
	ASSERT_TRUE(c->map && c->remap_new && c->child && c->brk0 && c->file);

	ASSERT_EQ(kmmt_read_file(trace, &data, &len, &err), 0);
	ASSERT_EQ(kmmt_reader_init(&rd, data, len, &err), 0);
	c->hdr = rd.hdr;
	c->r = malloc(sizeof(*c->r) * (len / KMMT_REC_HDR_LEN + 1));
	c->n = 0;
	int ret;
	while ((ret = kmmt_reader_next(&rd, &c->r[c->n], &err)) == 1)
		c->n++;
	if (ret) {
		fprintf(stderr, "%s: offset %zu: %s\n", trace, err.offset, err.msg);
		return 1;
	}
	free(data);
	return 0;
}

/* the index of the first SYS_ENTER nr matching args after index from, by
 * pid, and its SYS_EXIT return value */
static long find_call(const struct capture *c, uint32_t pid, unsigned nr, int nargs,
		      const uint64_t *args, size_t from, int64_t *ret)
{
	for (size_t i = from; i < c->n; i++) {
		const struct kmmt_record *r = &c->r[i];
		bool eq = r->type == KMMT_SYS_ENTER && r->pid == pid && r->sys_enter.nr == nr;
		for (int a = 0; eq && a < nargs; a++)
			eq = r->sys_enter.args[a] == args[a];
		if (!eq)
			continue;
		for (size_t j = i + 1; j < c->n; j++)
			if (c->r[j].type == KMMT_SYS_EXIT && c->r[j].tid == r->tid) {
				if (c->r[j].sys_exit.nr != nr)
					return -1;
				*ret = c->r[j].sys_exit.ret;
				return (long)i;
			}
		return -1;
	}
	return -1;
}

static int test_live_capture_of_workload(void)
{
	struct capture c = {0};
	char dir[] = "/tmp/kmmtrace-live-XXXXXX";
	struct utsname u;
	uint32_t pid = 0;
	int64_t ret;
	long at;

	if (geteuid() != 0) {
		printf("SKIP: not root (kmmtrace needs root or CAP_BPF+CAP_PERFMON)\n");
		exit(SKIP);
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		printf("SKIP: the kernel has no BTF (/sys/kernel/btf/vmlinux)\n");
		exit(SKIP);
	}
	if (!KMMTRACE_PATH[0] || access(KMMTRACE_PATH, X_OK)) {
		printf("SKIP: kmmtrace was not built (KMM_TRACE_BPF=OFF, or clang, bpftool or "
		       "libbpf missing at configure time: scripts/deps.sh trace)\n");
		exit(SKIP);
	}
	ASSERT_TRUE(mkdtemp(dir) != NULL);
	if (capture(&c, dir))
		return 1;

	/* the header */
	ASSERT_EQ(c.hdr.source, KMMT_SRC_KMMTRACE);
	ASSERT_EQ(c.hdr.filter_kind, KMMT_FILTER_COMMAND);
	ASSERT_TRUE(c.hdr.flags & KMMT_HF_COMPLETE);
	ASSERT_EQ(c.hdr.record_count, c.n);
	uname(&u);
	ASSERT_EQ(strcmp(c.hdr.kernel_release, u.release), 0);
	ASSERT_EQ(c.hdr.pointer_size, 8);
	ASSERT_EQ(c.hdr.lost_events, 0);
	pid = c.hdr.filter_pid;
	ASSERT_NE(pid, 0);

	/* exec of the workload, then the maps snapshot taken at the exec stop */
	{
		long exec_at = -1, maps_exe = 0, maps_stack = 0, first_maps = -1;
		for (size_t i = 0; i < c.n; i++) {
			const struct kmmt_record *r = &c.r[i];
			if (r->type == KMMT_EXEC && r->pid == pid &&
			    !strcmp(r->exec.filename, WORKLOAD_PATH))
				exec_at = (long)i;
			if (r->type == KMMT_MAPS && r->pid == pid) {
				if (first_maps < 0)
					first_maps = (long)i;
				maps_exe += !strcmp(r->maps.path, WORKLOAD_PATH);
				maps_stack += !strcmp(r->maps.path, "[stack]");
			}
		}
		ASSERT_GE(exec_at, 0);
		ASSERT_LT(exec_at, first_maps);
		ASSERT_GE(maps_exe, 1);
		ASSERT_EQ(maps_stack, 1);
	}

	/* brk(0) -> cur; brk(cur + 64K) -> cur + 64K; brk(cur) -> cur */
	{
		uint64_t a0[1] = {0}, a1[1] = {c.brk0 + 0x10000}, a2[1] = {c.brk0};
		at = find_call(&c, pid, KMMT_SYS_BRK, 1, a1, 0, &ret);
		ASSERT_GE(at, 0);
		ASSERT_EQ(ret, (int64_t)c.brk1);
		ASSERT_GE(find_call(&c, pid, KMMT_SYS_BRK, 1, a2, (size_t)at, &ret), 0);
		ASSERT_EQ(ret, (int64_t)c.brk2);
		ASSERT_GE(find_call(&c, pid, KMMT_SYS_BRK, 1, a0, 0, &ret), 0);
	}
	/* mmap(NULL, 0x13000, RW, PRIVATE|ANONYMOUS, -1, 0) -> map */
	{
		uint64_t a[6] = {0, 0x13000, 3, 0x22, 0xffffffff, 0};
		at = find_call(&c, pid, KMMT_SYS_MMAP, 6, a, 0, &ret);
		if (at < 0) {
			a[4] = UINT64_MAX;   /* fd -1 as a full long */
			at = find_call(&c, pid, KMMT_SYS_MMAP, 6, a, 0, &ret);
		}
		ASSERT_GE(at, 0);
		ASSERT_EQ(ret, (int64_t)c.map);
	}
	/* mprotect read-only and back, mremap, munmap */
	{
		uint64_t p1[3] = {c.prot_at, 0x2000, 1}, p2[3] = {c.prot_at, 0x2000, 3};
		uint64_t mr[4] = {c.map, 0x13000, 0x25000, 1}, mu[2] = {c.remap_new, 0x25000};
		ASSERT_EQ(c.prot_at, c.map + 0x4000);
		ASSERT_GE(find_call(&c, pid, KMMT_SYS_MPROTECT, 3, p1, 0, &ret), 0);
		ASSERT_EQ(ret, 0);
		ASSERT_GE(find_call(&c, pid, KMMT_SYS_MPROTECT, 3, p2, 0, &ret), 0);
		ASSERT_EQ(ret, 0);
		ASSERT_GE(find_call(&c, pid, KMMT_SYS_MREMAP, 4, mr, 0, &ret), 0);
		ASSERT_EQ(ret, (int64_t)c.remap_new);
		ASSERT_GE(find_call(&c, pid, KMMT_SYS_MUNMAP, 2, mu, 0, &ret), 0);
		ASSERT_EQ(ret, 0);
	}
	/* demand-zero write faults on the new mapping, pages for them, the COW
	 * fault in the child, fork and both exits */
	{
		unsigned wfaults = 0, grow_faults = 0, cow = 0, movable = 0, forks = 0;
		unsigned child_exit = 0, parent_exit = 0, vma = 0;
		for (size_t i = 0; i < c.n; i++) {
			const struct kmmt_record *r = &c.r[i];
			if (r->type == KMMT_FAULT_USER && r->pid == pid &&
			    r->fault.address >= c.map && r->fault.address < c.map + 0x13000 &&
			    (r->fault.error_code & 6) == 6)
				wfaults++;
			if (r->type == KMMT_FAULT_USER && r->pid == pid &&
			    r->fault.address >= c.remap_new + 0x13000 &&
			    r->fault.address < c.remap_new + 0x25000)
				grow_faults++;
			/* x86 error code 7: present | write | user */
			if (r->type == KMMT_FAULT_USER && r->pid == (uint32_t)c.child &&
			    r->fault.address == c.remap_new && r->fault.error_code == 7)
				cow++;
			if (r->type == KMMT_PAGE_ALLOC && r->pid == pid && r->page.migratetype == 1 &&
			    (r->page.gfp & (KMMT_GFP_MOVABLE | KMMT_GFP_HIGHMEM)) ==
				    (KMMT_GFP_MOVABLE | KMMT_GFP_HIGHMEM))
				movable++;
			if (r->type == KMMT_FORK && r->fork.parent_pid == pid &&
			    r->fork.child_pid == (uint32_t)c.child) {
				ASSERT_EQ(r->fork.child_tgid, (uint32_t)c.child);
				ASSERT_EQ(r->fork.clone_flags, 0);   /* a process, own mm */
				forks++;
			}
			if (r->type == KMMT_EXIT && r->tid == (uint32_t)c.child) {
				ASSERT_EQ(r->exit.group_dead, 1);
				ASSERT_EQ(r->exit.exit_code, 0);
				child_exit++;
			}
			if (r->type == KMMT_EXIT && r->tid == pid) {
				ASSERT_EQ(r->exit.group_dead, 1);
				parent_exit++;
			}
			if (r->type == KMMT_CACHE_ALLOC && r->pid == pid &&
			    !strcmp(r->alloc.name, "vm_area_struct"))
				vma++;
		}
		/* 19 pages touched: at most one fault each (larger folios: fewer) */
		ASSERT_GE(wfaults, 1);
		ASSERT_LE(wfaults, 19);
		ASSERT_GE(grow_faults, 1);
		ASSERT_LE(grow_faults, 18);
		ASSERT_EQ(cow, 1);
		ASSERT_GE(movable, wfaults);
		ASSERT_EQ(forks, 1);
		ASSERT_EQ(child_exit, 1);
		ASSERT_EQ(parent_exit, 1);
		ASSERT_GE(vma, 1);
	}
	/* every record is from the workload (or its child) */
	for (size_t i = 0; i < c.n; i++)
		if (c.r[i].type != KMMT_LOST)
			ASSERT_TRUE(c.r[i].pid == pid || c.r[i].pid == (uint32_t)c.child);

	/* replayed on the tiny machine with every part, the buddy and slab
	 * events also run as op programs under the oracle: every page
	 * allocation fits, the simulator derives the kernel's migratetype from
	 * each gfp, frees come with their allocation's order, kmalloc picks the
	 * kernel's size class, the workload's syscalls give the kernel's
	 * results, every fault the kernel resolved is resolved, the oracle
	 * agrees with every op, and the machine accounts for every page
	 * (invariant sweeps, boot free pages restored) */
	{
		struct kmm *k = boot_preset("tiny", false);
		struct kmmt_replay rp;
		unsigned long allocs = 0, faults = 0;
		uint64_t differ = 0, agree = 0;
		ASSERT_EQ(kmmt_replay_init(&rp, k, c.hdr.kernel_release), 0);
		rp.check_every = 500;
		rp.progs = kmmt_progs_new("tiny", false, 2, 1000, NULL, "live", true);
		ASSERT_TRUE(rp.progs != NULL);
		for (size_t i = 0; i < c.n; i++) {
			kmmt_replay_record(&rp, &c.r[i]);
			allocs += c.r[i].type == KMMT_PAGE_ALLOC && !(c.r[i].flags & KMMT_RF_FAILED);
		}
		kmmt_replay_finish(&rp);
		ASSERT_EQ(rp.allocs, allocs);
		ASSERT_EQ(rp.skipped[SKIP_ALLOC_NO_FIT], 0);
		ASSERT_EQ(rp.mt_differ, 0);
		ASSERT_EQ(rp.order_mismatch, 0);
		/* not asserted: alloc_of_live_pfn (a page the workload got, freed by
		 * a task outside the filter, e.g. an RCU callback, and handed back
		 * to the workload) is a normal partial-trace event */
		ASSERT_TRUE(rp.restored);
		ASSERT_EQ(rp.kmalloc_class_differ, 0);
		ASSERT_EQ(rp.skipped[SKIP_OBJ_NO_FIT], 0);
		for (int nr = 1; nr < KMMT_NR_SYS; nr++) {
			agree += rp.sys_agree[nr];
			differ += rp.sys_differ[nr];
		}
		/* the workload's own calls: brk x5, mmap, mprotect x2, mremap,
		 * munmap, and the file mapping's mmap and munmap at least */
		ASSERT_GE(agree, 12);
		ASSERT_EQ(differ, 0);
		faults = rp.fault_ok + rp.fault_sim_signal;
		ASSERT_GE(faults, 19);
		ASSERT_EQ(rp.fault_sim_signal, 0);
		ASSERT_EQ(rp.fault_real_signal, 0);
		ASSERT_EQ(rp.replayed[KMMT_EXEC], 1);
		ASSERT_EQ(rp.replayed[KMMT_FORK], 1);
		ASSERT_EQ(rp.replayed[KMMT_EXIT], 2);
		const struct kmmt_progs_stats *ps = kmmt_progs_stats(rp.progs);
		ASSERT_GE(ps->programs, 1);
		ASSERT_EQ(ps->rejected, 0);
		ASSERT_EQ(ps->oracle_disagreements, 0);
		kmmt_progs_free(rp.progs);
		rp.progs = NULL;
		kmmt_replay_free(&rp);
		kmm_destroy(k);
	}
	free(c.r);
	{
		char path[300];
		snprintf(path, sizeof(path), "%s/live.kmt", dir);
		unlink(path);
		snprintf(path, sizeof(path), "%s/workload.out", dir);
		unlink(path);
		rmdir(dir);
	}
	return 0;
}

static const struct test_case tests[] = {
	TEST(test_live_capture_of_workload),
};
TEST_MAIN(tests)
