#!/usr/bin/awk -f
# replay_expect.awk FILE — what a page-allocator replay of a tracefs,
# trace-cmd or perf text capture must report, computed from the text alone:
#   allocs frees free_unknown free_batched order_mismatch live_blocks
#   live_pages max_live_pages
# An allocation maps its pfn to a live block; a free of a live pfn frees
# it, any other free is unknown (allocated before the capture or by a task
# outside the filter); mm_page_free_batched repeats an mm_page_free.
function field(name,    i, n, kv) {
	for (i = 1; i <= NF; i++)
		if (index($i, name "=") == 1)
			return substr($i, length(name) + 2)
	return ""
}
/[ :]mm_page_alloc: / {
	page = field("page"); pfn = field("pfn"); order = field("order") + 0
	if (page ~ /^(0+|\(null\)|\(nil\))$/) next
	if (pfn in live) { livepages -= 2 ^ live[pfn]; delete live[pfn] }
	live[pfn] = order; allocs++; livepages += 2 ^ order
	if (livepages > maxpages) maxpages = livepages
}
/[ :]mm_page_free: / {
	pfn = field("pfn"); order = field("order") + 0
	if (pfn in live) {
		if (live[pfn] != order) mismatch++
		frees++; livepages -= 2 ^ live[pfn]; delete live[pfn]
	} else unknown++
}
/[ :]mm_page_free_batched: / { batched++ }
END {
	n = 0; for (p in live) n++
	printf "%d %d %d %d %d %d %d %d\n", allocs, frees, unknown, batched, mismatch, n, livepages, maxpages
}
