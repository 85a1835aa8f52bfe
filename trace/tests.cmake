# The trace suites' extra wiring, included from tests/CMakeLists.txt after
# their kmm_suite() lines: the format library, the committed captures, the
# kmmtrace and workload binaries for the live test (skipped with code 77
# when kmmtrace is not built, not root, or no BTF), and the CLI tools.
foreach(t trace_format trace_import)
  target_link_libraries(test_${t} kmmtrace_format)
endforeach()
foreach(t trace_live trace_replay trace_replay_slab trace_replay_mm)
  target_link_libraries(test_${t} kmmtrace_replay)
endforeach()
set(KMMT_CORPUS ${PROJECT_SOURCE_DIR}/corpus/traces)
target_compile_definitions(test_trace_import PRIVATE KMMT_CORPUS_DIR="${KMMT_CORPUS}")
target_compile_definitions(test_trace_replay PRIVATE KMMT_CORPUS_DIR="${KMMT_CORPUS}")
target_compile_definitions(test_trace_live PRIVATE
  WORKLOAD_PATH="$<TARGET_FILE:kmm-trace-workload>")
add_dependencies(test_trace_live kmm-trace-workload)
if(TARGET kmmtrace)
  target_compile_definitions(test_trace_live PRIVATE KMMTRACE_PATH="$<TARGET_FILE:kmmtrace>")
  add_dependencies(test_trace_live kmmtrace)
endif()
set_tests_properties(trace_live PROPERTIES SKIP_RETURN_CODE 77)

# kmm-trace-import -> kmm-trace-dump on a real capture; counts as grep made them
add_test(NAME trace_cli_import_dump COMMAND sh -c
  "$<TARGET_FILE:kmm-trace-import> -q --strict -o trace_cli.kmt '${KMMT_CORPUS}/workload.tracefs.txt' && $<TARGET_FILE:kmm-trace-dump> --check trace_cli.kmt")
set_tests_properties(trace_cli_import_dump PROPERTIES PASS_REGULAR_EXPRESSION
  "kmalloc=12 kfree=106 kmem_cache_alloc=208 kmem_cache_free=197 mm_page_alloc=126 mm_page_free=100 mm_page_free_batched=92 page_fault_user=135 page_fault_kernel=7 sys_enter=25 sys_exit=25 fork=1 exit=2 exec=1 lost=0 maps=0")
# --strict refuses a malformed line: exit 1, FILE:LINE reported, no output
add_test(NAME trace_cli_import_refuses COMMAND sh -c
  "rm -f refused.kmt; printf 'ls-1 [000] 1.0: kfree: call_site=0 ptr=1\\nls-1 [000] 1.1: kfree: call_site=0 ptr=zz\\n' > refused.txt; $<TARGET_FILE:kmm-trace-import> --strict -o refused.kmt refused.txt 2> refused.err; rc=$?; cat refused.err; test $rc = 1 && grep -q '^refused.txt:2: malformed kfree line: ptr: cannot parse' refused.err && test ! -e refused.kmt")
# without --strict the line is skipped and reported
add_test(NAME trace_cli_import_skips COMMAND sh -c
  "printf 'ls-1 [000] 1.0: kfree: call_site=0 ptr=1\\nbad line\\nls-1 [000] 1.1: kfree: call_site=0 ptr=2\\n' > skipped.txt; $<TARGET_FILE:kmm-trace-import> -o skipped.kmt skipped.txt 2> skipped.err; rc=$?; cat skipped.err; test $rc = 0 && grep -q '^skipped.txt:2: not an event line' skipped.err && $<TARGET_FILE:kmm-trace-dump> --check skipped.kmt | grep -q ' kfree=2 '")
# the committed kmmtrace capture: counts from corpus/traces/count_kmt.py
add_test(NAME trace_cli_dump_capture COMMAND
  $<TARGET_FILE:kmm-trace-dump> --check ${KMMT_CORPUS}/workload.kmt)
set_tests_properties(trace_cli_dump_capture PROPERTIES PASS_REGULAR_EXPRESSION
  "kmalloc=12 kfree=164 kmem_cache_alloc=205 kmem_cache_free=356 mm_page_alloc=131 mm_page_free=121 mm_page_free_batched=111 page_fault_user=153 page_fault_kernel=6 sys_enter=25 sys_exit=25 fork=1 exit=2 exec=1 lost=0 maps=13 task=3")
