/* import_line.c — splitting a text trace line into task, cpu, timestamp,
 * event and body, for the three text formats:
 *
 *   tracefs trace / trace_pipe (and trace-cmd report, same prefix):
 *     "   bash-1234    [001] d..1.  1279.647897: kmalloc: call_site=..."
 *     "   bash-1234    (   1234) [001] .....  1279.64: ..."   (record-tgid)
 *     "  <idle>-0      [001]  1279.647897: ..."              (no irq-info)
 *   perf script:
 *     "   bash  1234 [001]  1384.900687:   kmem:kmalloc: call_site=..."
 *     "   bash  1234/1236 [001] ..."                          (-F pid,tid)
 *
 * plus the lines around events: "# ..." comments and headers, "cpus=N"
 * (trace-cmd), "CPU:N [LOST M EVENTS]" (ring-buffer overruns, recorded as
 * LOST), ftrace stack-trace lines " => func" and perf callchain lines.
 */
#include <ctype.h>
#include <string.h>

#include "import_internal.h"

const char *kmmt_format_name(enum kmmt_text_format f)
{
	switch (f) {
	case KMMT_FMT_AUTO:
		return "auto";
	case KMMT_FMT_TRACEFS:
		return "tracefs";
	case KMMT_FMT_TRACE_CMD:
		return "trace-cmd";
	case KMMT_FMT_PERF:
		return "perf";
	}
	return "?";
}

enum kmmt_source kmmt_format_source(enum kmmt_text_format f)
{
	switch (f) {
	case KMMT_FMT_TRACE_CMD:
		return KMMT_SRC_TRACE_CMD;
	case KMMT_FMT_PERF:
		return KMMT_SRC_PERF;
	default:
		return KMMT_SRC_TRACEFS;
	}
}

void kmmt_import_init(struct kmmt_import *im, enum kmmt_text_format fmt, kmmt_emit_fn emit,
		      void *ctx)
{
	memset(im, 0, sizeof(*im));
	im->format = fmt;
	im->detected = fmt;
	im->max_reported = 20;
	im->emit = emit;
	im->ctx = ctx;
}

static bool isdig(char c)
{
	return c >= '0' && c <= '9';
}

static bool starts(const char *s, size_t n, const char *lit)
{
	size_t l = strlen(lit);
	return n >= l && !memcmp(s, lit, l);
}

/* decimal, at most 10 digits, into *out (<= UINT32_MAX) */
static bool dec32(const char *s, size_t n, uint32_t *out)
{
	uint64_t x = 0;

	if (!n || n > 10)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!isdig(s[i]))
			return false;
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	if (x > UINT32_MAX)
		return false;
	*out = (uint32_t)x;
	return true;
}

static void other_event(struct kmmt_import *im, struct slice e)
{
	size_t n = e.n < 39 ? e.n : 39;

	im->other++;
	for (unsigned i = 0; i < im->nr_other_names; i++) {
		if (strlen(im->other_names[i].name) == n &&
		    !memcmp(im->other_names[i].name, e.p, n)) {
			im->other_names[i].count++;
			return;
		}
	}
	if (im->nr_other_names < KMMT_IMPORT_MAX_OTHER) {
		memcpy(im->other_names[im->nr_other_names].name, e.p, n);
		im->other_names[im->nr_other_names].name[n] = 0;
		im->other_names[im->nr_other_names++].count = 1;
	}
}

static int malformed(struct kmmt_import *im, const char *what)
{
	im->malformed++;
	snprintf(im->last_error, sizeof(im->last_error), "%s:%lu: %s",
		 im->file ? im->file : "<input>", im->line, what);
	if (im->diag && (im->strict || im->malformed <= im->max_reported))
		fprintf(im->diag, "%s\n", im->last_error);
	return -1;
}

static int emit(struct kmmt_import *im, const struct kmmt_record *r, const char *comm)
{
	im->emitted++;
	im->events[r->type]++;
	if (r->type == KMMT_LOST)
		im->lost += r->lost.count;
	if (im->emit && im->emit(im->ctx, r, comm)) {
		snprintf(im->last_error, sizeof(im->last_error), "%s:%lu: cannot write the record",
			 im->file ? im->file : "<input>", im->line);
		if (im->diag)
			fprintf(im->diag, "%s\n", im->last_error);
		return -2;
	}
	return 0;
}

