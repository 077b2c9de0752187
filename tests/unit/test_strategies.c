/*
 * test_strategies.c: the strategies besides tsmom and their combination,
 * each pinned on a tiny store planted by hand, with the expected weights
 * worked out by hand in the comments.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

/* A fresh state directory for one test. */
static char *
fresh_state(void)
{
	char *dir = unit_tmpdir();

	setenv("QGTM_STATE_DIR", dir, 1);
	ck_assert_int_eq(qgtm_state_init(NULL), 0);
	return dir;
}

/* Store the bars of symbol in source "t": n dates and closes, each known
 * at 21:00 UTC of its date. */
static void
put_bars(const char *symbol, size_t n, const char *const *dates,
    const char *const *closes)
{
	char *rel = qgtm_xasprintf("data/t/%s.jsonl", symbol);
	char *path = qgtm_state_path(rel, 1), *line;
	struct qgtm_buf b;
	size_t i;

	qgtm_buf_init(&b, 1 << 20);
	for (i = 0; i < n; i++) {
		line = qgtm_xasprintf("{\"type\":\"bar\",\"symbol\":\"%s\","
		    "\"date\":\"%s\",\"open\":\"%s\",\"high\":\"%s\",\"low\":"
		    "\"%s\",\"close\":\"%s\",\"volume\":1,\"available_at\":"
		    "\"%sT21:00:00Z\"}\n", symbol, dates[i], closes[i], closes[i],
		    closes[i], closes[i], dates[i]);
		qgtm_buf_addf(&b, "%s", line);
		free(line);
	}
	unit_write_file(path, b.data);
	qgtm_buf_release(&b);
	free(path);
	free(rel);
}

/* Append one obs "DATE VALUE AVAILABLE_AT" (VALUE "null" for missing) to
 * data/<source>/<series>.jsonl. */
static void
append_obs(const char *source, const char *series, const char *row)
{
	char *rel = qgtm_xasprintf("data/%s/%s.jsonl", source, series);
	char *path = qgtm_state_path(rel, 1), date[11], val[32], avail[32];
	FILE *fp = fopen(path, "a");

	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(sscanf(row, "%10s %31s %31s", date, val, avail), 3);
	fprintf(fp, "{\"type\":\"obs\",\"source\":\"%s\",\"series\":\"%s\","
	    "\"date\":\"%s\",\"value\":%s%s%s,\"available_at\":\"%s\"}\n",
	    source, series, date, strcmp(val, "null") ? "\"" : "", val,
	    strcmp(val, "null") ? "\"" : "", avail);
	ck_assert_int_eq(fclose(fp), 0);
	free(path);
	free(rel);
}

/* Store the n obs rows as data/<source>/<series>.jsonl. */
static void
put_obs(const char *source, const char *series, size_t n,
    const char *const *rows)
{
	size_t i;

	for (i = 0; i < n; i++)
		append_obs(source, series, rows[i]);
}

static time_t
at(const char *s)
{
	time_t t;

	ck_assert_int_eq(qgtm_time_parse(s, &t), 0);
	return t;
}

/* Run st with params as of `when`; returns the targets (new reference). */
static json_t *
run(const struct qgtm_strategy *st, json_t *params, const char *when,
    time_t *data_as_of)
{
	json_t *targets = json_array();

	ck_assert_msg(st->targets(NULL, params, at(when), targets,
	    data_as_of) == 0, "%s", qgtm_errmsg());
	return targets;
}

static const char *
weight(json_t *targets, size_t i)
{
	return json_string_value(json_object_get(json_array_get(targets, i),
	    "weight"));
}

/* The weights of the targets are want[0..n-1], and there are n. */
static void
expect_weights(json_t *targets, size_t n, const char *const *want)
{
	size_t i;

	ck_assert_uint_eq(json_array_size(targets), n);
	for (i = 0; i < n; i++)
		ck_assert_str_eq(weight(targets, i), want[i]);
}

static const char *
why(json_t *targets, size_t i, const char *key)
{
	return json_string_value(json_object_get(json_object_get(
	    json_array_get(targets, i), "reason"), key));
}

static void
done(char *dir)
{
	unsetenv("QGTM_STATE_DIR");
	free(dir);
}

