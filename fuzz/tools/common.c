/* fuzz/tools/common.c — loading programs for the command-line tools. */
#include <stdlib.h>
#include <string.h>
#include "common.h"

uint8_t *read_all(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	uint8_t *buf = NULL;
	size_t cap = 0, got;

	*len = 0;
	if (!f)
		return NULL;
	do {
		if (*len == cap && !(buf = realloc(buf, cap = cap ? 2 * cap : 4096)))
			abort();
		got = fread(buf + *len, 1, cap - *len, f);
		*len += got;
	} while (got);
	if (f != stdin)
		fclose(f);
	return buf;
}

const struct opl_target *target_arg(const char *name)
{
	char full[64];
	const struct opl_target *t = opl_target(name);

	if (!t) {
		snprintf(full, sizeof(full), "%s_fuzzer", name);
		t = opl_target(full);
	}
	if (!t) {
		fprintf(stderr, "unknown target '%s'; targets:", name);
		for (unsigned int i = 0; opl_target_names[i]; i++)
			fprintf(stderr, " %s", opl_target_names[i]);
		fprintf(stderr, "\n");
	}
	return t;
}

int load_program(const char *path, const struct opl_target *t,
		 enum prog_fmt fmt, struct opl_prog *p, struct opl_scratch *s,
		 bool *was_text, char *err, size_t errlen)
{
	size_t len;
	uint8_t *d = read_all(path, &len);

	if (!d) {
		snprintf(err, errlen, "%s: cannot read", path);
		return -1;
	}
	bool text = fmt == FMT_TEXT || (fmt == FMT_AUTO && opl_is_text(d, len));
	int rc = 0;
	if (text) {
		char why[256];
		rc = opl_parse(t, (const char *)d, len, p, s, why, sizeof(why));
		if (rc)
			snprintf(err, errlen, "%s: %s", path, why);
	} else {
		opl_decode(t, d, len, p, s);
	}
	if (was_text)
		*was_text = text;
	free(d);
	return rc;
}
