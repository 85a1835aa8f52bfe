/* test_oplang.c — the op language: binary codec, text form, round trips,
 * static liveness and the edits the minimizer makes.  Expected bytes and
 * texts follow the format documented in fuzz/oplang.h. */
#include <stdlib.h>
#include <string.h>
#include "kmm_test.h"
#include "oplang.h"
#include "test.h"

static struct opl_scratch scratch;
static struct opl_prog prog, prog2;
static char err[256];

static int parse(const char *text, struct opl_prog *p)
{
	return opl_parse(opl_target_all(), text, strlen(text), p, &scratch, err,
			 sizeof(err));
}

/* print(p) as a string (caller frees) */
static char *print(const struct opl_prog *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	opl_print(f, p, p->n);
	fclose(f);
	return buf;
}

static int op_index(const char *name)
{
	for (unsigned int i = 0; i < opl_nr_ops; i++)
		if (!strcmp(opl_ops[i].name, name))
			return (int)i;
	return -1;
}

static const char canonical[] =
	"machine tiny pae=1 cpus=4\n"
	"p0 = alloc_pages(GFP_KERNEL|__GFP_COMP, 3)\n"
	"a1 = __get_free_pages(GFP_ATOMIC|__GFP_ZERO, 2)\n"
	"a2 = get_zeroed_page(GFP_NOWAIT)\n"
	"split_page(a1, 2)\n"
	"free_pages(a1[3], 0)\n"
	"get_page(p0)\n"
	"put_page(p0)\n"
	"kmm_write(a1[1], 0, 4000, 96, 0x5a)\n"
	"kmm_verify(a1[1])\n"
	"kmm_set_cpu(3)\n"
	"drain_local_pages()\n"
	"fail_page_alloc(interval=2, times=-1, nth=0, min_order=1, "
	"ignore_highmem=1, ignore_wait=0)\n"
	"p3 = alloc_pages(GFP_HIGHUSER_MOVABLE, 10)\n"
	"__free_pages(p3, 10)\n"
	"drain_all_pages()\n"
	"kmm_check()\n"
	"__free_pages(p0, 3)\n";

/* Canonical text parses, prints back byte for byte, and survives
 * text -> binary -> text. */
static int test_text_roundtrip_exact(void)
{
	uint8_t bin[4096];
	ASSERT_EQ(parse(canonical, &prog), 0);
	ASSERT_EQ(prog.n, 17);
	ASSERT_EQ(prog.nh, 4);
	char *t = print(&prog);
	ASSERT_TRUE(!strcmp(t, canonical));
	free(t);
	long n = opl_encode(opl_target_all(), &prog, bin, sizeof(bin), &scratch);
	ASSERT_GE(n, 1);
	opl_decode(opl_target_all(), bin, (size_t)n, &prog2, &scratch);
	ASSERT_TRUE(opl_prog_equal(&prog, &prog2));
	t = print(&prog2);
	ASSERT_TRUE(!strcmp(t, canonical));
	free(t);
	return 0;
}

/* Any byte string decodes; the decoded program encodes to canonical bytes
 * that decode to the same program and print/parse to it as well. */
static int test_random_bytes_roundtrip(void)
{
	uint64_t seed = 42;
	uint8_t in[512], b1[8192], b2[8192];

	for (int iter = 0; iter < 2000; iter++) {
		size_t len = test_rand(&seed) % sizeof(in);
		for (size_t i = 0; i < len; i++)
			in[i] = (uint8_t)test_rand(&seed);
		opl_decode(opl_target_all(), in, len, &prog, &scratch);
		long n1 = opl_encode(opl_target_all(), &prog, b1, sizeof(b1), &scratch);
		ASSERT_GE(n1, 1);
		opl_decode(opl_target_all(), b1, (size_t)n1, &prog2, &scratch);
		ASSERT_TRUE(opl_prog_equal(&prog, &prog2));
		char *t = print(&prog);
		ASSERT_EQ(parse(t, &prog2), 0);
		free(t);
		ASSERT_TRUE(opl_prog_equal(&prog, &prog2));
		long n2 = opl_encode(opl_target_all(), &prog2, b2, sizeof(b2), &scratch);
		ASSERT_EQ(n1, n2);
		ASSERT_EQ(memcmp(b1, b2, (size_t)n1), 0);
	}
	return 0;
}

/* The binary layout: machine byte, opcode modulo the op count, two-byte
 * GFP over the fuzzable bits, order wrapped into 0..10. */
