/* slab_debug.c — SLUB_DEBUG of Linux 6.6 mm/slub.c: red zones, poison,
 * user tracking, the alloc/free consistency checks, the reports ("BUG
 * <cache> (Not tainted): ..." with the object, its offset and the kind of
 * corruption), validate_slab_cache(), and the simulator's slab_check()
 * sweep.
 *
 * Reports run in one of two modes.  On the alloc/free paths and in
 * slab_check() the first report is a kmm_bug().  In validate_slab_cache()
 * they are "collected" as slub_kunit collects them: each report and each
 * "FIX" line counts one error and goes to the log, and SLUB's repair is
 * applied (bytes restored, free pointer cut, counters adjusted).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "slab_internal.h"

struct rbuf {
	char b[900];
	size_t n;
};

static void rb_printf(struct rbuf *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void rb_printf(struct rbuf *r, const char *fmt, ...)
{
	va_list ap;

	if (r->n >= sizeof(r->b))
		return;
	va_start(ap, fmt);
	int w = vsnprintf(r->b + r->n, sizeof(r->b) - r->n, fmt, ap);
	va_end(ap);
	if (w > 0)
		r->n += (size_t)w;
	if (r->n >= sizeof(r->b))
		r->n = sizeof(r->b) - 1;
}

static void log_append(struct kmm *k, const char *text)
{
	struct slab_state *st = slab_st(k);
	size_t len = strlen(text);

	if (st->log_len + len + 1 > st->log_cap) {
		if (st->log_cap >= (1u << 20))
			return;         /* enough said */
		size_t cap = st->log_cap ? st->log_cap : 4096;
		while (cap < st->log_len + len + 1)
			cap *= 2;
		char *l = realloc(st->log, cap);
		kmm_assert(k, l != NULL);
		st->log = l;
		st->log_cap = cap;
	}
	memcpy(st->log + st->log_len, text, len + 1);
	st->log_len += len;
}

/* The kind of corruption a SLUB message names. */
static const char *slub_kind(const char *what)
{
	static const struct {
		const char *prefix, *kind;
	} kinds[] = {
		{"Left Redzone", "left red-zone overwrite"},
		{"Right Redzone", "right red-zone overwrite"},
		{"kmalloc Redzone", "kmalloc red-zone overwrite"},
		{"Poison", "write after free"},
		{"End Poison", "write after free"},
		{"Object padding", "padding overwrite"},
		{"Alignment padding", "padding overwrite"},
		{"Padding", "padding overwrite"},
		{"Object already free", "double free"},
		{"Freechain corrupt", "corrupted free pointer"},
		{"Freepointer corrupt", "corrupted free pointer"},
		{"Freelist Pointer check fails", "corrupted free pointer"},
		{"Invalid object pointer", "invalid free"},
		{"page slab pointer corrupt", "wrong cache"},
		{"Wrong object count", "wrong object count"},
		{"Wrong number of objects", "wrong object count"},
	};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strncmp(what, kinds[i].prefix, strlen(kinds[i].prefix)))
			return kinds[i].kind;
	return "slab corruption";
}

static void print_track(struct kmm *k, struct rbuf *r, const char *what,
			const struct kmem_cache *s, vaddr_t object,
			enum track_item alloc)
{
	uint32_t t[5];          /* addr, handle, cpu, pid, when */
	vaddr_t p = object + get_info_end(s) + alloc * TRACK_SIZE;

	for (int i = 0; i < 5; i++)
		t[i] = slab_mem_read32(k, p + 4u * (unsigned)i);
	if (!t[0])
		return;
	if (t[0] == 0xffffffffu)
		rb_printf(r, "%s outside any op age=%lu cpu=%u pid=%u\n", what,
			  slab_st(k)->jiffies - t[4], t[2], t[3]);
	else
		rb_printf(r, "%s in op #%u age=%lu cpu=%u pid=%u\n", what, t[0] - 1,
			  slab_st(k)->jiffies - t[4], t[2], t[3]);
}

