#!/usr/bin/awk -f
# mm_expect.awk FILE — what the process/syscall/fault replay of a tracefs,
# trace-cmd or perf text capture (no /proc/PID/maps snapshot) must report,
# computed from the text alone with the rules of trace/README.md:
#   execs forks_replayed exits_replayed
#   syscall_records_replayed syscall_records_mapped_before_capture
#   faults_replayed faults_mapped_before_capture
#   records_of_processes_not_in_trace faults_on_kernel_addresses
#   mappings_the_kernel_placed
# A process is in the trace from its exec on (a forked child of one is
# too).  Without a snapshot the replay knows the ranges mapped after the
# exec: mmap and mremap results, the heap from the first brk result, and
# the stack (an address 128 MiB or more above the top of the mmap area,
# which is the end of the first mapping in the upper half).  A munmap,
# mprotect or mremap of a range not covered by them, or a fault outside
# them, touches a mapping made before the capture.  A fault or mapping the
# kernel placed in a process that exited normally was resolved, so all
# replayed ones must agree.
function field(name,    i) {
	for (i = 1; i <= NF; i++)
		if (index($i, name "=") == 1)
			return substr($i, length(name) + 2)
	return ""
}
function arg(name,    s) {      # "name: value" of a syscall line
	if (!match($0, "[(, ]" name ": [0-9a-fx]+")) return ""
	s = substr($0, RSTART + 1, RLENGTH - 1)
	sub(/^[a-z_]+: /, "", s)
	return s
}
function hex(s,    i, c, v) {
	s = tolower(s); sub(/^0x/, "", s); v = 0
	for (i = 1; i <= length(s); i++) {
		c = index("0123456789abcdef", substr(s, i, 1)) - 1
		if (c < 0) return -1
		v = v * 16 + c
	}
	return v
}
function num(s) { return s ~ /^0x/ ? hex(s) : s + 0 }
function pageup(x) { return int((x + 4095) / 4096) * 4096 }
function tid_of(    t) {
	if (match($0, /-[0-9]+ +(\( *[0-9-]+\) +)?\[[0-9]+\]/)) {      # comm-TID [cpu]
		t = substr($0, RSTART + 1); sub(/[^0-9].*/, "", t); return t
	}
	if (match($0, / [0-9]+ +\[[0-9]+\]/)) {                         # perf: comm TID [cpu]
		t = substr($0, RSTART + 1); sub(/ .*/, "", t); return t
	}
	return ""
}
function addrange(p, s, e) { n = nr[p]++; rs[p, n] = s; re[p, n] = e }
# is [a, e) inside the union of the process's ranges?
function covered(p, a, e,    cur, moved, i) {
	cur = a
	while (cur < e) {
		moved = 0
		for (i = 0; i < nr[p]; i++)
			if (rs[p, i] <= cur && cur < re[p, i]) { cur = re[p, i]; moved = 1 }
		if (!moved) return 0
	}
	return 1
}
# the stack: 128 MiB or more above the mmap area (anchored on first use)
function stack(p, a) {
	if (!stop[p] && mtop[p] && a >= mtop[p] + 134217728)
		stop[p] = (int((a + 1 + 1048575) / 1048576) + 1) * 1048576
	return stop[p] && a < stop[p] && a >= stop[p] - 134217728
}
function anchor(p, a, e) {      # a mapping the kernel made anchors the mmap area
	if (a >= 105553116266496 && !mtop[p]) mtop[p] = pageup(e)       # 0x600000000000
}
function newproc(tid) { procs++; tidp[tid] = procs; return procs }
/[ :]sched_process_exec: / { newproc(tid_of()); execs++; next }
/[ :]sched_process_fork: / {
	par = field("pid"); ch = field("child_pid")
	if (!(par in tidp)) { unknown++; next }
	pp = tidp[par]; c = newproc(ch)
	mtop[c] = mtop[pp]; stop[c] = stop[pp]; brk0[c] = brk0[pp]; nr[c] = 0
	for (i = 0; i < nr[pp]; i++) addrange(c, rs[pp, i], re[pp, i])
	forks++; next
}
/[ :]sched_process_exit: / {
	t = tid_of()
	if (t in tidp) { exits++; delete tidp[t] } else unknown++
	next
}
/[ :]page_fault_(user|kernel): / {
	t = tid_of(); a = hex(field("address"))
	if ($0 ~ /page_fault_kernel/ && a >= 140737488355328) { kaddr++; next }    # 2^47
	if (!(t in tidp)) { unknown++; next }
	p = tidp[t]
	if (stack(p, a) || covered(p, a, a + 1)) fok++; else fpre++
	next
}
/[ :]sys_enter_(mmap|munmap|mprotect|brk|mremap): / || / sys_(mmap|munmap|mprotect|brk|mremap)\(/ {
	t = tid_of(); pend[t] = $0; next
}
/[ :]sys_exit_(mmap|munmap|mprotect|brk|mremap): / || / sys_(mmap|munmap|mprotect|brk|mremap) -> / {
	t = tid_of(); ret = hex($NF); line = $0
	if (!(t in tidp)) { unknown += 2; next }
	p = tidp[t]
	$0 = pend[t]; delete pend[t]
	if ($0 ~ /mmap[(:]/ && $0 !~ /mremap/) {
		len = num(arg("len")); fl = num(arg("flags"))
		anchor(p, ret, ret + len); addrange(p, ret, ret + pageup(len)); sok += 2
		if (int(fl / 16) % 2 == 0) placed++                            # not MAP_FIXED
	} else if ($0 ~ /munmap/) {
		a = num(arg("addr")); len = num(arg("len"))
		if (covered(p, a, a + len)) sok += 2; else spre += 2
	} else if ($0 ~ /mprotect/) {
		a = num(arg("start")); len = num(arg("len"))
		if (covered(p, a, a + len)) sok += 2; else spre += 2
	} else if ($0 ~ /mremap/) {
		a = num(arg("addr")); ol = num(arg("old_len")); nl = num(arg("new_len"))
		fl = num(arg("flags"))
		if (!covered(p, a, a + ol)) { spre += 2; next }
		addrange(p, ret, ret + pageup(nl)); sok += 2
		if (ret != a && int(fl / 2) % 2 == 0) placed++                 # moved, not MREMAP_FIXED
	} else {                                                         # brk
		if (!brk0[p] && num(arg("brk")) != 0) { spre += 2; next }   # not rebasable: start unknown
		if (!brk0[p]) brk0[p] = ret
		if (ret > brk0[p]) addrange(p, brk0[p], pageup(ret))
		sok += 2
	}
	next
}
END {
	printf "%d %d %d %d %d %d %d %d %d %d\n", execs, forks, exits, sok, spre, fok, fpre, unknown, kaddr, placed
}
