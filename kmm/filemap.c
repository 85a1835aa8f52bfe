/* filemap.c — simulated files with a page cache, shmem objects and device
 * memory: the mapping side of Linux 3.2 mm/filemap.c (generic_file_mmap,
 * filemap_fault, page_cache_read), mm/shmem.c (shmem_zero_setup,
 * shmem_fault), mm/truncate.c (truncate_pagecache, unmap_mapping_range
 * with even_cows), a character device whose mmap either maps all of a
 * region with remap_pfn_range or inserts pfns at fault time, and one whose
 * mmap maps a vmalloc_user buffer with remap_vmalloc_range.
 *
 * A file's disk contents are a host buffer; page-cache pages are frames
 * (GFP_HIGHUSER_MOVABLE) holding the cache's reference, with mapping and
 * index set.  Files live until their last reference (the creator's and one
 * per VMA) is dropped, which truncates the cache.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "mmu_internal.h"
#include "kmm/vmalloc.h"

static struct kmm_file *file_new(struct kmm *k, enum kmm_file_kind kind,
				 uint64_t size)
{
	struct kmm_file *f = calloc(1, sizeof(*f));

	if (!f)
		kmm_bug(k, "filemap", "out of host memory for a file");
	f->kind = kind;
	f->id = ++MMU(k)->next_file_id;
	f->refs = 1;
	f->i_size = size;
	INIT_LIST_HEAD(&f->i_mmap);
	mlist_add_tail(&f->list, &MMU(k)->files);
	return f;
}

struct kmm_file *kmm_file_create(struct kmm *k, uint64_t size, const void *data)
{
	struct kmm_file *f = file_new(k, KMM_FILE_REG, size);

	f->disk = calloc(1, size ? size : 1);
	if (!f->disk)
		kmm_bug(k, "filemap", "out of host memory for a file's disk");
	if (data)
		memcpy(f->disk, data, size);
	f->disk_size = size;
	return f;
}

struct kmm_file *shmem_file_create(struct kmm *k, uint64_t size)
{
	return file_new(k, KMM_FILE_SHMEM, size);
}

struct kmm_file *kmm_device_create(struct kmm *k, phys_addr_t base,
				   uint32_t size, bool fault_mapped)
{
	if (!size || ((base | size) & (PAGE_SIZE - 1)) ||
	    PFN_DOWN(base) < k->layout.max_pfn ||
	    base + size > (1ull << KMM_MAXPHYADDR) ||
	    (!k->layout.pae && base + size > (1ull << 32)))
		kmm_bug(k, "filemap",
			"device memory 0x%llx+0x%x must be page aligned, outside "
			"RAM and addressable", (unsigned long long)base, size);
	for (phys_addr_t a = base; a < base + size; a += PAGE_SIZE)
		if (device_at(k, a))
			kmm_bug(k, "filemap", "device memory 0x%llx+0x%x overlaps "
				"another device", (unsigned long long)base, size);
	struct kmm_file *f = file_new(k, KMM_FILE_DEV, size);
	f->dev.base = base;
	f->dev.size = size;
	f->dev.fault_mapped = fault_mapped;
	f->dev.mem = calloc(1, size);
	if (!f->dev.mem)
		kmm_bug(k, "filemap", "out of host memory for device memory");
	return f;
}

struct kmm_file *kmm_vmalloc_device_create(struct kmm *k, vaddr_t kaddr,
					   uint32_t size)
{
	struct kmm_file *f = file_new(k, KMM_FILE_VMALLOC, 0);

	f->vbuf = kaddr;
	f->vbuf_size = size;
	return f;
}

/* the driver's mmap: the whole VMA from page vm_pgoff of the buffer, or
 * (with a size) what the buffer has from there, the rest left empty */
