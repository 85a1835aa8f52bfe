/* fuzz/ops.h — the exec functions the op table points to. */
#ifndef KMM_FUZZ_OPS_H
#define KMM_FUZZ_OPS_H

#include "exec.h"

/* core (ops_core.c) */
void ex_set_cpu(struct opl_exec *x, const struct opl_inst *in);
void ex_fail_page_alloc(struct opl_exec *x, const struct opl_inst *in);
void ex_kmm_check(struct opl_exec *x, const struct opl_inst *in);

/* buddy allocator (ops_buddy.c) */
void ex_alloc_pages(struct opl_exec *x, const struct opl_inst *in);
void ex_get_free_pages(struct opl_exec *x, const struct opl_inst *in);
void ex_get_zeroed_page(struct opl_exec *x, const struct opl_inst *in);
void ex_free_pages_page(struct opl_exec *x, const struct opl_inst *in);
void ex_free_pages_addr(struct opl_exec *x, const struct opl_inst *in);
void ex_get_page(struct opl_exec *x, const struct opl_inst *in);
void ex_put_page(struct opl_exec *x, const struct opl_inst *in);
void ex_split_page(struct opl_exec *x, const struct opl_inst *in);
void ex_drain_local(struct opl_exec *x, const struct opl_inst *in);
void ex_drain_all(struct opl_exec *x, const struct opl_inst *in);
void ex_write(struct opl_exec *x, const struct opl_inst *in);
void ex_verify(struct opl_exec *x, const struct opl_inst *in);
/* Frees every live unit of handle h (the executor's teardown). */
void buddy_teardown(struct opl_exec *x, unsigned int h);

/* slab allocator (ops_slab.c) */
void ex_kmalloc(struct opl_exec *x, const struct opl_inst *in);
void ex_kzalloc(struct opl_exec *x, const struct opl_inst *in);
void ex_kfree(struct opl_exec *x, const struct opl_inst *in);
void ex_ksize(struct opl_exec *x, const struct opl_inst *in);
void ex_cache_create(struct opl_exec *x, const struct opl_inst *in);
void ex_cache_destroy(struct opl_exec *x, const struct opl_inst *in);
void ex_cache_shrink(struct opl_exec *x, const struct opl_inst *in);
void ex_cache_alloc(struct opl_exec *x, const struct opl_inst *in);
void ex_cache_zalloc(struct opl_exec *x, const struct opl_inst *in);
void ex_cache_free(struct opl_exec *x, const struct opl_inst *in);
void ex_failslab(struct opl_exec *x, const struct opl_inst *in);
void ex_kmalloc_array(struct opl_exec *x, const struct opl_inst *in);
void ex_kcalloc(struct opl_exec *x, const struct opl_inst *in);
void ex_krealloc(struct opl_exec *x, const struct opl_inst *in);
void obj_teardown(struct opl_exec *x, unsigned int h);
void cache_teardown(struct opl_exec *x, unsigned int h);
/* processes and user memory (ops_mm.c) */
void ex_mm_exec(struct opl_exec *x, const struct opl_inst *in);
void ex_dup_mm(struct opl_exec *x, const struct opl_inst *in);
void ex_mmput(struct opl_exec *x, const struct opl_inst *in);
void ex_mmap(struct opl_exec *x, const struct opl_inst *in);
void ex_munmap(struct opl_exec *x, const struct opl_inst *in);
void ex_mprotect(struct opl_exec *x, const struct opl_inst *in);
void ex_user_write(struct opl_exec *x, const struct opl_inst *in);
void ex_user_read(struct opl_exec *x, const struct opl_inst *in);
void ex_flush_tlb_all(struct opl_exec *x, const struct opl_inst *in);
void ex_sys_brk(struct opl_exec *x, const struct opl_inst *in);
void ex_mremap(struct opl_exec *x, const struct opl_inst *in);
void ex_user_exec(struct opl_exec *x, const struct opl_inst *in);
void ex_flush_tlb_mm(struct opl_exec *x, const struct opl_inst *in);
void ex_flush_tlb_page(struct opl_exec *x, const struct opl_inst *in);
void ex_flush_tlb_one(struct opl_exec *x, const struct opl_inst *in);
void ex_switch_mm(struct opl_exec *x, const struct opl_inst *in);
void mm_teardown(struct opl_exec *x, unsigned int h);
void vma_teardown(struct opl_exec *x, unsigned int h);

/* files and their mappings (ops_file.c) */
void ex_file_create(struct opl_exec *x, const struct opl_inst *in);
void ex_mmap_file(struct opl_exec *x, const struct opl_inst *in);
void ex_file_truncate(struct opl_exec *x, const struct opl_inst *in);
void ex_file_read(struct opl_exec *x, const struct opl_inst *in);
void ex_file_put(struct opl_exec *x, const struct opl_inst *in);
void file_teardown(struct opl_exec *x, unsigned int h);

/* kernel mappings (ops_kvm.c) */
void ex_kmap(struct opl_exec *x, const struct opl_inst *in);
void ex_kunmap(struct opl_exec *x, const struct opl_inst *in);
void ex_kmap_atomic(struct opl_exec *x, const struct opl_inst *in);
void ex_kmap_local(struct opl_exec *x, const struct opl_inst *in);
void ex_vmalloc(struct opl_exec *x, const struct opl_inst *in);
void ex_vzalloc(struct opl_exec *x, const struct opl_inst *in);
void ex_vfree(struct opl_exec *x, const struct opl_inst *in);
void ex_vmalloc_32(struct opl_exec *x, const struct opl_inst *in);
void ex_vmalloc_user(struct opl_exec *x, const struct opl_inst *in);
void ex_vmalloc_32_user(struct opl_exec *x, const struct opl_inst *in);
void ex_vm_unmap_aliases(struct opl_exec *x, const struct opl_inst *in);
void ex_vmap(struct opl_exec *x, const struct opl_inst *in);
void ex_vunmap(struct opl_exec *x, const struct opl_inst *in);
void ex_probe_kernel_read(struct opl_exec *x, const struct opl_inst *in);
void ex_kernel_read(struct opl_exec *x, const struct opl_inst *in);
void ex_kernel_write(struct opl_exec *x, const struct opl_inst *in);
void kmap_teardown(struct opl_exec *x, unsigned int h);
void vmap_teardown(struct opl_exec *x, unsigned int h);
void varea_teardown(struct opl_exec *x, unsigned int h);
void ex_ioremap(struct opl_exec *x, const struct opl_inst *in);
void ex_iounmap(struct opl_exec *x, const struct opl_inst *in);
void ioremap_teardown(struct opl_exec *x, unsigned int h);

/* End of a run that used the slab: shrink every cache, so the slab gives
 * back every frame it took during the run. */
void slab_quiesce(struct opl_exec *x);

#endif