START_TEST(xsmom_ranks_twelve_minus_one_returns)
{
	/* lookback 2, skip 1: the ranking return runs from the January to
	 * the February month-end; March is skipped (A's crash there must not
	 * count). Returns A +10%, B -10%, C +10%, D +30%: ranks B 1, A and C
	 * 2.5 (tied), D 4; mean rank 2.5; deviations 0, -1.5, 0, 1.5, sum of
	 * absolute values 3; gross 1 gives 0, -0.5, 0, 0.5. */
	static const char *const d[3] = { "2025-01-31", "2025-02-28",
	    "2025-03-31" };
	static const char *const a[3] = { "100", "110", "50" };
	static const char *const b[3] = { "100", "90", "90" };
	static const char *const c[3] = { "200", "220", "300" };
	static const char *const e[3] = { "10", "13", "13" };
	char *dir = fresh_state();
	json_t *p = json_pack("{s:i,s:i,s:f,s:[s,s,s,s],s:s}",
	    "lookback_months", 2, "skip_months", 1, "gross", 1.0, "universe",
	    "A", "B", "C", "D", "source", "t"), *t;
	time_t da;

	put_bars("A", 3, d, a);
	put_bars("B", 3, d, b);
	put_bars("C", 3, d, c);
	put_bars("D", 3, d, e);
	t = run(&qgtm_strategy_xsmom, p, "2025-04-01T00:00:00Z", &da);
	expect_weights(t, 4, (const char *const[]){ "0.000000", "-0.500000",
	    "0.000000", "0.500000" });
	ck_assert_str_eq(why(t, 0, "ret"), "0.100000");
	ck_assert_str_eq(why(t, 0, "to"), "2025-02-28");
	ck_assert_int_eq(da, at("2025-02-28T21:00:00Z"));
	json_decref(t);
	/* Before the March close the formation is February: January to
	 * February is then the skipped month and nothing is old enough. */
	t = run(&qgtm_strategy_xsmom, p, "2025-03-31T20:59:59Z", &da);
	ck_assert_str_eq(weight(t, 3), "0.000000");
	ck_assert_ptr_null(why(t, 3, "ret"));
	json_decref(t);
	json_decref(p);
	done(dir);
}
END_TEST

START_TEST(vol_risk_parity_is_inverse_vol)
{
	/* methods.md 6.3: sigma 1:2:4 gives w = 4/7, 2/7, 1/7. Daily returns
	 * alternate +k, -k with k = 1%, 2%, 4% (closes exact to 6 places), so
	 * the sample sds are in the ratio 1:2:4. */
	static const char *const d[5] = { "2025-03-25", "2025-03-26",
	    "2025-03-27", "2025-03-28", "2025-03-31" };
	static const char *const a[5] = { "100", "101", "99.99", "100.9899",
	    "99.980001" };
	static const char *const b[5] = { "100", "102", "99.96", "101.9592",
	    "99.920016" };
	static const char *const c[5] = { "100", "104", "99.84", "103.8336",
	    "99.680256" };
	char *dir = fresh_state();
	json_t *p = json_pack("{s:i,s:f,s:[s,s,s],s:s}", "lookback_days", 4,
	    "gross", 1.0, "universe", "A", "B", "C", "source", "t"), *t;
	time_t da;

	put_bars("A", 5, d, a);
	put_bars("B", 5, d, b);
	put_bars("C", 5, d, c);
	t = run(&qgtm_strategy_vol_risk_parity, p, "2025-04-01T00:00:00Z", &da);
	expect_weights(t, 3, (const char *const[]){ "0.571429", "0.285714",
	    "0.142857" });
	/* sd of (.01, -.01, .01, -.01) is .01 sqrt(4/3), times sqrt(252). */
	ck_assert_double_eq_tol(strtod(why(t, 0, "sigma"), NULL),
	    0.01 * sqrt(4.0 / 3.0) * sqrt(252.0), 1e-6);
	json_decref(t);
	json_decref(p);
	done(dir);
}
END_TEST

START_TEST(band_opens_holds_and_closes)
{
	const double hold[3] = { 0, 2.5, 0.5 }, shut[3] = { 0, 2.5, -0.1 };
	const double low[2] = { -3, -0.5 }, back[2] = { -3, 0.1 };
	const double gap[3] = { 2.5, NAN, 1.0 };

	ck_assert_int_eq(qgtm_strategy_band(hold, 3, 2, 0), 1);
	ck_assert_int_eq(qgtm_strategy_band(shut, 3, 2, 0), 0);
	ck_assert_int_eq(qgtm_strategy_band(low, 2, 2, 0), -1);
	ck_assert_int_eq(qgtm_strategy_band(back, 2, 2, 0), 0);
	ck_assert_int_eq(qgtm_strategy_band(gap, 3, 2, 0), 1);
	ck_assert_int_eq(qgtm_strategy_band(hold, 0, 2, 0), 0);
}
END_TEST

