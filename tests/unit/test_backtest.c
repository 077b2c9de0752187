/*
 * test_backtest.c: lib/research/backtest.c (the walk-forward folds, --param) and
 * lib/report/svg.c (escaping).
 *
 * [SKL] scikit-learn TimeSeriesSplit docstring (sklearn/model_selection/
 *       _split.py), n = 12, n_splits = 3, test_size = 2: train [0..5] test
 *       [6, 7]; [0..7] / [8, 9]; [0..9] / [10, 11]: the anchored walk with
 *       train = 6 and test = 2.
 * [QS]  quantstrat walk.forward() (R/walk.forward.R): the rolling window
 *       keeps its length and shifts by the test length; the last test
 *       window may be shorter.
 * The audit properties (no test window overlaps another, every test row
 * is after every training row of its fold, the stitched series covers the
 * rows from the first test row exactly once, the anchored start is 0) are
 * those listed in methods.md section 5.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

/* 12 x 2: column 0 steady in rows 0-7 and noisy after, column 1 the
 * reverse, so the training Sharpe picks column 0 until row 8 is seen. */
static void
matrix(double *m, size_t t)
{
	size_t i;

	for (i = 0; i < t; i++) {
		double wiggle = i % 2 ? 0.01 : -0.01;

		m[2 * i] = i < 8 ? 0.01 + wiggle / 10 : -0.01 + wiggle;
		m[2 * i + 1] = i < 8 ? 0.001 + wiggle : 0.02 + wiggle / 10;
	}
}

/* The audit properties of section 5 over wf for t rows. */
static void
check_audit(const struct qgtm_wf *wf, size_t t, int anchored)
{
	size_t i, k, *seen = calloc(t, sizeof *seen);

	for (k = 0; k < wf->nfolds; k++) {
		const struct qgtm_wf_fold *f = &wf->folds[k];

		ck_assert_uint_le(f->train_to, f->test_from);
		if (anchored)
			ck_assert_uint_eq(f->train_from, 0);
		for (i = f->test_from; i < f->test_to; i++)
			seen[i]++;
	}
	for (i = 0; i < t; i++)
		ck_assert_uint_eq(seen[i], i >= wf->first ? 1 : 0);
	free(seen);
}

START_TEST(test_walk_forward_anchored_sklearn)
{
	static const size_t want[3][4] = {
		{ 0, 6, 6, 8 }, { 0, 8, 8, 10 }, { 0, 10, 10, 12 } };
	double m[24];
	struct qgtm_wf wf;
	size_t k;

	matrix(m, 12);
	ck_assert_int_eq(qgtm_walk_forward(m, 12, 2, 6, 2, 1, &wf), 0);
	ck_assert_uint_eq(wf.nfolds, 3);
	for (k = 0; k < 3; k++) {
		ck_assert_uint_eq(wf.folds[k].train_from, want[k][0]);
		ck_assert_uint_eq(wf.folds[k].train_to, want[k][1]);
		ck_assert_uint_eq(wf.folds[k].test_from, want[k][2]);
		ck_assert_uint_eq(wf.folds[k].test_to, want[k][3]);
	}
	check_audit(&wf, 12, 1);
	/* Rows 0-7 favour column 0; once the training rows reach past 8 the
	 * anchored window still holds 8 steady rows of column 0 against 2
	 * of column 1. */
	ck_assert_uint_eq(wf.folds[0].chosen, 0);
	ck_assert(isnan(wf.oos[5]));
	ck_assert_double_eq(wf.oos[6], m[12]);
	qgtm_wf_release(&wf);
}
END_TEST

START_TEST(test_walk_forward_rolling_short_last)
{
	double m[22];
	struct qgtm_wf wf;

	matrix(m, 11);
	ck_assert_int_eq(qgtm_walk_forward(m, 11, 2, 4, 3, 0, &wf), 0);
	/* [QS]: [0,4)/[4,7), [3,7)/[7,10), [6,10)/[10,11). */
	ck_assert_uint_eq(wf.nfolds, 3);
	ck_assert_uint_eq(wf.folds[1].train_from, 3);
	ck_assert_uint_eq(wf.folds[1].train_to, 7);
	ck_assert_uint_eq(wf.folds[2].train_from, 6);
	ck_assert_uint_eq(wf.folds[2].test_to, 11);
	check_audit(&wf, 11, 0);
	/* The last training window [6,10) holds rows 8 and 9 where column 1
	 * is steady: it is chosen and its row 10 return is stitched. */
	ck_assert_uint_eq(wf.folds[2].chosen, 1);
	ck_assert_double_eq(wf.oos[10], m[21]);
	ck_assert_uint_eq(wf.chosen[10], 1);
	qgtm_wf_release(&wf);
}
END_TEST

START_TEST(test_walk_forward_bad)
{
	double m[8] = { 0 };
	struct qgtm_wf wf;

	ck_assert_int_eq(qgtm_walk_forward(m, 4, 2, 4, 1, 0, &wf), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_USAGE);
	ck_assert_int_eq(qgtm_walk_forward(m, 4, 2, 1, 1, 0, &wf), -1);
	qgtm_wf_release(&wf);
}
END_TEST

