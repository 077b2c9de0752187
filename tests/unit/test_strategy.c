/*
 * test_strategy.c: the sim market, the point-in-time store and tsmom.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"

static json_t *
universe(const char *a, const char *b)
{
	json_t *u = json_array();

	json_array_append_new(u, json_string(a));
	if (b != NULL)
		json_array_append_new(u, json_string(b));
	return u;
}

static long
day(const char *s)
{
	time_t t;

	ck_assert_int_eq(qgtm_time_parse(s, &t), 0);
	return (long)(t / 86400);
}

static int
collect(json_t *bar, void *arg)
{
	json_array_append(arg, bar);
	return 0;
}

/* Bars of universe u from `from` to `to`, as of the far future. */
static json_t *
sim_bars(json_t *u, const char *from, const char *to, uint64_t seed)
{
	struct qgtm_sim sim = { seed, day("2000-01-03") };
	json_t *out = json_array();

	ck_assert_int_eq(qgtm_sim_run(&sim, u, day(from), day(to),
	    (time_t)4102444800, collect, out), 0);
	return out;
}

/* The bar of symbol on date in an array, or NULL. */
static json_t *
find_bar(json_t *bars, const char *symbol, const char *date)
{
	json_t *b;
	size_t i;

	json_array_foreach(bars, i, b)
		if (strcmp(json_string_value(json_object_get(b, "symbol")),
		    symbol) == 0 && strcmp(json_string_value(json_object_get(b,
		    "date")), date) == 0)
			return b;
	return NULL;
}

START_TEST(sim_is_deterministic_and_range_independent)
{
	json_t *u = universe("GLD", "SLV");
	json_t *a = sim_bars(u, "2020-01-01", "2020-12-31", 42);
	json_t *b = sim_bars(u, "2020-01-01", "2020-12-31", 42);
	json_t *c = sim_bars(u, "2020-06-01", "2020-06-30", 42);
	json_t *d = sim_bars(u, "2020-01-01", "2020-12-31", 7);
	json_t *solo = universe("SLV", NULL);
	json_t *e = sim_bars(solo, "2020-06-01", "2020-06-30", 42);

	ck_assert(json_equal(a, b));
	ck_assert(json_equal(find_bar(a, "GLD", "2020-06-15"),
	    find_bar(c, "GLD", "2020-06-15")));
	ck_assert(json_equal(find_bar(c, "SLV", "2020-06-15"),
	    find_bar(e, "SLV", "2020-06-15")));
	ck_assert(!json_equal(find_bar(a, "GLD", "2020-06-15"),
	    find_bar(d, "GLD", "2020-06-15")));
	/* 2020 had 253 NYSE sessions; two symbols each. */
	ck_assert_uint_eq(json_array_size(a), 2 * 253);
	json_decref(a);
	json_decref(b);
	json_decref(c);
	json_decref(d);
	json_decref(e);
	json_decref(solo);
	json_decref(u);
}
END_TEST

START_TEST(sim_sessions_follow_the_nyse_calendar)
{
	json_t *u = universe("GLD", NULL);
	json_t *a = sim_bars(u, "2020-12-23", "2021-01-05", 42);
	json_t *b;

	ck_assert_ptr_null(find_bar(a, "GLD", "2020-12-25"));   /* Christmas */
	ck_assert_ptr_null(find_bar(a, "GLD", "2020-12-26"));   /* Saturday */
	ck_assert_ptr_null(find_bar(a, "GLD", "2021-01-01"));   /* New Year */
	b = find_bar(a, "GLD", "2020-12-28");
	ck_assert_ptr_nonnull(b);
	/* 16:00 New York in winter is 21:00 UTC; Christmas Eve closes at 13:00. */
	ck_assert_str_eq(json_string_value(json_object_get(b, "available_at")),
	    "2020-12-28T21:00:00Z");
	ck_assert_str_eq(json_string_value(json_object_get(find_bar(a, "GLD",
	    "2020-12-24"), "available_at")), "2020-12-24T18:00:00Z");
	json_decref(a);
	json_decref(u);
}
END_TEST

