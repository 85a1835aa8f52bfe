#!/usr/bin/env bash
# run_campaign.sh [SECONDS] — what `make fuzz` runs: builds the libFuzzer
# preset, fuzzes mm_all_fuzzer from the bundled corpus (a fresh working
# corpus under build/fuzz/campaign/), and prints a summary: executions and
# exec/s, coverage, and the crashes found, each shown as a text program.
# Exit 0 when no crash was found, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
jobs=${JOBS:-2}

scripts/deps.sh build fuzz
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j"$jobs" --target mm_all_fuzzer kmm-fmt corpus >/dev/null

b=build/fuzz
w=$b/campaign
rm -rf "$w"
mkdir -p "$w/corpus" "$w/crashes"
seeds=$(find "$b/corpus/mm_all_fuzzer" -type f | wc -l)
echo "make fuzz: mm_all_fuzzer (libFuzzer, ASan+UBSan) for ${secs} s from $seeds bundled seeds"
rc=0
start=$(date +%s)
"$b/fuzz/mm_all_fuzzer" -max_total_time="$secs" -print_final_stats=1 \
	-dict="$b/corpus/mm_all_fuzzer.dict" -max_len=4096 -rss_limit_mb=4096 \
	-artifact_prefix="$w/crashes/" "$w/corpus" "$b/corpus/mm_all_fuzzer" \
	>"$w/fuzz.log" 2>&1 || rc=$?
elapsed=$(($(date +%s) - start))
grep -E "INITED|pulse|DONE" "$w/fuzz.log" | sed 's/^/  /' || true

stat() { sed -n "s/^stat::$1: *//p" "$w/fuzz.log" | tail -n 1; }
last=$(grep -E "^#[0-9]+[[:space:]].*cov: " "$w/fuzz.log" | tail -n 1 || true)
cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p' <<<"$last")
mapfile -t crashes < <(find "$w/crashes" -type f | sort)

echo
echo "== make fuzz summary =="
echo "  executions:  $(stat number_of_executed_units) in ${elapsed} s, $(stat average_exec_per_sec) exec/s"
echo "  coverage:    ${cov:-?} edges, ${ft:-?} features, corpus ${corp:-?} (inputs/bytes)"
echo "  peak RSS:    $(stat peak_rss_mb) MB"
echo "  crashes:     ${#crashes[@]}"
for c in "${crashes[@]}"; do
	echo "  --- $c"
	grep -m1 -E "ORACLE|BUG: kmm|ERROR: AddressSanitizer|runtime error|ROUNDTRIP|ERROR: libFuzzer" \
		"$w/fuzz.log" | sed 's/^/  /' || true
	"$b/fuzz/kmm-fmt" --target mm_all_fuzzer --to-text "$c" | sed 's/^/    /' | head -n 40
	echo "  reproduce: $b/fuzz/kmm-run $c   minimize: $b/fuzz/kmm-min $c"
done
if [ ${#crashes[@]} -gt 0 ] || [ "$rc" -ne 0 ]; then
	[ ${#crashes[@]} -gt 0 ] || echo "  the fuzzer exited with status $rc; see $w/fuzz.log"
	exit 1
fi
