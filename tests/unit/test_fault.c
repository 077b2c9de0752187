/*
 * test_fault.c: QGTM_FAULT's plan (lib/base/fault.c), and what the state
 * writes, the allocators and HTTP do when a call of theirs fails.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"

static void
disarm(void)
{
	qgtm_fault_setup(NULL);
}

/* The calls of kind, from the first, that fail: "1" where one does. */
static void
assert_failing_calls(enum qgtm_fault_kind kind, const char *want)
{
	char got[16];
	size_t i;

	for (i = 0; i < strlen(want); i++)
		got[i] = qgtm_fault(kind) ? '1' : '0';
	got[i] = '\0';
	ck_assert_str_eq(got, want);
}

START_TEST(fails_the_nth_call_of_its_kind_only)
{
	ck_assert_int_eq(qgtm_fault_setup("write:3,fsync:1,malloc:2+"), 0);
	assert_failing_calls(QGTM_FAULT_WRITE, "0010000");
	assert_failing_calls(QGTM_FAULT_FSYNC, "1000");
	assert_failing_calls(QGTM_FAULT_MALLOC, "011111");
	assert_failing_calls(QGTM_FAULT_RENAME, "0000");
	assert_failing_calls(QGTM_FAULT_NET, "0000");
}
END_TEST

START_TEST(sets_the_errno_of_its_kind)
{
	ck_assert_int_eq(qgtm_fault_setup("write:1,fsync:1,net:1"), 0);
	errno = 0;
	ck_assert_int_eq(qgtm_fault(QGTM_FAULT_WRITE), 1);
	ck_assert_int_eq(errno, ENOSPC);
	ck_assert_int_eq(qgtm_fault(QGTM_FAULT_FSYNC), 1);
	ck_assert_int_eq(errno, EIO);
	ck_assert_int_eq(qgtm_fault(QGTM_FAULT_NET), 1);
	ck_assert_int_eq(errno, ECONNREFUSED);
}
END_TEST

START_TEST(malformed_plans_arm_nothing)
{
	static const char *const bad[] = { "write", "write:", "write:0",
	    "write:-1", "write:+", "write:2x", "disk:1", "write:1,,fsync:1",
	    "write:1,", ":1", "write:99999999999999999999" };
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_int_eq(qgtm_fault_setup("write:1"), 0);
		ck_assert_msg(qgtm_fault_setup(bad[i]) == -1, "%s", bad[i]);
		ck_assert_int_eq(qgtm_errcode(), QGTM_EX_USAGE);
		ck_assert_ptr_nonnull(strstr(qgtm_errmsg(), "QGTM_FAULT"));
		assert_failing_calls(QGTM_FAULT_WRITE, "00");
	}
	ck_assert_int_eq(qgtm_fault_setup(""), 0);
	assert_failing_calls(QGTM_FAULT_WRITE, "00");
}
END_TEST

/* A file of dir named name holding text; returns its path (free()). */
static char *
file_with(const char *dir, const char *name, const char *text)
{
	char *path = qgtm_xasprintf("%s/%s", dir, name);

	unit_write_file(path, text);
	return path;
}

/* path holds exactly text, and its directory no temp file. */
static void
assert_holds(const char *path, const char *text)
{
	char *got = unit_read_file(path);
	char *tmp = qgtm_xasprintf("%s.tmp.%ld", path, (long)getpid());

	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, text);
	ck_assert_int_eq(access(tmp, F_OK), -1);
	free(tmp);
	free(got);
}

START_TEST(failed_atomic_write_keeps_the_old_file)
{
	static const char *const plans[] = { "write:1", "fsync:1", "rename:1" };
	char *dir = unit_tmpdir(), *path = file_with(dir, "f", "old\n");
	size_t i;

	for (i = 0; i < sizeof plans / sizeof plans[0]; i++) {
		ck_assert_int_eq(qgtm_fault_setup(plans[i]), 0);
		ck_assert_msg(qgtm_write_atomic(path, "new\n", 4) == -1, "%s",
		    plans[i]);
		ck_assert_int_eq(qgtm_errcode(), QGTM_EX_IOERR);
		assert_holds(path, "old\n");
	}
	/* The second fsync is the directory's, after the rename. */
	ck_assert_int_eq(qgtm_fault_setup("fsync:2"), 0);
	ck_assert_int_eq(qgtm_write_atomic(path, "new\n", 4), -1);
	ck_assert_ptr_nonnull(strstr(qgtm_errmsg(), "cannot sync directory"));
	assert_holds(path, "new\n");
	disarm();
	free(path);
	free(dir);
}
END_TEST

