/* fuzz/oplang.h — the op language: one table of operations, and from it
 * the binary codec, the text form, the dictionary and the op reference.
 *
 * A program is a machine line plus a list of ops.  Ops that create objects
 * name them (handles p0, p1, ... in creation order); ops that use objects
 * refer to them by handle.  Which objects are live is decided statically,
 * from the program alone (an allocation creates a handle even if it
 * returns NULL at run time; the executor then skips ops on it), so the
 * text form never depends on a run.
 *
 * Binary form (what fuzzers mutate), any byte string decodes:
 *   byte 0      machine index 0-9: 0-7 tiny (bit 2 PAE, bits 0-1 CPUs 2,
 *               1, 4, 8), 8-9 classic with 2 CPUs (bit 0 PAE); bytes >= 10
 *               pick a tiny machine by their low 3 bits
 *   then ops    opcode byte (modulo the target's op count), then each
 *               argument in its own width, little endian; values wrap into
 *               their range; a handle argument is two bytes: the index of
 *               a qualifying live object modulo their count, then the unit
 *               (page of a split block) modulo the live units; an op with
 *               no qualifying object is dropped; missing bytes read as 0.
 * Encoding a program gives its canonical bytes: decode(encode(p)) == p.
 *
 * Text form (what people read): one op per line, kernel API names,
 *   machine tiny pae=0 cpus=2
 *   p0 = alloc_pages(GFP_KERNEL|__GFP_COMP, 2)
 *   __free_pages(p0, 2)
 * '#' starts a comment.  print(parse(t)) parses to the same program and
 * binary -> text -> binary gives the canonical bytes back.
 */
#ifndef KMM_OPLANG_H
#define KMM_OPLANG_H

#include <stdio.h>
#include "kmm/kmm.h"

#define OPL_MAX_OPS 1024
#define OPL_MAX_ARGS 6
#define OPL_MAX_SUBS 32                 /* split_page up to order 5 */
#define OPL_MAX_SPLIT_ORDER 5
#define OPL_MAX_REFS 200
#define OPL_NR_MACHINES 10

/* Subsystems: targets select ops by these bits. */
enum {
	OPL_CORE = 1u << 0,             /* CPU switch, fault control, sweep */
	OPL_BUDDY = 1u << 1,
	OPL_SLAB = 1u << 2,
	OPL_VMALLOC = 1u << 3,
	OPL_KMAP = 1u << 4,
	OPL_FAULT = 1u << 5,
	OPL_ALL = 0xffffu,
};

enum opl_arg_kind {
	AK_INT,         /* lo..hi; binary: 1, 2 or 4 bytes by range, wraps */
	AK_HEX,         /* a byte, printed in hex */
	AK_GFP,         /* GFP mask over the fuzzable bits */
	AK_GFP_LOW,     /* the same without __GFP_HIGHMEM */
	AK_CPU,         /* 0 .. nr_cpus-1 of the machine */
	AK_HANDLE,      /* a live object (filter); binary: 2 bytes */
	AK_ORDER_OF,    /* the order of handle argument `ref` (not encoded) */
	AK_PAGE_IN,     /* a page index inside the unit of argument `ref` */
	AK_LEN,         /* 1..hi, clamped to end the page at offset arg `ref` */
	AK_ALIGN,       /* an alignment: 0, 8, 16, ... 256 (one byte) */
	AK_SLAB_FLAGS,  /* SLAB_* creation flags over the fuzzable bits */
	AK_CACHE_OF,    /* the cache of the object in arg `ref` (not encoded) */
	AK_PROT,        /* PROT_READ | PROT_WRITE | PROT_EXEC bits, or PROT_NONE */
	AK_OFF_IN,      /* a byte offset inside the object of handle arg `ref`;
			 * binary: 4 bytes, modulo the object's size */
	AK_LEN_IN,      /* lo..hi, clamped to end the object at offset arg `ref` */
	AK_IOPHYS,      /* a physical page ioremap may map (opl_io_page); one
			 * byte, the index in that list; printed in hex */
	AK_IOPAGES,     /* lo..hi pages, clamped to end the ioremap region of
			 * the page in arg `ref` */
};

