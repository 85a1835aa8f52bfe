/* kmm-fmt — convert programs between binary and text; print the
 * dictionaries and the op reference generated from the op table.
 *
 *   kmm-fmt [--target T] [--to-text|--to-binary] [-o OUT] FILE
 *   kmm-fmt --dict [--text] [--target T]
 *   kmm-fmt --reference
 * Without --to-*, text becomes binary and binary becomes text.
 * Exit 0 ok, 2 unusable input or usage.
 */
#include <stdlib.h>
#include <string.h>
#include "common.h"

static int usage(void)
{
	fprintf(stderr, "usage: kmm-fmt [--target T] [--to-text|--to-binary] "
			"[-o OUT] FILE\n       kmm-fmt --dict [--text] [--target T]\n"
			"       kmm-fmt --reference\n");
	return 2;
}

int main(int argc, char **argv)
{
	const struct opl_target *t = opl_target_all();
	const char *in = NULL, *out = NULL;
	int to = -1;            /* -1 auto, 0 text, 1 binary */
	bool dict = false, dict_text = false;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--target") && i + 1 < argc) {
			if (!(t = target_arg(argv[++i])))
				return 2;
		} else if (!strcmp(argv[i], "--to-text")) {
			to = 0;
		} else if (!strcmp(argv[i], "--to-binary")) {
			to = 1;
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			out = argv[++i];
		} else if (!strcmp(argv[i], "--dict")) {
			dict = true;
		} else if (!strcmp(argv[i], "--text")) {
			dict_text = true;
		} else if (!strcmp(argv[i], "--reference")) {
			opl_print_reference(stdout);
			return 0;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return usage();
		} else {
			in = argv[i];
		}
	}
	FILE *f = out ? fopen(out, "wb") : stdout;
	if (!f) {
		perror(out);
		return 2;
	}
	if (dict) {
		opl_print_dict(f, t, dict_text);
		return 0;
	}
	if (!in)
		return usage();
	static struct opl_prog prog;
	static struct opl_scratch scratch;
	struct opl_prog *p = &prog;
	struct opl_scratch *s = &scratch;
	char err[512];
	bool was_text;
	if (load_program(in, t, FMT_AUTO, p, s, &was_text, err, sizeof(err))) {
		fprintf(stderr, "kmm-fmt: %s\n", err);
		return 2;
	}
	if (to < 0)
		to = was_text;
	if (to) {
		static uint8_t buf[1 << 20];
		long n = opl_encode(t, p, buf, sizeof(buf), s);
		if (n < 0) {
			fprintf(stderr, "kmm-fmt: %s: cannot encode for %s\n", in, t->name);
			return 2;
		}
		fwrite(buf, 1, (size_t)n, f);
	} else {
		opl_print(f, p, p->n);
	}
	if (f != stdout && fclose(f)) {
		perror(out);
		return 2;
	}
	return 0;
}
