/* replay_report.c — the replay's report, as text or JSON. */
#include <inttypes.h>
#include <string.h>

#include "replay_internal.h"

static const char *zone_name(struct kmm *k, int z)
{
	return kmm_zone(k, (enum zone_type)z)->name;
}

static void json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void json_lines(FILE *out, const struct kmmt_diffs *d)
{
	fputc('[', out);
	for (unsigned int i = 0; i < d->n; i++) {
		fputs(i ? ", " : "", out);
		json_str(out, d->line[i]);
	}
	fputc(']', out);
}

/* record kinds in report order: the page kinds first */
static const unsigned int kind_order[] = {
	KMMT_PAGE_ALLOC, KMMT_PAGE_FREE, KMMT_PAGE_FREE_BATCHED, KMMT_KMALLOC, KMMT_KFREE,
	KMMT_CACHE_ALLOC, KMMT_CACHE_FREE, KMMT_FAULT_USER, KMMT_FAULT_KERNEL,
	KMMT_SYS_ENTER, KMMT_SYS_EXIT, KMMT_FORK, KMMT_EXIT, KMMT_EXEC, KMMT_MAPS,
};
#define NKINDS (sizeof(kind_order) / sizeof(kind_order[0]))

static const char *kind_key(unsigned int t)
{
	/* JSON keys: the page kinds keep their first-stage names */
	switch (t) {
	case KMMT_PAGE_ALLOC:
		return "page_alloc";
	case KMMT_PAGE_FREE:
		return "page_free";
	case KMMT_PAGE_FREE_BATCHED:
		return "page_free_batched";
	default:
		return kmmt_type_name(t);
	}
}

static uint64_t sum(const uint64_t *v, unsigned int n)
{
	uint64_t s = 0;

	for (unsigned int i = 0; i < n; i++)
		s += v[i];
	return s;
}

