/* fuzz/harness.c — the shared body of the fuzz targets.
 *
 * Environment knobs (all optional):
 *   KMM_FUZZ_MACHINE=tiny|classic|0..9  run every input on this machine
 *   KMM_FUZZ_SWEEP_RATE=N    kmm_check() sweeps (the kmm_check() ops, one
 *                            every 64 ops, one at the end) run in 1 of N
 *                            inputs, chosen by a hash of the input, so a
 *                            run is deterministic (default: 1 in standalone
 *                            runs; 16 when fuzzing, where a sweep, which
 *                            walks every frame, would cost more than the
 *                            whole rest of a run, and the oracle checks
 *                            every op anyway); on a machine with m times
 *                            the frames of tiny, in 1 of m*N
 *   KMM_FUZZ_CHECK_EVERY=N   the periodic sweep every N ops (default 64)
 *   KMM_FUZZ_SWEEP_GAP=N     a kmm_check() op within N ops of the last
 *                            sweep is skipped (default: 0 in standalone
 *                            runs; 16 when fuzzing, where mutations tend
 *                            to repeat the op)
 *   KMM_FUZZ_TRIM_EVERY=N    every N inputs, kmm_trim() every booted machine:
 *                            frames runs touched go back to the host, so a
 *                            long campaign stays within an RSS limit
 *                            (default 4096; 0: never)
 *   KMM_FUZZ_LOG=1           print the op-by-op log on stdout
 *   KMM_FUZZ_BOOT_ALL=1      boot all 10 machines at start (implied under an
 *                            AFL++ fork server, __AFL_SHM_ID: nothing may be
 *                            created lazily there);
 *                            otherwise machines boot on first use
 */
#include <stdlib.h>
#include <string.h>
#include "exec.h"
#include "harness.h"

int kmm_fuzz_strict;

struct fuzz_ctx {
	const struct opl_target *t;
	struct opl_scratch s;
	struct opl_prog p, q;
	struct opl_exec x;
	uint8_t bin[2][16384];
	uint32_t sweep_rate;
	unsigned long runs, trim_every;
};
static struct fuzz_ctx *g;

static long env_long(const char *name, long def)
{
	const char *v = getenv(name);
	return v && *v ? strtol(v, NULL, 0) : def;
}

int kmm_fuzz_init(const char *target)
{
	char err[512];

	if (g)
		return 0;
	g = calloc(1, sizeof(*g));
	if (!g || !(g->t = opl_target(target))) {
		fprintf(stderr, "kmmfuzz: no target '%s'\n", target);
		abort();
	}
	opl_target_all();
	opl_exec_init(&g->x);
	g->sweep_rate = (uint32_t)env_long("KMM_FUZZ_SWEEP_RATE",
					    kmm_fuzz_strict ? 1 : 16);
	g->x.check_every = (unsigned int)env_long("KMM_FUZZ_CHECK_EVERY", 64);
	g->trim_every = (unsigned long)env_long("KMM_FUZZ_TRIM_EVERY", 4096);
	g->x.sweep_gap = (unsigned int)env_long("KMM_FUZZ_SWEEP_GAP",
						kmm_fuzz_strict ? 0 : 16);
	if (env_long("KMM_FUZZ_LOG", 0))
		g->x.log = stdout;
	const char *m = getenv("KMM_FUZZ_MACHINE");
	if (m && *m) {
		g->x.force_machine = !strcmp(m, "tiny") ? 0
				     : !strcmp(m, "classic") ? 8
				     : (int)(strtol(m, NULL, 0) % OPL_NR_MACHINES);
	}
	if (!strcmp(target, "mm_text_fuzzer"))
		return 0;
	/* under any AFL++ fork server (ours or OSS-Fuzz's libAFLDriver, which
	 * does not set KMM_FUZZ_BOOT_ALL) nothing may boot lazily */
	bool all = env_long("KMM_FUZZ_BOOT_ALL", 0) || getenv("__AFL_SHM_ID");
	for (unsigned int i = 0; i < (all ? OPL_NR_MACHINES : 1); i++) {
		struct opl_box *b = opl_exec_box(&g->x, i, err, sizeof(err));
		if (!b) {
			fprintf(stderr, "kmmfuzz: machine %u: %s\n", i, err);
			abort();
		}
		kmm_check(b->k);        /* sweeps size their scratch on first use */
	}
	return 0;
}

