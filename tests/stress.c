/* kmm-stress — randomized stress of the simulated machine under a shadow
 * ownership model and the invariant sweeps.
 *
 *   kmm-stress [--preset tiny|classic] [--pae] [--seed N]
 *              [--iterations N | --seconds N]
 *
 * Every block handed out must be aligned, in a zone the GFP allows, and
 * disjoint from every live block; each carries a pattern written through
 * the simulator that must be intact when it is freed.  kmm_check runs
 * periodically; every few thousand ops the machine is reset and must equal
 * its boot state.  The seed decides everything: same seed, same run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "kmm_test.h"

#define MAX_LIVE 512

struct live {
	struct page *page;
	unsigned order;
	uint32_t tag;
};

struct stress {
	struct kmm *k;
	uint8_t *owned;                 /* shadow: 1 per frame in a live block */
	struct live live[MAX_LIVE];
	int n;
	unsigned long ops, allocs, fails, frees, checks, resets;
};

static const gfp_t gfps[] = {GFP_KERNEL, GFP_ATOMIC, GFP_NOWAIT, GFP_USER,
			     GFP_HIGHUSER, GFP_HIGHUSER_MOVABLE, GFP_DMA,
			     GFP_KERNEL | __GFP_RECLAIMABLE, GFP_KERNEL | __GFP_COMP,
			     GFP_HIGHUSER | __GFP_ZERO, GFP_ATOMIC | __GFP_COLD};

static void die(struct stress *s, const char *what, unsigned long pfn)
{
	fprintf(stderr, "kmm-stress: shadow model disagrees after %lu ops: %s "
			"(pfn 0x%05lx)\n", s->ops, what, pfn);
	exit(1);
}

static void do_alloc(struct stress *s, uint64_t r)
{
	unsigned o = (unsigned)(r >> 8) % 11;
	o = o > 5 && (r >> 12) % 4 ? (unsigned)(r >> 14) % 3 : o;
	gfp_t g = gfps[(r >> 16) % (sizeof(gfps) / sizeof(gfps[0]))];
	struct page *p = alloc_pages(s->k, g, o);

	if (!p) {
		s->fails++;
		return;
	}
	unsigned long pfn = page_to_pfn(s->k, p);
	int zone = (int)page_zonenum(p);
	if (pfn & ((1ul << o) - 1))
		die(s, "misaligned block", pfn);
	if (zone > gfp_zone(g) || (g & __GFP_DMA && zone != ZONE_DMA))
		die(s, "block outside the zones the GFP allows", pfn);
	for (unsigned long i = 0; i < (1ul << o); i++) {
		if (s->owned[pfn + i])
			die(s, "block overlaps a live block", pfn + i);
		s->owned[pfn + i] = 1;
		if (g & __GFP_ZERO && kmm_frame_r(s->k, pfn + i)[100])
			die(s, "__GFP_ZERO frame not zero", pfn + i);
	}
	uint32_t tag = (uint32_t)(r >> 32) | 1;
	memcpy(kmm_frame_w(s->k, pfn + (1ul << o) - 1), &tag, sizeof(tag));
	s->live[s->n++] = (struct live){p, o, tag};
	s->allocs++;
}

static void do_free(struct stress *s, uint64_t r)
{
	int j = (int)((r >> 24) % (uint64_t)s->n);
	struct live *l = &s->live[j];
	unsigned long pfn = page_to_pfn(s->k, l->page);
	uint32_t tag;

	memcpy(&tag, kmm_frame_r(s->k, pfn + (1ul << l->order) - 1), sizeof(tag));
	if (tag != l->tag)
		die(s, "block contents changed while it was live", pfn);
	memset(s->owned + pfn, 0, 1ul << l->order);
	__free_pages(s->k, l->page, l->order);
	*l = s->live[--s->n];
	s->frees++;
}

static void do_reset(struct stress *s, const struct buddy_state *boot)
{
	struct buddy_state now;

	kmm_reset(s->k);
	memset(s->owned, 0, kmm_max_pfn(s->k));
	s->n = 0;
	buddy_state_get(s->k, &now);
	if (buddy_state_cmp(boot, &now, true))
		die(s, "reset did not restore the boot state", 0);
	buddy_state_free(&now);
	s->resets++;
}

static void step(struct stress *s, uint64_t r, const struct buddy_state *boot)
{
	s->ops++;
	switch (r % 64) {
	case 0:
		kmm_set_cpu(s->k, (unsigned)(r >> 8) % kmm_cfg(s->k)->nr_cpus);
		break;
	case 1:
		drain_all_pages(s->k);
		break;
	case 2:
		kmm_check(s->k);
		s->checks++;
		break;
	case 3:
		if (r % 4096 == 3)
			do_reset(s, boot);
		break;
	default:
		/* alternate fill and drain phases to reach exhaustion */
		if (s->n < MAX_LIVE &&
		    ((r >> 6) % 4 < ((s->ops >> 11) & 1 ? 1u : 3u) || !s->n))
			do_alloc(s, r);
		else if (s->n)
			do_free(s, r);
	}
}

int main(int argc, char **argv)
{
	const char *preset = "tiny";
	bool pae = false;
	unsigned long iterations = 200000, seconds = 0;
	uint64_t seed = 1;

	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(argv[i], "--pae"))
			pae = true;
		else if (!strcmp(argv[i], "--preset") && v)
			preset = argv[++i];
		else if (!strcmp(argv[i], "--seed") && v)
			seed = strtoull(argv[++i], NULL, 0) | 1;
		else if (!strcmp(argv[i], "--iterations") && v)
			iterations = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--seconds") && v)
			seconds = strtoul(argv[++i], NULL, 0);
		else {
			fprintf(stderr, "kmm-stress: bad argument '%s'\nusage: kmm-stress "
				"[--preset tiny|classic] [--pae] [--seed N] "
				"[--iterations N | --seconds N]\n", argv[i]);
			return 2;
		}
	}
	struct stress s = {.k = boot_preset(preset, pae)};
	if (!s.k)
		return 2;
	s.owned = calloc(kmm_max_pfn(s.k), 1);
	struct buddy_state boot;
	buddy_state_get(s.k, &boot);
	printf("kmm-stress: randomized buddy stress under the shadow model and "
	       "kmm_check (%s%s, seed %llu, %s %lu)\n", preset, pae ? ", PAE" : "",
	       (unsigned long long)seed, seconds ? "seconds" : "iterations",
	       seconds ? seconds : iterations);
	time_t end = time(NULL) + (time_t)seconds;      /* budget only */
	for (unsigned long i = 0; seconds ? time(NULL) < end : i < iterations; i++)
		for (int b = 0; b < (seconds ? 1000 : 1); b++)
			step(&s, test_rand(&seed), &boot);
	while (s.n)
		do_free(&s, 0);
	drain_all_pages(s.k);
	kmm_check(s.k);
	do_reset(&s, &boot);
	printf("kmm-stress: %lu ops: %lu allocs (%lu refused), %lu frees, %lu "
	       "sweeps, %lu resets; no disagreement\n", s.ops, s.allocs, s.fails,
	       s.frees, s.checks + 1, s.resets);
	buddy_state_free(&boot);
	free(s.owned);
	kmm_destroy(s.k);
	return 0;
}
