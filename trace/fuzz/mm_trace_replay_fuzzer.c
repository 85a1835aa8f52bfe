/* mm_trace_replay_fuzzer — kmm-replay on arbitrary trace files.
 *
 * Whatever records a trace holds (the reader has validated their form,
 * not their sense), the replay counts each as replayed, skipped for a
 * reason, or context, and never crashes: a kmm_bug() report or a
 * sanitizer error is a finding.  At the end the machine must be back at
 * its boot free pages.  The machine is booted once (a fuzz target has no
 * argument to carry it) and reset between inputs.
 */
#include <stdlib.h>
#include <string.h>

#include "replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kmm *k;
	static struct kmmt_record r;
	struct kmmt_replay rp;
	struct kmmt_reader rd;
	struct kmmt_error err;
	struct kmm_config cfg;
	char msg[200];

	if (!k) {
		if (kmm_config_preset(&cfg, "tiny"))
			abort();
		k = kmm_create(&cfg, msg, sizeof(msg));
		if (!k)
			abort();
	}
	if (kmmt_reader_init(&rd, data, size, &err))
		return 0;
	kmm_reset(k);
	if (kmmt_replay_init(&rp, k, rd.hdr.kernel_release))
		abort();
	rp.pointer_size = rd.hdr.pointer_size;
	rp.check_every = 256;
	while (kmmt_reader_next(&rd, &r, &err) == 1)
		kmmt_replay_record(&rp, &r);
	kmmt_replay_finish(&rp);
	uint64_t n = rp.context;
	for (int t = 0; t < KMMT_NR_TYPES; t++)
		n += rp.replayed[t];
	for (int s = 0; s < NR_SKIPS; s++)
		if (s != SKIP_REALLOC_LIVE && s != SKIP_OBJ_REALLOC_LIVE)
			n += rp.skipped[s];
	if (n != rp.events || !rp.restored)
		abort();
	kmmt_replay_free(&rp);
	return 0;
}