static _Noreturn void roundtrip_fail(const char *what, const struct opl_prog *a,
				     const struct opl_prog *b)
{
	fprintf(stderr, "ROUNDTRIP: %s\nprogram:\n", what);
	opl_print(stderr, a, a->n);
	if (b) {
		fprintf(stderr, "came back as:\n");
		opl_print(stderr, b, b->n);
	}
	fflush(stderr);
	abort();
}

/* binary -> text -> binary gives the canonical bytes; decode(encode(p)) is
 * p; parse(print(p)) is p. */
static void roundtrip(const struct opl_prog *p)
{
	char *text = NULL, err[256];
	size_t len = 0;
	long n1 = opl_encode(g->t, p, g->bin[0], sizeof(g->bin[0]), &g->s);

	if (n1 < 0)
		return;         /* too long for the check buffer */
	opl_decode(g->t, g->bin[0], (size_t)n1, &g->q, &g->s);
	if (!opl_prog_equal(p, &g->q))
		roundtrip_fail("decode(encode(p)) != p", p, &g->q);
	FILE *f = open_memstream(&text, &len);
	if (!f)
		abort();
	opl_print(f, p, p->n);
	fclose(f);
	if (opl_parse(g->t, text, len, &g->q, &g->s, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		roundtrip_fail("the printed text does not parse", p, NULL);
	}
	free(text);
	if (!opl_prog_equal(p, &g->q))
		roundtrip_fail("parse(print(p)) != p", p, &g->q);
	long n2 = opl_encode(g->t, &g->q, g->bin[1], sizeof(g->bin[1]), &g->s);
	if (n2 != n1 || memcmp(g->bin[0], g->bin[1], (size_t)n1))
		roundtrip_fail("binary -> text -> binary changed the bytes", p, &g->q);
}

/* Sweeps walk every frame: on a bigger machine they run in fewer inputs,
 * so that they take the same share of the time on every machine. */
static uint32_t sweep_rate(unsigned int machine)
{
	struct kmm_config c, tiny;

	if (g->x.force_machine >= 0)
		machine = (unsigned int)g->x.force_machine;
	if (g->sweep_rate <= 1 || opl_machine_config(machine, &c) ||
	    opl_machine_config(0, &tiny))
		return g->sweep_rate;
	return g->sweep_rate * (uint32_t)(c.ram_bytes / tiny.ram_bytes);
}

int kmm_fuzz_one(const uint8_t *data, size_t size)
{
	uint32_t h = 2166136261u;               /* FNV-1a */

	for (size_t i = 0; i < size && g->sweep_rate > 1; i++)
		h = (h ^ data[i]) * 16777619u;
	opl_decode(g->t, data, size, &g->p, &g->s);
	uint32_t rate = sweep_rate(g->p.machine);
	g->x.sweeps = rate <= 1 || h % rate == 0;
	if (kmm_fuzz_strict)
		roundtrip(&g->p);
	opl_run(&g->x, &g->p);
	if (g->trim_every && ++g->runs % g->trim_every == 0)
		for (unsigned int i = 0; i < OPL_NR_MACHINES; i++)
			if (g->x.box[i].k && !g->x.box[i].dirty)
				kmm_trim(g->x.box[i].k);
	return 0;
}

int kmm_fuzz_text_one(const uint8_t *data, size_t size)
{
	if (size > 65536)
		return 0;
	if (!opl_parse(g->t, (const char *)data, size, &g->p, &g->s, NULL, 0))
		roundtrip(&g->p);
	opl_decode(g->t, data, size, &g->p, &g->s);
	roundtrip(&g->p);
	return 0;
}