START_TEST(gold_silver_ratio_fades_a_high_z)
{
	/* Ratios 1, 1, 1, 2: x = ln ratio = (0, 0, 0, ln 2); mean ln2/4,
	 * sample sd ln2/2, so the last z = (3 ln2/4) / (ln2/2) = 1.5 >= 1:
	 * state +1, gold short and silver long, gross/2 each. */
	static const char *const d[4] = { "2025-03-25", "2025-03-26",
	    "2025-03-27", "2025-03-28" };
	static const char *const g[4] = { "10", "10", "10", "20" };
	static const char *const s[4] = { "10", "10", "10", "10" };
	char *dir = fresh_state();
	json_t *p = json_pack("{s:[s,s],s:s,s:i,s:f,s:f,s:f}", "universe", "G",
	    "S", "source", "t", "lookback_days", 4, "entry_z", 1.0, "exit_z",
	    0.0, "gross", 1.0), *t;
	time_t da;

	put_bars("G", 4, d, g);
	put_bars("S", 4, d, s);
	t = run(&qgtm_strategy_gold_silver_ratio, p, "2025-03-29T00:00:00Z", &da);
	expect_weights(t, 2, (const char *const[]){ "-0.500000", "0.500000" });
	ck_assert_str_eq(why(t, 0, "z"), "1.500000");
	ck_assert_str_eq(why(t, 0, "ratio"), "2.000000");
	json_decref(t);
	/* With entry at 2 nothing opens. */
	json_object_set_new(p, "entry_z", json_real(2.0));
	t = run(&qgtm_strategy_gold_silver_ratio, p, "2025-03-29T00:00:00Z", &da);
	ck_assert_str_eq(weight(t, 0), "0.000000");
	json_decref(t);
	/* A day earlier only 3 common sessions exist: too short. */
	t = run(&qgtm_strategy_gold_silver_ratio, p, "2025-03-28T00:00:00Z", &da);
	ck_assert_str_eq(weight(t, 1), "0.000000");
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
	    json_array_get(t, 0), "reason"), "insufficient_history")), 3);
	json_decref(t);
	json_decref(p);
	done(dir);
}
END_TEST

/* The real_rate_gold fixture: gold closes 100, 100, 100, 200 on
 * 2025-03-24..27 and DFII10 1, 2, 3, 4 on 2025-03-21..26 (each known the
 * next day), plus a wild 2025-03-27 value published early that the
 * one-day lag must keep out. */
static json_t *
real_rate_fixture(double entry)
{
	static const char *const d[4] = { "2025-03-24", "2025-03-25",
	    "2025-03-26", "2025-03-27" };
	static const char *const c[4] = { "100", "100", "100", "200" };
	static const char *const obs[6] = {
		"2025-03-21 1.0 2025-03-24T12:00:00Z",
		"2025-03-24 2.0 2025-03-25T12:00:00Z",
		"2025-03-25 null 2025-03-26T12:00:00Z",
		"2025-03-25 3.0 2025-03-26T13:00:00Z",
		"2025-03-26 4.0 2025-03-27T12:00:00Z",
		"2025-03-27 100 2025-03-27T20:00:00Z",
	};

	put_bars("G", 4, d, c);
	put_obs("fred", "DFII10", 6, obs);
	return json_pack("{s:[s],s:s,s:s,s:i,s:i,s:f,s:f,s:f}", "universe", "G",
	    "source", "t", "series", "DFII10", "window_days", 4, "lag_days", 1,
	    "entry_z", entry, "exit_z", 0.0, "max_weight", 0.25);
}

START_TEST(real_rate_gold_trades_the_lagged_residual)
{
	/* Pairs (x, ln c): (1, L), (2, L), (3, L), (4, L + ln2) with
	 * a = ln2/4: slope 6a/5 = 1.2a; residuals 0.8a, -0.4a, -1.6a, 1.2a;
	 * sd sqrt(1.6) a; z = 0.632456, -0.316228, -1.264911, 0.948683.
	 * Entry 0.9: z3 opens short gold's cheapness (-1), z4 >= 0.9 flips
	 * to +1 (rich): weight -0.25. Entry 1.0: z4 >= 0 closes the -1: 0. */
	char *dir = fresh_state();
	json_t *p = real_rate_fixture(0.9), *t;
	time_t da;

	t = run(&qgtm_strategy_real_rate_gold, p, "2025-03-27T21:00:00Z", &da);
	ck_assert_str_eq(weight(t, 0), "-0.250000");
	ck_assert_str_eq(why(t, 0, "z"), "0.948683");
	ck_assert_str_eq(why(t, 0, "beta"), "0.207944");
	ck_assert_str_eq(why(t, 0, "real_yield_date"), "2025-03-26");
	ck_assert_int_eq(da, at("2025-03-27T21:00:00Z"));
	json_decref(t);
	json_object_set_new(p, "entry_z", json_real(1.0));
	t = run(&qgtm_strategy_real_rate_gold, p, "2025-03-27T21:00:00Z", &da);
	ck_assert_str_eq(weight(t, 0), "0.000000");
	json_decref(t);
	json_decref(p);
	done(dir);
}
END_TEST

