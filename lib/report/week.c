/*
 * week.c: the weekly model (qgtm_report_week) of the digest and of the
 * readiness page's last week: the week's equity and PnL, its days and
 * drawdown, each strategy's contribution with the carried book and the
 * rounding, the positions at its end and its tier changes.
 */
#include <stdio.h>
#include <string.h>

#include "report/report_int.h"

/* The daily PnL of the days of the week (from Monday, civil day mon) up
 * to end, their sum, and the largest fall of a day's close below the
 * week's running peak with its day. Returns 0 or -1. */
static int
week_days(const struct qgtm_cfg *cfg, json_t *journal, int64_t cash,
    long mon, time_t end, json_t *rec)
{
	static const char *const dname[] = { "Mon", "Tue", "Wed", "Thu", "Fri",
	    "Sat", "Sun" };
	time_t t = qgtm_model_ny_midnight(mon, 0), close;
	int64_t prev, eq, peak, sum = 0;
	json_t *days = json_array();
	const char *wday = NULL;
	double dd, worst = 0;
	int i;

	if (qgtm_journal_equity(cfg, journal, cash, NULL, 0, t, t, &prev) == -1)
		return json_decref(days), -1;
	peak = prev;
	for (i = 0; i < 7 && t < end; i++, t = close) {
		close = qgtm_model_ny_midnight(mon, i + 1);
		close = close < end ? close : end;
		if (qgtm_journal_equity(cfg, journal, cash, NULL, 0, close,
		    close, &eq) == -1)
			return json_decref(days), -1;
		json_array_append_new(days, json_pack("{s:s, s:I}", "day",
		    dname[i], "pnl_cents", (json_int_t)(eq - prev)));
		sum += eq - prev;
		prev = eq;
		peak = eq > peak ? eq : peak;
		dd = peak > 0 ? (double)(peak - eq) / (double)peak : 0;
		if (dd > worst)
			worst = dd, wday = dname[i];
	}
	json_object_set_new(rec, "days", days);
	json_object_set_new(rec, "days_pnl_cents", json_integer(sum));
	json_object_set_new(rec, "max_drawdown", json_real(worst));
	json_object_set_new(rec, "max_drawdown_day", wday ? json_string(wday) :
	    json_null());
	return 0;
}

/* The week's trades of strat: count, and hits (a buy below, or a sell
 * above, the price at end). */
static void
week_trades(const struct qgtm_cfg *cfg, json_t *journal, const char *strat,
    time_t start, time_t end, json_int_t *n, json_int_t *hits)
{
	struct qgtm_fill f;
	const char *s;
	json_t *line, *fill;
	int64_t now_px;
	size_t i;
	time_t t;

	*n = *hits = 0;
	json_array_foreach(journal, i, line) {
		fill = qgtm_journal_line_fill(line, &s, &t);
		if (fill == NULL || t <= start || t > end ||
		    strcmp(s, strat) != 0 || qgtm_journal_fill(fill, &f) == -1)
			continue;
		(*n)++;
		if (qgtm_pit_last_close(qgtm_cfg_str(cfg,
		    "common.price_source"), f.symbol, end, &now_px,
		    NULL) == 0 &&
		    (f.side == QGTM_BUY ? now_px > f.price : now_px < f.price))
			(*hits)++;
	}
}

/* The configured strategies and every strategy that filled in the week. */
static json_t *
week_names(const struct qgtm_cfg *cfg, json_t *journal, time_t start,
    time_t end)
{
	json_t *names = json_array(), *v, *line;
	const char *s;
	size_t i;
	time_t t;

	json_array_foreach(qgtm_cfg_list(cfg, "signal.strategies"), i, v)
		qgtm_model_list_add(names, json_string_value(v));
	json_array_foreach(journal, i, line)
		if (qgtm_journal_line_fill(line, &s, &t) != NULL &&
		    t > start && t <= end)
			qgtm_model_list_add(names, s);
	return names;
}

/* 1 when strategy row x ranks before y: larger contribution, then name. */
static int
ranks_before(json_t *x, json_t *y)
{
	json_int_t cx = json_integer_value(json_object_get(x, "pnl_cents"));
	json_int_t cy = json_integer_value(json_object_get(y, "pnl_cents"));

	if (cx != cy)
		return cx > cy;
	return strcmp(json_string_value(json_object_get(x, "strategy")),
	    json_string_value(json_object_get(y, "strategy"))) < 0;
}

/* Insert row (stolen) into rows, kept ranked. */
static void
insert_ranked(json_t *rows, json_t *row)
{
	size_t i = 0;

	while (i < json_array_size(rows) && !ranks_before(row,
	    json_array_get(rows, i)))
		i++;
	json_array_insert_new(rows, i, row);
}

/*
 * The contribution of each strategy: its fills of the week alone, over
 * no cash, marked at end; "carried" is the book held at start marked
 * from start to end, and any cent the marks' rounding leaves is added to
 * "carried", so the rows sum exactly to pnl.
 */