/* Daily log returns of symbol's closes in bars. */
static size_t
log_returns(json_t *bars, const char *symbol, double *r, size_t max)
{
	double prev = 0, c;
	size_t i, n = 0;
	json_t *b;

	json_array_foreach(bars, i, b) {
		if (strcmp(json_string_value(json_object_get(b, "symbol")),
		    symbol) != 0)
			continue;
		c = strtod(json_string_value(json_object_get(b, "close")), NULL);
		if (prev > 0 && n < max)
			r[n++] = log(c / prev);
		prev = c;
	}
	return n;
}

static double
mean(const double *x, size_t n)
{
	double s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += x[i];
	return s / n;
}

START_TEST(sim_has_realistic_volatility_and_correlation)
{
	static double g[4000], s[4000], t[4000];
	json_t *u = json_pack("[s,s,s]", "GLD", "SLV", "TLT");
	json_t *bars = sim_bars(u, "2005-01-01", "2019-12-31", 42);
	size_t n = log_returns(bars, "GLD", g, 4000), i;
	double mg, ms, mt, vg = 0, vs = 0, vt = 0, cgs = 0, cgt = 0;

	ck_assert_uint_eq(log_returns(bars, "SLV", s, 4000), n);
	ck_assert_uint_eq(log_returns(bars, "TLT", t, 4000), n);
	mg = mean(g, n), ms = mean(s, n), mt = mean(t, n);
	for (i = 0; i < n; i++) {
		vg += (g[i] - mg) * (g[i] - mg);
		vs += (s[i] - ms) * (s[i] - ms);
		vt += (t[i] - mt) * (t[i] - mt);
		cgs += (g[i] - mg) * (s[i] - ms);
		cgt += (g[i] - mg) * (t[i] - mt);
	}
	/* Annualized volatility near the model's 15%; correlations near the
	 * matrix's 0.80 (GLD-SLV) and 0.25 (GLD-TLT). */
	ck_assert_double_ge(sqrt(252 * vg / n), 0.11);
	ck_assert_double_le(sqrt(252 * vg / n), 0.21);
	ck_assert_double_ge(cgs / sqrt(vg * vs), 0.72);
	ck_assert_double_le(cgs / sqrt(vg * vs), 0.88);
	ck_assert_double_ge(cgt / sqrt(vg * vt), 0.15);
	ck_assert_double_le(cgt / sqrt(vg * vt), 0.35);
	json_decref(bars);
	json_decref(u);
}
END_TEST

START_TEST(sim_refuses_bad_symbols)
{
	struct qgtm_sim sim = { 42, day("2000-01-03") };
	json_t *u = universe("gld lower", NULL);

	ck_assert_int_eq(qgtm_sim_run(&sim, u, 0, day("2000-02-01"),
	    (time_t)4102444800, collect, u), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_USAGE);
	json_decref(u);
}
END_TEST

/* A fresh state directory with GLD and SLV bars of 2019-2020 stored. */
static char *
store_fixture(void)
{
	char *dir = unit_tmpdir();
	json_t *u = universe("GLD", "SLV"), *bars, *gld, *slv, *b;
	size_t i, n;

	setenv("QGTM_STATE_DIR", dir, 1);
	ck_assert_int_eq(qgtm_state_init(NULL), 0);
	bars = sim_bars(u, "2019-01-01", "2020-12-31", 42);
	gld = json_array();
	slv = json_array();
	json_array_foreach(bars, i, b)
		json_array_append(strcmp(json_string_value(json_object_get(b,
		    "symbol")), "GLD") == 0 ? gld : slv, b);
	ck_assert_int_eq(qgtm_pit_store("sim", "GLD", gld, &n), 0);
	ck_assert_uint_eq(n, json_array_size(gld));
	ck_assert_int_eq(qgtm_pit_store("sim", "SLV", slv, &n), 0);
	/* A rerun adds nothing. */
	ck_assert_int_eq(qgtm_pit_store("sim", "GLD", gld, &n), 0);
	ck_assert_uint_eq(n, 0);
	json_decref(gld);
	json_decref(slv);
	json_decref(bars);
	json_decref(u);
	return dir;
}

