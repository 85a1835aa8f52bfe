/* mm_trace_{tracefs,trace_cmd,perf}_fuzzer — one text importer on
 * arbitrary text (KMMT_FUZZ_FORMAT picks which, at build time).
 *
 * Every record an importer emits must be one the trace file accepts
 * (kmmt_encode validates it), and its text form must print. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"

#ifndef KMMT_FUZZ_FORMAT
#define KMMT_FUZZ_FORMAT KMMT_FMT_TRACEFS
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int check(void *ctx, const struct kmmt_record *r, const char *comm)
{
	static uint8_t buf[KMMT_REC_MAX];
	FILE *null = ctx;

	if (!kmmt_encode(r, buf, NULL, 0) || strlen(comm) >= KMMT_COMM_LEN)
		abort();
	kmmt_dump_record(null, r);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	struct kmmt_import im;

	if (!null)
		null = fopen("/dev/null", "w");
	kmmt_import_init(&im, KMMT_FUZZ_FORMAT, check, null);
	kmmt_import_buffer(&im, "fuzz", (const char *)data, size);
	if (im.malformed && !im.last_error[0])
		abort();   /* a malformed line always says what and where */
	return 0;
}
