/* test.h — the test harness: tools/testing/vma style.
 *
 * Each test is `static int test_x(void)` that sets up a state, does one
 * thing, checks the whole resulting state and returns 0.  ASSERT_* print
 * file:line:function and the values, then return 1.  main() runs the list
 * and ends with the plain "N passed, N failed" line.
 */
#ifndef KMM_TEST_H
#define KMM_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ASSERT_OP(a, op, b)                                                    \
	do {                                                                   \
		long long _a = (long long)(a), _b = (long long)(b);            \
		if (!(_a op _b)) {                                             \
			fprintf(stderr, "%s:%d: %s: ASSERT(%s %s %s) failed: "  \
				"%lld vs %lld (0x%llx vs 0x%llx)\n", __FILE__,  \
				__LINE__, __func__, #a, #op, #b, _a, _b,        \
				(unsigned long long)_a, (unsigned long long)_b); \
			return 1;                                              \
		}                                                              \
	} while (0)
#define ASSERT_EQ(a, b) ASSERT_OP(a, ==, b)
#define ASSERT_NE(a, b) ASSERT_OP(a, !=, b)
#define ASSERT_LT(a, b) ASSERT_OP(a, <, b)
#define ASSERT_LE(a, b) ASSERT_OP(a, <=, b)
#define ASSERT_GE(a, b) ASSERT_OP(a, >=, b)
#define ASSERT_TRUE(c) ASSERT_OP(!!(c), ==, 1)
#define ASSERT_FALSE(c) ASSERT_OP(!!(c), ==, 0)
#define ASSERT_STR_CONTAINS(hay, needle)                                       \
	do {                                                                   \
		if (!strstr((hay), (needle))) {                                \
			fprintf(stderr, "%s:%d: %s: expected \"%s\" in:\n%s\n", \
				__FILE__, __LINE__, __func__, (needle), (hay)); \
			return 1;                                              \
		}                                                              \
	} while (0)

struct test_case {
	const char *name;
	int (*fn)(void);
};
#define TEST(fn) {#fn, fn}

static inline int test_main(const struct test_case *t, size_t n, int argc,
			    char **argv)
{
	int passed = 0, failed = 0;

	for (size_t i = 0; i < n; i++) {
		if (argc > 1 && !strstr(t[i].name, argv[1]))
			continue;
		if (t[i].fn()) {
			fprintf(stderr, "FAIL %s\n", t[i].name);
			failed++;
		} else {
			passed++;
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
#define TEST_MAIN(list)                                                        \
	int main(int argc, char **argv)                                        \
	{                                                                      \
		return test_main(list, sizeof(list) / sizeof(list[0]), argc,   \
				 argv);                                        \
	}

#endif