START_TEST(test_param_override)
{
	char *dir = unit_tmpdir(), *path = qgtm_xasprintf("%s/q.yaml", dir);
	struct qgtm_cfg cfg;

	unit_write_file(path, "signal:\n  tsmom:\n    lookback_months: 12\n");
	ck_assert_int_eq(qgtm_cfg_load(&cfg, path), 0);
	ck_assert_int_eq(qgtm_backtest_param(&cfg, "tsmom",
	    "lookback_months=6"), 0);
	ck_assert_int_eq(qgtm_cfg_int(&cfg, "signal.tsmom.lookback_months"), 6);
	ck_assert_int_eq(qgtm_backtest_param(&cfg, "tsmom", "target_vol=0.2"),
	    0);
	ck_assert_double_eq(qgtm_cfg_num(&cfg, "signal.tsmom.target_vol"), 0.2);
	ck_assert_int_eq(qgtm_backtest_param(&cfg, "tsmom", "nope=1"), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_USAGE);
	ck_assert_int_eq(qgtm_backtest_param(&cfg, "tsmom",
	    "lookback_months=1.5"), -1);
	ck_assert_int_eq(qgtm_backtest_param(&cfg, "tsmom", "target_vol"), -1);
	qgtm_cfg_release(&cfg);
	free(path);
	free(dir);
}
END_TEST

/* The config of the shared-history test: two symbols, limits that never
 * bind. */
static const char shared_yaml[] =
    "common:\n  universe: [SPY, TLT]\nfetch:\n  sim:\n"
    "    start: \"2000-01-03\"\nrisk:\n  max_gross_exposure: 10\n"
    "  max_net_exposure: 10\n";

/* The frictionless returns of tsmom with lookback_months lb over 2001-2002,
 * each run in a fresh state directory. */
static struct qgtm_backtest
own_run(const char *lb)
{
	struct qgtm_backtest bt;
	struct qgtm_cfg cfg;
	char *dir = unit_state_cfg(&cfg, shared_yaml);

	ck_assert_int_eq(qgtm_backtest_param(&cfg, "tsmom", lb), 0);
	ck_assert_int_eq(qgtm_backtest_run(&cfg, &qgtm_strategy_tsmom, 11323,
	    12052, 1, &bt), 0);
	qgtm_cfg_release(&cfg);
	free(dir);
	return bt;
}

/* One qgtm_backtest_open() serves two frictionless runs of different
 * parameters, each with the returns of its own whole run. */
START_TEST(test_sessions_share_history)
{
	static const char *const lbs[] = { "lookback_months=6",
		"lookback_months=12" };
	struct qgtm_backtest own[2], bt[2];
	struct qgtm_bt_data data;
	struct qgtm_cfg cfg;
	char *dir;
	size_t k, i, differ = 0;

	for (k = 0; k < 2; k++)
		own[k] = own_run(lbs[k]);
	dir = unit_state_cfg(&cfg, shared_yaml);
	ck_assert_int_eq(qgtm_backtest_open(&cfg, 12052, &data), 0);
	ck_assert_uint_eq(data.n, 2);
	for (k = 0; k < 2; k++) {
		ck_assert_int_eq(qgtm_backtest_param(&cfg, "tsmom", lbs[k]), 0);
		ck_assert_int_eq(qgtm_backtest_sessions(&cfg,
		    &qgtm_strategy_tsmom, &data, 11323, 1, &bt[k]), 0);
		ck_assert_uint_eq(bt[k].ndays, own[k].ndays);
		ck_assert_uint_gt(bt[k].ndays, 400);
		for (i = 0; i < bt[k].ndays; i++) {
			ck_assert_str_eq(bt[k].days[i].date, own[k].days[i].date);
			ck_assert_double_eq(bt[k].days[i].ret,
			    own[k].days[i].ret);
		}
	}
	for (i = 0; i < bt[0].ndays; i++)
		differ += bt[0].days[i].ret != bt[1].days[i].ret;
	ck_assert_uint_gt(differ, 0);   /* the parameter reached the run */
	qgtm_backtest_close(&data);
	for (k = 0; k < 2; k++) {
		qgtm_backtest_release(&bt[k]);
		qgtm_backtest_release(&own[k]);
	}
	qgtm_cfg_release(&cfg);
	free(dir);
}
END_TEST

/* A backtest of the returns r (n of them); release with free(bt->days). */
static void
fake_bt(struct qgtm_backtest *bt, const double *r, size_t n)
{
	size_t i;

	memset(bt, 0, sizeof *bt);
	bt->days = calloc(n, sizeof *bt->days);
	bt->ndays = n;
	for (i = 0; i < n; i++)
		bt->days[i].ret = r[i];
}

/* In-sample 0.02, 0 x 3: mean 0.01, sample sd sqrt(0.0006 / 5); the
 * recent window decides the status against half of that Sharpe. */
