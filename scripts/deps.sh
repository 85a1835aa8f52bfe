#!/usr/bin/env bash
# deps.sh [group...] — make sure the tools a make target needs are here.
# Installs what is missing with apt-get when run as root; otherwise prints
# the exact command and fails.  Groups: build (default), fuzz, bench, trace,
# campaign.
set -euo pipefail

need=()
want() { # want COMMAND-OR-FILE PACKAGE
	case "$1" in
	/*) [ -e "$1" ] || need+=("$2") ;;
	*) command -v "$1" >/dev/null 2>&1 || need+=("$2") ;;
	esac
}

clang_rt() { # the sanitizer runtimes clang links against
	local d
	d=$(clang -print-resource-dir 2>/dev/null || true)
	[ -n "$d" ] && ls "$d"/lib/linux/libclang_rt.asan-x86_64.a >/dev/null 2>&1
}

for group in "${@:-build}"; do
	case "$group" in
	build)
		want cmake cmake
		want clang clang
		want make make
		want /usr/include/bsd/sys/tree.h libbsd-dev
		if command -v clang >/dev/null 2>&1 && ! clang_rt; then
			need+=(libclang-rt-14-dev)
		fi
		;;
	fuzz)
		want afl-fuzz afl++
		want zip zip
		;;
	bench) ;;
	trace) # kmmtrace (eBPF) and the text capture tools
		want /usr/sbin/bpftool bpftool
		want /usr/include/bpf/libbpf.h libbpf-dev
		want /usr/include/libelf.h libelf-dev
		want /usr/include/zlib.h zlib1g-dev
		want pkg-config pkg-config
		want trace-cmd trace-cmd
		want perf linux-perf
		;;
	campaign) # kmm-campaign and docker/ci.sh: plots, coverage, check_build
		want gnuplot gnuplot-nox
		want llvm-profdata llvm
		want llvm-cov llvm
		want llvm-symbolizer llvm
		want objdump binutils
		want file file
		want python3 python3
		;;
	*) echo "deps.sh: unknown group '$group'" >&2; exit 2 ;;
	esac
done

[ ${#need[@]} -eq 0 ] && exit 0
mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "deps.sh: installing ${need[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null
	apt-get install -y -qq "${need[@]}" >/dev/null
else
	echo "deps.sh: missing packages: ${need[*]}" >&2
	echo "run: sudo apt-get update && sudo apt-get install -y ${need[*]}" >&2
	exit 1
fi
