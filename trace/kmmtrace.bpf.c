// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* kmmtrace.bpf.c — the BPF side of kmmtrace: kmem, page, fault, mm syscall
 * and process events into one ring buffer, filtered in the kernel.
 *
 * Tracepoint contexts are read through local "___x" struct flavours marked
 * preserve_access_index (CO-RE), so one object runs on kernels before and
 * after 6.1 (commit 2c1d697fb8ba folded kmem_alloc / kmem_alloc_node into
 * trace_event_raw_kmalloc / _kmem_cache_alloc with a node field and dropped
 * the *_node events), before and after pfn replaced struct page * in the
 * page events, with or without the cache name and the group_dead field,
 * and with gfp_flags of either size (gfp_t before 5.19), as bcc's
 * libbpf-tools do.  The x86 exception and per-syscall contexts have
 * no BTF type of their own; their layouts are fixed by the event format
 * (unchanged since they were added) and are read as plain structs.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "kmmtrace.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* tunables, set by the loader before load */
const volatile __u32 filter_kind = KMMT_FILTER_ALL;
const volatile __u32 self_tgid = 0;
const volatile __u64 filter_cgid = 0;
const volatile char filter_comm[KMMT_COMM_LEN] = {};
/* wake the reader only when this much is waiting (0: on every event); it
 * also polls on a timer, so a quiet trickle is still read */
const volatile __u64 wakeup_bytes = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} rb SEC(".maps");

/* tgids being followed (pid, command and comm filters) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32768);
	__type(key, __u32);
	__type(value, __u8);
} followed SEC(".maps");

/* events dropped because the ring buffer was full, per kind */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KMMT_NR_TYPES);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

/* ---- tracepoint context flavours (CO-RE) ---- */
struct trace_event_raw_kmalloc___x {             /* >= 6.1 */
	unsigned long call_site;
	const void *ptr;
	size_t bytes_req;
	size_t bytes_alloc;
	unsigned long gfp_flags;
	int node;
} __attribute__((preserve_access_index));

struct trace_event_raw_kmem_cache_alloc___x {    /* >= 6.1; name later */
	unsigned long call_site;
	const void *ptr;
	__u32 __data_loc_name;
	size_t bytes_req;
	size_t bytes_alloc;
	unsigned long gfp_flags;
	int node;
	bool accounted;
} __attribute__((preserve_access_index));

struct trace_event_raw_kmem_alloc___x {          /* < 6.1 */
	unsigned long call_site;
	const void *ptr;
	size_t bytes_req;
	size_t bytes_alloc;
	unsigned long gfp_flags;
	bool accounted;                              /* 5.19 .. 6.0 */
} __attribute__((preserve_access_index));

struct trace_event_raw_kmem_alloc_node___x {     /* < 6.1 */
	unsigned long call_site;
	const void *ptr;
	size_t bytes_req;
	size_t bytes_alloc;
	unsigned long gfp_flags;
	int node;
	bool accounted;
} __attribute__((preserve_access_index));

struct trace_event_raw_kfree___x {               /* >= 5.12 */
	unsigned long call_site;
	const void *ptr;
} __attribute__((preserve_access_index));

struct trace_event_raw_kmem_free___x {           /* < 5.12: kfree + cache_free */
	unsigned long call_site;
	const void *ptr;
} __attribute__((preserve_access_index));

struct trace_event_raw_kmem_cache_free___x {     /* >= 5.12 */
	unsigned long call_site;
	const void *ptr;
	__u32 __data_loc_name;
} __attribute__((preserve_access_index));

struct trace_event_raw_mm_page_alloc___x {
	unsigned long pfn;                           /* struct page *page before */
	struct page *page;
	unsigned int order;
	unsigned long gfp_flags;
	int migratetype;
} __attribute__((preserve_access_index));

struct trace_event_raw_mm_page_free___x {
	unsigned long pfn;
	struct page *page;
	unsigned int order;
} __attribute__((preserve_access_index));

