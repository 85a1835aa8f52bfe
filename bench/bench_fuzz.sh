#!/usr/bin/env bash
# bench_fuzz.sh — the fuzzing throughput ratios, each measured in one run
# against a baseline built the same way (see performance-anchors.md §5):
#   1. libFuzzer (ASan+UBSan): mm_all_fuzzer on the bundled corpus / the
#      empty target mm_empty_fuzzer        (goal >= 0.05)
#   2. AFL++ persistent mode (ASan+UBSan), same pair   (goal >= 0.5)
#   3. mm_all_fuzzer with every input on the classic machine / on tiny
#      (KMM_FUZZ_MACHINE), libFuzzer      (goal >= 0.8)
# Each pair runs back to back, pinned to one CPU, BENCH_SECONDS each
# (default 20), REPS times (default 3); the median ratio is reported.
# Builds the `fuzz` and `afl` presets; AFL++ comes from scripts/deps.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${BENCH_SECONDS:-20}
reps=${REPS:-3}
cpu=${BENCH_CPU:-0}
jobs=${JOBS:-2}

scripts/deps.sh build fuzz
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j"$jobs" --target mm_all_fuzzer mm_empty_fuzzer corpus >/dev/null
corpus=build/fuzz/corpus/mm_all_fuzzer
# corpora in memory when possible: the fuzzers' corpus writes are not what
# is measured (an empty target writes none)
tmp=$(mktemp -d "$( [ -d /dev/shm ] && [ -w /dev/shm ] && echo /dev/shm || echo /tmp)/bench-fuzz.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", (b > 0 ? a / b : 0) }'; }

# libfuzzer BINARY [ENV...]: exec/s over a fresh copy of the bundled corpus
libfuzzer() {
	local bin=$1
	shift
	rm -rf "$tmp/lf"
	mkdir -p "$tmp/lf"
	env "$@" taskset -c "$cpu" "$bin" -max_total_time="$secs" -seed=1 \
		-max_len=4096 -print_final_stats=1 -rss_limit_mb=8192 \
		-dict=build/fuzz/corpus/mm_all_fuzzer.dict "$tmp/lf" "$corpus" \
		2>&1 | sed -n 's/^stat::average_exec_per_sec: *//p'
}

pair() { # name goal cmd_a cmd_b
	local name=$1 goal=$2 a=$3 b=$4 rs=() ea eb
	for ((i = 0; i < reps; i++)); do
		ea=$($a)
		eb=$($b)
		rs+=("$(ratio "$ea" "$eb")")
		echo "  $name run $((i + 1)): $ea / $eb exec/s = ${rs[-1]}"
	done
	echo "$name: median ratio $(printf '%s\n' "${rs[@]}" | median) (goal >= $goal)"
}

lf_all() { libfuzzer build/fuzz/fuzz/mm_all_fuzzer; }
lf_empty() { libfuzzer build/fuzz/fuzz/mm_empty_fuzzer; }
lf_classic() { libfuzzer build/fuzz/fuzz/mm_all_fuzzer KMM_FUZZ_MACHINE=classic; }
lf_tiny() { libfuzzer build/fuzz/fuzz/mm_all_fuzzer KMM_FUZZ_MACHINE=tiny; }

echo "libFuzzer, ASan+UBSan, ${secs} s per run, CPU $cpu"
pair "libFuzzer mm_all/empty" 0.05 lf_all lf_empty
pair "classic/tiny" 0.8 lf_classic lf_tiny

# afl BINARY: average exec/s (and stability) from fuzzer_stats
afl() {
	rm -rf "$tmp/afl"
	AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
		AFL_NO_AFFINITY=1 ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=0 \
		taskset -c "$cpu" afl-fuzz -V "$secs" -i "$corpus" -o "$tmp/afl" \
		-x build/afl/corpus/mm_all_fuzzer.dict -m none -- "$1" >/dev/null 2>&1 || true
	local st=$tmp/afl/default/fuzzer_stats
	[ -r "$st" ] || { echo 0; return; }
	local execs elapsed
	execs=$(sed -n 's/^execs_done *: *//p' "$st")
	elapsed=$(($(sed -n 's/^last_update *: *//p' "$st") - $(sed -n 's/^start_time *: *//p' "$st")))
	echo "stability $(sed -n 's/^stability *: *//p' "$st")" >>"$tmp/stability"
	ratio "$execs" "$elapsed"
}
if command -v afl-clang-fast >/dev/null 2>&1; then
	cmake --preset afl >/dev/null
	cmake --build --preset afl -j"$jobs" --target mm_all_fuzzer mm_empty_fuzzer corpus >/dev/null
	afl_all() { afl build/afl/fuzz/mm_all_fuzzer; }
	afl_empty() { afl build/afl/fuzz/mm_empty_fuzzer; }
	echo "AFL++ persistent mode, shared-memory test cases, ASan+UBSan"
	pair "AFL++ mm_all/empty" 0.5 afl_all afl_empty
	echo "AFL++ stability (mm_all, empty alternating): $(sed 's/stability //' "$tmp/stability" | tr '\n' ' ')"
fi
