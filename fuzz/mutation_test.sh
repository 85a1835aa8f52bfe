#!/usr/bin/env bash
# mutation_test.sh N BUILD_DIR — one mutation test (see mutation.cmake):
# builds mutant N, fuzzes mm_all_fuzzer from the bundled corpus for at most
# 60 s, minimizes the first crash with kmm-min (same failure signature) to
# at most 15 ops, and checks that the minimized program runs clean on the
# real libkmm (so the bug, not the oracle, is what was found).  kmm_check()
# sweeps are off in both steps: the oracle has to find the bug (the
# simulator's inline checks, as the kernel's BUG_ONs, stay on).
set -euo pipefail
n=$1
b=$(cd "$2" && pwd)
budget=${KMM_MUTATION_SECONDS:-60}

cmake --build "$b" --target "mm_all_fuzzer_mut$n" "kmm-min-mut$n" kmm-run corpus \
	-- -j2 >/dev/null
work=$(mktemp -d /tmp/kmm-mutation.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$work/crash"

start=$(date +%s.%N)
KMM_FUZZ_SWEEP_RATE=4000000000 "$b/fuzz/mm_all_fuzzer_mut$n" -max_total_time="$budget" -seed="$n" \
	-dict="$b/corpus/mm_all_fuzzer.dict" -max_len=4096 \
	-artifact_prefix="$work/crash/" "$work/corpus" "$b/corpus/mm_all_fuzzer" \
	>"$work/fuzz.log" 2>&1 || true
end=$(date +%s.%N)
crash=$(find "$work/crash" -type f | head -n 1)
if [ -z "$crash" ] && grep -q "kmmfuzz: machine" "$work/fuzz.log"; then
	echo "mutant $n: the oracle rejects the booted machine itself:"
	grep -m2 "ORACLE\|kmmfuzz" "$work/fuzz.log"
	echo "mutant $n: found at boot (no program needed)"
	exit 0
fi
if [ -z "$crash" ]; then
	echo "mutant $n: NOT found within ${budget} s"
	grep -E "DONE|pulse" "$work/fuzz.log" | tail -n 3
	exit 1
fi
secs=$(awk "BEGIN { printf \"%.1f\", $end - $start }")
echo "mutant $n: the fuzzer stopped with a crash after ${secs} s:"
grep -m1 -E "ORACLE|BUG: kmm|ERROR: AddressSanitizer|runtime error" "$work/fuzz.log" || true

"$b/fuzz/kmm-min-mut$n" --target mm_all_fuzzer --no-sweeps -o "$work/min.txt" "$crash" \
	2>"$work/min.log" || { cat "$work/min.log"; exit 1; }
ops=$(grep -cvE '^(#|machine |$)' "$work/min.txt" || true)
echo "minimized to $ops ops:"
cat "$work/min.txt"
if [ "$ops" -gt 15 ]; then
	echo "mutant $n: minimized program has $ops ops (> 15)"
	exit 1
fi
if ! "$b/fuzz/kmm-run" --quiet "$work/min.txt" >"$work/run.log" 2>&1; then
	echo "mutant $n: the minimized program also fails on the real libkmm:"
	cat "$work/run.log"
	exit 1
fi
echo "mutant $n: ok (found in ${secs} s, ${ops} ops, clean on the real libkmm)"
