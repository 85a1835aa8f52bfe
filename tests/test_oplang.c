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

/* Every op added for user memory and kernel addresses, in canonical form. */
static const char canonical_new[] =
	"machine tiny pae=1 cpus=2\n"
	"m0 = mm_exec()\n"
	"v1 = sys_brk(m0, 4)\n"
	"v2 = sys_brk(m0, -2)\n"
	"v3 = mmap(m0, 3, PROT_READ|PROT_EXEC, populate=0)\n"
	"mremap(m0, v3, 3, 6, maymove=1)\n"
	"user_exec(m0, v3, 100, 8)\n"
	"flush_tlb_mm(m0)\n"
	"flush_tlb_page(m0, v1, 2)\n"
	"__flush_tlb_one(v3, 15)\n"
	"switch_mm(1, m0)\n"
	"p4 = alloc_pages(GFP_HIGHUSER, 2)\n"
	"z5 = vmap(p4, 2)\n"
	"kernel_write(z5, 16000, 256, 0x10)\n"
	"kernel_read(z5, 16380, 4)\n"
	"probe_kernel_read(z5, 4000, 96)\n"
	"o6 = kmalloc(100, GFP_KERNEL)\n"
	"kernel_read(o6, 99, 1)\n"
	"z7 = vmalloc(5000)\n"
	"kernel_write(z7, 0, 1, 0x00)\n"
	"k8 = kmap(p4)\n"
	"kernel_read(k8, 4095, 1)\n"
	"vunmap(z5)\n"
	"kunmap(k8)\n"
	"__free_pages(p4, 2)\n";

/* The new ops round-trip exactly; offsets and lengths stay inside the
 * object (a vmap area of an order-2 block is 16 KiB, a kmap one page). */
static int test_new_ops_roundtrip(void)
{
	uint8_t bin[4096];

	ASSERT_EQ(parse(canonical_new, &prog), 0);
	ASSERT_EQ(prog.n, 24);
	char *t = print(&prog);
	ASSERT_TRUE(!strcmp(t, canonical_new));
	free(t);
	long n = opl_encode(opl_target_all(), &prog, bin, sizeof(bin), &scratch);
	ASSERT_GE(n, 1);
	opl_decode(opl_target_all(), bin, (size_t)n, &prog2, &scratch);
	ASSERT_TRUE(opl_prog_equal(&prog, &prog2));
	ASSERT_NE(parse("machine tiny\nz0 = vmalloc(100)\n"
			"kernel_read(z0, 100, 1)\n", &prog), 0);
	ASSERT_STR_CONTAINS(err, "outside the object");
	ASSERT_NE(parse("machine tiny\nz0 = vmalloc(100)\n"
			"kernel_read(z0, 90, 11)\n", &prog), 0);
	ASSERT_STR_CONTAINS(err, "past the object");
	/* a vmapped unit stays until vunmap; a vmap is not vfree'd */
	ASSERT_NE(parse("p0 = alloc_pages(GFP_KERNEL, 0)\nz1 = vmap(p0, 0)\n"
			"__free_pages(p0, 0)\n", &prog), 0);
	ASSERT_NE(parse("p0 = alloc_pages(GFP_KERNEL, 0)\nz1 = vmap(p0, 0)\n"
			"vfree(z1)\n", &prog), 0);
	/* highmem units have no kernel address of their own */
	ASSERT_NE(parse("p0 = alloc_pages(GFP_HIGHUSER, 0)\n"
			"kernel_read(p0, 0, 1)\n", &prog), 0);
	return 0;
}

/* Files, file mappings and ioremap in canonical form. */
static const char canonical_file_io[] =
	"machine tiny pae=0 cpus=2\n"
	"f0 = kmm_file_create(5000, 0x33)\n"
	"m1 = mm_exec()\n"
	"v2 = mmap_file(m1, f0, 3, PROT_READ|PROT_WRITE, shared=1, pgoff=16)\n"
	"kmm_file_truncate(f0, 65536)\n"
	"kmm_file_read(f0, 65535, 256)\n"
	"user_read(m1, v2, 0, 8)\n"
	"kmm_file_put(f0)\n"
	"i3 = ioremap(0xfebf5000, 3)\n"
	"kernel_write(i3, 12287, 1, 0x01)\n"
	"i4 = ioremap(0x000ff000, 1)\n"
	"i5 = ioremap(0x0000f000, 1)\n"
	"probe_kernel_read(i5, 0, 8)\n"
	"iounmap(i4)\n"
	"iounmap(i3)\n";

