/*
 * test_digest.c: the week's figures (qgtm_report_week) of a small state
 * worked by hand: two strategies, one symbol, six closes. The daily PnL
 * sums to the weekly PnL, which the contributions sum to exactly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "report/report_int.h"

static struct qgtm_cfg cfg;
static char *dir;
static time_t now;

/* Closes of GLD, each available at 21:00 UTC of its date. */
static const struct {
	const char *date, *close;
} closes[] = {
	{ "2026-11-13", "100.000000" }, { "2026-11-16", "101.000000" },
	{ "2026-11-17", "99.000000" }, { "2026-11-18", "103.000000" },
	{ "2026-11-19", "104.000000" }, { "2026-11-20", "102.000000" },
};

/* A journal line: an order of strategy and its fill. */
static void
journal_line(FILE *f, const char *strategy, const char *ts, const char *side,
    const char *qty, const char *price, const char *notional)
{
	fprintf(f, "{\"order\":{\"type\":\"order\",\"ts\":\"%s\",\"client_order_id\""
	    ":\"qgtm-%s\",\"strategy\":\"%s\",\"symbol\":\"GLD\",\"side\":\"%s\","
	    "\"qty\":\"%s\",\"status\":\"filled\"},\"fill\":{\"type\":\"fill\","
	    "\"ts\":\"%s\",\"symbol\":\"GLD\",\"side\":\"%s\",\"qty\":\"%s\","
	    "\"price\":\"%s\",\"commission\":\"1.00\",\"notional\":\"%s\"}}\n",
	    ts, strategy, strategy, side, qty, ts, side, qty, price, notional);
}

static void
setup(void)
{
	char path[4096];
	size_t i;
	FILE *f;

	dir = unit_tmpdir();
	setenv("QGTM_STATE_DIR", dir, 1);
	unsetenv("QGTM_CONFIG");
	ck_assert_int_eq(qgtm_state_init(NULL), 0);
	ck_assert_int_eq(qgtm_cfg_load(&cfg, NULL), 0);
	ck_assert_int_eq(qgtm_time_parse("2026-11-22T23:00:00Z", &now), 0);
	snprintf(path, sizeof path, "%s/data/sim", dir);
	ck_assert_int_eq(qgtm_mkdirs(path, 0700), 0);
	snprintf(path, sizeof path, "%s/data/sim/GLD.jsonl", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	for (i = 0; i < sizeof closes / sizeof closes[0]; i++)
		fprintf(f, "{\"type\":\"bar\",\"source\":\"sim\",\"symbol\":\"GLD\","
		    "\"date\":\"%s\",\"open\":\"%s\",\"high\":\"%s\",\"low\":"
		    "\"%s\",\"close\":\"%s\",\"volume\":1,\"available_at\":"
		    "\"%sT21:00:00Z\"}\n", closes[i].date, closes[i].close,
		    closes[i].close, closes[i].close, closes[i].close,
		    closes[i].date);
	fclose(f);
	snprintf(path, sizeof path, "%s/oms", dir);
	ck_assert_int_eq(qgtm_mkdirs(path, 0700), 0);
	snprintf(path, sizeof path, "%s/oms/orders.jsonl", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	journal_line(f, "tsmom", "2026-11-17T21:30:00Z", "buy", "10",
	    "100.000000", "1000.00");
	journal_line(f, "xsmom", "2026-11-18T21:30:00Z", "sell", "5",
	    "103.000000", "515.00");
	fclose(f);
}

static void
teardown(void)
{
	qgtm_cfg_release(&cfg);
	unsetenv("QGTM_STATE_DIR");
	free(dir);
}

/* The integer key of obj. */
static long long
iv(json_t *obj, const char *key)
{
	return (long long)json_integer_value(json_object_get(obj, key));
}

/* Equity 100,023.00: cash 99,513.00 and 5 GLD at 102; PnL +23.00. */
START_TEST(test_week_by_hand)
{
	json_t *w = qgtm_report_week(&cfg, 2026, 11, 18, now);
	static const long long days[] = { 0, -1100, 3900, 500, -1000, 0, 0 };
	json_t *s;
	size_t i;

	ck_assert_ptr_nonnull(w);
	ck_assert_str_eq(json_string_value(json_object_get(w, "week")),
	    "2026-11-16");
	ck_assert_str_eq(json_string_value(json_object_get(w, "equity_text")),
	    "$100,023.00");
	ck_assert_int_eq(iv(w, "pnl_cents"), 2300);
	ck_assert_int_eq(json_array_size(json_object_get(w, "days")), 7);
	for (i = 0; i < 7; i++)
		ck_assert_int_eq(iv(json_array_get(json_object_get(w, "days"),
		    i), "pnl_cents"), days[i]);
	ck_assert_int_eq(iv(w, "days_pnl_cents"), iv(w, "pnl_cents"));
	s = json_object_get(w, "strategies");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(s,
	    0), "strategy")), "tsmom");
	ck_assert_int_eq(iv(json_array_get(s, 0), "pnl_cents"), 1900);
	ck_assert_int_eq(iv(json_array_get(s, 0), "hits"), 1);
	ck_assert_int_eq(iv(json_array_get(s, 1), "pnl_cents"), 400);
	ck_assert_int_eq(iv(json_array_get(s, 1), "trades"), 1);
	ck_assert_ptr_null(json_object_get(w, "carried_cents"));
	ck_assert_int_eq(iv(w, "rounding_cents"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(w,
	    "max_drawdown_day")), "Tue");
	ck_assert_int_eq(iv(json_object_get(w, "positions"), "short"), 0);
	ck_assert_int_eq(iv(json_object_get(w, "positions"), "long"), 1);
	json_decref(w);
}
END_TEST

