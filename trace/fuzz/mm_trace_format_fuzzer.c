/* mm_trace_format_fuzzer — the trace-file reader on arbitrary bytes.
 *
 * Besides surviving any input under ASan/UBSan, every record the reader
 * accepts must encode back to exactly the bytes it was read from: the
 * reader may not accept anything the writer could not have written. */
#include <stdlib.h>
#include <string.h>

#include "trace_format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kmmt_record r;
	static uint8_t buf[KMMT_REC_MAX];
	struct kmmt_reader rd;
	struct kmmt_error err;
	size_t at;
	int ret;

	if (kmmt_reader_init(&rd, data, size, &err)) {
		if (err.offset > size || !err.msg[0])
			abort();
		return 0;
	}
	for (;;) {
		at = rd.pos;
		ret = kmmt_reader_next(&rd, &r, &err);
		if (ret <= 0)
			break;
		/* the record just read ends at rd.pos (records of unknown kinds
		 * from a newer minor version may have been skipped before it) */
		size_t n = kmmt_encode(&r, buf, NULL, 0);
		if (!n || n > rd.pos - at || memcmp(buf, data + rd.pos - n, n))
			abort();   /* accepted bytes the writer would not produce */
	}
	if (ret < 0 && (err.offset > size || !err.msg[0]))
		abort();
	return 0;
}
