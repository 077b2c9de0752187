/*
 * audit-kill: the kill-safety driver of tests/cli/0505-qgtm-audit-kill.bats.
 *
 *	audit-kill [-k kills] [-m most] [-r rotate] [-s seed] dir
 *
 * Runs `qgtm-audit append -f CHAIN FILE` (from PATH) on batches of 1 to
 * most records (random sizes, records {"type":"t","b":BATCH,"i":I}) and
 * SIGKILLs it at a random moment of its run (uniform over the time such
 * a batch takes, measured first), until kills runs were killed. After
 * every run: `qgtm-audit repair`, then `qgtm-audit verify` must pass, and
 * the chain must hold exactly the records of every acknowledged batch
 * (exit 0), in order, and none of any other. One exception: a run killed
 * after its commit (the commit mark "<chain>.commit" already counted its
 * batch when it died; the window between the commit and exit) must have
 * its whole batch kept. A new chain is begun every rotate runs, so that
 * the checks stay cheap. Prints a summary line (tails_cut: the runs
 * that left bytes past the commit mark for repair to cut); exits 1 with
 * one line naming the run on the first failure.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "qgtm.h"

/* Batches of the current chain: their numbers and sizes, in order. */
struct chain {
	char path[4096];
	long batch[4096];
	long size[4096];
	int n;
	unsigned long entries;  /* what they add up to */
};

