/* kmm-bench — speed of the machine's reset and allocator, each reported as
 * a ratio against a baseline measured in the same run (machines are noisy;
 * ratios travel, absolute times do not).
 *
 *   reset / boot            kmm_reset of an untouched machine vs kmm_create
 *   reset / program         reset after a typical 100-op buddy program vs
 *                           running that program (goal <= 1, tiny and classic)
 *   alloc+free vs malloc    order-0 alloc_pages+__free_pages pairs per second
 *                           vs glibc malloc(4096)+free pairs (goal: within 3x)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "kmm/kmm.h"

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

static struct kmm *boot(const char *preset)
{
	struct kmm_config c;

	kmm_config_preset(&c, preset);
	return kmm_create(&c, NULL, 0);
}

/* A typical fuzz program: 100 buddy ops, mostly small orders, some
 * writes, most blocks freed again (what a fuzzer's input looks like). */
static void program(struct kmm *k, uint64_t seed)
{
	static const gfp_t g[] = {GFP_KERNEL, GFP_HIGHUSER_MOVABLE, GFP_ATOMIC,
				  GFP_DMA, GFP_KERNEL | __GFP_ZERO};
	struct page *live[100];
	unsigned ord[100];
	int n = 0;

	for (int i = 0; i < 100; i++) {
		uint64_t r = rnd(&seed);
		if (n && (r & 1)) {
			int j = (int)((r >> 8) % (uint64_t)n);
			__free_pages(k, live[j], ord[j]);
			live[j] = live[--n];
			ord[j] = ord[n];
			continue;
		}
		unsigned o = (unsigned)(r >> 16) % 8 == 0 ? (unsigned)(r >> 20) % 6
							 : (unsigned)(r >> 20) % 2;
		struct page *p = alloc_pages(k, g[(r >> 32) % 5], o);
		if (!p)
			continue;
		if (r & 2)
			memset(kmm_frame_w(k, page_to_pfn(k, p)), (int)i, 64);
		live[n] = p;
		ord[n++] = o;
	}
}

static void bench_boot_reset(const char *preset)
{
	int nboot = strcmp(preset, "tiny") ? 5 : 50, nreset = 20000;
	double t = now();

	for (int i = 0; i < nboot; i++)
		kmm_destroy(boot(preset));
	double tboot = (now() - t) / nboot;
	struct kmm *k = boot(preset);
	t = now();
	for (int i = 0; i < nreset; i++)
		kmm_reset(k);
	double treset = (now() - t) / nreset;

	/* program vs reset, alternating, timed separately */
	double tprog = 0, tres = 0;
	int runs = 20000;
	for (int i = 0; i < runs; i++) {
		double a = now();
		program(k, (uint64_t)i * 7919 + 1);
		double b = now();
		kmm_reset(k);
		double c = now();
		tprog += b - a;
		tres += c - b;
	}
	printf("%-8s boot %9.1f us   idle reset %7.3f us   reset/boot %.6f\n",
	       preset, tboot * 1e6, treset * 1e6, treset / tboot);
	printf("%-8s 100-op program %7.2f us   reset after it %6.2f us   "
	       "reset/program %.3f (goal <= 1)\n",
	       preset, tprog / runs * 1e6, tres / runs * 1e6, tres / tprog);
	kmm_destroy(k);
}

static void bench_pairs(void)
{
	struct kmm *k = boot("classic");
	long n = 20 * 1000 * 1000;
	double t = now();

	for (long i = 0; i < n; i++)
		__free_pages(k, alloc_pages(k, GFP_KERNEL, 0), 0);
	double tk = now() - t;
	t = now();
	for (long i = 0; i < n; i++) {
		void *p = malloc(4096);
		__asm__ volatile("" : : "r"(p) : "memory");
		free(p);
	}
	double tm = now() - t;
	printf("order-0 alloc_pages+__free_pages: %6.1f ns/pair (%.1f M pairs/s); "
	       "glibc malloc+free: %6.1f ns/pair; kmm/glibc time ratio %.2f "
	       "(goal <= 3)\n", tk / (double)n * 1e9, (double)n / tk / 1e6,
	       tm / (double)n * 1e9, tk / tm);
	kmm_destroy(k);
}

int main(void)
{
	printf("kmm-bench (one run; compare the ratios)\n");
	bench_boot_reset("tiny");
	bench_boot_reset("classic");
	bench_pairs();
	return 0;
}
