/*
 * test_rules.c: the automatic rules of qgtm-risk evaluate: the daily loss
 * and drawdown with breaches in a row and the early WARN, broker rejects
 * in a row, the heartbeat gap, and the eval state kept in the backend.
 */
#include <sys/stat.h>

#include <stdlib.h>
#include <string.h>

#include "unit.h"

#define CENTS(d) ((int64_t)(d) * 100)

static char *dir;
static struct qgtm_cfg cfg;
static struct qgtm_rules ru;
static struct qgtm_ks ks;

static void
setup(void)
{
	ck_assert_int_eq(qgtm_clock_pin("2026-01-05T21:30:00Z"), 0);
	dir = unit_state_cfg(&cfg, "risk:\n  max_heartbeat_gap_s: 600\n");
	ck_assert_int_eq(qgtm_rules_load(&cfg, &ru), 0);
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

/* The tier the loss rules want at equity (whole dollars) on day. */
static int
equity_tier(struct qgtm_eval *ev, long dollars, const char *day)
{
	struct qgtm_verdict v = { QGTM_TIER_NORMAL, "" };

	qgtm_rules_equity(&ru, ev, CENTS(dollars), day, &v);
	return v.tier;
}

START_TEST(defaults_are_loaded)
{
	ck_assert_int_eq(ru.max_daily_loss, 20000);
	ck_assert_int_eq(ru.max_drawdown, 30000);
	ck_assert_int_eq(ru.warn_at, 500000);
	ck_assert_int_eq(ru.breaches_to_trip, 2);
	ck_assert_int_eq(ru.loss_tier, QGTM_TIER_NO_NEW);
	ck_assert_int_eq(ru.stale_feed_tier, QGTM_TIER_THROTTLE);
	ck_assert_int_eq(ru.max_rejects_in_a_row, 3);
}
END_TEST

START_TEST(daily_loss_warns_then_trips_after_two_breaches)
{
	struct qgtm_eval ev = { 0 };

	ck_assert_int_eq(equity_tier(&ev, 100000, "2026-01-05"), 0);
	ck_assert_int_eq(ev.day_start, CENTS(100000));
	/* 0.9% lost: under half the 2% limit. */
	ck_assert_int_eq(equity_tier(&ev, 99100, "2026-01-05"), 0);
	/* 1%: half the limit. */
	ck_assert_int_eq(equity_tier(&ev, 99000, "2026-01-05"),
	    QGTM_TIER_WARN);
	ck_assert_int_eq(ev.loss_breaches, 0);
	/* 2%: one breach, still WARN; a second in a row trips. */
	ck_assert_int_eq(equity_tier(&ev, 98000, "2026-01-05"),
	    QGTM_TIER_WARN);
	ck_assert_int_eq(ev.loss_breaches, 1);
	ck_assert_int_eq(equity_tier(&ev, 97900, "2026-01-05"),
	    QGTM_TIER_NO_NEW);
	ck_assert_int_eq(ev.daily_loss, 21000);
}
END_TEST

START_TEST(a_recovery_starts_the_count_again)
{
	struct qgtm_eval ev = { 0 };

	equity_tier(&ev, 100000, "2026-01-05");
	equity_tier(&ev, 98000, "2026-01-05");
	ck_assert_int_eq(ev.loss_breaches, 1);
	equity_tier(&ev, 99500, "2026-01-05");
	ck_assert_int_eq(ev.loss_breaches, 0);
	ck_assert_int_eq(equity_tier(&ev, 98000, "2026-01-05"),
	    QGTM_TIER_WARN);
}
END_TEST

START_TEST(drawdown_runs_from_the_peak_across_days)
{
	struct qgtm_eval ev = { 0 };

	equity_tier(&ev, 100000, "2026-01-05");
	equity_tier(&ev, 110000, "2026-01-06");
	ck_assert_int_eq(ev.peak, CENTS(110000));
	/* No day loses 2%, but 3% from the peak is 106700 (WARN from
	 * 1.5%, 108350). */
	ck_assert_int_eq(equity_tier(&ev, 108500, "2026-01-07"),
	    QGTM_TIER_NORMAL);
	ck_assert_int_eq(equity_tier(&ev, 106700, "2026-01-08"),
	    QGTM_TIER_WARN);
	ck_assert_int_eq(ev.dd_breaches, 1);
	ck_assert_int_eq(ev.daily_loss, 0);
	ck_assert_int_eq(equity_tier(&ev, 106600, "2026-01-08"),
	    QGTM_TIER_NO_NEW);
}
END_TEST

START_TEST(rejects_in_a_row_trip_and_a_fill_ends_them)
{
	struct qgtm_verdict v = { QGTM_TIER_NORMAL, "" };
	struct qgtm_eval ev = { 0 };
	json_t *rej = json_pack("{s:s, s:s}", "type", "order", "status",
	    "rejected");
	json_t *fill = json_pack("{s:s, s:s}", "type", "order", "status",
	    "filled");
	json_t *other = json_pack("{s:s, s:s}", "type", "fill", "status",
	    "rejected");

	qgtm_eval_order(&ev, rej);
	qgtm_eval_order(&ev, rej);
	qgtm_eval_order(&ev, fill);
	qgtm_eval_order(&ev, rej);
	qgtm_eval_order(&ev, other);
	qgtm_eval_order(&ev, rej);
	ck_assert_int_eq(ev.rejects, 2);
	json_decref(qgtm_heartbeat_beat(&ks, "t"));
	ck_assert_int_eq(qgtm_rules_other(&ks, &ru, &ev, qgtm_now(), &v), 0);
	ck_assert_int_eq(v.tier, QGTM_TIER_NORMAL);
	qgtm_eval_order(&ev, rej);
	ck_assert_int_eq(qgtm_rules_other(&ks, &ru, &ev, qgtm_now(), &v), 0);
	ck_assert_int_eq(v.tier, QGTM_TIER_NO_NEW);
	ck_assert_str_eq(v.why, "3 broker rejects in a row");
	json_decref(rej);
	json_decref(fill);
	json_decref(other);
}
END_TEST

START_TEST(heartbeat_gap_and_none_at_all)
{
	struct qgtm_verdict v = { QGTM_TIER_NORMAL, "" };
	struct qgtm_eval ev = { 0 };
	json_t *rec;

	ck_assert_int_eq(qgtm_rules_other(&ks, &ru, &ev, qgtm_now(), &v), 0);
	ck_assert_int_eq(v.tier, QGTM_TIER_NO_NEW);
	ck_assert_str_eq(v.why, "no heartbeat");
	rec = qgtm_heartbeat_beat(&ks, "daemon");
	ck_assert_ptr_nonnull(rec);
	json_decref(rec);
	ck_assert_int_eq(qgtm_heartbeat_last(&ks), qgtm_now());
	v.tier = QGTM_TIER_NORMAL;
	ck_assert_int_eq(qgtm_rules_other(&ks, &ru, &ev, qgtm_now() + 600,
	    &v), 0);
	ck_assert_int_eq(v.tier, QGTM_TIER_NORMAL);
	ck_assert_int_eq(qgtm_rules_other(&ks, &ru, &ev, qgtm_now() + 601,
	    &v), 0);
	ck_assert_int_eq(v.tier, QGTM_TIER_NO_NEW);
	ck_assert_str_eq(v.why, "heartbeat gap 601 s");
}
END_TEST

/* Pin the clock at t and beat. */
static void
beat_at(time_t t)
{
	char ts[21];

	ck_assert_int_eq(qgtm_clock_pin(qgtm_time_fmt(t, ts)), 0);
	json_decref(qgtm_heartbeat_beat(&ks, "daemon"));
}

START_TEST(beat_history_counts_beats_and_gaps_in_bounded_space)
{
	time_t t0 = qgtm_now(), t;
	struct qgtm_heartbeat_count c;
	char *path = qgtm_state_path(QGTM_HEARTBEAT_RUNS, 0);
	struct stat st;
	FILE *f;
	int i;

	ck_assert_int_eq(qgtm_heartbeat_week(t0 - 100, t0, &c), 0);
	ck_assert_int_eq(c.beats + c.gaps + c.runs, 0);
	beat_at(t0);
	beat_at(t0 + 10);
	beat_at(t0 + 70);		/* 60 s after: no gap */
	beat_at(t0 + 200);		/* 130 s after: a gap */
	beat_at(t0 + 210);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_size, 70);	/* two runs of 35 bytes */
	qgtm_heartbeat_week(t0 - 100, t0 + 215, &c);
	ck_assert_int_eq(c.beats, 5);
	ck_assert_int_eq(c.gaps, 1);
	ck_assert_int_eq(c.runs, 2);
	/* The gap still open at now counts. */
	qgtm_heartbeat_week(t0 - 100, t0 + 300, &c);
	ck_assert_int_eq(c.gaps, 2);
	/* Runs ended before from are left out. */
	qgtm_heartbeat_week(t0 + 100, t0 + 215, &c);
	ck_assert_int_eq(c.beats, 2);
	ck_assert_int_eq(c.gaps, 0);
	/* At 2048 runs, a new run drops the older half: 1025 runs left. */
	f = fopen(path, "w");
	for (i = 0, t = t0 + 1000; i < 2048; i++, t += 100)
		fprintf(f, "%011lld %011lld %010d\n", (long long)t,
		    (long long)t + 30, 4);
	ck_assert_int_eq(fclose(f), 0);
	beat_at(t);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_size, 1025 * 35);
	qgtm_heartbeat_week(t0, t, &c);
	ck_assert_int_eq(c.runs, 1025);
	ck_assert_int_eq(c.beats, 1024 * 4 + 1);
	ck_assert_int_eq(c.gaps, 1024);
	free(path);
}
END_TEST

