#!/bin/sh
# count.sh FILE — count the events of a text capture with grep alone (no
# kmmfuzz code), in the order the importer test lists them:
#   kmalloc kfree kmem_cache_alloc kmem_cache_free mm_page_alloc mm_page_free
#   mm_page_free_batched page_fault_user page_fault_kernel sys_enter sys_exit
#   fork exit exec other
# tracefs/trace-cmd lines name the event as " name: " (tracefs syscalls as
# " sys_mmap(" and " sys_mmap -> "); perf lines as " subsys:name: ".
f=$1
c() { grep -cE "$1" "$f" || true; }
S='(mmap|munmap|mprotect|brk|mremap)'
printf '%s ' \
  "$(c '[ :]kmalloc: ')" "$(c '[ :]kfree: ')" "$(c '[ :]kmem_cache_alloc: ')" \
  "$(c '[ :]kmem_cache_free: ')" "$(c '[ :]mm_page_alloc: ')" "$(c '[ :]mm_page_free: ')" \
  "$(c '[ :]mm_page_free_batched: ')" "$(c '[ :]page_fault_user: ')" \
  "$(c '[ :]page_fault_kernel: ')" \
  "$(( $(c "[ :]sys_enter_$S: ") + $(c " sys_$S\\(") ))" \
  "$(( $(c "[ :]sys_exit_$S: ") + $(c " sys_$S -> ") ))" \
  "$(c '[ :]sched_process_fork: ')" "$(c '[ :]sched_process_exit: ')" \
  "$(c '[ :]sched_process_exec: ')" "$(c '[ :]rss_stat: ')"
echo
