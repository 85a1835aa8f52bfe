/* mmu_test.h — helpers shared by the MMU, address-space and fault suites:
 * running each test without and with PAE, free-frame totals, and user
 * accesses with one-byte patterns. */
#ifndef KMM_MMU_TEST_H
#define KMM_MMU_TEST_H

#include "kmm/fault.h"
#include "kmm_test.h"
#include "test.h"

/* static int name(bool pae) becomes two test cases */
#define BOTH_MODES(name)                                                       \
	static int name##_nonpae(void) { return name(false); }                 \
	static int name##_pae(void) { return name(true); }
#define TEST_BOTH(name) TEST(name##_nonpae), TEST(name##_pae)

/* Frames not handed out: the buddy lists plus every per-CPU list. */
static inline long zone_free_frames(struct kmm *k, int z)
{
	struct zone *zn = kmm_zone(k, (enum zone_type)z);
	long n = zn->nr_free_pages;

	for (int c = 0; c < KMM_NR_CPUS; c++)
		n += zn->pcp[c].count;
	return n;
}

static inline long free_frames(struct kmm *k)
{
	long n = 0;

	for (int z = 0; z < MAX_NR_ZONES; z++)
		n += zone_free_frames(k, z);
	return n;
}

/* A new process running on cpu. */
static inline struct mm_struct *start_process(struct kmm *k, unsigned int cpu)
{
	struct mm_struct *mm = mm_exec(k);

	if (mm)
		switch_mm(k, cpu, mm);
	return mm;
}

static inline enum kmm_outcome uwrite8(struct kmm *k, unsigned int cpu,
				       vaddr_t va, uint8_t v)
{
	return kmm_write(k, cpu, va, &v, 1, true);
}

/* The byte at va as user mode reads it, or -outcome on a fault. */
static inline int uread8(struct kmm *k, unsigned int cpu, vaddr_t va)
{
	uint8_t v;
	enum kmm_outcome o = kmm_read(k, cpu, va, &v, 1, true);

	return o == KMM_OK ? v : -(int)o;
}

static inline int kread8(struct kmm *k, unsigned int cpu, vaddr_t va)
{
	uint8_t v;
	enum kmm_outcome o = kmm_read(k, cpu, va, &v, 1, false);

	return o == KMM_OK ? v : -(int)o;
}

/* Runs kmm_check in a child: 1 when it reported a bug containing what. */
static inline void check_fn(struct kmm *k, void *arg)
{
	(void)arg;
	kmm_check(k);
}

static inline int check_reports(struct kmm *k, const char *what)
{
	bool aborted;
	char *out = run_expect_bug(k, check_fn, NULL, &aborted);
	int r = aborted && strstr(out, what) != NULL;

	if (!r)
		fprintf(stderr, "expected a report with \"%s\", got:\n%s\n", what, out);
	free(out);
	return r;
}

#endif