START_TEST(eval_state_round_trips_and_rejects_garbage)
{
	struct qgtm_eval ev = { 0 }, back;
	char *path;

	ck_assert_int_eq(qgtm_eval_load(&ks, &back), 0);
	ck_assert_int_eq(back.peak, 0);
	equity_tier(&ev, 100000, "2026-01-05");
	ev.rejects = 2;
	ck_assert_int_eq(qgtm_eval_store(&ks, &ev), 0);
	ck_assert_int_eq(qgtm_eval_load(&ks, &back), 0);
	ck_assert_str_eq(back.day, "2026-01-05");
	ck_assert_int_eq(back.day_start, CENTS(100000));
	ck_assert_int_eq(back.peak, CENTS(100000));
	ck_assert_int_eq(back.rejects, 2);
	path = qgtm_state_path("risk/eval.json", 0);
	unit_write_file(path, "{\"day\":\"2026-01-05\",\"peak\":\"x\"}");
	free(path);
	ck_assert_int_eq(qgtm_eval_load(&ks, &back), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_DATAERR);
}
END_TEST

Suite *
suite_rules(void)
{
	Suite *s = suite_create("rules");
	TCase *tc = tcase_create("rules");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, defaults_are_loaded);
	tcase_add_test(tc, daily_loss_warns_then_trips_after_two_breaches);
	tcase_add_test(tc, a_recovery_starts_the_count_again);
	tcase_add_test(tc, drawdown_runs_from_the_peak_across_days);
	tcase_add_test(tc, rejects_in_a_row_trip_and_a_fill_ends_them);
	tcase_add_test(tc, heartbeat_gap_and_none_at_all);
	tcase_add_test(tc, beat_history_counts_beats_and_gaps_in_bounded_space);
	tcase_add_test(tc, eval_state_round_trips_and_rejects_garbage);
	suite_add_tcase(s, tc);
	return s;
}