START_TEST(real_rate_gold_without_fred_says_so)
{
	static const char *const d[1] = { "2025-03-24" };
	static const char *const c[1] = { "100" };
	char *dir = fresh_state();
	json_t *p = json_pack("{s:[s],s:s,s:s,s:i,s:i,s:f,s:f,s:f}", "universe",
	    "G", "source", "t", "series", "DFII10", "window_days", 4,
	    "lag_days", 1, "entry_z", 1.5, "exit_z", 0.0, "max_weight", 0.25);
	json_t *t;
	time_t da;

	put_bars("G", 1, d, c);
	t = run(&qgtm_strategy_real_rate_gold, p, "2025-03-27T21:00:00Z", &da);
	ck_assert_str_eq(weight(t, 0), "0.000000");
	ck_assert_str_eq(why(t, 0, "no_data"), "fred/DFII10");
	ck_assert_str_eq(why(t, 0, "hint"), "run qgtm-fetch fred");
	json_decref(t);
	json_decref(p);
	done(dir);
}
END_TEST

START_TEST(cot_positioning_fades_a_crowded_long)
{
	/* Net/OI over the 4 reports known by 2025-03-30: .2, .1, .4, .35;
	 * index 100 (.35 - .1) / (.4 - .1) = 83.333333 >= 80: short. The
	 * 2025-04-01 report (out on 04-04) is not known yet; 02-25 lacks
	 * its short side and does not count. */
	static const char *const lg[6] = {
		"2025-02-25 90 2025-02-28T20:30:00Z",
		"2025-03-04 60 2025-03-07T20:30:00Z",
		"2025-03-11 55 2025-03-14T20:30:00Z",
		"2025-03-18 80 2025-03-21T20:30:00Z",
		"2025-03-25 75 2025-03-28T20:30:00Z",
		"2025-04-01 10 2025-04-04T20:30:00Z",
	};
	static const char *const sh[5] = {
		"2025-03-04 40 2025-03-07T20:30:00Z",
		"2025-03-11 45 2025-03-14T20:30:00Z",
		"2025-03-18 40 2025-03-21T20:30:00Z",
		"2025-03-25 40 2025-03-28T20:30:00Z",
		"2025-04-01 90 2025-04-04T20:30:00Z",
	};
	static const char *const oi[6] = {
		"2025-02-25 100 2025-02-28T20:30:00Z",
		"2025-03-04 100 2025-03-07T20:30:00Z",
		"2025-03-11 100 2025-03-14T20:30:00Z",
		"2025-03-18 100 2025-03-21T20:30:00Z",
		"2025-03-25 100 2025-03-28T20:30:00Z",
		"2025-04-01 100 2025-04-04T20:30:00Z",
	};
	char *dir = fresh_state();
	json_t *p = json_pack("{s:[s,s],s:i,s:f,s:f,s:f}", "contracts",
	    "000001=G", "000002=S", "lookback_weeks", 4, "upper", 80.0,
	    "lower", 20.0, "max_weight", 0.25), *t;
	time_t da;

	put_obs("cftc", "000001-mm-long", 6, lg);
	put_obs("cftc", "000001-mm-short", 5, sh);
	put_obs("cftc", "000001-oi", 6, oi);
	t = run(&qgtm_strategy_cot_positioning, p, "2025-03-30T00:00:00Z", &da);
	ck_assert_str_eq(weight(t, 0), "-0.250000");
	ck_assert_str_eq(why(t, 0, "index"), "83.333333");
	ck_assert_str_eq(why(t, 0, "net"), "0.350000");
	ck_assert_str_eq(why(t, 0, "report"), "2025-03-25");
	ck_assert_int_eq(da, at("2025-03-28T20:30:00Z"));
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(t, 1),
	    "symbol")), "S");
	ck_assert_str_eq(why(t, 1, "no_data"), "cftc/000002-oi");
	json_decref(t);
	/* Once 04-01 is out: nets .1, .4, .35, -.8: index 0: long. */
	t = run(&qgtm_strategy_cot_positioning, p, "2025-04-05T00:00:00Z", &da);
	ck_assert_str_eq(weight(t, 0), "0.250000");
	json_decref(t);
	json_decref(p);
	done(dir);
}
END_TEST

