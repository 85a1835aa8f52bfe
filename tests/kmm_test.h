/* kmm_test.h — helpers for tests of a simulated machine: booting presets,
 * capturing the whole buddy state, and running code that must end in a
 * kmm_bug() report in a child process. */
#ifndef KMM_KMM_TEST_H
#define KMM_KMM_TEST_H

#include "kmm/kmm.h"

struct kmm *boot_preset(const char *name, bool pae);

/* The whole observable buddy state of one machine. */
struct buddy_state {
	long nr_free_pages[MAX_NR_ZONES];
	unsigned long nr_free[MAX_NR_ZONES][MAX_ORDER];
	/* free block pfns per zone, order and type, sorted */
	unsigned long *blocks[MAX_NR_ZONES][MAX_ORDER][MIGRATE_TYPES];
	unsigned long nblocks[MAX_NR_ZONES][MAX_ORDER][MIGRATE_TYPES];
	int pcp_count[MAX_NR_ZONES][KMM_NR_CPUS];
};
void buddy_state_get(struct kmm *k, struct buddy_state *s);
void buddy_state_free(struct buddy_state *s);
/* 0 when equal; with_types: compare the per-migratetype lists too
 * (otherwise only the set of free blocks per zone and order). */
int buddy_state_cmp(const struct buddy_state *a, const struct buddy_state *b,
		    bool with_types);
unsigned long free_blocks_of(const struct buddy_state *s, int zone, int order);

/* Runs fn(k, arg) in a child; returns the child's stderr and whether it
 * died of SIGABRT.  The caller frees the text. */
char *run_expect_bug(struct kmm *k, void (*fn)(struct kmm *, void *), void *arg,
		     bool *aborted);

/* 1 when fn(k, arg) ends in a report (SIGABRT) that contains want;
 * otherwise 0, with what it printed on stderr. */
int expect_report(struct kmm *k, void (*fn)(struct kmm *, void *), void *arg,
	          const char *want);

/* 1 when fn(k, arg) ends in an ASan report of that kind (e.g.
 * "use-after-poison") at the host address addr; otherwise 0, with what
 * it printed on stderr. */
int expect_asan_report(struct kmm *k, void (*fn)(struct kmm *, void *),
		       void *arg, const char *kind, const void *addr);

/* Deterministic PRNG for tests and stress (xorshift64*). */
static inline uint64_t test_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

#endif
