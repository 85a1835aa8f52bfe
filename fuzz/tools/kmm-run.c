/* kmm-run — run binary or text programs and print the op-by-op log and
 * the verdict.
 *
 *   kmm-run [--target T] [--machine tiny|classic|N] [--quiet] FILE...
 * Each program runs in a child process (so sanitizer reports and aborts
 * are verdicts too), with kmm_check() every 64 ops and at the end.
 * Exit 0: every program ran clean; 1: a bug was found (the report is on
 * stderr); 2: unusable input or usage.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "common.h"
#include "exec.h"

static int usage(void)
{
	fprintf(stderr, "usage: kmm-run [--target T] [--machine M] [--quiet] "
			"FILE...\n");
	return 2;
}

int main(int argc, char **argv)
{
	const struct opl_target *t = opl_target_all();
	static struct opl_exec exec;
	static struct opl_prog prog;
	static struct opl_scratch scratch;
	struct opl_exec *x = &exec;
	struct opl_prog *p = &prog;
	struct opl_scratch *s = &scratch;
	bool quiet = false;
	int nfiles = 0;
	bool bug = false, unusable = false;

	opl_exec_init(x);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--target") && i + 1 < argc) {
			if (!(t = target_arg(argv[++i])))
				return 2;
		} else if (!strcmp(argv[i], "--machine") && i + 1 < argc) {
			const char *m = argv[++i];
			x->force_machine = !strcmp(m, "tiny") ? 0
					   : !strcmp(m, "classic") ? 8
					   : (int)(strtol(m, NULL, 0) % OPL_NR_MACHINES);
		} else if (!strcmp(argv[i], "--quiet")) {
			quiet = true;
		} else if (argv[i][0] == '-') {
			return usage();
		}
	}
	for (int i = 1; i < argc; i++) {
		char err[512];
		bool was_text;
		if (argv[i][0] == '-') {
			if (strcmp(argv[i], "--quiet"))
				i++;
			continue;
		}
		nfiles++;
		if (load_program(argv[i], t, FMT_AUTO, p, s, &was_text, err,
				 sizeof(err))) {
			fprintf(stderr, "kmm-run: %s\n", err);
			unusable = true;
			continue;
		}
		struct opl_machine m;
		opl_machine(x->force_machine >= 0 ? (unsigned int)x->force_machine
						  : p->machine, &m);
		printf("== %s: %s program, %u ops, machine %s pae=%d cpus=%u\n",
		       argv[i], was_text ? "text" : "binary", p->n, m.preset, m.pae,
		       m.cpus);
		if (!opl_exec_box(x, p->machine, err, sizeof(err))) {
			fprintf(stderr, "kmm-run: %s\n", err);
			unusable = true;
			continue;
		}
		fflush(stdout);
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			return 2;
		}
		if (!pid) {
			x->log = quiet ? NULL : stdout;
			opl_run(x, p);
			fflush(stdout);
			_exit(0);
		}
		int st;
		waitpid(pid, &st, 0);
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
			printf("verdict: ok\n");
		} else {
			if (WIFSIGNALED(st))
				printf("verdict: BUG (killed by signal %d, report above "
				       "on stderr)\n", WTERMSIG(st));
			else
				printf("verdict: BUG (exit status %d, report above on "
				       "stderr)\n", WEXITSTATUS(st));
			bug = true;
		}
		fflush(stdout);
	}
	opl_exec_fini(x);
	if (!nfiles)
		return usage();
	return bug ? 1 : unusable ? 2 : 0;
}
