/* kmm-min — minimize a failing program at the op level.
 *
 *   kmm-min [--target T] [--runner PROG] [--timeout S] [--no-sweeps]
 *           [-o OUT] CRASH
 * Delta debugging over the ops (removing an op removes what depends on its
 * objects), then over the arguments (smaller orders, fewer GFP bits, zero
 * values, the default machine), keeping the same failure signature: the
 * oracle check, the kmm_bug report with numbers masked, or the sanitizer
 * error kind.  Each candidate runs in a child process; with --runner the
 * candidate is written as binary and PROG runs it (e.g. a fuzz target
 * built differently).  --no-sweeps leaves kmm_check() out, so only the
 * oracle (and the simulator's own inline checks) can find the failure.
 * The minimal program is printed as text.
 * Exit 0 minimized, 2 unusable input or the input does not fail.
 */
#include <ctype.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "common.h"
#include "exec.h"

struct minctx {
	const struct opl_target *t;
	struct opl_exec *x;
	struct opl_scratch *s;
	const char *runner;
	char tmpfile[64];
	unsigned int timeout;
	unsigned long runs;
	char sig[256];
};

/* Masks numbers so the same failure at another address still matches. */
static void mask_numbers(const char *in, char *out, size_t n)
{
	size_t j = 0;

	for (size_t i = 0; in[i] && in[i] != '\n' && j + 2 < n;) {
		if (isdigit((unsigned char)in[i])) {
			if (in[i] == '0' && in[i + 1] == 'x')
				i += 2;
			while (isxdigit((unsigned char)in[i]))
				i++;
			out[j++] = '#';
		} else {
			out[j++] = in[i++];
		}
	}
	out[j] = 0;
}

static void signature(const char *log, int status, char *sig, size_t n)
{
	for (const char *l = log; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : l) {
		const char *m;
		if (!strncmp(l, "ORACLE: disagreement [", 22)) {
			const char *e = strchr(l + 22, ']');
			snprintf(sig, n, "oracle %.*s", e ? (int)(e - l - 22) : 40, l + 22);
			return;
		}
		if ((m = strstr(l, "BUG: kmm/")) && m - l < 8) {
			char masked[200];
			mask_numbers(m, masked, sizeof(masked));
			snprintf(sig, n, "%s", masked);
			return;
		}
		if ((m = strstr(l, "ERROR: AddressSanitizer: "))) {
			char kind[64] = "";
			sscanf(m + 25, "%63s", kind);
			snprintf(sig, n, "asan %s", kind);
			return;
		}
		if ((m = strstr(l, "runtime error: "))) {
			char masked[200];
			mask_numbers(m + 15, masked, sizeof(masked));
			snprintf(sig, n, "ubsan %s", masked);
			return;
		}
		if (!strncmp(l, "ROUNDTRIP: ", 11)) {
			snprintf(sig, n, "%.*s", (int)strcspn(l, "\n"), l);
			return;
		}
	}
	if (WIFSIGNALED(status))
		snprintf(sig, n, "%s", WTERMSIG(status) == SIGALRM ? "timeout"
								    : "signal");
	else
		snprintf(sig, n, "exit %d", WEXITSTATUS(status));
}

/* Runs a candidate; 1 and its signature if it fails, 0 if it passes. */
static int try_prog(struct minctx *m, const struct opl_prog *p, char *sig,
		    size_t n)
{
	static uint8_t bin[1 << 16];
	char err[512];
	int fd[2];

	m->runs++;
	if (m->runner) {
		long len = opl_encode(m->t, p, bin, sizeof(bin), m->s);
		FILE *f = fopen(m->tmpfile, "wb");
		if (len < 0 || !f || fwrite(bin, 1, (size_t)len, f) != (size_t)len) {
			fprintf(stderr, "kmm-min: cannot write %s\n", m->tmpfile);
			exit(2);
		}
		fclose(f);
	} else if (!opl_exec_box(m->x, p->machine, err, sizeof(err))) {
		fprintf(stderr, "kmm-min: %s\n", err);
		exit(2);
	}
	if (pipe(fd)) {
		perror("pipe");
		exit(2);
	}
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	if (!pid) {
		close(fd[0]);
		dup2(fd[1], 2);
		if (!freopen("/dev/null", "w", stdout))
			_exit(3);
		alarm(m->timeout);
		if (m->runner) {
			execl(m->runner, m->runner, m->tmpfile, (char *)NULL);
			_exit(127);
		}
		opl_run(m->x, p);
		_exit(0);
	}
	close(fd[1]);
	static char log[1 << 16];
	size_t len = 0;
	ssize_t got;
	char drain[4096];
	while ((got = read(fd[0], len + 1 < sizeof(log) ? log + len : drain,
			   len + 1 < sizeof(log) ? sizeof(log) - 1 - len
						 : sizeof(drain))) > 0)
		if (len + 1 < sizeof(log))
			len += (size_t)got;
	log[len] = 0;
	close(fd[0]);
	int st;
	waitpid(pid, &st, 0);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	signature(log, st, sig, n);
	return 1;
}

static bool same_failure(struct minctx *m, const struct opl_prog *p)
{
	char sig[256];

	return try_prog(m, p, sig, sizeof(sig)) && !strcmp(sig, m->sig);
}

/* ddmin over the ops: drop chunks, halving their size. */
static bool minimize_ops(struct minctx *m, struct opl_prog *p,
			 struct opl_prog *c)
{
	bool any = false;

