/* oracle/model.h — the oracle's private state, shared by its files.
 *
 * Frame model: own[pfn] is OWN_FREE, OWN_RESV (not free at boot) or the
 * owning object id + 1, with OWN_WRITTEN set once the frame has held
 * contents (so __GFP_ZERO must have cleared it).  cnt holds, for each order
 * r = 1..10 and each aligned 2^r block, how many of its frames are free;
 * F[z][r] counts the fully free aligned r-blocks lying inside zone z (F[z][0]
 * = free frames).  A correct buddy allocator keeps its free pages in
 * maximal blocks, so F gives exact free-list counts once the pcp lists are
 * drained, and bounds on them otherwise.
 *
 * Reset: a run ends by freeing everything (oracle_check_restored), which
 * brings both arrays back to their boot values except the OWN_WRITTEN
 * bits, so a reset only clears those (the frames listed in wlist).  After
 * a run that did not get that far (a report caught with longjmp), the
 * arrays are copied back whole.
 */
#ifndef ORACLE_MODEL_H
#define ORACLE_MODEL_H

#include "oracle.h"

#define OWN_FREE 0u
#define OWN_RESV 0x7fffffffu
#define OWN_WRITTEN 0x80000000u
#define OWN_MASK 0x7fffffffu

#define NZ MAX_NR_ZONES
#define NORD MAX_ORDER

enum { OBJ_LIVE = 1, OBJ_SPLIT = 2, OBJ_COMPOUND = 4, OBJ_SLAB = 8, OBJ_VAREA = 16,
       OBJ_VMAP = 32, OBJ_IOREMAP = 64 };

/* Frames the buddy allocator handed to another subsystem (slab pages,
 * page tables): owned by this pseudo object. */
#define FOREIGN_ID ORACLE_MAX_OBJS

struct oobj {
	uint32_t pfn;
	uint8_t order, zone, flags, nsub;
	uint8_t ref[ORACLE_MAX_SUBS];
	uint16_t shadow;                /* first shadow page + 1 (0: none) */
	/* OBJ_SLAB: the object and the bytes written at its two ends */
	vaddr_t va;
	uint32_t size;
	uint8_t head[8], tail[8];
	uint32_t usable;                /* OBJ_SLAB: ksize when not the size
					 * class of size (krealloc in place) */
};

/* Expected contents of one frame: the bytes written, and which they are. */
struct shadow {
	uint32_t pfn;
	uint16_t next;                  /* next shadow of the object + 1 */
	uint64_t defined[PAGE_SIZE / 64];
	uint8_t data[PAGE_SIZE];
};
#define NR_SHADOWS 256

struct ozone {
	unsigned long start, end, present;
	unsigned long wmark[3];
	unsigned long reserve[NZ];
	int pcp_high, pcp_batch;
	unsigned long pcp_bound;
};

struct ofault {                         /* the model's fail_page_alloc */
	unsigned long interval, nth, calls;
	long times;
	unsigned int min_order;
	bool ign_highmem, ign_wait;
};

struct boot_list {                      /* boot free blocks of one zone/order */
	unsigned long *pfn;
	unsigned long n;
};

/* A page event (mm_page_alloc / mm_page_free) not yet synced. */
struct oevent {
	uint32_t pfn;
	uint8_t order, free;
};
#define NR_EVENTS 4096

struct oracle {
	struct kmm *k;
	unsigned long max_pfn, max_low_pfn;
	unsigned int nr_cpus, cpu;
	unsigned long min_free_kbytes;
	struct ozone z[NZ];

	uint32_t *own, *own_boot;
	uint16_t *cnt, *cnt_boot;
	size_t cnt_off[NORD];           /* start of order r's blocks in cnt */
	size_t ncnt;
	uint32_t *wlist;                /* frames with OWN_WRITTEN set */
	size_t nw;
	bool restored;                  /* the run ended with all freed */
	long F[NZ][NORD], F_boot[NZ][NORD];

	struct oobj obj[ORACLE_MAX_OBJS];
	uint16_t used[ORACLE_MAX_OBJS];
	unsigned int nused;
	struct shadow *sh;
	uint16_t sh_free[NR_SHADOWS];
	unsigned int nsh_free;