struct trace_event_raw_mm_page_free_batched___x {
	unsigned long pfn;
	struct page *page;
} __attribute__((preserve_access_index));

struct trace_event_raw_sched_process_exit___x {  /* group_dead since 6.16 */
	bool group_dead;
} __attribute__((preserve_access_index));

struct trace_event_raw_sched_process_exec___x {
	__u32 __data_loc_filename;
	int pid;
	int old_pid;
} __attribute__((preserve_access_index));

struct signal_struct___x {
	atomic_t live;
} __attribute__((preserve_access_index));

struct task_struct___x {
	int pid;
	int tgid;
	int exit_code;
	struct mm_struct *mm;
	struct signal_struct___x *signal;
} __attribute__((preserve_access_index));

/* exceptions:page_fault_{user,kernel}: address, ip, error_code after the
 * 8-byte common header */
struct fault_ctx {
	__u64 common;
	unsigned long address;
	unsigned long ip;
	unsigned long error_code;
};

/* syscalls:sys_enter_* / sys_exit_*: int __syscall_nr, then 8-byte args */
struct sys_enter_ctx {
	__u64 common;
	int nr;
	int pad;
	unsigned long args[6];
};

struct sys_exit_ctx {
	__u64 common;
	int nr;
	int pad;
	long ret;
};

/* A field whose size differs between kernels: gfp_flags was a 4-byte
 * gfp_t until 5.18 and is an unsigned long since.  Read the target
 * kernel's size (little-endian: into the low bytes). */
#define READ_SIZED(p, field) ({                                                \
	__u64 __v = 0;                                                         \
	__u32 __sz = bpf_core_field_size(p->field);                            \
	bpf_probe_read_kernel(&__v, __sz < 8 ? __sz : 8,                       \
			      __builtin_preserve_access_index(&p->field));     \
	__v;                                                                   \
})

#define EV_HDR (__builtin_offsetof(struct kmmt_event, alloc))
#define EV_SIZE(member) (EV_HDR + sizeof(((struct kmmt_event *)0)->member))

static __always_inline bool comm_match(void)
{
	char c[KMMT_COMM_LEN];

	bpf_get_current_comm(c, sizeof(c));
#pragma unroll
	for (int i = 0; i < KMMT_COMM_LEN; i++) {
		if (c[i] != filter_comm[i])
			return false;
		if (!c[i])
			break;
	}
	return true;
}

static __always_inline bool want_tgid(__u32 tgid)
{
	if (tgid == self_tgid)
		return false;
	switch (filter_kind) {
	case KMMT_FILTER_ALL:
		return true;
	case KMMT_FILTER_CGROUP:
		return bpf_get_current_cgroup_id() == filter_cgid;
	case KMMT_FILTER_COMM:
		if (bpf_map_lookup_elem(&followed, &tgid))
			return true;
		return comm_match();
	default:
		return bpf_map_lookup_elem(&followed, &tgid) != NULL;
	}
}

static __always_inline bool want(void)
{
	return want_tgid(bpf_get_current_pid_tgid() >> 32);
}

static __always_inline void count_drop(__u32 type)
{
	__u64 *c = bpf_map_lookup_elem(&drops, &type);

	if (c)
		(*c)++;
}

static __always_inline struct kmmt_event *reserve(__u32 size, __u16 type)
{
	struct kmmt_event *e = bpf_ringbuf_reserve(&rb, size, 0);
	__u64 pt;

	if (!e) {
		count_drop(type);
		return NULL;
	}
	pt = bpf_get_current_pid_tgid();
	e->type = type;
	e->flags = 0;
	e->cpu = bpf_get_smp_processor_id();
	e->pid = pt >> 32;
	e->tid = (__u32)pt;
	e->ts_ns = bpf_ktime_get_ns();
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	return e;
}

/* A wakeup per event costs more than the event (irq_work + a reader
 * wakeup): batch them. */
