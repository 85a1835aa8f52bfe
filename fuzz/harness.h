/* fuzz/harness.h — what every fuzz target shares.
 *
 * A target is a plain LLVMFuzzerTestOneInput (no main), as OSS-Fuzz wants;
 * the engine (libFuzzer, the AFL++ persistent driver, or the standalone
 * runner) supplies main.  The machines are booted in
 * LLVMFuzzerInitialize, before AFL++'s fork server starts, so every run
 * sees the same code paths (100% stability).  The harness keeps one
 * process-wide context, because the fuzzing entry point has no argument
 * for one.
 */
#ifndef KMM_FUZZ_HARNESS_H
#define KMM_FUZZ_HARNESS_H

#include <stddef.h>
#include <stdint.h>

/* Standalone runs (ctest replay) also check the text round trip of every
 * input and sweep with kmm_check at the end of every program. */
extern int kmm_fuzz_strict;

int kmm_fuzz_init(const char *target);
int kmm_fuzz_one(const uint8_t *data, size_t size);
int kmm_fuzz_text_one(const uint8_t *data, size_t size);

#define KMM_FUZZ_TARGET(name)                                                  \
	int LLVMFuzzerInitialize(int *argc, char ***argv);                     \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);          \
	int LLVMFuzzerInitialize(int *argc, char ***argv)                      \
	{                                                                      \
		(void)argc;                                                    \
		(void)argv;                                                    \
		return kmm_fuzz_init(#name);                                   \
	}                                                                      \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)           \
	{                                                                      \
		return kmm_fuzz_one(data, size);                               \
	}

#endif
