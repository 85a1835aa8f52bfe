/* mmu.c — the MMU subsystem's lifetime on a machine: boot (paging_init),
 * reset and destruction.
 *
 * Reset frees every host object created since boot (mm_structs, VMAs,
 * anon_vmas, files, devices) without touching frames, whose descriptors
 * and contents the undo log restores; the TLBs are emptied by bumping a
 * per-CPU generation.  The cost follows what the run created.
 */
#include <stdlib.h>
#include <string.h>
#include "mmu_internal.h"

void mmu_init(struct kmm *k)
{
	k->mmu = calloc(1, sizeof(*k->mmu));
	if (!k->mmu)
		kmm_bug(k, "mmu", "out of host memory for the MMU state");
	INIT_LIST_HEAD(&k->mmu->mms);
	INIT_LIST_HEAD(&k->mmu->files);
	INIT_LIST_HEAD(&k->mmu->anon_vmas);
	paging_init(k);
}

static void free_host_objects(struct kmm *k)
{
	struct kmm_mmu *m = k->mmu;

	mms_free_all(k);
	files_free_all(k);
	while (m->anon_vmas.next != &m->anon_vmas) {
		struct anon_vma *av =
			kmm_container_of(m->anon_vmas.next, struct anon_vma, list);
		mlist_del(&av->list);
		free(av);
	}
}

void mmu_reset(struct kmm *k)
{
	struct kmm_mmu *m = k->mmu;

	if (!m)
		return;
	free_host_objects(k);
	m->nr_mms = 0;
	m->next_mm_id = m->next_file_id = m->next_av_id = 0;
	m->nr_file_pages = m->nr_shmem_pages = 0;
	m->nr_frames = 0;
	memset(&m->fstats, 0, sizeof(m->fstats));
	tlb_reset(k);
}

void mmu_destroy(struct kmm *k)
{
	if (!k->mmu)
		return;
	free_host_objects(k);
	free(k->mmu);
	k->mmu = NULL;
}
