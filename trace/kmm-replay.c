/* kmm-replay — replay a captured trace on a simulated machine and report
 * what matched and what diverged from the real kernel.
 *
 *   kmm-replay [--preset tiny|classic] [--pae] [--cpus N] [--json]
 *              [--parts pages,slab,mm] [--check-every N] [--pointer-size 4|8]
 *              [--emit-corpus DIR] [--no-oracle] [--max-ops N]
 *              [--repeat N] TRACE
 *
 * TRACE is a kmmfuzz trace file, or tracefs / trace-cmd / perf text (read
 * through the importer, malformed lines skipped and reported).  The parts
 * (replay.h) are the page allocator, the slab allocator, and processes with
 * their syscalls and faults; all by default.  --check-every runs the
 * invariant sweep every N records (1000 by default; 0: at the end only).
 * The buddy and slab events also become op programs that run under the
 * oracle (unless --no-oracle) and, with --emit-corpus DIR, are written to
 * DIR as seeds for the fuzz targets.  --repeat replays N times on a reset
 * machine (the programs are made and run once) and prints the throughput
 * on stderr.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "import.h"
#include "replay.h"

static int usage(const char *msg, const char *arg)
{
	if (msg)
		fprintf(stderr, "kmm-replay: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
	fprintf(stderr, "usage: kmm-replay [--preset tiny|classic] [--pae] [--cpus N] [--json]\n"
			"                  [--parts pages,slab,mm] [--check-every N] "
			"[--pointer-size 4|8]\n"
			"                  [--emit-corpus DIR] [--no-oracle] [--max-ops N] "
			"[--repeat N] TRACE\n");
	return 2;
}

static int replay_one(void *ctx, const struct kmmt_record *r, const char *comm)
{
	(void)comm;
	kmmt_replay_record(ctx, r);
	return 0;
}

/* 0 done, -1 the trace file is malformed (reported) */
static int run(struct kmmt_replay *rp, const char *path, const uint8_t *data, size_t len,
	       bool report_text)
{
	if (len >= 8 && !memcmp(data, KMMT_MAGIC, 8)) {
		struct kmmt_record *r = malloc(sizeof(*r));
		struct kmmt_reader rd;
		struct kmmt_error err;
		int ret;
		if (!r)
			return -1;
		if (kmmt_reader_init(&rd, data, len, &err)) {
			fprintf(stderr, "kmm-replay: %s: offset %zu: %s\n", path, err.offset, err.msg);
			free(r);
			return -1;
		}
		while ((ret = kmmt_reader_next(&rd, r, &err)) == 1)
			kmmt_replay_record(rp, r);
		free(r);
		if (ret < 0) {
			fprintf(stderr, "kmm-replay: %s: offset %zu: %s (replayed up to there)\n",
				path, err.offset, err.msg);
			return -1;
		}
		return 0;
	}
	struct kmmt_import im;
	kmmt_import_init(&im, KMMT_FMT_AUTO, replay_one, rp);
	im.diag = report_text ? stderr : NULL;
	kmmt_import_buffer(&im, path, (const char *)data, len);
	if (report_text && im.malformed)
		fprintf(stderr, "kmm-replay: %s: %llu malformed lines skipped\n", path,
			(unsigned long long)im.malformed);
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* the trace file's header, if it is one */
static bool header_of(const uint8_t *data, size_t len, struct kmmt_header *h)
{
	struct kmmt_reader rd;
	struct kmmt_error err;

	if (len < 8 || memcmp(data, KMMT_MAGIC, 8) || kmmt_reader_init(&rd, data, len, &err))
		return false;
	*h = rd.hdr;
	return true;
}

static int parse_parts(const char *v, unsigned int *parts)
{
	char buf[64], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", v);
	*parts = 0;
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (!strcmp(t, "pages"))
			*parts |= KMMT_PART_PAGES;
		else if (!strcmp(t, "slab"))
			*parts |= KMMT_PART_SLAB;
		else if (!strcmp(t, "mm"))
			*parts |= KMMT_PART_MM;
		else if (!strcmp(t, "all"))
			*parts |= KMMT_PART_ALL;
		else
			return -1;
	}
	return *parts ? 0 : -1;
}

/* the file name without directories and extension */
static void stem_of(const char *path, char *out, size_t n)
{
	const char *b = strrchr(path, '/');

	snprintf(out, n, "%s", b ? b + 1 : path);
	char *dot = strchr(out, '.');
	if (dot && dot != out)
		*dot = 0;
}

