/* oracle/oracle.h — the independent reference model of a simulated machine.
 *
 * The oracle shares no code with kmm/: it sees the machine only through the
 * public headers (the layout, struct zone's counters and free lists, struct
 * page's count and flags, page_to_pfn/page_address) and keeps its own model
 * of what every op must do:
 *  - frames: each frame is free, reserved at boot, or owned by exactly one
 *    live object (ownership is exclusive);
 *  - zones: sizes, watermarks, lowmem_reserve and pcp bounds recomputed from
 *    the 3.2 formulas (kernel-rules.md) and compared with the booted machine;
 *  - allocations: blocks aligned, inside one allowed zone (gfp_zone), and an
 *    allocation must succeed when the model knows a free block of the order
 *    exists above the watermark (and must fail when none can exist);
 *    fail_page_alloc injections are predicted from the fault_attr rules;
 *  - contents: bytes written through the simulator are remembered and
 *    checked before the block is freed; __GFP_ZERO blocks read as zero;
 *  - freeing everything restores the boot free lists.
 * A disagreement prints both views and goes to the report hook (the
 * executor adds the op and the program so far), then aborts.
 *
 * Objects are named by the caller's handle ids (0 .. ORACLE_MAX_OBJS-1); a
 * block split with split_page has one unit per page, others one unit.
 */
#ifndef KMM_ORACLE_H
#define KMM_ORACLE_H

#include "kmm/kmm.h"

#define ORACLE_MAX_OBJS 1024
#define ORACLE_MAX_SUBS 32              /* split_page: order <= 5 */

struct oracle;

/* Receives the disagreement report; when it returns, the oracle aborts. */
typedef void (*oracle_report_fn)(void *arg, const char *report);

/* Builds the model of a just-booted machine and checks the boot state
 * (watermarks, reserves, pcp sizes, free lists) against the 3.2 rules.
 * NULL with a message in err on a disagreement or lack of host memory. */
