/* kmm-trace-workload — a small, fixed memory workload to capture.
 *
 * It makes every kind of event kmmtrace records happen a known number of
 * times, with sizes nothing else uses, and prints what the kernel returned
 * so a test can find each call in a capture:
 *
 *   brk grow 64 KiB, touch, shrink;  mmap 0x13000 anonymous, touch every
 *   page;  mprotect 0x2000 of it read-only and back;  mremap it to 0x25000, touch the
 *   new pages;  fork a child that writes one page (a COW fault) and exits;
 *   munmap;  mmap one page of its own executable and read it.
 *
 *   kmm-trace-workload [--rounds N] [-q] [--time]
 *
 * --time prints the loop's own run time on stderr ("elapsed_ns N"), so the
 * capture overhead can be measured without the tracer's start-up.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAP1 0x13000ul
#define MAP2 0x25000ul
#define PROT_OFF 0x4000ul
#define PROT_LEN 0x2000ul
#define BRK_GROW 0x10000ul

static void touch(volatile char *p, size_t len, size_t page, char v)
{
	for (size_t o = 0; o < len; o += page)
		p[o] = v;
}

int main(int argc, char **argv)
{
	long rounds = 1;
	bool quiet = false, timed = false;
	struct timespec t0, t1;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			rounds = strtol(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "-q"))
			quiet = true;
		else if (!strcmp(argv[i], "--time"))
			timed = true;
		else {
			fprintf(stderr, "usage: kmm-trace-workload [--rounds N] [-q] [--time]\n");
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long r = 0; r < rounds; r++) {
		uintptr_t cur = (uintptr_t)syscall(SYS_brk, 0);
		uintptr_t grown = (uintptr_t)syscall(SYS_brk, cur + BRK_GROW);
		if (grown == cur + BRK_GROW)
			touch((volatile char *)cur, BRK_GROW, page, 1);
		uintptr_t back = (uintptr_t)syscall(SYS_brk, cur);
		if (!quiet)
			printf("brk 0x%lx -> 0x%lx -> 0x%lx\n", (unsigned long)cur,
			       (unsigned long)grown, (unsigned long)back);

		char *a = mmap(NULL, MAP1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);
		if (a == MAP_FAILED) {
			perror("mmap");
			return 1;
		}
		if (!quiet)
			printf("mmap 0x%lx -> %p\n", MAP1, (void *)a);
		touch(a, MAP1, page, 2);

		int pr = mprotect(a + PROT_OFF, PROT_LEN, PROT_READ);
		if (!quiet)
			printf("mprotect %p 0x%lx -> %d\n", (void *)(a + PROT_OFF), PROT_LEN, pr);
		volatile char sink = a[PROT_OFF];
		(void)sink;
		/* back to one VMA: mremap cannot move a range spanning several */
		pr = mprotect(a + PROT_OFF, PROT_LEN, PROT_READ | PROT_WRITE);
		if (!quiet)
			printf("mprotect %p 0x%lx -> %d\n", (void *)(a + PROT_OFF), PROT_LEN, pr);

		char *b = mremap(a, MAP1, MAP2, MREMAP_MAYMOVE);
		if (b == MAP_FAILED) {
			perror("mremap");
			return 1;
		}
		if (!quiet)
			printf("mremap %p 0x%lx 0x%lx -> %p\n", (void *)a, MAP1, MAP2, (void *)b);
		touch(b + MAP1, MAP2 - MAP1, page, 3);

		pid_t child = fork();
		if (child == 0) {
			b[0] = 4; /* copy-on-write fault in the child */
			_exit(0);
		}
		if (child < 0) {
			perror("fork");
			return 1;
		}
		int status;
		waitpid(child, &status, 0);
		if (!quiet)
			printf("fork child %d status %d\n", (int)child, status);

		int ur = munmap(b, MAP2);
		if (!quiet)
			printf("munmap %p 0x%lx -> %d\n", (void *)b, MAP2, ur);

		int fd = open("/proc/self/exe", O_RDONLY);
		if (fd >= 0) {
			char *f = mmap(NULL, page, PROT_READ, MAP_PRIVATE, fd, 0);
			if (f != MAP_FAILED) {
				volatile char c = f[0];
				(void)c;
				munmap(f, page);
				if (!quiet)
					printf("file %p\n", (void *)f);
			}
			close(fd);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (timed)
		fprintf(stderr, "elapsed_ns %lld\n", (long long)(t1.tv_sec - t0.tv_sec) * 1000000000ll +
			(t1.tv_nsec - t0.tv_nsec));
	return 0;
}
