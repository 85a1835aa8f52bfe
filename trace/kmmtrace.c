/* kmmtrace — capture the kernel memory manager's events with eBPF into a
 * kmmfuzz trace file (trace/FORMAT.md).
 *
 *   kmmtrace -o FILE [-p PID | -c COMM | -g CGROUP | -a] [-d SECONDS]
 *            [-b RINGBUF_KB] [-e GROUPS] [-q] [-v] [-- COMMAND ARGS...]
 *
 * Filters: a pid and its descendants (-p), tasks named COMM and their
 * children (-c), a cgroup v2 directory (-g), everything (-a), or a command
 * kmmtrace starts itself (after --), followed from its exec on.  The
 * capture runs for -d seconds, until Ctrl-C, or until the command exits.
 * Followed processes get their /proc/PID/maps recorded at start (for a
 * command: right after its exec, while it is held by ptrace), so a replay
 * knows the mappings made before the capture.  Events the ring buffer had
 * no room for are counted per kind and recorded as LOST records.
 *
 * The loader is the libbpf-bootstrap shape: open the skeleton, set the
 * read-only tunables, load, attach, poll the ring buffer.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <linux/magic.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "kmmtrace.h"
#include "kmmtrace.skel.h"
#include "trace_format.h"

#define EV_HDR offsetof(struct kmmt_event, alloc)
#define EV_SIZE(member) (EV_HDR + sizeof(((struct kmmt_event *)0)->member))

/* The signal handler's flag and libbpf's print callback setting are the
 * only process-wide state; both belong to this command-line tool. */
static volatile sig_atomic_t stop_requested;
static bool verbose_libbpf;

enum group { G_KMEM = 1, G_PAGE = 2, G_FAULT = 4, G_SYSCALL = 8, G_PROC = 16 };

static const struct prog_info {
	const char *name;          /* program (function) name */
	unsigned group;
	unsigned types;            /* event_mask bits */
	bool node_event;           /* only on kernels with the *_node events */
} progs[] = {
	{"handle_kmalloc", G_KMEM, 1u << KMMT_KMALLOC, false},
	{"handle_kmalloc_node", G_KMEM, 1u << KMMT_KMALLOC, true},
	{"handle_cache_alloc", G_KMEM, 1u << KMMT_CACHE_ALLOC, false},
	{"handle_cache_alloc_node", G_KMEM, 1u << KMMT_CACHE_ALLOC, true},
	{"handle_kfree", G_KMEM, 1u << KMMT_KFREE, false},
	{"handle_cache_free", G_KMEM, 1u << KMMT_CACHE_FREE, false},
	{"handle_page_alloc", G_PAGE, 1u << KMMT_PAGE_ALLOC, false},
	{"handle_page_free", G_PAGE, 1u << KMMT_PAGE_FREE, false},
	{"handle_page_free_batched", G_PAGE, 1u << KMMT_PAGE_FREE_BATCHED, false},
	{"handle_fault_user", G_FAULT, 1u << KMMT_FAULT_USER, false},
	{"handle_fault_kernel", G_FAULT, 1u << KMMT_FAULT_KERNEL, false},
	{"handle_enter_mmap", G_SYSCALL, 1u << KMMT_SYS_ENTER, false},
	{"handle_exit_mmap", G_SYSCALL, 1u << KMMT_SYS_EXIT, false},
	{"handle_enter_munmap", G_SYSCALL, 1u << KMMT_SYS_ENTER, false},
	{"handle_exit_munmap", G_SYSCALL, 1u << KMMT_SYS_EXIT, false},
	{"handle_enter_mprotect", G_SYSCALL, 1u << KMMT_SYS_ENTER, false},
	{"handle_exit_mprotect", G_SYSCALL, 1u << KMMT_SYS_EXIT, false},
	{"handle_enter_brk", G_SYSCALL, 1u << KMMT_SYS_ENTER, false},
	{"handle_exit_brk", G_SYSCALL, 1u << KMMT_SYS_EXIT, false},
	{"handle_enter_mremap", G_SYSCALL, 1u << KMMT_SYS_ENTER, false},
	{"handle_exit_mremap", G_SYSCALL, 1u << KMMT_SYS_EXIT, false},
	{"handle_fork", G_PROC, 1u << KMMT_FORK, false},
	{"handle_exit", G_PROC, 1u << KMMT_EXIT, false},
	{"handle_exec", G_PROC, 1u << KMMT_EXEC, false},
};
#define NR_PROGS (sizeof(progs) / sizeof(progs[0]))

