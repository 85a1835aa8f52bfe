#!/usr/bin/env python3
"""count_kmt.py [--replay|--slab|--mm] FILE — count the records of a
kmmfuzz trace file by kind, walking the record lengths as trace/FORMAT.md
describes (no kmmfuzz code).  --replay prints what a page-allocator replay
must report instead, as replay_expect.awk does for text:
  allocs frees free_unknown free_batched order_mismatch live_blocks
  live_pages max_live_pages
--slab what the slab replay must report, as slab_expect.awk does;
--mm what the process/syscall/fault replay must report, as mm_expect.awk
does, with the maps snapshot's anchors (trace/README.md): the process of a
snapshot knows its whole layout, so everything inside the rebasing windows
is replayed:
  execs forks exits syscall_records_replayed syscall_records_not_rebasable
  faults_replayed faults_not_rebasable records_of_processes_not_in_trace
  faults_on_kernel_addresses mappings_the_kernel_placed maps_replayed
  maps_not_rebasable"""
import struct
import sys


def records(data, hlen):
    pos = hlen
    while pos < len(data):
        rlen, rtype, flags, cpu, pid, tid = struct.unpack_from("<IHHIII", data, pos)
        yield rtype, flags, pid, tid, pos + 32
        pos += rlen


def kclass(n):
    for c in (8, 16, 32, 64, 96, 128, 192):
        if n <= c:
            return c
    c = 256
    while c < n:
        c *= 2
    return c


def slab(data, hlen):
    """kmalloc kfree kmem_cache_alloc kmem_cache_free free_of_null
    free_not_in_trace alloc_of_live_ptr class_agree class_differ live"""
    live, n = set(), [0] * 10
    for t, flags, pid, tid, p in records(data, hlen):
        if t in (1, 3):
            _, ptr, req, alloc, gfp = struct.unpack_from("<QQQQQ", data, p)
            if (ptr == 0 or flags & 0x20 or (t == 1 and req == 0) or gfp & 6 or
                    gfp & 0x18 == 0x18):
                continue
            if t == 1:
                n[7 if kclass(req) == alloc else 8] += 1
            n[6] += ptr in live
            live.add(ptr)
            n[0 if t == 1 else 2] += 1
        elif t in (2, 4):
            _, ptr = struct.unpack_from("<QQ", data, p)
            if ptr <= 16:
                n[4] += 1
            elif ptr not in live:
                n[5] += 1
            else:
                live.discard(ptr)
                n[1 if t == 2 else 3] += 1
    n[9] = len(live)
    return n


LOW, TOP = 0x600000000000, 1 << 47
SPAN = {"exe": 0x08050000 - 0x00400000, "brk": 0x40000000 - 0x08050000,
        "mmap": 0xb8000000 - 0x40000000, "stack": 0xc0000000 - 0xb8000000}


def rebasable(a, a_end, pr):
    """the windows of trace/README.md; pr: anchors of the process"""
    if a_end > TOP:
        return False
    if a < LOW:
        if pr["brk"] and a >= pr["brk"]:
            return a_end - pr["brk"] <= SPAN["brk"]
        e = pr["exe"]
        return bool(e) and a_end <= e and e - a <= SPAN["exe"]
    s, m = pr["stack"], pr["mmap"]
    if s and a_end <= s and s - a <= SPAN["stack"]:
        return True
    return bool(m) and a_end <= m and m - a <= SPAN["mmap"]