static void __attribute__((noreturn, format(printf, 1, 2)))
fail(const char *fmt, ...)
{
	va_list ap;

	fputs("audit-kill: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Write the batch's records to path. */
static void
write_batch(const char *path, long b, long n)
{
	FILE *f = fopen(path, "w");
	long i;

	if (f == NULL)
		fail("cannot create '%s': %s", path, strerror(errno));
	for (i = 0; i < n; i++)
		fprintf(f, "{\"type\":\"t\",\"b\":%ld,\"i\":%ld}\n", b, i);
	if (fclose(f) != 0)
		fail("cannot write '%s'", path);
}

/* Start qgtm-audit with these arguments; its pid. */
static pid_t
start(char *const argv[])
{
	pid_t pid = fork();
	int fd;

	if (pid == -1)
		fail("fork: %s", strerror(errno));
	if (pid == 0) {
		if ((fd = open("/dev/null", O_WRONLY)) != -1) {
			dup2(fd, 1);
			close(fd);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	return pid;
}

/* Run qgtm-audit VERB -f chain to its end; its exit status (-1: signal). */
static int
run_verb(const char *verb, const char *chain, const char *extra)
{
	char *argv[] = { "qgtm-audit", (char *)verb, "-f", (char *)chain,
	    (char *)extra, NULL };
	int st;

	if (waitpid(start(argv), &st, 0) == -1)
		fail("waitpid: %s", strerror(errno));
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The entries the commit mark of chain counts (0 without one). */
static unsigned long
mark_entries(const char *chain)
{
	struct qgtm_audit_commit c;

	return qgtm_audit_commit_read(chain, &c) == 0 ? c.entries : 0;
}

/* The bytes the commit mark of chain counts (0 without one). */
static long long
mark_bytes(const char *chain)
{
	struct qgtm_audit_commit c;

	return qgtm_audit_commit_read(chain, &c) == 0 ? c.bytes : 0;
}

/* The chain's records must be exactly those of c's batches, in order. */
static void
check_chain(const struct chain *c, long run)
{
	FILE *f = fopen(c->path, "r");
	char *line = NULL, *p;
	size_t cap = 0;
	long b, i, k = 0, j = 0;
	unsigned long total = 0;

	if (f == NULL && c->entries > 0)
		fail("run %ld: no chain '%s'", run, c->path);
	while (f != NULL && getline(&line, &cap, f) > 0) {
		if ((p = strstr(line, "\"rec\":{\"b\":")) == NULL ||
		    sscanf(p, "\"rec\":{\"b\":%ld,\"i\":%ld", &b, &i) != 2)
			fail("run %ld: an entry not of this test: %.80s", run,
			    line);
		while (k < c->n && j == c->size[k]) {
			k++;
			j = 0;
		}
		if (k == c->n)
			fail("run %ld: batch %ld record %ld is in the chain, but "
			    "its batch was not acknowledged", run, b, i);
		if (b != c->batch[k] || i != j)
			fail("run %ld: batch %ld record %ld where batch %ld "
			    "record %ld belongs (a record lost or kept wrongly)",
			    run, b, i, c->batch[k], j);
		j++;
		total++;
	}
	if (total != c->entries)
		fail("run %ld: the chain holds %lu records, the acknowledged "
		    "batches %lu: acknowledged records were lost", run, total,
		    c->entries);
	free(line);
	if (f != NULL)
		fclose(f);
}

/* The fastest of three appends of n records to chain, in ms. */
static double
time_append(const char *chain, const char *in, long n)
{
	double best = 1e9, t0, t;
	int k;

	write_batch(in, 0, n);
	for (k = 0; k < 3; k++) {
		t0 = now_ms();
		if (run_verb("append", chain, in) != 0)
			fail("an append to '%s' failed", chain);
		if ((t = now_ms() - t0) < best)
			best = t;
	}
	return best;
}

int
main(int argc, char **argv)
{
	long kills = 200, most = 4000, rotate = 25, seed = 1, b = 0, run = 0;
	long killed = 0, acked = 0, late = 0, tails = 0, n, got;
	struct stat sb;
	double per_rec, base, delay;
	char in[4096];
	struct chain c = { .n = 0 };
	struct timespec ts;
	int opt, st, done;
	pid_t pid;

	while ((opt = getopt(argc, argv, "k:m:r:s:")) != -1) {
		switch (opt) {
		case 'k': kills = strtol(optarg, NULL, 10); break;
		case 'm': most = strtol(optarg, NULL, 10); break;
		case 'r': rotate = strtol(optarg, NULL, 10); break;
		case 's': seed = strtol(optarg, NULL, 10); break;
		default: fail("usage: audit-kill [-k kills] [-m most] "
		    "[-r rotate] [-s seed] dir");
		}
	}
	if (optind != argc - 1 || most < 1 || rotate < 1)
		fail("usage: audit-kill [-k kills] [-m most] [-r rotate] "
		    "[-s seed] dir");
	srand48(seed);
	snprintf(in, sizeof in, "%s/batch.jsonl", argv[optind]);

	/* How long a batch takes unharmed: a fixed cost and one a record
	 * (the fastest of three runs each). */
	snprintf(c.path, sizeof c.path, "%s/calibrate.jsonl", argv[optind]);
	base = time_append(c.path, in, 1);
	per_rec = (time_append(c.path, in, most) - base) / most;
	if (per_rec < 0)
		per_rec = 0;

	while (killed < kills) {
		if (++run > 4 * kills + 100)
			fail("%ld runs and only %ld kills: the delays are off",
			    run, killed);
		if (run % rotate == 1 || c.n == 4096) {
			snprintf(c.path, sizeof c.path, "%s/chain-%ld.jsonl",
			    argv[optind], run);
			c.n = 0;
			c.entries = 0;
		}
		n = 1 + (long)(drand48() * most);
		write_batch(in, ++b, n);
		{
			char *av[] = { "qgtm-audit", "append", "-f", c.path, in,
			    NULL };

			pid = start(av);
		}
		delay = drand48() * 1.1 * (base + per_rec * n);
		ts.tv_sec = (time_t)(delay / 1e3);
		ts.tv_nsec = (long)((delay - ts.tv_sec * 1e3) * 1e6);
		nanosleep(&ts, NULL);
		done = waitpid(pid, &st, WNOHANG) == pid;
		if (!done) {
			kill(pid, SIGKILL);
			if (waitpid(pid, &st, 0) == -1)
				fail("waitpid: %s", strerror(errno));
		}
		if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
			fail("run %ld: append of %ld records exited %d", run, n,
			    WEXITSTATUS(st));
		got = WIFEXITED(st) ? n : 0;
		if (WIFSIGNALED(st)) {
			killed++;
			/* Killed after its commit: the batch is in. */
			if (mark_entries(c.path) == c.entries + (unsigned long)n) {
				late++;
				got = n;
			}
		} else
			acked++;
		if (got > 0) {
			c.batch[c.n] = b;
			c.size[c.n++] = n;
			c.entries += (unsigned long)n;
		}
		if (stat(c.path, &sb) == 0 && sb.st_size > mark_bytes(c.path))
			tails++;
		if ((st = run_verb("repair", c.path, NULL)) != 0)
			fail("run %ld: repair exited %d", run, st);
		if ((st = run_verb("verify", c.path, "-q")) != 0)
			fail("run %ld: verify exited %d after repair", run, st);
		check_chain(&c, run);
	}
	printf("audit-kill: runs=%ld kills=%ld killed_after_commit=%ld "
	    "tails_cut=%ld acknowledged=%ld batch_ms=%.1f+%.4f*n\n", run,
	    killed, late, tails, acked, base, per_rec);
	return 0;
}
