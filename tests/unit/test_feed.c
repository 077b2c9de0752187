/*
 * test_feed.c: the observation store and its as-of join, and the helpers
 * the feed clients share. The clients themselves are tested against the
 * stand-in providers in tests/cli/0110-qgtm-fetch-feeds.bats.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

static time_t
at(const char *s)
{
	time_t t;

	ck_assert_int_eq(qgtm_time_parse(s, &t), 0);
	return t;
}

/* An obs record as a feed stores it. */
static json_t *
obs(const char *date, const char *value, const char *avail)
{
	return json_pack("{s:s,s:s,s:s,s:o,s:s}", "type", "obs", "series", "X",
	    "date", date, "value", value ? json_string(value) : json_null(),
	    "available_at", avail);
}

static char *
state_dir(void)
{
	char *dir = unit_tmpdir();

	setenv("QGTM_STATE_DIR", dir, 1);
	ck_assert_int_eq(qgtm_state_init(NULL), 0);
	return dir;
}

START_TEST(obs_join_never_sees_a_future_observation)
{
	char *dir = state_dir();
	json_t *recs = json_array();
	struct qgtm_obs_series s;
	size_t n;

	json_array_append_new(recs, obs("2026-03-02", "1.50", "2026-03-04T05:00:00Z"));
	json_array_append_new(recs, obs("2026-03-03", "1.51", "2026-03-05T05:00:00Z"));
	/* planted: dated in the past, known only in 2030 */
	json_array_append_new(recs, obs("2026-03-04", "99", "2030-01-01T00:00:00Z"));
	ck_assert_int_eq(qgtm_pit_store("t", "X", recs, &n), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(qgtm_pit_obs("t", "X", at("2029-12-31T23:59:59Z"), &s), 0);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_str_eq(s.obs[1].date, "2026-03-03");
	ck_assert_int_eq(s.obs[1].value, 1510000);
	qgtm_obs_series_release(&s);
	ck_assert_int_eq(qgtm_pit_obs("t", "X", at("2030-01-01T00:00:00Z"), &s), 0);
	ck_assert_uint_eq(s.n, 3);
	ck_assert_int_eq(s.obs[2].value, 99000000);
	qgtm_obs_series_release(&s);
	/* A second before its vintage nothing of 2026-03-02 is known. */
	ck_assert_int_eq(qgtm_pit_obs("t", "X", at("2026-03-04T04:59:59Z"), &s), 0);
	ck_assert_uint_eq(s.n, 0);
	qgtm_obs_series_release(&s);
	json_decref(recs);
	unsetenv("QGTM_STATE_DIR");
	free(dir);
}
END_TEST

/*
 * qgtm_pit_last_date keeps the index it read for the store that follows:
 * a line another writer appended in between must still be seen.
 */
START_TEST(store_after_last_date_sees_an_append_between)
{
	char *dir = state_dir(), *path, last[11], *line;
	json_t *recs = json_array(), *later;
	size_t n;
	FILE *f;

	json_array_append_new(recs, obs("2026-03-03", "1.51", "2026-03-05T05:00:00Z"));
	ck_assert_int_eq(qgtm_pit_store("t", "X", recs, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(qgtm_pit_last_date("t", "X", last), 0);
	ck_assert_str_eq(last, "2026-03-03");
	/* Another process stores the next day meanwhile. */
	later = obs("2026-03-04", "1.52", "2026-03-06T05:00:00Z");
	line = json_dumps(later, JSON_COMPACT);
	path = qgtm_xasprintf("%s/data/t/X.jsonl", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "a"));
	fprintf(f, "%s\n", line);
	ck_assert_int_eq(fclose(f), 0);
	json_array_append_new(recs, later);
	ck_assert_int_eq(qgtm_pit_store("t", "X", recs, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(qgtm_pit_last_date("t", "X", last), 0);
	ck_assert_str_eq(last, "2026-03-04");
	/* The kept index serves one read: a store after a store adds none. */
	ck_assert_int_eq(qgtm_pit_store("t", "X", recs, &n), 0);
	ck_assert_uint_eq(n, 0);
	free(line);
	free(path);
	json_decref(recs);
	unsetenv("QGTM_STATE_DIR");
	free(dir);
}
END_TEST

START_TEST(obs_revisions_are_vintages_and_reruns_add_nothing)
{
	char *dir = state_dir();
	json_t *recs = json_array();
	struct qgtm_obs_series s;
	size_t n;

	json_array_append_new(recs, obs("2026-03-03", "1.51", "2026-03-05T05:00:00Z"));
	json_array_append_new(recs, obs("2026-03-09", NULL, "2026-03-11T04:00:00Z"));
	ck_assert_int_eq(qgtm_pit_store("t", "X", recs, &n), 0);
	ck_assert_uint_eq(n, 2);
	/* The revision, and the old vintage again as a later fetch sees it. */
	json_array_append_new(recs, obs("2026-03-03", "1.56", "2026-03-11T04:00:00Z"));
	ck_assert_int_eq(qgtm_pit_store("t", "X", recs, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(qgtm_pit_store("t", "X", recs, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(qgtm_pit_obs("t", "X", at("2026-03-10T00:00:00Z"), &s), 0);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_int_eq(s.obs[0].value, 1510000);
	qgtm_obs_series_release(&s);
	ck_assert_int_eq(qgtm_pit_obs("t", "X", at("2026-03-12T00:00:00Z"), &s), 0);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_int_eq(s.obs[0].value, 1560000);
	ck_assert(s.obs[1].missing);
	qgtm_obs_series_release(&s);
	json_decref(recs);
	unsetenv("QGTM_STATE_DIR");
	free(dir);
}
END_TEST

static int
keep(json_t *bar, void *arg)
{
	json_array_append(arg, bar);
	return 0;
}

/* tsmom's targets and data_as_of from source "t" at as_of. */
static json_t *
tsmom_at(time_t as_of, time_t *data_as_of)
{
	json_t *params = json_pack("{s:i,s:i,s:i,s:f,s:f,s:[s],s:s}",
	    "lookback_months", 12, "vol_com_days", 60, "annualization", 261,
	    "target_vol", 0.40, "max_weight", 5.0, "universe", "GLD",
	    "source", "t");
	json_t *targets = json_array();

	ck_assert_int_eq(qgtm_strategy_tsmom.targets(NULL, params, as_of,
	    targets, data_as_of), 0);
	json_decref(params);
	return targets;
}

START_TEST(no_strategy_sees_a_planted_future_bar)
{
	char *dir = state_dir();
	struct qgtm_sim sim = { 42, 0 };
	json_t *u = json_pack("[s]", "GLD"), *bars = json_array(), *a, *b;
	json_t *planted;
	time_t as_of = at("2020-12-15T22:00:00Z"), d1, d2, d3;
	size_t n;

	sim.start_day = (long)(at("2018-01-02") / 86400);
	ck_assert_int_eq(qgtm_sim_run(&sim, u, sim.start_day,
	    (long)(at("2020-11-30") / 86400), as_of, keep, bars), 0);
	ck_assert_int_eq(qgtm_pit_store("t", "GLD", bars, &n), 0);
	a = tsmom_at(as_of, &d1);
	/* The year-end session with an absurd close, stored early as a
	 * backfill might: known only at its close. */
	planted = json_pack("[{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:s}]", "type",
	    "bar", "symbol", "GLD", "date", "2020-12-31", "open", "1", "high", "1", "low", "1",
	    "close", "999999", "volume", 1, "available_at",
	    "2020-12-31T21:00:00Z");
	ck_assert_int_eq(qgtm_pit_store("t", "GLD", planted, &n), 0);
	ck_assert_uint_eq(n, 1);
	b = tsmom_at(as_of, &d2);
	ck_assert(json_equal(a, b));
	ck_assert_int_eq(d1, d2);
	json_decref(b);
	/* Once known it is used: the test can fail. */
	b = tsmom_at(at("2021-01-05T22:00:00Z"), &d3);
	ck_assert_int_eq(d3, at("2020-12-31T21:00:00Z"));
	json_decref(a);
	json_decref(b);
	json_decref(planted);
	json_decref(bars);
	json_decref(u);
	unsetenv("QGTM_STATE_DIR");
	free(dir);
}
END_TEST

/* Write text as the store file data/t/<name>.jsonl under dir. */
static void
put_store(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/data", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/data/t", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/data/t/%s.jsonl", dir, name);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

#define FLAT_BAR(sym, date, close, extra) "{\"type\":\"bar\",\"symbol\":" \
	"\"" sym "\",\"date\":\"" date "\",\"open\":\"1\",\"high\":\"2\"," \
	"\"low\":\"0.5\",\"close\":\"" close "\",\"volume\":7" extra "," \
	"\"available_at\":\"" date "T21:00:00Z\"}\n"

/* The store's own lines are read without jansson (lib/data/pit.c,
 * bars_fast): any other line, and any bar it refuses, is read as before. */
START_TEST(bars_read_alike_whatever_the_line_shape)
{
	char *dir = state_dir();
	struct qgtm_series s;
	time_t as_of = at("2026-03-10T00:00:00Z");

	/* Escapes, blanks and "\r" take the jansson path, same bars. */
	put_store(dir, "GLD", FLAT_BAR("GLD", "2026-03-02", "3.25", "")
	    "{\"type\": \"bar\", \"symbol\":\"G\\u004cD\",\"date\":"
	    "\"2026-03-03\",\"open\":\"1\",\"high\":\"2\",\"low\":\"0.5\","
	    "\"close\":\"4\",\"volume\":8,\"available_at\":"
	    "\"2026-03-03T21:00:00Z\"}\r\n  \n"
	    FLAT_BAR("GLD", "2026-03-04", "5", ""));
	ck_assert_int_eq(qgtm_pit_bars("t", "GLD", as_of, &s), 0);
	ck_assert_uint_eq(s.n, 3);
	ck_assert_int_eq(s.bars[0].close, 3250000);
	ck_assert_int_eq(s.bars[1].close, 4000000);
	ck_assert_int_eq(s.bars[1].volume, 8);
	ck_assert_int_eq(s.bars[2].low, 500000);
	ck_assert_int_eq(s.bars[2].available_at, at("2026-03-04T21:00:00Z"));
	qgtm_series_release(&s);
	/* A flat bar the checks refuse: the error names its line. */
	put_store(dir, "SLV", FLAT_BAR("SLV", "2026-03-02", "3", "")
	    FLAT_BAR("SLV", "2026-03-03", "0", ""));
	ck_assert_int_eq(qgtm_pit_bars("t", "SLV", as_of, &s), -1);
	ck_assert_ptr_nonnull(strstr(qgtm_errmsg(), "SLV.jsonl:2: "));
	/* A repeated key is invalid JSON, flat or not. */
	put_store(dir, "IEF", FLAT_BAR("IEF", "2026-03-02", "3", ",\"volume\":7"));
	ck_assert_int_eq(qgtm_pit_bars("t", "IEF", as_of, &s), -1);
	ck_assert_ptr_nonnull(strstr(qgtm_errmsg(), "IEF.jsonl:1: invalid JSON"));
	unsetenv("QGTM_STATE_DIR");
	free(dir);
}
END_TEST

/* The last bar is read from the end of a file not parsed yet: the same
 * bar as the whole file gives, a late-known bar skipped, and a bad line
 * far before it unseen. */
START_TEST(last_bar_reads_from_the_end)
{
	char *dir = state_dir();
	struct qgtm_bar bar;
	char late[400], text[1200];

	snprintf(late, sizeof late, "%s",
	    FLAT_BAR("SLV", "2026-03-03", "4", ""));
	memcpy(strstr(late, "03T21"), "05T21", 5);  /* known two days late */
	put_store(dir, "GLD", "not JSON\n"
	    FLAT_BAR("GLD", "2026-03-02", "3", ""));
	ck_assert_int_eq(qgtm_pit_last_bar("t", "GLD",
	    at("2026-03-04T00:00:00Z"), &bar), 1);
	ck_assert_int_eq(bar.close, 3000000);
	snprintf(text, sizeof text, "%s%s%s",
	    FLAT_BAR("SLV", "2026-03-02", "3", ""), late,
	    FLAT_BAR("SLV", "2026-03-04", "5", ""));
	put_store(dir, "SLV", text);
	ck_assert_int_eq(qgtm_pit_last_bar("t", "SLV",
	    at("2026-03-04T22:00:00Z"), &bar), 1);
	ck_assert_str_eq(bar.date, "2026-03-04");
	ck_assert_int_eq(qgtm_pit_last_bar("t", "SLV",
	    at("2026-03-04T00:00:00Z"), &bar), 1);
	ck_assert_str_eq(bar.date, "2026-03-02");
	ck_assert_int_eq(qgtm_pit_last_bar("t", "SLV",
	    at("2026-03-02T00:00:00Z"), &bar), 0);
	unsetenv("QGTM_STATE_DIR");
	free(dir);
}
END_TEST

START_TEST(lineage_notes_each_as_of_read)
{
	char *dir = state_dir();
	json_t *recs = json_array(), *sink = json_object(), *e;
	struct qgtm_obs_series s;
	struct qgtm_series b;
	size_t n;

	json_array_append_new(recs, obs("2026-03-02", "1.50", "2026-03-04T05:00:00Z"));
	json_array_append_new(recs, obs("2026-03-03", "1.51", "2026-03-05T05:00:00Z"));
	/* A revision of the older date, known after the newer one. */
	json_array_append_new(recs, obs("2026-03-02", "1.55", "2026-03-06T05:00:00Z"));
	ck_assert_int_eq(qgtm_pit_store("t", "X", recs, &n), 0);
	unit_add_bar("GLD", "2026-03-02", "300");
	unit_add_bar("GLD", "2026-03-03", "301");
	/* Nothing is noted without a sink. */
	ck_assert_int_eq(qgtm_pit_obs("t", "X", at("2026-03-10T00:00:00Z"), &s), 0);
	qgtm_obs_series_release(&s);
	qgtm_pit_lineage(sink);
	ck_assert_int_eq(qgtm_pit_obs("t", "X", at("2026-03-10T00:00:00Z"), &s), 0);
	qgtm_obs_series_release(&s);
	ck_assert_int_eq(qgtm_pit_bars("sim", "GLD", at("2026-03-02T22:00:00Z"),
	    &b), 0);
	qgtm_series_release(&b);
	ck_assert_int_eq(qgtm_pit_bars("sim", "SLV", at("2026-03-02T22:00:00Z"),
	    &b), 0);
	qgtm_series_release(&b);
	qgtm_pit_lineage(NULL);
	ck_assert_int_eq(qgtm_pit_bars("sim", "IEF", at("2026-03-02T22:00:00Z"),
	    &b), 0);
	qgtm_series_release(&b);
	ck_assert_uint_eq(json_object_size(sink), 3);
	/* The newest vintage read is the revision's, not the newest date's. */
	e = json_object_get(sink, "t/X");
	ck_assert_str_eq(json_string_value(json_object_get(e, "as_of")),
	    "2026-03-10T00:00:00Z");
	ck_assert_int_eq(json_integer_value(json_object_get(e, "rows")), 2);
	ck_assert_str_eq(json_string_value(json_object_get(e, "last_date")),
	    "2026-03-03");
	ck_assert_str_eq(json_string_value(json_object_get(e,
	    "last_available_at")), "2026-03-06T05:00:00Z");
	/* Only what was known as of the read. */
	e = json_object_get(sink, "sim/GLD");
	ck_assert_int_eq(json_integer_value(json_object_get(e, "rows")), 1);
	ck_assert_str_eq(json_string_value(json_object_get(e, "last_date")),
	    "2026-03-02");
	ck_assert_str_eq(json_string_value(json_object_get(e,
	    "last_available_at")), "2026-03-02T21:00:00Z");
	e = json_object_get(sink, "sim/SLV");
	ck_assert_int_eq(json_integer_value(json_object_get(e, "rows")), 0);
	ck_assert(json_is_null(json_object_get(e, "last_date")));
	ck_assert(json_is_null(json_object_get(e, "last_available_at")));
	json_decref(sink);
	json_decref(recs);
	unsetenv("QGTM_STATE_DIR");
	free(dir);
}
END_TEST

START_TEST(url_params_are_percent_encoded)
{
	struct qgtm_buf b;

	qgtm_buf_init(&b, 1024);
	qgtm_buf_addf(&b, "http://h/p?");
	qgtm_url_param(&b, "$where", "code in('088691') AND d >= '2026-01-01'");
	qgtm_url_param(&b, "facets[series][]", "WCESTUS1");
	qgtm_url_param(&b, "s", "GLD,SLV~a_b.c-d");
	ck_assert_str_eq(b.data, "http://h/p?%24where=code%20in%28%27088691%27"
	    "%29%20AND%20d%20%3E%3D%20%272026-01-01%27"
	    "&facets%5Bseries%5D%5B%5D=WCESTUS1&s=GLD%2CSLV~a_b.c-d");
	qgtm_buf_release(&b);
}
END_TEST

START_TEST(values_become_exact_decimals)
{
	struct qgtm_feed f;
	char out[32];
	json_t *v;
	size_t i;
	static const struct {
		const char *json, *want;
	} ok[] = {
		{ "[\"1.92\"]", "1.920000" }, { "[\".\"]", "" },
		{ "[null]", "" }, { "[221.37]", "221.370000" },
		{ "[3]", "3.000000" }, { "[\"441207\"]", "441207.000000" },
		{ "[-0.5]", "-0.500000" },
	}, bad[] = {
		{ "[\"abc\"]", NULL }, { "[\"1e5\"]", NULL }, { "[true]", NULL },
		{ "[\"NA\"]", NULL }, { "[\"1.0000001\"]", NULL },
	};

	qgtm_feed_init(&f, &qgtm_feed_eia, NULL, 1);
	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		v = json_loads(ok[i].json, 0, NULL);
		ck_assert_int_eq(qgtm_feed_dec(&f, json_array_get(v, 0), "x",
		    out), 0);
		ck_assert_str_eq(out, ok[i].want);
		json_decref(v);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		v = json_loads(bad[i].json, 0, NULL);
		ck_assert_int_eq(qgtm_feed_dec(&f, json_array_get(v, 0), "x",
		    out), -1);
		ck_assert_int_eq(qgtm_errcode(), QGTM_EX_PROTOCOL);
		ck_assert_str_eq(qgtm_errmsg(), "eia: unexpected response: "
		    "field 'x': expected a number");
		json_decref(v);
	}
	qgtm_feed_release(&f);
}
END_TEST

/* The sim world's COT page as of now: every report it serves was out by
 * then at CFTC's release (none early, none of the shutdown backlog before
 * its catch-up date), and two fetches give the same rows. */
START_TEST(sim_cot_serves_only_released_reports)
{
	char *dir = state_dir();
	struct qgtm_feed_page pg = { 0 };
	struct qgtm_cfg cfg;
	struct qgtm_feed f;
	struct qgtm_date d;
	json_t *a, *b, *row;
	const char *rd;
	size_t i;

	ck_assert_int_eq(qgtm_cfg_load(&cfg, NULL), 0);
	qgtm_feed_init(&f, qgtm_feed_find("cftc"), &cfg, 1);
	ck_assert(qgtm_feed_is_sim(&f));       /* the embedded default */
	f.now = at("2025-12-01T12:00:00Z");
	pg.offset = 0;
	a = qgtm_feed_sim_page(&f, "cot", &pg);
	b = qgtm_feed_sim_page(&f, "cot", &pg);
	ck_assert_ptr_nonnull(a);
	ck_assert(json_equal(a, b));
	ck_assert_uint_gt(json_array_size(a), 100);
	json_array_foreach(a, i, row) {
		rd = json_string_value(json_object_get(row,
		    "report_date_as_yyyy_mm_dd"));
		d = qgtm_civil_from_days(qgtm_days_from_civil(
		    (int)strtol(rd, NULL, 10), (int)strtol(rd + 5, NULL, 10),
		    (int)strtol(rd + 8, NULL, 10)));
		ck_assert_int_le(qgtm_cot_release(d.year, d.month, d.day),
		    f.now);
	}
	/* By 2025-12-01 the catch-up had published up to the report of
	 * 2025-10-14 (out 11-25); that of 10-21 came on 12-02. */
	rd = json_string_value(json_object_get(json_array_get(a,
	    json_array_size(a) - 1), "report_date_as_yyyy_mm_dd"));
	ck_assert_int_eq(strncmp(rd, "2025-10-14", 10), 0);
	json_decref(a);
	json_decref(b);
	qgtm_feed_release(&f);
	qgtm_cfg_release(&cfg);
	free(dir);
}
END_TEST

/* A feed record of feeds.jsonl, as a fetch appends it. */
static void
feed_line(FILE *f, const char *feed, const char *ts, const char *status,
    const char *extra)
{
	fprintf(f, "{\"type\":\"feed\",\"v\":1,\"ts\":\"%s\",\"feed\":\"%s\","
	    "\"status\":\"%s\"%s}\n", ts, feed, status, extra);
}

/* The field key of the health record of feed i, a string. */
static const char *
health_str(json_t *h, size_t i, const char *key)
{
	return json_string_value(json_object_get(json_array_get(h, i), key));
}

/*
 * qgtm_feed_health reads feeds.jsonl from its end: each feed's newest
 * record and newest good one, across reads of 64 KiB, blank lines and a
 * last line without its newline; nothing older than the oldest of those
 * is read (a bad line there is not seen); a bad line it reads is the
 * error of a whole read, with its line number.
 */
START_TEST(health_reads_back_to_each_newest_good_fetch)
{
	char *dir = state_dir(), *path = qgtm_state_path("feeds.jsonl", 1);
	json_t *names = json_pack("[s,s]", "fred", "alpaca"), *h;
	time_t now = at("2026-10-30T21:45:00Z");
	FILE *f;
	int i;

	h = qgtm_feed_health(names, now);   /* no file: no good fetch */
	ck_assert_ptr_nonnull(h);
	ck_assert_str_eq(health_str(h, 1, "reason"), "no good fetch");
	json_decref(h);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fprintf(f, "not JSON, never read\n");
	feed_line(f, "alpaca", "2026-10-01T21:10:00Z", "ok",
	    ",\"last_obs\":\"2026-09-30\"");
	for (i = 0; i < 400; i++)   /* over 64 KiB between */
		feed_line(f, "fred", "2026-10-29T21:10:00Z", "ok",
		    ",\"last_obs\":\"2026-10-28\",\"pad\":\"................"
		    "................................................\"");
	feed_line(f, "fred", "2026-10-30T21:10:00Z", "ok",
	    ",\"last_obs\":\"2026-10-29\"");
	feed_line(f, "alpaca", "2026-10-30T21:10:00Z", "error",
	    ",\"reason\":\"boom\",\"sim\":true");
	fprintf(f, " \t\r\n");
	fprintf(f, "{\"type\":\"feed\",\"feed\":\"fred\",\"status\":\"error\"}");
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_ptr_nonnull(h = qgtm_feed_health(names, now));
	ck_assert_str_eq(health_str(h, 0, "last_ok"), "2026-10-30T21:10:00Z");
	ck_assert_str_eq(health_str(h, 0, "last_obs"), "2026-10-29");
	ck_assert(json_is_false(json_object_get(json_array_get(h, 0), "sim")));
	ck_assert_str_eq(health_str(h, 1, "last_ok"), "2026-10-01T21:10:00Z");
	ck_assert_str_eq(health_str(h, 1, "last_obs"), "2026-09-30");
	ck_assert_str_eq(health_str(h, 1, "reason"), "last good fetch "
	    "2026-10-01T21:10:00Z is over 24 h old; last error: boom");
	ck_assert(json_is_true(json_object_get(json_array_get(h, 1), "sim")));
	json_decref(h);
	ck_assert_ptr_nonnull(f = fopen(path, "a"));
	fprintf(f, "\n{\"type\":\"feed\",\"feed\":\"fred\",\"status\":\"ok\"\n");
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_ptr_null(qgtm_feed_health(names, now));
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_DATAERR);
	ck_assert_ptr_nonnull(strstr(qgtm_errmsg(), "feeds.jsonl:407: invalid "
	    "JSON: "));
	json_decref(names);
	unsetenv("QGTM_STATE_DIR");
	free(path);
	free(dir);
}
END_TEST

Suite *
suite_feed(void)
{
	Suite *s = suite_create("feed");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, obs_join_never_sees_a_future_observation);
	tcase_add_test(tc, obs_revisions_are_vintages_and_reruns_add_nothing);
	tcase_add_test(tc, store_after_last_date_sees_an_append_between);
	tcase_add_test(tc, no_strategy_sees_a_planted_future_bar);
	tcase_add_test(tc, lineage_notes_each_as_of_read);
	tcase_add_test(tc, bars_read_alike_whatever_the_line_shape);
	tcase_add_test(tc, last_bar_reads_from_the_end);
	tcase_add_test(tc, url_params_are_percent_encoded);
	tcase_add_test(tc, values_become_exact_decimals);
	tcase_add_test(tc, sim_cot_serves_only_released_reports);
	tcase_add_test(tc, health_reads_back_to_each_newest_good_fetch);
	suite_add_tcase(s, tc);
	return s;
}
