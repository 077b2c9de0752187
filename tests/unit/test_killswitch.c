/*
 * test_killswitch.c: the tier machine on the file backend: names, the
 * first initialization, escalation only upwards, compare-and-set on seq,
 * failing closed on a missing, corrupt, unreadable, tampered or undurable
 * state, and repair.
 */
#include <sys/stat.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"

static char *dir;
static struct qgtm_cfg cfg;
static struct qgtm_ks ks;

static void
setup(void)
{
	ck_assert_int_eq(qgtm_clock_pin("2026-01-05T21:30:00Z"), 0);
	dir = unit_state_cfg(&cfg, "state:\n  backend: file\n");
	ck_assert_int_eq(qgtm_ks_open(&ks, &cfg), 0);
}

static void
teardown(void)
{
	qgtm_ks_close(&ks);
	qgtm_cfg_release(&cfg);
	unsetenv("QGTM_STATE_DIR");
	free(dir);
}

/* Change to tier (only up unless seq >= 0); the return of qgtm_ks_change. */
static int
change(int tier, long long seq)
{
	struct qgtm_ks_change c = { 0 };
	json_t *rec;
	int rc;

	c.to = tier;
	c.reason = "test";
	c.by = "alice";
	c.only_up = seq < 0;
	c.expect_seq = seq;
	rc = qgtm_ks_change(&ks, &c, &rec);
	ck_assert(rc == 1 ? rec != NULL : rec == NULL);
	json_decref(rec);
	return rc;
}

/* Replace the state file with text. */
static void
write_state(const char *text)
{
	char *path = qgtm_state_path(QGTM_KS_STATE, 1);

	unit_write_file(path, text);
	free(path);
}

START_TEST(tier_names_round_trip)
{
	int i;

	for (i = 0; i < QGTM_NTIERS; i++)
		ck_assert_int_eq(qgtm_tier_parse(qgtm_tier_name(i)), i);
	ck_assert_str_eq(qgtm_tier_name(QGTM_TIER_NO_NEW), "NO_NEW");
	ck_assert_ptr_null(qgtm_tier_name(QGTM_NTIERS));
	ck_assert_ptr_null(qgtm_tier_name(-1));
	ck_assert_int_eq(qgtm_tier_parse("normal"), -1);
	ck_assert_int_eq(qgtm_tier_parse("HALT"), -1);
	ck_assert_int_eq(qgtm_tier_parse(NULL), -1);
}
END_TEST

START_TEST(first_read_initializes_normal)
{
	struct qgtm_ks_state st;
	char *path = qgtm_state_path(QGTM_KS_MARKER, 0), *text;

	ck_assert_int_eq(access(path, F_OK), -1);
	qgtm_ks_read(&ks, &st);
	ck_assert_int_eq(st.health, QGTM_KS_OK);
	ck_assert_int_eq(st.effective, QGTM_TIER_NORMAL);
	ck_assert_int_eq(st.seq, 0);
	ck_assert_str_eq(st.since, "2026-01-05T21:30:00Z");
	ck_assert_int_eq(access(path, F_OK), 0);
	free(path);
	path = qgtm_state_path(QGTM_KS_STATE, 0);
	text = unit_read_file(path);
	ck_assert_ptr_nonnull(strstr(text, "\"tier\":\"NORMAL\""));
	free(text);
	free(path);
}
END_TEST

START_TEST(escalation_only_goes_up)
{
	struct qgtm_ks_state st;

	ck_assert_int_eq(change(QGTM_TIER_THROTTLE, -1), 1);
	ck_assert_int_eq(change(QGTM_TIER_THROTTLE, -1), 0);
	ck_assert_int_eq(change(QGTM_TIER_WARN, -1), 0);
	qgtm_ks_read(&ks, &st);
	ck_assert_int_eq(st.tier, QGTM_TIER_THROTTLE);
	ck_assert_int_eq(st.seq, 1);
	ck_assert_str_eq(st.by, "alice");
	ck_assert_int_eq(change(QGTM_TIER_FLATTEN, -1), 1);
	qgtm_ks_read(&ks, &st);
	ck_assert_int_eq(st.effective, QGTM_TIER_FLATTEN);
	ck_assert_int_eq(st.seq, 2);
}
END_TEST

