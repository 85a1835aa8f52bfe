#!/usr/bin/env bash
# run_afl.sh [SECONDS] [TARGET] — an AFL++ campaign: builds the `afl`
# (persistent mode, shared-memory test cases, ASan+UBSan) and `afl-cmplog`
# presets, fuzzes TARGET (default mm_all_fuzzer) from the bundled corpus
# with the CmpLog companion and the generated dictionary, and prints the
# summary from fuzzer_stats (exec/s, stability, corpus, crashes).
# Exit 0 when no crash was found, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
t=${2:-mm_all_fuzzer}
jobs=${JOBS:-2}

scripts/deps.sh build fuzz
for p in afl afl-cmplog; do
	cmake --preset "$p" >/dev/null
	cmake --build --preset "$p" -j"$jobs" --target "$t" corpus >/dev/null
done
w=build/afl/campaign-$t
rm -rf "$w"
echo "run_afl: $t (AFL++ persistent mode + CmpLog, ASan+UBSan) for ${secs} s"
AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
	ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=0 \
	afl-fuzz -V "$secs" -i "build/afl/corpus/$t" -o "$w" \
	-x "build/afl/corpus/$t.dict" -c "build/afl-cmplog/fuzz/$t" -m none \
	-- "build/afl/fuzz/$t" >"$w.log" 2>&1 || true
st=$w/default/fuzzer_stats
[ -r "$st" ] || { tail -n 20 "$w.log"; exit 1; }
get() { sed -n "s/^$1 *: *//p" "$st"; }
elapsed=$(($(get last_update) - $(get start_time)))
echo "== AFL++ summary =="
echo "  executions:  $(get execs_done) in ${elapsed} s, $(get execs_per_sec) exec/s (average)"
echo "  stability:   $(get stability)"
echo "  coverage:    $(get bitmap_cvg) of the map, corpus $(get corpus_count) inputs"
echo "  crashes:     $(get saved_crashes), hangs: $(get saved_hangs)"
mapfile -t crashes < <(find "$w/default/crashes" -type f -name 'id:*' 2>/dev/null | sort)
for c in "${crashes[@]}"; do
	echo "  --- $c"
	build/afl/fuzz/kmm-fmt --target "$t" --to-text "$c" 2>/dev/null | sed 's/^/    /' | head -n 40
done
[ ${#crashes[@]} -eq 0 ]