START_TEST(inventory_surprise_against_the_seasonal_change)
{
	/* years 1, scale_weeks 2: the change into 2025-03-28 is 230 - 199 =
	 * 31; the same week a year before (2024-03-29, 364 days back) changed
	 * +10; the two changes before were +1 and -2, sd 3/sqrt2; z = 21 /
	 * (3/sqrt2) = 7 sqrt2 = 9.899495 >= 1: a surprise build, short. */
	static const char *const rows[6] = {
		"2024-03-22 100 2024-03-27T14:30:00Z",
		"2024-03-29 110 2024-04-03T14:30:00Z",
		"2025-03-07 200 2025-03-12T14:30:00Z",
		"2025-03-14 201 2025-03-19T14:30:00Z",
		"2025-03-21 199 2025-03-26T14:30:00Z",
		"2025-03-28 230 2025-04-02T14:30:00Z",
	};
	char *dir = fresh_state();
	json_t *p = json_pack("{s:s,s:s,s:i,s:i,s:f,s:f}", "symbol", "USO",
	    "series", "WCESTUS1", "years", 1, "scale_weeks", 2, "entry_z", 1.0,
	    "max_weight", 0.25), *t;
	time_t da;

	put_obs("eia", "WCESTUS1", 6, rows);
	t = run(&qgtm_strategy_inventory_surprise, p, "2025-04-02T14:30:00Z",
	    &da);
	ck_assert_str_eq(weight(t, 0), "-0.250000");
	ck_assert_str_eq(why(t, 0, "z"), "9.899495");
	ck_assert_str_eq(why(t, 0, "baseline"), "10.000000");
	ck_assert_int_eq(da, at("2025-04-02T14:30:00Z"));
	json_decref(t);
	/* A second earlier the newest report is 03-21, whose week a year
	 * before is missing: no baseline, no position. */
	t = run(&qgtm_strategy_inventory_surprise, p, "2025-04-02T14:29:59Z",
	    &da);
	ck_assert_str_eq(weight(t, 0), "0.000000");
	ck_assert_ptr_nonnull(json_object_get(json_object_get(json_array_get(t,
	    0), "reason"), "insufficient_history"));
	json_decref(t);
	json_decref(p);
	done(dir);
}
END_TEST

/* The weight (in 10^-6) of symbol i of the targets. */
static int64_t
micro(json_t *targets, size_t i)
{
	int64_t v;

	ck_assert_int_eq(qgtm_dec_parse(weight(targets, i), QGTM_WEIGHT_SCALE,
	    &v), 0);
	return v;
}

/* Collect a sim bar under its symbol in the object arg. */
static int
collect_bar(json_t *bar, void *arg)
{
	const char *sym = json_string_value(json_object_get(bar, "symbol"));

	if (json_object_get(arg, sym) == NULL)
		json_object_set_new(arg, sym, json_array());
	return json_array_append(json_object_get(arg, sym), bar);
}

/* Store the sim bars of universe from 2019-10-01 to 2020-12-15 (seed 42). */
static void
store_sim(json_t *universe)
{
	struct qgtm_sim sim = { 42, 10959 };    /* 2000-01-03 */
	json_t *by = json_object(), *bars;
	const char *sym;
	size_t added;

	ck_assert_int_eq(qgtm_sim_run(&sim, universe, 18170, 18611,
	    (time_t)4102444800, collect_bar, by), 0);
	json_object_foreach(by, sym, bars)
		ck_assert_int_eq(qgtm_pit_store("sim", sym, bars, &added), 0);
	json_decref(by);
}

START_TEST(combined_contributions_sum_exactly)
{
	/* Budgets 0.333333 and 0.666667 over the sim market: each
	 * contribution is the budget times the strategy's own weight rounded
	 * half to even, and they add up to the target's weight exactly. */
	char *dir = fresh_state(), *yaml = qgtm_xasprintf("%s/c.yaml", dir);
	static const char *const names[2] = { "tsmom", "vol_risk_parity" };
	static const int64_t budget[2] = { 333333, 666667 };
	json_t *all, *part, *p, *c;
	struct qgtm_cfg cfg;
	time_t da, when = at("2020-12-15T22:00:00Z");
	int64_t sum, want, w;
	size_t i, k;

	unit_write_file(yaml, "common:\n  universe: [GLD, SLV, TLT]\n"
	    "signal:\n  combined:\n    budgets: [tsmom=0.333333, "
	    "vol_risk_parity=0.666667]\n");
	ck_assert_int_eq(qgtm_cfg_load(&cfg, yaml), 0);
	store_sim(qgtm_cfg_list(&cfg, "common.universe"));
	p = qgtm_strategy_combined.params(&cfg);
	all = json_array();
	ck_assert_int_eq(qgtm_strategy_combined.targets(&cfg, p, when, all,
	    &da), 0);
	ck_assert_uint_eq(json_array_size(all), 3);
	for (k = 0; k < 2; k++) {
		part = run(qgtm_strategy_find(names[k]), json_object_get(
		    json_object_get(p, "components"), names[k]),
		    "2020-12-15T22:00:00Z", &da);
		for (i = 0; i < 3; i++) {
			c = json_object_get(json_object_get(json_array_get(all, i),
			    "contributions"), names[k]);
			ck_assert_int_eq(qgtm_dec_parse(json_string_value(c),
			    QGTM_WEIGHT_SCALE, &w), 0);
			ck_assert_int_eq(qgtm_dec_mul(budget[k], 6, micro(part, i),
			    6, 6, &want), 0);
			ck_assert_int_eq(w, want);
		}
		json_decref(part);
	}
	for (i = 0; i < 3; i++) {
		sum = 0;
		for (k = 0; k < 2; k++) {
			ck_assert_int_eq(qgtm_dec_parse(json_string_value(
			    json_object_get(json_object_get(json_array_get(all, i),
			    "contributions"), names[k])), 6, &w), 0);
			sum += w;
		}
		ck_assert_int_eq(sum, micro(all, i));
	}
	json_decref(all);
	json_decref(p);
	qgtm_cfg_release(&cfg);
	free(yaml);
	done(dir);
}
END_TEST