static void print_slab_info(struct kmm *k, struct rbuf *r, struct page *slab)
{
	rb_printf(r, "Slab 0x%08x pfn 0x%05lx objects=%u used=%u fp=0x%08x "
		  "flags=0x%x%s\n", slab_address(k, slab), page_to_pfn(k, slab),
		  slab->objects, slab->inuse, slab->freelist,
		  slab->flags & ~(3u << ZONES_PGSHIFT), slab->frozen ? " frozen" : "");
}

static void print_trailer(struct kmm *k, struct rbuf *r, struct kmem_cache *s,
			  struct page *slab, vaddr_t object)
{
	if (s->flags & SLAB_STORE_USER) {
		print_track(k, r, "Allocated", s, object, TRACK_ALLOC);
		print_track(k, r, "Freed", s, object, TRACK_FREE);
	}
	print_slab_info(k, r, slab);
	rb_printf(r, "Object 0x%08x @offset=%u fp=0x%08x (cache object_size=%u "
		  "size=%u offset=%u)\n", object, object - slab_address(k, slab),
		  get_freepointer(k, s, object), s->object_size, s->size,
		  s->offset);
}

static void emit(struct kmm *k, struct rbuf *r)
{
	struct slab_state *st = slab_st(k);

	if (!st->collect)
		kmm_bug(k, "slab", "%s", r->b);
	st->errors++;
	log_append(k, r->b);
}

void object_err(struct kmm *k, struct kmem_cache *s, struct page *slab,
		vaddr_t object, const char *reason)
{
	struct rbuf r = {.n = 0};

	rb_printf(&r, "BUG %s (Not tainted): %s [%s]\n", s->name, reason,
		  slub_kind(reason));
	print_trailer(k, &r, s, slab, object);
	emit(k, &r);
}