static __always_inline void submit(struct kmmt_event *e)
{
	__u64 flags = 0;

	if (wakeup_bytes)
		flags = bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA) >= wakeup_bytes
				? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
	bpf_ringbuf_submit(e, flags);
}

/* a __data_loc string of a tracepoint record: offset in the low 16 bits */
static __always_inline long read_loc_str(void *ctx, __u32 loc, char *dst, __u32 size)
{
	return bpf_probe_read_kernel_str(dst, size, (char *)ctx + (loc & 0xffff));
}

/* ---- kmem ---- */
static __always_inline int on_alloc(void *ctx, bool cache, bool node_event)
{
	struct kmmt_event *e;

	if (!want())
		return 0;
	e = reserve(EV_SIZE(alloc), cache ? KMMT_CACHE_ALLOC : KMMT_KMALLOC);
	if (!e)
		return 0;
	e->alloc.node = -1;
	e->alloc.name[0] = 0;
	if (node_event) {
		struct trace_event_raw_kmem_alloc_node___x *a = ctx;
		e->alloc.call_site = BPF_CORE_READ(a, call_site);
		e->alloc.ptr = (__u64)BPF_CORE_READ(a, ptr);
		e->alloc.bytes_req = BPF_CORE_READ(a, bytes_req);
		e->alloc.bytes_alloc = BPF_CORE_READ(a, bytes_alloc);
		e->alloc.gfp = READ_SIZED(a, gfp_flags);
		e->alloc.node = BPF_CORE_READ(a, node);
		if (bpf_core_field_exists(a->accounted) && BPF_CORE_READ(a, accounted))
			e->flags |= KMMT_RF_ACCOUNTED;
		e->flags |= KMMT_RF_NODE_EVENT;
	} else if (cache && bpf_core_type_exists(struct trace_event_raw_kmem_cache_alloc___x)) {
		struct trace_event_raw_kmem_cache_alloc___x *a = ctx;
		e->alloc.call_site = BPF_CORE_READ(a, call_site);
		e->alloc.ptr = (__u64)BPF_CORE_READ(a, ptr);
		e->alloc.bytes_req = BPF_CORE_READ(a, bytes_req);
		e->alloc.bytes_alloc = BPF_CORE_READ(a, bytes_alloc);
		e->alloc.gfp = READ_SIZED(a, gfp_flags);
		e->alloc.node = BPF_CORE_READ(a, node);
		if (bpf_core_field_exists(a->accounted) && BPF_CORE_READ(a, accounted))
			e->flags |= KMMT_RF_ACCOUNTED;
		if (bpf_core_field_exists(a->__data_loc_name))
			read_loc_str(ctx, BPF_CORE_READ(a, __data_loc_name), e->alloc.name,
				     sizeof(e->alloc.name));
	} else if (!cache && bpf_core_type_exists(struct trace_event_raw_kmalloc___x)) {
		struct trace_event_raw_kmalloc___x *a = ctx;
		e->alloc.call_site = BPF_CORE_READ(a, call_site);
		e->alloc.ptr = (__u64)BPF_CORE_READ(a, ptr);
		e->alloc.bytes_req = BPF_CORE_READ(a, bytes_req);
		e->alloc.bytes_alloc = BPF_CORE_READ(a, bytes_alloc);
		e->alloc.gfp = READ_SIZED(a, gfp_flags);
		e->alloc.node = BPF_CORE_READ(a, node);
	} else {
		struct trace_event_raw_kmem_alloc___x *a = ctx;
		e->alloc.call_site = BPF_CORE_READ(a, call_site);
		e->alloc.ptr = (__u64)BPF_CORE_READ(a, ptr);
		e->alloc.bytes_req = BPF_CORE_READ(a, bytes_req);
		e->alloc.bytes_alloc = BPF_CORE_READ(a, bytes_alloc);
		e->alloc.gfp = READ_SIZED(a, gfp_flags);
		if (bpf_core_field_exists(a->accounted) && BPF_CORE_READ(a, accounted))
			e->flags |= KMMT_RF_ACCOUNTED;
	}
	if (!e->alloc.ptr)
		e->flags |= KMMT_RF_FAILED;
	if (cache && !e->alloc.name[0])
		e->flags |= KMMT_RF_NO_NAME;
	submit(e);
	return 0;
}

