/*
 * test_report.c: the report module: money text, the status and readiness
 * models of an empty state, and the pages drawn from hostile models.
 */
#include <sys/stat.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"

#define NELEM(a) ((int)(sizeof (a) / sizeof (a)[0]))

static struct qgtm_cfg cfg;
static char *dir;
static time_t now;

static void
setup(void)
{
	dir = unit_tmpdir();
	setenv("QGTM_STATE_DIR", dir, 1);
	ck_assert_int_eq(qgtm_state_init(NULL), 0);
	ck_assert_int_eq(qgtm_cfg_load(&cfg, "/nonexistent-is-skipped"), -1);
	unsetenv("QGTM_CONFIG");
	ck_assert_int_eq(qgtm_cfg_load(&cfg, NULL), 0);
	ck_assert_int_eq(qgtm_time_parse("2026-01-05T21:00:00Z", &now), 0);
}

static void
teardown(void)
{
	qgtm_cfg_release(&cfg);
	unsetenv("QGTM_STATE_DIR");
	free(dir);
}

static const struct {
	int64_t cents;
	int sign;
	const char *want;
} monies[] = {
	{ 0, 0, "$0.00" },
	{ 0, 1, "+$0.00" },
	{ 5, 1, "+$0.05" },
	{ -5, 1, "-$0.05" },
	{ 123456, 1, "+$1,234.56" },
	{ -123456, 1, "-$1,234.56" },
	{ -123456, 0, "-$1,234.56" },
	{ 99999999, 0, "$999,999.99" },
	{ 100000000, 0, "$1,000,000.00" },
	{ INT64_MIN, 1, "-$92,233,720,368,547,758.08" },
};

START_TEST(test_money)
{
	char out[32];

	ck_assert_str_eq(qgtm_report_money(monies[_i].cents, monies[_i].sign,
	    out), monies[_i].want);
}
END_TEST

/* An empty state: the initial cash, no positions, no heartbeat. */
START_TEST(test_status_empty)
{
	json_t *st = qgtm_report_status(&cfg, now);

	ck_assert_str_eq(json_string_value(json_object_get(st, "type")),
	    "status");
	ck_assert(json_is_true(json_object_get(st, "broker_reachable")));
	ck_assert_str_eq(json_string_value(json_object_get(st, "equity_text")),
	    "$100,000.00");
	ck_assert_str_eq(json_string_value(json_object_get(st, "gain_text")),
	    "+$0.00");
	ck_assert_int_eq(json_integer_value(json_object_get(st, "positions")),
	    0);
	ck_assert_str_eq(json_string_value(json_object_get(st, "tier")),
	    "NORMAL");
	ck_assert(json_is_null(json_object_get(st, "heartbeat")));
	ck_assert_str_eq(json_string_value(json_object_get(st,
	    "heartbeat_colour")), "red");
	json_decref(st);
}
END_TEST

/* A heartbeat 70 s old is yellow, 10 s green, 130 s red. */
START_TEST(test_status_heartbeat)
{
	static const struct { int age; const char *colour; } ages[] = {
		{ 10, "green" }, { 70, "yellow" }, { 130, "red" },
	};
	struct qgtm_ks ks;
	json_t *rec, *st;
	int i;

	ck_assert_int_eq(qgtm_ks_open(&ks, &cfg), 0);
	ck_assert_int_eq(qgtm_clock_pin("2026-01-05T21:00:00Z"), 0);
	rec = qgtm_heartbeat_beat(&ks, "test");
	ck_assert_ptr_nonnull(rec);
	json_decref(rec);
	qgtm_ks_close(&ks);
	for (i = 0; i < NELEM(ages); i++) {
		st = qgtm_report_status(&cfg, now + ages[i].age);
		ck_assert_int_eq(json_integer_value(json_object_get(st,
		    "heartbeat_age_s")), ages[i].age);
		ck_assert_str_eq(json_string_value(json_object_get(st,
		    "heartbeat_colour")), ages[i].colour);
		json_decref(st);
	}
}
END_TEST