/* "CPU:1 [LOST 123 EVENTS]", "CPU:1 [LOST EVENTS]", "CPU:1 [123 EVENTS DROPPED]" */
static int lost_line(struct kmmt_import *im, const char *s, size_t n)
{
	struct kmmt_record r;
	size_t i = 4, d;
	uint32_t cpu, count = 1;
	char comm[1] = "";

	d = i;
	while (i < n && isdig(s[i]))
		i++;
	if (!dec32(s + d, i - d, &cpu) || !starts(s + i, n - i, " ["))
		return malformed(im, "malformed lost-events line");
	i += 2;
	if (starts(s + i, n - i, "LOST ")) {
		i += 5;
		d = i;
		while (i < n && isdig(s[i]))
			i++;
		if (i > d) {
			if (!dec32(s + d, i - d, &count) || !starts(s + i, n - i, " "))
				return malformed(im, "malformed lost-events count");
			i++;
		}
		if (!starts(s + i, n - i, "EVENTS]") || i + 7 != n)
			return malformed(im, "malformed lost-events line");
	} else {
		d = i;
		while (i < n && isdig(s[i]))
			i++;
		if (!dec32(s + d, i - d, &count) || !starts(s + i, n - i, " EVENTS DROPPED]") ||
		    i + 16 != n)
			return malformed(im, "malformed lost-events line");
	}
	if (!count)
		return 0;
	memset(&r, 0, offsetof(struct kmmt_record, alloc) + sizeof(r.alloc));
	r.type = KMMT_LOST;
	r.cpu = cpu;
	r.lost.count = count;
	return emit(im, &r, comm);
}

/* Lines that are not events: 1 ignored, 2 a LOST record, 0 not one of
 * them, -1/-2 error. */
static int meta_line(struct kmmt_import *im, const char *s, size_t n)
{
	if (s[0] == '#') {
		const char *p;
		/* tracefs: "# entries-in-buffer/entries-written: 1526/1526   #P:2" */
		if ((p = memchr(s + 1, '#', n - 1)) && starts(p, n - (size_t)(p - s), "#P:")) {
			uint32_t c;
			size_t k = (size_t)(p - s) + 3, e = k;
			while (e < n && isdig(s[e]))
				e++;
			if (dec32(s + k, e - k, &c) && c && c <= 65536)
				im->nr_cpus = c;
		}
		/* perf script --header: "# os release : 6.1.0-13-amd64" */
		if (starts(s, n, "# os release : ")) {
			size_t k = 15, l = n - k;
			if (l >= KMMT_RELEASE_LEN)
				l = KMMT_RELEASE_LEN - 1;
			memcpy(im->kernel_release, s + k, l);
			im->kernel_release[l] = 0;
		}
		if (starts(s, n, "# arch : ")) {
			size_t k = 9, l = n - k;
			if (l >= KMMT_MACHINE_LEN)
				l = KMMT_MACHINE_LEN - 1;
			memcpy(im->machine, s + k, l);
			im->machine[l] = 0;
		}
		if (starts(s, n, "# tracer:") && im->format == KMMT_FMT_AUTO &&
		    im->detected == KMMT_FMT_AUTO)
			im->detected = KMMT_FMT_TRACEFS;
		return 1;
	}
	if (starts(s, n, "cpus=")) {
		uint32_t c;
		if (!dec32(s + 5, n - 5, &c) || !c || c > 65536)
			return malformed(im, "malformed cpus= line");
		im->nr_cpus = c;
		if (im->format == KMMT_FMT_AUTO && im->detected == KMMT_FMT_AUTO)
			im->detected = KMMT_FMT_TRACE_CMD;
		return 1;
	}
	if (starts(s, n, "version = ") || (starts(s, n, "CPU ") && n > 9 &&
					    !memcmp(s + n - 9, " is empty", 9)))
		return 1;
	if (starts(s, n, "CPU:")) {
		int ret = lost_line(im, s, n);
		return ret ? ret : 2;
	}
	/* ftrace stacktrace option: " => func+0x1a/0x80" */
	if (starts(s, n, "=> ") || starts(s, n, "<stack trace>"))
		return 1;
	return 0;
}

/* perf callchain line: "ffffffff8112d6e5 kmalloc_trace+0x25 ([kernel.kallsyms])" */
static bool callchain_line(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && isxdigit((unsigned char)s[i]))
		i++;
	return i >= 4 && i < n && s[i] == ' ' && s[n - 1] == ')' && memchr(s + i, '(', n - i);
}