static void report_json(struct kmmt_replay *rp, FILE *out)
{
	struct kmm *k = rp->k;

	fprintf(out, "{\n  \"events\": %" PRIu64 ",\n  \"replayed\": {", rp->events);
	for (unsigned int i = 0; i < NKINDS; i++)
		fprintf(out, "%s\"%s\": %" PRIu64, i ? ", " : "", kind_key(kind_order[i]),
			rp->replayed[kind_order[i]]);
	fprintf(out, "},\n  \"skipped\": {");
	for (int s = 0; s < NR_SKIPS; s++)
		fprintf(out, "%s\"%s\": %" PRIu64, s ? ", " : "", kmmt_skip_name((enum kmmt_skip)s),
			rp->skipped[s]);
	fprintf(out, "},\n  \"context\": %" PRIu64 ",\n  \"lost_events\": %" PRIu64 ",\n",
		rp->context, rp->lost_events);
	fprintf(out, "  \"differential\": {\"free_order_mismatch\": %" PRIu64
		", \"migratetype_agree\": %" PRIu64 ", \"migratetype_differ\": %" PRIu64
		", \"sim_fallback_pageblocks\": %" PRIu64 ",\n", rp->order_mismatch,
		rp->mt_agree, rp->mt_differ, rp->sim_fallback);
	fprintf(out, "    \"kmalloc_class_agree\": %" PRIu64 ", \"kmalloc_class_differ\": %" PRIu64
		", \"kmalloc_large\": %" PRIu64 ", \"kmalloc_class_differences\": [",
		rp->kmalloc_class_agree, rp->kmalloc_class_differ, rp->kmalloc_large);
	for (unsigned int i = 0; i < rp->nclass_diff; i++)
		fprintf(out, "%s{\"bytes_req\": %" PRIu64 ", \"kernel\": %" PRIu64
			", \"simulator\": %" PRIu64 ", \"count\": %" PRIu64 "}", i ? ", " : "",
			rp->class_diff[i].bytes_req, rp->class_diff[i].real, rp->class_diff[i].sim,
			rp->class_diff[i].count);
	fprintf(out, "],\n    \"cache_slot_agree\": %" PRIu64 ", \"cache_slot_differ\": %" PRIu64
		", \"cache_slot_differences\": ", rp->cache_size_agree, rp->cache_size_differ);
	json_lines(out, &rp->cache_diffs);
	fprintf(out, ", \"freed_under_other_cache_name\": %" PRIu64 ",\n    \"syscalls\": {",
		rp->obj_free_other_cache);
	for (unsigned int nr = 1; nr < KMMT_NR_SYS; nr++)
		fprintf(out, "%s\"%s\": {\"agree\": %" PRIu64 ", \"differ\": %" PRIu64 "}",
			nr > 1 ? ", " : "", kmmt_sys_name(nr), rp->sys_agree[nr], rp->sys_differ[nr]);
	fprintf(out, "}, \"placement_agree\": %" PRIu64 ", \"placement_differ\": %" PRIu64
		", \"placement_moved\": %" PRIu64 ", \"syscall_differences\": ",
		rp->place_agree, rp->place_differ, rp->place_moved);
	json_lines(out, &rp->sys_diffs);
	fprintf(out, ",\n    \"faults_resolved\": %" PRIu64 ", \"faults_sim_signal\": %" PRIu64
		", \"faults_kernel_signal\": %" PRIu64 ", \"faults_both_signal\": %" PRIu64
		", \"faults_without_pf_in_sim\": %" PRIu64 ", \"fault_differences\": ",
		rp->fault_ok, rp->fault_sim_signal, rp->fault_real_signal, rp->fault_both_signal,
		rp->fault_no_pf);
	json_lines(out, &rp->fault_diffs);
	fprintf(out, "},\n  \"end\": {\"live_blocks\": %lu, \"live_pages\": %lu, "
		"\"max_live_pages\": %lu, \"live_objects\": %lu, \"processes\": %lu, "
		"\"vmas\": %lu, \"zones\": [", rp->live_at_end, rp->live_pages_at_end,
		rp->max_live_pages, rp->live_objs_at_end, rp->procs_at_end, rp->vmas_at_end);
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		fprintf(out, "%s\n    {\"zone\": \"%s\", \"nr_free_pages\": %ld, "
			"\"boot_nr_free_pages\": %ld, \"pcp_pages\": %d, \"free_per_order\": [",
			z ? "," : "", zone_name(k, z), rp->end.nr_free_pages[z],
			rp->boot.nr_free_pages[z], rp->end.pcp_pages[z]);
		for (int o = 0; o < MAX_ORDER; o++)
			fprintf(out, "%s%lu", o ? ", " : "", rp->end.nr_free[z][o]);
		fprintf(out, "]}");
	}
	fprintf(out, "\n  ], \"slab\": [");
	for (unsigned int i = 0; i < rp->nusage; i++) {
		const struct kmmt_cache_usage *u = &rp->usage[i];
		fprintf(out, "%s\n    {\"cache\": ", i ? "," : "");
		json_str(out, u->name);
		fprintf(out, ", \"active_objs\": %lu, \"num_objs\": %lu, \"slabs\": %lu, "
			"\"objsize\": %u, \"order\": %u}", u->active_objs, u->num_objs,
			u->num_slabs, u->objsize, u->order);
	}
	fprintf(out, "\n  ]},\n  \"verdict\": {\"invariants\": \"ok\", \"sweeps\": %lu, "
		"\"free_pages_restored\": %s, \"oracle\": ", rp->checks,
		rp->restored ? "true" : "false");
	if (!rp->progs) {
		fprintf(out, "null");
	} else {
		const struct kmmt_progs_stats *ps = kmmt_progs_stats(rp->progs);
		fprintf(out, "{\"ran\": %s, \"programs\": %" PRIu64 ", \"ops\": %" PRIu64
			", \"written\": %" PRIu64 ", \"dropped_no_op\": %" PRIu64
			", \"dropped_object_of_earlier_program\": %" PRIu64
			", \"dropped_object_not_in_trace\": %" PRIu64 ", \"rejected\": %" PRIu64
			", \"runs\": %" PRIu64 ", \"disagreements\": %" PRIu64 ", \"first_report\": ",
			kmmt_progs_oracle(rp->progs) ? "true" : "false", ps->programs, ps->ops,
			ps->written, ps->dropped_unsupported, ps->dropped_earlier,
			ps->dropped_unknown, ps->rejected, ps->oracle_runs,
			ps->oracle_disagreements);
		json_str(out, ps->first_report);
		fprintf(out, ", \"first_error\": ");
		json_str(out, ps->first_error);
		fputc('}', out);
	}
	fprintf(out, "}\n}\n");
}