START_TEST(compare_and_set_on_seq)
{
	struct qgtm_ks_state st;

	ck_assert_int_eq(change(QGTM_TIER_FLATTEN, -1), 1);
	ck_assert_int_eq(change(QGTM_TIER_WARN, 0), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_NOPERM);
	/* Down only with a two-person reset's request and approval. */
	ck_assert_int_eq(change(QGTM_TIER_WARN, 1), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_NOPERM);
	qgtm_ks_read(&ks, &st);
	ck_assert_int_eq(st.tier, QGTM_TIER_FLATTEN);
	ck_assert_int_eq(change(QGTM_TIER_NORMAL, 1), -1);
}
END_TEST

START_TEST(corrupt_state_fails_closed)
{
	static const char *const bad[] = {
		"garbage", "[]", "{\"tier\":\"NORMAL\"}",
		"{\"tier\":\"CALM\",\"seq\":\"0\",\"since\":\"2026-01-01\","
		"\"reason\":\"\",\"by\":\"\",\"approved_by\":\"\"}",
		"{\"tier\":\"NORMAL\",\"seq\":\"-1\",\"since\":\"2026-01-01\","
		"\"reason\":\"\",\"by\":\"\",\"approved_by\":\"\"}",
	};
	struct qgtm_ks_state st;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		qgtm_ks_read(&ks, &st);
		write_state(bad[i]);
		qgtm_ks_read(&ks, &st);
		ck_assert_msg(st.health == QGTM_KS_CORRUPT, "%s", bad[i]);
		ck_assert_int_eq(st.effective, QGTM_TIER_NO_NEW);
		ck_assert_str_ne(st.detail, "");
	}
}
END_TEST

START_TEST(a_valid_state_is_not_corrupt)
{
	struct qgtm_ks_state st;

	ck_assert_int_eq(change(QGTM_TIER_WARN, -1), 1);
	qgtm_ks_read(&ks, &st);
	ck_assert_int_eq(st.health, QGTM_KS_OK);
	ck_assert_int_eq(st.effective, QGTM_TIER_WARN);
	ck_assert_int_eq(st.seq, 1);
	/* Well formed, but not what the audit chain says: tampered. */
	write_state("{\"tier\":\"WARN\",\"seq\":\"7\",\"since\":"
	    "\"2026-01-01T00:00:00Z\",\"reason\":\"r\",\"by\":\"b\","
	    "\"approved_by\":\"\"}");
	qgtm_ks_read(&ks, &st);
	ck_assert_int_eq(st.health, QGTM_KS_TAMPERED);
	ck_assert_int_eq(st.effective, QGTM_TIER_NO_NEW);
	ck_assert_str_eq(st.detail, "the state says WARN (seq 7) but the "
	    "audit chain says WARN (seq 1)");
}
END_TEST

/* An intent in the slot that the chain lacks: a change not made durable,
 * read as at least NO_NEW and at least its tier, until it is made. */
START_TEST(an_undurable_change_reads_at_its_tier)
{
	struct qgtm_ks_state st;
	json_t *in = json_pack("{s:s, s:s, s:s, s:s}", "to", "FLATTEN", "by",
	    "alice", "ts", "2026-01-05T21:30:00Z", "sig", "none");

	qgtm_ks_read(&ks, &st);
	ck_assert_int_eq(st.health, QGTM_KS_OK);
	ck_assert_int_eq(qgtm_ks_intent_set(in), 0);
	json_decref(in);
	qgtm_ks_read(&ks, &st);
	ck_assert_int_eq(st.health, QGTM_KS_UNDURABLE);
	ck_assert_int_eq(st.effective, QGTM_TIER_FLATTEN);
	ck_assert_str_eq(st.detail, "a change to FLATTEN by alice at "
	    "2026-01-05T21:30:00Z was not made durable");
	ck_assert_int_eq(change(QGTM_TIER_FLATTEN, -1), 1);
	qgtm_ks_read(&ks, &st);
	ck_assert_int_eq(st.health, QGTM_KS_OK);
	ck_assert_int_eq(st.effective, QGTM_TIER_FLATTEN);
}
END_TEST

