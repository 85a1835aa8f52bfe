/* kmm-trace-dump — print a kmmfuzz trace file as text, or check it.
 *
 *   kmm-trace-dump [--summary | --check] FILE
 *
 * The whole file is validated as it is read; the first malformed byte is
 * reported as "FILE: offset N: what" and the exit status is 1.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "trace_format.h"

int main(int argc, char **argv)
{
	const char *path = NULL;
	bool summary = false, check = false;
	struct kmmt_reader rd;
	struct kmmt_record *r;
	struct kmmt_error err;
	uint64_t counts[KMMT_NR_TYPES] = {0}, lost = 0;
	uint8_t *data;
	size_t len;
	int ret;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--summary"))
			summary = true;
		else if (!strcmp(argv[i], "--check"))
			check = true;
		else if (argv[i][0] == '-' && argv[i][1])
			path = NULL, i = argc;
		else if (!path)
			path = argv[i];
		else
			path = NULL, i = argc;
	}
	if (!path) {
		fprintf(stderr, "usage: kmm-trace-dump [--summary | --check] FILE\n");
		return 2;
	}
	if (kmmt_read_file(path, &data, &len, &err)) {
		fprintf(stderr, "kmm-trace-dump: %s\n", err.msg);
		return 1;
	}
	r = malloc(sizeof(*r));
	if (!r) {
		free(data);
		return 1;
	}
	if (kmmt_reader_init(&rd, data, len, &err)) {
		fprintf(stderr, "kmm-trace-dump: %s: offset %zu: %s\n", path, err.offset, err.msg);
		free(r);
		free(data);
		return 1;
	}
	if (!check)
		kmmt_dump_header(stdout, &rd.hdr);
	while ((ret = kmmt_reader_next(&rd, r, &err)) > 0) {
		counts[r->type]++;
		if (r->type == KMMT_LOST)
			lost += r->lost.count;
		if (!summary && !check)
			kmmt_dump_record(stdout, r);
	}
	if (ret < 0) {
		fflush(stdout);
		fprintf(stderr, "kmm-trace-dump: %s: offset %zu: %s\n", path, err.offset, err.msg);
		free(r);
		free(data);
		return 1;
	}
	if (summary || check) {
		printf("records=%" PRIu64, rd.records);
		for (unsigned t = 1; t < KMMT_NR_TYPES; t++)
			printf(" %s=%" PRIu64, kmmt_type_name(t), counts[t]);
		printf(" lost_events=%" PRIu64 "\n", lost);
	}
	free(r);
	free(data);
	return 0;
}