static void lines(FILE *out, const struct kmmt_diffs *d)
{
	for (unsigned int i = 0; i < d->n; i++)
		fprintf(out, "    %s\n", d->line[i]);
	if (d->total > d->n)
		fprintf(out, "    ... and %" PRIu64 " more\n", d->total - d->n);
}

void kmmt_replay_report(struct kmmt_replay *rp, FILE *out, bool json)
{
	struct kmm *k = rp->k;
	uint64_t replayed = sum(rp->replayed, KMMT_NR_TYPES);

	if (json) {
		report_json(rp, out);
		return;
	}
	fprintf(out, "events %" PRIu64 ": replayed %" PRIu64 ", skipped %" PRIu64 ", context %"
		PRIu64 "\n", rp->events, replayed, sum(rp->skipped, NR_SKIPS), rp->context);
	fprintf(out, "  replayed:");
	for (unsigned int i = 0; i < NKINDS; i++)
		if (rp->replayed[kind_order[i]])
			fprintf(out, " %s %" PRIu64, kmmt_type_name(kind_order[i]),
				rp->replayed[kind_order[i]]);
	fprintf(out, "\n");
	for (int s = 0; s < NR_SKIPS; s++)
		if (rp->skipped[s])
			fprintf(out, "  skipped %-32s %" PRIu64 "\n", kmmt_skip_name((enum kmmt_skip)s),
				rp->skipped[s]);
	if (rp->lost_events)
		fprintf(out, "  the capture lost %" PRIu64 " events\n", rp->lost_events);

	fprintf(out, "differential checks against the kernel:\n");
	if (rp->parts & KMMT_PART_PAGES) {
		fprintf(out, "  pages: free order == allocation order: %" PRIu64 " mismatches\n",
			rp->order_mismatch);
		fprintf(out, "  pages: migratetype from gfp: %" PRIu64 " agree, %" PRIu64 " differ\n",
			rp->mt_agree, rp->mt_differ);
		fprintf(out, "  pages: simulator fell back to another pageblock type: %" PRIu64 "\n",
			rp->sim_fallback);
	}
	if (rp->parts & KMMT_PART_SLAB) {
		fprintf(out, "  slab: kmalloc size class == kernel's bytes_alloc: %" PRIu64 " agree, %"
			PRIu64 " differ (%" PRIu64 " large kmallocs)\n", rp->kmalloc_class_agree,
			rp->kmalloc_class_differ, rp->kmalloc_large);
		for (unsigned int i = 0; i < rp->nclass_diff; i++)
			fprintf(out, "    kmalloc(%" PRIu64 "): kernel %" PRIu64 ", simulator %" PRIu64
				" (%" PRIu64 " times)\n", rp->class_diff[i].bytes_req,
				rp->class_diff[i].real, rp->class_diff[i].sim, rp->class_diff[i].count);
		fprintf(out, "  slab: cache slot size == kernel's: %" PRIu64 " agree, %" PRIu64
			" differ (creation flags and pointer size are not in the trace)\n",
			rp->cache_size_agree, rp->cache_size_differ);
		lines(out, &rp->cache_diffs);
		if (rp->obj_free_other_cache)
			fprintf(out, "  slab: objects freed under another cache's name: %" PRIu64 "\n",
				rp->obj_free_other_cache);
	}
	if (rp->parts & KMMT_PART_MM) {
		fprintf(out, "  mm: syscall results (agree/differ):");
		for (unsigned int nr = 1; nr < KMMT_NR_SYS; nr++)
			fprintf(out, " %s %" PRIu64 "/%" PRIu64, kmmt_sys_name(nr), rp->sys_agree[nr],
				rp->sys_differ[nr]);
		fprintf(out, "\n  mm: placement of mappings the kernel placed: %" PRIu64 " agree, %"
			PRIu64 " differ (%" PRIu64 " moved to the kernel's place)\n",
			rp->place_agree, rp->place_differ, rp->place_moved);
		lines(out, &rp->sys_diffs);
		fprintf(out, "  mm: faults the kernel resolved: %" PRIu64 " resolved by the simulator "
			"(%" PRIu64 " without a #PF), %" PRIu64 " signalled by it; faults the kernel "
			"signalled: %" PRIu64 " signalled, %" PRIu64 " resolved by the simulator\n",
			rp->fault_ok + rp->fault_sim_signal, rp->fault_no_pf, rp->fault_sim_signal,
			rp->fault_both_signal + rp->fault_real_signal, rp->fault_real_signal);
		lines(out, &rp->fault_diffs);
	}

	fprintf(out, "end of trace: %lu blocks (%lu pages) still allocated, at most %lu pages; "
		"%lu objects, %lu processes (%lu VMAs)\n", rp->live_at_end, rp->live_pages_at_end,
		rp->max_live_pages, rp->live_objs_at_end, rp->procs_at_end, rp->vmas_at_end);
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		if (!populated_zone(kmm_zone(k, (enum zone_type)z)))
			continue;
		fprintf(out, "  %-8s free %6ld (boot %6ld) pcp %4d  per order:", zone_name(k, z),
			rp->end.nr_free_pages[z], rp->boot.nr_free_pages[z], rp->end.pcp_pages[z]);
		for (int o = 0; o < MAX_ORDER; o++)
			fprintf(out, " %lu", rp->end.nr_free[z][o]);
		fprintf(out, "\n");
	}
	if (rp->nusage)
		fprintf(out, "  slab caches with objects (active/total objects, slabs, object size, "
			"order):\n");
	for (unsigned int i = 0; i < rp->nusage; i++) {
		const struct kmmt_cache_usage *u = &rp->usage[i];
		fprintf(out, "    %-24s %6lu/%-6lu %5lu %6u %u\n", u->name, u->active_objs,
			u->num_objs, u->num_slabs, u->objsize, u->order);
	}
	fprintf(out, "verdict: invariants ok (%lu sweeps); freeing the rest %s the boot free pages\n",
		rp->checks, rp->restored ? "restores" : "DOES NOT restore");
	if (rp->progs) {
		const struct kmmt_progs_stats *ps = kmmt_progs_stats(rp->progs);
		fprintf(out, "op programs: %" PRIu64 " (%" PRIu64 " ops) from the buddy and slab "
			"events; dropped: %" PRIu64 " without an op, %" PRIu64 " frees of an earlier "
			"program's object, %" PRIu64 " frees of objects not in the trace\n",
			ps->programs, ps->ops, ps->dropped_unsupported, ps->dropped_earlier,
			ps->dropped_unknown);
		if (ps->written)
			fprintf(out, "  written: %" PRIu64 " programs\n", ps->written);
		if (ps->rejected)
			fprintf(out, "  refused by the parser: %" PRIu64 " (%s)\n", ps->rejected,
				ps->first_error);
		if (kmmt_progs_oracle(rp->progs)) {
			if (ps->oracle_disagreements)
				fprintf(out, "oracle: %" PRIu64 " of %" PRIu64 " programs DISAGREE; "
					"first report:\n%s\n", ps->oracle_disagreements,
					ps->oracle_runs, ps->first_report);
			else
				fprintf(out, "oracle: %" PRIu64 " programs ran under the oracle: no "
					"disagreement\n", ps->oracle_runs);
		}
	}
}
