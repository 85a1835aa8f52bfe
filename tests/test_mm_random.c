/* test_mm_random.c — random programs over the whole address-space API
 * (exec, fork, exit, context switches on several CPUs, mmap of anonymous,
 * shared, file and device memory, munmap, mprotect, mremap, brk, truncate,
 * user and kernel accesses, injected allocation failures), with every
 * sweep after every operation, then exit of everything: the free frames
 * are what they were at boot, and a reset brings the machine back.
 *
 * Besides the sweeps, a byte model checks contents: each written private
 * anonymous page remembers its last byte per process, and fork copies the
 * model, so COW mistakes show up as wrong reads. */
#include <errno.h>
#include "mmu_test.h"

enum { MAXP = 6, MAXF = 3, REGION_PAGES = 32 };
#define REGION 0x30000000u

struct proc {
	struct mm_struct *mm;
	int16_t byte[REGION_PAGES];     /* -1: unknown; private anon only */
};

struct world {
	struct kmm *k;
	uint64_t seed;
	struct proc p[MAXP];
	int np;
	struct kmm_file *files[MAXF];
	int nf;
	struct kmm_file *dev;
};

static unsigned int rnd(struct world *w, unsigned int n)
{
	return (unsigned int)(test_rand(&w->seed) % n);
}

static void forget(struct proc *p, vaddr_t a, uint32_t len)
{
	for (vaddr_t v = a; v < a + len; v += PAGE_SIZE)
		if (v >= REGION && v < REGION + REGION_PAGES * PAGE_SIZE)
			p->byte[(v - REGION) >> PAGE_SHIFT] = -1;
}

/* Is va in a private anonymous VMA (the only memory the model follows)? */
static bool private_anon(struct mm_struct *mm, vaddr_t va)
{
	struct vm_area_struct *v = find_vma(mm, va);

	return v && v->vm_start <= va && !v->vm_file && !(v->vm_flags & VM_SHARED);
}

static int step(struct world *w)
{
	struct kmm *k = w->k;
	unsigned int cpu = rnd(w, kmm_cfg(k)->nr_cpus);
	kmm_set_cpu(k, cpu);
	if (w->np == 0 || (w->np < MAXP && rnd(w, 12) == 0)) {
		struct mm_struct *mm = mm_exec(k);
		if (mm) {
			w->p[w->np].mm = mm;
			memset(w->p[w->np].byte, 0xff, sizeof(w->p[w->np].byte));
			w->np++;
		}
		return 0;
	}
	struct proc *p = &w->p[rnd(w, (unsigned int)w->np)];
	struct mm_struct *mm = p->mm;
	vaddr_t a = REGION + rnd(w, REGION_PAGES) * PAGE_SIZE;
	uint32_t len = (1 + rnd(w, 6)) * PAGE_SIZE;
	unsigned long prot = rnd(w, 2) ? PROT_READ | PROT_WRITE : rnd(w, 8);
	switch (rnd(w, 21)) {
	case 0:
	case 1:
	case 2: {
		unsigned int kind = rnd(w, 5);
		unsigned long flags = MAP_FIXED | (rnd(w, 4) == 0 ? MAP_POPULATE : 0);
		long r;
		if (kind <= 1) {
			r = do_mmap_pgoff(k, mm, NULL, a, len, prot,
					  flags | MAP_PRIVATE | MAP_ANONYMOUS, 0);
		} else if (kind == 2) {
			r = do_mmap_pgoff(k, mm, NULL, a, len, prot,
					  flags | MAP_SHARED | MAP_ANONYMOUS, 0);
		} else if (kind == 3 && w->nf) {
			r = do_mmap_pgoff(k, mm, w->files[rnd(w, (unsigned int)w->nf)], a,
					  len, prot, flags | (rnd(w, 2) ? MAP_SHARED : MAP_PRIVATE),
					  rnd(w, 4));
		} else {
			r = do_mmap_pgoff(k, mm, w->dev, a, PAGE_SIZE * (1 + rnd(w, 2)),
					  prot, flags | MAP_SHARED, rnd(w, 2));
		}
		(void)r;        /* even a failed mmap may have unmapped first */
		forget(p, a, len > 2 * PAGE_SIZE ? len : 2 * PAGE_SIZE);
		break;
	}
	case 3:
		ASSERT_EQ(do_munmap(k, mm, a, len), 0);
		forget(p, a, len);
		break;
	case 4:
		sys_mprotect(k, mm, a, len, prot);
		break;
	case 5: {
		vaddr_t na = REGION + rnd(w, REGION_PAGES) * PAGE_SIZE;
		uint32_t nl = (1 + rnd(w, 12)) * PAGE_SIZE;
		unsigned long f = rnd(w, 3);    /* 0, MAYMOVE, MAYMOVE|FIXED */
		long r = do_mremap(k, mm, a, len, nl, f == 2 ? 3 : f, na);
		if (r != -EINVAL && r != -EFAULT) {
			/* moved contents are not followed; forget all */
			forget(p, REGION, REGION_PAGES * PAGE_SIZE);
		}
		break;
	}
	case 6:
		sys_brk(k, mm, KMM_START_BRK + rnd(w, 40) * PAGE_SIZE + rnd(w, 3));
		break;
	case 7:
		if (w->np < MAXP) {
			struct mm_struct *c = dup_mm(k, mm);
			if (c) {
				w->p[w->np] = *p;
				w->p[w->np].mm = c;
				w->np++;
			}
		}
		break;
	case 8:
		if (w->np > 1) {
			mmput(k, mm);
			*p = w->p[--w->np];
		}
		break;
	case 9:
		switch_mm(k, cpu, rnd(w, 5) ? mm : NULL);
		break;
	case 10:
		if (w->nf < MAXF && rnd(w, 2)) {
			w->files[w->nf++] = kmm_file_create(k, (1 + rnd(w, 6)) * PAGE_SIZE -
								 rnd(w, 100), NULL);
		} else if (w->nf) {
			kmm_file_truncate(k, w->files[rnd(w, (unsigned int)w->nf)],
					  rnd(w, 7) * PAGE_SIZE + rnd(w, 50));
		}
		break;
	case 11:
	case 12:
	case 13: {                      /* a user write on a CPU running mm */
		switch_mm(k, cpu, mm);
		uint8_t v = (uint8_t)rnd(w, 256);
		bool model = private_anon(mm, a) && a < REGION + REGION_PAGES * PAGE_SIZE;
		enum kmm_outcome o = kmm_write(k, cpu, a, &v, 1, true);
		if (model)
			p->byte[(a - REGION) >> PAGE_SHIFT] = o == KMM_OK ? v : -1;
		break;
	}
	case 14:
	case 15:
	case 16: {                      /* a user read, checked against the model */
		switch_mm(k, cpu, mm);
		uint8_t v;
		enum kmm_outcome o = kmm_read(k, cpu, a, &v, 1, true);
		int16_t want = p->byte[(a - REGION) >> PAGE_SHIFT];
		if (o == KMM_OK && want >= 0 && private_anon(mm, a)) {
			if (v != want)
				fprintf(stderr, "mm %u at 0x%08x: read %u, model %d\n",
					mm->id, a, v, want);
			ASSERT_EQ(v, want);
		}
		break;
	}
	case 17: {                      /* copy_to_user / copy_from_user */
		switch_mm(k, cpu, mm);
		uint8_t buf[PAGE_SIZE + 64];
		bool wr = rnd(w, 2);
		memset(buf, 0x5e, sizeof(buf));
		kmm_access(k, cpu, a + 100, buf, sizeof(buf),
			   KMM_ACC_UACCESS | (wr ? KMM_ACC_WRITE : 0), NULL);
		if (wr)
			forget(p, a, 2 * PAGE_SIZE);
		break;
	}
	case 18: {                      /* a stack access */
		switch_mm(k, cpu, mm);
		uint8_t v = 1;
		kmm_write(k, cpu, STACK_TOP - (1 + rnd(w, 64)) * PAGE_SIZE, &v, 1, true);
		break;
	}
	case 19:                        /* another CPU's view of the mm */
		if (kmm_cfg(k)->nr_cpus > 1) {
			unsigned int c2 = (cpu + 1) % kmm_cfg(k)->nr_cpus;
			switch_mm(k, c2, mm);
			uint8_t v;
			kmm_read(k, c2, a, &v, 1, true);
		}
		break;
	default: {                      /* allocation failures for a while */
		struct kmm_fault_attr *fa = kmm_fail_page_alloc(k);
		if (fa->interval) {
			memset(fa, 0, sizeof(*fa));
		} else {
			fa->interval = 2 + rnd(w, 5);
			fa->times = (long)rnd(w, 8);
		}
		break;
	}
	}
	kmm_check(k);
	return 0;
}