START_TEST(pit_join_never_sees_the_future)
{
	char *dir = store_fixture(), last[11];
	struct qgtm_series s;
	time_t t;
	int64_t close;

	/* 2020-06-15 20:00 UTC is 16:00 New York (EDT): that bar is known
	 * exactly then, not a second before. */
	qgtm_time_parse("2020-06-15T19:59:59Z", &t);
	ck_assert_int_eq(qgtm_pit_bars("sim", "GLD", t, &s), 0);
	ck_assert_str_eq(s.bars[s.n - 1].date, "2020-06-12");
	qgtm_series_release(&s);
	qgtm_time_parse("2020-06-15T20:00:00Z", &t);
	ck_assert_int_eq(qgtm_pit_last_close("sim", "GLD", t, &close, last), 0);
	ck_assert_str_eq(last, "2020-06-15");
	qgtm_time_parse("2018-06-15T20:00:00Z", &t);
	ck_assert_int_eq(qgtm_pit_last_close("sim", "GLD", t, &close, last), -1);
	ck_assert_ptr_nonnull(strstr(qgtm_errmsg(), "no price for GLD"));
	ck_assert_int_eq(qgtm_pit_last_date("sim", "GLD", last), 0);
	ck_assert_str_eq(last, "2020-12-31");
	unsetenv("QGTM_STATE_DIR");
	free(dir);
}
END_TEST

/* The bars of a and b are the same, field by field. */
static void
assert_same_bars(const struct qgtm_series *a, const struct qgtm_series *b)
{
	size_t i;

	ck_assert_uint_eq(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		ck_assert_str_eq(a->bars[i].date, b->bars[i].date);
		ck_assert_int_eq(a->bars[i].available_at, b->bars[i].available_at);
		ck_assert_int_eq(a->bars[i].open, b->bars[i].open);
		ck_assert_int_eq(a->bars[i].high, b->bars[i].high);
		ck_assert_int_eq(a->bars[i].low, b->bars[i].low);
		ck_assert_int_eq(a->bars[i].close, b->bars[i].close);
		ck_assert_int_eq(a->bars[i].volume, b->bars[i].volume);
	}
}

START_TEST(pit_create_bars_caches_what_parsing_gives)
{
	char *dir = unit_tmpdir(), *path;
	json_t *u = universe("GLD", "SLV");
	struct qgtm_sim sim = { 42, day("2000-01-03") };
	struct qgtm_series made[2], seeded, parsed;
	struct timespec times[2] = { { 0, UTIME_OMIT }, { 1, 0 } };
	struct qgtm_bar swap;

	setenv("QGTM_STATE_DIR", dir, 1);
	ck_assert_int_eq(qgtm_state_init(NULL), 0);
	ck_assert_int_eq(qgtm_sim_bars(&sim, u, day("2019-01-01"),
	    day("2020-12-31"), (time_t)4102444800, made), 0);
	ck_assert_int_eq(qgtm_pit_create_bars("sim", &made[0]), 0);
	/* A series with records is not created again. */
	ck_assert_int_eq(qgtm_pit_create_bars("sim", &made[0]), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_CANTCREAT);
	/* Bars out of date order write nothing. */
	swap = made[1].bars[1];
	made[1].bars[1] = made[1].bars[0];
	made[1].bars[0] = swap;
	ck_assert_int_eq(qgtm_pit_create_bars("sim", &made[1]), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_DATAERR);
	path = qgtm_xasprintf("%s/data/sim/SLV.jsonl", dir);
	ck_assert_int_eq(access(path, F_OK), -1);
	free(path);
	/* What was cached is what the file parses to: a changed mtime
	 * makes the next read parse it. */
	ck_assert_int_eq(qgtm_pit_bars("sim", "GLD", (time_t)4102444800,
	    &seeded), 0);
	assert_same_bars(&seeded, &made[0]);
	path = qgtm_xasprintf("%s/data/sim/GLD.jsonl", dir);
	ck_assert_int_eq(utimensat(AT_FDCWD, path, times, 0), 0);
	ck_assert_int_eq(qgtm_pit_bars("sim", "GLD", (time_t)4102444800,
	    &parsed), 0);
	ck_assert_ptr_ne(seeded.block, parsed.block);
	assert_same_bars(&seeded, &parsed);
	qgtm_series_release(&seeded);
	qgtm_series_release(&parsed);
	qgtm_series_release(&made[0]);
	qgtm_series_release(&made[1]);
	json_decref(u);
	unsetenv("QGTM_STATE_DIR");
	free(path);
	free(dir);
}
END_TEST