/*
 * A combined book of three strategies, worked by hand: the combined
 * signal of Monday 21:30 gives GLD 0.30, of which tsmom 0.20, xsmom -0.05
 * and vol_risk_parity 0.15; its order buys 10 GLD at 101 (commission 1).
 * The week's PnL, +9.00 (-1.00 Monday's commission, then 10 x (99 - 101),
 * x (103 - 99), x (104 - 103), x (102 - 104)), goes 20:-5:15 of 30:
 * tsmom +6.00, xsmom -1.50, vol_risk_parity +4.50, each piece split in
 * millionths of a cent, the sums exact with no remainder line.
 */
START_TEST(test_week_combined)
{
	char path[4096];
	json_t *w, *s;
	FILE *f;

	qgtm_cfg_release(&cfg);
	snprintf(path, sizeof path, "%s/c.yaml", dir);
	unit_write_file(path, "signal:\n  strategies: [combined]\n");
	ck_assert_int_eq(qgtm_cfg_load(&cfg, path), 0);
	snprintf(path, sizeof path, "%s/audit", dir);
	ck_assert_int_eq(qgtm_mkdirs(path, 0700), 0);
	snprintf(path, sizeof path, "%s/audit/chain.jsonl", dir);
	unit_write_file(path, "{\"ts\":\"2026-11-16T21:30:00Z\",\"rec\":{"
	    "\"type\":\"signal\",\"trace_id\":\"t1\",\"strategy\":"
	    "\"combined\",\"as_of\":\"2026-11-16T21:30:00Z\",\"targets\":"
	    "[{\"symbol\":\"GLD\",\"weight\":\"0.300000\",\"contributions\""
	    ":{\"tsmom\":\"0.200000\",\"xsmom\":\"-0.050000\","
	    "\"vol_risk_parity\":\"0.150000\"}}]}}\n");
	snprintf(path, sizeof path, "%s/oms/orders.jsonl", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fprintf(f, "{\"order\":{\"type\":\"order\",\"ts\":"
	    "\"2026-11-16T21:30:00Z\",\"client_order_id\":\"qgtm-c\","
	    "\"trace_id\":\"t1\",\"strategy\":\"combined\",\"symbol\":"
	    "\"GLD\",\"side\":\"buy\",\"qty\":\"10\",\"status\":"
	    "\"filled\"},\"fill\":{\"type\":\"fill\",\"ts\":"
	    "\"2026-11-16T21:30:00Z\",\"trace_id\":\"t1\",\"symbol\":"
	    "\"GLD\",\"side\":\"buy\",\"qty\":\"10\",\"price\":"
	    "\"101.000000\",\"commission\":\"1.00\",\"notional\":"
	    "\"1010.00\"}}\n");
	fclose(f);
	qgtm_book_cache_drop();
	ck_assert_ptr_nonnull(w = qgtm_report_week(&cfg, 2026, 11, 18, now));
	ck_assert_int_eq(iv(w, "pnl_cents"), 900);
	s = json_object_get(w, "strategies");
	ck_assert_int_eq(json_array_size(s), 3);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(s,
	    0), "strategy")), "tsmom");
	ck_assert_int_eq(iv(json_array_get(s, 0), "pnl_cents"), 600);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(s,
	    1), "strategy")), "vol_risk_parity");
	ck_assert_int_eq(iv(json_array_get(s, 1), "pnl_cents"), 450);
	ck_assert_int_eq(iv(json_array_get(s, 2), "pnl_cents"), -150);
	ck_assert_int_eq(iv(json_array_get(s, 2), "trades"), 1);
	ck_assert_int_eq(iv(json_array_get(s, 2), "hits"), 1);
	ck_assert_int_eq(iv(w, "rounding_cents"), 0);
	ck_assert_int_eq(iv(w, "fills"), 1);
	ck_assert_ptr_null(json_object_get(w, "carried_cents"));
	ck_assert_str_eq(json_string_value(json_object_get(w, "best")),
	    "tsmom");
	ck_assert_str_eq(json_string_value(json_object_get(w, "worst")),
	    "xsmom");
	json_decref(w);
}
END_TEST