/* "1279.647897:" → ns; up to 9 fraction digits. */
static bool timestamp(const char *s, size_t n, uint64_t *ns)
{
	uint64_t sec = 0, frac = 0;
	size_t i = 0, f;

	while (i < n && isdig(s[i])) {
		if (i >= 11)
			return false;
		sec = sec * 10 + (uint64_t)(s[i] - '0');
		i++;
	}
	if (!i || i + 2 > n || s[i] != '.')
		return false;
	f = ++i;
	while (i < n && isdig(s[i])) {
		if (i - f >= 9)
			return false;
		frac = frac * 10 + (uint64_t)(s[i] - '0');
		i++;
	}
	if (i == f || i + 1 != n || s[i] != ':')
		return false;
	for (size_t k = i - f; k < 9; k++)
		frac *= 10;
	*ns = sec * 1000000000u + frac;
	return true;
}

static bool ident(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Splits an event line; -1 with what set when it is not one. */
static int split_line(struct kmmt_import *im, const char *s, size_t n, struct event_line *l,
		      const char **what)
{
	size_t k = 0, i = 0, left_end, tok, e;
	enum kmmt_text_format fmt;

	memset(l, 0, sizeof(*l));
	/* the cpu field: " [NNN] " */
	for (k = 1; k < n; k++) {
		if (s[k] != '[' || s[k - 1] != ' ')
			continue;
		for (i = k + 1; i < n && isdig(s[i]); i++)
			;
		if (i > k + 1 && i + 1 < n && s[i] == ']' && s[i + 1] == ' ')
			break;
	}
	if (k >= n) {
		*what = "not an event line (no [cpu] field)";
		return -1;
	}
	if (!dec32(s + k + 1, i - k - 1, &l->cpu) || l->cpu > 65535) {
		*what = "cpu number out of range";
		return -1;
	}
	/* the task: "comm-tid [( tgid)]" or "comm tid[/tid]" */
	left_end = k - 1;
	while (left_end && s[left_end - 1] == ' ')
		left_end--;
	if (left_end && s[left_end - 1] == ')') {
		const char *o = NULL;
		for (size_t q = left_end - 1; q-- > 0;)
			if (s[q] == '(') {
				o = s + q;
				break;
			}
		if (!o) {
			*what = "unbalanced tgid column";
			return -1;
		}
		const char *t = o + 1, *te = s + left_end - 1;
		while (t < te && *t == ' ')
			t++;
		if (t < te && *t != '-' && !dec32(t, (size_t)(te - t), &l->pid)) {
			*what = "malformed tgid column";
			return -1;
		}
		left_end = (size_t)(o - s);
		while (left_end && s[left_end - 1] == ' ')
			left_end--;
	}
	for (i = left_end; i > 0 && (isdig(s[i - 1]) || s[i - 1] == '/'); i--)
		;
	if (i == left_end || i == 0) {
		*what = "no task id before the [cpu] field";
		return -1;
	}
	fmt = s[i - 1] == '-' ? KMMT_FMT_TRACEFS : s[i - 1] == ' ' ? KMMT_FMT_PERF : KMMT_FMT_AUTO;
	if (fmt == KMMT_FMT_AUTO) {
		*what = "no task id before the [cpu] field";
		return -1;
	}
	{
		const char *id = s + i, *slash = memchr(id, '/', left_end - i);
		if (slash) {
			if (fmt != KMMT_FMT_PERF || !dec32(id, (size_t)(slash - id), &l->pid) ||
			    !dec32(slash + 1, (size_t)(s + left_end - slash - 1), &l->tid)) {
				*what = "malformed pid/tid";
				return -1;
			}
		} else if (!dec32(id, left_end - i, &l->tid)) {
			*what = "malformed task id";
			return -1;
		}
	}
	{
		size_t cs = 0, ce = i - 1;
		while (cs < ce && s[cs] == ' ')
			cs++;
		while (ce > cs && s[ce - 1] == ' ')
			ce--;
		l->comm.p = s + cs;
		l->comm.n = ce - cs;
	}
	/* the format: tracefs and trace-cmd share the prefix */
	if (im->detected == KMMT_FMT_AUTO) {
		im->detected = fmt;
	} else if ((im->detected == KMMT_FMT_PERF) != (fmt == KMMT_FMT_PERF)) {
		*what = fmt == KMMT_FMT_PERF ? "perf-style task column in a tracefs/trace-cmd file"
					     : "tracefs-style task column in a perf file";
		return -1;
	}
	/* after "[cpu]": optional flags, then the timestamp */
	for (i = k; s[i] != ']'; i++)
		;
	i++;
	while (i < n && s[i] == ' ')
		i++;
	tok = i;
	while (i < n && s[i] != ' ')
		i++;
	if (!timestamp(s + tok, i - tok, &l->ts_ns)) {
		/* irq-info flags "d..1." (1-8 of [A-Za-z0-9.]) */
		for (size_t q = tok; q < i; q++)
			if (!isalnum((unsigned char)s[q]) && s[q] != '.') {
				*what = "malformed flags or timestamp";
				return -1;
			}
		if (i - tok > 8) {
			*what = "malformed flags or timestamp";
			return -1;
		}
		while (i < n && s[i] == ' ')
			i++;
		tok = i;
		while (i < n && s[i] != ' ')
			i++;
		if (!timestamp(s + tok, i - tok, &l->ts_ns)) {
			*what = "malformed timestamp";
			return -1;
		}
	}
	while (i < n && s[i] == ' ')
		i++;
	/* the event: "name:", "subsys:name:", tracefs "sys_x(...)", "sys_x -> r" */
	e = i;
	while (i < n && ident(s[i]))
		i++;
	if (i == e || i >= n) {
		*what = "no event name";
		return -1;
	}
	if (s[i] == ':' && i + 1 < n && ident(s[i + 1])) {
		/* perf "kmem:kmalloc:" */
		e = ++i;
		while (i < n && ident(s[i]))
			i++;
		if (i >= n || s[i] != ':') {
			*what = "malformed subsystem:event name";
			return -1;
		}
	}
	l->event.p = s + e;
	l->event.n = i - e;
	if (s[i] == ':') {
		i++;
		while (i < n && s[i] == ' ')
			i++;
		l->form = FORM_FIELDS;
		l->body.p = s + i;
		l->body.n = n - i;
		return 0;
	}
	if (s[i] == '(' && s[n - 1] == ')') {
		l->form = FORM_SYS_CALL;
		l->body.p = s + i + 1;
		l->body.n = n - i - 2;
		return 0;
	}
	if (starts(s + i, n - i, " -> ")) {
		l->form = FORM_SYS_RET;
		l->body.p = s + i + 4;
		l->body.n = n - i - 4;
		return 0;
	}
	*what = "no ':' after the event name";
	return -1;
}

int kmmt_import_line(struct kmmt_import *im, const char *s, size_t n)
{
	struct event_line l;
	struct kmmt_record r;
	const char *what = NULL;
	char err[200], msg[240], comm[KMMT_COMM_LEN];
	int ret;

	im->line++;
	im->lines++;
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	while (n && (s[0] == ' ' || s[0] == '\t')) {
		s++;
		n--;
	}
	if (!n) {
		im->ignored++;
		return 0;
	}
	if (memchr(s, 0, n))
		return malformed(im, "NUL byte in the line");
	ret = meta_line(im, s, n);
	if (ret == 1) {
		im->ignored++;
		return 0;
	}
	if (ret == 2)
		return 0;
	if (ret < 0)
		return ret;
	if (im->detected == KMMT_FMT_PERF && callchain_line(s, n)) {
		im->ignored++;
		return 0;
	}
	if (split_line(im, s, n, &l, &what))
		return malformed(im, what);
	if (l.cpu > im->max_cpu)
		im->max_cpu = l.cpu;
	ret = kmmt_parse_event(im, &l, &r, err, sizeof(err));
	if (ret == 0) {
		other_event(im, l.event);
		return 0;
	}
	if (ret < 0) {
		snprintf(msg, sizeof(msg), "malformed %.*s line: %s", (int)(l.event.n > 40 ? 40 : l.event.n),
			 l.event.p, err);
		return malformed(im, msg);
	}
	if (l.comm.n >= KMMT_COMM_LEN || memchr(l.comm.p, 0, l.comm.n)) {
		/* the kernel's comm is at most 15 bytes; "<...>" means unknown */
		return malformed(im, "task name longer than a kernel comm");
	}
	memcpy(comm, l.comm.p, l.comm.n);
	comm[l.comm.n] = 0;
	if (!strcmp(comm, "<...>"))
		comm[0] = 0;
	{
		char vmsg[160];
		uint8_t buf[KMMT_REC_MAX];
		if (!kmmt_encode(&r, buf, vmsg, sizeof(vmsg))) {
			snprintf(msg, sizeof(msg), "malformed %.*s line: %s",
				 (int)(l.event.n > 40 ? 40 : l.event.n), l.event.p, vmsg);
			return malformed(im, msg);
		}
	}
	return emit(im, &r, comm);
}

int kmmt_import_buffer(struct kmmt_import *im, const char *file, const char *buf, size_t len)
{
	size_t i = 0;

	im->file = file;
	im->line = 0;
	while (i < len) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - buf) : len;
		int ret = kmmt_import_line(im, buf + i, e - i);
		if (ret == -2 || (ret < 0 && im->strict))
			return -1;
		i = e + 1;
	}
	if (!im->nr_cpus && (im->emitted || im->other))
		im->nr_cpus = im->max_cpu + 1;
	return 0;
}
