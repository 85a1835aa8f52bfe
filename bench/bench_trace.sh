#!/usr/bin/env bash
# bench_trace.sh [BUILD_DIR] — the trace pipeline's numbers:
#   1. kmm-replay throughput (events/s) on each committed trace, replayed
#      many times on a reset tiny machine;
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

echo "replay throughput (kmm-replay --repeat, tiny machine):"
for f in corpus/traces/*.kmt corpus/traces/*.txt; do
	line=$("$T/kmm-replay" --repeat 200 "$f" 2>&1 >/dev/null | grep 'events/s')
	printf '  %-28s %s\n' "$(basename "$f")" "${line#kmm-replay: }"
done

if [ "$(id -u)" != 0 ] || [ ! -x "$T/kmmtrace" ] || [ ! -r /sys/kernel/btf/vmlinux ]; then
	echo "capture overhead: skipped (needs root, BTF and $T/kmmtrace)"
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