SEC("tp/kmem/kmalloc")
int handle_kmalloc(void *ctx)
{
	return on_alloc(ctx, false, false);
}

SEC("tp/kmem/kmalloc_node")
int handle_kmalloc_node(void *ctx)
{
	return on_alloc(ctx, false, true);
}

SEC("tp/kmem/kmem_cache_alloc")
int handle_cache_alloc(void *ctx)
{
	return on_alloc(ctx, true, false);
}

SEC("tp/kmem/kmem_cache_alloc_node")
int handle_cache_alloc_node(void *ctx)
{
	return on_alloc(ctx, true, true);
}

static __always_inline int on_free(void *ctx, bool cache)
{
	struct kmmt_event *e;

	if (!want())
		return 0;
	e = reserve(EV_SIZE(free), cache ? KMMT_CACHE_FREE : KMMT_KFREE);
	if (!e)
		return 0;
	e->free.name[0] = 0;
	if (cache && bpf_core_type_exists(struct trace_event_raw_kmem_cache_free___x)) {
		struct trace_event_raw_kmem_cache_free___x *a = ctx;
		e->free.call_site = BPF_CORE_READ(a, call_site);
		e->free.ptr = (__u64)BPF_CORE_READ(a, ptr);
		read_loc_str(ctx, BPF_CORE_READ(a, __data_loc_name), e->free.name,
			     sizeof(e->free.name));
	} else if (!cache && bpf_core_type_exists(struct trace_event_raw_kfree___x)) {
		struct trace_event_raw_kfree___x *a = ctx;
		e->free.call_site = BPF_CORE_READ(a, call_site);
		e->free.ptr = (__u64)BPF_CORE_READ(a, ptr);
	} else {
		struct trace_event_raw_kmem_free___x *a = ctx;
		e->free.call_site = BPF_CORE_READ(a, call_site);
		e->free.ptr = (__u64)BPF_CORE_READ(a, ptr);
	}
	if (cache && !e->free.name[0])
		e->flags |= KMMT_RF_NO_NAME;
	submit(e);
	return 0;
}

SEC("tp/kmem/kfree")
int handle_kfree(void *ctx)
{
	return on_free(ctx, false);
}

SEC("tp/kmem/kmem_cache_free")
int handle_cache_free(void *ctx)
{
	return on_free(ctx, true);
}

/* ---- pages ---- */
SEC("tp/kmem/mm_page_alloc")
int handle_page_alloc(struct trace_event_raw_mm_page_alloc___x *a)
{
	struct kmmt_event *e;

	if (!want())
		return 0;
	e = reserve(EV_SIZE(page), KMMT_PAGE_ALLOC);
	if (!e)
		return 0;
	if (bpf_core_field_exists(a->pfn)) {
		e->page.pfn = BPF_CORE_READ(a, pfn);
		if (e->page.pfn == ~0ull)
			e->flags |= KMMT_RF_FAILED;
	} else {
		e->page.pfn = (__u64)BPF_CORE_READ(a, page);
		e->flags |= e->page.pfn ? KMMT_RF_PAGE_PTR : KMMT_RF_FAILED;
		if (!e->page.pfn)
			e->page.pfn = ~0ull;
	}
	e->page.order = BPF_CORE_READ(a, order);
	e->page.gfp = READ_SIZED(a, gfp_flags);
	e->page.migratetype = BPF_CORE_READ(a, migratetype);
	submit(e);
	return 0;
}