struct capture {
	struct kmmtrace_bpf *skel;
	struct ring_buffer *rb;
	struct bpf_link *links[NR_PROGS];
	struct kmmt_writer w;
	FILE *out;
	const char *out_path;
	int ncpus;
	uint64_t drops_seen[KMMT_NR_TYPES];
	uint64_t events, bad_events, lost;
	uint64_t maps_procs, maps_lines;
	int write_errno;
	bool quiet;
};

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG || (level == LIBBPF_INFO && !verbose_libbpf))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int usage(const char *msg, const char *arg)
{
	if (msg)
		fprintf(stderr, "kmmtrace: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
	fprintf(stderr,
		"usage: kmmtrace -o FILE [-p PID | -c COMM | -g CGROUP | -a] [-d SECONDS]\n"
		"                [-b RINGBUF_KB] [-e GROUPS] [-q] [-v] [-- COMMAND ARGS...]\n"
		"  -p PID     follow PID and its descendants   -c COMM  tasks named COMM\n"
		"  -g CGROUP  a cgroup v2 directory            -a       every task\n"
		"  -- CMD     start CMD and follow it (stops when it exits)\n"
		"  -d SECS    stop after SECS (default: Ctrl-C, or when CMD exits)\n"
		"  -b KB      ring buffer size (default 4096, a power of two)\n"
		"  -e GROUPS  comma list of kmem,page,fault,syscall,proc (default all)\n");
	return 2;
}

/* ---- writing ---- */
static void put_record(struct capture *c, const struct kmmt_record *r, const char *comm)
{
	if (c->write_errno)
		return;
	if (comm && comm[0] && kmmt_write_task(&c->w, r->pid, r->tid, r->cpu, r->ts_ns, comm)) {
		c->write_errno = errno;
		return;
	}
	if (kmmt_write(&c->w, r)) {
		if (errno == EINVAL)
			c->bad_events++;   /* a value the format refuses */
		else
			c->write_errno = errno;
	}
}

static void copy_cstr(char *dst, size_t dsz, const char *src, size_t ssz)
{
	size_t n = strnlen(src, ssz);

	if (n >= dsz)
		n = dsz - 1;
	memset(dst, 0, dsz);
	memcpy(dst, src, n);
}

/* ring buffer callback: check the event, turn it into a record */
static int on_event(void *ctx, void *data, size_t size)
{
	struct capture *c = ctx;
	const struct kmmt_event *e = data;
	static const size_t need[KMMT_NR_TYPES] = {
		[KMMT_KMALLOC] = EV_SIZE(alloc), [KMMT_CACHE_ALLOC] = EV_SIZE(alloc),
		[KMMT_KFREE] = EV_SIZE(free), [KMMT_CACHE_FREE] = EV_SIZE(free),
		[KMMT_PAGE_ALLOC] = EV_SIZE(page), [KMMT_PAGE_FREE] = EV_SIZE(page),
		[KMMT_PAGE_FREE_BATCHED] = EV_SIZE(page),
		[KMMT_FAULT_USER] = EV_SIZE(fault), [KMMT_FAULT_KERNEL] = EV_SIZE(fault),
		[KMMT_SYS_ENTER] = EV_SIZE(sys_enter), [KMMT_SYS_EXIT] = EV_SIZE(sys_exit),
		[KMMT_FORK] = EV_SIZE(fork), [KMMT_EXIT] = EV_SIZE(exit),
		[KMMT_EXEC] = EV_SIZE(exec),
	};
	struct kmmt_record r;
	char comm[KMMT_COMM_LEN];

	c->events++;
	if (size < EV_HDR || e->type >= KMMT_NR_TYPES || !need[e->type] || size < need[e->type]) {
		c->bad_events++;
		return 0;
	}
	memset(&r, 0, offsetof(struct kmmt_record, alloc) + sizeof(r.alloc));
	r.type = e->type;
	r.flags = e->flags;
	r.cpu = e->cpu;
	r.pid = e->pid;
	r.tid = e->tid;
	r.ts_ns = e->ts_ns;
	copy_cstr(comm, sizeof(comm), e->comm, sizeof(e->comm));
	switch (e->type) {
	case KMMT_KMALLOC:
	case KMMT_CACHE_ALLOC:
		r.alloc.call_site = e->alloc.call_site;
		r.alloc.ptr = e->alloc.ptr;
		r.alloc.bytes_req = e->alloc.bytes_req;
		r.alloc.bytes_alloc = e->alloc.bytes_alloc;
		r.alloc.gfp = e->alloc.gfp;
		r.alloc.node = e->alloc.node;
		if (e->type == KMMT_CACHE_ALLOC)
			copy_cstr(r.alloc.name, sizeof(r.alloc.name), e->alloc.name,
				  sizeof(e->alloc.name));
		break;
	case KMMT_KFREE:
	case KMMT_CACHE_FREE:
		r.free.call_site = e->free.call_site;
		r.free.ptr = e->free.ptr;
		if (e->type == KMMT_CACHE_FREE)
			copy_cstr(r.free.name, sizeof(r.free.name), e->free.name,
				  sizeof(e->free.name));
		break;
	case KMMT_PAGE_ALLOC:
	case KMMT_PAGE_FREE:
	case KMMT_PAGE_FREE_BATCHED:
		r.page.pfn = e->page.pfn;
		r.page.order = e->page.order;
		if (e->type == KMMT_PAGE_ALLOC) {
			r.page.gfp = e->page.gfp;
			r.page.migratetype = e->page.migratetype;
		}
		break;
	case KMMT_FAULT_USER:
	case KMMT_FAULT_KERNEL:
		r.fault.address = e->fault.address;
		r.fault.ip = e->fault.ip;
		r.fault.error_code = e->fault.error_code;
		break;
	case KMMT_SYS_ENTER:
		r.sys_enter.nr = e->sys_enter.nr;
		memcpy(r.sys_enter.args, e->sys_enter.args, sizeof(r.sys_enter.args));
		break;
	case KMMT_SYS_EXIT:
		r.sys_exit.nr = e->sys_exit.nr;
		r.sys_exit.ret = e->sys_exit.ret;
		break;
	case KMMT_FORK:
		r.fork.parent_pid = e->fork.parent_pid;
		r.fork.child_pid = e->fork.child_pid;
		r.fork.child_tgid = e->fork.child_tgid;
		r.fork.clone_flags = e->fork.clone_flags;
		break;
	case KMMT_EXIT:
		r.exit.group_dead = e->exit.group_dead;
		r.exit.exit_code = e->exit.exit_code;
		break;
	case KMMT_EXEC:
		r.exec.pid = e->exec.pid;
		r.exec.old_pid = e->exec.old_pid;
		copy_cstr(r.exec.filename, sizeof(r.exec.filename), e->exec.filename,
			  sizeof(e->exec.filename));
		break;
	}
	put_record(c, &r, comm);
	return c->write_errno ? -1 : 0;
}

/* ring-buffer drops since the last check become LOST records */
static void check_drops(struct capture *c)
{
	uint64_t *vals = calloc((size_t)c->ncpus, sizeof(uint64_t));
	int fd = bpf_map__fd(c->skel->maps.drops);

	if (!vals)
		return;
	for (uint32_t t = 1; t < KMMT_NR_TYPES; t++) {
		uint64_t sum = 0;
		if (bpf_map_lookup_elem(fd, &t, vals))
			continue;
		for (int i = 0; i < c->ncpus; i++)
			sum += vals[i];
		if (sum > c->drops_seen[t]) {
			struct kmmt_record r;
			memset(&r, 0, offsetof(struct kmmt_record, alloc) + sizeof(r.alloc));
			r.type = KMMT_LOST;
			r.ts_ns = mono_ns();
			r.lost.count = sum - c->drops_seen[t];
			r.lost.event_type = t;
			c->lost += r.lost.count;
			c->drops_seen[t] = sum;
			put_record(c, &r, NULL);
		}
	}
	free(vals);
}

/* ---- /proc ---- */
static int read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return (int)n;
}

