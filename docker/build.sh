#!/bin/bash -eu
# docker/build.sh — builds the kmmfuzz fuzz targets the way OSS-Fuzz wants
# them, inside the OSS-Fuzz/ClusterFuzzLite image or standalone.
#
# Inside the image the environment comes from the builder: $CC $CXX $CFLAGS
# $CXXFLAGS $LIB_FUZZING_ENGINE $OUT $SRC $WORK $SANITIZER $FUZZING_ENGINE.
# Standalone (as systemd's tools/oss-fuzz.sh does) every one of them has a
# default derived from SANITIZER (address|undefined|memory|coverage) and
# FUZZING_ENGINE (libfuzzer|afl), with the flags the image would set:
#
#   docker/build.sh                                     libFuzzer + ASan in ./out
#   SANITIZER=undefined OUT=/tmp/ubsan docker/build.sh  libFuzzer + UBSan
#   FUZZING_ENGINE=afl OUT=/tmp/afl docker/build.sh     afl-clang-fast + libAFLDriver
#
# The libraries (libkmm, liboracle, libkmmfuzz) are built by CMake with the
# same $CC/$CFLAGS; each target is compiled with $CC $CFLAGS and linked with
# $CXX $CXXFLAGS $LIB_FUZZING_ENGINE (statically).  For each target $OUT gets
# <name>, <name>_seed_corpus.zip (flat), <name>.dict and <name>.options.
# Nothing in $OUT refers to the build or source tree.

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# the source tree: $SRC/kmmfuzz in the image, else this script's repository
if [ -n "${SRC:-}" ] && [ -f "$SRC/kmmfuzz/CMakeLists.txt" ]; then
	repo=$SRC/kmmfuzz
else
	repo=$(cd "$here/.." && pwd)
fi

SANITIZER=${SANITIZER:-address}
FUZZING_ENGINE=${FUZZING_ENGINE:-libfuzzer}
OUT=${OUT:-$(pwd)/out}
WORK=${WORK:-$(pwd)/work}
SRC=${SRC:-$(dirname "$repo")}

find_afl_driver() {
	local d
	for d in /usr/lib/afl /usr/local/lib/afl /usr/lib/x86_64-linux-gnu/afl; do
		[ -f "$d/libAFLDriver.a" ] && { echo "$d/libAFLDriver.a"; return; }
	done
	echo "build.sh: libAFLDriver.a not found (install afl++)" >&2
	exit 1
}

# The image's flags (base-builder), for standalone runs.
if [ -z "${CFLAGS+x}" ]; then
	case "$SANITIZER" in
	address) sanflags="-fsanitize=address -fsanitize-address-use-after-scope" ;;
	undefined)
		ub=array-bounds,bool,builtin,enum,float-divide-by-zero,function,integer-divide-by-zero,null,object-size,return,returns-nonnull-attribute,shift,signed-integer-overflow,unreachable,vla-bound,vptr
		sanflags="-fsanitize=$ub,unsigned-integer-overflow -fno-sanitize-recover=$ub" ;;
	memory) sanflags="-fsanitize=memory -fsanitize-memory-track-origins" ;;
	coverage) sanflags="-fprofile-instr-generate -fcoverage-mapping" ;;
	none) sanflags= ;;
	*) echo "build.sh: unknown SANITIZER '$SANITIZER'" >&2; exit 2 ;;
	esac
	covflags=
	if [ "$FUZZING_ENGINE" = libfuzzer ] && [ "$SANITIZER" != coverage ]; then
		covflags=-fsanitize=fuzzer-no-link
	fi
	CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION $sanflags $covflags"
	CXXFLAGS=${CXXFLAGS:-$CFLAGS}
fi
CXXFLAGS=${CXXFLAGS:-$CFLAGS}
case "$FUZZING_ENGINE" in
libfuzzer)
	CC=${CC:-clang}
	CXX=${CXX:-clang++}
	LIB_FUZZING_ENGINE=${LIB_FUZZING_ENGINE:--fsanitize=fuzzer}
	;;
afl)
	CC=${CC:-afl-clang-fast}
	CXX=${CXX:-afl-clang-fast++}
	LIB_FUZZING_ENGINE=${LIB_FUZZING_ENGINE:-$(find_afl_driver)}
	;;