/* Which live objects a handle argument may pick. */
enum opl_filter {
	FL_UNIT,        /* any live page unit */
	FL_LOWMEM,      /* a unit with a kernel direct-map address */
	FL_PUTTABLE,    /* put_page may drop the last reference */
	FL_GETTABLE,    /* below OPL_MAX_REFS references */
	FL_SPLITTABLE,  /* whole non-compound block of order 1..5 */
	FL_OBJ,         /* a slab object (kmalloc or a cache's) */
	FL_KMALLOC_OBJ, /* an object from kmalloc */
	FL_CACHE_OBJ,   /* an object from a kmem_cache */
	FL_CACHE,       /* a created kmem_cache */
	FL_CACHE_EMPTY, /* a created kmem_cache without live objects */
	FL_MM,          /* a live process (mm) */
	FL_VMA,         /* a region some mmap returned (its address stays) */
	FL_FREEABLE,    /* a live page unit without a live kmap */
	FL_KMAPPABLE,   /* a live page unit, while fewer than 256 kmaps live */
	FL_KMAP,        /* a live kmap */
	FL_VAREA,       /* a live vmalloc area */
	FL_VMAP,        /* a live vmap area */
	FL_VGUARDED,    /* a live vmalloc or vmap area (it has a guard page) */
	FL_KADDR,       /* anything with a kernel address: a lowmem unit, a
			 * slab object, a vmalloc, vmap or ioremap area, a kmap */
	FL_FILE,        /* a file whose creator's reference is held */
	FL_IOREMAP,     /* a live ioremap */
	FL_KMALLOC_SMALL, /* a kmalloc object served by a kmalloc cache */
};

struct opl_arg {
	const char *name;
	uint8_t kind, filter, ref;
	bool named;                     /* printed as name=value */
	int32_t lo, hi;
};

/* What an op does to the set of live objects (static tracking). */
enum opl_effect {
	EF_NONE,
	EF_NEW_PAGES,   /* creates a block: order from arg order_arg, or 0 */
	EF_PUT,         /* drops one reference of the unit in arg 0 */
	EF_GET,         /* takes one reference of the unit in arg 0 */
	EF_SPLIT,       /* splits the block in arg 0 */
	EF_NEW_OBJ,     /* creates a slab object: size_arg or its cache's */
	EF_NEW_CACHE,   /* creates a kmem_cache: size_arg, gfp_arg = flags */
	EF_NEW_MM,      /* creates a process */
	EF_NEW_VMA,     /* creates a region handle: size_arg pages */
	EF_NEW_KMAP,    /* creates a kmap of the unit in arg 0 */
	EF_NEW_VAREA,   /* creates a vmalloc area: size_arg bytes */
	EF_NEW_VMAP,    /* creates a vmap of the unit in arg 0, order arg 1 */
	EF_NEW_FILE,    /* creates a file: size_arg bytes */
	EF_NEW_IOREMAP, /* creates an ioremap: physical page arg 0, pages arg 1 */
	EF_REALLOC,     /* the object in arg 0 dies, a new one of size_arg is
			 * born (krealloc: the op frees the old one itself
			 * when the kernel returns NULL) */
};

struct opl_exec;
struct opl_inst;
typedef void (*opl_exec_fn)(struct opl_exec *x, const struct opl_inst *in);
/* Frees what is left of handle h at the end of a run. */
typedef void (*opl_teardown_fn)(struct opl_exec *x, unsigned int h);

struct opl_op {
	const char *name;               /* kernel API name */
	const char *doc;                /* one line for the op reference */
	unsigned int subsys;
	const char *result;             /* handle prefix when it creates one */
	uint8_t effect;
	int8_t order_arg, gfp_arg;      /* for EF_NEW_* (-1: none) */
	int8_t size_arg, cache_arg;     /* for EF_NEW_OBJ / EF_NEW_CACHE */
	bool lowmem;                    /* EF_NEW_PAGES: has a kernel address */
	bool array;                     /* EF_NEW_OBJ: size_arg times the count
					 * in arg size_arg - 1; beyond
					 * KMALLOC_MAX_SIZE or 32-bit overflow
					 * the handle's size is 0 (always NULL) */
	uint8_t nargs;
	struct opl_arg args[OPL_MAX_ARGS];
	opl_exec_fn exec;
	opl_teardown_fn teardown;       /* for ops that create objects */
};