static void proc_comm(pid_t pid, char comm[KMMT_COMM_LEN])
{
	char path[64], buf[64];

	memset(comm, 0, KMMT_COMM_LEN);
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if (read_small(path, buf, sizeof(buf)) > 0) {
		buf[strcspn(buf, "\n")] = 0;
		copy_cstr(comm, KMMT_COMM_LEN, buf, sizeof(buf));
	}
}

/* /proc/PID/maps at capture start: a TASK record then one MAPS per line */
static void snapshot_maps(struct capture *c, pid_t pid)
{
	char path[64], line[8192], comm[KMMT_COMM_LEN];
	struct kmmt_record *r = calloc(1, sizeof(*r));
	uint64_t ts = mono_ns();
	FILE *f;

	if (!r)
		return;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	if (!f) {
		if (!c->quiet)
			fprintf(stderr, "kmmtrace: %s: %s (no maps snapshot)\n", path,
				strerror(errno));
		free(r);
		return;
	}
	proc_comm(pid, comm);
	if (comm[0] && kmmt_write_task(&c->w, (uint32_t)pid, (uint32_t)pid, 0, ts, comm))
		c->write_errno = errno;
	c->maps_procs++;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long start, end, off, inode;
		unsigned maj, min;
		char perms[8];
		int n = 0;
		line[strcspn(line, "\n")] = 0;
		if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu %n", &start, &end, perms, &off,
			   &maj, &min, &inode, &n) < 7 || strlen(perms) != 4)
			continue;
		memset(r, 0, offsetof(struct kmmt_record, alloc) + sizeof(r->alloc));
		r->type = KMMT_MAPS;
		r->pid = r->tid = (uint32_t)pid;
		r->ts_ns = ts;
		r->maps.start = start;
		r->maps.end = end;
		r->maps.pgoff = off;
		r->maps.inode = inode;
		r->maps.dev_major = maj;
		r->maps.dev_minor = min;
		r->maps.prot = (perms[0] == 'r' ? KMMT_PROT_READ : 0) |
			       (perms[1] == 'w' ? KMMT_PROT_WRITE : 0) |
			       (perms[2] == 'x' ? KMMT_PROT_EXEC : 0) |
			       (perms[3] == 's' ? KMMT_MAP_SHARED : 0);
		copy_cstr(r->maps.path, sizeof(r->maps.path), line + (n > 0 ? n : (int)strlen(line)),
			  sizeof(line));
		put_record(c, r, NULL);
		c->maps_lines++;
	}
	fclose(f);
	free(r);
}