def mm(data, hlen):
    procs, tidp, pend = [], {}, {}
    n = dict(execs=0, forks=0, exits=0, sok=0, sbad=0, fok=0, fbad=0, unknown=0,
             kaddr=0, placed=0, maps=0, mapsbad=0)
    snap = []

    def flush():
        if not snap:
            return
        pid = snap[0][0]
        if pid not in tidp:
            procs.append(dict(exe=0, brk=0, mmap=0, stack=0))
            tidp[pid] = len(procs) - 1
        pr = procs[tidp[pid]]
        ents = [e for _, e in snap]
        for s, e, path in ents:
            if path == "[stack]":
                pr["stack"] = e
            elif path == "[heap]":
                pr["brk"] = s
        for s, e, path in ents:
            if path in ("[stack]", "[heap]") or e > TOP:
                continue
            if s >= LOW:
                if (not pr["stack"] or e + SPAN["stack"] <= pr["stack"]) and e > pr["mmap"]:
                    pr["mmap"] = e
            elif (not pr["brk"] or e <= pr["brk"]) and e > pr["exe"]:
                pr["exe"] = e
        for s, e, path in ents:
            if path == "[vsyscall]" or not rebasable(s, e, pr):
                n["mapsbad"] += 1
            else:
                n["maps"] += 1
        snap.clear()

    for t, flags, pid, tid, p in records(data, hlen):
        if t == 16:
            start, end = struct.unpack_from("<QQ", data, p)
            plen, = struct.unpack_from("<I", data, p + 44)
            path = data[p + 48:p + 48 + plen].decode()
            if snap and snap[0][0] != pid:
                flush()
            snap.append((pid, (start, end, path)))
            continue
        if t in (8, 9, 10, 11, 12, 13, 14):
            flush()
        if t == 14:
            procs.append(dict(exe=0, brk=0, mmap=0, stack=0))
            tidp[tid] = len(procs) - 1
            n["execs"] += 1
        elif t == 12:
            par, child, ctgid, cflags = struct.unpack_from("<IIII", data, p)
            if par not in tidp:
                n["unknown"] += 1
                continue
            if cflags & 1 and not cflags & 4:
                tidp[child] = tidp[par]
            else:
                procs.append(dict(procs[tidp[par]]))
                tidp[child] = len(procs) - 1
            n["forks"] += 1
        elif t == 13:
            if tid in tidp:
                n["exits"] += 1
                del tidp[tid]
            else:
                n["unknown"] += 1
        elif t in (8, 9):
            addr, = struct.unpack_from("<Q", data, p)
            if t == 9 and addr >= TOP:
                n["kaddr"] += 1
            elif tid not in tidp:
                n["unknown"] += 1
            elif rebasable(addr, addr + 1, procs[tidp[tid]]):
                n["fok"] += 1
            else:
                n["fbad"] += 1
        elif t == 10:
            nr, = struct.unpack_from("<I", data, p)
            pend[tid] = (nr, struct.unpack_from("<6Q", data, p + 8))
        elif t == 11:
            nr, _, ret = struct.unpack_from("<IIq", data, p)
            nr0, args = pend.pop(tid)
            if tid not in tidp:
                n["unknown"] += 2
                continue
            pr = procs[tidp[tid]]
            if nr == 4 and not pr["brk"]:
                pr["brk"] = ret            # the first brk gives start_brk
            ok = True
            if nr in (2, 3, 5):            # munmap, mprotect, mremap: the old range
                ok = rebasable(args[0], args[0] + max(args[1], 1), pr)
            n["sok" if ok else "sbad"] += 2
            if ok and ret >= 0 and ((nr == 1 and not args[3] & 0x10) or
                                    (nr == 5 and ret != args[0] and not args[3] & 2)):
                n["placed"] += 1
    flush()
    return [n[k] for k in ("execs", "forks", "exits", "sok", "sbad", "fok", "fbad", "unknown",
                           "kaddr", "placed", "maps", "mapsbad")]


NAMES = [None, "kmalloc", "kfree", "kmem_cache_alloc", "kmem_cache_free",
         "mm_page_alloc", "mm_page_free", "mm_page_free_batched",
         "page_fault_user", "page_fault_kernel", "sys_enter", "sys_exit",
         "fork", "exit", "exec", "lost", "maps", "task"]

mode = sys.argv[1] if len(sys.argv) > 2 else ""
replay = mode == "--replay"
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
if mode == "--slab":
    print(*slab(data, hlen))
    sys.exit(0)
if mode == "--mm":
    print(*mm(data, hlen))
    sys.exit(0)
if replay:
    print(r["allocs"], r["frees"], r["unknown"], r["batched"], r["mismatch"],
          len(live), r["pages"], r["maxpages"])
else:
    print(" ".join(str(counts.get(n, 0)) for n in NAMES[1:]))
