/* import_internal.h — what the line splitter (import_line.c) hands to the
 * event parsers (import_events.c). */
#ifndef KMMT_IMPORT_INTERNAL_H
#define KMMT_IMPORT_INTERNAL_H

#include "import.h"

/* A string slice of the input line. */
struct slice {
	const char *p;
	size_t n;
};

enum line_form {
	FORM_FIELDS,               /* "event: k=v k=v" or "event: a: 1, b: 2" */
	FORM_SYS_CALL,             /* tracefs "sys_mmap(addr: 0, ...)" */
	FORM_SYS_RET,              /* tracefs "sys_mmap -> 0x7f..." */
};

struct event_line {
	struct slice comm;
	uint32_t pid, tid;         /* pid 0: not given */
	uint32_t cpu;
	uint64_t ts_ns;
	struct slice event;        /* without the "subsys:" prefix */
	struct slice body;
	enum line_form form;
};

/* 1: *r filled; 0: an event the trace does not keep; -1: malformed (err). */
int kmmt_parse_event(struct kmmt_import *im, const struct event_line *l,
		     struct kmmt_record *r, char *err, size_t esz);

#endif
