/* kmm/fault.h — page faults and memory accesses through virtual addresses.
 *
 * kmm_access() is a CPU executing loads, stores or instruction fetches:
 * it splits the range at page boundaries, translates each piece through
 * the CPU's TLB and page tables, and on a #PF enters do_page_fault() as
 * the hardware would, then retries.  The fault handler follows Linux 3.2
 * arch/x86/mm/fault.c (vmalloc_fault, spurious_fault, bad_area,
 * access_error, stack expansion, mm_fault_error) and mm/memory.c
 * (handle_mm_fault: do_anonymous_page with the zero page, __do_fault for
 * file, shmem and device mappings, do_wp_page with COW and reuse); a
 * missing pte in a file mapping without ->fault (a device mapped whole at
 * mmap) is SIGBUS, as since 4.2.
 *
 * A bad user access ends in a signal outcome, never a simulator crash.  A
 * kernel access the kernel cannot handle (no exception-table fixup) is an
 * oops: kmm_bug("fault", "unable to handle kernel paging request ...").
 * User and page-cache pages are cleared, copied and filled through
 * kmap_atomic / kmap_local mappings (highmem.h), as the kernel does.
 */
#ifndef KMM_FAULT_H
#define KMM_FAULT_H

#include "mm.h"

/* kmm_access mode: KMM_ACC_* (pgtable.h) plus */
#define KMM_ACC_UACCESS (1u << 3)   /* kernel access to user memory with an
				       exception-table fixup (copy_*_user);
				       access_ok() is the caller's */

/* handle_mm_fault flags and results (3.2). */
#define FAULT_FLAG_WRITE 0x01u
#define VM_FAULT_OOM 0x0001
#define VM_FAULT_SIGBUS 0x0002
#define VM_FAULT_MAJOR 0x0004
#define VM_FAULT_WRITE 0x0008
#define VM_FAULT_NOPAGE 0x0100
#define VM_FAULT_LOCKED 0x0200
#define VM_FAULT_ERROR (VM_FAULT_OOM | VM_FAULT_SIGBUS)

enum kmm_outcome {
	KMM_OK,                 /* the access completed */
	KMM_SIGSEGV,            /* user access: SIGSEGV (si_code MAPERR/ACCERR) */
	KMM_SIGBUS,             /* user access: SIGBUS (BUS_ADRERR) */
	KMM_EFAULT,             /* uaccess fixup taken: -EFAULT */
	KMM_OOM,                /* user fault: VM_FAULT_OOM (OOM killer) */
};

struct kmm_access_result {
	enum kmm_outcome outcome;
	int si_code;            /* SEGV_MAPERR, SEGV_ACCERR, BUS_ADRERR */
	vaddr_t addr;           /* the faulting address (cr2) */
	unsigned int error_code;/* of the last fault */
	size_t done;            /* bytes transferred */
	unsigned int faults;    /* #PF taken, handled ones included */
};

struct fault_stats {
	unsigned long faults, user_faults, kernel_faults;
	unsigned long vmalloc_faults;   /* vmalloc_fault fixed the access */
	unsigned long vmalloc_syncs;    /* PMD entries copied from swapper */
	unsigned long spurious;         /* spurious_fault fixed by the TLB */
	unsigned long anon, zero_page, file, shmem, pfn, stack_growth;
	unsigned long cow_copies, cow_reuses, shared_dirty;
	unsigned long sigsegv, sigbus, efault, oom;
};

/* The access: outcome in r (may be NULL); returns r->outcome. */
enum kmm_outcome kmm_access(struct kmm *k, unsigned int cpu, vaddr_t va,
			    void *buf, size_t len, unsigned int acc,
			    struct kmm_access_result *r);
static inline enum kmm_outcome kmm_read(struct kmm *k, unsigned int cpu,
					vaddr_t va, void *buf, size_t len,
					bool user)
{
	return kmm_access(k, cpu, va, buf, len, user ? KMM_ACC_USER : 0, NULL);
}
static inline enum kmm_outcome kmm_write(struct kmm *k, unsigned int cpu,
					 vaddr_t va, const void *buf, size_t len,
					 bool user)
{
	return kmm_access(k, cpu, va, (void *)buf, len,
			  KMM_ACC_WRITE | (user ? KMM_ACC_USER : 0), NULL);
}
static inline enum kmm_outcome kmm_exec(struct kmm *k, unsigned int cpu,
					vaddr_t va, void *buf, size_t len,
					bool user)
{
	return kmm_access(k, cpu, va, buf, len,
			  KMM_ACC_EXEC | (user ? KMM_ACC_USER : 0), NULL);
}

/* The #PF handler on a CPU: KMM_OK when the access should be retried,
 * otherwise the outcome (r may be NULL).  acc is the faulting access. */
enum kmm_outcome do_page_fault(struct kmm *k, unsigned int cpu, vaddr_t address,
			       unsigned int error_code, unsigned int acc,
			       struct kmm_access_result *r);
/* mm/memory.c handle_mm_fault: VM_FAULT_* bits. */
int handle_mm_fault(struct kmm *k, struct mm_struct *mm,
		    struct vm_area_struct *vma, vaddr_t address,
		    unsigned int flags);

/* The user stack pointer of the task on a CPU (the "below %sp" check of
 * do_page_fault); 0 disables the check. */
void kmm_set_user_sp(struct kmm *k, unsigned int cpu, vaddr_t sp);
const struct fault_stats *kmm_fault_stats(const struct kmm *k);

#endif