# a truncated copy: the offset and what is wrong, exit 1
add_test(NAME trace_cli_dump_truncated COMMAND sh -c
  "head -c 1000 '${KMMT_CORPUS}/workload.kmt' > truncated.kmt; $<TARGET_FILE:kmm-trace-dump> truncated.kmt > /dev/null 2> truncated.err; rc=$?; cat truncated.err; test $rc = 1 && grep -q 'truncated.kmt: offset [0-9]*: truncated record' truncated.err")
# kmm-replay --emit-corpus: the programs run under the oracle in the tool,
# then mm_text_fuzzer (and kmm-fmt for mm_all_fuzzer's binary form) take
# the written seeds as they are
add_test(NAME trace_cli_replay_emit_corpus COMMAND sh -c
  "rm -rf emitted && mkdir emitted && $<TARGET_FILE:kmm-replay> --emit-corpus emitted --max-ops 300 '${KMMT_CORPUS}/workload.kmt' > emitted.out && cat emitted.out && grep -q '^oracle: 2 programs ran under the oracle: no disagreement' emitted.out && test -s emitted/workload-001.txt && test -s emitted/workload-002.txt && test ! -e emitted/workload-003.txt && $<TARGET_FILE:mm_text_fuzzer> emitted && $<TARGET_FILE:kmm-fmt> --target mm_all_fuzzer --to-binary -o emitted.bin emitted/workload-001.txt")
# a truncated trace: replayed up to the damage, reported, exit 1
add_test(NAME trace_cli_replay_truncated COMMAND sh -c
  "head -c 20000 '${KMMT_CORPUS}/workload.kmt' > rtrunc.kmt; $<TARGET_FILE:kmm-replay> --json rtrunc.kmt > rtrunc.json 2> rtrunc.err; rc=$?; cat rtrunc.err; test $rc = 1 && grep -q 'rtrunc.kmt: offset [0-9]*: truncated record.*(replayed up to there)' rtrunc.err && grep -q '\"free_pages_restored\": true' rtrunc.json")
set_tests_properties(trace_cli_import_dump trace_cli_import_refuses trace_cli_import_skips
  trace_cli_dump_capture trace_cli_dump_truncated trace_cli_replay_emit_corpus
  trace_cli_replay_truncated PROPERTIES LABELS trace)

# the parsers' fuzz seeds replayed through the fuzz targets (standalone
# runner; with KMM_FUZZ_ENGINE=libfuzzer the targets are real fuzzers)
if(NOT KMM_FUZZ_ENGINE STREQUAL "libfuzzer")
  set(seeds ${PROJECT_SOURCE_DIR}/trace/fuzz/seeds)
  add_test(NAME trace_fuzz_replay_format COMMAND mm_trace_format_fuzzer
           ${seeds}/format ${KMMT_CORPUS}/workload.kmt)
  add_test(NAME trace_fuzz_replay_tracefs COMMAND mm_trace_tracefs_fuzzer
           ${seeds}/tracefs ${KMMT_CORPUS}/workload.tracefs.txt ${KMMT_CORPUS}/gzip.trace_pipe.txt)
  add_test(NAME trace_fuzz_replay_trace_cmd COMMAND mm_trace_trace_cmd_fuzzer
           ${seeds}/trace_cmd ${KMMT_CORPUS}/workload.trace-cmd.txt)
  add_test(NAME trace_fuzz_replay_perf COMMAND mm_trace_perf_fuzzer
           ${seeds}/perf ${KMMT_CORPUS}/workload.perf.txt)
  add_test(NAME trace_fuzz_replay_replay COMMAND mm_trace_replay_fuzzer
           ${seeds}/format ${KMMT_CORPUS}/workload.kmt)
  set_tests_properties(trace_fuzz_replay_format trace_fuzz_replay_tracefs
    trace_fuzz_replay_trace_cmd trace_fuzz_replay_perf trace_fuzz_replay_replay
    PROPERTIES LABELS "trace;fuzz")
endif()