/* every process's parent, from /proc/N/stat */
struct proc_ent {
	pid_t pid, ppid;
	char comm[KMMT_COMM_LEN];
};

static struct proc_ent *list_procs(size_t *n)
{
	DIR *d = opendir("/proc");
	struct proc_ent *v = NULL;
	size_t cap = 0;
	struct dirent *de;

	*n = 0;
	if (!d)
		return NULL;
	while ((de = readdir(d))) {
		char path[300], buf[512], *rp;
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		if (read_small(path, buf, sizeof(buf)) <= 0 || !(rp = strrchr(buf, ')')))
			continue;
		if (*n == cap) {
			struct proc_ent *nv = realloc(v, (cap = cap ? cap * 2 : 256) * sizeof(*v));
			if (!nv)
				break;
			v = nv;
		}
		v[*n].pid = atoi(de->d_name);
		v[*n].ppid = 0;
		sscanf(rp + 2, "%*c %d", &v[*n].ppid);
		proc_comm(v[*n].pid, v[*n].comm);
		(*n)++;
	}
	closedir(d);
	return v;
}

static int follow(struct capture *c, pid_t pid)
{
	uint32_t k = (uint32_t)pid;
	uint8_t one = 1;

	return bpf_map_update_elem(bpf_map__fd(c->skel->maps.followed), &k, &one, BPF_ANY);
}

/* roots and their descendants: followed, and their maps recorded */
static size_t follow_tree(struct capture *c, const pid_t *roots, size_t nroots)
{
	size_t n, nf = 0;
	struct proc_ent *v = list_procs(&n);
	pid_t *set = calloc(n + nroots + 1, sizeof(pid_t));

	if (!set) {
		free(v);
		return 0;
	}
	for (size_t i = 0; i < nroots; i++)
		set[nf++] = roots[i];
	for (size_t i = 0; i < nf; i++)   /* breadth first over ppid links */
		for (size_t j = 0; j < n; j++)
			if (v[j].ppid == set[i]) {
				bool dup = false;
				for (size_t q = 0; q < nf; q++)
					dup |= set[q] == v[j].pid;
				if (!dup)
					set[nf++] = v[j].pid;
			}
	for (size_t i = 0; i < nf; i++) {
		follow(c, set[i]);
		snapshot_maps(c, set[i]);
	}
	free(set);
	free(v);
	return nf;
}