	struct ofault fault, failslab;
	uint8_t *kfree;                 /* scratch: frames kmm has free */
	uint8_t *mfree, *mfree_boot;    /* 1: the model has the frame free */
	unsigned long seen_alloc[NZ], seen_free[NZ];    /* zone counters */
	long nforeign;
	struct oevent ev[NR_EVENTS];    /* slab.c: since the last settle */
	unsigned int nev;
	bool ev_lost;                   /* overflowed: sync by a full scan */
	struct omm *mm[ORACLE_MAX_OBJS];        /* user.c: processes */
	uint16_t mm_used[ORACLE_MAX_OBJS];
	unsigned int nmm_used;
	struct ofiles *files;           /* file.c: files and COW copies */
	uint8_t *iodev;                 /* iomem.c: the fuzz device's bytes */
	bool iodev_dirty;
	struct boot_list boot[NZ][NORD];

	oracle_report_fn report;
	void *report_arg;
};

static inline int ozone_of(const struct oracle *o, unsigned long pfn)
{
	return pfn < o->z[ZONE_DMA].end ? ZONE_DMA
	       : pfn < o->z[ZONE_NORMAL].end ? ZONE_NORMAL : ZONE_HIGHMEM;
}

/* model.c */
void frames_take(struct oracle *o, unsigned long pfn, unsigned int order,
		 unsigned int id);
void frames_release(struct oracle *o, unsigned long pfn, unsigned int order);
void own_mark_written(struct oracle *o, unsigned long pfn);
struct oobj *oobj_get(struct oracle *o, unsigned int id, const char *what);
unsigned long unit_pfn(const struct oobj *b, unsigned int sub);
unsigned int unit_order(const struct oobj *b);
/* buddy.c: fault_attr with probability 100 (also failslab's) */
bool ofault_should_fail(struct ofault *f, gfp_t gfp, unsigned int order);
/* slab.c: the machine's page hook */
void oracle_page_event(void *arg, enum kmm_page_event ev, unsigned long pfn,
		       unsigned int order);
/* user.c */
struct omm;
void user_reset(struct oracle *o);
void user_destroy(struct oracle *o);
/* file.c: files by slot (a run's files in creation order) */
#define OFILE_CAP 65536u                /* bytes a file's view covers */
void file_reset(struct oracle *o);
void file_destroy(struct oracle *o);
int file_slot(struct oracle *o, unsigned int fid, const char *what);
uint32_t file_size(const struct oracle *o, unsigned int slot);
uint8_t *file_view(struct oracle *o, unsigned int slot);
/* A private copy of page pgoff of the file as it is now: its id + 1, or
 * 0 when the pool is full (the copy's bytes are then unknown). */
unsigned int file_snapshot(struct oracle *o, unsigned int slot, uint32_t pgoff);
const uint8_t *file_snap(const struct oracle *o, unsigned int snap);
/* user.c: truncate unmapped pages from pgoff first of the file in every
 * process, private copies included */
void user_file_truncated(struct oracle *o, unsigned int slot, uint32_t first);
/* kernel.c: a new vmalloc-range area of n pages at va: in the range,
 * disjoint from live areas and their guard pages, its own guard unmapped */
void check_new_area(struct oracle *o, const char *what, vaddr_t va,
		    unsigned int n);
/* iomem.c */
void iomem_reset(struct oracle *o);
void iomem_access(struct oracle *o, unsigned int id, struct oobj *b,
		  unsigned int off, unsigned int len, vaddr_t va, bool write,
		  const uint8_t *data);
/* content.c */
void shadow_drop_unit(struct oracle *o, struct oobj *b, unsigned int sub);
void shadow_reset(struct oracle *o);
bool read_zero(struct oracle *o, unsigned long pfn, unsigned int *bad_off);
/* The bytes a kernel access saw or stored at frame pfn, offset off: the
 * frame holds them, and they agree with what the shadow knows (read) or
 * become what it knows (write). */
void shadow_access(struct oracle *o, unsigned int id, unsigned long pfn,
		   unsigned int off, unsigned int len, const uint8_t *bytes,
		   bool write);
/* slab.c: check (write false) or write again the pattern at both ends of
 * slab object id */
void slab_ends(struct oracle *o, unsigned int id, bool write);

#endif
