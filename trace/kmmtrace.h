/* kmmtrace.h — shared between the BPF program (kmmtrace.bpf.c), the loader
 * (kmmtrace.c) and the trace-file library (trace_format.c).
 *
 * It holds the record kinds of the trace file, the per-record flags and the
 * event the BPF program puts in the ring buffer.  The event is not the file
 * record: the loader validates each event and encodes it with the library,
 * so the file layout (trace/FORMAT.md) does not depend on this struct.
 */
#ifndef KMMTRACE_H
#define KMMTRACE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Record kinds; the numbers are part of the file format. */
enum kmmt_type {
	KMMT_KMALLOC = 1,           /* kmem:kmalloc (and kmalloc_node) */
	KMMT_KFREE = 2,             /* kmem:kfree */
	KMMT_CACHE_ALLOC = 3,       /* kmem:kmem_cache_alloc (and _node) */
	KMMT_CACHE_FREE = 4,        /* kmem:kmem_cache_free */
	KMMT_PAGE_ALLOC = 5,        /* kmem:mm_page_alloc */
	KMMT_PAGE_FREE = 6,         /* kmem:mm_page_free (mm_page_free_direct) */
	KMMT_PAGE_FREE_BATCHED = 7, /* kmem:mm_page_free_batched (mm_pagevec_free) */
	KMMT_FAULT_USER = 8,        /* exceptions:page_fault_user */
	KMMT_FAULT_KERNEL = 9,      /* exceptions:page_fault_kernel */
	KMMT_SYS_ENTER = 10,        /* syscalls:sys_enter_{mmap,munmap,...} */
	KMMT_SYS_EXIT = 11,         /* syscalls:sys_exit_{mmap,munmap,...} */
	KMMT_FORK = 12,             /* sched:sched_process_fork */
	KMMT_EXIT = 13,             /* sched:sched_process_exit */
	KMMT_EXEC = 14,             /* sched:sched_process_exec */
	KMMT_LOST = 15,             /* events the capture dropped */
	KMMT_MAPS = 16,             /* one line of /proc/PID/maps at start */
	KMMT_TASK = 17,             /* comm of a thread, on first sight/change */
	KMMT_NR_TYPES
};

/* The syscalls traced (KMMT_SYS_ENTER / KMMT_SYS_EXIT). */
enum kmmt_sys {
	KMMT_SYS_MMAP = 1,
	KMMT_SYS_MUNMAP = 2,
	KMMT_SYS_MPROTECT = 3,
	KMMT_SYS_BRK = 4,
	KMMT_SYS_MREMAP = 5,
	KMMT_NR_SYS
};

/* Per-record flags (the record header's flags field). */
#define KMMT_RF_HASHED 0x0001      /* pointer fields are %p hashes */
#define KMMT_RF_SYMBOLIC 0x0002    /* call_site/ip/address was a symbol: 0 */
#define KMMT_RF_GFP_UNKNOWN 0x0004 /* gfp had names/bits outside the table */
#define KMMT_RF_NODE_EVENT 0x0008  /* from kmalloc_node/kmem_cache_alloc_node */
#define KMMT_RF_PAGE_PTR 0x0010    /* pfn holds a struct page * (no pfn field) */
#define KMMT_RF_FAILED 0x0020      /* allocation failed (ptr 0 / no page) */
#define KMMT_RF_ACCOUNTED 0x0040   /* kmem accounted (memcg) */
#define KMMT_RF_NO_NAME 0x0080     /* the kernel gave no cache name */
#define KMMT_RF_TRUNCATED 0x0100   /* a string was cut to its field */
#define KMMT_RF_ALL 0x01ff

/* KMMT_FORK clone flags */
#define KMMT_CLONE_VM 0x1          /* child shares the parent's mm */
#define KMMT_CLONE_THREAD 0x2      /* child is a thread of the parent */
#define KMMT_CLONE_UNKNOWN 0x4     /* the source does not say */

#define KMMT_COMM_LEN 16
#define KMMT_NAME_LEN 32           /* cache names */
#define KMMT_BPF_PATH_LEN 256      /* exec filename as the BPF side reads it */

/* Filters (the header's filter_kind). */
enum kmmt_filter {
	KMMT_FILTER_ALL = 0,
	KMMT_FILTER_PID = 1,       /* a pid and its descendants */
	KMMT_FILTER_COMM = 2,      /* tasks with this comm and their children */
	KMMT_FILTER_CGROUP = 3,    /* tasks in this cgroup (v2 id) */
	KMMT_FILTER_COMMAND = 4,   /* the command kmmtrace started */
	KMMT_NR_FILTERS
};

/* ---- the ring-buffer event (BPF -> loader) ---- */
struct kmmt_event {
	__u16 type;                /* enum kmmt_type */
	__u16 flags;               /* KMMT_RF_* */
	__u32 cpu;
	__u32 pid;                 /* tgid */
	__u32 tid;
	__u64 ts_ns;               /* bpf_ktime_get_ns: CLOCK_MONOTONIC */
	char comm[KMMT_COMM_LEN];
	union {
		struct {
			__u64 call_site, ptr, bytes_req, bytes_alloc, gfp;
			__s32 node;
			__u32 pad;
			char name[KMMT_NAME_LEN];
		} alloc;           /* KMALLOC, CACHE_ALLOC */
		struct {
			__u64 call_site, ptr;
			char name[KMMT_NAME_LEN];
		} free;            /* KFREE, CACHE_FREE */
		struct {
			__u64 pfn, gfp;
			__u32 order;
			__s32 migratetype;
		} page;            /* PAGE_ALLOC, PAGE_FREE, PAGE_FREE_BATCHED */
		struct {
			__u64 address, ip, error_code;
		} fault;
		struct {
			__u32 nr;  /* enum kmmt_sys */
			__u32 pad;
			__u64 args[6];
		} sys_enter;
		struct {
			__u32 nr;
			__u32 pad;
			__s64 ret;
		} sys_exit;
		struct {
			__u32 parent_pid, child_pid, child_tgid, clone_flags;
		} fork;
		struct {
			__u32 group_dead; /* 0, 1, or 255 when unknown */
			__s32 exit_code;
		} exit;
		struct {
			__u32 pid, old_pid;
			char filename[KMMT_BPF_PATH_LEN];
		} exec;
	};
};

#endif
