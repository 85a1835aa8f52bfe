#!/usr/bin/env python3
"""count_kmt.py [--replay] FILE — count the records of a kmmfuzz trace file
by kind, walking the record lengths as trace/FORMAT.md describes (no kmmfuzz
code).  --replay prints what a page-allocator replay must report instead,
as replay_expect.awk does for text:
  allocs frees free_unknown free_batched order_mismatch live_blocks
  live_pages max_live_pages"""
import struct
import sys

NAMES = [None, "kmalloc", "kfree", "kmem_cache_alloc", "kmem_cache_free",
         "mm_page_alloc", "mm_page_free", "mm_page_free_batched",
         "page_fault_user", "page_fault_kernel", "sys_enter", "sys_exit",
         "fork", "exit", "exec", "lost", "maps", "task"]

replay = sys.argv[1] == "--replay"
data = open(sys.argv[-1], "rb").read()
assert data[:8] == b"KMMTRACE", "bad magic"
hlen, = struct.unpack_from("<I", data, 12)
count, = struct.unpack_from("<Q", data, 96)
pos, counts = hlen, {}
live, r = {}, dict(allocs=0, frees=0, unknown=0, batched=0, mismatch=0,
                   pages=0, maxpages=0)
while pos < len(data):
    rlen, rtype, flags = struct.unpack_from("<IHH", data, pos)
    counts[NAMES[rtype]] = counts.get(NAMES[rtype], 0) + 1
    if rtype == 5 and not flags & 0x20:          # mm_page_alloc, not FAILED
        pfn, _, order = struct.unpack_from("<QQI", data, pos + 32)
        if pfn in live:
            r["pages"] -= 1 << live.pop(pfn)
        live[pfn] = order
        r["allocs"] += 1
        r["pages"] += 1 << order
        r["maxpages"] = max(r["maxpages"], r["pages"])
    elif rtype == 6:                              # mm_page_free
        pfn, order = struct.unpack_from("<QI", data, pos + 32)
        if pfn in live:
            r["mismatch"] += live[pfn] != order
            r["frees"] += 1
            r["pages"] -= 1 << live.pop(pfn)
        else:
            r["unknown"] += 1
    elif rtype == 7:
        r["batched"] += 1
    pos += rlen
assert pos == len(data) and sum(counts.values()) == count
if replay:
    print(r["allocs"], r["frees"], r["unknown"], r["batched"], r["mismatch"],
          len(live), r["pages"], r["maxpages"])
else:
    print(" ".join(str(counts.get(n, 0)) for n in NAMES[1:]))
