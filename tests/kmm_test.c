/* kmm_test.c — shared helpers for the ctest suites. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "kmm_test.h"

struct kmm *boot_preset(const char *name, bool pae)
{
	struct kmm_config c;
	char err[256];

	if (kmm_config_preset(&c, name))
		return NULL;
	c.pae = pae;
	struct kmm *k = kmm_create(&c, err, sizeof(err));
	if (!k)
		fprintf(stderr, "boot_preset(%s): %s\n", name, err);
	return k;
}

static int cmp_ul(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;
	return (x > y) - (x < y);
}

void buddy_state_get(struct kmm *k, struct buddy_state *s)
{
	memset(s, 0, sizeof(*s));
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zn = kmm_zone(k, (enum zone_type)z);
		s->nr_free_pages[z] = zn->nr_free_pages;
		for (int c = 0; c < KMM_NR_CPUS; c++)
			s->pcp_count[z][c] = zn->pcp[c].count;
		for (int o = 0; o < MAX_ORDER; o++) {
			s->nr_free[z][o] = zn->free_area[o].nr_free;
			for (int t = 0; t < MIGRATE_TYPES; t++) {
				struct list_head *h = &zn->free_area[o].free_list[t];
				unsigned long n = 0, cap = 16;
				unsigned long *v = malloc(cap * sizeof(*v));
				for (struct list_head *l = h->next; l != h; l = l->next) {
					if (n == cap)
						v = realloc(v, (cap *= 2) * sizeof(*v));
					v[n++] = page_to_pfn(k, kmm_container_of(l, struct page, lru));
				}
				qsort(v, n, sizeof(*v), cmp_ul);
				s->blocks[z][o][t] = v;
				s->nblocks[z][o][t] = n;
			}
		}
	}
}

void buddy_state_free(struct buddy_state *s)
{
	for (int z = 0; z < MAX_NR_ZONES; z++)
		for (int o = 0; o < MAX_ORDER; o++)
			for (int t = 0; t < MIGRATE_TYPES; t++)
				free(s->blocks[z][o][t]);
}

/* All blocks of a zone and order, sorted, regardless of type. */
static unsigned long *merged(const struct buddy_state *s, int z, int o,
			     unsigned long *n)
{
	*n = 0;
	for (int t = 0; t < MIGRATE_TYPES; t++)
		*n += s->nblocks[z][o][t];
	unsigned long *v = malloc((*n + 1) * sizeof(*v)), i = 0;
	for (int t = 0; t < MIGRATE_TYPES; t++)
		for (unsigned long j = 0; j < s->nblocks[z][o][t]; j++)
			v[i++] = s->blocks[z][o][t][j];
	qsort(v, *n, sizeof(*v), cmp_ul);
	return v;
}

unsigned long free_blocks_of(const struct buddy_state *s, int zone, int order)
{
	unsigned long n = 0;
	for (int t = 0; t < MIGRATE_TYPES; t++)
		n += s->nblocks[zone][order][t];
	return n;
}

int buddy_state_cmp(const struct buddy_state *a, const struct buddy_state *b,
		    bool with_types)
{
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		if (a->nr_free_pages[z] != b->nr_free_pages[z]) {
			fprintf(stderr, "zone %d: nr_free_pages %ld vs %ld\n", z,
				a->nr_free_pages[z], b->nr_free_pages[z]);
			return 1;
		}
		for (int o = 0; o < MAX_ORDER; o++) {
			unsigned long na, nb;
			unsigned long *va = merged(a, z, o, &na), *vb = merged(b, z, o, &nb);
			int diff = na != nb || memcmp(va, vb, na * sizeof(*va));
			free(va);
			free(vb);
			if (diff || a->nr_free[z][o] != b->nr_free[z][o]) {
				fprintf(stderr, "zone %d order %d: free blocks differ "
					"(%lu vs %lu)\n", z, o, na, nb);
				return 1;
			}
			for (int t = 0; with_types && t < MIGRATE_TYPES; t++)
				if (a->nblocks[z][o][t] != b->nblocks[z][o][t] ||
				    memcmp(a->blocks[z][o][t], b->blocks[z][o][t],
					   a->nblocks[z][o][t] * sizeof(unsigned long))) {
					fprintf(stderr, "zone %d order %d type %d differs\n",
						z, o, t);
					return 1;
				}
		}
	}
	return 0;
}

/* Runs fn(k, arg) in a child; its stderr and its wait status. */
static char *run_child(struct kmm *k, void (*fn)(struct kmm *, void *),
		       void *arg, int *status)
{
	int fds[2];
	size_t cap = 8192, len = 0;
	char *out = calloc(1, cap);

	fflush(NULL);
	if (pipe(fds))
		abort();
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], 2);
		fn(k, arg);
		_exit(0);       /* no bug reported */
	}
	close(fds[1]);
	ssize_t r;
	while ((r = read(fds[0], out + len, cap - len - 1)) > 0) {
		len += (size_t)r;
		if (len + 1 == cap)
			out = realloc(out, cap *= 2);
	}
	out[len] = 0;
	close(fds[0]);
	waitpid(pid, status, 0);
	return out;
}

char *run_expect_bug(struct kmm *k, void (*fn)(struct kmm *, void *), void *arg,
		     bool *aborted)
{
	int st;
	char *out = run_child(k, fn, arg, &st);

	*aborted = WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT;
	return out;
}

int expect_asan_report(struct kmm *k, void (*fn)(struct kmm *, void *),
		       void *arg, const char *kind, const void *addr)
{
	char want[160];
	int st;
	char *out = run_child(k, fn, arg, &st);

	snprintf(want, sizeof(want), "AddressSanitizer: %s on address %p", kind,
		 addr);
	int ok = !(WIFEXITED(st) && WEXITSTATUS(st) == 0) && strstr(out, want);
	if (!ok)
		fprintf(stderr, "expected \"%s\", got (status 0x%x):\n%s\n", want,
			st, out);
	free(out);
	return ok;
}

int expect_report(struct kmm *k, void (*fn)(struct kmm *, void *), void *arg,
	       const char *want)
{
	bool aborted;
	char *out = run_expect_bug(k, fn, arg, &aborted);
	int ok = aborted && strstr(out, want) != NULL;

	if (!ok)
		fprintf(stderr, "expected a report with \"%s\", got:\n%s\n", want, out);
	free(out);
	return ok;
}