/* The status of st's key as a string (borrowed). */
static const char *
st_str(json_t *st, const char *key)
{
	const char *v = json_string_value(json_object_get(st, key));

	ck_assert_msg(v != NULL, "no string %s", key);
	return v;
}

/* The verdict and the plain words: All OK with a fresh beat; the stale
 * beat in minutes; a WARN with its reason; times in New York. */
START_TEST(test_status_verdict)
{
	struct qgtm_ks_change c = { QGTM_TIER_WARN, "daily loss at 80%",
	    "alice", NULL, NULL, 0, -1, NULL, NULL, NULL };
	struct qgtm_ks ks;
	json_t *rec, *st;

	st = qgtm_report_status(&cfg, now);
	ck_assert_str_eq(st_str(st, "verdict"),
	    "Needs attention: System has never checked in");
	ck_assert_str_eq(st_str(st, "heartbeat_text"),
	    "System has never checked in");
	json_decref(st);
	ck_assert_int_eq(qgtm_ks_open(&ks, &cfg), 0);
	ck_assert_int_eq(qgtm_clock_pin("2026-01-05T21:00:00Z"), 0);
	rec = qgtm_heartbeat_beat(&ks, "test");
	json_decref(rec);
	st = qgtm_report_status(&cfg, now + 12);
	ck_assert_str_eq(st_str(st, "verdict"), "All OK");
	ck_assert(json_is_true(json_object_get(st, "verdict_ok")));
	ck_assert_str_eq(st_str(st, "heartbeat_text"),
	    "System checked in 12 s ago");
	ck_assert_str_eq(st_str(st, "tier_meaning"), "All normal");
	ck_assert_str_eq(st_str(st, "as_of_text"), "16:00:12 ET");
	json_decref(st);
	st = qgtm_report_status(&cfg, now + 200);
	ck_assert_str_eq(st_str(st, "verdict"),
	    "Needs attention: System last checked in 3 min ago");
	ck_assert(json_is_false(json_object_get(st, "verdict_ok")));
	json_decref(st);
	ck_assert_int_eq(qgtm_ks_change(&ks, &c, &rec), 1);
	json_decref(rec);
	qgtm_ks_close(&ks);
	st = qgtm_report_status(&cfg, now + 12);
	ck_assert_str_eq(st_str(st, "verdict"),
	    "Needs attention: Safety switch at WARN: daily loss at 80%");
	ck_assert_str_eq(st_str(st, "tier_meaning"), "Warning");
	ck_assert_str_eq(st_str(st, "tier_reason"), "daily loss at 80%");
	json_decref(st);
}
END_TEST

/* A journal that cannot be read: the broker cannot be read. */
START_TEST(test_status_unreadable)
{
	char *path = qgtm_xasprintf("%s/oms", dir);
	json_t *st;

	ck_assert_int_eq(qgtm_mkdirs(path, 0700), 0);
	free(path);
	path = qgtm_xasprintf("%s/oms/orders.jsonl", dir);
	unit_write_file(path, "not json\n");
	free(path);
	st = qgtm_report_status(&cfg, now);
	ck_assert_str_eq(st_str(st, "verdict"), "Needs attention: Broker "
	    "cannot be read; System has never checked in");
	json_decref(st);
}
END_TEST

/* After a flatten: flat with nothing held; else what is left, by name. */
START_TEST(test_flat)
{
	char *path = qgtm_xasprintf("%s/oms", dir);
	json_t *fl;

	fl = qgtm_report_flat(&cfg, now);
	ck_assert_ptr_nonnull(fl);
	ck_assert(json_is_true(json_object_get(fl, "ok")));
	ck_assert_str_eq(st_str(fl, "message"),
	    "Flat: 0 positions, 0 open orders");
	json_decref(fl);
	ck_assert_int_eq(qgtm_mkdirs(path, 0700), 0);
	free(path);
	path = qgtm_xasprintf("%s/oms/orders.jsonl", dir);
	unit_write_file(path, "{\"order\":{\"type\":\"order\",\"ts\":"
	    "\"2026-01-05T20:00:00Z\",\"client_order_id\":\"qgtm-a\","
	    "\"strategy\":\"tsmom\",\"symbol\":\"GLD\",\"side\":\"buy\","
	    "\"qty\":\"10.5\",\"status\":\"filled\"},\"fill\":{\"type\":"
	    "\"fill\",\"ts\":\"2026-01-05T20:00:00Z\",\"symbol\":\"GLD\","
	    "\"side\":\"buy\",\"qty\":\"10.5\",\"price\":\"100.000000\","
	    "\"commission\":\"1.00\",\"notional\":\"1050.00\"}}\n");
	free(path);
	fl = qgtm_report_flat(&cfg, now);
	ck_assert_ptr_nonnull(fl);
	ck_assert(json_is_false(json_object_get(fl, "ok")));
	ck_assert_int_eq(json_integer_value(json_object_get(fl, "positions")),
	    1);
	ck_assert_str_eq(st_str(fl, "message"),
	    "Not flat: 1 position left (GLD 10.5), 0 open orders");
	json_decref(fl);
}
END_TEST

