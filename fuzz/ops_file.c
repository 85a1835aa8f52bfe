/* fuzz/ops_file.c — regular files and their mappings: kmm_file_create
 * (contents from a seed), mmap of a file (MAP_SHARED or MAP_PRIVATE),
 * truncate, read(2) and the creator's kmm_file_put.  A file lives until
 * its last reference: the creator's (put by kmm_file_put or at teardown)
 * and one per VMA mapping it (put by munmap or exit).  User accesses to
 * the regions are the ordinary user ops (ops_mm.c); the oracle predicts
 * them from its model of the file (oracle/file.c, oracle/user.c). */
#include <stdlib.h>
#include "kmm/mm.h"
#include "ops.h"

static struct kmm_file *file_of(struct opl_exec *x, int32_t v)
{
	return x->rt[OPL_H(v)].file;
}

void ex_file_create(struct opl_exec *x, const struct opl_inst *in)
{
	unsigned int h = (unsigned int)in->res, size = (unsigned int)in->a[0];
	uint8_t *data = malloc(size ? size : 1);

	if (!data)
		abort();
	for (unsigned int i = 0; i < size; i++)
		data[i] = oracle_file_pattern((uint8_t)in->a[1], i);
	x->rt[h].file = kmm_file_create(x->k, size, data);
	free(data);
	oracle_file_create(x->o, h, size, (uint8_t)in->a[1]);
}

void ex_mmap_file(struct opl_exec *x, const struct opl_inst *in)
{
	unsigned int h = (unsigned int)in->res, pages = (unsigned int)in->a[2];
	struct mm_struct *mm = x->rt[OPL_H(in->a[0])].mm;

	x->rt[h].va = 0;
	if (!mm) {
		opl_note(x, "skipped: the process does not exist (NULL)");
		return;
	}
	long ret = do_mmap_pgoff(x->k, mm, file_of(x, in->a[1]), 0,
				 pages * PAGE_SIZE, (unsigned long)in->a[3],
				 in->a[4] ? MAP_SHARED : MAP_PRIVATE,
				 (unsigned long)in->a[5]);
	oracle_mmap_file(x->o, OPL_H(in->a[0]), OPL_H(in->a[1]), ret, pages,
			 (unsigned int)in->a[3], in->a[4], (unsigned int)in->a[5]);
	if (ret >= 0)
		x->rt[h].va = (vaddr_t)ret;
	opl_note(x, ret >= 0 ? "0x%08lx" : "%ld", ret);
}

void ex_file_truncate(struct opl_exec *x, const struct opl_inst *in)
{
	int ret = kmm_file_truncate(x->k, file_of(x, in->a[0]), (uint64_t)in->a[1]);

	oracle_file_truncate(x->o, OPL_H(in->a[0]), (uint32_t)in->a[1], ret);
	opl_note(x, "%d", ret);
}

void ex_file_read(struct opl_exec *x, const struct opl_inst *in)
{
	uint8_t buf[256];
	size_t ret = kmm_file_read(x->k, file_of(x, in->a[0]), (uint64_t)in->a[1],
				   buf, (size_t)in->a[2]);

	oracle_file_read(x->o, OPL_H(in->a[0]), (uint32_t)in->a[1],
			 (unsigned int)in->a[2], buf, ret);
	opl_note(x, "%zu bytes", ret);
}

static void put_file(struct opl_exec *x, unsigned int h)
{
	if (!x->rt[h].file)
		return;
	kmm_file_put(x->k, x->rt[h].file);
	x->rt[h].file = NULL;
}

void ex_file_put(struct opl_exec *x, const struct opl_inst *in)
{
	put_file(x, OPL_H(in->a[0]));
}

void file_teardown(struct opl_exec *x, unsigned int h)
{
	put_file(x, h);
}
