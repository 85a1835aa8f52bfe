#!/bin/bash -u
# docker/check_build.sh [OUT] — the checks OSS-Fuzz's check_build
# (base-runner test_all.py + bad_build_check) applies to a build, done
# outside the image on what docker/build.sh left in OUT (default $OUT).
# SANITIZER and FUZZING_ENGINE say what the build was (defaults as
# build.sh's).  For every executable in OUT that contains
# LLVMFuzzerTestOneInput:
#   * OUT is first moved to a random "not-out" directory and everything runs
#     from there, so a hard-coded path to the build or to OUT fails;
#   * architecture: `file` says x86-64;
#   * sanitizer instrumentation, counted with objdump as OSS-Fuzz does
#     (calls to __asan/__ubsan/__msan/__dfsan): an ASan build has >= 1000
#     __asan calls and <= 200 __ubsan calls, a UBSan (libFuzzer) build
#     >= 168 __ubsan calls and no __asan calls, an MSan build >= 1000 __msan;
#   * libFuzzer: `-seed=1337 -runs=4` with the target's .options prints
#     "Done 4 runs", is instrumented ("no interesting inputs" fails) with
#     at least 100 edges, and its seed corpus runs without a crash (-runs=0);
#   * AFL++: afl-fuzz starts it and prints "All set and ready to roll"
#     within 35 s (without "target binary crashed/terminated"); the check
#     stops afl-fuzz as soon as the line appears.
# OSS-Fuzz allows 10% broken targets; this script allows none.
# Prints "check_build: N passed, M failed"; exit 0 when nothing failed.
set -o pipefail
OUT=${1:-${OUT:?usage: check_build.sh OUT}}
OUT=$(cd "$OUT" && pwd)
SANITIZER=${SANITIZER:-address}
FUZZING_ENGINE=${FUZZING_ENGINE:-libfuzzer}

# base-runner's sanitizer settings (leaks on, aborts reported)
export ASAN_OPTIONS=${ASAN_OPTIONS:-alloc_dealloc_mismatch=0:allocator_may_return_null=1:allocator_release_to_os_interval_ms=500:check_malloc_usable_size=0:detect_container_overflow=1:detect_odr_violation=0:detect_leaks=1:detect_stack_use_after_return=1:fast_unwind_on_fatal=0:handle_abort=1:handle_segv=1:handle_sigill=1:max_uar_stack_size_log=16:print_scariness=1:quarantine_size_mb=10:strict_memcmp=1:symbolize=1:use_sigaltstack=1:dedup_token_length=3}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:print_summary=1:silence_unsigned_overflow=1:dedup_token_length=3}
export MSAN_OPTIONS=${MSAN_OPTIONS:-print_stats=1:strict_memcmp=0:dedup_token_length=3:symbolize=1}

tmp=$(mktemp -d /tmp/check_build.XXXXXX)
moved=$tmp/not-out-$RANDOM$RANDOM
mv "$OUT" "$moved" || exit 1
restore() {
	mv "$moved" "$OUT" && rm -rf "$tmp"
}
trap restore EXIT
trap 'exit 130' INT TERM
cd "$tmp" || exit 1

passed=0
failed=0
fail() { # fail TARGET WHY [LOG]
	echo "BAD BUILD: $1: $2"
	[ -n "${3:-}" ] && [ -f "$3" ] && sed 's/^/    /' "$3" | tail -n 40
	return 1
}

# libFuzzer flags from the [libfuzzer] section of T.options (dict paths are
# relative to OUT, as run_fuzzer resolves them)
options_flags() {
	local opts=$moved/$1.options
	[ -f "$opts" ] || return 0
	awk -v out="$moved" '
		/^\[/ { sec = $0; next }
		sec == "[libfuzzer]" && /=/ {
			k = $0; sub(/[ \t]*=.*/, "", k); gsub(/^[ \t]+/, "", k)
			v = $0; sub(/^[^=]*=[ \t]*/, "", v); sub(/[ \t]+$/, "", v)
			if (k == "dict") v = out "/" v
			printf "-%s=%s\n", k, v
		}' "$opts"
}

check_arch() {
	file -L "$moved/$1" | grep -q "x86-64" || fail "$1" "not built for x86-64: $(file -L "$moved/$1")"
}

check_sanitizers() {
	local t=$1 dis asan ubsan msan dfsan
	dis=$tmp/$t.objdump
	objdump -dC "$moved/$t" >"$dis" 2>/dev/null || { fail "$t" "objdump failed"; return 1; }
	count() { grep -Ec "callq?[[:space:]]+[0-9a-f]+[[:space:]]+<$1" "$dis"; }
	asan=$(count __asan) ubsan=$(count __ubsan) msan=$(count __msan) dfsan=$(count __dfsan)
	echo "  $t: objdump: __asan $asan, __ubsan $ubsan, __msan $msan, __dfsan $dfsan calls"
	rm -f "$dis"
	case "$SANITIZER" in
	address)
		((asan >= 1000)) || { fail "$t" "not compiled with ASan ($asan __asan calls < 1000)"; return 1; }
		((ubsan <= 200)) || { fail "$t" "ASan build also has UBSan ($ubsan __ubsan calls > 200)"; return 1; }
		((msan <= 3 && dfsan == 0)) || { fail "$t" "ASan build mixes MSan/DFSan"; return 1; } ;;
	undefined)
		[ "$FUZZING_ENGINE" = libfuzzer ] || return 0
		((ubsan >= 168)) || { fail "$t" "not compiled with UBSan ($ubsan __ubsan calls < 168)"; return 1; }
		((asan == 0 && msan <= 3 && dfsan == 0)) || { fail "$t" "UBSan build mixes ASan/MSan/DFSan"; return 1; } ;;
	memory)
		((msan >= 1000)) || { fail "$t" "not compiled with MSan ($msan __msan calls < 1000)"; return 1; }
		((asan == 0 && dfsan == 0 && ubsan <= 200)) || { fail "$t" "MSan build mixes sanitizers"; return 1; } ;;
	esac
	return 0
}