/* The phone page: numbers shown at once when fresh, else hidden until
 * the browser finds them fresh; the verdict on top, in <main>, no empty
 * <dt>. */
START_TEST(test_phone_fresh)
{
	json_t *st = qgtm_report_status(&cfg, now);
	struct qgtm_buf b;

	qgtm_buf_init(&b, 64 * 1024);
	ck_assert_int_eq(qgtm_page_status(&b, st, 1), 0);
	ck_assert_ptr_nonnull(strstr(b.data, "<body class=\"\"><main><h1>"));
	ck_assert_ptr_nonnull(strstr(b.data, "<span id=\"v\" data-ok=\"0\" "
	    "class=\"red\">Needs attention: System has never checked in<"));
	ck_assert_ptr_nonnull(strstr(b.data, "<dt>Account value</dt>"));
	ck_assert_ptr_nonnull(strstr(b.data, ">All normal</span> <span "
	    "class=\"c\">(<span id=\"t\" class=\"tNORMAL\">NORMAL</span>)"));
	ck_assert_ptr_null(strstr(b.data, "<dt></dt>"));
	qgtm_buf_reset(&b);
	ck_assert_int_eq(qgtm_page_status(&b, st, 0), 0);
	ck_assert_ptr_nonnull(strstr(b.data, "<body class=\"wait\">"));
	qgtm_buf_release(&b);
	json_decref(st);
}
END_TEST

/* Today's gain: the sim broker's daily_pl; with a broker that gives none
 * (alpaca without keys), the book's, from the day's first equity that
 * evaluate kept. */
START_TEST(test_status_gain_day_start)
{
	struct qgtm_cfg alp;
	struct qgtm_eval ev;
	char *path;
	struct qgtm_ks ks;
	json_t *st;

	memset(&ev, 0, sizeof ev);
	memcpy(ev.day, "2026-01-05", 11);
	ev.day_start = 10012345;
	ev.peak = ev.day_start;
	ck_assert_int_eq(qgtm_ks_open(&ks, &cfg), 0);
	ck_assert_int_eq(qgtm_eval_store(&ks, &ev), 0);
	qgtm_ks_close(&ks);
	st = qgtm_report_status(&cfg, now);
	ck_assert_str_eq(json_string_value(json_object_get(st, "gain")),
	    "0.00");
	ck_assert_str_eq(json_string_value(json_object_get(st,
	    "gain_source")), "broker");
	json_decref(st);
	unsetenv("APCA_API_KEY_ID");
	unsetenv("APCA_API_SECRET_KEY");
	path = qgtm_xasprintf("%s/alpaca.yaml", dir);
	unit_write_file(path, "order:\n  broker: alpaca\n");
	ck_assert_int_eq(qgtm_cfg_load(&alp, path), 0);
	free(path);
	st = qgtm_report_status(&alp, now);
	ck_assert_str_eq(json_string_value(json_object_get(st, "gain")),
	    "-123.45");
	ck_assert_str_eq(json_string_value(json_object_get(st, "gain_text")),
	    "-$123.45");
	ck_assert_str_eq(json_string_value(json_object_get(st, "gain_source")),
	    "book");
	ck_assert_str_eq(json_string_value(json_object_get(st, "gain_basis")),
	    "day_start");
	json_decref(st);
	qgtm_cfg_release(&alp);
}
END_TEST