START_TEST(bar_line_is_the_bar_record)
{
	struct qgtm_bar bar = { "2020-06-15", 1592251200, 1000000, 2500000,
	    10000, 1990000, 42 };
	struct qgtm_buf buf;
	json_t *rec, *expect;
	const char *prog = qgtm_progname;

	/* Field order and text as qgtm-fetch has always stored them; the
	 * strings are JSON-escaped. */
	qgtm_progname = "qgtm-\"x\"";
	qgtm_buf_init(&buf, 4096);
	ck_assert_int_eq(qgtm_bar_line(&buf, "sim", "A\\B\n", &bar), 0);
	qgtm_buf_add(&buf, "", 1);
	ck_assert_str_eq(buf.data, "{\"type\":\"bar\",\"v\":1,"
	    "\"ts\":\"2020-06-15T20:00:00Z\",\"src\":\"qgtm-\\\"x\\\"\","
	    "\"source\":\"sim\",\"symbol\":\"A\\\\B\\u000a\","
	    "\"date\":\"2020-06-15\",\"open\":\"1.000000\","
	    "\"high\":\"2.500000\",\"low\":\"0.010000\","
	    "\"close\":\"1.990000\",\"volume\":42,"
	    "\"available_at\":\"2020-06-15T20:00:00Z\"}\n");
	rec = qgtm_bar_record("sim", "A\\B\n", &bar);
	expect = json_pack("{s:s,s:i,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:i,"
	    "s:s}", "type", "bar", "v", 1, "ts", "2020-06-15T20:00:00Z", "src",
	    "qgtm-\"x\"", "source", "sim", "symbol", "A\\B\n", "date",
	    "2020-06-15", "open", "1.000000", "high", "2.500000", "low",
	    "0.010000", "close", "1.990000", "volume", 42, "available_at",
	    "2020-06-15T20:00:00Z");
	ck_assert(json_equal(rec, expect));
	qgtm_progname = prog;
	json_decref(rec);
	json_decref(expect);
	qgtm_buf_release(&buf);
}
END_TEST

static int fills;

/* out[k]: the sum of the closes of bars[0..k], counting its calls. */
static void
fill_close_sum(const struct qgtm_bar *bars, size_t n, double *out,
    const void *arg)
{
	double sum = 0;
	size_t k;

	(void)arg;
	fills++;
	for (k = 0; k < n; k++)
		out[k] = sum += (double)bars[k].close;
}

