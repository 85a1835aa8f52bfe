/* kmm-trace-import — convert tracefs / trace-cmd report / perf script text
 * into a kmmfuzz trace file.
 *
 *   kmm-trace-import [--format auto|tracefs|trace-cmd|perf] [--strict]
 *                    [--max-errors N] [--kernel-release R] [--page-size N]
 *                    [--pointer-size 4|8] [-q] -o OUT.kmt INPUT...
 *
 * Malformed lines are reported as FILE:LINE: what; they are skipped (the
 * summary counts them) or, with --strict, the import stops, the output is
 * removed and the exit status is 1.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"

static int usage(const char *msg, const char *arg)
{
	if (msg)
		fprintf(stderr, "kmm-trace-import: %s%s%s\n", msg, arg ? ": " : "",
			arg ? arg : "");
	fprintf(stderr,
		"usage: kmm-trace-import [--format auto|tracefs|trace-cmd|perf] [--strict]\n"
		"                        [--max-errors N] [--kernel-release R] [--page-size N]\n"
		"                        [--pointer-size 4|8] [-q] -o OUT.kmt INPUT...\n"
		"  INPUT '-' reads stdin.  Malformed lines are reported as FILE:LINE and\n"
		"  skipped; --strict refuses the input instead (exit 1, no output).\n");
	return 2;
}

static int emit_record(void *ctx, const struct kmmt_record *r, const char *comm)
{
	struct kmmt_writer *w = ctx;

	if (r->type != KMMT_LOST && comm[0] &&
	    kmmt_write_task(w, r->pid, r->tid, r->cpu, r->ts_ns, comm))
		return -1;
	return kmmt_write(w, r);
}

static int read_all(const char *path, char **buf, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	size_t cap = 1 << 16, n = 0;
	char *b;

	if (!f)
		return -1;
	b = malloc(cap);
	while (b) {
		size_t got = fread(b + n, 1, cap - n, f);
		n += got;
		if (n < cap) {
			if (ferror(f)) {
				free(b);
				b = NULL;
			}
			break;
		}
		char *nb = realloc(b, cap * 2);
		if (!nb) {
			free(b);
			b = NULL;
			break;
		}
		b = nb;
		cap *= 2;
	}
	if (f != stdin)
		fclose(f);
	*buf = b;
	*len = n;
	return b ? 0 : -1;
}

static enum kmmt_text_format parse_format(const char *s, bool *ok)
{
	*ok = true;
	if (!strcmp(s, "auto"))
		return KMMT_FMT_AUTO;
	if (!strcmp(s, "tracefs") || !strcmp(s, "trace_pipe"))
		return KMMT_FMT_TRACEFS;
	if (!strcmp(s, "trace-cmd"))
		return KMMT_FMT_TRACE_CMD;
	if (!strcmp(s, "perf"))
		return KMMT_FMT_PERF;
	*ok = false;
	return KMMT_FMT_AUTO;
}

static void summary(const struct kmmt_import *im, const char *file)
{
	fprintf(stderr, "kmm-trace-import: %s: %s, %llu lines: %llu records, %llu other "
		"events, %llu ignored, %llu malformed%s\n", file,
		kmmt_format_name(im->detected), (unsigned long long)im->lines,
		(unsigned long long)im->emitted, (unsigned long long)im->other,
		(unsigned long long)im->ignored, (unsigned long long)im->malformed,
		im->malformed ? " (skipped)" : "");
	fprintf(stderr, " ");
	for (unsigned t = 1; t < KMMT_NR_TYPES; t++)
		if (im->events[t])
			fprintf(stderr, " %s=%llu", kmmt_type_name(t),
				(unsigned long long)im->events[t]);
	fprintf(stderr, "\n");
	if (im->nr_other_names) {
		fprintf(stderr, "  other:");
		for (unsigned i = 0; i < im->nr_other_names; i++)
			fprintf(stderr, " %s=%llu", im->other_names[i].name,
				(unsigned long long)im->other_names[i].count);
		fprintf(stderr, "\n");
	}
}

int main(int argc, char **argv)
{
	enum kmmt_text_format fmt = KMMT_FMT_AUTO;
	const char *out = NULL, *release = NULL;
	unsigned long page_size = 4096, ptr_size = 8, max_errors = 20;
	bool strict = false, quiet = false, ok;
	const char **inputs = calloc((size_t)argc, sizeof(char *));
	int nin = 0, rc = 0;
	struct kmmt_header h;
	struct kmmt_writer w;
	FILE *f;

	if (!inputs)
		return 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		char *end;
		if (!strcmp(a, "--format")) {
			if (!v)
				return usage("--format needs a value", NULL);
			fmt = parse_format(v, &ok);
			if (!ok)
				return usage("unknown format", v);
			i++;
		} else if (!strcmp(a, "--strict")) {
			strict = true;
		} else if (!strcmp(a, "-q")) {
			quiet = true;
		} else if (!strcmp(a, "-o")) {
			if (!v)
				return usage("-o needs a file", NULL);
			out = v;
			i++;
		} else if (!strcmp(a, "--kernel-release")) {
			if (!v)
				return usage("--kernel-release needs a value", NULL);
			release = v;
			i++;
		} else if (!strcmp(a, "--page-size") || !strcmp(a, "--pointer-size") ||
			   !strcmp(a, "--max-errors")) {
			unsigned long x;
			if (!v || !*v || ((x = strtoul(v, &end, 0)), *end))
				return usage("expected a number after", a);
			if (!strcmp(a, "--page-size"))
				page_size = x;
			else if (!strcmp(a, "--pointer-size"))
				ptr_size = x;
			else
				max_errors = x;
			i++;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			return usage(NULL, NULL);
		} else if (a[0] == '-' && a[1]) {
			return usage("unknown option", a);
		} else {
			inputs[nin++] = a;
		}
	}
	if (!out || !nin)
		return usage(!out ? "no output file (-o)" : "no input", NULL);

	kmmt_header_init(&h, KMMT_SRC_TRACEFS);
	h.page_size = (uint32_t)page_size;
	h.pointer_size = (uint8_t)ptr_size;
	snprintf(h.tool, sizeof(h.tool), "kmm-trace-import 1.0");
	if (release)
		snprintf(h.kernel_release, sizeof(h.kernel_release), "%s", release);
	f = strcmp(out, "-") ? fopen(out, "w+b") : stdout;
	if (!f) {
		fprintf(stderr, "kmm-trace-import: %s: %s\n", out, strerror(errno));
		return 1;
	}
	if (kmmt_writer_open(&w, f, &h)) {
		fprintf(stderr, "kmm-trace-import: %s: %s\n", out,
			errno == EINVAL ? "bad --page-size or --pointer-size" : strerror(errno));
		if (f != stdout) {
			fclose(f);
			remove(out);
		}
		return errno == EINVAL ? 2 : 1;
	}
	enum kmmt_text_format seen = KMMT_FMT_AUTO;
	unsigned cpus = 0;
	for (int i = 0; i < nin && !rc; i++) {
		struct kmmt_import im;
		char *buf;
		size_t len;
		if (read_all(inputs[i], &buf, &len)) {
			fprintf(stderr, "kmm-trace-import: %s: %s\n", inputs[i], strerror(errno));
			rc = 1;
			break;
		}
		kmmt_import_init(&im, fmt, emit_record, &w);
		im.strict = strict;
		im.max_reported = (unsigned)max_errors;
		im.diag = stderr;
		if (kmmt_import_buffer(&im, inputs[i], buf, len))
			rc = 1;
		if (!quiet || rc)
			summary(&im, inputs[i]);
		if (im.malformed > im.max_reported && !strict)
			fprintf(stderr, "kmm-trace-import: %s: %llu more malformed lines not shown\n",
				inputs[i], (unsigned long long)(im.malformed - im.max_reported));
		if (seen == KMMT_FMT_AUTO)
			seen = im.detected;
		if (im.nr_cpus > cpus)
			cpus = im.nr_cpus;
		if (im.machine[0])
			snprintf(w.hdr.machine, sizeof(w.hdr.machine), "%s", im.machine);
		if (!release && im.kernel_release[0])
			snprintf(w.hdr.kernel_release, sizeof(w.hdr.kernel_release), "%s",
				 im.kernel_release);
		free(buf);
	}
	w.hdr.source = (uint8_t)kmmt_format_source(seen);
	w.hdr.nr_cpus = cpus;
	if (!rc && kmmt_writer_finish(&w, 0)) {
		fprintf(stderr, "kmm-trace-import: %s: %s\n", out, strerror(errno));
		rc = 1;
	}
	kmmt_writer_free(&w);
	if (f != stdout && fclose(f) && !rc) {
		fprintf(stderr, "kmm-trace-import: %s: %s\n", out, strerror(errno));
		rc = 1;
	}
	if (rc && f != stdout) {
		remove(out);
		fprintf(stderr, "kmm-trace-import: refused; %s not written\n", out);
	}
	free(inputs);
	return rc;
}
