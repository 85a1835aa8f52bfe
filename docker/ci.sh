#!/usr/bin/env bash
# docker/ci.sh — CI's OSS-Fuzz job, run outside Docker: docker/build.sh for
# libFuzzer+ASan, libFuzzer+UBSan and AFL++ (afl-clang-fast, libAFLDriver,
# ASan), each followed by docker/check_build.sh (the check_build checks:
# -runs=4 from a moved $OUT, sanitizer instrumentation counted with objdump,
# seed corpora, afl-fuzz "All set and ready to roll").  Also checks that
# the ClusterFuzzLite build script is the same build and that the project
# and workflow YAML files parse (when PyYAML is there).
# Prints "docker-ci: N passed, M failed"; exit 0 when all passed.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh build fuzz campaign || exit 1

tmp=$(mktemp -d /tmp/kmm-docker-ci.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
result() { # result NAME STATUS
	if [ "$2" -eq 0 ]; then
		passed=$((passed + 1))
		echo "docker-ci: $1: ok"
	else
		failed=$((failed + 1))
		echo "docker-ci: $1: FAILED"
	fi
}

for cfg in libfuzzer:address libfuzzer:undefined afl:address; do
	engine=${cfg%:*} san=${cfg#*:}
	name="$engine+$san"
	out=$tmp/out-$engine-$san
	start=$SECONDS
	# the image's variables are unset here: build.sh derives them
	if ! env -u CC -u CXX -u CFLAGS -u CXXFLAGS -u LIB_FUZZING_ENGINE -u SRC \
		FUZZING_ENGINE="$engine" SANITIZER="$san" OUT="$out" WORK="$tmp/work-$engine-$san" \
		docker/build.sh >"$tmp/build-$engine-$san.log" 2>&1; then
		tail -n 40 "$tmp/build-$engine-$san.log"
		result "build.sh $name" 1
		continue
	fi
	tail -n 1 "$tmp/build-$engine-$san.log"
	result "build.sh $name ($((SECONDS - start)) s)" 0
	FUZZING_ENGINE="$engine" SANITIZER="$san" docker/check_build.sh "$out"
	result "check_build $name" $?
	rm -rf "$tmp/work-$engine-$san"
done

# ClusterFuzzLite builds with the same script
grep -q 'docker/build.sh' .clusterfuzzlite/build.sh
result "cflite build.sh runs docker/build.sh" $?

if python3 -c 'import yaml' 2>/dev/null; then
	python3 - <<-'EOF'
	import glob, sys, yaml
	bad = 0
	files = ["docker/project.yaml", ".clusterfuzzlite/project.yaml"] + \
	    sorted(glob.glob(".github/workflows/cflite_*.yml"))
	modes = set()
	for f in files:
	    try:
	        d = yaml.safe_load(open(f))
	    except Exception as e:
	        print(f"{f}: {e}")
	        bad += 1
	        continue
	    if f.endswith("project.yaml"):
	        if d.get("language") != "c":
	            print(f"{f}: language is not c")
	            bad += 1
	        continue
	    for job in d["jobs"].values():
	        for step in job["steps"]:
	            modes.add(step.get("with", {}).get("mode"))
	missing = {"code-change", "batch", "prune", "coverage"} - modes
	if missing:
	    print("workflows lack the modes", sorted(missing))
	    bad += 1
	print(f"yaml: {len(files)} files, modes {sorted(m for m in modes if m)}")
	sys.exit(1 if bad else 0)
	EOF
	result "project and workflow yaml" $?
fi

echo "docker-ci: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