static int vmalloc_dev_mmap(struct kmm *k, struct kmm_file *f,
			    struct vm_area_struct *vma)
{
	if (!f->vbuf_size)
		return remap_vmalloc_range(k, vma, f->vbuf, vma->vm_pgoff);
	uint64_t off = (uint64_t)vma->vm_pgoff << PAGE_SHIFT;
	uint32_t len = vma->vm_end - vma->vm_start;
	if (off >= f->vbuf_size)
		return -EINVAL;
	if (len > f->vbuf_size - off)
		len = f->vbuf_size - (uint32_t)off;
	return remap_vmalloc_range_partial(k, vma, vma->vm_start, f->vbuf,
					   vma->vm_pgoff, len);
}

struct kmm_device *device_at(struct kmm *k, phys_addr_t pa)
{
	for (struct list_head *e = MMU(k)->files.next; e != &MMU(k)->files;
	     e = e->next) {
		struct kmm_file *f = kmm_container_of(e, struct kmm_file, list);
		if (f->kind == KMM_FILE_DEV && pa >= f->dev.base &&
		    pa - f->dev.base < f->dev.size)
			return &f->dev;
	}
	return NULL;
}

uint64_t kmm_file_size(const struct kmm_file *f) { return f->i_size; }
unsigned long kmm_file_nrpages(const struct kmm_file *f) { return f->nrpages; }

void kmm_file_get(struct kmm *k, struct kmm_file *f)
{
	(void)k;
	f->refs++;
}

struct page *kmm_file_find_page(struct kmm *k, struct kmm_file *f,
				unsigned long index)
{
	(void)k;
	return index < f->cache_len ? f->cache[index] : NULL;
}

static void add_to_page_cache(struct kmm *k, struct kmm_file *f,
			      struct page *page, unsigned long index)
{
	if (index >= f->cache_len) {
		unsigned long n = f->cache_len ? f->cache_len : 16;
		while (n <= index)
			n *= 2;
		struct page **c = realloc(f->cache, n * sizeof(*c));
		if (!c)
			kmm_bug(k, "filemap", "out of host memory for a page cache");
		memset(c + f->cache_len, 0, (n - f->cache_len) * sizeof(*c));
		f->cache = c;
		f->cache_len = n;
	}
	page_touch(k, page);
	page->mapping = f;
	page->index = (uint32_t)index;
	page->flags |= 1u << PG_uptodate;
	if (f->kind == KMM_FILE_SHMEM) {
		page->flags |= 1u << PG_swapbacked;
		MMU(k)->nr_shmem_pages++;
	}
	f->cache[index] = page;
	f->nrpages++;
	MMU(k)->nr_file_pages++;
}

/* delete_from_page_cache + page_cache_release */
static void remove_from_page_cache(struct kmm *k, struct kmm_file *f,
				   unsigned long index)
{
	struct page *page = f->cache[index];

	if (page_mapcount(page))
		kmm_bug(k, "filemap", "truncating page %lu of file %u while it is "
			"mapped %d times", index, f->id, page_mapcount(page));
	f->cache[index] = NULL;
	f->nrpages--;
	MMU(k)->nr_file_pages--;
	if (f->kind == KMM_FILE_SHMEM)
		MMU(k)->nr_shmem_pages--;
	page_touch(k, page);
	page->mapping = NULL;
	put_user_page(k, page);
}

void set_page_dirty(struct kmm *k, struct page *page)
{
	page_set_flag(k, page, PG_dirty);
}

/* truncate_inode_pages from lstart: whole pages beyond go, the partial
 * page is zeroed past lstart */
static void truncate_inode_pages(struct kmm *k, struct kmm_file *f,
				 uint64_t lstart)
{
	unsigned long first = (unsigned long)((lstart + PAGE_SIZE - 1) >> PAGE_SHIFT);

	for (unsigned long i = first; i < f->cache_len; i++)
		if (f->cache[i])
			remove_from_page_cache(k, f, i);
	if ((lstart & (PAGE_SIZE - 1)) && (lstart >> PAGE_SHIFT) < f->cache_len) {
		struct page *p = f->cache[lstart >> PAGE_SHIFT];
		if (p)   /* truncate_partial_page: zero_user_segment */
			zero_user_segments(k, p, (unsigned int)(lstart & (PAGE_SIZE - 1)),
					   PAGE_SIZE, 0, 0);
	}
}