static unsigned parse_groups(const char *s)
{
	unsigned g = 0;
	char *dup = strdup(s), *save = NULL;

	if (!dup)
		return 0;
	for (char *t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (!strcmp(t, "kmem"))
			g |= G_KMEM;
		else if (!strcmp(t, "page"))
			g |= G_PAGE;
		else if (!strcmp(t, "fault"))
			g |= G_FAULT;
		else if (!strcmp(t, "syscall"))
			g |= G_SYSCALL;
		else if (!strcmp(t, "proc"))
			g |= G_PROC;
		else if (!strcmp(t, "all"))
			g |= G_KMEM | G_PAGE | G_FAULT | G_SYSCALL | G_PROC;
		else {
			g = 0;
			break;
		}
	}
	free(dup);
	return g;
}

static bool kernel_has_struct(struct btf *btf, const char *name)
{
	return btf && btf__find_by_name_kind(btf, name, BTF_KIND_STRUCT) >= 0;
}

int main(int argc, char **argv)
{
	struct capture c = {0};
	struct kmmt_header h;
	const char *out = NULL, *comm = NULL, *cgroup = NULL;
	long pid = 0, duration = 0, rb_kb = 4096;
	unsigned groups = G_KMEM | G_PAGE | G_FAULT | G_SYSCALL | G_PROC;
	enum kmmt_filter kind = KMMT_FILTER_ALL;
	int nkinds = 0, cmd_at = 0, rc = 0;
	uint64_t cgid = 0, start, last_progress, last_events = 0;
	pid_t child = 0;
	int go[2] = {-1, -1}, ready[2] = {-1, -1}, child_status = 0;
	bool child_done = false, all = false;
	struct btf *vmlinux_btf;
	unsigned mask = 0;
	char *end;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--")) {
			cmd_at = i + 1;
			break;
		} else if (!strcmp(a, "-q")) {
			c.quiet = true;
		} else if (!strcmp(a, "-v")) {
			verbose_libbpf = true;
		} else if (!strcmp(a, "-a")) {
			all = true;
			nkinds++;
		} else if (!v) {
			return usage("option needs a value", a);
		} else if (!strcmp(a, "-o")) {
			out = v;
			i++;
		} else if (!strcmp(a, "-p")) {
			pid = strtol(v, &end, 10);
			if (*end || pid <= 0)
				return usage("bad pid", v);
			nkinds++;
			i++;
		} else if (!strcmp(a, "-c")) {
			comm = v;
			if (strlen(comm) >= KMMT_COMM_LEN)
				return usage("a comm is at most 15 characters", v);
			nkinds++;
			i++;
		} else if (!strcmp(a, "-g")) {
			cgroup = v;
			nkinds++;
			i++;
		} else if (!strcmp(a, "-d")) {
			duration = strtol(v, &end, 10);
			if (*end || duration <= 0)
				return usage("bad duration", v);
			i++;
		} else if (!strcmp(a, "-b")) {
			rb_kb = strtol(v, &end, 10);
			if (*end || rb_kb < 4 || rb_kb > (1 << 20) || (rb_kb & (rb_kb - 1)))
				return usage("ring buffer size must be a power of two KiB", v);
			i++;
		} else if (!strcmp(a, "-e")) {
			groups = parse_groups(v);
			if (!groups)
				return usage("bad event groups", v);
			i++;
		} else {
			return usage("unknown option", a);
		}
	}
	if (cmd_at && cmd_at < argc)
		nkinds++;
	if (!out)
		return usage("no output file (-o)", NULL);
	if (nkinds != 1)
		return usage(nkinds ? "give one of -p, -c, -g, -a or -- COMMAND"
				    : "no filter: give -p, -c, -g, -a or -- COMMAND", NULL);
	if (all)
		kind = KMMT_FILTER_ALL;
	else if (pid)
		kind = KMMT_FILTER_PID;
	else if (comm)
		kind = KMMT_FILTER_COMM;
	else if (cgroup)
		kind = KMMT_FILTER_CGROUP;
	else
		kind = KMMT_FILTER_COMMAND;
	if (pid && kill((pid_t)pid, 0) && errno == ESRCH) {
		fprintf(stderr, "kmmtrace: no process %ld\n", pid);
		return 1;
	}
	if (cgroup) {
		/* a cgroup v2 directory: as given, or under the v2 mount
		 * (/sys/fs/cgroup, or /sys/fs/cgroup/unified on hybrid hosts) */
		static const char *const roots[] = {"", "/sys/fs/cgroup/", "/sys/fs/cgroup/unified/"};
		struct stat st;
		struct statfs sf;
		char path[4096];
		bool found = false;
		for (size_t r = 0; r < 3 && !found; r++) {
			if (r && cgroup[0] == '/')
				break;
			snprintf(path, sizeof(path), "%s%s", roots[r], cgroup);
			found = !stat(path, &st) && S_ISDIR(st.st_mode) && !statfs(path, &sf) &&
				sf.f_type == CGROUP2_SUPER_MAGIC;
		}
		if (!found) {
			fprintf(stderr, "kmmtrace: %s: not a cgroup v2 directory\n", cgroup);
			return 1;
		}
		cgid = st.st_ino; /* cgroup v2: the directory inode is the cgroup id */
		cgroup = strdup(path);
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		fprintf(stderr, "kmmtrace: this kernel exposes no BTF (/sys/kernel/btf/vmlinux; "
			"CONFIG_DEBUG_INFO_BTF): CO-RE cannot adapt the program to it\n");
		return 1;
	}
	libbpf_set_print(libbpf_log);

	/* a command is started now, held before exec until the probes are on */
	if (kind == KMMT_FILTER_COMMAND) {
		if (pipe2(go, O_CLOEXEC) || pipe2(ready, O_CLOEXEC)) {
			perror("kmmtrace: pipe");
			return 1;
		}
		child = fork();
		if (child < 0) {
			perror("kmmtrace: fork");
			return 1;
		}
		if (child == 0) {
			char b = ptrace(PTRACE_TRACEME, 0, NULL, NULL) ? 'N' : 'T';
			if (write(ready[1], &b, 1) != 1 || read(go[0], &b, 1) != 1)
				_exit(127);
			execvp(argv[cmd_at], argv + cmd_at);
			fprintf(stderr, "kmmtrace: %s: %s\n", argv[cmd_at], strerror(errno));
			_exit(127);
		}
		close(go[0]);
		close(ready[1]);
		pid = child;
	}

	c.skel = kmmtrace_bpf__open();
	if (!c.skel) {
		fprintf(stderr, "kmmtrace: cannot open the BPF object\n");
		rc = 1;
		goto out;
	}
	c.skel->rodata->filter_kind = (uint32_t)kind;
	c.skel->rodata->self_tgid = (uint32_t)getpid();
	c.skel->rodata->filter_cgid = cgid;
	if (comm)
		strncpy((char *)c.skel->rodata->filter_comm, comm, KMMT_COMM_LEN - 1);
	bpf_map__set_max_entries(c.skel->maps.rb, (uint32_t)rb_kb * 1024);
	c.skel->rodata->wakeup_bytes = (uint64_t)rb_kb * 1024 / 8;

	/* *_node events exist only before 6.1 (2c1d697fb8ba) */
	vmlinux_btf = btf__load_vmlinux_btf();
	bool node_events = kernel_has_struct(vmlinux_btf, "trace_event_raw_kmem_alloc_node");
	btf__free(vmlinux_btf);
	for (size_t i = 0; i < NR_PROGS; i++) {
		struct bpf_program *p = bpf_object__find_program_by_name(c.skel->obj, progs[i].name);
		bool on = (progs[i].group & groups) && (!progs[i].node_event || node_events);
		if (p)
			bpf_program__set_autoload(p, on);
	}
	if (kmmtrace_bpf__load(c.skel)) {
		fprintf(stderr, "kmmtrace: cannot load the BPF programs: %s%s\n", strerror(errno),
			errno == EPERM ? " (needs root, or CAP_BPF and CAP_PERFMON)" : "");
		rc = 1;
		goto out;
	}
	for (size_t i = 0; i < NR_PROGS; i++) {
		struct bpf_program *p = bpf_object__find_program_by_name(c.skel->obj, progs[i].name);
		if (!p || !bpf_program__autoload(p))
			continue;
		c.links[i] = bpf_program__attach(p);
		if (!c.links[i]) {
			c.links[i] = NULL;
			fprintf(stderr, "kmmtrace: cannot attach %s: %s (not recorded)\n",
				bpf_program__section_name(p), strerror(errno));
			continue;
		}
		mask |= progs[i].types;
	}
	if (!mask) {
		fprintf(stderr, "kmmtrace: nothing could be attached\n");
		rc = 1;
		goto out;
	}
	c.rb = ring_buffer__new(bpf_map__fd(c.skel->maps.rb), on_event, &c, NULL);
	if (!c.rb) {
		fprintf(stderr, "kmmtrace: cannot create the ring buffer reader\n");
		rc = 1;
		goto out;
	}
	c.ncpus = libbpf_num_possible_cpus();
	if (c.ncpus <= 0)
		c.ncpus = 1;

	/* the output */
	c.out_path = out;
	c.out = strcmp(out, "-") ? fopen(out, "w+b") : stdout;
	if (!c.out) {
		fprintf(stderr, "kmmtrace: %s: %s\n", out, strerror(errno));
		rc = 1;
		goto out;
	}
	kmmt_header_init(&h, KMMT_SRC_KMMTRACE);
	kmmt_header_host(&h);
	h.filter_kind = (uint32_t)kind;
	h.filter_pid = (uint32_t)pid;
	h.filter_cgroup = cgid;
	if (comm)
		strncpy(h.filter_comm, comm, KMMT_COMM_LEN - 1);
	h.duration_s = (uint32_t)duration;
	h.event_mask = mask;
	h.nr_cpus = (uint32_t)c.ncpus;
	h.ringbuf_kb = (uint32_t)rb_kb;
	snprintf(h.tool, sizeof(h.tool), "kmmtrace 1.0");
	start = mono_ns();
	h.start_ns = start;
	if (kmmt_writer_open(&c.w, c.out, &h)) {
		fprintf(stderr, "kmmtrace: %s: %s\n", out, strerror(errno));
		rc = 1;
		goto out;
	}

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	/* who is followed, and their mappings now */
	if (kind == KMMT_FILTER_PID) {
		pid_t root = (pid_t)pid;
		size_t n = follow_tree(&c, &root, 1);
		if (!c.quiet)
			fprintf(stderr, "kmmtrace: following pid %ld and %zu descendants\n", pid,
				n ? n - 1 : 0);
	} else if (kind == KMMT_FILTER_COMM) {
		size_t n, nr = 0;
		struct proc_ent *v = list_procs(&n);
		pid_t *roots = calloc(n + 1, sizeof(pid_t));
		for (size_t i = 0; roots && i < n; i++)
			if (!strcmp(v[i].comm, comm))
				roots[nr++] = v[i].pid;
		size_t nf = roots ? follow_tree(&c, roots, nr) : 0;
		if (!c.quiet)
			fprintf(stderr, "kmmtrace: following %zu processes named %s (with "
				"descendants), and any that appear\n", nf, comm);
		free(roots);
		free(v);
	} else if (kind == KMMT_FILTER_CGROUP) {
		char path[4200], buf[1 << 16];
		snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup);
		if (read_small(path, buf, sizeof(buf)) > 0)
			for (char *s = buf, *e2; *s; s = e2) {
				long p = strtol(s, &e2, 10);
				if (e2 == s)
					break;
				if (p > 0)
					snapshot_maps(&c, (pid_t)p);
			}
		if (!c.quiet)
			fprintf(stderr, "kmmtrace: following cgroup %s (id %" PRIu64 ")\n", cgroup,
				cgid);
	} else if (kind == KMMT_FILTER_COMMAND) {
		char b = 0;
		int st;
		follow(&c, child);
		if (read(ready[0], &b, 1) != 1)
			b = 0;
		if (write(go[1], "g", 1) != 1) {
			perror("kmmtrace: cannot release the command");
			rc = 1;
			goto finish;
		}
		close(go[1]);
		go[1] = -1;
		if (b == 'T') {
			/* stopped by ptrace right after its exec: record its mappings */
			if (waitpid(child, &st, 0) == child && WIFSTOPPED(st)) {
				ring_buffer__consume(c.rb);
				snapshot_maps(&c, child);
				ptrace(PTRACE_DETACH, child, NULL, NULL);
			} else if (WIFEXITED(st) || WIFSIGNALED(st)) {
				child_done = true;
				child_status = st;
			}
		} else if (!c.quiet) {
			fprintf(stderr, "kmmtrace: cannot hold %s at exec (ptrace): no maps "
				"snapshot\n", argv[cmd_at]);
		}
		if (!c.quiet)
			fprintf(stderr, "kmmtrace: following %s (pid %d)\n", argv[cmd_at], (int)child);
	} else if (!c.quiet) {
		fprintf(stderr, "kmmtrace: following every task\n");
	}

	last_progress = mono_ns();
	while (!stop_requested && !child_done && !c.write_errno) {
		/* woken when an eighth of the buffer is waiting; read on the
		 * 100 ms timeout too (epoll returns nothing then) */
		int err = ring_buffer__poll(c.rb, 100);
		if (err >= 0)
			err = ring_buffer__consume(c.rb);
		uint64_t now = mono_ns();
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "kmmtrace: ring buffer: %s\n", strerror(-err));
			rc = 1;
			break;
		}
		if (child > 0) {
			int st;
			if (waitpid(child, &st, WNOHANG) == child) {
				child_done = true;
				child_status = st;
			}
		}
		if (duration && now - start >= (uint64_t)duration * 1000000000u)
			break;
		if (now - last_progress >= 1000000000u) {
			check_drops(&c);
			if (!c.quiet)
				fprintf(stderr, "kmmtrace: %.1fs %" PRIu64 " events (%.0f/s), %" PRIu64
					" lost\n", (double)(now - start) / 1e9, c.events,
					(double)(c.events - last_events) * 1e9 /
						(double)(now - last_progress),
					c.lost);
			last_events = c.events;
			last_progress = now;
		}
	}
