/* mm_vmalloc_fuzzer: programs over the ops of this target (see fuzz/prog.c). */
#include "harness.h"

KMM_FUZZ_TARGET(mm_vmalloc_fuzzer)