/* Observations for every input of the data strategies up to 2020-12-15,
 * each known after its date: DFII10 daily, WCESTUS1 on Fridays, the COT
 * series of contract 088691 on Tuesdays (known on Fridays). */
static void
plant_history(void)
{
	char row[96], date[11];
	long day, k;

	for (day = 18170, k = 0; day <= 18611; day++, k++) {
		struct qgtm_date d = qgtm_civil_from_days(day);
		int wd = (int)((day + 4) % 7);          /* 0 = Sunday */

		snprintf(date, sizeof date, "%04d-%02d-%02d", d.year, d.month,
		    d.day);
		snprintf(row, sizeof row, "%s %ld.%02ld %sT23:00:00Z", date,
		    1 + k % 3, k * 7 % 100, date);
		append_obs("fred", "DFII10", row);
		if (wd == 5) {
			snprintf(row, sizeof row, "%s %ld %sT23:00:00Z", date,
			    400000 + k * 37 % 1001, date);
			append_obs("eia", "WCESTUS1", row);
		}
		if (wd == 2) {
			snprintf(row, sizeof row, "%s %ld %sT23:00:00Z", date,
			    1000 + k * 13 % 97, date);
			append_obs("cftc", "088691-mm-long", row);
			snprintf(row, sizeof row, "%s %ld %sT23:00:00Z", date,
			    900 + k * 29 % 89, date);
			append_obs("cftc", "088691-mm-short", row);
			snprintf(row, sizeof row, "%s 5000 %sT23:00:00Z", date, date);
			append_obs("cftc", "088691-oi", row);
		}
	}
}

/* Absurd values stored early but known only after 2020-12-15 22:00. */
static void
plant_future(void)
{
	static const char *const sym[3] = { "GLD", "SLV", "USO" };
	char *rel, *path, *line;
	size_t i;
	FILE *fp;

	for (i = 0; i < 3; i++) {
		rel = qgtm_xasprintf("data/sim/%s.jsonl", sym[i]);
		path = qgtm_state_path(rel, 1);
		line = qgtm_xasprintf("{\"type\":\"bar\",\"symbol\":\"%s\","
		    "\"date\":\"2020-12-16\",\"open\":\"1\",\"high\":\"1\","
		    "\"low\":\"1\",\"close\":\"999999\",\"volume\":1,"
		    "\"available_at\":\"2020-12-16T21:00:00Z\"}\n", sym[i]);
		ck_assert_ptr_nonnull(fp = fopen(path, "a"));
		fputs(line, fp);
		ck_assert_int_eq(fclose(fp), 0);
		free(line);
		free(path);
		free(rel);
	}
	append_obs("fred", "DFII10", "2020-12-15 99 2020-12-16T12:00:00Z");
	append_obs("fred", "DFII10", "2020-12-10 -50 2020-12-16T12:00:00Z");
	append_obs("eia", "WCESTUS1", "2020-12-11 1 2020-12-16T15:30:00Z");
	append_obs("cftc", "088691-mm-long", "2020-12-15 1 2020-12-18T20:30:00Z");
	append_obs("cftc", "088691-mm-short", "2020-12-15 4999 2020-12-18T20:30:00Z");
	append_obs("cftc", "088691-oi", "2020-12-15 5000 2020-12-18T20:30:00Z");
}