/* The row of id in a readiness record (borrowed). */
static json_t *
row_of(json_t *rd, const char *id)
{
	json_t *row;
	size_t i;

	json_array_foreach(json_object_get(rd, "rows"), i, row)
		if (strcmp(json_string_value(json_object_get(row, "id")),
		    id) == 0)
			return row;
	ck_abort_msg("no row '%s'", id);
	return NULL;
}

/* The value of the top-level figure label of row, or "". */
static const char *
figure_of(json_t *row, const char *label)
{
	json_t *f;
	size_t i;

	json_array_foreach(json_object_get(row, "figures"), i, f)
		if (strcmp(json_string_value(json_object_get(f, "label")),
		    label) == 0)
			return json_string_value(json_object_get(f, "value"));
	return "";
}

/* The value of figure label in the group of figures named group of row
 * (borrowed), or "" when there is none. */
static const char *
figure(json_t *row, const char *group, const char *label)
{
	json_t *g;
	size_t i;

	json_array_foreach(json_object_get(row, "figures"), i, g)
		if (strcmp(json_string_value(json_object_get(g, "label")),
		    group) == 0)
			return figure_of(g, label);
	return "";
}

/* The drawdown row against risk.max_drawdown (3%, WARN from 1.5%). */
START_TEST(test_readiness_drawdown)
{
	static const struct {
		long long peak;
		const char *res, *why, *peak_text, *dd_text;
	} dds[] = {
		{ 10012345, "PASS", "0.12% below the peak; limit 3.00%",
		    "$100,123.45", "0.12%" },
		{ 10200000, "WARN", "1.96% below the peak; limit 3.00%",
		    "$102,000.00", "1.96%" },
		{ 10400000, "FAIL", "3.85% below the peak; limit 3.00%",
		    "$104,000.00", "3.85%" },
	};
	struct qgtm_eval ev;
	struct qgtm_ks ks;
	json_t *rd, *row;
	int i;

	ck_assert_int_eq(qgtm_ks_open(&ks, &cfg), 0);
	for (i = 0; i < NELEM(dds); i++) {
		memset(&ev, 0, sizeof ev);
		memcpy(ev.day, "2026-01-05", 11);
		ev.peak = dds[i].peak;
		ck_assert_int_eq(qgtm_eval_store(&ks, &ev), 0);
		rd = qgtm_report_readiness(&cfg, now);
		row = row_of(rd, "drawdown");
		ck_assert_str_eq(json_string_value(json_object_get(row,
		    "result")), dds[i].res);
		ck_assert_str_eq(json_string_value(json_object_get(row,
		    "reason")), dds[i].why);
		/* Its figures in words: money as money, fractions as %. */
		ck_assert_str_eq(figure_of(row, "Peak equity"),
		    dds[i].peak_text);
		ck_assert_str_eq(figure_of(row, "Drawdown"), dds[i].dd_text);
		ck_assert_str_eq(figure_of(row, "Limit"), "3.00%");
		json_decref(rd);
	}
	qgtm_ks_close(&ks);
}
END_TEST

/* An empty state: rows without data say so; the worst row wins. */
START_TEST(test_readiness_empty)
{
	json_t *rd = qgtm_report_readiness(&cfg, now);
	double disk;

	ck_assert_str_eq(json_string_value(json_object_get(rd, "result")),
	    "FAIL");
	ck_assert_str_eq(json_string_value(json_object_get(row_of(rd,
	    "data_age"), "reason")), "no data fetched yet");
	ck_assert_str_eq(json_string_value(json_object_get(row_of(rd,
	    "heartbeat"), "reason")), "no heartbeat recorded yet");
	ck_assert_str_eq(json_string_value(json_object_get(row_of(rd,
	    "audit"), "reason")), "no audit entries yet");
	ck_assert_str_eq(json_string_value(json_object_get(row_of(rd,
	    "feeds"), "result")), "FAIL");
	ck_assert_str_eq(json_string_value(json_object_get(row_of(rd,
	    "killswitch"), "result")), "PASS");
	ck_assert_str_eq(json_string_value(json_object_get(row_of(rd,
	    "drawdown"), "reason")), "no peak equity recorded yet");
	disk = json_real_value(json_object_get(json_object_get(row_of(rd,
	    "host"), "details"), "disk_free_pct"));
	ck_assert(disk > 0 && disk <= 100);
	json_decref(rd);
}
END_TEST

