/* vmlinux_fallback.h — the few kernel types kmmtrace.bpf.c needs, for
 * building where no BTF is available to generate vmlinux.h from
 * (/sys/kernel/btf/vmlinux missing).  Every struct is CO-RE
 * (preserve_access_index): field offsets are taken from the BTF of the
 * kernel the object is loaded on, so these definitions only have to name
 * the fields, not match any one kernel's layout.  x86_64 and other 64-bit
 * little-endian targets.
 */
#ifndef __VMLINUX_H__
#define __VMLINUX_H__

typedef signed char __s8;
typedef unsigned char __u8;
typedef short __s16;
typedef unsigned short __u16;
typedef int __s32;
typedef unsigned int __u32;
typedef long long __s64;
typedef unsigned long long __u64;
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s32 s32;
typedef __s64 s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;
typedef _Bool bool;
enum { false = 0, true = 1 };
typedef unsigned long size_t;
typedef int pid_t;

enum bpf_map_type {
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_ARRAY = 2,
	BPF_MAP_TYPE_PERCPU_ARRAY = 6,
	BPF_MAP_TYPE_RINGBUF = 27,
};

enum {
	BPF_RB_NO_WAKEUP = 1,
	BPF_RB_FORCE_WAKEUP = 2,
};

enum {
	BPF_RB_AVAIL_DATA = 0,
};

enum {
	BPF_ANY = 0,
	BPF_NOEXIST = 1,
	BPF_EXIST = 2,
};

#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)

typedef struct {
	int counter;
} atomic_t;

struct page;
struct mm_struct;

struct signal_struct {
	atomic_t live;
};

struct task_struct {
	int pid;
	int tgid;
	int exit_code;
	struct mm_struct *mm;
	struct signal_struct *signal;
};

#pragma clang attribute pop

#endif
