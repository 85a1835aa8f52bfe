/* oracle/file.c — regular files: their bytes, truncate and read(2).
 *
 * Rules (Linux 3.2 mm/filemap.c, mm/truncate.c, kmm's files without
 * writeback):
 *  - a file's page reads in from the disk: its bytes up to i_size, zero
 *    after them in the last page; once cached it stays until truncate
 *    drops it, and writes through MAP_SHARED mappings change the cached
 *    page (past i_size in the last page too), so the model keeps one
 *    "view" per file: what the page cache holds or would read in;
 *  - truncate to a smaller size drops the pages wholly past it (they read
 *    in as zero if the file grows again) and zeroes the partial page past
 *    the new size (truncate_partial_page); mappings lose their ptes from
 *    page DIV_ROUND_UP(size, PAGE_SIZE) on, private copies too (see
 *    user.c); a larger size changes no byte;
 *  - read(2) returns the view's bytes up to i_size.
 * MAP_PRIVATE copies (a private write's COW) are snapshots of the view's
 * page at the time, kept in a pool; fork shares them (they never change).
 */
#include <stdlib.h>
#include <string.h>
#include "model.h"

struct ofile {
	unsigned int id;                /* handle id */
	uint32_t size;
	uint8_t *view;                  /* OFILE_CAP bytes */
};

#define NR_SNAPS 1024

struct ofiles {
	struct ofile *f;                /* slots, reused run after run */
	unsigned int n, cap;
	uint8_t (*snap)[PAGE_SIZE];
	unsigned int nsnap, capsnap;
};

uint8_t oracle_file_pattern(uint8_t seed, uint32_t i)
{
	return (uint8_t)(seed * 17u + i * 13u + (i >> 8) * 5u + 9u);
}

static struct ofiles *files(struct oracle *o)
{
	if (!o->files && !(o->files = calloc(1, sizeof(*o->files))))
		abort();
	return o->files;
}

void file_reset(struct oracle *o)
{
	if (o->files)
		o->files->n = o->files->nsnap = 0;
}

void file_destroy(struct oracle *o)
{
	struct ofiles *fs = o->files;

	if (!fs)
		return;
	for (unsigned int i = 0; i < fs->cap; i++)
		free(fs->f[i].view);
	free(fs->f);
	free(fs->snap);
	free(fs);
	o->files = NULL;
}

int file_slot(struct oracle *o, unsigned int fid, const char *what)
{
	struct ofiles *fs = files(o);

	for (unsigned int i = 0; i < fs->n; i++)
		if (fs->f[i].id == fid)
			return (int)i;
	oracle_fail(o, "harness", "%s: file %u is not known to the model", what, fid);
}

uint32_t file_size(const struct oracle *o, unsigned int slot)
{
	return o->files->f[slot].size;
}

uint8_t *file_view(struct oracle *o, unsigned int slot)
{
	return o->files->f[slot].view;
}

unsigned int file_snapshot(struct oracle *o, unsigned int slot, uint32_t pgoff)
{
	struct ofiles *fs = files(o);

	if (fs->nsnap == NR_SNAPS || (uint64_t)pgoff * PAGE_SIZE >= OFILE_CAP)
		return 0;
	if (fs->nsnap == fs->capsnap) {
		unsigned int cap = fs->capsnap ? 2 * fs->capsnap : 16;
		void *p = realloc(fs->snap, cap * sizeof(*fs->snap));
		if (!p)
			abort();
		fs->snap = p;
		fs->capsnap = cap;
	}
	memcpy(fs->snap[fs->nsnap], fs->f[slot].view + pgoff * PAGE_SIZE, PAGE_SIZE);
	return ++fs->nsnap;
}

const uint8_t *file_snap(const struct oracle *o, unsigned int snap)
{
	return o->files->snap[snap - 1];
}

void oracle_file_create(struct oracle *o, unsigned int fid, uint32_t size,
			uint8_t seed)
{
	struct ofiles *fs = files(o);

	if (size > OFILE_CAP)
		oracle_fail(o, "harness", "file %u of %u bytes", fid, size);
	if (fs->n == fs->cap) {
		unsigned int cap = fs->cap ? 2 * fs->cap : 8;
		struct ofile *f = realloc(fs->f, cap * sizeof(*f));
		if (!f)
			abort();
		memset(f + fs->cap, 0, (cap - fs->cap) * sizeof(*f));
		fs->f = f;
		fs->cap = cap;
	}
	struct ofile *f = &fs->f[fs->n++];
	if (!f->view && !(f->view = malloc(OFILE_CAP)))
		abort();
	f->id = fid;
	f->size = size;
	for (uint32_t i = 0; i < size; i++)
		f->view[i] = oracle_file_pattern(seed, i);
	memset(f->view + size, 0, OFILE_CAP - size);
}

void oracle_file_truncate(struct oracle *o, unsigned int fid, uint32_t size,
			  int ret)
{
	int slot = file_slot(o, fid, "truncate");
	struct ofile *f = &o->files->f[slot];

	if (ret != 0)
		oracle_fail(o, "mm/truncate", "truncate(file %u, %u): model: 0; "
			    "kmm: %d", fid, size, ret);
	if (size > OFILE_CAP)
		oracle_fail(o, "harness", "truncate of file %u to %u bytes", fid, size);
	if (size < f->size) {
		memset(f->view + size, 0, OFILE_CAP - size);
		user_file_truncated(o, (unsigned int)slot,
				    (size + PAGE_SIZE - 1) / PAGE_SIZE);
	}
	f->size = size;
}

void oracle_file_read(struct oracle *o, unsigned int fid, uint32_t off,
		      unsigned int len, const uint8_t *data, size_t ret)
{
	int slot = file_slot(o, fid, "read");
	const struct ofile *f = &o->files->f[slot];
	size_t want = off >= f->size ? 0 : f->size - off < len ? f->size - off : len;

	if (ret != want)
		oracle_fail(o, "mm/file", "read(file %u of %u bytes, offset %u, %u "
			    "bytes): model: %zu bytes; kmm: %zu", fid, f->size, off,
			    len, want, ret);
	for (size_t i = 0; i < want; i++)
		if (data[i] != f->view[off + i])
			oracle_fail(o, "mm/file", "read(file %u) byte %zu: model: "
				    "0x%02x (%s); kmm: 0x%02x", fid, off + i,
				    f->view[off + i], "the page cache's byte",
				    data[i]);
}
