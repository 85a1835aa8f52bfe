#!/usr/bin/env bash
# bench_trace.sh [BUILD_DIR] — the trace pipeline's numbers:
#   1. kmm-replay throughput (events/s) on each committed trace, replayed
#      many times on a reset tiny machine: every part (pages, slab,
#      processes/syscalls/faults) and the page allocator alone; without the
#      oracle programs and periodic sweeps, which run once per trace, not
#      per replay;
#   2. kmmtrace's capture overhead: kmm-trace-workload's own run time
#      (--time, tracer start-up excluded) without and with kmmtrace
#      attached, alternating runs in one invocation, medians compared.
#      Needs root and a built kmmtrace; skipped otherwise.
# BUILD_DIR defaults to build/release (make bench builds it).
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build/release}
T=$B/trace
[ -x "$T/kmm-replay" ] || { echo "bench_trace: build $B first (make bench)" >&2; exit 1; }

echo "replay throughput (kmm-replay --repeat 200 --no-oracle --check-every 0, tiny machine):"
rate() { "$T/kmm-replay" --repeat 200 --no-oracle --check-every 0 "$@" 2>&1 >/dev/null |
	sed -n 's/.*: \([0-9]*\) events\/s$/\1/p'; }
printf '  %-28s %14s %14s\n' trace "all parts" "pages only"
for f in corpus/traces/*.kmt corpus/traces/*.txt; do
	printf '  %-28s %10s ev/s %10s ev/s\n' "$(basename "$f")" "$(rate "$f")" \
		"$(rate --parts pages "$f")"
done

why=
[ "$(id -u)" = 0 ] || why="not root (kmmtrace needs root or CAP_BPF+CAP_PERFMON)"
[ -n "$why" ] || [ -x "$T/kmmtrace" ] ||
	why="no $T/kmmtrace (clang, bpftool or libbpf missing at configure time: scripts/deps.sh trace)"
[ -n "$why" ] || [ -r /sys/kernel/btf/vmlinux ] || why="the kernel has no BTF (/sys/kernel/btf/vmlinux)"
if [ -n "$why" ]; then
	echo "capture overhead: skipped: $why"
	exit 0
fi
rounds=${ROUNDS:-300}
runs=${RUNS:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
plain=() traced=()
for i in $(seq "$runs"); do
	p=$("$T/kmm-trace-workload" --rounds "$rounds" -q --time 2>&1 | sed -n 's/^elapsed_ns //p')
	t=$("$T/kmmtrace" -q -o "$tmp/w.kmt" -- "$T/kmm-trace-workload" --rounds "$rounds" -q --time 2>&1 |
		sed -n 's/^elapsed_ns //p')
	plain+=("$p")
	traced+=("$t")
done
events=$("$T/kmm-trace-dump" --check "$tmp/w.kmt" | sed -n 's/^records=\([0-9]*\).*/\1/p')
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mp=$(median "${plain[@]}")
mt=$(median "${traced[@]}")
awk -v p="$mp" -v t="$mt" -v r="$rounds" -v n="$runs" -v e="$events" 'BEGIN {
	printf "capture overhead (kmm-trace-workload --rounds %d, median of %d runs):\n", r, n
	printf "  without kmmtrace %.1f ms, with kmmtrace %.1f ms: %.2fx (%d records captured)\n",
		p / 1e6, t / 1e6, t / p, e
}'
