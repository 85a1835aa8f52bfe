/* mm_text_fuzzer: the text parser.  No text makes it crash, and whatever
 * it accepts prints back to the same program; the input read as binary
 * must survive binary -> text -> binary too. */
#include "harness.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return kmm_fuzz_init("mm_text_fuzzer");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return kmm_fuzz_text_one(data, size);
}