extern const struct opl_op opl_ops[];
extern const unsigned int opl_nr_ops;

/* A handle argument holds (handle id | unit << 16). */
#define OPL_H(v) ((unsigned int)(v) & 0xffffu)
#define OPL_SUB(v) ((unsigned int)(v) >> 16)
#define OPL_HV(h, sub) ((int32_t)((h) | (sub) << 16))

struct opl_inst {
	uint16_t op;                    /* index in opl_ops */
	int16_t res;                    /* handle created, or -1 */
	int32_t a[OPL_MAX_ARGS];
};

enum { HF_COMPOUND = 1, HF_LOWMEM = 2 };
enum { HK_PAGES, HK_OBJ, HK_CACHE, HK_MM, HK_VMA, HK_KMAP, HK_VAREA, HK_VMAP,
       HK_FILE, HK_IOREMAP };

struct opl_handle {                     /* static facts about one object */
	uint16_t op;                    /* the op that creates it */
	uint8_t order, flags, kind;
	int16_t parent;                 /* HK_OBJ: its cache's handle, or -1;
					 * HK_KMAP, HK_VMAP: the page handle */
	uint8_t sub;                    /* HK_KMAP, HK_VMAP: the page unit */
	uint32_t gfp;                   /* HK_CACHE: the SLAB_* flags;
					 * HK_IOREMAP: the physical address */
	uint32_t size;                  /* HK_OBJ, HK_CACHE, HK_VAREA, HK_VMAP,
					 * HK_IOREMAP: bytes (HK_OBJ 0: a
					 * kmalloc_array that must fail) */
};

struct opl_prog {
	uint8_t machine;                /* 0 .. OPL_NR_MACHINES-1 */
	uint16_t n, nh;
	struct opl_inst ops[OPL_MAX_OPS];
	struct opl_handle h[OPL_MAX_OPS];
};

/* ---- machines ---- */
struct opl_machine {
	const char *preset;
	bool pae;
	unsigned int cpus;
};
unsigned int opl_machine_byte(uint8_t b);
void opl_machine(unsigned int idx, struct opl_machine *m);
int opl_machine_index(const char *preset, bool pae, unsigned int cpus);
int opl_machine_config(unsigned int idx, struct kmm_config *c);

/* ---- targets: the op subset a fuzz target decodes ---- */
struct opl_target {
	const char *name;
	unsigned int subsys;
	uint16_t nops;
	uint16_t ops[256];              /* indexes into opl_ops */
	int16_t code[256];              /* opl_ops index -> opcode, or -1 */
};
const struct opl_target *opl_target(const char *name);
const struct opl_target *opl_target_all(void);
extern const char *const opl_target_names[];

/* ---- static live-object tracking (shared by decoder, encoder, parser) */
struct opl_live {
	const struct opl_prog *p;
	uint16_t nlive, live[OPL_MAX_OPS];      /* live handle ids, in order */
	uint8_t nsub[OPL_MAX_OPS];
	uint8_t ref[OPL_MAX_OPS][OPL_MAX_SUBS];
};
void opl_live_init(struct opl_live *lv, const struct opl_prog *p);
/* Does unit (h, sub) pass filter f? */
bool opl_unit_ok(const struct opl_live *lv, unsigned int f, unsigned int h,
		 unsigned int sub);
/* Picks the idx-th qualifying handle and the sub-th qualifying unit;
 * -1 when none qualifies. */
int32_t opl_pick(const struct opl_live *lv, unsigned int f, unsigned int idx,
		 unsigned int sub);
/* The inverse: the two index bytes that pick (h, sub); -1 if not live. */
int opl_index_of(const struct opl_live *lv, unsigned int f, int32_t v,
		 uint8_t *idx, uint8_t *sub);
/* Applies op `in` (with its handle already created in p->h if any). */
void opl_live_apply(struct opl_live *lv, const struct opl_inst *in);
unsigned int opl_unit_order(const struct opl_prog *p, const struct opl_live *lv,
			    int32_t v);
