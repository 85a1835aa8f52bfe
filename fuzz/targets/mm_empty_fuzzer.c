/* mm_empty_fuzzer: does nothing; the engine's own cost per input, the
 * baseline of the exec/s ratios in bench/bench_fuzz.sh. */
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)data;
	(void)size;
	return 0;
}