static void file_destroy(struct kmm *k, struct kmm_file *f)
{
	if (!list_empty(&f->i_mmap))
		kmm_bug(k, "filemap", "file %u freed while mapped", f->id);
	truncate_inode_pages(k, f, 0);
	mlist_del(&f->list);
	free(f->cache);
	free(f->disk);
	free(f->dev.mem);
	free(f);
}

void kmm_file_put(struct kmm *k, struct kmm_file *f)
{
	if (f->refs <= 0)
		kmm_bug(k, "filemap", "put of file %u with %d references", f->id,
			f->refs);
	if (--f->refs == 0)
		file_destroy(k, f);
}

/* reset: the frames are restored by the undo log; only host memory goes */
void files_free_all(struct kmm *k)
{
	struct list_head *h = &MMU(k)->files;

	while (h->next != h) {
		struct kmm_file *f = kmm_container_of(h->next, struct kmm_file, list);
		mlist_del(&f->list);
		free(f->cache);
		free(f->disk);
		free(f->dev.mem);
		free(f);
	}
}

void file_link_vma(struct kmm_file *f, struct vm_area_struct *vma)
{
	mlist_add_tail(&vma->shared, &f->i_mmap);
}

void file_unlink_vma(struct kmm_file *f, struct vm_area_struct *vma)
{
	(void)f;
	mlist_del(&vma->shared);
}

bool file_has_fault(const struct kmm_file *f)
{
	if (f->kind == KMM_FILE_VMALLOC)
		return false;
	return f->kind != KMM_FILE_DEV || f->dev.fault_mapped;
}

/* f_op->mmap */
int file_mmap(struct kmm *k, struct kmm_file *f, struct vm_area_struct *vma)
{
	if (f->kind == KMM_FILE_VMALLOC)
		return vmalloc_dev_mmap(k, f, vma);
	if (f->kind != KMM_FILE_DEV) {          /* generic_file_mmap, shmem_mmap */
		vma->vm_flags |= VM_CAN_NONLINEAR;
		return 0;
	}
	uint64_t off = (uint64_t)vma->vm_pgoff << PAGE_SHIFT;
	uint32_t len = vma->vm_end - vma->vm_start;
	if (off >= f->dev.size || len > f->dev.size - off)
		return -EINVAL;
	vma->vm_page_prot |= _PAGE_PCD;         /* pgprot_noncached */
	if (f->dev.fault_mapped) {
		if (is_cow_mapping(vma->vm_flags))
			return -EINVAL;
		vma->vm_flags |= VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_RESERVED;
		return 0;
	}
	return remap_pfn_range(k, vma, vma->vm_start,
			       PFN_DOWN(f->dev.base) + vma->vm_pgoff, len,
			       vma->vm_page_prot);
}

/* page_cache_read: a cold page filled from the disk, zero past its end */
static struct page *page_cache_read(struct kmm *k, struct kmm_file *f,
				    unsigned long index)
{
	struct page *page = mmu_alloc_page(k, GFP_HIGHUSER_MOVABLE | __GFP_COLD);

	if (!page)
		return NULL;
	uint64_t off = (uint64_t)index << PAGE_SHIFT;
	size_t n = 0;
	if (f->disk && off < f->disk_size)
		n = f->disk_size - off < PAGE_SIZE ? (size_t)(f->disk_size - off)
						   : PAGE_SIZE;
	if (n)
		memcpy_to_page(k, page, 0, f->disk + off, n);
	if (n < PAGE_SIZE)
		memzero_page(k, page, n, PAGE_SIZE - n);
	add_to_page_cache(k, f, page, index);
	return page;
}

/* vm_ops->fault: the page with a reference for the caller, or
 * VM_FAULT_NOPAGE after inserting a pfn, or an error */