/* The file and ioremap ops round-trip exactly (text and binary); a file
 * put by its creator takes no more ops, an ISA-hole ioremap has no guard
 * page (it is the direct map), ioremap stays inside its region and only
 * maps the listed pages; binary picks the page by index, modulo the list. */
static int test_file_io_ops_roundtrip(void)
{
	uint8_t bin[4096];

	ASSERT_EQ(parse(canonical_file_io, &prog), 0);
	ASSERT_EQ(prog.n, 14);
	char *t = print(&prog);
	ASSERT_TRUE(!strcmp(t, canonical_file_io));
	free(t);
	long n = opl_encode(opl_target_all(), &prog, bin, sizeof(bin), &scratch);
	ASSERT_GE(n, 1);
	opl_decode(opl_target_all(), bin, (size_t)n, &prog2, &scratch);
	ASSERT_TRUE(opl_prog_equal(&prog, &prog2));
	ASSERT_EQ(prog.h[3].size, 3 * 4096);            /* i3: 3 pages */
	ASSERT_NE(parse("f0 = kmm_file_create(1, 0)\nkmm_file_put(f0)\n"
			"kmm_file_truncate(f0, 0)\n", &prog), 0);
	ASSERT_STR_CONTAINS(err, "not live");
	ASSERT_NE(parse("i0 = ioremap(0x000a0000, 1)\n"
			"probe_kernel_read(i0, 0, 8)\n", &prog), 0);
	ASSERT_NE(parse("i0 = ioremap(0xfebf7000, 2)\n", &prog), 0);
	ASSERT_STR_CONTAINS(err, "past the region");
	ASSERT_NE(parse("i0 = ioremap(0x00100000, 1)\n", &prog), 0);
	ASSERT_NE(parse("i0 = ioremap(0x0000e000, 3)\n", &prog), 0);
	ASSERT_NE(parse("i0 = ioremap(0x00000000, 1)\n", &prog), 0);
	ASSERT_NE(parse("f0 = kmm_file_create(65537, 0)\n", &prog), 0);
	/* binary: index 8 + 96 + 2 is low RAM page 3; 7 pages clamp to 13 */
	const struct opl_target *tg = opl_target_all();
	uint8_t in[] = {0, (uint8_t)tg->code[op_index("ioremap")], 8 + 96 + 2, 6,
			(uint8_t)tg->code[op_index("ioremap")],
			OPL_NR_IO_PAGES + 7, 7};
	opl_decode(tg, in, sizeof(in), &prog, &scratch);
	ASSERT_EQ(prog.n, 2);
	ASSERT_EQ(prog.ops[0].a[0], 0x3000);
	ASSERT_EQ(prog.ops[0].a[1], 7);
	ASSERT_EQ((uint32_t)prog.ops[1].a[0], 0xfebf7000u);
	ASSERT_EQ(prog.ops[1].a[1], 1);
	return 0;
}

/* Binary: an object offset is 4 bytes taken modulo the object's size,
 * the length a byte wrapped into 1..256, then clamped to the object. */
static int test_offset_in_object_decoding(void)
{
	const struct opl_target *t = opl_target_all();
	uint8_t vm = (uint8_t)t->code[op_index("vmalloc")];
	uint8_t kr = (uint8_t)t->code[op_index("kernel_read")];
	/* vmalloc(100): size 100 - 1 = 99 in 4 bytes (range 1..131072) */
	uint8_t in[] = {0, vm, 99, 0, 0, 0, kr, 0, 0, 0x2c, 0x01, 0, 0, 200};
	opl_decode(t, in, sizeof(in), &prog, &scratch);
	ASSERT_EQ(prog.n, 2);
	ASSERT_EQ(prog.ops[0].a[0], 100);
	ASSERT_EQ(prog.ops[1].a[1], 300 % 100);
	ASSERT_EQ(prog.ops[1].a[2], 100);            /* 201 clamped to 100 - 0 */
	return 0;
}

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

