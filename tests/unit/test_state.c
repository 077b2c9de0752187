/*
 * test_state.c: atomic replacement, durable appends, locks with a
 * timeout, and the state directory.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"

START_TEST(atomic_write_replaces_and_leaves_no_temp)
{
	char *dir = unit_tmpdir(), *path = qgtm_xasprintf("%s/f", dir), *text;
	char *tmp = qgtm_xasprintf("%s.tmp.%ld", path, (long)getpid());

	ck_assert_int_eq(qgtm_write_atomic(path, "one", 3), 0);
	ck_assert_int_eq(qgtm_write_atomic(path, "two!", 4), 0);
	text = unit_read_file(path);
	ck_assert_str_eq(text, "two!");
	ck_assert_int_eq(access(tmp, F_OK), -1);
	free(text);
	free(tmp);
	free(path);
	free(dir);
}
END_TEST

START_TEST(atomic_write_failure_keeps_old_file)
{
	char *dir = unit_tmpdir(), *sub = qgtm_xasprintf("%s/d", dir);
	char *path = qgtm_xasprintf("%s/nodir/f", dir);
	char *inner = qgtm_xasprintf("%s/x", sub);
	char *tmp = qgtm_xasprintf("%s.tmp.%ld", sub, (long)getpid());

	/* The target's directory does not exist: an error, nothing created. */
	ck_assert_int_eq(qgtm_write_atomic(path, "x", 1), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_IOERR);
	/* A directory in the way of the rename: the temp file is removed. */
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	unit_write_file(inner, "keep");
	ck_assert_int_eq(qgtm_write_atomic(sub, "x", 1), -1);
	ck_assert_int_eq(access(tmp, F_OK), -1);
	ck_assert_int_eq(access(inner, F_OK), 0);
	free(tmp);
	free(inner);
	free(path);
	free(sub);
	free(dir);
}
END_TEST

START_TEST(atomic_write_mode_is_exact)
{
	char *dir = unit_tmpdir(), *path = qgtm_xasprintf("%s/page", dir);
	mode_t old = umask(077);
	struct stat st;

	ck_assert_int_eq(qgtm_write_atomic_mode(path, "<p>", 3, 0644), 0);
	umask(old);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0644);
	free(path);
	free(dir);
}
END_TEST

START_TEST(appends_accumulate)
{
	char *dir = unit_tmpdir(), *path = qgtm_xasprintf("%s/log", dir), *text;

	ck_assert_int_eq(qgtm_append_fsync(path, "a\n", 2), 0);
	ck_assert_int_eq(qgtm_append_fsync(path, "b\n", 2), 0);
	text = unit_read_file(path);
	ck_assert_str_eq(text, "a\nb\n");
	free(text);
	free(path);
	free(dir);
}
END_TEST

START_TEST(lock_busy_is_tempfail)
{
	char *dir = unit_tmpdir(), *path = qgtm_xasprintf("%s/lock", dir);
	int fd = qgtm_lock(path, 0), status;
	pid_t pid;

	ck_assert_int_ge(fd, 0);
	pid = fork();
	if (pid == 0) {
		/* flock locks are per open file: the child's open competes. */
		int rc = qgtm_lock(path, 100);

		free(path);     /* for valgrind's leak check of this child */
		free(dir);
		_exit(rc == -1 && qgtm_errcode() == QGTM_EX_TEMPFAIL ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	qgtm_unlock(fd);
	fd = qgtm_lock(path, 0);
	ck_assert_int_ge(fd, 0);
	qgtm_unlock(fd);
	free(path);
	free(dir);
}
END_TEST

START_TEST(state_paths_create_parents)
{
	char *dir = unit_tmpdir(), *p;
	struct stat st;

	setenv("QGTM_STATE_DIR", dir, 1);
	/* qgtm_state_init only reads cfg when the environment is unset. */
	ck_assert_int_eq(qgtm_state_init(NULL), 0);
	ck_assert_str_eq(qgtm_state_dir(), dir);
	p = qgtm_state_path("a/b/c.jsonl", 1);
	ck_assert_str_eq(p + strlen(dir), "/a/b/c.jsonl");
	free(p);
	p = qgtm_xasprintf("%s/a/b", dir);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	unsetenv("QGTM_STATE_DIR");
	free(p);
	free(dir);
}
END_TEST

Suite *
suite_state(void)
{
	Suite *s = suite_create("state");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, atomic_write_replaces_and_leaves_no_temp);
	tcase_add_test(tc, atomic_write_failure_keeps_old_file);
	tcase_add_test(tc, atomic_write_mode_is_exact);
	tcase_add_test(tc, appends_accumulate);
	tcase_add_test(tc, lock_busy_is_tempfail);
	tcase_add_test(tc, state_paths_create_parents);
	suite_add_tcase(s, tc);
	return s;
}
