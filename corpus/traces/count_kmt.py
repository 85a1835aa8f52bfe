#!/usr/bin/env python3
"""count_kmt.py FILE — count the records of a kmmfuzz trace file by kind,
walking the record lengths as trace/FORMAT.md describes (no kmmfuzz code)."""
import struct
import sys

NAMES = [None, "kmalloc", "kfree", "kmem_cache_alloc", "kmem_cache_free",
         "mm_page_alloc", "mm_page_free", "mm_page_free_batched",
         "page_fault_user", "page_fault_kernel", "sys_enter", "sys_exit",
         "fork", "exit", "exec", "lost", "maps", "task"]

data = open(sys.argv[1], "rb").read()
assert data[:8] == b"KMMTRACE", "bad magic"
hlen, = struct.unpack_from("<I", data, 12)
count, = struct.unpack_from("<Q", data, 96)
pos, counts = hlen, {}
while pos < len(data):
    rlen, rtype = struct.unpack_from("<IH", data, pos)
    counts[NAMES[rtype]] = counts.get(NAMES[rtype], 0) + 1
    pos += rlen
assert pos == len(data) and sum(counts.values()) == count
print(" ".join(str(counts.get(n, 0)) for n in NAMES[1:]))