static int random_world(bool pae, unsigned int cpus, uint64_t seed, int steps)
{
	struct kmm_config c;
	ASSERT_EQ(kmm_config_preset(&c, "tiny"), 0);
	c.pae = pae;
	c.nr_cpus = cpus;
	struct world w = {.seed = seed};
	w.k = kmm_create(&c, NULL, 0);
	ASSERT_TRUE(w.k);
	struct kmm *k = w.k;
	long zfree[MAX_NR_ZONES];
	for (int z = 0; z < MAX_NR_ZONES; z++)
		zfree[z] = zone_free_frames(k, z);
	for (int round = 0; round < 2; round++) {
		w.dev = kmm_device_create(k, 0xE0000000ull, 2 * PAGE_SIZE, rnd(&w, 2));
		for (int i = 0; i < steps; i++) {
			char text[64];
			snprintf(text, sizeof(text), "random step %d seed %llu", i,
				 (unsigned long long)seed);
			kmm_set_op(k, i, text);
			ASSERT_EQ(step(&w), 0);
		}
		memset(kmm_fail_page_alloc(k), 0, sizeof(struct kmm_fault_attr));
		if (round == 0) {       /* tear down by hand, then compare */
			while (w.np)
				mmput(k, w.p[--w.np].mm);
			while (w.nf)
				kmm_file_put(k, w.files[--w.nf]);
			kmm_file_put(k, w.dev);
			for (int z = 0; z < MAX_NR_ZONES; z++)
				ASSERT_EQ(zone_free_frames(k, z), zfree[z]);
			kmm_check(k);
		} else {                /* leave it all to reset */
			kmm_reset(k);
			w.np = w.nf = 0;
			for (int z = 0; z < MAX_NR_ZONES; z++)
				ASSERT_EQ(zone_free_frames(k, z), zfree[z]);
			ASSERT_EQ(kmm_nr_mms(k), 0);
			kmm_check(k);
		}
	}
	kmm_destroy(k);
	return 0;
}

static int random_2cpu(bool pae)
{
	for (uint64_t s = 1; s <= 4; s++)
		if (random_world(pae, 2, s * 1000 + pae, 400))
			return 1;
	return 0;
}
BOTH_MODES(random_2cpu)

static int random_1cpu_and_4cpu(bool pae)
{
	if (random_world(pae, 1, 77 + pae, 400))
		return 1;
	return random_world(pae, 4, 99 + pae, 400);
}
BOTH_MODES(random_1cpu_and_4cpu)

static const struct test_case tests[] = {
	TEST_BOTH(random_2cpu),
	TEST_BOTH(random_1cpu_and_4cpu),
};
TEST_MAIN(tests)