/* Largest remainder: -100 cents by 20:-5:15 of 30 in millionths of a
 * cent is -66,666,667, +16,666,667 (the largest remainder) and
 * -50,000,000; 10 by 1:1:1 is 4, 3, 3 (a tie to the first). */
START_TEST(test_attrib_split)
{
	__int128 u[3] = { -100 * (__int128)1000000 * 200000,
	    -100 * (__int128)1000000 * -50000, -100 * (__int128)1000000 *
	    150000 }, out[3];
	__int128 v[3] = { 10, 10, 10 };

	ck_assert_int_eq(qgtm_attrib_split(u, 3, 300000, out), 0);
	ck_assert(out[0] == -66666667 && out[1] == 16666667 &&
	    out[2] == -50000000);
	ck_assert_int_eq(qgtm_attrib_split(v, 3, 3, out), 0);
	ck_assert(out[0] == 4 && out[1] == 3 && out[2] == 3);
	ck_assert_int_eq(qgtm_attrib_split(v, 3, 7, out), -1);
	ck_assert_int_eq(qgtm_attrib_split(v, 0, 3, out), -1);
}
END_TEST

/* The week before: nothing traded, nothing held, no PnL. */
START_TEST(test_week_quiet)
{
	json_t *w = qgtm_report_week(&cfg, 2026, 11, 13, now), *s;

	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(iv(w, "pnl_cents"), 0);
	s = json_array_get(json_object_get(w, "strategies"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(s, "strategy")),
	    "tsmom");
	ck_assert_int_eq(iv(s, "trades"), 0);
	json_decref(w);
}
END_TEST

/* The rendered digest: "0 trades, N/A hit rate" and the sections. */
START_TEST(test_render)
{
	json_t *m = qgtm_digest_model(&cfg, 2026, 11, 13, now);
	struct qgtm_buf b;

	ck_assert_ptr_nonnull(m);
	qgtm_buf_init(&b, 1 << 20);
	ck_assert_int_eq(qgtm_digest_render(&b, m, 0), 0);
	ck_assert_int_eq(qgtm_buf_add(&b, "", 1), 0);
	ck_assert_ptr_nonnull(strstr(b.data, "Week of Nov 9-15, 2026"));
	ck_assert_ptr_nonnull(strstr(b.data, "(0 trades, N/A hit rate)"));
	ck_assert_ptr_nonnull(strstr(b.data, "RISK EVENTS: None"));
	ck_assert_ptr_nonnull(strstr(b.data, "DATA QUALITY:"));
	ck_assert_ptr_nonnull(strstr(b.data, "SYSTEM HEALTH:"));
	qgtm_buf_release(&b);
	json_decref(m);
}
END_TEST

/* The rounding line shows only when the largest remainder moved a cent. */
START_TEST(test_render_rounding)
{
	json_t *m = json_pack("{s:{s:s, s:[{s:s, s:i, s:i, s:i}], "
	    "s:i, s:s}}", "week", "week", "2026-11-16", "strategies",
	    "strategy", "tsmom", "pnl_cents", 1, "trades", 0, "hits", 0,
	    "rounding_cents", 1, "best", "tsmom");
	struct qgtm_buf b;

	qgtm_buf_init(&b, 1 << 20);
	ck_assert_int_eq(qgtm_digest_render(&b, m, 0), 0);
	ck_assert_int_eq(qgtm_buf_add(&b, "", 1), 0);
	ck_assert_ptr_nonnull(strstr(b.data, "\n     (rounding: +$0.01, in "
	    "the rows above)\nOnly one strategy traded or held: tsmom "
	    "(+$0.01)\n"));
	json_object_set_new(json_object_get(m, "week"), "rounding_cents",
	    json_integer(0));
	b.len = 0;
	ck_assert_int_eq(qgtm_digest_render(&b, m, 0), 0);
	ck_assert_int_eq(qgtm_buf_add(&b, "", 1), 0);
	ck_assert_ptr_null(strstr(b.data, "rounding"));
	qgtm_buf_release(&b);
	json_decref(m);
}
END_TEST

