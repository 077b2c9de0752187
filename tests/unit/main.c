/*
 * The single unit-test runner: runs every check suite listed in the
 * generated suites.h and prints check's own summary line. CK_RUN_SUITE=cfg
 * runs one suite (a check(3) feature).
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#define QGTM_SUITE(m) Suite *suite_##m(void);
#include "suites.h"
#undef QGTM_SUITE

#define MAX_TMPDIRS 64

/* The directories this process made, removed when it exits. */
static char *tmpdirs[MAX_TMPDIRS];
static int ntmpdirs;

/* Remove every directory unit_tmpdir() made (atexit; check forks a test
 * per process, so each test cleans up its own). */
static void
remove_tmpdirs(void)
{
	while (ntmpdirs > 0) {
		ntmpdirs--;
		qgtm_remove_tree(tmpdirs[ntmpdirs]);
		free(tmpdirs[ntmpdirs]);
	}
}

char *
unit_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *path;

	path = qgtm_xasprintf("%s/qgtm-unit.XXXXXX",
	    base != NULL && *base != '\0' ? base : "/tmp");
	if (mkdtemp(path) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	if (ntmpdirs == 0)
		atexit(remove_tmpdirs);
	if (ntmpdirs < MAX_TMPDIRS)
		tmpdirs[ntmpdirs++] = qgtm_xstrdup(path);
	return path;
}

void
unit_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

char *
unit_read_file(const char *path)
{
	struct qgtm_buf b;
	char chunk[4096];
	size_t n;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return NULL;
	qgtm_buf_init(&b, 64 * 1024 * 1024);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (qgtm_buf_add(&b, chunk, n) == -1)
			break;
	fclose(f);
	return qgtm_buf_detach(&b);
}

char *
unit_state_cfg(struct qgtm_cfg *cfg, const char *yaml)
{
	char *dir = unit_tmpdir(), *path = qgtm_xasprintf("%s/qgtm.yaml", dir);

	setenv("QGTM_STATE_DIR", dir, 1);
	ck_assert_int_eq(qgtm_state_init(NULL), 0);
	unit_write_file(path, yaml);
	ck_assert_int_eq(qgtm_cfg_load(cfg, path), 0);
	free(path);
	return dir;
}

void
unit_add_bar(const char *symbol, const char *date, const char *close)
{
	char *rel = qgtm_xasprintf("data/sim/%s.jsonl", symbol);
	char *path = qgtm_state_path(rel, 1);
	char *line = qgtm_xasprintf("{\"type\":\"bar\",\"symbol\":\"%s\","
	    "\"date\":\"%s\",\"available_at\":\"%sT21:00:00Z\",\"volume\":1,"
	    "\"open\":\"%s\",\"high\":\"%s\",\"low\":\"%s\",\"close\":\"%s\"}\n",
	    symbol, date, date, close, close, close, close);

	ck_assert_int_eq(qgtm_append_fsync(path, line, strlen(line)), 0);
	free(line);
	free(path);
	free(rel);
}

int
main(void)
{
	SRunner *sr = srunner_create(NULL);
	int failed;

	qgtm_init("unit-tests", 0);
#define QGTM_SUITE(m) srunner_add_suite(sr, suite_##m());
#include "suites.h"
#undef QGTM_SUITE
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