struct oracle *oracle_create(struct kmm *k, char *err, size_t errlen);
void oracle_destroy(struct oracle *o);
/* Back to the boot model; costs what the last run touched. */
void oracle_reset(struct oracle *o);
void oracle_set_report(struct oracle *o, oracle_report_fn fn, void *arg);
/* Formats a disagreement and reports it (never returns). */
_Noreturn void oracle_fail(struct oracle *o, const char *check,
			   const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- buddy allocator ---- */

/* What the model predicts for alloc_pages(gfp, order), computed before the
 * call.  inject: fail_page_alloc fires, NULL required; must_fail: no
 * allowed zone can pass even the most permissive watermark; must_succeed:
 * some zone passes for sure; min_zone: the first pass must succeed in this
 * zone or one above it in the zonelist (-1: no claim). */
struct oracle_alloc_pred {
	bool inject, must_fail, must_succeed;
	int min_zone;
	int high_zone;                  /* gfp_zone() */
	char why[160];                  /* the model's reasoning, for reports */
};
void oracle_alloc_predict(struct oracle *o, gfp_t gfp, unsigned int order,
			  struct oracle_alloc_pred *pr);
/* Checks the result against the prediction; on success the block becomes
 * object id with one reference. */
void oracle_alloc_result(struct oracle *o, const struct oracle_alloc_pred *pr,
			 unsigned int id, gfp_t gfp, unsigned int order,
			 struct page *page);
/* get_page on a unit. */
void oracle_get(struct oracle *o, unsigned int id, unsigned int sub);
/* Dropping one reference (__free_pages, free_pages, put_page): call before
 * (checks the contents when it is the last reference) and after the call. */
void oracle_put_before(struct oracle *o, unsigned int id, unsigned int sub);
void oracle_put_after(struct oracle *o, unsigned int id, unsigned int sub);
void oracle_split(struct oracle *o, unsigned int id);
/* Reference count of a unit as the model has it (0: gone). */
unsigned int oracle_refs(const struct oracle *o, unsigned int id,
			 unsigned int sub);
struct page *oracle_unit_page(struct oracle *o, unsigned int id,
			      unsigned int sub);

void oracle_set_cpu(struct oracle *o, unsigned int cpu);
void oracle_drained_local(struct oracle *o);
void oracle_drained_all(struct oracle *o);
/* fail_page_alloc was set to this (calls and failures restart at 0). */
void oracle_fail_page_alloc(struct oracle *o, const struct kmm_fault_attr *a);

/* ---- contents ---- */
/* Writes len bytes of pattern(seed) at off of page pg of a unit through
 * the simulator, and remembers them. */
void oracle_write(struct oracle *o, unsigned int id, unsigned int sub,
		  unsigned int pg, unsigned int off, unsigned int len,
		  uint8_t seed);
/* Checks every remembered byte of a unit. */
void oracle_verify(struct oracle *o, unsigned int id, unsigned int sub);

/* ---- frames held by other subsystems (slab pages, page tables) ----
 * After an op of another subsystem, oracle_sync_frames re-learns which
 * frames the buddy allocator handed out or took back behind the model:
 * the frames named by the machine's page events (mm_page_alloc and
 * mm_page_free, kmm_set_page_hook) since the last settle are compared
 * with the model.  oracle_sync_all compares every frame of the zones
 * whose counters moved with the free lists and pcp lists instead, so it
 * also sees frames that changed state without an event.  After the
 * model's own ops, oracle_frames_settled drops the events and records
 * the counters. */
void oracle_sync_frames(struct oracle *o);
void oracle_sync_all(struct oracle *o);
void oracle_frames_settled(struct oracle *o);

/* ---- slab objects ---- */
/* failslab (the kernel's fault_attr rules) for one slab allocation. */
void oracle_slab_predict(struct oracle *o, gfp_t gfp, struct oracle_alloc_pred *pr);
void oracle_failslab(struct oracle *o, const struct kmm_fault_attr *a);
/* The result of kmalloc/kmem_cache_alloc (0: NULL).  Checks: lowmem
 * address inside frames the slab (or kmalloc_large) took, aligned to
 * align (at least 8), no overlap with a live object, zeroed when asked,
 * ksize (the usable size) at least size, and for kmalloc exactly the
 * kernel's size class; then writes a pattern at both ends. */
void oracle_obj_result(struct oracle *o, const struct oracle_alloc_pred *pr,
		       unsigned int id, vaddr_t va, unsigned int size,
		       unsigned int align, bool zeroed, bool kmalloc,
		       size_t ksize);
/* Before kfree/kmem_cache_free: the pattern is intact. */
void oracle_obj_free(struct oracle *o, unsigned int id);
vaddr_t oracle_obj_va(const struct oracle *o, unsigned int id);
/* ksize() of a live object, checked as at its allocation. */
void oracle_obj_ksize(struct oracle *o, unsigned int id, bool kmalloc,
		      size_t ksize);

/* kmalloc_array/kcalloc(n, size) returned va: NULL when n * size
 * overflows the 32-bit size_t or passes KMALLOC_MAX_SIZE (nothing is
 * allocated then: no failslab call, no pages). */
void oracle_kmalloc_array(struct oracle *o, uint32_t n, uint32_t size,
			  vaddr_t va);
/* Before krealloc(object id, new_size, gfp): its end bytes are intact;
 * true when the kernel keeps the object in place (its usable size holds
 * new_size: no allocation, no failslab call), else pr predicts the
 * kmalloc. */
bool oracle_krealloc_predict(struct oracle *o, unsigned int id,
			     unsigned int new_size, gfp_t gfp,
			     struct oracle_alloc_pred *pr);
/* krealloc returned va (0: NULL, the old object stays live): in place
 * exactly when predicted, the old bytes kept up to min(old, new) size,
 * then object new_id as oracle_obj_result (usable size: the old one's in
 * place, the size class otherwise); the old object is gone. */
void oracle_krealloc_result(struct oracle *o, const struct oracle_alloc_pred *pr,
			    unsigned int id, unsigned int new_id, vaddr_t va,
			    unsigned int new_size, size_t ksize);

/* ---- processes and user memory (user.c) ---- */
struct kmm_access_result;
/* exec (parent -1) or fork of parent; ok false when it returned NULL. */
void oracle_mm_new(struct oracle *o, unsigned int id, int parent, bool ok);
void oracle_mm_gone(struct oracle *o, unsigned int id);
/* mmap(anonymous, private) of npages returned ret (address or -errno). */
void oracle_mmap(struct oracle *o, unsigned int id, long ret,
		 unsigned int npages, unsigned int prot);
void oracle_munmap(struct oracle *o, unsigned int id, vaddr_t va,
		   unsigned int npages, int ret);
void oracle_mprotect(struct oracle *o, unsigned int id, vaddr_t va,
		     unsigned int npages, unsigned int prot, int ret);
/* A user access of len bytes at va by process id: a write of the bytes
 * oracle_user_pattern(seed, i), or a read that returned data. */
void oracle_user_access(struct oracle *o, unsigned int id, vaddr_t va,
			unsigned int len, bool write, uint8_t seed,
			const uint8_t *data, const struct kmm_access_result *r);
uint8_t oracle_user_pattern(uint8_t seed, uint32_t i);
/* An instruction fetch of len bytes at va (data: what it fetched): a page
 * needs PROT_EXEC where NX exists (PAE), any access right otherwise. */
void oracle_user_exec(struct oracle *o, unsigned int id, vaddr_t va,
		      unsigned int len, const uint8_t *data,
		      const struct kmm_access_result *r);
/* sys_brk(req) returned ret; old: the process's break before the call. */
void oracle_sys_brk(struct oracle *o, unsigned int id, vaddr_t old,
		    vaddr_t req, vaddr_t ret);
/* mremap(va, old_pages, new_pages, maymove ? MREMAP_MAYMOVE : 0) = ret. */
void oracle_mremap(struct oracle *o, unsigned int id, vaddr_t va,
		   unsigned int old_pages, unsigned int new_pages, bool maymove,
		   long ret);

/* ---- files and file mappings (file.c, user.c) ----
 * A file is named by its handle id (as processes are).  The model keeps
 * each file's bytes as its page cache holds them, which is also what the
 * disk gives a page read in (no writeback: a dirty page stays cached). */
uint8_t oracle_file_pattern(uint8_t seed, uint32_t i);
/* kmm_file_create(size, bytes oracle_file_pattern(seed, i)) */
void oracle_file_create(struct oracle *o, unsigned int fid, uint32_t size,
			uint8_t seed);
/* kmm_file_truncate(size) returned ret. */
void oracle_file_truncate(struct oracle *o, unsigned int fid, uint32_t size,
			  int ret);
/* kmm_file_read(off, len) returned ret bytes, data. */
void oracle_file_read(struct oracle *o, unsigned int fid, uint32_t off,
		      unsigned int len, const uint8_t *data, size_t ret);
/* mmap(file fid from page pgoff, npages, MAP_SHARED or MAP_PRIVATE) in
 * process id returned ret (address or -errno). */
void oracle_mmap_file(struct oracle *o, unsigned int id, unsigned int fid,
		      long ret, unsigned int npages, unsigned int prot,
		      bool shared, unsigned int pgoff);

/* ---- ioremap (iomem.c) ---- */
/* The fuzz device's memory: it starts zeroed; bytes written stay. */
#define ORACLE_IODEV_BASE 0xfebf0000u
#define ORACLE_IODEV_PAGES 8u
/* ioremap(phys, npages pages) returned va (0: failed). */
void oracle_ioremap(struct oracle *o, unsigned int id, phys_addr_t phys,
		    unsigned int npages, vaddr_t va);
/* Before iounmap. */
void oracle_iounmap(struct oracle *o, unsigned int id);

/* ---- kernel mappings (kernel.c) ---- */
enum oracle_kmap_kind { KMAP_PKMAP, KMAP_ATOMIC, KMAP_LOCAL };
/* A kmap of a unit returned va: its range, kmap_to_page, and bytes both
 * ways between the mapping and the frame (16 are written through it). */
void oracle_kmap(struct oracle *o, unsigned int id, unsigned int sub,
		 vaddr_t va, enum oracle_kmap_kind kind);
/* vmalloc/vzalloc of size returned va (0: NULL); after the frame sync. */
void oracle_vmalloc(struct oracle *o, unsigned int id, vaddr_t va,
		    unsigned int size, bool zeroed);
/* vmalloc_32, vmalloc_user, vmalloc_32_user (how: ORACLE_VM_* bits) of
 * size returned va: as oracle_vmalloc, plus every page in lowmem (the
 * 32-bit variants allocate GFP_KERNEL pages on i386, never highmem) and
 * VM_USERMAP on the area with zeroed pages (the user variants). */
enum { ORACLE_VM_LOWMEM = 1, ORACLE_VM_USER = 2 };
void oracle_vmalloc_how(struct oracle *o, unsigned int id, vaddr_t va,
			unsigned int size, unsigned int how);
/* Before vfree: the area's bytes and frames. */
void oracle_vfree(struct oracle *o, unsigned int id);
/* vmap of the 2^order pages of unit (page, sub) returned va (0: none). */
void oracle_vmap(struct oracle *o, unsigned int id, unsigned int page,
		 unsigned int sub, unsigned int order, vaddr_t va);
void oracle_vunmap(struct oracle *o, unsigned int id);
/* A kernel access of len bytes at byte off of object id (unit sub of a
 * block, a slab object or a vmalloc area) through kernel address va: a
 * write of oracle_kernel_pattern(seed, off + i), or a read of data. */
void oracle_kernel_access(struct oracle *o, unsigned int id, unsigned int sub,
			  unsigned int off, unsigned int len, vaddr_t va,
			  bool write, uint8_t seed, const uint8_t *data,
			  const struct kmm_access_result *r);
uint8_t oracle_kernel_pattern(uint8_t seed, uint32_t i);
/* probe_kernel_read at va inside the guard page of area id: -EFAULT. */
void oracle_probe_guard(struct oracle *o, unsigned int id, vaddr_t va,
			unsigned int len, const struct kmm_access_result *r);
/* oracle_write, but through a kernel mapping va of the unit's first page */
void oracle_write_through(struct oracle *o, unsigned int id, unsigned int sub,
			  unsigned int pg, unsigned int off, unsigned int len,
			  uint8_t seed, vaddr_t va);

/* ---- sweeps ---- */
/* After every op: counters agree with the model (cheap). */
void oracle_step(struct oracle *o);
/* Everything freed and drained: the free lists are the boot free lists.
 * kernel_tables: vmalloc ran, so kernel page tables it allocated stay (as
 * in the kernel); then only the exact free counts are checked. */
void oracle_check_restored(struct oracle *o, bool kernel_tables);

/* The model's numbers, for tests and reports. */
struct oracle_zone_info {
	unsigned long start, end, present;
	unsigned long wmark[3];
	unsigned long reserve[MAX_NR_ZONES];
	unsigned long pcp_bound;        /* pages all pcp lists can hold */
	long free;                      /* frames the model has free */
};
void oracle_zone_info(const struct oracle *o, int zone,
		      struct oracle_zone_info *zi);
unsigned long oracle_min_free_kbytes(const struct oracle *o);

#endif