START_TEST(causal_memo_gives_a_prefix_the_whole_files_values)
{
	char *dir = store_fixture();
	struct qgtm_series mid, all, own;
	double expect = 0;
	size_t k;
	time_t t;
	int before = fills;

	qgtm_time_parse("2019-12-31T23:00:00Z", &t);
	ck_assert_int_eq(qgtm_pit_bars("sim", "GLD", t, &mid), 0);
	ck_assert_int_eq(qgtm_pit_bars("sim", "GLD", (time_t)4102444800,
	    &all), 0);
	ck_assert_uint_lt(mid.n, all.n);
	for (k = 0; k < mid.n; k++)
		expect += (double)mid.bars[k].close;
	ck_assert_double_eq(qgtm_series_causal(&mid, mid.n - 1, "sum",
	    fill_close_sum, NULL), expect);
	ck_assert_double_eq(qgtm_series_causal(&all, mid.n - 1, "sum",
	    fill_close_sum, NULL), expect);
	ck_assert_int_eq(fills - before, 1);            /* one file, one fill */
	/* Another key is another memo; a series of its own is filled anew. */
	qgtm_series_causal(&all, 0, "sum again", fill_close_sum, NULL);
	ck_assert_int_eq(fills - before, 2);
	own = mid;
	own.block = NULL;
	ck_assert_double_eq(qgtm_series_causal(&own, mid.n - 1, "sum",
	    fill_close_sum, NULL), expect);
	ck_assert_int_eq(fills - before, 3);
	qgtm_series_release(&mid);
	qgtm_series_release(&all);
	unsetenv("QGTM_STATE_DIR");
	free(dir);
}
END_TEST

START_TEST(pit_cache_drop_then_read_is_the_same)
{
	char *dir = store_fixture();
	struct qgtm_series before, after;
	double sum;
	int n = fills;

	ck_assert_int_eq(qgtm_pit_bars("sim", "GLD", (time_t)4102444800,
	    &before), 0);
	sum = qgtm_series_causal(&before, before.n - 1, "sum", fill_close_sum,
	    NULL);
	qgtm_pit_cache_drop();
	qgtm_pit_cache_drop();          /* twice is harmless */
	/* A series read before keeps its bars and its memo. */
	ck_assert_double_eq(qgtm_series_causal(&before, before.n - 1, "sum",
	    fill_close_sum, NULL), sum);
	ck_assert_int_eq(fills - n, 1);
	ck_assert_int_eq(qgtm_pit_bars("sim", "GLD", (time_t)4102444800,
	    &after), 0);
	ck_assert_ptr_ne(before.block, after.block);    /* parsed anew */
	assert_same_bars(&before, &after);
	ck_assert_double_eq(qgtm_series_causal(&after, after.n - 1, "sum",
	    fill_close_sum, NULL), sum);
	ck_assert_int_eq(fills - n, 2);
	qgtm_series_release(&before);
	qgtm_series_release(&after);
	unsetenv("QGTM_STATE_DIR");
	free(dir);
}
END_TEST

/*
 * qgtm_pit_private: a cached file is not checked again (a changed mtime,
 * which makes a normal read parse it anew, leaves the same block), but
 * the store's own append is seen; off again, reads check the file.
 */
START_TEST(pit_private_trusts_its_cache_and_its_own_writes)
{
	char *dir = store_fixture(), *path;
	struct timespec times[2] = { { 0, UTIME_OMIT }, { 1, 0 } };
	struct qgtm_series a, b, c, d;
	struct qgtm_bar bar;
	json_t *recs = json_array();
	size_t added;

	qgtm_pit_private(1);
	ck_assert_int_eq(qgtm_pit_bars("sim", "GLD", (time_t)4102444800, &a),
	    0);
	path = qgtm_state_path("data/sim/GLD.jsonl", 0);
	ck_assert_int_eq(utimensat(AT_FDCWD, path, times, 0), 0);
	ck_assert_int_eq(qgtm_pit_bars("sim", "GLD", (time_t)4102444800, &b),
	    0);
	ck_assert_ptr_eq(a.block, b.block);
	bar = a.bars[a.n - 1];
	memcpy(bar.date, "2021-01-04", 11);
	bar.available_at += 5 * 86400;
	json_array_append_new(recs, qgtm_bar_record("sim", "GLD", &bar));
	ck_assert_int_eq(qgtm_pit_store("sim", "GLD", recs, &added), 0);
	ck_assert_uint_eq(added, 1);
	ck_assert_int_eq(qgtm_pit_bars("sim", "GLD", (time_t)4102444800, &c),
	    0);
	ck_assert_uint_eq(c.n, a.n + 1);
	ck_assert_str_eq(c.bars[c.n - 1].date, "2021-01-04");
	qgtm_pit_private(0);
	times[1].tv_sec = 2;
	ck_assert_int_eq(utimensat(AT_FDCWD, path, times, 0), 0);
	ck_assert_int_eq(qgtm_pit_bars("sim", "GLD", (time_t)4102444800, &d),
	    0);
	ck_assert_ptr_ne(c.block, d.block);
	qgtm_series_release(&a);
	qgtm_series_release(&b);
	qgtm_series_release(&c);
	qgtm_series_release(&d);
	json_decref(recs);
	unsetenv("QGTM_STATE_DIR");
	free(path);
	free(dir);
}
END_TEST

