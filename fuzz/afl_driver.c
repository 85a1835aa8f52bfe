/* fuzz/afl_driver.c — AFL++ persistent-mode driver with shared-memory test
 * cases (built with afl-clang-fast).  The target is initialized (machines
 * booted) before __AFL_INIT, so the fork server starts from a warm state
 * and every iteration runs from a reset machine.  With file arguments it
 * runs them once, for reproducing crashes outside afl-fuzz. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "harness.h"

__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

__AFL_FUZZ_INIT();

static int run_files(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		static uint8_t buf[1 << 20];
		if (!f) {
			perror(argv[i]);
			return 2;
		}
		size_t n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		LLVMFuzzerTestOneInput(buf, n);
	}
	return 0;
}

int main(int argc, char **argv)
{
	setenv("KMM_FUZZ_BOOT_ALL", "1", 0);
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	if (argc > 1 && argv[1][0] != '-')
		return run_files(argc, argv);
#ifdef __AFL_HAVE_MANUAL_CONTROL
	__AFL_INIT();
#endif
	unsigned char *buf = __AFL_FUZZ_TESTCASE_BUF;
	while (__AFL_LOOP(100000)) {
		int len = __AFL_FUZZ_TESTCASE_LEN;
		LLVMFuzzerTestOneInput(buf, (size_t)len);
	}
	return 0;
}
