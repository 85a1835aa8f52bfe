/* trace_format.h — the kmmfuzz trace file (trace/FORMAT.md): header, typed
 * records, a writer and a validating reader.
 *
 * The reader never trusts its input: every length, kind, flag and string is
 * checked, and a malformed file yields an error with the byte offset and
 * what is wrong.  It works on a buffer in memory (kmmt_read_file loads one),
 * which is what the fuzz targets feed it.
 */
#ifndef KMMT_TRACE_FORMAT_H
#define KMMT_TRACE_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "kmmtrace.h"

#define KMMT_MAGIC "KMMTRACE"
#define KMMT_VERSION_MAJOR 1
#define KMMT_VERSION_MINOR 0
#define KMMT_HEADER_LEN 256        /* v1.0 header size; later minors may grow it */
#define KMMT_HEADER_MAX 4096
#define KMMT_REC_HDR_LEN 32
#define KMMT_PATH_MAX 4096         /* MAPS path / EXEC filename */
#define KMMT_REC_MAX (KMMT_REC_HDR_LEN + 64 + KMMT_PATH_MAX)
#define KMMT_MAX_ORDER 20          /* a larger order is malformed */
#define KMMT_RELEASE_LEN 80
#define KMMT_MACHINE_LEN 16
#define KMMT_TOOL_LEN 32

/* header flags */
#define KMMT_HF_COMPLETE 0x1       /* record_count/lost/end are final */
#define KMMT_HF_HASHED 0x2         /* some pointers are %p hashes */
#define KMMT_HF_ALL 0x3

enum kmmt_source {
	KMMT_SRC_KMMTRACE = 1,
	KMMT_SRC_TRACEFS = 2,      /* tracefs trace / trace_pipe text */
	KMMT_SRC_TRACE_CMD = 3,    /* trace-cmd report text */
	KMMT_SRC_PERF = 4,         /* perf script text */
	KMMT_SRC_OTHER = 5,        /* written by a program (tests, tools) */
	KMMT_NR_SOURCES
};

/* MAPS prot bits */
#define KMMT_PROT_READ 0x1
#define KMMT_PROT_WRITE 0x2
#define KMMT_PROT_EXEC 0x4
#define KMMT_MAP_SHARED 0x8

/* The canonical gfp bits of the trace file: Linux 5.x/6.x ___GFP_* positions.
 * Text importers map flag names onto these; kmmtrace stores the kernel's
 * raw gfp_t (the same positions on 5.x..6.x, see FORMAT.md). */
#define KMMT_GFP_DMA (1ull << 0)
#define KMMT_GFP_HIGHMEM (1ull << 1)
#define KMMT_GFP_DMA32 (1ull << 2)
#define KMMT_GFP_MOVABLE (1ull << 3)
#define KMMT_GFP_RECLAIMABLE (1ull << 4)
#define KMMT_GFP_HIGH (1ull << 5)
#define KMMT_GFP_IO (1ull << 6)
#define KMMT_GFP_FS (1ull << 7)
#define KMMT_GFP_ZERO (1ull << 8)
#define KMMT_GFP_ATOMIC (1ull << 9)   /* removed in 6.3 */
#define KMMT_GFP_DIRECT_RECLAIM (1ull << 10)
#define KMMT_GFP_KSWAPD_RECLAIM (1ull << 11)
#define KMMT_GFP_WRITE (1ull << 12)
#define KMMT_GFP_NOWARN (1ull << 13)
#define KMMT_GFP_RETRY_MAYFAIL (1ull << 14)
#define KMMT_GFP_NOFAIL (1ull << 15)
#define KMMT_GFP_NORETRY (1ull << 16)
#define KMMT_GFP_MEMALLOC (1ull << 17)
#define KMMT_GFP_COMP (1ull << 18)
#define KMMT_GFP_NOMEMALLOC (1ull << 19)
#define KMMT_GFP_HARDWALL (1ull << 20)
#define KMMT_GFP_THISNODE (1ull << 21)
#define KMMT_GFP_ACCOUNT (1ull << 22)
#define KMMT_GFP_ZEROTAGS (1ull << 23)
#define KMMT_GFP_RECLAIM (KMMT_GFP_DIRECT_RECLAIM | KMMT_GFP_KSWAPD_RECLAIM)

struct kmmt_header {
	uint16_t version_major, version_minor;
	uint32_t header_len;
	uint32_t flags;            /* KMMT_HF_* */
	uint32_t page_size;
	uint8_t pointer_size;      /* 4 or 8 */
	uint8_t source;            /* enum kmmt_source */
	uint32_t filter_kind;      /* enum kmmt_filter */
	uint32_t filter_pid;
	uint32_t duration_s;       /* 0: until stopped */
	uint64_t filter_cgroup;
	char filter_comm[KMMT_COMM_LEN];
	uint32_t event_mask;       /* bit t set: kind t was captured */
	uint32_t nr_cpus;
	uint32_t ringbuf_kb;
	uint64_t start_ns, end_ns; /* CLOCK_MONOTONIC (text: trace clock) */
	uint64_t record_count;     /* valid with KMMT_HF_COMPLETE */
	uint64_t lost_events;
	char kernel_release[KMMT_RELEASE_LEN];
	char machine[KMMT_MACHINE_LEN];
	char tool[KMMT_TOOL_LEN];
};