/* An escalation this week makes the kill switch row WARN, then FAIL from
 * THROTTLE up. */
START_TEST(test_readiness_escalation)
{
	struct qgtm_ks_change c = { QGTM_TIER_WARN, "drill", "alice", NULL,
	    NULL, 0, -1, NULL, NULL, NULL };
	struct qgtm_ks ks;
	json_t *rec, *rd, *row;

	ck_assert_int_eq(qgtm_clock_pin("2026-01-05T20:00:00Z"), 0);
	ck_assert_int_eq(qgtm_ks_open(&ks, &cfg), 0);
	ck_assert_int_eq(qgtm_ks_change(&ks, &c, &rec), 1);
	json_decref(rec);
	rd = qgtm_report_readiness(&cfg, now);
	row = row_of(rd, "killswitch");
	ck_assert_str_eq(json_string_value(json_object_get(row, "result")),
	    "WARN");
	ck_assert_str_eq(json_string_value(json_object_get(row, "reason")),
	    "WARN now; 1 escalation this week");
	json_decref(rd);
	c.to = QGTM_TIER_THROTTLE;
	ck_assert_int_eq(qgtm_ks_change(&ks, &c, &rec), 1);
	json_decref(rec);
	qgtm_ks_close(&ks);
	rd = qgtm_report_readiness(&cfg, now);
	ck_assert_str_eq(json_string_value(json_object_get(row_of(rd,
	    "killswitch"), "result")), "FAIL");
	json_decref(rd);
}
END_TEST

static const char hostile[] = "<script>alert(1)</script>\"'&x";

/* Every model string is escaped in both pages. */
START_TEST(test_pages_hostile)
{
	struct qgtm_buf b;
	json_t *st = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s}",
	    "equity_text", hostile, "gain_text", hostile, "gain", hostile,
	    "tier", hostile, "tier_text", hostile, "as_of", hostile,
	    "broker_reachable", 1, "heartbeat_colour", hostile);
	json_t *rd = json_pack("{s:s, s:s, s:[{s:s, s:s, s:s, s:{s:s}}]}",
	    "result", hostile, "as_of", hostile, "rows", "title", hostile,
	    "result", hostile, "reason", hostile, "details", hostile, hostile);

	qgtm_buf_init(&b, 1 << 20);
	ck_assert_int_eq(qgtm_page_status(&b, st, 0), 0);
	ck_assert_int_eq(qgtm_page_readiness(&b, rd), 0);
	ck_assert_ptr_null(strstr(b.data, "<script>alert"));
	ck_assert_ptr_null(strstr(b.data, "\"'&x"));
	ck_assert_ptr_nonnull(strstr(b.data,
	    "&lt;script&gt;alert(1)&lt;/script&gt;\"'&amp;x"));
	ck_assert_ptr_nonnull(strstr(b.data,
	    "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;x"));
	qgtm_buf_release(&b);
	json_decref(st);
	json_decref(rd);
}
END_TEST

/* The phone page with its CSS and JS stays under 14 KB. */
START_TEST(test_phone_size)
{
	struct qgtm_buf b;
	json_t *st = qgtm_report_status(&cfg, now);

	qgtm_buf_init(&b, 14 * 1024);
	ck_assert_int_eq(qgtm_page_status(&b, st, 0), 0);
	ck_assert_uint_lt(b.len, 14 * 1024);
	qgtm_buf_release(&b);
	json_decref(st);
}
END_TEST

/* publish replaces a page whole, mode 0644, leaving no temporary file;
 * an unwritable directory is an error that leaves nothing. */