SEC("tp/kmem/mm_page_free")
int handle_page_free(struct trace_event_raw_mm_page_free___x *a)
{
	struct kmmt_event *e;

	if (!want())
		return 0;
	e = reserve(EV_SIZE(page), KMMT_PAGE_FREE);
	if (!e)
		return 0;
	if (bpf_core_field_exists(a->pfn)) {
		e->page.pfn = BPF_CORE_READ(a, pfn);
	} else {
		e->page.pfn = (__u64)BPF_CORE_READ(a, page);
		e->flags |= KMMT_RF_PAGE_PTR;
	}
	e->page.order = BPF_CORE_READ(a, order);
	e->page.gfp = 0;
	e->page.migratetype = 0;
	submit(e);
	return 0;
}

SEC("tp/kmem/mm_page_free_batched")
int handle_page_free_batched(struct trace_event_raw_mm_page_free_batched___x *a)
{
	struct kmmt_event *e;

	if (!want())
		return 0;
	e = reserve(EV_SIZE(page), KMMT_PAGE_FREE_BATCHED);
	if (!e)
		return 0;
	if (bpf_core_field_exists(a->pfn)) {
		e->page.pfn = BPF_CORE_READ(a, pfn);
	} else {
		e->page.pfn = (__u64)BPF_CORE_READ(a, page);
		e->flags |= KMMT_RF_PAGE_PTR;
	}
	e->page.order = 0;
	e->page.gfp = 0;
	e->page.migratetype = 0;
	submit(e);
	return 0;
}

/* ---- faults ---- */
static __always_inline int on_fault(struct fault_ctx *c, __u16 type)
{
	struct kmmt_event *e;

	if (!want())
		return 0;
	e = reserve(EV_SIZE(fault), type);
	if (!e)
		return 0;
	e->fault.address = c->address;
	e->fault.ip = c->ip;
	e->fault.error_code = c->error_code;
	submit(e);
	return 0;
}

SEC("tp/exceptions/page_fault_user")
int handle_fault_user(struct fault_ctx *c)
{
	return on_fault(c, KMMT_FAULT_USER);
}

SEC("tp/exceptions/page_fault_kernel")
int handle_fault_kernel(struct fault_ctx *c)
{
	return on_fault(c, KMMT_FAULT_KERNEL);
}

/* ---- mm syscalls ---- */
static __always_inline int on_sys_enter(struct sys_enter_ctx *c, __u32 nr)
{
	struct kmmt_event *e;

	if (!want())
		return 0;
	e = reserve(EV_SIZE(sys_enter), KMMT_SYS_ENTER);
	if (!e)
		return 0;
	e->sys_enter.nr = nr;
	e->sys_enter.pad = 0;
#pragma unroll
	for (int i = 0; i < 6; i++)
		e->sys_enter.args[i] = 0;
	/* only the arguments the syscall has: the record is that long */
	switch (nr) {
	case KMMT_SYS_MMAP:
		e->sys_enter.args[5] = c->args[5];
		e->sys_enter.args[4] = c->args[4];
		e->sys_enter.args[3] = c->args[3];
		/* fallthrough */
	case KMMT_SYS_MPROTECT:
		e->sys_enter.args[2] = c->args[2];
		/* fallthrough */
	case KMMT_SYS_MUNMAP:
		e->sys_enter.args[1] = c->args[1];
		/* fallthrough */
	default:
		e->sys_enter.args[0] = c->args[0];
		break;
	case KMMT_SYS_MREMAP:
		e->sys_enter.args[0] = c->args[0];
		e->sys_enter.args[1] = c->args[1];
		e->sys_enter.args[2] = c->args[2];
		e->sys_enter.args[3] = c->args[3];
		e->sys_enter.args[4] = c->args[4];
		break;
	}
	submit(e);
	return 0;
}

static __always_inline int on_sys_exit(struct sys_exit_ctx *c, __u32 nr)
{
	struct kmmt_event *e;

	if (!want())
		return 0;
	e = reserve(EV_SIZE(sys_exit), KMMT_SYS_EXIT);
	if (!e)
		return 0;
	e->sys_exit.nr = nr;
	e->sys_exit.pad = 0;
	e->sys_exit.ret = c->ret;
	submit(e);
	return 0;
}