/* Every strategy's signal targets as of when, in one array. */
static json_t *
every_signal(const struct qgtm_cfg *cfg, const char *when)
{
	char names[512], *name, *save = NULL;
	json_t *all = json_array(), *sig;

	snprintf(names, sizeof names, "%s", qgtm_strategy_names());
	for (name = strtok_r(names, " ", &save); name != NULL;
	    name = strtok_r(NULL, " ", &save)) {
		sig = qgtm_strategy_signal(qgtm_strategy_find(name), cfg, at(when));
		ck_assert_msg(sig != NULL, "%s: %s", name, qgtm_errmsg());
		json_array_append(all, json_object_get(sig, "targets"));
		json_decref(sig);
	}
	return all;
}

START_TEST(no_strategy_sees_the_future)
{
	char *dir = fresh_state(), *yaml = qgtm_xasprintf("%s/c.yaml", dir);
	char *text;
	struct qgtm_cfg cfg;
	json_t *a, *b, *c;
	size_t i;

	unit_write_file(yaml, "common:\n  universe: [GLD, SLV, USO]\n"
	    "signal:\n  real_rate_gold:\n    window_days: 20\n"
	    "  cot_positioning:\n    contracts: [088691=GLD]\n"
	    "    lookback_weeks: 8\n"
	    "  inventory_surprise:\n    years: 1\n    scale_weeks: 8\n"
	    "  gold_silver_ratio:\n    lookback_days: 20\n"
	    "  combined:\n    budgets: [tsmom=0.2, xsmom=0.1, "
	    "vol_risk_parity=0.1, gold_silver_ratio=0.1, real_rate_gold=0.1, "
	    "cot_positioning=0.2, inventory_surprise=0.2]\n");
	ck_assert_int_eq(qgtm_cfg_load(&cfg, yaml), 0);
	store_sim(qgtm_cfg_list(&cfg, "common.universe"));
	plant_history();
	a = every_signal(&cfg, "2020-12-15T22:00:00Z");
	/* Each strategy used data: no weight 0 for want of it. */
	json_array_foreach(a, i, c) {
		text = json_dumps(c, 0);
		ck_assert_msg(strstr(text, "no_data") == NULL, "strategy %zu: %s",
		    i, text);
		free(text);
	}
	plant_future();
	b = every_signal(&cfg, "2020-12-15T22:00:00Z");
	ck_assert(json_equal(a, b));
	json_decref(b);
	/* Once known, the planted values are used by the strategies that
	 * trade daily or weekly (all but the first three, which hold until
	 * the month-end): the test can fail. */
	b = every_signal(&cfg, "2020-12-21T22:00:00Z");
	json_array_foreach(a, i, c)
		ck_assert_msg(i < 3 || !json_equal(c, json_array_get(b, i)),
		    "strategy %zu did not move", i);
	json_decref(a);
	json_decref(b);
	qgtm_cfg_release(&cfg);
	free(yaml);
	done(dir);
}
END_TEST

START_TEST(strategy_cache_drop_then_signal_is_the_same)
{
	char *dir = fresh_state(), *yaml = qgtm_xasprintf("%s/c.yaml", dir);
	static const char *const keys[] = { "strategy", "params",
	    "params_hash", "as_of", "data_as_of", "targets" };
	const struct qgtm_strategy *st = qgtm_strategy_find("tsmom");
	struct qgtm_cfg cfg;
	json_t *a, *b;
	size_t i;

	unit_write_file(yaml, "common:\n  universe: [GLD, SLV]\n");
	ck_assert_int_eq(qgtm_cfg_load(&cfg, yaml), 0);
	store_sim(qgtm_cfg_list(&cfg, "common.universe"));
	a = qgtm_strategy_signal(st, &cfg, at("2020-12-15T22:00:00Z"));
	qgtm_strategy_cache_drop();
	qgtm_strategy_cache_drop();     /* twice is harmless */
	b = qgtm_strategy_signal(st, &cfg, at("2020-12-15T22:00:00Z"));
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	for (i = 0; i < sizeof keys / sizeof *keys; i++)
		ck_assert_msg(json_equal(json_object_get(a, keys[i]),
		    json_object_get(b, keys[i])), "%s differs", keys[i]);
	json_decref(a);
	json_decref(b);
	qgtm_cfg_release(&cfg);
	free(yaml);
	done(dir);
}
END_TEST