*)
	# other engines (honggfuzz, centipede) come with the image's settings
	CC=${CC:-clang}
	CXX=${CXX:-clang++}
	: "${LIB_FUZZING_ENGINE:?set LIB_FUZZING_ENGINE for engine $FUZZING_ENGINE}"
	;;
esac
export CC CXX CFLAGS CXXFLAGS LIB_FUZZING_ENGINE OUT WORK SRC SANITIZER FUZZING_ENGINE

# Coverage guidance comes from libkmm, without its invariant sweeps and
# reset loops (see fuzz/coverage-ignore.txt; with AFL++ the executor and
# oracle are also compiled uninstrumented, see fuzz/CMakeLists.txt).  Only
# where coverage instrumentation is on.
ignore=$repo/fuzz/coverage-ignore.txt
extra=
case " $CFLAGS " in
*" -fsanitize=fuzzer-no-link "*) extra="-fsanitize-coverage-ignorelist=$ignore" ;;
esac
if [ "$FUZZING_ENGINE" = afl ]; then
	export AFL_LLVM_DENYLIST=$ignore
fi

# A fresh build directory each time: the image may run this script twice
# with different environments (AFL's CmpLog build), which CMake alone would
# not see as a reason to rebuild.
b=$WORK/kmmfuzz-build
rm -rf "$b"
mkdir -p "$b" "$OUT"
echo "build.sh: $FUZZING_ENGINE + $SANITIZER: CC=$CC CFLAGS=$CFLAGS $extra"
# Warnings stay warnings here: a newer compiler in the image must not fail
# the fuzzing build (the dev build keeps -Werror).
cmake -S "$repo" -B "$b" -DCMAKE_BUILD_TYPE= \
	-DCMAKE_C_COMPILER="$CC" -DCMAKE_C_FLAGS="$CFLAGS $extra" \
	-DKMM_FUZZ_ENGINE=none -DKMM_SANITIZE=OFF -DKMM_COVERAGE=OFF \
	-DKMM_WERROR=OFF -DKMM_TRACE_BPF=OFF -DBUILD_TESTING=OFF >"$b/configure.log" ||
	{ cat "$b/configure.log"; exit 1; }
# kmm-fmt (built with the same flags) compiles the text seeds to binary and
# writes the dictionaries under $b/corpus; the targets link the libraries.
cmake --build "$b" -j"$(nproc)" --target kmm kmmfuzz oracle kmm-fmt corpus >"$b/build.log" ||
	{ tail -n 50 "$b/build.log"; exit 1; }

zipdir() { # zipdir ZIP DIR... — a flat zip of the files in DIRs
	local zip=$1
	shift
	rm -f "$zip"
	if command -v zip >/dev/null 2>&1; then
		find "$@" -maxdepth 1 -type f -print0 | xargs -0 -r zip -q -j "$zip"
	else
		python3 - "$zip" "$@" <<-'EOF'
		import os, sys, zipfile
		with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
		    for d in sys.argv[2:]:
		        for n in sorted(os.listdir(d)):
		            p = os.path.join(d, n)
		            if os.path.isfile(p):
		                z.write(p, n)
		EOF
	fi
}

targets=()
for dict in "$b"/corpus/mm_*_fuzzer.dict; do
	t=$(basename "$dict" .dict)
	targets+=("$t")
	$CC $CFLAGS $extra -I"$repo/fuzz" -c "$repo/fuzz/targets/$t.c" -o "$b/$t.o"
	$CXX $CXXFLAGS "$b/$t.o" -o "$OUT/$t" $LIB_FUZZING_ENGINE \
		"$b/fuzz/libkmmfuzz.a" "$b/oracle/liboracle.a" "$b/kmm/libkmm.a"
	seeds=("$b/corpus/$t")
	# mm_all_fuzzer also starts from the regression programs
	[ "$t" = mm_all_fuzzer ] && seeds+=("$b/corpus/regress")
	zipdir "$OUT/${t}_seed_corpus.zip" "${seeds[@]}"
	cp "$dict" "$OUT/$t.dict"
	cp "$b/corpus/$t.options" "$OUT/$t.options"
done
echo "build.sh: ${#targets[@]} targets in $OUT: ${targets[*]}"
