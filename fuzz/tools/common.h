/* fuzz/tools/common.h — loading programs for the command-line tools. */
#ifndef KMM_FUZZ_TOOLS_COMMON_H
#define KMM_FUZZ_TOOLS_COMMON_H

#include "oplang.h"

enum prog_fmt { FMT_AUTO, FMT_TEXT, FMT_BIN };

uint8_t *read_all(const char *path, size_t *len);
/* "mm_buddy" or "mm_buddy_fuzzer"; NULL (with a message) if unknown. */
const struct opl_target *target_arg(const char *name);
/* Reads a text or binary program (FMT_AUTO: text if it looks like text).
 * Returns 0, or -1 with a message in err (unusable input). */
int load_program(const char *path, const struct opl_target *t,
		 enum prog_fmt fmt, struct opl_prog *p, struct opl_scratch *s,
		 bool *was_text, char *err, size_t errlen);

#endif
