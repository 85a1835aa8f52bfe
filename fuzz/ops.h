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

#endif