finish:
	if (c.rb)
		ring_buffer__consume(c.rb);
	check_drops(&c);
	if (child > 0 && !child_done) {
		/* the capture ended first: the command keeps running untraced */
		if (!c.quiet)
			fprintf(stderr, "kmmtrace: capture ended; %s (pid %d) continues\n",
				argv[cmd_at], (int)child);
	}
	{
		uint64_t endt = mono_ns();
		long size;
		if (kmmt_writer_finish(&c.w, endt) || c.write_errno) {
			fprintf(stderr, "kmmtrace: %s: %s\n", out,
				strerror(c.write_errno ? c.write_errno : errno));
			rc = 1;
		}
		size = c.out != stdout ? ftell(c.out) : -1;
		fprintf(stderr, "kmmtrace: %.2f s, %" PRIu64 " records (%" PRIu64 " events, %.0f/s) "
			"to %s", (double)(endt - start) / 1e9, c.w.records, c.events,
			(double)c.events * 1e9 / (double)(endt - start + 1), out);
		if (size >= 0)
			fprintf(stderr, " (%ld bytes)", size);
		fprintf(stderr, ", lost %" PRIu64 ", malformed %" PRIu64 "\n", c.lost, c.bad_events);
		fprintf(stderr, " ");
		for (unsigned t = 1; t < KMMT_NR_TYPES; t++)
			if (c.w.counts[t])
				fprintf(stderr, " %s=%" PRIu64, kmmt_type_name(t), c.w.counts[t]);
		fprintf(stderr, "\n");
		if (c.maps_procs)
			fprintf(stderr, "  maps snapshot: %" PRIu64 " processes, %" PRIu64
				" mappings\n", c.maps_procs, c.maps_lines);
		if (child > 0 && child_done) {
			if (WIFEXITED(child_status))
				fprintf(stderr, "  %s exited with status %d\n", argv[cmd_at],
					WEXITSTATUS(child_status));
			else if (WIFSIGNALED(child_status))
				fprintf(stderr, "  %s killed by signal %d\n", argv[cmd_at],
					WTERMSIG(child_status));
		}
	}
	kmmt_writer_free(&c.w);
out:
	if (go[1] >= 0)
		close(go[1]);   /* a held command sees EOF and exits 127 */
	if (ready[0] >= 0)
		close(ready[0]);
	if (child > 0 && rc && !child_done)
		waitpid(child, NULL, 0);
	ring_buffer__free(c.rb);
	for (size_t i = 0; i < NR_PROGS; i++)
		bpf_link__destroy(c.links[i]);
	kmmtrace_bpf__destroy(c.skel);
	if (c.out && c.out != stdout)
		fclose(c.out);
	if (cgroup && kind == KMMT_FILTER_CGROUP)
		free((char *)cgroup);
	return rc;
}