START_TEST(test_publish)
{
	char *path = qgtm_xasprintf("%s/p.html", dir), *text;
	char *bad = qgtm_xasprintf("%s/none", dir);
	struct stat st;

	ck_assert_int_eq(qgtm_page_publish(dir, "p.html", "old", 3), 0);
	ck_assert_int_eq(qgtm_page_publish(dir, "p.html", "new!", 4), 0);
	ck_assert_int_eq(qgtm_page_sync(dir), 0);
	text = unit_read_file(path);
	ck_assert_str_eq(text, "new!");
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0644);
	free(text);
	free(path);
	path = qgtm_xasprintf("%s/p.html.tmp.%ld", dir, (long)getpid());
	ck_assert_int_eq(stat(path, &st), -1);
	ck_assert_int_eq(qgtm_page_publish(bad, "p.html", "x", 1), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_CANTCREAT);
	ck_assert_int_eq(qgtm_page_sync(bad), -1);
	free(path);
	free(bad);
}
END_TEST

/* The decay row: the newest record of each strategy; WARN names each
 * decayed one with its figures; the details hold every strategy's. */
START_TEST(test_readiness_decay)
{
	char *path = qgtm_state_path(QGTM_REPORT_DECAY, 1);
	json_t *rd, *row;

	unit_write_file(path,
	    "{\"type\":\"decay\",\"v\":1,\"ts\":\"2026-01-01T00:00:00Z\","
	    "\"src\":\"t\",\"strategy\":\"tsmom\",\"insample_sharpe\":0.6,"
	    "\"recent_sharpe\":0.5,\"ratio\":0.83,\"status\":\"ok\"}\n"
	    "{\"type\":\"decay\",\"v\":1,\"ts\":\"2026-01-02T00:00:00Z\","
	    "\"src\":\"t\",\"strategy\":\"tsmom\",\"insample_sharpe\":0.6,"
	    "\"recent_sharpe\":0.21,\"ratio\":0.35,\"status\":\"decayed\"}\n"
	    "{\"type\":\"decay\",\"v\":1,\"ts\":\"2026-01-02T00:00:00Z\","
	    "\"src\":\"t\",\"strategy\":\"xsmom\",\"insample_sharpe\":0.4,"
	    "\"recent_sharpe\":null,\"ratio\":null,\"status\":\"no_edge\"}\n");
	rd = qgtm_report_readiness(&cfg, now);
	row = row_of(rd, "decay");
	ck_assert_str_eq(json_string_value(json_object_get(row, "result")),
	    "WARN");
	ck_assert_str_eq(json_string_value(json_object_get(row, "reason")),
	    "tsmom: 6-month Sharpe 0.21, 35% of in-sample 0.60");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(
	    json_object_get(row, "details"), "xsmom"), "status")), "no_edge");
	ck_assert(json_is_null(json_object_get(json_object_get(
	    json_object_get(row, "details"), "xsmom"), "ratio")));
	/* The same figures in words: a group per strategy. */
	ck_assert_str_eq(figure(row, "Xsmom", "Status"), "no edge");
	ck_assert_str_eq(figure(row, "Xsmom", "Of in-sample"), "\u2014");
	ck_assert_str_eq(figure(row, "Tsmom", "Of in-sample"), "35.00%");
	ck_assert_str_eq(figure(row, "Tsmom", "In-sample Sharpe"), "0.60");
	ck_assert_str_eq(figure(row, "Tsmom", "Time"),
	    "Thu 1 Jan 19:00 ET");
	json_decref(rd);
	free(path);
}
END_TEST

/* A broker's fill on a journal line of its own (as Alpaca's activities
 * are taken) counts for the strategy it carries: bought 10 GLD at 100,
 * marked at 110, is +$100.00 for tsmom and nothing for xsmom. */
