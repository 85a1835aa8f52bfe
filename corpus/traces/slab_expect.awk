#!/usr/bin/awk -f
# slab_expect.awk FILE — what a slab replay of a tracefs, trace-cmd or perf
# text capture must report, computed from the text alone:
#   kmalloc kfree kmem_cache_alloc kmem_cache_free (replayed)
#   free_of_null free_not_in_trace alloc_of_live_ptr
#   class_agree class_differ live_at_end
# Allocations the kernel failed, kmalloc(0), and gfp masks without a
# lowmem zone or with two mobility types are not replayed.
# A pointer allocated by kmalloc or kmem_cache_alloc is live until a kfree
# or kmem_cache_free of it; a free of a NULL (or ZERO_SIZE_PTR) pointer is
# free_of_null, of any other pointer not live free_not_in_trace.  The size
# class is the kernel's for a 4 KiB-page machine with KMALLOC_MIN_SIZE 8
# (x86_64 and i386 alike): 8, 16, 32, 64, 96, 128, 192, then powers of
# two to 8 KiB, then whole pages (a power of two of at least 4 KiB).
function field(name,    i) {
	for (i = 1; i <= NF; i++)
		if (index($i, name "=") == 1)
			return substr($i, length(name) + 2)
	return ""
}
function class(n,    c) {
	if (n <= 8) return 8
	if (n <= 16) return 16
	if (n <= 32) return 32
	if (n <= 64) return 64
	if (n <= 96) return 96
	if (n <= 128) return 128
	if (n <= 192) return 192
	for (c = 256; c < n; c *= 2)
		;
	return c
}
function isnull(p) {
	return p ~ /^(0x)?0+$/ || p == "(null)" || p == "(nil)" || p ~ /^(0x)?0*10$/
}
/[ :]kmalloc: / || /[ :]kmem_cache_alloc: / {
	km = $0 ~ /[ :]kmalloc: /
	p = field("ptr"); req = field("bytes_req") + 0; al = field("bytes_alloc") + 0
	if (p ~ /^(0x)?0+$/ || p == "(null)" || p == "(nil)") next      # failed
	if (km && req == 0) next                                        # kmalloc(0)
	g = field("gfp_flags")                                          # no zone for slab
	if (g ~ /HIGHMEM|DMA32/ || (g ~ /MOVABLE/ && g ~ /RECLAIMABLE/)) next
	if (km) { if (class(req) == al) agree++; else differ++ }
	if (p in live) relive++
	live[p] = 1
	if (km) nkmalloc++; else ncache++
}
/[ :]kfree: / || /[ :]kmem_cache_free: / {
	kf = $0 ~ /[ :]kfree: /
	p = field("ptr")
	if (isnull(p)) { null++; next }
	if (!(p in live)) { unknown++; next }
	delete live[p]
	if (kf) nkfree++; else ncfree++
}
END {
	n = 0; for (p in live) n++
	printf "%d %d %d %d %d %d %d %d %d %d\n", nkmalloc, nkfree, ncache, ncfree, null, unknown, relive, agree, differ, n
}