static int test_binary_layout(void)
{
	const struct opl_target *t = opl_target_all();
	int ap = op_index("alloc_pages");
	ASSERT_GE(ap, 0);
	uint8_t code = (uint8_t)t->code[ap];
	/* GFP raw bits: 3 = __GFP_WAIT, 5 = __GFP_IO, 6 = __GFP_FS */
	uint16_t kernel = 1u << 3 | 1u << 5 | 1u << 6;
	uint8_t in[] = {204, (uint8_t)(code + t->nops), (uint8_t)kernel,
			(uint8_t)(kernel >> 8), 11 + 4};
	opl_decode(t, in, sizeof(in), &prog, &scratch);
	ASSERT_EQ(prog.machine, 4);
	ASSERT_EQ(prog.n, 1);
	ASSERT_EQ(prog.ops[0].op, ap);
	ASSERT_EQ(prog.ops[0].a[0], GFP_KERNEL);
	ASSERT_EQ(prog.ops[0].a[1], 4);
	ASSERT_EQ(prog.ops[0].res, 0);
	/* canonical encoding */
	uint8_t out[16];
	ASSERT_EQ(opl_encode(t, &prog, out, sizeof(out), &scratch), 5);
	uint8_t want[] = {4, code, (uint8_t)kernel, (uint8_t)(kernel >> 8), 4};
	ASSERT_EQ(memcmp(out, want, sizeof(want)), 0);
	/* empty input: default machine, no ops */
	opl_decode(t, in, 0, &prog, &scratch);
	ASSERT_EQ(prog.machine, 0);
	ASSERT_EQ(prog.n, 0);
	/* missing argument bytes read as zero: GFP_NOWAIT, order 0 */
	opl_decode(t, in, 2, &prog, &scratch);
	ASSERT_EQ(prog.n, 1);
	ASSERT_EQ(prog.ops[0].a[0], 0);
	ASSERT_EQ(prog.ops[0].a[1], 0);
	return 0;
}

/* Handle arguments pick live objects modulo their count; with none live
 * the op is dropped. */
static int test_handle_modulo_and_drop(void)
{
	const struct opl_target *t = opl_target_all();
	uint8_t ap = (uint8_t)t->code[op_index("alloc_pages")];
	uint8_t fp = (uint8_t)t->code[op_index("__free_pages")];
	uint8_t in[] = {0, fp, 0, 0,                    /* nothing live: dropped */
			ap, 0, 0, 0, ap, 0, 0, 1, ap, 0, 0, 2,
			fp, 4, 0,                       /* 4 % 3 = 1: p1 */
			fp, 1, 7};                      /* 1 % 2 = 1: p2 */
	opl_decode(t, in, sizeof(in), &prog, &scratch);
	ASSERT_EQ(prog.n, 5);
	ASSERT_EQ(OPL_H(prog.ops[3].a[0]), 1);
	ASSERT_EQ(prog.ops[3].a[1], 1);               /* p1's order */
	ASSERT_EQ(OPL_H(prog.ops[4].a[0]), 2);
	ASSERT_EQ(prog.ops[4].a[1], 2);
	return 0;
}

/* Invalid GFP combinations decode to valid ones; the text form rejects
 * them; names print from the largest composite down. */
static int test_gfp_forms(void)
{
	char buf[200];
	gfp_t g;

	ASSERT_EQ(opl_gfp_decode(0x3, false), __GFP_DMA);          /* DMA|HIGHMEM */
	ASSERT_EQ(opl_gfp_decode(1u << 2 | 1u << 15, false), __GFP_MOVABLE);
	ASSERT_EQ(opl_gfp_decode(0x2, true), 0);                     /* lowmem */
	opl_gfp_print(buf, sizeof(buf), GFP_KERNEL | __GFP_ZERO);
	ASSERT_TRUE(!strcmp(buf, "GFP_KERNEL|__GFP_ZERO"));
	opl_gfp_print(buf, sizeof(buf), 0);
	ASSERT_TRUE(!strcmp(buf, "GFP_NOWAIT"));
	opl_gfp_print(buf, sizeof(buf), GFP_HIGHUSER_MOVABLE | __GFP_COLD);
	ASSERT_TRUE(!strcmp(buf, "GFP_HIGHUSER_MOVABLE|__GFP_COLD"));
	ASSERT_EQ(opl_gfp_parse("GFP_USER | __GFP_HIGHMEM", &g), 0);
	ASSERT_EQ(g, GFP_HIGHUSER);
	ASSERT_FALSE(opl_gfp_valid(__GFP_DMA | __GFP_HIGHMEM, false));
	ASSERT_FALSE(opl_gfp_valid(__GFP_HIGHMEM, true));
	ASSERT_NE(parse("p0 = alloc_pages(GFP_DMA|__GFP_HIGHMEM, 0)\n", &prog), 0);
	ASSERT_NE(parse("a0 = __get_free_pages(GFP_HIGHUSER, 0)\n", &prog), 0);
	return 0;
}