/* Cuts by character: the ill-formed sequences are RFC 3629 section 10's
 * examples and the Unicode Standard's Table 3-7 boundaries (overlong
 * E0 80 80, surrogate ED A0 80, past U+10FFFF F4 90 80 80). */
START_TEST(test_utf8_cuts)
{
	static const char *const bad[] = { "\xff", "\xc3", "\xc0\xaf",
	    "\xe0\x80\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80",
	    "\xf8\x88\x80\x80\x80", "a\xe2\x82", NULL };
	char buf[6], *c;
	size_t i;

	ck_assert_uint_eq(qgtm_utf8_prefix("a\xc3\xa9\xf0\x9f\x98\x80" "b", 2),
	    3);
	ck_assert_uint_eq(qgtm_utf8_prefix("a\xc3\xa9\xf0\x9f\x98\x80" "b", 3),
	    7);
	ck_assert_uint_eq(qgtm_utf8_prefix("\xffx", 1), 1);
	ck_assert_uint_eq(qgtm_utf8_prefix("ab", 0), 0);
	ck_assert_uint_eq(qgtm_utf8_copy(buf, sizeof buf, "ab\xf0\x9f\x98\x80"),
	    2);
	ck_assert_str_eq(buf, "ab");
	ck_assert_uint_eq(qgtm_utf8_copy(buf, sizeof buf, "\xc3\xa9\xc3\xa9z"),
	    5);
	ck_assert_int_eq(qgtm_utf8_valid("\xef\xbf\xbd \xf4\x8f\xbf\xbf"), 1);
	for (i = 0; bad[i] != NULL; i++) {
		ck_assert_int_eq(qgtm_utf8_valid(bad[i]), 0);
		c = qgtm_utf8_cut(bad[i], 10);
		ck_assert_int_eq(qgtm_utf8_valid(c), 1);
		free(c);
	}
	c = qgtm_utf8_cut("\xe2\x82\xac\xe2\x82", 5);
	ck_assert_str_eq(c, "\xe2\x82\xac??");
	free(c);
}
END_TEST

/* A Discord body disables mentions; text that is not UTF-8 is an error. */
START_TEST(test_discord_body)
{
	char *b = qgtm_discord_body("@everyone");

	ck_assert_str_eq(b, "{\"content\":\"@everyone\",\"allowed_mentions\":"
	    "{\"parse\":[]}}");
	free(b);
	ck_assert_ptr_null(qgtm_discord_body("\xc3"));
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_DATAERR);
}
END_TEST

/* Each webhook URL is posted to as API v10 (retry_after in seconds) with
 * wait=true (Discord confirms the saved message). */
START_TEST(test_discord_url)
{
	static const char *const cases[][2] = {
		{ "https://discord.com/api/webhooks/1/t-k",
		  "https://discord.com/api/v10/webhooks/1/t-k?wait=true" },
		{ "https://discord.com/api/v6/webhooks/1/tk",
		  "https://discord.com/api/v10/webhooks/1/tk?wait=true" },
		{ "https://d/api/v10/webhooks/1/tk?thread_id=7",
		  "https://d/api/v10/webhooks/1/tk?thread_id=7&wait=true" },
		{ "http://127.0.0.1:9/nowhere",
		  "http://127.0.0.1:9/nowhere?wait=true" },
		{ "https://x/api/vx/webhooks/1/t",
		  "https://x/api/vx/webhooks/1/t?wait=true" },
	};
	size_t i;
	char *u;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		u = qgtm_discord_url(cases[i][0]);
		ck_assert_str_eq(u, cases[i][1]);
		free(u);
	}
}
END_TEST

Suite *
suite_digest(void)
{
	Suite *s = suite_create("digest");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_week_by_hand);
	tcase_add_test(tc, test_week_quiet);
	tcase_add_test(tc, test_week_combined);
	tcase_add_test(tc, test_attrib_split);
	tcase_add_test(tc, test_render);
	tcase_add_test(tc, test_render_rounding);
	tcase_add_test(tc, test_utf8_cuts);
	tcase_add_test(tc, test_discord_body);
	tcase_add_test(tc, test_discord_url);
	suite_add_tcase(s, tc);
	return s;
}