int file_fault(struct kmm *k, struct vm_area_struct *vma, vaddr_t address,
	       unsigned long pgoff, unsigned int flags, struct page **pagep)
{
	struct kmm_file *f = vma->vm_file;
	unsigned long size = (unsigned long)((f->i_size + PAGE_SIZE - 1) >> PAGE_SHIFT);
	int ret = VM_FAULT_LOCKED;

	(void)flags;
	if (pgoff >= size)
		return VM_FAULT_SIGBUS;         /* beyond the end of the file */
	if (f->kind == KMM_FILE_DEV) {
		int err = vm_insert_pfn(k, vma, address & PAGE_MASK,
					PFN_DOWN(f->dev.base) + pgoff);
		if (err == -ENOMEM)
			return VM_FAULT_OOM;
		return VM_FAULT_NOPAGE;
	}
	struct page *page = kmm_file_find_page(k, f, pgoff);
	if (!page) {
		if (f->kind == KMM_FILE_SHMEM) {        /* shmem_getpage */
			page = mmu_alloc_page(k, GFP_HIGHUSER_MOVABLE);
			if (!page)
				return VM_FAULT_OOM;
			clear_highpage(k, page);
			add_to_page_cache(k, f, page, pgoff);
		} else {
			page = page_cache_read(k, f, pgoff);
			if (!page)
				return VM_FAULT_OOM;
			ret |= VM_FAULT_MAJOR;
		}
	}
	get_page(k, page);
	*pagep = page;
	return ret;
}

size_t kmm_file_read(struct kmm *k, struct kmm_file *f, uint64_t off,
		     void *buf, size_t len)
{
	size_t done = 0;

	if (f->kind == KMM_FILE_DEV || off >= f->i_size)
		return 0;
	if (len > f->i_size - off)
		len = (size_t)(f->i_size - off);
	while (done < len) {
		uint64_t o = off + done;
		size_t n = PAGE_SIZE - (o & (PAGE_SIZE - 1));
		if (n > len - done)
			n = len - done;
		struct page *p = kmm_file_find_page(k, f, (unsigned long)(o >> PAGE_SHIFT));
		uint8_t *dst = (uint8_t *)buf + done;
		if (p) {
			memcpy_from_page(k, dst, p, (size_t)(o & (PAGE_SIZE - 1)), n);
		} else {
			memset(dst, 0, n);
			if (f->disk && o < f->disk_size)
				memcpy(dst, f->disk + o,
				       f->disk_size - o < n ? f->disk_size - o : n);
		}
		done += n;
	}
	return done;
}

/* unmap_mapping_range(holebegin, 0, even_cows=1) */
static void unmap_mapping_range(struct kmm *k, struct kmm_file *f,
				unsigned long first)
{
	for (struct list_head *e = f->i_mmap.next; e != &f->i_mmap; e = e->next) {
		struct vm_area_struct *vma =
			kmm_container_of(e, struct vm_area_struct, shared);
		unsigned long pages = (vma->vm_end - vma->vm_start) >> PAGE_SHIFT;
		if (vma->vm_pgoff + pages <= first)
			continue;
		vaddr_t start = vma->vm_start;
		if (first > vma->vm_pgoff)
			start += (vaddr_t)((first - vma->vm_pgoff) << PAGE_SHIFT);
		zap_page_range(k, vma, start, vma->vm_end);
	}
}

int kmm_file_truncate(struct kmm *k, struct kmm_file *f, uint64_t size)
{
	if (f->kind != KMM_FILE_REG)
		return -EINVAL;
	uint64_t old = f->i_size;
	f->i_size = size;
	if (size > f->disk_size) {
		uint8_t *d = realloc(f->disk, size);
		if (!d)
			kmm_bug(k, "filemap", "out of host memory for a file's disk");
		memset(d + f->disk_size, 0, size - f->disk_size);
		f->disk = d;
	}
	f->disk_size = size;
	if (size < old) {                       /* truncate_pagecache */
		unsigned long first = (unsigned long)((size + PAGE_SIZE - 1) >> PAGE_SHIFT);
		unmap_mapping_range(k, f, first);
		truncate_inode_pages(k, f, size);
		unmap_mapping_range(k, f, first);
	}
	return 0;
}