int main(int argc, char **argv)
{
	struct kmm_config cfg;
	const char *path = NULL, *preset = "tiny", *corpus = NULL;
	bool json = false, pae = false, cpus_set = false, oracle = true;
	unsigned long cpus = 0, repeat = 1, check_every = 1000, ptr_size = 0, max_ops = 1000;
	unsigned int parts = KMMT_PART_ALL;
	struct kmmt_header hdr;
	struct kmmt_error err;
	struct kmmt_replay rp;
	struct kmmt_progs *progs = NULL;
	uint8_t *data;
	size_t len;
	struct kmm *k;
	char msg[200], stem[64];
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		char *end;
		if (!strcmp(a, "--json")) {
			json = true;
		} else if (!strcmp(a, "--pae")) {
			pae = true;
		} else if (!strcmp(a, "--no-oracle")) {
			oracle = false;
		} else if (!strcmp(a, "--preset") || !strcmp(a, "--parts") ||
			   !strcmp(a, "--emit-corpus")) {
			if (!v)
				return usage("expected a value after", a);
			if (!strcmp(a, "--preset"))
				preset = v;
			else if (!strcmp(a, "--emit-corpus"))
				corpus = v;
			else if (parse_parts(v, &parts))
				return usage("--parts takes pages, slab, mm (comma-separated)", v);
			i++;
		} else if (!strcmp(a, "--cpus") || !strcmp(a, "--repeat") ||
			   !strcmp(a, "--check-every") || !strcmp(a, "--pointer-size") ||
			   !strcmp(a, "--max-ops")) {
			unsigned long x;
			bool zero_ok = !strcmp(a, "--check-every");
			if (!v || !*v || ((x = strtoul(v, &end, 0)), *end) || (!x && !zero_ok))
				return usage("expected a positive number after", a);
			if (!strcmp(a, "--cpus")) {
				cpus = x;
				cpus_set = true;
			} else if (!strcmp(a, "--repeat")) {
				repeat = x;
			} else if (!strcmp(a, "--check-every")) {
				check_every = x;
			} else if (!strcmp(a, "--max-ops")) {
				max_ops = x;
			} else {
				if (x != 4 && x != 8)
					return usage("--pointer-size is 4 or 8", v);
				ptr_size = x;
			}
			i++;
		} else if (a[0] == '-') {
			return usage("unknown option", a);
		} else if (!path) {
			path = a;
		} else {
			return usage("one trace at a time", a);
		}
	}
	if (!path)
		return usage("no trace", NULL);
	if (kmm_config_preset(&cfg, preset))
		return usage("unknown preset", preset);
	cfg.pae = pae;
	if (cpus_set)
		cfg.nr_cpus = (unsigned)cpus;
	if (kmmt_read_file(path, &data, &len, &err)) {
		fprintf(stderr, "kmm-replay: %s\n", err.msg);
		return 1;
	}
	memset(&hdr, 0, sizeof(hdr));
	bool binary = header_of(data, len, &hdr);
	if (!ptr_size)
		ptr_size = binary && hdr.pointer_size ? hdr.pointer_size : 8;
	k = kmm_create(&cfg, msg, sizeof(msg));
	if (!k) {
		fprintf(stderr, "kmm-replay: cannot boot the machine: %s\n", msg);
		free(data);
		return 1;
	}
	if (oracle || corpus) {
		stem_of(path, stem, sizeof(stem));
		progs = kmmt_progs_new(preset, pae, kmm_cfg(k)->nr_cpus, (unsigned int)max_ops,
				       corpus, stem, oracle);
		if (!progs) {
			fprintf(stderr, "kmm-replay: out of memory\n");
			kmm_destroy(k);
			free(data);
			return 1;
		}
	}
	double t0 = now_s();
	for (unsigned long it = 0; it < repeat; it++) {
		if (it)
			kmm_reset(k);
		if (kmmt_replay_init(&rp, k, binary ? hdr.kernel_release : "")) {
			fprintf(stderr, "kmm-replay: out of memory\n");
			kmm_destroy(k);
			free(data);
			return 1;
		}
		rp.parts = parts;
		rp.check_every = check_every;
		rp.pointer_size = (unsigned int)ptr_size;
		rp.progs = it == 0 ? progs : NULL;
		if (run(&rp, path, data, len, it == 0))
			rc = 1;
		kmmt_replay_finish(&rp);
		if (it + 1 < repeat)
			kmmt_replay_free(&rp);
	}
	double dt = now_s() - t0;
	rp.progs = progs;
	kmmt_replay_report(&rp, stdout, json);
	if (repeat > 1)
		fprintf(stderr, "kmm-replay: %lu replays of %llu events in %.3f s: %.0f events/s\n",
			repeat, (unsigned long long)rp.events, dt, (double)rp.events * (double)repeat / dt);
	if (progs) {
		const struct kmmt_progs_stats *ps = kmmt_progs_stats(progs);
		if (ps->rejected || ps->oracle_disagreements || (corpus && ps->written < ps->programs))
			rc = 1;
		if (ps->first_error[0])
			fprintf(stderr, "kmm-replay: %s\n", ps->first_error);
	}
	kmmt_replay_free(&rp);
	kmmt_progs_free(progs);
	kmm_destroy(k);
	free(data);
	return rc;
}