/* A decoded record.  Which member of the union is valid follows type. */
struct kmmt_record {
	uint16_t type;             /* enum kmmt_type */
	uint16_t flags;            /* KMMT_RF_* */
	uint32_t cpu;
	uint32_t pid;              /* tgid; 0 when the source does not say */
	uint32_t tid;
	uint64_t ts_ns;
	union {
		struct {
			uint64_t call_site, ptr, bytes_req, bytes_alloc, gfp;
			int32_t node;
			char name[KMMT_NAME_LEN];  /* CACHE_ALLOC only */
		} alloc;
		struct {
			uint64_t call_site, ptr;
			char name[KMMT_NAME_LEN];  /* CACHE_FREE only */
		} free;
		struct {
			uint64_t pfn, gfp;         /* gfp: PAGE_ALLOC only */
			uint32_t order;
			int32_t migratetype;       /* PAGE_ALLOC only */
		} page;
		struct {
			uint64_t address, ip, error_code;
		} fault;
		struct {
			uint32_t nr;               /* enum kmmt_sys */
			uint64_t args[6];
		} sys_enter;
		struct {
			uint32_t nr;
			int64_t ret;
		} sys_exit;
		struct {
			uint32_t parent_pid, child_pid, child_tgid, clone_flags;
		} fork;
		struct {
			uint32_t group_dead;       /* 0, 1, or 255 = unknown */
			int32_t exit_code;
		} exit;
		struct {
			uint32_t pid, old_pid;
			char filename[KMMT_PATH_MAX];
		} exec;
		struct {
			uint64_t count;
			uint32_t event_type;       /* 0: any kind */
		} lost;
		struct {
			uint64_t start, end, pgoff, inode;
			uint32_t dev_major, dev_minor, prot; /* KMMT_PROT_*, KMMT_MAP_SHARED */
			char path[KMMT_PATH_MAX];
		} maps;
		struct {
			char comm[KMMT_COMM_LEN];
		} task;
	};
};

struct kmmt_error {
	size_t offset;             /* byte offset in the file */
	char msg[200];
};

/* ---- names ---- */
const char *kmmt_type_name(unsigned type);  /* "kmalloc", ... or NULL */
const char *kmmt_sys_name(unsigned nr);     /* "mmap", ... or NULL */
const char *kmmt_source_name(unsigned src);
const char *kmmt_filter_name(unsigned kind);

/* gfp names <-> canonical bits.  kmmt_gfp_parse accepts the kernel's
 * __print_flags output ("GFP_KERNEL|__GFP_ZERO", "none", hex, 3.x names);
 * returns 0, or -1 on a syntax error.  *unknown is set when a name was not
 * in the table (the value then misses those bits). */
int kmmt_gfp_parse(const char *s, size_t len, uint64_t *gfp, bool *unknown);
/* Writes "GFP_KERNEL|__GFP_ZERO" style names (hex for leftovers). */
void kmmt_gfp_format(uint64_t gfp, char *buf, size_t size);

/* ---- header ---- */
void kmmt_header_init(struct kmmt_header *h, enum kmmt_source src);
/* Fills kernel_release, machine, page_size, pointer_size from this host. */
void kmmt_header_host(struct kmmt_header *h);

/* ---- writer ---- */
struct kmmt_writer {
	FILE *f;
	struct kmmt_header hdr;
	uint64_t records;
	uint64_t lost;
	bool seekable;
	int error;                 /* errno of the first failed write */
	uint64_t counts[KMMT_NR_TYPES];
	/* comm per tid for KMMT_TASK dedup (open addressing, grows) */
	struct kmmt_task_slot {
		uint32_t tid;
		bool used;
		char comm[KMMT_COMM_LEN];
	} *tasks;
	size_t tasks_cap, tasks_used;
};

int kmmt_writer_open(struct kmmt_writer *w, FILE *f, const struct kmmt_header *h);
/* Validates (as the reader would) and appends one record; -1 on a record
 * the reader would refuse (errno EINVAL) or a write error. */
int kmmt_write(struct kmmt_writer *w, const struct kmmt_record *r);
/* Appends a KMMT_TASK record when tid's comm is new or changed. */
int kmmt_write_task(struct kmmt_writer *w, uint32_t pid, uint32_t tid,
		    uint32_t cpu, uint64_t ts, const char *comm);
/* Rewrites the header with the final counts when the stream is seekable
 * (then sets KMMT_HF_COMPLETE), flushes; does not fclose. */
int kmmt_writer_finish(struct kmmt_writer *w, uint64_t end_ns);
void kmmt_writer_free(struct kmmt_writer *w);

/* ---- encoding (for tests and tools) ---- */
/* Encodes r into buf (KMMT_REC_MAX bytes); returns the length or 0 when r
 * is not valid (msg says why, when given). */
size_t kmmt_encode(const struct kmmt_record *r, uint8_t *buf, char *msg, size_t msz);
size_t kmmt_encode_header(const struct kmmt_header *h, uint8_t *buf);

/* ---- reader ---- */
struct kmmt_reader {
	const uint8_t *data;
	size_t len, pos;
	struct kmmt_header hdr;
	uint64_t records;
	uint64_t skipped_unknown;  /* unknown kinds from a newer minor version */
	bool done;
};

/* Parses and validates the header. 0 or -1 with err set. */
int kmmt_reader_init(struct kmmt_reader *rd, const void *data, size_t len,
		     struct kmmt_error *err);
/* 1: a record in *r; 0: clean end of file; -1: malformed, err set. */
int kmmt_reader_next(struct kmmt_reader *rd, struct kmmt_record *r,
		     struct kmmt_error *err);

/* Loads a whole file into memory (free() it). -1 with err on I/O error. */
int kmmt_read_file(const char *path, uint8_t **data, size_t *len,
		   struct kmmt_error *err);

/* ---- text form (kmm-trace-dump) ---- */
void kmmt_dump_header(FILE *out, const struct kmmt_header *h);
void kmmt_dump_record(FILE *out, const struct kmmt_record *r);

#endif
