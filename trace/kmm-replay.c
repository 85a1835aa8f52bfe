/* kmm-replay — replay a captured trace's page-allocator events on a
 * simulated machine and report what matched and what diverged.
 *
 *   kmm-replay [--preset tiny|classic] [--pae] [--cpus N] [--json]
 *              [--repeat N] TRACE
 *
 * TRACE is a kmmfuzz trace file, or tracefs / trace-cmd / perf text (read
 * through the importer, malformed lines skipped and reported).  --repeat
 * replays N times on a reset machine and prints the throughput on stderr.
 * This first stage replays mm_page_alloc / mm_page_free (see replay.h);
 * the other kinds are counted.
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
	fprintf(stderr, "usage: kmm-replay [--preset tiny|classic] [--pae] [--cpus N] [--json] "
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

static const char *release_of(const uint8_t *data, size_t len, char rel[KMMT_RELEASE_LEN])
{
	struct kmmt_reader rd;
	struct kmmt_error err;

	rel[0] = 0;
	if (len >= 8 && !memcmp(data, KMMT_MAGIC, 8) && !kmmt_reader_init(&rd, data, len, &err))
		memcpy(rel, rd.hdr.kernel_release, KMMT_RELEASE_LEN);
	return rel;
}

int main(int argc, char **argv)
{
	struct kmm_config cfg;
	const char *path = NULL, *preset = "tiny";
	bool json = false, pae = false, cpus_set = false;
	unsigned long cpus = 0, repeat = 1;
	struct kmmt_error err;
	struct kmmt_replay rp;
	uint8_t *data;
	size_t len;
	struct kmm *k;
	char msg[200], rel[KMMT_RELEASE_LEN];
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		char *end;
		if (!strcmp(a, "--json")) {
			json = true;
		} else if (!strcmp(a, "--pae")) {
			pae = true;
		} else if (!strcmp(a, "--preset")) {
			if (!v)
				return usage("--preset needs a name", NULL);
			preset = v;
			i++;
		} else if (!strcmp(a, "--cpus") || !strcmp(a, "--repeat")) {
			unsigned long x;
			if (!v || !*v || ((x = strtoul(v, &end, 0)), *end) || !x)
				return usage("expected a positive number after", a);
			if (!strcmp(a, "--cpus")) {
				cpus = x;
				cpus_set = true;
			} else {
				repeat = x;
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
	k = kmm_create(&cfg, msg, sizeof(msg));
	if (!k) {
		fprintf(stderr, "kmm-replay: cannot boot the machine: %s\n", msg);
		free(data);
		return 1;
	}
	double t0 = now_s();
	for (unsigned long it = 0; it < repeat; it++) {
		if (it)
			kmm_reset(k);
		if (kmmt_replay_init(&rp, k, release_of(data, len, rel))) {
			fprintf(stderr, "kmm-replay: out of memory\n");
			kmm_destroy(k);
			free(data);
			return 1;
		}
		if (run(&rp, path, data, len, it == 0))
			rc = 1;
		kmmt_replay_finish(&rp);
		if (it + 1 < repeat)
			kmmt_replay_free(&rp);
	}
	double dt = now_s() - t0;
	kmmt_replay_report(&rp, stdout, json);
	if (repeat > 1)
		fprintf(stderr, "kmm-replay: %lu replays of %llu events in %.3f s: %.0f events/s\n",
			repeat, (unsigned long long)rp.events, dt, (double)rp.events * (double)repeat / dt);
	kmmt_replay_free(&rp);
	kmm_destroy(k);
	free(data);
	return rc;
}