START_TEST(pit_reports_a_bad_store_line)
{
	char *dir = unit_tmpdir(), *path;
	struct qgtm_series s;

	setenv("QGTM_STATE_DIR", dir, 1);
	ck_assert_int_eq(qgtm_state_init(NULL), 0);
	path = qgtm_state_path("data/sim/GLD.jsonl", 1);
	unit_write_file(path, "{\"type\":\"bar\",\"symbol\":\"GLD\","
	    "\"date\":\"2020-01-02\","
	    "\"available_at\":\"2020-01-02T21:00:00Z\",\"volume\":1,"
	    "\"open\":\"1\",\"high\":\"1\",\"low\":\"1\",\"close\":\"1\"}\n"
	    "{\"type\":\"bar\",\"date\":\"2020-01-03\",\"close\":3}\n");
	ck_assert_int_eq(qgtm_pit_bars("sim", "GLD", (time_t)4102444800, &s), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_DATAERR);
	ck_assert_ptr_nonnull(strstr(qgtm_errmsg(), "GLD.jsonl:2: "));
	unsetenv("QGTM_STATE_DIR");
	free(path);
	free(dir);
}
END_TEST

START_TEST(tsmom_sigma_matches_eq1_by_hand)
{
	/* MOP (2012) Eq. 1 with weights (1-d)d^i, normalized over the finite
	 * sample, centred on the same weighted mean; d = 60/61. */
	const double r[3] = { 0.01, -0.02, 0.03 };
	double d = 60.0 / 61.0, w0 = 1, w1 = d, w2 = d * d, sw = w0 + w1 + w2;
	double m = (w0 * 0.03 + w1 * -0.02 + w2 * 0.01) / sw;
	double v = (w0 * (0.03 - m) * (0.03 - m) + w1 * (-0.02 - m) * (-0.02 - m)
	    + w2 * (0.01 - m) * (0.01 - m)) / sw;
	const double flat[4] = { 0.01, 0.01, 0.01, 0.01 };

	ck_assert_double_eq_tol(qgtm_tsmom_sigma(r, 3, 60, 261), sqrt(261 * v),
	    1e-15);
	ck_assert_double_eq_tol(qgtm_tsmom_sigma(flat, 4, 60, 261), 0, 1e-15);
	ck_assert(isnan(qgtm_tsmom_sigma(r, 1, 60, 261)));
}
END_TEST

START_TEST(tsmom_sigma_matches_pandas_ewm)
{
	/* The reference library: pandas 1.5.3 (Debian 12's python3-pandas),
	 * sqrt(261 * Series(r).ewm(com=60, adjust=True).var(bias=True)) at
	 * the 2nd, 5th and 10th return. */
	const double r[10] = { 0.012, -0.004, 0.007, -0.021, 0.003, 0.015,
	    -0.009, 0.001, -0.013, 0.008 };

	ck_assert_double_eq_tol(qgtm_tsmom_sigma(r, 2, 60, 261),
	    0.1292395415278318, 1e-16);
	ck_assert_double_eq_tol(qgtm_tsmom_sigma(r, 5, 60, 261),
	    0.18546814501966974, 1e-16);
	ck_assert_double_eq_tol(qgtm_tsmom_sigma(r, 10, 60, 261),
	    0.1764026691306279, 1e-16);
}
END_TEST