/* The API variants in canonical form: krealloc replaces its handle (the
 * old one is dead after it), kmalloc_array of n * size beyond
 * KMALLOC_MAX_SIZE or past 32 bits is an object of size 0 with no kernel
 * address to access. */
static const char canonical_variants[] =
	"machine tiny pae=0 cpus=2\n"
	"o0 = kmalloc(100, GFP_KERNEL)\n"
	"o1 = krealloc(o0, 300, GFP_KERNEL)\n"
	"kernel_read(o1, 299, 1)\n"
	"o2 = kcalloc(3, 100, GFP_KERNEL)\n"
	"kernel_read(o2, 299, 1)\n"
	"o3 = kmalloc_array(1073741824, 4, GFP_KERNEL)\n"
	"kfree(o3)\n"
	"o4 = krealloc(o2, 10, GFP_ATOMIC)\n"
	"kfree(o4)\n"
	"z5 = vmalloc_32(5000)\n"
	"z6 = vmalloc_user(100)\n"
	"z7 = vmalloc_32_user(8192)\n"
	"kernel_write(z7, 8191, 1, 0x01)\n"
	"vfree(z5)\n"
	"vfree(z6)\n"
	"vfree(z7)\n"
	"kfree(o1)\n";

static int test_variants_roundtrip(void)
{
	uint8_t bin[4096];

	ASSERT_EQ(parse(canonical_variants, &prog), 0);
	ASSERT_EQ(prog.n, 17);
	ASSERT_EQ(prog.h[1].size, 300);
	ASSERT_EQ(prog.h[2].size, 300);
	ASSERT_EQ(prog.h[3].size, 0);       /* 2^30 * 4 = 2^32: overflow */
	char *t = print(&prog);
	ASSERT_TRUE(!strcmp(t, canonical_variants));
	free(t);
	long n = opl_encode(opl_target_all(), &prog, bin, sizeof(bin), &scratch);
	ASSERT_GE(n, 1);
	opl_decode(opl_target_all(), bin, (size_t)n, &prog2, &scratch);
	ASSERT_TRUE(opl_prog_equal(&prog, &prog2));
	/* the old handle dies at krealloc */
	ASSERT_NE(parse("o0 = kmalloc(8, GFP_KERNEL)\n"
			"o1 = krealloc(o0, 16, GFP_KERNEL)\nkfree(o0)\n", &prog), 0);
	/* large kmalloc objects are not krealloc'ed (kmalloc caches only) */
	ASSERT_NE(parse("o0 = kmalloc(9000, GFP_KERNEL)\n"
			"o1 = krealloc(o0, 16, GFP_KERNEL)\n", &prog), 0);
	/* a kmalloc_array that must fail has no bytes to access */
	ASSERT_NE(parse("o0 = kmalloc_array(4194305, 1, GFP_KERNEL)\n"
			"kernel_read(o0, 0, 1)\n", &prog), 0);
	ASSERT_EQ(parse("o0 = kmalloc_array(4194304, 1, GFP_KERNEL)\n"
			"kernel_read(o0, 4194303, 1)\n", &prog), 0);
	return 0;
}

static const struct test_case tests[] = {
	TEST(test_variants_roundtrip),
	TEST(test_text_roundtrip_exact),
	TEST(test_random_bytes_roundtrip),
	TEST(test_binary_layout),
	TEST(test_new_ops_roundtrip),
	TEST(test_file_io_ops_roundtrip),
	TEST(test_offset_in_object_decoding),
	TEST(test_handle_modulo_and_drop),
	TEST(test_gfp_forms),
	TEST(test_parse_errors),
	TEST(test_static_liveness_filters),
	TEST(test_sanitize_after_removal),
	TEST(test_is_text),
};

TEST_MAIN(tests)