/* Bytes addressable through the kernel address of handle argument v
 * (a unit, object, area or kmap); 0 for other kinds. */
uint32_t opl_obj_size(const struct opl_prog *p, const struct opl_live *lv,
		      int32_t v);
/* Fills in the static facts of the handle an EF_NEW_PAGES op creates. */
void opl_handle_facts(struct opl_prog *p, const struct opl_inst *in);

/* Drops ops whose objects are not live (after an edit such as removing
 * ops); returns the number kept.  Handle ids are renumbered densely. */
unsigned int opl_sanitize(struct opl_prog *p);
bool opl_prog_equal(const struct opl_prog *a, const struct opl_prog *b);

/* ---- physical pages ioremap may map ----
 * The fuzz device (OPL_IODEV_PAGES pages of MMIO at OPL_IODEV_BASE, in the
 * PCI hole; the executor creates it for a run at its first ioremap), the
 * ISA hole 0xa0000-0xfffff (3.2 returns its direct-map address) and the
 * reserved low RAM pages 1-15 (reservelow; mapped like MMIO, as RAM that
 * is PageReserved may be).  Each page starts a region: pages past it stay
 * inside the region. */
#define OPL_IODEV_BASE 0xfebf0000u
#define OPL_IODEV_PAGES 8u
#define OPL_IO_ISA_START 0xa0000u
#define OPL_IO_ISA_END 0x100000u
#define OPL_NR_IO_PAGES (OPL_IODEV_PAGES + 96u + 15u)
uint32_t opl_io_page(unsigned int idx);         /* idx < OPL_NR_IO_PAGES */
int opl_io_index(uint32_t phys);                /* -1: not in the list */
/* Pages from phys to the end of its region. */
unsigned int opl_io_room(uint32_t phys);

/* ---- SLAB_* creation flags and alignments ---- */
uint32_t opl_slab_flags_decode(uint8_t raw);
uint8_t opl_slab_flags_encode(uint32_t flags);
int opl_slab_flags_print(char *buf, size_t n, uint32_t flags);
int opl_slab_flags_parse(const char *s, uint32_t *flags);
int opl_prot_print(char *buf, size_t n, uint32_t prot);
int opl_prot_parse(const char *s, uint32_t *prot);
unsigned int opl_align_decode(uint8_t raw);
int opl_align_encode(unsigned int align);       /* -1: not an alignment */

/* ---- GFP masks ---- */
gfp_t opl_gfp_decode(uint16_t raw, bool lowmem);
uint16_t opl_gfp_encode(gfp_t gfp);
bool opl_gfp_valid(gfp_t gfp, bool lowmem);
int opl_gfp_print(char *buf, size_t n, gfp_t gfp);
int opl_gfp_parse(const char *s, gfp_t *gfp);

/* ---- codec ---- */
/* Scratch the codec and parser need (the live-object tracker is large). */
struct opl_scratch {
	struct opl_live lv;
	struct opl_prog tmp;
};
void opl_decode(const struct opl_target *t, const uint8_t *d, size_t n,
		struct opl_prog *p, struct opl_scratch *s);
/* Returns the length, or -1 if the program does not fit / uses an op the
 * target lacks. */
long opl_encode(const struct opl_target *t, const struct opl_prog *p,
		uint8_t *out, size_t cap, struct opl_scratch *s);

/* ---- text ---- */
/* Parses text; 0 or -1 with "line N: why" in err. */
int opl_parse(const struct opl_target *t, const char *text, size_t len,
	      struct opl_prog *p, struct opl_scratch *s, char *err, size_t errlen);
void opl_print(FILE *f, const struct opl_prog *p, unsigned int nops);
/* One op as text (no newline), into buf; returns the length.  lv: the
 * live objects before the op (for unit names), or NULL. */
int opl_print_op(char *buf, size_t n, const struct opl_prog *p, unsigned int i,
		 const struct opl_live *lv);
/* Heuristic: does this buffer look like a text program? */
bool opl_is_text(const uint8_t *d, size_t n);

/* ---- generated documents ---- */
void opl_print_dict(FILE *f, const struct opl_target *t, bool text);
void opl_print_reference(FILE *f);

#endif