START_TEST(missing_after_init_fails_closed)
{
	struct qgtm_ks_state st;
	char *path = qgtm_state_path(QGTM_KS_STATE, 0);

	qgtm_ks_read(&ks, &st);
	ck_assert_int_eq(unlink(path), 0);
	qgtm_ks_read(&ks, &st);
	ck_assert_int_eq(st.health, QGTM_KS_MISSING);
	ck_assert_int_eq(st.effective, QGTM_TIER_NO_NEW);
	/* A read never recreates it. */
	ck_assert_int_eq(access(path, F_OK), -1);
	free(path);
}
END_TEST

START_TEST(unreadable_state_fails_closed)
{
	struct qgtm_ks_state st;
	char *path = qgtm_state_path(QGTM_KS_STATE, 0);

	qgtm_ks_read(&ks, &st);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	qgtm_ks_read(&ks, &st);
	ck_assert_int_ne(st.health, QGTM_KS_OK);
	ck_assert_int_eq(st.effective, QGTM_TIER_NO_NEW);
	rmdir(path);
	free(path);
}
END_TEST

START_TEST(repair_only_upward_and_seq_goes_on)
{
	struct qgtm_ks_state st;

	ck_assert_int_eq(change(QGTM_TIER_WARN, -1), 1);
	ck_assert_int_eq(change(QGTM_TIER_THROTTLE, -1), 1);
	write_state("garbage");
	ck_assert_int_eq(change(QGTM_TIER_THROTTLE, -1), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_NOPERM);
	ck_assert_int_eq(change(QGTM_TIER_FLATTEN, 2), -1);
	ck_assert_int_eq(change(QGTM_TIER_NO_NEW, -1), 1);
	qgtm_ks_read(&ks, &st);
	ck_assert_int_eq(st.health, QGTM_KS_OK);
	ck_assert_int_eq(st.tier, QGTM_TIER_NO_NEW);
	ck_assert_int_eq(st.seq, 3);    /* after the history's 2 */
}
END_TEST

START_TEST(history_filters_by_time)
{
	json_t *arr;
	time_t t;

	ck_assert_int_eq(change(QGTM_TIER_WARN, -1), 1);
	ck_assert_int_eq(qgtm_clock_pin("2026-01-07T10:00:00Z"), 0);
	ck_assert_int_eq(change(QGTM_TIER_FLATTEN, -1), 1);
	ck_assert_int_eq(qgtm_time_parse("2026-01-06", &t), 0);
	arr = qgtm_ks_history(&ks, 0);
	ck_assert_int_eq(json_array_size(arr), 2);
	json_decref(arr);
	arr = qgtm_ks_history(&ks, t);
	ck_assert_int_eq(json_array_size(arr), 1);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(arr,
	    0), "to")), "FLATTEN");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(arr,
	    0), "from")), "WARN");
	json_decref(arr);
}
END_TEST

START_TEST(unknown_backend_is_a_config_error)
{
	struct qgtm_cfg c;
	struct qgtm_ks k;
	char *path = qgtm_xasprintf("%s/bad.yaml", dir);

	unit_write_file(path, "state:\n  backend: \"mongodb://x\"\n");
	ck_assert_int_eq(qgtm_cfg_load(&c, path), 0);
	ck_assert_int_eq(qgtm_ks_open(&k, &c), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_CONFIG);
	qgtm_cfg_release(&c);
	free(path);
}
END_TEST

Suite *
suite_killswitch(void)
{
	Suite *s = suite_create("killswitch");
	TCase *tc = tcase_create("file");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, tier_names_round_trip);
	tcase_add_test(tc, first_read_initializes_normal);
	tcase_add_test(tc, escalation_only_goes_up);
	tcase_add_test(tc, compare_and_set_on_seq);
	tcase_add_test(tc, corrupt_state_fails_closed);
	tcase_add_test(tc, a_valid_state_is_not_corrupt);
	tcase_add_test(tc, an_undurable_change_reads_at_its_tier);
	tcase_add_test(tc, missing_after_init_fails_closed);
	tcase_add_test(tc, unreadable_state_fails_closed);
	tcase_add_test(tc, repair_only_upward_and_seq_goes_on);
	tcase_add_test(tc, history_filters_by_time);
	tcase_add_test(tc, unknown_backend_is_a_config_error);
	suite_add_tcase(s, tc);
	return s;
}