START_TEST(failed_append_leaves_the_file_as_it_was)
{
	static const char *const plans[] = { "write:1", "fsync:1" };
	char *dir = unit_tmpdir(), *path = file_with(dir, "log", "one\n");
	char *fresh = qgtm_xasprintf("%s/fresh", dir);
	size_t i;

	for (i = 0; i < sizeof plans / sizeof plans[0]; i++) {
		ck_assert_int_eq(qgtm_fault_setup(plans[i]), 0);
		ck_assert_msg(qgtm_append_fsync(path, "two\n", 4) == -1, "%s",
		    plans[i]);
		ck_assert_int_eq(qgtm_errcode(), QGTM_EX_IOERR);
		ck_assert_ptr_nonnull(strstr(qgtm_errmsg(),
		    i == 0 ? "No space left" : "Input/output error"));
		assert_holds(path, "one\n");
		/* A file the failed append created is gone again. */
		ck_assert_int_eq(qgtm_fault_setup(plans[i]), 0);
		ck_assert_int_eq(qgtm_append_fsync(fresh, "x\n", 2), -1);
		ck_assert_int_eq(access(fresh, F_OK), -1);
	}
	disarm();
	ck_assert_int_eq(qgtm_append_fsync(path, "two\n", 4), 0);
	assert_holds(path, "one\ntwo\n");
	free(fresh);
	free(path);
	free(dir);
}
END_TEST

START_TEST(out_of_memory_ends_the_program)
{
	ck_assert_int_eq(qgtm_fault_setup("malloc:2"), 0);
	free(qgtm_xmalloc(8));
	free(qgtm_xstrdup("dies here"));
	ck_abort_msg("the second allocation returned");
}
END_TEST

/* GET dir/body through file://, with retries extra attempts. */
static int
get_file(const char *dir, int retries, struct qgtm_http_resp *resp)
{
	char *body = file_with(dir, "body", "{}");
	char *url = qgtm_xasprintf("file://%s", body);
	struct qgtm_http_req req;
	int rc;

	qgtm_http_req_init(&req, NULL);
	req.url = url;
	req.retries = retries;
	req.backoff_ms = 1;
	qgtm_http_resp_init(resp);
	rc = qgtm_http_do(&req, resp);
	free(url);
	free(body);
	return rc;
}

START_TEST(network_faults_are_transport_errors)
{
	char *dir = unit_tmpdir();
	struct qgtm_http_resp resp;

	ck_assert_int_eq(qgtm_fault_setup("net:1"), 0);
	ck_assert_int_eq(get_file(dir, 0, &resp), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_TEMPFAIL);
	ck_assert_ptr_nonnull(strstr(qgtm_errmsg(), "cannot reach"));
	qgtm_http_resp_release(&resp);
	/* A GET is tried again, and the second attempt gets through. */
	ck_assert_int_eq(qgtm_fault_setup("net:1"), 0);
	ck_assert_int_eq(get_file(dir, 1, &resp), 0);
	ck_assert_int_eq(resp.attempts, 2);
	ck_assert_str_eq(resp.body.data, "{}");
	qgtm_http_resp_release(&resp);
	disarm();
	free(dir);
}
END_TEST

Suite *
suite_fault(void)
{
	Suite *s = suite_create("fault");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, NULL, disarm);
	tcase_add_test(tc, fails_the_nth_call_of_its_kind_only);
	tcase_add_test(tc, sets_the_errno_of_its_kind);
	tcase_add_test(tc, malformed_plans_arm_nothing);
	tcase_add_test(tc, failed_atomic_write_keeps_the_old_file);
	tcase_add_test(tc, failed_append_leaves_the_file_as_it_was);
	tcase_add_exit_test(tc, out_of_memory_ends_the_program, QGTM_EX_OSERR);
	tcase_add_test(tc, network_faults_are_transport_errors);
	suite_add_tcase(s, tc);
	return s;
}
