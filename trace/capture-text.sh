#!/usr/bin/env bash
# capture-text.sh — capture the events kmm-trace-import reads, as text, for
# one command and its children, with the standard tools:
#
#   trace/capture-text.sh [-o DIR] [-t] [-p] [--pipe] [--tgid] [--no-hash] -- COMMAND ARGS...
#
#   DIR/tracefs.txt     tracefs "trace" text, or "trace_pipe" with --pipe
#   DIR/trace-cmd.txt   trace-cmd report of the same buffer (-t; trace-cmd extract)
#   DIR/perf.txt        perf script of a separate run (-p; perf record)
#
# tracefs: events are filtered on the command's pid with set_event_pid and
# options/event-fork (children follow).  --tgid turns on record-tgid,
# --no-hash prints raw pointers (options/hash-ptr 0).  The tracefs state
# it changes is restored on exit.  Needs root and tracefs.
set -euo pipefail

out=.
tcmd=0
perf=0
tgid=0
nohash=0
pipe=0
while [ $# -gt 0 ]; do
	case "$1" in
	-o) out=$2; shift 2 ;;
	-t) tcmd=1; shift ;;
	-p) perf=1; shift ;;
	--tgid) tgid=1; shift ;;
	--pipe) pipe=1; shift ;;
	--no-hash) nohash=1; shift ;;
	--) shift; break ;;
	*) echo "usage: $0 [-o DIR] [-t] [-p] [--pipe] [--tgid] [--no-hash] -- COMMAND ARGS..." >&2; exit 2 ;;
	esac
done
[ $# -gt 0 ] || { echo "$0: no command" >&2; exit 2; }

T=/sys/kernel/tracing
[ -e $T/set_event ] || mount -t tracefs nodev $T 2>/dev/null || true
[ -e $T/set_event ] || { echo "$0: no tracefs at $T" >&2; exit 1; }
mkdir -p "$out"

EVENTS="kmem:kmalloc kmem:kfree kmem:kmem_cache_alloc kmem:kmem_cache_free
kmem:mm_page_alloc kmem:mm_page_free kmem:mm_page_free_batched kmem:rss_stat
exceptions:page_fault_user exceptions:page_fault_kernel
syscalls:sys_enter_mmap syscalls:sys_exit_mmap syscalls:sys_enter_munmap
syscalls:sys_exit_munmap syscalls:sys_enter_mprotect syscalls:sys_exit_mprotect
syscalls:sys_enter_brk syscalls:sys_exit_brk syscalls:sys_enter_mremap
syscalls:sys_exit_mremap sched:sched_process_fork sched:sched_process_exit
sched:sched_process_exec"

saved_events=$(cat $T/set_event)
saved_fork=$(cat $T/options/event-fork)
saved_tgid=$(cat $T/options/record-tgid)
saved_hash=$(cat $T/options/hash-ptr)
saved_on=$(cat $T/tracing_on)
restore() {
	echo 0 > $T/tracing_on
	echo > $T/set_event_pid
	echo "$saved_events" > $T/set_event
	echo "$saved_fork" > $T/options/event-fork
	echo "$saved_tgid" > $T/options/record-tgid
	echo "$saved_hash" > $T/options/hash-ptr
	echo "$saved_on" > $T/tracing_on
}
trap restore EXIT

echo 0 > $T/tracing_on
echo "$EVENTS" > $T/set_event
echo 1 > $T/options/event-fork
echo $tgid > $T/options/record-tgid
echo $((1 - nohash)) > $T/options/hash-ptr
echo > $T/trace
# the shell puts its own pid in the filter, then becomes the command
sh -c 'echo $$ > '$T'/set_event_pid; echo 1 > '$T'/tracing_on; exec "$@"' sh "$@"
echo 0 > $T/tracing_on
if [ $pipe = 1 ]; then
	# trace_pipe blocks when empty: read until it stays empty for a second
	timeout 1 cat $T/trace_pipe > "$out/tracefs.txt" || true
else
	cat $T/trace > "$out/tracefs.txt"
fi
echo "tracefs: $(grep -vc '^#' "$out/tracefs.txt") lines in $out/tracefs.txt" >&2
if [ $tcmd = 1 ]; then
	tmp=$(mktemp -d)
	trace-cmd extract -o "$tmp/trace.dat" >/dev/null 2>&1
	trace-cmd report -i "$tmp/trace.dat" > "$out/trace-cmd.txt" 2>/dev/null
	rm -rf "$tmp"
	echo "trace-cmd: $(wc -l < "$out/trace-cmd.txt") lines in $out/trace-cmd.txt" >&2
fi
if [ $perf = 1 ]; then
	pe=()
	for e in $EVENTS; do pe+=(-e "$e"); done
	perf record -q -o "$out/perf.data" "${pe[@]}" -- "$@" >/dev/null
	perf script -i "$out/perf.data" --header > "$out/perf.txt" 2>/dev/null
	rm -f "$out/perf.data"
	echo "perf: $(grep -vc '^#' "$out/perf.txt") lines in $out/perf.txt" >&2
fi