START_TEST(test_strategy_broker_fill)
{
	char *path = qgtm_state_path(QGTM_OMS_JOURNAL, 1);
	json_t *tsmom, *xsmom;

	unit_add_bar("GLD", "2026-01-05", "110.00");
	unit_write_file(path,
	    "{\"fill\":{\"type\":\"fill\",\"v\":1,"
	    "\"ts\":\"2026-01-05T20:00:00Z\",\"src\":\"t\",\"broker\":"
	    "\"alpaca\",\"symbol\":\"GLD\",\"side\":\"buy\",\"qty\":\"10\","
	    "\"price\":\"100.00\",\"commission\":\"0.00\",\"notional\":"
	    "\"1000.00\",\"activity_id\":\"a1\",\"broker_order_id\":\"b1\","
	    "\"transaction_time\":\"2026-01-05T20:00:00Z\",\"client_order_id\":"
	    "\"qgtm-1\",\"strategy\":\"tsmom\"}}\n");
	tsmom = qgtm_report_strategy(&cfg, "tsmom", now);
	xsmom = qgtm_report_strategy(&cfg, "xsmom", now);
	ck_assert_msg(tsmom != NULL, "%s", qgtm_errmsg());
	ck_assert_ptr_nonnull(xsmom);
	ck_assert_int_eq(json_integer_value(
			     json_object_get(tsmom, "pnl_cents")),
	    10000);
	ck_assert_int_eq(json_integer_value(
			     json_object_get(xsmom, "pnl_cents")),
	    0);
	json_decref(tsmom);
	json_decref(xsmom);
	free(path);
}
END_TEST

/* A ustar member: the header's fields, its checksum, the padding, and
 * the end of the archive, as tar(1) reads them (POSIX.1-2017 pax). */
START_TEST(test_tar)
{
	struct qgtm_buf b;
	char name[101];
	unsigned long sum = 0, field;
	size_t i;

	qgtm_buf_init(&b, 1 << 20);
	ck_assert_int_eq(qgtm_tar_add(&b, "pkg/README", "hello\n", 6,
			     1767225600),
	    0);
	ck_assert_int_eq(qgtm_tar_end(&b), 0);
	ck_assert_uint_eq(b.len, 512 + 512 + 1024);
	ck_assert_str_eq(b.data, "pkg/README");
	ck_assert_str_eq(b.data + 124, "00000000006");
	ck_assert_str_eq(b.data + 136, "15125334400");
	ck_assert_int_eq(b.data[156], '0');
	ck_assert_str_eq(b.data + 257, "ustar");
	ck_assert_int_eq(memcmp(b.data + 263, "00", 2), 0);
	for (i = 0; i < 512; i++)
		sum += i >= 148 && i < 156 ? ' ' : (unsigned char)b.data[i];
	field = strtoul(b.data + 148, NULL, 8);
	ck_assert_uint_eq(field, sum);
	ck_assert_int_eq(b.data[155], ' ');
	ck_assert_int_eq(memcmp(b.data + 512, "hello\n", 6), 0);
	for (i = 518; i < b.len; i++)
		ck_assert_int_eq(b.data[i], 0);
	/* A name ustar cannot hold without its prefix field is refused. */
	memset(name, 'x', 100);
	name[100] = '\0';
	ck_assert_int_eq(qgtm_tar_add(&b, name, "", 0, 0), -1);
	ck_assert_int_eq(qgtm_errcode(), QGTM_EX_DATAERR);
	qgtm_buf_release(&b);
}
END_TEST

Suite *
suite_report(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("money");

	tcase_add_loop_test(tc, test_money, 0, NELEM(monies));
	tcase_add_test(tc, test_tar);
	suite_add_tcase(s, tc);

	tc = tcase_create("models");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_status_empty);
	tcase_add_test(tc, test_status_heartbeat);
	tcase_add_test(tc, test_status_gain_day_start);
	tcase_add_test(tc, test_status_verdict);
	tcase_add_test(tc, test_status_unreadable);
	tcase_add_test(tc, test_flat);
	tcase_add_test(tc, test_phone_fresh);
	tcase_add_test(tc, test_readiness_empty);
	tcase_add_test(tc, test_readiness_escalation);
	tcase_add_test(tc, test_readiness_drawdown);
	tcase_add_test(tc, test_pages_hostile);
	tcase_add_test(tc, test_phone_size);
	tcase_add_test(tc, test_publish);
	tcase_add_test(tc, test_readiness_decay);
	tcase_add_test(tc, test_strategy_broker_fill);
	suite_add_tcase(s, tc);
	return s;
}