START_TEST(combined_risk_budgets_scale_by_ex_ante_vol)
{
	/* The inverse-vol fixture's weights (0.571429, 0.285714, 0.142857)
	 * held over its 4 returns give daily returns of +-s with s = .01 w_A
	 * + .02 w_B + .04 w_C; their annualized sd is s sqrt(4/3) sqrt(252).
	 * Budget 0.5 of a 10% target: scale 0.05 / that sd. */
	static const char *const d[5] = { "2025-03-25", "2025-03-26",
	    "2025-03-27", "2025-03-28", "2025-03-31" };
	static const char *const a[5] = { "100", "101", "99.99", "100.9899",
	    "99.980001" };
	static const char *const b[5] = { "100", "102", "99.96", "101.9592",
	    "99.920016" };
	static const char *const c[5] = { "100", "104", "99.84", "103.8336",
	    "99.680256" };
	const double w[3] = { 0.571429, 0.285714, 0.142857 };
	double sd = (.01 * w[0] + .02 * w[1] + .04 * w[2]) * sqrt(4.0 / 3.0) *
	    sqrt(252.0), scale = round(0.05 / sd * 1e6) / 1e6;
	char *dir = fresh_state();
	json_t *p = json_pack("{s:[s],s:{s:{s:i,s:f,s:[s,s,s],s:s}},s:f,s:i,"
	    "s:s}", "budgets", "vol_risk_parity=0.5", "components",
	    "vol_risk_parity", "lookback_days", 4, "gross", 1.0, "universe", "A",
	    "B", "C", "source", "t", "target_vol", 0.10, "vol_days", 4, "source",
	    "t"), *t;
	time_t da;
	size_t i;

	put_bars("A", 5, d, a);
	put_bars("B", 5, d, b);
	put_bars("C", 5, d, c);
	t = run(&qgtm_strategy_combined, p, "2025-04-01T00:00:00Z", &da);
	for (i = 0; i < 3; i++)
		ck_assert_double_eq_tol(strtod(weight(t, i), NULL), scale * w[i],
		    6e-7);
	ck_assert_double_gt(scale, 0.1);
	json_decref(t);
	/* Too little history for the vol: the budget share is 0. */
	json_object_set_new(p, "vol_days", json_integer(5));
	t = run(&qgtm_strategy_combined, p, "2025-04-01T00:00:00Z", &da);
	ck_assert_str_eq(weight(t, 0), "0.000000");
	json_decref(t);
	json_decref(p);
	done(dir);
}
END_TEST

START_TEST(combined_refuses_a_bad_budget)
{
	json_t *p = json_pack("{s:[s],s:{}}", "budgets", "nope=1",
	    "components"), *t = json_array();
	time_t da;

	ck_assert_int_eq(qgtm_strategy_combined.targets(NULL, p, 0, t, &da), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_CONFIG);
	ck_assert_ptr_nonnull(strstr(qgtm_errmsg(), "bad item 'nope=1'"));
	json_decref(p);
	p = json_pack("{s:[s,s],s:{}}", "budgets", "combined=1", "cot_positioning=1",
	    "components");
	ck_assert_int_eq(qgtm_strategy_combined.targets(NULL, p, 0, t, &da), -1);
	ck_assert_ptr_nonnull(strstr(qgtm_errmsg(), "bad item 'combined=1'"));
	json_decref(p);
	/* Listed twice, the sums would count it twice: refused. */
	p = json_pack("{s:[s,s],s:{s:{s:[],s:i,s:f,s:f,s:f}}}", "budgets",
	    "cot_positioning=0.5", "cot_positioning=0.5", "components",
	    "cot_positioning", "contracts", "lookback_weeks", 4, "upper", 80.0,
	    "lower", 20.0, "max_weight", 0.25);
	ck_assert_int_eq(qgtm_strategy_combined.targets(NULL, p, 0, t, &da), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_CONFIG);
	ck_assert_ptr_nonnull(strstr(qgtm_errmsg(), "listed twice"));
	json_decref(t);
	json_decref(p);
}
END_TEST

Suite *
suite_strategies(void)
{
	Suite *s = suite_create("strategies");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, xsmom_ranks_twelve_minus_one_returns);
	tcase_add_test(tc, vol_risk_parity_is_inverse_vol);
	tcase_add_test(tc, band_opens_holds_and_closes);
	tcase_add_test(tc, gold_silver_ratio_fades_a_high_z);
	tcase_add_test(tc, real_rate_gold_trades_the_lagged_residual);
	tcase_add_test(tc, real_rate_gold_without_fred_says_so);
	tcase_add_test(tc, cot_positioning_fades_a_crowded_long);
	tcase_add_test(tc, inventory_surprise_against_the_seasonal_change);
	tcase_add_test(tc, combined_contributions_sum_exactly);
	tcase_add_test(tc, combined_risk_budgets_scale_by_ex_ante_vol);
	tcase_add_test(tc, combined_refuses_a_bad_budget);
	tcase_add_test(tc, no_strategy_sees_the_future);
	tcase_add_test(tc, strategy_cache_drop_then_signal_is_the_same);
	suite_add_tcase(s, tc);
	return s;
}
