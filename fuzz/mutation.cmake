# Mutation tests: each proves that the fuzzer plus the oracle finds one
# deliberate, realistic bug (the "MUTATION N" blocks in kmm/*.c: buddy
# allocator 1-12, COW, TLB flushes, slab, vmalloc and kmap 13-21,
# compiled only with -DKMM_MUTATION=N) from the bundled corpus within 60 s,
# and that kmm-min reduces the crash to at most 15 ops.  Each test builds
# its mutant (a libFuzzer target and a kmm-min linked against the mutant
# libkmm) on demand: nothing here is part of the normal build.
#   ctest -L mutation        (labelled long: ctest --preset long runs them)
set(KMM_MUTANTS 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21)
if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
  return()
endif()

set(cov_flags -fsanitize=fuzzer-no-link -fno-sanitize-coverage=trace-cmp
    -fsanitize-coverage-ignorelist=${CMAKE_CURRENT_SOURCE_DIR}/coverage-ignore.txt)
get_target_property(kmm_srcs kmm SOURCES)
list(TRANSFORM kmm_srcs PREPEND ${PROJECT_SOURCE_DIR}/kmm/)
get_target_property(oracle_srcs oracle SOURCES)
list(TRANSFORM oracle_srcs PREPEND ${PROJECT_SOURCE_DIR}/oracle/)
list(TRANSFORM KMMFUZZ_SOURCES PREPEND ${CMAKE_CURRENT_SOURCE_DIR}/
     OUTPUT_VARIABLE fuzz_srcs)

# the harness and the oracle, instrumented for coverage, shared by mutants
add_library(kmmfuzz_cov STATIC EXCLUDE_FROM_ALL ${fuzz_srcs} ${oracle_srcs})
target_include_directories(kmmfuzz_cov PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}
                           ${PROJECT_SOURCE_DIR}/oracle ${PROJECT_SOURCE_DIR}/kmm/include)
target_compile_options(kmmfuzz_cov PRIVATE ${cov_flags})

foreach(n ${KMM_MUTANTS})
  add_library(kmm_mut${n} STATIC EXCLUDE_FROM_ALL ${kmm_srcs})
  target_include_directories(kmm_mut${n} PUBLIC ${PROJECT_SOURCE_DIR}/kmm/include
                             PRIVATE ${PROJECT_SOURCE_DIR}/kmm)
  target_compile_definitions(kmm_mut${n} PRIVATE KMM_MUTATION=${n})
  target_compile_options(kmm_mut${n} PRIVATE ${cov_flags})

  add_executable(mm_all_fuzzer_mut${n} EXCLUDE_FROM_ALL targets/mm_all_fuzzer.c)
  target_link_libraries(mm_all_fuzzer_mut${n} kmmfuzz_cov kmm_mut${n})
  target_link_options(mm_all_fuzzer_mut${n} PRIVATE -fsanitize=fuzzer)

  add_executable(kmm-min-mut${n} EXCLUDE_FROM_ALL tools/kmm-min.c)
  target_link_libraries(kmm-min-mut${n} kmmfuzztools kmmfuzz oracle kmm_mut${n})
  target_link_options(kmm-min-mut${n} PRIVATE -fsanitize=fuzzer-no-link)

  add_test(NAME mutation_${n}
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/mutation_test.sh ${n} ${CMAKE_BINARY_DIR})
  set_tests_properties(mutation_${n} PROPERTIES LABELS "mutation;long"
                       TIMEOUT 900 RUN_SERIAL TRUE)
endforeach()
