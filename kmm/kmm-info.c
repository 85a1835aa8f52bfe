/* kmm-info — boot a machine and print its layout, zones and watermarks,
 * as the kernel prints them at boot.
 *
 *   kmm-info [--preset tiny|classic] [--ram MiB] [--pae|--no-pae]
 *            [--vmalloc MiB] [--cpus N] [--min-free-kbytes N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kmm/kmm.h"

static int usage(const char *msg, const char *arg)
{
	fprintf(stderr, "kmm-info: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
	fprintf(stderr, "usage: kmm-info [--preset tiny|classic] [--ram MiB] "
			"[--pae|--no-pae] [--vmalloc MiB] [--cpus N] "
			"[--min-free-kbytes N]\n");
	return 2;
}

static int number(const char *s, unsigned long long *out)
{
	char *end;

	if (!s || !*s)
		return -1;
	*out = strtoull(s, &end, 0);
	return *end ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct kmm_config c;
	unsigned long long v;

	kmm_config_preset(&c, "tiny");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--pae")) {
			c.pae = true;
		} else if (!strcmp(a, "--no-pae")) {
			c.pae = false;
		} else if (!strcmp(a, "--preset")) {
			bool pae = c.pae;
			if (!val || kmm_config_preset(&c, val))
				return usage("unknown preset", val);
			c.pae = pae;
			i++;
		} else if (!strcmp(a, "--ram") || !strcmp(a, "--vmalloc") ||
			   !strcmp(a, "--cpus") || !strcmp(a, "--min-free-kbytes")) {
			if (number(val, &v))
				return usage("expected a number after", a);
			if (!strcmp(a, "--ram"))
				c.ram_bytes = v << 20;
			else if (!strcmp(a, "--vmalloc"))
				c.vmalloc_param = v << 20;
			else if (!strcmp(a, "--cpus"))
				c.nr_cpus = (unsigned)v;
			else
				c.min_free_kbytes = (unsigned long)v;
			i++;
		} else {
			return usage("unknown argument", a);
		}
	}
	char err[256];
	struct kmm *k = kmm_create(&c, err, sizeof(err));
	if (!k) {
		fprintf(stderr, "kmm-info: %s\n", err);
		return 1;
	}
	kmm_print_info(k, stdout);
	kmm_check(k);
	kmm_destroy(k);
	return 0;
}