/* The parser names the line and the problem. */
static int test_parse_errors(void)
{
	ASSERT_NE(parse("p0 = alloc_pages(GFP_KERNEL, 0)\nfoo(p0)\n", &prog), 0);
	ASSERT_STR_CONTAINS(err, "line 2: unknown op 'foo'");
	ASSERT_NE(parse("__free_pages(p9, 0)\n", &prog), 0);
	ASSERT_STR_CONTAINS(err, "unknown handle 'p9'");
	ASSERT_NE(parse("p0 = alloc_pages(GFP_KERNEL, 0)\n__free_pages(p0, 0)\n"
			"__free_pages(p0, 0)\n", &prog), 0);
	ASSERT_STR_CONTAINS(err, "line 3: 'p0' is not live");
	ASSERT_NE(parse("p0 = alloc_pages(GFP_KERNEL, 2)\n__free_pages(p0, 1)\n",
			&prog), 0);
	ASSERT_STR_CONTAINS(err, "not the order of the block");
	ASSERT_NE(parse("p0 = alloc_pages(GFP_KERNEL, 1)\nsplit_page(p0, 1)\n"
			"__free_pages(p0, 0)\n", &prog), 0);
	ASSERT_STR_CONTAINS(err, "is split");
	ASSERT_NE(parse("kmm_check()\nmachine tiny\n", &prog), 0);
	ASSERT_STR_CONTAINS(err, "must come first");
	ASSERT_NE(parse("machine classic cpus=4\n", &prog), 0);
	ASSERT_NE(parse("kmm_set_cpu(2)\n", &prog), 0);        /* 2 CPUs */
	ASSERT_NE(parse("p0 = alloc_pages(GFP_KERNEL, 11)\n", &prog), 0);
	ASSERT_NE(parse("p0 = alloc_pages(GFP_KERNEL,, 1)\n", &prog), 0);
	ASSERT_NE(parse("kmm_check(\n", &prog), 0);
	ASSERT_NE(parse("x = kmm_check()\n", &prog), 0);
	/* comments, blank lines, spacing and user names are fine */
	ASSERT_EQ(parse("# c\n\n  buf = alloc_pages( GFP_KERNEL , 0 ) # x\n"
			"__free_pages(buf,0)\n", &prog), 0);
	ASSERT_EQ(prog.n, 2);
	return 0;
}

/* put_page may not drop the last reference of a non-compound order>0
 * block (only its first page would be freed): statically refused unless
 * another reference was taken. */
static int test_static_liveness_filters(void)
{
	ASSERT_NE(parse("p0 = alloc_pages(GFP_KERNEL, 2)\nput_page(p0)\n", &prog), 0);
	ASSERT_EQ(parse("p0 = alloc_pages(GFP_KERNEL, 2)\nget_page(p0)\n"
			"put_page(p0)\n__free_pages(p0, 2)\n", &prog), 0);
	ASSERT_EQ(parse("p0 = alloc_pages(GFP_KERNEL|__GFP_COMP, 2)\nput_page(p0)\n",
			&prog), 0);
	ASSERT_NE(parse("p0 = alloc_pages(GFP_KERNEL|__GFP_COMP, 2)\n"
			"split_page(p0, 2)\n", &prog), 0);
	ASSERT_NE(parse("p0 = alloc_pages(GFP_HIGHUSER, 0)\nfree_pages(p0, 0)\n",
			&prog), 0);
	ASSERT_NE(parse("p0 = alloc_pages(GFP_KERNEL, 0)\n"
			"kmm_write(p0, 1, 0, 1, 0x00)\n", &prog), 0);
	ASSERT_NE(parse("p0 = alloc_pages(GFP_KERNEL, 0)\n"
			"kmm_write(p0, 0, 4000, 100, 0x00)\n", &prog), 0);
	return 0;
}

/* Dropping an allocation drops what used it; handles are renumbered. */
static int test_sanitize_after_removal(void)
{
	ASSERT_EQ(parse("p0 = alloc_pages(GFP_KERNEL, 0)\n"
			"p1 = alloc_pages(GFP_KERNEL, 1)\n"
			"get_page(p0)\n"
			"__free_pages(p1, 1)\n"
			"p2 = alloc_pages(GFP_DMA, 0)\n"
			"__free_pages(p2, 0)\n", &prog), 0);
	memmove(&prog.ops[0], &prog.ops[1], 5 * sizeof(prog.ops[0]));
	prog.n = 5;
	ASSERT_EQ(opl_sanitize(&prog), 4);             /* get_page(p0) goes */
	ASSERT_EQ(prog.nh, 2);
	char *t = print(&prog);
	ASSERT_TRUE(!strcmp(t, "machine tiny pae=0 cpus=2\n"
			       "p0 = alloc_pages(GFP_KERNEL, 1)\n"
			       "__free_pages(p0, 1)\n"
			       "p1 = alloc_pages(GFP_DMA, 0)\n"
			       "__free_pages(p1, 0)\n"));
	free(t);
	return 0;
}

/* Text detection: canonical binary starts with a control byte. */
static int test_is_text(void)
{
	uint8_t bin[] = {0, 3, 0x68, 0};
	ASSERT_FALSE(opl_is_text(bin, sizeof(bin)));
	ASSERT_TRUE(opl_is_text((const uint8_t *)canonical, strlen(canonical)));
	ASSERT_FALSE(opl_is_text(bin, 0));
	return 0;
}

static const struct test_case tests[] = {
	TEST(test_text_roundtrip_exact),
	TEST(test_random_bytes_roundtrip),
	TEST(test_binary_layout),
	TEST(test_handle_modulo_and_drop),
	TEST(test_gfp_forms),
	TEST(test_parse_errors),
	TEST(test_static_liveness_filters),
	TEST(test_sanitize_after_removal),
	TEST(test_is_text),
};

TEST_MAIN(tests)