START_TEST(test_decay_split_and_status)
{
	double steady[] = { .02, 0, .02, 0, .02, 0, .02, 0, .02, 0 };
	double worse[] = { .02, 0, .02, 0, .02, 0, .01, -.01, .01, -.01 };
	double flat[10] = { 0 };
	double is = 0.01 / sqrt(0.0006 / 5) * sqrt(252);
	struct qgtm_backtest bt;
	struct qgtm_decay d;

	fake_bt(&bt, steady, 10);
	ck_assert_int_eq(qgtm_backtest_decay(&bt, 4, &d), 0);
	ck_assert_uint_eq(d.ninsample, 6);
	ck_assert_uint_eq(d.nrecent, 4);
	ck_assert_double_eq_tol(d.insample, is, 1e-12);
	ck_assert_double_eq_tol(d.recent, 0.01 / sqrt(0.0004 / 3) * sqrt(252),
	    1e-12);
	ck_assert_str_eq(d.status, "ok");
	free(bt.days);
	fake_bt(&bt, worse, 10);
	ck_assert_int_eq(qgtm_backtest_decay(&bt, 4, &d), 0);
	ck_assert_double_eq_tol(d.recent, 0, 1e-12);
	ck_assert_double_eq_tol(d.ratio, 0, 1e-12);
	ck_assert_str_eq(d.status, "decayed");
	free(bt.days);
	fake_bt(&bt, flat, 10);
	ck_assert_int_eq(qgtm_backtest_decay(&bt, 4, &d), 0);
	ck_assert(isnan(d.insample) && isnan(d.ratio));
	ck_assert_str_eq(d.status, "no_edge");
	ck_assert_int_eq(qgtm_backtest_decay(&bt, 9, &d), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_USAGE);
	free(bt.days);
}
END_TEST

/* The paper basis: the backtest's sessions before the paper window are
 * the in-sample part, whatever the backtest holds after it. */
START_TEST(test_decay_paper_window)
{
	double r[] = { .02, 0, .02, 0, .02, 0, -.05, -.05 };
	double pnl[] = { 30, -10, 30, -10 };     /* mean 10, sd sqrt(1600/3) */
	struct qgtm_backtest bt;
	struct qgtm_decay d;
	size_t i;

	fake_bt(&bt, r, 8);
	for (i = 0; i < 8; i++)
		snprintf(bt.days[i].date, sizeof bt.days[i].date,
		    "2001-01-%02zu", i + 2);
	ck_assert_int_eq(qgtm_backtest_decay_paper(&bt, pnl, 4, "2001-01-08",
	    "2001-01-11", &d), 0);
	ck_assert_str_eq(d.basis, "paper");
	ck_assert_uint_eq(d.ninsample, 6);      /* 01-02 to 01-07 */
	ck_assert_uint_eq(d.nrecent, 4);
	ck_assert_str_eq(d.recent_from, "2001-01-08");
	ck_assert_str_eq(d.to, "2001-01-11");
	ck_assert_double_eq_tol(d.insample, 0.01 / sqrt(0.0006 / 5) *
	    sqrt(252), 1e-12);
	ck_assert_double_eq_tol(d.recent, 10 / sqrt(1600.0 / 3) * sqrt(252),
	    1e-12);
	ck_assert_str_eq(d.status, "decayed");
	ck_assert_int_eq(qgtm_backtest_decay_paper(&bt, pnl, 4, "2001-01-03",
	    "2001-01-11", &d), -1);                 /* 1 in-sample session */
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_USAGE);
	ck_assert_int_eq(qgtm_backtest_decay(&bt, 2, &d), 0);
	ck_assert_str_eq(d.basis, "backtest");
	ck_assert_str_eq(d.recent_from, "2001-01-08");
	free(bt.days);
}
END_TEST

START_TEST(test_svg_escapes_every_string)
{
	char *dir = unit_tmpdir(), *path = qgtm_xasprintf("%s/c.svg", dir);
	char *text;
	double eq[] = { 100, 110, 99 }, dd[] = { 0, 0, -0.1 };
	FILE *f = fopen(path, "w");

	ck_assert_int_eq(qgtm_svg_equity(f, "a<b & \"c\" 'd'", "<x>", "y&",
	    eq, dd, 3), 0);
	fclose(f);
	text = unit_read_file(path);
	ck_assert_ptr_nonnull(strstr(text,
	    "<title>a&lt;b &amp; &quot;c&quot; &#39;d&#39;</title>"));
	ck_assert_ptr_nonnull(strstr(text, ">&lt;x&gt;</text>"));
	ck_assert_ptr_nonnull(strstr(text, ">y&amp;</text>"));
	ck_assert_ptr_null(strstr(text, "<x>"));
	free(text);
	free(path);
	free(dir);
}
END_TEST

Suite *
suite_backtest(void)
{
	Suite *s = suite_create("backtest");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_walk_forward_anchored_sklearn);
	tcase_add_test(tc, test_walk_forward_rolling_short_last);
	tcase_add_test(tc, test_walk_forward_bad);
	tcase_add_test(tc, test_param_override);
	tcase_add_test(tc, test_sessions_share_history);
	tcase_add_test(tc, test_decay_split_and_status);
	tcase_add_test(tc, test_decay_paper_window);
	tcase_add_test(tc, test_svg_escapes_every_string);
	suite_add_tcase(s, tc);
	return s;
}
