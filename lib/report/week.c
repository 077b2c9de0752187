/*
 * week.c: the weekly model (qgtm_report_week) of the digest and of the
 * readiness page's last week: the week's equity and PnL, its days and
 * drawdown, each strategy's contribution (lib/report/attrib.c), the
 * positions at its end and its tier changes.
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

/* The tier changes of the week, and the tier at its end (the kill switch
 * of mk as read). */
static void
week_risk(struct qgtm_model_ks *mk, time_t start, time_t end, json_t *rec)
{
	json_t *hist, *out = json_array(), *r;
	const char *ts;
	size_t i;
	time_t t;

	if (!mk->ok) {
		json_object_set_new(rec, "tier", json_string("UNKNOWN"));
		json_object_set_new(rec, "risk_events", out);
		return;
	}
	hist = qgtm_ks_history(&mk->ks, start);
	json_array_foreach(hist, i, r) {
		ts = json_string_value(json_object_get(r, "ts"));
		if (ts != NULL && qgtm_time_parse(ts, &t) == 0 && t <= end)
			json_array_append(out, r);
	}
	json_decref(hist);
	json_object_set_new(rec, "tier",
	    json_string(qgtm_tier_name(mk->st.effective)));
	json_object_set_new(rec, "risk_events", out);
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
	    qgtm_attrib_week(cfg, journal, mon, end, rec) == -1 ||
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
	return qgtm_week_model(cfg, y, m, d, now, NULL);
}

json_t *
qgtm_week_model(const struct qgtm_cfg *cfg, int y, int m, int d, time_t now,
    struct qgtm_model_ks *mk)
{
	struct qgtm_model_ks own;
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
	if (mk == NULL)
		qgtm_model_ks_open(cfg, mk = &own);
	week_risk(mk, start, end, rec);
	if (mk == &own)
		qgtm_model_ks_close(&own);
	return rec;
}