#define SYSCALL_PAIR(name, NR)                                                 \
	SEC("tp/syscalls/sys_enter_" #name)                                    \
	int handle_enter_##name(struct sys_enter_ctx *c)                       \
	{                                                                      \
		return on_sys_enter(c, NR);                                    \
	}                                                                      \
	SEC("tp/syscalls/sys_exit_" #name)                                     \
	int handle_exit_##name(struct sys_exit_ctx *c)                         \
	{                                                                      \
		return on_sys_exit(c, NR);                                     \
	}

SYSCALL_PAIR(mmap, KMMT_SYS_MMAP)
SYSCALL_PAIR(munmap, KMMT_SYS_MUNMAP)
SYSCALL_PAIR(mprotect, KMMT_SYS_MPROTECT)
SYSCALL_PAIR(brk, KMMT_SYS_BRK)
SYSCALL_PAIR(mremap, KMMT_SYS_MREMAP)

/* ---- processes ---- */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(handle_fork, struct task_struct *parent_, struct task_struct *child_)
{
	struct task_struct___x *parent = (void *)parent_, *child = (void *)child_;
	struct kmmt_event *e;
	__u32 ptgid = BPF_CORE_READ(parent, tgid), ctgid = BPF_CORE_READ(child, tgid);
	__u8 one = 1;

	if (!want_tgid(ptgid))
		return 0;
	if (filter_kind != KMMT_FILTER_ALL && filter_kind != KMMT_FILTER_CGROUP)
		bpf_map_update_elem(&followed, &ctgid, &one, BPF_ANY);
	e = reserve(EV_SIZE(fork), KMMT_FORK);
	if (!e)
		return 0;
	e->fork.parent_pid = BPF_CORE_READ(parent, pid);
	e->fork.child_pid = BPF_CORE_READ(child, pid);
	e->fork.child_tgid = ctgid;
	e->fork.clone_flags = 0;
	if (BPF_CORE_READ(child, mm) == BPF_CORE_READ(parent, mm))
		e->fork.clone_flags |= KMMT_CLONE_VM;
	if (ctgid == ptgid)
		e->fork.clone_flags |= KMMT_CLONE_THREAD;
	submit(e);
	return 0;
}

SEC("tp/sched/sched_process_exit")
int handle_exit(void *ctx)
{
	struct task_struct___x *t = (void *)bpf_get_current_task();
	struct kmmt_event *e;

	if (!want())
		return 0;
	e = reserve(EV_SIZE(exit), KMMT_EXIT);
	if (!e)
		return 0;
	if (bpf_core_type_exists(struct trace_event_raw_sched_process_exit___x) &&
	    bpf_core_field_exists(struct trace_event_raw_sched_process_exit___x, group_dead)) {
		struct trace_event_raw_sched_process_exit___x *a = ctx;
		e->exit.group_dead = BPF_CORE_READ(a, group_dead);
	} else {
		/* do_exit has already dropped signal->live for this thread */
		e->exit.group_dead = BPF_CORE_READ(t, signal, live.counter) == 0;
	}
	e->exit.exit_code = BPF_CORE_READ(t, exit_code);
	submit(e);
	return 0;
}

SEC("tp/sched/sched_process_exec")
int handle_exec(struct trace_event_raw_sched_process_exec___x *a)
{
	struct kmmt_event *e;

	if (!want())
		return 0;
	e = reserve(EV_SIZE(exec), KMMT_EXEC);
	if (!e)
		return 0;
	e->exec.pid = BPF_CORE_READ(a, pid);
	e->exec.old_pid = BPF_CORE_READ(a, old_pid);
	if (read_loc_str(a, BPF_CORE_READ(a, __data_loc_filename), e->exec.filename,
			 sizeof(e->exec.filename)) < 0)
		e->exec.filename[0] = 0;
	submit(e);
	return 0;
}
