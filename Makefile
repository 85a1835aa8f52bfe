# Thin wrapper over CMake presets.  The quick start is two commands:
#   make fuzz    the main job: a short fuzz campaign (see README)
#   make test    build the dev preset (ASan+UBSan) and run every suite but `long`
JOBS ?= 2
SECONDS ?= 60

.PHONY: all deps build test test-long fuzz campaign bench coverage info clean

all: build

deps:
	@scripts/deps.sh build

build: deps
	cmake --preset dev >/dev/null
	cmake --build --preset dev -j$(JOBS)

test: build
	ctest --preset dev

test-long: build
	ctest --preset long

# A libFuzzer campaign of mm_all_fuzzer on the bundled corpus, then a
# summary (exec/s, coverage, crashes); SECONDS=N sets its length.
fuzz:
	@fuzz/run_campaign.sh $(SECONDS)

# An AFL++ campaign on all cores (main + CmpLog/power-schedule
# secondaries), then triage and an HTML report under build/campaign/runs/
# (see README "Long campaigns"); CAMPAIGN_ARGS adds kmm-campaign options.
campaign:
	@fuzz/campaign/kmm-campaign --time $(SECONDS) $(CAMPAIGN_ARGS)

bench: deps
	cmake --preset release >/dev/null
	cmake --build --preset release -j$(JOBS)
	build/release/bench/kmm-bench
	bench/bench_trace.sh build/release

coverage: deps
	cmake --preset coverage >/dev/null
	cmake --build --preset coverage -j$(JOBS)
	rm -rf build/coverage/profiles
	ctest --preset coverage
	scripts/coverage.sh build/coverage

info: build
	build/dev/kmm/kmm-info --preset tiny
	build/dev/kmm/kmm-info --preset classic

clean:
	rm -rf build
