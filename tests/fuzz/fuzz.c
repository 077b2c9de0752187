/*
 * fuzz.c: the helpers of the libFuzzer harnesses (fuzz.h): a pinned
 * clock, a scratch state directory in memory-backed /dev/shm, and files
 * written there from the fuzzer's bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

static char dir[64];

static void
remove_dir(void)
{
	if (dir[0] != '\0')
		qgtm_remove_tree(dir);
}

void
fuzz_check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz: %s\n", what);
		abort();
	}
}

void
fuzz_setup(const char *name)
{
	snprintf(dir, sizeof dir, "/dev/shm/qgtm-fuzz-XXXXXX");
	fuzz_check(mkdtemp(dir) != NULL, "cannot make a directory in /dev/shm");
	atexit(remove_dir);
	setenv("QGTM_NOW", FUZZ_NOW, 1);
	setenv("QGTM_STATE_DIR", dir, 1);
	unsetenv("QGTM_DEBUG");
	qgtm_init(name, 1);
	fuzz_check(qgtm_clock_init() == 0, qgtm_errmsg());
	fuzz_check(qgtm_state_init(NULL) == 0, qgtm_errmsg());
}

const char *
fuzz_file(const char *name, const void *p, size_t n)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	fuzz_check(f != NULL, "cannot write a scratch file");
	fuzz_check(fwrite(p, 1, n, f) == n && fclose(f) == 0,
	    "cannot write a scratch file");
	return path;
}

void
fuzz_cfg(struct qgtm_cfg *cfg, const char *yaml)
{
	const char *path = fuzz_file("harness.yaml", yaml, strlen(yaml));

	fuzz_check(qgtm_cfg_load(cfg, path) == 0, qgtm_errmsg());
}