START_TEST(tsmom_targets_follow_the_rule)
{
	char *dir = store_fixture();
	json_t *params, *targets = json_array(), *t;
	struct qgtm_series s;
	time_t as_of, data_as_of;
	double w, ret, sigma;
	size_t i;

	params = json_pack("{s:i,s:i,s:i,s:f,s:f,s:[s,s],s:s}",
	    "lookback_months", 12, "vol_com_days", 60, "annualization", 261,
	    "target_vol", 0.40, "max_weight", 5.0, "universe", "GLD", "SLV",
	    "source", "sim");
	/* Mid-December 2020: the formation point is the November close. */
	qgtm_time_parse("2020-12-15T22:00:00Z", &as_of);
	ck_assert_int_eq(qgtm_strategy_tsmom.targets(NULL, params, as_of,
	    targets, &data_as_of), 0);
	ck_assert_uint_eq(json_array_size(targets), 2);
	json_array_foreach(targets, i, t) {
		json_t *reason = json_object_get(t, "reason");
		ck_assert_str_eq(json_string_value(json_object_get(reason,
		    "formation")), "2020-11-30");
		ck_assert_str_eq(json_string_value(json_object_get(reason,
		    "lookback_from")), "2019-11-29");
		ck_assert_int_eq(qgtm_pit_bars("sim", i == 0 ? "GLD" : "SLV",
		    as_of, &s), 0);
		/* Recompute ret_12m from the store independently. */
		size_t f, b;
		for (f = 0; strcmp(s.bars[f].date, "2020-11-30") != 0; f++)
			;
		for (b = 0; strcmp(s.bars[b].date, "2019-11-29") != 0; b++)
			;
		ret = (double)s.bars[f].close / s.bars[b].close - 1;
		sigma = strtod(json_string_value(json_object_get(reason,
		    "sigma")), NULL);
		w = strtod(json_string_value(json_object_get(t, "weight")), NULL);
		/* Uncapped here (max_weight 5): sign(ret) * 40% / sigma / N. */
		ck_assert_double_eq_tol(w, copysign(0.40 / sigma / 2, ret), 1e-5);
		qgtm_series_release(&s);
	}
	ck_assert_int_eq(data_as_of, qgtm_nyse_close(2020, 11, 30));
	json_decref(targets);
	json_decref(params);
	unsetenv("QGTM_STATE_DIR");
	free(dir);
}
END_TEST

Suite *
suite_strategy(void)
{
	Suite *s = suite_create("strategy");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, sim_is_deterministic_and_range_independent);
	tcase_add_test(tc, sim_sessions_follow_the_nyse_calendar);
	tcase_add_test(tc, sim_has_realistic_volatility_and_correlation);
	tcase_add_test(tc, sim_refuses_bad_symbols);
	tcase_add_test(tc, pit_join_never_sees_the_future);
	tcase_add_test(tc, pit_reports_a_bad_store_line);
	tcase_add_test(tc, pit_create_bars_caches_what_parsing_gives);
	tcase_add_test(tc, bar_line_is_the_bar_record);
	tcase_add_test(tc, causal_memo_gives_a_prefix_the_whole_files_values);
	tcase_add_test(tc, pit_cache_drop_then_read_is_the_same);
	tcase_add_test(tc, pit_private_trusts_its_cache_and_its_own_writes);
	tcase_add_test(tc, tsmom_sigma_matches_eq1_by_hand);
	tcase_add_test(tc, tsmom_sigma_matches_pandas_ewm);
	tcase_add_test(tc, tsmom_targets_follow_the_rule);
	suite_add_tcase(s, tc);
	return s;
}