	for (unsigned int size = p->n / 2 ? p->n / 2 : 1; size >= 1; size /= 2) {
		bool progress = true;
		while (progress) {
			progress = false;
			for (unsigned int start = 0; start < p->n;) {
				*c = *p;
				unsigned int end = start + size < c->n ? start + size : c->n;
				memmove(&c->ops[start], &c->ops[end],
					(c->n - end) * sizeof(c->ops[0]));
				c->n = (uint16_t)(c->n - (end - start));
				opl_sanitize(c);
				if (c->n < p->n && same_failure(m, c)) {
					*p = *c;
					progress = any = true;
				} else {
					start += size;
				}
			}
		}
		if (size == 1)
			break;
	}
	return any;
}

static bool try_value(struct minctx *m, struct opl_prog *p, struct opl_prog *c,
		      unsigned int i, unsigned int j, int32_t v)
{
	if (p->ops[i].a[j] == v)
		return false;
	*c = *p;
	c->ops[i].a[j] = v;
	if (c->ops[i].res >= 0)
		opl_handle_facts(c, &c->ops[i]);
	opl_sanitize(c);
	if (!same_failure(m, c))
		return false;
	*p = *c;
	return true;
}

static bool minimize_args(struct minctx *m, struct opl_prog *p,
			  struct opl_prog *c)
{
	bool any = false;

	if (p->machine) {
		*c = *p;
		c->machine = 0;
		opl_sanitize(c);
		if (same_failure(m, c)) {
			*p = *c;
			any = true;
		}
	}
	for (unsigned int i = 0; i < p->n; i++) {
		const struct opl_op *op = &opl_ops[p->ops[i].op];
		for (unsigned int j = 0; j < op->nargs && i < p->n; j++) {
			const struct opl_arg *a = &op->args[j];
			int32_t v = p->ops[i].a[j];
			switch (a->kind) {
			case AK_INT:
			case AK_LEN: {
				int32_t base = a->lo <= 0 && a->hi >= 0 ? 0 : a->lo;
				if (try_value(m, p, c, i, j, base))
					any = true;
				else if (v != base &&
					 try_value(m, p, c, i, j, base + (v - base) / 2))
					any = true;
				break;
			}
			case AK_HEX:
			case AK_CPU:
			case AK_PAGE_IN:
				any |= try_value(m, p, c, i, j, 0);
				break;
			case AK_GFP:
			case AK_GFP_LOW:
				if (try_value(m, p, c, i, j, (int32_t)GFP_KERNEL)) {
					any = true;
					break;
				}
				for (unsigned int b = 0; b < 32; b++)
					if ((uint32_t)p->ops[i].a[j] & (1u << b))
						any |= try_value(m, p, c, i, j,
								 (int32_t)((uint32_t)p->ops[i].a[j] &
									   ~(1u << b)));
				break;
			default:
				break;
			}
		}
	}
	return any;
}

static int usage(void)
{
	fprintf(stderr, "usage: kmm-min [--target T] [--runner PROG] "
			"[--timeout S] [--no-sweeps] [-o OUT] CRASH\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct minctx m = {.t = opl_target_all(), .timeout = 20};
	const char *in = NULL, *out = NULL;
	bool no_sweeps = false;
	char err[512];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--target") && i + 1 < argc) {
			if (!(m.t = target_arg(argv[++i])))
				return 2;
		} else if (!strcmp(argv[i], "--runner") && i + 1 < argc) {
			m.runner = argv[++i];
		} else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
			m.timeout = (unsigned int)atoi(argv[++i]);
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			out = argv[++i];
		} else if (!strcmp(argv[i], "--no-sweeps")) {
			no_sweeps = true;
		} else if (argv[i][0] == '-') {
			return usage();
		} else {
			in = argv[i];
		}
	}
	if (!in)
		return usage();
	static struct opl_prog prog, cand;
	static struct opl_scratch scratch;
	static struct opl_exec exec;
	struct opl_prog *p = &prog, *c = &cand;
	m.s = &scratch;
	m.x = &exec;
	opl_exec_init(m.x);
	m.x->sweeps = !no_sweeps;
	snprintf(m.tmpfile, sizeof(m.tmpfile), "/tmp/kmm-min.%d", (int)getpid());
	if (load_program(in, m.t, FMT_AUTO, p, m.s, NULL, err, sizeof(err))) {
		fprintf(stderr, "kmm-min: %s\n", err);
		return 2;
	}
	unsigned int n0 = p->n;
	if (!try_prog(&m, p, m.sig, sizeof(m.sig))) {
		fprintf(stderr, "kmm-min: %s does not fail\n", in);
		return 2;
	}
	fprintf(stderr, "kmm-min: %u ops, failure: %s\n", n0, m.sig);
	for (int round = 0; round < 4; round++) {
		bool a = minimize_ops(&m, p, c);
		bool b = minimize_args(&m, p, c);
		fprintf(stderr, "kmm-min: round %d: %u ops (%lu runs)\n", round, p->n,
			m.runs);
		if (!a && !b)
			break;
	}
	if (m.runner)
		unlink(m.tmpfile);
	FILE *f = out ? fopen(out, "w") : stdout;
	if (!f) {
		perror(out);
		return 2;
	}
	fprintf(f, "# minimized by kmm-min from %u to %u ops (%lu runs)\n"
		   "# failure: %s\n", n0, p->n, m.runs, m.sig);
	opl_print(f, p, p->n);
	if (f != stdout)
		fclose(f);
	opl_exec_fini(m.x);
	return 0;
}
