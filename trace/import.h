/* import.h — text importers: tracefs trace/trace_pipe, trace-cmd report and
 * perf script output, converted into trace records (trace_format.h).
 *
 * One line is one event.  Lines of events the trace does not keep
 * (rss_stat, sched_switch, ...) are counted as "other"; comments, headers and
 * blank lines are ignored; a line that names a kept event but does not parse
 * completely, or that is not an event line at all, is malformed: it is
 * reported with file:line and either skipped or, in strict mode, stops the
 * import.  Nothing is guessed: a field that does not parse is an error.
 */
#ifndef KMMT_IMPORT_H
#define KMMT_IMPORT_H

#include "trace_format.h"

enum kmmt_text_format {
	KMMT_FMT_AUTO = 0,         /* decided by the first event line */
	KMMT_FMT_TRACEFS,          /* "comm-tid [cpu] flags ts: event: fields" */
	KMMT_FMT_TRACE_CMD,        /* the same prefix, "cpus=N" header */
	KMMT_FMT_PERF,             /* "comm tid [cpu] ts: subsys:event: fields" */
};

/* Called for every imported record with the comm of its task (may be ""). */
typedef int (*kmmt_emit_fn)(void *ctx, const struct kmmt_record *r, const char *comm);

#define KMMT_IMPORT_MAX_OTHER 48

struct kmmt_import {
	/* options */
	enum kmmt_text_format format;
	bool strict;               /* stop at the first malformed line */
	unsigned max_reported;     /* malformed lines printed to diag */
	FILE *diag;                /* NULL: report nothing */
	kmmt_emit_fn emit;
	void *ctx;

	/* state */
	enum kmmt_text_format detected;
	const char *file;
	unsigned long line;
	char last_error[256];      /* "file:line: what" of the last malformed line */

	/* what the text said about the capture */
	unsigned nr_cpus;          /* from "#P:N" / "cpus=N", else max cpu + 1 */
	unsigned max_cpu;
	char kernel_release[KMMT_RELEASE_LEN];   /* perf --header "# os release" */
	char machine[KMMT_MACHINE_LEN];          /* perf --header "# arch" */
	bool hashed;               /* some pointers were hashed */

	/* counts */
	uint64_t lines, ignored, malformed, other, emitted;
	uint64_t events[KMMT_NR_TYPES];
	uint64_t lost;
	struct {
		char name[40];
		uint64_t count;
	} other_names[KMMT_IMPORT_MAX_OTHER];
	unsigned nr_other_names;
};

void kmmt_import_init(struct kmmt_import *im, enum kmmt_text_format fmt,
		      kmmt_emit_fn emit, void *ctx);
/* One line (no newline needed).  0: imported or ignored; -1: malformed
 * (reported); -2: the emit callback failed. */
int kmmt_import_line(struct kmmt_import *im, const char *line, size_t len);
/* All lines of buf; file names the input in reports.  Returns 0, or -1
 * when strict and a line was malformed (or emit failed). */
int kmmt_import_buffer(struct kmmt_import *im, const char *file, const char *buf,
		       size_t len);

const char *kmmt_format_name(enum kmmt_text_format f);
enum kmmt_source kmmt_format_source(enum kmmt_text_format f);

#endif