check_libfuzzer() {
	local t=$1 log=$tmp/$t.log edges seeds
	mapfile -t opts < <(options_flags "$t")
	"$moved/$t" -seed=1337 -runs=4 "${opts[@]}" >"$log" 2>&1
	if grep -q "ERROR: no interesting inputs were found" "$log"; then
		fail "$t" "no coverage instrumentation" "$log"
		return 1
	fi
	grep -q "Done 4 runs" "$log" || { fail "$t" "startup crash or exit (no \"Done 4 runs\")" "$log"; return 1; }
	edges=$(grep -oE "INFO: Loaded [0-9]+ modules? +\([0-9]+ (inline 8-bit counters|guards)\)" "$log" |
		sed -E 's/.*\(([0-9]+) .*/\1/' | head -n 1)
	((${edges:-0} >= 100)) || { fail "$t" "partial coverage instrumentation (${edges:-no} edges < 100)" "$log"; return 1; }
	echo "  $t: -runs=4 done, $edges edges"
	if [ -f "$moved/${t}_seed_corpus.zip" ]; then
		seeds=$tmp/$t.seeds
		mkdir -p "$seeds"
		python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' \
			"$moved/${t}_seed_corpus.zip" "$seeds" || { fail "$t" "seed corpus zip unreadable"; return 1; }
		"$moved/$t" -runs=0 -rss_limit_mb=2560 -timeout=25 "${opts[@]}" "$seeds" >"$log" 2>&1 ||
			{ fail "$t" "a seed crashes" "$log"; return 1; }
		echo "  $t: $(find "$seeds" -type f | wc -l) seeds run clean"
	fi
	rm -f "$log"
}

check_afl() {
	local t=$1 log=$tmp/$t.log in=$tmp/$t.in out=$tmp/$t.afl pid i ok=0
	mkdir -p "$in"
	printf 'a' >"$in/input"  # run_fuzzer's stand-in for a skipped seed corpus
	dict=()
	[ -f "$moved/$t.dict" ] && dict=(-x "$moved/$t.dict")
	env -u MSAN_OPTIONS -u UBSAN_OPTIONS -u LSAN_OPTIONS \
		AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_FORKSRV_INIT_TMOUT=30000 \
		AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
		ASAN_OPTIONS="$ASAN_OPTIONS:abort_on_error=1:symbolize=0:detect_leaks=0" \
		timeout --preserve-status -s INT 35s \
		afl-fuzz -i "$in" -o "$out" "${dict[@]}" -m none -- "$moved/$t" >"$log" 2>&1 &
	pid=$!
	for ((i = 0; i < 350; i++)); do
		if grep -qs "All set and ready to roll" "$log"; then
			ok=1
			break
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -INT "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	if grep -Eq "target binary (crashed|terminated)" "$log"; then
		fail "$t" "the target crashes under afl-fuzz" "$log"
		return 1
	fi
	((ok)) || { fail "$t" "afl-fuzz did not print \"All set and ready to roll\"" "$log"; return 1; }
	echo "  $t: afl-fuzz: All set and ready to roll (after $((i / 10)).$((i % 10)) s)"
	rm -rf "$log" "$in" "$out"
}

targets=()
for f in "$moved"/*; do
	[ -f "$f" ] && [ -x "$f" ] || continue
	grep -q LLVMFuzzerTestOneInput "$f" 2>/dev/null || continue
	targets+=("$(basename "$f")")
done
echo "check_build: $FUZZING_ENGINE + $SANITIZER, ${#targets[@]} targets, OUT moved to $moved"
if [ ${#targets[@]} -eq 0 ]; then
	echo "BAD BUILD: no fuzz targets in $OUT"
	echo "check_build: 0 passed, 1 failed"
	exit 1
fi
for t in "${targets[@]}"; do
	ok=1
	check_arch "$t" || ok=0
	check_sanitizers "$t" || ok=0
	case "$FUZZING_ENGINE" in
	libfuzzer) check_libfuzzer "$t" || ok=0 ;;
	afl) check_afl "$t" || ok=0 ;;
	esac
	if ((ok)); then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "check_build: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
