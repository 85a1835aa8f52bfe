#!/usr/bin/env bash
# coverage.sh BUILD_DIR — merge the profiles the coverage preset's tests
# wrote and print llvm-cov's per-file report of libkmm; HTML goes to
# BUILD_DIR/coverage-html.
set -euo pipefail
b=$1
profdata=$(command -v llvm-profdata-14 || command -v llvm-profdata)
cov=$(command -v llvm-cov-14 || command -v llvm-cov)
shopt -s nullglob
raw=("$b"/profiles/*.profraw)
[ ${#raw[@]} -gt 0 ] || { echo "coverage.sh: no profiles in $b/profiles" >&2; exit 1; }
"$profdata" merge -sparse "${raw[@]}" -o "$b/kmm.profdata"
objs=()
for t in "$b"/tests/test_* "$b"/tests/kmm-stress; do [ -x "$t" ] && objs+=(-object "$t"); done
"$cov" report "${objs[@]:1}" -instr-profile "$b/kmm.profdata" --ignore-filename-regex='tests/'
"$cov" show "${objs[@]:1}" -instr-profile "$b/kmm.profdata" --ignore-filename-regex='tests/' \
	-format=html -output-dir="$b/coverage-html" >/dev/null
echo "coverage.sh: HTML report in $b/coverage-html/index.html"