void slab_err(struct kmm *k, struct kmem_cache *s, struct page *slab,
	      const char *fmt, ...)
{
	struct rbuf r = {.n = 0};
	char buf[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	rb_printf(&r, "BUG %s (Not tainted): %s [%s]\n", s->name, buf,
		  slub_kind(buf));
	print_slab_info(k, &r, slab);
	emit(k, &r);
}

void slab_fix(struct kmm *k, struct kmem_cache *s, const char *fmt, ...)
{
	struct slab_state *st = slab_st(k);
	char buf[240];
	va_list ap;

	if (!st->collect)
		return;
	int n = snprintf(buf, sizeof(buf), "FIX %s: ", s->name);
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	strcat(buf, "\n");
	st->errors++;
	log_append(k, buf);
}

_Noreturn void slab_bug_obj(struct kmm *k, struct kmem_cache *s,
			    struct page *slab, vaddr_t object, const char *kind,
			    const char *fmt, ...)
{
	struct rbuf r = {.n = 0};
	char buf[240];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	rb_printf(&r, "BUG %s (Not tainted): %s [%s]\n", s->name, buf, kind);
	print_trailer(k, &r, s, slab, object);
	kmm_bug(k, "slab", "%s", r.b);
}

vaddr_t get_freepointer_checked(struct kmm *k, struct kmem_cache *s,
				struct page *slab, vaddr_t object)
{
	vaddr_t fp = get_freepointer(k, s, object);

	if (!check_valid_pointer(k, s, slab, fp))
		slab_bug_obj(k, s, slab, object, "corrupted free pointer",
			     "Freepointer corrupt: 0x%08x is not an object of "
			     "this slab", fp);
	return fp;
}

/* ---- debug bytes ---- */

static vaddr_t track_addr(const struct kmem_cache *s, vaddr_t object,
			  enum track_item alloc)
{
	return object + get_info_end(s) + alloc * TRACK_SIZE;
}

void init_tracking(struct kmm *k, const struct kmem_cache *s, vaddr_t object)
{
	if (s->flags & SLAB_STORE_USER)
		slab_mem_set(k, track_addr(s, object, TRACK_ALLOC), 0,
			     2 * TRACK_SIZE);
}

void set_track(struct kmm *k, const struct kmem_cache *s, vaddr_t object,
	       enum track_item alloc)
{
	vaddr_t p = track_addr(s, object, alloc);
	uint32_t addr = k->op_index >= 0 ? (uint32_t)k->op_index + 1 : 0xffffffffu;

	slab_mem_write32(k, p, addr);
	slab_mem_write32(k, p + 4, 0);                  /* stack depot handle */
	slab_mem_write32(k, p + 8, slab_st(k)->cpu);
	slab_mem_write32(k, p + 12, 0);                 /* pid */
	slab_mem_write32(k, p + 16, (uint32_t)slab_st(k)->jiffies);
}

void set_orig_size(struct kmm *k, const struct kmem_cache *s, vaddr_t object,
		   unsigned int orig_size)
{
	if (slub_debug_orig_size(s))
		slab_mem_write32(k, object + get_info_end(s) + 2 * TRACK_SIZE,
				 orig_size);
}

static unsigned int get_orig_size(struct kmm *k, const struct kmem_cache *s,
				  vaddr_t object)
{
	if (!slub_debug_orig_size(s))
		return s->object_size;
	return slab_mem_read32(k, object + get_info_end(s) + 2 * TRACK_SIZE);
}

void init_object(struct kmm *k, const struct kmem_cache *s, vaddr_t object,
		 uint8_t val)
{
	unsigned int poison_size = s->object_size;

	if (s->flags & SLAB_RED_ZONE) {
		slab_mem_set(k, object - s->red_left_pad, val, s->red_left_pad);
		if (slub_debug_orig_size(s) && val == SLUB_RED_ACTIVE)
			poison_size = get_orig_size(k, s, object);
	}
	if (s->flags & __OBJECT_POISON) {
		slab_mem_set(k, object, POISON_FREE, poison_size - 1);
		slab_mem_set(k, object + poison_size - 1, POISON_END, 1);
	}
	if (s->flags & SLAB_RED_ZONE)
		slab_mem_set(k, object + poison_size, val, s->inuse - poison_size);
}

static void restore_bytes(struct kmm *k, struct kmem_cache *s, const char *what,
			  uint8_t data, vaddr_t from, vaddr_t to)
{
	slab_fix(k, s, "Restoring %s 0x%08x-0x%08x=0x%x", what, from, to - 1, data);
	slab_mem_set(k, from, data, to - from);
}

static int check_bytes_and_report(struct kmm *k, struct kmem_cache *s,
				  struct page *slab, vaddr_t object,
				  const char *what, vaddr_t start, uint8_t value,
				  unsigned int bytes)
{
	vaddr_t fault = slab_mem_inv(k, start, value, bytes);

	if (!fault)
		return 1;
	vaddr_t end = start + bytes;
	while (end > fault && slab_mem_byte(k, end - 1) == value)
		end--;
	struct rbuf r = {.n = 0};
	rb_printf(&r, "BUG %s (Not tainted): %s overwritten [%s]\n", s->name, what,
		  slub_kind(what));
	rb_printf(&r, "0x%08x-0x%08x @offset=%u (object%+d). First byte 0x%x "
		  "instead of 0x%x\n", fault, end - 1,
		  fault - slab_address(k, slab), (int)(fault - object),
		  slab_mem_byte(k, fault), value);
	print_trailer(k, &r, s, slab, object);
	emit(k, &r);
	restore_bytes(k, s, what, value, fault, end);
	return 0;
}

static int check_pad_bytes(struct kmm *k, struct kmem_cache *s,
			   struct page *slab, vaddr_t p)
{
	unsigned int off = get_info_end(s);

	if (s->flags & SLAB_STORE_USER) {
		off += 2 * TRACK_SIZE;
		if (s->flags & SLAB_KMALLOC)
			off += 4;
	}
	if (size_from_object(s) == off)
		return 1;
	return check_bytes_and_report(k, s, slab, p, "Object padding", p + off,
				      POISON_INUSE, size_from_object(s) - off);
}

/* The slab's tail after the last object keeps POISON_INUSE. */
void slab_pad_check(struct kmm *k, struct kmem_cache *s, struct page *slab)
{
	if (!(s->flags & SLAB_POISON))
		return;
	vaddr_t start = slab_address(k, slab);
	unsigned int length = slab_size(slab), remainder = length % s->size;
	if (!remainder)
		return;
	vaddr_t end = start + length, pad = end - remainder;
	vaddr_t fault = slab_mem_inv(k, pad, POISON_INUSE, remainder);
	if (!fault)
		return;
	while (end > fault && slab_mem_byte(k, end - 1) == POISON_INUSE)
		end--;
	slab_err(k, s, slab, "Padding overwritten. 0x%08x-0x%08x @offset=%u",
		 fault, end - 1, fault - start);
	restore_bytes(k, s, "slab padding", POISON_INUSE, fault, end);
}

int check_object(struct kmm *k, struct kmem_cache *s, struct page *slab,
		 vaddr_t object, uint8_t val)
{
	vaddr_t p = object, endobject = object + s->object_size;

	if (s->flags & SLAB_RED_ZONE) {
		if (!check_bytes_and_report(k, s, slab, object, "Left Redzone",
					    object - s->red_left_pad, val,
					    s->red_left_pad))
			return 0;
		if (!check_bytes_and_report(k, s, slab, object, "Right Redzone",
					    endobject, val, s->inuse - s->object_size))
			return 0;
		if (slub_debug_orig_size(s) && val == SLUB_RED_ACTIVE) {
			unsigned int orig_size = get_orig_size(k, s, object);
			if (s->object_size > orig_size &&
			    !check_bytes_and_report(k, s, slab, object,
						    "kmalloc Redzone", p + orig_size,
						    val, s->object_size - orig_size))
				return 0;
		}
	} else if ((s->flags & SLAB_POISON) && s->object_size < s->inuse) {
		check_bytes_and_report(k, s, slab, p, "Alignment padding",
				       endobject, POISON_INUSE,
				       s->inuse - s->object_size);
	}
	if (s->flags & SLAB_POISON) {
		if (val != SLUB_RED_ACTIVE && (s->flags & __OBJECT_POISON) &&
		    (!check_bytes_and_report(k, s, slab, p, "Poison", p,
					     POISON_FREE, s->object_size - 1) ||
		     !check_bytes_and_report(k, s, slab, p, "End Poison",
					     p + s->object_size - 1, POISON_END, 1)))
			return 0;
		check_pad_bytes(k, s, slab, p);
	}
	if (!freeptr_outside_object(s) && val == SLUB_RED_ACTIVE)
		return 1;       /* an allocated object holds no free pointer */
	if (!check_valid_pointer(k, s, slab, get_freepointer(k, s, p))) {
		object_err(k, s, slab, p, "Freepointer corrupt");
		set_freepointer(k, s, p, 0);    /* lose the rest of the list */
		return 0;
	}
	return 1;
}

int check_slab(struct kmm *k, struct kmem_cache *s, struct page *slab)
{
	if (!PageSlab(slab)) {
		slab_err(k, s, slab, "Not a valid slab page");
		return 0;
	}
	unsigned int maxobj = order_objects(slab_order(slab), s->size);
	if (slab->objects > maxobj) {
		slab_err(k, s, slab, "objects %u > max %u", slab->objects, maxobj);
		return 0;
	}
	if (slab->inuse > slab->objects) {
		slab_err(k, s, slab, "inuse %u > max %u", slab->inuse, slab->objects);
		return 0;
	}
	slab_pad_check(k, s, slab);
	return 1;
}

/* Walk the slab's freelist: is search on it?  With search 0, repair the
 * freelist and the counters as SLUB does. */
static int on_freelist(struct kmm *k, struct kmem_cache *s, struct page *slab,
		       vaddr_t search)
{
	unsigned int nr = 0;
	vaddr_t fp = slab->freelist, object = 0;

	while (fp && nr <= slab->objects) {
		if (fp == search)
			return 1;
		if (!check_valid_pointer(k, s, slab, fp)) {
			if (object) {
				object_err(k, s, slab, object, "Freechain corrupt");
				set_freepointer(k, s, object, 0);
			} else {
				slab_err(k, s, slab, "Freepointer corrupt");
				page_touch(k, slab);
				slab->freelist = 0;
				slab->inuse = slab->objects;
				slab_fix(k, s, "Freelist cleared");
				return 0;
			}
			break;
		}
		object = fp;
		fp = get_freepointer(k, s, object);
		nr++;
	}
	unsigned int max_objects = order_objects(slab_order(slab), s->size);
	if (max_objects > MAX_OBJS_PER_PAGE)
		max_objects = MAX_OBJS_PER_PAGE;
	if (slab->objects != max_objects) {
		slab_err(k, s, slab, "Wrong number of objects. Found %u but should "
			 "be %u", slab->objects, max_objects);
		page_touch(k, slab);
		slab->objects = (uint16_t)max_objects & MAX_OBJS_PER_PAGE;
		slab_fix(k, s, "Number of objects adjusted");
	}
	if (slab->inuse != slab->objects - nr) {
		slab_err(k, s, slab, "Wrong object count. Counter is %u but "
			 "counted were %u", slab->inuse, slab->objects - nr);
		page_touch(k, slab);
		slab->inuse = (uint16_t)(slab->objects - nr);
		slab_fix(k, s, "Object count adjusted");
	}
	return search == 0;
}

static int alloc_consistency_checks(struct kmm *k, struct kmem_cache *s,
				    struct page *slab, vaddr_t object)
{
	if (!check_slab(k, s, slab))
		return 0;
	if (!check_valid_pointer(k, s, slab, object)) {
		object_err(k, s, slab, object, "Freelist Pointer check fails");
		return 0;
	}
	return check_object(k, s, slab, object, SLUB_RED_INACTIVE);
}

bool alloc_debug_processing(struct kmm *k, struct kmem_cache *s,
			    struct page *slab, vaddr_t object,
			    unsigned int orig_size)
{
	if ((s->flags & SLAB_CONSISTENCY_CHECKS) &&
	    !alloc_consistency_checks(k, s, slab, object)) {
		if (PageSlab(slab)) {
			slab_fix(k, s, "Marking all objects used");
			page_touch(k, slab);
			slab->inuse = slab->objects;
			slab->freelist = 0;
		}
		return false;
	}
	set_orig_size(k, s, object, orig_size);
	init_object(k, s, object, SLUB_RED_ACTIVE);
	return true;
}

static int free_consistency_checks(struct kmm *k, struct kmem_cache *s,
				   struct page *slab, vaddr_t object)
{
	if (!check_valid_pointer(k, s, slab, object)) {
		slab_err(k, s, slab, "Invalid object pointer 0x%08x", object);
		return 0;
	}
	if (on_freelist(k, s, slab, object)) {
		object_err(k, s, slab, object, "Object already free");
		return 0;
	}
	if (!check_object(k, s, slab, object, SLUB_RED_ACTIVE))
		return 0;
	if (s != slab->slab_cache) {
		object_err(k, s, slab, object, "page slab pointer corrupt.");
		return 0;
	}
	return 1;
}

bool free_debug_processing(struct kmm *k, struct kmem_cache *s,
			   struct page *slab, vaddr_t head, vaddr_t tail,
			   int *bulk_cnt)
{
	bool checks_ok = false;
	vaddr_t object = head;
	int cnt = 0;

	if ((s->flags & SLAB_CONSISTENCY_CHECKS) && !check_slab(k, s, slab))
		goto out;
	if (slab->inuse < *bulk_cnt) {
		slab_err(k, s, slab, "Slab has %u allocated objects but %d are to "
			 "be freed", slab->inuse, *bulk_cnt);
		goto out;
	}
	for (;;) {
		if (++cnt > *bulk_cnt)
			goto out_cnt;
		if ((s->flags & SLAB_CONSISTENCY_CHECKS) &&
		    !free_consistency_checks(k, s, slab, object))
			goto out;
		if (s->flags & SLAB_STORE_USER)
			set_track(k, s, object, TRACK_FREE);
		init_object(k, s, object, SLUB_RED_INACTIVE);
		if (object == tail)
			break;
		object = get_freepointer(k, s, object);
	}
	checks_ok = true;
out_cnt:
	if (cnt != *bulk_cnt) {
		slab_err(k, s, slab, "Bulk free expected %d objects but found %d",
			 *bulk_cnt, cnt);
		*bulk_cnt = cnt;
	}
out:
	if (!checks_ok)
		slab_fix(k, s, "Object at 0x%08x not freed", object);
	return checks_ok;
}

/* ---- the simulator's checks before a free ---- */

static bool freelist_has(struct kmm *k, struct kmem_cache *s, struct page *slab,
			 vaddr_t head, vaddr_t object)
{
	unsigned int n = 0;

	if (!check_valid_pointer(k, s, slab, head))
		slab_bug_obj(k, s, slab, head, "corrupted free pointer",
			     "Freelist head 0x%08x is not an object of the slab",
			     head);
	for (vaddr_t p = head; p; p = get_freepointer_checked(k, s, slab, p)) {
		if (p == object)
			return true;
		if (++n > slab->objects)
			slab_bug_obj(k, s, slab, p, "corrupted free pointer",
				     "Freechain loops (more than %u entries)",
				     slab->objects);
	}
	return false;
}

/* On the slab's freelist or on the lockless freelist of the CPU whose
 * slab it is. */
static bool object_is_free(struct kmm *k, struct kmem_cache *s,
			   struct page *slab, vaddr_t object)
{
	if (freelist_has(k, s, slab, slab->freelist, object))
		return true;
	if (!slab->frozen)
		return false;
	for (unsigned int cpu = 0; cpu < k->cfg.nr_cpus; cpu++)
		if (s->cpu_slab[cpu].slab == slab)
			return freelist_has(k, s, slab, s->cpu_slab[cpu].freelist,
					    object);
	return false;
}

void slab_free_precheck(struct kmm *k, struct kmem_cache *s, struct page *slab,
			vaddr_t object)
{
	if (!check_valid_pointer(k, s, slab, object))
		slab_bug_obj(k, s, slab, object, "invalid free",
			     "Invalid object pointer 0x%08x: not the start of an "
			     "object", object);
	if (object_is_free(k, s, slab, object))
		slab_bug_obj(k, s, slab, object, "double free",
			     "Object already free");
}

/* ---- validate_slab_cache() ---- */

static void fill_map(struct kmm *k, struct kmem_cache *s, struct page *slab)
{
	uint8_t *map = slab_st(k)->objmap;

	memset(map, 0, slab->objects);
	for (vaddr_t p = slab->freelist; p; p = get_freepointer(k, s, p))
		map[obj_to_index(k, s, slab, p)] = 1;
}

static void validate_slab(struct kmm *k, struct kmem_cache *s, struct page *slab)
{
	if (!check_slab(k, s, slab) || !on_freelist(k, s, slab, 0))
		return;
	fill_map(k, s, slab);
	vaddr_t addr = slab_address(k, slab);
	for (vaddr_t p = fixup_red_left(s, addr); p < addr + slab->objects * s->size;
	     p += s->size) {
		uint8_t val = slab_st(k)->objmap[obj_to_index(k, s, slab, p)]
				      ? SLUB_RED_INACTIVE : SLUB_RED_ACTIVE;
		if (!check_object(k, s, slab, p, val))
			break;
	}
}

static void count_error(struct kmm *k, const char *text)
{
	slab_st(k)->errors++;
	log_append(k, text);
}

long validate_slab_cache(struct kmm *k, struct kmem_cache *s)
{
	struct slab_state *st = slab_st(k);
	struct kmem_cache_node *n = &s->node;
	unsigned long count = 0;
	char buf[200];

	slab_begin(k, s);
	st->collect = true;
	st->errors = 0;
	st->log_len = 0;
	if (st->log)
		st->log[0] = 0;
	flush_all(k, s);
	for (struct list_head *l = n->partial.next; l != &n->partial; l = l->next) {
		validate_slab(k, s, lru_to_page(l));
		count++;
	}
	if (count != n->nr_partial) {
		snprintf(buf, sizeof(buf), "SLUB %s: %lu partial slabs counted but "
			 "counter=%lu\n", s->name, count, n->nr_partial);
		count_error(k, buf);
	}
	if (s->flags & SLAB_STORE_USER) {
		for (struct list_head *l = n->full.next; l != &n->full; l = l->next) {
			validate_slab(k, s, lru_to_page(l));
			count++;
		}
		if (count != n->nr_slabs) {
			snprintf(buf, sizeof(buf), "SLUB: %s %lu slabs counted but "
				 "counter=%lu\n", s->name, count, n->nr_slabs);
			count_error(k, buf);
		}
	}
	st->collect = false;
	return st->errors;
}

const char *slab_error_log(struct kmm *k)
{
	struct slab_state *st = slab_st(k);

	return st->log ? st->log : "";
}