static int
week_strategies(const struct qgtm_cfg *cfg, json_t *journal, int64_t cash,
    time_t start, time_t end, int64_t pnl, json_t *rec)
{
	json_t *names = week_names(cfg, journal, start, end), *rows, *v;
	int64_t c, a, b, rest = pnl;
	json_int_t n, hits;
	size_t i;

	rows = json_array();
	json_array_foreach(names, i, v) {
		const char *s = json_string_value(v);

		if (qgtm_journal_equity(cfg, journal, 0, s, start, end, end,
		    &c) == -1)
			goto fail;
		week_trades(cfg, journal, s, start, end, &n, &hits);
		insert_ranked(rows, json_pack("{s:s, s:I, s:I, s:I}",
		    "strategy", s, "pnl_cents", (json_int_t)c, "trades", n,
		    "hits", hits));
		rest -= c;
	}
	if (qgtm_journal_equity(cfg, journal, cash, NULL, 0, start, start,
	    &a) == -1 || qgtm_journal_equity(cfg, journal, cash, NULL, 0,
	    start, end, &b) == -1)
		goto fail;
	json_object_set_new(rec, "strategies", rows);
	json_object_set_new(rec, "carried_cents", json_integer(b - a));
	json_object_set_new(rec, "rounding_cents", json_integer(rest -
	    (b - a)));
	json_decref(names);
	return 0;
fail:
	json_decref(rows);
	json_decref(names);
	return -1;
}

/* The positions of book: open, long, short. */
static void
week_positions(const struct qgtm_book *book, json_t *rec)
{
	size_t i, lng = 0;

	for (i = 0; i < book->npos; i++)
		lng += book->pos[i].qty > 0;
	json_object_set_new(rec, "positions", json_pack("{s:I, s:I, s:I}",
	    "open", (json_int_t)book->npos, "long", (json_int_t)lng, "short",
	    (json_int_t)(book->npos - lng)));
}

/* The tier changes of the week, and the tier at its end. */
static void
week_risk(const struct qgtm_cfg *cfg, time_t start, time_t end, json_t *rec)
{
	json_t *hist, *out = json_array(), *r;
	struct qgtm_ks_state st;
	struct qgtm_ks ks;
	const char *ts;
	size_t i;
	time_t t;

	if (qgtm_ks_open(&ks, cfg) == -1) {
		json_object_set_new(rec, "tier", json_string("UNKNOWN"));
		json_object_set_new(rec, "risk_events", out);
		return;
	}
	qgtm_ks_read(&ks, &st);
	hist = qgtm_ks_history(&ks, start);
	json_array_foreach(hist, i, r) {
		ts = json_string_value(json_object_get(r, "ts"));
		if (ts != NULL && qgtm_time_parse(ts, &t) == 0 && t <= end)
			json_array_append(out, r);
	}
	json_decref(hist);
	json_object_set_new(rec, "tier", json_string(qgtm_tier_name(
	    st.effective)));
	json_object_set_new(rec, "risk_events", out);
	qgtm_ks_close(&ks);
}

/* The week's figures from journal into rec: equity, PnL, days,
 * strategies, positions at end. Returns 0 or -1. */
static int
week_money(const struct qgtm_cfg *cfg, json_t *journal, long mon,
    time_t end, json_t *rec)
{
	int64_t a, b, cash = qgtm_journal_cash0(cfg);
	time_t start = qgtm_model_ny_midnight(mon, 0);
	struct qgtm_book book;

	if (qgtm_journal_equity(cfg, journal, cash, NULL, 0, start, start,
	    &a) == -1 ||
	    qgtm_journal_equity(cfg, journal, cash, NULL, 0, end, end,
	    &b) == -1 ||
	    week_days(cfg, journal, cash, mon, end, rec) == -1 ||
	    week_strategies(cfg, journal, cash, start, end, b - a, rec) == -1 ||
	    qgtm_journal_book(journal, cash, NULL, 0, end, &book) == -1)
		return -1;
	qgtm_model_set_money(rec, "equity", b, 0);
	qgtm_model_set_money(rec, "pnl", b - a, 1);
	json_object_set_new(rec, "pnl_cents", json_integer(b - a));
	json_object_set_new(rec, "pnl_pct", json_real(a > 0 ?
	    100.0 * (double)(b - a) / (double)a : 0));
	week_positions(&book, rec);
	qgtm_book_release(&book);
	return 0;
}

json_t *
qgtm_report_week(const struct qgtm_cfg *cfg, int y, int m, int d,
    time_t now)
{
	long mon = qgtm_days_from_civil(y, m, d) -
	    (qgtm_weekday(y, m, d) + 6) % 7;
	time_t start = qgtm_model_ny_midnight(mon, 0);
	time_t end = qgtm_model_ny_midnight(mon, 7);
	json_t *rec = qgtm_record_new("week", NULL);
	struct qgtm_date md = qgtm_civil_from_days(mon);
	struct qgtm_book book;
	char day[11], ts[21];
	int rc;

	end = end < now ? end : now;
	snprintf(day, sizeof day, "%04d-%02d-%02d", md.year, md.month, md.day);
	json_object_set_new(rec, "week", json_string(day));
	json_object_set_new(rec, "as_of", json_string(qgtm_time_fmt(end, ts)));
	if (qgtm_oms_book_load(cfg, &book) == -1)
		return json_decref(rec), NULL;
	rc = week_money(cfg, book.journal, mon, end, rec);
	qgtm_book_release(&book);
	if (rc == -1)
		return json_decref(rec), NULL;
	week_risk(cfg, start, end, rec);
	return rec;
}
